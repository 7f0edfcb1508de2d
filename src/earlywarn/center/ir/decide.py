"""Decide what an event is (boosting, stationary, orbital) and which class it is.

**Stereo** (:func:`_decide_stereo`): boosting = several frames, altitude rising by more
than ``boost_min_rise_m``, upward speed and non-gravitational (specific) acceleration both
significant (3 σ) — from a weighted quadratic fit of the last ``decide_window_s`` of
points with their full covariances. Stationary = everything within
``stationary_radius_m`` (+3 σ). Orbital = fast, unpowered, high. A steady rise without
significant acceleration yet is :attr:`IrDecision.RISING` (not a status: "boosting" if
the plume goes out up high).

**Mono** (:func:`_decide_mono`): the ground intersections of the LOS must move by more
than ``mono_min_shift_m`` with significant acceleration (a rising rocket's image
accelerates); stationary when they neither spread beyond the radius nor drift (sun glint
is seen by one satellite and jitters about a fixed point; a rising rocket's image moves
steadily away from the satellite), from ``stationary_min_frames`` frames.

How decisions become statuses (votes over ``boost_confirm_steps`` steps, stickiness) is
the step's business (:mod:`earlywarn.center.ir.step`).

**Class** (:func:`_class_probs`): naive Bayes over :mod:`earlywarn.center.priors` with
burn time (censored while still burning), intensity, and at burnout the speed, altitude
and flight-path angle (stereo), and whether the launch point is at sea or on land
(:mod:`earlywarn.center.landsea`, only when it is 20 km and 3 σ from the coast).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr

from earlywarn.center.gates import chi2_ppf
from earlywarn.center.ir.geometry import (
    _NAN3,
    _OMEGA,
    _cross,
    _frame_under,
    _median_rows,
    _unit,
    above_ground,
)
from earlywarn.center.ir.records import BoolArray, FloatArray, IrDecision, IrParams
from earlywarn.center.ir.state_fit import _kinematic_fit
from earlywarn.center.kernels import median
from earlywarn.center.priors import CLASSES, PRIORS
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.gravity import accel_j2


def _decide_stereo(
    t: FloatArray, pts: FloatArray, covs: FloatArray, alt: FloatArray, params: IrParams
) -> tuple[IrDecision, FloatArray, FloatArray, FloatArray, FloatArray]:
    k = t.shape[0]
    t_last = float(t[-1])
    if k < 4:
        return IrDecision.CANDIDATE, pts[-1], _NAN3.copy(), _NAN3.copy(), np.full((9, 9), np.nan)

    def window(length: float) -> BoolArray:
        sel = t >= t_last - length
        if sel.sum() < 4:
            sel = np.zeros(k, dtype=bool)
            sel[-4:] = True
        return sel

    sw = window(params.state_window_s)
    r, v, a, cov9 = _kinematic_fit(t[sw], pts[sw], covs[sw], t_last)
    # the decision uses a longer window: a quadratic over 60 s is a poor state model late
    # in the boost but a far better detector of "accelerating, rising" than 20 s
    dw = window(params.decide_window_s)
    rd, vd, ad, covd = _kinematic_fit(t[dw], pts[dw], covs[dw], t_last)
    up = rd / np.linalg.norm(rd)
    g = accel_j2(rd)
    # specific force in ECEF: a_rel = g + f − 2ω×v − ω×(ω×r)
    f = ad - g + 2.0 * _cross(_OMEGA, vd) + _cross(_OMEGA, _cross(_OMEGA, rd))
    fn = float(np.linalg.norm(f))
    f_sig = math.sqrt(max(float(f @ covd[6:9, 6:9] @ f) / max(fn * fn, 1e-30), 0.0))
    vz = float(vd @ up)
    vz_sig = math.sqrt(float(up @ covd[3:6, 3:6] @ up))
    speed = float(np.linalg.norm(vd))
    span = float(t[-1] - t[0])
    n_head = min(3, k)
    rise = float(np.mean(alt[-n_head:]) - np.mean(alt[:n_head]))
    sig_h = math.sqrt(median(np.trace(covs, axis1=1, axis2=2)) / 3.0)
    decision = IrDecision.CANDIDATE
    rising = (
        k >= params.boost_min_frames
        and span >= params.boost_min_span_s
        and rise > max(params.boost_min_rise_m, 5.0 * sig_h)
        and vz > max(params.boost_min_vz_m_s, 3.0 * vz_sig)
    )
    if rising and fn > max(params.boost_min_accel_m_s2, 3.0 * f_sig):
        decision = IrDecision.BOOSTING
    elif rising:
        decision = IrDecision.RISING  # not a status: "boosting" if the plume goes out up high
    elif k >= params.stationary_min_frames:
        centre = _median_rows(pts)
        spread = float(np.max(np.linalg.norm(pts - centre, axis=1)))
        v_sig = math.sqrt(float(np.trace(covd[3:6, 3:6])))
        if (
            span >= params.boost_min_span_s
            and spread <= params.stationary_radius_m + 3.0 * sig_h
            and speed <= 3.0 * v_sig + 50.0
            and abs(rise) <= 4.0 * sig_h
            and median(alt) <= params.stationary_radius_m + 3.0 * sig_h
        ):
            decision = IrDecision.STATIONARY
        elif (
            speed > params.orbital_min_speed_m_s
            and median(alt) > params.orbital_min_altitude_m
            and fn < max(2.0, 3.0 * f_sig)
        ):
            decision = IrDecision.ORBITAL
    return decision, r, v, a, cov9


@dataclass(frozen=True)
class _MonoGround:
    """Ground intersections of one satellite's lines of sight, for the mono decision and
    placement: ranges ``lam`` to the ellipsoid along the lines of sight ``u``, points
    ``g`` (ECEF; a ray's closest approach where it misses the Earth, ``limb``), the local
    frame at the first, ``sin_el`` the elevation sine (clipped to [0.05, 1])."""

    lam: FloatArray
    u: FloatArray
    g: FloatArray
    rot: FloatArray
    site: FloatArray
    sin_el: FloatArray
    limb: BoolArray

    @staticmethod
    def of(s: FloatArray, u: FloatArray, lam: FloatArray) -> _MonoGround:
        g = s + lam[:, None] * u
        rot, site = _frame_under(g[0])
        sin_el = np.minimum(np.maximum(-np.einsum("ij,ij->i", u, _unit(g)), 0.05), 1.0)
        return _MonoGround(
            lam=lam, u=u, g=g, rot=rot, site=site, sin_el=sin_el, limb=above_ground(g)
        )


def _decide_mono(t: FloatArray, sig: FloatArray, gr: _MonoGround, params: IrParams) -> IrDecision:
    """Stationary, boosting or candidate from one satellite's ground points (module doc)."""
    k = t.shape[0]
    if k < params.stationary_min_frames:
        return IrDecision.CANDIDATE
    if _rises_above_the_limb(t, sig, gr, params):
        return IrDecision.BOOSTING
    en = ((gr.g - gr.site) @ gr.rot.T)[:, :2]
    sig_g = sig * gr.lam / gr.sin_el  # ground error along the LOS azimuth (the long axis)
    centre = _median_rows(en)
    spread = float(np.max(np.linalg.norm(en - centre, axis=1)))
    tau = t - t[-1]
    if spread <= params.stationary_radius_m + 3.0 * median(sig_g):
        # no significant drift either: a rising rocket's image moves steadily away from
        # the satellite (h cot el), sun glint jitters about a fixed point
        # (the scatter of a glint cluster, a few km, is allowed for as half the radius)
        w1 = 1.0 / (sig_g**2 + (0.5 * params.stationary_radius_m) ** 2)
        b1 = np.stack([np.ones(k), tau], axis=1)
        n1 = b1.T @ (b1 * w1[:, None])
        n1_inv = np.linalg.inv(n1)  # (its [1, 1] is needed too: one call, not a solve)
        c1 = n1_inv @ (b1.T @ (en * w1[:, None]))
        v_sig = math.sqrt(float(n1_inv[1, 1]))
        if float(np.linalg.norm(c1[1])) <= 3.0 * v_sig + 50.0:
            return IrDecision.STATIONARY
    horiz = (gr.u @ gr.rot.T)[:, :2]
    along = horiz / np.maximum(np.linalg.norm(horiz, axis=1), 1e-12)[:, None]
    return _mono_motion(t, en, sig_g, sig * gr.lam, along, params)


_LIMB_MIN_TANGENT_M = 20e3
"""A line of sight that passes this high above the Earth at its lowest point sees its
source against space: above every cloud top, so no sun glint or ground fire."""

_LIMB_MIN_RISE_M_S = 1000.0
"""A source against space whose lines of sight rise this fast (and significantly: 5 σ)
is a rocket climbing: the tangent height of a plume near the limb rises with its vertical
speed (the 1983 scene's booster, seen above a 40 km limb floor: 43 → 223 km in 78 s,
1.6 km/s at first and 2.7 at the end)."""


def _rises_above_the_limb(
    t: FloatArray, sig: FloatArray, gr: _MonoGround, params: IrParams
) -> bool:
    """A limb-viewing satellite's boost: every line of sight of the decision window passes
    above ``_LIMB_MIN_TANGENT_M`` (the source is seen against space) and their tangent
    height rises faster than ``_LIMB_MIN_RISE_M_S``, 5 σ from zero, smoothly (a quadratic
    fits it to the stated noise, as the image of ``_MONO_MISFIT_P``). The image-on-the-ground
    tests cannot tell: a ray that misses the Earth has no ground point, and its closest
    approach barely moves as the plume climbs along it."""
    sel = t >= t[-1] - params.decide_window_s
    if int(sel.sum()) < params.stationary_min_frames:
        return False
    if not bool(np.all(gr.limb[sel])):
        return False  # a ray meets the ground
    _, _, h = ecef_to_geodetic(gr.g[sel])
    if float(np.min(h)) < _LIMB_MIN_TANGENT_M:
        return False
    tau = t[sel] - t[-1]
    # tangent-height noise: the angular noise times the range to the tangent point
    w = 1.0 / (sig[sel] * gr.lam[sel]) ** 2
    b = np.stack([np.ones(tau.shape[0]), tau], axis=1)
    n_inv = np.linalg.inv(b.T @ (b * w[:, None]))
    rate = float((n_inv @ (b.T @ (h * w)))[1])
    if not (rate >= _LIMB_MIN_RISE_M_S and rate > 5.0 * math.sqrt(float(n_inv[1, 1]))):
        return False
    # one smooth climb, not scattered sources: a quadratic fits the stated noise
    b2 = np.stack([np.ones(tau.shape[0]), tau, tau * tau], axis=1)
    c2 = np.linalg.solve(b2.T @ (b2 * w[:, None]), b2.T @ (h * w))
    res = h - b2 @ c2
    dof = tau.shape[0] - 3
    return dof > 0 and float(res @ (res * w)) <= chi2_ppf(1.0 - _MONO_MISFIT_P, dof)


_MONO_CURVE_CHI2 = 40.0
"""Threshold of the chi-square (4 dof) of the image's curvature terms (acceleration and
jerk, east and north) for a one-satellite boost: P(χ²₄ > 40) ≈ 4e-8 per test under the
null of uniform motion with the noise estimated from the residuals."""

_MONO_MOTION_CHI2 = 55.0
"""Threshold of the chi-square (6 dof) of the image's motion terms (velocity, acceleration,
jerk): P(χ²₆ > 55) ≈ 5e-10 per test for a fixed source."""

_MONO_MISFIT_P = 1e-4
"""A one-satellite boost is one source moving smoothly: the cubic must fit its image to
the stated line-of-sight noise. A residual chi-square (2k − 8 dof) beyond its upper
``_MONO_MISFIT_P`` quantile says the track is not one smooth image. Sun glint gives such
tracks: an association that sits on one glint cluster (sources scattered by kilometres
about a fixed point), then hops to a neighbour tens of km away, has curvature a cubic
"sees" but fits at 3–25 times its noise; a rocket's image fits at 0.8–1.4 (measured on
the one-satellite family and the glint days, see ``docs/design-notes.md``)."""

_MONO_MAX_GAP_S = 12.0
"""The longest hole in the decision window of a one-satellite boost: a bright plume is
seen frame after frame. (A faint stage seen one frame in three
leaves such holes now and then; it is judged on the windows without one.)"""

_MONO_HOP_SIGMA = 6.0
"""A step of the image whose second difference exceeds this many of its noise sigmas
(√6 σ for three equally spaced points) is a hop to another source."""

_MONO_MAX_IMAGE_ACCEL_M_S2 = 200.0
"""Allowance for a rocket image's own acceleration in the hop test (its vertical
acceleration times cot(el) plus its downrange one: tens of m/s² times a few)."""


def _hops(t: FloatArray, en: FloatArray, sig: FloatArray) -> bool:
    """Does the image jump between two frames? A rocket's image moves smoothly: the
    second difference of three successive positions is its noise (√6 σ) plus its own
    acceleration times the interval squared; the association bridging two glint sources
    tens of km apart shows as one second difference far beyond that."""
    if t.shape[0] < 3:
        return False
    dt1, dt2 = t[1:-1] - t[:-2], t[2:] - t[1:-1]
    ratio = (dt2 / np.maximum(dt1, 1e-9))[:, None]
    d2 = (en[2:] - en[1:-1]) - (en[1:-1] - en[:-2]) * ratio
    noise = np.sqrt(
        sig[2:] ** 2 + ((1.0 + ratio[:, 0]) * sig[1:-1]) ** 2 + (ratio[:, 0] * sig[:-2]) ** 2
    )
    allow = _MONO_HOP_SIGMA * noise + 0.5 * _MONO_MAX_IMAGE_ACCEL_M_S2 * dt2 * (dt1 + dt2)
    return bool(np.any(np.linalg.norm(d2, axis=1) > allow))


_MONO_MIN_STEADY_SPEED_M_S = 1000.0
"""A steadily moving image (no significant curvature) is a boost only this fast: a glint
spot follows the specular point at a few hundred m/s at most (half the Earth's rotation
speed at the equator, 465 m/s), a rocket's image moves at its vertical speed times
cot(el) plus or minus its downrange speed, km/s within a minute of lift-off."""


def _mono_motion(
    t: FloatArray, en: FloatArray, sig_g: FloatArray, sig_c: FloatArray, along: FloatArray,
    params: IrParams,
) -> IrDecision:  # fmt: skip
    """Boosting when the image (the ground point of the lines of sight) moves with
    significant curvature, or fast and significantly, over the last ``decide_window_s``
    (module doc); else candidate.

    A cubic in time is fitted to both ground coordinates by generalised least squares
    with each point's 2 × 2 covariance (``sig_g`` along the LOS azimuth ``along``,
    ``sig_c`` across it). A fit far worse than the stated noise (:data:`_MONO_MISFIT_P`)
    is not one smooth image and gives no boost; within that, the noise is the larger of
    the stated one and the scatter of the residuals. Any direction counts: a rocket flying
    towards the satellite moves its image away by rising and back by flying downrange, so
    its image may stall, turn or move steadily, but it moves.
    """
    n_min = max(params.boost_min_frames, params.mono_min_frames)
    sel = t >= t[-1] - params.decide_window_s
    if int(sel.sum()) < n_min:
        sel = np.zeros(t.shape[0], dtype=bool)
        sel[-n_min:] = True
    tw, ew = t[sel], en[sel]
    k = tw.shape[0]
    span = float(tw[-1] - tw[0])
    if k < n_min or span < params.boost_min_span_s:
        return IrDecision.CANDIDATE
    gaps = tw[1:] - tw[:-1]
    if float(gaps.max()) > _MONO_MAX_GAP_S:
        # a hole in the track: the association may have bridged two sources (two glint
        # clusters hundreds of km apart); a rocket's image is seen frame after frame
        return IrDecision.CANDIDATE
    # net displacement over the window: a glint track wanders between a cluster's sources
    # and comes back; a rocket's image gets away
    shift = float(np.linalg.norm(ew[-1] - ew[0]))
    if shift <= max(params.mono_min_shift_m, 6.0 * median(sig_g[sel])):
        return IrDecision.CANDIDATE
    if _hops(tw, ew, sig_g[sel]):
        return IrDecision.CANDIDATE
    # per-point inverse covariances: 1/σc² (I − a aᵀ) + 1/σg² a aᵀ
    a = along[sel]
    aa = a[:, :, None] * a[:, None, :]
    w = (np.eye(2) - aa) / sig_c[sel, None, None] ** 2 + aa / sig_g[sel, None, None] ** 2
    x = (tw - tw[-1]) / span
    basis = np.stack([np.ones(k), x, x * x, x * x * x], axis=1)  # (k, 4)
    # normal matrix of the 8 coefficients (4 powers × 2 axes): Σ (b bᵀ) ⊗ W
    nmat = np.einsum("kp,kq,kij->piqj", basis, basis, w).reshape(8, 8)
    rvec = np.einsum("kp,kij,kj->pi", basis, w, ew).reshape(8)
    cov = np.linalg.inv(nmat)
    coef = cov @ rvec
    res = ew - basis @ coef.reshape(4, 2)
    dof = max(2 * k - 8, 1)
    misfit = float(np.einsum("ki,kij,kj->", res, w, res))
    if misfit > chi2_ppf(1.0 - _MONO_MISFIT_P, dof):
        return IrDecision.CANDIDATE  # not one smooth image (glint hopping between spots)
    scale = max(1.0, misfit / dof)

    def chi2(lo: int) -> float:
        c = coef[lo:]
        return float(c @ np.linalg.solve(cov[lo:, lo:], c)) / scale

    if chi2(4) > _MONO_CURVE_CHI2:
        return IrDecision.BOOSTING
    speed = float(np.linalg.norm(ew[-1] - ew[0])) / span
    if speed > _MONO_MIN_STEADY_SPEED_M_S and chi2(2) > _MONO_MOTION_CHI2:
        return IrDecision.BOOSTING
    return IrDecision.CANDIDATE


def _log_ndtr(x: float) -> float:
    """log Φ(x) for a scalar (math.erfc is ~50× faster than the scipy ufunc on scalars)."""
    if x > -20.0:
        return math.log(0.5 * math.erfc(-x / math.sqrt(2.0)))
    return float(log_ndtr(x))


def _norm_logpdf(x: float, mu: float, sig: float) -> float:
    z = (x - mu) / sig
    return -0.5 * z * z - math.log(sig)


def _class_probs(
    tau_now: float | None,
    burn_time: float | None,
    burn_sigma: float,
    log10_int: float | None,
    burnout: tuple[float, float, float] | None,
    surface: str = "unknown",
) -> tuple[tuple[str, float], ...]:
    """Naive Bayes over the priors (see module doc); ``surface`` of the launch point."""
    logp = np.empty(len(CLASSES))
    for i, c in enumerate(CLASSES):
        pr = PRIORS[c]
        lp = math.log(pr.weight)
        mu, sg = pr.burn_time_s
        if burn_time is not None:
            lp += _norm_logpdf(burn_time, mu, math.hypot(sg, burn_sigma))
        elif tau_now is not None and math.isfinite(tau_now):
            lp += _log_ndtr((mu - tau_now) / math.hypot(sg, burn_sigma))
        if log10_int is not None:
            lp += _norm_logpdf(log10_int, *pr.log10_intensity_w_sr)
        if burnout is not None:
            speed, alt, gamma = burnout
            lp += _norm_logpdf(speed, *pr.burnout_speed_m_s)
            lp += _norm_logpdf(alt, *pr.burnout_altitude_m)
            lp += _norm_logpdf(gamma, *pr.burnout_gamma_rad)
        if surface == "sea":
            lp += math.log(pr.sea_launch_probability)
        elif surface == "land":
            lp += math.log1p(-pr.sea_launch_probability)
        logp[i] = lp
    prob = np.exp(logp - logp.max())
    prob = prob / prob.sum()
    return tuple((c, float(p)) for c, p in zip(CLASSES, prob, strict=True))
