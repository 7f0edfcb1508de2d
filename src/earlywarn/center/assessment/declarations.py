"""The declarations pass: events that match a declared launch are marked ``declared``.

A :class:`~earlywarn.center.assessment.LaunchNotification` gives a time window, a launch
area circle, an azimuth sector, optionally a vehicle class and optionally an impact (drop)
area circle. An event whose launch estimate falls inside all of the launch terms is
matched to the notification (``declaration_id``, once: the first that matches). It is
still assessed: a declaration is information for the people reading the alerts, never a
dismissal.

With a declared impact area, the declaration covers the event only while its predicted
impact agrees with it: once the event's impact region at the dismissal confidence (the
region :func:`earlywarn.center.assessment.evidence.impact_region_m` defines) no longer
overlaps the declared area, the event is ``declared`` no more and is marked
``declaration_mismatch`` (its OPEN reason is then ``declaration_mismatch``): it is
assessed as an undeclared launch, and the alert says the declaration did not match. A
later prediction back inside the area restores the declaration. An unbounded region (no
impact predicted yet, sigma points that orbit) overlaps everything: no mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event
from earlywarn.center.assessment.evidence import impact_region_m
from earlywarn.center.assessment.params import AssessmentParams, DefendedArea, LaunchNotification

__all__ = ["declare"]


def declare(
    e: Event, notices: Sequence[LaunchNotification], params: AssessmentParams | None = None
) -> Event:
    """The event matched to the first notification it matches (if not already), and
    whether its predicted impact still agrees with that notification's impact area."""
    if e.declaration_id is None and e.launch_time_s is not None and e.launch_lat_rad is not None:
        for nt in notices:
            if nt.matches(
                e.launch_time_s,
                e.launch_lat_rad,
                e.launch_lon_rad if e.launch_lon_rad is not None else 0.0,
                e.azimuth_rad,
                e.vehicle_class,
            ):
                e = evolve(e, declared=True, declaration_id=nt.notification_id)
                break
    if e.declaration_id is None:
        return e
    found = next((n for n in notices if n.notification_id == e.declaration_id), None)
    area = found.impact_area if found is not None else None
    if area is None:
        return e
    mismatch = _left_area(e, area, params or AssessmentParams())
    if mismatch == e.declaration_mismatch:
        return e
    return evolve(e, declared=not mismatch, declaration_mismatch=mismatch)


def _left_area(e: Event, area: DefendedArea, params: AssessmentParams) -> bool:
    imp = e.impact
    if imp is None or not imp.ok:
        return False
    return area.clearance_m(imp.lat_rad, imp.lon_rad, impact_region_m(e, params)) > 0.0
