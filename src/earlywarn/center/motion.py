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

    ``predict`` and ``propagate`` do that RK4 in two passes: the states, keeping ``G`` at
    the four stages (:func:`earlywarn.center.kernels.ballistic_rk4_states`, in Python
    floats for a few tracks), then Φ of every sub-step at once from those in numpy
    (``tests/test_motion.py`` checks this against one joint ``[x | Φ]`` RK4, bit for bit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from earlywarn.center.kernels import (
    ballistic_acceleration,
    ballistic_rk4_states,
    gravity_gradient_j2,
)
from earlywarn.earth.constants import GM_M3_S2, J2, OMEGA_RAD_S

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "BallisticJ2",
    "ConstantVelocity",
    "MotionModel",
    "cv_matrices",
    "cv_process_noise",
    "gravity_gradient_j2",
]


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


def cv_process_noise(q: float | FloatArray, dt: FloatArray) -> FloatArray:
    """:func:`cv_matrices`' ``Q`` for many intervals at once: ``(n, 6, 6)`` for ``dt (n,)``
    (and ``q`` a float or ``(n,)``), each the same bits as ``cv_matrices(q, dt)[1]``
    (``tests/test_motion.py``); for the center's batched sigma clouds, where one call per
    cloud would cost more than the clouds' moments."""
    dt = np.asarray(dt, dtype=np.float64)
    qv = np.broadcast_to(np.asarray(q, dtype=np.float64), dt.shape)
    i = _I3
    qm = np.zeros((dt.shape[0], 6, 6))
    qm[:, i, i] = (qv * (dt**3 / 3.0))[:, None]
    qm[:, i, i + 3] = qm[:, i + 3, i] = (qv * (dt**2 / 2.0))[:, None]
    qm[:, i + 3, i + 3] = (qv * dt)[:, None]
    return qm


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
def _coriolis(omega: float) -> FloatArray:
    """``(2Ω, −2Ω)``: −2 W M on the rows (v_x, v_y) is ``(M[4], M[3])`` times it."""
    c = np.array([2.0 * omega, -2.0 * omega])
    c.setflags(write=False)
    return c


@lru_cache(maxsize=8)
def _stm_k1_template(omega: float) -> FloatArray:
    """``A = [[0, I], [0, −2 W]]`` ``(6, 6)``: the first RK4 stage of Φ without ``G − W W``
    (``−2 W M`` = ``(2Ω M[1], −2Ω M[0], 0)`` by rows)."""
    a = np.zeros((6, 6))
    a[:3, 3:] = np.eye(3)
    a[3, 4], a[4, 3] = _coriolis(omega)
    a.setflags(write=False)
    return a


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
        return ballistic_acceleration(x, self.j2, self.gm_m3_s2, self.omega_rad_s)

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
        x_new, g = ballistic_rk4_states(xs, h, steps, self.j2, self.gm_m3_s2, self.omega_rad_s)
        phis = self._rk4_stm(g.reshape(4, steps * n, 3, 3), h).reshape(steps, n, 6, 6)
        return x_new, phis

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
