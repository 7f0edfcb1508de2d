"""A small synthetic infrared-report generator for the IR launch-detection tests.

Not a flight or sensor model (those live in ``earlywarn.flight`` and ``earlywarn.sensors``):
just enough physics to make honest test data, written independently of the center's priors.

* **Rocket**: a point mass in a vertical plane over a spherical Earth (mean radius), thrust
  acceleration ``a0 / (1 − k τ/T_b)`` (constant mass flow, mass fraction ``k`` burnt at
  burnout), inverse-square gravity, vertical for ``vertical_s`` and then a linear pitch
  program (∝ √time) of the thrust direction down to ``gamma_end_rad`` at burnout. Downrange distance
  and altitude are mapped onto WGS84 by the spherical direct geodesic problem along the
  launch azimuth (so "launch azimuth" is exact by construction).
* **Satellites**: geostationary, fixed in ECEF, frames every ``revisit_s`` with a per
  satellite phase (frames need not be simultaneous).
* **Reports**: LOS perturbed by ``sigma_rad`` per axis; detection from the time the plume
  clears ``detect_alt_m`` until burnout with probability ``pd``.
* **Clutter**: Poisson number of false detections per frame, uniform over the Earth disc;
  **fire**: a fixed ground point seen by every satellite; **glint**: a flickering ground
  point seen by one satellite, wandering by a few hundred metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import geodetic_to_ecef

FloatArray = npt.NDArray[np.float64]

GEO_RADIUS_M = 42_164_170.0


@dataclass(frozen=True)
class Rocket:
    lat_rad: float
    lon_rad: float
    azimuth_rad: float
    launch_time_s: float
    burn_time_s: float
    a0_m_s2: float
    mass_fraction: float
    gamma_end_rad: float
    vertical_s: float = 10.0
    intensity_w_sr: float = 2e6
    detect_alt_m: float = 3000.0


def icbm_like(lat: float, lon: float, az: float, t0: float = 100.0) -> Rocket:
    """~180 s burn, ~7 km/s, ~22° at burnout (a solid ICBM-like profile)."""
    return Rocket(lat, lon, az, t0, 180.0, 23.0, 0.80, math.radians(18.0), intensity_w_sr=2e6)


def srbm_like(lat: float, lon: float, az: float, t0: float = 100.0) -> Rocket:
    """~65 s burn, ~1.8 km/s, 45° at burnout (a Scud-like profile)."""
    return Rocket(lat, lon, az, t0, 65.0, 20.0, 0.65, math.radians(40.0), intensity_w_sr=1.5e5)


def fly(rocket: Rocket, dt: float = 0.05) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Times since lift-off, downrange distance (m) and altitude (m) at ``dt`` steps."""
    n = round(rocket.burn_time_s / dt) + 1
    tau = np.arange(n, dtype=np.float64) * dt
    x = z = vx = vz = 0.0
    xs, zs = np.zeros(n), np.zeros(n)
    g0 = 9.80665
    for i in range(1, n):
        tm = tau[i - 1] + 0.5 * dt
        acc = rocket.a0_m_s2 / (1.0 - rocket.mass_fraction * tm / rocket.burn_time_s)
        if tm < rocket.vertical_s:
            gam = 0.5 * math.pi
        else:
            f = (tm - rocket.vertical_s) / (rocket.burn_time_s - rocket.vertical_s)
            gam = 0.5 * math.pi + math.sqrt(f) * (rocket.gamma_end_rad - 0.5 * math.pi)
        g = g0 * (R_MEAN_M / (R_MEAN_M + z)) ** 2
        # horizontal motion over a sphere: centrifugal term vx²/(R+z) relieves gravity
        az_ = acc * math.sin(gam) - g + vx * vx / (R_MEAN_M + z)
        ax_ = acc * math.cos(gam)
        vx += ax_ * dt
        vz += az_ * dt
        x += vx * dt
        z += vz * dt
        xs[i], zs[i] = x, z
    return tau, xs, zs


def position(rocket: Rocket, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """ECEF positions (n, 3) at times ``t_s`` and the altitudes (NaN outside the burn)."""
    tau, xs, zs = fly(rocket)
    tt = np.asarray(t_s, dtype=np.float64) - rocket.launch_time_s
    d = np.interp(tt, tau, xs)
    h = np.interp(tt, tau, zs)
    ang = d / R_MEAN_M
    p1, l1, az = rocket.lat_rad, rocket.lon_rad, rocket.azimuth_rad
    lat = np.arcsin(math.sin(p1) * np.cos(ang) + math.cos(p1) * np.sin(ang) * math.cos(az))
    lon = l1 + np.arctan2(
        math.sin(az) * np.sin(ang) * math.cos(p1), np.cos(ang) - math.sin(p1) * np.sin(lat)
    )
    r = geodetic_to_ecef(lat, lon, h)
    alt = np.where((tt >= 0) & (tt <= rocket.burn_time_s), h, np.nan)
    return r, alt


def geo_sat(lon_rad: float) -> FloatArray:
    return np.array([GEO_RADIUS_M * math.cos(lon_rad), GEO_RADIUS_M * math.sin(lon_rad), 0.0])


def _perturb(u: FloatArray, sigma: float, rng: np.random.Generator) -> FloatArray:
    a = np.where(np.abs(u[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]]))
    e1 = np.cross(u, a)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(u, e1)
    n = rng.normal(0.0, sigma, size=(u.shape[0], 2))
    v = u + n[:, :1] * e1 + n[:, 1:] * e2
    return np.asarray(v / np.linalg.norm(v, axis=1, keepdims=True), dtype=np.float64)


@dataclass(frozen=True)
class Scene:
    sat_lons_rad: tuple[float, ...]
    t_start_s: float
    t_end_s: float
    revisit_s: float = 2.0
    sigma_rad: float = 30e-6
    pd: float = 0.98
    rockets: tuple[Rocket, ...] = ()
    clutter_per_frame: float = 0.0
    fires: tuple[tuple[float, float], ...] = ()  # (lat, lon) seen by every satellite
    glints: tuple[tuple[float, float, int], ...] = ()  # (lat, lon, satellite index)


def generate(scene: Scene, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """IR report columns (the keys of reports.IR_COLUMNS + common), time-ordered."""
    rows_t, rows_sid, rows_fid = [], [], []
    rows_los, rows_sat, rows_int = [], [], []
    nsat = len(scene.sat_lons_rad)
    for si, lon in enumerate(scene.sat_lons_rad):
        sat = geo_sat(lon)
        phase = scene.revisit_s * si / max(nsat, 1)
        times = np.arange(scene.t_start_s + phase, scene.t_end_s, scene.revisit_s)
        nadir = -sat / np.linalg.norm(sat)
        paths = [position(rk, times) for rk in scene.rockets]
        for fi, t in enumerate(times):
            tgt: list[FloatArray] = []
            inten: list[float] = []
            for rk, (r_all, alt_all) in zip(scene.rockets, paths, strict=True):
                alt = alt_all[fi]
                if np.isfinite(alt) and alt >= rk.detect_alt_m and rng.random() < scene.pd:
                    tgt.append(r_all[fi])
                    inten.append(rk.intensity_w_sr * math.exp(rng.normal(0, 0.2)))
            for lat_f, lon_f in scene.fires:
                if rng.random() < 0.9:
                    tgt.append(geodetic_to_ecef(lat_f, lon_f, 0.0))
                    inten.append(5e4 * math.exp(rng.normal(0, 0.5)))
            for lat_g, lon_g, sidx in scene.glints:
                if sidx == si and rng.random() < 0.5:
                    wob = rng.normal(0, 300.0 / 6.371e6, size=2)
                    tgt.append(geodetic_to_ecef(lat_g + wob[0], lon_g + wob[1], 0.0))
                    inten.append(2e5 * math.exp(rng.normal(0, 1.0)))
            u_list = [(p - sat) / np.linalg.norm(p - sat) for p in tgt]
            nc = rng.poisson(scene.clutter_per_frame)
            if nc:
                th_max = math.asin(6.36e6 / np.linalg.norm(sat))
                th = np.arccos(1.0 - rng.random(nc) * (1.0 - math.cos(th_max)))
                ph = rng.random(nc) * 2 * math.pi
                e1 = np.cross(nadir, [0.0, 0.0, 1.0])
                e1 /= np.linalg.norm(e1)
                e2 = np.cross(nadir, e1)
                uc = (
                    np.cos(th)[:, None] * nadir
                    + (np.sin(th) * np.cos(ph))[:, None] * e1
                    + (np.sin(th) * np.sin(ph))[:, None] * e2
                )
                u_list.extend(list(uc))
                inten.extend(list(3e4 * np.exp(rng.normal(0, 0.7, nc))))
            if not u_list:
                continue
            u = np.array(u_list)
            if tgt:
                u[: len(tgt)] = _perturb(u[: len(tgt)], scene.sigma_rad, rng)
            order = rng.permutation(u.shape[0])  # the report order carries no information
            k = u.shape[0]
            rows_t.append(np.full(k, t))
            rows_sid.append(np.full(k, f"GEO-{si + 1}", dtype=object))
            rows_fid.append(np.full(k, fi, dtype=np.int64))
            rows_los.append(u[order])
            rows_sat.append(np.tile(sat, (k, 1)))
            rows_int.append(np.array(inten)[order])
    if not rows_t:
        raise ValueError("scene produced no reports")
    t = np.concatenate(rows_t)
    sid = np.concatenate(rows_sid)
    order = np.lexsort((sid.astype(str), t))
    t = t[order]
    sid = sid[order]
    los = np.concatenate(rows_los)[order]
    sat = np.concatenate(rows_sat)[order]
    seq = np.zeros(t.shape[0], dtype=np.int64)
    for s in np.unique(sid):
        m = sid == s
        seq[m] = np.arange(int(m.sum()))
    n = t.shape[0]
    return {
        "schema": np.full(n, "earlywarn.report/1", dtype=object),
        "kind": np.full(n, "ir", dtype=object),
        "sensor_id": sid,
        "seq": seq,
        "t_s": t,
        "time_utc": np.full(n, "", dtype=object),
        "los_x": los[:, 0],
        "los_y": los[:, 1],
        "los_z": los[:, 2],
        "sat_x_m": sat[:, 0],
        "sat_y_m": sat[:, 1],
        "sat_z_m": sat[:, 2],
        "sigma_rad": np.full(n, scene.sigma_rad),
        "intensity_w_sr": np.concatenate(rows_int)[order],
        "snr": np.full(n, 20.0),
        "frame_id": np.concatenate(rows_fid)[order],
    }


def run(
    cols: dict[str, np.ndarray], t_end_s: float, step_s: float = 2.0, params: object = None
) -> list[tuple[float, tuple[Any, ...]]]:
    """Feed the columns to ``ir_step`` in steps of ``step_s``; every step's (t, events)."""
    from earlywarn.center.ir import IrParams, IrState, ir_step
    from earlywarn.reports import ReportSlice

    p = params if isinstance(params, IrParams) else IrParams()
    block = ReportSlice.from_columns(ir=cols).ir
    t = block["t_s"]
    state = IrState.initial(float(t[0]) - step_s) if t.size else IrState.initial(0.0)
    out = []
    tk = state.t_s
    while tk < t_end_s:
        t_next = tk + step_s
        i0, i1 = np.searchsorted(t, [tk, t_next], side="right")
        state, events = ir_step(state, block.take(slice(i0, i1)), t_next, p)
        out.append((t_next, events))
        tk = t_next
    return out
