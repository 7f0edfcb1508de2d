"""One command surface: the same switches on every command that runs something, plain
progress lines off a terminal, the vehicle catalog, study overrides and sweeps."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlywarn.cli import app
from earlywarn.run.sweep import parse_axis, set_path

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"

RUNNING = ("run", "demo", "replay", "trajectory", "coverage", "warning", "study")
SEEDED = ("run", "demo", "study")  # the others draw nothing at random


def ew(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point with stdin/stderr not a terminal, as in a pipe or CI."""
    return subprocess.run(
        [sys.executable, "-m", "earlywarn", *args],
        capture_output=True, text=True, check=False, timeout=600, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _options(command: str) -> dict[str, bool]:
    """Every option of a command and whether it takes a value (``is_flag`` switches don't)."""
    import typer.main

    click_cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    out = {}
    for p in click_cmd.params:
        for name in [*p.opts, *p.secondary_opts]:
            out[name] = not getattr(p, "is_flag", False)
    return out


@pytest.mark.parametrize("command", RUNNING)
def test_every_running_command_has_the_common_switches(command: str) -> None:
    opts = _options(command)
    for name in ("--json", "--quiet", "--out"):
        assert name in opts, f"{command} lacks {name}"
    assert opts["--json"] is False and opts["--quiet"] is False  # plain switches, no value
    assert ("--seed" in opts) == (command in SEEDED)
    assert not any(o.startswith("--no-") for o in opts)  # no --json/--no-json pairs


def test_help_shows_no_boolean_values() -> None:
    for command in RUNNING:
        r = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0
        assert "BOOLEAN" not in r.output and "[true|false]" not in r.output.lower()


def test_vehicles_lists_the_catalog_with_ranges_and_apogees() -> None:
    r = ew("vehicles", "--json")
    assert r.returncode == 0, r.stderr
    rows = {v["name"]: v for v in json.loads(r.stdout)}
    from earlywarn.flight import load_catalog

    assert set(rows) == set(load_catalog())
    icbm = rows["icbm-solid"]
    # vehicles.yaml sizes the payload so the modelled maximum range is ~13,000 km
    assert 12_000 < icbm["max_range_km"] < 15_000
    lo, hi = icbm["apogee_full_burn_km"]
    assert lo < icbm["apogee_at_max_range_km"] < hi
    assert rows["slv"]["max_range_km"] is None and rows["slv"]["orbital"]
    r = ew("vehicles")
    assert r.returncode == 0 and "icbm-solid" in r.stdout and "orbital" in r.stdout


def test_coverage_and_warning_print_plain_progress_off_a_terminal(tmp_path: Path) -> None:
    r = ew("coverage", str(EXAMPLES / "reference.yaml"), "--step-deg", "15", "--hours", "1",
           "--out", str(tmp_path / "c"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert any(ln.startswith("[coverage") and "grid points" in ln for ln in lines)
    assert "\x1b[" not in r.stderr  # no terminal control codes in a pipe
    r = ew("coverage", str(EXAMPLES / "reference.yaml"), "--step-deg", "15", "--hours", "1",
           "--out", str(tmp_path / "c2"), "--json")  # fmt: skip
    assert r.returncode == 0 and r.stderr == ""
    assert 0.0 <= json.loads(r.stdout)["mean_fraction_1"] <= 1.0
    r = ew("warning", str(EXAMPLES / "reference.yaml"), "--defended", "47,-170", "--vehicle",
           "icbm-solid", "--step-deg", "20", "--out", str(tmp_path / "w"), "--quiet")  # fmt: skip
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    assert (tmp_path / "w" / "warning.png").is_file()


def test_study_overrides_and_plain_progress(tmp_path: Path) -> None:
    out = tmp_path / "s"
    r = ew("study", str(EXAMPLES / "study.yaml"), "--runs", "2", "--seed", "5", "--workers",
           "0", "--out", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "[runs] 2/2 runs" in r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["n_runs"] == 2 and s["root_seed"] == 5
    r = ew("study", str(EXAMPLES / "study.yaml"), "--runs", "0", "--out", str(out))
    assert r.returncode == 2 and "--runs" in r.stderr and "Traceback" not in r.stderr


def test_study_sweep_gives_one_row_per_point(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    r = ew("study", str(EXAMPLES / "study.yaml"), "--runs", "2", "--workers", "0",
           "--sweep", "sensors.radars.rad-n.detection_range=1000 km,5000 km",
           "--sweep", "center.step=2 s", "--out", str(out), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [p["sensors.radars.rad-n.detection_range"] for p in doc["points"]] == [
        "1000 km", "5000 km",
    ]  # fmt: skip
    assert all(p["n_runs"] == 2 for p in doc["points"])
    with (out / "sweep.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 2
    assert (out / "point-000" / "summary.json").is_file()
    assert (out / "point-001" / "summary.json").is_file()


@pytest.mark.parametrize(
    ("axis", "words"),
    [
        ("sensors.radars.nope.detection_range=1 km", "no element with id or name 'nope'"),
        ("sensors.radarz.0.detection_range=1 km", "no field 'sensors.radarz'"),
        ("sensors.radars.rad-n.detection_range=lots", "detection_range"),
        ("sensors.radars.7.detection_range=1 km", "index 7 outside 0..1"),
        ("no-equals-sign", "PATH=V1,V2"),
    ],
)
def test_bad_sweeps_are_refused_before_running(tmp_path: Path, axis: str, words: str) -> None:
    r = ew("study", str(EXAMPLES / "study.yaml"), "--sweep", axis, "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()


def test_set_path_by_index_id_and_new_key() -> None:
    doc = {"sensors": {"radars": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]}}
    set_path(doc, "sensors.radars.b.x", 5)
    set_path(doc, "sensors.radars.0.y", 7)
    assert doc == {"sensors": {"radars": [{"id": "a", "x": 1, "y": 7}, {"id": "b", "x": 5}]}}
    assert parse_axis("a.b=1, 2.5 ,3 km,true").values == (1, 2.5, "3 km", True)
    with pytest.raises(ValueError, match="appears twice"):
        parse_axis("a=1,1")
