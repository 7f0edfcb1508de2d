"""Fusion: correlate IR launch events with radar tracks and combine their state estimates.

An IR event that has seen burnout carries a ballistic state estimate ``(r, v, P)`` at the
time of its last track point. A radar track sees the same object later, in free flight.
Before it is used, the IR covariance gets a model-error floor (:attr:`FusionParams.
burnout_floor_m`, :attr:`~FusionParams.burnout_floor_m_s` per axis): the burnout state
comes from a powered-flight fit, so its covariance does not carry the residual thrust
between the last IR point and true burnout or a post-boost manoeuvre. The floored state
is carried forward as a :class:`SigmaCloud` — the 13 sigma points ``x ± √(6P)`` of the
unscented transform, propagated together with the ballistic J2 model — so that its mean
and covariance at any later time cost one short propagation from the last time asked
for (the cloud is kept in the event and advanced step by step, never re-drawn).

Correlation compares positions by a chi-square test::

    d² = Δrᵀ (P_ir,pos(t) + P_radar,pos + σ_f(Δt)² I)⁻¹ Δr ≤ χ²₃(p),
    σ_f(Δt) = floor_m + floor_rate_m_s · Δt

with ``Δt`` the propagation time: the gate grows with it because the unmodelled
accelerations (drag early on, thrust tail-off) act longer. Every radar track of a launch
(re-entry vehicle, spent stage) may correlate with the same event; a radar track
correlates with at most one event (the smallest d²).

The event's state is then the information-weighted combination of the propagated IR
state and the radar state (treated as independent)::

    P = (P_ir⁻¹ + P_r⁻¹)⁻¹,  x = P (P_ir⁻¹ x_ir + P_r⁻¹ x_r)

but only when the whole 6-dof difference passes its own chi-square test
(:func:`consistent`): an IR state that disagrees with the radar beyond its covariance is
not allowed to pull the radar estimate (it can still confirm the event through the
launch-point test in :mod:`earlywarn.center.assessment`). Linear fusion of the
sigma-point moments is the first Gauss-Newton step of the batch problem; with the
covariances at hand (IR velocity sigma ≲ 100 m/s) the second step changes the impact by
well under a kilometre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.center.characterise import (
    propagate,
    propagate_columns,
    propagate_grid,
    sqrt_psd,
)
from earlywarn.center.gates import chi2_ppf
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.motion import cv_matrices
from earlywarn.center.radar_tracking import RadarTrack

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "BackwardTrace",
    "FusionParams",
    "SigmaCloud",
    "consistent",
    "correlate",
    "correlate_backward",
    "correlate_backward_many",
    "correlate_moments",
    "floored_ir_state",
    "fuse_states",
    "ir_ballistic_state",
    "propagate_unscented",
]


@dataclass(frozen=True)
class FusionParams:
    """Correlation and fusion settings (SI).

    ``probability`` of the chi-square correlation gate (3 dof); ``floor_m`` and
    ``floor_rate_m_s`` the gate's model-error floor ``floor_m + floor_rate_m_s · Δt`` (per
    axis); ``max_propagation_s`` the longest IR→radar propagation accepted; ``q`` the
    white-acceleration PSD of the IR propagation (m²/s³) for the gates; ``fusion_q`` the
    same where the propagated IR state is tested against and fused with a firm radar track
    (past the assessment's ``radar_fuse_min_updates``; a young track's own covariance is
    not to be trusted, the IR state keeps its weight against it): at
    ``q`` the IR state (its cloud flown from burnout) understates its error after ~1,000 s
    of flight (its 6-dof error above the χ² 95 % quantile against the RV in 10 of 60
    runs 1,400 s after launch; 3 of 60 at 1 m²/s³), and fused with a mature RV track it
    made the estimate worse than the track alone (normalised error median 21 against 8)
    and the impact ellipse too small; the gates keep ``q`` (widening them delayed the
    salvo's confirmations by up to three minutes); ``burnout_floor_m`` /
    ``burnout_floor_m_s`` the model-error floor added to the IR burnout covariance (per
    axis); ``consistency_probability`` of the 6-dof test that allows fusion, widened by
    ``consistency_hold_factor`` once a pair is fused; ``young_track_inflation`` multiplies
    the covariance of a radar track that is not yet mature before fusion (a two-point
    start leaves the EKF overconfident for its first updates).

    ``launch_gate_m`` / ``launch_gate_s``: the backward test — a radar-only event whose
    ballistic arc, traced back to the ground, lands within this distance and time of an IR
    event's launch estimate joins it. The ballistic trace ignores the powered phase, which
    puts it ~100–300 km downrange of the pad and a burn time late, hence the wide gate."""

    probability: float = 0.9999
    floor_m: float = 5_000.0
    floor_rate_m_s: float = 15.0
    q: float = 0.05
    fusion_q: float = 1.0
    max_propagation_s: float = 3600.0
    burnout_floor_m: float = 1_000.0
    burnout_floor_m_s: float = 10.0
    consistency_probability: float = 0.9999
    consistency_hold_factor: float = 4.0
    young_track_inflation: float = 2.0
    launch_gate_m: float = 400e3
    launch_gate_s: float = 240.0

    @property
    def gamma(self) -> float:
        return chi2_ppf(self.probability, 3)

    @property
    def gamma6(self) -> float:
        return chi2_ppf(self.consistency_probability, 6)

    def gate_floor_m(self, dt_s: float) -> float:
        return self.floor_m + self.floor_rate_m_s * abs(dt_s)


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(float(v))


def ir_ballistic_state(ev: IrEventLike) -> tuple[float, FloatArray, FloatArray] | None:
    """``(t_s, x (6,), P (6, 6))`` of an IR event once it has seen burnout, else None."""
    if not _finite(ev.burnout_time_s) or ev.r_ecef_m is None or ev.v_ecef_m_s is None:
        return None
    if ev.cov is None:
        return None
    x = np.concatenate(
        [np.asarray(ev.r_ecef_m, dtype=np.float64), np.asarray(ev.v_ecef_m_s, dtype=np.float64)]
    )
    p = np.asarray(ev.cov, dtype=np.float64)
    if (
        x.shape != (6,)
        or p.shape != (6, 6)
        or not (np.all(np.isfinite(x)) and np.all(np.isfinite(p)))
    ):
        return None
    st: float | None = getattr(ev, "state_t_s", None)
    if st is not None and math.isfinite(float(st)):
        t = float(st)
    else:
        tt = np.asarray(ev.track_t_s, dtype=np.float64) if ev.track_t_s is not None else None
        t = float(tt[-1]) if tt is not None and tt.size else float(ev.last_t_s)
    return t, x, p


@dataclass(frozen=True, eq=False)
class SigmaCloud:
    """Unscented sigma points of a ballistic state, carried forward in time.

    ``t0_s`` the time of the state they were drawn from, ``t_s`` the time of ``pts``
    (13, 6), ``q`` the white-acceleration PSD added as ``Q(t − t0)`` to the covariance.
    """

    t0_s: float
    t_s: float
    pts: FloatArray
    q: float

    @staticmethod
    def from_state(t_s: float, x: FloatArray, p: FloatArray, q: float = 0.0) -> SigmaCloud:
        n = 6
        sq = sqrt_psd(n * np.asarray(p, dtype=np.float64))
        xm = np.asarray(x, dtype=np.float64)
        pts = np.concatenate([xm[None, :], xm + sq.T, xm - sq.T])
        pts.setflags(write=False)
        return SigmaCloud(float(t_s), float(t_s), pts, float(q))

    def at(self, t_s: float) -> SigmaCloud:
        """The cloud advanced (or moved back) to ``t_s``."""
        if t_s == self.t_s:
            return self
        pts = propagate(self.pts, float(t_s) - self.t_s)
        pts.setflags(write=False)
        return SigmaCloud(self.t0_s, float(t_s), pts, self.q)

    def moments(self) -> tuple[FloatArray, FloatArray]:
        """Mean and covariance (weights 1/12 on the 12 outer points, κ = 0)."""
        sp = self.pts[1:]
        mean = np.mean(sp, axis=0)
        d = sp - mean
        _, qm = cv_matrices(self.q, abs(self.t_s - self.t0_s))
        cov = d.T @ d / sp.shape[0] + qm
        return mean, 0.5 * (cov + cov.T)


def floored_ir_state(
    st: tuple[float, FloatArray, FloatArray], params: FusionParams
) -> tuple[float, FloatArray, FloatArray]:
    """The IR burnout state with the model-error floor added to its covariance."""
    t, x, p = st
    fl = np.diag([params.burnout_floor_m**2] * 3 + [params.burnout_floor_m_s**2] * 3)
    return t, x, p + fl


def propagate_unscented(
    x: FloatArray, p: FloatArray, dt: float, q: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Mean and covariance of a state after ``dt`` s of free flight (unscented transform).

    13 sigma points ``x ± √(6P)`` (κ = 0) propagated together with the ballistic J2 model
    (RK4, 60 s steps), plus white-acceleration process noise of PSD ``q`` (m²/s³),
    ``Q = q [[dt³/3, dt²/2], [dt²/2, dt]]`` per axis. Cheaper than integrating the
    variational equations and second-order accurate in the mean.
    """
    return SigmaCloud.from_state(0.0, x, p, q).at(dt).moments()


def correlate_moments(
    xp: FloatArray, pp: FloatArray, dt: float, track: RadarTrack, params: FusionParams
) -> float:
    """Chi-square distance ``d²`` (3 dof) of a radar track to an IR state already
    propagated to the track's time (``xp``, ``pp``) after ``dt`` s of propagation."""
    if not (0.0 <= dt <= params.max_propagation_s):
        return math.inf
    s = pp[:3, :3] + track.p[:3, :3] + np.eye(3) * params.gate_floor_m(dt) ** 2
    d = xp[:3] - track.x[:3]
    try:
        return float(d @ np.linalg.solve(s, d))
    except np.linalg.LinAlgError:
        return math.inf


def correlate(
    ir_state: tuple[float, FloatArray, FloatArray],
    track: RadarTrack,
    params: FusionParams,
) -> tuple[float, FloatArray, FloatArray]:
    """Chi-square distance ``d²`` of a radar track to an IR ballistic state, and the IR state
    propagated to the track's time ``(d², x_ir, P_ir)``; ``d² = inf`` when not comparable."""
    t_ir, x_ir, p_ir = ir_state
    dt = track.t_s - t_ir
    if not (0.0 <= dt <= params.max_propagation_s):
        return math.inf, x_ir, p_ir
    xp, pp = propagate_unscented(x_ir, p_ir, dt, params.q)
    return correlate_moments(xp, pp, dt, track, params), xp, pp


def consistent(
    x1: FloatArray,
    p1: FloatArray,
    x2: FloatArray,
    p2: FloatArray,
    params: FusionParams,
    factor: float = 1.0,
) -> bool:
    """True when two estimates of one state agree within ``factor · χ²₆(consistency_probability)``
    (``factor`` > 1 gives hysteresis: a pair already fused keeps fusing until it clearly
    disagrees, so the estimate does not flip between fused and radar-only on noise)."""
    d = x1 - x2
    try:
        d2 = float(d @ np.linalg.solve(p1 + p2, d))
    except np.linalg.LinAlgError:
        return False
    return math.isfinite(d2) and d2 <= factor * params.gamma6


def fuse_states(
    x1: FloatArray, p1: FloatArray, x2: FloatArray, p2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Information-weighted combination of two independent estimates of one state."""
    try:
        i1 = np.linalg.inv(p1)
        i2 = np.linalg.inv(p2)
        p = np.linalg.inv(i1 + i2)
    except np.linalg.LinAlgError:
        return (x2, p2) if np.trace(p2) <= np.trace(p1) else (x1, p1)
    x = p @ (i1 @ x1 + i2 @ x2)
    return x, 0.5 * (p + p.T)


def correlate_backward(
    ir_state: tuple[float, FloatArray, FloatArray],
    track: RadarTrack,
    params: FusionParams,
) -> float:
    """Chi-square distance ``d²`` (3 dof) of a radar track traced back to the IR state's time.

    The forward test (:func:`correlate_moments`) carries the IR burnout state — velocity
    off by up to a few hundred m/s, taken while the motor may still burn — over the whole
    midcourse, so after ~1,000 s its position is uncertain by hundreds of km and launches
    of one raid, tens of seconds and kilometres apart, all pass it. Traced back to the
    burnout time, a radar track (free flight above the atmosphere) lands within the
    propagation of its own velocity error, and launches ``Δt`` seconds apart are
    ``Δt`` × 7 km/s apart there. This test separates them; it is used to choose among the
    events that pass the forward gate. ``inf`` when not comparable.
    """
    t_ir, x_ir, p_ir = ir_state
    dt = track.t_s - t_ir
    if not (0.0 <= dt <= params.max_propagation_s):
        return math.inf
    xb, pb = propagate_unscented(track.x, track.p, -dt, params.q)
    s = pb[:3, :3] + p_ir[:3, :3] + np.eye(3) * params.gate_floor_m(0.0) ** 2
    d = xb[:3] - x_ir[:3]
    try:
        return float(d @ np.linalg.solve(s, d))
    except np.linalg.LinAlgError:
        return math.inf


def correlate_backward_many(
    ir_states: list[tuple[float, FloatArray, FloatArray]],
    track: RadarTrack,
    params: FusionParams,
) -> list[float]:
    """:func:`correlate_backward` of one track against several IR states, the same bits.

    The track's sigma points are drawn once and traced back to every burnout time in one
    array (:func:`earlywarn.center.characterise.propagate_columns`: each column keeps its
    own step length and count, so each cloud sees exactly the arithmetic of its own
    propagation); moments and the test are then those of :func:`correlate_backward`.
    """
    out = [math.inf] * len(ir_states)
    idx = [
        k for k, st in enumerate(ir_states) if 0.0 <= track.t_s - st[0] <= params.max_propagation_s
    ]
    if not idx:
        return out
    base = SigmaCloud.from_state(0.0, track.x, track.p, params.q).pts
    n = base.shape[0]
    dts = [-(track.t_s - ir_states[k][0]) for k in idx]
    clouds = propagate_columns(base, dts)
    floor2 = params.gate_floor_m(0.0) ** 2
    for j, k in enumerate(idx):
        pts = clouds[j * n : (j + 1) * n]
        xb, pb = SigmaCloud(0.0, dts[j], pts, params.q).moments()
        p_ir, x_ir = ir_states[k][2], ir_states[k][1]
        s = pb[:3, :3] + p_ir[:3, :3] + np.eye(3) * floor2
        d = xb[:3] - x_ir[:3]
        try:
            out[k] = float(d @ np.linalg.solve(s, d))
        except np.linalg.LinAlgError:
            out[k] = math.inf
    return out


@dataclass(frozen=True, eq=False)
class BackwardTrace:
    """A radar track's sigma cloud traced backward on a fixed grid, for pre-gating only.

    ``mean (m, 6)`` and ``trace_pos_m2 (m,)`` (the trace of the position covariance,
    process noise included) at ``t_s − j · step_s``. :meth:`lower_bound` gives, for many
    IR states at once, ``|Δr|² / tr S`` — a lower bound of the backward ``d²``
    (``λ_max(S) ≤ tr S`` for a covariance) evaluated on the grid (cubic Hermite on the
    mean, linear in the trace) instead of at each burnout time. The interpolation is off
    by metres where the gate is tens of km wide, so a state whose bound exceeds
    ``margin · γ`` (:attr:`PREGATE_MARGIN` = 4, twice the gate's distance) cannot pass
    :func:`correlate_backward`; the test suite holds this over random raids.
    """

    t_s: float
    step_s: float
    mean: FloatArray
    trace_pos_m2: FloatArray

    PREGATE_MARGIN = 4.0

    @staticmethod
    def of(track: RadarTrack, t_min_s: float, q: float, step_s: float = 60.0) -> BackwardTrace:
        m = max(1, math.ceil((track.t_s - t_min_s) / step_s))
        pts = SigmaCloud.from_state(0.0, track.x, track.p, q).pts
        grid = propagate_grid(pts, -step_s, m)  # (m + 1, 13, 6)
        sp = grid[:, 1:]
        mean = sp.mean(axis=1)
        dev = sp[..., :3] - mean[:, None, :3]
        tau = np.arange(m + 1) * step_s
        tr = np.einsum("mij,mij->m", dev, dev) / sp.shape[1] + q * tau**3
        return BackwardTrace(float(track.t_s), float(step_s), mean, tr)

    def lower_bound(
        self, t_s: FloatArray, x_ir: FloatArray, trace_ir_m2: FloatArray, floor_m: float
    ) -> FloatArray:
        """``|Δr|² / tr S`` at burnout times ``t_s (k,)`` against positions ``x_ir (k, 3+)``
        with position-covariance traces ``trace_ir_m2 (k,)``; ``inf`` off the grid."""
        u = (self.t_s - np.asarray(t_s, dtype=np.float64)) / self.step_s
        m = self.mean.shape[0] - 1
        ok = (u >= 0.0) & (u <= m)
        j = np.clip(np.floor(u).astype(int), 0, max(m - 1, 0))
        s = np.clip(u - j, 0.0, 1.0)[:, None]
        y0, y1 = self.mean[j], self.mean[np.minimum(j + 1, m)]
        h = -self.step_s  # the grid runs backward in time
        s2, s3 = s * s, s * s * s
        pos = (
            (2 * s3 - 3 * s2 + 1) * y0[:, :3]
            + (s3 - 2 * s2 + s) * h * y0[:, 3:]
            + (-2 * s3 + 3 * s2) * y1[:, :3]
            + (s3 - s2) * h * y1[:, 3:]
        )
        tr = (1 - s[:, 0]) * self.trace_pos_m2[j] + s[:, 0] * self.trace_pos_m2[
            np.minimum(j + 1, m)
        ]
        d = pos - np.asarray(x_ir, dtype=np.float64)[:, :3]
        lb = np.einsum("ij,ij->i", d, d) / (tr + trace_ir_m2 + 3.0 * floor_m**2)
        return np.where(ok, lb, np.inf)
