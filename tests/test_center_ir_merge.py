"""The IR late stereo merge (``ir/step.py:_merge_stereo``) visits only the pairs of events
seen by disjoint sets of satellites, found by grouping the events by satellite set. It
must merge exactly as the plain loop over every pair ``i < j`` (a merge into ``i``, then
the next ``j`` against the merged event, whose satellites have grown). The stereo test
itself is replaced here by a deterministic stand-in over the events' track ids, so that
merges chain, and some pairs that pass it share a satellite only after an earlier merge.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from earlywarn.center.ir import step
from earlywarn.center.ir.records import IrDecision, IrParams, IrStatus, _EventState


def _pairwise(events: list[_EventState], by_id: dict, params: IrParams) -> list[_EventState]:
    """The merge as a plain loop over every pair (the reference)."""
    events = list(events)
    open_ = [ev.ended_t_s is None and ev.status != IrStatus.STATIONARY for ev in events]
    sats = [frozenset(by_id[k].sensor_id for k in ev.track_ids) for ev in events]
    i = 0
    while i < len(events):
        j = i + 1
        while j < len(events):
            if open_[i] and open_[j] and not (sats[i] & sats[j]):
                a, b = events[i], events[j]
                if step._events_match(
                    [by_id[k] for k in a.track_ids], [by_id[k] for k in b.track_ids], params
                ):
                    events[i] = step._merged_pair(a, b)
                    sats[i] = sats[i] | sats[j]
                    del events[j], open_[j], sats[j]
                    continue
            j += 1
        i += 1
    return events


def _random_events(seed: int) -> tuple[list[_EventState], dict]:
    rng = np.random.default_rng(seed)
    sensors = [f"sat-{k}" for k in range(int(rng.integers(2, 6)))]
    by_id, events, tid = {}, [], 0
    for n in range(int(rng.integers(2, 40))):
        ids = []
        for s in rng.choice(sensors, size=int(rng.integers(1, 3)), replace=False):
            by_id[tid] = SimpleNamespace(track_id=tid, sensor_id=str(s))
            ids.append(tid)
            tid += 1
        status = [IrStatus.CANDIDATE, IrStatus.BOOSTING, IrStatus.STATIONARY][
            int(rng.choice(3, p=[0.6, 0.3, 0.1]))
        ]
        ended = float(rng.uniform(0.0, 100.0)) if rng.random() < 0.15 else None
        events.append(
            _EventState(
                f"I{n:04d}",
                tuple(ids),
                status,
                int(rng.integers(0, 3)),
                IrDecision.CANDIDATE,
                ended,
                None,
            )
        )
    return events, by_id


def _stand_in(a: list, b: list, params: IrParams) -> bool:
    """A deterministic 'stereo test' of two track lists: passes for about half the pairs."""
    return (sum(t.track_id for t in a) * 7 + sum(t.track_id for t in b) * 3) % 5 < 2


@pytest.mark.parametrize("seed", range(30))
def test_grouped_merge_is_the_pairwise_loop(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step, "_events_match", _stand_in)
    events, by_id = _random_events(seed)
    params = IrParams()
    want = _pairwise(events, by_id, params)
    got = step._merge_stereo(list(events), by_id, params)  # type: ignore[arg-type]
    assert [(e.event_id, e.track_ids, e.status, e.votes) for e in got] == [
        (e.event_id, e.track_ids, e.status, e.votes) for e in want
    ]


def test_the_stand_in_makes_merges_happen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: over the seeds, events merge, and merges chain
    (an event takes in two or more others)."""
    monkeypatch.setattr(step, "_events_match", _stand_in)
    merged = chained = 0
    for seed in range(30):
        events, by_id = _random_events(seed)
        got = step._merge_stereo(list(events), by_id, IrParams())  # type: ignore[arg-type]
        merged += len(events) - len(got)
        origin = {t: e.event_id for e in events for t in e.track_ids}
        chained += sum(1 for e in got if len({origin[t] for t in e.track_ids}) >= 3)
    assert merged >= 30
    assert chained >= 5
