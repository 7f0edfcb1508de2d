"""Assessment: from IR events and radar tracks to events on the ladder, and alerts.

:func:`assess` runs named passes over the center's events, each in its own module:

============================  ================================================================
:mod:`.correlate`             IR events → events; IR burnout states carried on; radar tracks ↔
                              IR events (forward and backward gates); radar-only events;
                              merges of radar-only events into IR events
:mod:`.estimate`              per event: evidence of its live tracks, state estimate (radar,
                              fused, or IR), impact prediction, trajectory type, threatened
                              areas
:mod:`.declarations`          per event: matching a declared launch, and checking its
                              predicted impact against a declared impact area
:mod:`.ladder`                per event: level (the ladder) and disposition with its reason,
                              each dismissal only on the evidence :mod:`.evidence` states
                              (impact region at a stated confidence, orbit with confidence,
                              never on a track cut short by a loss of coverage)
:mod:`.raid`                  raid count: distinct launch events per cluster
============================  ================================================================

Around it, :mod:`.health` (:func:`update_health`, before) folds status reports into the
sensor health table, and :mod:`.alerts` (:func:`make_alerts`, after) issues an alert for
every change of level or disposition and every material change of the impact estimate.
:mod:`.event` holds the :class:`Event` value (the center's belief about one launch, with
its step bookkeeping kept privately), :mod:`.params` the configuration values.
The vocabularies (level, disposition, reason, source) are in
:mod:`earlywarn.center.vocabulary`.

Every pass iterates over sorted ids, so the same inputs give the same events, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from earlywarn.center.assessment.alerts import make_alerts
from earlywarn.center.assessment.correlate import (
    carry_ir_states,
    correlate_tracks,
    index_owners,
    merge_radar_only,
    take_ir_events,
)
from earlywarn.center.assessment.declarations import declare
from earlywarn.center.assessment.estimate import (
    StateUpdate,
    characterise,
    gather_evidence,
    impacts,
    update_state,
)
from earlywarn.center.assessment.event import Ctx, Event, ImpactRecord, Work, rebook
from earlywarn.center.assessment.health import SensorHealth, update_health
from earlywarn.center.assessment.ladder import evaluate_level
from earlywarn.center.assessment.params import AssessmentParams, DefendedArea, LaunchNotification
from earlywarn.center.assessment.raid import count_raids
from earlywarn.center.characterise import ImpactEstimate
from earlywarn.center.fusion import FusionParams
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.radar_tracking import RadarTrack
from earlywarn.center.rso import StepCatalog
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Source

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_RETRACTED = Disposition.RETRACTED
_NONE = Level.NONE
_IR = Source.IR

__all__ = [
    "AssessmentParams",
    "DefendedArea",
    "Event",
    "ImpactRecord",
    "LaunchNotification",
    "SensorHealth",
    "assess",
    "make_alerts",
    "update_health",
]


def assess(
    events: tuple[Event, ...],
    next_event_no: int,
    ir_events: Sequence[IrEventLike],
    tracks: Sequence[RadarTrack],
    health: tuple[SensorHealth, ...],
    t_s: float,
    *,
    areas: tuple[DefendedArea, ...],
    notices: tuple[LaunchNotification, ...],
    params: AssessmentParams,
    fusion: FusionParams,
    checks: tuple[tuple[int, float], ...] = (),
    catalog: StepCatalog | None = None,
) -> tuple[tuple[Event, ...], int, tuple[tuple[int, float], ...]]:
    """One assessment pass at ``t_s``.

    ``ir_events`` are the IR detector's current events, ``tracks`` the confirmed radar
    tracks, ``checks`` the time each uncorrelated track was last tested against the IR
    events (a track is tested when it becomes a candidate, then every
    ``correlation_recheck_s``). Returns the updated events, the next event number and
    the new ``checks``. ``catalog``: the center's catalog for this step (radar-only
    events that match it are catalogued objects; :mod:`earlywarn.center.rso`).
    Deterministic: every iteration is over sorted ids.
    """
    w = Work(
        ctx=Ctx(t_s, areas, notices, params, fusion, {h.sensor_id: h for h in health}, catalog),
        evs={e.event_id: e for e in events},
        irs={str(ie.event_id): ie for ie in ir_events},
        trk={tr.track_id: tr for tr in tracks},
        next_event_no=next_event_no,
        last_check=dict(checks),
        t_trk=tracks[0].t_s if tracks else None,
    )
    # evidence → events
    take_ir_events(w)
    index_owners(w)
    carry_ir_states(w)
    correlate_tracks(w)
    merge_radar_only(w)
    # per event: state, characterisation, declaration, level (the impact predictions of
    # every changed state in one call between the estimate and the rest)
    todo = [eid for eid in sorted(w.evs) if not _settled(w.evs[eid], eid in w.touched, w.trk)]
    updates = [_estimate_event(w, w.evs[eid]) for eid in todo]
    for eid, (e, imp) in zip(todo, impacts(updates, params), strict=True):
        w.evs[eid] = _judge_event(w, e, imp)
    _forget_unannounced(w)
    count_raids(w.evs, params, fusion)
    new_checks = tuple(sorted((k, v) for k, v in w.last_check.items() if k in w.trk))
    return tuple(w.evs[k] for k in sorted(w.evs)), w.next_event_no, new_checks


def _settled(e: Event, touched: bool, live: Mapping[int, RadarTrack]) -> bool:
    """Nothing in the event can change this step: retracted; or without a radar track, a
    new IR snapshot or a running timer (not announced, or dismissed); or a space object
    whose tracks have all ended (it keeps its reason: :mod:`earlywarn.center.rso`; on a
    quiet day hundreds of them pile up, and each would be looked at every step)."""
    if e.disposition == _RETRACTED:
        return True
    if touched:
        return False
    if not e.radar_track_ids:
        return e.level == _NONE or e.disposition == Disposition.NOT_A_THREAT
    return (
        e.disposition == Disposition.NOT_A_THREAT
        and e.reason in SPACE_OBJECT_REASONS
        and not any(k in live for k in e.radar_track_ids)
    )


def _estimate_event(w: Work, e: Event) -> StateUpdate:
    """The estimate pass over one event: its evidence and state."""
    eid = e.event_id
    e, mine = gather_evidence(e, w.trk, w.ctx.params)
    up = update_state(e, mine, w.ir_at, w.ctx)
    # keep the cloud ``ir_at`` advanced meanwhile (it replaced evs[eid]): the next
    # step then propagates it from here, not again from the burnout time
    if w.evs[eid]._book.ir_cloud is not up.event._book.ir_cloud:
        up = StateUpdate(rebook(up.event, ir_cloud=w.evs[eid]._book.ir_cloud), up.changed, up.rv)
    return up


def _judge_event(w: Work, e: Event, imp: ImpactEstimate | None) -> Event:
    """The characterisation (when the state changed: ``imp`` its impact), declarations and
    ladder passes over one event (the declaration first: the ladder's reason says when a
    declared impact area was left)."""
    if imp is not None:
        e = characterise(e, w.ctx, imp)
    e = declare(e, w.ctx.notices, w.ctx.params)
    ir = w.irs.get(e.ir_event_id) if e.ir_event_id is not None else None
    return evaluate_level(e, ir, w.ctx)


def _forget_unannounced(w: Work) -> None:
    """Candidates never announced whose IR event is gone leave no trace."""
    for eid in sorted(w.evs):
        e = w.evs[eid]
        if (
            e.level == _NONE
            and e.source == _IR
            and e.ir_event_id not in w.irs
            and not e.radar_track_ids
        ):
            del w.evs[eid]
