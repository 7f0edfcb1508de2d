"""Launch fit: launch time, launch point and azimuth from the early boost.

**Stereo** (:func:`_launch_fit`). Altitude and the two horizontal coordinates of the
ground track (in a local east-north frame at the first sub-point) are fitted over the
first ``fit_window_s`` of the boost: the altitude as ``h(τ) = c₂τ² + c₃τ³`` with
``c₂, c₃ ≥ 0`` and the ground track as ``y(τ) = y_L + c τ^p + d τ^q`` (the
:data:`HORIZONTAL_POWERS`), ``τ = t − t₀``: a rocket leaves the pad vertically, so the
altitude starts at zero and neither altitude nor ground track has a linear term at
``τ = 0``. The launch time ``t₀`` is found on a grid (compiled:
:func:`earlywarn.center.ir.compiled.launch_grid`) and refined by a parabola through the
chi-square minimum (sigma from its curvature, inflated by ``√(χ²/dof)`` when the fit is
worse than the noise); ``(e_L, n_L)`` is the launch point and the direction of the
fitted ground displacement the launch azimuth.

**Mono** (:func:`_mono_fit`). With one satellite the altitude is each class's prior
(:func:`earlywarn.center.priors.boost_altitude_m`): the points are placed along each
LOS at that altitude for every (class, ``t₀``) of the grid, the cost is the ground-track
chi-square plus the prior on the delay to first detection, and the class profile is
chosen by the same cost.

Approximations and their size: the ground track is fitted in a flat east-north frame at
the first sub-point (azimuth unaffected; a 300 km track is stretched by < 0.1 %); the
launch site is assumed at zero height (a site 1 km up biases ``t₀`` by a few seconds and
the launch point by well under a kilometre in stereo).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from earlywarn.center.ir.compiled import launch_grid
from earlywarn.center.ir.geometry import above_ground, ray_place_m
from earlywarn.center.ir.records import BoolArray, FloatArray, IrParams
from earlywarn.center.kernels import ray_hit_m
from earlywarn.center.priors import (
    CLASSES,
    boost_altitude_m,
    first_detection_delay_s,
    profile_scale_sigma,
)
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef

HORIZONTAL_POWERS: tuple[int, int] = (3, 4)
"""Powers of τ in the ground-track model ``y_L + c τ^3 + d τ^4`` of the launch fit.

A rocket rises vertically for several seconds and then pitches over gradually, so its
ground displacement grows from rest with neither a linear nor (in practice) a quadratic
term: fitted to the stage-1 part of the flown trajectories of every ballistic class in
the vehicle catalog, this model extrapolates back to the launch point within 0.4 km,
where ``c₂τ² + c₃τ³`` is off by 1–4 km (the τ² term soaks up the pitch-over delay).
"""


GROUND_RIDGE = 1e-12
"""Added to the diagonal of the ground-track fit's normal matrix (keeps it invertible when
every point is at ``s = 0``)."""


def _ground_basis(t: FloatArray, t0: FloatArray) -> FloatArray:
    """The ground-track model's basis ``1, s^p, s^q`` (``s = (t − t0)/100 s``, ``(p, q)``
    the :data:`HORIZONTAL_POWERS`) for every t0 of a grid: ``(G, K, 3)``."""
    s = np.maximum(t[None, :] - t0[:, None], 0.0) / 100.0
    p, q = HORIZONTAL_POWERS
    return np.stack([np.ones_like(s), s**p, s**q], axis=-1)


def _poly_fit_grid(
    t: FloatArray,
    y: FloatArray,
    var: FloatArray,
    t0: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fit ``y = c0 + c_p s^p + c_q s^q`` with ``s = (t − t0)/100 s`` for every t0 on a grid,
    ``(p, q)`` the :data:`HORIZONTAL_POWERS` of the ground-track model.

    Returns coefficients ``(G, P)``, their covariances ``(G, P, P)`` and chi-square ``(G,)``.
    The center fits at one t0 at a time (the launch time found, its neighbours); the
    grid search itself is :func:`~earlywarn.center.ir.compiled.launch_grid`.
    """
    basis = _ground_basis(t, t0)
    wgt = 1.0 / var
    nmat = np.einsum("k,gkp,gkq->gpq", wgt, basis, basis)
    rvec = np.einsum("k,gkp,k->gp", wgt, basis, y)
    cov = np.asarray(np.linalg.inv(nmat + GROUND_RIDGE * np.eye(3)), dtype=np.float64)
    coef = np.einsum("gpq,gq->gp", cov, rvec)
    res = y[None, :] - np.einsum("gkp,gp->gk", basis, coef)
    chi2 = np.einsum("k,gk->g", wgt, res * res)
    return coef, cov, chi2


@dataclass(frozen=True)
class _LaunchFit:
    t0: float
    t0_sigma: float
    e: float
    n: float
    var_e: float
    var_n: float
    az: float
    az_sigma: float
    chi2: float
    disp_m: float  # horizontal displacement from the launch point at the last fitted point


def _refine(grid: FloatArray, cost: FloatArray) -> tuple[float, float, int]:
    """Parabolic refinement of a grid minimum: (t*, sigma from Δχ² = 1, index)."""
    i = int(np.argmin(cost))
    step = float(grid[1] - grid[0]) if grid.shape[0] > 1 else 1.0
    if 0 < i < grid.shape[0] - 1:
        c_m, c_0, c_p = cost[i - 1], cost[i], cost[i + 1]
        curv = c_m - 2.0 * c_0 + c_p
        if curv > 0:
            off = 0.5 * (c_m - c_p) / curv
            sigma = step * math.sqrt(2.0 / curv)
            return float(grid[i] + off * step), sigma, i
    return float(grid[i]), step * 10.0, i


def _launch_at(
    t: FloatArray,
    e: FloatArray,
    n: FloatArray,
    var_hor: tuple[FloatArray, FloatArray],
    t0: float,
    t0_sig: float,
    scale: float,
    dedn_dt0: tuple[float, float],
    chi2: float,
) -> _LaunchFit:
    """Launch point and azimuth from the ground-track fit at a given launch time."""
    one = np.array([t0])
    ce1, cove1, _ = _poly_fit_grid(t, e, var_hor[0], one)
    cn1, covn1, _ = _poly_fit_grid(t, n, var_hor[1], one)
    # marginalise over t0: add (∂c0/∂t0 σ_t0)²
    var_e = float(cove1[0, 0, 0]) * scale + (dedn_dt0[0] * t0_sig) ** 2
    var_n = float(covn1[0, 0, 0]) * scale + (dedn_dt0[1] * t0_sig) ** 2
    s_l = max(float(t[-1]) - t0, 0.0) / 100.0
    bvec = np.array([0.0, s_l ** HORIZONTAL_POWERS[0], s_l ** HORIZONTAL_POWERS[1]])
    d_e = float(bvec @ ce1[0])
    d_n = float(bvec @ cn1[0])
    v_de = float(bvec @ cove1[0] @ bvec) * scale
    v_dn = float(bvec @ covn1[0] @ bvec) * scale
    dd = d_e * d_e + d_n * d_n
    az = math.atan2(d_e, d_n) % (2.0 * math.pi)
    az_sig = math.sqrt(d_n * d_n * v_de + d_e * d_e * v_dn) / dd if dd > 0 else math.pi
    return _LaunchFit(
        t0=t0,
        t0_sigma=t0_sig,
        e=float(ce1[0, 0]),
        n=float(cn1[0, 0]),
        var_e=var_e,
        var_n=var_n,
        az=az,
        az_sigma=min(az_sig, math.pi),
        chi2=chi2,
        disp_m=math.sqrt(dd),
    )


def _launch_fit(
    t: FloatArray,
    e: FloatArray,
    n: FloatArray,
    h: FloatArray,
    var: tuple[FloatArray, FloatArray, FloatArray],
    grid: FloatArray,
) -> _LaunchFit:
    """Joint launch-time / launch-point fit of stereo points over a grid of launch times."""
    p, q = HORIZONTAL_POWERS
    cost, ce0, cn0 = launch_grid(t, e, n, h, var[0], var[1], var[2], grid, p, q, GROUND_RIDGE)
    t0, t0_sig, i = _refine(grid, cost)
    dof = max(3 * t.shape[0] - 9, 1)
    scale = max(1.0, float(cost[i]) / dof)
    t0_sig *= math.sqrt(scale)
    j0, j1 = max(i - 1, 0), min(i + 1, grid.shape[0] - 1)
    dtg = float(grid[j1] - grid[j0]) or 1.0
    slopes = (float(ce0[j1] - ce0[j0]) / dtg, float(cn0[j1] - cn0[j0]) / dtg)
    return _launch_at(t, e, n, (var[0], var[1]), t0, t0_sig, scale, slopes, float(cost[i]))


def _t0_grid(t_first: float, params: IrParams) -> FloatArray:
    n = round(params.t0_search_s / params.t0_step_s)
    return t_first - params.t0_step_s * np.arange(n, 0, -1, dtype=np.float64)


def _mono_sigma_h(h: FloatArray) -> FloatArray:
    """Spread of the prior altitude profile about its mean: 25 % plus 1 km (our judgement)."""
    return np.asarray(0.25 * h + 1000.0, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _MonoChi:
    """The chi-square of the mono ground-track fit for every (class, t0 on the grid), and
    the window it was computed from (times, satellite positions, lines of sight, their
    sigmas and elevations, the local frame, the t0 grid).

    It is the costly part of :func:`_mono_fit` (a placement and a weighted fit per class
    and grid time) and depends only on those inputs: once the fit window has closed they
    stop changing, and the event's later estimates reuse it (only the class
    probabilities, which are cheap to apply, still move). Reused only when every input
    array is equal, so a reuse gives the same numbers as a recomputation.
    """

    key: tuple[FloatArray, ...]
    chi: FloatArray  # (classes, grid)

    def same_window(self, key: tuple[FloatArray, ...]) -> bool:
        return all(
            a.shape == b.shape and bool(np.array_equal(a, b))
            for a, b in zip(self.key, key, strict=True)
        )

    @staticmethod
    def of(key: tuple[FloatArray, ...]) -> _MonoChi:
        tw, sw, uw, sig_w, sin_el_w, rot, site, grid = key
        cot_el = np.sqrt(1.0 - sin_el_w**2) / sin_el_w
        basis = _ground_basis(tw, grid)  # (G, K, 3)
        chis = np.empty((len(CLASSES), grid.shape[0]))
        # a ray that misses the Earth (a limb view) passes no lower than its tangent
        # height: a source on it is at least that high, so a class profile below it is
        # that many sigmas wrong (0 for a ray that meets the ground)
        p0 = sw + ray_hit_m(sw, uw, 0.0)[:, None] * uw
        limb = above_ground(p0)[None]
        h_t = np.maximum(ecef_to_geodetic(p0)[2], 0.0)
        for ci, cls in enumerate(CLASSES):
            hh = boost_altitude_m(cls, tw[None, :] - grid[:, None])  # (G, K)
            lam = ray_place_m(sw[None], uw[None], hh, limb)
            p = sw[None] + lam[..., None] * uw[None]
            lat_p, lon_p, _ = ecef_to_geodetic(p)
            en = (geodetic_to_ecef(lat_p, lon_p, 0.0) - site) @ rot.T  # (G, K, 3)
            var = sig_w[None] ** 2 + (_mono_sigma_h(hh) * cot_el[None]) ** 2  # (G, K)
            wgt = 1.0 / var
            nmat = np.einsum("gk,gkp,gkq->gpq", wgt, basis, basis) + GROUND_RIDGE * np.eye(3)
            chi = np.zeros(grid.shape[0])
            for ax in range(2):
                y = en[..., ax]
                rv = np.einsum("gk,gkp,gk->gp", wgt, basis, y)
                coef = np.linalg.solve(nmat, rv[..., None])[..., 0]
                res = y - np.einsum("gkp,gp->gk", basis, coef)
                chi += np.einsum("gk,gk->g", wgt, res * res)
            below = np.maximum(h_t[None, :] - hh, 0.0) / _mono_sigma_h(hh)
            chis[ci] = chi + np.einsum("gk,gk->g", below, below)
        return _MonoChi(tuple(np.array(a, copy=True) for a in key), chis)


def _mono_fit(
    t: FloatArray,
    s: FloatArray,
    u: FloatArray,
    sig_perp: FloatArray,
    sin_el: FloatArray,
    win: BoolArray,
    rot: FloatArray,
    site: FloatArray,
    class_hint: FloatArray,
    params: IrParams,
    cached: _MonoChi | None = None,
    limb: BoolArray | None = None,
) -> tuple[_LaunchFit, FloatArray, _MonoChi]:
    """Mono launch fit: place points at each class's prior altitude for every t0 on a grid.

    The cost of (class, t0) is the chi-square of the ground-track fit (no linear term at
    lift-off: a wrong t0 puts a linear-in-τ altitude error, hence a linear ground shift,
    into the placed points), plus the prior on the delay to first detection, minus twice
    the log of the class's current probability. Returns the best fit, the placed
    altitudes of every point and the chi-squares (``cached``: those of an earlier call,
    reused when they were computed from the same window; see :class:`_MonoChi`). ``limb``:
    which rays miss the Earth (:func:`~earlywarn.center.ir.geometry.above_ground`; found
    here when not given), whose points are placed beyond their tangent point.
    """
    grid = _t0_grid(float(t[0]), replace(params, t0_step_s=2.0 * params.t0_step_s))
    mu_d, sig_d = first_detection_delay_s()
    delay_cost = ((float(t[0]) - grid - mu_d) / sig_d) ** 2
    tw = t[win]
    key = (tw, s[win], u[win], sig_perp[win], sin_el[win], rot, site, grid)
    mono = cached if cached is not None and cached.same_window(key) else _MonoChi.of(key)
    best: tuple[float, str, int, FloatArray] | None = None  # (cost, class, index, grid)
    for ci, cls in enumerate(CLASSES):
        cost = mono.chi[ci] + delay_cost - 2.0 * math.log(max(float(class_hint[ci]), 1e-12))
        j = int(np.argmin(cost))
        if best is None or cost[j] < best[0]:
            best = (float(cost[j]), cls, j, cost)
    assert best is not None
    _, cls, _, cost_best = best
    t0, t0_sig, i = _refine(grid, cost_best)
    dof = max(2 * tw.shape[0] - 7, 1)
    scale = max(1.0, float(cost_best[i]) / dof)
    t0_sig *= math.sqrt(scale)

    if limb is None:
        limb = above_ground(s + ray_hit_m(s, u, 0.0)[:, None] * u)

    def placed(t0_: float, f: float = 1.0) -> tuple[FloatArray, FloatArray, FloatArray]:
        h_ = f * boost_altitude_m(cls, t - t0_)
        p_ = s + ray_place_m(s, u, h_, limb)[:, None] * u
        la, lo, _ = ecef_to_geodetic(p_)
        en_ = (geodetic_to_ecef(la, lo, 0.0) - site) @ rot.T
        return en_[:, 0], en_[:, 1], h_

    cot_all = np.sqrt(1.0 - sin_el**2) / sin_el
    e, n, h = placed(t0)
    var_all = sig_perp**2 + (_mono_sigma_h(h) * cot_all) ** 2
    var_k = var_all[win]
    step = float(grid[1] - grid[0])
    e_m, n_m, _ = placed(t0 - step)
    e_p, n_p, _ = placed(t0 + step)
    one = np.array([t0])
    c_m = [_poly_fit_grid(tw, y[win], var_k, one - step)[0][0, 0] for y in (e_m, n_m)]
    c_p = [_poly_fit_grid(tw, y[win], var_k, one + step)[0][0, 0] for y in (e_p, n_p)]
    slopes = (float(c_p[0] - c_m[0]) / (2 * step), float(c_p[1] - c_m[1]) / (2 * step))
    fit = _launch_at(
        tw, e[win], n[win], (var_k, var_k), t0, t0_sig, scale, slopes, float(cost_best[i])
    )
    return _mono_systematics(fit, cls, placed, (t, e, n, var_all, win), slopes, params), h, mono


_SCALE_STEP = 0.1  # fractional altitude change for the profile-scale derivatives


def _mono_systematics(
    fit: _LaunchFit,
    cls: str,
    placed: Callable[[float, float], tuple[FloatArray, FloatArray, FloatArray]],
    pts: tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray],
    slopes: tuple[float, float],
    params: IrParams,
) -> _LaunchFit:
    """The mono launch point and azimuth with the class profile's systematic error.

    A wrong altitude profile moves every placed point along its LOS azimuth by
    ``δh cot el``: the same sign all along the track, so it does not average out over the
    points as the fit's own covariance assumes (with one satellite it was the larger
    error by far: a 9° sigma on a 28° azimuth error). Its effect is propagated through the
    fit: the launch point and the ground displacement are recomputed with the profile
    scaled by ``1 + ε`` and with the launch time moved by its sigma, and the differences
    (per unit of fractional error, times the class's
    :func:`~earlywarn.center.priors.profile_scale_sigma`) enter their covariances as
    rank-one terms. The azimuth is taken, as in stereo, from the launch point to the mean
    sub-point of the last five points within ``azimuth_window_s`` (a longer arc than the
    fit's), with sigma ``atan(σ⊥ / d)`` from the displacement's covariance across it; when
    the displacement is within two sigmas of zero along itself the direction is not known
    (sigma ``π/√3``, that of a uniform direction).
    """
    t, e, n, var_all, win = pts
    tw = t[win]
    one = np.array([fit.t0])
    aw = np.nonzero(t <= t[0] + params.azimuth_window_s)[0][-5:]

    def launch_and_end(e_: FloatArray, n_: FloatArray) -> FloatArray:
        lp = [_poly_fit_grid(tw, y[win], var_all[win], one)[0][0, 0] for y in (e_, n_)]
        return np.array([lp[0], lp[1], float(np.mean(e_[aw])), float(np.mean(n_[aw]))])

    base = launch_and_end(e, n)
    e_s, n_s, _ = placed(fit.t0, 1.0 + _SCALE_STEP)
    g_scale = (launch_and_end(e_s, n_s) - base) * (profile_scale_sigma(cls) / _SCALE_STEP)
    # the launch time's error moves the end points too (the launch point's share is in
    # the fit's variance already, through ``slopes``)
    e_t, n_t, _ = placed(fit.t0 + fit.t0_sigma, 1.0)
    g_t0 = launch_and_end(e_t, n_t) - base
    g_t0[:2] = 0.0
    g_t0[2:] -= np.array(slopes) * fit.t0_sigma
    cov_l = np.diag([fit.var_e, fit.var_n]) + np.outer(g_scale[:2], g_scale[:2])
    d = base[2:] - np.array([fit.e, fit.n])
    g_d = g_scale[2:] - g_scale[:2]
    v_end = float(np.mean(var_all[aw])) / aw.shape[0]
    cov_d = (
        np.diag([fit.var_e, fit.var_n])
        + v_end * np.eye(2)
        + np.outer(g_d, g_d)
        + np.outer(g_t0[2:], g_t0[2:])
    )
    dist = float(np.hypot(d[0], d[1]))
    if dist > 0.0:
        along = d / dist
        across = np.array([-along[1], along[0]])
        sig_par = math.sqrt(float(along @ cov_d @ along))
        sig_perp = math.sqrt(float(across @ cov_d @ across))
        az = math.atan2(d[0], d[1]) % (2.0 * math.pi)
        az_sig = math.atan2(sig_perp, dist) if dist > 2.0 * sig_par else math.pi / math.sqrt(3.0)
    else:
        az, az_sig = fit.az, math.pi / math.sqrt(3.0)
    return replace(
        fit,
        var_e=float(cov_l[0, 0]),
        var_n=float(cov_l[1, 1]),
        az=az,
        az_sigma=min(max(az_sig, fit.az_sigma), math.pi),
        disp_m=max(dist, fit.disp_m),
    )
