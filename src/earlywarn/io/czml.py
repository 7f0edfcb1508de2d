"""CZML (Cesium's time-dynamic JSON) of a run, from our own small writer.

:func:`to_czml` returns the document as a list of packets; :func:`write_czml` writes it.
Load the file into any Cesium viewer (drag and drop onto a local CesiumJS page works
offline if the page bundles its own imagery; the file itself references nothing remote).

Packets, in order (ids are unique; ``/`` separates the parts of an id):

* ``document`` — first, with ``version: "1.0"`` and the clock (interval, currentTime,
  multiplier, range ``LOOP_STOP``).
* ``sat/<sensor_id>`` — satellites: sampled Earth-fixed positions (``referenceFrame``
  ``FIXED``, ``cartesian`` = [t, x, y, z, ...] with t in seconds after ``epoch``, metres),
  Lagrange-interpolated, with a trailing path.
* ``obj/<object_id>`` — true objects (trajectories): same form, path shown over the
  object's life.
* ``radar/<sensor_id>`` — a radar site (point + label); ``radar/<sensor_id>/<face_id>`` a
  translucent ground polygon of the face's footprint (see
  :func:`earlywarn.io.geojson.face_footprint_deg`).
* ``det/<n>`` — detections that carry an estimated position: a point shown for
  ``detection_persist_s`` after the report (``availability`` interval), coloured by kind.
  At most ``max_detections`` are written (evenly thinned; the document's ``description``
  says so when it happens).
* ``event/<event_id>`` — one entity per event whose ``position`` (latest launch estimate),
  ``label.text`` and ``point.color`` are interval lists that change at each alert.
* ``alert/<alert_id>/impact`` — the predicted impact point and containment ellipse of an
  alert, available from that alert until the event's next alert (or the end).
* ``area/<name>`` — defended areas (ellipse for a circle, polygon otherwise).
* ``truth/<launch_id>/launch`` and ``truth/<launch_id>/impact`` — true points.

Times are ISO 8601 UTC with ``Z`` (millisecond resolution); intervals are
``start/stop``. Every availability lies within the clock interval. Cesium's ellipse has
its semi-major axis along east at ``rotation`` 0 and turns counter-clockwise (seen from
above), so for our orientation (azimuth of the semi-major axis, clockwise from north) the
rotation is ``radians(90 - orientation_deg)``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from earlywarn.io.geojson import LEVEL_COLORS, face_footprint_deg
from earlywarn.io.scene import AlertMark, SceneView

__all__ = ["to_czml", "write_czml"]

_KIND_RGBA = {"ir": [255, 140, 0, 255], "radar": [0, 200, 255, 255]}
_SAT_RGBA = [255, 255, 0, 255]
_OBJ_RGBA = [255, 255, 255, 255]
_RADAR_RGBA = [40, 200, 60, 255]
_AREA_RGBA = [31, 119, 180, 255]


def _rgba(hex_color: str, alpha: int = 255) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]


def _solid(rgba: list[int]) -> dict[str, Any]:
    return {"solidColor": {"color": {"rgba": rgba}}}


def _label(text: str, rgba: list[int] | None = None) -> dict[str, Any]:
    return {
        "text": text,
        "font": "12pt sans-serif",
        "fillColor": {"rgba": rgba or [255, 255, 255, 255]},
        "outlineColor": {"rgba": [0, 0, 0, 255]},
        "outlineWidth": 2,
        "style": "FILL_AND_OUTLINE",
        "horizontalOrigin": "LEFT",
        "pixelOffset": {"cartesian2": [8, 0]},
    }


class _Writer:
    def __init__(self, scene: SceneView) -> None:
        self.scene = scene
        self.t0 = scene.t_start_s
        self.t1 = scene.t_end_s

    def iso(self, t_s: float) -> str:
        return self.scene.iso(t_s)

    def interval(self, a_s: float, b_s: float) -> str | None:
        """ISO interval clipped to the clock; None if empty."""
        a = max(a_s, self.t0)
        b = min(b_s, self.t1)
        if not b > a:
            return None
        return f"{self.iso(a)}/{self.iso(b)}"

    def sampled(self, t_s: np.ndarray, r: np.ndarray) -> dict[str, Any]:
        """A FIXED-frame sampled position; samples outside the clock are kept (harmless)."""
        t_epoch = float(t_s[0])
        rel = np.asarray(t_s, dtype=np.float64) - t_epoch
        data = np.column_stack([np.round(rel, 3), np.round(np.asarray(r), 3)]).ravel()
        pos: dict[str, Any] = {
            "epoch": self.iso(t_epoch),
            "referenceFrame": "FIXED",
            "cartesian": data.tolist(),
        }
        if t_s.size >= 2:
            pos |= {
                "interpolationAlgorithm": "LAGRANGE",
                "interpolationDegree": min(5, t_s.size - 1),
            }
        return pos


def _document(w: _Writer, description: str) -> dict[str, Any]:
    s = w.scene
    span = s.t_end_s - s.t_start_s
    return {
        "id": "document",
        "name": s.title,
        "version": "1.0",
        "description": description,
        "clock": {
            "interval": f"{w.iso(s.t_start_s)}/{w.iso(s.t_end_s)}",
            "currentTime": w.iso(s.t_start_s),
            # About one minute of wall-clock time for the whole run.
            "multiplier": max(1.0, round(span / 60.0, 1)),
            "range": "LOOP_STOP",
            "step": "SYSTEM_CLOCK_MULTIPLIER",
        },
    }


def _track_packets(w: _Writer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sat in w.scene.satellites:
        iv = w.interval(float(sat.t_s[0]), float(sat.t_s[-1]))
        if iv is None:
            continue
        out.append(
            {
                "id": f"sat/{sat.sensor_id}",
                "name": sat.sensor_id,
                "description": f"IR satellite {sat.sensor_id}",
                "availability": iv,
                "position": w.sampled(sat.t_s, sat.r_ecef_m),
                "point": {"pixelSize": 7, "color": {"rgba": _SAT_RGBA}},
                "label": _label(sat.sensor_id, _SAT_RGBA),
                "path": {
                    "show": True,
                    "width": 1,
                    "leadTime": 0,
                    "trailTime": 3600,
                    "resolution": 60,
                    "material": _solid([255, 255, 0, 140]),
                },
            }
        )
    for obj in w.scene.objects:
        iv = w.interval(float(obj.t_s[0]), float(obj.t_s[-1]))
        if iv is None:
            continue
        life = float(obj.t_s[-1] - obj.t_s[0])
        out.append(
            {
                "id": f"obj/{obj.object_id}",
                "name": obj.object_id,
                "description": f"true {obj.kind} {obj.object_id} of launch {obj.launch_id}",
                "availability": iv,
                "position": w.sampled(obj.t_s, obj.r_ecef_m),
                "point": {"pixelSize": 5, "color": {"rgba": _OBJ_RGBA}},
                "path": {
                    "show": True,
                    "width": 2,
                    "leadTime": 0,
                    "trailTime": life + 1.0,
                    "resolution": 5,
                    "material": _solid([255, 255, 255, 200]),
                },
            }
        )
    return out


def _radar_packets(w: _Writer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for site in w.scene.radars:
        rid = f"radar/{site.sensor_id}"
        out.append(
            {
                "id": rid,
                "name": site.sensor_id,
                "description": f"radar {site.sensor_id}, {len(site.faces)} face(s)",
                "position": {"cartographicDegrees": [site.lon_deg, site.lat_deg, site.alt_m]},
                "point": {"pixelSize": 9, "color": {"rgba": _RADAR_RGBA}},
                "label": _label(site.sensor_id, _RADAR_RGBA),
            }
        )
        for face in site.faces:
            ring = face_footprint_deg(site, face)
            if ring is None:
                continue
            lat, lon = ring
            pos = np.column_stack([lon[:-1], lat[:-1], np.zeros(lat.size - 1)])
            out.append(
                {
                    "id": f"{rid}/{face.face_id}",
                    "name": f"{site.sensor_id} {face.face_id}",
                    "parent": rid,
                    "description": (
                        f"ground footprint of face {face.face_id}: azimuth "
                        f"{face.boresight_az_deg:.0f}±{face.half_width_deg:.0f}°, elevation "
                        f"{face.el_min_deg:.0f}–{face.el_max_deg:.0f}°, range "
                        f"{face.max_range_km:.0f} km"
                    ),
                    "polygon": {
                        "positions": {"cartographicDegrees": np.round(pos, 6).ravel().tolist()},
                        "material": _solid([40, 200, 60, 50]),
                        "outline": True,
                        "outlineColor": {"rgba": [40, 200, 60, 200]},
                        "height": 0,
                    },
                }
            )
    return out


def _detection_packets(
    w: _Writer, persist_s: float, max_detections: int
) -> tuple[list[dict[str, Any]], int]:
    det = w.scene.detections
    idx = np.nonzero(det.located & (det.t_s <= w.t1) & (det.t_s + persist_s >= w.t0))[0]
    n_all = int(idx.size)
    if n_all > max_detections:
        idx = idx[np.linspace(0, n_all - 1, max_detections).round().astype(int)]
    out = []
    for n, i in enumerate(idx.tolist()):
        t = float(det.t_s[i])
        iv = w.interval(t, t + persist_s)
        if iv is None:
            continue
        kind = det.kind[i]
        out.append(
            {
                "id": f"det/{n}",
                "name": f"{kind} report {det.sensor_id[i]}",
                "description": f"{kind} report from {det.sensor_id[i]} at {w.iso(t)}",
                "availability": iv,
                "position": {
                    "referenceFrame": "FIXED",
                    "cartesian": np.round(det.r_ecef_m[i], 3).tolist(),
                },
                "point": {"pixelSize": 4, "color": {"rgba": _KIND_RGBA.get(kind, [200] * 4)}},
            }
        )
    return out, n_all - len(idx)


def _event_packets(w: _Writer) -> list[dict[str, Any]]:
    by_event: dict[str, list[AlertMark]] = {}
    for a in w.scene.alerts:
        by_event.setdefault(a.event_id, []).append(a)
    out: list[dict[str, Any]] = []
    for ev, alerts in by_event.items():
        stops = [a.t_s for a in alerts[1:]] + [w.t1]
        texts, colors, positions = [], [], []
        last_pos: list[float] | None = None
        for a, stop in zip(alerts, stops, strict=True):
            if a.has_launch:
                last_pos = [a.launch_lon_deg or 0.0, a.launch_lat_deg or 0.0, 0.0]
            elif a.has_impact and last_pos is None:
                last_pos = [a.impact_lon_deg or 0.0, a.impact_lat_deg or 0.0, 0.0]
            iv = w.interval(a.t_s, stop)
            if iv is None:
                continue
            texts.append({"interval": iv, "string": f"{ev}: {a.level} ({a.disposition})"})
            colors.append({"interval": iv, "rgba": _rgba(LEVEL_COLORS.get(a.level, "#9e9e9e"))})
            if last_pos is not None:
                positions.append({"interval": iv, "cartographicDegrees": last_pos})
        parent: dict[str, str] = {}
        if texts and positions:
            start = str(positions[0]["interval"]).split("/")[0]
            label = _label("", None)
            label["text"] = texts
            parent = {"parent": f"event/{ev}"}
            out.append(
                {
                    "id": f"event/{ev}",
                    "name": f"event {ev}",
                    "description": f"event {ev}: {len(alerts)} alert(s); at the launch estimate",
                    "availability": f"{start}/{w.iso(w.t1)}",
                    "position": positions,
                    "point": {
                        "pixelSize": 12,
                        "color": colors,
                        "outlineColor": {"rgba": [0, 0, 0, 255]},
                        "outlineWidth": 1,
                    },
                    "label": label,
                }
            )
        for a, stop in zip(alerts, stops, strict=True):
            iv = w.interval(a.t_s, stop)
            if iv is None or not a.has_impact:
                continue
            color = LEVEL_COLORS.get(a.level, "#9e9e9e")
            pkt: dict[str, Any] = {
                "id": f"alert/{a.alert_id}/impact",
                "name": f"{ev} impact estimate ({a.alert_id})",
                **parent,
                "description": f"predicted impact, alert {a.alert_id}, level {a.level}",
                "availability": iv,
                "position": {"cartographicDegrees": [a.impact_lon_deg, a.impact_lat_deg, 0.0]},
                "point": {"pixelSize": 8, "color": {"rgba": _rgba(color)}},
            }
            if a.has_ellipse:
                smaj = float(a.impact_semi_major_km or 0.0) * 1e3
                smin = min(float(a.impact_semi_minor_km or 0.0) * 1e3, smaj)
                pkt["ellipse"] = {
                    "semiMajorAxis": smaj,
                    "semiMinorAxis": max(smin, 1.0),
                    "rotation": math.radians(90.0 - (a.impact_orientation_deg or 0.0)),
                    "material": _solid(_rgba(color, 70)),
                    "outline": True,
                    "outlineColor": {"rgba": _rgba(color)},
                    "height": 0,
                }
            out.append(pkt)
    return out


def _area_packets(w: _Writer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for area in w.scene.defended_areas:
        pkt: dict[str, Any] = {
            "id": f"area/{area.name}",
            "name": area.name,
            "description": f"defended area {area.name}",
            "position": {"cartographicDegrees": [area.lon_deg, area.lat_deg, 0.0]},
            "label": _label(area.name, _AREA_RGBA),
        }
        style = {
            "material": _solid([*_AREA_RGBA[:3], 50]),
            "outline": True,
            "outlineColor": {"rgba": _AREA_RGBA},
            "height": 0,
        }
        if area.radius_km is not None:
            r = area.radius_km * 1e3
            pkt["ellipse"] = {"semiMajorAxis": r, "semiMinorAxis": r, **style}
        else:
            assert area.polygon_deg is not None
            flat = [v for lat, lon in area.polygon_deg for v in (lon, lat, 0.0)]
            pkt["polygon"] = {"positions": {"cartographicDegrees": flat}, **style}
        out.append(pkt)
    return out


def _truth_packets(w: _Writer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in w.scene.truth_launches:
        out.append(
            {
                "id": f"truth/{t.launch_id}/launch",
                "name": f"{t.launch_id} true launch",
                "position": {"cartographicDegrees": [t.launch_lon_deg, t.launch_lat_deg, 0.0]},
                "point": {
                    "pixelSize": 8,
                    "color": {"rgba": [0, 0, 0, 255]},
                    "outlineColor": {"rgba": [255, 255, 255, 255]},
                    "outlineWidth": 2,
                },
            }
        )
        if t.has_impact:
            out.append(
                {
                    "id": f"truth/{t.launch_id}/impact",
                    "name": f"{t.launch_id} true impact",
                    "position": {"cartographicDegrees": [t.impact_lon_deg, t.impact_lat_deg, 0.0]},
                    "point": {
                        "pixelSize": 8,
                        "color": {"rgba": [0, 0, 0, 255]},
                        "outlineColor": {"rgba": [255, 255, 255, 255]},
                        "outlineWidth": 2,
                    },
                }
            )
    return out


def to_czml(
    scene: SceneView, detection_persist_s: float = 20.0, max_detections: int = 5000
) -> list[dict[str, Any]]:
    """The run as a CZML document: a list of JSON-ready packets, ``document`` first."""
    w = _Writer(scene)
    dets, dropped = _detection_packets(w, detection_persist_s, max_detections)
    description = f"{scene.title} — earlywarn run from {scene.epoch_utc}"
    if dropped:
        description += f"; {dropped} located detections not drawn (thinned to {max_detections})"
    packets = [_document(w, description)]
    packets += _track_packets(w)
    packets += _radar_packets(w)
    packets += dets
    packets += _event_packets(w)
    packets += _area_packets(w)
    packets += _truth_packets(w)
    return packets


def write_czml(scene: SceneView, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`to_czml` to ``path`` as compact UTF-8 JSON; returns the path."""
    p = Path(path)
    doc = to_czml(scene, **kwargs)
    p.write_text(json.dumps(doc, allow_nan=False, separators=(",", ":")), encoding="utf-8")
    return p
