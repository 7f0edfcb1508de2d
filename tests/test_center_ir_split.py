"""Stereo events whose satellites stop seeing one object are split.

A 2-D track of one satellite joins an event of another on a few common times
(``stereo_min_common``), when a raid neighbour's plume can pass for the same object; and
a 2-D track can swap onto a neighbour's plume later. The event's triangulation then
misses by far more than the rays' sigmas (:func:`earlywarn.center.ir.stereo._stereo_broken`)
and :func:`earlywarn.center.ir.step._split_broken` lets the last track that joined go.

The rays are those of ``ir_synth``'s rocket seen from two geostationary satellites
(frames 0.9 s apart, 30 µrad noise): the same rocket from both, or a neighbour launched
from 20 km east of it 5 s later (the bench raids' spacing: 12–50 km, a few seconds).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.center.gates import chi2_ppf
from earlywarn.center.ir import step
from earlywarn.center.ir.association import _extend, _new_track
from earlywarn.center.ir.records import (
    IrDecision,
    IrParams,
    IrStatus,
    SatTrack,
    _Caches,
    _EventState,
)
from earlywarn.center.ir.stereo import _stereo_broken, _triangulate_rows, _Triangulated
from ir_synth import Rocket, _perturb, geo_sat, icbm_like, position

P = IrParams()
LAT, LON, AZ = math.radians(40.0), math.radians(60.0), math.radians(30.0)
SAT_A, SAT_B = geo_sat(math.radians(20.0)), geo_sat(math.radians(100.0))
T_A = np.arange(140.0, 220.0, 2.0)  # frames of satellite A while the rocket burns
T_B = T_A + 0.9  # satellite B's frames: not simultaneous (its rays are interpolated)


def _rocket(east_m: float = 0.0, late_s: float = 0.0) -> Rocket:
    return icbm_like(LAT, LON + east_m / (6.371e6 * math.cos(LAT)), AZ, 100.0 + late_s)


def _track(
    tid: int, sid: str, sat: np.ndarray, rocket: Rocket, times: np.ndarray, seed: int
) -> SatTrack:
    """A 2-D track of ``rocket`` from ``sat`` (one detection per frame, 30 µrad noise)."""
    rng = np.random.default_rng(seed)
    r, _ = position(rocket, times)
    u = _perturb((r - sat) / np.linalg.norm(r - sat, axis=1, keepdims=True), 30e-6, rng)
    rng_m = np.linalg.norm(r - sat, axis=1)
    tr = _new_track(tid, sid, float(times[0]), u[0], sat, 30e-6, 1e6, 0, float(rng_m[0]))
    for k in range(1, times.shape[0]):
        tr = _extend(tr, float(times[k]), u[k], sat, 30e-6, 1e6, k, float(rng_m[k]), 600)
    return tr


def _tri(a: SatTrack, b: SatTrack) -> _Triangulated:
    return _triangulate_rows([a], [b], a.t_s, a.sat_m, a.los, a.sigma_rad, P, None)


def test_one_object_is_never_split() -> None:
    """The same rocket from both satellites: the chi-square of the last 20 rows has 20
    degrees of freedom; the split needs at least 10 of the 20 one-dof rows over 9
    (probability 4e-21), so none of 200 seeds may split, and the sum's median must be
    near 20 (a sum of 20 one-dof chi-squares: median ~19.3)."""
    chi = []
    for seed in range(200):
        tri = _tri(
            _track(1, "A", SAT_A, _rocket(), T_A, seed),
            _track(2, "B", SAT_B, _rocket(), T_B, 10_000 + seed),
        )
        assert not tri.broken, seed
        chi.append(float(np.sum(tri.chi2[tri.ok][-20:])))
    # the median of 200 draws of chi2(20) lies within [17.5, 21.5] with probability > 99 %
    assert 17.5 < float(np.median(chi)) < 21.5


@pytest.mark.parametrize("seed", range(10))
def test_a_neighbour_is_split(seed: int) -> None:
    """Satellite B's track follows a neighbour 20 km east launched 5 s later: broken."""
    tri = _tri(
        _track(1, "A", SAT_A, _rocket(), T_A, seed),
        _track(2, "B", SAT_B, _rocket(20e3, 5.0), T_B, 10_000 + seed),
    )
    assert tri.broken


def test_garbled_reports_do_not_split_one_object() -> None:
    """The same rocket from both satellites, 6 of the last 20 of satellite A's reports
    garbled by ~0.6 mrad (20 sigmas: within the gate of an older track, whose margin
    allows for unmodelled acceleration; the 1980 scene's failing part garbles a fifth of
    all reports): the median row is a good one, so no split in any of 50 seeds, where a
    sum of the rows' chi-squares would split them all."""
    for seed in range(50):
        a = _track(1, "A", SAT_A, _rocket(), T_A, seed)
        rng = np.random.default_rng(seed)
        bad = rng.choice(np.arange(a.stop - 20, a.stop), size=6, replace=False)
        a.rows.los[bad] = _perturb(a.rows.los[bad], 600e-6, rng)  # the track's stored rows
        tri = _tri(a, _track(2, "B", SAT_B, _rocket(), T_B, 10_000 + seed))
        use = tri.ok & (tri.nray >= 2)
        assert float(np.sum(tri.chi2[use][-20:])) > 3 * chi2_ppf(P.stereo_gate_prob, 20)
        assert not tri.broken, seed


def test_the_window_and_its_median() -> None:
    """The test reads the median chi-square per degree of freedom of the last
    ``stereo_window`` usable rows (ok, two rays or more: 2n − 3 dof), and needs a full
    window of them."""
    line = P.stereo_split_row_chi2
    n = 40
    ok = np.ones(n, dtype=bool)
    nray = np.full(n, 2, dtype=np.int64)
    chi2 = np.zeros(n)
    chi2[-11:] = line * 1.01  # 11 of the last 20 rows over the line: the median is
    assert _stereo_broken(chi2, nray, ok, P)
    chi2[-11] = 0.0  # 10 of 20: the median is halfway between 0 and the line
    assert not _stereo_broken(chi2, nray, ok, P)
    # three rays give 3 dof per row: the same chi-squares are a third per dof
    chi2[-11:] = line * 2.0
    assert _stereo_broken(chi2, nray, ok, P)
    assert not _stereo_broken(chi2, np.full(n, 3), ok, P)
    # rows before the window do not count, unless the rows after them are not usable
    chi2[:] = 0.0
    chi2[:11] = 1e9
    assert not _stereo_broken(chi2, nray, ok, P)
    ok[11:20] = False
    nray[20:30] = 1  # usable: rows 0-10 and 30-39, the last 20 of them 1-10 and 30-39
    assert _stereo_broken(chi2, nray, ok, P)
    # fewer usable rows than a full window: no verdict, however large
    few = np.full(P.stereo_window - 1, 1e9)
    n_few = few.shape[0]
    assert not _stereo_broken(few, np.full(n_few, 2), np.ones(n_few, dtype=bool), P)
    assert _stereo_broken(
        np.full(n_few + 1, 1e9), np.full(n_few + 1, 2), np.ones(n_few + 1, dtype=bool), P
    )


def test_params_refuse_a_split_line_inside_the_gate() -> None:
    """Half a window at the line must fail the gate (20 dof: 99.99 % point ~50, so the
    line must be above ~5)."""
    IrParams(stereo_split_row_chi2=5.5)
    with pytest.raises(ValueError, match="stereo_split_row_chi2"):
        IrParams(stereo_split_row_chi2=4.5)


def _event(eid: str, tracks: tuple[int, ...], tri: _Triangulated) -> _EventState:
    return _EventState(
        event_id=eid,
        track_ids=tracks,
        status=IrStatus.BOOSTING,
        votes=2,
        pending=IrDecision.BOOSTING,
        ended_t_s=None,
        snapshot=None,
        caches=_Caches(tri=tri),
        estimated_t_s=200.0,
    )


def test_split_lets_the_last_track_go() -> None:
    """A broken event keeps its id, status and first tracks and is to be estimated afresh
    (no caches, no estimate time); its last track is let go with the step's time, after
    those let go before; an event whose rays agree, and an ended one, are left as they
    were."""
    a = _track(1, "A", SAT_A, _rocket(), T_A, 1)
    good = _tri(a, _track(2, "B", SAT_B, _rocket(), T_B, 2))
    bad = _tri(a, _track(3, "B", SAT_B, _rocket(20e3, 5.0), T_B, 3))
    ev_good = _event("IR000001", (1, 2), good)
    ev_bad = _event("IR000002", (4, 5, 3), bad)
    ended = step.replace(_event("IR000003", (6, 7), bad), ended_t_s=150.0)
    out, loose = step._split_broken([ev_good, ev_bad, ended], ((8, 190.0),), 200.0)
    assert loose == ((8, 190.0), (3, 200.0))
    assert [e.event_id for e in out] == ["IR000001", "IR000002", "IR000003"]
    assert out[0] is ev_good and out[2] is ended
    kept = out[1]
    assert kept.track_ids == (4, 5)
    assert kept.status == IrStatus.BOOSTING and kept.votes == 2
    assert kept.caches.tri is None and kept.estimated_t_s == -math.inf


def test_a_loose_track_joins_or_waits_then_opens_its_own() -> None:
    """A track let go joins a live event that passes the stereo test with it; one that
    finds none waits ``split_rejoin_s``, then opens a candidate event of its own; a
    confirmed track never let go opens its own at once."""
    a = _track(1, "A", SAT_A, _rocket(), T_A, 1)
    b_true = _track(2, "B", SAT_B, _rocket(), T_B, 2)
    b_other = _track(3, "B", SAT_B, _rocket(20e3, 5.0), T_B, 3)
    by_id = {1: a, 2: b_true, 3: b_other}
    holder = _event("IR000001", (1,), _tri(a, b_true))
    # the right partner: joins the event of track 1
    events, nxt, loose = step._place_new_tracks(
        [holder], [b_true], by_id, 5, P, ((2, 200.0),), 210.0
    )
    assert events[0].track_ids == (1, 2) and nxt == 5 and loose == ()
    # another object: no event passes; it waits, then opens its own
    for t_now, opened in (
        (200.0 + P.split_rejoin_s - 1.0, False),
        (200.0 + P.split_rejoin_s, True),
    ):
        events, nxt, loose = step._place_new_tracks(
            [holder], [b_other], by_id, 5, P, ((3, 200.0),), t_now
        )
        assert (len(events) == 2) == opened
        assert loose == (() if opened else ((3, 200.0),))
    assert events[1].track_ids == (3,) and events[1].status == IrStatus.CANDIDATE and nxt == 6
    # never let go: its own event at once
    events, nxt, loose = step._place_new_tracks([holder], [b_other], by_id, 5, P)
    assert [e.track_ids for e in events] == [(1,), (3,)] and nxt == 6


def test_a_split_event_is_estimated_afresh_without_new_data() -> None:
    """A stereo event of ``ir_synth``'s rocket, stopped mid-burn: with its second
    satellite's track let go and no new report, the next update estimates it again from
    the one satellite it kept (its snapshot says so); the same event not split keeps its
    snapshot (nothing new)."""
    from earlywarn.center.ir import IrState, ir_step
    from earlywarn.reports import ReportSlice
    from ir_synth import Scene, generate

    rk = _rocket()
    scene = Scene((math.radians(20.0), math.radians(100.0)), 90.0, 200.0, rockets=(rk,))
    block = ReportSlice.from_columns(ir=generate(scene, np.random.default_rng(7))).ir
    state = IrState.initial(80.0)
    for t_next in np.arange(82.0, 201.0, 2.0):
        i0, i1 = np.searchsorted(block["t_s"], [state.t_s, t_next], side="right")
        state, _ = ir_step(state, block.take(slice(i0, i1)), float(t_next), P)
    by_id = {tr.track_id: tr for tr in state.tracks}
    (ev,) = [e for e in state.events if len({by_id[k].sensor_id for k in e.track_ids}) == 2]
    assert ev.snapshot is not None and len(ev.snapshot.sensor_ids) == 2
    t_now = state.t_s + 1.0  # no new report: the tracks have not gone quiet yet
    _, snap = step._update_event(ev, by_id, t_now, P)
    assert snap is ev.snapshot  # nothing new: the snapshot stands
    (split,), loose = step._split_broken(
        [step.replace(ev, caches=_Caches(tri=_broken(ev)))], (), t_now
    )
    assert loose == ((ev.track_ids[-1], t_now),)
    kept, snap = step._update_event(split, by_id, t_now, P)
    assert snap is not None and snap is not ev.snapshot
    assert snap.sensor_ids == (by_id[ev.track_ids[0]].sensor_id,)
    assert kept is not None and kept.estimated_t_s > -math.inf


def _broken(ev: _EventState) -> _Triangulated:
    """The event's triangulation, marked broken (as a neighbour's pair would be)."""
    tri = ev.caches.tri
    assert tri is not None
    return step.replace(tri, broken=True)
