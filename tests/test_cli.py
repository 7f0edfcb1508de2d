"""The ``earlywarn`` command through its real entry point: exit codes, messages, outputs."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


def ew(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earlywarn", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=600,
    )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def test_version_and_doctor() -> None:
    from earlywarn import __version__

    r = ew("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"earlywarn {__version__}"
    r = ew("doctor", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["earlywarn"] == __version__
    assert all(v is not None for v in rep["dependencies"].values())
    for name in ("vehicles.yaml", "coastlines.npz", "demo.yaml"):
        assert rep["data_files"][name]["present"], name


def test_trajectory_json_shape_aimed_and_unaimed() -> None:
    r = ew("trajectory", "--vehicle", "icbm-solid", "--from", "40,60", "--to", "47,-170", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) == {
        "vehicle", "launch", "burnout", "apogee", "impact", "ground_range_km",
        "flight_time_s", "aim_miss_km",
    }  # fmt: skip
    assert set(d["burnout"]) == {"time_s", "altitude_km", "speed_km_s", "flight_path_angle_deg"}
    assert d["aim_miss_km"] < 1.0 and d["impact"] is not None
    r = ew(
        "trajectory", "--vehicle", "sounding-rocket", "--from", "69.29,16.02",
        "--azimuth-deg", "10", "--elevation-deg", "86", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["aim_miss_km"] is None and 1300 < d["apogee"]["altitude_km"] < 1600


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--vehicle", "nope", "--from", "0,0", "--to", "1,1"], "icbm-solid"),
        (["--vehicle", "srbm", "--from", "0,0", "--to", "0,40"], "maximum range"),
        (["--vehicle", "srbm", "--from", "95,0", "--to", "0,1"], "latitude"),
        (["--vehicle", "srbm", "--from", "0,0"], "either --to"),
    ],
)
def test_trajectory_bad_input_exits_2_with_a_message(args: list[str], words: str) -> None:
    r = ew("trajectory", *args)
    assert r.returncode == 2
    assert words in r.stderr and "Traceback" not in r.stderr


def test_validate_schema_and_bad_files(tmp_path: Path) -> None:
    r = ew("validate", str(EXAMPLES / "reference.yaml"))
    assert r.returncode == 0 and "valid" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "reference.yaml").read_text().replace("icbm-solid", "icbm-x"))
    r = ew("validate", str(bad))
    assert r.returncode == 2
    assert f"{bad}:" in r.stderr and "launches.0.vehicle" in r.stderr and "icbm-solid" in r.stderr
    r = ew("run", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and not (tmp_path / "o").exists()  # nothing half-run
    r = ew("schema")
    assert r.returncode == 0 and json.loads(r.stdout)["title"] == "earlywarn scenario"


def test_run_writes_every_output_and_replay_gives_the_same_alerts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = ew("run", str(EXAMPLES / "radar-satellites-regional.yaml"), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary == json.loads((out / "summary.json").read_text())
    for key in ("earlywarn_version", "scenario_hash", "seed", "wall_time_s", "launches"):
        assert key in summary
    row = summary["launches"][0]
    for key in (
        "id", "vehicle", "class_true", "class_assessed", "first_report_s", "possible_launch_s",
        "launch_s", "threat_s", "confirmed_s", "max_level", "disposition",
        "launch_point_error_km", "azimuth_error_deg", "impact_error_km_at_confirmed",
        "impact_time_error_s", "decision_time_s",
    ):  # fmt: skip
        assert key in row, key
    assert set(summary["false_alerts"]) == {
        "POSSIBLE_LAUNCH",
        "LAUNCH",
        "THREAT",
        "ATTACK_CONFIRMED",
    }
    names = {p.name for p in out.iterdir()}
    for f in (
        "summary.json", "alerts.jsonl", "reports.parquet", "tracks.parquet", "truth.parquet",
        "scene.czml", "map.geojson", "timeline.png", "map.png", "report.html", "globe.html",
    ):  # fmt: skip
        assert f in names, f
    import pyarrow.parquet as pq

    tracks = pq.read_table(out / "tracks.parquet")
    sources = set(tracks.column("source").to_pylist())
    assert {"ir", "radar", "impact_prediction"} <= sources, sources
    confirmed = {e["event_id"] for e in summary["events"] if e["max_level"] == "ATTACK_CONFIRMED"}
    radar_events = {
        e
        for e, s in zip(
            tracks.column("event_id").to_pylist(), tracks.column("source").to_pylist(), strict=True
        )
        if s == "radar"
    }
    assert confirmed <= radar_events  # a confirmed event's radar track is in the table
    assert png_size(out / "timeline.png") == (1600, 900)
    assert png_size(out / "map.png") == (1600, 900)
    czml = json.loads((out / "scene.czml").read_text())
    assert czml[0]["id"] == "document" and czml[0]["version"] == "1.0"
    html = (out / "report.html").read_text()
    assert "http://" not in html and "https://" not in html
    assert "data:image/png;base64," in html
    # the same center over the saved reports gives the same alerts, bit for bit
    rep = tmp_path / "replay"
    r = ew(
        "replay", str(out / "reports.parquet"), "--out", str(rep),
        "--scenario", str(EXAMPLES / "radar-satellites-regional.yaml"),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (rep / "alerts.jsonl").read_text() == (out / "alerts.jsonl").read_text()


def test_replay_of_a_missing_or_empty_jsonl_stream(tmp_path: Path) -> None:
    r = ew("replay", str(tmp_path / "x.jsonl"))
    assert r.returncode == 2 and "cannot read the report stream" in r.stderr
    (tmp_path / "x.jsonl").write_text("\n")
    r = ew("replay", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "o"))
    # the records carry their epoch (time_utc with t_s): an empty stream has none
    assert r.returncode == 2 and "no reports (an empty stream has no epoch)" in r.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40.0,-100.5", (40.0, -100.5)),
        ("-90,-180", (-90.0, -180.0)),
        ("90,360", (90.0, 360.0)),
        (" 47 , 190 ", (47.0, 190.0)),
    ],
)
def test_latlon_parser_accepts_the_documented_ranges(
    text: str, expected: tuple[float, float]
) -> None:
    from earlywarn.cli.common import parse_latlon

    assert parse_latlon(text, "--x") == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("40", "LAT,LON"),
        ("40,1,2", "LAT,LON"),
        ("north,east", "LAT,LON"),
        ("90.5,0", "latitude must be within [-90, 90]"),
        ("-91,0", "latitude must be within [-90, 90]"),
        ("0,-180.5", "longitude must be within [-180, 360]"),
        ("0,-200", "longitude must be within [-180, 360]"),
        ("0,360.5", "longitude must be within [-180, 360]"),
    ],
)
def test_latlon_parser_refuses_with_exit_2_and_the_bounds(
    text: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from earlywarn.cli.common import parse_latlon

    with pytest.raises(typer.Exit) as exc:
        parse_latlon(text, "--x")
    assert exc.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith("earlywarn: error: --x") and words in err


def test_every_command_uses_the_one_latlon_parser() -> None:
    """`warning --defended` once accepted longitudes down to -360; now all commands agree."""
    r = ew(
        "warning", str(EXAMPLES / "reference.yaml"), "--defended", "40,-200",
        "--vehicle", "icbm-solid",
    )  # fmt: skip
    assert r.returncode == 2 and "longitude must be within [-180, 360]" in r.stderr
    r = ew("coverage", str(EXAMPLES / "reference.yaml"), "--region", "0,0;1,1;2,-300")
    assert r.returncode == 2 and "--region longitude must be within [-180, 360]" in r.stderr
    r = ew("trajectory", "--vehicle", "srbm", "--from", "0,-200", "--to", "0,1")
    assert r.returncode == 2 and "--from longitude must be within [-180, 360]" in r.stderr


@pytest.mark.parametrize(
    "command",
    [
        None, "doctor", "trajectory", "run", "validate", "schema", "replay", "demo",
        "coverage", "warning", "study",
    ],
)  # fmt: skip
def test_help_of_every_command(command: str | None) -> None:
    r = ew(*([command] if command else []), "--help")
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout
