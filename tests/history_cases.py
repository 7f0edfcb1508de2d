"""Helpers of the history regression tests (``examples/history/``): a case's scene with
a real launch added to its sky, and what a run reached."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from earlywarn.center import Level
from earlywarn.io.scenario import Scenario, load_scenario
from earlywarn.run.pipeline import RunResult

HISTORY = Path(__file__).resolve().parent.parent / "examples" / "history"


def with_launches(path: Path, launches: list[dict[str, Any]]) -> Scenario:
    """The scene of ``path`` with ``launches`` (scenario launch entries) added to its own."""
    data: dict[str, Any] = load_scenario(path).model_dump(mode="json", by_alias=True)
    data["launches"] = [*data.get("launches", []), *launches]
    return Scenario.model_validate(data)


def max_level(res: RunResult, event_ids: set[str] | None = None) -> Level:
    """The highest level of the run's alerts (of ``event_ids`` only, when given)."""
    alerts = [a for a in res.center.alerts if event_ids is None or a.event_id in event_ids]
    return max((Level[str(a.level)] for a in alerts), default=Level.NONE)


def launch_row(res: RunResult, launch_id: str) -> dict[str, Any]:
    """The evaluation's row of one launch."""
    return next(r for r in res.evaluation.launches if r["id"] == launch_id)


def labels(res: RunResult) -> collections.Counter[str]:
    """How many reports each scoring label (object id, glint, clutter, ...) has."""
    return collections.Counter(str(v) for v in res.report_truth.as_dict().values())
