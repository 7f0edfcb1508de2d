"""Every alert of every example and of the reference example over seeds 2-8 is the one
recorded in ``tests/data/alert_snapshot.json`` (event, level, time, disposition, reason,
raid count). Refactors leave it identical; a change of judgement regenerates it with
``python tests/alert_snapshot.py --write`` and the diff shows what moved."""

from __future__ import annotations

import alert_snapshot


def test_alerts_match_the_snapshot() -> None:
    expected = alert_snapshot.load()
    names = alert_snapshot.case_names()
    assert sorted(expected) == sorted(names), "cases changed: regenerate the snapshot"
    got = alert_snapshot.compute(names)
    diffs = []
    for name in names:
        a, b = expected[name], got[name]
        if a != b:
            extra = [r for r in b if r not in a][:5]
            gone = [r for r in a if r not in b][:5]
            diffs.append(f"{name}: {len(a)} -> {len(b)} alerts; new {extra}; gone {gone}")
    assert not diffs, "alerts differ from the snapshot:\n" + "\n".join(diffs)
