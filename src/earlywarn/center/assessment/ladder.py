"""The ladder pass: each event's level and disposition from the evidence now.

The ladder (:class:`~earlywarn.center.vocabulary.Level`), per event:

``POSSIBLE_LAUNCH``
    an IR event has persisted (enough frames over enough time, longer for a candidate one
    satellite sees; see :class:`~earlywarn.center.assessment.AssessmentParams`) and is not
    a stationary source, or a confirmed radar track of a sub-orbital object that no IR
    event explains (a radar-only event). Shorter-lived IR candidates are followed silently
    (level ``NONE``, no alert) and forgotten when the detector drops them.
``LAUNCH``
    the IR event is kinematically confirmed (status ``boosting``, or it has burnt out), with
    launch point, time, azimuth and class; a radar-only event reaches it once its track
    gives a ballistic impact prediction from a ballistic fit (a track the ballistic
    model's gate has held for ``radar_launch_min_updates`` updates, its innovations
    consistent with the model over them at ``radar_fit_probability``: the folded echo of
    the Moon never is) and its perigee is surely a missile's (below
    ``reentry_min_perigee_alt_m`` at 95 %: never a satellite's or a decaying body's); its
    "launch point" is then the ballistic arc traced back to the ground, which ignores the
    powered phase: hundreds of km off.
``THREAT``
    the predicted impact's 95 % ellipse overlaps a defended area (for an IR-only event,
    only when two satellites see it: see ``ir_threat_needs_stereo``; for a radar-only
    event, only when the ellipse is bounded and no wider than
    ``radar_threat_max_semi_major_m``, 1,000 km).
``ATTACK_CONFIRMED``
    dual phenomenology: the event is a THREAT **and** an IR event and a radar track agree
    (the radar track passes the fusion chi-square test against the IR state, or its
    ballistic arc traced back lands near the IR launch point) **and** that track is firm
    (``radar_confirm_min_updates``). An event
    with only one kind of sensor behind it can never reach this level, by construction:
    the test needs both an IR event id and a correlated radar track id.

A level once reached is never lowered. Dispositions
(:class:`~earlywarn.center.vocabulary.Disposition`, re-evaluated each step; RETRACTED is
final): ``OPEN``; ``NOT_A_THREAT`` with a :class:`~earlywarn.center.vocabulary.Reason`,
each only on the evidence :mod:`earlywarn.center.assessment.evidence` states —
``orbit`` (the state's perigee above the atmosphere at a stated confidence; from IR alone
also a body the detector calls ``orbital`` that was never seen to launch),
``sounding_rocket_local_impact`` (near-vertical flight falling within
``sounding_max_range_m`` of its launch point) and ``impact_outside_defended_areas`` (both
only when the impact region at the dismissal confidence clears every defended area by a
margin, never on a wide mono estimate or a state still thrusting; the latter never on a
raid's IR state, ``raid_dismissal_needs_radar``), ``stationary_source``
(IR event status); for a radar-only event ``catalogued_object``,
``uncorrelated_orbital_object`` and ``reentry`` (a space object: judged before LAUNCH and
never raised above POSSIBLE_LAUNCH; :mod:`earlywarn.center.rso`); ``RETRACTED`` — a
POSSIBLE_LAUNCH with no new evidence for
``retract_after_s`` (``no_confirmation``; never while a sensor that saw it is degraded or
its track was lost to a loss of coverage, since silence is not evidence), a radar-only
event whose tracks were lost before LAUNCH (``track_lost``, unless coverage was lost).
(A radar-only event merged into an IR event, ``merged_into:<event_id>``, is retracted by
the correlation pass.)

An OPEN event's reason says why it stands where it does: ``track_lost`` when a loss of
coverage cut its track short (at any level; it is then never dismissed nor retracted
until a live track carries it again), else ``declaration_mismatch`` when its predicted
impact left the impact area of the notification it matched, else ``impact_uncertain``
at LAUNCH when an impact is predicted but the evidence to dismiss is not there, else the
reason of its level.

A dismissal is not final: it is re-evaluated whenever the event's state changes, so a
NOT_A_THREAT made on an early estimate is lifted (and the level raised) when a
correlated radar track predicts impact in a defended area.
"""

from __future__ import annotations

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Ctx, Event, finite_or_none
from earlywarn.center.assessment.evidence import (
    ballistic_with_confidence,
    clears_areas,
    coverage_loss,
    mono_too_wide,
    orbital_insertion,
    orbital_with_confidence,
    radar_threat_bounded,
    raid_ir_state,
    reentering,
)
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m, orbit_summary
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Reason, Source

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_OPEN = Disposition.OPEN
_RETRACTED = Disposition.RETRACTED
_LAUNCH = Level.LAUNCH
_NONE = Level.NONE
_POSSIBLE_LAUNCH = Level.POSSIBLE_LAUNCH
_THREAT = Level.THREAT
_IMPACT_UNCERTAIN = Reason.IMPACT_UNCERTAIN
_TRACK_LOST = Reason.TRACK_LOST
_UNSET = Reason.UNSET
_IR = Source.IR
_RADAR = Source.RADAR

__all__ = ["evaluate_level", "orbital_insertion", "persistent"]

_OPEN_REASON = {
    (Level.POSSIBLE_LAUNCH, Source.IR): Reason.IR_DETECTION,
    (Level.POSSIBLE_LAUNCH, Source.RADAR): Reason.RADAR_TRACK,
    (Level.LAUNCH, Source.IR): Reason.KINEMATIC_LAUNCH,
    (Level.LAUNCH, Source.RADAR): Reason.BALLISTIC_RADAR_TRACK,
    (Level.THREAT, Source.IR): Reason.IMPACT_IN_DEFENDED_AREA,
    (Level.THREAT, Source.RADAR): Reason.IMPACT_IN_DEFENDED_AREA,
    (Level.ATTACK_CONFIRMED, Source.IR): Reason.IR_RADAR_CORRELATED,
    (Level.ATTACK_CONFIRMED, Source.RADAR): Reason.IR_RADAR_CORRELATED,
}
"""The reason of an OPEN event, by level and source."""


def _judge(ev: Event, ir: IrEventLike | None, ctx: Ctx) -> tuple[Reason | None, Reason | None]:
    """(why the event is NOT_A_THREAT, or None; why it is held open instead, or None).

    The evidence each dismissal needs is in :mod:`earlywarn.center.assessment.evidence`.
    """
    params = ctx.params
    if ir is not None and ir.status == "stationary":
        return Reason.STATIONARY_SOURCE, None
    # once a radar track carries the event's state, the radar decides orbit vs ballistic
    if ev.track_lost:
        return None, _TRACK_LOST  # never dismissed on a truncated fit
    radar_state = ev.primary_track_id is not None
    if not radar_state and ir is not None and ir.status == "orbital" and ev.level < _LAUNCH:
        return Reason.ORBIT, None  # a body in orbit when first seen, never seen to launch
    if orbital_with_confidence(ev, params):
        return Reason.ORBIT, None
    imp = ev.impact
    if imp is None:
        return None, None  # nothing to judge yet
    if (
        not imp.ok
        or bool(ev.threatened_areas)
        or (not radar_state and orbital_insertion(ev.burnout_x, params))
        or mono_too_wide(ev, params)
        or not clears_areas(ev, ctx.areas, params)
    ):
        return None, _IMPACT_UNCERTAIN
    if ev.launch_lat_rad is not None and ev.launch_lon_rad is not None and ev.source == _IR:
        d = float(ground_distance_m(ev.launch_lat_rad, ev.launch_lon_rad, imp.lat_rad, imp.lon_rad))
        bo = ev.burnout_x if ev.burnout_x is not None else ev.x
        gam = abs(orbit_summary(bo).gamma_rad) if bo is not None else 0.0
        if d <= params.sounding_max_range_m and gam >= params.sounding_min_gamma_rad:
            return Reason.SOUNDING_ROCKET_LOCAL_IMPACT, None
    if raid_ir_state(ev, params):
        return None, _IMPACT_UNCERTAIN
    return Reason.IMPACT_OUTSIDE_DEFENDED_AREAS, None


def _raise(ev: Event, lvl: Level, t_s: float) -> Event:
    if lvl <= ev.level:
        return ev
    times = list(ev.level_times)
    for k in Level:
        if ev.level < k <= lvl:
            times.append((k.name, t_s))
    conf = t_s if lvl >= Level.ATTACK_CONFIRMED and ev.confirmed_t_s is None else ev.confirmed_t_s
    return evolve(ev, level=lvl, level_times=tuple(times), confirmed_t_s=conf)


def _sensors_degraded(ev: Event, ctx: Ctx) -> bool:
    return any(ctx.health[s].degraded for s in ev.sensor_ids if s in ctx.health)


def evaluate_level(ev: Event, ir: IrEventLike | None, ctx: Ctx) -> Event:
    """Level and disposition from the evidence now (level never goes down)."""
    if ev.disposition == _RETRACTED:
        return ev
    t = ctx.t_s
    ev = coverage_loss(ev, ir, ctx)
    launched = False
    if ev.source == _IR and ir is not None:
        launched = ir.status == "boosting" or (
            ir.status in ("ended", "orbital") and finite_or_none(ir.burnout_time_s) is not None
        )
        launched = launched and finite_or_none(ir.launch_time_s) is not None
    if ev.level == _NONE and ev.source == _IR:
        if ir is None or not (launched or persistent(ir, ctx.params)):
            why = _judge(ev, ir, ctx)[0] if ir is not None else None
            if why is not None:
                return evolve(ev, disposition=Disposition.NOT_A_THREAT, reason=why)
            return ev
    ev = _raise(ev, _POSSIBLE_LAUNCH, t)
    if ev.source == _RADAR:
        space = _space_object(ev, ctx)
        if space is not None:
            return space
        launched = ev.impact is not None and ev.impact.ok
        if launched and ev.level < _LAUNCH:
            # a ballistic fit: the tracker's ballistic gate held the track long enough
            launched = (
                ev._book.max_fit_updates >= ctx.params.radar_launch_min_updates
                and ballistic_with_confidence(ev, ctx.params)
            )
    if launched or ev.level >= _LAUNCH:
        ev = _raise(ev, _LAUNCH, t)
    why, hold = _judge(ev, ir, ctx)
    threat = bool(ev.threatened_areas) and ev.level >= _LAUNCH and why is None
    if threat and ev.source == _RADAR and not radar_threat_bounded(ev, ctx.params):
        threat = False  # an ellipse too wide (or unbounded) to say which area is meant
    if (
        threat
        and ctx.params.ir_threat_needs_stereo
        and not ev.radar_track_ids
        and ev.source == _IR
        and not ev.stereo
    ):
        threat = False
    if threat:
        ev = _raise(ev, _THREAT, t)
        if (
            ev.correlated
            and ev.ir_event_id is not None
            and ev.radar_track_ids
            and ev._book.max_track_updates >= ctx.params.radar_confirm_min_updates
        ):
            ev = _raise(ev, Level.ATTACK_CONFIRMED, t)
    if why is not None:
        if ev.disposition == Disposition.NOT_A_THREAT and ev.reason == why:
            return ev
        return evolve(ev, disposition=Disposition.NOT_A_THREAT, reason=why)
    # retraction: unconfirmed and silent for long, unless its sensors are degraded or its
    # track was cut short by a loss of coverage (silence is not evidence)
    if (
        ev.level <= _POSSIBLE_LAUNCH
        and t - ev.last_evidence_t_s > ctx.params.retract_after_s
        and not ev.track_lost
        and not _sensors_degraded(ev, ctx)
    ):
        return evolve(ev, disposition=_RETRACTED, reason=Reason.NO_CONFIRMATION)
    if ev.source == _RADAR and ev.n_live_tracks == 0 and ev.level < _LAUNCH and not ev.track_lost:
        return evolve(ev, disposition=_RETRACTED, reason=_TRACK_LOST)
    reason = _open_reason(ev, hold)
    if ev.disposition == _OPEN and ev.reason == reason:
        return ev  # unchanged (a copy is not free)
    return evolve(ev, disposition=_OPEN, reason=reason)


def _space_object(ev: Event, ctx: Ctx) -> Event | None:
    """A radar-only event judged a space object (:mod:`earlywarn.center.rso`): catalogued,
    uncorrelated in orbit, or re-entering; None when it is none of them (or cannot be
    judged now, unless it already was one: a space object whose track ended keeps its
    reason)."""
    params = ctx.params
    if ev.track_lost or ev.x is None or ev.p is None or ev.n_live_tracks == 0:
        if ev.disposition == Disposition.NOT_A_THREAT and ev.reason in SPACE_OBJECT_REASONS:
            return ev
        return None
    match = None
    if ctx.catalog is not None and ev.state_t_s is not None:
        match = ctx.catalog.match(ev.x, ev.p, ev.state_t_s)
    obj = ev.catalog_object
    if match is not None:
        why, obj = Reason.CATALOGUED_OBJECT, (match.norad_id, match.name)
    elif orbital_with_confidence(ev, params) or (
        ev.was_in_orbit
        and ev.reason in (Reason.CATALOGUED_OBJECT, Reason.UNCORRELATED_ORBITAL_OBJECT)
        and orbit_summary(ev.x).perigee_alt_m > params.orbit_perigee_alt_m
    ):
        # once in orbit, an object stays so while its mean perigee is above the line, and
        # a catalogued one stays catalogued (one step's gate failing is noise, not a new
        # object): no flapping between reasons
        if ev.reason == Reason.CATALOGUED_OBJECT:
            why = Reason.CATALOGUED_OBJECT
        else:
            why = Reason.UNCORRELATED_ORBITAL_OBJECT
    elif reentering(ev, params):
        why = Reason.REENTRY
    else:
        return None
    if why is Reason.UNCORRELATED_ORBITAL_OBJECT:
        obj = None
    in_orbit = ev.was_in_orbit or why is not Reason.REENTRY
    if (
        ev.disposition == Disposition.NOT_A_THREAT
        and ev.reason == why
        and ev.catalog_object == obj
        and ev.was_in_orbit == in_orbit
    ):
        return ev
    return evolve(
        ev,
        disposition=Disposition.NOT_A_THREAT,
        reason=why,
        catalog_object=obj,
        was_in_orbit=in_orbit,
    )


def _open_reason(ev: Event, hold: Reason | None) -> Reason:
    """The reason of an OPEN event: its track lost (at any level), then a declaration its
    impact left, then an impact too uncertain to judge (below THREAT), else its level's."""
    if hold is _TRACK_LOST:
        return hold
    if ev.declaration_mismatch and ev.level >= _LAUNCH:
        return Reason.DECLARATION_MISMATCH
    if hold is _IMPACT_UNCERTAIN and ev.level == _LAUNCH:
        return hold
    return _OPEN_REASON.get((ev.level, ev.source), _UNSET)


def persistent(ir: IrEventLike, params: AssessmentParams) -> bool:
    """Enough supporting frames over enough time to announce a candidate (not stationary)."""
    if ir.status in ("stationary", "orbital"):
        return False
    if not ir.stereo and not params.ir_mono_persistence:
        return False
    frames = getattr(ir, "n_frames", None)
    span = getattr(ir, "span_s", None)
    n = int(frames) if frames else int(ir.n_reports)
    sp = float(span) if span else float(ir.last_t_s) - float(ir.first_t_s)
    return n >= params.ir_min_frames and sp >= params.ir_min_span_s
