"""Statistics of the sensor models against their stated distributions.

Bounds
------
* Detection counts: a sum of independent Bernoulli(pᵢ) has mean Σpᵢ and variance
  Σpᵢ(1 − pᵢ); the count must lie within ±3.29 σ (99.9 % two-sided, normal approximation
  to the Poisson-binomial, good for these 10⁴-trial samples) — Pd of the IR model
  Q(threshold − SNR) and of the radar's Swerling I exp(−T/(1 + SNR̄)).
* Noise: a sum of n squared standard normals is χ²(n); the sum must lie within the
  0.05 % and 99.95 % quantiles (99.9 %). Normalised estimation error squared (NEES) of
  k-dimensional measurements averaged over n reports must lie within the 99 % interval
  [χ²₀.₀₀₅(kn)/n, χ²₀.₉₉₅(kn)/n] (Bar-Shalom, Li & Kirubarajan, *Estimation with
  Applications to Tracking and Navigation*, §5.4).
Seeds are fixed, so the tests are deterministic; the bounds say how unlikely a failure of
a correct model would be.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from earlywarn.earth.frames import geodetic_to_ecef
from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.background import orthonormal_basis, ray_layer_range
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.sensors.simulate import sensor_seed
from earlywarn.space.orbits import geo

EPOCH = parse_utc("2026-03-20T06:00:00Z")
Z999 = 3.29


def hovering(points: np.ndarray, intensity: np.ndarray, rcs: np.ndarray, t1: float) -> Trajectories:
    n = points.shape[0]
    ts = np.tile(np.array([-1.0, t1 + 1.0]), (n, 1))
    r = np.repeat(points[:, None, :], 2, axis=1)
    return Trajectories(
        tuple(f"o{i}" for i in range(n)), ("x",) * n, ("other",) * n, ts, r,
        np.zeros_like(r), np.repeat(intensity[:, None], 2, axis=1), rcs,
    )  # fmt: skip


def binomial_ok(n_det: int, p: np.ndarray) -> tuple[bool, str]:
    mean = float(p.sum())
    sd = math.sqrt(float((p * (1 - p)).sum()))
    return abs(
        n_det - mean
    ) <= Z999 * sd + 1.0, f"{n_det} detections, expected {mean:.1f} ± {sd:.1f}"


def chi2_sum_ok(sum_sq: float, dof: int) -> tuple[bool, str]:
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], dof)
    return bool(lo <= sum_sq <= hi), f"Σz² = {sum_sq:.1f}, 99.9 % interval [{lo:.1f}, {hi:.1f}]"


def nees_ok(nees: np.ndarray, k: int) -> tuple[bool, str]:
    n = nees.size
    lo, hi = stats.chi2.ppf([0.005, 0.995], k * n) / n
    m = float(nees.mean())
    return bool(lo <= m <= hi), f"mean NEES {m:.3f}, 99 % interval [{lo:.3f}, {hi:.3f}] (k={k})"


# ---------------------------------------------------------------------------------- IR

PAYLOAD = InfraredPayload.staring(0.0, 0.0, clutter_per_frame=0.0, glint=None)
SAT = InfraredSatellite("S", geo(0.0), PAYLOAD)
T_IR = 300.0


def _ir_run() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    n = 80
    lat = rng.uniform(-2.0, 2.0, n)
    lon = rng.uniform(-2.0, 2.0, n)
    pts = geodetic_to_ecef(np.radians(lat), np.radians(lon), 30e3)
    sat0 = SAT.position(EPOCH, 0.0)
    r2 = np.sum((pts - sat0) ** 2, axis=1)
    snr = PAYLOAD.threshold_snr + np.array([-1.5, -0.5, 0.0, 0.7, 1.5])[np.arange(n) % 5]
    intensity = snr * PAYLOAD.nei_w_m2 * r2
    truth = hovering(pts, intensity, np.ones(n), T_IR)
    obs = SAT.observe(truth, EPOCH, 0.0, T_IR, sensor_seed(np.random.SeedSequence(21), "S"))
    return obs.columns, np.array([int(s[1:]) for s in obs.label]), pts, intensity


IR_COLS, IR_IDX, IR_PTS, IR_INT = _ir_run()


def test_ir_detection_probability_binomial() -> None:
    """Pd = Q(threshold − SNR) over 300 frames × 80 sources at five SNR levels."""
    frames = np.arange(0.0, T_IR, PAYLOAD.period_s)
    sat = SAT.position(EPOCH, frames)  # (F, 3)
    r2 = np.sum((IR_PTS[:, None, :] - sat[None, :, :]) ** 2, axis=2)
    p = PAYLOAD.detection_probability(IR_INT[:, None] / r2 / PAYLOAD.nei_w_m2)
    ok, msg = binomial_ok(IR_IDX.size, p.ravel())
    assert ok, msg
    # and per SNR level (5 levels, sources i ≡ level mod 5)
    for lev in range(5):
        sel = np.arange(IR_PTS.shape[0]) % 5 == lev
        ok, msg = binomial_ok(int(np.isin(IR_IDX, np.flatnonzero(sel)).sum()), p[sel].ravel())
        assert ok, f"level {lev}: {msg}"


def test_ir_line_of_sight_nees_and_intensity_noise() -> None:
    c = IR_COLS
    sat = np.stack([c["sat_x_m"], c["sat_y_m"], c["sat_z_m"]], -1).astype(float)
    los = np.stack([c["los_x"], c["los_y"], c["los_z"]], -1).astype(float)
    true = IR_PTS[IR_IDX] - sat
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    e1, e2 = orthonormal_basis(true)
    sig = c["sigma_rad"].astype(float)
    a = np.sum((los - true) * e1, axis=1) / sig
    b = np.sum((los - true) * e2, axis=1) / sig
    ok, msg = nees_ok(a**2 + b**2, 2)
    assert ok, msg
    ok, msg = chi2_sum_ok(float(np.sum(a**2)), a.size)  # per-axis variance
    assert ok, msg
    # intensity: reported / (snr · NEI · R_a²) − 1 = frac · N(0, 1)
    r_a = ray_layer_range(sat, los, PAYLOAD.min_altitude_m)
    rel = c["intensity_w_sr"] / (c["snr"] * PAYLOAD.nei_w_m2 * r_a**2) - 1.0
    ok, msg = chi2_sum_ok(float(np.sum((rel / PAYLOAD.intensity_noise_frac) ** 2)), rel.size)
    assert ok, msg


def test_ir_clutter_rate_poisson() -> None:
    payload = InfraredPayload(clutter_per_frame=0.5, glint=None)
    sat = InfraredSatellite("C", geo(30.0), payload)
    truth = hovering(np.zeros((0, 3)), np.zeros(0), np.zeros(0), 10.0)
    obs = sat.observe(truth, EPOCH, 0.0, 40_000.0, sensor_seed(np.random.SeedSequence(4), "C"))
    n_frames = 4000
    lam = payload.clutter_per_frame * n_frames
    # Poisson count, 99.9 %: the scan-time shift can push the last frame's ones out
    assert abs(len(obs) - lam) <= Z999 * math.sqrt(lam) + 1
    assert np.all(obs.label == "clutter")
    assert np.all(obs.columns["snr"] > payload.threshold_snr)


# ------------------------------------------------------------------------------- radar

RADAR = Radar("R", 0.0, 0.0, 0.0, (RadarFace("E", 90.0),), false_alarms_per_scan=0.0)
T_RADAR = 2500.0


def test_radar_swerling1_pd_and_measurement_noise() -> None:
    from earlywarn.earth.frames import aer_to_enu, enu_to_ecef

    n = 30
    rng = np.random.default_rng(5)
    az = np.radians(rng.uniform(60.0, 120.0, n))
    el = np.radians(rng.uniform(10.0, 40.0, n))
    rg = rng.uniform(1.0e6, 3.0e6, n)
    pts = enu_to_ecef(aer_to_enu(az, el, rg), RADAR.lat_rad, RADAR.lon_rad, RADAR.h_m)
    level = np.array([0.3, 1.0, 3.0])[np.arange(n) % 3]  # SNR̄ / T
    rcs = level * RADAR.ref_rcs_m2 * (rg / (RADAR.ref_range_km * 1e3)) ** 4
    truth = hovering(pts, np.zeros(n), rcs, T_RADAR)
    obs = RADAR.observe(truth, EPOCH, 0.0, T_RADAR, sensor_seed(np.random.SeedSequence(9), "R"))
    idx = np.array([int(s[1:]) for s in obs.label])
    n_scans = int(T_RADAR / RADAR.revisit_s)
    _, _, rng_true, _ = RADAR.measure(pts)
    pd = RADAR.detection_probability(RADAR.mean_snr(rcs, rng_true))
    assert np.allclose(pd, np.exp(-RADAR.threshold / (1 + level * RADAR.threshold)))
    ok, msg = binomial_ok(idx.size, np.repeat(pd, n_scans))
    assert ok, msg
    for lev in np.unique(level):
        sel = np.flatnonzero(level == lev)
        ok, msg = binomial_ok(int(np.isin(idx, sel).sum()), np.repeat(pd[sel], n_scans))
        assert ok, f"SNR̄/T = {lev}: {msg}"
    # measurement noise: four components, χ² per component and NEES (k = 4)
    c = obs.columns
    a_t, e_t, r_t, rr_t = RADAR.measure(pts[idx], np.zeros((idx.size, 3)))
    daz = np.mod(c["azimuth_rad"] - a_t + math.pi, 2 * math.pi) - math.pi
    z = np.stack(
        [
            (c["range_m"] - r_t) / c["sigma_range_m"],
            daz / c["sigma_azimuth_rad"],
            (c["elevation_rad"] - e_t) / c["sigma_elevation_rad"],
            (c["range_rate_m_s"] - rr_t) / c["sigma_range_rate_m_s"],
        ],
        axis=1,
    ).astype(float)
    for j in range(4):
        ok, msg = chi2_sum_ok(float(np.sum(z[:, j] ** 2)), idx.size)
        assert ok, f"component {j}: {msg}"
    ok, msg = nees_ok(np.sum(z**2, axis=1), 4)
    assert ok, msg
    # reported snr: Swerling I with square law ⇒ (snr + 1) / (1 + SNR̄) ~ Exp(1) given
    # detection, i.e. conditional on exceeding T / (1 + SNR̄): memoryless, so the excess
    # over that point is Exp(1) again
    sbar = RADAR.mean_snr(rcs[idx], r_t)
    excess = (c["snr"] + 1.0) / (1.0 + sbar) - RADAR.threshold / (1.0 + sbar)
    assert abs(excess.mean() - 1.0) < Z999 / math.sqrt(idx.size)
