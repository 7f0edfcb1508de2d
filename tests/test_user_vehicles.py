"""User-defined vehicles: the catalog's schema in a scenario's ``vehicles:`` section or a
``--vehicles`` file, extended by name, flown against the published figures they are
tuned to (``examples/vehicles/published-tests.yaml``)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from earlywarn.flight import FlightSolver, LaunchSpec
from earlywarn.flight.catalog import extend_catalog, load_user_vehicles
from earlywarn.io.scenario import ScenarioError, parse_scenario

VEHICLES = Path(__file__).resolve().parent.parent / "examples" / "vehicles" / "published-tests.yaml"


@pytest.fixture(scope="module")
def solver() -> FlightSolver:
    return FlightSolver(load_user_vehicles(VEHICLES))


def test_lofted_2017_test_flies_the_published_apogee_time_and_range(solver: FlightSolver) -> None:
    # D. Wright (UCS, All Things Nuclear, 28 Nov 2017): apogee ~4,475 km, ~53 min, ~950 km,
    # more than 13,000 km on a standard trajectory. Launch near Pyongsong (39.1 N 125.9 E),
    # splashdown in the Sea of Japan ~950 km east.
    ev = solver.fly([LaunchSpec("T", "lofted-icbm-2017", 39.1, 125.9, aim_lat_deg=38.8,
                                aim_lon_deg=136.9, apogee_km=4475.0)]).events[0]  # fmt: skip
    assert ev.status == "ok"
    assert ev.apogee_altitude_m / 1e3 == pytest.approx(4475.0, rel=0.02)
    assert ev.ground_range_m is not None and ev.ground_range_m / 1e3 == pytest.approx(950, rel=0.05)
    # "about 53 minutes": the published figure is rounded to the minute; ±1.5 min
    assert ev.impact_s is not None and abs(ev.impact_s / 60.0 - 53.0) <= 1.5
    assert solver.max_range_km("lofted-icbm-2017") > 13_000.0
    assert ev.vehicle_class == "ICBM"


def test_black_brant_xii_flies_the_1995_apogee_and_fall_time(solver: FlightSolver) -> None:
    # 25 January 1995, Andøya (69.29 N 16.02 E), towards Svalbard: apogee 1,453 km, in the sea
    # ~24 min after launch (Wikipedia, "Norwegian rocket incident"; Forden, Podvig & Postol,
    # IEEE Spectrum 37(3), 2000). The fall time is quoted to the minute and to splashdown
    # near Svalbard: ±2 min.
    ev = solver.fly([LaunchSpec("BB", "black-brant-xii-1995", 69.29, 16.02, azimuth_deg=10.0,
                                elevation_deg=85.0)]).events[0]  # fmt: skip
    assert ev.apogee_altitude_m / 1e3 == pytest.approx(1453.0, rel=0.02)
    assert ev.impact_s is not None and abs(ev.impact_s / 60.0 - 24.0) <= 2.0
    assert ev.impact_lat_rad is not None and 76.0 < math.degrees(ev.impact_lat_rad) < 80.0
    assert ev.vehicle_class == "SOUNDING"


def test_extends_merges_launch_body_and_stages_by_name() -> None:
    entry = {"extends": "srbm", "source": "test", "payload_mass_kg": 1200.0,
             "stages": {"stage1": {"plume_w_sr": 9.0e5}}}  # fmt: skip
    cat = extend_catalog({"hot-srbm": entry})
    base, new = cat["srbm"], cat["hot-srbm"]
    assert new.payload_mass_kg == 1200.0 and new.source == "test"
    assert new.stages[0].plume_w_sr == 9.0e5
    assert new.stages[0].burn_s == base.stages[0].burn_s and new.body == base.body


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"extends": "srbm"}, "missing field 'source'"),
        ({"extends": "nope", "source": "x"}, "extends 'nope', which is not a known vehicle"),
        (
            {"extends": "srbm", "source": "x", "stages": {"stage9": {"burn_s": 3.0}}},
            "no stage 'stage9'",
        ),
        ({"extends": "srbm", "source": "x", "payload_mass_kg": -1.0}, "'payload_mass_kg' must be"),
    ],
)
def test_bad_user_vehicles_are_refused_naming_the_field(
    entry: dict[str, object], words: str
) -> None:
    with pytest.raises(ValueError, match="x-1") as exc:
        extend_catalog({"x-1": entry})
    assert words in str(exc.value)
    with pytest.raises(ValueError, match="catalog vehicle"):
        extend_catalog({"srbm": {"source": "x"}})


SCEN = """\
name: user-vehicle
epoch: "2017-11-28T18:17:00Z"
duration: "3 min"
vehicles:
  my-icbm:
    extends: icbm-liquid
    source: "notional, for the test"
    payload_mass_kg: 2150.0
launches:
  - id: T1
    vehicle: my-icbm
    site: {lat_deg: 39.1, lon_deg: 125.9}
    aim: {lat_deg: 38.8, lon_deg: 136.9}
    trajectory: lofted
    apogee: "4475 km"
"""


def test_a_scenario_flies_its_own_vehicle() -> None:
    from earlywarn.run.pipeline import run_scenario

    res = run_scenario(parse_scenario(SCEN))
    assert res.flight is not None
    ev = res.flight.events[0]
    assert ev.status == "ok" and ev.vehicle == "my-icbm" and ev.vehicle_class == "ICBM"
    assert res.summary()["launches"][0]["class_true"] == "ICBM"


def test_scenario_vehicle_errors_name_the_line() -> None:
    with pytest.raises(ScenarioError, match=r"u.yaml:4: vehicles: .*missing field 'source'"):
        parse_scenario(SCEN.replace('    source: "notional, for the test"\n', ""), "u.yaml")
    with pytest.raises(ScenarioError, match=r"u.yaml:11: launches.0.vehicle: launch T1: unknown"):
        parse_scenario(SCEN.replace("vehicle: my-icbm", "vehicle: my-icbn"), "u.yaml")
    # the packaged vehicle with the same payload cannot reach that apogee
    text = SCEN.replace("payload_mass_kg: 2150.0", "payload_mass_kg: 3000.0")
    with pytest.raises(
        ScenarioError, match=r"u.yaml:15: launches.0.apogee: launch T1: apogee 4,475"
    ):
        parse_scenario(text, "u.yaml")


def test_trajectory_reads_a_vehicles_file() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "earlywarn", "trajectory", "--vehicles", str(VEHICLES), "--vehicle",
         "black-brant-xii-1995", "--from", "69.29,16.02", "--azimuth-deg", "10",
         "--elevation-deg", "85", "--json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert '"vehicle": "black-brant-xii-1995"' in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "earlywarn", "trajectory", "--vehicles", "/nonexistent.yaml",
         "--vehicle", "x", "--from", "0,0", "--azimuth-deg", "0", "--elevation-deg", "80"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert r.returncode == 2 and "cannot read the vehicles file" in r.stderr
