"""The 9 November 1979 false alert (``examples/history/1979-11-exercise-tape.yaml``): an
exercise raid fed into a quiet live stream.

The live center runs over the full raid of the example (300 ICBMs and 40 SLBMs: about
106,000 exercise reports, a few seconds, since it uses none of them). The center in
exercise mode, which tracks every launch, runs over the raid scaled down twentyfold
(15 + 2 launches from the same fields, aim area and window), to keep it to seconds.

* The live center raises no alert at all on the exercise, and counts every exercise report
  it receives as ``other_mode`` (exactly the number of exercise reports in the stream).
* A center in exercise mode over the same stream sees the raid: every exercise launch
  reaches LAUNCH or above, and it counts the live reports as ``other_mode``.
* A real (live) ICBM launched from the same field into the same sky, in the middle of the
  exercise, is detected by the live center and reaches THREAT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from earlywarn.center import Level, Source
from earlywarn.center.intake import Outcome
from earlywarn.io.scenario import Scenario, load_scenario
from earlywarn.reports import KINDS
from earlywarn.run.pipeline import RunResult, run_scenario

SCENE = (
    Path(__file__).resolve().parent.parent / "examples" / "history" / "1979-11-exercise-tape.yaml"
)
SCALE = 20
REAL = {
    "id": "REAL1", "vehicle": "icbm-solid", "site": {"lat_deg": 52.0, "lon_deg": 62.0},
    "aim": {"lat_deg": 41.12, "lon_deg": -95.91}, "time": 400.0,
}  # fmt: skip


def _scene(center_mode: str, real_launch: bool, scale: int = 1) -> Scenario:
    data: dict[str, Any] = load_scenario(SCENE).model_dump(mode="json", by_alias=True)
    for entry in data["launches"]:
        entry["count"] = entry["count"] // scale
    if real_launch:
        data["launches"].append(REAL)
    data["center"]["mode"] = center_mode
    return Scenario.model_validate(data)


def _n_mode(res: RunResult, mode: str) -> int:
    """Reports of ``mode`` the center is given (the first step takes those at t = 0 too)."""
    return sum(
        int(np.count_nonzero((c["mode"] == mode) & (c["t_s"] >= 0.0)))
        for c in (res.reports.columns(k) for k in KINDS)
    )


@pytest.fixture(scope="module")
def live_quiet() -> RunResult:
    return run_scenario(_scene("live", real_launch=False))


@pytest.fixture(scope="module")
def live_with_launch() -> RunResult:
    return run_scenario(_scene("live", real_launch=True))


def test_the_example_holds_the_full_exercise_raid() -> None:
    s = load_scenario(SCENE)
    launches = s.all_launches()
    assert len(launches) == 340 and {ln.mode for ln in launches} == {"exercise"}
    assert s.center.mode == "live"


def test_the_live_center_raises_nothing_and_counts_the_exercise(live_quiet: RunResult) -> None:
    res = live_quiet
    n_ex = _n_mode(res, "exercise")
    assert n_ex > 50_000  # the exercise raid is in the stream
    assert res.center.alerts == ()
    assert res.center.intake.total(Outcome.OTHER_MODE) == n_ex
    summary = res.summary()
    assert summary["n_reports_by_mode"]["exercise"] == n_ex  # none at t = 0
    other = sum(by.get("other_mode", 0) for by in summary["report_intake"].values())
    assert other == n_ex


def test_a_real_launch_in_the_same_sky_is_warned(live_with_launch: RunResult) -> None:
    res = live_with_launch
    (row,) = res.evaluation.launches  # the live center is scored on live launches only
    assert row["id"] == "REAL1" and row["first_report_s"] is not None
    assert Level[row["max_level"]] >= Level.THREAT
    # every alert is about the one real launch
    assert len({a.event_id for a in res.center.alerts}) == 1
    assert res.center.intake.total(Outcome.OTHER_MODE) == _n_mode(res, "exercise")


@pytest.fixture(scope="module")
def exercise_center() -> RunResult:
    return run_scenario(_scene("exercise", real_launch=True, scale=SCALE))


def test_a_center_in_exercise_mode_uses_the_exercise_reports(exercise_center: RunResult) -> None:
    res = exercise_center
    rows = res.evaluation.launches
    assert len(rows) == 300 // SCALE + 40 // SCALE  # scored on the exercise launches
    assert res.center.intake.total(Outcome.OTHER_MODE) == _n_mode(res, "live")


def test_a_center_in_exercise_mode_sees_every_launch_of_the_raid(
    exercise_center: RunResult,
) -> None:
    # once a strict xfail: EXS001 (mono, dsp-1) opened no IR event of its own because its
    # first track "resumed" another launch's burnt-out event as a next stage after a coast,
    # through a gate as wide as that event's km/s velocity sigma (IrParams.coast_max_sigma_m)
    rows = exercise_center.evaluation.launches
    assert all(Level[r["max_level"]] >= Level.LAUNCH for r in rows), rows
    # and each by an IR event of its own (not only by a radar track late in flight)
    ir_events = {e.event_id for e in exercise_center.center.events if e.source == Source.IR}
    assert all(set(r["event_ids"]) & ir_events for r in rows), rows
