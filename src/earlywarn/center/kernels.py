"""The center's small-array kernels: where each small-versus-large choice is made.

The center's arrays are tiny (one to a few radar tracks per scan, a few 2-D tracks and
detections per infrared frame), where numpy's per-call overhead, not the arithmetic, is
the cost. Where that shows in ``make bench``, a kernel has its implementations side by
side here and one public name that picks between them by size (as ``sgp4.api`` picks its
C++ or Python propagator), the threshold defined here with its reason. The algorithm
modules (motion, tracker, characterise, ``center/ir/``) call only the public names; no
size threshold lives anywhere else. ``tests/test_kernels.py`` checks the implementations
of every kernel agree on both sides of its threshold (bit for bit where they claim the
same operations in the same order) and that the dispatcher takes each path on its side.

Kernels
-------
(of each pair, ``_…_rows`` and ``_median_list`` are the fast paths)
``ballistic_rk4_states(x, h, steps, j2, gm, omega)``
    RK4 sub-steps of ballistic states in ECEF and the gravity gradient ``G − W W`` at
    every stage (:class:`~.motion.BallisticJ2`): ``_ballistic_rk4_states_rows`` up to
    :data:`RK4_ROWS_MAX` states, ``_ballistic_rk4_states_array`` beyond.
``candidate_pairs(n, m, pregate)``
    The track-measurement pairs the tracker's gate tests: every pair (``_all_pairs``) up
    to :data:`ALL_PAIRS_MAX` pairs, a kd-tree's within the pre-gate (``_near_pairs_tree``)
    beyond; the same gated pairs.
``median(x)``
    ``float(np.median(x))``: ``_median_list`` up to :data:`MEDIAN_LIST_MAX` values,
    ``_median_array`` beyond.
``ground_range_m(s, u)``
    Distance along rays to the WGS84 ellipsoid (:func:`ray_hit_m` at height 0):
    ``_ground_range_rows`` up to :data:`GROUND_RANGE_ROWS_MAX` rays,
    ``_ground_range_array`` beyond.
``los_gated_pairs(tracks, t, los, sigma, rng_m, gate_sigma, max_speed, max_accel)``
    The IR association's gate, best pairs first, with distances: ``_los_gated_pairs_rows``
    up to :data:`LOS_GATE_ROWS_MAX` pairs, ``_los_gated_pairs_array`` beyond.
``ballistic_derivative_columns(y, j2, gm, omega)``
    ``[v; a]`` of ballistic states stored as the columns of ``(6, n)`` arrays (each
    component one contiguous row): :func:`ballistic_acceleration`'s operations in the same
    order, held to it by the test; the numpy reference (``characterise._rk4_array``) of
    the compiled free-flight steps (:mod:`~earlywarn.center.compiled`).
``ballistic_drag_derivative_columns(y, inv_beta, j2, gm, omega)``
    The same with the drag of :func:`drag_acceleration` (``inv_beta`` = 1/β per column),
    held to ``ballistic_acceleration + drag_acceleration`` bit for bit.

Beside them, with one implementation each (what the array paths build on, shared with the
motion model and the IR chain): :func:`ballistic_acceleration`, :func:`gravity_gradient_j2`,
:func:`drag_acceleration`, :func:`air_density_kg_m3` and :func:`ray_hit_m`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from earlywarn.earth.atmosphere import density_kg_m3
from earlywarn.earth.constants import A_M, B_M, GM_M3_S2, J2

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "ALL_PAIRS_MAX",
    "DRAG_TOP_M",
    "GROUND_RANGE_ROWS_MAX",
    "LOS_GATE_ROWS_MAX",
    "MEDIAN_LIST_MAX",
    "RK4_ROWS_MAX",
    "LosTrack",
    "air_density_kg_m3",
    "ballistic_acceleration",
    "ballistic_derivative_columns",
    "ballistic_drag_derivative_columns",
    "ballistic_rk4_states",
    "candidate_pairs",
    "drag_acceleration",
    "gravity_gradient_j2",
    "ground_range_m",
    "height_of_density_m",
    "los_gated_pairs",
    "median",
    "radial_height_m",
    "ray_hit_m",
]

# up to this many states the RK4 runs in Python floats: 4 field evaluations per sub-step,
# each a dozen numpy calls on (n, 3) arrays, cost more than the arithmetic (break-even ~24)
RK4_ROWS_MAX = 16
# up to this many track-measurement pairs, no pre-gate (the exact test on every pair is cheaper)
ALL_PAIRS_MAX = 64
# up to this many values a median sorts a Python list: np.median costs ~8 µs a call, sorting
# 64 floats ~2 µs (the glint day of bench_raid: ~140,000 medians, ~3 % of its center CPU)
MEDIAN_LIST_MAX = 64
# up to this many (2-D track, detection) pairs of an IR frame, the gate in Python floats:
# the numpy path's ~40 calls on (tracks, detections) arrays cost ~45 µs; forcing it costs
# ~4 % of the reference run's center CPU and ~7 % of the glint day's
LOS_GATE_ROWS_MAX = 24
# up to this many rays (an IR step's reports), the ground range in Python floats: the numpy
# path's ~20 calls cost ~12 µs (forced: ~1.2 % of the reference's center CPU, ~1.5 % glint day)
GROUND_RANGE_ROWS_MAX = 32

# --------------------------------------------------------------------------------------------
# ballistic field: one implementation each
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _coriolis(omega: float) -> FloatArray:
    """``(2Ω, −2Ω)``, read-only: −2 ω×v on the horizontal axes is ``(v_y, v_x)`` times it."""
    c = np.array([2.0 * omega, -2.0 * omega])
    c.setflags(write=False)
    return c


def _accel_j2(r: FloatArray, j2: float, gm: float) -> FloatArray:
    """``earlywarn.earth.gravity.accel_j2`` with the same arithmetic (bit for bit), with
    shared subexpressions and fewer array operations."""
    r = np.asarray(r, dtype=np.float64)
    rr = r * r
    r2 = rr[..., 0] + rr[..., 1] + rr[..., 2]
    rn = np.sqrt(r2)
    neg_mu_r3 = -(gm / (r2 * rn))
    k = 1.5 * j2 * (A_M * A_M) / r2
    five_s2 = 5.0 * (rr[..., 2] / r2)
    fxy = neg_mu_r3 * (1.0 + k * (1.0 - five_s2))
    fz = neg_mu_r3 * (1.0 + k * (3.0 - five_s2))
    a = np.empty(r.shape)
    a[..., :2] = r[..., :2] * fxy[..., None]
    a[..., 2] = fz * r[..., 2]
    return a


def ballistic_acceleration(x: FloatArray, j2: float, gm: float, omega: float) -> FloatArray:
    """Apparent acceleration in ECEF ``(..., 3)`` of states ``(..., 6)``:
    ``g − 2ω×v − ω×(ω×r)`` with J2 gravity ``g`` and ``ω = (0, 0, Ω)``."""
    r = x[..., :3]
    a = _accel_j2(r, j2, gm)
    # −2 ω×v = 2Ω (v_y, −v_x, 0);  −ω×(ω×r) = Ω² (x, y, 0); both horizontal axes at
    # once: (v_y, v_x)·(2Ω, −2Ω) + Ω² (x, y)
    a[..., :2] += x[..., 4:2:-1] * _coriolis(omega) + (omega * omega) * r[..., :2]
    return a


@lru_cache(maxsize=8)
def _columns_constants(j2: float, omega: float) -> tuple[float, FloatArray, float, FloatArray]:
    """``K`` of the J2 term as :func:`_accel_j2` forms it, the J2 term's constant on x, y
    and z ``(3, 1)``, Ω² and the Coriolis factors ``(2Ω, −2Ω)`` as a column ``(2, 1)``."""
    c_j2 = np.array([[1.0], [1.0], [3.0]])
    c_j2.setflags(write=False)
    cor = np.array([[2.0 * omega], [-2.0 * omega]])
    cor.setflags(write=False)
    return 1.5 * j2 * (A_M * A_M), c_j2, omega * omega, cor


def ballistic_derivative_columns(y: FloatArray, j2: float, gm: float, omega: float) -> FloatArray:
    """d/dt ``[v; a]`` of ballistic states stored as columns ``(6, n)``, ``a`` the apparent
    acceleration of :func:`ballistic_acceleration`.

    Its operations on each element in the same order (so the same bits), written into one
    array and with x, y and z in one call where those do the same thing: an impact
    prediction evaluates this ~25 times on 13 states, where the number of numpy calls, not
    the arithmetic, is the cost.
    """
    k_j2, c_j2, w2, cor = _columns_constants(j2, omega)
    out = np.empty_like(y)
    out[:3] = y[3:]
    r = y[:3]
    rr = r * r
    r2 = rr[0] + rr[1]  # the order of _accel_j2's sum
    r2 += rr[2]
    neg_mu_r3 = (-gm) / (r2 * np.sqrt(r2))  # = −(μ/r³) exactly (the sign rounds alike)
    k = k_j2 / r2
    five_s2 = 5.0 * (rr[2] / r2)
    # g = −μ/r³ (1 + k (c − 5 z²/r²)) r, c = 1 on x and y, 3 on z
    np.multiply(r, (1.0 + k * (c_j2 - five_s2)) * neg_mu_r3, out=out[3:])
    # −2 ω×v − ω×(ω×r) on the horizontal axes: (v_y, v_x)·(2Ω, −2Ω) + Ω² (x, y)
    out[3:5] += y[4:2:-1] * cor + w2 * r[:2]
    return out


# --------------------------------------------------------------------------------------------
# drag: one implementation each (rows), and the columns layout beside the ballistic one
# --------------------------------------------------------------------------------------------

DRAG_TOP_M = 120e3
"""Drag is taken as zero above this height. There the density of
:func:`earlywarn.earth.atmosphere.density_kg_m3` is under 2.5e-8 kg/m³: a tumbling stage
(β ~ 300 kg/m²) at 7 km/s is slowed by under 0.002 m/s², an RV by a hundredth of that."""

# ln ρ of the center's atmosphere (earth.atmosphere: USSA76 to 86 km, Vallado's
# exponential table above) every 500 m from 0 to DRAG_TOP_M, interpolated linearly: ln ρ is
# smooth within each layer and the interpolation error is under 0.1 % of ρ
LN_RHO_H_M = np.linspace(0.0, DRAG_TOP_M, 241)
LN_RHO = np.log(density_kg_m3(LN_RHO_H_M))
LN_RHO_H_M.setflags(write=False)
LN_RHO.setflags(write=False)
_AB, _B2, _A2 = A_M * B_M, B_M * B_M, A_M * A_M


def air_density_kg_m3(h_m: FloatArray) -> FloatArray:
    """The center's air density (kg/m³) at heights ``h_m`` (any shape): ``exp`` of ``ln ρ``
    interpolated on the 500 m table of :func:`earlywarn.earth.atmosphere.density_kg_m3`;
    the sea-level value below 0, zero above :data:`DRAG_TOP_M`."""
    return np.exp(np.interp(h_m, LN_RHO_H_M, LN_RHO, right=-np.inf))


def height_of_density_m(rho_kg_m3: FloatArray) -> FloatArray:
    """The height (m) where :func:`air_density_kg_m3` is ``rho_kg_m3`` (its inverse on the
    same table; 0 for a density above sea level's, :data:`DRAG_TOP_M` below the top's)."""
    return np.interp(-np.log(rho_kg_m3), -LN_RHO, LN_RHO_H_M)


def radial_height_m(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    """Height above the ellipsoid along the radius of positions given by their components:
    ``|r| − R(φc)``, ``R(φc) = ab/√(b² cos²φc + a² sin²φc)`` the ellipsoid radius at the
    geocentric latitude. It differs from the geodetic height by ``h(1 − cos δ)`` (δ ≤ 0.19°
    the angle between radius and normal): under 0.6 m at 100 km."""
    rn2 = x * x + y * y
    rn2 += z * z
    s2 = (z * z) / rn2
    return np.sqrt(rn2) - _AB / np.sqrt(_B2 * (1.0 - s2) + _A2 * s2)


def drag_acceleration(x: FloatArray, inv_beta: FloatArray | float) -> FloatArray:
    """Drag ``−½ ρ(h) |v| v / β`` ``(..., 3)`` of ECEF states ``(..., 6)`` with ``inv_beta``
    = 1/β (m²/kg; broadcast over the states), ``β = m/(C_D A)`` the ballistic coefficient.

    ``v`` is the Earth-fixed velocity (the atmosphere turns with the Earth; no wind), ``ρ``
    :func:`air_density_kg_m3` at :func:`radial_height_m`.
    """
    h = radial_height_m(x[..., 0], x[..., 1], x[..., 2])
    v = x[..., 3:]
    vv = v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1]
    vv += v[..., 2] * v[..., 2]
    k = (-0.5 * air_density_kg_m3(h)) * np.sqrt(vv) * inv_beta
    return np.asarray(v * k[..., None])


def ballistic_drag_derivative_columns(
    y: FloatArray, inv_beta: FloatArray | float, j2: float, gm: float, omega: float
) -> FloatArray:
    """d/dt ``[v; a]`` of states stored as columns ``(6, n)`` with drag: ``a`` is
    :func:`ballistic_acceleration` plus :func:`drag_acceleration` (``inv_beta`` a float or
    ``(n,)``), their operations in the same order, so the same bits. ``|r|²`` is formed
    once for both (the sums of :func:`_accel_j2` and :func:`radial_height_m` are alike)."""
    k_j2, c_j2, w2, cor = _columns_constants(j2, omega)
    out = np.empty_like(y)
    v = y[3:]
    out[:3] = v
    r = y[:3]
    rr = r * r
    r2 = rr[0] + rr[1]
    r2 += rr[2]
    neg_mu_r3 = (-gm) / (r2 * np.sqrt(r2))
    k = k_j2 / r2
    s2 = rr[2] / r2
    np.multiply(r, (1.0 + k * (c_j2 - 5.0 * s2)) * neg_mu_r3, out=out[3:])
    out[3:5] += y[4:2:-1] * cor + w2 * r[:2]
    # drag: radial_height_m's height, then drag_acceleration's factor
    h = np.sqrt(r2) - _AB / np.sqrt(_B2 * (1.0 - s2) + _A2 * s2)
    vv = v[0] * v[0] + v[1] * v[1]
    vv += v[2] * v[2]
    out[3:] += v * ((-0.5 * air_density_kg_m3(h)) * np.sqrt(vv) * inv_beta)
    return out


def gravity_gradient_j2(
    r_m: FloatArray, j2: float = J2, gm: float = GM_M3_S2, a_m: float = A_M
) -> FloatArray:
    """Analytic ∂g/∂r ``(..., 3, 3)`` of the point-mass + J2 gravity of ``accel_j2``.

    With K = 3/2 J2 μ a²: g_x = x f_xy, g_y = y f_xy, g_z = z f_z, where
    f_xy = −μ/r³ − K/r⁵ + 5K z²/r⁷ and f_z = −μ/r³ − 3K/r⁵ + 5K z²/r⁷ (Vallado 4th ed.,
    eq. 8-30 in Cartesian form). Then ∂g_i/∂r_j = δ_ij f_i + r_i ∂f_i/∂r_j with
    ∂f_xy/∂r = (3μ/r⁵ + 5K/r⁷ − 35K z²/r⁹) r + (10K z/r⁷) e_z and
    ∂f_z/∂r  = (3μ/r⁵ + 15K/r⁷ − 35K z²/r⁹) r + (10K z/r⁷) e_z.
    """
    r = np.asarray(r_m, dtype=np.float64)
    z = r[..., 2]
    r2 = np.sum(r * r, axis=-1)
    rn = np.sqrt(r2)
    k = 1.5 * j2 * gm * a_m * a_m
    ir3 = 1.0 / (r2 * rn)
    ir5 = ir3 / r2
    ir7 = ir5 / r2
    ir9 = ir7 / r2
    z2 = z * z
    f_xy = -gm * ir3 - k * ir5 + 5.0 * k * z2 * ir7
    f_z = -gm * ir3 - 3.0 * k * ir5 + 5.0 * k * z2 * ir7
    c_xy = 3.0 * gm * ir5 + 5.0 * k * ir7 - 35.0 * k * z2 * ir9
    c_z = 3.0 * gm * ir5 + 15.0 * k * ir7 - 35.0 * k * z2 * ir9
    ez = 10.0 * k * z * ir7
    grad_xy = c_xy[..., None] * r
    grad_xy[..., 2] += ez
    grad_z = c_z[..., None] * r
    grad_z[..., 2] += ez
    g = np.empty((*r.shape[:-1], 3, 3))
    g[..., 0, :] = r[..., 0, None] * grad_xy
    g[..., 1, :] = r[..., 1, None] * grad_xy
    g[..., 2, :] = r[..., 2, None] * grad_z
    g[..., 0, 0] += f_xy
    g[..., 1, 1] += f_xy
    g[..., 2, 2] += f_z
    return g


# --------------------------------------------------------------------------------------------
# ballistic_rk4_states
# --------------------------------------------------------------------------------------------


def ballistic_rk4_states(
    x: FloatArray, h: float, steps: int, j2: float, gm: float, omega: float
) -> tuple[FloatArray, FloatArray]:
    """``steps`` classical RK4 sub-steps of length ``h`` of ballistic states ``(n, 6)``
    (:func:`ballistic_acceleration`): the final states and ``G − W W`` (the gravity
    gradient plus Ω² on the two horizontal diagonal entries, what Φ's equation needs) at
    the four stages of every sub-step, ``(4, steps, n, 3, 3)``.

    Python floats up to :data:`RK4_ROWS_MAX` states, numpy beyond; the same bits.
    """
    if x.shape[0] <= RK4_ROWS_MAX:
        return _ballistic_rk4_states_rows(x, h, steps, j2, gm, omega)
    return _ballistic_rk4_states_array(x, h, steps, j2, gm, omega)


def _field_array(
    x: FloatArray, j2: float, gm: float, omega: float
) -> tuple[FloatArray, FloatArray]:
    """Acceleration ``(n, 3)`` and ``G − W W`` ``(n, 3, 3)`` at states ``(n, 6)``."""
    g = gravity_gradient_j2(x[:, :3], j2=j2, gm=gm)
    g[:, 0, 0] += omega * omega
    g[:, 1, 1] += omega * omega
    return ballistic_acceleration(x, j2, gm, omega), g


def _ballistic_rk4_states_array(
    x: FloatArray, h: float, steps: int, j2: float, gm: float, omega: float
) -> tuple[FloatArray, FloatArray]:
    """:func:`ballistic_rk4_states` in numpy, all states at once (the reference)."""
    gs: list[FloatArray] = []
    for _ in range(steps):
        ks: list[FloatArray] = []
        g_step: list[FloatArray] = []
        xi = x
        for ci in (0.5 * h, 0.5 * h, h, 0.0):
            a, g = _field_array(xi, j2, gm, omega)
            ks.append(np.concatenate((xi[:, 3:], a), axis=1))
            g_step.append(g)
            if ci:
                xi = x + ci * ks[-1]
        # x + (k1 + 2 k2 + 2 k3 + k4) h/6, summed left to right
        acc = ks[0] + 2.0 * ks[1]
        acc += 2.0 * ks[2]
        acc += ks[3]
        acc *= h / 6.0
        x = x + acc
        gs.append(np.stack(g_step))
    return x, np.stack(gs, axis=1)


FieldFn = Callable[[float, float, float, float, float], tuple[float, ...]]


@lru_cache(maxsize=8)
def _field_rows_fn(j2: float, gm: float, omega: float) -> FieldFn:
    """``f(x, y, z, vx, vy)`` → the apparent acceleration (3 values) then ``G − W W`` row by
    row (9 values) of one state, in Python floats: the operations of :func:`_field_array`
    (:func:`_accel_j2`, the Coriolis/centrifugal terms of :func:`ballistic_acceleration`,
    :func:`gravity_gradient_j2`) in the same order, so the same bits.
    """
    kc = 1.5 * j2 * (A_M * A_M)  # acceleration: K/r² = kc/r²
    k = 1.5 * j2 * gm * A_M * A_M  # gradient
    k5, k3, k35, k15, k10, gm3 = 5.0 * k, 3.0 * k, 35.0 * k, 15.0 * k, 10.0 * k, 3.0 * gm
    c2, ww = 2.0 * omega, omega * omega

    def field(x: float, y: float, z: float, vx: float, vy: float) -> tuple[float, ...]:
        z2 = z * z
        r2 = x * x + y * y + z2
        r2rn = r2 * math.sqrt(r2)
        # acceleration (_accel_j2, then −2 ω×v − ω×(ω×r) on the horizontal axes)
        neg_mu_r3 = -(gm / r2rn)
        kr = kc / r2
        five_s2 = 5.0 * (z2 / r2)
        fxy = neg_mu_r3 * (1.0 + kr * (1.0 - five_s2))
        fz = neg_mu_r3 * (1.0 + kr * (3.0 - five_s2))
        # gradient (gravity_gradient_j2; shared subexpressions computed once, which
        # changes no operation)
        ir3 = 1.0 / r2rn
        ir5 = ir3 / r2
        ir7 = ir5 / r2
        ir9 = ir7 / r2
        mu3, zk5 = -gm * ir3, k5 * z2 * ir7
        f_xy = mu3 - k * ir5 + zk5
        f_z = mu3 - k3 * ir5 + zk5
        mu5, zk35 = gm3 * ir5, k35 * z2 * ir9
        c_xy = mu5 + k5 * ir7 - zk35
        c_z = mu5 + k15 * ir7 - zk35
        ez = k10 * z * ir7
        gx, gy, gz = c_xy * x, c_xy * y, c_xy * z + ez
        hx, hy, hz = c_z * x, c_z * y, c_z * z + ez
        return (
            x * fxy + (vy * c2 + ww * x),
            y * fxy + (vx * -c2 + ww * y),
            fz * z,
            (x * gx + f_xy) + ww,
            x * gy,
            x * gz,
            y * gx,
            (y * gy + f_xy) + ww,
            y * gz,
            z * hx,
            z * hy,
            z * hz + f_z,
        )

    return field


def _ballistic_rk4_states_rows(
    x: FloatArray, h: float, steps: int, j2: float, gm: float, omega: float
) -> tuple[FloatArray, FloatArray]:
    """:func:`ballistic_rk4_states` in Python floats, state after state."""
    n = x.shape[0]
    field = _field_rows_fn(j2, gm, omega)
    c, h6 = 0.5 * h, h / 6.0
    # G − W W by (stage, sub-step), each list track after track
    g_lists: list[list[list[float]]] = [[[] for _ in range(steps)] for _ in range(4)]
    g1s, g2s, g3s, g4s = g_lists
    out: list[tuple[float, ...]] = []
    for px, py, pz, vx, vy, vz in x.tolist():
        for g1, g2, g3, g4 in zip(g1s, g2s, g3s, g4s, strict=True):
            # k_i = (velocity, acceleration) at stage i; stage states x + c_i k_(i-1)
            f1 = field(px, py, pz, vx, vy)
            p2x, p2y, p2z = px + c * vx, py + c * vy, pz + c * vz
            v2x, v2y, v2z = vx + c * f1[0], vy + c * f1[1], vz + c * f1[2]
            f2 = field(p2x, p2y, p2z, v2x, v2y)
            p3x, p3y, p3z = px + c * v2x, py + c * v2y, pz + c * v2z
            v3x, v3y, v3z = vx + c * f2[0], vy + c * f2[1], vz + c * f2[2]
            f3 = field(p3x, p3y, p3z, v3x, v3y)
            p4x, p4y, p4z = px + h * v3x, py + h * v3y, pz + h * v3z
            v4x, v4y, v4z = vx + h * f3[0], vy + h * f3[1], vz + h * f3[2]
            f4 = field(p4x, p4y, p4z, v4x, v4y)
            # x + (k1 + 2 k2 + 2 k3 + k4) h/6, summed left to right
            px = px + (vx + 2.0 * v2x + 2.0 * v3x + v4x) * h6
            py = py + (vy + 2.0 * v2y + 2.0 * v3y + v4y) * h6
            pz = pz + (vz + 2.0 * v2z + 2.0 * v3z + v4z) * h6
            vx = vx + (f1[0] + 2.0 * f2[0] + 2.0 * f3[0] + f4[0]) * h6
            vy = vy + (f1[1] + 2.0 * f2[1] + 2.0 * f3[1] + f4[1]) * h6
            vz = vz + (f1[2] + 2.0 * f2[2] + 2.0 * f3[2] + f4[2]) * h6
            g1 += f1[3:]
            g2 += f2[3:]
            g3 += f3[3:]
            g4 += f4[3:]
        out.append((px, py, pz, vx, vy, vz))
    g_all: list[float] = []
    for per_step in g_lists:
        for values in per_step:
            g_all += values
    return np.array(out).reshape(n, 6), np.array(g_all).reshape(4, steps, n, 3, 3)


# --------------------------------------------------------------------------------------------
# candidate_pairs
# --------------------------------------------------------------------------------------------

PregateFn = Callable[[], tuple[FloatArray, FloatArray, FloatArray]]


def candidate_pairs(n: int, m: int, pregate: PregateFn) -> tuple[IntArray, IntArray]:
    """The (track, measurement) pairs ``(rows, cols)`` worth the exact gate test, rows
    ascending and columns ascending within a row, among ``n`` tracks and ``m``
    measurements.

    ``pregate()`` gives the tracks' positions ``(n, 3)``, their pre-gate radii ``(n,)`` and
    the measurements' positions ``(m, 3)``; the pairs are those within the radius. Up to
    :data:`ALL_PAIRS_MAX` pairs it is not called and every pair is a candidate (the same
    gated pairs as long as the pre-gate contains the gate, which its radius is for);
    beyond, a kd-tree on the measurements finds the pairs within the radius.
    """
    if n * m <= ALL_PAIRS_MAX:
        return _all_pairs(n, m)
    return _near_pairs_tree(*pregate())


@lru_cache(maxsize=256)
def _all_pairs(n: int, m: int) -> tuple[IntArray, IntArray]:
    """Every (track, measurement) pair, rows ascending as ``np.nonzero`` gives them."""
    rows = np.repeat(np.arange(n, dtype=np.int64), m)
    cols = np.tile(np.arange(m, dtype=np.int64), n)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


def _near_pairs_tree(
    pos: FloatArray, radius: FloatArray, z_pos: FloatArray
) -> tuple[IntArray, IntArray]:
    """Pairs within ``radius``, found with a kd-tree on the measurements."""
    n = pos.shape[0]
    tree = cKDTree(z_pos)
    hits_lists = tree.query_ball_point(pos, r=radius, return_sorted=True)
    counts = np.fromiter(map(len, hits_lists), dtype=np.int64, count=n)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    cols = np.fromiter(chain.from_iterable(hits_lists), dtype=np.int64, count=int(counts.sum()))
    return rows, cols


# --------------------------------------------------------------------------------------------
# median
# --------------------------------------------------------------------------------------------


def median(x: FloatArray) -> float:
    """``float(np.median(x))`` of a 1-D array, bit for bit (NaN if any value is NaN).

    A sorted Python list up to :data:`MEDIAN_LIST_MAX` values, ``np.median`` beyond (and
    for an empty array, whose NaN and warning are numpy's)."""
    if 0 < x.shape[0] <= MEDIAN_LIST_MAX:
        return _median_list(x)
    return _median_array(x)


def _median_array(x: FloatArray) -> float:
    """:func:`median` by ``np.median`` (the reference)."""
    return float(np.median(x))


def _median_list(x: FloatArray) -> float:
    """:func:`median` of a non-empty array by sorting a list: the middle value, or the mean
    ``(a + b) / 2`` of the middle two (what np.median's mean computes); NaN if any is NaN."""
    v = sorted(x.tolist())
    if any(map(math.isnan, v)):
        return math.nan
    m = len(v) // 2
    return float(v[m]) if len(v) % 2 else (v[m - 1] + v[m]) / 2.0


# --------------------------------------------------------------------------------------------
# los_gated_pairs
# --------------------------------------------------------------------------------------------


class LosTrack(Protocol):
    """What the IR gate reads of a 2-D track (``earlywarn.center.ir.records.SatTrack``):
    its LOS predictor ``p + w τ + a τ²/2`` (``τ = t − last_t``), the predictor's order and
    fit span (s), the range to the Earth along its last LOS (m) and its LOS sigmas (rad)."""

    @property
    def p(self) -> FloatArray: ...
    @property
    def w(self) -> FloatArray: ...
    @property
    def a(self) -> FloatArray: ...
    @property
    def last_t(self) -> float: ...
    @property
    def order(self) -> int: ...
    @property
    def span_s(self) -> float: ...
    @property
    def range_m(self) -> float: ...
    @property
    def sigma_rad(self) -> FloatArray: ...


def los_gated_pairs(
    tracks: Sequence[LosTrack],
    t: FloatArray,
    los: FloatArray,
    sigma: FloatArray,
    rng_m: FloatArray,
    gate_sigma: float,
    max_speed_m_s: float,
    max_accel_m_s2: float,
) -> list[tuple[float, int, int]]:
    """The pairs ``(chord / gate, track, detection)`` of one frame within the gate, best first.

    Detection ``j`` (time ``t[j]``, unit LOS ``los[j]``, sigma ``sigma[j]``, range to the
    Earth ``rng_m[j]``) is within track ``i``'s gate when the chord between its LOS and the
    track's predicted one is at most ``gate_sigma · max(σ_track, σ_j) · c + margin``, with
    ``c`` = √2, 2, 3 for a predictor of order 0, 1, 2, and the margin the apparent motion of
    ``max_speed_m_s`` (order 0) or ``max_accel_m_s2`` of unmodelled acceleration (order ≥ 1)
    at the nearer of the two ranges. Pairs are ranked by chord / gate, then track, then
    detection. Python floats up to :data:`LOS_GATE_ROWS_MAX` pairs, numpy beyond; the same
    pairs in the same order, their distances equal to rounding.
    """
    if len(tracks) * t.shape[0] <= LOS_GATE_ROWS_MAX:
        fn = _los_gated_pairs_rows
    else:
        fn = _los_gated_pairs_array
    return fn(tracks, t, los, sigma, rng_m, gate_sigma, max_speed_m_s, max_accel_m_s2)


def _los_gated_pairs_array(
    tracks: Sequence[LosTrack],
    t: FloatArray,
    los: FloatArray,
    sigma: FloatArray,
    rng_m: FloatArray,
    gate_sigma: float,
    max_speed_m_s: float,
    max_accel_m_s2: float,
) -> list[tuple[float, int, int]]:
    """:func:`los_gated_pairs` on the whole tracks × detections matrix (the reference)."""
    p = np.stack([tr.p for tr in tracks])
    w = np.stack([tr.w for tr in tracks])
    a = np.stack([tr.a for tr in tracks])
    t_anchor = np.array([tr.last_t for tr in tracks])
    order = np.array([tr.order for tr in tracks])
    span = np.array([tr.span_s for tr in tracks])
    rng = np.array([tr.range_m for tr in tracks])
    sig_tr = np.array([tr.sigma_rad[-1] for tr in tracks])
    dt = t[None, :] - t_anchor[:, None]  # (T, D)
    pred = p[:, None, :] + w[:, None, :] * dt[..., None] + 0.5 * a[:, None, :] * dt[..., None] ** 2
    pred = pred / np.linalg.norm(pred, axis=-1, keepdims=True)
    d = np.linalg.norm(los[None, :, :] - pred, axis=-1)  # chord ≈ angle
    sig = np.maximum(sig_tr[:, None], sigma[None, :])
    r = np.minimum(rng[:, None], rng_m[None, :])
    rate_margin = max_speed_m_s / r * np.abs(dt)
    acc_margin = 0.5 * max_accel_m_s2 / r * (np.abs(dt) + 0.5 * span[:, None]) ** 2
    scale = np.where(order == 0, math.sqrt(2.0), np.where(order == 1, 2.0, 3.0))[:, None]
    gate = gate_sigma * sig * scale + np.where(order[:, None] == 0, rate_margin, acc_margin)
    ok = d <= gate
    if not ok.any():
        return []
    ti, di = np.nonzero(ok)
    cost = d[ti, di] / gate[ti, di]
    rank = np.lexsort((di, ti, cost))
    return list(zip(cost[rank].tolist(), ti[rank].tolist(), di[rank].tolist(), strict=True))


def _los_gated_pairs_rows(
    tracks: Sequence[LosTrack],
    t: FloatArray,
    los: FloatArray,
    sigma: FloatArray,
    rng_m: FloatArray,
    gate_sigma: float,
    max_speed_m_s: float,
    max_accel_m_s2: float,
) -> list[tuple[float, int, int]]:
    """:func:`los_gated_pairs` pair by pair in Python floats."""
    tl, ll, sl, rl = t.tolist(), los.tolist(), sigma.tolist(), rng_m.tolist()
    cand: list[tuple[float, int, int]] = []
    for i, tr in enumerate(tracks):
        px, py, pz = tr.p.tolist()
        wx, wy, wz = tr.w.tolist()
        ax, ay, az = tr.a.tolist()
        t0, order, span, rng = tr.last_t, tr.order, tr.span_s, tr.range_m
        sig_tr = float(tr.sigma_rad[-1])
        scale = math.sqrt(2.0) if order == 0 else (2.0 if order == 1 else 3.0)
        for j, tj in enumerate(tl):
            dt = tj - t0
            h = 0.5 * dt * dt
            qx, qy, qz = px + wx * dt + ax * h, py + wy * dt + ay * h, pz + wz * dt + az * h
            qn = math.sqrt(qx * qx + qy * qy + qz * qz)
            lx, ly, lz = ll[j]
            ex, ey, ez = lx - qx / qn, ly - qy / qn, lz - qz / qn
            d = math.sqrt(ex * ex + ey * ey + ez * ez)
            r = min(rng, rl[j])
            if order == 0:
                margin = max_speed_m_s / r * abs(dt)
            else:
                g = abs(dt) + 0.5 * span
                margin = 0.5 * max_accel_m_s2 / r * (g * g)
            gate = gate_sigma * max(sig_tr, sl[j]) * scale + margin
            if d <= gate:
                cand.append((d / gate, i, j))
    cand.sort()
    return cand


# --------------------------------------------------------------------------------------------
# ground_range_m (and ray_hit_m, its reference's arithmetic at any height)
# --------------------------------------------------------------------------------------------


def ray_hit_m(
    s: FloatArray, u: FloatArray, h_m: FloatArray | float, far: BoolArray | bool = False
) -> FloatArray:
    """Distance along rays ``s + λu`` (``(..., 3)``, ``u`` unit) to the WGS84 ellipsoid
    inflated by ``h_m``: its near crossing (the far one where ``far``); where a ray misses
    that surface, the distance of its closest approach to it."""
    a = A_M + np.asarray(h_m, dtype=np.float64)
    b = B_M + np.asarray(h_m, dtype=np.float64)
    sx, sy, sz = s[..., 0] / a, s[..., 1] / a, s[..., 2] / b
    ux, uy, uz = u[..., 0] / a, u[..., 1] / a, u[..., 2] / b
    qa = ux * ux + uy * uy + uz * uz
    qb = sx * ux + sy * uy + sz * uz
    qc = sx * sx + sy * sy + sz * sz - 1.0
    disc = qb * qb - qa * qc
    root = np.sqrt(np.maximum(disc, 0.0))
    cross = -qb - root if far is False else np.where(far, -qb + root, -qb - root)
    lam = np.where(disc >= 0.0, cross / qa, -qb / qa)
    return np.asarray(lam, dtype=np.float64)


def ground_range_m(s: FloatArray, u: FloatArray) -> FloatArray:
    """``ray_hit_m(s, u, 0.0)`` of rays ``(n, 3)``: Python floats up to
    :data:`GROUND_RANGE_ROWS_MAX` rays, numpy beyond; the same bits."""
    if s.shape[0] <= GROUND_RANGE_ROWS_MAX:
        return _ground_range_rows(s, u)
    return _ground_range_array(s, u)


def _ground_range_array(s: FloatArray, u: FloatArray) -> FloatArray:
    """:func:`ground_range_m` by :func:`ray_hit_m` (the reference)."""
    return ray_hit_m(s, u, 0.0)


def _ground_range_rows(s: FloatArray, u: FloatArray) -> FloatArray:
    """:func:`ground_range_m` ray by ray: :func:`ray_hit_m`'s operations in the same order."""
    a, b = A_M + 0.0, B_M + 0.0
    out = []
    for (px, py, pz), (dx, dy, dz) in zip(s.tolist(), u.tolist(), strict=True):
        sx, sy, sz = px / a, py / a, pz / b
        ux, uy, uz = dx / a, dy / a, dz / b
        qa = ux * ux + uy * uy + uz * uz
        qb = sx * ux + sy * uy + sz * uz
        qc = sx * sx + sy * sy + sz * sz - 1.0
        disc = qb * qb - qa * qc
        out.append((-qb - math.sqrt(disc)) / qa if disc >= 0.0 else -qb / qa)
    return np.array(out, dtype=np.float64)
