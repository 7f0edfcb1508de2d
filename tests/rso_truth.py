"""Truth of objects in orbit for the center's catalog tests: a catalogued LEO satellite
(SGP4 from an OMM), a decaying object (integrated here, with drag), and radar reports of
them (``sensors.simulate``), independent of the center's own propagation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from earlywarn.earth.atmosphere import density_kg_m3
from earlywarn.earth.constants import GM_M3_S2, OMEGA_RAD_S
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.space.catalog import Catalog, catalog_from_omm
from earlywarn.space.orbits import ephemeris_ecef

EPOCH = "2026-03-20T12:00:00Z"
J2 = 1.08262668e-3
RE_M = 6378137.0


def leo_omm(norad_id: int = 40001, **over: Any) -> dict[str, Any]:
    """An OMM of a LEO satellite (about 420 km, 51.6°), elements a day before EPOCH."""
    rec: dict[str, Any] = {
        "OBJECT_NAME": "TEST LEO",
        "OBJECT_TYPE": "PAYLOAD",
        "NORAD_CAT_ID": norad_id,
        "EPOCH": "2026-03-19T12:00:00.000000",
        "MEAN_MOTION": 15.5,
        "ECCENTRICITY": 0.0005,
        "INCLINATION": 51.6,
        "RA_OF_ASC_NODE": 120.0,
        "ARG_OF_PERICENTER": 90.0,
        "MEAN_ANOMALY": 10.0,
        "BSTAR": 1e-4,
        "RCS_SIZE": "LARGE",
    }
    rec.update(over)
    return rec


def other_objects(n: int, seed: int = 3, first_id: int = 50000) -> list[dict[str, Any]]:
    """``n`` other LEO/MEO objects with random planes and phases (not the test object)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append(
            leo_omm(
                first_id + i,
                OBJECT_NAME=f"OTHER {i}",
                MEAN_MOTION=float(rng.uniform(11.0, 16.0)),
                ECCENTRICITY=float(rng.uniform(0.0, 0.05)),
                INCLINATION=float(rng.uniform(0.0, 100.0)),
                RA_OF_ASC_NODE=float(rng.uniform(0.0, 360.0)),
                ARG_OF_PERICENTER=float(rng.uniform(0.0, 360.0)),
                MEAN_ANOMALY=float(rng.uniform(0.0, 360.0)),
            )
        )
    return out


def catalog_of(records: list[dict[str, Any]]) -> Catalog:
    return catalog_from_omm(records)


def sgp4_truth(rec: dict[str, Any], t0_s: float, t1_s: float, dt_s: float = 10.0) -> Trajectories:
    """The object of one OMM flown by SGP4 over [t0, t1] (truth for the sensors)."""
    cat = catalog_from_omm([rec])
    t = np.arange(t0_s, t1_s + dt_s / 2, dt_s)
    eph = ephemeris_ecef([cat.objects[0].orbit], EPOCH, t)
    return Trajectories(
        ("RSO/1",), ("RSO",), ("payload",), t[None], eph.r_m, eph.v_m_s,
        np.zeros((1, t.size)), np.array([cat.objects[0].rcs_m2]),
    )  # fmt: skip


def radar_under(r_ecef_m: np.ndarray, offset_deg: float = 6.0) -> Radar:
    """A radar with all-round coverage some degrees off the sub-point of ``r_ecef_m``."""
    lat, lon, _ = ecef_to_geodetic(np.asarray(r_ecef_m, dtype=float))
    la = float(np.degrees(lat))
    lo = float(np.degrees(lon)) + offset_deg
    lo = (lo + 180.0) % 360.0 - 180.0
    return Radar(
        "rad-1", la, lo, 0.0, (RadarFace("all", 0.0, 180.0, 3.0, 88.0),),
        sigma_range_m=30.0, sigma_azimuth_rad=math.radians(0.15),
        sigma_elevation_rad=math.radians(0.15), false_alarms_per_scan=0.0,
    )  # fmt: skip


def _accel(r: np.ndarray, v: np.ndarray, inv_beta: float) -> np.ndarray:
    """Inertial acceleration: point mass + J2 + drag in a co-rotating atmosphere."""
    rn = float(np.linalg.norm(r))
    z2 = (r[2] / rn) ** 2
    k = 1.5 * J2 * GM_M3_S2 * RE_M**2 / rn**5
    a = -GM_M3_S2 * r / rn**3
    a = a + k * r * np.array([5 * z2 - 1, 5 * z2 - 1, 5 * z2 - 3])
    h = float(ecef_to_geodetic(r)[2])  # only the altitude: the frame's angle is immaterial
    vrel = v - np.cross([0.0, 0.0, OMEGA_RAD_S], r)
    rho = float(density_kg_m3(h))
    return a - 0.5 * rho * inv_beta * float(np.linalg.norm(vrel)) * vrel


def decaying_truth(
    lat_deg: float,
    lon_deg: float,
    az_deg: float,
    h0_m: float,
    perigee_alt_m: float,
    t0_s: float,
    duration_s: float,
    beta_kg_m2: float = 150.0,
    dt_s: float = 5.0,
) -> Trajectories:
    """A body at ``h0_m`` flying horizontally towards ``az_deg`` with the inertial speed
    that puts its (drag-free) perigee at ``perigee_alt_m``, then flown with drag (β) for
    ``duration_s`` or until 60 km: a rocket body on its last revolution."""  # fmt: skip
    r0 = geodetic_to_ecef(math.radians(lat_deg), math.radians(lon_deg), h0_m)
    up = r0 / np.linalg.norm(r0)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    az = math.radians(az_deg)
    dirn = math.sin(az) * east + math.cos(az) * north
    ra = float(np.linalg.norm(r0))
    rp = float(np.linalg.norm(geodetic_to_ecef(math.radians(lat_deg), 0.0, 0.0))) + perigee_alt_m
    speed = math.sqrt(2 * GM_M3_S2 * rp / (ra * (ra + rp)))  # apogee speed of that ellipse
    v0 = speed * dirn  # inertial (the ECEF and inertial frames agree at t0)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return np.concatenate([y[3:], _accel(y[:3], y[3:], 1.0 / beta_kg_m2)])

    def low(_t: float, y: np.ndarray) -> float:
        return float(ecef_to_geodetic(y[:3])[2]) - 60e3

    low.terminal = True  # type: ignore[attr-defined]
    t = np.arange(0.0, duration_s + dt_s / 2, dt_s)
    sol = solve_ivp(rhs, (0.0, duration_s), np.concatenate([r0, v0]), t_eval=t, rtol=1e-10,
                    atol=1e-6, events=low)  # fmt: skip
    tt, y = sol.t, sol.y.T
    # inertial (aligned with ECEF at t0) → ECEF at t0 + tt
    th = OMEGA_RAD_S * tt
    c, s = np.cos(th), np.sin(th)
    r = np.stack([c * y[:, 0] + s * y[:, 1], -s * y[:, 0] + c * y[:, 1], y[:, 2]], axis=1)
    vi = np.stack([c * y[:, 3] + s * y[:, 4], -s * y[:, 3] + c * y[:, 4], y[:, 5]], axis=1)
    v = vi - np.cross([0.0, 0.0, OMEGA_RAD_S], r)
    return Trajectories(
        ("RB/1",), ("RB",), ("stage",), (t0_s + tt)[None], r[None], v[None],
        np.zeros((1, tt.size)), np.array([5.0]),
    )  # fmt: skip
