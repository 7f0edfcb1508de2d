"""Alert records: what the center tells people, one immutable record per change.

An alert is emitted when an event's level, disposition or reason changes (or its
``track_lost`` / ``burn_truncated`` flag), and re-issued (with ``reason``
``"impact_update"``) when its impact estimate moves materially since the last
alert of that event: the point by more than ``AssessmentParams.reissue_impact_shift_m``
(default 25 km), the time by more than ``reissue_impact_time_s`` (15 s), or the set of
threatened areas changes.

Units at this edge carry their unit in the name (``_deg``, ``_km``, ``_s``); times are
seconds since the scenario epoch plus the same instant in ISO 8601 UTC with ``Z``.
``None`` (JSON ``null``) means "not known yet". The ellipse is the 95 % containment ellipse
of the predicted impact point; its orientation is that of the semi-major axis, degrees
clockwise from north in [0, 180).

``coverage_degraded``: some sensor of the center is degraded, in outage or silent now.
``track_lost``: this event's track was cut short by a loss of coverage (its sensors lost
coverage while it was live, or the IR detector found its burn truncated) and no live
track has carried it since: its estimate is what it had then, and it is not dismissed on
it (its reason is then ``track_lost``). ``burn_truncated``: that loss came while it was
still boosting (kept once set): its burn was longer than seen, so ``vehicle_class`` and
``class_probability`` are a **lower bound** on the class (a vehicle of at least that
range) and an IR-only impact estimate falls short along track. ``declared``: the event
matches a launch notification (time, launch area, azimuth, class) and, where the
notification declares an impact area, its predicted impact region overlaps that area;
``declaration_id`` names the notification matched, and stays when a later prediction
leaves the declared impact area (``declared`` false, reason ``declaration_mismatch``).
``object_norad_id`` / ``object_name``: the catalogued object a radar-only event
matched (reason ``catalogued_object``; :mod:`earlywarn.center.rso`), else null.
``track_lost``, ``burn_truncated`` and the two ``object_`` fields were added to
``earlywarn.alert/1`` with defaults (false, null), so older records still read.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from earlywarn.center.vocabulary import Disposition, Level

__all__ = [
    "ALERT_SCHEMA",
    "Alert",
    "Level",
]

ALERT_SCHEMA = "earlywarn.alert/1"
_DISPOSITIONS = tuple(d.value for d in Disposition)


def _clean(v: Any) -> Any:
    """JSON-safe value: non-finite floats become null, tuples lists."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, tuple | list):
        return [_clean(x) for x in v]
    return v


@dataclass(frozen=True)
class Alert:
    """One alert record (schema :data:`ALERT_SCHEMA`).

    ``level`` is a :class:`~earlywarn.center.vocabulary.Level` name, ``disposition`` a
    :class:`~earlywarn.center.vocabulary.Disposition`, ``reason`` a
    :class:`~earlywarn.center.vocabulary.Reason` as text (``merged_into:<event_id>`` for a
    merge; :func:`~earlywarn.center.vocabulary.parse_reason` reads it back).
    """

    alert_id: str
    event_id: str
    t_s: float
    time_utc: str
    level: str
    disposition: str
    reason: str
    # launch estimate
    launch_time_s: float | None
    launch_time_utc: str | None
    launch_lat_deg: float | None
    launch_lon_deg: float | None
    launch_sigma_km: float | None
    azimuth_deg: float | None
    azimuth_sigma_deg: float | None
    vehicle_class: str | None
    class_probability: float | None
    # impact estimate
    impact_time_s: float | None
    impact_time_utc: str | None
    impact_time_sigma_s: float | None
    impact_lat_deg: float | None
    impact_lon_deg: float | None
    impact_ellipse_semi_major_km: float | None
    impact_ellipse_semi_minor_km: float | None
    impact_ellipse_orientation_deg: float | None
    trajectory_type: str | None
    # context
    threatened_areas: tuple[str, ...]
    raid_count: int
    phenomenologies: tuple[str, ...]
    sensor_ids: tuple[str, ...]
    declared: bool
    declaration_id: str | None
    decision_time_s: float | None
    coverage_degraded: bool
    track_lost: bool = False
    burn_truncated: bool = False
    object_norad_id: int | None = None
    object_name: str | None = None
    schema: str = ALERT_SCHEMA

    def __post_init__(self) -> None:
        if self.level not in Level.__members__:
            raise ValueError(f"level {self.level!r} is not one of {tuple(Level.__members__)}")
        if self.disposition not in _DISPOSITIONS:
            raise ValueError(f"disposition {self.disposition!r} is not one of {_DISPOSITIONS}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples as lists, NaN/inf as None)."""
        return {k: _clean(v) for k, v in asdict(self).items()}

    def to_json(self) -> str:
        """One line of JSON, keys in schema order."""
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Alert:
        """Inverse of :meth:`to_json`."""
        d = json.loads(text)
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown alert fields {sorted(unknown)}")
        if d.get("schema") != ALERT_SCHEMA:
            raise ValueError(f"alert schema {d.get('schema')!r} is not {ALERT_SCHEMA!r}")
        for k in ("threatened_areas", "phenomenologies", "sensor_ids"):
            d[k] = tuple(d[k])
        return cls(**d)
