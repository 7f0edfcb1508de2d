"""Whole flights: published-figure envelopes, aiming, lofted/depressed, batch = singles.

References for the envelopes: Minuteman III (USAF LGM-30G fact sheet; open analyses give
~30 min flight, ~180 s boost and ~1,200–1,500 km apogee for ~10,000 km); liquid ICBM boost
240–300 s (APS boost-phase study, Rev. Mod. Phys. 76, S1, 2004); Black Brant XII
(NASA Sounding Rockets User Handbook: ~1,450 km apogee, ~20–25 min flight).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.flight.fly import FlightSolver, LaunchSpec, ellipsoid_distance_m
from earlywarn.flight.summary import summarize


@pytest.fixture(scope="module")
def solver() -> FlightSolver:
    return FlightSolver()


def destination(
    lat_deg: float, lon_deg: float, az_deg: float, dist_km: float
) -> tuple[float, float]:
    """Point ``dist_km`` away along azimuth ``az_deg`` on the mean sphere (spherical
    trigonometry; within 0.5 % of the ellipsoidal distance)."""
    la, lo, az = (math.radians(x) for x in (lat_deg, lon_deg, az_deg))
    d = dist_km / 6_371.0
    la2 = math.asin(math.sin(la) * math.cos(d) + math.cos(la) * math.sin(d) * math.cos(az))
    lo2 = lo + math.atan2(
        math.sin(az) * math.sin(d) * math.cos(la), math.cos(d) - math.sin(la) * math.sin(la2)
    )
    return math.degrees(la2), (math.degrees(lo2) + 180.0) % 360.0 - 180.0


def aimed(
    lid: str, vehicle: str, lat: float, lon: float, az: float, km: float, **kw: float
) -> LaunchSpec:
    alat, alon = destination(lat, lon, az, km)
    return LaunchSpec(lid, vehicle, lat, lon, aim_lat_deg=alat, aim_lon_deg=alon, **kw)


def test_icbm_solid_minimum_energy_10000_km(solver: FlightSolver) -> None:
    spec = aimed("L1", "icbm-solid", 41.0, -104.0, 20.0, 10_000.0, t_launch_s=120.0)
    res = solver.fly([spec])
    e = res.events[0]
    assert e.status == "ok"
    assert e.aim_miss_m is not None and e.aim_miss_m < 1_000.0
    assert e.impact_s is not None and 28 * 60 <= e.impact_s <= 40 * 60
    assert 170.0 <= e.burnout_s <= 200.0
    assert 1_100e3 <= e.apogee_altitude_m <= 1_700e3
    assert e.reentry_s is not None and e.apogee_s < e.reentry_s < e.impact_s
    assert len(e.stage_burnout_s) == 3
    # the trajectory contract: objects, time rows, plume while burning only
    tr = res.trajectories
    assert tr.object_id == ("L1/booster", "L1/rv", "L1/stage1", "L1/stage2", "L1/stage3")
    assert tr.kind == ("booster", "rv", "stage", "stage", "stage")
    for row in tr.t_s:
        t = row[~np.isnan(row)]
        assert np.all(np.diff(t) > 0)
    assert tr.t_s[0, 0] == 120.0  # rows in scenario time
    boost_dt = np.diff(tr.t_s[0][~np.isnan(tr.t_s[0])])
    assert boost_dt.max() <= 1.0 + 1e-9  # 1 s sampling in powered flight
    rv_dt = np.diff(tr.t_s[1][~np.isnan(tr.t_s[1])])
    assert rv_dt.max() <= 10.0 + 1e-9  # ≤ 10 s in free flight
    assert tr.intensity_w_sr[0, 5] == pytest.approx(1.0e6)  # first stage burning
    assert np.all(tr.intensity_w_sr[1:] == 0.0)
    # interpolation between samples is good to metres: rebuild the RV's vacuum arc from
    # every other sample (20 s apart) and interpolate at the dropped ones
    from earlywarn.flight.truth import Trajectories

    k = int((~np.isnan(tr.t_s[1])).sum())
    keep = slice(0, 120, 2)
    half = Trajectories(
        ("x",), ("L1",), ("rv",), tr.t_s[1:2, keep], tr.r_ecef_m[1:2, keep],
        tr.v_ecef_m_s[1:2, keep], tr.intensity_w_sr[1:2, keep], tr.rcs_m2[1:2],
    )  # fmt: skip
    odd = np.arange(1, 119, 2)
    got = half.at(tr.t_s[1, odd]).r_ecef_m[0]
    assert k > 120
    assert np.max(np.linalg.norm(got - tr.r_ecef_m[1, odd], axis=1)) < 5.0
    # the summary: exactly the agreed keys, km/deg at the edge
    summ = summarize(res, 0)
    assert set(summ) == {
        "vehicle", "launch", "burnout", "apogee", "impact", "ground_range_km",
        "flight_time_s", "aim_miss_km",
    }  # fmt: skip
    assert summ["aim_miss_km"] < 1.0
    assert summ["ground_range_km"] == pytest.approx(10_000.0, rel=0.01)


def test_icbm_liquid_boost_time(solver: FlightSolver) -> None:
    e = solver.fly([LaunchSpec("Q", "icbm-liquid", 45.0, 60.0, azimuth_deg=0.0)]).events[0]
    assert 230.0 <= e.burnout_s <= 300.0
    e = solver.fly([aimed("Q2", "icbm-liquid", 45.0, 60.0, 10.0, 9_000.0)]).events[0]
    assert e.status == "ok" and 230.0 <= e.burnout_s <= 300.0


def test_slv_reaches_orbit(solver: FlightSolver) -> None:
    res = solver.fly([LaunchSpec("S", "slv", 28.5, -80.6, azimuth_deg=90.0)])
    e = res.events[0]
    assert e.reaches_orbit and e.impact_s is None
    assert e.orbit_perigee_altitude_m is not None and e.orbit_perigee_altitude_m > 150e3
    assert summarize(res, 0)["impact"] is None
    assert "S/payload" in res.trajectories.object_id


@pytest.mark.parametrize("elevation_deg", [85.0, 88.0])
def test_sounding_rocket_apogee(solver: FlightSolver, elevation_deg: float) -> None:
    # Black Brant XII: ~1,450 km apogee fired near vertical (NASA handbook)
    spec = LaunchSpec(
        "B", "sounding-rocket", 37.9, -75.5, azimuth_deg=120.0, elevation_deg=elevation_deg
    )
    e = solver.fly([spec]).events[0]
    assert 1_300e3 <= e.apogee_altitude_m <= 1_600e3
    assert e.impact_s is not None and 20 * 60 <= e.impact_s <= 26 * 60
    assert e.aim_miss_m is None


def test_lofted_and_depressed(solver: FlightSolver) -> None:
    specs = [
        aimed("LO", "icbm-solid", 35.0, 40.0, 300.0, 6_000.0, apogee_km=2_500.0),
        aimed("DE", "icbm-solid", 35.0, 40.0, 300.0, 6_000.0, apogee_km=600.0),
    ]
    res = solver.fly(specs)
    for e, want in zip(res.events, (2_500e3, 600e3), strict=True):
        assert e.status == "ok"
        assert e.aim_miss_m is not None and e.aim_miss_m < 1_000.0
        assert e.apogee_altitude_m == pytest.approx(want, rel=0.03)


def test_out_of_range_names_maximum(solver: FlightSolver) -> None:
    with pytest.raises(ValueError, match=r"maximum range of 'srbm', \d[\d,]* km"):
        solver.fly([aimed("X", "srbm", 30.0, 30.0, 90.0, 2_000.0)])


def test_bad_input_raises_early() -> None:
    with pytest.raises(ValueError, match="lat_deg"):
        LaunchSpec("A", "srbm", 95.0, 0.0, azimuth_deg=0.0)
    with pytest.raises(ValueError, match="either"):
        LaunchSpec("A", "srbm", 10.0, 0.0)
    with pytest.raises(ValueError, match="cannot be aimed"):
        FlightSolver().fly([LaunchSpec("A", "slv", 10.0, 0.0, aim_lat_deg=0.0, aim_lon_deg=20.0)])
    with pytest.raises(ValueError, match="known vehicles"):
        FlightSolver().fly([LaunchSpec("A", "nope", 10.0, 0.0, azimuth_deg=0.0)])


def test_batch_equals_singles(solver: FlightSolver) -> None:
    specs = [
        aimed("A", "icbm-solid", 50.0, 80.0, 340.0, 9_000.0),
        aimed("B", "irbm", 30.0, 100.0, 120.0, 3_000.0),
        aimed("C", "srbm", 33.0, 44.0, 200.0, 250.0),
        LaunchSpec("D", "mrbm", 40.0, 125.0, 30.0, azimuth_deg=150.0),
        aimed("E", "slbm", -10.0, -30.0, 45.0, 6_000.0),
    ]
    batch = solver.fly(specs)
    for i, spec in enumerate(specs):
        one = solver.fly([spec])
        eb, es = batch.events[i], one.events[0]
        assert eb.status == es.status == "ok"
        assert eb.impact_s == pytest.approx(es.impact_s, abs=1e-6)
        assert eb.impact_lat_rad == pytest.approx(es.impact_lat_rad, abs=1e-12)
        assert eb.impact_lon_rad == pytest.approx(es.impact_lon_rad, abs=1e-12)
        assert eb.burnout_speed_m_s == pytest.approx(es.burnout_speed_m_s, abs=1e-6)
        rows = [j for j, lid in enumerate(batch.trajectories.launch_id) if lid == spec.launch_id]
        tb = batch.trajectories.r_ecef_m[rows]
        ts = one.trajectories.r_ecef_m
        k = min(tb.shape[1], ts.shape[1])
        np.testing.assert_allclose(tb[:, :k], ts[:, :k], atol=1e-3, equal_nan=True)
        if es.aim_miss_m is not None:
            assert es.aim_miss_m < 1_000.0
    # ground range of the aimed srbm is its requested 250 km
    e = batch.events[2]
    assert e.ground_range_m == pytest.approx(250e3, rel=0.01)
    assert ellipsoid_distance_m(np.radians(0.0), 0.0, np.radians(1.0), 0.0) == pytest.approx(
        110_574.0, abs=5.0
    )  # one degree of latitude at the equator on WGS84
