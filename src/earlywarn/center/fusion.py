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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.center.characterise import _FIELD, propagate, propagate_grid, sqrt_psd
from earlywarn.center.compiled import backward_d2, pregate_d2
from earlywarn.center.gates import chi2_ppf
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.kernels import LN_RHO, LN_RHO_H_M
from earlywarn.center.motion import cv_process_noise
from earlywarn.center.radar_tracking import RadarTrack

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "BackwardTrace",
    "FusionParams",
    "SigmaCloud",
    "cloud_moments",
    "consistent",
    "correlate",
    "correlate_backward",
    "correlate_moments",
    "floored_ir_state",
    "fuse_states",
    "ir_ballistic_state",
    "position_d2",
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
    the covariance of a radar track that is not yet mature before fusion (its first scans
    after the two-point start run a little overconfident, NEES ~8 against 6 even with the
    tracker's second-order terms; at 1 the families' ellipses held the truth less often).

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

    @staticmethod
    def advance(clouds: Sequence[SigmaCloud], t_s: float) -> list[SigmaCloud]:
        """:meth:`at` of several clouds, those at one time in one propagation (each cloud
        the same bits as on its own: the same step, elementwise)."""
        out = [cl if cl.t_s == t_s else None for cl in clouds]
        groups: dict[float, list[int]] = {}
        for k, cl in enumerate(clouds):
            if out[k] is None:
                groups.setdefault(cl.t_s, []).append(k)
        for t0, ks in groups.items():
            pts = propagate(np.concatenate([clouds[k].pts for k in ks]), float(t_s) - t0)
            for n, k in enumerate(ks):
                p = pts[13 * n : 13 * (n + 1)]
                p.setflags(write=False)
                out[k] = SigmaCloud(clouds[k].t0_s, float(t_s), p, clouds[k].q)
        return [cl for cl in out if cl is not None]

    def moments(self) -> tuple[FloatArray, FloatArray]:
        """Mean and covariance (weights 1/12 on the 12 outer points, κ = 0)."""
        mean, cov = cloud_moments(self.pts[None], self.q, np.array([self.t_s - self.t0_s]))
        return mean[0], cov[0]


def cloud_moments(
    pts: FloatArray, q: float | FloatArray, dt_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Mean ``(n, 6)`` and covariance ``(n, 6, 6)`` of ``n`` sigma clouds ``(n, 13, 6)``
    (weights 1/12 on the 12 outer points, κ = 0), each after ``|dt_s|`` (``(n,)``) of
    white-acceleration process noise of PSD ``q`` (a float or ``(n,)``;
    :func:`~earlywarn.center.motion.cv_matrices`' ``Q``); each cloud's the same bits
    whatever the others."""
    sp = pts[:, 1:]
    mean = np.mean(sp, axis=1)
    d = sp - mean[:, None]
    cov = np.matmul(d.transpose(0, 2, 1), d) / sp.shape[1]
    cov += cv_process_noise(q, np.abs(np.asarray(dt_s, dtype=np.float64)))
    return mean, 0.5 * (cov + cov.transpose(0, 2, 1))


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
    return float(position_d2((xp[:3] - track.x[:3])[None], s[None])[0])


def position_d2(d: FloatArray, s: FloatArray) -> FloatArray:
    """``dᵀ S⁻¹ d`` of position differences ``d (k, 3)`` with covariances ``s (k, 3, 3)``
    (one batched solve; inf where ``S`` is singular); each the same bits whatever the
    others."""
    try:
        return np.asarray(np.einsum("ij,ij->i", d, np.linalg.solve(s, d[:, :, None])[:, :, 0]))
    except np.linalg.LinAlgError:  # a singular S: each on its own
        out = np.full(d.shape[0], np.inf)
        for n in range(d.shape[0]):
            try:
                out[n] = np.einsum("i,i->", d[n], np.linalg.solve(s[n], d[n]))
            except np.linalg.LinAlgError:
                pass
        return out


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
    events that pass the forward gate. ``inf`` when not comparable. The same bits as
    :meth:`BackwardTrace.d2` (which it calls) for many states at once.
    """
    if not (0.0 <= track.t_s - ir_state[0] <= params.max_propagation_s):
        return math.inf
    return float(BackwardTrace.of(track, ir_state[0], params.q).d2([ir_state], params)[0])


@dataclass(frozen=True, eq=False)
class BackwardTrace:
    """A radar track's sigma cloud traced backward on a fixed grid: the backward test of
    :func:`correlate_backward` against many IR states, and a pre-gate for it.

    ``grid (m + 1, 13, 6)``: the 13 sigma points ``x ± √(6P)`` at ``t_s − j · step_s``
    (RK4, one step per grid interval); ``mean (m + 1, 6)`` and ``cov_pos_m2 (m + 1, 3,
    3)`` (the position covariance, process noise included) there.

    :meth:`d2` gives the exact backward ``d²`` of each IR state: the cloud at the grid
    point just after its burnout time, one RK4 step back to that time (under ``step_s``),
    and the moments there; for one state or many the same bits. :meth:`pregate_d2` gives
    the same ``d²`` from the grid alone, with no propagation: the mean by cubic Hermite
    interpolation (off by metres where the gate is tens of km wide) and the covariance
    linearly (a chord of a covariance that grows faster than linearly backward, so
    larger, and the distance smaller). A state whose pre-gate ``d²`` exceeds ``margin ·
    γ`` (:attr:`PREGATE_MARGIN` = 4, twice the gate's distance) cannot pass
    :func:`correlate_backward`; the test suite holds this over random raids. (Before, the
    pre-gate was ``|Δr|² / tr S``, a bound that let through every state whose covariance
    was long in any direction: ten times the states that pass, in a 100-launch raid.)
    """

    t_s: float
    step_s: float
    q: float
    grid: FloatArray
    mean: FloatArray
    cov_pos_m2: FloatArray

    PREGATE_MARGIN = 4.0

    @staticmethod
    def of(track: RadarTrack, t_min_s: float, q: float, step_s: float = 60.0) -> BackwardTrace:
        """The trace of ``track`` back to ``t_min_s`` (at least one step)."""
        return BackwardTrace.many([track], [t_min_s], q, step_s)[0]

    @staticmethod
    def many(
        tracks: Sequence[RadarTrack], t_min_s: Sequence[float], q: float, step_s: float = 60.0
    ) -> list[BackwardTrace]:
        """:meth:`of` of several tracks (each back to its ``t_min_s``), their clouds
        propagated in one array: each trace the same bits as on its own."""
        ms = [
            max(1, math.ceil((tr.t_s - t0) / step_s))
            for tr, t0 in zip(tracks, t_min_s, strict=True)
        ]
        pts = np.concatenate([SigmaCloud.from_state(0.0, tr.x, tr.p, q).pts for tr in tracks])
        grid = propagate_grid(pts, -step_s, max(ms))  # (max m + 1, 13 · tracks, 6)
        out = []
        for n, (tr, m) in enumerate(zip(tracks, ms, strict=True)):
            g = np.ascontiguousarray(grid[: m + 1, 13 * n : 13 * (n + 1)])
            mean, cov = cloud_moments(g, q, np.arange(m + 1, dtype=np.float64) * step_s)
            cov_pos = np.ascontiguousarray(cov[:, :3, :3])
            out.append(BackwardTrace(float(tr.t_s), float(step_s), float(q), g, mean, cov_pos))
        return out

    def d2(
        self, ir_states: Sequence[tuple[float, FloatArray, FloatArray]], params: FusionParams
    ) -> FloatArray:
        """The backward ``d²`` (:func:`correlate_backward`) of the track to each IR state
        ``(t, x, P)``; ``inf`` where the state is after the track, more than
        ``max_propagation_s`` before it, or before the grid."""
        k = len(ir_states)
        t_b = np.array([st[0] for st in ir_states], dtype=np.float64).reshape(k)
        x_b = np.array([st[1][:3] for st in ir_states], dtype=np.float64).reshape(k, 3)
        p_b = np.array([st[2][:3, :3] for st in ir_states], dtype=np.float64).reshape(k, 3, 3)
        return self.d2_at(t_b, x_b, p_b, params, np.arange(k))

    def d2_at(
        self,
        t_b: FloatArray,
        x_b: FloatArray,
        p_b: FloatArray,
        params: FusionParams,
        idx: npt.NDArray[np.intp],
    ) -> FloatArray:
        """:meth:`d2` of the states ``idx`` of arrays of burnout times ``(n,)``, positions
        ``(n, 3)`` and position covariances ``(n, 3, 3)`` (compiled:
        :func:`~earlywarn.center.compiled.backward_d2`)."""
        return backward_d2(
            self.grid, self.t_s, self.step_s, self.q, params.max_propagation_s,
            t_b, x_b, p_b, params.gate_floor_m(0.0) ** 2, np.asarray(idx, dtype=np.intp),
            _FIELD, LN_RHO_H_M, LN_RHO,
        )  # fmt: skip

    def pregate_d2(
        self, t_s: FloatArray, x_ir: FloatArray, p_ir_m2: FloatArray, floor_m: float
    ) -> FloatArray:
        """The backward ``d²`` from the grid alone (see the class docstring) at burnout
        times ``t_s (k,)`` against positions ``x_ir (k, 3)`` with position covariances
        ``p_ir_m2 (k, 3, 3)``; ``inf`` off the grid (compiled:
        :func:`~earlywarn.center.compiled.pregate_d2`)."""
        return pregate_d2(
            self.mean, self.cov_pos_m2, self.t_s, self.step_s, t_s, x_ir, p_ir_m2, floor_m**2
        )
