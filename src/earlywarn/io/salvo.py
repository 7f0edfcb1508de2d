"""The arithmetic of a salvo's expansion (``io.scenario.Salvo.expand``): sites on a grid
over an area, aim points drawn over an area, a vehicle mix split by largest remainder, and
the seeded order in which they are used. Plain numbers in, plain tuples out; the scenario
models build their launches from them.

Deterministic: the salvo's own seed draws, in this order, the permutation of the sites,
the vehicle order, then the aim points (a permutation of the list, or ``count`` uniform
draws over the area: radius ``R √u``, bearing ``2π u'``). Distances and bearings are on
the mean-radius sphere (≤ 0.5 % from the ellipsoid).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import R_MEAN_M

__all__ = ["SalvoDraw", "destination_deg", "draw_salvo", "grid_sites"]

LatLon = tuple[float, float]


def destination_deg(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, az_rad: npt.ArrayLike, dist_m: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The point ``dist_m`` from ``(lat, lon)`` along the initial azimuth ``az_rad`` on the
    mean-radius sphere (arrays broadcast)."""
    p1 = np.radians(lat_deg)
    d = np.asarray(dist_m, dtype=np.float64) / R_MEAN_M
    az = np.asarray(az_rad, dtype=np.float64)
    sp2 = np.clip(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az), -1.0, 1.0)
    dl = np.arctan2(np.sin(az) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * sp2)
    lon = (np.asarray(lon_deg) + np.degrees(dl) + 180.0) % 360.0 - 180.0
    return np.degrees(np.arcsin(sp2)), lon


def grid_sites(
    lat_deg: float, lon_deg: float, radius_m: float, spacing_m: float
) -> tuple[LatLon, ...]:
    """The sites of a salvo area: a square east-north grid of ``spacing_m`` centred on the
    circle (distances and bearings on the sphere), the points within its radius."""
    k = int(radius_m // spacing_m)
    e, n = np.meshgrid(np.arange(-k, k + 1) * spacing_m, np.arange(-k, k + 1) * spacing_m)
    rho = np.hypot(e, n).ravel()
    inside = rho <= radius_m
    az = np.arctan2(e.ravel(), n.ravel())[inside]
    lat, lon = destination_deg(lat_deg, lon_deg, az, rho[inside])
    return tuple(zip(lat.tolist(), lon.tolist(), strict=True))


def _vehicle_sequence(v: str | dict[str, float], count: int, rng: np.random.Generator) -> list[str]:
    """``count`` vehicle names in the mix's proportions (largest remainder), shuffled."""
    if isinstance(v, str):
        return [v] * count
    names = sorted(v)
    w = np.array([v[k] for k in names], dtype=np.float64)
    quota = count * w / w.sum()
    n = np.floor(quota).astype(int)
    short = count - int(n.sum())
    n[np.argsort(-(quota - n), kind="stable")[:short]] += 1
    seq = np.repeat(np.arange(len(names)), n)
    return [names[i] for i in rng.permutation(seq)]


def _cycle(points: Sequence[LatLon], count: int, rng: np.random.Generator) -> list[LatLon]:
    """``count`` of the points: a seeded permutation, used in turn."""
    order = rng.permutation(len(points))
    return [points[order[i % len(points)]] for i in range(count)]


SalvoDraw = tuple[list[str], list[LatLon], list[LatLon], list[float]]
"""Per launch, in time order: vehicle, site, aim point, time (s)."""


def draw_salvo(
    count: int,
    seed: int,
    vehicles: str | dict[str, float],
    sites: Sequence[LatLon],
    aim_points: Sequence[LatLon] | None,
    aim_area: tuple[float, float, float] | None,
    window_s: tuple[float, float],
) -> SalvoDraw:
    """Vehicles, sites, aim points and times of a salvo's ``count`` launches. ``sites``:
    the list (or the area's grid); ``aim_points`` a list, or ``aim_area`` (lat, lon,
    radius m) to draw over."""
    rng = np.random.default_rng(seed)
    site_seq = _cycle(sites, count, rng)
    veh = _vehicle_sequence(vehicles, count, rng)
    if aim_points is not None:
        aims = _cycle(aim_points, count, rng)
    else:
        assert aim_area is not None
        lat0, lon0, radius = aim_area
        u = rng.random((count, 2))
        lat, lon = destination_deg(lat0, lon0, 2.0 * math.pi * u[:, 1], radius * np.sqrt(u[:, 0]))
        aims = list(zip(lat.tolist(), lon.tolist(), strict=True))
    t0, t1 = window_s
    times = np.linspace(t0, t1, count) if count > 1 else np.array([t0])
    return veh, site_seq, aims, times.tolist()
