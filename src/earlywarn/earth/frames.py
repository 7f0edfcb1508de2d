"""Frames: inertial ↔ Earth-fixed, geodetic ↔ ECEF, local ENU and azimuth-elevation-range.

* Inertial → Earth-fixed is a rotation about z by the Greenwich sidereal angle θ only
  (no precession, nutation or polar motion): the frame of SGP4's TEME output. Used for
  near-Earth geometry over a scenario of hours, where frames are compared only with each
  other, the approximation costs nothing; polar motion (ignored) is below 15 m.
* Geodetic coordinates are WGS84 latitude, longitude (rad) and height above the ellipsoid (m).
* Azimuth is measured clockwise from north, in [0, 2π); elevation from the local horizontal
  (normal to the ellipsoid) in [−π/2, π/2].

Everything broadcasts over leading dimensions: ``(..., 3)`` in, ``(..., 3)`` out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, B_M, E2, EP2, OMEGA_RAD_S

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


def _f64(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def geodetic_to_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0) -> FloatArray:
    """WGS84 geodetic latitude, longitude (rad) and height (m) → ECEF position ``(..., 3)``."""
    lat, lon, h = np.broadcast_arrays(_f64(lat_rad), _f64(lon_rad), _f64(h_m))
    slat, clat = np.sin(lat), np.cos(lat)
    n = A_M / np.sqrt(1.0 - E2 * slat * slat)  # prime-vertical radius of curvature
    x = (n + h) * clat * np.cos(lon)
    y = (n + h) * clat * np.sin(lon)
    z = (n * (1.0 - E2) + h) * slat
    return np.stack([x, y, z], axis=-1)


def ecef_to_geodetic(r_ecef_m: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF position ``(..., 3)`` → (latitude rad, longitude rad, height m) on WGS84.

    Bowring's parametric-latitude iteration (Bowring 1976, *Survey Review* 23:181),
    three passes: better than 1e-9 m in height from the Earth's centre region out to GEO.
    Height uses ``p cos φ + z sin φ − a √(1 − e² sin² φ)``, well conditioned at the poles.
    """
    r = _f64(r_ecef_m)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    # parametric (reduced) latitude start
    beta = np.arctan2(z * A_M, p * B_M)
    lat = beta
    for _ in range(3):
        sb, cb = np.sin(beta), np.cos(beta)
        lat = np.arctan2(z + EP2 * B_M * sb**3, p - E2 * A_M * cb**3)
        beta = np.arctan2(B_M * np.sin(lat), A_M * np.cos(lat))
    slat, clat = np.sin(lat), np.cos(lat)
    h = p * clat + z * slat - A_M * np.sqrt(1.0 - E2 * slat * slat)
    return lat, lon, h


def enu_rotation(lat_rad: ArrayLike, lon_rad: ArrayLike) -> FloatArray:
    """Rotation ``(..., 3, 3)`` whose rows are the local east, north, up unit vectors in ECEF.

    ``enu = R @ (r_ecef - site_ecef)``; its transpose maps ENU back to ECEF.
    """
    lat, lon = np.broadcast_arrays(_f64(lat_rad), _f64(lon_rad))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-so, co, zero], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return np.stack([east, north, up], axis=-2)


def ecef_to_enu(
    r_ecef_m: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
) -> FloatArray:
    """ECEF position(s) → local east, north, up (m) at a geodetic site."""
    site = geodetic_to_ecef(lat_rad, lon_rad, h_m)
    rot = enu_rotation(lat_rad, lon_rad)
    d = _f64(r_ecef_m) - site
    return np.einsum("...ij,...j->...i", rot, d)


def enu_to_ecef(
    enu_m: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
) -> FloatArray:
    """Local east, north, up (m) at a geodetic site → ECEF position(s)."""
    site = geodetic_to_ecef(lat_rad, lon_rad, h_m)
    rot = enu_rotation(lat_rad, lon_rad)
    return site + np.einsum("...ji,...j->...i", rot, _f64(enu_m))


def enu_to_aer(enu_m: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Local ENU → (azimuth rad clockwise from north in [0, 2π), elevation rad, range m)."""
    v = _f64(enu_m)
    e, n, u = v[..., 0], v[..., 1], v[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    el = np.arctan2(u, horiz)
    rng = np.sqrt(horiz * horiz + u * u)
    return az, el, rng


def aer_to_enu(az_rad: ArrayLike, el_rad: ArrayLike, range_m: ArrayLike) -> FloatArray:
    """(azimuth, elevation, range) → local ENU (m)."""
    az, el, rng = np.broadcast_arrays(_f64(az_rad), _f64(el_rad), _f64(range_m))
    ce = np.cos(el)
    return np.stack([rng * ce * np.sin(az), rng * ce * np.cos(az), rng * np.sin(el)], axis=-1)


def ecef_to_aer(
    r_ecef_m: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF target position(s) → (azimuth, elevation, range) seen from a geodetic site."""
    return enu_to_aer(ecef_to_enu(r_ecef_m, lat_rad, lon_rad, h_m))


def rotation_z(theta_rad: ArrayLike) -> FloatArray:
    """Frame rotation ``(..., 3, 3)`` about z by θ: components in a frame turned by +θ."""
    th = _f64(theta_rad)
    c, s = np.cos(th), np.sin(th)
    zero, one = np.zeros_like(th), np.ones_like(th)
    return np.stack(
        [
            np.stack([c, s, zero], axis=-1),
            np.stack([-s, c, zero], axis=-1),
            np.stack([zero, zero, one], axis=-1),
        ],
        axis=-2,
    )


def inertial_to_ecef(
    r_m: ArrayLike, theta_rad: ArrayLike, v_m_s: ArrayLike | None = None
) -> FloatArray | tuple[FloatArray, FloatArray]:
    """Inertial (TEME-like) → ECEF by the sidereal angle θ (rad).

    With a velocity, returns ``(r, v)`` where ``v_ecef = R v_i − ω × r_ecef``.
    """
    rot = rotation_z(theta_rad)
    r = np.einsum("...ij,...j->...i", rot, _f64(r_m))
    if v_m_s is None:
        return r
    v = np.einsum("...ij,...j->...i", rot, _f64(v_m_s))
    w = np.array([0.0, 0.0, OMEGA_RAD_S])
    return r, v - np.cross(w, r)


def ecef_to_inertial(
    r_m: ArrayLike, theta_rad: ArrayLike, v_m_s: ArrayLike | None = None
) -> FloatArray | tuple[FloatArray, FloatArray]:
    """ECEF → inertial (TEME-like) by the sidereal angle θ; inverse of :func:`inertial_to_ecef`."""
    rot = rotation_z(-_f64(theta_rad))
    r_e = _f64(r_m)
    r = np.einsum("...ij,...j->...i", rot, r_e)
    if v_m_s is None:
        return r
    w = np.array([0.0, 0.0, OMEGA_RAD_S])
    v = np.einsum("...ij,...j->...i", rot, _f64(v_m_s) + np.cross(w, r_e))
    return r, v


def unit(v: ArrayLike) -> FloatArray:
    """Unit vectors along the last axis (zero vectors give NaN)."""
    a = _f64(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        return a / np.linalg.norm(a, axis=-1, keepdims=True)


def great_circle(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, lat2_rad: ArrayLike, lon2_rad: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Central angle (rad) and initial azimuth (rad, clockwise from north) on a sphere.

    Haversine for the angle (well conditioned for short arcs). Used with geocentric
    latitudes for spherical-Earth reasoning only; distances on the ellipsoid differ by
    up to 0.5 %.
    """
    p1, l1, p2, l2 = (_f64(a) for a in (lat1_rad, lon1_rad, lat2_rad, lon2_rad))
    dl = l2 - l1
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    ang = 2.0 * np.arctan2(np.sqrt(a), np.sqrt(np.maximum(1.0 - a, 0.0)))
    az = np.arctan2(
        np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    )
    return ang, np.mod(az, 2.0 * np.pi)
