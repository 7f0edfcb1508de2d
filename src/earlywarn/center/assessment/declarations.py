"""The declarations pass: events that match a declared launch are marked ``declared``.

A :class:`~earlywarn.center.assessment.LaunchNotification` gives a time window, a launch
area circle, an azimuth sector and optionally a vehicle class. An event whose launch
estimate falls inside all of them is marked ``declared`` with the notification's id, once
(a declaration is never withdrawn). It is still assessed: a declaration is information
for the people reading the alerts, never a dismissal.
"""

from __future__ import annotations

from collections.abc import Sequence

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event
from earlywarn.center.assessment.params import LaunchNotification

__all__ = ["declare"]


def declare(e: Event, notices: Sequence[LaunchNotification]) -> Event:
    """The event marked declared by the first notification it matches (if not already)."""
    if not e.declared and e.launch_time_s is not None and e.launch_lat_rad is not None:
        for nt in notices:
            if nt.matches(
                e.launch_time_s,
                e.launch_lat_rad,
                e.launch_lon_rad if e.launch_lon_rad is not None else 0.0,
                e.azimuth_rad,
                e.vehicle_class,
            ):
                return evolve(e, declared=True, declaration_id=nt.notification_id)
    return e
