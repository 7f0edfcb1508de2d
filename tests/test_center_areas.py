"""Defended areas: the overlap of an impact's 95 % ellipse with a polygon on the ellipsoid.

Test geometry is placed with Karney's geodesics on WGS84 (``pyproj.Geod``, the reference
algorithm of C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 2013), so the
distances and azimuths the tests state are exact to nanometres.
"""

from __future__ import annotations

import math

import pytest
from pyproj import Geod

from earlywarn.center.assessment import DefendedArea
from earlywarn.center.characterise import ImpactEstimate
from earlywarn.earth.frames import geodetic_to_ecef

GEOD = Geod(ellps="WGS84")
LAT0, LON0 = 52.0, -175.0


def impact(a_km: float, b_km: float, orientation_deg: float) -> ImpactEstimate:
    lat, lon = math.radians(LAT0), math.radians(LON0)
    r = tuple(float(x) for x in geodetic_to_ecef(lat, lon))
    return ImpactEstimate(
        True, 0.0, 1000.0, 5.0, lat, lon, r, a_km * 1e3, b_km * 1e3,
        math.radians(orientation_deg), 1.0,
    )  # fmt: skip


def box_at(name: str, azimuth_deg: float, distance_km: float, half_km: float) -> DefendedArea:
    """A small square centred ``distance_km`` from the impact along ``azimuth_deg``, one
    side facing the impact."""
    lon, lat, back_az = GEOD.fwd(LON0, LAT0, azimuth_deg, distance_km * 1e3)
    corners = []
    for az in (45.0, 135.0, 225.0, 315.0):
        clon, clat, _ = GEOD.fwd(lon, lat, back_az + az, half_km * 1e3 * math.sqrt(2.0))
        corners.append((clat, clon))
    return DefendedArea.polygon_deg(name, corners)


def test_a_thin_ellipse_crossing_a_box_threatens_it() -> None:
    # the old test (the mean and 16 boundary points) missed this: a 500 x 1 km ellipse
    # pointing east whose axis passes through a 20 km box 100 km east of the mean; none of
    # the 16 points (at 0, 191, 354, 462, 500 km along the axis) falls inside
    imp = impact(500.0, 1.0, 90.0)
    assert box_at("crossed", 90.0, 100.0, 10.0).threatened_by(imp)
    # the same box off the axis (north of the mean) is not threatened
    assert not box_at("beside", 0.0, 100.0, 10.0).threatened_by(imp)


@pytest.mark.parametrize("orientation_deg", [0.0, 37.0, 90.0, 151.0])
def test_the_overlap_follows_the_ellipse_boundary(orientation_deg: float) -> None:
    # a 1 km box whose near edge sits 0.2 % inside or outside the ellipse's tip, along the
    # semi-major and the semi-minor axes
    a_km, b_km = 300.0, 80.0
    imp = impact(a_km, b_km, orientation_deg)
    for axis_deg, r_km in ((orientation_deg, a_km), (orientation_deg + 90.0, b_km)):
        for side in (1.0, -1.0):
            az = axis_deg if side > 0 else axis_deg + 180.0
            inside = box_at("in", az, 0.998 * r_km + 0.5, 0.5)
            outside = box_at("out", az, 1.002 * r_km + 0.5, 0.5)
            assert inside.threatened_by(imp), (axis_deg, side)
            assert not outside.threatened_by(imp), (axis_deg, side)


def test_a_polygon_containing_the_ellipse_and_one_across_the_antimeridian() -> None:
    imp = impact(50.0, 20.0, 10.0)
    # LON0 = -175: a 20 deg box straddling the antimeridian contains the whole ellipse
    big = DefendedArea.polygon_deg("big", [(45, 170), (45, -170), (60, -170), (60, 170)])
    assert big.threatened_by(imp)
    far = DefendedArea.polygon_deg("far", [(10, 170), (10, -170), (20, -170), (20, 170)])
    assert not far.threatened_by(imp)


def test_a_point_estimate_is_tested_by_containment() -> None:
    imp = impact(math.nan, math.nan, math.nan)
    assert box_at("here", 0.0, 0.0, 5.0).threatened_by(imp)
    assert not box_at("there", 0.0, 20.0, 5.0).threatened_by(imp)


def test_a_self_intersecting_polygon_is_refused() -> None:
    with pytest.raises(ValueError, match=r"not simple.*Self-intersection"):
        DefendedArea.polygon_deg("bowtie", [(0, 0), (1, 1), (0, 1), (1, 0)])
