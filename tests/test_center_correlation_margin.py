"""A radar track that several IR events' gates take joins one only when the backward test
tells them apart (``AssessmentParams.correlation_margin_d2``).

In the salvo example a spent stage of launch F001, at 6 updates, was 11.0 from F004's
event and 13.2 from F002's, 25 from its own; the nearest was taken for good, F004's event
fused another launch's track, and its impact at confirmation was 961 km off (with the
IR burnout state of this change, the same fusion dismissed F004, a real threat, for
66 s). At 10 updates the stage was 15 from its own event and 30 from the next. A waiting
track must not be taken by another path either (a radar-only event of its own that then
joins the wrong launch): the salvo test checks, by the truth nearest each track update,
that every radar track of every event follows that event's launch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from earlywarn.center.assessment.correlate import _ambiguous
from earlywarn.center.assessment.params import AssessmentParams

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_a_track_waits_while_the_backward_test_cannot_tell_its_events_apart() -> None:
    p = AssessmentParams()
    close = [13.2, 25.1, 11.0]  # F004's event, F002's, its own (F001's)
    clear = [30.0, 15.4]
    assert _ambiguous(close, p.radar_confirm_min_updates, p)
    assert not _ambiguous(clear, p.radar_confirm_min_updates, p)
    # a young track always waits; one that waited long enough joins the nearest
    assert _ambiguous(clear, p.radar_confirm_min_updates - 1, p)
    assert not _ambiguous(close, p.correlation_max_wait_updates, p)


def test_salvo_launches_confirmed_on_their_own_tracks() -> None:
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.pipeline import run_scenario

    res = run_scenario(load_scenario(EXAMPLES / "salvo.yaml"))
    ev = res.evaluation
    launch_of = {eid: r["id"] for r in ev.launches for eid in r["event_ids"]}
    follows: dict[int, set[str]] = {}
    for t, tid, x in res.center.track_log:
        s = res.truth.at([t])
        d = np.linalg.norm(s.r_ecef_m[:, 0] - x[None, :3], axis=1)
        j = int(np.nanargmin(d))
        if d[j] < 50e3:
            follows.setdefault(tid, set()).add(res.truth.object_id[j].split("/")[0])
    for e in res.center.events:
        if e.merged_into is None and e.event_id in launch_of:
            for tid in e.radar_track_ids:
                assert follows.get(tid, set()) <= {launch_of[e.event_id]}, (e.event_id, tid)
    for r in ev.launches:
        assert not r["wrongly_dismissed"], r
        if r["confirmed_s"] is not None and r["impact_error_km_at_confirmed"] is not None:
            # a fused track of its own launch: tens of km (another launch's: ~1,000 km)
            assert r["impact_error_km_at_confirmed"] < 200.0, r
