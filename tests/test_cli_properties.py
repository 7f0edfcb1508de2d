"""Property: whatever scenario document or report stream the command is given, it ends
with exit 0, or exit 2 and one error message, never a traceback, within a time bound.

Documents are a small valid scenario with parts replaced by generated values (numbers
including NaN, infinities and huge ones, strings with and without units, nulls, lists,
mappings, deleted keys); streams are a short run's reports with fields replaced, deleted
or added and garbage lines inserted. ``make test`` runs a few dozen examples of each;
``make reliability`` runs many more.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from earlywarn.cli import app

ROOT = Path(__file__).parent.parent
BASE: dict[str, Any] = {
    "epoch": "2026-03-20T12:00:00Z",
    "duration": "6 min",
    "launches": [
        {"id": "L1", "vehicle": "srbm", "site": {"lat_deg": 40.0, "lon_deg": 60.0},
         "aim": {"lat_deg": 41.5, "lon_deg": 62.0}, "time": "30 s"},
    ],
    "glint": {"enabled": False},
    "sensors": {
        "satellites": [{"id": "g", "orbit": {"preset": "geo", "lon_deg": 60.0},
                        "payload": {"revisit": "2 s"}}],
        "radars": [{"id": "r", "site": {"lat_deg": 43.0, "lon_deg": 64.0},
                    "faces": [{"boresight_az_deg": 200, "half_width_deg": 60}],
                    "detection_range": "3000 km"}],
    },
    "defended_areas": [{"name": "t", "circle": {"lat_deg": 41.5, "lon_deg": 62.0,
                                               "radius": "100 km"}}],
    "center": {"step": "2 s"},
}  # fmt: skip
RUN_BUDGET_S = 120.0
"""A generated scenario the loader accepts runs within this (the run is at most 10 min of
scenario time; the loader's limits bound the rest)."""

values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["", "1000 d", "1e308 s", "-5 km", "3 parsec", "nan s", "0 s",
                         "90 s", "4500 km", "30 urad", "icbm-solid", "slv", "geo"]),
        st.text(max_size=8),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(BASE)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


def _invoke(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"earlywarn {' '.join(args)} raised {r.exception!r}")
    assert r.exit_code in (0, 2), (r.exit_code, r.stderr)
    if r.exit_code == 2:
        assert r.stderr.startswith("earlywarn: error: ") and "Traceback" not in r.stderr
    return r.exit_code, r.stderr


def check_document(doc: dict[str, Any], tmp: Path) -> None:
    path = tmp / "s.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    code, _ = _invoke("validate", str(path))
    if code != 0:
        return
    t0 = time.monotonic()
    _invoke("run", str(path), "--out", str(tmp / "out"), "--force", "--quiet")
    assert time.monotonic() - t0 < RUN_BUDGET_S


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from earlywarn.io.scenario import parse_scenario
    from earlywarn.run.pipeline import run_scenario

    res = run_scenario(parse_scenario(yaml.safe_dump(BASE)))
    recs = res.reports.to_json_records()
    assert len(recs) > 40
    return recs[:: max(1, len(recs) // 40)]


@st.composite
def streams(draw: st.DrawFn, recs: list[dict[str, Any]]) -> list[str]:
    lines = [json.dumps(r) for r in recs]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        try:
            rec = json.loads(lines[i])
        except ValueError:
            continue  # a garbage line inserted before
        if not isinstance(rec, dict) or not rec:
            continue
        action = draw(st.sampled_from(["set", "drop", "add", "garbage"]))
        key = draw(st.sampled_from(sorted(rec)))
        if action == "set":
            rec[key] = draw(values)
        elif action == "drop":
            rec.pop(key)
        elif action == "add":
            rec[draw(st.text(min_size=1, max_size=5))] = draw(values)
        if action == "garbage":
            lines.insert(i, draw(st.text(max_size=20)))
        else:
            lines[i] = json.dumps(rec)  # NaN and infinities are written as JSON accepts
    return lines


def check_stream(lines: list[str], tmp: Path) -> None:
    path = tmp / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    _invoke("replay", str(path), "--scenario", str(tmp / "base.yaml"), "--out",
            str(tmp / "out"), "--force")  # fmt: skip


def _base_file(tmp: Path) -> None:
    (tmp / "base.yaml").write_text(yaml.safe_dump(BASE))


SMALL = settings(max_examples=10, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])  # fmt: skip
LARGE = settings(max_examples=300, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])  # fmt: skip


@SMALL
@given(doc=documents())
def test_generated_scenarios_end_cleanly(tmp_path: Path, doc: dict[str, Any]) -> None:
    check_document(doc, tmp_path)


@pytest.mark.reliability
@LARGE
@given(doc=documents())
def test_many_generated_scenarios_end_cleanly(tmp_path: Path, doc: dict[str, Any]) -> None:
    check_document(doc, tmp_path)


@SMALL
@given(data=st.data())
def test_generated_report_streams_end_cleanly(
    tmp_path: Path, records: list[dict[str, Any]], data: st.DataObject
) -> None:
    _base_file(tmp_path)
    check_stream(data.draw(streams(records)), tmp_path)


@pytest.mark.reliability
@LARGE
@given(data=st.data())
def test_many_generated_report_streams_end_cleanly(
    tmp_path: Path, records: list[dict[str, Any]], data: st.DataObject
) -> None:
    _base_file(tmp_path)
    check_stream(data.draw(streams(records)), tmp_path)
