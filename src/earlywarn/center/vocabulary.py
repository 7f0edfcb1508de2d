"""The center's closed vocabularies: the ladder, dispositions, reasons, sources, trajectory
types and sensor-health reasons.

Each is an :class:`enum.StrEnum` (``Level`` an :class:`enum.IntEnum`: it is ordered). A
member *is* its text: it compares equal to the string, formats as it and serialises to
JSON as it, so alert records and evaluation tables read exactly as they did when these
were bare strings.

A reason with a parameter — an event merged into another, ``merged_into:<event_id>`` — is
:attr:`Reason.MERGED` plus the target's id in its own field
(:attr:`earlywarn.center.assessment.Event.merged_into`); :func:`reason_text` joins the two
into the text alerts carry, :func:`parse_reason` splits it again.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = [
    "NOT_A_THREAT_REASONS",
    "SPACE_OBJECT_REASONS",
    "Disposition",
    "HealthReason",
    "Level",
    "Reason",
    "Source",
    "TrajectoryType",
    "parse_reason",
    "reason_text",
]


class Level(IntEnum):
    """The assessment ladder, in order; an event's level never goes down."""

    NONE = 0
    POSSIBLE_LAUNCH = 1
    LAUNCH = 2
    THREAT = 3
    ATTACK_CONFIRMED = 4


class Disposition(StrEnum):
    """``OPEN``: being assessed. ``NOT_A_THREAT``: with a reason (one of
    :data:`NOT_A_THREAT_REASONS`). ``RETRACTED``: the evidence is gone (a candidate never
    confirmed, a radar-only event whose tracks were lost or that merged into another);
    final."""

    OPEN = "OPEN"
    NOT_A_THREAT = "NOT_A_THREAT"
    RETRACTED = "RETRACTED"


class Reason(StrEnum):
    """Why an event stands where it does (its disposition and level), and why an alert
    was issued."""

    UNSET = ""
    """A candidate not yet announced (level ``NONE``): no reason yet."""
    # OPEN, by level
    IR_DETECTION = "ir_detection"
    RADAR_TRACK = "radar_track"
    KINEMATIC_LAUNCH = "kinematic_launch"
    BALLISTIC_RADAR_TRACK = "ballistic_radar_track"
    IMPACT_IN_DEFENDED_AREA = "impact_in_defended_area"
    IR_RADAR_CORRELATED = "ir_radar_correlated"
    # OPEN, whatever the level: why the event is not dismissed (or not yet judged)
    IMPACT_UNCERTAIN = "impact_uncertain"
    """The impact region at the dismissal confidence does not clear every defended area
    (or cannot be bounded: an estimate still thrusting, sigma points that orbit, a mono
    estimate with a wide ellipse): the event stays at its level and is judged again as
    evidence arrives."""
    DECLARATION_MISMATCH = "declaration_mismatch"
    """The event matched a launch notification, but its predicted impact left the
    notification's declared impact area: the declaration does not cover it."""
    # NOT_A_THREAT
    ORBIT = "orbit"
    SOUNDING_ROCKET_LOCAL_IMPACT = "sounding_rocket_local_impact"
    IMPACT_OUTSIDE_DEFENDED_AREAS = "impact_outside_defended_areas"
    STATIONARY_SOURCE = "stationary_source"
    CATALOGUED_OBJECT = "catalogued_object"
    """A radar track whose state matches an object of the center's own catalog (its
    NORAD id and name are in the alert): a known resident space object."""
    UNCORRELATED_ORBITAL_OBJECT = "uncorrelated_orbital_object"
    """A radar-only track in orbit (perigee above the atmosphere at the orbit confidence)
    that matches no catalogued object: reported for the space surveillance people, never
    a missile."""
    REENTRY = "reentry"
    """A radar-only track coming down with no IR launch behind it, whose osculating orbit
    is that of a decaying object (perigee near the atmosphere, not thousands of km below
    the surface as a ballistic missile's), or that was seen in orbit before."""
    # RETRACTED
    NO_CONFIRMATION = "no_confirmation"
    TRACK_LOST = "track_lost"
    """A radar-only event whose tracks were lost before LAUNCH (RETRACTED); or an OPEN
    event whose track a loss of coverage cut short (its sensors degraded, in outage or
    silent while it was live, or the IR detector's ``burn_truncated``): it is never
    dismissed on the truncated fit."""
    MERGED = "merged_into"
    """Merged into another event, whose id the event holds beside the reason."""
    # an alert re-issued for a material change of the impact estimate
    IMPACT_UPDATE = "impact_update"


NOT_A_THREAT_REASONS = (
    Reason.ORBIT,
    Reason.SOUNDING_ROCKET_LOCAL_IMPACT,
    Reason.IMPACT_OUTSIDE_DEFENDED_AREAS,
    Reason.STATIONARY_SOURCE,
    Reason.CATALOGUED_OBJECT,
    Reason.UNCORRELATED_ORBITAL_OBJECT,
    Reason.REENTRY,
)
"""The reasons an event is ``NOT_A_THREAT``."""

SPACE_OBJECT_REASONS = (
    Reason.CATALOGUED_OBJECT,
    Reason.UNCORRELATED_ORBITAL_OBJECT,
    Reason.REENTRY,
)
"""The reasons that say a radar-only event is a space object, not a launch: such an
event is never raised above ``POSSIBLE_LAUNCH`` nor counted in a raid."""


def reason_text(reason: Reason, merged_into: str | None = None) -> str:
    """The reason as alerts write it: its value, ``merged_into:<event_id>`` for a merge."""
    if reason is Reason.MERGED:
        if merged_into is None:
            raise ValueError("a merged event's reason needs the id of the event it joined")
        return f"{reason.value}:{merged_into}"
    return reason.value


def parse_reason(text: str) -> tuple[Reason, str | None]:
    """Inverse of :func:`reason_text`: the reason and the merge target (None if not merged).

    Raises ValueError for a text that is no reason of the center's.
    """
    head, sep, target = text.partition(":")
    if sep:
        if head != Reason.MERGED.value or not target:
            raise ValueError(f"{text!r} is not a reason (only merged_into:<event_id> has a ':')")
        return Reason.MERGED, target
    try:
        reason = Reason(text)
    except ValueError:
        raise ValueError(f"{text!r} is not one of {[r.value for r in Reason]}") from None
    if reason is Reason.MERGED:
        raise ValueError("merged_into needs the id of the event merged into: merged_into:<id>")
    return reason, None


class Source(StrEnum):
    """A phenomenology: what created an event, and which kinds of sensor support it."""

    IR = "ir"
    RADAR = "radar"


class TrajectoryType(StrEnum):
    """The flight-path class of a ballistic arc against the minimum-energy one."""

    MINIMUM_ENERGY = "minimum_energy"
    LOFTED = "lofted"
    DEPRESSED = "depressed"
    UNKNOWN = "unknown"


class HealthReason(StrEnum):
    """Why a sensor's coverage counts as degraded, or ``ok``."""

    OK = "ok"
    REPORTED_DEGRADED = "reported_degraded"
    REPORTED_OUTAGE = "reported_outage"
    MISSING_HEARTBEAT = "missing_heartbeat"
