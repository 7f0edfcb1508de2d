"""An interactive, offline globe of a run: ``globe.html``.

:func:`write_globe` writes one self-contained page: an orthographic globe drawn on a
canvas with the vendored d3-geo (and its one dependency d3-array; pinned versions, their
ISC licences beside them in ``earlywarn/data/vendor/``), the shipped Natural Earth
coastlines, the sensors and their coverage (satellite horizon footprints, radar face
fans), the true trajectories and the located reports, launch points and impact ellipses,
defended areas, a time slider, and the alert ladder beside the globe. The scripts and the
data are inlined: no request leaves the page, so it opens the same on an air-gapped
machine.

The page's own style and script are ``data/globe.css`` and ``data/globe.js``. The page
reads its data from one ``<script type="application/json" id="scene-data">``
element (:func:`globe_data` builds it), so a live page can serve the same script with
other data. Drag to turn the globe, wheel to zoom; the slider (or the play button) moves
the time, and everything drawn is what was known or true at that time.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.io.coastlines import load_coastlines
from earlywarn.io.geojson import (
    LEVEL_COLORS,
    circle_ring_deg,
    ellipse_ring_deg,
    face_footprint_deg,
)
from earlywarn.io.scene import LEVELS, SceneView

__all__ = ["VENDORED", "globe_data", "write_globe"]

FloatArray = npt.NDArray[np.float64]

VENDORED: dict[str, str] = {
    "d3-array.min.js": "d3-array 3.2.5 (npm), ISC licence: d3-array.LICENSE",
    "d3-geo.min.js": "d3-geo 3.1.2 (npm), ISC licence: d3-geo.LICENSE",
}
"""The vendored scripts inlined in the page, with their version and licence file."""

MAX_TRACK_POINTS = 240
MAX_SAT_POINTS = 240
MAX_REPORT_POINTS = 3000
R_EARTH_KM = 6371.0


def _r(a: npt.ArrayLike, nd: int = 3) -> list[Any]:
    """Rounded plain-list copy (NaN becomes None) for compact JSON."""
    arr = np.round(np.asarray(a, dtype=np.float64), nd)
    return [None if not math.isfinite(v) else float(v) for v in arr.reshape(-1)]


def _thin(n: int, most: int) -> npt.NDArray[np.intp]:
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).astype(np.intp))


def _ring(lat: npt.ArrayLike, lon: npt.ArrayLike) -> list[list[float]]:
    """``[[lon, lat], ...]`` closed, 3 decimals (GeoJSON order, as d3-geo wants)."""
    lo, la = _r(lon), _r(lat)
    pts = [[x, y] for x, y in zip(lo, la, strict=True) if x is not None and y is not None]
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    return pts


def _lines(lon: npt.ArrayLike, lat: npt.ArrayLike) -> list[list[list[float]]]:
    """NaN-separated polylines → list of ``[[lon, lat], ...]`` (2 decimals)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    brk = np.flatnonzero(~np.isfinite(lon) | ~np.isfinite(lat))
    out = []
    start = 0
    for stop in [*brk.tolist(), lon.size]:
        if stop - start >= 2:
            seg = np.round(np.column_stack([lon[start:stop], lat[start:stop]]), 2)
            out.append(seg.tolist())
        start = stop + 1
    return out


def _geodetic_deg(r: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    lat, lon, h = ecef_to_geodetic(r)
    return np.degrees(lat), np.degrees(lon), np.asarray(h) / 1e3


def globe_data(scene: SceneView) -> dict[str, Any]:
    """The JSON object the page draws: every array in degrees, km and seconds."""
    cl = load_coastlines()
    objects = []
    for o in scene.objects:
        i = _thin(o.t_s.size, MAX_TRACK_POINTS)
        la, lo, h = _geodetic_deg(o.r_ecef_m[i])
        objects.append(
            {"id": o.object_id, "launch": o.launch_id, "kind": o.kind, "t": _r(o.t_s[i], 1),
             "lat": _r(la), "lon": _r(lo), "alt_km": _r(h, 1)}
        )  # fmt: skip
    sats = []
    for s in scene.satellites:
        i = _thin(s.t_s.size, MAX_SAT_POINTS)
        la, lo, h = _geodetic_deg(s.r_ecef_m[i])
        # horizon footprint: Earth central angle of the limb seen from the satellite
        foot = np.degrees(np.arccos(R_EARTH_KM / (R_EARTH_KM + np.maximum(h, 1.0))))
        sats.append(
            {"id": s.sensor_id, "t": _r(s.t_s[i], 1), "lat": _r(la), "lon": _r(lo),
             "alt_km": _r(h, 0), "footprint_deg": _r(foot, 2)}
        )  # fmt: skip
    radars = []
    for site in scene.radars:
        fans = []
        for face in site.faces:
            ring = face_footprint_deg(site, face)
            if ring is not None:
                fans.append(_ring(ring[0], ring[1]))
        radars.append({"id": site.sensor_id, "lat": site.lat_deg, "lon": site.lon_deg,
                       "fans": fans})  # fmt: skip
    det = scene.detections
    loc = np.flatnonzero(det.located)
    loc = loc[_thin(loc.size, MAX_REPORT_POINTS)]
    if loc.size:
        la, lo, h = _geodetic_deg(det.r_ecef_m[loc])
    else:
        la = lo = h = np.zeros(0)
    reports = {
        "t": _r(det.t_s[loc], 1),
        "lat": _r(la),
        "lon": _r(lo),
        "alt_km": _r(h, 1),
        "kind": [det.kind[k] for k in loc.tolist()],
    }
    alerts = []
    for a in scene.alerts:
        ell = None
        if a.has_ellipse:
            assert a.impact_lat_deg is not None and a.impact_lon_deg is not None
            ell = _ring(
                *ellipse_ring_deg(
                    a.impact_lat_deg, a.impact_lon_deg, float(a.impact_semi_major_km or 0.0),
                    float(a.impact_semi_minor_km or 0.0), float(a.impact_orientation_deg or 0.0),
                )
            )  # fmt: skip
        rec = a.record
        alerts.append(
            {"id": a.alert_id, "event": a.event_id, "t": a.t_s, "level": a.level,
             "disposition": a.disposition, "reason": rec.get("reason"),
             "vehicle_class": rec.get("vehicle_class"),
             "threatened": list(rec.get("threatened_areas") or []),
             "decision_time_s": rec.get("decision_time_s"),
             "launch": None if not a.has_launch else [a.launch_lon_deg, a.launch_lat_deg],
             "launch_sigma_km": a.launch_sigma_km,
             "impact": None if not a.has_impact else [a.impact_lon_deg, a.impact_lat_deg],
             "impact_t": a.impact_time_s, "ellipse": ell}
        )  # fmt: skip
    areas = []
    for area in scene.defended_areas:
        if area.radius_km is not None and area.lat_deg is not None and area.lon_deg is not None:
            area_ring = _ring(*circle_ring_deg(area.lat_deg, area.lon_deg, area.radius_km, 64))
        else:
            pts = np.array(area.polygon_deg, dtype=np.float64)
            area_ring = _ring(pts[:, 0], pts[:, 1])
        areas.append({"name": area.name, "ring": area_ring, "label": [area.lon_deg, area.lat_deg]})
    truth = [
        {"id": t.launch_id, "t": t.launch_time_s, "launch": [t.launch_lon_deg, t.launch_lat_deg],
         "impact": None if not t.has_impact else [t.impact_lon_deg, t.impact_lat_deg],
         "impact_t": t.impact_time_s}
        for t in scene.truth_launches
    ]  # fmt: skip
    return {
        "title": scene.title,
        "epoch_utc": scene.epoch_utc,
        "t_start_s": scene.t_start_s,
        "t_end_s": scene.t_end_s,
        "levels": list(LEVELS),
        "level_colors": {lv: LEVEL_COLORS[lv] for lv in LEVELS},
        "coast": _lines(cl.coast_lon_deg, cl.coast_lat_deg),
        "borders": _lines(cl.border_lon_deg, cl.border_lat_deg),
        "objects": objects,
        "satellites": sats,
        "radars": radars,
        "reports": reports,
        "alerts": alerts,
        "areas": areas,
        "truth": truth,
    }


def _data(name: str) -> str:
    """A shipped file of the page: its style and script (``data/``), the libraries
    (``data/vendor/``)."""
    return (resources.files("earlywarn") / "data" / name).read_text(encoding="utf-8")


def _script_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</`` can close it)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def write_globe(scene: SceneView, path: str | Path) -> Path:
    """Write the self-contained ``globe.html``; returns its path."""
    import html

    p = Path(path)
    scripts = "".join(f"<script>{_data('vendor/' + n)}</script>" for n in VENDORED)
    page = (
        _PAGE.replace("__TITLE__", html.escape(scene.title))
        .replace("__CSS__", _data("globe.css"))
        .replace("__VENDOR__", scripts)
        .replace("__DATA__", _script_json(globe_data(scene)))
        .replace("__APP__", _data("globe.js"))
    )
    p.write_text(page, encoding="utf-8")
    return p


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>__TITLE__ — globe</title><style>__CSS__</style></head>
<body>
<header><h1>__TITLE__</h1><span id="clock"></span></header>
<div id="wrap">
 <div id="stage"><canvas id="globe" width="760" height="760" aria-label="globe"></canvas>
  <div id="controls"><button id="play" type="button">▶ play</button>
   <input id="time" type="range" min="0" max="1" step="1" value="0" aria-label="time">
   <span id="tlabel"></span></div>
  <div id="legend"></div></div>
 <aside><h2>Alert ladder</h2><div id="ladder"></div><h2>Alerts so far</h2>
  <ol id="alerts"></ol></aside>
</div>
<footer>Offline page: d3-geo 3.1.2 and d3-array 3.2.5 (ISC licence, Mike Bostock; GeographicLib
parts MIT, Charles Karney), coastlines Natural Earth 1:110m (public domain). Drag to turn,
wheel to zoom. Detection, tracking and warning analysis only.</footer>
<script type="application/json" id="scene-data">__DATA__</script>
__VENDOR__<script>__APP__</script>
</body></html>
"""
