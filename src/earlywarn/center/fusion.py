"""Fusion: correlate IR launch events with radar tracks and combine their state estimates.

An IR event that has seen burnout carries a ballistic state estimate ``(r, v, P)`` at the
time of its last track point. A radar track sees the same object later, in free flight.
The IR state is propagated forward to the radar track's time with the same ballistic J2
model the tracker uses (``x_ir(t)``, ``P_ir(t) = Φ P Φᵀ + Q``) and the positions compared
by a chi-square test::

    d² = Δrᵀ (P_ir,pos + P_radar,pos + σ_f² I)⁻¹ Δr ≤ χ²₃(p)

``σ_f`` (:attr:`FusionParams.floor_m`) is a model-error floor: the IR burnout state is
taken from a powered-flight fit, so its covariance does not carry the residual thrust
between the last IR point and true burnout or a post-boost manoeuvre (a few km over the
flight). Every radar track of a launch (re-entry vehicle, spent stage) correlates with the
same event; a radar track correlates with at most one event (the smallest d²).

Once correlated, the event's state is the information-weighted combination of the
propagated IR state and the radar state (treated as independent)::

    P = (P_ir⁻¹ + P_r⁻¹)⁻¹,  x = P (P_ir⁻¹ x_ir + P_r⁻¹ x_r)

The radar state dominates as soon as the track has a few updates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2

from earlywarn.center.characterise import propagate, sqrt_psd
from earlywarn.center.motion import cv_matrices
from earlywarn.center.radar_tracking import RadarTrack

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FusionParams",
    "IrEventLike",
    "correlate",
    "fuse_states",
    "ir_ballistic_state",
    "propagate_unscented",
]


class IrEventLike(Protocol):
    """The attributes of an IR event (``earlywarn.center.infrared.IrEvent``) the center uses."""

    event_id: str
    status: str
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool
    launch_time_s: float | None
    launch_time_sigma_s: float | None
    launch_lat_rad: float | None
    launch_lon_rad: float | None
    launch_sigma_m: float | None
    azimuth_rad: float | None
    azimuth_sigma_rad: float | None
    burnout_time_s: float | None
    burn_time_s: float | None
    class_probs: tuple[tuple[str, float], ...]
    r_ecef_m: npt.ArrayLike | None
    v_ecef_m_s: npt.ArrayLike | None
    cov: npt.ArrayLike | None
    track_t_s: npt.ArrayLike | None
    track_r_ecef_m: npt.ArrayLike | None
    report_keys: Sequence[tuple[str, int]]


@dataclass(frozen=True)
class FusionParams:
    """``probability`` of the chi-square correlation gate (3 dof); ``floor_m`` the model-error
    floor (per axis, m); ``max_propagation_s`` the longest IR→radar propagation accepted.

    ``launch_gate_m`` / ``launch_gate_s``: the backward test — a radar-only event whose
    ballistic arc, traced back to the ground, lands within this distance and time of an IR
    event's launch estimate joins it. The ballistic trace ignores the powered phase, which
    puts it ~100–300 km downrange of the pad and a burn time late, hence the wide gate."""

    probability: float = 0.9999
    floor_m: float = 15_000.0
    q: float = 0.05
    max_propagation_s: float = 3600.0
    launch_gate_m: float = 400e3
    launch_gate_s: float = 240.0

    @property
    def gamma(self) -> float:
        return float(chi2.ppf(self.probability, 3))


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
    tt = np.asarray(ev.track_t_s, dtype=np.float64) if ev.track_t_s is not None else None
    t = float(tt[-1]) if tt is not None and tt.size else float(ev.last_t_s)
    return t, x, p


def propagate_unscented(
    x: FloatArray, p: FloatArray, dt: float, q: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Mean and covariance of a state after ``dt`` s of free flight (unscented transform).

    13 sigma points ``x ± √(6P)`` (κ = 0) propagated together with the ballistic J2 model
    (RK4, 20 s steps), plus white-acceleration process noise of PSD ``q`` (m²/s³),
    ``Q = q [[dt³/3, dt²/2], [dt²/2, dt]]`` per axis. Cheaper than integrating the
    variational equations and second-order accurate in the mean.
    """
    n = 6
    sq = sqrt_psd(n * p)
    pts = np.concatenate([x[None, :], x + sq.T, x - sq.T])
    sp = propagate(pts, dt)[1:]
    mean = np.mean(sp, axis=0)
    d = sp - mean
    _, qm = cv_matrices(q, abs(dt))
    cov = d.T @ d / (2 * n) + qm
    return mean, 0.5 * (cov + cov.T)


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
    s = pp[:3, :3] + track.p[:3, :3] + np.eye(3) * params.floor_m**2
    d = xp[:3] - track.x[:3]
    try:
        d2 = float(d @ np.linalg.solve(s, d))
    except np.linalg.LinAlgError:
        return math.inf, xp, pp
    return d2, xp, pp


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
