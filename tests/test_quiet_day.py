"""A quiet day with a real sky (``examples/quiet-day.yaml``, issue 14): 24 hours with no
launch, while the radars see the sample catalog's 297 objects (five of them re-entering)
and the Moon, and the infrared satellites see glint, clutter and two flares.

The claim held here: no false THREAT and no false ATTACK_CONFIRMED, and every lower
false alert is counted (none hidden). The rate of the lower ones per day, with its 95 %
upper bound over 100 such days, is the study ``examples/studies/quiet-days.yaml`` (its
figures are in the README), too long for a test.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from earlywarn.io.scenario import Scenario, load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario

SCENE = Path(__file__).resolve().parent.parent / "examples" / "quiet-day.yaml"


@pytest.fixture(scope="module")
def day() -> RunResult:
    return run_scenario(load_scenario(SCENE))


@pytest.mark.reliability
def test_the_sky_is_not_empty(day: RunResult) -> None:
    labels = collections.Counter(str(v).split(":")[0] for v in day.report_truth.as_dict().values())
    # the catalog's objects and the Moon are seen by the radars, glint by the satellites
    assert labels["rso"] >= 10_000, labels
    assert labels["moon"] >= 10, labels
    assert labels["glint"] >= 100, labels


@pytest.mark.reliability
def test_no_false_threat_and_every_false_alert_counted(day: RunResult) -> None:
    fe = day.evaluation.false_events
    fa = day.evaluation.false_alerts
    assert fe["THREAT"] == fe["ATTACK_CONFIRMED"] == 0, fe
    assert fa["THREAT"] == fa["ATTACK_CONFIRMED"] == 0, fa
    # nothing flies: every alert the center wrote is a false one, and is counted
    assert sum(fa.values()) == len(day.center.alerts)
    by_event = {a.event_id for a in day.center.alerts}
    assert sum(fe.values()) == len(by_event)


@pytest.mark.reliability
def test_no_false_launch_on_this_day(day: RunResult) -> None:
    # This day had 5 false LAUNCH events: 3 catalogued satellites whose young radar
    # tracks the first-order tracker held too tightly to match the catalog, and 2 Moon
    # echoes whose tracks passed the ballistic gate 8 times in a row while their
    # innovations, summed, did not fit (design notes). The rate over many days is the
    # study's; this holds the day where they were found.
    fe = day.evaluation.false_events
    assert fe["LAUNCH"] == 0, fe


@pytest.mark.reliability
def test_the_center_knows_its_catalog(day: RunResult) -> None:
    # most radar-only events are the catalog's objects, named as such
    reasons = collections.Counter(str(e.reason) for e in day.center.events if e.radar_track_ids)
    assert reasons["catalogued_object"] >= 0.5 * sum(reasons.values()), reasons


def test_space_objects_whose_tracks_ended_are_archived_and_still_reported() -> None:
    """Two hours of the quiet day: the space objects whose tracks the tracker no longer
    holds leave the active events (so the step's passes do not grow with the day), and
    the run's events still hold every event an alert names."""
    d = load_scenario(SCENE).model_dump(mode="json", by_alias=True)
    d["duration"] = "2 h"
    res = run_scenario(Scenario.model_validate(d))
    state = res.center.final_state
    assert len(state.archive) >= 20, len(state.archive)
    held = set(state.radar.tracker.ids.tolist())
    for e in state.archive:
        assert str(e.disposition) == "NOT_A_THREAT" and e.ir_event_id is None
        assert str(e.reason) in ("catalogued_object", "uncorrelated_orbital_object", "reentry")
        assert not held & set(e.radar_track_ids)
    ids = [e.event_id for e in res.center.events]
    assert ids == sorted(ids) and len(ids) == len(state.archive) + len(state.events)
    assert {a.event_id for a in res.center.alerts} <= set(ids)
