"""Scenario files: validation, errors that name file/line/field, the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earlywarn.io.scenario import (
    ScenarioError,
    load_scenario,
    parse_scenario,
    scenario_hash,
    scenario_json_schema,
)

EXAMPLES = sorted(
    p for p in (Path(__file__).parent.parent / "examples").glob("*.yaml") if p.stem != "study"
)

GOOD = """\
epoch: "2026-03-20T12:00:00Z"
duration: "30 min"
launches:
  - id: L1
    vehicle: icbm-solid
    site: {lat_deg: 40.0, lon_deg: 60.0}
    aim: {lat_deg: 47.0, lon_deg: -170.0}
    time: "90 s"
sensors:
  satellites:
    - id: g1
      orbit: {preset: geo, lon_deg: 30}
"""


def test_examples_are_valid_and_documented() -> None:
    assert len(EXAMPLES) >= 8
    for path in EXAMPLES:
        text = path.read_text()
        assert text.startswith("# "), f"{path.name} must open with a comment block"
        assert "What it shows" in text.split("\n\n")[0] or "What it shows" in text[:800]
        load_scenario(path)


def test_study_example_is_valid() -> None:
    from earlywarn.io.study import load_study

    study, scenario = load_study(EXAMPLES[0].parent / "study.yaml")
    assert scenario.name == "reference"
    assert study.runs > 0
    assert {p.id for p in study.launches} <= {ln.id for ln in scenario.launches}


def test_units_are_converted_to_si() -> None:
    sc = parse_scenario(GOOD)
    assert sc.duration == 1800.0
    assert sc.launches[0].time == 90.0
    assert sc.sensors.satellites[0].payload.mode == "scanning"


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (("icbm-solid", "icbm-solidd"), 5, "launches.0.vehicle", "known vehicles: icbm-liquid"),
        (('"30 min"', '"30 km"'), 2, "duration", "unknown time unit 'km'"),
        (("lat_deg: 40.0", "lat_deg: 140.0"), 6, "launches.0.site.lat_deg", "less than or equal"),
        (
            ("preset: geo, lon_deg: 30", "preset: leo"),
            12,
            "sensors.satellites.0.orbit.preset",
            "geo",
        ),
        (("    time:", "    tme:"), 8, "launches.0.tme", "Extra inputs"),
    ],
)
def test_errors_name_file_line_field_and_what_is_allowed(
    change: tuple[str, str], line: int, field: str, words: str
) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "my.yaml")
    msg = str(exc.value)
    assert f"my.yaml:{line}: {field}" in msg, msg
    assert words in msg


def test_aimed_and_unaimed_are_exclusive() -> None:
    text = GOOD.replace("    time:", "    azimuth_deg: 10\n    elevation_deg: 80\n    time:")
    with pytest.raises(ScenarioError, match="either 'aim'"):
        parse_scenario(text)


def test_event_refers_to_a_known_sensor() -> None:
    text = GOOD + 'events:\n  - {type: outage, sensor: nope, start: "1 min", end: "2 min"}\n'
    with pytest.raises(ScenarioError, match="unknown sensor 'nope'; known: g1"):
        parse_scenario(text)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(GOOD + "  - [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:\d+: not valid YAML"):
        load_scenario(p)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")


def test_hash_is_stable_and_sensitive() -> None:
    a = parse_scenario(GOOD)
    assert scenario_hash(a) == scenario_hash(parse_scenario(GOOD))
    assert scenario_hash(a) != scenario_hash(parse_scenario(GOOD.replace("90 s", "91 s")))


def test_json_schema_describes_the_sections() -> None:
    schema = scenario_json_schema()
    json.dumps(schema)
    for key in ("epoch", "duration", "launches", "sensors", "defended_areas", "notifications"):
        assert key in schema["properties"]
