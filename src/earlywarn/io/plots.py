"""Static pictures of a run: the timeline and the map (matplotlib, Agg, no pyplot).

* :func:`plot_timeline` — altitude against time for every true object, the estimated
  altitudes of located reports, a raster of report times per sensor, and a vertical mark
  at every alert coloured by its level.
* :func:`plot_map` — a plate carrée map fitted to the content (or the whole world) with
  the shipped Natural Earth coastlines: ground tracks, launch and impact estimates with
  their ellipses, true launch and impact points, radar fans, satellite ground tracks,
  defended areas.

Both draw on their own :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot,
no global state) and write a PNG of a fixed size, :data:`FIG_SIZE_PX` (1600 × 900 at
100 dpi), so a reader can rely on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter

from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.io.coastlines import load_coastlines, wrap_lines
from earlywarn.io.geojson import (
    LEVEL_COLORS,
    circle_ring_deg,
    ellipse_ring_deg,
    face_footprint_deg,
    latest_estimates,
)
from earlywarn.io.scene import LEVELS, AlertMark, SceneView

__all__ = ["FIG_SIZE_PX", "plot_map", "plot_timeline"]

FloatArray = npt.NDArray[np.float64]

FIG_SIZE_PX = (1600, 900)
"""Width and height of every PNG written here, pixels."""
_DPI = 100
_KIND_COLOR = {"ir": "#f07c00", "radar": "#0a84c6"}
_KIND_NAME = {"ir": "IR", "radar": "radar"}
_SAT_COLOR = "#8a6d00"
_RADAR_COLOR = "#2a9d3a"
_AREA_COLOR = "#1f5fbf"
_QUIET = {"NOT_A_THREAT", "RETRACTED"}


def _figure() -> Figure:
    fig = Figure(figsize=(FIG_SIZE_PX[0] / _DPI, FIG_SIZE_PX[1] / _DPI), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    p = Path(path)
    # No bbox_inches="tight": the PNG keeps exactly FIG_SIZE_PX.
    fig.savefig(p, format="png", dpi=_DPI, facecolor="white")
    return p


def _launch_colors(scene: SceneView) -> dict[str, str]:
    ids: list[str] = []
    for o in scene.objects:
        if o.launch_id not in ids:
            ids.append(o.launch_id)
    for t in scene.truth_launches:
        if t.launch_id not in ids:
            ids.append(t.launch_id)
    palette = ["#1b1b1b", "#6a3d9a", "#b15928", "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00"]
    return {lid: palette[i % len(palette)] for i, lid in enumerate(ids)}


_KIND_STYLE = {"rv": "-", "warhead": "-", "payload": "-", "booster": "--", "stage": "--"}


def _kind_style(kind: str) -> str:
    k = kind.lower()
    for key, ls in _KIND_STYLE.items():
        if key in k:
            return ls
    return ":"


def _level_handles(levels: Iterable[str]) -> list[Line2D]:
    present = set(levels)
    return [
        Line2D([], [], color=LEVEL_COLORS[lv], lw=2.5, label=f"alert: {lv}")
        for lv in LEVELS
        if lv in present
    ]


# --------------------------------------------------------------------------- timeline


def _utc_ticks(scene: SceneView, max_ticks: int) -> list[float]:
    """Tick times (s after epoch) on round UTC clock values: every 10 s … 6 h."""
    span = scene.t_end_s - scene.t_start_s
    steps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600]
    step = next((st for st in steps if span / st <= max_ticks), 43200)
    ep = scene.epoch
    sod = ep.hour * 3600 + ep.minute * 60 + ep.second + ep.microsecond * 1e-6
    first = math.ceil((scene.t_start_s + sod) / step) * step - sod
    return [float(t) for t in np.arange(first, scene.t_end_s + 1e-9, step)]


def plot_timeline(scene: SceneView, path: str | Path) -> Path:
    """Write ``timeline.png``: altitude vs time, report marks, alert marks."""
    fig = _figure()
    det = scene.detections
    sensors = [s.sensor_id for s in scene.satellites] + [r.sensor_id for r in scene.radars]
    for sid in det.sensor_id:
        if sid not in sensors:
            sensors.append(sid)
    # no empty panels: the altitude panel when something flew or was located, the report
    # raster when there are sensors; a bare scene keeps the altitude axes for its message
    show_alt = bool(scene.objects) or bool(np.any(det.located)) or not sensors
    show_raster = bool(sensors)
    fig.subplots_adjust(left=0.07, right=0.80, top=0.88, bottom=0.08)
    if show_alt and show_raster:
        gs = fig.add_gridspec(2, 1, height_ratios=[3.2, 1.0], hspace=0.06)
        ax = fig.add_subplot(gs[0])
        axr = fig.add_subplot(gs[1], sharex=ax)
    elif show_alt:
        ax = fig.add_subplot(1, 1, 1)
        axr = None
    else:
        axr = fig.add_subplot(1, 1, 1)
        ax = None
    epoch = scene.epoch
    colors = _launch_colors(scene)
    handles: list[Line2D | Patch] = []

    if ax is not None:
        handles += _altitude_panel(ax, scene, colors)
    if axr is not None:
        handles += _raster_panel(axr, scene, sensors)
    main = ax if ax is not None else axr
    assert main is not None
    for axis in (ax, axr):
        if axis is not None:
            axis.set_xlim(scene.t_start_s, scene.t_end_s)
    if ax is not None and axr is not None:
        ax.tick_params(labelbottom=False)
    handles += _alert_marks(main, [x for x in (ax, axr) if x is not None], scene)

    # Time axes: UTC below, seconds since the epoch above.
    def utc_fmt(x: float, _pos: int) -> str:
        text = scene.iso(x)
        return text[11:19]

    bottom = axr if axr is not None else main
    bottom.xaxis.set_major_locator(FixedLocator(_utc_ticks(scene, 12)))
    bottom.xaxis.set_major_formatter(FuncFormatter(utc_fmt))
    bottom.set_xlabel(f"UTC on {epoch.strftime('%Y-%m-%d')} (time of day)")
    sec = main.secondary_xaxis("top")
    sec.set_xlabel(f"seconds after epoch {scene.epoch_utc}", fontsize=9)
    sec.tick_params(labelsize=8)

    fig.suptitle(f"{scene.title} — timeline", fontsize=15, x=0.435, y=0.985)
    if handles:
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.81, 0.88),
            fontsize=9,
            frameon=True,
            title="legend",
            title_fontsize=10,
        )
    else:
        main.text(0.5, 0.5, "nothing to show", transform=main.transAxes, ha="center", color="#888")
    return _save(fig, path)


_STAGE_DASHES: tuple[object, ...] = ("--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3)))


def _object_styles(scene: SceneView) -> dict[str, object]:
    """Line style per object: the payload/RV solid, each other object of a launch (its
    boosters and stages, in the order given) its own dash pattern."""
    count: dict[str, int] = {}
    out: dict[str, object] = {}
    for obj in scene.objects:
        if _kind_style(obj.kind) == "-":
            out[obj.object_id] = "-"
            continue
        i = count.get(obj.launch_id, 0)
        count[obj.launch_id] = i + 1
        out[obj.object_id] = _STAGE_DASHES[i % len(_STAGE_DASHES)]
    return out


def _altitude_panel(ax: Axes, scene: SceneView, colors: dict[str, str]) -> list[Line2D | Patch]:
    """True altitudes and located reports; the axis fits the true flights (reports far
    above them, e.g. clutter, are marked at the top edge and counted, not scaled to)."""
    handles: list[Line2D | Patch] = []
    styles = _object_styles(scene)
    many = len(scene.objects) > 12
    seen_launch: set[str] = set()
    top = 0.0
    if len(scene.objects) > MANY_EVENTS:
        line, top = _altitude_lines(ax, scene)
        handles.append(line)
    for obj in scene.objects if len(scene.objects) <= MANY_EVENTS else ():
        _lat, _lon, h = ecef_to_geodetic(obj.r_ecef_m)
        top = max(top, float(np.nanmax(h)) / 1e3)
        c = colors.get(obj.launch_id, "#333333")
        label = obj.object_id
        if many:
            label = f"launch {obj.launch_id}" if obj.launch_id not in seen_launch else "_"
            seen_launch.add(obj.launch_id)
        solid = styles[obj.object_id] == "-"
        (ln,) = ax.plot(obj.t_s, h / 1e3, color=c, lw=2.0 if solid else 1.3,
                        ls=styles[obj.object_id], label=label)  # fmt: skip
        if not label.startswith("_"):
            handles.append(ln)
    det = scene.detections
    loc = det.located
    alt = np.full(len(det), np.nan)
    if np.any(loc):
        alt[loc] = ecef_to_geodetic(det.r_ecef_m[loc])[2] / 1e3
    if top <= 0.0:  # nothing flew: fit the reports, robustly
        finite = alt[np.isfinite(alt)]
        top = float(np.percentile(finite, 95)) if finite.size else 1.0
    ylim = max(top * 1.12, 1.0)
    kinds = np.asarray(det.kind)
    above = np.zeros(len(det), dtype=bool)
    for kind, marker in (("radar", "x"), ("ir", "o")):
        m = loc & (kinds == kind)
        if np.any(m):
            inside = m & (alt <= ylim)
            above |= m & (alt > ylim)
            sc = ax.scatter(
                det.t_s[inside],
                alt[inside],
                s=14,
                marker=marker,
                color=_KIND_COLOR[kind],
                lw=1.0,
                alpha=0.8,
                zorder=3,
                label=f"{_KIND_NAME[kind]} report (estimated altitude)",
            )
            handles.append(sc)  # type: ignore[arg-type]
    if np.any(above):
        ax.scatter(det.t_s[above], np.full(int(above.sum()), ylim * 0.995), marker="^", s=22,
                   color="#888888", zorder=3, clip_on=False)  # fmt: skip
        handles.append(
            Line2D([], [], marker="^", color="#888888", ls="",
                   label=f"{int(above.sum())} located reports above the axis")
        )  # fmt: skip
    ax.set_ylabel("altitude (km)")
    ax.set_ylim(0.0, ylim)
    ax.grid(True, color="#dddddd", lw=0.6)
    return handles


def _raster_panel(axr: Axes, scene: SceneView, sensors: list[str]) -> list[Line2D | Patch]:
    """One row per sensor, a tick at each report time."""
    handles: list[Line2D | Patch] = []
    det = scene.detections
    rows = {sid: i for i, sid in enumerate(sensors)}
    if len(det):
        y = np.array([rows[s] for s in det.sensor_id], dtype=float)
        kinds = np.asarray(det.kind)
        for kind in ("ir", "radar"):
            m = kinds == kind
            if np.any(m):
                axr.scatter(det.t_s[m], y[m], marker="|", s=90, lw=1.2, color=_KIND_COLOR[kind])
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=_KIND_COLOR[kind],
                        marker="|",
                        ls="",
                        ms=12,
                        mew=1.5,
                        label=f"{_KIND_NAME[kind]} report time",
                    )
                )
    axr.set_yticks(range(len(sensors)))
    axr.set_yticklabels(sensors, fontsize=9 if len(sensors) < 12 else 7)
    axr.set_ylim(-0.7, max(len(sensors), 1) - 0.3)
    axr.invert_yaxis()
    axr.set_ylabel("reports")
    axr.grid(True, axis="x", color="#dddddd", lw=0.6)
    return handles


def _changes(scene: SceneView) -> list[AlertMark]:
    """The alerts that change an event's level or disposition (re-issues left out)."""
    last: dict[str, tuple[str, str]] = {}
    out = []
    for a in scene.alerts:
        key = (a.level, a.disposition)
        if last.get(a.event_id) != key and scene.t_start_s <= a.t_s <= scene.t_end_s:
            out.append(a)
        last[a.event_id] = key
    return out


LABEL_GAP_PX = 13.0
"""Alert labels closer than this (pixels) share one label."""


def _alert_marks(main: Axes, axes: list[Axes], scene: SceneView) -> list[Line2D | Patch]:
    """A vertical line per change of level or disposition; nearby changes share a label,
    so no two labels overlap. Above :data:`MANY_EVENTS` events, the events at each level
    over time instead (the alerts themselves are in alerts.jsonl)."""
    if len({a.event_id for a in scene.alerts}) > MANY_EVENTS:
        return list(_alert_counts(main, scene))
    marks = _changes(scene)
    for a in marks:
        c = LEVEL_COLORS.get(a.level, "#9e9e9e")
        ls = ":" if a.disposition in _QUIET else "-"
        for axis in axes:
            axis.axvline(a.t_s, color=c, lw=1.6, ls=ls, alpha=0.9, zorder=1)
    x0, x1 = main.get_xlim()
    bbox = main.get_window_extent()
    px_per_s = bbox.width / (x1 - x0)
    groups: list[list[AlertMark]] = []
    for a in marks:
        if groups and (a.t_s - groups[-1][0].t_s) * px_per_s < LABEL_GAP_PX:
            groups[-1].append(a)
        else:
            groups.append([a])
    max_chars = int(bbox.height / 6.0)
    for g in groups:
        parts: list[str] = []
        for a in g:
            what = a.level.replace("_", " ")
            if a.disposition in _QUIET:
                what += f" → {a.disposition.replace('_', ' ').lower()}"
            same = parts and parts[-1].startswith(a.event_id + " ")
            parts.append(f"{a.event_id} {what}" if not same else what)
        text = ", ".join(parts)
        if len(text) > max_chars:
            text = text[: max_chars - 1] + "…"
        worst = max(g, key=lambda a: LEVELS.index(a.level))
        main.annotate(
            text, xy=(g[0].t_s, 0.99), xycoords=("data", "axes fraction"), xytext=(-2, 0),
            textcoords="offset points", rotation=90, fontsize=8,
            color=LEVEL_COLORS.get(worst.level, "#555"), weight="bold", ha="right", va="top",
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=6,
        )  # fmt: skip
    handles: list[Line2D | Patch] = list(_level_handles(a.level for a in marks))
    if any(a.disposition in _QUIET for a in marks):
        handles.append(Line2D([], [], color="#777777", ls=":", label="not a threat / retracted"))
    return handles


MANY_EVENTS = 36
"""Above this many events (or true objects) the timeline counts instead of labelling."""


def _altitude_lines(ax: Axes, scene: SceneView) -> tuple[Line2D, float]:
    """Every true object's altitude as one thin line collection; its legend handle and
    the highest altitude (km)."""
    from matplotlib.collections import LineCollection

    segs = []
    for obj in scene.objects:
        h = ecef_to_geodetic(obj.r_ecef_m)[2]
        segs.append(np.column_stack([obj.t_s, h / 1e3]))
    ax.add_collection(LineCollection(segs, colors="#555555", linewidths=0.5, alpha=0.35))
    ax.autoscale_view()
    top = max((float(np.nanmax(sg[:, 1])) for sg in segs), default=0.0)
    handle = Line2D(
        [], [], color="#555555", lw=0.8, label=f"true altitude ({len(scene.objects)} objects)"
    )
    return handle, top


def _alert_counts(ax: Axes, scene: SceneView) -> list[Line2D]:
    """The events at each level over time (a step line per level, right-hand axis), with
    the first event to reach each level named; the alerts themselves are in alerts.jsonl."""
    order = [lv for lv in LEVEL_COLORS if lv != "NONE"]
    state: dict[str, str] = {}
    t: list[float] = []
    rows: list[list[int]] = []
    first: dict[str, tuple[float, str]] = {}
    n = dict.fromkeys([*order, "_closed"], 0)
    for a in sorted(scene.alerts, key=lambda x: x.t_s):
        lv = a.level if a.disposition not in _QUIET else "_closed"
        old = state.get(a.event_id)
        if old is not None:
            n[old] -= 1
        n[lv] = n.get(lv, 0) + 1
        state[a.event_id] = lv
        first.setdefault(lv, (a.t_s, a.event_id))
        t.append(a.t_s)
        rows.append([n[name] for name in order])
    axc = ax.twinx()
    handles = []
    counts = np.array(rows).reshape(len(t), len(order))
    for j, name in enumerate(order):
        if not counts[:, j].any():
            continue
        c = LEVEL_COLORS[name]
        (ln,) = axc.step(t, counts[:, j], where="post", color=c, lw=1.8, label=f"events at {name}")
        handles.append(ln)
        t1, eid = first[name]
        ax.axvline(t1, color=c, lw=1.0, ls="--", zorder=1)
        ax.annotate(
            f"first {name}: {eid}",
            xy=(t1, 0.99),
            xycoords=("data", "axes fraction"),
            xytext=(-2, 0),
            textcoords="offset points",
            rotation=90,
            fontsize=8,
            color=c,
            weight="bold",
            ha="right",
            va="top",
        )
    axc.set_ylabel("events at each level (lines)")
    axc.set_ylim(bottom=0)
    return handles


# --------------------------------------------------------------------------- map


def _frame_ring(lon: FloatArray, center: float) -> FloatArray:
    """Unwrap a ring/track and shift it by whole turns so its middle is near ``center``."""
    if lon.size == 0:
        return lon
    d = np.mod(np.diff(lon) + 180.0, 360.0) - 180.0
    u = np.concatenate([[lon[0]], lon[0] + np.cumsum(d)])
    mid = 0.5 * (np.nanmin(u) + np.nanmax(u))
    return u - 360.0 * np.round((mid - center) / 360.0)


def _draw(
    ax: Axes,
    xlim: tuple[float, float],
    x: FloatArray,
    y: FloatArray,
    fill: bool = False,
    **kw: object,
) -> None:
    """Plot (or fill) a shape, repeated one turn east and west where that shows on the map."""
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    for k in (-360.0, 0.0, 360.0):
        if hi + k >= xlim[0] and lo + k <= xlim[1]:
            if fill:
                ax.fill(x + k, y, **kw)  # type: ignore[arg-type]
            else:
                ax.plot(x + k, y, **kw)  # type: ignore[arg-type]


def _content_points(scene: SceneView) -> tuple[list[float], list[float]]:
    lons: list[float] = []
    lats: list[float] = []

    def add(lat: Sequence[float] | FloatArray, lon: Sequence[float] | FloatArray) -> None:
        lats.extend(np.asarray(lat, dtype=float).tolist())
        lons.extend(np.asarray(lon, dtype=float).tolist())

    for obj in scene.objects:
        step = max(1, obj.t_s.size // 200)
        la, lo, _h = ecef_to_geodetic(obj.r_ecef_m[::step])
        add(np.degrees(la), np.degrees(lo))
    for a in scene.alerts:
        if a.launch_lat_deg is not None and a.launch_lon_deg is not None:
            add([a.launch_lat_deg], [a.launch_lon_deg])
        if a.impact_lat_deg is not None and a.impact_lon_deg is not None:
            add([a.impact_lat_deg], [a.impact_lon_deg])
    for t in scene.truth_launches:
        add([t.launch_lat_deg], [t.launch_lon_deg])
        if t.impact_lat_deg is not None and t.impact_lon_deg is not None:
            add([t.impact_lat_deg], [t.impact_lon_deg])
    if not scene.objects and not scene.truth_launches:
        # nothing flew: the picture is what the satellites saw and where they are
        g = scene.ir_ground
        if g is not None and len(g):
            m = np.asarray([s != "clutter" for s in g.source])
            add(g.lat_deg[m], g.lon_deg[m])
        for _fid, flat, flon in scene.fires:
            add([flat], [flon])
        for sat in scene.satellites:
            la, lo, _h = ecef_to_geodetic(sat.r_ecef_m[:: max(1, sat.t_s.size // 60)])
            add(np.degrees(la), np.degrees(lo))
    for site in scene.radars:
        add([site.lat_deg], [site.lon_deg])
        for face in site.faces:
            ring = face_footprint_deg(site, face)
            if ring is not None:
                add(*ring)
    for area in scene.defended_areas:
        if area.radius_km is not None and area.lat_deg is not None and area.lon_deg is not None:
            add(*circle_ring_deg(area.lat_deg, area.lon_deg, area.radius_km, 32))
        elif area.polygon_deg is not None:
            pts = np.array(area.polygon_deg)
            add(pts[:, 0], pts[:, 1])
    return lons, lats


def _fit_region(
    lons: list[float], lats: list[float], box_aspect: float
) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """(centre lon, (lon0, lon1), (lat0, lat1)) covering the points, matching box_aspect.

    The centre is opposite the largest empty gap in longitude, so content that crosses the
    antimeridian stays in one piece.
    """
    lo = np.mod(np.asarray(lons, dtype=float), 360.0)
    la = np.asarray(lats, dtype=float)
    ok = np.isfinite(lo) & np.isfinite(la)
    lo, la = lo[ok], la[ok]
    if lo.size == 0:
        return 0.0, (-180.0, 180.0), (-90.0, 90.0)
    s = np.sort(lo)
    gaps = np.diff(np.concatenate([s, [s[0] + 360.0]]))
    i = int(np.argmax(gaps))
    start = s[(i + 1) % s.size]
    span = 360.0 - float(gaps[i])
    center = float((start + span / 2.0 + 180.0) % 360.0 - 180.0)
    if span > 240.0:  # the whole world, centred on the content so tracks stay continuous
        return center, (center - 180.0, center + 180.0), (-90.0, 90.0)
    lat0, lat1 = float(la.min()), float(la.max())
    pad = max(4.0, 0.08 * max(span, lat1 - lat0))
    w = span + 2 * pad
    h = (lat1 - lat0) + 2 * pad
    latc = 0.5 * (lat0 + lat1)
    if h / w < box_aspect:
        h = w * box_aspect
    else:
        w = h / box_aspect
    if h > 180.0:  # too tall for the globe: keep the aspect by trimming
        h = 180.0
        w = min(360.0, h / box_aspect)
    if w > 360.0:
        w = 360.0
        h = min(180.0, w * box_aspect)
    latc = min(max(latc, -90.0 + h / 2), 90.0 - h / 2)
    return center, (center - w / 2, center + w / 2), (latc - h / 2, latc + h / 2)


def _deg_fmt(hemis: tuple[str, str], wrap: bool) -> FuncFormatter:
    def f(x: float, _pos: int) -> str:
        v = (x + 180.0) % 360.0 - 180.0 if wrap else x
        if abs(v) < 1e-9 or (wrap and abs(abs(v) - 180.0) < 1e-9):
            return f"{abs(v):.0f}°"
        return f"{abs(v):.0f}°{hemis[0] if v > 0 else hemis[1]}"

    return FuncFormatter(f)


def _ellipse_ring(a: AlertMark) -> tuple[FloatArray, FloatArray] | None:
    if not a.has_ellipse:
        return None
    assert a.impact_lat_deg is not None and a.impact_lon_deg is not None
    return ellipse_ring_deg(
        a.impact_lat_deg,
        a.impact_lon_deg,
        float(a.impact_semi_major_km or 0.0),
        float(a.impact_semi_minor_km or 0.0),
        float(a.impact_orientation_deg or 0.0),
    )


def plot_map(scene: SceneView, path: str | Path, world: bool = False) -> Path:
    """Write ``map.png``: a plate carrée map of the run (fitted to the content, or the world)."""
    fig = _figure()
    ax_rect = (0.05, 0.07, 0.72, 0.85)
    ax: Axes = fig.add_axes(ax_rect)
    box_aspect = (ax_rect[3] * FIG_SIZE_PX[1]) / (ax_rect[2] * FIG_SIZE_PX[0])
    if world:
        center, xlim, ylim = 0.0, (-180.0, 180.0), (-90.0, 90.0)
    else:
        center, xlim, ylim = _fit_region(*_content_points(scene), box_aspect)
    ax.set_facecolor("#eaf2f8")

    # Coastlines and borders (shipped Natural Earth data).
    cl = load_coastlines()
    bx, by = wrap_lines(cl.border_lon_deg, cl.border_lat_deg, center)
    ax.plot(bx, by, color="#b9b9b9", lw=0.5, zorder=1)
    cx, cy = wrap_lines(cl.coast_lon_deg, cl.coast_lat_deg, center)
    ax.plot(cx, cy, color="#5b5b5b", lw=0.8, zorder=1)

    handles: list[Line2D | Patch] = [
        Line2D([], [], color="#5b5b5b", lw=0.8, label="coastline (Natural Earth 1:110m)")
    ]

    # Satellite ground tracks.
    for i, sat in enumerate(scene.satellites):
        la, lo, _h = ecef_to_geodetic(sat.r_ecef_m)
        x, y = wrap_lines(np.degrees(lo), np.degrees(la), center)
        label = "IR satellite ground track" if i == 0 else "_"
        if np.nanmax(x) - np.nanmin(x) < 0.5 and np.nanmax(y) - np.nanmin(y) < 0.5:
            ax.plot(x[-1:], y[-1:], marker="*", ms=12, color=_SAT_COLOR, ls="", zorder=4)
        else:
            ax.plot(x, y, color=_SAT_COLOR, lw=0.9, ls=(0, (4, 3)), alpha=0.8, zorder=2)
            ax.plot(x[-1:], y[-1:], marker="*", ms=10, color=_SAT_COLOR, ls="", zorder=4)
        ax.annotate(
            sat.sensor_id,
            (float(x[-1]), float(y[-1])),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=8,
            color=_SAT_COLOR,
            annotation_clip=True,
        )
        if i == 0:
            handles.append(
                Line2D(
                    [], [], color=_SAT_COLOR, lw=0.9, ls=(0, (4, 3)), marker="*", ms=9, label=label
                )
            )

    handles += _ground_points(ax, scene, center)

    # Defended areas.
    for i, area in enumerate(scene.defended_areas):
        if area.radius_km is not None and area.lat_deg is not None and area.lon_deg is not None:
            la2, lo2 = circle_ring_deg(area.lat_deg, area.lon_deg, area.radius_km)
        else:
            pts = np.array(area.polygon_deg)
            la2, lo2 = np.r_[pts[:, 0], pts[0, 0]], np.r_[pts[:, 1], pts[0, 1]]
        x = _frame_ring(lo2, center)
        _draw(ax, xlim, x, la2, fill=True, color=_AREA_COLOR, alpha=0.15, zorder=2)
        _draw(ax, xlim, x, la2, color=_AREA_COLOR, lw=1.2, zorder=2)
        lx = _frame_ring(np.array([float(area.lon_deg or 0.0)]), center)[0]
        ax.annotate(
            area.name,
            (lx, float(np.max(la2))),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=_AREA_COLOR,
            weight="bold",
            annotation_clip=True,
        )
        if i == 0:
            handles.append(
                Patch(
                    facecolor=_AREA_COLOR, alpha=0.3, edgecolor=_AREA_COLOR, label="defended area"
                )
            )

    # Radar sites and fans.
    for i, site in enumerate(scene.radars):
        for face in site.faces:
            ring = face_footprint_deg(site, face)
            if ring is None:
                continue
            x = _frame_ring(ring[1], center)
            _draw(ax, xlim, x, ring[0], fill=True, color=_RADAR_COLOR, alpha=0.10, zorder=2)
            _draw(ax, xlim, x, ring[0], color=_RADAR_COLOR, lw=0.8, alpha=0.8, zorder=2)
        sx = _frame_ring(np.array([site.lon_deg]), center)[0]
        ax.plot(
            sx,
            site.lat_deg,
            marker="^",
            ms=10,
            color=_RADAR_COLOR,
            mec="k",
            mew=0.6,
            ls="",
            zorder=5,
        )
        ax.annotate(
            site.sensor_id,
            (sx, site.lat_deg),
            xytext=(6, -10),
            textcoords="offset points",
            fontsize=8,
            color="#1d6b28",
            annotation_clip=True,
        )
        if i == 0:
            handles.append(
                Patch(
                    facecolor=_RADAR_COLOR,
                    alpha=0.25,
                    edgecolor=_RADAR_COLOR,
                    label="radar site and face coverage",
                )
            )

    # True ground tracks.
    colors = _launch_colors(scene)
    seen: set[str] = set()
    many = len(colors) > MANY_EVENTS
    for obj in scene.objects:
        la, lo, _h = ecef_to_geodetic(obj.r_ecef_m)
        x = _frame_ring(np.degrees(lo), center)
        c = "#444444" if many else colors.get(obj.launch_id, "#333333")
        label = f"true ground track, {obj.launch_id}" if obj.launch_id not in seen else "_"
        seen.add(obj.launch_id)
        width, alpha = (0.4, 0.25) if many else (1.4, 1.0)
        _draw(
            ax, xlim, x, np.degrees(la), ls=_kind_style(obj.kind), color=c, lw=width,
            alpha=alpha, zorder=3,
        )  # fmt: skip
        if not label.startswith("_") and not many:
            handles.append(Line2D([], [], color=c, lw=1.4, label=label))
    if many:
        handles.append(
            Line2D([], [], color="#444444", lw=1.0, label=f"true ground tracks ({len(colors)})")
        )

    # Estimates: earlier impact ellipses faint, the last known per event solid.
    est = latest_estimates(scene.alerts)
    latest_impact = {im.alert_id for _l, _la, im in est.values() if im is not None}
    for a in scene.alerts:
        c = LEVEL_COLORS.get(a.level, "#9e9e9e")
        ring = _ellipse_ring(a)
        if ring is not None:
            x = _frame_ring(ring[1], center)
            if a.alert_id in latest_impact:
                _draw(ax, xlim, x, ring[0], fill=True, color=c, alpha=0.25, zorder=4)
                _draw(ax, xlim, x, ring[0], color=c, lw=1.6, zorder=4)
            else:
                _draw(ax, xlim, x, ring[0], color=c, lw=0.7, alpha=0.6, ls="--", zorder=4)
    for last, ela, eim in est.values():
        if ela is not None and ela.launch_lat_deg is not None and ela.launch_lon_deg is not None:
            c = LEVEL_COLORS.get(ela.level, "#9e9e9e")
            lx = _frame_ring(np.array([ela.launch_lon_deg]), center)[0]
            ax.plot(
                lx, ela.launch_lat_deg, marker="o", ms=9, color=c, mec="k", mew=0.8, ls="", zorder=6
            )
            if ela.launch_sigma_km:
                la3, lo3 = circle_ring_deg(
                    ela.launch_lat_deg, ela.launch_lon_deg, ela.launch_sigma_km
                )
                _draw(ax, xlim, _frame_ring(lo3, center), la3, color=c, lw=1.0, ls="--", zorder=6)
            note = (
                f" ({last.disposition.lower().replace('_', ' ')})"
                if last.disposition in _QUIET
                else ""
            )
            ax.annotate(
                f"{last.event_id}{note}",
                (lx, ela.launch_lat_deg),
                xytext=(7, 5),
                textcoords="offset points",
                fontsize=9,
                color="k",
                weight="bold",
                annotation_clip=True,
            )
        if eim is not None and eim.impact_lat_deg is not None and eim.impact_lon_deg is not None:
            c = LEVEL_COLORS.get(eim.level, "#9e9e9e")
            ix = _frame_ring(np.array([eim.impact_lon_deg]), center)[0]
            ax.plot(
                ix,
                eim.impact_lat_deg,
                marker="X",
                ms=10,
                color=c,
                mec="k",
                mew=0.8,
                ls="",
                zorder=6,
            )
    if any(a.has_launch for a in scene.alerts):
        handles.append(
            Line2D([], [], marker="o", color="#888", mec="k", ls="", ms=8,
                   label="estimated launch point (dashed: 1σ)")
        )  # fmt: skip
    if any(a.has_impact for a in scene.alerts):
        handles.append(
            Line2D([], [], marker="X", color="#888", mec="k", ls="", ms=9,
                   label="predicted impact, with ellipse")
        )  # fmt: skip
    if len(latest_impact) < sum(a.has_ellipse for a in scene.alerts):
        handles.append(
            Line2D([], [], color="#888", ls="--", lw=0.7, label="earlier impact ellipses")
        )
    handles += [
        Patch(facecolor=LEVEL_COLORS[lv], edgecolor="k", lw=0.5, label=f"level {lv}")
        for lv in LEVELS
        if any(a.level == lv for a in scene.alerts)
    ]

    # Truth.
    for t in scene.truth_launches:
        tx = _frame_ring(np.array([t.launch_lon_deg]), center)[0]
        ax.plot(
            tx,
            t.launch_lat_deg,
            marker="*",
            ms=15,
            color="k",
            mfc="none",
            mec="k",
            mew=1.2,
            ls="",
            zorder=7,
        )
        ax.annotate(
            t.launch_id,
            (tx, t.launch_lat_deg),
            xytext=(-8, -14),
            textcoords="offset points",
            fontsize=8,
            ha="right",
            annotation_clip=True,
        )
        if t.impact_lat_deg is not None and t.impact_lon_deg is not None:
            ix = _frame_ring(np.array([t.impact_lon_deg]), center)[0]
            ax.plot(
                ix,
                t.impact_lat_deg,
                marker="P",
                ms=11,
                color="k",
                mfc="none",
                mec="k",
                mew=1.2,
                ls="",
                zorder=7,
            )
    if scene.truth_launches:
        handles += [
            Line2D(
                [],
                [],
                marker="*",
                color="k",
                mfc="none",
                mec="k",
                ls="",
                ms=13,
                label="true launch point",
            ),
            Line2D(
                [],
                [],
                marker="P",
                color="k",
                mfc="none",
                mec="k",
                ls="",
                ms=10,
                label="true impact point",
            ),
        ]

    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    step = _grid_step(max(xlim[1] - xlim[0], ylim[1] - ylim[0]))
    ax.set_xticks(np.arange(math.ceil(xlim[0] / step) * step, xlim[1] + 1e-9, step))
    ax.set_yticks(np.arange(math.ceil(ylim[0] / step) * step, ylim[1] + 1e-9, step))
    ax.xaxis.set_major_formatter(_deg_fmt(("E", "W"), wrap=True))
    ax.yaxis.set_major_formatter(_deg_fmt(("N", "S"), wrap=False))
    ax.grid(True, color="white", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_title(f"{scene.title} — map (plate carrée)", fontsize=15, loc="left")
    fig.text(
        0.05,
        0.015,
        f"epoch {scene.epoch_utc}; coastlines: Natural Earth 1:110m (public domain); "
        "shapes on a spherical Earth",
        fontsize=8,
        color="#555",
    )
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.785, 0.92),
        fontsize=9,
        frameon=True,
        title="legend",
        title_fontsize=10,
    )
    return _save(fig, path)


_GROUND_STYLE = {
    # source: (colour, marker size, label)
    "clutter": ("#9a9a9a", 2.0, "IR clutter"),
    "false_alarm": ("#9a9a9a", 2.0, "IR false alarm"),
    "glint": ("#00a5cf", 5.0, "IR report from sun glint"),
    "fire": ("#d62728", 7.0, "IR report from a fire or flare"),
    "object": ("#f07c00", 5.0, "IR report from a launch"),
}


def _ground_points(ax: Axes, scene: SceneView, center: float) -> list[Line2D | Patch]:
    """IR reports where their lines of sight meet the Earth, coloured by true source, and
    the scenario's declared fires."""
    handles: list[Line2D | Patch] = []
    g = scene.ir_ground
    if g is not None and len(g):
        src = np.asarray(g.source)
        for key, (color, ms, label) in _GROUND_STYLE.items():
            m = src == key
            if not np.any(m):
                continue
            x = (g.lon_deg[m] - center + 180.0) % 360.0 - 180.0 + center
            ax.plot(x, g.lat_deg[m], ls="", marker="o", ms=ms * 0.6, color=color,
                    alpha=0.55 if key != "fire" else 0.8, mew=0, zorder=3)  # fmt: skip
            handles.append(
                Line2D([], [], ls="", marker="o", ms=ms, color=color,
                       label=f"{label} ({int(m.sum())})")
            )  # fmt: skip
    for i, (fid, flat, flon) in enumerate(scene.fires):
        x = (flon - center + 180.0) % 360.0 - 180.0 + center
        ax.plot(x, flat, marker="^", ms=11, color="#d62728", mec="k", mew=0.8, ls="", zorder=6)
        ax.annotate(fid, (x, flat), xytext=(7, -3), textcoords="offset points", fontsize=8,
                    color="#8c1414", weight="bold", annotation_clip=True)  # fmt: skip
        if i == 0:
            handles.append(
                Line2D([], [], marker="^", ms=10, color="#d62728", mec="k", ls="",
                       label="declared fire / flare")
            )  # fmt: skip
    return handles


def _grid_step(span_deg: float) -> float:
    for s in (1.0, 2.0, 5.0, 10.0, 15.0, 30.0):
        if span_deg / s <= 12:
            return s
    return 60.0
