"""Characterisation of a ballistic object: impact point and ellipse, impact time, trajectory
type, and the non-threat types (orbit, sounding rocket, impact outside every defended area).

Everything here works from a state estimate ``x = [r, v]`` (ECEF, SI) with its 6×6
covariance; it never sees truth. The physics is the center's own model: free flight under
J2 gravity in the rotating Earth-fixed frame (:class:`earlywarn.center.motion.BallisticJ2`)
and, below :data:`~earlywarn.center.kernels.DRAG_TOP_M` (120 km), drag ``½ ρ v² / β``
along the Earth-fixed velocity (the atmosphere turns with the Earth, no wind; ρ from
:mod:`earlywarn.earth.atmosphere`, USSA76 to 86 km) with the ballistic coefficient
``β = m/(C_D A)`` of the event's class (:mod:`earlywarn.center.priors`: the re-entry
vehicle of a missile, the body of an SRBM, a sounding rocket's payload). Without drag an
RV of β ≈ 10⁴ kg/m² lands ~3 s early and a few hundred metres short, a tumbling stage
(β ~ 300 kg/m²) minutes early and tens of km short. The prediction in vacuum is kept
(``beta=None``) for the backward trace to a launch point (the powered phase is not
modelled there anyway) and for callers who want it.

Impact prediction (:func:`predict_impact`) uses the unscented transform: the 13 sigma
points ``x̂ ± √(6P)`` columns (κ = 0, weights 1/12; Julier & Uhlmann 2004, *Proc. IEEE*
92:401) are propagated together (vectorised RK4, 60 s steps: against 10 s steps the
impact of a 1,900 s ICBM arc moves by under 1.5 m; 90 s steps while every point stays
more than 250 km up, which moves an ICBM impact by under 30 m), each to the first
crossing of the WGS84 ellipsoid (height 0), refined by Newton steps on the height along
the cubic Hermite interpolant of the bracketing step and one RK4 step to the root. With drag
each sample takes its own steps: the free-flight ones above the atmosphere, one to its top,
then in it shorter ones: it may fall in one step to where its drag reaches 0.2 m/s², then
by at most 10 km of height per step, and at most 0.3 of the drag time scale ``2β/(ρ v)``
(taken at no less than the terminal speed). Against steps ten times finer the impact
moves by under 0.05 s and 20 m (RVs, warheads, light tumbling stages), and against the
flight model's 1 s steps (its own density table) by under 0.1 s and 100 m.

β is log-normal (median, σ of ln β), independent of the state: two more points at the
mean state with ``β̄ e^(±√3 σ)`` give, with the mean state's own impact, the three-point
Gauss–Hermite quadrature of its share of the impact time and position (weights 2/3, 1/6,
1/6), added to the state's unscented moments (cross terms neglected). Against a Monte
Carlo over the prior its impact-time sigma is within 25 % (the symmetric unscented
placement at ``±√7 σ`` overstated it by a third: the impact time is far from linear in
ln β). 15 points in all, propagated together. The impact points' spread in the local
east-north plane at the mean impact gives the ellipse; semi-axes are the 95 %
containment ellipse (√χ²₂(0.95) = 2.448 σ), orientation of the semi-major axis in degrees
clockwise from north in [0, 180).

Trajectory type compares the flight-path angle γ at burnout with the minimum-energy angle
for the same free-flight range angle Ψ between two points at the burnout radius,
γ_me = (π − Ψ)/4 (spherical Earth, inertial frame; Regan & Anandakrishnan 1993,
*Dynamics of Atmospheric Re-Entry*, §2). Lofted when γ > γ_me + margin, depressed when
γ < γ_me − margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from earlywarn.center.compiled import bracket_drag_samples, rk4_columns, rk4_grid
from earlywarn.center.kernels import (
    DRAG_TOP_M,
    LN_RHO,
    LN_RHO_H_M,
    air_density_kg_m3,
    ballistic_derivative_columns,
    ballistic_drag_derivative_columns,
    height_of_density_m,
)
from earlywarn.center.motion import BallisticJ2
from earlywarn.center.priors import BallisticCoefficientPrior
from earlywarn.center.vocabulary import TrajectoryType
from earlywarn.earth.constants import A_M, B_M, GM_M3_S2, OMEGA_RAD_S, R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef, great_circle

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "ImpactEstimate",
    "ImpactRequest",
    "OrbitSummary",
    "classify_trajectory",
    "ground_distance_m",
    "orbit_summary",
    "predict_impact",
    "predict_impacts",
    "propagate",
    "propagate_to_height",
    "sqrt_psd",
]

_CHI2_2_95 = math.sqrt(5.991464547107979)  # √χ²₂(0.95)
# unscented-transform weights of the 13 sigma points (κ = 0: none on the centre point)
_UT_WEIGHTS = np.concatenate([[0.0], np.full(12, 1.0 / 12)])
_UT_WEIGHTS.setflags(write=False)
# ln β: three-point Gauss–Hermite quadrature of a normal variable, nodes 0 and ±√3 σ with
# weights 2/3 and 1/6 (exact for polynomials of degree 5)
_GH3 = math.sqrt(3.0)
_GH3_WEIGHTS = np.array([2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0])
_GH3_WEIGHTS.setflags(write=False)
_GH3_POINTS = [0, 13, 14]  # the rows of those nodes among the 15 points
_MODEL = BallisticJ2(q=0.0)
_CONSTANTS = (_MODEL.j2, _MODEL.gm_m3_s2, _MODEL.omega_rad_s)

_A2, _B2 = A_M * A_M, B_M * B_M
_BIG_STEP_MARGIN_M = 250e3  # longer RK4 steps only this far above the target height
_BIG = 1.5  # the longer step, in units of ``step_s``
# steps in the atmosphere (drag): at most this height change once drag is felt, this
# fraction of the drag time scale v/a_D, never shorter than the minimum (module docstring)
_DRAG_DZ_M = 10e3
_DRAG_TAU = 0.3
_DRAG_MIN_STEP_S = 0.05
_DRAG_WEAK_M_S2 = 0.2  # drag this weak may grow from nothing within one step
_ENTRY_MIN_STEP_S = 1.0  # a step to the atmosphere's top is at least this long
_G_M_S2 = 9.8  # for the step size only

# the compiled loops' constants (:mod:`~earlywarn.center.compiled`): the big steps, the
# drag's top, the J2 field and the ellipsoid, the atmospheric steps and the density table
_K_J2 = 1.5 * _CONSTANTS[0] * (A_M * A_M)
_STEP_PARAMS = np.array([_BIG, _BIG_STEP_MARGIN_M, 0.0, DRAG_TOP_M, _ENTRY_MIN_STEP_S])
_OMEGA = _CONSTANTS[2]
_FIELD = np.array([_K_J2, _CONSTANTS[1], _OMEGA * _OMEGA, 2.0 * _OMEGA, A_M * B_M, _B2, _A2])
_ATM_PARAMS = np.array([_DRAG_WEAK_M_S2, _DRAG_DZ_M, _DRAG_TAU, _DRAG_MIN_STEP_S, _G_M_S2])
_NEG_LN_RHO = np.ascontiguousarray(-LN_RHO)


# The propagation below keeps states as the columns of ``(6, n)`` arrays: each component is
# then one contiguous row, and numpy's per-call overhead (which, on 13 sigma points, is the
# whole cost) is lowest. The public functions take and return ``(n, 6)``.


def _sum3(q: FloatArray) -> FloatArray:
    """``q[0] + q[1] + q[2]`` of a ``(3, n)`` array: the order of ``np.sum(axis=-1)`` on
    ``(n, 3)`` rows (three terms are added left to right), so the same bits."""
    s = q[0] + q[1]
    s += q[2]
    return s


def _deriv(y: FloatArray) -> FloatArray:
    """d/dt of states stored as columns ``(6, n)``: ``[v; a]`` with ``a`` the apparent
    acceleration of :meth:`BallisticJ2.acceleration` (J2 gravity, Coriolis, centrifugal),
    the same bits, so the impact prediction uses exactly the tracker's physics."""
    return ballistic_derivative_columns(y, *_CONSTANTS)


def _rk4(y: FloatArray, h: float | FloatArray, inv_beta: FloatArray | None = None) -> FloatArray:
    """One classical RK4 step of states ``(6, n)``, of length ``h`` (a float, or ``(n,)``),
    with drag when ``inv_beta`` (1/β per state, ``(n,)``) is given. In free flight the
    compiled loop (:func:`~earlywarn.center.compiled.rk4_columns`, the same bits as
    :func:`_rk4_array`); with drag :func:`_rk4_array` (once per prediction)."""
    if inv_beta is None:
        hs = np.ascontiguousarray(np.broadcast_to(np.asarray(h, dtype=np.float64), y.shape[1:]))
        return rk4_columns(np.ascontiguousarray(y), hs, _FIELD, LN_RHO_H_M, LN_RHO)
    return _rk4_array(y, h, inv_beta)


def _rk4_array(
    y: FloatArray, h: float | FloatArray, inv_beta: FloatArray | None = None
) -> FloatArray:
    """:func:`_rk4` in numpy over all the columns at once (its reference with drag)."""
    half = 0.5 * h
    if inv_beta is None:
        k1 = _deriv(y)
        k2 = _deriv(y + half * k1)
        k3 = _deriv(y + half * k2)
        k4 = _deriv(y + h * k3)
    else:
        k1 = ballistic_drag_derivative_columns(y, inv_beta, *_CONSTANTS)
        k2 = ballistic_drag_derivative_columns(y + half * k1, inv_beta, *_CONSTANTS)
        k3 = ballistic_drag_derivative_columns(y + half * k2, inv_beta, *_CONSTANTS)
        k4 = ballistic_drag_derivative_columns(y + h * k3, inv_beta, *_CONSTANTS)
    # (h/6)(k1 + 2 k2 + 2 k3 + k4), summed left to right, in place in one temporary
    acc = k1 + 2.0 * k2
    acc += 2.0 * k3
    acc += k4
    acc *= h / 6.0
    return np.asarray(y + acc)


def _columns(x: npt.ArrayLike) -> FloatArray:
    """States ``(n, 6)`` (or one ``(6,)``) as the columns of a contiguous ``(6, n)`` array."""
    return np.ascontiguousarray(np.atleast_2d(np.asarray(x, dtype=np.float64)).T)


def propagate(x: npt.ArrayLike, dt_s: float, max_step_s: float = 60.0) -> FloatArray:
    """Free-flight propagation of states ``(n, 6)`` by ``dt_s`` (either sign), RK4."""
    if dt_s == 0.0:
        return np.atleast_2d(np.asarray(x, dtype=np.float64)).copy()
    y = _columns(x)
    steps = max(1, math.ceil(abs(dt_s) / max_step_s))
    h = float(dt_s / steps)
    for _ in range(steps):
        y = _rk4(y, h)
    return np.ascontiguousarray(y.T)


def propagate_grid(x: npt.ArrayLike, step_s: float, n_steps: int) -> FloatArray:
    """States ``(n, 6)`` at ``0, step_s, …, n_steps · step_s``: ``(n_steps + 1, n, 6)``."""
    return rk4_grid(_columns(x), float(step_s), int(n_steps), _FIELD, LN_RHO_H_M, LN_RHO)


def _height(r: FloatArray) -> FloatArray:
    """Geodetic height of positions stored as columns ``(3, n)``."""
    return np.asarray(ecef_to_geodetic(r.T)[2])


def _radial(r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Height above the ellipsoid along the radius (cheap; for bracketing only), and
    ``|r|``, of positions stored as columns ``(3, n)``.

    ``|r| − R(φc)`` with ``R(φc) = ab/√(b² cos²φc + a² sin²φc)`` the ellipsoid radius at
    the geocentric latitude. It differs from the geodetic height by ``h(1 − cos δ)`` with
    δ ≤ 0.19° the angle between radius and normal: under 6 m at 1,000 km, so the bracket it
    finds is the geodetic one; the Newton refinement uses the exact height.
    """
    rn2 = _sum3(r * r)
    rn = np.sqrt(rn2)
    s2 = r[2] ** 2 / rn2
    return rn - A_M * B_M / np.sqrt(_B2 * (1.0 - s2) + _A2 * s2), rn


def _hermite_newton(
    y0: FloatArray, y1: FloatArray, hs: FloatArray, h_m: float, iterations: int
) -> FloatArray:
    """Time ``τ`` (n,) into steps of ``hs`` (n,) s from the states ``y0`` to ``y1`` (6, n)
    where the height is ``h_m``: Newton steps ``τ ← τ − (h(τ) − h_m)/ḣ(τ)`` with position
    and velocity on the cubic Hermite interpolant of the step (error ~h⁴|r⁗|/384, about a
    metre for 60 s steps) and ḣ the radial speed, ``τ`` kept within the step.

    The start is the secant of the radial heights at the step's ends (linear in time):
    from there three Newton steps come within ~1 mm of the converged root (measured on the
    reference scenario's predictions; two leave up to ~10 m), where four were needed from
    ``τ = 0``; the step count is the cost (each evaluates the geodetic height).
    """
    p0, v0, p1, v1 = y0[:3], y0[3:] * hs, y1[:3], y1[3:] * hs
    dp = p0 - p1
    lo, hi = np.minimum(hs, 0.0), np.maximum(hs, 0.0)
    h0, h1 = _radial(p0)[0], _radial(p1)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.clip(hs * ((h0 - h_m) / (h0 - h1)), lo, hi)
        for _ in range(iterations):
            s = tau / hs
            s2 = s * s
            s3 = s2 * s
            s2_3, s3_2 = 3.0 * s2, 2.0 * s3
            rr = (
                (s3_2 - 3.0 * s2 + 1.0) * p0
                + (s3 - 2.0 * s2 + s) * v0
                + (s2_3 - s3_2) * p1
                + (s3 - s2) * v1
            )
            vv = (
                (6.0 * s2 - 6.0 * s) * dp + (s2_3 - 4.0 * s + 1.0) * v0 + (s2_3 - 2.0 * s) * v1
            ) / hs
            up = rr / np.sqrt(_sum3(rr * rr))
            tau = np.clip(tau - (_height(rr) - h_m) / _sum3(vv * up), lo, hi)
    return tau


def _atmospheric_steps_s(
    y: FloatArray, hr: FloatArray, vr: FloatArray, inv_beta: FloatArray, h_max: FloatArray
) -> FloatArray:
    """Each sample's step in the atmosphere (see the module docstring): it may fall in one
    step to where its drag reaches ``_DRAG_WEAK_M_S2`` at its present speed, then by at most
    ``_DRAG_DZ_M`` (under ``g`` from its radial speed ``vr``); and at most ``_DRAG_TAU`` of
    its drag time scale ``v/a_D = 2β/(ρ v)``, taken at no less than the terminal speed
    ``v_t = √(2βg/ρ)`` (a slow body is brought to it in ``v_t/g``)."""
    k = (0.5 * air_density_kg_m3(hr)) * inv_beta  # a_D = k v²
    vv = _sum3(y[3:] * y[3:])
    vn = np.sqrt(vv)
    with np.errstate(divide="ignore"):
        h_weak = height_of_density_m(2.0 * _DRAG_WEAK_M_S2 / (inv_beta * vv))
    drop = np.maximum(_DRAG_DZ_M, hr - h_weak)
    avr = np.abs(vr)
    t_drop = (np.sqrt(avr * avr + 2.0 * _G_M_S2 * drop) - avr) / _G_M_S2
    rate_drag = np.maximum(k * vn, np.sqrt(_G_M_S2 * k)) / _DRAG_TAU
    with np.errstate(divide="ignore"):
        h = np.minimum(t_drop, 1.0 / rate_drag)
    return np.clip(h, _DRAG_MIN_STEP_S, h_max)


@dataclass
class _Brackets:
    """Per crossing sample: its index, states before and after the step, the step's start
    time and length, and its 1/β in that step (0 in free flight; drag only)."""

    idx: list[npt.NDArray[np.intp]] = field(default_factory=list)
    prev: list[FloatArray] = field(default_factory=list)
    nxt: list[FloatArray] = field(default_factory=list)
    t: list[FloatArray] = field(default_factory=list)
    h: list[FloatArray] = field(default_factory=list)
    ib: list[FloatArray] = field(default_factory=list)

    def add(self, sel: npt.NDArray[np.bool_], act: npt.NDArray[np.intp], prev: FloatArray,
            nxt: FloatArray, t: FloatArray, h: FloatArray) -> None:  # fmt: skip
        self.idx.append(act[sel])
        self.prev.append(prev[:, sel])
        self.nxt.append(nxt[:, sel])
        self.t.append(t[sel])
        self.h.append(h[sel])


def _bracket_vacuum(
    y: FloatArray,
    act: npt.NDArray[np.intp],
    hr: FloatArray,
    rn: FloatArray,
    h_m: float,
    sign: float,
    t_end: float,
    step_s: float,
) -> _Brackets:
    """The free-flight steps of :func:`propagate_to_height`, one step for all samples: per
    crossing sample its index, states before and after the step, start time and length."""
    br = _Brackets()
    t = 0.0
    big_h = _BIG * step_s
    while abs(t) < t_end - 1e-6 * step_s and act.size:
        # a longer step while every sample stays far above the height (no crossing in it;
        # against 60 s steps the impact of an ICBM arc moves by under 30 m)
        h = sign * min(step_s, t_end - abs(t))
        if abs(t) + big_h <= t_end:
            vr = sign * _sum3(y[3:] * (y[:3] / rn))
            if float(((hr - h_m) + big_h * np.minimum(vr, 0.0)).min()) > _BIG_STEP_MARGIN_M:
                h = _BIG * h
        nxt = _rk4(y, h)
        hr, rn = _radial(nxt[:3])
        below = hr <= h_m
        if below.any():
            # bracketed: refined below, all samples together
            br.add(below, act, y, nxt, np.full(act.size, t), np.full(act.size, h))
            keep = ~below
            act, nxt, hr, rn = act[keep], nxt[:, keep], hr[keep], rn[keep]
        y = nxt
        t += h
    return br


def _bracket_drag_array(
    y: FloatArray,
    act: npt.NDArray[np.intp],
    hr: FloatArray,
    rn: FloatArray,
    ib: FloatArray,
    h_m: float,
    t_end: float,
    step_s: float,
) -> _Brackets:
    """The reference of :func:`_bracket_drag`, in numpy over all samples at once (the
    compiled loop is held to it in ``tests/test_compiled.py``).

    :func:`_bracket_vacuum` forward with drag, each sample with its own step (and its own
    time): the free-flight steps above the atmosphere, a step to its top, the shorter
    steps of :func:`_atmospheric_steps_s` in it; also each crossing sample's 1/β of its
    last step (0 where it was a free-flight step)."""
    br = _Brackets()
    t = np.zeros(act.size)
    big_h = _BIG * step_s
    floor_m = max(h_m, DRAG_TOP_M)
    while act.size:
        vr = _sum3(y[3:] * (y[:3] / rn))
        vdown = np.minimum(vr, 0.0)
        left = t_end - t
        far = ((hr - floor_m) + big_h * vdown > _BIG_STEP_MARGIN_M) & (left >= big_h)
        h = np.where(far, big_h, np.minimum(step_s, left))
        # in the atmosphere within this step (linear in time): drag, the shorter steps
        atm = hr + h * vdown <= DRAG_TOP_M
        if atm.any():
            # above its top still: free flight to it (gravity brings it a little lower)
            with np.errstate(divide="ignore", invalid="ignore"):
                t_in = (hr - DRAG_TOP_M) / -vdown
            entering = atm & (hr > DRAG_TOP_M) & (t_in > _ENTRY_MIN_STEP_S)
            h = np.where(entering, np.minimum(h, t_in), h)
            inside = atm & ~entering
            h[inside] = _atmospheric_steps_s(
                y[:, inside], hr[inside], vr[inside], ib[inside], h[inside]
            )
            ib_step = np.where(inside, ib, 0.0)
            nxt = _rk4(y, h, ib_step if inside.any() else None)
        else:
            ib_step = np.zeros(act.size)
            nxt = _rk4(y, h)
        hr, rn = _radial(nxt[:3])
        below = hr <= h_m
        if below.any():
            br.add(below, act, y, nxt, t, h)
            br.ib.append(ib_step[below])
        t = t + h
        keep = ~below & (t < t_end - 1e-6 * step_s)
        if keep.all():
            y = nxt
        else:
            act, y, hr, rn, ib, t = act[keep], nxt[:, keep], hr[keep], rn[keep], ib[keep], t[keep]
    return br


def _bracket_drag(
    y: FloatArray,
    act: npt.NDArray[np.intp],
    hr: FloatArray,
    rn: FloatArray,
    ib: FloatArray,
    h_m: float,
    t_end: float,
    step_s: float,
) -> _Brackets:
    """:func:`_bracket_drag_array`, each sample's loop compiled
    (:func:`~earlywarn.center.compiled.bracket_drag_samples`): the same steps without
    numpy's per-call cost on every step of the slowest sample."""
    params = _STEP_PARAMS.copy()
    params[2] = max(h_m, DRAG_TOP_M)
    crossed, prev, nxt, t, h, ib_step = bracket_drag_samples(
        np.ascontiguousarray(y), hr, rn, np.ascontiguousarray(ib, dtype=np.float64), h_m,
        t_end, step_s, params, _FIELD, _ATM_PARAMS, LN_RHO_H_M, LN_RHO, _NEG_LN_RHO,
    )  # fmt: skip
    br = _Brackets()
    if crossed.any():
        br.add(crossed, act, prev, nxt, t, h)
        br.ib.append(ib_step[crossed])
    return br


def propagate_to_height(
    x: npt.ArrayLike,
    h_m: float = 0.0,
    *,
    backward: bool = False,
    max_time_s: float = 5400.0,
    step_s: float = 60.0,
    inv_beta: npt.ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Time to the first crossing of height ``h_m`` and the state there, for ``(n, 6)`` states.

    Forward (or ``backward``) in time. Returns ``(dt_s (n,), x_cross (n, 6), ok (n,))``;
    samples that do not cross within ``max_time_s`` (orbits, or already below ``h_m``) have
    ``ok`` False and NaN values. The crossing is bracketed on the RK4 grid (``step_s``,
    1.5 × ``step_s`` while every sample stays 250 km clear of the height) and refined by
    Newton steps on the height along the cubic Hermite interpolant of the step (about a
    metre), then one RK4 step from the last state above to the root.

    ``inv_beta`` (1/β in m²/kg, a float or ``(n,)``; forward only): drag below
    :data:`~earlywarn.center.kernels.DRAG_TOP_M`, each sample with its own steps, shorter
    there (see the module docstring). None: free flight in vacuum.
    """
    y = _columns(x)
    n = y.shape[1]
    ib: FloatArray | None = None
    if inv_beta is not None:
        if backward:
            raise ValueError("propagate_to_height: drag (inv_beta) is forward only; got backward")
        ib = np.array(np.broadcast_to(np.asarray(inv_beta, dtype=np.float64), (n,)))
        if not (np.isfinite(ib).all() and (ib >= 0.0).all()):
            raise ValueError(f"inv_beta must be finite and >= 0 (1/β, m²/kg), got {ib}")
    dt = np.full(n, np.nan)
    x_cross = np.full((n, 6), np.nan)
    # the samples still above the height: their indices, states, radial heights and |r|,
    # carried from one step to the next
    hr, rn = _radial(y[:3])
    # a sample farther than a + h_m from the centre is above the height (the ellipsoid lies
    # within radius a): the exact height is needed only near it
    if A_M + h_m > 0.0 and bool((rn > A_M + h_m + 1.0).all()):
        act = np.arange(n)
    else:
        act = np.flatnonzero(_height(y[:3]) > h_m)
        y, hr, rn = y[:, act], hr[act], rn[act]
    t_end = math.ceil(max_time_s / step_s) * step_s
    if ib is None:
        sign = -1.0 if backward else 1.0
        br = _bracket_vacuum(y, act, hr, rn, h_m, sign, t_end, step_s)
    else:
        br = _bracket_drag(y, act, hr, rn, ib[act], h_m, t_end, step_s)
    if br.idx:
        # refine from the last state above (Newton on the height along the step's cubic
        # Hermite interpolant), then one RK4 step from the last state above to the root
        idx = np.concatenate(br.idx)
        yr = np.concatenate(br.prev, axis=1)
        tau = _hermite_newton(yr, np.concatenate(br.nxt, axis=1), np.concatenate(br.h), h_m, 3)
        dt[idx] = np.concatenate(br.t) + tau
        x_cross[idx] = _rk4(yr, tau, np.concatenate(br.ib) if br.ib else None).T
    ok = np.isfinite(dt)
    return dt, x_cross, ok


@dataclass(frozen=True)
class ImpactEstimate:
    """Predicted impact on the WGS84 ellipsoid, from one state estimate.

    ``ok`` is False (and the rest NaN) when the mean state does not reach the ground within
    the horizon (an orbit). ``fraction_impacting`` is the share of sigma points that do.
    """

    ok: bool
    state_t_s: float
    t_s: float
    t_sigma_s: float
    lat_rad: float
    lon_rad: float
    r_ecef_m: tuple[float, float, float]
    semi_major_m: float
    semi_minor_m: float
    orientation_rad: float
    fraction_impacting: float

    @staticmethod
    def failed(state_t_s: float, fraction: float = 0.0) -> ImpactEstimate:
        nan = math.nan
        return ImpactEstimate(
            False, state_t_s, nan, nan, nan, nan, (nan, nan, nan), nan, nan, nan, fraction
        )


def sqrt_psd(p: FloatArray) -> FloatArray:
    """A matrix square root ``L`` with ``L Lᵀ = P`` for symmetric PSD ``P`` (eigen-based)."""
    sym = 0.5 * (p + p.T)
    w, v = np.linalg.eigh(sym)
    return np.asarray(v * np.sqrt(np.clip(w, 0.0, None)))


def _sigma_points(
    xm: FloatArray, pm: FloatArray, beta: BallisticCoefficientPrior | None
) -> tuple[FloatArray, FloatArray | None]:
    """The 13 unscented sigma points ``x̂, x̂ ± √(6P)`` of the state (centre first), and
    with drag the two Gauss–Hermite points of ``ln β`` at the mean state after them (15
    points), with their 1/β (all at the median β but those two; None without drag)."""
    sq = sqrt_psd(6 * pm)
    if beta is None:
        return np.concatenate([xm[None, :], xm + sq.T, xm - sq.T]), None
    pts = np.concatenate([xm[None, :], xm + sq.T, xm - sq.T, xm[None, :], xm[None, :]])
    s3 = _GH3 * beta.sigma_ln
    ib = np.full(15, 1.0 / beta.median_kg_m2)
    ib[13] *= math.exp(-s3)  # β̄ e^(+√3 σ)
    ib[14] *= math.exp(s3)  # β̄ e^(−√3 σ)
    return pts, ib


ORBIT_SHORTCUT_PERIGEE_M = DRAG_TOP_M + 30e3
"""A state whose two-body perigee is above this height (the top of the drag model plus
30 km: J2 moves a low perigee by a few km in a revolution, and the ellipsoid's surface
lies within 15 km of the mean sphere) does not reach the ground in the
:func:`predict_impact` horizon; its prediction fails without integrating (a satellite
track: the integration cost ~4 ms a step per orbiting object)."""


def _perigee_alt_m(x: FloatArray) -> FloatArray:
    """Two-body perigee height above the mean sphere of ECEF states ``(n, 6)`` (+inf for
    an unbound state)."""
    r, v = x[:, :3], x[:, 3:].copy()
    v[:, 0] -= OMEGA_RAD_S * r[:, 1]
    v[:, 1] += OMEGA_RAD_S * r[:, 0]
    rn = np.sqrt(np.einsum("ij,ij->i", r, r))
    v2 = np.einsum("ij,ij->i", v, v)
    energy = 0.5 * v2 - GM_M3_S2 / rn
    h2 = np.einsum("ij,ij->i", np.cross(r, v), np.cross(r, v))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = -GM_M3_S2 / (2.0 * energy)
        e = np.sqrt(np.maximum(0.0, 1.0 - h2 / (GM_M3_S2 * a)))
        rp = np.where(energy < 0.0, a * (1.0 - e), np.inf)
    return np.asarray(rp - R_MEAN_M)


ImpactRequest = tuple[npt.ArrayLike, npt.ArrayLike, float, BallisticCoefficientPrior | None]
"""One state to predict the impact of: ``(x (6,), P (6, 6), t_s, beta)`` (see
:func:`predict_impact`)."""


def predict_impact(
    x: npt.ArrayLike,
    p: npt.ArrayLike,
    t_s: float,
    max_time_s: float = 5400.0,
    beta: BallisticCoefficientPrior | None = None,
) -> ImpactEstimate:
    """Impact point, time and 95 % ellipse of the state ``x (6,)`` with covariance ``p (6, 6)``.

    Unscented transform (see the module docstring): with drag on a body of ballistic
    coefficient ``beta`` (its spread carried by two more sigma points), or in vacuum
    (``beta`` None).
    """
    return predict_impacts([(x, p, t_s, beta)], max_time_s)[0]


def predict_impacts(
    requests: Sequence[ImpactRequest], max_time_s: float = 5400.0
) -> list[ImpactEstimate]:
    """:func:`predict_impact` of several states, the same bits as one at a time.

    The sigma points of every request with drag are propagated in one array: with drag
    each sample takes its own steps (nothing in :func:`propagate_to_height` couples two
    columns), so a column's arithmetic does not depend on the others. In a raid the
    center predicts a few impacts a step, and numpy's per-call overhead on 15 columns is
    most of each. Requests in vacuum (their longer steps are decided for all their points
    together) are propagated one by one.
    """
    out: list[ImpactEstimate | None] = [None] * len(requests)
    batch: list[tuple[int, FloatArray, FloatArray, float]] = []
    for k, (x, p, t_s, beta) in enumerate(requests):
        xm = np.asarray(x, dtype=np.float64).reshape(6)
        pm = np.asarray(p, dtype=np.float64).reshape(6, 6)
        if not (np.isfinite(xm).all() and np.isfinite(pm).all()):
            out[k] = ImpactEstimate.failed(t_s)
            continue
        pts, ib = _sigma_points(xm, pm, beta)
        low = _perigee_alt_m(pts) < ORBIT_SHORTCUT_PERIGEE_M
        if not low[0]:
            # the mean state is in orbit: it cannot come down within one revolution, so
            # the integration would end "not ok" after max_time_s of steps; say so at once,
            # with the share of the (unscented) sigma points whose perigee dips low enough
            out[k] = ImpactEstimate.failed(t_s, float(_UT_WEIGHTS[low[:13]].sum()))
        elif ib is None:
            dt, xc, ok = propagate_to_height(pts, 0.0, max_time_s=max_time_s)
            out[k] = _impact_estimate(dt, xc, ok, ib, t_s)
        else:
            batch.append((k, pts, ib, t_s))
    if batch:
        dt, xc, ok = propagate_to_height(
            np.concatenate([b[1] for b in batch]),
            0.0,
            max_time_s=max_time_s,
            inv_beta=np.concatenate([b[2] for b in batch]),
        )
        i = 0
        for k, pts, ib, t_s in batch:
            j = i + pts.shape[0]
            out[k] = _impact_estimate(dt[i:j], xc[i:j], ok[i:j], ib, t_s)
            i = j
    return [o for o in out if o is not None]


def _impact_estimate(
    dt: FloatArray, xc: FloatArray, ok: npt.NDArray[np.bool_], ib: FloatArray | None, t_s: float
) -> ImpactEstimate:
    """The impact estimate from the sigma points' crossings (times ``dt``, states ``xc``,
    ``ok`` where they crossed) of :func:`_sigma_points`' points (``ib`` None: 13 in vacuum)."""
    if not ok[0]:
        return ImpactEstimate.failed(t_s, float(_UT_WEIGHTS[ok[:13]].sum()))
    frac = float(ok[1:].sum()) / (dt.shape[0] - 1)
    r0 = xc[0, :3]
    if frac < 1.0:
        # some sigma points orbit: the spread is unbounded in that direction; keep the mean
        # impact and report an infinite ellipse
        lat, lon, _ = ecef_to_geodetic(r0)
        return ImpactEstimate(
            True, t_s, t_s + float(dt[0]), math.inf, float(lat), float(lon),
            (float(r0[0]), float(r0[1]), float(r0[2])), math.inf, math.inf, 0.0, frac,
        )  # fmt: skip
    wts = _UT_WEIGHTS[1:]
    # with κ = 0 the centre point has zero weight in the moments; use it as the mean only.
    # The unscented mean and the mean state's impact differ by a second-order term; the
    # unscented one is the better estimate of the expected impact point
    r_pts = xc[1:13, :3]
    r_state = (wts[:, None] * r_pts).sum(axis=0)
    r_mean = r_state
    t_imp = dt[1:13]
    t_mean = float((wts * t_imp).sum())
    t_var = float((wts * (t_imp - t_mean) ** 2).sum())
    if ib is not None:
        # ln β, independent of the state: its share at the mean state (the centre, then
        # the two Gauss–Hermite points), added to the state's (cross terms neglected)
        tb, rb = dt[_GH3_POINTS], xc[_GH3_POINTS, :3]
        tb_mean = float(_GH3_WEIGHTS @ tb)
        rb_mean = _GH3_WEIGHTS @ rb
        t_mean += tb_mean - float(dt[0])
        t_var += float(_GH3_WEIGHTS @ (tb - tb_mean) ** 2)
        r_mean = r_mean + (rb_mean - r0)
    lat_i, lon_i, _ = ecef_to_geodetic(r_mean)
    rot = enu_rotation(lat_i, lon_i)
    en = ((r_pts - r_state) @ rot.T)[:, :2]
    cov2 = (wts[:, None] * en).T @ en
    if ib is not None:
        enb = ((rb - rb_mean) @ rot.T)[:, :2]
        cov2 = cov2 + (_GH3_WEIGHTS[:, None] * enb).T @ enb
    t_sig = math.sqrt(max(t_var, 0.0))
    ev, evec = np.linalg.eigh(cov2)
    major = evec[:, 1]
    orient = math.atan2(float(major[0]), float(major[1])) % math.pi  # from north, clockwise
    r_surf = geodetic_to_ecef(lat_i, lon_i, 0.0)
    return ImpactEstimate(
        ok=True,
        state_t_s=t_s,
        t_s=t_s + t_mean,
        t_sigma_s=t_sig,
        lat_rad=float(lat_i),
        lon_rad=float(lon_i),
        r_ecef_m=(float(r_surf[0]), float(r_surf[1]), float(r_surf[2])),
        semi_major_m=_CHI2_2_95 * math.sqrt(max(float(ev[1]), 0.0)),
        semi_minor_m=_CHI2_2_95 * math.sqrt(max(float(ev[0]), 0.0)),
        orientation_rad=orient,
        fraction_impacting=frac,
    )


@dataclass(frozen=True)
class OrbitSummary:
    """Two-body summary of a ballistic state (inertial velocity, spherical Earth).

    ``perigee_alt_m`` and ``apogee_alt_m`` above the mean radius; ``speed_ratio`` the
    inertial speed over the local circular speed; ``gamma_rad`` the inertial flight-path
    angle; ``range_angle_rad`` Ψ, the free-flight central angle between the two points of
    the conic at the state's radius (NaN for escape or a circular orbit).
    """

    perigee_alt_m: float
    apogee_alt_m: float
    speed_ratio: float
    gamma_rad: float
    range_angle_rad: float


def orbit_summary(x: npt.ArrayLike) -> OrbitSummary:
    """Two-body elements of an ECEF state ``(6,)`` relevant to classification."""
    # Python floats: a single state, where numpy's per-call overhead is the whole cost
    rx, ry, rz, vx, vy, vz = np.asarray(x, dtype=np.float64).reshape(6).tolist()
    # inertial velocity v + ω×r, ω = (0, 0, Ω)
    vx, vy = vx - OMEGA_RAD_S * ry, vy + OMEGA_RAD_S * rx
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    vn = math.sqrt(vx * vx + vy * vy + vz * vz)
    mu = GM_M3_S2
    energy = 0.5 * vn * vn - mu / rn
    hx, hy, hz = ry * vz - rz * vy, rz * vx - rx * vz, rx * vy - ry * vx
    h = math.sqrt(hx * hx + hy * hy + hz * hz)
    vr = (rx * vx + ry * vy + rz * vz) / rn
    gamma = math.atan2(vr, h / rn)
    speed_ratio = vn / math.sqrt(mu / rn)
    if energy >= 0.0:
        return OrbitSummary(math.inf, math.inf, speed_ratio, gamma, math.nan)
    a = -mu / (2.0 * energy)
    p = h * h / mu
    e = math.sqrt(max(0.0, 1.0 - p / a))
    rp, ra = a * (1.0 - e), a * (1.0 + e)
    # true anomaly at radius rn: cos ν = (p/r − 1)/e; the two crossings are at ±ν, so the
    # free-flight angle between them (through apogee) is 2π − 2|ν|
    if e < 1e-12:
        psi = math.nan
    else:
        cnu = max(-1.0, min(1.0, (p / rn - 1.0) / e))
        psi = 2.0 * math.pi - 2.0 * math.acos(cnu)
    return OrbitSummary(rp - R_MEAN_M, ra - R_MEAN_M, speed_ratio, gamma, psi)


def classify_trajectory(
    gamma_rad: float, range_angle_rad: float, margin_rad: float
) -> TrajectoryType:
    """Minimum-energy, lofted or depressed (unknown if undefined).

    γ_me = (π − Ψ)/4 for the free-flight range angle Ψ.
    """
    if not (math.isfinite(gamma_rad) and math.isfinite(range_angle_rad)):
        return TrajectoryType.UNKNOWN
    g_me = (math.pi - range_angle_rad) / 4.0
    if gamma_rad > g_me + margin_rad:
        return TrajectoryType.LOFTED
    if gamma_rad < g_me - margin_rad:
        return TrajectoryType.DEPRESSED
    return TrajectoryType.MINIMUM_ENERGY


def ground_distance_m(
    lat1_rad: npt.ArrayLike,
    lon1_rad: npt.ArrayLike,
    lat2_rad: npt.ArrayLike,
    lon2_rad: npt.ArrayLike,
) -> FloatArray:
    """Great-circle distance on the mean sphere (m); ≤ 0.5 % from the ellipsoid distance."""
    ang, _ = great_circle(lat1_rad, lon1_rad, lat2_rad, lon2_rad)
    return np.asarray(ang * R_MEAN_M)
