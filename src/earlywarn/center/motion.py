"""Motion models for the radar tracker, vectorised over tracks.

A motion model propagates a batch of states ``x`` of shape ``(n, 6)`` = ``[x, y, z, vx, vy,
vz]`` (SI) over a time step ``dt`` and returns

* the propagated states ``(n, 6)``,
* the state transition matrix ``F = ∂x(t+dt)/∂x(t)``, shape ``(6, 6)`` when it is the same
  for every track (linear models) or ``(n, 6, 6)``,
* the process-noise covariance ``Q``, shape ``(6, 6)`` or ``(n, 6, 6)``,

so the tracker predicts every covariance at once with ``P ← F P Fᵀ + Q`` (broadcast matmul).

Models
------
``ConstantVelocity(q)``
    Nearly-constant velocity: white-noise acceleration of power spectral density ``q``
    (m²/s³) on each axis. Exact discretisation (Bar-Shalom, Li, Kirubarajan 2001,
    "Estimation with Applications to Tracking and Navigation", §6.2.2)::

        F = [[I, dt I], [0, I]]
        Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]

``BallisticJ2``
    Free flight in Earth-fixed WGS84 ECEF: gravity with J2 (``earlywarn.earth.gravity``)
    plus the rotating-frame Coriolis and centrifugal terms::

        a = g(r) − 2 ω × v − ω × (ω × r),    ω = (0, 0, Ω)

    integrated with fixed-step RK4 (sub-steps ≤ ``max_step_s`` ≤ 10 s). The state
    transition matrix Φ is integrated alongside from the variational equations
    ``Φ̇ = A(x) Φ``, ``A = [[0, I], [G(r) − W W, −2 W]]`` with ``W = [ω×]`` and the analytic
    J2 gravity gradient ``G = ∂g/∂r``. Process noise is white acceleration of PSD ``q``,
    accumulated over sub-steps as ``Q ← Φₕ Q Φₕᵀ + Q_cv(h)``; this neglects the gravity
    gradient *within* one sub-step (relative error ~ h²|G| ≈ 1e-4 for h = 10 s).

    ``predict`` (the tracker's, for a handful of tracks per scan) does the same RK4 with
    the same arithmetic in two passes: the states in Python floats, keeping ``G`` at the
    four stages, then Φ of every sub-step at once from those in numpy; ``propagate``
    integrates the joint ``[x | Φ]`` array (``tests/test_motion.py`` checks the two agree
    bit for bit).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, GM_M3_S2, J2, OMEGA_RAD_S

FloatArray = npt.NDArray[np.float64]

__all__ = ["BallisticJ2", "ConstantVelocity", "MotionModel", "cv_matrices"]


class MotionModel(Protocol):
    """What the tracker needs from a motion model."""

    def predict(self, x: FloatArray, dt: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Propagate states ``(n, 6)`` by ``dt`` s → (states, F, Q)."""
        ...

    def two_point_velocity(self, p1: FloatArray, p2: FloatArray, dt: float) -> FloatArray:
        """Velocity at the second of two positions ``dt`` seconds apart, ``(k, 3)``."""
        ...


def _check_dt(dt: float) -> float:
    dt = float(dt)
    if not (math.isfinite(dt) and dt >= 0.0):
        raise ValueError(f"dt must be a finite non-negative number of seconds, got {dt!r}")
    return dt


def _check_states(x: npt.ArrayLike) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 6:
        raise ValueError(f"states must have shape (n, 6) [x, y, z, vx, vy, vz]; got {a.shape}")
    return a


_I3 = np.arange(3)


def cv_matrices(q: float, dt: float) -> tuple[FloatArray, FloatArray]:
    """Exact discrete ``(F, Q)`` of the nearly-constant-velocity model (each ``(6, 6)``)."""
    # written element by element (np.block is slow); the values are those of
    # q·[[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]] and [[I, dt I], [0, I]] exactly
    i = _I3
    f = np.eye(6)
    f[i, i + 3] = dt
    qm = np.zeros((6, 6))
    qm[i, i] = q * (dt**3 / 3.0)
    qm[i, i + 3] = qm[i + 3, i] = q * (dt**2 / 2.0)
    qm[i + 3, i + 3] = q * dt
    return f, qm


@dataclass(frozen=True)
class ConstantVelocity:
    """Nearly-constant-velocity model with white-noise acceleration PSD ``q`` (m²/s³) per axis."""

    q: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.q) and self.q >= 0.0):
            raise ValueError(f"q must be a finite non-negative PSD in m^2/s^3, got {self.q!r}")

    def predict(self, x: FloatArray, dt: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        x = _check_states(x)
        dt = _check_dt(dt)
        f, qm = cv_matrices(self.q, dt)
        # x⁻ = F x  (row-vector form: x F ᵀ)
        return x @ f.T, f, qm

    def two_point_velocity(self, p1: FloatArray, p2: FloatArray, dt: float) -> FloatArray:
        return (p2 - p1) / dt


_EYE6 = np.eye(6)
_EYE6.setflags(write=False)


@lru_cache(maxsize=64)
def _cv_q_cached(q: float, dt: float) -> FloatArray:
    qm = cv_matrices(q, dt)[1]
    qm.setflags(write=False)
    return qm


def _cv_q(q: float, dt: float) -> FloatArray:
    return _cv_q_cached(float(q), float(dt))


_VY_VX = np.array([4, 3])  # rows (v_y, v_x) of a state or an STM


@lru_cache(maxsize=8)
def _stm_k1_template(omega: float) -> FloatArray:
    """``A = [[0, I], [0, −2 W]]`` ``(6, 6)``: the first RK4 stage of Φ without ``G − W W``
    (``−2 W M`` = ``(2Ω M[1], −2Ω M[0], 0)`` by rows)."""
    a = np.zeros((6, 6))
    a[:3, 3:] = np.eye(3)
    a[3, 4], a[4, 3] = _coriolis(omega)
    a.setflags(write=False)
    return a


@lru_cache(maxsize=8)
def _coriolis(omega: float) -> FloatArray:
    c = np.array([2.0 * omega, -2.0 * omega])
    c.setflags(write=False)
    return c


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
    if r.ndim == 2 and r.shape[0] <= _SMALL_N and r.shape[1] == 3:
        return _gravity_gradient_rows(r, j2, gm, a_m)
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


def _accel_j2(r: FloatArray, j2: float, gm: float) -> FloatArray:
    """``earlywarn.earth.gravity.accel_j2`` with the same arithmetic (bit for bit), with
    shared subexpressions and fewer array operations; hot in the tracker and the impact
    predictions, where the arrays are tiny and numpy's per-call overhead dominates."""
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


_SMALL_N = 4  # up to this many positions, the gradient is computed row by row
_FIELD_ROWS_N = 16  # up to this many states, :func:`_field_rows` (measured break-even ~24)


def _gravity_gradient_rows(r: FloatArray, j2: float, gm: float, a_m: float) -> FloatArray:
    """:func:`gravity_gradient_j2` of a few positions ``(n, 3)`` in Python floats: the
    same operations in the same order (so the same bits), without numpy's per-call
    overhead, which dominates for the tracker's handful of tracks."""
    k = 1.5 * j2 * gm * a_m * a_m
    k5, k3, k35, k15, k10, gm3 = 5.0 * k, 3.0 * k, 35.0 * k, 15.0 * k, 10.0 * k, 3.0 * gm
    out: list[tuple[float, float, float]] = []
    for x, y, z in r.tolist():
        r2 = x * x + y * y + z * z
        rn = math.sqrt(r2)
        ir3 = 1.0 / (r2 * rn)
        ir5 = ir3 / r2
        ir7 = ir5 / r2
        ir9 = ir7 / r2
        z2 = z * z
        f_xy = -gm * ir3 - k * ir5 + k5 * z2 * ir7
        f_z = -gm * ir3 - k3 * ir5 + k5 * z2 * ir7
        c_xy = gm3 * ir5 + k5 * ir7 - k35 * z2 * ir9
        c_z = gm3 * ir5 + k15 * ir7 - k35 * z2 * ir9
        ez = k10 * z * ir7
        gx, gy, gz = c_xy * x, c_xy * y, c_xy * z + ez
        hx, hy, hz = c_z * x, c_z * y, c_z * z + ez
        out += (
            (x * gx + f_xy, x * gy, x * gz),
            (y * gx, y * gy + f_xy, y * gz),
            (z * hx, z * hy, z * hz + f_z),
        )
    return np.array(out, dtype=np.float64).reshape(r.shape[0], 3, 3)


FieldFn = Callable[[float, float, float, float, float], tuple[float, ...]]


@lru_cache(maxsize=8)
def _field_fn(j2: float, gm: float, omega: float) -> FieldFn:
    """``f(x, y, z, vx, vy)`` → the apparent acceleration (3 values,
    :meth:`BallisticJ2.acceleration`) then ``G − W W`` row by row (9 values,
    :func:`gravity_gradient_j2` plus Ω² on the two horizontal diagonal entries) of one state,
    in Python floats.

    The same operations in the same order as :func:`_accel_j2`, the Coriolis/centrifugal
    terms of :meth:`BallisticJ2.acceleration` and :func:`_gravity_gradient_rows` (so the
    same bits; ``tests/test_motion.py`` checks it): the tracker's RK4 evaluates both four
    times per sub-step for a handful of tracks, where a numpy call costs more than the
    arithmetic.
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
        # gradient (_gravity_gradient_rows; shared subexpressions computed once, which
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


def _field_rows(x: FloatArray, j2: float, gm: float, omega: float) -> tuple[FloatArray, FloatArray]:
    """The acceleration ``(n, 3)`` and ``G − W W`` ``(n, 3, 3)`` of :func:`_field_fn` at a
    few states ``(n, 6)``."""
    field = _field_fn(j2, gm, omega)
    out: list[float] = []
    for s in x.tolist():
        out += field(*s[:5])
    both = np.array(out, dtype=np.float64).reshape(x.shape[0], 4, 3)
    return both[:, 0, :], both[:, 1:, :]


@dataclass(frozen=True)
class BallisticJ2:
    """Free flight in ECEF: J2 gravity, Coriolis and centrifugal terms; RK4 with STM.

    Parameters
    ----------
    q:
        White-noise acceleration PSD per axis, m²/s³ (unmodelled drag, higher harmonics).
    max_step_s:
        Largest RK4 sub-step, s (0 < max_step_s ≤ 10).
    j2, gm_m3_s2, omega_rad_s:
        Physical constants; defaults are WGS84/EGM96 from ``earlywarn.earth.constants``.
        ``j2=0`` gives point-mass gravity, ``omega_rad_s=0`` turns the frame rotation off
        (then the frame is inertial).
    """

    q: float
    max_step_s: float = 10.0
    j2: float = J2
    gm_m3_s2: float = GM_M3_S2
    omega_rad_s: float = OMEGA_RAD_S

    def __post_init__(self) -> None:
        if not (math.isfinite(self.q) and self.q >= 0.0):
            raise ValueError(f"q must be a finite non-negative PSD in m^2/s^3, got {self.q!r}")
        if not (math.isfinite(self.max_step_s) and 0.0 < self.max_step_s <= 10.0):
            raise ValueError(f"max_step_s must be in (0, 10] s, got {self.max_step_s!r}")
        if not (math.isfinite(self.gm_m3_s2) and self.gm_m3_s2 > 0.0):
            raise ValueError(f"gm_m3_s2 must be positive, got {self.gm_m3_s2!r}")
        for name in ("j2", "omega_rad_s"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)!r}")

    # -- dynamics ------------------------------------------------------------------------

    def acceleration(self, x: FloatArray) -> FloatArray:
        """Apparent acceleration in ECEF ``(n, 3)``: g − 2ω×v − ω×(ω×r)."""
        r = x[..., :3]
        w = self.omega_rad_s
        a = _accel_j2(r, self.j2, self.gm_m3_s2)
        # −2 ω×v = 2Ω (v_y, −v_x, 0);  −ω×(ω×r) = Ω² (x, y, 0); both horizontal axes at
        # once: (v_y, v_x)·(2Ω, −2Ω) + Ω² (x, y)
        a[..., :2] += x[..., 4:2:-1] * _coriolis(w) + (w * w) * r[..., :2]
        return a

    def _field(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Acceleration ``(n, 3)`` and ``G − W W`` ``(n, 3, 3)`` at states ``(n, 6)``."""
        if x.shape[0] <= _FIELD_ROWS_N:
            return _field_rows(x, self.j2, self.gm_m3_s2, self.omega_rad_s)
        w = self.omega_rad_s
        g = gravity_gradient_j2(x[:, :3], j2=self.j2, gm=self.gm_m3_s2)
        g[:, 0, 0] += w * w
        g[:, 1, 1] += w * w
        return self.acceleration(x), g

    def propagate(self, x: npt.ArrayLike, dt: float) -> tuple[FloatArray, FloatArray]:
        """RK4 propagation of states ``(n, 6)`` by ``dt`` → (states, Φ ``(n, 6, 6)``)."""
        xs = _check_states(x)
        dt = _check_dt(dt)
        n = xs.shape[0]
        if dt == 0.0 or n == 0:
            return xs.copy(), np.broadcast_to(_EYE6, (n, 6, 6)).copy()
        x_new, phis = self._substeps(xs, dt)
        phi_total = phis[0]
        for phi_h in phis[1:]:
            phi_total = phi_h @ phi_total
        return x_new, np.ascontiguousarray(phi_total)

    def predict(self, x: FloatArray, dt: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        xs = _check_states(x)
        dt = _check_dt(dt)
        n = xs.shape[0]
        if dt == 0.0 or n == 0:
            return xs.copy(), np.broadcast_to(_EYE6, (n, 6, 6)).copy(), np.zeros((n, 6, 6))
        x_new, phis = self._substeps(xs, dt)
        q_h = _cv_q(self.q, dt / phis.shape[0])
        # first sub-step: Φ = Φ_h and Q = Q_cv(h) (Φ_h·0·Φ_hᵀ + Q_cv(h))
        phi_total = phis[0]
        if phis.shape[0] == 1:  # the usual radar revisit
            q_total = np.empty((n, 6, 6))
            q_total[:] = q_h
        else:
            q_total = np.broadcast_to(q_h, (n, 6, 6))
        for phi_h in phis[1:]:
            # Q ← Φ_h Q Φ_hᵀ + Q_cv(h): noise injected earlier is carried by the dynamics.
            q_total = phi_h @ q_total @ phi_h.swapaxes(1, 2) + q_h
            phi_total = phi_h @ phi_total
        return x_new, phi_total, np.asarray(q_total)

    def _substeps(self, xs: FloatArray, dt: float) -> tuple[FloatArray, FloatArray]:
        """RK4 over ``dt`` in equal sub-steps of at most ``max_step_s``: the final states
        and Φ of every sub-step ``(steps, n, 6, 6)``.

        Each sub-step is the classical RK4 step of the joint system ``[x | Φ]`` from
        Φ = I, split in two: the states (keeping ``G − W W`` at the four stages), then Φ of
        every sub-step at once from those stage gradients (Φ's equation is linear, so it
        needs nothing else of the states).
        """
        n = xs.shape[0]
        steps = max(1, math.ceil(dt / self.max_step_s - 1e-12))
        h = dt / steps
        x_new, g = self._rk4_states(xs, h, steps)
        phis = self._rk4_stm(g.reshape(4, steps * n, 3, 3), h).reshape(steps, n, 6, 6)
        return x_new, phis

    def _rk4_states(self, x: FloatArray, h: float, steps: int) -> tuple[FloatArray, FloatArray]:
        """``steps`` RK4 sub-steps of length ``h`` of the states ``(n, 6)``: the final states
        and ``G − W W`` at the four stages of every sub-step ``(4, steps, n, 3, 3)``.

        The same arithmetic in the same order in Python floats for a few tracks (numpy's
        per-call overhead would dominate) and in numpy for many, so the same bits.
        """
        n = x.shape[0]
        if n > _FIELD_ROWS_N:
            gs: list[FloatArray] = []
            for _ in range(steps):
                x, g_step = self._rk4_states_numpy(x, h)
                gs.append(g_step)
            return x, np.stack(gs, axis=1)
        field = _field_fn(self.j2, self.gm_m3_s2, self.omega_rad_s)
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
        return np.array(out), np.array(g_all).reshape(4, steps, n, 3, 3)

    def _rk4_states_numpy(self, x: FloatArray, h: float) -> tuple[FloatArray, FloatArray]:
        """One sub-step of :meth:`_rk4_states` in numpy (the states of many tracks)."""
        ks: list[FloatArray] = []
        gs: list[FloatArray] = []
        xi = x
        for ci in (0.5 * h, 0.5 * h, h, 0.0):
            a, g = self._field(xi)
            ks.append(np.concatenate((xi[:, 3:], a), axis=1))
            gs.append(g)
            if ci:
                xi = x + ci * ks[-1]
        acc = ks[0] + 2.0 * ks[1]
        acc += 2.0 * ks[2]
        acc += ks[3]
        acc *= h / 6.0
        return x + acc, np.stack(gs)

    def _rk4_stm(self, g: FloatArray, h: float) -> FloatArray:
        """Φ of one RK4 sub-step from Φ = I, given ``G − W W`` at its four stages
        ``(4, n, 3, 3)``: RK4 on Φ' = A Φ with ``A = [[0, I], [G − W W, −2 W]]``, where
        ``W = [ω×]`` for ω = (0, 0, Ω), so ``W W = diag(−Ω², −Ω², 0)``.

        Stage 1 needs no product (A Φ = A for Φ = I): ``K1 = [[0, I], [G − W W, −2 W]]``.
        """
        c = 0.5 * h
        k = np.empty((4, g.shape[1], 6, 6))
        k[0] = _stm_k1_template(self.omega_rad_s)
        k[0, :, 3:, :3] = g[0]
        cor = _coriolis(self.omega_rad_s)[:, None]
        phi = _EYE6 + c * k[0]
        for i, ci in ((1, c), (2, h), (3, 0.0)):
            # K = A Φ: upper rows Φ[3:6]; lower (G − W W) Φ[0:3] − 2 W Φ[3:6]
            lower = g[i] @ phi[:, :3]
            lower[:, :2] += phi[:, _VY_VX] * cor
            k[i, :, :3] = phi[:, 3:]
            k[i, :, 3:] = lower
            if ci:
                phi = _EYE6 + ci * k[i]
        acc = k[0] + 2.0 * k[1]
        acc += 2.0 * k[2]
        acc += k[3]
        acc *= h / 6.0
        return _EYE6 + acc

    def two_point_velocity(self, p1: FloatArray, p2: FloatArray, dt: float) -> FloatArray:
        # Constant-acceleration correction: p1 = p2 − v2 dt + a dt²/2 ⇒ v2 = (p2−p1)/dt + a dt/2,
        # with a = a(p2, v̄) evaluated at the mean velocity v̄ = (p2−p1)/dt (Coriolis needs a
        # velocity). The error is that of assuming a constant acceleration over dt, ~|ȧ| dt²/6
        # with |ȧ| ≈ g v / r: about 0.15 m/s for dt = 10 s at 6 km/s.
        v_mean = (p2 - p1) / dt
        return v_mean + 0.5 * dt * self.acceleration(np.concatenate([p2, v_mean], axis=1))
