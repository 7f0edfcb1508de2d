"""The raid pass: how many launches each event belongs with.

Open events at LAUNCH or above with a launch estimate are linked when their launch times
are within :attr:`~earlywarn.center.assessment.AssessmentParams.raid_window_s` and their
launch points within ``raid_window_m``; an event's raid count is the size of its
connected cluster (1 for every other event).
"""

from __future__ import annotations

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m
from earlywarn.center.vocabulary import Disposition, Level

__all__ = ["count_raids"]


def count_raids(evs: dict[str, Event], params: AssessmentParams) -> None:
    """Set every event's ``raid_count`` in ``evs`` (connected clusters of open launches)."""
    open_ids = [
        eid
        for eid in sorted(evs)
        if evs[eid].disposition == Disposition.OPEN
        and evs[eid].level >= Level.LAUNCH
        and evs[eid].launch_time_s is not None
        and evs[eid].launch_lat_rad is not None
    ]
    parent = {eid: eid for eid in open_ids}

    def find(a: str) -> str:
        while parent[a] != a:
            a = parent[a]
        return a

    for i, a in enumerate(open_ids):
        ea = evs[a]
        for b in open_ids[i + 1 :]:
            eb = evs[b]
            assert ea.launch_time_s is not None and eb.launch_time_s is not None
            if abs(ea.launch_time_s - eb.launch_time_s) > params.raid_window_s:
                continue
            sep = float(
                ground_distance_m(
                    ea.launch_lat_rad or 0.0,
                    ea.launch_lon_rad or 0.0,
                    eb.launch_lat_rad or 0.0,
                    eb.launch_lon_rad or 0.0,
                )
            )
            if sep <= params.raid_window_m:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    sizes: dict[str, int] = {}
    for eid in open_ids:
        sizes[find(eid)] = sizes.get(find(eid), 0) + 1
    for eid in sorted(evs):
        n = sizes[find(eid)] if eid in parent else 1
        if evs[eid].raid_count != n:
            evs[eid] = evolve(evs[eid], raid_count=n)
