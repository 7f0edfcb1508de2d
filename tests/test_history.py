"""History's false alarms as regression scenarios (``examples/history/``).

Each scenario file opens with its sources, what happened and the outcome it expects; the
tests here hold the center to that outcome — never above the level the real system
should have reached — and check that a real launch in the same sky is still seen and
warned (a center made quiet by going blind would pass the first check alone).
The 1983 case has its own module (``test_history_1983.py``).
"""

from __future__ import annotations

import pytest

from earlywarn.center import Level
from earlywarn.io.scenario import load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario
from history_cases import HISTORY, launch_row, max_level, with_launches

# ---- 24 November 1961: every link cut at once -----------------------------------------

LINKS_CUT = HISTORY / "1961-11-links-cut.yaml"
CUT_S = 1200.0  # the file's outages start at 20 min
HEARTBEAT_S = 10.0  # the simulator's heartbeat period
# what the file promises: lost within 2.5 heartbeat periods plus one center step
LOST_WITHIN_S = 2.5 * HEARTBEAT_S + 2.0


@pytest.fixture(scope="module")
def links_cut() -> RunResult:
    return run_scenario(load_scenario(LINKS_CUT))


def test_1961_every_cut_sensor_is_marked_lost_within_the_stated_time(links_cut: RunResult) -> None:
    first_lost: dict[str, float] = {}
    for t, sensor, _state, degraded, reason in links_cut.center.health_log:
        if degraded and str(reason) == "missing_heartbeat":
            first_lost.setdefault(sensor, t)
    assert set(first_lost) == {"thule", "clear"}, first_lost
    for sensor, t in first_lost.items():
        assert CUT_S < t <= CUT_S + LOST_WITHIN_S, (sensor, t)


def test_1961_a_silent_sky_raises_no_alert(links_cut: RunResult) -> None:
    assert links_cut.center.alerts == (), [str(a.level) for a in links_cut.center.alerts]


def test_1961_a_real_launch_before_the_cut_is_still_warned() -> None:
    # an R-16-like ICBM from Plesetsk toward Omaha, over the pole through Thule's fan
    res = run_scenario(
        with_launches(
            LINKS_CUT,
            [
                {
                    "id": "R1",
                    "vehicle": "icbm-liquid",
                    "site": {"lat_deg": 62.9, "lon_deg": 40.6},
                    "aim": {"lat_deg": 41.26, "lon_deg": -95.94},
                    "time": 60.0,
                }
            ],
        )
    )
    row = launch_row(res, "R1")
    assert row["threat_s"] is not None and row["threat_s"] < CUT_S, row
    assert not row["wrongly_dismissed"], row


# ---- 25 January 1995: the Norwegian research rocket -----------------------------------

NORWEGIAN = HISTORY / "1995-01-norwegian-rocket.yaml"


@pytest.mark.parametrize("seed", [1995, 1, 2])
def test_1995_the_sounding_rocket_is_a_launch_but_never_a_threat(seed: int) -> None:
    res = run_scenario(load_scenario(NORWEGIAN), seed=seed)
    row = launch_row(res, "BB12")
    assert row["max_level"] == "LAUNCH", row  # it is a launch, and is seen as one
    assert max_level(res) <= Level.LAUNCH
    assert row["disposition"] == "NOT_A_THREAT", row


def test_1995_a_submarine_missile_toward_moscow_in_the_same_sky_is_a_threat() -> None:
    res = run_scenario(
        with_launches(
            NORWEGIAN,
            [
                {
                    "id": "SLBM1",
                    "vehicle": "slbm",
                    "site": {"lat_deg": 72.0, "lon_deg": -6.0},
                    "aim": {"lat_deg": 55.75, "lon_deg": 37.6},
                    "time": 300.0,
                }
            ],
        )
    )
    row = launch_row(res, "SLBM1")
    assert row["threat_s"] is not None, row
    assert Level[row["max_level"]] >= Level.THREAT, row
    assert launch_row(res, "BB12")["disposition"] == "NOT_A_THREAT"
