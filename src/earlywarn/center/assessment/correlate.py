"""The correlation passes: which evidence belongs to which event.

1. :func:`take_ir_events` — IR events → center events: a new IR event opens an event, a
   changed snapshot is copied into its event (launch estimate, class, sensors, report
   keys). Work is skipped where nothing can change: an event not yet announced whose IR
   candidate is not yet persistent, a stationary source already dismissed that is still
   stationary, an unchanged snapshot.
2. :func:`carry_ir_states` — each event keeps its IR burnout state (covariance floored)
   and its sigma-point cloud: the IR detector forgets ended events, the center does not.
3. :func:`correlate_tracks` — radar tracks ↔ IR events. Existing associations are kept.
   A new track joins an IR event by the forward chi-square gate
   (:func:`earlywarn.center.fusion.correlate_moments`). In a raid several IR events pass
   it (their burnout states, carried over the midcourse, are uncertain by hundreds of
   km); the track then waits until it has ``radar_confirm_min_updates`` updates and joins
   the event whose burnout state it meets when traced back
   (:func:`earlywarn.center.fusion.correlate_backward`; launches tens of seconds apart are
   hundreds of km apart there). A track that joins an IR event leaves its radar-only
   event, which is retracted as merged (``merged_into:<event_id>``) once empty. Old
   enough uncorrelated tracks open radar-only events (or join a nearby one).
4. :func:`merge_radar_only` — the radar track traced backward: a radar-only event whose
   ballistic launch point and time agree with an IR launch estimate joins that IR event
   (the chi-square test needs a usable IR burnout state; this one only the IR launch
   fit). The same backward distance ranks the IR events that pass the launch gate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import (
    Event,
    Work,
    class_best,
    finite_or_none,
    merge_keys,
    new_event,
    rebook,
)
from earlywarn.center.assessment.ladder import persistent
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m
from earlywarn.center.compiled import gate_d2
from earlywarn.center.fusion import (
    BackwardTrace,
    FusionParams,
    IrEventLike,
    SigmaCloud,
    floored_ir_state,
    ir_ballistic_state,
)
from earlywarn.center.radar_tracking import RadarTrack
from earlywarn.center.vocabulary import Disposition, Level, Reason, Source

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_RETRACTED = Disposition.RETRACTED
_NONE = Level.NONE
_STATIONARY_SOURCE = Reason.STATIONARY_SOURCE
_IR = Source.IR
_RADAR = Source.RADAR

FloatArray = npt.NDArray[np.float64]

__all__ = ["carry_ir_states", "correlate_tracks", "merge_radar_only", "take_ir_events"]

_IR_DECIDED = ("boosting", "ended", "orbital", "stationary")
"""IR event statuses that are a decision of the detector (not a candidate's)."""


def take_ir_events(w: Work) -> None:
    """IR events → center events (new events for new IR events); marks ``w.touched``."""
    by_ir = {e.ir_event_id: e.event_id for e in w.evs.values() if e.ir_event_id is not None}
    params = w.ctx.params
    for iid in sorted(w.irs):
        ie = w.irs[iid]
        if iid not in by_ir:
            eid = w.new_event_id()
            w.evs[eid] = new_event(eid, _IR, float(ie.first_t_s), iid)
            by_ir[iid] = eid
        eid = by_ir[iid]
        e = w.evs[eid]
        if e.disposition == _RETRACTED:
            continue
        if e.reason == _STATIONARY_SOURCE and ie.status == "stationary":
            continue
        if e.level == _NONE and not (ie.status in _IR_DECIDED or persistent(ie, params)):
            continue
        new = _apply_ir(e, ie)
        if new is not e:
            w.evs[eid] = new
            w.touched.add(eid)


def _apply_ir(ev: Event, ir: IrEventLike) -> Event:
    # the same snapshot as last step (the detector re-reports unchanged events): nothing to do
    f = finite_or_none
    seen = (
        ir.status,
        bool(ir.stereo),
        float(ir.last_t_s),
        int(ir.n_reports),
        f(ir.launch_time_s),
        f(ir.launch_lat_rad),
        f(ir.launch_lon_rad),
        f(ir.azimuth_rad),
        f(ir.burnout_time_s),
        tuple(ir.class_probs),
    )
    if seen == ev._book.ir_seen:
        return ev
    cls, pc = class_best(ir.class_probs)
    keys = merge_keys(ev._book.report_keys, ((str(a), int(b)) for a, b in ir.report_keys))
    sens = tuple(sorted(set(ev.sensor_ids) | {str(s) for s in ir.sensor_ids}))
    return evolve(
        ev,
        last_evidence_t_s=max(ev.last_evidence_t_s, float(ir.last_t_s)),
        launch_time_s=f(ir.launch_time_s),
        launch_time_sigma_s=f(ir.launch_time_sigma_s),
        launch_lat_rad=f(ir.launch_lat_rad),
        launch_lon_rad=f(ir.launch_lon_rad),
        launch_sigma_m=f(ir.launch_sigma_m),
        azimuth_rad=f(ir.azimuth_rad),
        azimuth_sigma_rad=f(ir.azimuth_sigma_rad),
        vehicle_class=cls,
        class_probability=pc,
        sensor_ids=sens,
        stereo=ev.stereo or bool(ir.stereo),
        _book=evolve(ev._book, ir_seen=seen, report_keys=keys),
    )


def index_owners(w: Work) -> None:
    """``w.owner``: the event each live radar track belongs to (retracted events own none)."""
    for eid in sorted(w.evs):
        for tid in w.evs[eid].radar_track_ids:
            if tid in w.trk and w.evs[eid].disposition != _RETRACTED:
                w.owner[tid] = eid


def carry_ir_states(w: Work) -> None:
    """IR ballistic states live on in their events (the IR detector forgets ended events)."""
    fusion = w.ctx.fusion
    for eid in sorted(w.evs):
        e = w.evs[eid]
        if e.ir_event_id is None or e.ir_event_id not in w.irs or e.disposition == _RETRACTED:
            continue
        st = ir_ballistic_state(w.irs[e.ir_event_id])
        if st is None:
            continue
        key = (st[0], float(st[1][0]))
        if e._book.ir_cloud_key != key:
            t_b, x_b, p_b = floored_ir_state(st, fusion)
            w.evs[eid] = evolve(
                e,
                ir_state=(t_b, np.asarray(x_b), np.asarray(p_b)),
                burnout_x=np.asarray(x_b),
                _book=evolve(
                    e._book,
                    ir_cloud=SigmaCloud.from_state(t_b, x_b, p_b, fusion.q),
                    ir_cloud_key=key,
                ),
            )
            w.touched.add(eid)


def _backward_d2s(
    states: list[tuple[float, FloatArray, FloatArray] | None],
    tracks: list[RadarTrack],
    fusion: FusionParams,
) -> list[float]:
    """Per IR burnout state, the smallest backward correlation distance of ``tracks`` to it
    (:func:`earlywarn.center.fusion.correlate_backward`; inf for None or no track)."""
    have = [st for st in states if st is not None]
    best = np.full(len(have), np.inf)
    if have:
        t_min = min(st[0] for st in have)
        # (states more than max_propagation_s back: inf, so the traces stop there)
        reach = [tr for tr in tracks if tr.t_s >= t_min]
        t0s = [max(t_min, tr.t_s - fusion.max_propagation_s) for tr in reach]
        for trace in BackwardTrace.many(reach, t0s, fusion.q) if reach else []:
            best = np.minimum(best, trace.d2(have, fusion))
    it = iter(best.tolist())
    return [next(it) if st is not None else math.inf for st in states]


@dataclass
class _IrIndex:
    """The IR events a track may join, indexed once per step.

    Forward: the events' IR states at the tracker time (means in a kd-tree; the traces
    of their position covariances and propagation times). Backward: the events' burnout
    states (times, positions, position covariances). Forward, a pair is tested only when
    its lower bound ``|Δr|² / tr S ≤ d²`` (``λ_max(S) ≤ tr S``) lets it pass; backward,
    only when the grid's ``d²`` (:meth:`BackwardTrace.pregate_d2`) is within the margin.
    The tests themselves are unchanged, so the same pairs pass with the same ``d²``.
    """

    ids: list[str]
    fwd: list[str]
    pos_m: FloatArray
    cov_m2: FloatArray
    floor_m2: FloatArray
    bound_m2: FloatArray
    tree: cKDTree | None
    bwd: list[str]
    t_b_s: FloatArray
    x_b_m: FloatArray
    p_b_m2: FloatArray
    fwd_bwd: npt.NDArray[np.intp]  # each forward event's position in bwd (-1: none)
    memo: dict[int, _Gated] = field(default_factory=dict)
    fwd_memo: dict[int, tuple[FloatArray, npt.NDArray[np.intp]]] = field(default_factory=dict)
    traces: dict[int, BackwardTrace | None] = field(default_factory=dict)

    @staticmethod
    def build(w: Work, ir_states: list[str]) -> _IrIndex:
        fusion = w.ctx.fusion
        w.ir_at_many(ir_states)  # every event's cloud advanced to the tracker time
        fwd, ms = [], []
        for eid in ir_states:
            m = w.moments.get(eid)  # (as ir_at: None without a cloud in reach)
            if m is not None and 0.0 <= m[2] <= fusion.max_propagation_s:
                fwd.append(eid)
                ms.append(m)
        pos = np.array([m[0][:3] for m in ms]).reshape(-1, 3)
        cov = np.array([m[1][:3, :3] for m in ms]).reshape(-1, 3, 3)
        floor2 = np.array([fusion.gate_floor_m(m[2]) for m in ms], dtype=np.float64) ** 2
        bound = np.trace(cov, axis1=1, axis2=2) + 3.0 * floor2
        with_state = [(eid, st) for eid in ir_states if (st := w.evs[eid].ir_state) is not None]
        bwd = [eid for eid, _ in with_state]
        sts = [st for _, st in with_state]
        bwd_rank = {eid: k for k, eid in enumerate(bwd)}
        return _IrIndex(
            ids=ir_states,
            fwd=fwd,
            pos_m=pos,
            cov_m2=cov,
            floor_m2=floor2,
            bound_m2=bound,
            tree=cKDTree(pos) if fwd else None,
            bwd=bwd,
            t_b_s=np.array([st[0] for st in sts]),
            x_b_m=np.array([st[1][:3] for st in sts]).reshape(-1, 3),
            p_b_m2=np.array([st[2][:3, :3] for st in sts]).reshape(-1, 3, 3),
            fwd_bwd=np.array([bwd_rank.get(eid, -1) for eid in fwd], dtype=np.intp),
        )

    def forward(self, w: Work, tr: RadarTrack) -> tuple[FloatArray, npt.NDArray[np.intp]]:
        """The ``d²`` and the positions in ``fwd`` (increasing, so in event-id order) of
        the events that pass the forward gate."""
        none = (np.zeros(0), np.zeros(0, dtype=np.intp))
        if self.tree is None:
            return none
        fusion = w.ctx.fusion
        gamma = fusion.gamma * (1.0 + 1e-9)  # rounding: never drop a pair at the boundary
        t_tr = float(np.trace(tr.p[:3, :3]))
        r_max = math.sqrt(gamma * (float(self.bound_m2.max()) + t_tr))
        near = np.array(self.tree.query_ball_point(tr.x[:3], r_max * (1.0 + 1e-9)), dtype=int)
        if near.size == 0:
            return none
        d = self.pos_m[near] - tr.x[:3]
        lb = np.einsum("ij,ij->i", d, d) / (self.bound_m2[near] + t_tr)
        k = np.sort(near[lb <= gamma])
        # correlate_moments' d² for all of them at once (compiled)
        d2 = gate_d2(self.pos_m, self.cov_m2, self.floor_m2, k, tr.x, tr.p)
        passed = d2 <= fusion.gamma
        return d2[passed], k[passed]

    def forward_of(self, w: Work, tid: int) -> tuple[FloatArray, npt.NDArray[np.intp]]:
        """:meth:`forward` of track ``tid``, once per step."""
        if tid not in self.fwd_memo:
            self.fwd_memo[tid] = self.forward(w, w.trk[tid])
        return self.fwd_memo[tid]

    def backward(
        self, w: Work, tr: RadarTrack, in_ok: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """The backward ``d²`` of the events that matter to the gate, as positions in
        ``bwd`` and distances: every other event that may pass the backward gate, and the
        events of the forward gate (``in_ok``, over ``bwd``) that may hold the smallest
        ``d²`` or one within ``correlation_margin_d2`` of it (the rest cannot pass, and
        cannot be the nearest or make the nearest ambiguous: the gate keeps every event
        of the forward gate and uses the two smallest distances)."""
        fusion = w.ctx.fusion
        if tr.track_id not in self.traces:
            self.prepare(w, [tr.track_id])
        trace = self.traces[tr.track_id]
        if trace is None:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        pre = trace.pregate_d2(self.t_b_s, self.x_b_m, self.p_b_m2, fusion.gate_floor_m(0.0))
        margin = BackwardTrace.PREGATE_MARGIN
        gamma = fusion.gamma
        first = ~in_ok & (pre <= margin * gamma)
        if in_ok.any():
            first[int(np.flatnonzero(in_ok)[np.argmin(pre[in_ok])])] = True
        i1 = np.flatnonzero(first)
        d1 = self._exact(trace, i1, fusion)
        mine = in_ok[i1] | (d1 <= gamma)
        best = float(d1[mine].min()) if mine.any() else math.inf
        lead = w.ctx.params.correlation_margin_d2
        i2 = np.flatnonzero(in_ok & ~first & (pre <= margin * (best + lead)))
        return np.concatenate([i1, i2]), np.concatenate([d1, self._exact(trace, i2, fusion)])

    def prepare(self, w: Work, tids: list[int]) -> None:
        """The forward gates of tracks ``tids`` and the backward traces of those that need
        one (back to the earliest burnout they can be tested against), all traces in one
        propagation (:meth:`BackwardTrace.many`; the same bits as one by one)."""
        fusion = w.ctx.fusion
        need, t_min = [], []
        for tid in tids:
            if tid in self.memo or tid in self.traces:
                continue
            tr = w.trk[tid]
            if self.forward_of(w, tid)[1].size == 0 or len(self.ids) == 1:
                continue
            live = (self.t_b_s <= tr.t_s) & (self.t_b_s >= tr.t_s - fusion.max_propagation_s)
            if live.any():
                need.append(tr)
                t_min.append(float(self.t_b_s[live].min()))
            else:
                self.traces[tid] = None
        if need:
            for tr, trace in zip(need, BackwardTrace.many(need, t_min, fusion.q), strict=True):
                self.traces[tr.track_id] = trace

    def _exact(
        self, trace: BackwardTrace, idx: npt.NDArray[np.intp], fusion: FusionParams
    ) -> FloatArray:
        """The exact backward ``d²`` of the events at positions ``idx`` of ``bwd``."""
        return trace.d2_at(self.t_b_s, self.x_b_m, self.p_b_m2, fusion, idx)


def _gate(w: Work, tid: int, index: _IrIndex) -> _Gated:
    """The IR events track ``tid`` may belong to (once per step).

    None unless one passes the forward gate. With several IR events (a raid), every
    event that passes the forward or the backward gate is a candidate and ``d²`` is
    the backward distance (:func:`earlywarn.center.fusion.correlate_backward`): the IR
    states carried over the midcourse no longer separate launches tens of seconds
    apart, the track traced back to each burnout time does. A forward-gate event whose
    backward ``d²`` was not computed (it cannot be among the two nearest) counts at inf.
    """
    if tid in index.memo:
        return index.memo[tid]
    d2_fwd, k = index.forward_of(w, tid)
    if k.size == 0 or len(index.ids) == 1:
        g = _Gated.of(d2_fwd, [index.fwd[i] for i in k.tolist()], 0, None)
    else:
        kb = index.fwd_bwd[k]
        in_ok = np.zeros(len(index.bwd), dtype=bool)
        in_ok[kb[kb >= 0]] = True
        idx, d2 = index.backward(w, w.trk[tid], in_ok)
        fin = np.isfinite(d2) & (in_ok[idx] | (d2 <= w.ctx.fusion.gamma))
        done = np.zeros(len(index.bwd) + 1, dtype=bool)  # (the last entry: kb = -1)
        done[idx[fin]] = True
        at_inf = k[~done[kb]]  # in event-id order
        first_inf = index.fwd[int(at_inf[0])] if at_inf.size else None
        g = _Gated.of(d2[fin], [index.bwd[i] for i in idx[fin].tolist()], at_inf.size, first_inf)
    index.memo[tid] = g
    return g


@dataclass(frozen=True)
class _Gated:
    """What a track's gate found, as its callers read it: the number of candidate
    events, the nearest (smallest ``d²``, then smallest id; None without a candidate)
    and the two smallest ``d²`` (inf where not comparable)."""

    count: int
    nearest: str | None
    smallest: tuple[float, ...]

    @staticmethod
    def of(d2: FloatArray, ids: list[str], n_inf: int, first_inf: str | None) -> _Gated:
        """From the candidates with a finite ``d²`` (``d2``, ``ids``) and ``n_inf`` more
        at inf, the one with the smallest id ``first_inf``."""
        pairs = list(zip(d2.tolist(), ids, strict=True))
        nearest = min(pairs)[1] if pairs else first_inf
        smallest = tuple(sorted(d for d, _ in pairs)[:2]) + (math.inf,) * min(n_inf, 2)
        return _Gated(len(pairs) + n_inf, nearest, smallest[:2])


def _ambiguous(d2s: list[float], n_updates: int, params: AssessmentParams) -> bool:
    """Should a track whose ``d²`` to several events are ``d2s`` wait (the nearest must
    lead the next by ``correlation_margin_d2``; a young track always waits)?"""
    if n_updates < params.radar_confirm_min_updates:
        return True
    first, second = sorted(d2s)[:2]
    lead = second - first
    return lead < params.correlation_margin_d2 and n_updates < params.correlation_max_wait_updates


def correlate_tracks(w: Work) -> None:
    """New radar tracks → IR events (forward, then backward gate), merged radar-only
    events retracted, radar-only events for old enough uncorrelated tracks."""
    params, evs, trk = w.ctx.params, w.evs, w.trk
    ir_states = sorted(
        eid
        for eid in evs
        if evs[eid]._book.ir_cloud is not None
        and evs[eid].disposition != _RETRACTED
        and evs[eid].source == _IR
    )
    candidates = [
        tid
        for tid in sorted(trk)
        if trk[tid].n_updates >= params.radar_min_updates
        and (tid not in w.owner or evs[w.owner[tid]].source == _RADAR)
    ]
    corr: dict[int, str] = {}
    deferred: set[int] = set()
    due = [
        tid
        for tid in candidates
        if tid not in w.last_check or w.ctx.t_s - w.last_check[tid] >= params.correlation_recheck_s
    ]
    index: _IrIndex | None = None
    if due and ir_states:
        index = _IrIndex.build(w, ir_states)
        index.prepare(w, due)
        for tid in due:
            w.last_check[tid] = w.ctx.t_s
            gated = _gate(w, tid, index)
            # an ambiguous track waits until it is firm enough for the backward test, and
            # until that test tells its events apart (or it has waited long enough)
            if gated.count > 1 and _ambiguous(list(gated.smallest), trk[tid].n_updates, params):
                deferred.add(tid)
                continue
            if gated.nearest is not None:
                corr[tid] = gated.nearest
    _move_correlated(w, corr)
    _open_radar_only(w, candidates, deferred, ir_states, index)


def _move_correlated(w: Work, corr: dict[int, str]) -> None:
    """Move correlated tracks into IR events; retract emptied radar-only events as merged."""
    evs = w.evs
    for tid in sorted(corr):
        src = w.owner.get(tid)
        dst = corr[tid]
        if src is not None and src != dst:
            e = evs[src]
            rest = tuple(x for x in e.radar_track_ids if x != tid)
            evs[src] = evolve(e, radar_track_ids=rest)
            if not rest:
                evs[src] = _merged(evs[src], dst)
        w.owner[tid] = dst
        d = evs[dst]
        evs[dst] = evolve(
            d, radar_track_ids=tuple(sorted({*d.radar_track_ids, tid})), correlated=True
        )


def _merged(e: Event, into: str) -> Event:
    return evolve(e, disposition=_RETRACTED, reason=Reason.MERGED, merged_into=into)


def _open_radar_only(
    w: Work,
    candidates: list[int],
    deferred: set[int],
    ir_states: list[str],
    index: _IrIndex | None,
) -> None:
    """Radar-only events for old-enough uncorrelated tracks (join a nearby radar-only event)."""
    params, evs, trk = w.ctx.params, w.evs, w.trk
    waiting = [
        tid
        for tid in candidates
        if tid not in w.owner
        and tid not in deferred
        and w.ctx.t_s - trk[tid].first_t_s >= params.radar_only_delay_s
    ]
    if waiting and ir_states:
        index = index or _IrIndex.build(w, ir_states)
        index.prepare(w, waiting)  # their gates' traces in one propagation
    for tid in waiting:
        tr = trk[tid]
        if index is not None:
            gated = _gate(w, tid, index)
            if gated.count > 1 and _ambiguous(list(gated.smallest), tr.n_updates, params):
                continue  # an ambiguous raid track waits for its IR event (see above)
        joined = None
        for eid in sorted(evs):
            e = evs[eid]
            if e.source != _RADAR or e.disposition == _RETRACTED:
                continue
            others = [trk[x] for x in e.radar_track_ids if x in trk]
            if (
                others
                and min(float(np.linalg.norm(o.x[:3] - tr.x[:3])) for o in others)
                <= params.radar_join_m
            ):
                joined = eid
                break
        if joined is None:
            joined = w.new_event_id()
            evs[joined] = new_event(joined, _RADAR, tr.first_t_s, None)
        e = evs[joined]
        evs[joined] = evolve(e, radar_track_ids=tuple(sorted({*e.radar_track_ids, tid})))
        w.owner[tid] = joined


def merge_radar_only(w: Work) -> None:
    """Radar-only events whose traced-back launch agrees with an IR launch join it."""
    evs, trk, fusion = w.evs, w.trk, w.ctx.fusion
    launches: list[str] | None = None  # the IR launch events, found once (when needed)
    for rid in sorted(evs):
        r = evs[rid]
        if (
            r.source != _RADAR
            or r.disposition == _RETRACTED
            or r.launch_time_s is None
            or r.launch_lat_rad is None
            or r.launch_lon_rad is None
            or r.n_live_tracks == 0
        ):
            continue
        live_r = [trk[x] for x in r.radar_track_ids if x in trk]
        if not live_r:
            continue  # its tracks ended since it was last assessed: nothing to merge
        if launches is None:
            launches = [iid for iid in sorted(evs) if _ir_launch(evs[iid])]
        best_i = _launch_match(evs, launches, r, live_r, fusion, w.ctx.params)
        if best_i is None:
            continue
        moved = tuple(x for x in r.radar_track_ids if x in trk)
        d_ev = evs[best_i]
        evs[best_i] = rebook(
            evolve(
                d_ev,
                radar_track_ids=tuple(sorted({*d_ev.radar_track_ids, *moved})),
                correlated=True,
            ),
            impact_computed_t_s=-math.inf,
        )
        evs[rid] = _merged(r, best_i)
        for x in moved:
            w.owner[x] = best_i


def _ir_launch(cand: Event) -> bool:
    """An IR event at LAUNCH or above with a launch estimate (a radar-only event may join)."""
    return not (
        cand.source != _IR
        or cand.disposition == _RETRACTED
        or cand.level < Level.LAUNCH
        or cand.launch_time_s is None
        or cand.launch_lat_rad is None
        or cand.launch_lon_rad is None
    )


def _launch_match(
    evs: dict[str, Event],
    launches: list[str],
    r: Event,
    live_r: list[RadarTrack],
    fusion: FusionParams,
    params: AssessmentParams,
) -> str | None:
    """The IR event of ``launches`` (:func:`_ir_launch`, sorted ids) whose launch estimate
    the radar-only event ``r`` agrees with, within the launch gate; the best by backward
    distance, then launch-point distance; None if none, while the backward distance
    cannot tell the best from the next (:func:`_ambiguous`, on the firmest track), or when
    the best fails the backward gate (``d²`` above the correlation gate's γ: the launch
    gate is wide, 400 km, and in the salvo a radar-only event of launch F001 merged by it
    into F004's event, 28 from its burnout state, where F001's was 4)."""
    assert r.launch_time_s is not None and r.launch_lat_rad is not None
    assert r.launch_lon_rad is not None
    gated: list[tuple[str, float]] = []  # (event id, launch-point distance)
    for iid in launches:
        cand = evs[iid]
        assert cand.launch_time_s is not None and cand.launch_lat_rad is not None
        assert cand.launch_lon_rad is not None
        dt_l = abs(r.launch_time_s - cand.launch_time_s)
        dist = float(
            ground_distance_m(
                r.launch_lat_rad, r.launch_lon_rad, cand.launch_lat_rad, cand.launch_lon_rad
            )
        )
        if dt_l <= fusion.launch_gate_s and dist <= fusion.launch_gate_m:
            gated.append((iid, dist))
    # launches of a raid pass this wide gate together: rank by the track traced back to
    # the IR burnout state (the nearest of the event's tracks; each track traced back once
    # for every candidate), then by the launch-point distance
    b2s = _backward_d2s([evs[iid].ir_state for iid, _ in gated], live_r, fusion)
    best_i, best_d = None, (math.inf, math.inf)
    for (iid, dist), b2 in zip(gated, b2s, strict=True):
        if (b2, dist) < best_d:
            best_i, best_d = iid, (b2, dist)
    n_updates = max((tr.n_updates for tr in live_r), default=0)
    if len(b2s) > 1 and math.isfinite(best_d[0]) and _ambiguous(b2s, n_updates, params):
        return None
    if math.isfinite(best_d[0]) and best_d[0] > fusion.gamma:
        return None  # traced back, its tracks miss every gated launch's burnout state
    return best_i
