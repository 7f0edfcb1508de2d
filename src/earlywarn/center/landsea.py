"""Land or sea at a point: a small test on the shipped coastlines, for the IR classifier.

The center may hold static geographic data; what it must not do is import the I/O layer
(``earlywarn.io``). This module reads the package's own ``earlywarn/data/coastlines.npz``
(Natural Earth 1:110m, public domain; see ``data/coastlines.README``) directly and keeps
only its coastline polylines. Those are the edges of the country polygons that no two
countries share, i.e. the outline of the union of all land (lake shores included, so
large lakes such as the Caspian count as water), cut at the antimeridian and at the
south-pole closure of Antarctica.

Point in land: even-odd rule on a ray due north along the point's meridian. The cut
edges lie on the antimeridian and at the pole, so a northward ray (longitude ≠ ±180°)
never crosses one and the rule holds with the coast edges alone.

Distance to the coast: to the nearest coast segment in a local equirectangular frame
(segments are at most a few hundred km long at 1:110m; the flat-frame error is < 1 %).

Accuracy: 1:110m outlines are generalised by up to ~10 km; callers must leave a margin
(:func:`surface_at` returns "unknown" within ``margin_m`` of the coast).
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import R_MEAN_M

FloatArray = npt.NDArray[np.float64]

__all__ = ["coast_distance_m", "is_land", "surface_at"]


@cache
def _segments() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Coast segments (lon0, lat0, lon1, lat1) in degrees, NaN-separated polylines split."""
    ref = resources.files("earlywarn") / "data" / "coastlines.npz"
    with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as d:
        lon = np.asarray(d["coast_lon_deg"], dtype=np.float64)
        lat = np.asarray(d["coast_lat_deg"], dtype=np.float64)
    ok = np.isfinite(lon[:-1]) & np.isfinite(lon[1:])
    return lon[:-1][ok], lat[:-1][ok], lon[1:][ok], lat[1:][ok]


def is_land(lat_rad: float, lon_rad: float) -> bool:
    """True when the point lies inside the land outline (even-odd rule, ray due north)."""
    lon0, lat0, lon1, lat1 = _segments()
    x = (math.degrees(lon_rad) + 180.0) % 360.0 - 180.0
    y = math.degrees(lat_rad)
    straddle = (lon0 > x) != (lon1 > x)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (x - lon0) / (lon1 - lon0)
        y_cross = lat0 + f * (lat1 - lat0)
    return bool(np.count_nonzero(straddle & (y_cross > y)) % 2 == 1)


def coast_distance_m(lat_rad: float, lon_rad: float) -> float:
    """Distance (m) from the point to the nearest coast segment."""
    lon0, lat0, lon1, lat1 = _segments()
    x0 = (math.degrees(lon_rad) + 180.0) % 360.0 - 180.0
    c = math.cos(lat_rad)
    k = math.radians(1.0) * R_MEAN_M

    def wrap(d: FloatArray) -> FloatArray:
        return np.asarray((d + 180.0) % 360.0 - 180.0)

    ax, ay = wrap(lon0 - x0) * c * k, (lat0 - math.degrees(lat_rad)) * k
    bx, by = wrap(lon1 - x0) * c * k, (lat1 - math.degrees(lat_rad)) * k
    dx, dy = bx - ax, by - ay
    den = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.clip(np.where(den > 0, -(ax * dx + ay * dy) / den, 0.0), 0.0, 1.0)
    px, py = ax + f * dx, ay + f * dy
    return float(np.sqrt(np.min(px * px + py * py)))


@lru_cache(maxsize=4096)
def _surface_cached(lat_key: int, lon_key: int, margin_m: float) -> str:
    lat, lon = math.radians(lat_key / 100.0), math.radians(lon_key / 100.0)
    if coast_distance_m(lat, lon) < margin_m:
        return "unknown"
    return "land" if is_land(lat, lon) else "sea"


def surface_at(lat_rad: float, lon_rad: float, margin_m: float) -> str:
    """``"land"``, ``"sea"``, or ``"unknown"`` within ``margin_m`` of the coast.

    The point is rounded to 0.01° (~1 km) for caching; pass a margin of at least a few km.
    """
    if not (math.isfinite(lat_rad) and math.isfinite(lon_rad)):
        return "unknown"
    lat_key = round(math.degrees(lat_rad) * 100.0)
    lon_key = round(((math.degrees(lon_rad) + 180.0) % 360.0 - 180.0) * 100.0)
    return _surface_cached(lat_key, lon_key, float(round(margin_m, -3)))
