"""The assessment ladder's invariants: one kind of sensor alone never reaches
ATTACK_CONFIRMED (property tests over arbitrary report sets), levels never go down, alerts
only on change, declared-launch matching, sensor health."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batches import batch_of
from center_script import (
    AREA,
    DEG,
    EPOCH,
    IMPACT,
    P_BO,
    T_BURNOUT,
    X_BO,
    ScriptedIr,
    StubIrEvent,
    radar_reports,
)
from earlywarn.center import CenterConfig, Level, run_center
from earlywarn.center.assessment import (
    AssessmentParams,
    LaunchNotification,
    update_health,
)
from earlywarn.center.characterise import orbit_summary
from earlywarn.center.vocabulary import Disposition, Reason, Source
from earlywarn.earth.frames import enu_rotation, geodetic_to_ecef

# --------------------------------------------------------------------------------------------
# a report-driven stub IR detector: events from whatever IR reports arrive
# --------------------------------------------------------------------------------------------


def _orbit_state() -> np.ndarray:
    r = geodetic_to_ecef(0.0, 0.0, 400e3)
    rot = enu_rotation(0.0, 0.0)
    v_i = math.sqrt(3.986004418e14 / np.linalg.norm(r))
    venu = np.array([v_i - 465.0, 0.0, 0.0])
    return np.concatenate([r, rot.T @ venu])


def _sounding_state() -> np.ndarray:
    lat, lon = 60.0 * DEG, 20.0 * DEG
    r = geodetic_to_ecef(lat, lon, 150e3)
    rot = enu_rotation(lat, lon)
    return np.concatenate([r, rot.T @ np.array([50.0, 50.0, 2500.0])])


LIBRARY = (X_BO, _orbit_state(), _sounding_state(), X_BO + np.r_[0, 0, 0, 300.0, -200.0, 0])


@dataclass(frozen=True)
class ReportDrivenIr:
    """Groups all IR reports seen so far by ``frame_id % 4``; each group is an event whose
    status and ballistic state follow from its reports (deterministically) — so arbitrary
    IR report sets can drive events anywhere up the ladder."""

    def initial_state(self) -> tuple[tuple[int, float, str, int], ...]:
        return ()

    def step(
        self, state: Any, ir: Any, t_s: float, status: Any = None
    ) -> tuple[Any, tuple[Any, ...]]:
        rows = list(state)
        if ir and "t_s" in ir:
            for f, t, s, q in zip(
                ir["frame_id"], ir["t_s"], ir["sensor_id"], ir["seq"], strict=True
            ):
                rows.append((int(f), float(t), str(s), int(q)))
        rows.sort()
        groups: dict[int, list[tuple[int, float, str, int]]] = {}
        for r in rows:
            groups.setdefault(r[0] % 4, []).append(r)
        events = []
        for g in sorted(groups):
            rs = groups[g]
            ts = [r[1] for r in rs]
            n = len(rs)
            status = "candidate" if n < 3 else ("boosting" if n < 6 else "ended")
            x = LIBRARY[g]
            ev = StubIrEvent(
                event_id=f"ir-{g}",
                status=status,
                first_t_s=min(ts),
                last_t_s=max(ts),
                n_reports=n,
                sensor_ids=tuple(sorted({r[2] for r in rs})),
                report_keys=tuple((r[2], r[3]) for r in rs),
            )
            if n >= 3:
                ev = replace(
                    ev,
                    launch_time_s=min(ts) - 30.0,
                    launch_time_sigma_s=3.0,
                    launch_lat_rad=40.0 * DEG if g != 2 else 60.0 * DEG,
                    launch_lon_rad=60.0 * DEG if g != 2 else 20.0 * DEG,
                    launch_sigma_m=2000.0,
                    azimuth_rad=0.5,
                    azimuth_sigma_rad=0.01,
                    class_probs=(("icbm", 0.9), ("srbm", 0.1)),
                )
            if n >= 6:
                ev = replace(
                    ev,
                    burnout_time_s=max(ts),
                    burn_time_s=max(ts) - min(ts),
                    r_ecef_m=x[:3],
                    v_ecef_m_s=x[3:],
                    cov=P_BO,
                    track_t_s=np.array([max(ts)]),
                )
            events.append(ev)
        return tuple(rows), tuple(events)


def ir_columns(times: list[float], frames: list[int], sensors: list[str]) -> dict[str, Any]:
    n = len(times)
    los = np.tile([1.0, 0.0, 0.0], (n, 1))
    return {
        "sensor_id": np.asarray(sensors, dtype=str),
        "seq": np.arange(n, dtype=np.int64),
        "t_s": np.asarray(times, dtype=np.float64),
        "frame_id": np.asarray(frames, dtype=np.int64),
        "los_x": los[:, 0],
        "los_y": los[:, 1],
        "los_z": los[:, 2],
        "sat_x_m": np.full(n, 42e6),
        "sat_y_m": np.zeros(n),
        "sat_z_m": np.zeros(n),
        "sigma_rad": np.full(n, 30e-6),
        "intensity_w_sr": np.full(n, 1e6),
        "snr": np.full(n, 20.0),
    }


ir_sets = st.lists(
    st.tuples(
        st.floats(0.0, 600.0, allow_nan=False),
        st.integers(0, 40),
        st.sampled_from(["geo-a", "geo-b", "heo-1"]),
    ),
    min_size=0,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ir_sets)
def test_ir_only_never_exceeds_threat(reports: list[tuple[float, int, str]]) -> None:
    times = [r[0] for r in reports]
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ReportDrivenIr())
    batch = batch_of(ir=ir_columns(times, [r[1] for r in reports], [r[2] for r in reports]))
    out = run_center(batch, cfg, dt_s=10.0, t_start_s=-10.0, t_end_s=800.0)
    assert all(Level[a.level] <= Level.THREAT for a in out.alerts)
    assert all(e.level <= Level.THREAT for e in out.events)
    assert all("radar" not in a.phenomenologies for a in out.alerts)


def test_ir_only_threat_is_reachable_so_the_ceiling_test_means_something() -> None:
    times = [float(t) for t in range(0, 60, 2)]
    frames = [0] * len(times)  # one group: the threatening library state
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ReportDrivenIr())
    out = run_center(batch_of(ir=ir_columns(times, frames, ["geo-a"] * len(times))), cfg, dt_s=5.0)
    assert max(e.level for e in out.events) == Level.THREAT


def test_ir_library_non_threats() -> None:
    # orbit and sounding rocket library states are dismissed with the right reason
    times = [float(t) for t in range(0, 60, 2)]
    for g, reason in ((1, "orbit"), (2, "sounding_rocket_local_impact")):
        cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ReportDrivenIr())
        batch = batch_of(ir=ir_columns(times, [g] * len(times), ["geo-a"] * len(times)))
        out = run_center(batch, cfg, dt_s=5.0)
        (ev,) = out.events
        assert (ev.disposition, ev.reason) == ("NOT_A_THREAT", reason), orbit_summary(LIBRARY[g])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_false=st.floats(0.0, 3.0),
    keep=st.floats(0.2, 1.0),
    t_cut=st.floats(0.0, 1.0),
)
def test_radar_only_never_attack_confirmed(
    seed: int, n_false: float, keep: float, t_cut: float
) -> None:
    rng = np.random.default_rng(seed)
    rad = radar_reports(rng, n_false=n_false)
    t = rad["t_s"]
    lo = float(t.min()) + t_cut * 0.7 * float(np.ptp(t))
    sel = (rng.random(t.size) < keep) & (t >= lo) & (t <= lo + 200.0)
    batch = batch_of(radar={k: v[sel] for k, v in rad.items()})
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ScriptedIr(()))
    out = run_center(batch, cfg, dt_s=5.0)
    assert all(Level[a.level] < Level.ATTACK_CONFIRMED for a in out.alerts)
    assert all("ir" not in a.phenomenologies for a in out.alerts)


def test_radar_and_ir_that_disagree_do_not_confirm() -> None:
    # the IR event is a real launch, the radar object another arc 1,000 km away
    rng = np.random.default_rng(11)
    from center_script import ir_script

    other = X_BO.copy()
    other[:3] = geodetic_to_ecef(48.0 * DEG, 60.0 * DEG, 200e3)
    rad = radar_reports(rng, x0=other)
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ir_script(rng))
    out = run_center(batch_of(radar=rad), cfg, dt_s=5.0, t_start_s=0.0)
    assert all(e.level < Level.ATTACK_CONFIRMED for e in out.events)


# --------------------------------------------------------------------------------------------
# smaller pieces
# --------------------------------------------------------------------------------------------


def test_levels_never_go_down_and_alerts_only_on_change() -> None:
    cand = StubIrEvent("ir-1", "candidate", 0.0, 12.0, 12, ("geo-a",))
    boost = replace(
        cand,
        status="boosting",
        last_t_s=40.0,
        launch_time_s=0.0,
        launch_lat_rad=0.7,
        launch_lon_rad=1.0,
        class_probs=(("srbm", 1.0),),
    )
    back = replace(boost, status="candidate", last_t_s=60.0)
    cfg = CenterConfig(epoch=EPOCH, ir=ScriptedIr(((12.0, cand), (40.0, boost), (60.0, back))))
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=100.0)
    assert [a.level for a in out.alerts] == ["POSSIBLE_LAUNCH", "LAUNCH"]
    assert out.events[0].level == Level.LAUNCH


def test_launch_notification_sector_wraps_through_north() -> None:
    n = LaunchNotification("N", 0.0, 100.0, 0.7, 1.0, 50e3, 350 * DEG, 10 * DEG)
    assert n.matches(50.0, 0.7, 1.0, 5 * DEG, None)
    assert n.matches(50.0, 0.7, 1.0, 355 * DEG, None)
    assert not n.matches(50.0, 0.7, 1.0, 20 * DEG, None)
    assert not n.matches(150.0, 0.7, 1.0, 5 * DEG, None)
    assert not n.matches(50.0, 0.8, 1.0, 5 * DEG, None)
    c = replace(n, vehicle_class="srbm")
    assert not c.matches(50.0, 0.7, 1.0, 5 * DEG, "icbm")
    assert c.matches(50.0, 0.7, 1.0, 5 * DEG, None)


def test_update_health_heartbeat_rule() -> None:
    p = AssessmentParams()
    cols = {
        "sensor_id": np.array(["a", "b"]),
        "t_s": np.array([0.0, 0.0]),
        "state": np.array(["ok", "degraded"]),
        "period_s": np.array([10.0, 10.0]),
    }
    h = update_health((), cols, 24.0, p)
    assert [(x.sensor_id, x.degraded, x.reason) for x in h] == [
        ("a", False, "ok"),
        ("b", True, "reported_degraded"),
    ]
    h2 = update_health(h, {}, 26.0, p)
    assert h2[0].degraded and h2[0].reason == "missing_heartbeat"


def test_impact_fixture_is_sane() -> None:
    # the synthetic arc flies ~8,800 km and lands ~31 min after burnout
    assert IMPACT.ok and 1500.0 < IMPACT.t_s - T_BURNOUT < 2100.0


# --------------------------------------------------------------------------------------------
# dispositions: orbit only when it is one, radar over IR, raid association
# --------------------------------------------------------------------------------------------


def _state(lat_deg: float, lon_deg: float, alt_m: float, venu: list[float]) -> np.ndarray:
    lat, lon = lat_deg * DEG, lon_deg * DEG
    r = geodetic_to_ecef(lat, lon, alt_m)
    return np.concatenate([r, enu_rotation(lat, lon).T @ np.array(venu)])


def test_orbital_insertion_rule_separates_space_launch_from_icbm_burnout() -> None:
    from earlywarn.center.assessment.ladder import orbital_insertion

    params = AssessmentParams()
    # a space launch's IR state before final burnout: 500 km, near-horizontal, 0.9 circular
    slv = _state(45.0, 70.0, 500e3, [6_500.0, 1_500.0, 600.0])
    assert orbit_summary(slv).perigee_alt_m < 0.0  # not an orbit by perigee alone
    assert orbital_insertion(slv, params)
    # ICBM burnout: ~230 km, climbing at ~25°; depressed trajectory: flat but low
    assert not orbital_insertion(X_BO, params)
    icbm = _state(45.0, 70.0, 230e3, [5_800.0, 1_000.0, 2_900.0])
    assert not orbital_insertion(icbm, params)
    depressed = _state(45.0, 70.0, 120e3, [6_800.0, 0.0, 400.0])
    assert not orbital_insertion(depressed, params)


def test_state_past_impact_is_not_an_orbit() -> None:
    """A track coasting past impact (state below ground) keeps the last impact prediction
    and is not dismissed as an orbit."""
    from earlywarn.center.assessment import DefendedArea, Event
    from earlywarn.center.assessment.estimate import characterise
    from earlywarn.center.assessment.event import Ctx
    from earlywarn.center.assessment.ladder import _judge
    from earlywarn.center.characterise import predict_impact
    from earlywarn.center.fusion import FusionParams

    area = DefendedArea.circle_deg("a", 47.0, -170.0, 250.0)
    params = AssessmentParams()
    ctx = Ctx(1000.0, (area,), (), params, FusionParams(), {})
    imp = predict_impact(X_BO, P_BO, T_BURNOUT)
    assert imp.ok
    below = _state(47.0, -170.0, -300e3, [0.0, 2_000.0, -5_000.0])
    ev = Event(
        "E0001", Source.IR, "I1", (3,), 0.0, 990.0, Level.ATTACK_CONFIRMED, Disposition.OPEN,
        Reason.UNSET, (),
        state_t_s=990.0, x=below, p=np.eye(6), impact=imp, threatened_areas=("a",),
        primary_track_id=3,
    )  # fmt: skip
    ev2 = characterise(ev, ctx)
    assert ev2.impact is imp
    assert _judge(ev2, None, ctx)[0] is None


def test_radar_state_overrides_ir_orbital_status() -> None:
    from earlywarn.center.assessment import Event
    from earlywarn.center.assessment.event import Ctx
    from earlywarn.center.assessment.ladder import _judge
    from earlywarn.center.fusion import FusionParams

    ctx = Ctx(500.0, (), (), AssessmentParams(), FusionParams(), {})
    from typing import cast

    from earlywarn.center.ir import IrEventLike

    ir = cast(IrEventLike, StubIrEvent("I1", "orbital", 0.0, 10.0, 5, ("s",)))
    ev = Event(
        "E0001", Source.IR, "I1", (), 0.0, 0.0, Level.LAUNCH, Disposition.OPEN, Reason.UNSET, (),
        x=X_BO, p=P_BO,
        state_t_s=T_BURNOUT,
    )  # fmt: skip
    # the detector's "orbital" dismisses a body never seen to launch ...
    seen = replace(ev, level=Level.POSSIBLE_LAUNCH)
    assert _judge(seen, ir, ctx)[0] is Reason.ORBIT
    # ... never a launch (an ICBM's burnout state is fast and high too), nor over a radar
    # track's state
    assert _judge(ev, ir, ctx)[0] is not Reason.ORBIT
    radar = replace(seen, radar_track_ids=(1,), primary_track_id=1)
    assert _judge(radar, ir, ctx)[0] is not Reason.ORBIT


def test_backward_correlation_separates_launches_seconds_apart() -> None:
    """Two launches 30 s apart on one arc: after 1,000 s of midcourse the forward gate
    passes both, the track traced back to each burnout time picks the right one."""
    from earlywarn.center.characterise import propagate
    from earlywarn.center.fusion import FusionParams, correlate_backward
    from earlywarn.center.radar_tracking import RadarTrack

    fp = FusionParams()
    p_ir = np.diag([1e3**2] * 3 + [200.0**2] * 3)
    x_later = propagate(X_BO, -30.0)[0]  # the same arc 30 s earlier: a launch 30 s later
    t_trk = T_BURNOUT + 1000.0
    x_trk = propagate(X_BO, 1000.0)[0]
    tr = RadarTrack(7, t_trk, x_trk, np.diag([100.0**2] * 3 + [5.0**2] * 3), 0.0, t_trk, 8,
                    ("r",), ())  # fmt: skip
    right = correlate_backward((T_BURNOUT, X_BO, p_ir), tr, fp)
    wrong = correlate_backward((T_BURNOUT, x_later, p_ir), tr, fp)
    assert right < 1.0
    assert wrong > 50.0


# --------------------------------------------------------------------------------------------
# bookkeeping shortcuts: each is the plain computation it replaces
# --------------------------------------------------------------------------------------------

keys_st = st.lists(st.tuples(st.sampled_from(["geo-a", "rad-1", "rad-2"]), st.integers(0, 60)))


@given(old=keys_st, more=keys_st)
def test_merge_keys_is_the_sorted_union(
    old: list[tuple[str, int]], more: list[tuple[str, int]]
) -> None:
    from earlywarn.center.assessment.event import merge_keys

    base = tuple(sorted(set(old)))
    merged = merge_keys(base, more)
    assert merged == tuple(sorted(set(old) | set(more)))
    if set(more) <= set(old):
        assert merged is base  # nothing new: the same tuple, no sort
    # many new keys at once (a track's first merge) take the other path
    many = [("rad-9", i) for i in range(40, 0, -1)]
    assert merge_keys(base, many) == tuple(sorted(set(old) | set(many)))


def test_evolve_is_dataclasses_replace() -> None:
    import pytest

    from earlywarn.center._records import evolve
    from earlywarn.center.assessment import Event
    from earlywarn.center.assessment.event import rebook

    ev = Event(
        "E0001", Source.IR, "I1", (3,), 0.0, 990.0, Level.LAUNCH, Disposition.OPEN, Reason.UNSET,
        (), x=X_BO, p=P_BO,
    )  # fmt: skip
    ev = rebook(ev, merged_keys=((3, 1),))
    changes: dict[str, Any] = {
        "level": Level.THREAT,
        "reason": Reason.IMPACT_IN_DEFENDED_AREA,
        "_book": evolve(ev._book, merged_keys=((3, 2),)),
    }
    new = evolve(ev, **changes)
    ref = replace(ev, **changes)
    assert type(new) is Event
    assert list(vars(new)) == list(vars(ref))
    assert all(getattr(new, k) is getattr(ref, k) for k in vars(ref))
    assert ev.level == Level.LAUNCH  # the original is untouched
    with pytest.raises(TypeError):
        evolve(ev, levle=Level.THREAT)


def test_report_keys_follow_the_tracks_incrementally() -> None:
    """An event's report keys are the union of its tracks' keys as they grow (merged step
    by step from what each track gained since), and all of a track's keys are merged again
    should its tuple ever be shorter than what was merged."""
    from earlywarn.center.assessment import assess
    from earlywarn.center.fusion import FusionParams
    from earlywarn.center.radar_tracking import RadarTrack

    params = AssessmentParams()
    p = np.diag([100.0**2] * 3 + [5.0**2] * 3)

    def track(tid: int, t: float, keys: list[tuple[str, int]]) -> RadarTrack:
        x = X_BO + np.r_[tid * 1e3, 0.0, 0.0, 0.0, 0.0, 0.0]
        return RadarTrack(tid, t, x, p, 0.0, t, len(keys), ("rad-1",), tuple(keys))

    k1 = [("rad-1", i) for i in range(0, 40, 2)]
    k2 = [("rad-2", i) for i in range(10)]
    steps = [
        [track(1, 100.0, k1[:6])],
        [track(1, 105.0, k1[:9]), track(2, 105.0, k2[:6])],
        [track(1, 110.0, k1[:9]), track(2, 110.0, k2[:8])],  # track 1 unchanged
        [track(1, 115.0, k1), track(2, 115.0, k2)],
        [track(1, 120.0, [*k1[3:], ("rad-1", 99)]), track(2, 120.0, k2)],  # not a prefix
    ]
    events: tuple[Any, ...] = ()
    seen: set[tuple[str, int]] = set()
    nno, checks = 1, ()
    for tracks in steps:
        t = tracks[0].t_s
        events, nno, checks = assess(
            events, nno, [], tracks, (), t, areas=(), notices=(), params=params,
            fusion=FusionParams(), checks=checks,
        )  # fmt: skip
        seen |= {k for tr in tracks for k in tr.report_keys}
        (ev,) = events
        assert set(ev.radar_track_ids) == {tr.track_id for tr in tracks}
        assert ev.report_keys == tuple(sorted(seen))


def test_a_radar_only_event_needs_a_ballistic_fit_for_launch() -> None:
    """A radar-only event with an impact prediction in a defended area stays at
    POSSIBLE_LAUNCH until one of its tracks has had ``radar_launch_min_updates`` updates
    (a ballistic fit, not a young track's first state: see examples/history/1960-thule),
    then goes to THREAT at once."""
    from earlywarn.center.assessment.event import Ctx, Event, rebook
    from earlywarn.center.assessment.ladder import evaluate_level
    from earlywarn.center.characterise import ImpactEstimate
    from earlywarn.center.fusion import FusionParams

    params = AssessmentParams()
    impact = ImpactEstimate(
        True, 100.0, 900.0, 20.0, 0.6, 0.4, (4e6, 3e6, 4e6), 20e3, 10e3, 0.0, 1.0
    )
    ev = Event(
        event_id="E0001", source=Source.RADAR, ir_event_id=None, radar_track_ids=(1,),
        first_t_s=80.0, last_evidence_t_s=100.0, level=Level.NONE,
        disposition=Disposition.OPEN, reason=Reason.RADAR_TRACK, level_times=(),
        impact=impact, threatened_areas=("capital",), primary_track_id=1, n_live_tracks=1,
        sensor_ids=("R",),
        # a missile's state: 4 km/s level at 300 km, perigee thousands of km down
        x=np.array([6.678e6, 0.0, 0.0, 0.0, 4000.0, 0.0]),
        p=np.diag([100.0**2] * 3 + [10.0**2] * 3),
    )  # fmt: skip
    ctx = Ctx(100.0, (), (), params, FusionParams(), {})
    n = params.radar_launch_min_updates
    young = evaluate_level(rebook(ev, max_fit_updates=n - 1), None, ctx)
    assert young.level == Level.POSSIBLE_LAUNCH
    firm = evaluate_level(rebook(young, max_fit_updates=n), None, ctx)
    assert firm.level == Level.THREAT


def test_only_a_track_whose_innovations_fit_the_ballistic_model_counts_for_launch() -> None:
    """``max_fit_updates`` counts a track's updates only while the sum of its normalised
    innovations squared is within χ²(4 per update) at ``radar_fit_probability``: the
    gate held a folded Moon echo for 8 updates at twice the NIS a fit gives (quiet day,
    seed 11: 53 and 58 over 6 updates, the bound 51.2)."""
    from earlywarn.center.assessment.estimate import fit_consistent, gather_evidence
    from earlywarn.center.assessment.event import Event
    from earlywarn.center.gates import chi2_ppf
    from earlywarn.center.radar_tracking import RadarTrack

    params = AssessmentParams()
    n = params.radar_launch_min_updates
    bound = chi2_ppf(params.radar_fit_probability, 4 * (n - 2))
    assert 51.0 < bound < 51.3  # χ²(24) at 99.9 %

    def track(nis_sum: float) -> RadarTrack:
        return RadarTrack(1, 100.0, X_BO, np.eye(6), 60.0, 100.0, n, ("R",), (), (), nis_sum, n - 2)

    ev = Event(
        event_id="E0001", source=Source.RADAR, ir_event_id=None, radar_track_ids=(1,),
        first_t_s=60.0, last_evidence_t_s=100.0, level=Level.POSSIBLE_LAUNCH,
        disposition=Disposition.OPEN, reason=Reason.RADAR_TRACK, level_times=(),
    )  # fmt: skip
    echo, fit = track(53.3), track(4.0 * (n - 2))
    assert not fit_consistent(echo, params.radar_fit_probability)
    assert fit_consistent(fit, params.radar_fit_probability)
    e_echo = gather_evidence(ev, {1: echo}, params)[0]
    assert e_echo._book.max_track_updates == n and e_echo._book.max_fit_updates == 0
    e_fit = gather_evidence(ev, {1: fit}, params)[0]
    assert e_fit._book.max_fit_updates == n
