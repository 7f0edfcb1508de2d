"""Warning quality off the reference case (issue 11), over scenario families that vary
what the reference holds fixed (``tests/families.py``): the launch flown in six
directions with both GEO satellites and with each alone, and every sensor, the satellites
or the radars dark in boost, just after burnout and in midcourse; each launch aimed into
a defended area, so every one is a real threat. Eight seeds per case: 216 runs.

Claims, with their 95 % confidence: no threatening launch is dismissed (0 of N, so the
rate is below 3/N by the rule of three: 1.4 % for N = 216), none is missed, and no event
without a launch behind it reaches THREAT or above.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import families
from earlywarn.analysis.statistics import poisson_upper_95

# one module fixture runs the 216 runs: its tests stay on one worker (make reliability
# distributes by xdist group), so the runs are made once
pytestmark = [pytest.mark.reliability, pytest.mark.xdist_group("warning-quality-families")]

SEEDS = 8


@pytest.fixture(scope="module")
def runs() -> list[dict[str, Any]]:
    cases = families.family_cases(SEEDS)
    with ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(families.run_case, cases, chunksize=4))


def _launches(runs: list[dict[str, Any]]) -> list[tuple[str, int, dict[str, Any]]]:
    return [(r["family"], r["seed"], lv) for r in runs for lv in r["launches"]]


def test_enough_runs_and_every_launch_threatening(runs: list[dict[str, Any]]) -> None:
    rows = _launches(runs)
    assert len(runs) >= 200 and len(rows) == len(runs)
    assert all(lv["threatening"] for _, _, lv in rows), "a family launch missed its area"


def test_no_threatening_launch_is_dismissed(runs: list[dict[str, Any]]) -> None:
    rows = _launches(runs)
    bad = [f"{f} seed {s}: {lv['reason']}" for f, s, lv in rows if lv["wrongly_dismissed"]]
    n = len(rows)
    assert not bad, (
        f"{len(bad)} of {n} threatening launches dismissed (the claim is 0, "
        f"< {3 / n:.1%} at 95 %):\n" + "\n".join(bad)
    )
    assert poisson_upper_95(0) / n < 0.015  # the bound the issue asks to state


def test_no_threatening_launch_is_missed(runs: list[dict[str, Any]]) -> None:
    missed = [f"{f} seed {s}" for f, s, lv in _launches(runs) if lv["missed_threat"]]
    assert not missed, "never reached LAUNCH:\n" + "\n".join(missed)


def test_no_false_threat(runs: list[dict[str, Any]]) -> None:
    bad = [
        f"{r['family']} seed {r['seed']}: {r['false_events']}"
        for r in runs
        if r["false_events"].get("THREAT", 0) or r["false_events"].get("ATTACK_CONFIRMED", 0)
    ]
    assert not bad, "false events at THREAT or above:\n" + "\n".join(bad)


def test_impact_ellipses_hold_the_truth_nine_times_in_ten(runs: list[dict[str, Any]]) -> None:
    """The issue's target: the stated 95 % impact ellipses hold the true impact in at least
    90 % of the alerts that carry one, pooled over the 216 runs (the evaluation's own
    ``ellipse_in`` / ``ellipse_n``). Alerts of one run are correlated, so the interval is
    indicative: 302 of 322 (93.8 %) with the radar tracker's iterated update (890 of 955
    over 24 seeds, Wilson 91.4-94.6 %); 258 of 284 (90.8 %, Wilson 86.9-93.7 %) when this
    test was written; 204 of 259 (78.8 %) before the IR burnout state flew on past the
    unseen end of the burn and the fused IR state carried its model error
    (``FusionParams.fusion_q``)."""
    rows = [lv for _, _, lv in _launches(runs)]
    k = sum(lv["ellipse_in"] for lv in rows)
    n = sum(lv["ellipse_n"] for lv in rows)
    assert n >= 200, n
    assert k / n >= 0.90, f"{k} of {n} ellipses hold the truth ({k / n:.1%}); the target is 90 %"
