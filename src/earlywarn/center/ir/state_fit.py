"""State estimates of an event: position, velocity (and acceleration) with covariances.

Two fits. :func:`_kinematic_fit` is a weighted quadratic fit (GLS) of triangulated or
placed points with their full covariances, for the status decision and mono events.
:func:`_ray_state_fit` fits a polynomial trajectory to the lines of sight of every
satellite directly (no interpolation across missed frames), for the state of a boosting
stereo event that the center propagates after burnout.
"""

from __future__ import annotations

import math

import numpy as np

from earlywarn.center.ir.compiled import ray_fit
from earlywarn.center.ir.geometry import _cat
from earlywarn.center.ir.records import FloatArray, IrParams, SatTrack
from earlywarn.center.kernels import ballistic_acceleration
from earlywarn.earth.constants import GM_M3_S2, J2, OMEGA_RAD_S


def _kinematic_fit(
    t: FloatArray, pts: FloatArray, covs: FloatArray, t_ref: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Weighted quadratic fit of positions with full covariances (GLS).

    Returns r, v, a at ``t_ref`` and the (9, 9) covariance of (r, v, a).
    """
    tau = t - t_ref
    k = t.shape[0]
    # the design of point k is [c_0 I, c_1 I, c_2 I] with c = (1, τ, τ²/2): block (i, j)
    # of the normal matrix is Σ_k c_i c_j W_k, block i of the right-hand side Σ_k c_i W_k x_k
    c = np.stack([np.ones(k), tau, 0.5 * tau * tau], axis=1)  # (K, 3)
    wmat = np.linalg.inv(covs)
    cc = (c[:, :, None] * c[:, None, :]).reshape(k, 9)
    nmat = (cc.T @ wmat.reshape(k, 9)).reshape(3, 3, 3, 3).transpose(0, 2, 1, 3).reshape(9, 9)
    rvec = (c.T @ np.einsum("kab,kb->ka", wmat, pts)).reshape(9)
    cov = np.asarray(np.linalg.inv(nmat + 1e-18 * np.eye(9)), dtype=np.float64)
    x = cov @ rvec
    return x[0:3], x[3:6], x[6:9], cov


def _gap_over(t: FloatArray, gap_s: float) -> bool:
    """Is there a gap longer than ``gap_s`` between the detection times ``t`` (any order)?"""
    return t.shape[0] > 1 and float(np.diff(np.sort(t)).max()) > gap_s


def _ray_state_fit(
    tracks: list[SatTrack], r_guess: FloatArray, params: IrParams
) -> tuple[float, FloatArray, FloatArray, FloatArray, FloatArray] | None:
    """Position, velocity and acceleration at the last detection from the lines of sight.

    A polynomial per ECEF axis ``x(τ) = r + vτ + aτ²/2 + jτ³/6`` (``τ = t − t_last``) is
    fitted over the last ``state_window_s`` to every detection of every satellite of the
    event, by minimising the angular residuals ``e_k·(x(t_j) − s_j) / (σ_j ρ_j)`` along two
    axes ``e_k`` perpendicular to each LOS (linear in the coefficients; two passes update
    the ranges ρ; compiled: :func:`earlywarn.center.ir.compiled.ray_fit`). Frames need
    not be simultaneous, no LOS is interpolated across the missed frames of a faint upper
    stage, and a smooth model averages the noise far better than differencing
    triangulated points. The window is widened (up to
    ``state_max_window_s``) until two satellites have three detections each. Cubic with
    ≥ 8 detections, else quadratic. The covariance is the inverse normal matrix, inflated
    by χ²/dof when the fit is worse than the noise (model error, e.g. a staging in the
    window). Returns ``(t_last, r, v, a, cov9)`` (``cov9`` of (r, v, a)) or None without
    two satellites.

    The window is not widened across a coast: when no satellite saw the event for more
    than ``track_gap_s`` inside it (a burnt-out stage, then the next one seen by one
    satellite only), one polynomial cannot span the two burns, and the fit is None (the
    state is then the triangulated points', before the coast). Across a sounding rocket's
    30 s coast the fit was 1,000+ km wrong (its sigma as wide), and the next stage's class
    came from it.
    """
    t_end = max(tr.last_t if tr.ordered else float(tr.t_s.max()) for tr in tracks)
    lo = t_end - params.state_window_s
    per_sensor: dict[str, float] = {}
    for tr in tracks:
        if tr.n >= 3:
            third = float(tr.t_s[-3])
            per_sensor[tr.sensor_id] = max(per_sensor.get(tr.sensor_id, -math.inf), third)
    thirds = sorted(per_sensor.values(), reverse=True)
    if len(thirds) < 2:
        return None
    lo = max(min(lo, thirds[1]), t_end - params.state_max_window_s)
    # the detections at or after lo, track by track (a suffix of an ordered history)
    sels = [
        slice(int(np.searchsorted(tr.t_s, lo, side="left")), None) if tr.ordered else tr.t_s >= lo
        for tr in tracks
    ]
    used = [(tr, sel) for tr, sel in zip(tracks, sels, strict=True) if tr.t_s[sel].shape[0]]
    if len({tr.sensor_id for tr, _ in used}) < 2:
        return None
    tau = _cat([tr.t_s[sel] for tr, sel in used]) - t_end
    if lo < t_end - params.state_window_s and _gap_over(tau, params.track_gap_s):
        return None  # widened across a coast
    sat = _cat([tr.sat_m[sel] for tr, sel in used])
    u = _cat([tr.los[sel] for tr, sel in used])
    sig = _cat([tr.sigma_rad[sel] for tr, sel in used])
    k = tau.shape[0]
    deg = 3 if k >= 8 else 2
    npar = 3 * (deg + 1)
    if 2 * k <= npar:
        return None
    try:
        x, nmat, chi2 = ray_fit(
            tau, sat, u, sig, r_guess, deg, 1.0 / params.state_jerk_sigma_m_s3**2
        )
    except np.linalg.LinAlgError:
        return None
    dof = 2 * k - npar
    cov = np.linalg.inv(nmat) * max(1.0, chi2 / dof)
    cov9 = 0.5 * (cov[:9, :9] + cov[:9, :9].T)
    return t_end, x[0:3].copy(), x[3:6].copy(), x[6:9].copy(), cov9


def _burn_window_s(tracks: list[SatTrack], last_t: float, fallback_s: float) -> float:
    """How long after the event's last detection its burn may have gone on: until the
    first frame after it in which a satellite that was following the event saw nothing
    (each track's next frame is its last detection plus its median interval). With two
    satellites whose frames interleave this is shorter than a revisit; ``fallback_s``
    (the reference satellite's interval) when no track tells."""
    nxt = math.inf
    for tr in tracks:
        if tr.n < 2:
            continue
        t = tr.t_s[-6:] if tr.ordered else np.sort(tr.t_s)[-6:]
        frame = float(np.median(np.diff(t)))
        t_next = float(t[-1]) + frame
        if frame > 0.0 and t_next > last_t:
            nxt = min(nxt, t_next)
    window = nxt - last_t
    return window if math.isfinite(window) and window <= fallback_s else fallback_s


def _burnout_equivalent(
    r: FloatArray, v: FloatArray, a: FloatArray, cov9: FloatArray, window_s: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The ballistic state at the last detection that flies on as the rocket does after
    its burnout, with its (6, 6) covariance.

    The plume was last seen at ``t``; the thrust went on for an unseen ``δ``, uniform in
    ``[0, window_s]`` (:func:`_burn_window_s`). A ballistic state ``(r − a_T δ²/2,
    v + a_T δ)`` at ``t``, with ``a_T`` the thrust acceleration (the fitted acceleration
    less the ballistic one), reaches the burnout state at ``t + δ`` (to first order in δ
    over that interval). Its mean over δ is the state, the spread of δ is added to the
    covariance (``Var δ = Δ²/12``, ``Var δ² = 4Δ⁴/45``, ``Cov(δ, δ²) = Δ³/12``), and the
    fitted state and acceleration's own covariance is carried through. Without it the
    state was the velocity of the last detection: at an ICBM's burnout (thrust
    acceleration ~100 m/s², a 2 s revisit) ~100 m/s short on average, its impact ~100 s
    early and hundreds of km short."""
    x = np.concatenate([r, v])
    a_t = a - ballistic_acceleration(x, J2, GM_M3_S2, OMEGA_RAD_S)
    w = window_s
    m1, m2 = 0.5 * w, w * w / 3.0  # E δ, E δ²
    eye = np.eye(3)
    jac = np.zeros((6, 9))
    jac[:3, :3] = eye
    jac[3:, 3:6] = eye
    jac[:3, 6:] = -0.5 * m2 * eye
    jac[3:, 6:] = m1 * eye
    r_b = r - 0.5 * m2 * a_t
    v_b = v + m1 * a_t
    # the spread of (−δ²/2, δ) along a_T
    s = np.array([[w**4 / 45.0, -(w**3) / 24.0], [-(w**3) / 24.0, w * w / 12.0]])
    cov6 = jac @ cov9 @ jac.T + np.kron(s, np.outer(a_t, a_t))
    return r_b, v_b, 0.5 * (cov6 + cov6.T)
