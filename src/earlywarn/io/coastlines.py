"""World coastlines and land borders shipped with the package, for the maps.

Data: Natural Earth 1:110m admin-0 countries (https://www.naturalearthdata.com), **public
domain**, taken from the geopandas 0.14.4 wheel on PyPI and converted by
``tools/make_coastlines.py`` into ``earlywarn/data/coastlines.npz`` (about 60 kB; see
``earlywarn/data/coastlines.README`` for the full provenance). Nothing is downloaded at
run time: this module only reads that file, and only when asked (no module-level load).

Each set of lines is a pair of float32 arrays (longitude, latitude in degrees) with NaN
between polylines, the form ``matplotlib`` ``plot`` draws directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

__all__ = ["Coastlines", "load_coastlines", "wrap_lines"]

F32 = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Coastlines:
    """NaN-separated polylines, degrees: coasts (and lake shores) and land borders."""

    coast_lon_deg: F32
    coast_lat_deg: F32
    border_lon_deg: F32
    border_lat_deg: F32
    provenance: str
    licence: str


@lru_cache(maxsize=1)
def load_coastlines() -> Coastlines:
    """Read the shipped Natural Earth 1:110m outlines (cached after the first call)."""
    ref = resources.files("earlywarn") / "data" / "coastlines.npz"
    with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as d:
        arrays = {k: np.array(d[k]) for k in d.files}
    for k in ("coast_lon_deg", "coast_lat_deg", "border_lon_deg", "border_lat_deg"):
        arrays[k].setflags(write=False)
    return Coastlines(
        coast_lon_deg=arrays["coast_lon_deg"],
        coast_lat_deg=arrays["coast_lat_deg"],
        border_lon_deg=arrays["border_lon_deg"],
        border_lat_deg=arrays["border_lat_deg"],
        provenance=str(arrays["provenance"]),
        licence=str(arrays["licence"]),
    )


def wrap_lines(
    lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike, center_lon_deg: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Re-centre NaN-separated polylines on ``center_lon_deg`` for a plate carrée plot.

    Longitudes are wrapped into ``[center - 180, center + 180)`` and a NaN is inserted
    wherever a segment would jump across the map's edge (more than 180° in longitude),
    so no line streaks across the picture.
    """
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    w = np.mod(lon - center_lon_deg + 180.0, 360.0) - 180.0 + center_lon_deg
    if w.size < 2:
        return w, lat.copy()
    jump = np.abs(np.diff(w)) > 180.0
    idx = np.nonzero(jump)[0] + 1
    return np.insert(w, idx, np.nan), np.insert(lat, idx, np.nan)
