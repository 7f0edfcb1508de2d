"""Flights that cannot be flown as asked are errors, not quiet misses.

The reachable apogees come from the aiming model (rotating Earth, Kepler arcs); each
bound is checked against the full model: a flight asked for an apogee just inside the
bound is flown to it, one just outside is not (status ``apogee_unreachable``).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from earlywarn.flight import FlightSolver, LaunchSpec
from earlywarn.flight.fly import FlightStatus
from earlywarn.io.scenario import ScenarioError, parse_scenario


@pytest.fixture(scope="module")
def solver() -> FlightSolver:
    return FlightSolver()


def _lofted(apogee_km: float | None, vehicle: str = "icbm-liquid") -> LaunchSpec:
    # ~950 km from the west coast of Korea into the Sea of Japan, as the 2017 lofted tests
    return LaunchSpec("L1", vehicle, 39.1, 125.9, aim_lat_deg=38.8, aim_lon_deg=136.9,
                      apogee_km=apogee_km)  # fmt: skip


def test_the_reachable_apogees_bound_what_the_full_model_flies(solver: FlightSolver) -> None:
    reach = solver.reach(_lofted(None))
    lo_km, hi_km = reach.apogee_min_m / 1e3, reach.apogee_max_m / 1e3
    assert 50 < lo_km < hi_km < 5000
    inside = solver.fly([_lofted(0.97 * hi_km)]).events[0]
    assert inside.status == FlightStatus.OK
    assert inside.apogee_altitude_m / 1e3 == pytest.approx(0.97 * hi_km, rel=0.02)
    outside = solver.fly([_lofted(1.1 * hi_km)]).events[0]
    assert outside.status == FlightStatus.APOGEE_UNREACHABLE
    # the problem is said before flying, with the reachable interval
    msg = solver.problem(_lofted(4475.0))
    assert msg is not None and "4,475 km is beyond reach" in msg
    assert f"{hi_km:,.0f} km" in msg


def test_a_westward_aim_the_rotation_puts_out_of_reach_gets_its_status(
    solver: FlightSolver,
) -> None:
    # 12,245 km due west along the equator: inside the non-rotating maximum range
    # (13,885 km), but the Earth turning under the flight takes it out of reach
    spec = LaunchSpec("W", "icbm-solid", 0.0, 60.0, aim_lat_deg=0.0, aim_lon_deg=-50.0)
    assert solver.problem(spec) is None
    ev = solver.fly([spec]).events[0]
    assert ev.status == FlightStatus.OUT_OF_RANGE
    assert ev.aim_miss_m is not None and ev.aim_miss_m > 100e3


def _ew(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "earlywarn", *args], capture_output=True,
                          text=True, check=False, timeout=300)  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--to", "38.8,136.9", "--apogee-km", "4475"], "reach apogees of about"),
        (["--to", "38.8,136.9", "--apogee-km", "200"], "cannot be flown as asked"),
        (["--to", "38.8,136.9"], "short of the minimum-energy minimum range"),
    ],
)
def test_trajectory_refuses_a_flight_it_cannot_fly(extra: list[str], words: str) -> None:
    r = _ew("trajectory", "--vehicle", "icbm-liquid", "--from", "39.1,125.9", *extra)
    assert r.returncode == 2, r.stdout
    assert words in r.stderr and "Traceback" not in r.stderr


def test_trajectory_refuses_the_rotation_out_of_range_aim() -> None:
    r = _ew("trajectory", "--vehicle", "icbm-solid", "--from", "0,60", "--to", "0,-50")
    assert r.returncode == 2
    assert "out_of_range" in r.stderr and "km from the aim" in r.stderr


SCEN = """\
name: lofted
epoch: "2026-01-01T00:00:00Z"
duration: "60 min"
launches:
  - id: A1
    vehicle: icbm-solid
    site: {lat_deg: 40.0, lon_deg: 60.0}
    aim: {lat_deg: 47.0, lon_deg: -170.0}
  - id: T2
    vehicle: icbm-liquid
    site: {lat_deg: 39.1, lon_deg: 125.9}
    aim: {lat_deg: 38.8, lon_deg: 136.9}
    trajectory: lofted
    apogee: "4475 km"
"""


def test_a_scenario_with_an_unreachable_apogee_does_not_validate() -> None:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(SCEN, "lofted.yaml")
    msg = str(exc.value)
    assert "lofted.yaml:14: launches.1.apogee: launch T2:" in msg, msg
    assert "reach apogees of about" in msg
    # the first launch is fine and is not named
    assert "A1" not in msg


def test_a_scenario_with_a_rotation_out_of_range_aim_does_not_validate() -> None:
    text = SCEN.replace("lon_deg: 60.0}\n    aim: {lat_deg: 47.0, lon_deg: -170.0}",
                        "lon_deg: 60.0}\n    aim: {lat_deg: 0.0, lon_deg: -50.0}")  # fmt: skip
    text = text.replace("lat_deg: 40.0, lon_deg: 60.0", "lat_deg: 0.0, lon_deg: 60.0")
    text = text.replace('"4475 km"', '"1500 km"')
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "west.yaml")
    msg = str(exc.value)
    assert "west.yaml:8: launches.0.aim: launch A1:" in msg, msg
    assert "Earth's rotation" in msg and "T2" not in msg


def test_each_launch_of_a_run_carries_its_flight_status() -> None:
    from earlywarn.run.pipeline import run_scenario

    text = SCEN.replace('"4475 km"', '"1500 km"').replace('duration: "60 min"',
                                                          'duration: "2 min"')  # fmt: skip
    res = run_scenario(parse_scenario(text))
    rows = {r["id"]: r for r in res.summary()["launches"]}
    assert rows["A1"]["flight_status"] == "ok" and rows["T2"]["flight_status"] == "ok"
