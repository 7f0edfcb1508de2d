"""The radar tracker's iterated EKF update (``kalman.iterated_ekf_update``,
``RadarParams.update_iterations``).

* With a linear measurement it is the EKF (relinearising a line changes nothing).
* Iterated to convergence it is the maximum a posteriori state of one update, the Gauss-
  Newton solution of ``min (x − x̄)ᵀ P⁻¹ (x − x̄) + (z − h(x))ᵀ R⁻¹ (z − h(x))`` (Bell &
  Cathey 1993, *IEEE Trans. Automatic Control* 38:294): the cost's gradient vanishes there.
* What it is for: young tracks far out. A track started 4,100 km out, closing at 4.4 km/s
  and crossing at 3 km/s (two-point start, 5 s scans, 30 m, 2.6 mrad, 5 m/s): with one
  linearisation per update, 3.8 % of 300 tracks had a NEES beyond the chi-square 99.9 %
  quantile after their 9th scan (heavy-tailed: up to 80); with three iterations 1.0 %
  (up to 27). One such track of another launch, fused with an IR event, had a 68 km
  impact ellipse 900 km from the truth and dismissed a threatening launch of a raid for
  88 s (the 23-launch raid of ``tests/test_raid_large.py``, seed 3).
"""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.center.gates import chi2_ppf
from earlywarn.center.kalman import ekf_update, iterated_ekf_update
from earlywarn.center.measure import CartesianPosition
from earlywarn.center.radar_tracking import RadarParams
from far_tracks import north_of_site, site_radar, track_runs

_radar = site_radar


def _closing_target(range_m: float = 4.1e6, el_deg: float = 3.0) -> np.ndarray:
    """A descending object ``range_m`` north of the site: closing at 4.4 km/s, crossing
    eastward at 3 km/s, falling at 1.5 km/s."""
    r, los, rot = north_of_site(range_m, el_deg)
    v = -4400.0 * los + 3000.0 * rot[0] - 1500.0 * r / np.linalg.norm(r)
    return np.concatenate([r, v])


def _prior(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` priors around the target: tens of km and km/s of spread (a young track)."""
    a = rng.standard_normal((k, 6, 6)) * np.array([20e3] * 3 + [2e3] * 3)[:, None] / 3.0
    p = a @ a.swapaxes(1, 2) + np.diag([10e3**2] * 3 + [1e3**2] * 3)
    x = _closing_target() + np.einsum(
        "kij,kj->ki", np.linalg.cholesky(p), rng.standard_normal((k, 6))
    )
    return x, p


def test_with_a_linear_measurement_it_is_the_ekf() -> None:
    rng = np.random.default_rng(3)
    mm = CartesianPosition(100.0)
    x, p = _prior(rng, 5)
    z = _closing_target()[:3] + 100.0 * rng.standard_normal((5, 3))
    zh, h = mm.function_and_jacobian(x)
    y = mm.residual(z, zh)
    want = ekf_update(x, p, y, h, mm.noise_covariance)
    got = iterated_ekf_update(x, p, y, h, mm.noise_covariance, None, mm, 3)
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-9)


def test_iterated_to_convergence_it_is_the_map_state() -> None:
    rng = np.random.default_rng(5)
    mm = _radar()
    x0, p = _prior(rng, 20)
    r = mm.noise_covariance
    z = mm.function(_closing_target()[None]) + rng.standard_normal((20, 4)) * np.sqrt(np.diag(r))
    zh, h = mm.function_and_jacobian(x0)
    y = mm.residual(z, zh)

    def gradient(x: np.ndarray) -> np.ndarray:
        """∇ of the MAP cost, in units of the prior's sigma (whitened), per state."""
        zx, hx = mm.function_and_jacobian(x)
        e = mm.residual(z, zx)
        g = np.linalg.solve(p, (x - x0)[..., None])[..., 0]
        g -= np.einsum("kji,kj->ki", hx, np.linalg.solve(r, e.T).T)
        return np.einsum("kij,kj->ki", np.linalg.cholesky(p).swapaxes(1, 2), g)

    one = iterated_ekf_update(x0, p, y, h, r, None, mm, 1)[0]
    many = iterated_ekf_update(x0, p, y, h, r, None, mm, 12)[0]
    g1, gn = np.abs(gradient(one)).max(axis=1), np.abs(gradient(many)).max(axis=1)
    # the EKF's single step leaves a gradient of order one; the iterations remove it
    assert np.median(g1) > 1e-2, g1
    assert (gn < 1e-6 * np.maximum(g1, 1.0)).all(), gn


def _far_tail(iterations: int, runs: int = 300, scans: int = 9) -> tuple[float, int]:
    """The share of tracks whose NEES after ``scans`` scans is beyond the chi-square 99.9 %
    quantile (6 dof), and how many runs lost their track (a second one was started)."""
    tracker = RadarParams(update_iterations=iterations).tracker()
    nees, lost, _ = track_runs(tracker, _radar(), _closing_target(), runs, scans)
    last = nees[:, -1][np.isfinite(nees[:, -1])]
    return float(np.mean(last > chi2_ppf(0.999, 6))), lost


@pytest.mark.parametrize("iterations", [1, 3])
def test_young_far_tracks_are_not_overconfident_when_iterated(iterations: int) -> None:
    # A consistent filter puts 0.1 % of its tracks beyond the 99.9 % quantile. Measured
    # when written (seeded, deterministic): one linearisation 3.8 %, three 1.0 %. The
    # bound 3 % is what the iterated update must meet and the single one fails.
    share, lost = _far_tail(iterations)
    if iterations == 1:
        assert share > 0.03, share
    else:
        assert share <= 0.03, share
    assert lost <= 12, lost  # a 99.9 % gate over 8 gated scans loses ~1 %; 4 % is the limit
