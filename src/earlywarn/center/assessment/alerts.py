"""The alerts pass: an alert for each event whose level, disposition or reason changed
(or whose track was lost, or burn found truncated), or whose impact estimate moved
materially, since its last alert.

A re-issue for the impact (reason ``impact_update``) needs the point to move more than
:attr:`~earlywarn.center.assessment.AssessmentParams.reissue_impact_shift_m`, the time
more than ``reissue_impact_time_s``, or the threatened areas, raid count or declaration to
change. Events below POSSIBLE_LAUNCH never alert. Alert records are the edge: degrees and
km with the unit in the name (:class:`earlywarn.center.alerts.Alert`); an alert's
``reason`` is the event's :attr:`~earlywarn.center.assessment.Event.reason_text`.
"""

from __future__ import annotations

import math
from enum import Enum, auto

from earlywarn.center.alerts import Alert
from earlywarn.center.assessment.event import Event, finite_or_none, rebook
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Reason
from earlywarn.earth.time import iso_utc

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_NONE = Level.NONE

__all__ = ["make_alerts"]

_DEG = math.pi / 180.0


class _Change(Enum):
    """What changed materially since an event's last alert."""

    NEW = auto()
    LEVEL_OR_DISPOSITION = auto()
    IMPACT = auto()


def _alert_key(ev: Event) -> tuple[object, ...]:
    imp = ev.impact
    il = (imp.lat_rad, imp.lon_rad, imp.t_s) if imp is not None and imp.ok else None
    if ev.disposition == Disposition.NOT_A_THREAT and ev.reason in SPACE_OBJECT_REASONS:
        il = None  # a space object's impact estimate is carried, not re-issued
    return (
        int(ev.level),
        ev.disposition,
        il,
        ev.threatened_areas,
        ev.raid_count,
        ev.declared,
        (ev.reason_text, ev.track_lost, ev.burn_truncated, ev.catalog_object),
    )


def _material_change(
    old: tuple[object, ...], new: tuple[object, ...], params: AssessmentParams
) -> _Change | None:
    if not old:
        return _Change.NEW
    if old[0] != new[0] or old[1] != new[1] or old[6:] != new[6:]:
        return _Change.LEVEL_OR_DISPOSITION
    if old[3] != new[3] or old[4] != new[4] or old[5] != new[5]:
        return _Change.IMPACT
    oi, ni = old[2], new[2]
    if (oi is None) != (ni is None):
        return _Change.IMPACT
    if oi is not None and ni is not None:
        assert isinstance(oi, tuple) and isinstance(ni, tuple)
        d = float(ground_distance_m(oi[0], oi[1], ni[0], ni[1]))
        if d > params.reissue_impact_shift_m or abs(ni[2] - oi[2]) > params.reissue_impact_time_s:
            return _Change.IMPACT
    return None


def make_alerts(
    prev: tuple[Event, ...],
    new: tuple[Event, ...],
    t_s: float,
    epoch: object,
    params: AssessmentParams,
    coverage_degraded: bool,
) -> tuple[tuple[Event, ...], tuple[Alert, ...]]:
    """Alerts for events whose level/disposition changed or whose impact moved materially."""
    from datetime import datetime

    assert isinstance(epoch, datetime)
    old = {e.event_id: e for e in prev}
    out_events = []
    alerts = []
    for e in new:
        if e.level == _NONE:
            out_events.append(e)
            continue
        o = old.get(e.event_id)
        if o is e:  # untouched since the last step, which already looked at it
            out_events.append(e)
            continue
        if (
            o is not None
            and o.disposition == Disposition.RETRACTED
            and e.disposition == Disposition.RETRACTED
        ):
            out_events.append(e)
            continue
        key = _alert_key(e)
        # (an equal key is no change; the test below would measure a zero impact shift)
        last = e._book.last_alert_key
        why = None if key == last else _material_change(last, key, params)
        if why is None:
            out_events.append(e)
            continue
        n = e._book.n_alerts + 1
        reason = Reason.IMPACT_UPDATE.value if why is _Change.IMPACT else e.reason_text
        alerts.append(_alert(e, t_s, epoch, n, reason, coverage_degraded))
        out_events.append(rebook(e, n_alerts=n, last_alert_key=key))
    return tuple(out_events), tuple(alerts)


def _deg(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v / _DEG


def _km(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v / 1e3


def _alert(e: Event, t_s: float, epoch: object, n: int, reason: str, cov_deg: bool) -> Alert:
    from datetime import datetime

    assert isinstance(epoch, datetime)
    imp = e.impact if e.impact is not None and e.impact.ok else None
    return Alert(
        alert_id=f"{e.event_id}-A{n:03d}",
        event_id=e.event_id,
        t_s=float(t_s),
        time_utc=iso_utc(epoch, t_s),
        level=e.level.name,
        disposition=e.disposition,
        reason=reason,
        launch_time_s=e.launch_time_s,
        launch_time_utc=iso_utc(epoch, e.launch_time_s) if e.launch_time_s is not None else None,
        launch_lat_deg=_deg(e.launch_lat_rad),
        launch_lon_deg=_deg(e.launch_lon_rad),
        launch_sigma_km=_km(e.launch_sigma_m),
        azimuth_deg=_deg(e.azimuth_rad),
        azimuth_sigma_deg=_deg(e.azimuth_sigma_rad),
        vehicle_class=e.vehicle_class,
        class_probability=e.class_probability,
        impact_time_s=imp.t_s if imp else None,
        impact_time_utc=iso_utc(epoch, imp.t_s) if imp else None,
        impact_time_sigma_s=finite_or_none(imp.t_sigma_s) if imp else None,
        impact_lat_deg=_deg(imp.lat_rad) if imp else None,
        impact_lon_deg=_deg(imp.lon_rad) if imp else None,
        impact_ellipse_semi_major_km=_km(imp.semi_major_m) if imp else None,
        impact_ellipse_semi_minor_km=_km(imp.semi_minor_m) if imp else None,
        impact_ellipse_orientation_deg=_deg(imp.orientation_rad) if imp else None,
        trajectory_type=e.trajectory_type,
        threatened_areas=e.threatened_areas,
        raid_count=e.raid_count,
        phenomenologies=e.phenomenologies,
        sensor_ids=e.sensor_ids,
        declared=e.declared,
        declaration_id=e.declaration_id,
        decision_time_s=e.decision_time_s,
        coverage_degraded=cov_deg,
        track_lost=e.track_lost,
        burn_truncated=e.burn_truncated,
        object_norad_id=e.catalog_object[0] if e.catalog_object is not None else None,
        object_name=e.catalog_object[1] if e.catalog_object is not None else None,
    )
