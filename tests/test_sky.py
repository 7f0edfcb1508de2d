"""Resident space objects in the simulated sky: truth, re-entry, scenario, sensors, scoring.

Physics against closed forms: the truth's Hermite interpolant against direct SGP4 (the
cubic Hermite error bound h⁴ max|r⁗|/384, Burden & Faires, *Numerical Analysis*, 9th ed.,
Thm 3.9, with |r⁗| ≈ n⁴ r on a circular orbit), and a re-entering object's speed at the
ground against its terminal speed √(g / (ρ₀ C_d A/2m)).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from earlywarn.earth.atmosphere import density_kg_m3
from earlywarn.earth.constants import GM_M3_S2, R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.flight.rso import (
    REENTRY_HANDOVER_M,
    RSO_PREFIX,
    catalog_truth,
    cdm_from_bstar,
)
from earlywarn.flight.truth import RSO_KINDS, Trajectories, is_rso
from earlywarn.io.scenario import ScenarioError, load_scenario, parse_scenario, sky_catalog
from earlywarn.run import build
from earlywarn.sensors.simulate import simulate
from earlywarn.space.catalog import Catalog, sample_catalog, sample_records

EPOCH = "2026-03-20T12:00:00Z"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _subset(cat: Catalog, word: str) -> Catalog:
    return Catalog(tuple(o for o in cat.objects if word in o.name))


def test_rsos_are_labelled_apart_from_launch_objects() -> None:
    cat = sample_catalog(EPOCH)
    tr = catalog_truth(cat, EPOCH, 3600.0).trajectories
    assert tr.n_objects == len(cat)
    assert all(o.startswith(RSO_PREFIX) for o in tr.object_id)
    assert set(tr.launch_id) == {""}
    assert set(tr.kind) == set(RSO_KINDS) - {"rso_unknown"}
    assert all(is_rso(k) for k in tr.kind) and not is_rso("payload")
    np.testing.assert_array_equal(tr.rcs_m2, cat.rcs_m2)
    assert not tr.intensity_w_sr.any()  # cold
    assert np.nanmax(np.diff(tr.t_s, axis=1)) <= 60.0 + 1e-9


def test_interpolated_truth_matches_direct_sgp4_in_leo() -> None:
    cat = _subset(sample_catalog(EPOCH), "STATION")  # ~420 km: the fastest circular orbits
    tr = catalog_truth(cat, EPOCH, 3 * 3600.0).trajectories
    t = np.arange(0.0, 3 * 3600.0, 7.0)
    got = tr.at(t)
    want = cat.states_ecef(EPOCH, t)
    err = np.linalg.norm(got.r_ecef_m - want.r_m, axis=-1)
    r = 6378e3 + 430e3
    n = math.sqrt(GM_M3_S2 / r**3)
    bound = 60.0**4 * n**4 * r / 384.0  # 0.45 m
    # the Earth-fixed frame adds terms of order ω/n ≈ 6 % to r⁗: allow twice the bound
    assert err.max() < 2.0 * bound, (err.max(), bound)
    assert err.max() > 0.01  # the samples really are 60 s apart, not exact
    verr = np.linalg.norm(got.v_ecef_m_s - want.v_m_s, axis=-1)
    assert verr.max() < 0.1  # m/s


def test_decaying_object_reenters_to_the_ground_at_terminal_speed() -> None:
    cat = _subset(sample_catalog(EPOCH), "DECAY")
    out = catalog_truth(cat, EPOCH, 86400.0)
    tr = out.trajectories
    assert out.dropped == ()
    landed = np.flatnonzero(tr.t_end_s < 86400.0)
    assert len(landed) >= 2  # the 3 h and 10 h objects (SGP4's 120 km crossing) land today
    assert set(out.reentered) >= {int(tr.object_id[i].removeprefix(RSO_PREFIX)) for i in landed}
    g = GM_M3_S2 / R_MEAN_M**2
    rho0 = float(density_kg_m3(0.0))
    for i in landed:
        k = int(np.isfinite(tr.t_s[i]).sum()) - 1
        _, _, h = ecef_to_geodetic(tr.r_ecef_m[i, k])
        assert abs(float(h)) < 1.0  # on the ground
        obj = next(o for o in cat.objects if f"{RSO_PREFIX}{o.norad_id}" == tr.object_id[i])
        cdm = float(cdm_from_bstar(obj.orbit.satrec.bstar))
        v_terminal = math.sqrt(g / (rho0 * cdm))
        assert np.linalg.norm(tr.v_ecef_m_s[i, k]) == pytest.approx(v_terminal, rel=0.05)
        # orbital speed at the handover, then braking: speeds fall through the atmosphere
        speed = np.linalg.norm(tr.v_ecef_m_s[i, : k + 1], axis=-1)
        _, _, hh = ecef_to_geodetic(tr.r_ecef_m[i, : k + 1])
        first_low = int(np.argmax(hh < REENTRY_HANDOVER_M))
        assert 7000.0 < speed[first_low] < 8000.0
        assert speed[-1] < 0.01 * speed[first_low]
    # before the handover the truth is SGP4's own states
    direct = cat.states_ecef(EPOCH, tr.t_s[landed[0], :10])
    np.testing.assert_allclose(tr.r_ecef_m[landed[0], :10], direct.r_m[landed[0]], atol=1e-6)


def test_infrared_payloads_do_not_detect_cold_objects() -> None:
    scen = load_scenario(EXAMPLES / "reference.yaml")
    sats = build.satellites(scen)
    cat = _subset(sample_catalog(EPOCH), "BROADBAND")
    cold = catalog_truth(cat, EPOCH, 1200.0).trajectories
    _, rt = simulate(cold, sats, [], EPOCH, 0.0, 1200.0, 7)
    assert not any(str(x).startswith(RSO_PREFIX) for x in rt.truth)
    # positive control: the same objects with a plume are seen (the test can fail)
    hot = Trajectories(
        cold.object_id, cold.launch_id, cold.kind, cold.t_s, cold.r_ecef_m, cold.v_ecef_m_s,
        np.where(np.isfinite(cold.t_s), 1e6, 0.0), cold.rcs_m2,
    )  # fmt: skip
    _, rt = simulate(hot, sats, [], EPOCH, 0.0, 1200.0, 7)
    assert sum(str(x).startswith(RSO_PREFIX) for x in rt.truth) > 100


def test_radars_detect_catalogued_objects_by_their_cross_section() -> None:
    scen = load_scenario(EXAMPLES / "reference.yaml")
    rads = build.radars(scen)
    cat = sample_catalog(EPOCH)
    tr = catalog_truth(cat, EPOCH, 6 * 3600.0).trajectories
    batch, rt = simulate(tr, [], rads, EPOCH, 0.0, 6 * 3600.0, 3)
    seen = {str(x) for x in rt.truth if str(x).startswith(RSO_PREFIX)}
    assert len(seen) > 20
    rcs = dict(zip(tr.object_id, tr.rcs_m2, strict=True))
    assert {rcs[s] for s in seen} >= {0.05, 5.0}  # fragments and large payloads alike
    # σ/R⁴: a 0.05 m² fragment has the reference SNR at (0.05)^(1/4) × 5,000 km =
    # 2,360 km, a 5 m² payload at 7,480 km (beyond the 6,000 km instrumented range), so
    # fragments are reported at shorter ranges than large payloads
    cols = batch.columns("radar")
    label = rt.as_dict()
    obj = [label[(str(a), int(b))] for a, b in zip(cols["sensor_id"], cols["seq"], strict=True)]
    sigma = np.array([rcs.get(o, np.nan) for o in obj])
    small = np.median(cols["range_m"][sigma == 0.05])
    large = np.median(cols["range_m"][sigma == 5.0])
    assert small < 0.8 * large, (small, large)


# ---- the scenario's sky section ----------------------------------------------------------

_SCEN = """
epoch: "2026-03-20T12:00:00Z"
duration: "10 min"
sky: {catalog: CATALOG}
"""


def test_catalog_path_is_relative_to_the_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "cats").mkdir()
    recs = sample_records()[:5]
    (tmp_path / "cats" / "mine.json").write_text(json.dumps(recs), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(_SCEN.replace("CATALOG", "cats/mine.json"), "utf-8")
    sc = load_scenario(tmp_path / "s.yaml")
    cat = sky_catalog(sc)
    assert cat is not None and len(cat) == 5
    # used as given: the file's own element epoch, not the scenario's
    assert {o.orbit.element_epoch.year for o in cat.objects} == {2026}
    assert cat.objects[0].orbit.element_epoch.month == 1
    assert len(build.sky_truth(sc)[0].object_id) == 5
    # the sample is placed at the scenario's epoch
    sc2 = parse_scenario(_SCEN.replace("CATALOG", "sample"))
    cat2 = sky_catalog(sc2)
    assert cat2 is not None and cat2.objects[0].orbit.element_epoch.month == 3


@pytest.mark.parametrize(
    ("catalog", "words"),
    [
        ("nowhere.json", ["s.yaml:4", "sky.catalog", "no catalog file", "nowhere.json"]),
        ("cats/mine.kvn", ["s.yaml:4", "sky.catalog", "unknown catalog format '.kvn'", ".tle"]),
        ("cats/bad.json", ["s.yaml:4", "sky.catalog", "bad.json record 2", "INCLINATION",
                           "'200'"]),
    ],
)  # fmt: skip
def test_catalog_errors_name_the_field(tmp_path: Path, catalog: str, words: list[str]) -> None:
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "mine.kvn").write_text("x", encoding="utf-8")
    recs = [dict(r) for r in sample_records()[:3]]
    recs[1]["INCLINATION"] = "200"
    (tmp_path / "cats" / "bad.json").write_text(json.dumps(recs), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(_SCEN.replace("CATALOG", catalog), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_radar_coverage_prefilter_changes_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The radars build (object, scan) pairs only inside :meth:`Radar.candidate_windows`;
    every report (launch objects and catalogued ones, detections, noise, draws) must be
    what the whole lives give."""
    from earlywarn.flight import FlightSolver
    from earlywarn.sensors.radar import Radar

    text = (EXAMPLES / "reference.yaml").read_text(encoding="utf-8")
    text = text.replace('duration: "35 min"', 'duration: "3 h"\nsky: {catalog: sample}')
    sc = parse_scenario(text, "reference+sky")
    launch = FlightSolver().fly(build.launch_specs(sc)).trajectories
    cat = sky_catalog(sc)
    assert cat is not None
    # the sky sampled every 10 min: objects cross the coverage's edges between samples,
    # so the windows' slack (reach) is what keeps their pairs
    sky = catalog_truth(cat, EPOCH, sc.duration, step_s=600.0).trajectories
    truth = Trajectories.concat([launch, sky])
    assert any(is_rso(k) for k in truth.kind) and not all(is_rso(k) for k in truth.kind)
    rads = build.radars(sc)
    fast = simulate(truth, [], rads, EPOCH, 0.0, sc.duration, 11)
    windows = [r.candidate_windows(truth) for r in rads]
    # the windows do cut: far less time than the objects' lives
    life = float(np.sum(truth.t_end_s - truth.t_start_s))
    assert max(float(np.sum(hi - lo)) for _, lo, hi in windows) < 0.5 * life

    def whole_lives(self: Radar, tr: Trajectories) -> tuple[np.ndarray, ...]:
        return np.arange(tr.n_objects), tr.t_start_s, tr.t_end_s

    monkeypatch.setattr(Radar, "candidate_windows", whole_lives)
    slow = simulate(truth, [], rads, EPOCH, 0.0, sc.duration, 11)
    a, b = fast[0].columns("radar"), slow[0].columns("radar")
    assert a.keys() == b.keys() and len(a["t_s"]) > 1000
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_array_equal(fast[1].truth, slow[1].truth)
    assert any(str(x).startswith("L1/") for x in fast[1].truth)  # the launch is in it


def test_validate_shows_the_sky(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "s.yaml").write_text(_SCEN.replace("CATALOG", "sample"), "utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "earlywarn", "validate", str(tmp_path / "s.yaml")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    counts = sample_catalog().counts_by_type()
    assert (
        f"sky: {sum(counts.values())} catalogued objects ({counts['payload']} payload, "
        f"{counts['rocket_body']} rocket body, {counts['debris']} debris) from the sample "
        "catalog"
    ) in r.stdout
