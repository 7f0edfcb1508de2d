"""Satellite orbits against closed forms, published values and sgp4's own propagator.

Sources cited per test:
* Wertz & Larson, *Space Mission Analysis and Design* (SMAD), 3rd ed., §5.2 — Earth
  angular radius sin ρ = R/r and the limb central angle λ₀ = 90° − ρ.
* Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. — §9.6 J2 secular
  rates (eqs. 9-41..9-43); Example 3-15 / Vallado et al. 2006, "Revisiting Spacetrack
  Report #3", AIAA 2006-6753 — TEME → PEF vectors at 2004-04-06 07:51:28.386009 UTC.
* Meeus, *Astronomical Algorithms*, 2nd ed., eq. 12.4 — mean sidereal time at Greenwich,
  used as an independent reckoning of the GMST angle.
* sgp4 (Rhodes), ``Satrec.sgp4`` — the single-satellite propagator the batch path must match.
"""

from __future__ import annotations

import math
from datetime import timedelta
from importlib.resources import files

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sgp4.api import Satrec, jday

from earlywarn.earth.constants import A_M, B_M, GM_M3_S2, R_MEAN_M, SIDEREAL_DAY_S
from earlywarn.earth.frames import inertial_to_ecef
from earlywarn.earth.time import gmst_rad, parse_utc
from earlywarn.space.orbits import (
    KeplerOrbit,
    Orbit,
    Sgp4Orbit,
    earth_angular_radius_rad,
    ephemeris_ecef,
    ephemeris_inertial,
    geo,
    geostationary_radius_m,
    j2_secular_rates,
    limb_central_angle_rad,
    load_omm,
    load_tle,
    molniya,
    omm_orbit,
    parse_omm,
    parse_tle,
    semi_major_axis_m,
    solve_kepler,
    tle_orbit,
)

EPOCH = parse_utc("2026-03-20T12:00:00Z")  # also the epoch of the sample element sets
DAY_DEG_PER_RAD_S = math.degrees(1.0) * 86400.0
DATA = files("earlywarn") / "data"


def _lon_deg(r: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(r[..., 1], r[..., 0]))


def _wrap_deg(x: np.ndarray | float) -> np.ndarray:
    return np.asarray((np.asarray(x) + 180.0) % 360.0 - 180.0)


# ---------------------------------------------------------------- Earth disk geometry


def test_earth_angular_radius_and_limb_from_geo() -> None:
    """SMAD §5.2: sin ρ = R/r, λ₀ = 90° − ρ. GEO r = 42,164 km, mean R = 6,371.0 km.

    Checks ρ = 8.69° and λ₀ = 81.31° to 0.005°; the WGS84 polar/equatorial radii bracket
    the ellipsoid's disk at 8.67°–8.70°.
    """
    r_geo = geostationary_radius_m(j2=False)
    assert r_geo / 1e3 == pytest.approx(42_164.17, abs=0.01)  # (μ/θ̇²)^(1/3)
    rho = math.degrees(float(earth_angular_radius_rad(r_geo)))
    lam = math.degrees(float(limb_central_angle_rad(r_geo)))
    assert rho == pytest.approx(8.69, abs=0.005)
    assert lam == pytest.approx(81.31, abs=0.005)
    assert rho + lam == pytest.approx(90.0, abs=1e-12)
    lo = math.degrees(float(earth_angular_radius_rad(r_geo, radius_m=B_M)))
    hi = math.degrees(float(earth_angular_radius_rad(r_geo, radius_m=A_M)))
    assert 8.66 < lo < rho < hi < 8.71
    # vectorised over any shape
    rr = np.full((2, 3), r_geo)
    assert earth_angular_radius_rad(rr).shape == (2, 3)


@given(
    r_km=st.floats(6_600.0, 400_000.0),
    h_km=st.floats(0.0, 500.0),
)
@settings(max_examples=60, deadline=None)
def test_limb_with_target_altitude_is_the_grazing_line(r_km: float, h_km: float) -> None:
    """At λ = arccos(R/r) + arccos(R/(R+h)) the sight line satellite→point is tangent to the
    sphere of radius R: its distance from the Earth's centre equals R (1e-6 relative)."""
    r, h = r_km * 1e3, h_km * 1e3
    lam = float(limb_central_angle_rad(r, target_altitude_m=h))
    sat = np.array([r, 0.0, 0.0])
    pt = (R_MEAN_M + h) * np.array([math.cos(lam), math.sin(lam), 0.0])
    d = pt - sat
    s = np.clip(-sat @ d / (d @ d), 0.0, 1.0)
    closest = np.linalg.norm(sat + s * d)
    assert closest == pytest.approx(R_MEAN_M, rel=1e-6)


def test_disk_geometry_refuses_points_inside_the_earth() -> None:
    with pytest.raises(ValueError, match="r_sat_m"):
        earth_angular_radius_rad([7e6, 6e6])
    with pytest.raises(ValueError, match="target_altitude_m"):
        limb_central_angle_rad(7e6, target_altitude_m=-1.0)


# ---------------------------------------------------------------- Molniya


def test_molniya_size_and_critical_inclination() -> None:
    """Closed forms: T = sidereal day / 2 = 43,082.0 s ⇒ a = (μ T²/4π²)^(1/3) = 26,562 km.

    With perigee altitude 600 km above the WGS84 equatorial radius (r_p = 6,978.137 km) the
    apogee *radius* is 2a − r_p = 46,145.4 km and the apogee *altitude above the equatorial
    radius* is 39,767.2 km (both to 0.5 km). At i = 63.4° (J2 critical inclination,
    4 − 5 sin² i ≈ 0) the perigee drifts < 0.01°/day (Vallado eq. 9-42; 0.0003°/day here);
    at 60° it would be 0.04°/day.
    """
    assert float(semi_major_axis_m(SIDEREAL_DAY_S / 2)) / 1e3 == pytest.approx(26_562, abs=0.5)
    orb = molniya(apogee_lon_deg=40.0)
    assert orb.a_m / 1e3 == pytest.approx(26_561.75, abs=0.5)
    assert orb.perigee_radius_m / 1e3 == pytest.approx(6_978.137, abs=1e-6)
    assert orb.apogee_radius_m / 1e3 == pytest.approx(46_145.4, abs=0.5)
    assert (orb.apogee_radius_m - A_M) / 1e3 == pytest.approx(39_767.2, abs=0.5)
    assert orb.e == pytest.approx(0.7373, abs=1e-4)
    _, argp_dot, _ = orb.secular_rates()
    assert abs(argp_dot) * DAY_DEG_PER_RAD_S < 0.01
    _, argp_dot_60, _ = j2_secular_rates(orb.a_m, orb.e, math.radians(60.0))
    assert abs(float(argp_dot_60)) * DAY_DEG_PER_RAD_S > 0.03
    # phase 0: apogee over 40° E at the scenario epoch, at |r| = r_a, latitude +63.4°
    eph = ephemeris_ecef([orb], EPOCH, [0.0])
    r0 = eph.r_m[0, 0]
    assert np.linalg.norm(r0) == pytest.approx(orb.apogee_radius_m, abs=1e-3)
    assert float(_lon_deg(r0)) == pytest.approx(40.0, abs=1e-9)
    assert math.degrees(math.asin(r0[2] / np.linalg.norm(r0))) == pytest.approx(63.4, abs=1e-9)


def test_molniya_four_phase_constellation() -> None:
    """Phases 0/90/180/270 (of the one-sidereal-day ground track): each satellite passes
    apogee over the same longitude at t = phase/360 × sidereal day (exact in the model,
    1e-6°), the planes are 90° apart in RAAN (± the 6-hour J2 node drift, < 0.1°), and in
    between, at t + half a sidereal day, over the opposite longitude (± the J2 drift, 0.2°)."""
    phases = np.array([0.0, 90.0, 180.0, 270.0])
    sats = [molniya(-100.0, phase_deg=p) for p in phases]
    t_apo = phases / 360.0 * SIDEREAL_DAY_S
    eph = ephemeris_ecef(sats, EPOCH, np.concatenate([t_apo, t_apo + SIDEREAL_DAY_S / 2]))
    assert not eph.status.any()
    k = np.arange(4)
    at_apo = eph.r_m[k, k]
    assert np.allclose(_wrap_deg(_lon_deg(at_apo) + 100.0), 0.0, atol=1e-6)
    assert np.allclose(np.linalg.norm(at_apo, axis=-1), sats[0].apogee_radius_m, rtol=1e-9)
    half_later = eph.r_m[k, k + 4]
    assert np.allclose(_wrap_deg(_lon_deg(half_later) - 80.0), 0.0, atol=0.2)
    raan = np.degrees([s.inertial_raan_rad(EPOCH) for s in sats])
    assert np.allclose(_wrap_deg(np.diff(raan) - 90.0), 0.0, atol=0.1)


def test_molniya_apogee_longitude_drift_and_hold() -> None:
    """J2 secular model: with the two-body period the apogee over 40° E comes back every
    sidereal day 0.166° further west (Ω̇ = −0.145°/day plus the anomalistic period 2.6 s
    longer than 12 sidereal hours, Vallado eqs. 9-41, 9-43). With
    ``hold_apogee_longitude`` the apogee passes every two anomalistic periods stay over
    40° E (1e-6° after 10 passes); a shrinks by 8.2 km: Ṁ must be 2(θ̇ − Ω̇) = 2θ̇(1 + 4.0e-4)
    while J2 slows Ṁ by 6.1e-5 of n at this inclination, and a ∝ n^(−2/3)."""
    drift = molniya(40.0)
    held = molniya(40.0, hold_apogee_longitude=True)
    assert (held.a_m - drift.a_m) / 1e3 == pytest.approx(-8.2, abs=0.1)
    t_drift = np.arange(11) * SIDEREAL_DAY_S
    lon_d = _lon_deg(ephemeris_ecef([drift], EPOCH, t_drift).r_m[0])
    assert np.allclose(np.diff(lon_d), -0.166, atol=0.002)
    t_held = np.arange(11) * 2.0 * (2.0 * math.pi / held.secular_rates()[2])
    eph = ephemeris_ecef([held], EPOCH, t_held)
    assert np.allclose(_wrap_deg(_lon_deg(eph.r_m[0]) - 40.0), 0.0, atol=1e-6)
    assert np.allclose(np.linalg.norm(eph.r_m[0], axis=-1), held.apogee_radius_m, rtol=1e-9)


# ---------------------------------------------------------------- GEO


def test_geo_holds_its_longitude_for_a_day() -> None:
    """Requirement: within 0.01° of its longitude over a day. The preset's radius makes
    the J2 secular rate of true longitude, n(1 + 3 J2 (R/a)²), equal the GMST rate, so the
    drift here is only rounding (asserted < 1e-7°); the two-body radius would drift
    3 J2 (R/a)² × 360.99°/day = 0.027°/day, which is why the correction is there."""
    t = np.linspace(0.0, 86400.0, 97)
    lons = [-75.0, 0.0, 60.0, 179.9]
    eph = ephemeris_ecef([geo(lon) for lon in lons], EPOCH, t)
    lon_err = _wrap_deg(_lon_deg(eph.r_m) - np.array(lons)[:, None])
    assert np.abs(lon_err).max() < 1e-7
    assert np.abs(eph.r_m[..., 2]).max() < 1e-6
    # At rest in ECEF up to 0.4 mm/s: frames.inertial_to_ecef subtracts ω × r with WGS84
    # ω = 7.292115e-5 rad/s, while the frame turns at the GMST rate 7.2921158553e-5 rad/s.
    assert np.abs(np.linalg.norm(eph.v_m_s, axis=-1)).max() < 1e-3
    # any epoch: the preset is pinned to the ground
    eph2 = ephemeris_ecef([geo(60.0)], "2031-07-01T03:17:00Z", [0.0])
    assert float(_lon_deg(eph2.r_m[0, 0])) == pytest.approx(60.0, abs=1e-9)
    # the uncorrected radius drifts east by the closed-form rate
    two_body = KeplerOrbit(
        "GEO uncorrected",
        geostationary_radius_m(j2=False),
        0.0,
        0.0,
        0.0,
        0.0,
        math.radians(60.0),
        node_frame="earth_fixed",
    )
    drift = _wrap_deg(_lon_deg(ephemeris_ecef([two_body], EPOCH, [86400.0]).r_m[0, 0]) - 60.0)
    expected = 3.0 * 1.0826e-3 * (A_M / two_body.a_m) ** 2 * 360.9856
    assert float(drift) == pytest.approx(expected, rel=0.01)
    assert float(drift) > 0.01


def test_geo_tle_sub_satellite_longitude_by_independent_gmst() -> None:
    """Independent reckoning of TEME→ECEF: the sample GEO TLE (e = 0.0002, i = 0.015°) has
    true longitude Ω + ω + M = 545° ≡ 185° at its epoch; minus GMST from Meeus eq. 12.4 gives
    its sub-satellite longitude, to the equation of centre 2e = 0.023° plus SGP4's
    short-period terms (0.05° allowed). Over a day it stays within 0.1° (a wrong sign or rate
    in the rotation would move it by hundreds of degrees)."""
    sat = load_tle(DATA / "sample_tle.txt")[0]
    jd = 2461119.5 + 0.5  # 2026-03-20T12:00Z
    t_cent = (jd - 2451545.0) / 36525.0
    gmst_meeus = (
        280.46061837
        + 360.98564736629 * (jd - 2451545.0)
        + 0.000387933 * t_cent**2
        - t_cent**3 / 38_710_000.0
    )
    expected = _wrap_deg(185.0 - gmst_meeus)
    t = np.linspace(0.0, 86400.0, 49)
    eph = ephemeris_ecef([sat], EPOCH, t)
    lon = _lon_deg(eph.r_m[0])
    assert float(_wrap_deg(lon[0] - expected)) == pytest.approx(0.0, abs=0.05)
    assert np.ptp(_wrap_deg(lon - lon[0])) < 0.1


# ---------------------------------------------------------------- TEME → ECEF


def test_teme_to_ecef_matches_vallado_example_3_15() -> None:
    """Vallado Example 3-15 / AIAA 2006-6753: TEME → PEF at 2004-04-06 07:51:28.386009 UTC
    with UT1 − UTC = −0.4399619 s. PEF is the GMST rotation of TEME (this project's ECEF,
    polar motion neglected). Given the UT1 instant, position to 1 mm and velocity to
    1 µm/s (the published vectors carry 8 decimals of km)."""
    ut1 = parse_utc("2004-04-06T07:51:28.386009Z") + timedelta(seconds=-0.4399619)
    r_teme = np.array([5094.18016210, 6127.64465950, 6380.34453270]) * 1e3
    v_teme = np.array([-4.7461314870, 0.7858180410, 5.5319312880]) * 1e3
    r_pef, v_pef = inertial_to_ecef(r_teme, gmst_rad(ut1), v_teme)
    assert np.allclose(
        r_pef, np.array([-1033.47503130, 7901.30558560, 6380.34453270]) * 1e3, atol=1e-3
    )
    assert np.allclose(
        v_pef, np.array([-3.2256327470, -2.8724425110, 5.5319312880]) * 1e3, atol=1e-6
    )


def test_ephemeris_ecef_is_the_gmst_rotation_of_the_inertial_ephemeris() -> None:
    """Property: |r| is preserved, z untouched and the rotation angle equals GMST(t)."""
    orbs: list[Orbit] = [molniya(30.0), *load_tle(DATA / "sample_tle.txt")[:3]]
    t = np.linspace(-3600.0, 86400.0, 11)
    ei = ephemeris_inertial(orbs, EPOCH, t)
    ee = ephemeris_ecef(orbs, EPOCH, t)
    assert np.allclose(np.linalg.norm(ei.r_m, axis=-1), np.linalg.norm(ee.r_m, axis=-1), rtol=1e-14)
    assert np.array_equal(ei.r_m[..., 2], ee.r_m[..., 2])
    angle = np.arctan2(ei.r_m[..., 1], ei.r_m[..., 0]) - np.arctan2(ee.r_m[..., 1], ee.r_m[..., 0])
    assert np.allclose(_wrap_deg(np.degrees(angle - gmst_rad(EPOCH, t))), 0.0, atol=1e-9)


# ---------------------------------------------------------------- SGP4 batch path


def test_sgp4_batch_matches_single_satellite_sgp4_including_a_decay() -> None:
    """Every sample TLE and OMM, at 9 times from −1 h to +2 days, through one SatrecArray
    call, against sgp4's own ``Satrec.sgp4`` with jd/fr from ``sgp4.api.jday``: 1e-6 km and
    1e-9 km/s. The decaying satellite (BSTAR 0.01, 16.3 rev/day) fails after 9 h: NaN plus
    the same sgp4 error code, and no exception."""
    tles = load_tle(DATA / "sample_tle.txt")
    omms = load_omm(DATA / "sample_omm.json")
    orbits: list[Orbit] = [geo(10.0), *tles, molniya(0.0), *omms]
    t = np.array(
        [-3600.0, 0.0, 1234.5, 6 * 3600.0, 10 * 3600.0, 43_000.0, 86_400.0, 1.5e5, 1.728e5]
    )
    eph = ephemeris_inertial(orbits, EPOCH, t)
    assert eph.r_m.shape == (len(orbits), t.size, 3) and eph.status.shape == (len(orbits), t.size)
    base = EPOCH.replace(tzinfo=None)
    n_checked = 0
    for k, orb in enumerate(orbits):
        if not isinstance(orb, Sgp4Orbit):
            continue
        if "\n" in orb.source:  # fresh, independent Satrec for TLEs
            sat = Satrec.twoline2rv(*orb.source.split("\n"))
        else:
            sat = orb.satrec
        for j, dt in enumerate(t):
            when = base + timedelta(seconds=float(dt))
            jd, fr = jday(when.year, when.month, when.day, when.hour, when.minute,
                          when.second + when.microsecond * 1e-6)  # fmt: skip
            code, r_km, v_km_s = sat.sgp4(jd, fr)
            assert eph.status[k, j] == code
            if code == 0:
                assert np.allclose(eph.r_m[k, j] / 1e3, r_km, rtol=0, atol=1e-6)
                assert np.allclose(eph.v_m_s[k, j] / 1e3, v_km_s, rtol=0, atol=1e-9)
            else:
                assert np.isnan(eph.r_m[k, j]).all() and np.isnan(eph.v_m_s[k, j]).all()
            n_checked += 1
    assert n_checked == 6 * t.size
    decay = next(k for k, o in enumerate(orbits) if o.name == "EW-DECAY-DEMO 1")
    assert eph.status[decay, :4].tolist() == [0, 0, 0, 0]
    assert (eph.status[decay, 4:] != 0).all()
    # Kepler rows in the mixed batch equal a Kepler-only call
    alone = ephemeris_inertial([orbits[0], orbits[5]], EPOCH, t)
    assert np.array_equal(alone.r_m, eph.r_m[[0, 5]])


def test_omm_and_tle_of_the_same_elements_agree() -> None:
    """The sample OMM file holds the sample GEO and Molniya TLE elements: same positions
    over two days (1 m: the TLE epoch's day fraction is rounded to 1e-8 day = 0.9 ms)."""
    tles = load_tle(DATA / "sample_tle.txt")[:2]
    omms = load_omm(DATA / "sample_omm.json")
    assert [o.name for o in omms] == [o.name for o in tles]
    assert [o.norad_id for o in omms] == [99901, 99902]
    assert omms[0].element_epoch == EPOCH == tles[0].element_epoch
    t = np.linspace(0.0, 2 * 86400.0, 25)
    a = ephemeris_ecef(tles, EPOCH, t)
    b = ephemeris_ecef(omms, EPOCH, t)
    assert np.abs(a.r_m - b.r_m).max() < 1.0


# ---------------------------------------------------------------- Kepler + J2


def test_j2_node_rate_of_a_sun_synchronous_orbit() -> None:
    """Vallado eq. 9-41: a circular orbit at 800 km inclined 98.6° (the sun-synchronous
    inclination SMAD tabulates for that height) precesses +0.9856°/day (360°/365.2422 d),
    to 0.5 %."""
    raan_dot, _, _ = j2_secular_rates(A_M + 800e3, 0.0, math.radians(98.6))
    assert float(raan_dot) * DAY_DEG_PER_RAD_S == pytest.approx(360.0 / 365.2422, rel=0.005)


@given(
    m=st.floats(-50.0, 50.0),
    e=st.floats(0.0, 0.99),
)
@example(m=1e-300, e=0.99)
@example(m=math.pi, e=0.99)
@settings(max_examples=200, deadline=None)
def test_kepler_equation_residual(m: float, e: float) -> None:
    """Newton solves M = E − e sin E to 1e-12 rad for 0 ≤ e ≤ 0.99."""
    ea = float(solve_kepler(m, e))
    m_wrapped = math.remainder(m, 2 * math.pi)
    assert abs(math.remainder(ea - e * math.sin(ea) - m_wrapped, 2 * math.pi)) < 1e-12


_angles = st.floats(0.0, 2 * math.pi)


@given(
    a_km=st.floats(7_000.0, 60_000.0),
    e=st.floats(0.0, 0.85),
    i=st.floats(0.0, math.pi),
    raan=_angles,
    argp=_angles,
    m0=_angles,
)
@example(a_km=26_561.75, e=0.737, i=1.1066, raan=0.0, argp=4.712, m0=0.0)
@settings(max_examples=60, deadline=None)
def test_two_body_conserves_energy_and_angular_momentum(
    a_km: float, e: float, i: float, raan: float, argp: float, m0: float
) -> None:
    """With J2 off: vis-viva v²/2 − μ/r = −μ/2a and |r × v| = √(μ a (1 − e²)) at every time,
    to 1e-9 relative (two-body integrals of motion)."""
    a = a_km * 1e3
    if a * (1 - e) <= A_M:
        e = 0.5 * (1.0 - A_M / a) if a > A_M else 0.0
    orb = KeplerOrbit("test", a, e, i, raan, argp, m0, j2=False)
    t = np.linspace(0.0, 3 * orb.period_s, 37)
    eph = ephemeris_inertial([orb], EPOCH, t)
    r, v = eph.r_m[0], eph.v_m_s[0]
    energy = 0.5 * np.einsum("ij,ij->i", v, v) - GM_M3_S2 / np.linalg.norm(r, axis=-1)
    assert np.allclose(energy, -GM_M3_S2 / (2 * a), rtol=1e-9, atol=0)
    h = np.linalg.norm(np.cross(r, v), axis=-1)
    assert np.allclose(h, math.sqrt(GM_M3_S2 * a * (1 - e * e)), rtol=1e-9, atol=0)


def test_velocity_is_the_derivative_of_position_with_j2() -> None:
    """The J2 model's velocity is the exact derivative of its positions (drifting node and
    perigee included): central differences with h = 0.5 s agree to 1 mm/s (truncation
    h² |jerk| / 6 < 1e-4 m/s)."""
    orbs = [
        molniya(50.0),
        geo(-30.0),
        KeplerOrbit("leo", A_M + 500e3, 0.01, math.radians(51.6), 1.0, 2.0, 3.0),
    ]
    t = np.linspace(0.0, 40_000.0, 9)
    h = 0.5
    for frame in (ephemeris_inertial, ephemeris_ecef):
        mid = frame(orbs, EPOCH, t)
        fd = (frame(orbs, EPOCH, t + h).r_m - frame(orbs, EPOCH, t - h).r_m) / (2 * h)
        assert np.abs(fd - mid.v_m_s).max() < 1e-3


@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_ephemeris_broadcasts_over_any_time_shape(shape: tuple[int, ...], seed: int) -> None:
    """Output is (n_sat, *T, 3) for times of shape T, equal to the flattened computation."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(-86400.0, 86400.0, size=shape)
    orbs: list[Orbit] = [
        geo(0.0),
        molniya(90.0, phase_deg=45.0),
        load_tle(DATA / "sample_tle.txt")[2],
    ]
    eph = ephemeris_ecef(orbs, EPOCH, t)
    assert eph.r_m.shape == (3, *shape, 3)
    assert eph.v_m_s.shape == (3, *shape, 3)
    assert eph.status.shape == (3, *shape)
    flat = ephemeris_ecef(orbs, EPOCH, t.reshape(-1))
    assert np.array_equal(eph.r_m.reshape(3, -1, 3), flat.r_m)
    assert np.array_equal(eph.v_m_s.reshape(3, -1, 3), flat.v_m_s)


def test_empty_batch() -> None:
    eph = ephemeris_ecef([], EPOCH, np.zeros(5))
    assert eph.r_m.shape == (0, 5, 3) and eph.status.shape == (0, 5)


# ---------------------------------------------------------------- bad input


def test_kepler_orbit_refuses_bad_elements() -> None:
    with pytest.raises(ValueError, match=r"e = 1\.2.*\[0, 1\)"):
        KeplerOrbit("x", 3e7, 1.2, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=r"perigee altitude .* below the Earth's surface"):
        KeplerOrbit("x", 7e6, 0.2, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="i_rad"):
        KeplerOrbit("x", 7e6, 0.0, 4.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="a_m = nan"):
        KeplerOrbit("x", math.nan, 0.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="node_frame"):
        KeplerOrbit("x", 7e6, 0.0, 0.0, 0.0, 0.0, 0.0, node_frame="ecef")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        KeplerOrbit("", 7e6, 0.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=r"perigee_alt_km = -100"):
        molniya(0.0, perigee_alt_km=-100.0)
    with pytest.raises(ValueError, match="inclination_deg"):
        molniya(0.0, inclination_deg=200.0)
    with pytest.raises(ValueError, match="lon_deg"):
        geo(math.inf)
    with pytest.raises(ValueError, match="allowed KeplerOrbit or Sgp4Orbit"):
        ephemeris_ecef(["GEO"], EPOCH, [0.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="t_s"):
        ephemeris_ecef([geo(0.0)], EPOCH, [0.0, math.nan])
    with pytest.raises(ValueError, match="time zone"):
        ephemeris_ecef([geo(0.0)], "2026-03-20T12:00:00", [0.0])


def test_tle_refuses_malformed_lines() -> None:
    name, l1, l2 = (DATA / "sample_tle.txt").read_text().splitlines()[:3]
    assert tle_orbit(l1, l2, name).name == "EW-GEO-DEMO 1"
    bad_sum = l1[:68] + str((int(l1[68]) + 1) % 10)
    with pytest.raises(ValueError, match="line 1 column 69 \\(checksum\\)"):
        tle_orbit(bad_sum, l2)
    with pytest.raises(ValueError, match="69"):
        tle_orbit(l1[:60], l2)
    # sgp4's own parser would read '26079.5000000x' without complaint
    junk = l1[:31] + "x" + l1[32:68]
    junk += str(sum(int(c) if c.isdigit() else c == "-" for c in junk) % 10)
    with pytest.raises(ValueError, match="columns 19-32 \\(epoch\\)"):
        tle_orbit(junk, l2)
    other = l2[:2] + "99999" + l2[7:68]
    other += str(sum(int(c) if c.isdigit() else c == "-" for c in other) % 10)
    with pytest.raises(ValueError, match="catalogue number"):
        tle_orbit(l1, other)
    with pytest.raises(ValueError, match="incomplete"):
        parse_tle(f"{name}\n{l1}\n")


def test_omm_refuses_bad_fields_and_accepts_strings() -> None:
    good = {
        "OBJECT_NAME": "X",
        "EPOCH": "2026-03-20T12:00:00",
        "MEAN_MOTION": "2.00547582",
        "ECCENTRICITY": "0.737",
        "INCLINATION": "63.4",
        "RA_OF_ASC_NODE": "310",
        "ARG_OF_PERICENTER": "270",
        "MEAN_ANOMALY": "0",
        "NORAD_CAT_ID": "99902",
        "MEAN_ELEMENT_THEORY": "SGP4",
    }
    ref = load_omm(DATA / "sample_omm.json")[1]
    got = omm_orbit(good)
    e1 = ephemeris_inertial([got, ref], EPOCH, [0.0, 5e4])
    assert np.abs(e1.r_m[0] - e1.r_m[1]).max() < 1e-6
    assert len(parse_omm(good)) == 1
    with pytest.raises(ValueError, match=r"missing key.*MEAN_MOTION"):
        omm_orbit({k: v for k, v in good.items() if k != "MEAN_MOTION"})
    with pytest.raises(ValueError, match=r"ECCENTRICITY: got '1\.5'"):
        omm_orbit({**good, "ECCENTRICITY": "1.5"})
    with pytest.raises(ValueError, match="EPOCH"):
        omm_orbit({**good, "EPOCH": "yesterday"})
    with pytest.raises(ValueError, match="MEAN_ELEMENT_THEORY"):
        omm_orbit({**good, "MEAN_ELEMENT_THEORY": "SGP4-XP"})
