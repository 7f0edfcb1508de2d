"""The Moon's ephemeris (``earth.moon``) and the Moon as a truth object (``flight.moon``).

* Meeus, *Astronomical Algorithms*, 2nd ed. (1998), Example 47.a: 1992 April 12, 0h TD
  (JDE 2448724.5): geometric λ = 133.162655°, β = −3.229126°, Δ = 368,409.7 km (apparent
  λ = 133.167265° adds the nutation Δψ = +0.004610°, which the model neglects).
* ERFA's ``eraMoon98`` (the full chapter-47 series) at 200 random epochs in 1950–2050:
  the truncated series stays within the accuracy the module states (0.015° in λ and β,
  30 km in Δ), and the Earth-fixed direction within 0.03° of ERFA's GCRS → ITRS.
* Moonrise: the mean interval between moonrises is the mean lunar day,
  1 / (1/T_sid − 1/P_sid) with T_sid = 86,164.0905 s the sidereal day and P_sid =
  27.321661 d the sidereal month (Meeus ch. 49 / Explanatory Supplement), = 89,428 s
  (24 h 50 min 28 s), closed form; and at the rise time the elevation equals the asked
  altitude while the Moon is climbing.
"""

from __future__ import annotations

import math

import erfa
import numpy as np
import pytest

from earlywarn.earth.frames import ecef_to_aer
from earlywarn.earth.moon import (
    R_MOON_M,
    moon_ecef,
    moon_ecliptic,
    moon_elevation_rad,
    moonrise_s,
)
from earlywarn.earth.time import julian_date, parse_utc
from earlywarn.flight.moon import MOON_RCS_M2, moon_truth

TOL_LAMBDA_DEG = 0.015
TOL_BETA_DEG = 0.015
TOL_DIST_M = 30e3


def test_meeus_example_47a() -> None:
    lam, beta, dist = moon_ecliptic(2448724.5)
    assert abs(math.degrees(float(lam)) - 133.162655) < TOL_LAMBDA_DEG
    assert abs(math.degrees(float(beta)) - (-3.229126)) < TOL_BETA_DEG
    assert abs(float(dist) - 368_409.7e3) < TOL_DIST_M


def test_series_against_erfa_moon98_1950_2050() -> None:
    rng = np.random.default_rng(47)
    jd = 2433282.5 + rng.uniform(0.0, 36525.0, 200)
    lam, beta, dist = moon_ecliptic(jd)
    worst = np.zeros(3)
    for i, j in enumerate(jd):
        p = np.asarray(erfa.moon98(j, 0.0)["p"]) * erfa.DAU  # GCRS, metres
        e = erfa.ecm06(j, 0.0) @ p  # ecliptic and equinox of date
        d_lam = (math.degrees(float(lam[i]) - math.atan2(e[1], e[0])) + 180.0) % 360.0 - 180.0
        d_beta = math.degrees(float(beta[i]) - math.asin(e[2] / np.linalg.norm(e)))
        d_dist = float(dist[i]) - float(np.linalg.norm(e))
        worst = np.maximum(worst, np.abs([d_lam, d_beta, d_dist]))
    assert worst[0] < TOL_LAMBDA_DEG, worst
    assert worst[1] < TOL_BETA_DEG, worst
    assert worst[2] < TOL_DIST_M, worst


def test_earth_fixed_direction_against_erfa() -> None:
    # nutation (≤ 0.005°) and TT − UTC (≤ 0.011°) come on top of the series' error
    rng = np.random.default_rng(48)
    epoch = parse_utc("2000-01-01T00:00:00Z")
    t = np.sort(rng.uniform(0.0, 40 * 365.25 * 86400.0, 40))
    ours = moon_ecef(epoch, t)
    jd = julian_date(epoch, t)
    worst = 0.0
    for i, j in enumerate(jd):
        j1, j2 = math.floor(j), j - math.floor(j)
        tt2 = j2 + 69.184 / 86400.0
        p = np.asarray(erfa.moon98(j1, tt2)["p"]) * erfa.DAU
        r = erfa.c2t06a(j1, tt2, j1, j2, 0.0, 0.0) @ p
        cosang = float(ours[i] @ r) / float(np.linalg.norm(ours[i]) * np.linalg.norm(r))
        worst = max(worst, math.degrees(math.acos(min(1.0, cosang))))
    assert worst < 0.03, worst


def test_mean_interval_between_moonrises_is_the_lunar_day() -> None:
    lunar_day = 1.0 / (1.0 / 86164.0905 - 1.0 / (27.321661 * 86400.0))
    assert abs(lunar_day - 89_428.0) < 1.0
    epoch = parse_utc("2020-01-01T00:00:00Z")
    rises: list[float] = []
    t = 0.0
    while len(rises) < 120:  # four months at the equator: the Moon rises every day
        r = moonrise_s(epoch, 0.0, 30.0, 0.0, start_s=t)
        assert r is not None
        rises.append(r)
        t = r + 20 * 3600.0
    mean = (rises[-1] - rises[0]) / (len(rises) - 1)
    # individual rises scatter by tens of minutes about the mean (declination, anomaly);
    # over 119 intervals the endpoints' scatter is < 1 h / 119 = 30 s
    assert abs(mean - lunar_day) < 30.0, mean
    assert np.all(np.diff(rises) > 23.5 * 3600)


def test_moonrise_is_a_climbing_crossing_of_the_asked_elevation() -> None:
    epoch = parse_utc("1960-10-05T00:00:00Z")
    for el_deg in (0.0, 1.0, 3.0):
        t = moonrise_s(epoch, 76.5, -68.7, 0.0, elevation_deg=el_deg)
        assert t is not None
        el = moon_elevation_rad(epoch, np.array([t - 60.0, t, t + 60.0]), 76.5, -68.7)
        assert abs(math.degrees(float(el[1])) - el_deg) < 1e-3
        assert el[0] < el[1] < el[2]


def test_moonrise_refuses_bad_arguments() -> None:
    epoch = parse_utc("2020-01-01T00:00:00Z")
    with pytest.raises(ValueError, match="elevation_deg"):
        moonrise_s(epoch, 0.0, 0.0, elevation_deg=95.0)
    with pytest.raises(ValueError, match="span_s"):
        moonrise_s(epoch, 0.0, 0.0, span_s=-1.0)


def test_moon_truth_object_and_cross_section() -> None:
    # σ = 0.07 π a² (Evans & Pettengill 1963), a = 1,737.4 km: 6.64e11 m²
    assert MOON_RCS_M2 == pytest.approx(0.07 * math.pi * R_MOON_M**2)
    assert 6.5e11 < MOON_RCS_M2 < 6.7e11
    epoch = parse_utc("1960-10-05T21:30:00Z")
    tr = moon_truth(epoch, 4500.0)
    assert tr.kind == ("moon",) and tr.object_id == ("moon",)
    # the Hermite interpolation between 120 s samples against the ephemeris itself
    t = np.linspace(0.0, 4500.0, 301) + 7.3
    t = t[t <= 4500.0]
    got = tr.at(t).r_ecef_m[0]
    assert float(np.max(np.linalg.norm(got - moon_ecef(epoch, t), axis=-1))) < 10.0
    # the range rate from a site is a few tens of m/s, far from a missile's km/s
    _, _, rng = ecef_to_aer(moon_ecef(epoch, t), math.radians(76.5), math.radians(-68.7), 0.0)
    rr = np.gradient(rng, t)
    assert float(np.max(np.abs(rr))) < 500.0
    with pytest.raises(ValueError, match="step_s"):
        moon_truth(epoch, 100.0, step_s=0.0)
