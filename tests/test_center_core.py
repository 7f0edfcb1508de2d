"""The center's core: step contract, determinism, fusion and the ladder end to end on a
synthetic scenario (a scripted IR event source and radar reports synthesised here from a
ballistic arc; the flight and sensor packages are not used)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest

from batches import batch_of
from earlywarn.center import (
    Alert,
    CenterConfig,
    CenterState,
    DefendedArea,
    LaunchNotification,
    Level,
    run_center,
    step,
)
from earlywarn.center.characterise import predict_impact, propagate
from earlywarn.center.intake import Outcome
from earlywarn.center.measure import RadarENU
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from earlywarn.reports import SCHEMA_VERSION, ReportBatch, ReportSlice

EPOCH = "2026-03-20T12:00:00Z"
DEG = math.pi / 180.0
LAUNCH_LAT, LAUNCH_LON = 40.0 * DEG, 60.0 * DEG
T_BURNOUT = 180.0


# --------------------------------------------------------------------------------------------
# a stub IR event and scripted / report-driven IR detectors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StubIrEvent:
    event_id: str
    status: str
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool = True
    launch_time_s: float = math.nan
    launch_time_sigma_s: float = math.nan
    launch_lat_rad: float = math.nan
    launch_lon_rad: float = math.nan
    launch_sigma_m: float = math.nan
    azimuth_rad: float = math.nan
    azimuth_sigma_rad: float = math.nan
    burnout_time_s: float | None = None
    burn_time_s: float | None = None
    class_probs: tuple[tuple[str, float], ...] = ()
    r_ecef_m: Any = None
    v_ecef_m_s: Any = None
    cov: Any = None
    track_t_s: Any = field(default_factory=lambda: np.zeros(0))
    track_r_ecef_m: Any = field(default_factory=lambda: np.zeros((0, 3)))
    report_keys: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ScriptedIr:
    """Emits prepared snapshots once their time has come (state = nothing)."""

    script: tuple[tuple[float, StubIrEvent], ...]

    def initial_state(self) -> None:
        return None

    def step(self, state: Any, ir_columns: Any, t_s: float) -> tuple[Any, tuple[Any, ...]]:
        latest: dict[str, StubIrEvent] = {}
        for t, ev in self.script:
            if t <= t_s:
                latest[ev.event_id] = ev
        return None, tuple(latest[k] for k in sorted(latest))


def burnout_state() -> np.ndarray:
    """A minimum-energy-like burnout state 200 km up, heading 30° from north."""
    r = geodetic_to_ecef(LAUNCH_LAT, LAUNCH_LON, 200e3)
    rot = enu_rotation(LAUNCH_LAT, LAUNCH_LON)
    g, az, v = 25.0 * DEG, 30.0 * DEG, 6700.0
    venu = np.array(
        [v * math.cos(g) * math.sin(az), v * math.cos(g) * math.cos(az), v * math.sin(g)]
    )
    return np.concatenate([r, rot.T @ venu])


X_BO = burnout_state()
P_BO = np.diag([300.0**2] * 3 + [3.0**2] * 3)
IMPACT = predict_impact(X_BO, np.diag([1.0] * 3 + [1e-4] * 3), T_BURNOUT)
AREA = DefendedArea("target-city", IMPACT.lat_rad, IMPACT.lon_rad, 300e3)


def ir_script(rng: np.random.Generator, *, with_state: bool = True) -> ScriptedIr:
    """One launch at t=0: first seen at 20 s (too short to announce), a persistent candidate
    at 32 s, boosting at 50 s, ended with burnout at 190 s."""
    base = StubIrEvent(
        event_id="ir-1",
        status="candidate",
        first_t_s=20.0,
        last_t_s=20.0,
        n_reports=4,
        sensor_ids=("geo-a", "geo-b"),
        report_keys=(("geo-a", 1), ("geo-b", 1)),
    )
    launch = dict(
        launch_time_s=0.4,
        launch_time_sigma_s=2.0,
        launch_lat_rad=LAUNCH_LAT + 1e-4,
        launch_lon_rad=LAUNCH_LON,
        launch_sigma_m=1500.0,
        azimuth_rad=30.2 * DEG,
        azimuth_sigma_rad=0.5 * DEG,
        class_probs=(("icbm", 0.8), ("irbm", 0.2)),
    )
    script: list[tuple[float, StubIrEvent]] = [
        (20.0, base),
        (32.0, replace(base, last_t_s=32.0, n_reports=14)),
    ]
    for t in np.arange(50.0, 181.0, 10.0):
        script.append(
            (
                float(t),
                replace(base, status="boosting", last_t_s=float(t), n_reports=int(t), **launch),
            )  # type: ignore[arg-type]
        )
    noise = np.concatenate([rng.normal(0, 300.0, 3), rng.normal(0, 3.0, 3)])
    x = X_BO + noise
    ended = replace(
        base,
        status="ended",
        last_t_s=T_BURNOUT,
        n_reports=200,
        burnout_time_s=T_BURNOUT + 1.0,
        burn_time_s=T_BURNOUT,
        r_ecef_m=x[:3] if with_state else None,
        v_ecef_m_s=x[3:] if with_state else None,
        cov=P_BO if with_state else None,
        track_t_s=np.array([T_BURNOUT]),
        track_r_ecef_m=x[None, :3],
        **launch,  # type: ignore[arg-type]
    )
    script.append((T_BURNOUT + 12.0, ended))
    return ScriptedIr(tuple(script))


# --------------------------------------------------------------------------------------------
# synthetic radar reports of the ballistic arc
# --------------------------------------------------------------------------------------------


def radar_site(offset_s: float) -> tuple[float, float]:
    """Geodetic (lat, lon) of the ground point under the trajectory ``offset_s`` before impact."""
    x = propagate(X_BO[None, :], IMPACT.t_s - T_BURNOUT - offset_s)
    lat, lon, _ = ecef_to_geodetic(x[0, :3])
    return float(lat), float(lon)


RADAR_SITES = {"radar-1": radar_site(300.0), "radar-2": radar_site(150.0)}


def radar_reports(
    rng: np.random.Generator,
    x0: np.ndarray = X_BO,
    t0: float = T_BURNOUT,
    sites: dict[str, tuple[float, float]] | None = None,
    revisit_s: float = 5.0,
    n_false: float = 0.0,
) -> dict[str, np.ndarray]:
    """Radar report columns of a ballistic object from ``x0`` at ``t0`` until it lands."""
    sites = RADAR_SITES if sites is None else sites
    imp = predict_impact(x0, np.eye(6) * 1e-6, t0)
    times = np.arange(math.ceil(t0 / revisit_s) * revisit_s, imp.t_s - 5.0, revisit_s)
    xs = np.empty((times.size, 6))
    cur, tc = x0[None, :], t0
    for i, t in enumerate(times):
        cur = propagate(cur, float(t - tc), max_step_s=10.0)
        tc = float(t)
        xs[i] = cur[0]
    rows: dict[str, list[Any]] = {k: [] for k in COLS}
    seq = 0
    for sid in sorted(sites):
        lat, lon = sites[sid]
        mm = RadarENU.at_geodetic(lat, lon, 0.0, 30.0, 0.15 * DEG, 0.15 * DEG, 5.0)
        z = mm.function(xs)
        vis = (z[:, 2] > 1.0 * DEG) & (z[:, 0] < 5.0e6)
        for i in np.flatnonzero(vis):
            dets = [z[i] + rng.normal(0.0, [30.0, 0.15 * DEG, 0.15 * DEG, 5.0])]
            for _ in range(rng.poisson(n_false)):
                dets.append(
                    np.array(
                        [
                            rng.uniform(5e5, 4e6),
                            rng.uniform(0, 2 * math.pi),
                            rng.uniform(0.02, 1.0),
                            rng.uniform(-7e3, 7e3),
                        ]
                    )
                )
            for d in dets:
                seq += 1
                vals = {
                    "schema": SCHEMA_VERSION,
                    "kind": "radar",
                    "sensor_id": sid,
                    "seq": seq,
                    "t_s": float(times[i]),
                    "time_utc": "",
                    "site_lat_rad": lat,
                    "site_lon_rad": lon,
                    "site_h_m": 0.0,
                    "range_m": d[0],
                    "azimuth_rad": d[1] % (2 * math.pi),
                    "elevation_rad": d[2],
                    "range_rate_m_s": d[3],
                    "sigma_range_m": 30.0,
                    "sigma_azimuth_rad": 0.15 * DEG,
                    "sigma_elevation_rad": 0.15 * DEG,
                    "sigma_range_rate_m_s": 5.0,
                    "snr": 20.0,
                    "face_id": "f0",
                    "scan_id": int(times[i] // revisit_s),
                }
                for k in COLS:
                    rows[k].append(vals[k])
    out = {k: np.asarray(v) for k, v in rows.items()}
    order = np.argsort(out["t_s"], kind="stable")
    return {k: v[order] for k, v in out.items()}


COLS = (
    "schema", "kind", "sensor_id", "seq", "t_s", "time_utc", "site_lat_rad", "site_lon_rad",
    "site_h_m", "range_m", "azimuth_rad", "elevation_rad", "range_rate_m_s", "sigma_range_m",
    "sigma_azimuth_rad", "sigma_elevation_rad", "sigma_range_rate_m_s", "snr", "face_id",
    "scan_id",
)  # fmt: skip


def status_reports(sensors: dict[str, tuple[float, float, str]]) -> dict[str, np.ndarray]:
    """Status columns: for each sensor heartbeats every ``period`` from 0 until ``t_end``."""
    rows: dict[str, list[Any]] = {k: [] for k in ("sensor_id", "seq", "t_s", "state", "period_s")}
    for sid, (period, t_end, state) in sorted(sensors.items()):
        for i, t in enumerate(np.arange(0.0, t_end + 1e-9, period)):
            rows["sensor_id"].append(sid)
            rows["seq"].append(10_000 + i)
            rows["t_s"].append(float(t))
            rows["state"].append(state)
            rows["period_s"].append(period)
    return {k: np.asarray(v) for k, v in rows.items()}


def config(ir: Any, **kw: Any) -> CenterConfig:
    return CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ir, **kw)


def scenario(seed: int = 1) -> tuple[CenterConfig, ReportBatch]:
    rng = np.random.default_rng(seed)
    ir = ir_script(rng)
    return config(ir), batch_of(radar=radar_reports(rng, n_false=0.3))


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------


def level_times(out: Any, event_id: str) -> dict[str, float]:
    times: dict[str, float] = {}
    for a in out.alerts:
        if a.event_id == event_id and a.level not in times:
            times[a.level] = a.t_s
    return times


@pytest.fixture(scope="module")
def full_run() -> Any:
    cfg, batch = scenario(1)
    return cfg, batch, run_center(batch, cfg, dt_s=2.0, t_start_s=0.0)


def test_ladder_end_to_end_with_fusion(full_run: Any) -> None:
    _cfg, batch, out = full_run
    ir_events = [e for e in out.events if e.source == "ir"]
    assert len(ir_events) == 1
    ev = ir_events[0]
    assert ev.level == Level.ATTACK_CONFIRMED
    assert ev.disposition == "OPEN"
    assert ev.phenomenologies == ("ir", "radar")
    lt = dict(ev.level_times)
    assert lt["POSSIBLE_LAUNCH"] == 32.0  # announced once persistent (12 s, 14 reports)
    assert lt["LAUNCH"] == 50.0
    # THREAT from the IR burnout state alone, before any radar report
    first_radar = float(batch.radar["t_s"].min())
    assert lt["THREAT"] < first_radar
    # confirmed within a minute of the first radar report
    assert lt["ATTACK_CONFIRMED"] - first_radar <= 60.0
    # impact estimate from the fused state is close to the true arc's impact
    assert ev.impact is not None and ev.impact.ok
    from earlywarn.center.characterise import ground_distance_m

    err = float(
        ground_distance_m(ev.impact.lat_rad, ev.impact.lon_rad, IMPACT.lat_rad, IMPACT.lon_rad)
    )
    assert err < 5e3
    assert abs(ev.impact.t_s - IMPACT.t_s) < 5.0
    assert ev.decision_time_s is not None and ev.decision_time_s > 0
    assert ev.trajectory_type == "minimum_energy"
    assert ev.threatened_areas == ("target-city",)
    # no radar-only event left open: the radar tracks joined the IR event
    for e in out.events:
        if e.source == "radar":
            assert e.level < Level.ATTACK_CONFIRMED
            assert e.disposition != "OPEN" or e.level <= Level.THREAT


def test_alert_schema_and_json_round_trip(full_run: Any) -> None:
    _, _, out = full_run
    assert out.alerts
    for a in out.alerts:
        back = Alert.from_json(a.to_json())
        assert back == a or (back.to_json() == a.to_json())
    conf = next(a for a in out.alerts if a.level == "ATTACK_CONFIRMED")
    assert conf.phenomenologies == ("ir", "radar")
    assert conf.impact_ellipse_semi_major_km is not None
    assert conf.impact_ellipse_semi_major_km >= conf.impact_ellipse_semi_minor_km  # type: ignore[operator]
    assert 0.0 <= conf.impact_ellipse_orientation_deg < 180.0  # type: ignore[operator]
    assert conf.time_utc.endswith("Z")
    assert conf.decision_time_s is not None
    assert conf.vehicle_class == "icbm"
    assert out.alerts_jsonl().count("\n") == len(out.alerts)


def test_same_reports_same_alerts_bit_identical(full_run: Any) -> None:
    cfg, batch, out = full_run
    again = run_center(batch, cfg, dt_s=2.0, t_start_s=0.0)
    assert again.alerts_jsonl() == out.alerts_jsonl()


def test_step_contract_immutable_and_holds_early_reports() -> None:
    cfg, batch = scenario(2)
    s0 = CenterState.initial(cfg, 0.0)
    whole = ReportSlice.of_blocks({"radar": ReportSlice.from_columns(radar=batch.radar).radar})
    t = batch.radar["t_s"]
    s_early, out = step(s0, whole, 10.0)  # every radar report is later than t = 10 s
    held = int(((t > 10.0) & (t <= 70.0)).sum())
    assert out.intake.get("radar", Outcome.HELD) == held
    assert out.intake.get("radar", Outcome.FUTURE) == t.size - held
    assert s_early.intake.n_held == held
    with pytest.raises(TypeError, match="ReportSlice"):
        step(s0, {}, 10.0)  # type: ignore[arg-type]
    s1, out = step(s0, ReportSlice(), 40.0)
    assert s0.t_s == 0.0 and s1.t_s == 40.0
    assert s0.events == ()
    assert [a.level for a in out.alerts] == ["POSSIBLE_LAUNCH"]
    with pytest.raises(ValueError, match="earlier"):
        step(s1, ReportSlice(), 10.0)
    with pytest.raises(AttributeError):
        s1.t_s = 5.0  # type: ignore[misc]


def test_step_granularity_does_not_change_the_outcome(full_run: Any) -> None:
    cfg, batch, out = full_run
    coarse = run_center(batch, cfg, dt_s=5.0, t_start_s=0.0)
    assert {(a.event_id, a.level) for a in coarse.alerts if a.event_id == "E0001"} == {
        (a.event_id, a.level) for a in out.alerts if a.event_id == "E0001"
    }


def test_declared_launch_is_marked_not_dismissed() -> None:
    rng = np.random.default_rng(3)
    note = LaunchNotification(
        "NOTAM-1", -60.0, 60.0, LAUNCH_LAT, LAUNCH_LON, 50e3, 0.0, 90 * DEG, "icbm"
    )
    cfg = config(ir_script(rng), declared_launches=(note,))
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=400.0)
    ev = out.events[0]
    assert ev.declared and ev.declaration_id == "NOTAM-1"
    assert ev.level == Level.THREAT
    wrong = LaunchNotification(
        "N2", -60.0, 60.0, LAUNCH_LAT, LAUNCH_LON, 50e3, 180 * DEG, 270 * DEG
    )
    out2 = run_center(
        batch_of(),
        config(ir_script(rng), declared_launches=(wrong,)),
        dt_s=5.0,
        t_start_s=0.0,
        t_end_s=400.0,
    )
    assert not out2.events[0].declared


def test_impact_outside_defended_areas_is_not_a_threat() -> None:
    rng = np.random.default_rng(4)
    far = DefendedArea.circle_deg("elsewhere", -30.0, 20.0, 300.0)
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(far,), ir=ir_script(rng))
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=400.0)
    ev = out.events[0]
    assert ev.level == Level.LAUNCH
    assert ev.disposition == "NOT_A_THREAT" and ev.reason == "impact_outside_defended_areas"


def test_polygon_area() -> None:
    lat, lon = IMPACT.lat_rad / DEG, IMPACT.lon_rad / DEG
    sq = DefendedArea.polygon_deg(
        "box", [(lat - 1, lon - 1), (lat - 1, lon + 1), (lat + 1, lon + 1), (lat + 1, lon - 1)]
    )
    assert sq.threatened_by(IMPACT)
    off = DefendedArea.polygon_deg(
        "off", [(lat + 5, lon - 1), (lat + 5, lon + 1), (lat + 7, lon + 1), (lat + 7, lon - 1)]
    )
    assert not off.threatened_by(IMPACT)


def test_sensor_health_degrades_coverage_and_never_raises_level() -> None:
    status = status_reports({"geo-a": (10.0, 100.0, "ok"), "radar-1": (10.0, 1000.0, "outage")})
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ScriptedIr(()))
    out = run_center(batch_of(status=status), cfg, dt_s=5.0, t_start_s=-5.0, t_end_s=300.0)
    assert out.events == ()
    assert out.alerts == ()
    log = {(sid, reason) for _, sid, _, deg, reason in out.health_log if deg}
    assert ("geo-a", "missing_heartbeat") in log  # silence after t=100 s
    assert ("radar-1", "reported_outage") in log
    # a missing heartbeat shows up within 2.5 periods (+ one step)
    t_missing = min(t for t, sid, _, deg, r in out.health_log if sid == "geo-a" and deg)
    assert 100.0 + 25.0 < t_missing <= 100.0 + 25.0 + 5.0


def test_unconfirmed_candidate_is_retracted() -> None:
    cand = StubIrEvent("ir-9", "candidate", 0.0, 12.0, 12, ("geo-a",))
    cfg = config(ScriptedIr(((12.0, cand),)))
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=300.0)
    assert [(a.level, a.disposition) for a in out.alerts] == [
        ("POSSIBLE_LAUNCH", "OPEN"),
        ("POSSIBLE_LAUNCH", "RETRACTED"),
    ]
    assert out.alerts[-1].reason == "no_confirmation"
    assert out.alerts[-1].t_s <= 12.0 + 120.0 + 5.0


def test_candidate_not_retracted_while_its_sensor_is_degraded() -> None:
    cand = StubIrEvent("ir-9", "candidate", 0.0, 12.0, 12, ("geo-a",))
    status = status_reports({"geo-a": (10.0, 300.0, "degraded")})
    cfg = config(ScriptedIr(((12.0, cand),)))
    out = run_center(batch_of(status=status), cfg, dt_s=5.0, t_start_s=-5.0, t_end_s=300.0)
    assert all(a.disposition != "RETRACTED" for a in out.alerts)
    assert all(a.coverage_degraded for a in out.alerts)


def test_radar_only_event_stops_at_threat() -> None:
    rng = np.random.default_rng(5)
    cfg = config(ScriptedIr(()))
    out = run_center(batch_of(radar=radar_reports(rng)), cfg, dt_s=2.0)
    assert out.events
    assert max(e.level for e in out.events) == Level.THREAT
    ev = next(e for e in out.events if e.level == Level.THREAT)
    assert ev.phenomenologies == ("radar",)
    assert ev.source == "radar"


def test_stationary_and_orbital_ir_events_are_not_threats() -> None:
    hot = StubIrEvent("ir-5", "stationary", 10.0, 60.0, 30, ("geo-a", "geo-b"))
    sat = StubIrEvent("ir-6", "orbital", 10.0, 60.0, 30, ("geo-a", "geo-b"))
    out = run_center(
        batch_of(),
        config(ScriptedIr(((20.0, hot), (20.0, sat)))),
        dt_s=5.0,
        t_start_s=0.0,
        t_end_s=60.0,
    )
    reasons = {e.ir_event_id: (e.disposition, e.reason) for e in out.events}
    assert reasons["ir-5"] == ("NOT_A_THREAT", "stationary_source")
    assert reasons["ir-6"] == ("NOT_A_THREAT", "orbit")


def test_raid_count_counts_launches_close_in_time_and_space() -> None:
    rng = np.random.default_rng(6)
    one = ir_script(rng)
    script = list(one.script)
    for t, ev in one.script:
        script.append(
            (t, replace(ev, event_id="ir-2", launch_lon_rad=ev.launch_lon_rad + 1.0 * DEG))
        )
    out = run_center(
        batch_of(), config(ScriptedIr(tuple(script))), dt_s=5.0, t_start_s=0.0, t_end_s=300.0
    )
    assert [e.raid_count for e in out.events] == [2, 2]


def test_step_indices_skip_quiet_intervals_only() -> None:
    from earlywarn.center.core import _step_indices

    every = _step_indices(np.array([3.0]), 0.0, 100.0, 2.0, 50, None)
    assert every.tolist() == list(range(1, 51))
    t = np.array([0.5, 3.0, 3.5, 41.0, 41.0])  # grid intervals 1, 2, 21
    steps = _step_indices(t, 0.0, 100.0, 2.0, 50, 10.0).tolist()
    assert steps == sorted(set(steps))
    assert {1, 2, 21, 50} <= set(steps)  # every interval with a report, and the last
    assert len(steps) < 50
    gaps = np.diff([0, *steps])
    assert gaps.max() <= 5  # idle_step_s / dt_s


def test_run_center_logs_radar_tracks_and_ir_histories(full_run: Any) -> None:
    _cfg, _batch, out = full_run
    assert out.track_log and out.ir_tracks
    times = [t for t, _, _ in out.track_log]
    assert times == sorted(times)
    assert all(x.shape == (6,) and np.all(np.isfinite(x)) for _, _, x in out.track_log)
    for _, tt, rr in out.ir_tracks:
        assert rr.shape == (tt.shape[0], 3)
