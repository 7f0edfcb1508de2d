"""A run told in words: the headline and the human-labelled tables of ``report.html``.

Everything here reads the JSON-ready evaluation (``summary.json``: its ``launches``,
``events``, ``false_alerts``, ``missed_launches`` and, when present, ``quality`` and
``calibration``) and the scene's true launch times; nothing is recomputed. Times are
labelled as *after launch* (the evaluation's per-launch times) or *after the epoch*
(alert times), never bare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "LAUNCH_COLUMNS",
    "event_rows",
    "headline",
    "human",
    "launch_rows",
    "quality_pairs",
    "run_facts",
    "status_text",
]

LAUNCH_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (summary key, label, how to show it)
    ("id", "launch", "text"),
    ("vehicle", "vehicle", "text"),
    ("class_true", "true class", "text"),
    ("class_assessed", "assessed class", "text"),
    ("max_level", "highest level", "level"),
    ("disposition", "final status", "status"),
    ("first_report_s", "first report (s after launch)", "s"),
    ("launch_s", "LAUNCH (s after launch)", "s"),
    ("threat_s", "THREAT (s after launch)", "s"),
    ("confirmed_s", "ATTACK CONFIRMED (s after launch)", "s"),
    ("launch_point_error_km", "launch point error (km)", "km"),
    ("impact_error_km_at_confirmed", "impact error at confirmation (km)", "km"),
    ("impact_error_km_5min_before", "impact error 5 min before impact (km)", "km"),
    ("decision_time_s", "decision time (min)", "min"),
)
"""The launch table's columns, in order."""

_WORDS = {
    "ir": "infrared",
    "sounding_rocket_local_impact": "a sounding rocket landing nearby",
    "impact_outside_defended_areas": "impact outside the defended areas",
    "stationary_source": "a stationary heat source",
    "orbit": "reaching orbit",
    "catalogued_object": "a catalogued space object",
    "uncorrelated_orbital_object": "an uncatalogued object in orbit",
    "reentry": "a space object re-entering",
    "ir_radar_correlated": "infrared and radar agree",
    "no_confirmation": "no confirmation",
    "track_lost": "track lost",
}


def human(key: str) -> str:
    """A vocabulary value or key in words: ``NOT_A_THREAT`` → ``not a threat``."""
    return _WORDS.get(key, key.replace("_", " ").lower())


def _level(x: Any) -> str:
    return str(x).replace("_", " ")


def status_text(disposition: Any, reason: Any) -> str | None:
    if not disposition:
        return None
    if disposition == "OPEN":
        return "open"
    return human(str(disposition)) + (f" ({human(str(reason))})" if reason else "")


def launch_rows(launches: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per launch, labelled and in display units (``None`` where unknown)."""
    rows = []
    for r in launches:
        row: dict[str, Any] = {}
        for key, label, how in LAUNCH_COLUMNS:
            v = r.get(key)
            if how == "status":
                v = status_text(v, r.get("reason"))
            elif how == "s" and v is not None:
                v = round(float(v), 1)
            elif how == "km" and v is not None:
                v = round(float(v), 1)
            elif how == "min" and v is not None:
                v = round(float(v) / 60.0, 1)
            row[label] = v
        rows.append(row)
    return rows


def _no_launch(level: Any) -> str:
    return "none" if level in (None, "NONE") else "none (a false alert)"


def event_rows(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per event: what it was matched to, how far it rose, how it ended."""
    rows = []
    for e in events:
        lid = e.get("launch_id")
        rows.append(
            {
                "event": e.get("event_id"),
                "true launch": lid if lid else _no_launch(e.get("max_level")),
                "first seen by": human(str(e.get("source", ""))) or None,
                "highest level": e.get("max_level"),
                "final status": status_text(e.get("disposition"), e.get("reason")),
                "seen by": ", ".join(human(p) for p in e.get("phenomenologies") or []) or None,
                "declared launch": e.get("declared"),
            }
        )
    return rows


def _minutes(s: float) -> str:
    return f"{s / 60.0:.1f} min"


def _one_launch(r: Mapping[str, Any]) -> str:
    lid, level = r.get("id", "?"), r.get("max_level") or "NONE"
    disp, reason = r.get("disposition"), r.get("reason")
    if level == "NONE" and disp in (None, "OPEN"):
        return f"{lid} was missed (no alert)"
    when = {
        "ATTACK_CONFIRMED": r.get("confirmed_s"),
        "THREAT": r.get("threat_s"),
        "LAUNCH": r.get("launch_s"),
        "POSSIBLE_LAUNCH": r.get("possible_launch_s"),
    }.get(level)
    at = f" {when:.0f} s after launch" if when is not None else ""
    text = f"{lid} reached {_level(level)}{at}"
    if disp not in (None, "OPEN"):
        text += f", then was judged {human(str(disp))}" + (
            f" ({human(str(reason))})" if reason else ""
        )
    cls, true = r.get("class_assessed"), r.get("class_true")
    if cls:
        text += f", classed {cls}" + ("" if cls == true else f" (truly {true})")
    dt = r.get("decision_time_s")
    if dt is not None:
        text += f", leaving {_minutes(float(dt))} of decision time"
    return text


def headline(summary: Mapping[str, Any]) -> str:
    """One paragraph: what flew, what the center concluded, decision time, anything
    dismissed or missed, false alerts."""
    launches = list(summary.get("launches") or [])
    if launches:
        flew = ", ".join(f"{r.get('id')} ({r.get('vehicle')})" for r in launches)
        n = len(launches)
        parts = [f"{n} launch{'es' if n > 1 else ''} flew: {flew}."]
        parts += [_one_launch(r)[0].upper() + _one_launch(r)[1:] + "." for r in launches]
    else:
        parts = ["Nothing flew."]
    missed = list(summary.get("missed_launches") or [])
    if missed:
        parts.append(f"Missed: {', '.join(str(m) for m in missed)}.")
    elif launches:
        parts.append("No launch was missed.")
    events = list(summary.get("events") or [])
    dismissed = [
        e for e in events if not e.get("launch_id") and e.get("disposition") == "NOT_A_THREAT"
    ]
    if dismissed:
        why = sorted({human(str(e.get("reason"))) for e in dismissed})
        parts.append(
            f"{len(dismissed)} event{'s' if len(dismissed) > 1 else ''} with no launch behind "
            f"{'them' if len(dismissed) > 1 else 'it'} dismissed ({', '.join(why)})."
        )
    fa = {k: v for k, v in (summary.get("false_alerts") or {}).items() if v}
    if fa:
        parts.append(
            "False alerts: " + ", ".join(f"{v} at {_level(k)}" for k, v in fa.items()) + "."
        )
    else:
        parts.append("No false alert.")
    return " ".join(parts)


def run_facts(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The run's identity and size, labelled."""
    facts: list[tuple[str, Any]] = []
    for key, label in (
        ("scenario", "scenario"),
        ("seed", "seed"),
        ("epoch_utc", "epoch (UTC)"),
        ("duration_s", "duration (s)"),
        ("earlywarn_version", "earlywarn version"),
        ("scenario_hash", "scenario hash"),
        ("wall_time_s", "wall time (s)"),
        ("n_alerts", "alerts issued"),
    ):
        if key in summary:
            facts.append((label, summary[key]))
    for kind, n in (summary.get("n_reports") or {}).items():
        facts.append((f"{human(str(kind))} reports", n))
    return facts


def quality_pairs(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The warning-quality scores (``quality``, ``calibration``) flattened and labelled;
    empty when the summary has none."""
    out: list[tuple[str, Any]] = []

    def walk(prefix: str, v: Any) -> None:
        if isinstance(v, Mapping):
            for k, x in v.items():
                walk(f"{prefix} · {human(str(k))}" if prefix else human(str(k)), x)
        else:
            out.append((prefix, v))

    for key in ("quality", "calibration"):
        if summary.get(key):
            walk(key, summary[key])
    return out
