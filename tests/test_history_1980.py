"""The June 1980 false alerts (``examples/history/1980-06-corrupt-chip.yaml``): a failing
part garbling a fifth of every sensor's reports, in a quiet sky.

* No alert at all.
* The garbled reports that break the report contract are refused, and those that keep it
  but cannot be right are rejected as ``implausible``; both are counted in summary.json
  and named (report, field, value, why) in the run's rejection list, and every report so
  rejected is one the corruption model garbled (labelled ``corrupt`` in the scoring truth,
  which the center never sees).
* Not every garbled report can be caught: a value halved or doubled stays plausible. The
  fraction caught depends on which bit of which field was flipped (see
  ``earlywarn.sensors.events.Corrupt``); over seed 1980 it is 61 % in the quiet sky and 64 %
  with the launch. The test asks for at least 40 %, the share of garbling whose factor is
  2^16 or more (exponent bits 4 to 9: 6 of 11 flips, i.e. 55 %, less margin) and so is far
  outside every bound or breaks the contract.
* A real ICBM launched into the same sky is still detected and reaches THREAT, though a
  fifth of its reports are garbled too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from earlywarn.center import Level
from earlywarn.center.intake import Outcome
from earlywarn.io.scenario import load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario
from history_cases import with_launches

SCENE = (
    Path(__file__).resolve().parent.parent / "examples" / "history" / "1980-06-corrupt-chip.yaml"
)
WHERE = re.compile(r"^(ir|radar|status) report (\S+) seq (\d+) ")


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
                    "id": "REAL1",
                    "vehicle": "icbm-solid",
                    "site": {"lat_deg": 52.0, "lon_deg": 62.0},
                    "aim": {"lat_deg": 41.12, "lon_deg": -95.91},
                    "time": 300.0,
                }
            ],
        )
    )


def _check_rejections(res: RunResult) -> None:
    truth = res.report_truth.as_dict()
    n_corrupt = sum(1 for v in truth.values() if v == "corrupt")
    intake = res.center.intake
    n_out = intake.total(Outcome.REFUSED) + intake.total(Outcome.IMPLAUSIBLE)
    assert intake.total(Outcome.REFUSED) > 0 and intake.total(Outcome.IMPLAUSIBLE) > 0
    assert len(res.center.rejected) == n_out == res.summary()["n_rejected_reports"]
    for rej in res.center.rejected:
        m = WHERE.match(rej.where)
        assert m is not None, rej
        assert truth[(m.group(2), int(m.group(3)))] == "corrupt", rej
        assert rej.field and rej.reason
    assert n_out >= 0.4 * n_corrupt, (n_out, n_corrupt)


def test_no_alert_and_the_corrupt_reports_are_rejected_and_named(quiet: RunResult) -> None:
    assert quiet.center.alerts == ()
    _check_rejections(quiet)


def test_a_real_launch_in_the_same_sky_is_still_warned(with_launch: RunResult) -> None:
    (row,) = with_launch.evaluation.launches
    assert row["first_report_s"] is not None
    assert Level[row["max_level"]] >= Level.THREAT
    assert len({a.event_id for a in with_launch.center.alerts}) == 1
    _check_rejections(with_launch)


def test_the_run_writes_the_rejection_list(quiet: RunResult, tmp_path: Path) -> None:
    import json

    from earlywarn.run.outputs import write_outputs

    write_outputs(quiet, tmp_path, pictures=False)
    rows = [json.loads(x) for x in (tmp_path / "rejected_reports.jsonl").read_text().splitlines()]
    assert len(rows) == len(quiet.center.rejected) > 0
    assert {"where", "field", "value", "reason"} == set(rows[0])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["n_rejected_reports"] == len(rows)
