"""The raid pass: how many distinct launches each event's raid holds.

An event's raid count is the number of distinct launch events in its cluster:

* **Launch events**: events at LAUNCH or above with a launch estimate (time and point),
  still standing — open, or dismissed as NOT_A_THREAT (a dismissed launch still flew:
  the count does not drop when an event is dismissed) — except those dismissed as a
  stationary source (a fire is no launch). Retracted events (merged into another, tracks
  lost, never confirmed) are not launches.
* **Distinct**: a radar-only event is presumed to be the same launch as

  - an IR event (LAUNCH or above) whose launch time its ballistic arc, traced back to the
    ground, meets within the fusion's ``launch_gate_s``, from within ``raid_window_m``:
    the trace misses the powered phase (a burn time late, 100–300 km downrange) and a
    young track's by several hundred km more, so it cannot tell the launches of one
    raid apart; the correlation passes join such an event to its IR event within seconds
    to minutes, and until they do it is counted there, not again; or
  - a radar-only event of lower id whose traced-back launch is within
    ``raid_same_launch_s`` and ``raid_same_launch_m`` of its own (a spent stage and its
    RV tracked apart trace back to one launch, their trace errors alike).

  Such an event is not counted again; it carries the raid count of the event it
  duplicates. A launch that only radar sees, amid launches the IR satellites see within
  the launch gate's time, is therefore not counted until it stands on its own (the count
  errs low, never high).
* **Cluster**: launch events are linked when their launch times are within
  ``raid_window_s`` and either their launch points or their predicted impact points are
  within ``raid_window_m`` (one launch region, or one target region); a cluster is a
  connected component of these links (single linkage).

Every other event's raid count is 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m
from earlywarn.center.fusion import FusionParams
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Reason, Source

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_OPEN = Disposition.OPEN
_LAUNCH = Level.LAUNCH
_RADAR = Source.RADAR

__all__ = ["count_raids", "launch_events"]


def _is_launch(e: Event) -> bool:
    return (
        e.level >= _LAUNCH
        and (
            e.disposition == _OPEN
            or (
                e.disposition == Disposition.NOT_A_THREAT
                and e.reason != Reason.STATIONARY_SOURCE
                and e.reason not in SPACE_OBJECT_REASONS
            )
        )
        and e.launch_time_s is not None
        and e.launch_lat_rad is not None
        and e.launch_lon_rad is not None
    )


def _launch_sep(a: Event, b: Event) -> tuple[float, float]:
    """Launch time difference (s) and launch-point distance (m) of two launch events."""
    assert a.launch_time_s is not None and b.launch_time_s is not None
    assert a.launch_lat_rad is not None and a.launch_lon_rad is not None
    assert b.launch_lat_rad is not None and b.launch_lon_rad is not None
    d = float(
        ground_distance_m(a.launch_lat_rad, a.launch_lon_rad, b.launch_lat_rad, b.launch_lon_rad)
    )
    return abs(a.launch_time_s - b.launch_time_s), d


def launch_events(
    evs: dict[str, Event], params: AssessmentParams, fusion: FusionParams
) -> tuple[list[str], dict[str, str]]:
    """The distinct launch events (sorted ids), and each duplicate's distinct event (see
    the module docstring)."""
    cands = [eid for eid in sorted(evs) if _is_launch(evs[eid])]
    ir = [eid for eid in cands if evs[eid].source != _RADAR]
    distinct = list(ir)
    dup: dict[str, str] = {}
    for eid in cands:
        e = evs[eid]
        if e.source != _RADAR:
            continue
        same = None
        for other in ir:
            dt, d = _launch_sep(e, evs[other])
            if dt <= fusion.launch_gate_s and d <= params.raid_window_m:
                same = other
                break
        if same is None:
            for other in distinct:
                if evs[other].source != _RADAR:
                    continue
                dt, d = _launch_sep(e, evs[other])
                if dt <= params.raid_same_launch_s and d <= params.raid_same_launch_m:
                    same = other
                    break
        if same is None:
            distinct.append(eid)
        else:
            dup[eid] = same
    return sorted(distinct), dup


def _raid_pairs(es: list[Event], params: AssessmentParams) -> npt.NDArray[np.int64]:
    """The index pairs (i < j) of launch events in one raid: launches within
    ``raid_window_s`` of each other, from within ``raid_window_m`` or with predicted
    impacts within it; every pair at once (the events are many in a mass raid)."""
    n = len(es)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    t = np.array([e.launch_time_s for e in es], dtype=np.float64)
    lat = np.array([e.launch_lat_rad for e in es], dtype=np.float64)
    lon = np.array([e.launch_lon_rad for e in es], dtype=np.float64)
    ok = np.array([e.impact is not None and e.impact.ok for e in es])
    ilat = np.array([e.impact.lat_rad if o else 0.0 for e, o in zip(es, ok, strict=True)])  # type: ignore[union-attr]
    ilon = np.array([e.impact.lon_rad if o else 0.0 for e, o in zip(es, ok, strict=True)])  # type: ignore[union-attr]
    i, j = np.triu_indices(n, k=1)
    near_t = np.abs(t[i] - t[j]) <= params.raid_window_s
    i, j = i[near_t], j[near_t]
    d = ground_distance_m(lat[i], lon[i], lat[j], lon[j])
    both = ok[i] & ok[j]
    di = np.full(i.size, np.inf)
    di[both] = ground_distance_m(ilat[i[both]], ilon[i[both]], ilat[j[both]], ilon[j[both]])
    keep = (d <= params.raid_window_m) | (di <= params.raid_window_m)
    return np.stack([i[keep], j[keep]], axis=1).astype(np.int64)


def count_raids(evs: dict[str, Event], params: AssessmentParams, fusion: FusionParams) -> None:
    """Set every event's ``raid_count`` in ``evs``: the distinct launch events of its
    cluster (see the module docstring)."""
    ids, dup = launch_events(evs, params, fusion)
    parent = {eid: eid for eid in ids}

    def find(a: str) -> str:
        while parent[a] != a:
            a = parent[a]
        return a

    for i, j in _raid_pairs([evs[eid] for eid in ids], params).tolist():
        ra, rb = find(ids[i]), find(ids[j])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    sizes: dict[str, int] = {}
    for eid in ids:
        sizes[find(eid)] = sizes.get(find(eid), 0) + 1
    for eid in sorted(evs):
        root = dup.get(eid, eid)
        n = sizes[find(root)] if root in parent else 1
        if evs[eid].raid_count != n:
            evs[eid] = evolve(evs[eid], raid_count=n)
