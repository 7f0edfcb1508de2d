"""Range ambiguity of a pulsed radar (``Radar.pri_s``) and the Moon at its folded range.

Closed form (Skolnik, *Introduction to Radar Systems*, 3rd ed., §2.10): an echo from
true range R arrives R·2/c after its pulse; the radar times it from the last pulse, so
it appears at R mod R_u with R_u = c·PRI/2. Targets here stand still on a ray inside a
face, with range noise 0 and cross sections that make Pd ≈ 1 at their true range (or
≈ 0, to show the R⁻⁴ law is applied at the true range, not the folded one).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.earth.frames import aer_to_enu, ecef_to_aer, enu_to_ecef
from earlywarn.earth.moon import moon_ecef
from earlywarn.earth.time import parse_utc
from earlywarn.flight.moon import moon_truth
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.background import Observations
from earlywarn.sensors.radar import C_M_S, Radar, RadarFace
from earlywarn.sensors.simulate import sensor_seed

EPOCH = parse_utc("2026-03-20T06:00:00Z")
PRI_S = 40e-3  # R_u = 5,995.8 km


def _radar(pri_s: float | None, **kw: float) -> Radar:
    face = RadarFace("E", 90.0, half_width_deg=60.0, el_min_deg=3.0, el_max_deg=85.0)
    args: dict[str, float] = {
        "max_range_km": 5000.0,
        "sigma_range_m": 0.0,
        "sigma_azimuth_rad": 0.0,
        "sigma_elevation_rad": 0.0,
        "sigma_range_rate_m_s": 0.0,
        "false_alarms_per_scan": 0.0,
        **kw,
    }
    return Radar("R", 0.0, 0.0, 0.0, (face,), pri_s=pri_s, **args)  # type: ignore[arg-type]


def _static(
    radar: Radar,
    ranges_m: list[float],
    rcs_m2: list[float],
    rr_m_s: float = 0.0,
    t_end_s: float = 100.0,
) -> Trajectories:
    """Objects on the ray az 90°, el 30° at the given true ranges, moving radially at
    ``rr_m_s``, sampled over 0–``t_end_s``."""
    n = len(ranges_m)
    t = np.array([0.0, t_end_s])
    rng = np.asarray(ranges_m)[:, None] + rr_m_s * t[None, :]
    u_enu = aer_to_enu(math.radians(90.0), math.radians(30.0), 1.0)
    site = radar.site_ecef_m
    u = enu_to_ecef(u_enu, radar.lat_rad, radar.lon_rad, radar.h_m) - site  # unit, ECEF
    r = site + rng[..., None] * u
    v = np.broadcast_to(rr_m_s * u, r.shape)
    return Trajectories(
        tuple(f"o{i}" for i in range(n)), ("x",) * n, ("other",) * n,
        np.tile(t, (n, 1)), r, np.array(v), np.zeros((n, 2)), np.asarray(rcs_m2, dtype=float),
    )  # fmt: skip


def _observe(radar: Radar, truth: Trajectories, t_end_s: float = 100.0) -> Observations:
    return radar.observe(truth, EPOCH, 0.0, t_end_s, sensor_seed(np.random.SeedSequence(3), "R"))


def test_unambiguous_range_is_c_pri_over_2() -> None:
    radar = _radar(PRI_S)
    assert radar.unambiguous_range_m == pytest.approx(0.5 * 299_792_458.0 * PRI_S)
    assert C_M_S == 299_792_458.0
    assert math.isinf(_radar(None).unambiguous_range_m)


def test_folded_ranges_match_the_closed_form() -> None:
    radar = _radar(PRI_S)
    ru = radar.unambiguous_range_m
    true = [1000e3, 4000e3, ru + 1500e3, 2 * ru + 3000e3, 5 * ru + 20e3, ru + 5500e3]
    truth = _static(radar, true, [1e14] * len(true))
    obs = _observe(radar, truth)
    c = obs.columns
    for i, r in enumerate(true):
        got = c["range_m"][obs.label == f"o{i}"].astype(float)
        folded = math.fmod(r, ru)
        if 50e3 <= folded <= 5000e3:
            assert got.size == 20, (i, got.size)  # Pd ≈ 1, 20 scans of 5 s
            np.testing.assert_allclose(got, folded, rtol=0, atol=1e-3)
        else:  # folds past the instrumented window (5,500 km mod R_u > 5,000 km)
            assert got.size == 0, (i, got.size)
    # inside R_u nothing changes: same range as the true one
    got0 = c["range_m"][obs.label == "o0"].astype(float)
    np.testing.assert_allclose(got0, 1000e3, atol=1e-3)


def test_without_a_pri_nothing_beyond_the_window_is_seen() -> None:
    radar = _radar(None)
    truth = _static(radar, [1000e3, 7500e3], [1e14, 1e14])
    obs = _observe(radar, truth)
    assert set(obs.label.tolist()) == {"o0"}


def test_detection_uses_the_true_range_and_range_rate_is_measured() -> None:
    radar = _radar(PRI_S)
    ru = radar.unambiguous_range_m
    # 1 m² at its folded 1,000 km would be seen with SNR̄ = T·625; at its true 7,000 km
    # SNR̄ = T·0.26: Pd = exp(−T/(1 + 0.26 T)) ≈ 0.05 per scan — not the folded figure
    weak = _static(radar, [ru + 1000e3], [1.0], t_end_s=2000.0)
    n_weak = int((_observe(radar, weak, 2000.0).label == "o0").sum())
    snr = radar.mean_snr(1.0, ru + 1000e3)
    pd = float(radar.detection_probability(snr))
    n_scans = 400
    assert abs(n_weak - pd * n_scans) < 4 * math.sqrt(pd * n_scans) + 1, (n_weak, pd)
    moving = _static(radar, [ru + 2000e3], [1e14], rr_m_s=-1500.0)
    obs = _observe(radar, moving)
    rr = obs.columns["range_rate_m_s"].astype(float)
    assert rr.size == 20
    np.testing.assert_allclose(rr, -1500.0, atol=1e-6)


def test_pri_too_short_for_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match=r"pri_s.*33\.356 ms"):
        _radar(20e-3)  # R_u = 2,998 km < max_range 5,000 km
    with pytest.raises(ValueError, match="pri_s"):
        _radar(-1.0)


def test_the_rising_moon_is_seen_at_its_folded_range() -> None:
    # Thule, 5 October 1960: the Moon climbs from 0 to 4° elevation at azimuth 65–80°
    epoch = parse_utc("1960-10-05T21:30:00Z")
    face = RadarFace("E", 60.0, half_width_deg=60.0, el_min_deg=1.0, el_max_deg=10.0)
    kw = {"max_range_km": 4800.0, "sigma_range_m": 0.0, "false_alarms_per_scan": 0.0}
    radar = Radar("thule", 76.5, -68.7, 0.0, (face,), pri_s=37.18e-3, **kw)  # type: ignore[arg-type]
    truth = moon_truth(epoch, 4500.0)
    obs = radar.observe(truth, epoch, 0.0, 4500.0, sensor_seed(np.random.SeedSequence(1), "thule"))
    t = obs.columns["t_s"].astype(float)[obs.label == "moon"]
    got = obs.columns["range_m"].astype(float)[obs.label == "moon"]
    assert t.size > 400
    _, el, rng = ecef_to_aer(moon_ecef(epoch, t), radar.lat_rad, radar.lon_rad, 0.0)
    np.testing.assert_allclose(got, np.mod(rng, radar.unambiguous_range_m), atol=1.0)
    assert np.all(np.degrees(el) >= 1.0)
    assert np.all((got > 3500e3) & (got < 4500e3))  # ~2,500 miles, as in the accounts
    # every scan with the Moon in the face (elevation 1–10°) reports it: Pd ≈ 1
    scans = np.arange(0.0, 4500.0, radar.revisit_s)
    _, el_all, _ = ecef_to_aer(moon_ecef(epoch, scans), radar.lat_rad, radar.lon_rad, 0.0)
    assert t.size == int((np.degrees(el_all) >= 1.0).sum())
    # the same radar without a PRI never sees it (384,000 km is past its window)
    plain = Radar("thule", 76.5, -68.7, 0.0, (face,), **kw)  # type: ignore[arg-type]
    obs0 = plain.observe(truth, epoch, 0.0, 4500.0, sensor_seed(np.random.SeedSequence(1), "thule"))
    assert not (obs0.label == "moon").any()
