"""Free flight: numerical propagation to impact, and closed-form Kepler arcs.

Numerical propagation (:func:`propagate`) integrates the force model of
:mod:`earlywarn.flight.dynamics` (J2 gravity, rotating-frame terms, drag on the
Earth-relative velocity) in ECEF with fixed-step RK4, vectorised across objects, each
object with its own step size: ``step_s`` (default 10 s) while it is above 100 km and
will still be above 100 km after the step; otherwise the step resolves both the drag
time scale (0.5 v/a_D) and the density scale height (2.5 km of altitude change per
step), but is never below ``step_atmo_s`` (default 1 s): an RV's reentry, where drag
changes on a ~2 s time scale, is sampled every ~1 s, a tumbling stage falling near its
terminal speed every few seconds. Every step is an
output sample. RK4 at 10 s in the vacuum arc makes a local error of ~(hv/r)⁵·r ≈ 1 mm
per step; the 1 s atmospheric steps keep the drag integration to metres. Drag is
computed everywhere from the tabulated atmosphere (above 100 km it changes an RV's
path by less than a metre).

Impact is where the height above the surface crosses zero; the crossing is found inside
the last step on the cubic Hermite interpolant of the two end states (the same
interpolant :class:`earlywarn.flight.truth.Trajectories` uses), by secant iterations on
the geodetic (or spherical) height, to well under a metre.

Closed form (:func:`kepler_arc`): the two-body conic from a state, to the descending
crossing of a given radius — impact point, time of flight and apogee — from the orbital
elements (Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, ch. 6 "Ballistic
missile trajectories"; Kepler's equation for the time). Used by the aiming iterations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import GM_M3_S2
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.flight.dynamics import EarthModel

FloatArray = npt.NDArray[np.float64]
_F = TypeVar("_F", float, FloatArray)  # the step rules serve the array and the float paths
BoolArray = npt.NDArray[np.bool_]

ATMOSPHERE_TOP_M = 100_000.0
"""Altitude below which free flight takes fine steps and reentry is declared."""


@dataclass(frozen=True)
class FreeFlightPath:
    """Sampled free flight of ``n`` objects.

    ``t_s (n, K)`` absolute times (NaN-padded after each object's end), ``r, v (n, K, 3)``
    ECEF states, ``impacted (n,)`` whether the object reached the surface (else it was
    still flying at ``t_max``), ``n_samples (n,)`` valid samples per row.
    """

    t_s: FloatArray
    r: FloatArray
    v: FloatArray
    impacted: BoolArray
    n_samples: npt.NDArray[np.intp]

    @property
    def end_s(self) -> FloatArray:
        idx = self.n_samples - 1
        return np.asarray(self.t_s[np.arange(self.t_s.shape[0]), idx])

    @property
    def end_r(self) -> FloatArray:
        idx = self.n_samples - 1
        return np.asarray(self.r[np.arange(self.r.shape[0]), idx])


def _hermite(
    r0: FloatArray, v0: FloatArray, r1: FloatArray, v1: FloatArray, h: FloatArray, s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    s3 = s[:, None]
    hh = h[:, None]
    h00 = 2 * s3**3 - 3 * s3**2 + 1
    h10 = s3**3 - 2 * s3**2 + s3
    h01 = -2 * s3**3 + 3 * s3**2
    h11 = s3**3 - s3**2
    r = h00 * r0 + h10 * hh * v0 + h01 * r1 + h11 * hh * v1
    d00 = 6 * s3**2 - 6 * s3
    d10 = 3 * s3**2 - 4 * s3 + 1
    d01 = -6 * s3**2 + 6 * s3
    d11 = 3 * s3**2 - 2 * s3
    v = (d00 * r0 + d01 * r1) / hh + d10 * v0 + d11 * v1
    return r, v


def surface_height_m(model: EarthModel, r: FloatArray) -> FloatArray:
    """Exact height above the model's surface: geodetic on WGS84, or above the sphere."""
    if model.sphere_radius_m is not None:
        return np.asarray(np.linalg.norm(r, axis=-1) - model.sphere_radius_m)
    return ecef_to_geodetic(r)[2]


def refine_crossing(
    model: EarthModel,
    r0: FloatArray,
    v0: FloatArray,
    r1: FloatArray,
    v1: FloatArray,
    h: FloatArray,
    level_m: float = 0.0,
    iterations: int = 4,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fraction ``s`` in [0, 1] of a step where the exact height crosses ``level_m``,
    and the interpolated state there (secant iterations on the Hermite interpolant)."""
    z0 = surface_height_m(model, r0) - level_m
    z1 = surface_height_m(model, r1) - level_m
    sa, sb, za, zb = np.zeros_like(z0), np.ones_like(z0), z0, z1
    s = np.clip(za / np.where(za - zb != 0, za - zb, 1.0), 0.0, 1.0)
    for _ in range(iterations):
        r, _v = _hermite(r0, v0, r1, v1, h, s)
        z = surface_height_m(model, r) - level_m
        left = np.sign(z) == np.sign(za)
        sa, za = np.where(left, s, sa), np.where(left, z, za)
        sb, zb = np.where(left, sb, s), np.where(left, zb, z)
        s = np.clip(sa + za * (sb - sa) / np.where(za - zb != 0, za - zb, 1.0), 0.0, 1.0)
    r, v = _hermite(r0, v0, r1, v1, h, s)
    return s, r, v


def _coarse_step_ok(alt: _F, vr: _F, step_s: float) -> bool | npt.NDArray[np.bool_]:
    """Whether a full ``step_s`` may be taken: above the atmosphere and staying there
    (on floats or arrays)."""
    return (alt > ATMOSPHERE_TOP_M) & (alt + step_s * vr > ATMOSPHERE_TOP_M)


def _atmo_time_scales(cdm: _F, rho: _F, speed: _F, vr: _F) -> tuple[_F, _F]:
    """In the atmosphere a step resolves the drag time scale v/a_D (half of it) and the
    density scale height (~7 km; 2.5 km of radial travel); the caller takes the smaller,
    clipped to ``[step_atmo_s, step_s]``. On floats or arrays."""
    return 0.5 / (cdm * rho * speed + 1e-12), 2500.0 / (abs(vr) + 1e-9)


def _impact_in_step(
    model: EarthModel, r: FloatArray, v: FloatArray, rn: FloatArray, vn: FloatArray, h: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For steps ``(r, v) → (rn, vn)`` of length ``h`` that end below the surface: the
    time from the step's start to the crossing, and the state there."""
    s, ri, vi = refine_crossing(model, r, v, rn, vn, h)
    return s * h, ri, vi


def propagate(
    model: EarthModel,
    t0_s: FloatArray,
    r0: FloatArray,
    v0: FloatArray,
    cdm: FloatArray,
    *,
    t_max_s: FloatArray | float,
    step_s: float = 10.0,
    step_atmo_s: float | FloatArray = 1.0,
    max_steps: int = 20_000,
) -> FreeFlightPath:
    """Propagate ``n`` objects from their own start times to impact (or ``t_max_s``).

    ``cdm`` is ``C_d A / (2 m)`` per object (m²/kg; 0 for no drag). ``t_max_s`` (absolute,
    per object or scalar) stops objects that do not come down (orbits).

    Up to ``SCALAR_MAX_N`` objects are flown one by one in plain Python floats (the same
    steps and formulas, equal to round-off; for one object ~17× faster than the array
    path, measured).
    """
    n = r0.shape[0]
    if n <= SCALAR_MAX_N:
        return _propagate_scalar(model, t0_s, r0, v0, cdm, t_max_s, step_s, step_atmo_s, max_steps)
    r = np.array(r0, dtype=np.float64)
    v = np.array(v0, dtype=np.float64)
    t = np.array(t0_s, dtype=np.float64).reshape(n)
    tmax = np.broadcast_to(np.asarray(t_max_s, dtype=np.float64), (n,))
    cdm = np.asarray(cdm, dtype=np.float64).reshape(n)
    alive = np.ones(n, dtype=bool)
    impacted = np.zeros(n, dtype=bool)
    ts, rs, vs = [t.copy()], [r.copy()], [v.copy()]
    acc = model.accel
    alt = model.altitude_m(r)
    for _ in range(max_steps):
        vr = (r * v).sum(axis=1) / np.sqrt((r * r).sum(axis=1))
        big = _coarse_step_ok(alt, vr, step_s)
        sp = np.sqrt((v * v).sum(axis=1))
        drag_t, scale_t = _atmo_time_scales(cdm, model.density(alt), sp, vr)
        fine = np.clip(np.minimum(drag_t, scale_t), step_atmo_s, step_s)
        hh1 = np.where(big, step_s, fine)
        hh1 = np.where(alive, np.minimum(hh1, tmax - t), 0.0)
        hh = hh1[:, None]
        h2 = 0.5 * hh
        a1, _ = acc(r, v, cdm)
        r2 = r + h2 * v
        v2 = v + h2 * a1
        a2, _ = acc(r2, v2, cdm)
        r3 = r + h2 * v2
        v3 = v + h2 * a2
        a3, _ = acc(r3, v3, cdm)
        r4 = r + hh * v3
        v4 = v + hh * a3
        a4, _ = acc(r4, v4, cdm)
        h6 = hh / 6.0
        rn = r + h6 * (v + 2.0 * (v2 + v3) + v4)
        vn = v + h6 * (a1 + 2.0 * (a2 + a3) + a4)
        altn = model.altitude_m(rn)
        hit = alive & (altn <= 0.0)
        if hit.any():
            dt, ri, vi = _impact_in_step(model, r[hit], v[hit], rn[hit], vn[hit], hh1[hit])
            rn[hit], vn[hit] = ri, vi
            hh1 = hh1.copy()
            hh1[hit] = dt
            altn[hit] = 0.0
            impacted |= hit
        t = t + hh1
        r, v, alt = rn, vn, altn
        ts.append(np.where(alive, t, np.nan))
        rs.append(r)
        vs.append(v)
        alive = alive & ~hit & (t < tmax - 1e-9)
        if not alive.any():
            break
    t_arr = np.stack(ts, axis=1)
    r_arr = np.stack(rs, axis=1)
    v_arr = np.stack(vs, axis=1)
    valid = ~np.isnan(t_arr)
    r_arr[~valid] = np.nan
    v_arr[~valid] = np.nan
    return FreeFlightPath(t_arr, r_arr, v_arr, impacted, valid.sum(axis=1))


SCALAR_MAX_N = 8
"""Batches up to this size are propagated object by object on floats."""


def _propagate_scalar(
    model: EarthModel,
    t0_s: FloatArray,
    r0: FloatArray,
    v0: FloatArray,
    cdm: FloatArray,
    t_max_s: FloatArray | float,
    step_s: float,
    step_atmo_s: float | FloatArray,
    max_steps: int,
) -> FreeFlightPath:
    """:func:`propagate` for a few objects: the same steps, one object at a time."""
    n = r0.shape[0]
    t_l = np.asarray(t0_s, dtype=np.float64).reshape(n).tolist()
    r_l = np.asarray(r0, dtype=np.float64).reshape(n, 3).tolist()
    v_l = np.asarray(v0, dtype=np.float64).reshape(n, 3).tolist()
    tmax_l = np.broadcast_to(np.asarray(t_max_s, dtype=np.float64), (n,)).tolist()
    cdm_l = np.asarray(cdm, dtype=np.float64).reshape(n).tolist()
    atmo_l = np.broadcast_to(np.asarray(step_atmo_s, dtype=np.float64), (n,)).tolist()
    acc, altf, dens = model.accel1, model.altitude1, model.density1
    coarse, scales = _coarse_step_ok, _atmo_time_scales
    rows: list[tuple[list[float], list[list[float]]]] = []
    impacted = np.zeros(n, dtype=bool)
    for i in range(n):
        t, tmax, c, h_lo = t_l[i], tmax_l[i], cdm_l[i], atmo_l[i]
        x, y, z = r_l[i]
        vx, vy, vz = v_l[i]
        alt = altf(x, y, z)
        ts, ss = [t], [[x, y, z, vx, vy, vz]]
        for _ in range(max_steps):
            rn = math.sqrt(x * x + y * y + z * z)
            vr = (x * vx + y * vy + z * vz) / rn
            if coarse(alt, vr, step_s):
                hh = step_s
            else:
                sp = math.sqrt(vx * vx + vy * vy + vz * vz)
                drag_t, scale_t = scales(c, dens(alt), sp, vr)
                hh = min(max(min(drag_t, scale_t), h_lo), step_s)
            hh = min(hh, tmax - t)
            h2 = 0.5 * hh
            a1x, a1y, a1z, _ = acc(x, y, z, vx, vy, vz, c)
            x2, y2, z2 = x + h2 * vx, y + h2 * vy, z + h2 * vz
            u2, w2, q2 = vx + h2 * a1x, vy + h2 * a1y, vz + h2 * a1z
            a2x, a2y, a2z, _ = acc(x2, y2, z2, u2, w2, q2, c)
            x3, y3, z3 = x + h2 * u2, y + h2 * w2, z + h2 * q2
            u3, w3, q3 = vx + h2 * a2x, vy + h2 * a2y, vz + h2 * a2z
            a3x, a3y, a3z, _ = acc(x3, y3, z3, u3, w3, q3, c)
            x4, y4, z4 = x + hh * u3, y + hh * w3, z + hh * q3
            u4, w4, q4 = vx + hh * a3x, vy + hh * a3y, vz + hh * a3z
            a4x, a4y, a4z, _ = acc(x4, y4, z4, u4, w4, q4, c)
            h6 = hh / 6.0
            xn = x + h6 * (vx + 2.0 * (u2 + u3) + u4)
            yn = y + h6 * (vy + 2.0 * (w2 + w3) + w4)
            zn = z + h6 * (vz + 2.0 * (q2 + q3) + q4)
            un = vx + h6 * (a1x + 2.0 * (a2x + a3x) + a4x)
            wn = vy + h6 * (a1y + 2.0 * (a2y + a3y) + a4y)
            qn = vz + h6 * (a1z + 2.0 * (a2z + a3z) + a4z)
            altn = altf(xn, yn, zn)
            if altn <= 0.0:
                dt, ri, vi = _impact_in_step(
                    model,
                    np.array([[x, y, z]]),
                    np.array([[vx, vy, vz]]),
                    np.array([[xn, yn, zn]]),
                    np.array([[un, wn, qn]]),
                    np.array([hh]),
                )
                ts.append(t + float(dt[0]))
                ss.append(ri[0].tolist() + vi[0].tolist())
                impacted[i] = True
                break
            t = t + hh
            x, y, z, vx, vy, vz, alt = xn, yn, zn, un, wn, qn, altn
            ts.append(t)
            ss.append([x, y, z, vx, vy, vz])
            if not t < tmax - 1e-9:
                break
        rows.append((ts, ss))
    k = max(len(ts) for ts, _ in rows)
    t_arr = np.full((n, k), np.nan)
    st_arr = np.full((n, k, 6), np.nan)
    for i, (ts, ss) in enumerate(rows):
        t_arr[i, : len(ts)] = ts
        st_arr[i, : len(ts)] = ss
    counts = np.array([len(ts) for ts, _ in rows], dtype=np.intp)
    return FreeFlightPath(t_arr, st_arr[..., :3].copy(), st_arr[..., 3:].copy(), impacted, counts)


# ------------------------------------------------------------------------- closed form


@dataclass(frozen=True)
class KeplerArc:
    """Two-body arc from a state to the descending crossing of a radius (vectorised).

    ``r_end (n, 3)`` the crossing point in the *inertial* frame of the input state,
    ``tof_s`` time of flight to it, ``angle_rad`` the central angle travelled,
    ``apogee_radius_m``, ``ok`` False where the conic does not reach the radius
    descending (escape, or apogee below it).
    """

    r_end: FloatArray
    tof_s: FloatArray
    angle_rad: FloatArray
    apogee_radius_m: FloatArray
    perigee_radius_m: FloatArray
    apogee_unit: FloatArray
    ok: BoolArray


def kepler_arc(
    r: FloatArray, v: FloatArray, radius_m: FloatArray | float, gm: float = GM_M3_S2
) -> KeplerArc:
    """Closed-form two-body flight from ``(r, v)`` (inertial) to radius ``radius_m``.

    Conic from the angular momentum ``h = r × v``, semi-latus rectum ``p = h²/μ``,
    eccentricity vector; the end point has true anomaly ``ν₁ = 2π − arccos((p/R − 1)/e)``
    (descending branch); the time follows from Kepler's equation ``M = E − e sin E``.
    """
    rn = np.linalg.norm(r, axis=-1)
    hvec = np.cross(r, v)
    hn = np.linalg.norm(hvec, axis=-1)
    p = hn * hn / gm
    vv = np.einsum("...i,...i->...", v, v)
    rv = np.einsum("...i,...i->...", r, v)
    evec = ((vv - gm / rn)[..., None] * r - rv[..., None] * v) / gm
    e = np.linalg.norm(evec, axis=-1)
    big_r = np.asarray(radius_m, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_nu1 = (p / big_r - 1.0) / e
        ok = (e < 1.0) & (np.abs(cos_nu1) <= 1.0)
        nu1 = 2.0 * np.pi - np.arccos(np.clip(cos_nu1, -1.0, 1.0))
        # true anomaly of the start: from r·e and the sign of r·v
        cos_nu0 = np.clip(np.einsum("...i,...i->...", r, evec) / (rn * e), -1.0, 1.0)
        nu0 = np.where(rv >= 0.0, np.arccos(cos_nu0), 2.0 * np.pi - np.arccos(cos_nu0))
        ang = np.mod(nu1 - nu0, 2.0 * np.pi)
        sq = np.sqrt(np.maximum(1.0 - e * e, 0.0))

        def mean_anom(nu: FloatArray) -> FloatArray:
            big_e = np.mod(np.arctan2(sq * np.sin(nu), e + np.cos(nu)), 2.0 * np.pi)
            return np.asarray(big_e - e * np.sin(big_e))

        a = p / (1.0 - e * e)
        mean_motion = np.sqrt(gm / a**3)
        dm = np.mod(mean_anom(nu1) - mean_anom(nu0), 2.0 * np.pi)
        tof = dm / mean_motion
        rhat = r / rn[..., None]
        that = np.cross(hvec / hn[..., None], rhat)
        c, s = np.cos(ang)[..., None], np.sin(ang)[..., None]
        r_end = np.asarray(big_r)[..., None] * (c * rhat + s * that)
        apo = p / (1.0 - e)
        peri = p / (1.0 + e)
        apo_unit = -evec / e[..., None]
    return KeplerArc(r_end, tof, ang, apo, peri, apo_unit, ok)


def resample_free(
    model: EarthModel, path: FreeFlightPath, cdm: FloatArray, every_s: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Samples of a free-flight path at the multiples of ``every_s`` plus every step.

    Lets the vacuum arc be integrated with long RK4 steps and still be *sampled* every
    ``every_s``: cubic Hermite in position (velocities) and velocity (accelerations from
    the force model at the nodes); with 30 s steps the error is ~h⁴|r⁗|/384 ≈ 3 cm.
    Returns ``(t, r, v)`` NaN-padded.
    """
    from earlywarn.flight.powered import hermite_resample

    n, k = path.t_s.shape
    last = path.n_samples - 1
    rows = np.arange(n)
    col = np.minimum(np.arange(k)[None, :], last[:, None])  # repeat the last sample
    t = path.t_s[rows[:, None], col]
    r = path.r[rows[:, None], col]
    v = path.v[rows[:, None], col]
    a, _ = model.accel(r.reshape(-1, 3), v.reshape(-1, 3), np.repeat(cdm, k))
    a = a.reshape(n, k, 3)
    tk, rk, vk, _ = hermite_resample(t, r, v, a, a, np.zeros((n, k)), every_s)
    return tk, rk, vk
