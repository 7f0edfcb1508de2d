"""Bad input to the command: one clear error line and exit status 2, never a traceback
or a hang; outputs never mixed between runs. Run in-process (typer's test runner), where
an unexpected exception shows as ``result.exception`` that is not a ``SystemExit``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from earlywarn.cli import app

ROOT = Path(__file__).parent.parent
REFERENCE = ROOT / "examples" / "reference.yaml"


def ew(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"earlywarn {' '.join(args)} raised {r.exception!r}")
    return r.exit_code, r.stdout, r.stderr


def refused(*args: str) -> str:
    """The error of a refused command: exit 2, no traceback, and after any progress lines
    (stderr off a terminal carries plain progress) one error line, the last."""
    code, _, err = ew(*args)
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("earlywarn: error: ")]
    assert "Traceback" not in err and errors, err
    assert lines[-len(errors) :] == errors, err  # the error comes last
    assert all(ln.startswith("[") for ln in lines[: -len(errors)]), err  # progress lines only
    return err


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports of a short run: a JSONL stream and a Parquet file."""
    from earlywarn.io.reports import write_reports_parquet
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run.pipeline import run_scenario

    d = tmp_path_factory.mktemp("saved")
    res = run_scenario(load_scenario(REFERENCE))
    res.reports.to_jsonl(d / "reports.jsonl")
    write_reports_parquet(res.reports, d / "reports.parquet")
    return d


def test_replay_refuses_a_contradictory_epoch(saved: Path, tmp_path: Path) -> None:
    err = refused("replay", str(saved / "reports.jsonl"), "--epoch", "2026-03-20T12:00:05Z",
                  "--out", str(tmp_path / "a"))  # fmt: skip
    assert "time_utc" in err and "reports.jsonl:1:" in err
    err = refused("replay", str(saved / "reports.parquet"), "--epoch", "2026-03-20T12:00:05Z",
                  "--out", str(tmp_path / "a"))  # fmt: skip
    assert "contradicts the reports' own epoch 2026-03-20T12:00:00" in err
    assert not (tmp_path / "a").exists()


def test_replay_without_a_scenario_says_what_is_missing(saved: Path, tmp_path: Path) -> None:
    code, out, err = ew("replay", str(saved / "reports.jsonl"), "--out", str(tmp_path / "a"))
    assert code == 0, err
    assert "no defended areas" in err and "no declared launches" in err
    assert "give --scenario FILE" in out
    assert (tmp_path / "a" / "alerts.jsonl").exists()
    code, out, err = ew("replay", str(saved / "reports.jsonl"), "--out", str(tmp_path / "b"),
                        "--scenario", str(REFERENCE))  # fmt: skip
    assert code == 0 and "warning" not in err and "ATTACK_CONFIRMED" in out


@pytest.mark.parametrize("step", ["0", "-1", "nan", "inf", "1e-6"])
def test_replay_step_is_bounded(saved: Path, tmp_path: Path, step: str) -> None:
    err = refused("replay", str(saved / "reports.parquet"), f"--step={step}",
                  "--out", str(tmp_path / "a"))  # fmt: skip
    assert "--step" in err and "0.1 to 600 s" in err


def _lines(saved: Path) -> list[dict]:
    return [json.loads(x) for x in (saved / "reports.jsonl").read_text().splitlines()]


def _rejected(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "rejected_reports.jsonl").read_text().splitlines()]


def test_replay_stream_errors_name_the_real_line(saved: Path, tmp_path: Path) -> None:
    recs = _lines(saved)[:20]
    bad = dict(recs[5])
    bad["t_s"] = math.nan
    text = "\n\n".join(json.dumps(r) for r in recs[:5]) + "\n\n" + json.dumps(bad) + "\n"
    (tmp_path / "s.jsonl").write_text(text)  # blank lines between: record 6 is on line 11
    code, _, err = ew("replay", str(tmp_path / "s.jsonl"), "--out", str(tmp_path / "a"))
    assert code == 0, err  # the bad record is rejected, the five others replayed
    assert "1 records rejected on reading" in err
    (row,) = _rejected(tmp_path / "a")
    assert row["where"] == "line 11" and row["field"] == "t_s" and row["value"] == "nan"
    # a stream with no usable record is refused, naming the first bad line
    (tmp_path / "g.jsonl").write_text("{not json\n" + json.dumps(bad) + "\n")
    err = refused("replay", str(tmp_path / "g.jsonl"))
    assert "no usable report (2 rejected)" in err and "g.jsonl:1: not a JSON object" in err
    (tmp_path / "b.jsonl").write_bytes(b"\xff\xfe\x00binary")
    assert "not UTF-8" in refused("replay", str(tmp_path / "b.jsonl"))


def test_replay_refuses_absurd_times_and_missing_columns(saved: Path, tmp_path: Path) -> None:
    from earlywarn.earth.time import iso_utc, parse_utc

    table = pq.read_table(saved / "reports.parquet")
    t = table.column("t_s").to_pylist()
    t[0] = -1e9  # used to hang: a grid from -1e9 s
    far = table.set_column(table.schema.get_field_index("t_s"), "t_s", pa.array(t))
    pq.write_table(far, tmp_path / "far.parquet")
    # its time_utc no longer agrees: that row alone is rejected, the rest replayed
    code, _, err = ew("replay", str(tmp_path / "far.parquet"), "--out", str(tmp_path / "r"))
    assert code == 0, err
    (row,) = _rejected(tmp_path / "r")
    assert row["where"] == "row 0" and row["field"] == "time_utc"
    # a consistent record far from the rest: the stream itself is wrong
    text = table.column("time_utc").to_pylist()
    text[0] = iso_utc(parse_utc("2026-03-20T12:00:00Z"), -1e9)
    far = far.set_column(table.schema.get_field_index("time_utc"), "time_utc", pa.array(text))
    pq.write_table(far, tmp_path / "far.parquet")
    err = refused("replay", str(tmp_path / "far.parquet"), "--out", str(tmp_path / "a"))
    assert "at most 30 days" in err
    pq.write_table(table.drop_columns(["range_m"]), tmp_path / "cut.parquet")
    err = refused("replay", str(tmp_path / "cut.parquet"), "--out", str(tmp_path / "a"))
    assert "radar reports need column(s) ['range_m']" in err
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 nope")
    assert "not a readable Parquet file" in refused("replay", str(tmp_path / "junk.parquet"))


def test_outputs_never_mix_runs(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("an older run")
    err = refused("replay", str(saved / "reports.parquet"), "--out", str(out))
    assert "not empty" in err and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    code, _, err = ew("replay", str(saved / "reports.parquet"), "--out", str(out), "--force")
    assert code == 0, err
    # replaced whole
    assert sorted(p.name for p in out.iterdir()) == ["alerts.jsonl", "rejected_reports.jsonl"]
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind
    (tmp_path / "file").write_text("x")
    assert "is a file" in refused("run", str(REFERENCE), "--out", str(tmp_path / "file"))


def test_a_run_that_fails_leaves_the_previous_outputs_alone(tmp_path: Path) -> None:
    from earlywarn.run.staging import staged_output

    out = tmp_path / "out"
    with staged_output(out) as d:
        (d / "summary.json").write_text("first")
    with pytest.raises(RuntimeError), staged_output(out, force=True) as d:
        (d / "summary.json").write_text("second")
        raise RuntimeError("the run failed half-way")
    assert (out / "summary.json").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_study_file_given_to_validate_and_bad_study_flags(tmp_path: Path) -> None:
    err = refused("validate", str(ROOT / "examples" / "study.yaml"))
    assert "this is a study file" in err and "earlywarn study" in err
    study = ROOT / "examples" / "study.yaml"
    assert "--workers: got -3" in refused("study", str(study), "--workers", "-3",
                                          "--out", str(tmp_path / "s"))  # fmt: skip
    assert "expected a Dask scheduler address" in refused(
        "study", str(study), "--scheduler", "not-a-url", "--out", str(tmp_path / "s")
    )


def test_trajectory_of_a_launcher_that_reaches_orbit() -> None:
    code, out, err = ew("trajectory", "--vehicle", "slv", "--from", "28,-80",
                        "--azimuth-deg", "90", "--elevation-deg", "80")  # fmt: skip
    assert code == 0, err
    assert "impact       none (reaches orbit)" in out and "flight time" not in out


def test_coverage_refusals(tmp_path: Path) -> None:
    args = ("coverage", str(REFERENCE), "--step-deg", "30", "--out", str(tmp_path / "c"))
    assert "at most 720 h" in refused(*args, "--hours", "1e9")
    err = refused(*args, "--hours", "1", "--region", "0,0;0,10;10,10", "--level", "5")
    assert "level 5 needs at least 5 satellites; the architecture has 2" in err


def test_a_record_with_a_list_for_its_kind_is_refused(saved: Path, tmp_path: Path) -> None:
    # found by the property test (tests/test_cli_properties.py): the contract's validator
    # raised TypeError (a list is not hashable) instead of naming the field
    rec = _lines(saved)[0]
    rec["kind"] = ["ir"]
    (tmp_path / "k.jsonl").write_text(json.dumps(rec) + "\n")
    err = refused("replay", str(tmp_path / "k.jsonl"), "--out", str(tmp_path / "a"))
    assert "k.jsonl:1: 'kind': report field 'kind': got ['ir']" in err
