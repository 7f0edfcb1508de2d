"""Infrared payload geometry: Earth occlusion (property-tested), limb and cloud-top rules,
field of view, sun-glint geometry, and the notional defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef
from earlywarn.earth.sun import sun_direction_ecef
from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.background import (
    GlintModel,
    line_of_sight_clear,
    ray_layer_range,
    specular_point,
)
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.simulate import sensor_seed, simulate
from earlywarn.space.orbits import geo

EPOCH = "2026-03-20T06:00:00Z"


def _segment_min_height(p: np.ndarray, q: np.ndarray, n: int = 1001) -> np.ndarray:
    """Independent check: lowest geodetic height along segments ``p → q`` (rows), by dense
    sampling refined around the sample nearest the Earth's centre."""
    p, q = np.atleast_2d(p), np.atleast_2d(q)
    s = np.linspace(0.0, 1.0, n)[None, :, None]
    path = p[:, None, :] + s * (q - p)[:, None, :]
    i = np.argmin(np.linalg.norm(path, axis=2), axis=1)
    lo = np.maximum(i - 1, 0) / (n - 1)
    hi = np.minimum(i + 1, n - 1) / (n - 1)
    s2 = (lo[:, None] + np.linspace(0.0, 1.0, 501)[None, :] * (hi - lo)[:, None])[..., None]
    fine = p[:, None, :] + s2 * (q - p)[:, None, :]
    _, _, h = ecef_to_geodetic(np.concatenate([path, fine], axis=1))
    return np.asarray(h.min(axis=1))


def _near_limb_point(sat: np.ndarray, bearing: float, offset: float, h: float) -> np.ndarray:
    """A point at height h whose central angle from the sub-satellite point is the limb
    angle for that height (spherical) plus ``offset`` rad, toward ``bearing``."""
    r = float(np.linalg.norm(sat))
    lam = math.acos(R_MEAN_M / r) + math.acos(R_MEAN_M / (R_MEAN_M + h)) + offset
    u = sat / r
    ref = np.array([0.0, 0.0, 1.0]) if abs(u[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(u, ref)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(u, e1)
    d = math.cos(lam) * u + math.sin(lam) * (math.cos(bearing) * e1 + math.sin(bearing) * e2)
    lat, lon, _ = ecef_to_geodetic(d * R_MEAN_M)
    return geodetic_to_ecef(lat, lon, h)


LOOKDOWN = InfraredSatellite(
    "S", geo(0.0), InfraredPayload(fov_half_angle_deg=90.0, min_altitude_m=0.0, glint=None)
)


@settings(max_examples=300, deadline=None)
@given(
    r_sat=st.floats(7.0e6, 5.0e7),
    sat_lat=st.floats(-1.5, 1.5),
    sat_lon=st.floats(-math.pi, math.pi),
    bearing=st.floats(0, 2 * math.pi),
    offset=st.floats(-0.03, 0.03),
    h=st.floats(0.0, 2.0e6),
)
@example(r_sat=4.2164e7, sat_lat=0.0, sat_lon=0.0, bearing=0.0, offset=1e-4, h=10e3)
@example(r_sat=4.2164e7, sat_lat=0.0, sat_lon=0.0, bearing=1.5707963, offset=1e-4, h=10e3)
@example(r_sat=7.0e6, sat_lat=1.2, sat_lon=0.3, bearing=0.5, offset=2e-5, h=100.0)
def test_never_observable_through_the_earth(
    r_sat: float, sat_lat: float, sat_lon: float, bearing: float, offset: float, h: float
) -> None:
    """Property: whenever the payload calls a point observable, the straight segment from
    the satellite to it stays above the WGS84 ellipsoid (to 1 m), including points just
    behind the limb (offset > 0 puts them beyond the spherical horizon)."""
    u = np.array(
        [math.cos(sat_lat) * math.cos(sat_lon), math.cos(sat_lat) * math.sin(sat_lon),
         math.sin(sat_lat)]
    )  # fmt: skip
    sat = r_sat * u
    tgt = _near_limb_point(sat, bearing, offset, h)
    hmin = float(_segment_min_height(sat, tgt)[0])
    if bool(LOOKDOWN.observable(sat, tgt)):
        assert hmin > -1.0
    # and the converse: a segment that dips 1 km below the ellipsoid is never clear
    if hmin < -1000.0:
        assert not bool(line_of_sight_clear(sat, tgt))


@settings(max_examples=15, deadline=None)
@given(
    lon_sat=st.floats(-180.0, 180.0),
    bearing=st.floats(0, 2 * math.pi),
    offset=st.floats(-0.01, 0.01),
)
def test_pipeline_reports_nothing_from_behind_the_limb(
    lon_sat: float, bearing: float, offset: float
) -> None:
    """End to end: hovering bright sources spread across the limb of a GEO satellite; every
    report of an object passes the independent segment check."""
    sat_obj = InfraredSatellite(
        "G", geo(lon_sat), InfraredPayload(clutter_per_frame=0.0, glint=None)
    )
    sat0 = sat_obj.position(parse_utc(EPOCH), 0.0)
    hs = np.array([12e3, 50e3, 200e3])
    offs = offset + np.linspace(-0.004, 0.004, 9)
    pts = np.array([_near_limb_point(sat0, bearing, o, hh) for o in offs for hh in hs])
    n = pts.shape[0]
    ts = np.tile(np.array([0.0, 100.0]), (n, 1))
    r = np.repeat(pts[:, None, :], 2, axis=1)
    truth = Trajectories(
        tuple(f"o{i}" for i in range(n)), ("x",) * n, ("other",) * n, ts, r,
        np.zeros_like(r), np.full((n, 2), 1e9), np.ones(n),
    )  # fmt: skip
    obs = sat_obj.observe(
        truth, parse_utc(EPOCH), 0.0, 100.0, sensor_seed(np.random.SeedSequence(3), "G")
    )
    c = obs.columns
    idx = np.array([int(lab[1:]) for lab in obs.label], dtype=int)
    sat = np.stack([c["sat_x_m"], c["sat_y_m"], c["sat_z_m"]], -1).astype(float)
    assert np.all(_segment_min_height(sat, pts[idx]) > -1.0)


def test_cloud_tops_limb_floor_and_fov() -> None:
    sat = geodetic_to_ecef(0.0, 0.0, 35_786e3)
    low = geodetic_to_ecef(0.3, 0.2, 5e3)
    high = geodetic_to_ecef(0.3, 0.2, 15e3)
    down = InfraredSatellite("D", geo(0.0))
    assert not down.observable(sat, low) and down.observable(sat, high)
    # FOV: a region starer 3° around (0.3, 0.2) rad does not see the far side of the disc
    star = InfraredSatellite("R", geo(0.0), InfraredPayload.staring(math.degrees(0.3), 11.46))
    assert star.observable(sat, high)
    assert not star.observable(sat, geodetic_to_ecef(-0.5, -0.5, 15e3))
    # limb: the same point is seen against the Earth (no), a point high above the limb yes
    limb = InfraredSatellite("L", geo(0.0), InfraredPayload.limb())
    assert not limb.observable(sat, high)
    # 300 km up; 0.05 rad inside its horizon angle the ray's tangent height is ≈ 95 km
    # (d(angle)/d(tangent height) ≈ 1/√(r² − R²) + 1/√((R + h)² − R²) ≈ 5.3e-7 rad/m)
    assert limb.observable(sat, _near_limb_point(sat, 0.0, -0.05, 300e3))
    # 0.01 rad inside: tangent height ≈ 19 km, below the 40 km floor: against the Earth
    assert not limb.observable(sat, _near_limb_point(sat, 0.0, -0.01, 300e3))


def test_default_snr_and_clutter_levels() -> None:
    """Scanning default: a 1e6 W/sr first stage from GEO has SNR ~ 100+, a 1e5 W/sr
    short-range missile (DSP saw Scud launches in 1991) is above threshold; clutter ≤ 0.1."""
    p = InfraredPayload()
    sat = geodetic_to_ecef(0.0, math.radians(60.0), 35_786e3)
    tgt = geodetic_to_ecef(math.radians(45.0), math.radians(60.0), 50e3)
    rng = float(np.linalg.norm(tgt - sat))
    snr = 1e6 / rng**2 / p.nei_w_m2
    assert 50.0 < snr < 500.0
    assert 1e5 / rng**2 / p.nei_w_m2 > 2 * p.threshold_snr
    assert p.detection_probability(snr) > 0.999
    assert p.detection_probability(p.threshold_snr) == pytest.approx(0.5)
    assert p.clutter_per_frame <= 0.1
    assert InfraredPayload.limb().clutter_per_frame < p.clutter_per_frame


def test_specular_point_reflection_law() -> None:
    """Angle of incidence = angle of reflection within 0.01° for random satellites (LEO to
    beyond GEO) and Sun directions; the point lies in the Sun–satellite–centre plane."""
    rng = np.random.default_rng(11)
    n = 5000
    sat = rng.standard_normal((n, 3))
    sat *= (rng.uniform(7e6, 5e7, n) / np.linalg.norm(sat, axis=1))[:, None]
    sun = rng.standard_normal((n, 3))
    sun /= np.linalg.norm(sun, axis=1, keepdims=True)
    pt, phi = specular_point(sat, sun)
    nrm = pt / np.linalg.norm(pt, axis=1, keepdims=True)
    out = sat - pt
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    inc = np.degrees(np.arccos(np.clip(np.sum(nrm * sun, 1), -1, 1)))
    refl = np.degrees(np.arccos(np.clip(np.sum(nrm * out, 1), -1, 1)))
    assert np.max(np.abs(inc - refl)) < 0.01
    assert np.allclose(np.degrees(phi), inc, atol=1e-6)
    # a specular point beyond 90° incidence is not sunlit: the model discards it (glint
    # needs incidence < max_incidence_deg < 90°); that only happens over the night side
    night = inc >= 90.0
    assert night.any() and (~night).any()
    sub_sun = np.sum(sat / np.linalg.norm(sat, axis=1, keepdims=True) * sun, axis=1)
    assert np.all(sub_sun[night] < 0.0)
    # the normal lies in the Sun–satellite–centre plane: coplanar vectors
    vol = np.abs(
        np.einsum("ij,ij->i", nrm, np.cross(sun, sat / np.linalg.norm(sat, axis=1)[:, None]))
    )
    assert np.max(vol) < 1e-9


def test_glint_clusters_sunlit_and_persistent() -> None:
    """Glint reports come from sunlit ground and in clusters that persist over frames."""
    sat = InfraredSatellite(
        "G",
        geo(0.0),
        InfraredPayload(clutter_per_frame=0.0, glint=GlintModel(rate_per_hour=30.0)),
    )
    from sensor_truth import rocket_truth

    truth = rocket_truth(((0.0, 0.0, 1e7),))  # nothing flies in the window
    b, tr = simulate(truth, [sat], [], EPOCH, 0.0, 86_400.0, 5)
    c = b.columns("ir")
    labels = tr.lookup(c["sensor_id"], c["seq"])
    g = labels == "glint"
    assert g.sum() > 100
    los = np.stack([c["los_x"], c["los_y"], c["los_z"]], -1)[g]
    sp = np.stack([c["sat_x_m"], c["sat_y_m"], c["sat_z_m"]], -1)[g]
    ground = sp + ray_layer_range(sp, los, 8e3)[:, None] * los
    sun = sun_direction_ecef(parse_utc(EPOCH), c["t_s"][g])
    nrm = ground / np.linalg.norm(ground, axis=1, keepdims=True)
    assert np.all(np.sum(nrm * sun, axis=1) > 0.0)  # sunlit side only
    # persistence: most glint reports have another one within 30 km in the next scan
    frame = c["frame_id"][g]
    close = 0
    for i in range(frame.size):
        nxt = frame == frame[i] + 1
        if nxt.any() and np.min(np.linalg.norm(ground[nxt] - ground[i], axis=1)) < 30e3:
            close += 1
    assert close / frame.size > 0.5
    # no glint around the sub-satellite point's midnight: with the Sun more than ~155°
    # from the sub-satellite point the specular incidence exceeds the 75° cut-off
    sub = sp / np.linalg.norm(sp, axis=1, keepdims=True)
    assert np.all(np.sum(sub * sun, axis=1) > -0.9)


def test_payload_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="mode"):
        InfraredPayload(mode="pushbroom")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="region_lat_deg"):
        InfraredPayload(pointing="region")
    with pytest.raises(ValueError, match="nei_w_m2"):
        InfraredPayload(nei_w_m2=0.0)
    with pytest.raises(ValueError, match="fov_half_angle_deg"):
        InfraredPayload(fov_half_angle_deg=120.0)
