"""One definition of warning time (``analysis.warning_time``) against the center's decision
time: the center, which needs both phenomenologies, confirms after the moment both could
first confirm, and not much after — within about a minute — on the reference geometry and
on the other dual-phenomenology examples (a short SLBM flight, a regional one, a raid)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlywarn.analysis.warning import dual_confirmation, warning_direct, warning_map
from earlywarn.io.scenario import load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module", params=["reference", "slbm", "radar-satellites-regional", "raid"])
def run(request: pytest.FixtureRequest) -> RunResult:
    return run_scenario(load_scenario(EXAMPLES / f"{request.param}.yaml"))


def test_the_definition_bounds_the_centers_decision_time_within_a_minute(run: RunResult) -> None:
    dc = dual_confirmation(run.truth, run.satellites, run.radars, run.scenario.epoch)
    rows = {r["id"]: r for r in run.evaluation.launches}
    for k, lid in enumerate(dc.launch_id):
        center = rows[lid]["decision_time_s"]
        assert center is not None, lid
        bound = float(dc.warning_time_s[k])
        # an upper bound (the center's processing adds latency; 5 s for its step) ...
        assert center <= bound + 5.0, (lid, center, bound)
        # ... and a close one: within about a minute
        assert bound - center <= 60.0, (lid, center, bound)


def test_the_warning_map_answers_as_the_definition_at_the_reference_geometry() -> None:
    from earlywarn.analysis.warning import build_trajectory_table
    from earlywarn.flight import FlightSolver

    scen = load_scenario(EXAMPLES / "reference.yaml")
    res = run_scenario(scen)
    dc = dual_confirmation(res.truth, res.satellites, res.radars, scen.epoch)
    t0 = scen.launches[0].time
    solver = FlightSolver()
    args = (47.0, -170.0, [40.0], [60.0], res.satellites, res.radars, scen.epoch)
    d = warning_direct(solver, "icbm-solid", *args, t_launch_s=t0)
    assert d.warning_time_s[0] == pytest.approx(dc.warning_time_s[0], abs=1e-6)
    m = warning_map(build_trajectory_table(solver, "icbm-solid"), *args, t_launch_s=t0)
    assert np.isfinite(m.warning_time_s[0])
    # the table's stated interpolation error (flight time 20 s, radar 30 s)
    assert abs(m.warning_time_s[0] - dc.warning_time_s[0]) <= 30.0
