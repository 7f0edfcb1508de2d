"""The 1960 false alarm (``examples/history/1960-thule.yaml``): the rising Moon in the fan
of a radar at Thule whose pulse repetition interval folds its echo into the range window.

* The scene is not quiet by construction: the radar reports the Moon every scan it is in
  the fan, at its folded range (true range mod c·PRI/2, ~4,000 km) — hundreds of reports.
* The center never raises anything above POSSIBLE_LAUNCH on it (the level the scenario
  file states and explains: a radar-only event needs a ballistic fit for LAUNCH).
* An ICBM from Plesetsk toward Washington in the same sky, in the fan while the Moon is,
  is tracked and warned: LAUNCH or above.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlywarn.center.vocabulary import Level
from earlywarn.earth.frames import ecef_to_aer
from earlywarn.earth.moon import moon_ecef
from earlywarn.earth.time import parse_utc
from earlywarn.io.scenario import load_scenario
from earlywarn.run import build
from earlywarn.run.pipeline import RunResult, run_scenario
from history_cases import labels, with_launches

SCENE = Path(__file__).resolve().parent.parent / "examples" / "history" / "1960-thule.yaml"
HIGHEST_ALLOWED = Level.POSSIBLE_LAUNCH


def _highest(res: RunResult) -> Level:
    return max((Level[str(a.level)] for a in res.center.alerts), default=Level.NONE)


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
                    "id": "P1",
                    "vehicle": "icbm-liquid",
                    "site": {"lat_deg": 62.9, "lon_deg": 40.6},
                    "aim": {"lat_deg": 38.9, "lon_deg": -77.0},
                    "time": 1500.0,
                }
            ],
        )
    )


def test_the_moon_is_reported_at_its_folded_range(quiet: RunResult) -> None:
    seen = labels(quiet)
    assert seen["moon"] >= 400, seen
    (radar,) = build.radars(load_scenario(SCENE))
    batch = quiet.reports.radar
    keys = quiet.report_truth.as_dict()
    moon = np.array(
        [
            keys.get((s, int(q))) == "moon"
            for s, q in zip(batch["sensor_id"], batch["seq"], strict=True)
        ]
    )
    t = np.asarray(batch["t_s"], dtype=float)[moon]
    got = np.asarray(batch["range_m"], dtype=float)[moon]
    _, _, true = ecef_to_aer(
        moon_ecef(parse_utc(quiet.scenario.epoch), t), radar.lat_rad, radar.lon_rad, radar.h_m
    )
    folded = np.mod(true, radar.unambiguous_range_m)
    # range noise 50 m (1 sigma): every report within 6 sigma of the folded range
    assert float(np.max(np.abs(got - folded))) < 300.0
    assert np.all((folded > 3.5e6) & (folded < 4.5e6))


def test_the_center_stays_at_or_below_possible_launch(quiet: RunResult) -> None:
    assert quiet.center.alerts, "the Moon's tracks open radar-only events"
    assert _highest(quiet) <= HIGHEST_ALLOWED
    assert all(e.level <= HIGHEST_ALLOWED for e in quiet.center.events)
    # the Moon is no launch: its events are the run's false alerts, none above the level
    fa = quiet.evaluation.false_alerts
    assert fa["POSSIBLE_LAUNCH"] == len(quiet.center.alerts)
    assert fa["LAUNCH"] == fa["THREAT"] == fa["ATTACK_CONFIRMED"] == 0


def test_a_real_launch_in_the_same_sky_is_warned(with_launch: RunResult) -> None:
    row = with_launch.evaluation.launches[0]
    assert row["launch_s"] is not None, row
    assert Level[row["max_level"]] >= Level.LAUNCH, row
    # the Moon's own events still stay at or below POSSIBLE_LAUNCH
    mine = set(row["event_ids"])
    others = [a for a in with_launch.center.alerts if a.event_id not in mine]
    assert max((Level[str(a.level)] for a in others), default=Level.NONE) <= HIGHEST_ALLOWED
