"""``examples/raid-large.yaml`` (400 launches from three fields and a submarine patrol
area) through the whole chain at one eighth of its size (its four salvos with an eighth
of their counts, rounded down: 49 launches), under ``make reliability``. The full 400 take tens of
minutes of center time on this machine today (the impact prediction with drag dominates);
``benchmarks/bench_raid.py`` measures the full sizes.

What it holds: every launch is detected (its event reaches LAUNCH), and the outputs of a
run this size stay usable: the printed timeline is summarised, ``report.html`` is capped
while ``alerts.jsonl`` keeps every alert. Threat and dismissal counts are scored in
``summary.json`` (``quality``); they are the dismissal rules' concern and are reported by
``benchmarks/bench_raid.py``, not asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.reliability
def test_large_raid_every_launch_detected_and_outputs_scale(tmp_path: Path) -> None:
    from earlywarn.cli.runs import MANY_EVENTS, summarise_timeline
    from earlywarn.io.html import TABLE_ROWS
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.outputs import write_outputs
    from earlywarn.run.pipeline import run_scenario

    full = load_scenario(EXAMPLES / "raid-large.yaml")
    assert len(full.all_launches()) == 400
    scaled = full.model_copy(
        update={
            "launches": tuple(s.model_copy(update={"count": s.count // 8}) for s in full.launches)
        }
    )
    res = run_scenario(scaled)
    launches = res.evaluation.launches
    assert len(launches) == sum(s.count // 8 for s in full.launches) == 49
    missed = [lv["id"] for lv in launches if lv.get("launch_s") is None]
    assert not missed, f"{len(missed)} launches never reached LAUNCH: {missed[:10]}"
    write_outputs(res, tmp_path)
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == len(res.center.alerts)
    html = (tmp_path / "report.html").read_text()
    assert f"The first {TABLE_ROWS} of" in html
    alerts = [json.loads(x) for x in lines]
    assert len({a["event_id"] for a in alerts}) > MANY_EVENTS
    assert len(summarise_timeline(alerts)) == 13  # a header and twelve time bins


@pytest.mark.reliability
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_two_dozen_launch_raid_is_detected_and_confirmed_where_both_kinds_see_it(
    seed: int,
) -> None:
    """Issue 11's raid target: a raid of 20-30 launches from several fields within a few
    minutes, every launch detected (LAUNCH or above) and confirmed (ATTACK_CONFIRMED)
    wherever both kinds of sensor see it. The raid is raid-large.yaml's four salvos at a
    sixteenth of their counts (9 + 7 + 5 + 2 = 23 launches from three fields and a
    submarine patrol area), each salvo's window shortened to 3 minutes and the four
    staggered by 20 s (all 23 within 4 minutes). "Both kinds see it" is the truth's own
    dual-phenomenology bound (``warning_time_bound_s`` of ``summary.json``, from
    :func:`earlywarn.analysis.warning.dual_confirmation`), which the center never reads.
    Measured when written, seeds 1-4: 23 of 23 confirmed each, none dismissed."""
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.pipeline import run_scenario

    full = load_scenario(EXAMPLES / "raid-large.yaml")
    salvos = tuple(
        s.model_copy(
            update={
                "count": s.count // 16,
                "window": s.window.model_copy(
                    update={"start": 60.0 + 20 * k, "end": 240.0 + 20 * k}
                ),
            }
        )
        for k, s in enumerate(full.launches)
    )
    res = run_scenario(full.model_copy(update={"launches": salvos}), seed=seed)
    summary = res.summary()
    rows = summary["launches"]
    assert len(rows) == 23
    seen_by_both = [lv for lv in rows if lv["warning_time_bound_s"] is not None]
    assert len(seen_by_both) >= 20  # the claim is not about an empty set
    undetected = [lv["id"] for lv in rows if lv["launch_s"] is None]
    assert not undetected, f"never reached LAUNCH: {undetected}"
    unconfirmed = [
        f"{lv['id']}: {lv['max_level']} {lv['disposition']} {lv['reason']}"
        for lv in seen_by_both
        if lv["max_level"] != "ATTACK_CONFIRMED"
    ]
    assert not unconfirmed, "seen by both kinds, not confirmed:\n" + "\n".join(unconfirmed)
    quality = summary["quality"]
    assert not quality["wrongly_dismissed"] and not quality["missed_threats"]
