"""The compiled arithmetic of an IR event's re-estimate (``center/ir/compiled.py``) against
the numpy it replaced (below, as references): the triangulation, the ray state fit's
least squares, and the stereo launch fit's grid.

The triangulated points and covariances are the reference's to the last bits (both call
LAPACK's ``gesv`` and sum in the same order); the state fit's normal matrix is summed in
index order where numpy's BLAS blocks its sums, so its coefficients are held to
1e-4 of their standard deviation; the launch grid's cost to 1e-8 of itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.center.ir.compiled import launch_grid, ray_fit, triangulate_rays
from earlywarn.center.ir.geometry import _cross, _unit, triangulate
from earlywarn.center.ir.launch_fit import GROUND_RIDGE, HORIZONTAL_POWERS, _poly_fit_grid
from earlywarn.earth.constants import A_M

GEO_M = 42_164e3


# ----------------------------------------------------------------------- numpy references
def _triangulate_ref(
    sat_m: np.ndarray, los: np.ndarray, sigma_rad: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, ...]:
    w_ok = valid.astype(np.float64)
    nray = valid.sum(axis=-1).astype(np.int64)
    eye = np.eye(3)
    m = eye - los[..., :, None] * los[..., None, :]
    rho = np.linalg.norm(sat_m, axis=-1) - A_M
    good = nray >= 2
    for _ in range(2):
        w = np.where(valid, w_ok / (sigma_rad * rho) ** 2, 0.0)
        amat = np.einsum("...r,...rij->...ij", w, m)
        bvec = np.einsum("...r,...rij,...rj->...i", w, m, sat_m)
        amat_safe = np.where(good[..., None, None], amat, eye)
        x = np.linalg.solve(amat_safe, bvec[..., None])[..., 0]
        rho = np.where(valid, np.linalg.norm(x[..., None, :] - sat_m, axis=-1), 1.0)
    w = np.where(valid, w_ok / (sigma_rad * rho) ** 2, 0.0)
    amat = np.einsum("...r,...rij->...ij", w, m)
    cov = np.linalg.inv(np.where(good[..., None, None], amat, eye))
    res = np.einsum("...rij,...rj->...ri", m, x[..., None, :] - sat_m)
    chi2 = np.einsum("...r,...ri,...ri->...", w, res, res)
    x = np.where(good[..., None], x, np.nan)
    cov = np.where(good[..., None, None], cov, np.nan)
    return x, cov, np.where(good, chi2, np.nan), nray


def _ray_fit_ref(
    tau: np.ndarray, sat: np.ndarray, u: np.ndarray, sig: np.ndarray, r_guess: np.ndarray,
    deg: int, jerk_prior: float,
) -> tuple[np.ndarray, np.ndarray, float]:  # fmt: skip
    k, npar = tau.shape[0], 3 * (deg + 1)
    ref = np.where(np.abs(u[:, 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = _unit(_cross(u, ref))
    proj = np.stack([e1, _cross(u, e1)], axis=1)  # (K, 2, 3)
    powers = np.stack([tau**i / math.factorial(i) for i in range(deg + 1)], axis=1)
    design = (proj[:, :, None, :] * powers[:, None, :, None]).reshape(2 * k, npar)
    obs = np.einsum("kmc,kc->km", proj, sat).reshape(2 * k)
    d = r_guess[None, :] - sat
    rho = np.sqrt(np.einsum("kc,kc->k", d, d))
    for _ in range(2):
        w = np.repeat(1.0 / (sig * rho), 2)
        aw, bw = design * w[:, None], obs * w
        nmat = aw.T @ aw
        if deg == 3:
            nmat[(9, 10, 11), (9, 10, 11)] += jerk_prior
        x = np.linalg.solve(nmat, aw.T @ bw)
        d = powers @ x.reshape(deg + 1, 3) - sat
        rho = np.sqrt(np.einsum("kc,kc->k", d, d))
    res = aw @ x - bw
    return x, nmat, float(res @ res)


def _alt_fit_grid_ref(t: np.ndarray, h: np.ndarray, var: np.ndarray, t0: np.ndarray) -> np.ndarray:
    s = np.maximum(t[None, :] - t0[:, None], 0.0) / 100.0
    b2, b3 = s * s, s * s * s
    w = 1.0 / var
    n22, n33, n23 = b2 * b2 @ w, b3 * b3 @ w, b2 * b3 @ w
    r2, r3 = b2 @ (w * h), b3 @ (w * h)
    det = n22 * n33 - n23 * n23
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (n33 * r2 - n23 * r3) / det
        c3 = (n22 * r3 - n23 * r2) / det
    c2_only, c3_only = np.maximum(r2 / n22, 0.0), np.maximum(r3 / n33, 0.0)
    hw = float(h @ (w * h))

    def chi(a2: np.ndarray, a3: np.ndarray) -> np.ndarray:
        return hw - 2 * (a2 * r2 + a3 * r3) + a2 * a2 * n22 + 2 * a2 * a3 * n23 + a3 * a3 * n33

    ok = (c2 >= 0) & (c3 >= 0) & np.isfinite(c2) & np.isfinite(c3)
    full = np.where(ok, chi(np.where(ok, c2, 0.0), np.where(ok, c3, 0.0)), np.inf)
    zero = np.zeros_like(c2_only)
    return np.minimum(full, np.minimum(chi(c2_only, zero), chi(zero, c3_only)))


# ---------------------------------------------------------------------------- fixtures
def _rays(rng: np.random.Generator, n: int, r: int) -> tuple[np.ndarray, ...]:
    """``n`` plumes 0-300 km up seen by ``r`` GEO satellites each (30 µrad noise), a fifth
    of the rays missing."""
    tgt = rng.normal(size=(n, 3))
    tgt *= (A_M + rng.uniform(0.0, 3e5, (n, 1))) / np.linalg.norm(tgt, axis=1, keepdims=True)
    lon = rng.uniform(0.0, 2.0 * np.pi, (n, r))
    sat = np.stack([GEO_M * np.cos(lon), GEO_M * np.sin(lon), rng.normal(0.0, 1e5, (n, r))], -1)
    u = _unit(tgt[:, None, :] - sat + rng.normal(0.0, 1.0e3, (n, r, 3)))
    return sat, u, rng.uniform(2e-5, 4e-5, (n, r)), rng.random((n, r)) > 0.2


def _boost_rays(rng: np.random.Generator, k: int) -> tuple[np.ndarray, ...]:
    """``k`` detections over 30 s of a boosting rocket, alternating between two GEO
    satellites 65° apart (30 µrad noise): τ, satellite positions, lines of sight, sigmas."""
    tau = -np.sort(rng.uniform(0.0, 30.0, k))[::-1]
    r0 = np.array([A_M + 1e5, 2e5, 3e5])
    pos = (
        r0
        + np.array([0.0, 3e3, 2e3]) * tau[:, None]
        + 0.5 * np.array([10.0, 20.0, 30.0]) * tau[:, None] ** 2
    )
    lon = np.where(np.arange(k) % 2 == 0, 0.5, -0.63)
    sat = np.stack([GEO_M * np.cos(lon), GEO_M * np.sin(lon), np.zeros(k)], -1)
    u = _unit(_unit(pos - sat) + rng.normal(0.0, 3e-5, (k, 3)))
    return tau, sat, u, np.full(k, 3e-5), pos[-1]


# ------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("n_rays", [2, 3, 4])
def test_triangulation_is_the_numpy_least_squares(n_rays: int) -> None:
    rng = np.random.default_rng(n_rays)
    args = _rays(rng, 500, n_rays)
    x, cov, chi2, nray = triangulate_rays(*args)
    x_r, cov_r, chi2_r, nray_r = _triangulate_ref(*args)
    assert nray.tolist() == nray_r.tolist()
    good = nray_r >= 2
    assert 0 < good.sum() < 500  # rows of both kinds
    assert np.array_equal(x, x_r, equal_nan=True)
    assert np.array_equal(cov, cov_r, equal_nan=True)
    assert np.isnan(chi2[~good]).all()
    # the residuals are a difference of ranges of ~4e7 m: the chi-square's last bits differ
    np.testing.assert_allclose(chi2[good], chi2_r[good], rtol=1e-6, atol=1e-9)


def test_triangulate_keeps_its_leading_dimensions() -> None:
    sat, u, sig, val = _rays(np.random.default_rng(9), 12, 3)
    x, cov, chi2, nray = triangulate(
        sat.reshape(3, 4, 3, 3), u.reshape(3, 4, 3, 3), sig.reshape(3, 4, 3), val.reshape(3, 4, 3)
    )
    assert (x.shape, cov.shape, chi2.shape, nray.shape) == ((3, 4, 3), (3, 4, 3, 3), (3, 4), (3, 4))
    assert np.array_equal(x.reshape(12, 3), triangulate_rays(sat, u, sig, val)[0], equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
def test_ray_fit_is_the_numpy_least_squares(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in (5, 7, 8, 20, 40):
        deg = 3 if k >= 8 else 2
        tau, sat, u, sig, r_last = _boost_rays(rng, k)
        guess = r_last + rng.normal(0.0, 2e3, 3)
        x, nmat, chi2 = ray_fit(tau, sat, u, sig, guess, deg, 1.0 / 50.0**2)
        x_r, nmat_r, chi2_r = _ray_fit_ref(tau, sat, u, sig, guess, deg, 1.0 / 50.0**2)
        sd = np.sqrt(np.diag(np.linalg.inv(nmat_r)))
        assert np.max(np.abs(x - x_r) / sd) < 1e-4  # (ill-conditioned at k = 5: 4e-6)
        # the fit's standard deviations (the last pass weighs by ranges from the first
        # pass's solution, itself apart by the tolerance above)
        np.testing.assert_allclose(np.sqrt(np.diag(np.linalg.inv(nmat))), sd, rtol=1e-4)
        assert abs(chi2 - chi2_r) < 1e-6 * max(chi2_r, 1.0)


def test_ray_fit_raises_on_a_singular_system() -> None:
    """Every detection at one time: velocity and acceleration are not observable."""
    _, sat, u, sig, r_last = _boost_rays(np.random.default_rng(0), 7)
    with pytest.raises(np.linalg.LinAlgError):
        ray_fit(np.zeros(7), sat, u, sig, r_last, 2, 0.0)


@pytest.mark.parametrize("seed", range(8))
def test_launch_grid_is_the_numpy_fit(seed: int) -> None:
    """Boost-like points (and, for odd seeds, a falling altitude: the sign constraint picks
    a one-term fit) over a 150 s grid of launch times before the first point."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(6, 40))
    t = np.sort(rng.uniform(20.0, 65.0, k))
    s = (t - rng.uniform(0.0, 15.0)) / 100.0
    az = rng.uniform(0.0, 2.0 * np.pi)
    d = 3e5 * s**3 + 2e5 * s**4
    e = d * np.sin(az) + rng.normal(0.0, 500.0, k)
    n = d * np.cos(az) + rng.normal(0.0, 500.0, k)
    h = (4e6 * s**2 + 1e6 * s**3) * (-1.0 if seed % 2 else 1.0) + rng.normal(0.0, 800.0, k)
    var = (
        rng.uniform(0.5, 2.0, k) * 500.0**2,
        rng.uniform(0.5, 2.0, k) * 500.0**2,
        np.full(k, 800.0**2),
    )
    grid = t[0] - 0.5 * np.arange(300, 0, -1)
    cost, ce0, cn0 = launch_grid(t, e, n, h, *var, grid, *HORIZONTAL_POWERS, GROUND_RIDGE)
    ce, _, chi_e = _poly_fit_grid(t, e, var[0], grid)
    cn, _, chi_n = _poly_fit_grid(t, n, var[1], grid)
    cost_r = chi_e + chi_n + _alt_fit_grid_ref(t, h, var[2], grid)
    np.testing.assert_allclose(cost, cost_r, rtol=1e-8)
    np.testing.assert_allclose(ce0, ce[:, 0], rtol=0.0, atol=1e-3)
    np.testing.assert_allclose(cn0, cn[:, 0], rtol=0.0, atol=1e-3)
    assert int(np.argmin(cost)) == int(np.argmin(cost_r))
