"""The 1983 false alarm (``examples/history/1983-serpukhov.yaml``): a limb-viewing Molniya
satellite with glint on near the Earth's edge, in the evening of 25 September 1983.

* The scene is not quiet by construction: the satellite reports glint from sunlit high
  clouds in its field of view (hundreds of glint detections in 40 min).
* The center stays below LAUNCH on that glint.
* A Minuteman-like launch from Malmstrom in the same sky is seen by the same payload
  against space (its booster reports) and the center raises it to LAUNCH within seconds:
  a one-satellite track whose lines of sight all pass above the Earth and rise faster
  than 1 km/s is a rocket climbing (``ir/decide._rises_above_the_limb``). Before that rule
  the center opened no event on those 40 reports: its mono tests read the image where the
  line of sight meets the ground, and a limb line of sight never does. Its launch point
  (one satellite, beyond the Earth's edge) is placed on the far side of the tangent point
  and states a sigma that holds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from earlywarn.io.scenario import load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario
from history_cases import labels, with_launches

SCENE = Path(__file__).resolve().parent.parent / "examples" / "history" / "1983-serpukhov.yaml"
LEVELS_BELOW_LAUNCH = {"POSSIBLE_LAUNCH"}


@pytest.fixture(scope="module")
def quiet() -> RunResult:
    return run_scenario(load_scenario(SCENE))


@pytest.fixture(scope="module")
def with_launch() -> RunResult:
    return run_scenario(
        with_launches(
            SCENE,
            [
                {
                    "id": "MM1",
                    "vehicle": "icbm-solid",
                    "site": {"lat_deg": 47.5, "lon_deg": -111.2},
                    "aim": {"lat_deg": 55.75, "lon_deg": 37.6},
                    "time": 600.0,
                }
            ],
        )
    )


def test_the_limb_satellite_sees_glint_near_the_earths_edge(quiet: RunResult) -> None:
    seen = labels(quiet)
    assert seen["glint"] >= 100, seen


def test_the_center_stays_below_launch_on_the_glint(quiet: RunResult) -> None:
    levels = {str(a.level) for a in quiet.center.alerts}
    assert levels <= LEVELS_BELOW_LAUNCH, levels
    fa = quiet.evaluation.false_alerts
    assert fa["LAUNCH"] == fa["THREAT"] == fa["ATTACK_CONFIRMED"] == 0


def test_a_real_launch_in_the_same_sky_is_seen_against_space(with_launch: RunResult) -> None:
    seen = labels(with_launch)
    # the booster climbs above the 150 km the field of view is aimed at while the first
    # stages burn: dozens of detections at the 2 s frame rate before burnout (~188 s)
    assert seen["MM1/booster"] >= 20, seen
    row = with_launch.evaluation.launches[0]
    assert row["first_report_s"] is not None and row["first_report_s"] < 188.0


def test_the_center_raises_that_launch_and_nothing_else(with_launch: RunResult) -> None:
    row = with_launch.evaluation.launches[0]
    # LAUNCH within 30 s of its first report (10 s on seeds 1983, 1 and 2)
    assert row["launch_s"] is not None and row["launch_s"] - row["first_report_s"] <= 30.0, row
    assert not row["wrongly_dismissed"], row
    # its stated 95 % launch region holds Malmstrom whenever one is given
    assert row["launch95_in"] == row["launch95_n"], row
    fe = with_launch.evaluation.false_events
    assert fe["LAUNCH"] == fe["THREAT"] == fe["ATTACK_CONFIRMED"] == 0, fe
