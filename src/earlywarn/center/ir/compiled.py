"""Compiled arithmetic of an IR event's re-estimate (numba, as :mod:`earlywarn.center.compiled`).

A boosting event is re-estimated every few seconds; in a raid of a thousand launches that
is ~47,000 estimates, and each was dozens of numpy calls on a handful of rows (their call
overhead, not their arithmetic, was the cost). Compiled here, one call each:

* :func:`triangulate_rays`: the weighted least-squares intersection of each row's rays
  (:func:`earlywarn.center.ir.geometry.triangulate` states the method);
* :func:`ray_fit`: the two passes of the ray state fit's weighted least squares
  (:func:`earlywarn.center.ir.state_fit._ray_state_fit` states the model);
* :func:`launch_grid`: the stereo launch fit's cost at every launch time of its grid
  (:func:`earlywarn.center.ir.launch_fit._launch_fit` states the model).

Each does its numpy reference's operations in the same order where that order is plain
(sums over rays and rows in index order, products left to right); the linear solves are
``np.linalg.solve`` (numba calls LAPACK's ``gesv`` as numpy does; an inverse is a solve
against the identity, as numpy's). Matrix products that numpy hands to BLAS are summed
here in index order, so those may differ from the reference in the last bits.
``tests/test_center_ir_compiled.py`` holds each to its numpy reference (kept there).
"""

from __future__ import annotations

import math

import numpy as np

from earlywarn.center.compiled import _JIT, solve3
from earlywarn.center.ir.records import BoolArray, FloatArray, IntArray
from earlywarn.earth.constants import A_M

_EYE3 = np.eye(3)


@_JIT
def _projector(u: FloatArray, a: int, c: int) -> float:
    """Entry ``(a, c)`` of ``I − uuᵀ`` (the projector across the unit vector ``u``)."""
    return (1.0 if a == c else 0.0) - u[a] * u[c]


@_JIT
def _weighted_normal(
    los: FloatArray, sat: FloatArray, sig: FloatArray, ok: BoolArray, rho: FloatArray,
    w: FloatArray, amat: FloatArray, bvec: FloatArray,
) -> None:  # fmt: skip
    """Weights ``1/(σρ)²`` of one row's rays (0 where not ok) into ``w``, and
    ``A = Σ w (I − uuᵀ)``, ``b = Σ w (I − uuᵀ) s`` into ``amat``, ``bvec``."""
    r = sig.shape[0]
    for j in range(r):
        sr = sig[j] * rho[j]
        w[j] = 1.0 / (sr * sr) if ok[j] else 0.0
    amat[:, :] = 0.0
    bvec[:] = 0.0
    for j in range(r):
        for a in range(3):
            acc_b = 0.0
            for c in range(3):
                m_ac = _projector(los[j], a, c)
                amat[a, c] += w[j] * m_ac
                acc_b += w[j] * m_ac * sat[j, c]
            bvec[a] += acc_b


@_JIT
def triangulate_rays(
    sat_m: FloatArray, los: FloatArray, sigma_rad: FloatArray, valid: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """:func:`earlywarn.center.ir.geometry.triangulate` of ``(N, R)`` rays: the point
    ``(N, 3)``, its covariance ``(N, 3, 3)``, the residual chi-square ``(N,)`` and the
    number of rays ``(N,)``; NaN where fewer than two rays. Two passes update the ranges
    (first guess: the satellite's distance from the Earth's centre less the equatorial
    radius)."""
    n, r = sigma_rad.shape
    x = np.full((n, 3), np.nan)
    cov = np.full((n, 3, 3), np.nan)
    chi2 = np.full(n, np.nan)
    nray = np.zeros(n, dtype=np.int64)
    rho = np.empty(r)
    w = np.empty(r)
    amat = np.empty((3, 3))
    bvec = np.empty(3)
    xi = np.empty(3)
    d = np.empty(3)
    for i in range(n):
        k = 0
        for j in range(r):
            if valid[i, j]:
                k += 1
        nray[i] = k
        if k < 2:
            continue
        s, u = sat_m[i], los[i]
        for j in range(r):
            rho[j] = math.sqrt(s[j, 0] ** 2 + s[j, 1] ** 2 + s[j, 2] ** 2) - A_M
        for _ in range(2):
            _weighted_normal(u, s, sigma_rad[i], valid[i], rho, w, amat, bvec)
            xi[:] = np.linalg.solve(amat, bvec)
            for j in range(r):
                if valid[i, j]:
                    d0, d1, d2 = xi[0] - s[j, 0], xi[1] - s[j, 1], xi[2] - s[j, 2]
                    rho[j] = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
                else:
                    rho[j] = 1.0
        _weighted_normal(u, s, sigma_rad[i], valid[i], rho, w, amat, bvec)
        cov[i] = np.linalg.solve(amat, _EYE3)
        c2 = 0.0
        for j in range(r):
            for a in range(3):
                d[a] = xi[a] - s[j, a]
            for a in range(3):
                ra = 0.0
                for c in range(3):
                    ra += _projector(u[j], a, c) * d[c]
                c2 += w[j] * ra * ra
        x[i] = xi
        chi2[i] = c2
    return x, cov, chi2, nray


@_JIT
def ray_fit(
    tau: FloatArray, sat: FloatArray, los: FloatArray, sig: FloatArray,
    r_guess: FloatArray, deg: int, jerk_prior: float,
) -> tuple[FloatArray, FloatArray, float]:  # fmt: skip
    """The weighted least squares of the ray state fit: the coefficients ``x (3(deg+1),)``
    of ``x(τ) = Σ_i c_i τ^i / i!`` per ECEF axis, the normal matrix ``(P, P)`` of the last
    pass and the chi-square of the residuals.

    Each detection ``k`` gives two rows, along two unit vectors perpendicular to its line
    of sight, weighted by ``1/(σ_k ρ_k)`` with ``ρ_k`` the range from ``r_guess``, then
    (second pass) from the first fit. ``jerk_prior`` is added to the jerk's diagonal when
    ``deg == 3``. Raises ``LinAlgError`` where the normal matrix is singular."""
    k = tau.shape[0]
    npar = 3 * (deg + 1)
    proj = np.empty((k, 2, 3))
    for j in range(k):
        u0, u1, u2 = los[j, 0], los[j, 1], los[j, 2]
        # a reference axis not along the LOS, then e1 = u × ref / |u × ref|, e2 = u × e1
        if abs(u2) < 0.9:
            c0, c1, c2 = u1, -u0, 0.0
        else:
            c0, c1, c2 = 0.0, u2, -u1
        nrm = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
        e0, e1_, e2_ = c0 / nrm, c1 / nrm, c2 / nrm
        proj[j, 0, 0], proj[j, 0, 1], proj[j, 0, 2] = e0, e1_, e2_
        proj[j, 1, 0] = u1 * e2_ - u2 * e1_
        proj[j, 1, 1] = u2 * e0 - u0 * e2_
        proj[j, 1, 2] = u0 * e1_ - u1 * e0
    powers = np.empty((k, deg + 1))
    fact = 1.0
    for i in range(deg + 1):
        if i > 0:
            fact *= i
        for j in range(k):
            t = tau[j]
            # numpy's τ**i: 1, τ, τ·τ (its square fast path), then libm's pow
            t_i = 1.0 if i == 0 else t if i == 1 else t * t if i == 2 else math.pow(t, i)
            powers[j, i] = t_i / fact
    design = np.empty((2 * k, npar))
    obs = np.empty(2 * k)
    for j in range(k):
        for m in range(2):
            row = 2 * j + m
            obs[row] = (
                proj[j, m, 0] * sat[j, 0] + proj[j, m, 1] * sat[j, 1] + proj[j, m, 2] * sat[j, 2]
            )
            for i in range(deg + 1):
                for c in range(3):
                    design[row, 3 * i + c] = proj[j, m, c] * powers[j, i]
    rho = np.empty(k)
    for j in range(k):
        d0, d1, d2 = r_guess[0] - sat[j, 0], r_guess[1] - sat[j, 1], r_guess[2] - sat[j, 2]
        rho[j] = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    x = np.zeros(npar)
    nmat = np.zeros((npar, npar))
    aw = np.empty((2 * k, npar))
    bw = np.empty(2 * k)
    rhs = np.empty(npar)
    acc = np.empty(3)
    for _ in range(2):
        for j in range(k):
            wj = 1.0 / (sig[j] * rho[j])
            for m in range(2):
                row = 2 * j + m
                bw[row] = obs[row] * wj
                for p in range(npar):
                    aw[row, p] = design[row, p] * wj
        rhs[:] = 0.0
        nmat[:, :] = 0.0
        for row in range(2 * k):
            for p in range(npar):
                a_p = aw[row, p]
                rhs[p] += a_p * bw[row]
                for q in range(p, npar):
                    nmat[p, q] += a_p * aw[row, q]
        for p in range(npar):
            for q in range(p):
                nmat[p, q] = nmat[q, p]
        if deg == 3:
            for p in range(9, 12):
                nmat[p, p] += jerk_prior
        x[:] = np.linalg.solve(nmat, rhs)
        for j in range(k):
            acc[:] = 0.0
            for i in range(deg + 1):
                for c in range(3):
                    acc[c] += powers[j, i] * x[3 * i + c]
            d0, d1, d2 = acc[0] - sat[j, 0], acc[1] - sat[j, 1], acc[2] - sat[j, 2]
            rho[j] = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    chi2 = 0.0
    for row in range(2 * k):
        acc_r = 0.0
        for p in range(npar):
            acc_r += aw[row, p] * x[p]
        res = acc_r - bw[row]
        chi2 += res * res
    return x, nmat, chi2


@_JIT
def _ipow(s: float, p: int) -> float:
    """``s**p`` for a small non-negative integer ``p``, by repeated multiplication."""
    out = 1.0
    for _ in range(p):
        out *= s
    return out


@_JIT
def _ground_chi(
    y: FloatArray, w: FloatArray, bp: FloatArray, bq: FloatArray, ridge: float,
    nmat: FloatArray, rvec: FloatArray, coef: FloatArray,
) -> float:  # fmt: skip
    """Chi-square of the weighted fit ``y = c₀ + c_p b_p + c_q b_q`` (its normal matrix
    plus ``ridge`` on the diagonal); the coefficients into ``coef`` (NaN and an infinite
    chi-square where the system is singular)."""
    k = y.shape[0]
    nmat[:, :] = 0.0
    rvec[:] = 0.0
    for j in range(k):
        b1, b2, wj = bp[j], bq[j], w[j]
        wb1, wb2 = wj * b1, wj * b2
        nmat[0, 0] += wj
        nmat[0, 1] += wb1
        nmat[0, 2] += wb2
        nmat[1, 1] += wb1 * b1
        nmat[1, 2] += wb1 * b2
        nmat[2, 2] += wb2 * b2
        rvec[0] += wj * y[j]
        rvec[1] += wb1 * y[j]
        rvec[2] += wb2 * y[j]
    nmat[1, 0], nmat[2, 0], nmat[2, 1] = nmat[0, 1], nmat[0, 2], nmat[1, 2]
    for i in range(3):
        nmat[i, i] += ridge
    if not solve3(nmat, rvec, coef):
        coef[:] = np.nan
        return math.inf
    chi = 0.0
    for j in range(k):
        res = y[j] - (coef[0] + bp[j] * coef[1] + bq[j] * coef[2])
        chi += w[j] * res * res
    return chi


@_JIT
def launch_grid(
    t: FloatArray, e: FloatArray, n: FloatArray, h: FloatArray,
    var_e: FloatArray, var_n: FloatArray, var_h: FloatArray, t0: FloatArray,
    p: int, q: int, ridge: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """The stereo launch fit's cost over a grid of launch times ``t0 (G,)``, and the
    fitted launch point's east and north there (``(G,)`` each).

    At each ``t0``, with ``s = max(t − t0, 0)/100 s``: the chi-square of the ground track
    ``y = y_L + c s^p + d s^q`` east and north (weighted least squares, ``ridge`` on the
    normal matrix's diagonal), plus that of the altitude ``h = c₂s² + c₃s³`` with
    ``c₂, c₃ ≥ 0`` (the unconstrained solution when feasible, else the better of the
    one-term fits, each clipped at zero). :func:`earlywarn.center.ir.launch_fit._launch_fit`
    states the model; ``tests/test_center_ir_compiled.py`` holds this to the numpy form."""
    g_n, k = t0.shape[0], t.shape[0]
    cost = np.empty(g_n)
    ce0 = np.empty(g_n)
    cn0 = np.empty(g_n)
    we, wn, wh = 1.0 / var_e, 1.0 / var_n, 1.0 / var_h
    bp = np.empty(k)
    bq = np.empty(k)
    nmat = np.empty((3, 3))
    rvec = np.empty(3)
    coef = np.empty(3)
    hw = 0.0
    for j in range(k):
        hw += h[j] * (wh[j] * h[j])
    for g in range(g_n):
        n22 = n33 = n23 = r2 = r3 = 0.0
        for j in range(k):
            s = max(t[j] - t0[g], 0.0) / 100.0
            b2 = s * s
            b3 = b2 * s
            bp[j] = _ipow(s, p)
            bq[j] = _ipow(s, q)
            n22 += b2 * b2 * wh[j]
            n33 += b3 * b3 * wh[j]
            n23 += b2 * b3 * wh[j]
            r2 += b2 * (wh[j] * h[j])
            r3 += b3 * (wh[j] * h[j])
        chi_e = _ground_chi(e, we, bp, bq, ridge, nmat, rvec, coef)
        ce0[g] = coef[0]
        chi_n = _ground_chi(n, wn, bp, bq, ridge, nmat, rvec, coef)
        cn0[g] = coef[0]
        best = math.inf
        det = n22 * n33 - n23 * n23
        if det != 0.0:
            c2 = (n33 * r2 - n23 * r3) / det
            c3 = (n22 * r3 - n23 * r2) / det
            if c2 >= 0.0 and c3 >= 0.0 and math.isfinite(c2) and math.isfinite(c3):
                best = (
                    hw - 2 * (c2 * r2 + c3 * r3) + c2 * c2 * n22 + 2 * c2 * c3 * n23 + c3 * c3 * n33
                )
        c2_only = max(r2 / n22, 0.0) if n22 != 0.0 else 0.0
        c3_only = max(r3 / n33, 0.0) if n33 != 0.0 else 0.0
        best = min(best, hw - 2 * c2_only * r2 + c2_only * c2_only * n22)
        best = min(best, hw - 2 * c3_only * r3 + c3_only * c3_only * n33)
        cost[g] = chi_e + chi_n + best
    return cost, ce0, cn0
