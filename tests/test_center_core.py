"""The center's core: step contract, determinism, fusion and the ladder end to end on a
synthetic scenario (a scripted IR event source and radar reports synthesised from a
ballistic arc in the helper module ``center_script``; the flight and sensor packages are
not used)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from batches import batch_of
from center_script import (
    AREA,
    DEG,
    EPOCH,
    IMPACT,
    LAUNCH_LAT,
    LAUNCH_LON,
    ScriptedIr,
    StubIrEvent,
    config,
    ir_script,
    radar_reports,
    scenario,
    status_reports,
)
from earlywarn.center import (
    Alert,
    AssessmentParams,
    CenterConfig,
    CenterState,
    DefendedArea,
    LaunchNotification,
    Level,
    run_center,
    step,
)
from earlywarn.center.intake import Outcome
from earlywarn.reports import ReportSlice

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
    # the script's world has no air (its radar reports come from the vacuum arc) while the
    # center slows the RV by drag: its state predicts the vacuum impact time within 5 s,
    # and drag makes the impact later, by less than twice the stated sigma
    from earlywarn.center.characterise import predict_impact

    assert ev.x is not None and ev.p is not None and ev.state_t_s is not None
    vac = predict_impact(ev.x, ev.p, ev.state_t_s)
    assert abs(vac.t_s - IMPACT.t_s) < 5.0
    assert 0.0 < ev.impact.t_s - vac.t_s < 2.0 * ev.impact.t_sigma_s
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


def _two_launch_raid(rng: np.random.Generator) -> ScriptedIr:
    """The scripted launch and a second one 10 s later from the same field (its own IR
    event and reports): a raid of two."""
    one = ir_script(rng)
    two = tuple(
        (t + 10.0, replace(ev, event_id="ir-2", report_keys=(("geo-a", 2), ("geo-b", 2))))
        for t, ev in one.script
    )
    return ScriptedIr(tuple(sorted(one.script + two, key=lambda x: x[0])))


@pytest.mark.parametrize("needs_radar", [True, False])
def test_a_raids_ir_state_dismisses_no_launch(needs_radar: bool) -> None:
    """Both launches of a raid aimed far from the defended area: on their IR states alone
    they stay open (``impact_uncertain``: in a dense raid an IR event can be fitted to
    two launches' plumes); with the rule off, both are dismissed as in the one-launch
    case above."""
    rng = np.random.default_rng(4)
    far = DefendedArea.circle_deg("elsewhere", -30.0, 20.0, 300.0)
    params = AssessmentParams(raid_dismissal_needs_radar=needs_radar)
    cfg = CenterConfig(
        epoch=EPOCH, defended_areas=(far,), ir=_two_launch_raid(rng), assessment=params
    )
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=400.0)
    assert len(out.events) == 2 and {a.raid_count for a in out.alerts} >= {2}
    for ev in out.events:
        assert ev.level == Level.LAUNCH
        if needs_radar:
            assert ev.disposition == "OPEN" and ev.reason == "impact_uncertain"
        else:
            assert ev.disposition == "NOT_A_THREAT"
            assert ev.reason == "impact_outside_defended_areas"


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
