"""The center's closed vocabularies (``earlywarn.center.vocabulary``): every reason,
disposition and source the center emits is a member, the assessment spells none of them
as a bare string, and alert JSON reads exactly as it did with strings (also the
parametrised ``merged_into:<event_id>``)."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import earlywarn.center
from earlywarn.center.alerts import Alert
from earlywarn.center.assessment import AssessmentParams, Event, make_alerts
from earlywarn.center.vocabulary import (
    NOT_A_THREAT_REASONS,
    Disposition,
    Level,
    Reason,
    Source,
    TrajectoryType,
    parse_reason,
    reason_text,
)

SNAPSHOT = Path(__file__).resolve().parent / "data" / "alert_snapshot.json"
CENTER_DIR = Path(earlywarn.center.__file__).parent
EPOCH = datetime(2026, 3, 20, 12, tzinfo=UTC)


def _event(**kw: object) -> Event:
    base = Event(
        "E0002", Source.RADAR, None, (7,), 10.0, 40.0, Level.POSSIBLE_LAUNCH,
        Disposition.OPEN, Reason.RADAR_TRACK, (("POSSIBLE_LAUNCH", 30.0),),
    )  # fmt: skip
    from earlywarn.center._records import evolve

    return evolve(base, **kw)


def test_every_reason_and_disposition_in_the_snapshot_is_a_member() -> None:
    rows = [r for case in json.loads(SNAPSHOT.read_text()).values() for r in case]
    assert rows
    merged = 0
    for _eid, level, _t, disposition, reason, _raid in rows:
        assert level in Level.__members__
        assert Disposition(disposition).value == disposition
        r, target = parse_reason(reason)
        assert reason_text(r, target) == reason
        if r is Reason.MERGED:
            merged += 1
            assert disposition == Disposition.RETRACTED and target
        if disposition == Disposition.NOT_A_THREAT and r is not Reason.IMPACT_UPDATE:
            assert r in NOT_A_THREAT_REASONS
    assert merged > 0  # the snapshot holds merges: the parametrised reason is exercised


def test_parse_reason_refuses_what_is_no_reason() -> None:
    for bad in ("orbital", "merged_into", "merged_into:", "orbit:E0001", "OPEN"):
        with pytest.raises(ValueError):
            parse_reason(bad)
    assert parse_reason("") == (Reason.UNSET, None)
    with pytest.raises(ValueError):
        reason_text(Reason.MERGED)


def test_members_are_their_text() -> None:
    assert Disposition.NOT_A_THREAT == "NOT_A_THREAT"
    assert Reason.MERGED == "merged_into" and f"{Reason.ORBIT}" == "orbit"
    assert [s.value for s in Source] == ["ir", "radar"]
    assert json.dumps([Reason.TRACK_LOST, Source.IR]) == '["track_lost", "ir"]'
    assert {t.value for t in TrajectoryType} == {"minimum_energy", "lofted", "depressed", "unknown"}


def test_merged_event_alert_json_reads_as_before() -> None:
    """A radar-only event merged into E0001: the alert says ``merged_into:E0001`` and its
    JSON is byte for byte that of the same alert built from plain strings."""
    prev = _event()
    new = _event(disposition=Disposition.RETRACTED, reason=Reason.MERGED, merged_into="E0001")
    assert new.reason_text == "merged_into:E0001"
    _, alerts = make_alerts((prev,), (new,), 60.0, EPOCH, AssessmentParams(), False)
    (a,) = alerts
    d = json.loads(a.to_json())
    assert (d["disposition"], d["reason"], d["phenomenologies"]) == (
        "RETRACTED",
        "merged_into:E0001",
        ["radar"],
    )
    plain: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items()}
    assert Alert(**plain).to_json() == a.to_json()
    assert Alert.from_json(a.to_json()) == a
    assert all(type(v) is str for v in (d["disposition"], d["reason"]))


def test_alert_refuses_an_unknown_disposition() -> None:
    _, alerts = make_alerts((), (_event(),), 60.0, EPOCH, AssessmentParams(), False)
    d = json.loads(alerts[0].to_json())
    d["disposition"] = "MAYBE"
    with pytest.raises(ValueError, match="disposition"):
        Alert.from_json(json.dumps(d))


def _enum_values() -> set[str]:
    vals = {m.value for e in (Disposition, Reason, Source, TrajectoryType) for m in e}
    return vals - {""}


def _bare_strings(path: Path) -> list[tuple[int, str]]:
    """String constants in a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    docs.add(id(stmt.value))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_the_assessment_spells_no_vocabulary_as_a_bare_string() -> None:
    files = [
        *sorted((CENTER_DIR / "assessment").glob("*.py")),
        CENTER_DIR / "alerts.py",
        CENTER_DIR / "characterise.py",
        CENTER_DIR / "fusion.py",
    ]
    vals = _enum_values()
    bad = [
        f"{p.relative_to(CENTER_DIR)}:{line}: {s!r}"
        for p in files
        for line, s in _bare_strings(p)
        if s in vals
    ]
    assert not bad, "use the vocabulary's members:\n" + "\n".join(bad)


def test_the_bare_string_check_finds_them(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text(
        '"""doc with orbit"""\ndef g(e):\n    """orbit"""\n    return e.reason == "orbit"\n'
    )
    assert [s for _, s in _bare_strings(f) if s in _enum_values()] == ["orbit"]
