"""Impact-time calibration over seeds (issue 11): the bias of the predicted impact time,
in units of its stated sigma, is within one sigma.

The score is the evaluation's own (``calibration.impact_time_z`` of ``summary.json``):
``z = (predicted − true)/σ`` over every alert with an impact time. Alerts of one run are
correlated, so each run counts once, by its mean z; the claim is on the mean over the
runs. Before the impact prediction had re-entry drag the reference example gave −2.0
(the RV predicted seconds early against a sigma of 1–4 s); with it −0.6, the rest being
the IR-only burnout states' own early bias (see the report of issue 11). The per-run means
scatter with a standard deviation of ~0.5, so over 8 runs the mean is known to ~0.2: the
bound 1 has a margin of about two standard errors for the reference, more for the others.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = range(1, 9)


def _run_mean_z(args: tuple[str, int]) -> tuple[float, int]:
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.pipeline import run_scenario

    name, seed = args
    z = run_scenario(load_scenario(EXAMPLES / f"{name}.yaml"), seed=seed).evaluation.calibration
    tz = z["impact_time_z"]
    return (float(tz["mean"]) if tz["n"] else float("nan")), int(tz["n"])


@pytest.mark.reliability
@pytest.mark.parametrize("name", ["reference", "slbm", "radar-regional"])
def test_impact_time_bias_within_one_sigma(name: str) -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(_run_mean_z, [(name, s) for s in SEEDS]))
    means = [m for m, n in runs if n > 0]
    assert len(means) >= len(SEEDS) - 1, runs  # every run (but one) has impact alerts
    bias = sum(means) / len(means)
    assert abs(bias) <= 1.0, f"{name}: mean impact-time z {bias:.2f} over {runs}"
