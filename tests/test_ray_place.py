"""``center.ir.geometry.ray_place_m``: where a source at a height is placed on a line of sight.

Closed-form checks on the WGS84 ellipsoid: a ray that meets the ground is placed where it
first crosses the height (as ``ray_hit_m``); a ray that passes above the Earth (a limb
view) is placed where it crosses the height again, beyond its tangent point.
"""

from __future__ import annotations

import numpy as np

from earlywarn.center.ir.geometry import ray_place_m
from earlywarn.center.kernels import ray_hit_m
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef


def _ray(lat_deg: float, lon_deg: float, h_t_m: float, sat_m: np.ndarray) -> np.ndarray:
    """The unit direction from ``sat_m`` through the point ``h_t_m`` above (lat, lon)."""
    p = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), h_t_m)
    d = p - sat_m
    return np.asarray(d / np.linalg.norm(d))


def test_a_ray_that_meets_the_ground_is_placed_as_before() -> None:
    sat = np.asarray(geodetic_to_ecef(0.0, 0.0, 35_786e3))
    u = _ray(10.0, 5.0, 0.0, sat)
    for h in (0.0, 50e3, 150e3):
        assert ray_place_m(sat[None], u[None], h)[0] == ray_hit_m(sat[None], u[None], h)[0]


def test_a_limb_ray_is_placed_beyond_its_tangent_point() -> None:
    sat = np.asarray(geodetic_to_ecef(np.radians(40.0), np.radians(40.0), 39_000e3))
    # a ray grazing the Earth's edge ~60 km up: to the tangent point of a sphere of radius
    # 6,371 + 60 km, in the plane of the satellite's radius and the local north
    r_s = float(np.linalg.norm(sat))
    s_hat = sat / r_s
    e_hat = np.cross(s_hat, np.cross([0.0, 0.0, 1.0], s_hat))
    e_hat /= np.linalg.norm(e_hat)
    r_t = 6_371e3 + 60e3
    ca = r_t / r_s
    tangent = r_t * (ca * s_hat + np.sqrt(1.0 - ca * ca) * e_hat)
    u = (tangent - sat) / np.linalg.norm(tangent - sat)
    lam_t = float(ray_hit_m(sat[None], u[None], 0.0)[0])  # closest approach (misses)
    _, _, h_t = ecef_to_geodetic(sat + lam_t * u)
    assert h_t > 20e3  # it does miss the Earth
    h = 150e3
    near = float(ray_hit_m(sat[None], u[None], h)[0])
    far = float(ray_place_m(sat[None], u[None], h)[0])
    assert near < lam_t < far
    _, _, h_far = ecef_to_geodetic(sat + far * u)
    assert abs(float(h_far) - h) < 1.0  # on the height's surface (to a metre)
    # below the tangent height there is no crossing: the closest approach, as before
    below = float(ray_place_m(sat[None], u[None], 0.5 * float(h_t))[0])
    assert below == float(ray_hit_m(sat[None], u[None], 0.5 * float(h_t))[0])
