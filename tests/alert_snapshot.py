"""The center's behaviour as a snapshot: every alert (event, level, time, disposition,
reason, raid count) of every example and of the reference example over several seeds.

Refactors of the center must leave this identical (``tests/test_examples.py`` compares);
a change meant to alter the center's judgement regenerates it in the same commit, so the
diff of ``tests/data/alert_snapshot.json`` shows exactly which alerts moved::

    .venv/bin/python tests/alert_snapshot.py --write
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SNAPSHOT = Path(__file__).resolve().parent / "data" / "alert_snapshot.json"
REFERENCE_SEEDS = (2, 3, 4, 5, 6, 7, 8)
"""Seeds run on ``reference.yaml`` besides its own."""


def alert_rows(alerts: Any) -> list[list[Any]]:
    """One row per alert: the fields a refactor must not move."""
    return [
        [a.event_id, a.level, round(float(a.t_s), 6), a.disposition, a.reason, a.raid_count]
        for a in alerts
    ]


def case_names() -> list[str]:
    """Every example but the study file, the 400-launch raid and the 24-hour quiet day
    (reliability tests), then ``reference@SEED`` for the extra seeds."""
    skip = ("study", "raid-large", "quiet-day")
    names = sorted(p.stem for p in EXAMPLES.glob("*.yaml") if p.stem not in skip)
    return names + [f"reference@{s}" for s in REFERENCE_SEEDS]


def run_case(name: str) -> list[list[Any]]:
    """The alert rows of one case (``example`` or ``example@seed``)."""
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.pipeline import run_scenario

    stem, _, seed = name.partition("@")
    res = run_scenario(load_scenario(EXAMPLES / f"{stem}.yaml"), seed=int(seed) if seed else None)
    return alert_rows(res.center.alerts)


def compute(names: list[str], workers: int = 2) -> dict[str, list[list[Any]]]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(names, pool.map(run_case, names), strict=True))


def load() -> dict[str, list[list[Any]]]:
    data: dict[str, list[list[Any]]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return data


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/alert_snapshot.py --write")
    snap = compute(case_names())
    SNAPSHOT.write_text(json.dumps(snap, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}: {sum(map(len, snap.values()))} alerts in {len(snap)} cases")
