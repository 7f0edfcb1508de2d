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


def test_every_example_and_the_demo_validate_against_the_published_schema() -> None:
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    demo = Path(__file__).parent.parent / "src" / "earlywarn" / "data" / "demo.yaml"
    for path in [*EXAMPLES, demo]:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(
            path.read_text()))]  # fmt: skip
        assert not errors, f"{path.name}: {errors}"
    # and the schema still refuses what the loader refuses: a unit of the wrong kind, a
    # negative revisit given as a number
    bad = yaml.safe_load(GOOD.replace('"30 min"', '"30 parsec"'))
    assert not validator.is_valid(bad)
    bad = yaml.safe_load(GOOD.replace("orbit: {preset: geo, lon_deg: 30}", (
        "orbit: {preset: geo, lon_deg: 30}\n      payload: {revisit: -2}")))  # fmt: skip
    assert not validator.is_valid(bad)
    with pytest.raises(ScenarioError):
        parse_scenario(GOOD.replace('"30 min"', '"30 parsec"'))


RADAR = """\
  radars:
    - id: r1
      site: {lat_deg: 50.0, lon_deg: 0.0}
      faces: [{boresight_az_deg: 0}]
"""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        # inputs that used to be ignored
        (("lat_deg: 40.0, lon_deg: 60.0}", "lat_deg: 40.0, lon_deg: 60.0, h_m: 1e9}"), "h_m: not"),
        (("lat_deg: 40.0, lon_deg: 60.0}", "lat_deg: 40.0, lon_deg: 60.0, h_m: .nan}"), "h_m: not"),
        (('duration: "30 min"', 'duration: "30 min"\nstep: "5 s"'), "step: not used"),
        (('duration: "30 min"', 'duration: "30 min"\nduration: "40 min"'), "given twice"),
        (('time: "90 s"', 'time: "31 min"'), "launch after the scenario ends"),
        # a launch time the flight model refuses (|t| ≤ 1e9 s), found by make reliability's
        # generated scenarios: `earlywarn run` raised instead of naming the field
        (('time: "90 s"', "time: -1000000001"), r"launches.0.time: .*-1000000000"),
        # files validate used to pass and run crashed on
        (("orbit: {preset: geo, lon_deg: 30}", "orbit: {tle: ['1 x', '2 y']}"), "TLE line 1"),
        (("orbit: {preset: geo, lon_deg: 30}", "orbit: {omm: {FOO: 1}}"), "OMM: missing"),
        (
            (
                "orbit: {preset: geo, lon_deg: 30}",
                (
                    "orbit: {elements: {a_km: 100, e: 0.5, i_deg: 0, raan_deg: 0, argp_deg: 0, "
                    "mean_anomaly_deg: 0}}"
                ),
            ),
            "below the Earth's surface",
        ),
        # absurd sizes
        (('duration: "30 min"', "duration: 1e308"), "less than or equal to 2592000"),
        (('duration: "30 min"', 'duration: "1000 d"'), "less than or equal to 2592000"),
        (('duration: "30 min"', "duration: .inf"), "finite"),
        (
            (
                "orbit: {preset: geo, lon_deg: 30}",
                ("orbit: {preset: geo, lon_deg: 30}\n      payload: {revisit: 1 ms}"),
            ),
            "0.05",
        ),
    ],
)
def test_inputs_that_were_ignored_or_crashed_are_refused(
    change: tuple[str, str], words: str
) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(ScenarioError, match=words):
        parse_scenario(text, "my.yaml")


def test_the_number_of_sensor_frames_is_bounded() -> None:
    # 30 days of 0.1 s frames: 25.9 million, over the stated limit
    text = GOOD.replace('"30 min"', '"30 d"').replace(
        "orbit: {preset: geo, lon_deg: 30}",
        "orbit: {preset: geo, lon_deg: 30}\n      payload: {revisit: 0.1 s}",
    )
    with pytest.raises(ScenarioError, match=r"gives 25,920,000 sensor frames.*at most 2,000,000"):
        parse_scenario(text, "my.yaml")
    parse_scenario(text.replace("0.1 s", "2 s"), "my.yaml")  # 1.3 million: fine


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("events:\n  - {type: fire, lat_deg: 0, lon_deg: 0, start: 100, end: 50}\n",
         "events.0: the fire ends before it starts"),
        ("events:\n  - {type: outage, sensor: g1, start: 100, end: 100}\n",
         "events.0: the outage ends before it starts"),
        ("notifications:\n  - {start: 600, end: 60, area: {lat_deg: 0, lon_deg: 0, "
         "radius: 10 km}}\n", "notifications.0: the notification window ends before"),
        ("defended_areas:\n  - {name: a, polygon: [[0, 0], [1, 1], [0, 1], [1, 0]]}\n",
         "defended_areas.0: defended area 'a': the polygon is not simple"),
        ("defended_areas:\n  - {name: a, circle: {lat_deg: 0, lon_deg: 0, radius: 10 km}}\n"
         "  - {name: a, circle: {lat_deg: 1, lon_deg: 0, radius: 10 km}}\n",
         "defended area names must be unique; repeated: a"),
        ("defended_areas:\n  - {name: a, circle: {lat_deg: 0, lon_deg: 0, "
         "radius: 200000 km}}\n", "defended_areas.0.circle.radius"),
        (RADAR.replace("boresight_az_deg: 0", "boresight_az_deg: 0, el_min_deg: 60, "
                       "el_max_deg: 10"), "el_min_deg \\(60\\) must be below el_max_deg"),
        (RADAR.replace("site: {lat_deg: 50.0, lon_deg: 0.0}",
                       "site: {lat_deg: 50.0, lon_deg: 0.0, h_m: 1e9}"), "sites.0.h_m|h_m"),
        ("glint: {clusters_per_hour: 1e9}\n", "glint.clusters_per_hour: Input should be less"),
    ],
)  # fmt: skip
def test_contradictions_are_refused_with_file_line_and_field(extra: str, words: str) -> None:
    radar = extra.startswith("  radars")
    text = GOOD.replace("sensors:\n", "sensors:\n" + extra) if radar else GOOD + extra
    with pytest.raises(ScenarioError, match=rf"my.yaml:\d+: .*{words}"):
        parse_scenario(text, "my.yaml")


def test_non_text_files_and_study_files_get_one_sentence(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        load_scenario(binary)
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"epoch: \x00\n")
    with pytest.raises(ScenarioError, match="not a text file"):
        load_scenario(nul)
    with pytest.raises(ScenarioError, match=r"this is a study file.*earlywarn study"):
        load_scenario(EXAMPLES[0].parent / "study.yaml")


def test_study_file_errors_carry_line_numbers(tmp_path: Path) -> None:
    from earlywarn.io.study import StudyError, parse_study

    text = "scenario: reference.yaml\nruns: 10\nseed: 1\nclutter:\n  multiplier: [2, 1]\n"
    with pytest.raises(StudyError, match=r"s.yaml:4: clutter: multiplier: expected 0 < low"):
        parse_study(text, "s.yaml")
    with pytest.raises(StudyError, match=r"s.yaml:3: not valid YAML: key 'runs' given twice"):
        parse_study("scenario: a.yaml\nruns: 10\nruns: 20\nseed: 1\n", "s.yaml")


def test_a_pulse_interval_shorter_than_the_window_is_refused_at_validation() -> None:
    # c·PRI/2 must cover the instrumented range: 37.18 ms gives 5,573 km (c = 299,792,458
    # m/s exactly), below the default 6,000 km window
    text = GOOD.replace(
        "      orbit: {preset: geo, lon_deg: 30}\n",
        "      orbit: {preset: geo, lon_deg: 30}\n  radars:\n    - id: r1\n"
        "      site: {lat_deg: 70.0, lon_deg: 0.0}\n      faces: [{boresight_az_deg: 0}]\n"
        '      pri: "37.18 ms"\n',
    )
    with pytest.raises(ScenarioError, match=r"pri: 37.18 ms .* 5,573 km.* 6,000 km.* 40\.028 ms"):
        parse_scenario(text, "p.yaml")
    ok = text.replace('      pri: "37.18 ms"', '      pri: "37.18 ms"\n      max_range: "5500 km"')
    assert parse_scenario(ok).sensors.radars[0].max_range_m() == 5500e3
