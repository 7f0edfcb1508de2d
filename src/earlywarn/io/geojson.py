"""GeoJSON (RFC 7946) of a run: launch points, impact ellipses, defended areas, radar fans.

:func:`to_geojson` returns one ``FeatureCollection``; :func:`write_geojson` writes it.
Every feature has a ``properties.feature`` naming what it is:

==================  ==========================  =========================================
``feature``         geometry                    what
==================  ==========================  =========================================
``launch_estimate`` Point                       last launch-point estimate per event
``impact_estimate`` Point                       last predicted impact point per event
``impact_ellipse``  Polygon / MultiPolygon      its containment ellipse
``launch_truth``    Point                       true launch point
``impact_truth``    Point                       true impact point
``defended_area``   Polygon / MultiPolygon      circle (as a 128-gon) or polygon
``radar_site``      Point                       radar position
``radar_fan``       Polygon / MultiPolygon      ground footprint of one face
``ground_track``    LineString / MultiLineStr.  a true object's sub-point track
==================  ==========================  =========================================

Properties also carry simplestyle hints (``stroke``, ``fill``, ``fill-opacity``) that
common viewers use.

Geometry
--------
Shapes are computed on a sphere of the IUGG mean radius (distances on the ellipsoid differ
by up to 0.5 %). An ellipse of semi-axes *a*, *b* whose semi-major axis points to azimuth
α (clockwise from north) is traced by points at bearing α + θ and great-circle distance
``a b / sqrt((b cos θ)² + (a sin θ)²)`` from the centre. A radar face's footprint is the
sector of azimuths ``boresight ± half_width`` out to the ground distance at which its
lowest-elevation ray reaches ``max_range_km`` (or meets the ground); with an altitude
given it is the band of ground under the face's coverage at that altitude.

RFC 7946 rules kept: positions are ``[lon, lat]`` in degrees (WGS84) with longitudes in
[-180, 180]; polygon rings are closed and exterior rings counter-clockwise. Shapes that
cross the antimeridian are **split** into a MultiPolygon / MultiLineString (RFC 7946
§3.1.9), cut exactly at ±180°; a ring around a pole is closed along the pole's latitude.
Coordinates are rounded to 6 decimals (0.1 m).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.io.scene import AlertMark, RadarFace, RadarSite, SceneView

__all__ = [
    "LEVEL_COLORS",
    "circle_ring_deg",
    "destination_deg",
    "ellipse_ring_deg",
    "face_footprint_deg",
    "latest_alert_per_event",
    "latest_estimates",
    "ring_to_polygons",
    "split_line",
    "to_geojson",
    "write_geojson",
]

FloatArray = npt.NDArray[np.float64]

LEVEL_COLORS: dict[str, str] = {
    "NONE": "#9e9e9e",
    "POSSIBLE_LAUNCH": "#e6b800",
    "LAUNCH": "#f07c00",
    "THREAT": "#d62728",
    "ATTACK_CONFIRMED": "#7b0a5a",
}
"""One colour per assessment level, shared by every writer."""


# --------------------------------------------------------------------------- geometry


def destination_deg(
    lat_deg: float, lon_deg: float, az_deg: npt.ArrayLike, dist_m: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Points at great-circle distance ``dist_m`` and initial azimuth ``az_deg`` (sphere).

    Returns (lat_deg, lon_deg); longitudes are continuous with ``lon_deg`` (not wrapped).
    """
    p1 = math.radians(lat_deg)
    az = np.radians(np.asarray(az_deg, dtype=np.float64))
    d = np.asarray(dist_m, dtype=np.float64) / R_MEAN_M
    sp2 = math.sin(p1) * np.cos(d) + math.cos(p1) * np.sin(d) * np.cos(az)
    p2 = np.arcsin(np.clip(sp2, -1.0, 1.0))
    dl = np.arctan2(np.sin(az) * np.sin(d) * math.cos(p1), np.cos(d) - math.sin(p1) * sp2)
    return np.degrees(p2), lon_deg + np.degrees(dl)


def ellipse_ring_deg(
    lat_deg: float,
    lon_deg: float,
    semi_major_km: float,
    semi_minor_km: float,
    orientation_deg: float,
    n: int = 72,
) -> tuple[FloatArray, FloatArray]:
    """Closed ring (lat_deg, lon_deg) of an ellipse on the sphere; ``n`` + 1 points.

    ``orientation_deg`` is the azimuth of the semi-major axis, clockwise from north.
    """
    a = max(float(semi_major_km), 1e-6) * 1e3
    b = max(float(semi_minor_km), 1e-6) * 1e3
    th = np.linspace(0.0, 2.0 * np.pi, n + 1)
    th[-1] = 0.0
    r = a * b / np.sqrt((b * np.cos(th)) ** 2 + (a * np.sin(th)) ** 2)
    return destination_deg(lat_deg, lon_deg, orientation_deg + np.degrees(th), r)


def circle_ring_deg(
    lat_deg: float, lon_deg: float, radius_km: float, n: int = 128
) -> tuple[FloatArray, FloatArray]:
    """Closed ring (lat_deg, lon_deg) of a small circle of ``radius_km`` (sphere)."""
    return ellipse_ring_deg(lat_deg, lon_deg, radius_km, radius_km, 0.0, n)


def _central_angle(range_m: float, el_rad: float, h_m: float = 0.0) -> float:
    """Central angle to a point at slant range and elevation from a site at height h."""
    rs = R_MEAN_M + h_m
    return math.atan2(range_m * math.cos(el_rad), rs + range_m * math.sin(el_rad))


_EDGE_STEP_M = 50e3
"""Longest piece of a radar fan's straight (radial) edge: geodesics are densified."""


def face_footprint_deg(
    site: RadarSite, face: RadarFace, altitude_m: float | None = None, n_arc: int = 33
) -> tuple[FloatArray, FloatArray] | None:
    """Closed ring (lat_deg, lon_deg) of a radar face's ground footprint, or None if empty.

    ``altitude_m=None``: the ground under the whole coverage volume — the sector from the
    site out to where the lowest-elevation ray reaches ``max_range_km`` (or meets the
    ground, for a negative elevation). With ``altitude_m``: the ground under the
    coverage *at that altitude*, an annular sector between the ``el_max`` ray (inner edge)
    and the ``el_min`` ray or the range limit (outer edge). For a 360° face the inner
    (overhead blind) disc is not cut out.
    """
    rho_max = face.max_range_km * 1e3
    el_lo = math.radians(face.el_min_deg)
    el_hi = math.radians(face.el_max_deg)
    r_e = R_MEAN_M + site.alt_m
    if altitude_m is None:
        rho = rho_max
        if el_lo < 0.0:  # the ray meets the ground before max range
            rho = min(rho, -2.0 * r_e * math.sin(el_lo))
        outer = _central_angle(rho, el_lo, site.alt_m)
        inner = 0.0
    else:
        rt = R_MEAN_M + float(altitude_m)
        if rt <= r_e and el_lo <= 0.0:
            return None

        def slant(el: float) -> float:  # slant range to the altitude shell along elevation el
            s = math.sin(el)
            disc = (r_e * s) ** 2 + rt**2 - r_e**2
            return -r_e * s + math.sqrt(max(disc, 0.0))

        if slant(el_hi) > rho_max:
            return None
        inner = _central_angle(slant(el_hi), el_hi, site.alt_m)
        if slant(el_lo) <= rho_max:
            outer = _central_angle(slant(el_lo), el_lo, site.alt_m)
        else:  # range-limited: law of cosines in the Earth-centre / site / target triangle
            c = (r_e**2 + rt**2 - rho_max**2) / (2.0 * r_e * rt)
            outer = math.acos(max(-1.0, min(1.0, c)))
    d_out = outer * R_MEAN_M
    d_in = inner * R_MEAN_M
    full = face.half_width_deg >= 180.0
    if full:
        lat, lon = circle_ring_deg(site.lat_deg, site.lon_deg, d_out / 1e3, 4 * (n_arc - 1))
        return _around_pole(lat, lon)
    az = face.boresight_az_deg + np.linspace(-face.half_width_deg, face.half_width_deg, n_arc)
    olat, olon = destination_deg(site.lat_deg, site.lon_deg, az, np.full(az.shape, d_out))
    # the straight edges are geodesics too: densified so no piece exceeds _EDGE_STEP_M
    n_edge = max(2, math.ceil((d_out - d_in) / _EDGE_STEP_M) + 1)
    radial = np.linspace(d_in, d_out, n_edge)[:-1]
    up_lat, up_lon = destination_deg(
        site.lat_deg, site.lon_deg, np.full(radial.shape, az[0]), radial
    )
    dn_lat, dn_lon = destination_deg(
        site.lat_deg, site.lon_deg, np.full(radial.shape, az[-1]), radial[::-1]
    )
    if d_in <= 1.0:  # a sector from the site
        lat = np.concatenate([up_lat, olat, dn_lat, up_lat[:1]])
        lon = np.concatenate([up_lon, olon, dn_lon, up_lon[:1]])
    else:
        ilat, ilon = destination_deg(site.lat_deg, site.lon_deg, az[::-1], np.full(az.shape, d_in))
        lat = np.concatenate([up_lat, olat, dn_lat[:-1], ilat, up_lat[:1]])
        lon = np.concatenate([up_lon, olon, dn_lon[:-1], ilon, up_lon[:1]])
    return _around_pole(lat, lon)


def _around_pole(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A closed ring with continuous longitudes; one that winds around a pole (a fan that
    contains it) is closed through the pole in steps of 90° of longitude, so that filling
    it on a latitude/longitude map gives the polar cap rather than a band of latitudes."""
    u = _unwrap_deg(lon)
    winding = float(u[-1] - u[0])
    if abs(winding) < 180.0:
        return lat, u
    pole = 90.0 if float(np.max(lat)) >= -float(np.min(lat)) else -90.0
    # start the ring at its point nearest the pole, so the detour's link to it is shortest
    k = int(np.argmax(lat * np.sign(pole)))
    lat = np.concatenate([np.roll(lat[:-1], -k), [lat[k]]])
    u = _unwrap_deg(np.concatenate([np.roll(lon[:-1], -k), [lon[k]]]))
    steps = np.linspace(u[-1], u[0], 5)  # 360° back to the start in 90° steps
    lat = np.concatenate([lat, np.full(steps.shape, pole), lat[:1]])
    lon = np.concatenate([u, steps, u[:1]])
    return lat, lon


def _unwrap_deg(lon: FloatArray) -> FloatArray:
    if lon.size == 0:
        return lon
    d = np.diff(lon)
    d = np.mod(d + 180.0, 360.0) - 180.0
    return np.concatenate([[lon[0]], lon[0] + np.cumsum(d)])


def _clip(poly: list[tuple[float, float]], x: float, keep_ge: bool) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clip of an open ring by the half-plane lon >= x (or <= x)."""
    out: list[tuple[float, float]] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        pin = p[0] >= x if keep_ge else p[0] <= x
        qin = q[0] >= x if keep_ge else q[0] <= x
        if pin:
            out.append(p)
        if pin != qin:
            t = (x - p[0]) / (q[0] - p[0])
            out.append((x, p[1] + t * (q[1] - p[1])))
    return out


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        s += x1 * y2 - x2 * y1
    return 0.5 * s


def _r6(x: float) -> float:
    v = round(float(x), 6)
    return 0.0 if v == 0.0 else v


def ring_to_polygons(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> list[list[list[float]]]:
    """A ring (any longitudes, closed or not) → RFC 7946 exterior rings, split at ±180°.

    Returns one closed counter-clockwise ``[[lon, lat], ...]`` ring per piece (one piece
    unless the shape crosses the antimeridian).
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = _unwrap_deg(np.asarray(lon_deg, dtype=np.float64))
    if lat.size >= 2 and lat[0] == lat[-1] and abs(lon[0] - lon[-1]) < 1e-9:
        lat, lon = lat[:-1], lon[:-1]
    if lat.size < 3:
        return []
    # Longitude winding of the closing segment tells whether the ring encircles a pole.
    closing = float(np.mod(lon[0] - lon[-1] + 180.0, 360.0) - 180.0)
    winding = lon[-1] + closing - lon[0]
    pts = list(zip(lon.tolist(), lat.tolist(), strict=True))
    if abs(winding) > 180.0:
        pole = 90.0 if float(np.mean(lat)) >= 0.0 else -90.0
        end = lon[-1] + closing
        pts += [(end, float(lat[0])), (end, pole), (float(lon[0]), pole)]
    lo = min(p[0] for p in pts)
    hi = max(p[0] for p in pts)
    out: list[list[list[float]]] = []
    for k in range(math.floor((lo + 180.0) / 360.0), math.floor((hi + 180.0) / 360.0) + 1):
        x0, x1 = -180.0 + 360.0 * k, 180.0 + 360.0 * k
        piece = _clip(_clip(pts, x0, True), x1, False)
        ring = [[_r6(x - 360.0 * k), _r6(y)] for x, y in piece]
        dedup = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
        if len(dedup) > 1 and dedup[0] == dedup[-1]:
            dedup.pop()
        if len(dedup) < 3 or abs(_signed_area(dedup)) < 1e-12:
            continue
        if _signed_area(dedup) < 0.0:
            dedup.reverse()
        out.append([*dedup, dedup[0]])
    return out


def split_line(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> list[list[list[float]]]:
    """A polyline → pieces of ``[[lon, lat], ...]`` in [-180, 180], cut at the antimeridian."""
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = _unwrap_deg(np.asarray(lon_deg, dtype=np.float64))
    pieces: list[list[list[float]]] = []
    cur: list[list[float]] = []
    k_prev: int | None = None
    for i in range(lat.size):
        k = math.floor((lon[i] + 180.0) / 360.0)
        if k_prev is not None and k != k_prev:
            # Cross at the boundary between window k_prev and k.
            xb = -180.0 + 360.0 * max(k, k_prev)
            t = (xb - lon[i - 1]) / (lon[i] - lon[i - 1])
            yb = lat[i - 1] + t * (lat[i] - lat[i - 1])
            cur.append([_r6(xb - 360.0 * k_prev), _r6(yb)])
            if len(cur) >= 2:
                pieces.append(cur)
            cur = [[_r6(xb - 360.0 * k), _r6(yb)]]
        cur.append([_r6(lon[i] - 360.0 * k), _r6(lat[i])])
        k_prev = k
    if len(cur) >= 2:
        pieces.append(cur)
    return pieces


def _polygon_geometry(rings: list[list[list[float]]]) -> dict[str, Any] | None:
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": [rings[0]]}
    return {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}


def _line_geometry(pieces: list[list[list[float]]]) -> dict[str, Any] | None:
    if not pieces:
        return None
    if len(pieces) == 1:
        return {"type": "LineString", "coordinates": pieces[0]}
    return {"type": "MultiLineString", "coordinates": pieces}


def _point(lat_deg: float, lon_deg: float) -> dict[str, Any]:
    lon = (float(lon_deg) + 180.0) % 360.0 - 180.0
    return {"type": "Point", "coordinates": [_r6(lon), _r6(lat_deg)]}


# --------------------------------------------------------------------------- features


def latest_alert_per_event(alerts: Sequence[AlertMark]) -> list[AlertMark]:
    """The last alert of each event (alerts are time-ordered in a SceneView)."""
    last: dict[str, AlertMark] = {}
    for a in alerts:
        last[a.event_id] = a
    return list(last.values())


def latest_estimates(
    alerts: Sequence[AlertMark],
) -> dict[str, tuple[AlertMark, AlertMark | None, AlertMark | None]]:
    """Per event: (last alert, last alert with a launch point, last alert with an impact).

    A later alert may carry no estimate (e.g. a retraction); the last known one is kept.
    """
    out: dict[str, tuple[AlertMark, AlertMark | None, AlertMark | None]] = {}
    for a in alerts:
        _last, la, im = out.get(a.event_id, (a, None, None))
        out[a.event_id] = (a, a if a.has_launch else la, a if a.has_impact else im)
    return out


def _feature(geometry: dict[str, Any] | None, props: dict[str, Any]) -> dict[str, Any] | None:
    if geometry is None:
        return None
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _style(color: str, fill_opacity: float | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"stroke": color, "marker-color": color}
    if fill_opacity is not None:
        s |= {"fill": color, "fill-opacity": fill_opacity}
    return s


def _alert_props(scene: SceneView, a: AlertMark) -> dict[str, Any]:
    return {
        "alert_id": a.alert_id,
        "level": a.level,
        "disposition": a.disposition,
        "t_s": a.t_s,
        "time_utc": scene.iso(a.t_s),
    }


def to_geojson(scene: SceneView, max_track_points: int = 400) -> dict[str, Any]:
    """The run as an RFC 7946 FeatureCollection (see the module docstring)."""
    feats: list[dict[str, Any] | None] = []
    for last, la, im in latest_estimates(scene.alerts).values():
        event = {
            "event_id": last.event_id,
            "event_level": last.level,
            "event_disposition": last.disposition,
        }
        if la is not None:
            assert la.launch_lat_deg is not None and la.launch_lon_deg is not None
            feats.append(
                _feature(
                    _point(la.launch_lat_deg, la.launch_lon_deg),
                    {
                        "feature": "launch_estimate",
                        **event,
                        **_alert_props(scene, la),
                        "launch_time_s": la.launch_time_s,
                        "sigma_km": la.launch_sigma_km,
                        **_style(LEVEL_COLORS.get(la.level, "#9e9e9e")),
                    },
                )
            )
        if im is not None:
            assert im.impact_lat_deg is not None and im.impact_lon_deg is not None
            color = LEVEL_COLORS.get(im.level, "#9e9e9e")
            props = {**event, **_alert_props(scene, im), "impact_time_s": im.impact_time_s}
            feats.append(
                _feature(
                    _point(im.impact_lat_deg, im.impact_lon_deg),
                    {"feature": "impact_estimate", **props, **_style(color)},
                )
            )
            if im.has_ellipse:
                assert im.impact_semi_major_km is not None and im.impact_semi_minor_km is not None
                orient = im.impact_orientation_deg or 0.0
                lat, lon = ellipse_ring_deg(
                    im.impact_lat_deg,
                    im.impact_lon_deg,
                    im.impact_semi_major_km,
                    im.impact_semi_minor_km,
                    orient,
                )
                feats.append(
                    _feature(
                        _polygon_geometry(ring_to_polygons(lat, lon)),
                        {
                            "feature": "impact_ellipse",
                            **props,
                            "semi_major_km": im.impact_semi_major_km,
                            "semi_minor_km": im.impact_semi_minor_km,
                            "orientation_deg": orient,
                            **_style(color, 0.25),
                        },
                    )
                )
    for t in scene.truth_launches:
        feats.append(
            _feature(
                _point(t.launch_lat_deg, t.launch_lon_deg),
                {
                    "feature": "launch_truth",
                    "launch_id": t.launch_id,
                    "t_s": t.launch_time_s,
                    **_style("#000000"),
                },
            )
        )
        if t.has_impact:
            assert t.impact_lat_deg is not None and t.impact_lon_deg is not None
            feats.append(
                _feature(
                    _point(t.impact_lat_deg, t.impact_lon_deg),
                    {
                        "feature": "impact_truth",
                        "launch_id": t.launch_id,
                        "t_s": t.impact_time_s,
                        **_style("#000000"),
                    },
                )
            )
    for area in scene.defended_areas:
        if area.radius_km is not None:
            assert area.lat_deg is not None and area.lon_deg is not None
            lat, lon = circle_ring_deg(area.lat_deg, area.lon_deg, area.radius_km)
        else:
            assert area.polygon_deg is not None
            pts = np.array(area.polygon_deg)
            lat, lon = pts[:, 0], pts[:, 1]
        feats.append(
            _feature(
                _polygon_geometry(ring_to_polygons(lat, lon)),
                {
                    "feature": "defended_area",
                    "name": area.name,
                    "radius_km": area.radius_km,
                    **_style("#1f77b4", 0.15),
                },
            )
        )
    for site in scene.radars:
        feats.append(
            _feature(
                _point(site.lat_deg, site.lon_deg),
                {"feature": "radar_site", "sensor_id": site.sensor_id, **_style("#2ca02c")},
            )
        )
        for face in site.faces:
            ring = face_footprint_deg(site, face)
            if ring is None:
                continue
            feats.append(
                _feature(
                    _polygon_geometry(ring_to_polygons(*ring)),
                    {
                        "feature": "radar_fan",
                        "sensor_id": site.sensor_id,
                        "face_id": face.face_id,
                        "boresight_az_deg": face.boresight_az_deg,
                        "half_width_deg": face.half_width_deg,
                        "max_range_km": face.max_range_km,
                        **_style("#2ca02c", 0.12),
                    },
                )
            )
    for obj in scene.objects:
        step = max(1, math.ceil(obj.t_s.size / max_track_points))
        idx = np.unique(np.r_[np.arange(0, obj.t_s.size, step), obj.t_s.size - 1])
        lat, lon, _h = ecef_to_geodetic(obj.r_ecef_m[idx])
        feats.append(
            _feature(
                _line_geometry(split_line(np.degrees(lat), np.degrees(lon))),
                {
                    "feature": "ground_track",
                    "object_id": obj.object_id,
                    "launch_id": obj.launch_id,
                    "kind": obj.kind,
                    "t_start_s": float(obj.t_s[0]),
                    "t_end_s": float(obj.t_s[-1]),
                    **_style("#444444"),
                },
            )
        )
    return {
        "type": "FeatureCollection",
        "features": [f for f in feats if f is not None],
        "properties": {"title": scene.title, "epoch_utc": scene.epoch_utc},
    }


def write_geojson(scene: SceneView, path: str | Path) -> Path:
    """Write :func:`to_geojson` to ``path`` (UTF-8 JSON); returns the path."""
    p = Path(path)
    p.write_text(json.dumps(to_geojson(scene), allow_nan=False, indent=1), encoding="utf-8")
    return p
