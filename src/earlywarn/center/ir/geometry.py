"""Geometry of the IR chain: lines of sight, the ellipsoid, triangulation, local frames.

**Triangulation.** With rays from ≥ 2 satellites at a time, the weighted least-squares
intersection minimises ``Σ_i |(I − u_i u_iᵀ)(x − s_i)|² / (σ_i ρ_i)²``; its covariance is
``(Σ_i (I − u_i u_iᵀ)/(σ_i ρ_i)²)⁻¹`` (small-angle errors, two passes to update the
ranges ``ρ_i``) — Hartley & Zisserman, *Multiple View Geometry* (2nd ed., 2003) §12. A
track's rays between its detections are interpolated linearly (:func:`_interp_rays`).

**The ellipsoid.** :func:`earlywarn.center.kernels.ray_hit_m` is the distance along a ray
to the WGS84 ellipsoid inflated by ``h`` (a placement surface that differs from constant
geodetic height by tens of metres).

:func:`_rows3` and :func:`_cross` are ``np.stack`` and ``np.cross`` without their argument
handling (the same bits, tested); the median, which has a small-array fast path, is
:func:`earlywarn.center.kernels.median`.
"""

from __future__ import annotations

import functools

import numpy as np

from earlywarn.center.ir.compiled import triangulate_rays
from earlywarn.center.ir.records import BoolArray, FloatArray, IntArray, SatTrack
from earlywarn.center.kernels import median, ray_hit_m
from earlywarn.earth.constants import A_M, B_M, OMEGA_RAD_S
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef

_OMEGA = np.array([0.0, 0.0, OMEGA_RAD_S])  # Earth's rotation, rad/s (ECEF)


_NAN3 = np.full(3, np.nan)


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def _rows3(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    """``np.stack([x, y, z], axis=1)`` (the same C-ordered array) without its overhead."""
    out = np.empty((x.shape[0], 3))
    out[:, 0] = x
    out[:, 1] = y
    out[:, 2] = z
    return out


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate`` that returns a single part itself (read it, do not write it)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """``np.cross`` of ``(k, 3)`` or ``(3,)`` arrays (same operations, so the same bits)
    without its axis handling, which costs more than the arithmetic for a few vectors."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a1 * b2 - a2 * b1
    out[..., 1] = a2 * b0 - a0 * b2
    out[..., 2] = a0 * b1 - a1 * b0
    return out


def triangulate(
    sat_m: FloatArray, los: FloatArray, sigma_rad: FloatArray, valid: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """Weighted least-squares intersection of rays, vectorised over leading dimensions.

    ``sat_m``, ``los``: ``(..., R, 3)`` ray origins and unit directions; ``sigma_rad``,
    ``valid``: ``(..., R)``. Returns the point ``(..., 3)``, its covariance
    ``(..., 3, 3)``, the chi-square of the residuals ``(...,)`` (``2R − 3`` degrees of
    freedom) and the number of rays ``(...,)``. Fewer than two rays give NaN.
    Compiled (:func:`earlywarn.center.ir.compiled.triangulate_rays`): an event's estimate
    triangulates a few rows at a time, where numpy's call overhead was the cost.
    """
    lead = valid.shape[:-1]
    r = valid.shape[-1]
    x, cov, chi2, nray = triangulate_rays(
        np.ascontiguousarray(sat_m, dtype=np.float64).reshape(-1, r, 3),
        np.ascontiguousarray(los, dtype=np.float64).reshape(-1, r, 3),
        np.ascontiguousarray(sigma_rad, dtype=np.float64).reshape(-1, r),
        np.ascontiguousarray(valid, dtype=np.bool_).reshape(-1, r),
    )
    return x.reshape(*lead, 3), cov.reshape(*lead, 3, 3), chi2.reshape(lead), nray.reshape(lead)


def _interp_rays(
    tr: SatTrack, times: FloatArray, max_gap_s: float | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """A track's rays at ``times`` (linear interpolation inside its span).

    With ``max_gap_s``, only between detections at most that far apart: across a longer
    gap the LOS of an accelerating rocket bends (8 s at 60 m/s² is ~0.5 km off a chord).
    """
    t = tr.t_s
    valid = (times >= t[0]) & (times <= t[-1])
    if tr.n == 1:
        idx = np.zeros(times.shape, dtype=np.int64)
        f = np.zeros(times.shape)
        valid = valid & (times == t[0])
        i0 = i1 = idx
    else:
        # (np.minimum/np.maximum: np.clip's wrapper costs more than the clipping here)
        i1 = np.minimum(np.maximum(np.searchsorted(t, times, side="left"), 1), tr.n - 1)
        i0 = i1 - 1
        exact = t[i1] == times
        f = np.where(exact, 1.0, (times - t[i0]) / (t[i1] - t[i0]))
        f = np.minimum(np.maximum(f, 0.0), 1.0)
        if max_gap_s is not None:
            valid = valid & (exact | (t[i0] == times) | (t[i1] - t[i0] <= max_gap_s))
    g = f[:, None]
    u = _unit((1.0 - g) * tr.los[i0] + g * tr.los[i1])
    s = (1.0 - g) * tr.sat_m[i0] + g * tr.sat_m[i1]
    sig = np.maximum(tr.sigma_rad[i0], tr.sigma_rad[i1]) * np.sqrt((1.0 - f) ** 2 + f**2)
    return s, u, sig, valid


@functools.lru_cache(maxsize=64)
def _local_frame(lat: float, lon: float) -> tuple[FloatArray, FloatArray]:
    """ENU rotation and ECEF origin at (lat, lon); cached (an event's first point, which
    anchors it, rarely changes between steps). The arrays are read-only."""
    rot = np.array(enu_rotation(lat, lon), dtype=np.float64)
    site = np.array(geodetic_to_ecef(lat, lon, 0.0), dtype=np.float64)
    rot.setflags(write=False)
    site.setflags(write=False)
    return rot, site


def _frame_under(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_local_frame` under the ECEF point ``p`` (3,), an event's first point."""
    x, y, z = p.tolist()
    return _frame_under_xyz(x, y, z)


@functools.lru_cache(maxsize=256)
def _frame_under_xyz(x: float, y: float, z: float) -> tuple[FloatArray, FloatArray]:
    # cached on the point itself: its geodetic conversion costs more than the frame's
    lat, lon, _ = ecef_to_geodetic(np.array([x, y, z]))
    return _local_frame(float(lat), float(lon))


def _median_rows(x: FloatArray) -> FloatArray:
    """``np.median(x, axis=0)`` of a ``(K, D)`` array: the median of each column."""
    return np.array([median(x[:, j]) for j in range(x.shape[1])])


def above_ground(p: FloatArray) -> BoolArray:
    """Which points ``(..., 3)`` lie outside the WGS84 ellipsoid: for the closest approach of
    a line of sight (:func:`~earlywarn.center.kernels.ray_hit_m` at height 0), which rays
    miss the Earth and see their source against space (a limb view)."""
    q = (p[..., 0] ** 2 + p[..., 1] ** 2) / A_M**2 + p[..., 2] ** 2 / B_M**2
    return np.asarray(q > 1.0 + 1e-9)


def ray_place_m(
    s: FloatArray, u: FloatArray, h_m: FloatArray | float, limb: BoolArray | None = None
) -> FloatArray:
    """Distance along rays ``s + λu`` to where a source at height ``h_m`` is placed: as
    :func:`~earlywarn.center.kernels.ray_hit_m` for a ray that meets the ground, but for a
    ray that misses the Earth (``limb``, from :func:`above_ground` when not given: a limb
    view, its source seen against space) the far crossing of that height, beyond the
    tangent point. A limb-viewing payload looks past the Earth's edge at what rises beyond
    it; a source on the near side would have been seen against the Earth first. (The near
    crossing put the 1983 scene's Minuteman 820 km short of Malmstrom.)"""
    if limb is None:
        limb = above_ground(s + ray_hit_m(s, u, 0.0)[..., None] * u)
    return ray_hit_m(s, u, h_m, far=limb)
