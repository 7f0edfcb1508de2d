"""One self-contained, offline HTML report of a run: ``report.html``.

:func:`write_report` writes a single file with inline CSS and the pictures embedded as
``data:image/png;base64`` URIs. It has no script and no link, stylesheet, font or image
from anywhere else, so it opens the same on an air-gapped machine and can be mailed as
one attachment. Sections: run metadata (the ``summary`` dict and the scene's facts), the
pictures, and the tables of launches, events, alerts and false alerts.

Every value is HTML-escaped. Table cells: ``None`` shows as an em dash, floats with up to
six significant digits, lists and dicts as compact JSON.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from earlywarn.io import brief
from earlywarn.io.brief import status_text
from earlywarn.io.scene import LEVELS, SceneView

__all__ = ["write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;
 color:#1d1d1f;background:#fafafa}
main{max-width:1280px;margin:0 auto;padding:16px 28px 40px}
h1{font-size:1.6em;margin:.4em 0 .1em}
h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.sub{color:#555;margin:0 0 1em}
table{border-collapse:collapse;font-size:.86em;background:#fff;margin:.3em 0 .8em;
 max-width:100%}
.scroll{overflow-x:auto;max-width:100%}
.headline{font-size:1.12em;line-height:1.45;background:#fff;border-left:5px solid #7b0a5a;
 padding:.6em 1em;margin:1em 0;max-width:70em}
code{background:#eef1f4;padding:0 3px}
th,td{border:1px solid #d4d4d4;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}
tr:nth-child(even) td{background:#f7f8f9}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.kv th{width:16em}
figure{margin:.5em 0 1.2em}
figure img{max-width:100%;height:auto;border:1px solid #ccc;background:#fff}
figcaption{color:#555;font-size:.9em}
.empty{color:#777;font-style:italic}
.lvl{white-space:nowrap;font-weight:600;padding:1px 5px;border-radius:3px;color:#fff}
.lvl-NONE{background:#9e9e9e}
.lvl-POSSIBLE_LAUNCH{background:#e6b800;color:#222}
.lvl-LAUNCH{background:#f07c00}
.lvl-THREAT{background:#d62728}
.lvl-ATTACK_CONFIRMED{background:#7b0a5a}
footer{margin-top:2em;color:#666;font-size:.8em}
"""

_CAPTIONS = {
    "timeline.png": "Timeline: altitude of every true object, report times per sensor, "
    "and every alert as a vertical line in its level's colour.",
    "map.png": "Map: true ground tracks and points, launch and impact estimates with "
    "their ellipses, radar coverage, satellite ground tracks and defended areas.",
}


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _fmt(v: Any) -> tuple[str, bool]:
    """Cell text (escaped) and whether it is numeric."""
    if v is None:
        return "—", False
    if isinstance(v, bool):
        return ("yes" if v else "no"), False
    if isinstance(v, int):
        return _esc(v), True
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—", False
        return _esc(f"{v:.6g}"), True
    if isinstance(v, Mapping | list | tuple):
        return _esc(json.dumps(v, default=str, separators=(", ", ": "))), False
    s = str(v)
    if s in LEVELS:
        return f'<span class="lvl lvl-{_esc(s)}">{_esc(s.replace("_", " "))}</span>', False
    return _esc(s), False


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return '<p class="empty">None.</p>'
    cols: list[str] = list(columns or [])
    if not cols:
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
    out = [
        '<div class="scroll"><table><thead><tr>',
        *(f"<th>{_esc(c)}</th>" for c in cols),
        "</tr></thead><tbody>",
    ]
    for r in rows:
        out.append("<tr>")
        for c in cols:
            text, num = _fmt(r.get(c))
            out.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


TABLE_ROWS = 200
"""A table on the page shows at most this many rows; the files keep them all."""


def _capped_table(rows: Sequence[Mapping[str, Any]], where: str) -> str:
    """:func:`_table` of the first :data:`TABLE_ROWS` rows, and a note of how many more
    there are and in which file (a thousand-launch run writes ~10⁵ alerts)."""
    if len(rows) <= TABLE_ROWS:
        return _table(rows)
    note = (
        f'<p class="empty">The first {TABLE_ROWS} of {len(rows):,} rows; all are in '
        f"{_esc(where)}.</p>"
    )
    return _table(rows[:TABLE_ROWS]) + note


def _flatten(d: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            yield from _flatten(v, key + ".")
        else:
            yield key, v


def _kv_table(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_fmt(v)[0]}</td></tr>" for k, v in pairs)
    return f'<table class="kv"><tbody>{rows}</tbody></table>' if rows else ""


def _alert_rows(scene: SceneView) -> list[dict[str, Any]]:
    rows = []
    for a in scene.alerts:
        rec = a.record
        impact = None
        if a.has_impact:
            impact = f"{a.impact_lat_deg:.2f}°, {a.impact_lon_deg:.2f}°"
            if a.impact_time_s is not None:
                impact += f" at {a.impact_time_s:.0f} s"
            if a.has_ellipse:
                impact += (
                    f"; ellipse {a.impact_semi_major_km:.0f} × {a.impact_semi_minor_km:.0f} km"
                    f" @ {a.impact_orientation_deg or 0.0:.0f}°"
                )
        launch = None
        if a.has_launch:
            launch = f"{a.launch_lat_deg:.2f}°, {a.launch_lon_deg:.2f}°"
            if a.launch_sigma_km is not None:
                launch += f" ± {a.launch_sigma_km:.1f} km"
        cls = rec.get("vehicle_class")
        p = rec.get("class_probability")
        dt = rec.get("decision_time_s")
        rows.append(
            {
                "after epoch (s)": round(a.t_s),
                "UTC": scene.iso(a.t_s)[11:19],
                "event": a.event_id,
                "level": a.level,
                "status": status_text(a.disposition, rec.get("reason")),
                "class": None if not cls else cls + (f" ({p:.0%})" if p is not None else ""),
                "launch point": launch,
                "predicted impact (time after epoch)": impact,
                "threatens": ", ".join(rec.get("threatened_areas") or []) or None,
                "decision time (min)": None if dt is None else round(dt / 60.0, 1),
            }
        )
    return rows


_SHOWN_ELSEWHERE = {
    "scenario", "seed", "epoch_utc", "duration_s", "earlywarn_version", "scenario_hash",
    "wall_time_s", "n_alerts", "n_reports", "quality", "calibration",
}  # fmt: skip
_EVAL_KEYS = {"launches", "events", "false_alerts", "missed_launches"}


def _image_tag(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = _CAPTIONS.get(path.name, path.name)
    return (
        f'<figure><img alt="{_esc(path.stem)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def write_report(
    scene: SceneView,
    summary: Mapping[str, Any],
    out_dir: str | Path,
    images: Sequence[str | Path] = ("timeline.png", "map.png"),
    filename: str = "report.html",
) -> Path:
    """Write the self-contained ``report.html`` into ``out_dir``; returns its path.

    ``summary`` is shown as the run-metadata table (nested dicts flattened with dots).
    ``images`` are PNG files, relative to ``out_dir`` unless absolute; a missing one is
    noted in the page, not fatal.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from earlywarn import __version__

    facts = [
        ("time span", f"{scene.iso(scene.t_start_s)} – {scene.iso(scene.t_end_s)}"),
        ("IR satellites", len(scene.satellites)),
        ("radars", len(scene.radars)),
        ("events", len({a.event_id for a in scene.alerts})),
    ]
    figs = []
    for name in images:
        p = Path(name)
        p = p if p.is_absolute() else out / p
        if p.is_file():
            figs.append(_image_tag(p))
        else:
            figs.append(f'<p class="empty">{_esc(p.name)} was not produced.</p>')
    launches = summary.get("launches")
    events = summary.get("events")
    launch_rows = brief.launch_rows(launches) if launches is not None else scene.launches_table
    event_rows = brief.event_rows(events) if events is not None else scene.events_table
    quality = brief.quality_pairs(summary)
    has_eval = launches is not None or events is not None
    head = brief.headline(summary) if has_eval else None
    other = {
        k: v
        for k, v in summary.items()
        if k not in _SHOWN_ELSEWHERE and not (has_eval and k in _EVAL_KEYS)
    }
    body = [
        f"<h1>{_esc(scene.title)}</h1>",
        f'<p class="sub">earlywarn {_esc(__version__)} — a run from {_esc(scene.epoch_utc)}. '
        "Detection, tracking and warning analysis only. Alert times are seconds after the "
        "scenario epoch; per-launch times are seconds after that launch.</p>",
        f'<p class="headline">{_esc(head)}</p>' if head else "",
        "<h2>Launches</h2>",
        _capped_table(launch_rows, "summary.json"),
        "<h2>Warning quality</h2>" if quality else "",
        _kv_table(quality) if quality else "",
        "<h2>Alerts</h2>",
        _capped_table(_alert_rows(scene), "alerts.jsonl"),
        "<h2>Events</h2>",
        _capped_table(event_rows, "summary.json"),
        "<h2>False alerts</h2>",
        _table(scene.false_alerts_table),
        "<h2>Pictures</h2>",
        *figs,
        "<p>The interactive globe of this run is <code>globe.html</code> beside this page.</p>"
        if (out / "globe.html").is_file()
        else "",
        "<h2>Run</h2>",
        _kv_table(brief.run_facts(summary) + facts),
        _kv_table([(brief.human(k), v) for k, v in _flatten(other)]) if other else "",
        "<footer>Self-contained offline report. Coastlines: Natural Earth 1:110m (public "
        "domain). Ellipse orientation: azimuth of the semi-major axis, clockwise from north."
        "</footer>",
    ]
    doc = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(scene.title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
    path = out / filename
    path.write_text(doc, encoding="utf-8")
    return path
