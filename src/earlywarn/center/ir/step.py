"""The IR step: ``ir_step(state, reports, t, params) -> (state', events)``.

One step, in order (each a named function below):

1. **read** the report columns (:func:`_columns`);
2. **associate** them with each satellite's 2-D tracks, frame by frame, and close the
   tracks that have gone quiet (:mod:`earlywarn.center.ir.association`);
3. **split** events whose satellites no longer see one object (:func:`_split_broken`):
   the last track to join the event is let go;
4. **place newly confirmed tracks** (:func:`_place_new_tracks`): a new stage after a
   coast resumes the burnt-out event it continues (:mod:`earlywarn.center.ir.coast`),
   else a track that passes the stereo test joins a live event of other satellites
   (:mod:`earlywarn.center.ir.stereo`), else it opens an event of its own; a track let
   go by a split only joins, until ``split_rejoin_s`` later it opens its own; then
   **merge** live events seen by disjoint sets of satellites that pass the stereo test
   (late stereo association, :func:`_merge_stereo`; the older keeps its id);
5. **update every event** (:func:`_update_event`): an ended event is kept while shown
   (``keep_ended_s``) or while a next stage may still ignite (``coast_max_s``); a live
   event with nothing new keeps its snapshot; a stationary source is only checked
   against its anchors; a boosting event estimated less than ``boost_reestimate_s`` of
   data ago only has its evidence updated; every other event is re-estimated
   (:func:`_reestimate`).

**Statuses.** A decision (:mod:`earlywarn.center.ir.decide`) becomes the status after
``boost_confirm_steps`` consecutive agreeing steps with fresh data (:func:`_vote`);
"boosting" is then kept. An event ends when all its tracks have gone ``track_gap_s``
without a detection: if it was boosting and its last altitude was above
``min_burnout_altitude_m``, the burnout time is the last detection plus half the burn
window (:func:`~earlywarn.center.ir.state_fit._burn_window_s`: until the first frame in
which a satellite following the event saw nothing) and its state the ballistic state
that flies on as the rocket does after that unseen thrust
(:func:`~earlywarn.center.ir.state_fit._burnout_equivalent`);
a stereo event that rose steadily but ended before its acceleration was significant (an
SRBM seen for ~20 s) is boosting too when its plume went out above that altitude. A
stationary source that goes out stays "stationary"; every other ended event shows
"ended".
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from earlywarn.center._records import evolve
from earlywarn.center.ir.association import _associate_reports, _close
from earlywarn.center.ir.coast import _anchors, _coast_matches, _still_stationary
from earlywarn.center.ir.estimate import _Estimate, _estimate, _next_caches
from earlywarn.center.ir.geometry import _rows3
from earlywarn.center.ir.records import (
    _NO_CACHES,
    IrDecision,
    IrEvent,
    IrParams,
    IrState,
    IrStatus,
    SatTrack,
    SensorLight,
    _EventState,
)
from earlywarn.center.ir.snapshot import _refresh, _snapshot
from earlywarn.center.ir.state_fit import _burn_window_s
from earlywarn.center.ir.stereo import _events_match
from earlywarn.center.priors import CLASSES, PRIORS
from earlywarn.reports import ReportBlock

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_BOOSTING = IrStatus.BOOSTING
_STATIONARY = IrStatus.STATIONARY


def ir_step(
    state: IrState,
    ir: ReportBlock,
    t_s: float,
    params: IrParams,
    status: Mapping[str, np.ndarray] | None = None,
) -> tuple[IrState, tuple[IrEvent, ...]]:
    """Advance infrared launch detection to ``t_s`` with the IR reports of (state.t_s, t_s].

    ``ir`` is the IR block of a :class:`~earlywarn.reports.ReportSlice` as the center's
    intake passes it on: the contract's columns, typed, every value within its rules,
    in time order and within the step's interval (the intake's policy for late and
    early reports keeps it so; a caller that breaks it gets a ``ValueError``). Returns the
    new state and the snapshot of every live (or recently ended) event, ordered by event
    id. Events merged into an older one (a late stereo association) disappear; their
    reports support the older event. ``status``: the sensors' status reports of the
    interval (the status block of the same slice), which tell a burn cut short by a loss
    of coverage (:attr:`IrEvent.burn_truncated`); None: none.
    """
    cols = _columns(ir, state.t_s, float(t_s))
    t_s = float(t_s)
    lights = _update_lights(state.sensors, status)
    tracks, next_tid = _associate_reports(list(state.tracks), state.next_track_id, cols, params)
    tracks = [tr if tr.closed else _close(tr, t_s, params) for tr in tracks]
    by_id = {tr.track_id: tr for tr in tracks}
    events, loose = _split_broken(list(state.events), state.loose, t_s)
    events, next_eid, loose = _place_new_tracks(
        events, tracks, by_id, state.next_event_id, params, loose, t_s
    )
    events = _merge_stereo(events, by_id, params)
    out_events: list[_EventState] = []
    snaps: list[IrEvent] = []
    for ev in events:
        kept, snap = _update_event(ev, by_id, t_s, params, lights)
        if kept is not None:
            out_events.append(kept)
        if snap is not None:
            snaps.append(snap)
    keep_ids = {k for ev in out_events for k in ev.track_ids}
    loose = tuple((k, t) for k, t in loose if not by_id[k].closed)
    keep_ids.update(k for k, _ in loose)
    tracks = [tr for tr in tracks if not tr.closed or tr.track_id in keep_ids]
    new_state = IrState(
        t_s=t_s,
        next_track_id=next_tid,
        next_event_id=next_eid,
        tracks=tuple(tracks),
        events=tuple(out_events),
        sensors=lights,
        loose=loose,
    )
    return new_state, tuple(snaps)


def _update_lights(
    lights: tuple[SensorLight, ...], status: Mapping[str, np.ndarray] | None
) -> tuple[SensorLight, ...]:
    """The sensors' coverage after this step's status reports (in time order)."""
    if status is None or len(status["t_s"]) == 0:
        return lights
    by_id = {x.sensor_id: x for x in lights}
    rows = zip(
        np.asarray(status["sensor_id"]).astype(str).tolist(),
        np.asarray(status["t_s"], dtype=np.float64).tolist(),
        np.asarray(status["state"]).astype(str).tolist(),
        np.asarray(status["period_s"], dtype=np.float64).tolist(),
        strict=True,
    )
    for sid, t, st, period in rows:
        old = by_id.get(sid, SensorLight(sid, None, -math.inf, -math.inf, math.nan))
        if st == "ok":
            by_id[sid] = SensorLight(sid, None, old.last_dark_t_s, t, period)
        else:
            since = old.dark_since if old.dark_since is not None else t
            by_id[sid] = SensorLight(sid, since, t, t, period)
    return tuple(by_id[k] for k in sorted(by_id))


# ---------------------------------------------------------------------------------------
# 1. validation
# ---------------------------------------------------------------------------------------


def _columns(ir: ReportBlock, t_prev: float, t_s: float) -> dict[str, np.ndarray]:
    """The report columns the detector reads, plus ``los`` (unit, (n, 3)) and ``sat``
    ((n, 3)) when there are reports. The values were checked at the boundary (the report
    contract); only the step's own contract (time order, the interval) is checked here."""
    if not math.isfinite(t_s):
        raise ValueError(f"ir_step: t_s must be finite; got {t_s}")
    if t_s < t_prev:
        raise ValueError(f"ir_step: t_s={t_s} is before the state's time {t_prev}")
    cols: dict[str, np.ndarray] = dict(ir.columns)
    if ir.n == 0:
        return cols
    t = cols["t_s"]
    tl = t.tolist()  # a step has a few reports: checked in Python
    if not all(a <= b for a, b in itertools.pairwise(tl)):
        raise ValueError("ir_step: IR reports must be time-ordered (t_s non-decreasing)")
    if tl[0] <= t_prev or tl[-1] > t_s:
        raise ValueError(
            f"ir_step: report times [{t[0]}, {t[-1]}] outside the step interval ({t_prev}, {t_s}]"
        )
    los = _rows3(cols["los_x"], cols["los_y"], cols["los_z"])
    cols["los"] = los / np.linalg.norm(los, axis=1)[:, None]  # = _unit(los)
    cols["sat"] = _rows3(cols["sat_x_m"], cols["sat_y_m"], cols["sat_z_m"])
    return cols


# ---------------------------------------------------------------------------------------
# 3.-4. splits, newly confirmed tracks, late stereo association
# ---------------------------------------------------------------------------------------


def _resume_after_coast(events: list[_EventState], tr: SatTrack, params: IrParams) -> bool:
    """A new stage after a coast: resume the burnt-out event ``tr`` continues (newest
    first), in place. Returns whether one was resumed."""
    cands: list[int] = []
    snaps: list[IrEvent] = []
    for ei in range(len(events) - 1, -1, -1):
        ev = events[ei]
        snap = ev.snapshot
        if (
            ev.ended_t_s is not None
            and ev.status == _BOOSTING
            and snap is not None
            and snap.burnout_time_s is not None
            and 0.0 < tr.t_s[0] - ev.ended_t_s <= params.coast_max_s
        ):
            cands.append(ei)
            snaps.append(snap)
    for ei, hit in zip(cands, _coast_matches(snaps, tr, params), strict=True):
        if hit:
            ev = events[ei]
            events[ei] = replace(ev, track_ids=(*ev.track_ids, tr.track_id), ended_t_s=None)
            return True
    return False


def _join_stereo(
    events: list[_EventState], tr: SatTrack, by_id: dict[int, SatTrack], params: IrParams
) -> bool:
    """Join ``tr`` to the first live event without a live track of its satellite that
    passes the stereo test with it, in place. Returns whether it joined one."""
    for ei, ev in enumerate(events):
        if ev.ended_t_s is not None:
            continue
        ev_tracks = [by_id[i] for i in ev.track_ids]
        if any(et.sensor_id == tr.sensor_id and not et.closed for et in ev_tracks):
            continue
        if _events_match([tr], ev_tracks, params):
            events[ei] = replace(ev, track_ids=(*ev.track_ids, tr.track_id))
            return True
    return False


def _place_new_tracks(
    events: list[_EventState],
    tracks: list[SatTrack],
    by_id: dict[int, SatTrack],
    next_eid: int,
    params: IrParams,
    loose: tuple[tuple[int, float], ...] = (),
    t_s: float = -math.inf,
) -> tuple[list[_EventState], int, tuple[tuple[int, float], ...]]:
    """Newly confirmed tracks (in track id order) resume a burnt-out event, join a live
    event (stereo) or open their own. A track a split let go (``loose``: (track id, time
    let go) pairs; ``t_s`` the step's time) may only join a live event, until
    ``split_rejoin_s`` after it was let go: then it opens its own (one that goes quiet
    before is dropped, as an unconfirmed track is). Returns the events, the next event
    number and the tracks still loose."""
    let_go = dict(loose)
    in_event = {tid for ev in events for tid in ev.track_ids}
    for tr in sorted(tracks, key=lambda x: x.track_id):
        if tr.track_id in in_event or tr.closed or tr.n < params.confirm_hits:
            continue
        t_go = let_go.get(tr.track_id)
        placed = (t_go is None and _resume_after_coast(events, tr, params)) or _join_stereo(
            events, tr, by_id, params
        )
        if not placed and (t_go is None or t_s - t_go >= params.split_rejoin_s):
            events.append(_new_event(next_eid, tr.track_id))
            next_eid += 1
            placed = True
        if placed:
            let_go.pop(tr.track_id, None)
        in_event.add(tr.track_id)
    return events, next_eid, tuple(let_go.items())


def _split_broken(
    events: list[_EventState], loose: tuple[tuple[int, float], ...], t_s: float
) -> tuple[list[_EventState], tuple[tuple[int, float], ...]]:
    """Events whose last triangulation says their satellites see different objects
    (:func:`~earlywarn.center.ir.stereo._stereo_broken`) let go the last track that
    joined them (added to ``loose`` with the time ``t_s``; see :func:`_place_new_tracks`).
    The event keeps its id and status (an alert it raised is not withdrawn by a split)
    and is estimated afresh from its remaining tracks. Returns the events and the loose
    tracks."""
    out = list(events)
    let_go = list(loose)
    for i, ev in enumerate(events):
        if ev.ended_t_s is None and ev.caches.tri is not None and ev.caches.tri.broken:
            *keep, gone = ev.track_ids
            out[i] = replace(ev, track_ids=tuple(keep), caches=_NO_CACHES, estimated_t_s=-math.inf)
            let_go.append((gone, t_s))
    return out, tuple(let_go)


def _new_event(number: int, track_id: int) -> _EventState:
    """A candidate event of one track."""
    return _EventState(
        event_id=f"IR{number:06d}",
        track_ids=(track_id,),
        status=IrStatus.CANDIDATE,
        votes=0,
        pending=IrDecision.CANDIDATE,
        ended_t_s=None,
        snapshot=None,
    )


def _merge_stereo(
    events: list[_EventState], by_id: dict[int, SatTrack], params: IrParams
) -> list[_EventState]:
    """Late stereo association: merge live, non-stationary events seen by disjoint sets
    of satellites that pass the stereo test (the older keeps its id; a boosting status,
    with its votes, wins)."""
    # per event: may it merge at all (live, not stationary), and its satellites; kept in
    # step with ``events`` as they merge (two events that share a satellite never merge,
    # and in a raid most pairs do: their test is then one set intersection)
    open_ = [ev.ended_t_s is None and ev.status != _STATIONARY for ev in events]
    sats = [
        frozenset(by_id[k].sensor_id for k in ev.track_ids) if ok else frozenset()
        for ev, ok in zip(events, open_, strict=True)
    ]
    # the pairs are those of a loop over i < j in order (a merge into i, then the next j
    # against the merged event); only pairs of disjoint satellite sets are visited, found
    # by the sets' groups: in a raid most events share a satellite, and visiting every
    # pair cost ~n²/2 set intersections a step
    groups: dict[frozenset[str], list[int]] = {}
    for k, ok in enumerate(open_):
        if ok:
            groups.setdefault(sats[k], []).append(k)
    alive = [True] * len(events)
    for i in range(len(events)):
        if not (alive[i] and open_[i]):
            continue
        cands = sorted(
            j
            for key, members in groups.items()
            if not (key & sats[i])
            for j in members[bisect.bisect_right(members, i) :]
        )
        for j in cands:
            if not alive[j] or sats[i] & sats[j]:
                continue
            a, b = events[i], events[j]
            ta = [by_id[k] for k in a.track_ids]
            tb = [by_id[k] for k in b.track_ids]
            if _events_match(ta, tb, params):
                events[i] = _merged_pair(a, b)
                sats[i] = sats[i] | sats[j]
                alive[j] = False
    return [ev for ev, ok in zip(events, alive, strict=True) if ok]


def _merged_pair(a: _EventState, b: _EventState) -> _EventState:
    """Event ``b`` merged into ``a``: ``a``'s id, both events' tracks, and the status (with
    its votes) of the boosting one, else ``a``'s."""
    keep = a if a.status == _BOOSTING or b.status != _BOOSTING else b
    return replace(
        a,
        track_ids=a.track_ids + b.track_ids,
        status=keep.status,
        votes=keep.votes,
        pending=keep.pending,
    )


# ---------------------------------------------------------------------------------------
# 5. updating each event
# ---------------------------------------------------------------------------------------

_Updated = tuple[_EventState | None, IrEvent | None]
"""An event after the step (None: forgotten) and the snapshot it shows (None: none)."""


def _update_ended(ev: _EventState, t_s: float, params: IrParams) -> _Updated:
    """An ended event is shown for ``keep_ended_s`` after its tracks' gap ran out; a
    burnt-out booster is kept (not shown) while a next stage may still ignite."""
    assert ev.ended_t_s is not None
    age = t_s - ev.ended_t_s
    shown = age <= params.keep_ended_s + params.track_gap_s
    if shown or (ev.status == _BOOSTING and age <= params.coast_max_s):
        return ev, ev.snapshot if shown else None
    return None, None


def _update_event(
    ev: _EventState,
    by_id: dict[int, SatTrack],
    t_s: float,
    params: IrParams,
    lights: tuple[SensorLight, ...] = (),
) -> _Updated:
    """One event through step 5 (see the module doc)."""
    if ev.ended_t_s is not None:
        return _update_ended(ev, t_s, params)
    ev_tracks = [by_id[k] for k in ev.track_ids]
    last_t = max(tr.last_t for tr in ev_tracks)
    fresh = ev.snapshot is None or last_t > ev.snapshot.last_t_s
    ended = all(tr.closed for tr in ev_tracks)
    if not fresh and not ended and ev.snapshot is not None and ev.estimated_t_s > -math.inf:
        # nothing new: the snapshot stands (status changes only on fresh data); an event
        # split this step is estimated afresh from the tracks it kept
        return ev, ev.snapshot
    if ev.status == _STATIONARY and ev.snapshot is not None:
        still, run, checked = _still_stationary(ev, ev_tracks, params)
        if still:
            # a stationary source is not re-estimated: only its evidence is updated
            snap = _refresh(ev.snapshot, ev_tracks, params)
            ended_t = last_t if ended else None
            ev = evolve(ev, escape=run, checked_t_s=checked, snapshot=snap, ended_t_s=ended_t)
            return ev, snap
        ev = evolve(
            ev,
            status=IrStatus.CANDIDATE,
            votes=0,
            pending=IrDecision.CANDIDATE,
            anchors=(),
        )
    if (
        not ended
        and ev.status == _BOOSTING
        and ev.snapshot is not None
        and last_t - ev.estimated_t_s < params.boost_reestimate_s
        and ev.snapshot.sensor_ids == tuple(sorted({tr.sensor_id for tr in ev_tracks}))
    ):
        # a boosting event estimated moments ago: only its evidence is updated
        snap = _refresh(ev.snapshot, ev_tracks, params)
        return evolve(ev, snapshot=snap), snap
    return _reestimate(ev, ev_tracks, last_t, fresh, ended, params, (t_s, lights))


def _vote(
    ev: _EventState, est: _Estimate, fresh: bool, ended: bool, params: IrParams
) -> tuple[IrStatus, int, IrDecision]:
    """The status, votes and pending decision after an estimate.

    With fresh data a decision gains a vote (or starts a run of one); after
    ``boost_confirm_steps`` agreeing steps it becomes the status ("rising" never does).
    "boosting" is kept once given. An event that ended rising or boosting with its last
    point above ``min_burnout_altitude_m`` was a rocket: "boosting"."""
    status, votes, pending = ev.status, ev.votes, ev.pending
    if fresh and status != _BOOSTING:
        votes = votes + 1 if est.decision == pending else 1
        pending = est.decision
        if votes >= params.boost_confirm_steps and pending != IrDecision.RISING:
            status = IrStatus(pending)
    if (
        ended
        and status != _BOOSTING
        and est.decision in (IrDecision.BOOSTING, IrDecision.RISING)
        and est.alt.shape[0]
        and float(est.alt[-1]) > params.min_burnout_altitude_m
    ):
        # a short burn (an SRBM seen for ~20 s) may end before its acceleration is
        # significant: a plume that rose steadily and went out up high was a rocket
        status = _BOOSTING
    return status, votes, pending


def _reestimate(
    ev: _EventState,
    ev_tracks: list[SatTrack],
    last_t: float,
    fresh: bool,
    ended: bool,
    params: IrParams,
    now: tuple[float, tuple[SensorLight, ...]] = (math.inf, ()),
) -> _Updated:
    """Estimate the event afresh (:func:`~earlywarn.center.ir.estimate._estimate`), vote
    on its status, set its burnout and anchors, and take its snapshot."""
    hint = (
        np.array([p for _, p in ev.snapshot.class_probs])
        if ev.snapshot is not None
        else np.array([PRIORS[c].weight for c in CLASSES])
    )
    # at its end a boosting event is judged again (is it still boosting?) for the burn cut
    # short test; before, "boosting" is kept without a decision
    boosting = ev.status == _BOOSTING
    est = _estimate(ev_tracks, params, hint, boosting, ev.caches, rejudge=ended)
    status, votes, pending = _vote(ev, est, fresh, ended, params)
    changes: dict[str, Any] = {
        "estimated_t_s": last_t,
        "caches": _next_caches(ev.caches, est),
        "status": status,
        "votes": votes,
        "pending": pending,
    }
    burnout: float | None = None
    window = 0.0
    truncated = False
    if ended and status == _BOOSTING and est.alt.shape[0]:
        if float(est.alt[-1]) > params.min_burnout_altitude_m:
            window = _burn_window_s(ev_tracks, last_t, est.median_dt)
            burnout = last_t + 0.5 * window
        sensors = {tr.sensor_id for tr in ev_tracks}
        t_now, lights = now
        dark = {
            x.sensor_id
            for x in lights
            if x.dark_after(last_t - params.dark_margin_s, t_now, params.heartbeat_overdue)
        }
        truncated = sensors <= dark
    if status == _STATIONARY and ev.status != _STATIONARY:
        changes.update(anchors=_anchors(ev_tracks, params), checked_t_s=last_t, escape=0)
    # a stationary source that went out stays a stationary source, not a candidate
    shown = IrStatus.ENDED if ended and status != _STATIONARY else status
    snap = _snapshot(ev.event_id, ev_tracks, est, shown, (burnout, window), params, truncated)
    if burnout is not None and not truncated and _cut_while_boosting(est, snap.class_probs):
        snap = _snapshot(ev.event_id, ev_tracks, est, shown, (burnout, window), params, True)
    new_ev = evolve(ev, snapshot=snap, ended_t_s=last_t if ended else None, **changes)
    return new_ev, snap


def _cut_while_boosting(est: _Estimate, class_probs: tuple[tuple[str, float], ...]) -> bool:
    """Did the detections stop while the event was still boosting, lower than where the
    leading classes of its burn as measured burn out (their mean burnout altitude less
    two sigmas)? The leading classes: the most likely, and the next while it holds at
    least a fifth. (A plume going out and a sensor going dark look alike; this catches
    only a cut that no leading class's burnout explains.)"""
    if est.decision != IrDecision.BOOSTING:
        return False
    probs = np.array([p for _, p in class_probs])
    order = np.argsort(-probs, kind="stable")
    lead = [int(order[0])] + [int(i) for i in order[1:2] if probs[i] >= 0.2]
    alt = float(est.alt[-1])
    return all(
        alt
        < PRIORS[CLASSES[i]].burnout_altitude_m[0] - 2.0 * PRIORS[CLASSES[i]].burnout_altitude_m[1]
        for i in lead
    )
