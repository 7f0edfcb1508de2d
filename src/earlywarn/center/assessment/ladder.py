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
    gives a ballistic impact prediction (its "launch point" is then the ballistic arc
    traced back to the ground, which ignores the powered phase: hundreds of km off).
``THREAT``
    the predicted impact's 95 % ellipse overlaps a defended area (for an IR-only event,
    only when two satellites see it: see ``ir_threat_needs_stereo``).
``ATTACK_CONFIRMED``
    dual phenomenology: the event is a THREAT **and** an IR event and a radar track agree
    (the radar track passes the fusion chi-square test against the IR state, or its
    ballistic arc traced back lands near the IR launch point) **and** that track is firm
    (``radar_confirm_min_updates``). An event
    with only one kind of sensor behind it can never reach this level, by construction:
    the test needs both an IR event id and a correlated radar track id.

A level once reached is never lowered. Dispositions
(:class:`~earlywarn.center.vocabulary.Disposition`, re-evaluated each step; RETRACTED is
final): ``OPEN``; ``NOT_A_THREAT`` with a :class:`~earlywarn.center.vocabulary.Reason` —
``orbit`` (perigee above ``orbit_perigee_alt_m`` or speed above circular, no impact on a
conic that misses the Earth, or — from IR alone, never over a radar track's state — the
IR event says ``orbital`` or its burnout state is still boosting at orbital altitude with
near-horizontal velocity, see :func:`orbital_insertion`), ``sounding_rocket_local_impact``
(near-vertical flight falling within ``sounding_max_range_m`` of its launch point),
``stationary_source`` (IR event status), ``impact_outside_defended_areas``; ``RETRACTED``
— a POSSIBLE_LAUNCH with no new evidence for ``retract_after_s`` (``no_confirmation``;
never while a sensor that saw it is degraded, since silence is not evidence), a radar-only
event whose tracks were lost before LAUNCH (``track_lost``). (A radar-only event merged
into an IR event, ``merged_into:<event_id>``, is retracted by the correlation pass.)

A dismissal is not final: it is re-evaluated whenever the event's state changes, so a
NOT_A_THREAT made on an early IR estimate is lifted (and the level raised) when a
correlated radar track predicts impact in a defended area.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Ctx, Event, finite_or_none
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m, orbit_summary
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.vocabulary import Disposition, Level, Reason, Source
from earlywarn.earth.frames import ecef_to_geodetic

FloatArray = npt.NDArray[np.float64]

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


def orbital_insertion(x: FloatArray | None, params: AssessmentParams) -> bool:
    """Still boosting at orbital altitude with near-horizontal velocity (an IR state).

    The IR burnout state of a space launch is often taken before final burnout (the last
    stage burns long and faint), so its speed is short of circular and its perigee below
    ground. Ballistic missiles burn out lower (ICBM ≲ 300 km) and climbing (γ ≳ 20°; a
    depressed trajectory flies flat but low); a vehicle still thrusting above
    :attr:`AssessmentParams.insertion_min_alt_m`, within
    :attr:`~AssessmentParams.insertion_max_gamma_rad` of horizontal and already at
    :attr:`~AssessmentParams.insertion_min_speed_ratio` of circular speed is putting
    something into orbit.
    """
    if x is None:
        return False
    o = orbit_summary(x)
    # the geodetic height last: it costs more than the rest together, and a ballistic
    # burnout state fails the flight-path test already
    return (
        abs(o.gamma_rad) <= params.insertion_max_gamma_rad
        and o.speed_ratio >= params.insertion_min_speed_ratio
        and float(ecef_to_geodetic(np.asarray(x[:3], dtype=np.float64))[2])
        >= params.insertion_min_alt_m
    )


def _non_threat(ev: Event, ir: IrEventLike | None, ctx: Ctx) -> Reason | None:
    if ir is not None and ir.status == "stationary":
        return Reason.STATIONARY_SOURCE
    # once a radar track carries the event's state, the radar decides orbit vs ballistic:
    # an IR-only "orbit" (detector status, early burnout state) must not override it
    radar_state = ev.primary_track_id is not None
    if not radar_state and ir is not None and ir.status == "orbital":
        return Reason.ORBIT
    if not radar_state and orbital_insertion(ev.burnout_x, ctx.params):
        return Reason.ORBIT
    if ev.x is not None:
        orb = ev.orbit if ev.orbit is not None else orbit_summary(ev.x)
        if orb.perigee_alt_m > ctx.params.orbit_perigee_alt_m or orb.speed_ratio >= 1.0:
            return Reason.ORBIT
        # no impact within the horizon is an orbit only if the conic misses the Earth (a
        # state already at or below the ground — a track coasting past impact — is not)
        if ev.impact is not None and not ev.impact.ok and orb.perigee_alt_m > 0.0:
            return Reason.ORBIT
    imp = ev.impact
    if imp is not None and imp.ok:
        if (
            ev.launch_lat_rad is not None
            and ev.launch_lon_rad is not None
            and ev.source == Source.IR
            and not ev.threatened_areas
        ):
            d = float(
                ground_distance_m(ev.launch_lat_rad, ev.launch_lon_rad, imp.lat_rad, imp.lon_rad)
            )
            bo = ev.burnout_x if ev.burnout_x is not None else ev.x
            gam = abs(orbit_summary(bo).gamma_rad) if bo is not None else 0.0
            if d <= ctx.params.sounding_max_range_m and gam >= ctx.params.sounding_min_gamma_rad:
                return Reason.SOUNDING_ROCKET_LOCAL_IMPACT
        if not ev.threatened_areas:
            return Reason.IMPACT_OUTSIDE_DEFENDED_AREAS
    return None


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
    if ev.disposition == Disposition.RETRACTED:
        return ev
    t = ctx.t_s
    launched = False
    if ev.source == Source.IR and ir is not None:
        launched = ir.status == "boosting" or (
            ir.status in ("ended", "orbital") and finite_or_none(ir.burnout_time_s) is not None
        )
        launched = launched and finite_or_none(ir.launch_time_s) is not None
    if ev.level == Level.NONE and ev.source == Source.IR:
        if ir is None or not (launched or persistent(ir, ctx.params)):
            why = _non_threat(ev, ir, ctx) if ir is not None else None
            if why is not None:
                return evolve(ev, disposition=Disposition.NOT_A_THREAT, reason=why)
            return ev
    ev = _raise(ev, Level.POSSIBLE_LAUNCH, t)
    if ev.source == Source.RADAR:
        launched = ev.impact is not None and ev.impact.ok
    if launched or ev.level >= Level.LAUNCH:
        ev = _raise(ev, Level.LAUNCH, t)
    why = _non_threat(ev, ir, ctx)
    threat = bool(ev.threatened_areas) and ev.level >= Level.LAUNCH and why is None
    if (
        threat
        and ctx.params.ir_threat_needs_stereo
        and not ev.radar_track_ids
        and ev.source == Source.IR
        and not ev.stereo
    ):
        threat = False
    if threat:
        ev = _raise(ev, Level.THREAT, t)
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
    # retraction: unconfirmed and silent for long, unless its sensors are degraded
    if (
        ev.level <= Level.POSSIBLE_LAUNCH
        and t - ev.last_evidence_t_s > ctx.params.retract_after_s
        and not _sensors_degraded(ev, ctx)
    ):
        return evolve(ev, disposition=Disposition.RETRACTED, reason=Reason.NO_CONFIRMATION)
    if ev.source == Source.RADAR and ev.n_live_tracks == 0 and ev.level < Level.LAUNCH:
        return evolve(ev, disposition=Disposition.RETRACTED, reason=Reason.TRACK_LOST)
    reason = _OPEN_REASON.get((ev.level, ev.source), Reason.UNSET)
    if ev.disposition == Disposition.OPEN and ev.reason == reason:
        return ev  # unchanged (a copy is not free)
    return evolve(ev, disposition=Disposition.OPEN, reason=reason)


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
