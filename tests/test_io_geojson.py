"""GeoJSON writer: RFC 7946 rules, geometry of ellipses/fans, antimeridian splitting."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import great_circle
from earlywarn.io.geojson import (
    circle_ring_deg,
    ellipse_ring_deg,
    face_footprint_deg,
    ring_to_polygons,
    split_line,
    to_geojson,
    write_geojson,
)
from earlywarn.io.scene import RadarFace, RadarSite, SceneView
from scene_samples import make_scene


def _signed_area(ring: list[list[float]]) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def _check_position(p: Any) -> None:
    assert isinstance(p, list) and len(p) in (2, 3)
    assert all(isinstance(v, int | float) and math.isfinite(v) for v in p)
    assert -180.0 <= p[0] <= 180.0 and -90.0 <= p[1] <= 90.0


def _check_ring(ring: Any) -> None:
    assert len(ring) >= 4 and ring[0] == ring[-1], "ring must be closed with >= 4 positions"
    for p in ring:
        _check_position(p)
    assert _signed_area(ring) > 0.0, "exterior ring must be counter-clockwise"


def _check_geometry(g: dict[str, Any]) -> None:
    t, c = g["type"], g["coordinates"]
    if t == "Point":
        _check_position(c)
    elif t == "LineString":
        assert len(c) >= 2
        for p in c:
            _check_position(p)
    elif t == "MultiLineString":
        for line in c:
            _check_geometry({"type": "LineString", "coordinates": line})
    elif t == "Polygon":
        for ring in c:
            _check_ring(ring)
    elif t == "MultiPolygon":
        for poly in c:
            _check_geometry({"type": "Polygon", "coordinates": poly})
    else:
        raise AssertionError(f"unexpected geometry type {t}")


@pytest.mark.parametrize("full", [True, False], ids=["full", "empty"])
def test_feature_collection_is_valid(full: bool, tmp_path: Path) -> None:
    path = write_geojson(make_scene(full), tmp_path / "scene.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and isinstance(fc["features"], list)
    for f in fc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        _check_geometry(f["geometry"])
    if not full:
        assert fc["features"] == []


def test_expected_features() -> None:
    fc = to_geojson(make_scene())
    kinds = [f["properties"]["feature"] for f in fc["features"]]
    assert kinds.count("launch_estimate") == 3  # latest per event
    assert kinds.count("impact_ellipse") == 2
    assert kinds.count("launch_truth") == 2 and kinds.count("impact_truth") == 2
    assert kinds.count("defended_area") == 3
    assert kinds.count("radar_fan") == 2 and kinds.count("radar_site") == 1
    assert kinds.count("ground_track") == 4
    by = {(f["properties"]["feature"], f["properties"].get("name")): f for f in fc["features"]}
    # the circle centred at 179.5°E crosses the antimeridian: split in two
    assert by[("defended_area", "Date line")]["geometry"]["type"] == "MultiPolygon"
    # the west-coast → Pacific track crosses it too
    tracks = {
        f["properties"]["object_id"]: f for f in fc["features"] if "object_id" in f["properties"]
    }
    assert tracks["L2-RV"]["geometry"]["type"] == "MultiLineString"
    assert tracks["L1-RV"]["geometry"]["type"] == "LineString"


def test_ellipse_axes_and_orientation() -> None:
    lat, lon = ellipse_ring_deg(10.0, 20.0, 300.0, 100.0, 30.0, n=72)
    ang, az = great_circle(np.radians(10.0), np.radians(20.0), np.radians(lat), np.radians(lon))
    d_km = ang * R_MEAN_M / 1e3
    assert d_km.max() == pytest.approx(300.0, rel=1e-6)
    assert d_km.min() == pytest.approx(100.0, rel=1e-3)
    assert math.degrees(az[0]) == pytest.approx(30.0, abs=1e-6)  # semi-major along 30°
    assert lat[0] == lat[-1] and lon[0] == lon[-1]


def test_fan_reaches_radar_horizon_range() -> None:
    site = RadarSite("r", 0.0, 0.0)
    face = RadarFace("f", 90.0, 60.0, 0.0, 80.0, 4000.0)
    lat, lon = face_footprint_deg(site, face)  # type: ignore[misc]
    ang, az = great_circle(0.0, 0.0, np.radians(lat), np.radians(lon))
    # el=0 ray to 4000 km: central angle atan(4000/6371); the rest are the radial edges
    outer = ang > 1e-6 + 0.999 * ang.max()
    assert outer.sum() == 33
    assert np.allclose(ang[outer], math.atan2(4000e3, R_MEAN_M))
    az = az[outer]
    assert math.degrees(az.min()) == pytest.approx(30.0) and math.degrees(
        az.max()
    ) == pytest.approx(150.0)
    # at 1000 km altitude: an annulus sector, inner edge from el_max
    ring = face_footprint_deg(site, face, altitude_m=1000e3)
    assert ring is not None
    # far beyond range at any elevation: nothing
    assert face_footprint_deg(site, face, altitude_m=5000e3) is None


def test_ring_around_a_pole_and_lines() -> None:
    lat, lon = circle_ring_deg(85.0, 10.0, 1000.0)
    polys = ring_to_polygons(lat, lon)
    for ring in polys:
        _check_ring(ring)
    assert any(p[1] == 90.0 for ring in polys for p in ring)
    pieces = split_line([0.0, 1.0, 2.0], [179.0, -179.5, -178.0])
    assert len(pieces) == 2 and pieces[0][-1][0] == 180.0 and pieces[1][0][0] == -180.0


def test_partial_scenes(partial_scene: SceneView) -> None:
    fc = json.loads(json.dumps(to_geojson(partial_scene), allow_nan=False))
    for f in fc["features"]:
        _check_geometry(f["geometry"])


def _inside(polys: list[list[list[float]]], lat: float, lon: float) -> bool:
    from shapely.geometry import Point, Polygon

    return any(Polygon(ring).covers(Point(lon, lat)) for ring in polys)


def test_a_fan_containing_a_pole_is_a_polar_cap_not_a_band() -> None:
    """A radar at 80° N looking north 3000 km covers the pole; the fan was drawn as a band
    of latitudes round the whole Earth (the README's map showed it)."""
    site = RadarSite("thule", 80.0, -60.0)
    face = RadarFace("n", 0.0, 60.0, 0.0, 85.0, 3000.0)
    lat, lon = face_footprint_deg(site, face)  # type: ignore[misc]
    polys = ring_to_polygons(lat, lon)
    for ring in polys:
        _check_ring(ring)
    assert _inside(polys, 89.9, 0.0) and _inside(polys, 85.0, -60.0)
    # across the pole, 40° of arc from the site (4450 km, beyond 3000 km): outside
    assert not _inside(polys, 60.0, 120.0)
    # behind the radar (azimuth 180°, outside the ±60° sector): outside
    assert not _inside(polys, 75.0, -60.0)
    # the fan's straight edges are geodesics, densified: no piece longer than 50 km
    ang, _ = great_circle(
        np.radians(lat[:-1]), np.radians(lon[:-1]), np.radians(lat[1:]), np.radians(lon[1:])
    )
    # (the closure through the pole is not a ground path; the outer arc has 33 points)
    on_edges = (np.abs(lat[:-1]) < 90.0) & (np.abs(lat[1:]) < 90.0)
    assert (ang[on_edges] * R_MEAN_M).max() < 2 * math.pi * 3000e3 / 3 / 32
    # the same footprint filled on a longitude/latitude map: the closing detour runs along
    # the pole, so the filled ring holds the pole and not the 60° N circle across from it
    from shapely.geometry import Point, Polygon

    flat = Polygon(np.column_stack([lon, lat]))
    assert flat.is_valid
    assert flat.covers(Point(-60.0 + 180.0, 89.9)) or flat.covers(Point(-60.0 - 180.0, 89.9))
    assert not any(flat.covers(Point(120.0 + k, 60.0)) for k in (-360.0, 0.0, 360.0))


def test_fan_edges_are_densified() -> None:
    site = RadarSite("r", 0.0, 0.0)
    face = RadarFace("f", 90.0, 30.0, 0.0, 80.0, 4000.0)
    lat, lon = face_footprint_deg(site, face)  # type: ignore[misc]
    ang, az = great_circle(0.0, 0.0, np.radians(lat), np.radians(lon))
    edge = np.abs(np.degrees(az) - 60.0) < 1e-6  # the first radial edge, from the site
    d = np.sort(ang[edge] * R_MEAN_M)
    assert d.size > 10 and np.diff(d).max() <= 50e3 + 1.0
