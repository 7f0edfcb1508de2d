"""The radar tracker's second-order measurement terms (``RadarENU.second_order``).

A young radar track of an object 3,000 km away is spread over kilometres across the line
of sight, while the range is measured to 30 m and the range rate to 5 m/s. Range and range
rate are curved over such a spread, and the first-order EKF, which takes them for linear,
was overconfident: on the quiet day a catalogued satellite's young track missed its
catalog match and reached LAUNCH. These tests check the terms against the closed-form
moments of a quadratic form, and the tracker's consistency on such a target.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from earlywarn.center.measure import RadarENU
from earlywarn.center.radar_tracking import RadarParams
from far_tracks import north_of_site, site_radar, track_runs

_radar = site_radar


def _far_target() -> np.ndarray:
    """A low-Earth-orbit-like state 3,000 km north of the site at 5° elevation, 7.4 km/s
    across the line of sight."""
    r, _, rot = north_of_site(3.0e6, 5.0)
    return np.concatenate([r, 7400.0 * rot[0]])  # eastward: across the line of sight


def test_second_order_terms_are_the_moments_of_the_quadratic_part() -> None:
    # For δ ~ N(0, P), the even part q = (h(x+δ) + h(x−δ))/2 − h(x) is the quadratic form
    # ½ δᵀ H δ up to fourth order, with mean ½ tr(H P) and covariance ½ tr(Hᵢ P Hⱼ P)
    # (the moments of Gaussian quadratic forms). Antithetic pairs cancel the linear part,
    # so a few thousand draws pin the terms to a few per cent.
    radar = _radar()
    x = _far_target()
    rng = np.random.default_rng(7)
    a = rng.standard_normal((6, 6)) * np.array([15e3] * 3 + [3e3] * 3)[:, None] / 3.0
    p = a @ a.T + np.diag([15e3**2] * 3 + [3e3**2] * 3)
    d = rng.standard_normal((20_000, 6)) @ np.linalg.cholesky(p).T
    h0 = radar.function(x[None])[0]
    q = 0.5 * (radar.function(x + d) + radar.function(x - d)) - h0
    bias, cov = radar.second_order(x[None], p[None])
    for i in (0, 3):  # range, range rate
        se = q[:, i].std() / np.sqrt(len(q))
        assert abs(q[:, i].mean() - bias[0, i]) < 4.0 * se, (i, q[:, i].mean(), bias[0, i])
    got = np.cov(q[:, [0, 3]].T)
    want = cov[0][np.ix_([0, 3], [0, 3])]
    np.testing.assert_allclose(got, want, rtol=0.1)
    # what makes them matter: at this spread the range's term is several times its noise
    assert bias[0, 0] > 2.0 * radar.sigma_range_m
    assert np.sqrt(cov[0, 3, 3]) > radar.sigma_range_rate_m_s


@dataclasses.dataclass(frozen=True)
class _FirstOrderRadar(RadarENU):
    """The same radar as the first-order EKF saw it."""

    def second_order(self, x: np.ndarray, p: np.ndarray) -> None:  # type: ignore[override]
        return None


def _mean_nees_per_scan(runs: int, second_order: bool) -> tuple[np.ndarray, int, float]:
    """The radar tracker (its ballistic model and two-point start) on a far target, one
    track per run: the NEES of the track after each scan (5 s apart) averaged over the
    runs whose track held, and how many runs lost it (a scan's measurement left the gate
    and started a second track), and the NIS per update the tracker summed over the
    intact runs' tracks (``TrackerState.nis_sum / nis_n``)."""
    tracker = RadarParams().tracker()
    radar = _radar()
    if not second_order:
        fields = {f.name: getattr(radar, f.name) for f in dataclasses.fields(radar) if f.init}
        radar = _FirstOrderRadar(**fields)
    nees, lost, nis = track_runs(tracker, radar, _far_target(), runs, 12)
    return np.nanmean(nees, axis=0), lost, nis


def test_a_young_far_track_is_consistent() -> None:
    # A consistent filter's NEES averages 6 (six state components). Over 100 runs the
    # 99 % interval of a run average is about 6 ± 1; the two-point start (its converted
    # position is a little curved too) leaves a small excess on the first scans, so the
    # bound is 9 from the third scan on. A 99.9 % gate loses a consistent track in about
    # 1 % of such runs (ten gated scans); more than 4 of 100 is a filter whose gate is
    # too tight. Without the terms the same runs are far off (below: the test can fail).
    nees, lost, nis = _mean_nees_per_scan(100, second_order=True)
    assert (nees[2:] < 9.0).all(), nees.round(1)
    assert 4.0 < nees[6:].mean() < 8.0, nees.round(1)
    assert lost <= 4, lost
    # the track's own fit statistic: the NIS of a consistent filter averages the
    # measurement's dimension, 4 (over ~900 updates its mean has σ ≈ 0.1)
    assert 3.5 < nis < 4.8, nis


def test_without_the_terms_the_same_track_is_overconfident() -> None:
    nees, lost, _ = _mean_nees_per_scan(100, second_order=False)
    assert nees[2:].max() > 20.0 or lost > 4, (nees.round(1), lost)
