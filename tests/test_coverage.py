"""Coverage maps: closed forms, bracketing search vs brute force, radar fence, outputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from earlywarn.analysis.coverage import (
    LatLonGrid,
    coverage_map,
    ir_visible,
    radar_fence_m,
    region_coverage,
    visibility_windows,
)
from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import geodetic_to_ecef, great_circle
from earlywarn.earth.time import parse_utc
from earlywarn.io.maps import coverage_table, plot_coverage, write_coverage_geojson
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.space.orbits import geo, limb_central_angle_rad, molniya

EPOCH = "2026-03-20T12:00:00Z"
PLUME_M = 15_000.0


@pytest.fixture(scope="module")
def geo_sat() -> InfraredSatellite:
    return InfraredSatellite("geo0", geo(0.0), InfraredPayload())


def test_single_geo_matches_closed_form_cap(geo_sat: InfraredSatellite) -> None:
    """A plume at h is above a GEO satellite's horizon when its central angle from the
    sub-satellite point is below λ0 = arccos(R/r) + arccos(R/(R+h)) (Wertz & Larson,
    SMAD 3rd ed. §5.2). The 9° field of view covers the 8.72° disc, and a 1e6 W/sr plume
    at ≤ 42,000 km has SNR ≥ 28 > 6, so only the horizon limits. Spherical closed form vs
    WGS84 geometry: the band within 0.5° of λ0 is excluded (the ellipsoid moves the
    horizon by < 0.2°)."""
    grid = LatLonGrid.regular(2.0)
    cov = coverage_map([geo_sat], [], EPOCH, grid, 0.0, 6 * 3600.0, step_s=1800.0)
    lat, lon = grid.points_deg
    r_geo = float(np.linalg.norm(geo_sat.position(parse_utc(EPOCH), [0.0])[0]))
    lam0 = float(limb_central_angle_rad(r_geo, R_MEAN_M, PLUME_M))
    lam, _ = great_circle(0.0, 0.0, np.radians(lat), np.radians(lon))
    inside = lam < lam0 - math.radians(0.5)
    outside = lam > lam0 + math.radians(0.5)
    assert inside.sum() > 1000 and outside.sum() > 1000
    np.testing.assert_array_equal(cov.coverage_1[inside], 1.0)
    np.testing.assert_array_equal(cov.coverage_1[outside], 0.0)
    np.testing.assert_array_equal(cov.coverage_2, 0.0)  # one satellite: never stereo
    np.testing.assert_array_equal(cov.longest_gap_s[inside], 0.0)
    np.testing.assert_allclose(cov.longest_gap_s[outside], 6 * 3600.0)
    assert np.isnan(cov.fence_m).all()  # no radar


def test_two_geo_give_stereo_where_caps_overlap() -> None:
    sats = [
        InfraredSatellite("a", geo(-20.0), InfraredPayload()),
        InfraredSatellite("b", geo(20.0), InfraredPayload()),
    ]
    cov = coverage_map(sats, [], EPOCH, LatLonGrid.regular(5.0), 0.0, 3600.0, step_s=900.0)
    lat, lon = cov.grid.points_deg
    at0 = np.argmin(np.hypot(lat, lon))  # near (0, 0): both see it
    far = np.argmin(np.hypot(lat, lon - 95.0))  # (0, 95 E): beyond a (115°), inside b (75°)
    assert cov.coverage_2[at0] == 1.0
    assert cov.coverage_2[far] == 0.0
    assert cov.coverage_1[far] == 1.0
    assert np.all(cov.coverage_2 <= cov.coverage_1)


def test_region_always_in_view_has_full_coverage_and_no_gaps(geo_sat: InfraredSatellite) -> None:
    poly = [(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0)]
    reg = region_coverage([geo_sat], EPOCH, poly, 0.0, 86_400.0, name="box", step_s=1800.0)
    assert reg.n_points > 4
    assert reg.covered_fraction == 1.0
    assert reg.hours_per_day == 24.0
    assert reg.gaps == ()
    # a region beyond the limb is never covered: one gap, the whole window
    far = [(-5.0, 120.0), (5.0, 120.0), (5.0, 130.0), (-5.0, 130.0)]
    reg2 = region_coverage([geo_sat], EPOCH, far, 0.0, 86_400.0, step_s=1800.0)
    assert reg2.hours_per_day == 0.0
    assert reg2.gaps == ((0.0, 86_400.0, 86_400.0),)


def test_bracketing_finds_molniya_rise_and_set_like_brute_force() -> None:
    """Rise/set times from 600 s sampling + bisection to 0.5 s agree with 1 s brute-force
    sampling to within 1.5 s (1 s sampling + 0.5 s tolerance)."""

    sat = InfraredSatellite("m", molniya(40.0, phase_deg=90.0), InfraredPayload())
    lat, lon = 30.0, -100.0
    win = visibility_windows([sat], EPOCH, 0.0, 86_400.0, [lat], [lon], step_s=600.0, tol_s=0.5)
    t = np.arange(0.0, 86_400.0 + 1.0, 1.0)
    pt = geodetic_to_ecef(math.radians(lat), math.radians(lon), PLUME_M)
    vis = ir_visible(sat, sat.position(parse_utc(EPOCH), t), pt[None, :], 1e6, PLUME_M)
    change = np.flatnonzero(vis[1:] != vis[:-1])
    brute = t[change + 1]  # crossing in (t[i], t[i+1]]
    found = np.sort(np.concatenate([win.start_s[win.start_s > 0], win.end_s[win.end_s < 86_400.0]]))
    assert brute.size >= 2, "the test point should see the satellite rise and set"
    assert found.size == brute.size
    np.testing.assert_allclose(found, brute, atol=1.5)


def test_ir_visible_agrees_with_payload_observable() -> None:
    """Conformance with InfraredSatellite.observable (+ SNR threshold) on random points."""

    rng = np.random.default_rng(5)
    for payload in (InfraredPayload(), InfraredPayload.limb(), InfraredPayload.staring(40, 60)):
        sat = InfraredSatellite("s", molniya(60.0), payload)
        t = rng.uniform(0, 43_000, 400)
        sp = sat.position(parse_utc(EPOCH), t)
        r = geodetic_to_ecef(
            np.radians(rng.uniform(-80, 80, 400)), np.radians(rng.uniform(-180, 180, 400)),
            rng.uniform(0, 200e3, 400),
        )  # fmt: skip
        geom = sat.observable(sp, r)
        snr = 1e6 / (np.sum((r - sp) ** 2, axis=1) * payload.nei_w_m2)
        np.testing.assert_array_equal(
            ir_visible(sat, sp, r, 1e6), geom & (snr >= payload.threshold_snr)
        )
        assert geom.any() and (~geom).any()


def test_radar_fence_matches_radar_coverage() -> None:
    """The closed-form fence against Radar.coverage: a point 3 % + 3 km above the fence
    is covered, one 3 % + 3 km below is not (spherical vs WGS84 geometry)."""
    rad = Radar(
        "r", 50.0, 10.0, 100.0, (RadarFace("n", 0.0, 60.0, 3.0, 85.0),), max_range_km=5000.0
    )
    grid = LatLonGrid.regular(2.0, (40.0, 90.0), (-40.0, 60.0))
    lat, lon = grid.points_deg
    fence = radar_fence_m([rad], lat, lon)
    ok = np.isfinite(fence)
    assert ok.sum() > 50 and (~ok).sum() > 50
    dist, _ = great_circle(math.radians(50), math.radians(10), np.radians(lat), np.radians(lon))
    sel = ok & (dist * R_MEAN_M > 300e3) & (dist * R_MEAN_M < 3000e3)
    assert sel.sum() > 20
    la, lo, h = np.radians(lat[sel]), np.radians(lon[sel]), fence[sel]
    above = rad.coverage(geodetic_to_ecef(la, lo, h * 1.03 + 3e3)).any(axis=-1)
    below = rad.coverage(geodetic_to_ecef(la, lo, np.maximum(h * 0.97 - 3e3, 0.0))).any(axis=-1)
    assert above.all()
    assert not below.any()
    # behind the face (south of the radar) nothing is seen
    assert np.isnan(radar_fence_m([rad], [30.0], [10.0])).all()


def test_outputs_are_written(tmp_path, geo_sat: InfraredSatellite) -> None:
    rad = Radar("r", 50.0, 10.0, 0.0, (RadarFace("n", 0.0),))
    cov = coverage_map(
        [geo_sat], [rad], EPOCH, LatLonGrid.regular(10.0), 0.0, 3600.0, step_s=1800.0
    )
    pq.write_table(coverage_table(cov), tmp_path / "c.parquet")
    t = pq.read_table(tmp_path / "c.parquet")
    assert t.num_rows == 18 * 36
    assert {"coverage_1", "coverage_2", "longest_gap_h", "fence_alt_km"} <= set(t.column_names)
    # the columns are the map's figures, in the grid's row-major order, in the named units
    lat, lon = cov.grid.points_deg
    np.testing.assert_array_equal(t.column("lat_deg").to_numpy(), lat)
    np.testing.assert_array_equal(t.column("lon_deg").to_numpy(), lon)
    np.testing.assert_array_equal(t.column("coverage_1").to_numpy(), cov.coverage_1)
    np.testing.assert_allclose(t.column("longest_gap_h").to_numpy(), cov.longest_gap_s / 3600.0)
    np.testing.assert_allclose(t.column("fence_alt_km").to_numpy(), cov.fence_m / 1e3)
    assert np.isfinite(cov.fence_m).any() and (cov.coverage_1 == 1.0).any()
    assert t.schema.metadata[b"earlywarn.epoch_utc"] == b"2026-03-20T12:00:00Z"
    doc = json.loads(write_coverage_geojson(cov, tmp_path / "c.geojson").read_text())
    assert len(doc["features"]) == 18 * 36
    # feature k is the cell around grid point k, carrying that point's figures
    for k in (0, 37, int(np.argmax(np.isfinite(cov.fence_m)))):
        f = doc["features"][k]
        ring = np.array(f["geometry"]["coordinates"][0])
        assert ring[:, 0].min() < lon[k] < ring[:, 0].max()
        assert ring[:, 1].min() < lat[k] < ring[:, 1].max()
        assert f["properties"]["coverage_1"] == round(float(cov.coverage_1[k]), 4)
        fence = cov.fence_m[k]
        expected = round(float(fence) / 1e3, 1) if np.isfinite(fence) else None
        assert f["properties"]["fence_alt_km"] == expected
    p = plot_coverage(cov, tmp_path / "c.png")
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_input_is_refused(geo_sat: InfraredSatellite) -> None:
    with pytest.raises(ValueError, match="t_end_s"):
        visibility_windows([geo_sat], EPOCH, 10.0, 5.0, [0.0], [0.0])
    with pytest.raises(ValueError, match="polygon"):
        region_coverage([geo_sat], EPOCH, [(0.0, 0.0), (1.0, 1.0)])
    with pytest.raises(ValueError, match="step_deg"):
        LatLonGrid.regular(0.0)


def test_area_fractions_are_weighted_by_cell_area(geo_sat: InfraredSatellite) -> None:
    """A GEO satellite's coverage is a spherical cap of half-angle λ0 (see the closed-form
    test above); its share of the sphere is (1 − cos λ0) / 2 (the zone formula). The
    area-weighted fraction of the map must match it within the grid's resolution; the
    plain mean over grid points (which the command printed) over-counts the polar cells
    and misses by several percent."""
    grid = LatLonGrid.regular(2.0)
    cov = coverage_map([geo_sat], [], EPOCH, grid, 0.0, 3600.0, step_s=1800.0)
    r_geo = float(np.linalg.norm(geo_sat.position(parse_utc(EPOCH), [0.0])[0]))
    lam0 = float(limb_central_angle_rad(r_geo, R_MEAN_M, PLUME_M))
    cap = (1.0 - math.cos(lam0)) / 2.0
    # boundary cells: the cap's rim (2π sin λ0) times half a cell (1°), as a share of 4π
    tol = 2 * math.pi * math.sin(lam0) * math.radians(1.0) / (4 * math.pi)
    assert cov.area_fraction(1) == pytest.approx(cap, abs=tol)
    assert abs(float(cov.coverage_1.mean()) - cap) > 3 * tol
    w = grid.area_weights()
    assert w.sum() == pytest.approx(1.0) and w.shape == (grid.shape[0] * grid.shape[1],)
    # the band |lat| < 30° is half the sphere (sin 30° = 1/2)
    lat, _ = grid.points_deg
    assert float(w[np.abs(lat) < 30.0].sum()) == pytest.approx(0.5, abs=1e-12)


def test_region_level_beyond_the_architecture_is_refused(geo_sat: InfraredSatellite) -> None:
    poly = [(0.0, 0.0), (0.0, 5.0), (5.0, 5.0)]
    with pytest.raises(ValueError, match="level 5 needs at least 5 satellites; the archi"):
        region_coverage([geo_sat, geo_sat], EPOCH, poly, level=5)
    with pytest.raises(ValueError, match="at most 720 h"):
        visibility_windows([geo_sat], EPOCH, 0.0, 1e9 * 3600.0, [0.0], [0.0])
    with pytest.raises(ValueError, match="at most 20,000"):
        visibility_windows([geo_sat], EPOCH, 0.0, 86400.0, [0.0], [0.0], step_s=1.0)
