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

import math

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import ground_distance_m
from earlywarn.center.fusion import FusionParams
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition, Level, Reason, Source
from earlywarn.earth.constants import R_MEAN_M

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


def launch_events(
    evs: dict[str, Event], params: AssessmentParams, fusion: FusionParams
) -> tuple[list[str], dict[str, str]]:
    """The distinct launch events (sorted ids), and each duplicate's distinct event (see
    the module docstring)."""
    cands = [eid for eid in sorted(evs) if _is_launch(evs[eid])]
    ir = [eid for eid in cands if evs[eid].source != _RADAR]
    radar = [eid for eid in cands if evs[eid].source == _RADAR]
    ir_pts = _LaunchPoints([evs[eid] for eid in ir])
    radar_pts = _LaunchPoints([evs[eid] for eid in radar])
    counted = np.zeros(len(radar), dtype=bool)  # the radar-only events found distinct
    dup: dict[str, str] = {}
    for n, eid in enumerate(radar):
        e = evs[eid]
        # the first IR event within the launch gate, else the first earlier distinct
        # radar-only event of the same launch (the lists are in id order)
        k = ir_pts.first_within(e, fusion.launch_gate_s, params.raid_window_m)
        if k is not None:
            dup[eid] = ir[k]
            continue
        k = radar_pts.first_within(e, params.raid_same_launch_s, params.raid_same_launch_m, counted)
        if k is not None:
            dup[eid] = radar[k]
        else:
            counted[n] = True
    return sorted(ir + [eid for eid, c in zip(radar, counted, strict=True) if c]), dup


class _LaunchPoints:
    """The launch times and points of launch events, for the first within a window."""

    def __init__(self, es: list[Event]) -> None:
        self.t = np.array([e.launch_time_s for e in es], dtype=np.float64)
        self.lat = np.array([e.launch_lat_rad for e in es], dtype=np.float64)
        self.lon = np.array([e.launch_lon_rad for e in es], dtype=np.float64)

    def first_within(
        self, e: Event, dt_s: float, d_m: float, among: npt.NDArray[np.bool_] | None = None
    ) -> int | None:
        """The first event (of ``among``, when given) whose launch is within ``dt_s`` of
        ``e``'s and whose launch point is within ``d_m`` of it (None if none)."""
        if self.t.size == 0 or (among is not None and not among.any()):
            return None
        assert e.launch_time_s is not None
        assert e.launch_lat_rad is not None and e.launch_lon_rad is not None
        d = ground_distance_m(e.launch_lat_rad, e.launch_lon_rad, self.lat, self.lon)
        near = (np.abs(e.launch_time_s - self.t) <= dt_s) & (d <= d_m)
        hit = np.flatnonzero(near if among is None else near & among)
        return int(hit[0]) if hit.size else None


def _components(es: list[Event], params: AssessmentParams) -> list[int]:
    """The cluster of each launch event (its component's smallest index): single linkage
    over the links of the module docstring, without testing every pair.

    Each link is a launch-time window and a distance on the sphere (the launch points, or
    the impact points): the events go into cells ``raid_window_s`` long and, in the
    Earth-centred frame, ``c/√3`` wide (``c`` the chord of ``raid_window_m``, less a
    millionth), so every two events of one cell are linked; two cells more than two
    apart on any axis hold no link. The events of a cell are joined at once and two near
    cells are tested pair by pair (the exact test, as the chord: a distance on the sphere
    is within ``w`` when the chord is within ``2R sin(w/2R)``) only while they are in
    different clusters. A mass raid's events fall into a few cells: this
    costs about ``n`` where every pair cost ``n²`` (1,000 launches: 500,000 pairs a step).
    """
    n = len(es)
    parent = list(range(n))
    if n < 2:
        return parent

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    t = np.array([e.launch_time_s for e in es], dtype=np.float64)
    w_t, w_m = params.raid_window_s, params.raid_window_m
    chord = 2.0 * R_MEAN_M * math.sin(min(w_m / (2.0 * R_MEAN_M), math.pi / 2))
    chord2 = chord * chord  # within w_m on the sphere: a chord within this
    side = chord / math.sqrt(3.0) * (1.0 - 1e-6)
    nan = math.nan
    launch = np.array([[e.launch_lat_rad, e.launch_lon_rad] for e in es], dtype=np.float64)
    impact = np.array(
        [
            [e.impact.lat_rad, e.impact.lon_rad]
            if e.impact is not None and e.impact.ok
            else [nan, nan]
            for e in es
        ],
        dtype=np.float64,
    )
    for points in (launch, impact):
        idx = np.flatnonzero(np.isfinite(points[:, 0]))
        if idx.size < 2:
            continue
        lat, lon = points[idx, 0], points[idx, 1]
        xyz = R_MEAN_M * np.stack(
            [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1
        )
        keys = np.column_stack(
            [np.floor(t[idx] / (w_t * (1.0 - 1e-9))), np.floor(xyz / side)]
        ).astype(np.int64)
        cells: dict[tuple[int, ...], list[int]] = {}
        for k, key in enumerate(map(tuple, keys.tolist())):
            cells.setdefault(key, []).append(k)
        members = list(cells.values())
        for m in members:
            for k in m[1:]:
                union(int(idx[m[0]]), int(idx[k]))
        ck = np.array(list(cells), dtype=np.int64)
        near = np.abs(ck[:, None, :] - ck[None, :, :]).max(axis=2) <= 2
        for a, b in zip(*np.nonzero(np.triu(near, k=1)), strict=True):
            ia, ib = idx[members[a]], idx[members[b]]
            if find(int(ia[0])) == find(int(ib[0])):
                continue
            ti, tj = t[np.repeat(ia, ib.size)], t[np.tile(ib, ia.size)]
            ai, aj = np.repeat(members[a], ib.size), np.tile(members[b], ia.size)
            gap = xyz[ai] - xyz[aj]
            link = (np.abs(ti - tj) <= w_t) & (np.einsum("ij,ij->i", gap, gap) <= chord2)
            if link.any():
                union(int(ia[0]), int(ib[0]))
    return [find(k) for k in range(n)]


def count_raids(evs: dict[str, Event], params: AssessmentParams, fusion: FusionParams) -> None:
    """Set every event's ``raid_count`` in ``evs``: the distinct launch events of its
    cluster (see the module docstring)."""
    ids, dup = launch_events(evs, params, fusion)
    comp = dict(zip(ids, _components([evs[eid] for eid in ids], params), strict=True))
    sizes: dict[int, int] = {}
    for c in comp.values():
        sizes[c] = sizes.get(c, 0) + 1
    for eid in sorted(evs):
        root = dup.get(eid, eid)
        n = sizes[comp[root]] if root in comp else 1
        if evs[eid].raid_count != n:
            evs[eid] = evolve(evs[eid], raid_count=n)
