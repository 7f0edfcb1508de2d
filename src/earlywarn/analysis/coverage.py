"""Coverage of an early-warning architecture over a latitude/longitude grid of launch points.

Infrared (space) coverage
-------------------------
A launch at a grid point is *seen* by a satellite at time t when a plume standing at a
reference altitude above the point (``plume_altitude_m``; by default chosen per payload by
:func:`reference_plume_altitude_m`: 15 km — 5 km above the cloud tops — looking down, and
for a limb viewer the height it aims at, else 150 km, Forden's "150 km above Malmstrom,
silhouetted against space", in any case 50 km above its limb floor) is observable by the
payload — the same rules as
:meth:`earlywarn.sensors.infrared.InfraredSatellite.observable` (Earth not in the way, in
the field of view, above the cloud tops for look-down payloads, seen against space above
the limb floor for limb viewers) — **and** the mean SNR of a reference plume
(``reference_intensity_w_sr``, default 1e6 W/sr) is at least the payload's threshold, i.e.
Pd ≥ ½ (SNR = I / (R² · NEI)). Degraded periods and outages are not modelled here.

Visibility windows are found by a **bracketing search**: the visibility of every
(satellite, grid point) pair is sampled at a coarse step (``step_s``, default 300 s:
windows shorter than the step can be missed; nothing else), each change of state between
two samples brackets one rise or set, and each bracket is refined by bisection on the
same vectorised visibility function to ``tol_s`` (default 1 s; the reported time is
within ``tol_s / 2`` of the sampled function's crossing). All crossings of a satellite are
refined together (one ephemeris call per bisection step).

From the windows a sweep over rise/set events gives, for each grid point, the number of
satellites that see it at every moment: the fraction of the time window with ≥ 1 satellite
(``coverage_1``) and ≥ 2 (stereo, ``coverage_2``), and the longest gap of each.

Radar fence
-----------
For each grid point, the lowest altitude above it that some radar face sees, in closed
form on a sphere of the IUGG mean radius (site height added to the site radius): a point at
central angle θ from a site of radius R_s seen at elevation ε has radius
R_s · cos ε / cos(ε + θ) (Skolnik, *Introduction to Radar Systems*, 3rd ed., §8.2; Wertz &
Larson eq. 5-17), so the lowest altitude is at the face's minimum elevation — raised, if the
point is closer than the radar's minimum range, to the altitude at that range. The point is
unseen (NaN) when its azimuth from the site is outside every face's sector, when ε + θ ≥
90°, when the slant range there exceeds the maximum range, or when the elevation of that
lowest point is above the face's maximum elevation. Spherical Earth: azimuths and central
angles differ from WGS84 by up to ~0.2° and the altitude by up to ~1 %; the test checks the
fence against :meth:`earlywarn.sensors.radar.Radar.coverage`.

Regions
-------
:func:`region_coverage` answers for a polygon of launch fields: the region is covered at
time t when *every* point of a grid inside it (plus its vertices) is seen by ≥ ``level``
satellites — a launch anywhere in the region would be seen. It reports hours per day of
coverage and the list of gaps (start, end, duration).

Outputs are written by :mod:`earlywarn.io.maps`: ``coverage_table`` (Parquet),
``write_coverage_geojson`` (grid cells as polygons), ``plot_coverage`` (PNG with
coastlines, Agg).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef, great_circle
from earlywarn.earth.time import parse_utc
from earlywarn.sensors.background import line_of_sight_clear, seen_against_space
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar

__all__ = [
    "CoverageMap",
    "LatLonGrid",
    "RegionCoverage",
    "VisibilityWindows",
    "coverage_map",
    "ir_visible",
    "never_seen",
    "plume_altitudes_m",
    "radar_fence_m",
    "reference_plume_altitude_m",
    "region_coverage",
    "visibility_windows",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_PLUME_ALTITUDE_M = 15_000.0
LIMB_PLUME_ALTITUDE_M = 150_000.0
MAX_WINDOW_S = 30 * 86_400.0
"""Longest coverage window: 30 days (every sample of every point is swept in memory)."""
MAX_SAMPLES = 20_000
"""Most coarse samples per point over the window ((t_end - t_start) / step_s)."""
DEFAULT_REFERENCE_INTENSITY_W_SR = 1.0e6


def reference_plume_altitude_m(payload: InfraredPayload) -> float:
    """The reference plume altitude that suits a payload's pointing (module docstring):
    look-down, 15 km or 5 km above its cloud tops; limb, the height its field of view aims
    at (when it aims above a region) or 150 km (Forden 2001), and at least 50 km above its
    limb floor, so a limb viewer is asked about a plume it could silhouette."""
    if payload.pointing == "limb":
        aimed = payload.region_lat_deg is not None and payload.aim_altitude_m > 0
        h = payload.aim_altitude_m if aimed else LIMB_PLUME_ALTITUDE_M
        return max(h, payload.limb_floor_m + 50_000.0)
    return max(DEFAULT_PLUME_ALTITUDE_M, payload.min_altitude_m + 5_000.0)


def plume_altitudes_m(
    satellites: Sequence[InfraredSatellite], plume_altitude_m: float | None
) -> FloatArray:
    """One reference plume altitude per satellite: the given one, or each payload's own."""
    if plume_altitude_m is not None:
        return np.full(len(satellites), float(plume_altitude_m))
    return np.array([reference_plume_altitude_m(s.payload) for s in satellites], dtype=float)


# --------------------------------------------------------------------------------- grid


@dataclass(frozen=True)
class LatLonGrid:
    """Cell centres of a regular latitude/longitude grid, degrees (points in row-major
    order: latitude rows, longitude columns)."""

    lat_deg: FloatArray
    lon_deg: FloatArray

    @staticmethod
    def regular(
        step_deg: float,
        lat_range_deg: tuple[float, float] = (-90.0, 90.0),
        lon_range_deg: tuple[float, float] = (-180.0, 180.0),
    ) -> LatLonGrid:
        """Cells of ``step_deg`` tiling the ranges; the centres are the grid points."""
        if not (math.isfinite(step_deg) and 0 < step_deg <= 90):
            raise ValueError(f"grid step_deg: got {step_deg!r}; expected (0, 90]")
        (a0, a1), (o0, o1) = lat_range_deg, lon_range_deg
        if not (-90 <= a0 < a1 <= 90 and -360 <= o0 < o1 <= 360):
            raise ValueError(
                f"grid ranges: lat {lat_range_deg!r}, lon {lon_range_deg!r}; expected "
                "-90 <= lat0 < lat1 <= 90 and lon0 < lon1"
            )
        nlat = max(1, round((a1 - a0) / step_deg))
        nlon = max(1, round((o1 - o0) / step_deg))
        lat = a0 + (np.arange(nlat) + 0.5) * (a1 - a0) / nlat
        lon = o0 + (np.arange(nlon) + 0.5) * (o1 - o0) / nlon
        return LatLonGrid(lat, lon)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.lat_deg.size, self.lon_deg.size)

    @property
    def points_deg(self) -> tuple[FloatArray, FloatArray]:
        """Flattened (lat_deg, lon_deg) of every point, ``(n_lat * n_lon,)`` each."""
        lat, lon = np.meshgrid(self.lat_deg, self.lon_deg, indexing="ij")
        return lat.ravel(), lon.ravel()

    def area_weights(self) -> FloatArray:
        """Each point's share of the grid's area on the sphere, ``(n_lat * n_lon,)``,
        summing to 1: a cell between latitudes φ₁ and φ₂ and longitudes λ₁ and λ₂ has area
        R² (sin φ₂ − sin φ₁)(λ₂ − λ₁) (the sphere's zone formula; on the ellipsoid the
        shares differ by < 0.5 %)."""
        lat_e, lon_e = self.cell_edges_deg()
        band = np.diff(np.sin(np.radians(np.clip(lat_e, -90.0, 90.0))))
        w = np.outer(band, np.diff(lon_e)).ravel()
        return np.asarray(w / w.sum())

    def cell_edges_deg(self) -> tuple[FloatArray, FloatArray]:
        def edges(c: FloatArray) -> FloatArray:
            if c.size == 1:
                return np.array([c[0] - 0.5, c[0] + 0.5])
            d = np.diff(c)
            return np.concatenate([[c[0] - d[0] / 2], c[:-1] + d / 2, [c[-1] + d[-1] / 2]])

        return edges(self.lat_deg), edges(self.lon_deg)


# --------------------------------------------------------------------------- visibility


def altitude_of(r: FloatArray) -> FloatArray:
    """Geodetic altitude (m) of ECEF points ``(..., 3)``; −∞ where a point is not finite."""
    finite = np.all(np.isfinite(r), axis=-1)
    _, _, h = ecef_to_geodetic(np.where(finite[..., None], r, 1.0))
    return np.asarray(np.where(finite, h, -np.inf))


def ir_visible(
    sat: InfraredSatellite,
    sat_r: FloatArray,
    r: FloatArray,
    intensity_w_sr: FloatArray | float,
    altitude_m: FloatArray | float | None = None,
) -> BoolArray:
    """Is a plume at ``r`` observable by ``sat`` at ``sat_r`` with mean SNR ≥ threshold?

    Both positions ``(..., 3)`` broadcast. The geometric test is that of
    :meth:`InfraredSatellite.observable`; ``altitude_m`` (broadcastable), when given,
    saves recomputing the plume altitude (for fixed grid points).
    """
    p = sat.payload
    d = r - sat_r
    rng2 = np.einsum("...i,...i->...", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        los = d / np.sqrt(rng2)[..., None]
    bore = sat.boresight(sat_r)
    in_fov = np.einsum("...i,...i->...", los, bore) >= math.cos(p.fov_half_angle_rad)
    if p.pointing == "limb":
        geo = seen_against_space(sat_r, r, p.limb_floor_m)
    else:
        alt = altitude_of(r) if altitude_m is None else np.asarray(altitude_m)
        geo = line_of_sight_clear(sat_r, r) & (alt >= p.min_altitude_m)
    with np.errstate(invalid="ignore", divide="ignore"):
        snr = np.asarray(intensity_w_sr) / (rng2 * p.nei_w_m2)
    return np.asarray(in_fov & geo & (snr >= p.threshold_snr) & sat.working(sat_r))


@dataclass(frozen=True)
class VisibilityWindows:
    """Visibility windows of (satellite, point) pairs over ``[t_start_s, t_end_s]``.

    Interval arrays (one entry per window): ``sat`` and ``point`` indices, ``start_s`` and
    ``end_s`` (a window open at an end of the time span starts/ends there).
    """

    t_start_s: float
    t_end_s: float
    n_sats: int
    n_points: int
    sat: IntArray
    point: IntArray
    start_s: FloatArray
    end_s: FloatArray


def _times(t0: float, t1: float, step: float) -> FloatArray:
    n = max(1, math.ceil((t1 - t0) / step - 1e-9))
    return np.linspace(t0, t1, n + 1)


def visibility_windows(
    satellites: Sequence[InfraredSatellite],
    epoch: datetime | str,
    t_start_s: float,
    t_end_s: float,
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    *,
    plume_altitude_m: float | None = None,
    reference_intensity_w_sr: float = DEFAULT_REFERENCE_INTENSITY_W_SR,
    step_s: float = 300.0,
    tol_s: float = 1.0,
    chunk: int = 8192,
) -> VisibilityWindows:
    """Windows during which each satellite sees a plume over each point (module docstring)."""
    ep = parse_utc(epoch)
    if not (math.isfinite(t_start_s) and math.isfinite(t_end_s) and t_end_s > t_start_s):
        raise ValueError(
            f"coverage time window: t_start_s={t_start_s!r}, t_end_s={t_end_s!r}; expected "
            "finite times with t_end_s > t_start_s"
        )
    for name, val in (("step_s", step_s), ("tol_s", tol_s)):
        if not (math.isfinite(val) and val > 0):
            raise ValueError(f"coverage {name}: got {val!r}; expected a number > 0")
    if t_end_s - t_start_s > MAX_WINDOW_S:
        raise ValueError(
            f"coverage time window: {(t_end_s - t_start_s) / 3600:.6g} h; at most "
            f"{MAX_WINDOW_S / 3600:g} h ({MAX_WINDOW_S / 86400:g} days): every sample of every "
            "point is held in memory"
        )
    if (t_end_s - t_start_s) / step_s > MAX_SAMPLES:
        raise ValueError(
            f"coverage sampling: {(t_end_s - t_start_s) / step_s:,.0f} samples of {step_s:g} s "
            f"per point; at most {MAX_SAMPLES:,}: lengthen the sampling step or shorten the "
            "window"
        )
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64).ravel())
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64).ravel())
    if lat.shape != lon.shape:
        raise ValueError("coverage: lat_deg and lon_deg must have the same number of points")
    alts = plume_altitudes_m(satellites, plume_altitude_m)
    t = _times(t_start_s, t_end_s, step_s)
    n_iter = max(1, math.ceil(math.log2(max(step_s / tol_s, 1.0))))
    sats: list[IntArray] = []
    points: list[IntArray] = []
    starts: list[FloatArray] = []
    ends: list[FloatArray] = []
    n_pts = lat.size
    for si, sat in enumerate(satellites):
        h_si = float(alts[si])
        pts = geodetic_to_ecef(lat, lon, h_si)
        sat_r = sat.position(ep, t)  # (K, 3)
        for c0 in range(0, pts.shape[0], chunk):
            pc = pts[c0 : c0 + chunk]
            vis = ir_visible(
                sat, sat_r[:, None, :], pc[None, :, :], reference_intensity_w_sr, h_si
            )  # (K, G)
            kk, gg = np.nonzero(vis[1:] != vis[:-1])
            lo, hi = t[kk], t[kk + 1]
            v_lo = vis[kk, gg]
            for _ in range(n_iter):
                mid = 0.5 * (lo + hi)
                v = ir_visible(sat, sat.position(ep, mid), pc[gg], reference_intensity_w_sr, h_si)
                same = v == v_lo
                lo = np.where(same, mid, lo)
                hi = np.where(same, hi, mid)
            tc = 0.5 * (lo + hi)
            # events: windows open at t_start_s, crossings (a rise starts one), open at t_end_s
            g_open, g_end = np.flatnonzero(vis[0]), np.flatnonzero(vis[-1])
            n_open, n_end = g_open.size, g_end.size
            g_all = np.concatenate([g_open, gg, g_end])
            t_all = np.concatenate([np.full(n_open, t_start_s), tc, np.full(n_end, t_end_s)])
            is_start = np.concatenate([np.ones(n_open, bool), ~v_lo, np.zeros(n_end, bool)])
            order = np.lexsort((~is_start, t_all, g_all))
            g_s, t_s, st = g_all[order], t_all[order], is_start[order]
            # per point the events alternate start, end, start, end...
            sats.append(np.full(int(st.sum()), si, dtype=np.int64))
            points.append((g_s[st] + c0).astype(np.int64))
            starts.append(t_s[st])
            ends.append(t_s[~st])
    return VisibilityWindows(
        float(t_start_s), float(t_end_s), len(satellites), int(n_pts),
        _cat(sats, np.int64), _cat(points, np.int64), _cat(starts, np.float64),
        _cat(ends, np.float64),
    )  # fmt: skip


def _cat(parts: Sequence[npt.NDArray[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def never_seen(windows: VisibilityWindows) -> IntArray:
    """Indices of the satellites with no visibility window at any point: payloads that
    can never see the reference plume over these points in this time (``earlywarn
    coverage`` warns about them)."""
    seen = np.zeros(windows.n_sats, bool)
    seen[windows.sat] = True
    return np.asarray(np.flatnonzero(~seen), dtype=np.int64)


# -------------------------------------------------------------------------------- sweep


@dataclass(frozen=True)
class _Segments:
    """A partition of ``[t0, t1]`` for every owner, with the count of open intervals."""

    owner: IntArray
    start: FloatArray
    end: FloatArray
    count: IntArray


def _sweep(
    owner: IntArray, start: FloatArray, end: FloatArray, n_owner: int, t0: float, t1: float
) -> _Segments:
    """Count the intervals open over each piece of ``[t0, t1]``, per owner (vectorised)."""
    all_o = np.arange(n_owner, dtype=np.int64)
    o = np.concatenate([owner, owner, all_o, all_o])
    t = np.concatenate([start, end, np.full(n_owner, t0), np.full(n_owner, t1)])
    d = np.concatenate(
        [np.ones(owner.size, np.int64), -np.ones(owner.size, np.int64),
         np.zeros(2 * n_owner, np.int64)]
    )  # fmt: skip
    order = np.lexsort((d, t, o))  # at equal times the closing (-1) comes first
    o, t, d = o[order], t[order], d[order]
    cnt = np.cumsum(d)  # each owner's deltas sum to 0, so the running sum restarts per owner
    same = o[1:] == o[:-1]
    seg_o, seg_s, seg_e, seg_c = o[:-1][same], t[:-1][same], t[1:][same], cnt[:-1][same]
    keep = seg_e > seg_s
    return _Segments(seg_o[keep], seg_s[keep], seg_e[keep], seg_c[keep])


def _runs(seg: _Segments, flag: BoolArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Maximal runs of consecutive flagged segments per owner: (owner, start, end)."""
    idx = np.flatnonzero(flag)
    if idx.size == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    first = np.ones(idx.size, bool)
    first[1:] = (idx[1:] != idx[:-1] + 1) | (seg.owner[idx[1:]] != seg.owner[idx[:-1]])
    last = np.ones(idx.size, bool)
    last[:-1] = first[1:]
    return seg.owner[idx[first]], seg.start[idx[first]], seg.end[idx[last]]


def _per_owner_max(owner: IntArray, value: FloatArray, n: int) -> FloatArray:
    out = np.zeros(n)
    np.maximum.at(out, owner, value)
    return out


# ------------------------------------------------------------------------------- fence


def radar_fence_m(
    radars: Sequence[Radar], lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike
) -> FloatArray:
    """Lowest altitude (m) above each point that some radar face sees; NaN where none does
    (closed form on a sphere, see the module docstring)."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64).ravel())
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64).ravel())
    best = np.full(lat.shape, np.inf)
    for rad in radars:
        theta, az = great_circle(math.radians(rad.lat_deg), math.radians(rad.lon_deg), lat, lon)
        rs = R_MEAN_M + rad.h_m
        for f in rad.faces:
            daz = np.mod(az - math.radians(f.boresight_az_deg) + math.pi, 2 * math.pi) - math.pi
            eps = math.radians(f.el_min_deg)
            with np.errstate(invalid="ignore", divide="ignore"):
                c = np.cos(eps + theta)
                radius = np.where(c > 0, rs * math.cos(eps) / c, np.inf)
                # closer than the minimum range: the lowest point is at that range
                rho_min = rad.min_range_km * 1e3
                r_min = rs * np.cos(theta) + np.sqrt(
                    np.maximum(rho_min**2 - (rs * np.sin(theta)) ** 2, 0.0)
                )
                radius = np.maximum(radius, np.where(rs * np.sin(theta) < rho_min, r_min, 0.0))
                slant = np.sqrt(rs**2 + radius**2 - 2 * rs * radius * np.cos(theta))
                # elevation of that point from the site
                el = np.arctan2(radius * np.cos(theta) - rs, radius * np.sin(theta))
            ok = (
                (np.abs(daz) <= math.radians(f.half_width_deg))
                & np.isfinite(radius)
                & (slant <= rad.max_range_km * 1e3)
                & (el <= math.radians(f.el_max_deg) + 1e-12)
            )
            best = np.where(ok, np.minimum(best, radius - R_MEAN_M), best)
    return np.asarray(np.where(np.isfinite(best), np.maximum(best, 0.0), np.nan))


# ------------------------------------------------------------------------------- maps


@dataclass(frozen=True)
class CoverageMap:
    """Coverage of an architecture on a grid over ``[t_start_s, t_end_s]`` (SI; the
    per-point arrays are ``(n_lat * n_lon,)`` in the grid's row-major order)."""

    grid: LatLonGrid
    epoch_utc: str
    t_start_s: float
    t_end_s: float
    plume_altitude_m: float  # NaN when the satellites' own reference altitudes differ
    reference_intensity_w_sr: float
    coverage_1: FloatArray  # fraction of the time seen by >= 1 satellite
    coverage_2: FloatArray  # ... by >= 2 (stereo)
    longest_gap_s: FloatArray  # longest time with no satellite
    longest_stereo_gap_s: FloatArray  # longest time with fewer than 2
    fence_m: FloatArray  # lowest altitude seen by a radar, NaN where none
    windows: VisibilityWindows

    def area_fraction(self, level: int) -> float:
        """Fraction of the grid's area and time seen by >= ``level`` satellites (1 or 2),
        each point weighted by its cell's area (:meth:`LatLonGrid.area_weights`)."""
        if level not in (1, 2):
            raise ValueError(f"coverage level: got {level!r}; the map holds levels 1 and 2")
        values = self.coverage_1 if level == 1 else self.coverage_2
        return float(np.sum(self.grid.area_weights() * values))


def _windows_swept(
    satellites: Sequence[InfraredSatellite],
    epoch: datetime | str,
    t_start_s: float,
    t_end_s: float,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    **kw: Any,
) -> tuple[VisibilityWindows, _Segments]:
    """:func:`visibility_windows` of the points and their sweep (satellites in view)."""
    win = visibility_windows(satellites, epoch, t_start_s, t_end_s, lat_deg, lon_deg, **kw)
    seg = _sweep(win.point, win.start_s, win.end_s, win.n_points, t_start_s, t_end_s)
    return win, seg


def _level_stats(seg: _Segments, level: int, n: int, span: float) -> tuple[FloatArray, FloatArray]:
    dur = seg.end - seg.start
    cov = np.bincount(seg.owner, weights=dur * (seg.count >= level), minlength=n) / span
    o, s, e = _runs(seg, seg.count < level)
    return cov, _per_owner_max(o, e - s, n)


def coverage_map(
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: datetime | str,
    grid: LatLonGrid,
    t_start_s: float = 0.0,
    t_end_s: float = 86_400.0,
    *,
    plume_altitude_m: float | None = None,
    reference_intensity_w_sr: float = DEFAULT_REFERENCE_INTENSITY_W_SR,
    step_s: float = 300.0,
    tol_s: float = 1.0,
) -> CoverageMap:
    """Infrared coverage (≥ 1, ≥ 2), longest gaps and the radar fence on ``grid``."""
    lat, lon = grid.points_deg
    win, seg = _windows_swept(
        satellites, epoch, t_start_s, t_end_s, lat, lon,
        plume_altitude_m=plume_altitude_m, reference_intensity_w_sr=reference_intensity_w_sr,
        step_s=step_s, tol_s=tol_s,
    )  # fmt: skip
    n = lat.size
    span = t_end_s - t_start_s
    c1, g1 = _level_stats(seg, 1, n, span)
    c2, g2 = _level_stats(seg, 2, n, span)
    ep = parse_utc(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")
    alts = plume_altitudes_m(satellites, plume_altitude_m)
    common = float(alts[0]) if alts.size and np.all(alts == alts[0]) else math.nan
    return CoverageMap(
        grid, ep, float(t_start_s), float(t_end_s), common, reference_intensity_w_sr,
        c1, c2, g1, g2, radar_fence_m(radars, lat, lon), win,
    )  # fmt: skip


# ------------------------------------------------------------------------------ regions


@dataclass(frozen=True)
class RegionCoverage:
    """Coverage of a region at a level (≥ ``level`` satellites at every region point)."""

    name: str
    level: int
    n_points: int
    t_start_s: float
    t_end_s: float
    covered_fraction: float
    hours_per_day: float
    gaps: tuple[tuple[float, float, float], ...]  # (start_s, end_s, duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "n_points": self.n_points,
            "t_start_s": self.t_start_s,
            "t_end_s": self.t_end_s,
            "covered_fraction": round(self.covered_fraction, 6),
            "hours_per_day": round(self.hours_per_day, 4),
            "gaps": [
                {"start_s": round(a, 3), "end_s": round(b, 3), "duration_s": round(c, 3)}
                for a, b, c in self.gaps
            ],
        }


def points_in_polygon(
    lat_deg: FloatArray, lon_deg: FloatArray, polygon_deg: Sequence[tuple[float, float]]
) -> BoolArray:
    """Even-odd rule in the (lon, lat) plane; ``polygon_deg`` is ``[(lat, lon), ...]``."""
    poly = np.asarray(polygon_deg, dtype=np.float64)
    py, px = poly[:, 0], poly[:, 1]
    qy, qx = np.roll(py, -1), np.roll(px, -1)
    x, y = np.asarray(lon_deg)[:, None], np.asarray(lat_deg)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = ((py > y) != (qy > y)) & (x < (qx - px) * (y - py) / (qy - py) + px)
    return np.asarray(np.count_nonzero(cross, axis=1) % 2 == 1)


def region_coverage(
    satellites: Sequence[InfraredSatellite],
    epoch: datetime | str,
    polygon_deg: Sequence[tuple[float, float]],
    t_start_s: float = 0.0,
    t_end_s: float = 86_400.0,
    *,
    name: str = "region",
    level: int = 1,
    resolution_deg: float = 0.5,
    plume_altitude_m: float | None = None,
    reference_intensity_w_sr: float = DEFAULT_REFERENCE_INTENSITY_W_SR,
    step_s: float = 300.0,
    tol_s: float = 1.0,
) -> RegionCoverage:
    """Hours per day and gaps of coverage of a polygon ``[(lat_deg, lon_deg), ...]``."""
    poly = [(float(a), float(b)) for a, b in polygon_deg]
    if len(poly) < 3:
        raise ValueError(
            f"region {name!r}: a polygon needs >= 3 (lat, lon) points; got {len(poly)}"
        )
    if level < 1:
        raise ValueError(f"region {name!r}: level must be >= 1; got {level}")
    if level > len(satellites):
        raise ValueError(
            f"region {name!r}: level {level} needs at least {level} satellites; the "
            f"architecture has {len(satellites)}"
        )
    pa_ = np.asarray(poly)
    g = LatLonGrid.regular(
        resolution_deg,
        (max(-90.0, pa_[:, 0].min()), min(90.0, pa_[:, 0].max() + 1e-9)),
        (pa_[:, 1].min(), pa_[:, 1].max() + 1e-9),
    )
    glat, glon = g.points_deg
    inside = points_in_polygon(glat, glon, poly)
    lat = np.concatenate([glat[inside], pa_[:, 0]])
    lon = np.concatenate([glon[inside], pa_[:, 1]])
    _, seg = _windows_swept(
        satellites, epoch, t_start_s, t_end_s, lat, lon,
        plume_altitude_m=plume_altitude_m, reference_intensity_w_sr=reference_intensity_w_sr,
        step_s=step_s, tol_s=tol_s,
    )  # fmt: skip
    n = lat.size
    _, s, e = _runs(seg, seg.count >= level)  # each point's covered intervals
    reg = _sweep(np.zeros(s.size, np.int64), s, e, 1, t_start_s, t_end_s)
    covered = reg.count >= n
    span = t_end_s - t_start_s
    frac = float(np.sum((reg.end - reg.start) * covered) / span)
    _, gs, ge = _runs(reg, ~covered)
    return RegionCoverage(
        name, level, n, float(t_start_s), float(t_end_s), frac, 24.0 * frac,
        tuple((float(a), float(b), float(b - a)) for a, b in zip(gs, ge, strict=True)),
    )  # fmt: skip
