"""The raid count (``earlywarn.center.assessment.raid``): the number of distinct launch
events in a cluster — launches within ``raid_window_s`` of each other, from within
``raid_window_m`` or aimed within it — never counting a duplicate (a radar-only event the
correlation will merge into an IR event, a spent stage and its RV tracked as two
radar-only events), and not dropping when an event is dismissed.

The events are built directly (the pass reads only their source, level, disposition,
reason, launch estimate and impact), so each rule is tested on its own.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Event, new_event
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.assessment.raid import count_raids, launch_events
from earlywarn.center.characterise import ImpactEstimate, ground_distance_m
from earlywarn.center.fusion import FusionParams
from earlywarn.center.vocabulary import Disposition, Level, Reason, Source

DEG = math.pi / 180.0
PARAMS = AssessmentParams()
FUSION = FusionParams()


def launch(
    eid: str,
    t_s: float,
    lat_deg: float,
    lon_deg: float,
    *,
    source: Source = Source.IR,
    level: Level = Level.LAUNCH,
    disposition: Disposition = Disposition.OPEN,
    reason: Reason = Reason.KINEMATIC_LAUNCH,
    impact_deg: tuple[float, float] | None = None,
) -> Event:
    e = new_event(eid, source, t_s, "ir-" + eid if source == Source.IR else None)
    imp = None
    if impact_deg is not None:
        nan = math.nan
        imp = ImpactEstimate(
            True, t_s, t_s + 1800.0, 5.0, impact_deg[0] * DEG, impact_deg[1] * DEG,
            (nan, nan, nan), 1e4, 1e4, 0.0, 1.0,
        )  # fmt: skip
    return evolve(
        e,
        level=level,
        disposition=disposition,
        reason=reason,
        launch_time_s=t_s,
        launch_lat_rad=lat_deg * DEG,
        launch_lon_rad=lon_deg * DEG,
        impact=imp,
    )


def counts(*events: Event) -> dict[str, int]:
    evs = {e.event_id: e for e in events}
    count_raids(evs, PARAMS, FUSION)
    return {k: v.raid_count for k, v in evs.items()}


def test_launches_close_in_time_and_space_are_one_raid() -> None:
    # raid.yaml's fields: (40, 60) and (44, 75), ~1,300 km apart, launches 30 s apart
    out = counts(
        launch("E1", 60.0, 40.0, 60.0),
        launch("E2", 90.0, 40.3, 60.4),
        launch("E3", 120.0, 39.7, 59.7),
        launch("E4", 150.0, 44.0, 75.0),
    )
    assert out == {"E1": 4, "E2": 4, "E3": 4, "E4": 4}


def test_cluster_limits_in_time_and_space() -> None:
    # beyond the time window: two raids; far apart and aimed far apart: two raids
    assert counts(launch("E1", 0.0, 40.0, 60.0), launch("E2", 400.0, 40.0, 60.0)) == {
        "E1": 1,
        "E2": 1,
    }
    far = counts(
        launch("E1", 0.0, 40.0, 60.0, impact_deg=(47.0, -170.0)),
        launch("E2", 30.0, 69.3, 16.0, impact_deg=(71.0, 18.0)),
    )
    assert far == {"E1": 1, "E2": 1}
    # far apart (~5,000 km) but aimed at one region: one raid
    aimed = counts(
        launch("E1", 0.0, 40.0, 60.0, impact_deg=(47.0, -170.0)),
        launch("E2", 30.0, 20.0, 130.0, impact_deg=(47.5, -168.0)),
    )
    assert aimed == {"E1": 2, "E2": 2}


def test_a_dismissed_launch_still_counts_a_stationary_source_does_not() -> None:
    base = [launch("E1", 60.0, 40.0, 60.0), launch("E2", 90.0, 40.3, 60.4)]
    dismissed = launch(
        "E3",
        120.0,
        39.7,
        59.7,
        disposition=Disposition.NOT_A_THREAT,
        reason=Reason.IMPACT_OUTSIDE_DEFENDED_AREAS,
    )
    assert counts(*base, dismissed) == {"E1": 3, "E2": 3, "E3": 3}
    fire = evolve(dismissed, reason=Reason.STATIONARY_SOURCE)
    assert counts(*base, fire) == {"E1": 2, "E2": 2, "E3": 1}


@pytest.mark.parametrize(
    ("disposition", "reason", "level"),
    [
        (Disposition.RETRACTED, Reason.MERGED, Level.THREAT),
        (Disposition.RETRACTED, Reason.TRACK_LOST, Level.LAUNCH),
        (Disposition.OPEN, Reason.IR_DETECTION, Level.POSSIBLE_LAUNCH),
    ],
)
def test_retracted_events_and_candidates_are_not_launches(
    disposition: Disposition, reason: Reason, level: Level
) -> None:
    other = launch("E2", 90.0, 40.3, 60.4, disposition=disposition, reason=reason, level=level)
    assert counts(launch("E1", 60.0, 40.0, 60.0), other) == {"E1": 1, "E2": 1}


def test_a_radar_only_event_amid_ir_launches_is_not_counted_again() -> None:
    # the raid example at 1296 s (seed 2): a radar-only event traced back to (139 s,
    # 41.7°N 53.3°E), 580 km and 76 s from its launch, before the correlation merges it
    irs = [
        launch("E1", 63.6, 40.0, 60.0),
        launch("E2", 92.4, 40.3, 60.4),
        launch("E3", 122.4, 39.7, 59.7),
        launch("E4", 155.4, 44.0, 75.0),
    ]
    dup = launch("E5", 139.2, 41.68, 53.27, source=Source.RADAR, level=Level.THREAT)
    out = counts(*irs, dup)
    assert out == {"E1": 4, "E2": 4, "E3": 4, "E4": 4, "E5": 4}
    ids, dups = launch_events({e.event_id: e for e in (*irs, dup)}, PARAMS, FUSION)
    assert ids == ["E1", "E2", "E3", "E4"]
    assert dups == {"E5": "E1"}


def test_spent_stage_and_rv_as_two_radar_only_events_are_one_launch() -> None:
    # no IR: radar alone; the stage and its RV traced back a few s and km apart
    stage = launch("E1", 140.0, 41.0, 55.0, source=Source.RADAR)
    rv = launch("E2", 143.0, 41.1, 55.3, source=Source.RADAR, level=Level.THREAT)
    assert counts(stage, rv) == {"E1": 1, "E2": 1}
    # a second launch two minutes later is a second launch
    other = launch("E3", 260.0, 41.0, 55.0, source=Source.RADAR)
    assert counts(stage, rv, other) == {"E1": 2, "E2": 2, "E3": 2}


def test_a_radar_only_launch_away_from_ir_launches_counts() -> None:
    # traced back 6 minutes after the IR launch: not one the IR satellites saw
    ir = launch("E1", 60.0, 40.0, 60.0)
    radar = launch("E2", 320.0, 40.0, 60.0, source=Source.RADAR)
    assert counts(ir, radar) == {"E1": 2, "E2": 2}


def _brute_force_counts(events: list[Event]) -> dict[str, int]:
    """The raid count by the definition itself: every pair of launch events tested, the
    clusters grown until no link joins two of them."""
    n = len(events)
    label = list(range(n))

    def linked(a: Event, b: Event) -> bool:
        assert a.launch_time_s is not None and b.launch_time_s is not None
        if abs(a.launch_time_s - b.launch_time_s) > PARAMS.raid_window_s:
            return False
        pts = [((a.launch_lat_rad, a.launch_lon_rad), (b.launch_lat_rad, b.launch_lon_rad))]
        if a.impact is not None and b.impact is not None:
            pts.append(((a.impact.lat_rad, a.impact.lon_rad), (b.impact.lat_rad, b.impact.lon_rad)))
        return any(
            float(ground_distance_m(p[0], p[1], q[0], q[1])) <= PARAMS.raid_window_m for p, q in pts
        )

    changed = True
    while changed:
        changed = False
        for i in range(n):
            for j in range(i + 1, n):
                if label[i] != label[j] and linked(events[i], events[j]):
                    lo, hi = min(label[i], label[j]), max(label[i], label[j])
                    label = [lo if x == hi else x for x in label]
                    changed = True
    return {e.event_id: label.count(label[k]) for k, e in enumerate(events)}


@pytest.mark.parametrize("seed", range(12))
def test_clusters_are_those_of_every_pair(seed: int) -> None:
    """The cell-based clustering (no test of every pair) finds the clusters the pairwise
    definition finds: random raids of 2-60 launches from a few regions whose spreads and
    separations are of the order of the windows (300 s, 2,000 km), so that links at and
    near the window edges, chains and impact-only links all occur."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 61))
    centres = rng.uniform([-60.0, -180.0], [60.0, 180.0], size=(int(rng.integers(1, 4)), 2))
    spread_deg = float(rng.uniform(2.0, 25.0))
    events = []
    for k in range(n):
        c = centres[rng.integers(len(centres))]
        lat, lon = c + rng.normal(0.0, spread_deg, 2)
        imp = None
        if rng.random() < 0.7:
            ic = centres[rng.integers(len(centres))] + [10.0, 40.0]
            ilat, ilon = ic + rng.normal(0.0, spread_deg, 2)
            imp = (float(np.clip(ilat, -89.0, 89.0)), float(ilon))
        t = float(rng.uniform(0.0, 1500.0))
        events.append(
            launch(f"E{k:04d}", t, float(np.clip(lat, -89.0, 89.0)), float(lon), impact_deg=imp)
        )
    assert counts(*events) == _brute_force_counts(events)


def test_no_launch_and_one_launch() -> None:
    assert counts() == {}
    assert counts(launch("E0001", 100.0, 40.0, 60.0)) == {"E0001": 1}


def _pairwise_duplicates(evs: list[Event]) -> tuple[list[str], dict[str, str]]:
    """launch_events' duplicates by the definition, one pair at a time: a radar-only event
    is the first IR event (in id order) within the launch gate's time and the raid window,
    else the first earlier distinct radar-only event within the same-launch windows."""
    d = {e.event_id: e for e in evs}

    def sep(a: Event, b: Event) -> tuple[float, float]:
        dist = float(
            ground_distance_m(
                a.launch_lat_rad, a.launch_lon_rad, b.launch_lat_rad, b.launch_lon_rad
            )
        )
        return abs(a.launch_time_s - b.launch_time_s), dist  # type: ignore[operator]

    ir = sorted(k for k, e in d.items() if e.source != Source.RADAR)
    distinct, dup = list(ir), {}
    for k in sorted(d):
        if d[k].source != Source.RADAR:
            continue
        same = next(
            (
                o
                for o in ir
                if (s := sep(d[k], d[o]))[0] <= FUSION.launch_gate_s
                and s[1] <= PARAMS.raid_window_m
            ),
            None,
        )
        if same is None:
            same = next(
                (
                    o
                    for o in distinct
                    if d[o].source == Source.RADAR
                    and (s := sep(d[k], d[o]))[0] <= PARAMS.raid_same_launch_s
                    and s[1] <= PARAMS.raid_same_launch_m
                ),
                None,
            )
        if same is None:
            distinct.append(k)
        else:
            dup[k] = same
    return sorted(distinct), dup


def _mixed_launches(seed: int) -> list[Event]:
    """Random IR and radar-only launches whose separations straddle the launch gate
    (60 s), the raid window and the same-launch windows (30 s, 300 km); a quarter are
    radar-only launches in a region with no IR launch (3,000 km from the rest), to
    duplicate one another."""
    rng = np.random.default_rng(100 + seed)
    events = []
    for k in range(int(rng.integers(5, 60))):
        radar = rng.random() < 0.5
        lat, lon = 40.0 + rng.normal(0.0, 8.0), 60.0 + rng.normal(0.0, 12.0)
        if rng.random() < 0.25:
            radar, lat, lon = True, 10.0 + rng.normal(0.0, 1.5), 120.0 + rng.normal(0.0, 1.5)
        t = float(rng.uniform(0.0, 400.0))
        src = Source.RADAR if radar else Source.IR
        events.append(launch(f"E{k:04d}", t, float(lat), float(lon), source=src))
    return events


@pytest.mark.parametrize("seed", range(10))
def test_radar_only_duplicates_are_those_of_every_pair(seed: int) -> None:
    """The array test of launch_events finds the duplicates the pairwise definition finds."""
    events = _mixed_launches(seed)
    got = launch_events({e.event_id: e for e in events}, PARAMS, FUSION)
    assert got == _pairwise_duplicates(events)


def test_the_mixed_launches_hold_both_kinds_of_duplicate() -> None:
    """Not vacuous: over the seeds, radar-only events duplicate IR events and radar-only
    events, and some stand on their own."""
    to_ir = to_radar = alone = 0
    for seed in range(10):
        events = _mixed_launches(seed)
        src = {e.event_id: e.source for e in events}
        ids, dups = launch_events({e.event_id: e for e in events}, PARAMS, FUSION)
        to_ir += sum(1 for v in dups.values() if src[v] == Source.IR)
        to_radar += sum(1 for v in dups.values() if src[v] == Source.RADAR)
        alone += sum(1 for k in ids if src[k] == Source.RADAR)
    assert to_ir >= 5 and to_radar >= 1 and alone >= 5
