"""Progress of a long center run (issue 12): how far, how fast, how many events open."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlywarn.center import CenterProgress, core, run_center
from earlywarn.io.scenario import load_scenario
from earlywarn.run import build
from earlywarn.run.pipeline import run_scenario

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference.yaml"


def test_progress_reports_every_step_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(REFERENCE)
    res = run_scenario(scenario)
    config = build.center_config(scenario)
    seen: list[CenterProgress] = []
    monkeypatch.setattr(core, "PROGRESS_EVERY_S", 0.0)  # a call before every step
    out = run_center(
        res.reports, config, dt_s=scenario.center.step, t_start_s=0.0,
        t_end_s=scenario.duration, progress=seen.append,
    )  # fmt: skip
    assert [a.to_json() for a in out.alerts] == [a.to_json() for a in res.center.alerts]
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and 0.0 < fractions[0] < 0.01 and fractions[-1] == 1.0
    counts = [p.reports for p in seen]
    assert counts == sorted(counts)
    n_reports = sum(res.reports.count(k) for k in ("ir", "radar", "status"))
    assert counts[-1] == n_reports  # every report handed over by the end (those at t = 0 too)
    # the reference launch is open while it flies: some step saw an open event
    assert max(p.events_open for p in seen) >= 1
    assert seen[-1].events_open == sum(1 for e in out.events if e.disposition == "OPEN")
    assert "reports/s" in seen[-1].text()


def test_progress_is_throttled_to_wall_time() -> None:
    scenario = load_scenario(REFERENCE)
    res = run_scenario(scenario)
    seen: list[CenterProgress] = []
    run_center(
        res.reports, build.center_config(scenario), dt_s=scenario.center.step,
        t_start_s=0.0, t_end_s=scenario.duration, progress=seen.append,
    )  # fmt: skip
    # one call per PROGRESS_EVERY_S of wall time and one after the last step, not one per
    # step (the reference run has 1,050 steps)
    wall = res.timings_s["center"]
    assert len(seen) <= 2 + wall / core.PROGRESS_EVERY_S, (len(seen), wall)
    assert seen[-1].fraction == 1.0
