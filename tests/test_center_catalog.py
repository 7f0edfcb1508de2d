"""The center's own catalog of resident space objects and its radar-only space judgements
(``earlywarn.center.rso``, the ladder's space-object pass).

* A catalogued LEO satellite seen by a radar is NOT_A_THREAT ``catalogued_object`` with
  its NORAD id and name in the alert, at POSSIBLE_LAUNCH and never above; among 300 other
  objects it is still the one matched.
* The same satellite with an empty catalog, a catalog of 300 other objects, or an element
  set whose mean anomaly is off by 1° (≈ 120 km along track: 30 sigma of a day-old element
  set) is ``uncorrelated_orbital_object``, never above POSSIBLE_LAUNCH.
* A decaying body on its last revolution is ``reentry``; the reference ICBM seen by the
  same kind of radars only is a missile (LAUNCH, THREAT on its target), with or without a
  300-object catalog: the two sides of the perigee line.
* The gate: the position pre-gate never drops an object the full 6-dof test keeps
  (hypothesis, against a brute-force d² over the whole catalog); the catalog sigma grows
  with element age as stated.
* A radar-only event never reaches THREAT on an ellipse wider than the stated bound (the
  issue's 4,202 km ellipse).
* ``center.catalog`` in a scenario (relative to the scenario file) and ``catalog`` in the
  live center's config (relative to the config file) reach the center's configuration.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlywarn.center import CenterConfig, DefendedArea, run_center
from earlywarn.center.assessment import AssessmentParams, Event
from earlywarn.center.assessment.event import Ctx, rebook
from earlywarn.center.assessment.evidence import (
    ballistic_with_confidence,
    radar_threat_bounded,
    reentering,
)
from earlywarn.center.assessment.ladder import evaluate_level
from earlywarn.center.characterise import ImpactEstimate, orbit_summary
from earlywarn.center.fusion import FusionParams
from earlywarn.center.rso import CenterCatalog, StepCatalog, gate_d2
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Reason, Source
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.time import parse_utc
from earlywarn.sensors.simulate import simulate
from earlywarn.space.orbits import ephemeris_ecef
from rso_truth import (
    EPOCH,
    catalog_of,
    decaying_truth,
    leo_omm,
    other_objects,
    radar_under,
    sgp4_truth,
)

T_PASS = 3000.0  # the satellite is above the radar's neighbourhood then


def _alerts(batch: Any, catalog: Any) -> list[Any]:
    return list(run_center(batch, CenterConfig(epoch=EPOCH, catalog=catalog), dt_s=2.0).alerts)


@pytest.fixture(scope="module")
def leo_batch() -> Any:
    rec = leo_omm()
    cat = catalog_of([rec])
    r_mid = ephemeris_ecef([cat.objects[0].orbit], EPOCH, T_PASS).r_m[0]
    truth = sgp4_truth(rec, T_PASS - 600.0, T_PASS + 600.0)
    batch, _ = simulate(truth, [], [radar_under(r_mid)], EPOCH, T_PASS - 600, T_PASS + 600, 1)
    assert batch.count("radar") > 50  # the pass is seen (some 10 minutes of scans)
    return batch


def _space_only(alerts: list[Any], reason: str) -> None:
    """Every alert is at POSSIBLE_LAUNCH, and the last one says ``reason``."""
    assert alerts, "the object was never reported (silently dropped)"
    assert {a.level for a in alerts} == {"POSSIBLE_LAUNCH"}, [(a.level, a.reason) for a in alerts]
    assert alerts[-1].disposition == "NOT_A_THREAT" and alerts[-1].reason == reason, alerts[-1]


def test_catalogued_satellite_is_named(leo_batch: Any) -> None:
    cat = catalog_of([*other_objects(150), leo_omm(), *other_objects(150, seed=4, first_id=60000)])
    alerts = _alerts(leo_batch, cat)
    _space_only(alerts, "catalogued_object")
    last = json.loads(alerts[-1].to_json())
    assert (last["object_norad_id"], last["object_name"]) == (40001, "TEST LEO")
    # the first alert already says it: the catalog is tested before anything is announced
    assert alerts[0].reason == "catalogued_object"


@pytest.mark.parametrize(
    "records",
    [
        [],
        other_objects(300),
        [leo_omm(MEAN_ANOMALY=11.0)],  # the right object's name, the wrong place
    ],
    ids=["empty", "300-others", "elements-off-by-1deg"],
)
def test_uncatalogued_satellite_is_reported_not_a_missile(
    leo_batch: Any, records: list[dict[str, Any]]
) -> None:
    alerts = _alerts(leo_batch, catalog_of(records))
    _space_only(alerts, "uncorrelated_orbital_object")
    assert all(a.object_norad_id is None for a in alerts)


def test_without_a_catalog_the_satellite_is_still_an_orbital_object(leo_batch: Any) -> None:
    _space_only(_alerts(leo_batch, None), "uncorrelated_orbital_object")


@pytest.fixture(scope="module")
def decay() -> tuple[Any, Any]:
    """A rocket body at 150 km with its drag-free perigee at 60 km, flown with drag, seen
    by a radar beside its track: the October 1979 kind of object."""
    tr = decaying_truth(40.0, -130.0, 90.0, 150e3, 60e3, 1000.0, 900.0)
    rad = radar_under(tr.r_ecef_m[0, 60], 4.0)
    batch, _ = simulate(tr, [], [rad], EPOCH, 1000.0, float(np.nanmax(tr.t_s)), 1)
    assert batch.count("radar") > 20
    return tr, batch


def test_decaying_body_is_a_reentry(decay: tuple[Any, Any]) -> None:
    tr, batch = decay
    # the truth is what the docstring says: coming down through 150-120 km, perigee high
    h = ecef_to_geodetic(tr.r_ecef_m[0])[2]
    assert h[0] == pytest.approx(150e3, abs=1.0) and np.all(np.diff(h) < 0.0)
    x = np.concatenate([tr.r_ecef_m[0, -1], tr.v_ecef_m_s[0, -1]])
    assert 0.0 < orbit_summary(x).perigee_alt_m < 120e3
    _space_only(_alerts(batch, None), "reentry")


def _icbm_radar_only(seed: int) -> tuple[Any, Any]:
    """The reference ICBM (tests/test_center_reference.py) seen by its two radars only."""
    from earlywarn.earth.frames import great_circle
    from earlywarn.flight.fly import LaunchSpec, fly
    from earlywarn.sensors.radar import Radar, RadarFace

    spec = LaunchSpec(
        "L1", "icbm-solid", 40.0, 60.0, t_launch_s=100.0, aim_lat_deg=47.0, aim_lon_deg=-170.0
    )
    res = fly([spec])
    _, back_az = great_circle(
        math.radians(47), math.radians(-170), math.radians(40), math.radians(60)
    )
    sig = math.radians(0.15)
    face = (RadarFace("f", math.degrees(float(back_az))),)
    radars = [
        Radar("rad-n", 52.0, -174.0, 0.0, face, ref_range_km=5000.0, sigma_range_m=30.0,
              sigma_azimuth_rad=sig, sigma_elevation_rad=sig),
        Radar("rad-s", 44.0, -165.0, 0.0, face, ref_range_km=5000.0, sigma_range_m=30.0,
              sigma_azimuth_rad=sig, sigma_elevation_rad=sig),
    ]  # fmt: skip
    fe = res.events[0]
    assert fe.impact_s is not None
    batch, _ = simulate(res.trajectories, [], radars, EPOCH, 0.0, 100.0 + fe.impact_s + 30.0, seed)
    return res, batch


@pytest.mark.parametrize("with_catalog", [False, True])
def test_radar_only_icbm_is_still_a_missile(with_catalog: bool) -> None:
    _, batch = _icbm_radar_only(1)
    area = DefendedArea.circle_deg("target", 47.0, -170.0, 200.0)
    cat = catalog_of(other_objects(300)) if with_catalog else None
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(area,), catalog=cat)
    alerts = run_center(batch, cfg, dt_s=2.0).alerts
    assert not [a for a in alerts if a.reason in SPACE_OBJECT_REASONS]
    assert "THREAT" in {a.level for a in alerts}, [(a.level, a.reason) for a in alerts]


def _event(x: np.ndarray, p: np.ndarray, **kw: Any) -> Event:
    """A radar-only event on a firm track (held ``radar_launch_min_updates`` updates)."""
    ev = Event(
        "E0001", Source.RADAR, None, (1,), 0.0, 0.0, Level.POSSIBLE_LAUNCH, Disposition.OPEN,
        Reason.RADAR_TRACK, (), state_t_s=0.0, x=x, p=p, primary_track_id=1, n_live_tracks=1,
        **kw,
    )  # fmt: skip
    return rebook(ev, max_fit_updates=AssessmentParams().radar_launch_min_updates)


def test_perigee_line_separates_decaying_bodies_from_missiles(decay: tuple[Any, Any]) -> None:
    """From truth states with a firm track's covariance (30 m, 3 m/s): the decaying body
    is a re-entry and not surely ballistic; the ICBM's re-entry vehicle descending through
    the same heights is surely ballistic and no re-entry, and its osculating perigee is
    thousands of km below the surface."""
    params = AssessmentParams()
    p = np.diag([30.0**2] * 3 + [3.0**2] * 3)
    tr, _ = decay
    for k in (10, 60, -1):
        ev = _event(np.concatenate([tr.r_ecef_m[0, k], tr.v_ecef_m_s[0, k]]), p)
        assert reentering(ev, params) and not ballistic_with_confidence(ev, params)
    res, _ = _icbm_radar_only(1)
    traj = res.trajectories
    i = traj.kind.index("rv")
    ok = np.isfinite(traj.t_s[i])
    r, v = traj.r_ecef_m[i][ok], traj.v_ecef_m_s[i][ok]
    h = ecef_to_geodetic(r)[2]
    down = np.flatnonzero((np.einsum("ij,ij->i", r, v) < 0.0) & (h < 300e3) & (h > 80e3))
    assert down.size > 3
    for k in down[:: max(1, down.size // 5)]:
        ev = _event(np.concatenate([r[k], v[k]]), p)
        assert orbit_summary(ev.x).perigee_alt_m < -2000e3
        assert ballistic_with_confidence(ev, params) and not reentering(ev, params)
        # a history of orbit would make it a re-entry: that is what the history means
        assert reentering(replace(ev, was_in_orbit=True), params)


def _ctx(catalog: StepCatalog | None = None, areas: tuple[Any, ...] = ()) -> Ctx:
    return Ctx(0.0, areas, (), AssessmentParams(), FusionParams(), {}, catalog)


def _impact(semi_major_m: float, fraction: float = 1.0) -> ImpactEstimate:
    return ImpactEstimate(
        True, 0.0, 600.0, 5.0, math.radians(47.0), math.radians(-170.0), (0.0, 0.0, 0.0),
        semi_major_m, semi_major_m / 3.0, 0.0, fraction,
    )  # fmt: skip


def test_radar_only_threat_needs_a_bounded_ellipse() -> None:
    """The issue's case: a radar-only event raised THREAT on a 4,202 km ellipse."""
    res, _ = _icbm_radar_only(1)
    traj = res.trajectories
    i = traj.kind.index("rv")
    k = int(np.flatnonzero(np.isfinite(traj.t_s[i]))[-40])
    x = np.concatenate([traj.r_ecef_m[i, k], traj.v_ecef_m_s[i, k]])
    p = np.diag([30.0**2] * 3 + [3.0**2] * 3)
    area = DefendedArea.circle_deg("target", 47.0, -170.0, 200.0)
    params = AssessmentParams()
    for semi, frac, want in (
        (4202e3, 1.0, Level.LAUNCH),
        (params.radar_threat_max_semi_major_m * 1.01, 1.0, Level.LAUNCH),
        (300e3, 0.9, Level.LAUNCH),  # some sigma points never come down: unbounded
        (300e3, 1.0, Level.THREAT),
    ):
        ev = _event(x, p, impact=_impact(semi, frac), threatened_areas=("target",))
        assert radar_threat_bounded(ev, params) is (want == Level.THREAT)
        out = evaluate_level(ev, None, _ctx(areas=(area,)))
        assert out.level == want, (semi, frac, out.level, out.reason)
        if want == Level.LAUNCH:
            assert out.disposition == Disposition.OPEN and out.reason == Reason.IMPACT_UNCERTAIN


def _step_catalog(records: list[dict[str, Any]]) -> StepCatalog:
    params = AssessmentParams()
    cc = CenterCatalog(catalog_of(records), parse_utc(EPOCH))
    return StepCatalog(
        cc, params.catalog_sigma0_m, params.catalog_sigma_growth_m_s,
        params.catalog_gate_probability,
    )  # fmt: skip


def test_catalog_sigma_grows_with_element_age() -> None:
    """σ_r = 1 km + 3 km/day × |age|, σ_v = σ_r n (n the mean motion, 15.5 rev/day)."""
    sc = _step_catalog([leo_omm()])  # elements 1 day before the epoch
    for t_s, age_days in ((0.0, 1.0), (86_400.0, 2.0), (-86_400.0, 0.0), (-3 * 86_400.0, 2.0)):
        st_ = sc.at(t_s)
        assert st_.sigma_r_m[0] == pytest.approx(1000.0 + 3000.0 * age_days)
        n = 15.5 * 2 * math.pi / 86_400.0
        assert st_.sigma_v_m_s[0] == pytest.approx(st_.sigma_r_m[0] * n, rel=1e-3)


def test_gate_threshold_is_the_chi_square_quantile() -> None:
    # chi-square with 6 degrees of freedom: P(X <= 22.458) = 0.999 (standard tables)
    assert gate_d2(0.999) == pytest.approx(22.458, abs=1e-3)


_CAT = _step_catalog(other_objects(200, seed=11))


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(0, 199),
    offset=st.lists(st.floats(-1.0, 1.0), min_size=6, max_size=6),
    scale_m=st.sampled_from([100.0, 3e3, 20e3, 60e3]),
    sig_m=st.sampled_from([10.0, 1e3, 10e3]),
    t_s=st.sampled_from([0.0, 5000.0]),
)
def test_pre_gate_never_drops_what_the_full_test_keeps(
    k: int, offset: list[float], scale_m: float, sig_m: float, t_s: float
) -> None:
    st_ = _CAT.at(t_s)
    if not st_.ok[k]:
        return
    rng = np.random.default_rng(k)
    a = rng.normal(size=(6, 6))
    p = a @ a.T / 6.0
    p[:3, :3] *= sig_m**2
    p[3:, 3:] *= (sig_m / 100.0) ** 2
    p[:3, 3:] *= sig_m * sig_m / 100.0
    p[3:, :3] *= sig_m * sig_m / 100.0
    o = np.asarray(offset)
    x = np.concatenate([st_.r_m[k] + scale_m * o[:3], st_.v_m_s[k] + scale_m / 1000.0 * o[3:]])
    got = _CAT.match(x, p, t_s)
    # brute force over every object, no pre-gate
    dx = np.concatenate([x[:3] - st_.r_m, x[3:] - st_.v_m_s], axis=1)
    d2 = np.full(len(dx), np.inf)
    for i in np.flatnonzero(st_.ok):
        s = p + np.diag([st_.sigma_r_m[i] ** 2] * 3 + [st_.sigma_v_m_s[i] ** 2] * 3)
        d2[i] = float(dx[i] @ np.linalg.solve(s, dx[i]))
    thr = gate_d2(0.999)
    if not np.any(d2 <= thr):
        assert got is None
    else:
        best = int(np.argmin(d2))
        assert got is not None and got.norad_id == int(_CAT.catalog.norad_id[best])
        assert got.d2 == pytest.approx(d2[best], rel=1e-9)


def test_catalogued_event_never_leaves_possible_launch() -> None:
    """Unit level: a radar-only event whose state is the catalogued object's own is
    dismissed as it, with an impact prediction that would otherwise raise it."""
    sc = _step_catalog([leo_omm()])
    st_ = sc.at(0.0)
    x = np.concatenate([st_.r_m[0], st_.v_m_s[0]])
    p = np.diag([50.0**2] * 3 + [5.0**2] * 3)
    ev = _event(x, p, impact=_impact(300e3), threatened_areas=("target",))
    out = evaluate_level(ev, None, _ctx(sc))
    assert (out.level, out.disposition, out.reason) == (
        Level.POSSIBLE_LAUNCH, Disposition.NOT_A_THREAT, Reason.CATALOGUED_OBJECT,
    )  # fmt: skip
    assert out.catalog_object == (40001, "TEST LEO") and out.was_in_orbit
    # its track ended: it keeps what it was
    assert evaluate_level(replace(out, n_live_tracks=0), None, _ctx(sc)).reason == (
        Reason.CATALOGUED_OBJECT
    )


# --------------------------------------------------------------------------------------
# configuration: scenario and live center
# --------------------------------------------------------------------------------------

_SCENARIO = """
name: cat
epoch: "2026-03-20T12:00:00Z"
duration: 600
center:
  catalog: {catalog}
"""


def test_scenario_catalog_is_found_from_the_scenario_file(tmp_path: Path) -> None:
    from earlywarn.io.scenario import ScenarioError, load_scenario
    from earlywarn.run.build import center_config

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.json").write_text(json.dumps([leo_omm()]), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(_SCENARIO.format(catalog="data/mine.json"), "utf-8")
    cfg = center_config(load_scenario(tmp_path / "s.yaml"))
    assert cfg.catalog is not None and list(cfg.catalog.norad_id) == [40001]
    (tmp_path / "bad.yaml").write_text(_SCENARIO.format(catalog="data/none.json"), "utf-8")
    with pytest.raises(ScenarioError, match=r"center\.catalog.*none\.json"):
        load_scenario(tmp_path / "bad.yaml")
    (tmp_path / "off.yaml").write_text(_SCENARIO.replace("center:\n  catalog: {catalog}\n", ""))
    assert center_config(load_scenario(tmp_path / "off.yaml")).catalog is None


_CONFIG = """
mode: EXERCISE
epoch: "2026-03-20T12:00:00Z"
store: store
sensors:
  - {{id: rad-1, kind: radar, site: {{lat_deg: 50, lon_deg: 10}}, secret: "0123456789abcdef"}}
{extra}
"""


def test_live_center_config_takes_a_catalog(tmp_path: Path) -> None:
    from earlywarn.service.config import ConfigError, load_config

    (tmp_path / "cat.json").write_text(json.dumps([leo_omm()]), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(_CONFIG.format(extra="catalog: cat.json"), "utf-8")
    cfg = load_config(tmp_path / "c.yaml").center_config()
    assert cfg.catalog is not None and list(cfg.catalog.norad_id) == [40001]
    (tmp_path / "m.yaml").write_text(_CONFIG.format(extra="catalog: nope.json"), "utf-8")
    with pytest.raises(ConfigError, match=r"catalog.*nope\.json"):
        load_config(tmp_path / "m.yaml")
    (tmp_path / "w.yaml").write_text(_CONFIG.format(extra="center: {catalog: cat.json}"), "utf-8")
    with pytest.raises(ConfigError, match=r"center\.catalog.*top-level 'catalog'"):
        load_config(tmp_path / "w.yaml")


def test_live_config_of_a_scenario_carries_its_catalog(tmp_path: Path) -> None:
    """``earlywarn live-config`` moves the scenario's ``center.catalog`` to the service
    config's ``catalog`` (an absolute path: the config may be written elsewhere)."""
    from typer.testing import CliRunner

    from earlywarn.cli import app
    from earlywarn.service.config import parse_config

    (tmp_path / "cat.json").write_text(json.dumps([leo_omm()]), encoding="utf-8")
    radar = (
        "sensors:\n  radars:\n    - id: r1\n      site: {lat_deg: 50.0, lon_deg: 10.0}\n"
        "      faces: [{id: n, boresight_az_deg: 0.0}]\n"
    )
    (tmp_path / "s.yaml").write_text(_SCENARIO.format(catalog="cat.json") + radar, "utf-8")
    r = CliRunner().invoke(app, ["live-config", str(tmp_path / "s.yaml"), "--store", "s"])
    assert r.exit_code == 0, r.output
    text = r.stdout.split("operator token:")[0]
    cfg = parse_config(text, "<generated>")
    assert cfg.catalog == str((tmp_path / "cat.json").resolve()) and cfg.center.catalog is None
    cc = cfg.center_config().catalog
    assert cc is not None and list(cc.norad_id) == [40001]
