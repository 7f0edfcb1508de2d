"""Warning time over a grid of launch points, for one defended point and one vehicle.

Warning time has one definition, :mod:`earlywarn.analysis.warning_time` (re-exported here
as :func:`dual_confirmation`): from the first moment both phenomenologies could confirm —
the expected number of infrared detections of the launch's burning objects, over the
payload's own frames with its own Pd, reaching ``ir_reports``; the expected number of radar
detections of any object of the launch (the reentry vehicle *and* the spent stages, each
with its cross section), over a radar's own scans with its own Swerling-I Pd, reaching
``radar_reports`` — to impact. It bounds the decision time a dual-phenomenology center
could give with instantaneous processing; on the reference geometry and the examples the
center's decision time is 14–58 s below it (``tests/test_warning_time.py``).

For every launch point: the **flight time** of a minimum-energy shot at the defended
point (NaN when out of range), the **infrared confirmation** and **radar confirmation**
times, the **dual-phenomenology time** (the later) and the **warning time left** = impact
− dual time. All times are seconds after lift-off; every launch lifts off at scenario time
``t_launch_s``.

* :func:`warning_direct` flies every launch with all its objects and applies
  :func:`dual_confirmation` to them — the definition itself.
* :func:`warning_map` (the table) holds the booster and the reentry vehicle only; the
  last spent stage separates beside the reentry vehicle (a few m/s apart) and flies close
  to it until reentry, so the table gives the RV's path the larger of the two cross
  sections. Frames and scans sample the interpolated paths (positions linear between
  table samples).

Two ways to get the trajectories
--------------------------------
* :func:`warning_direct` flies every launch, aimed, with one
  :class:`~earlywarn.flight.FlightSolver` (exact; ~5 ms per launch).
* :func:`warning_map` (the fast path) uses a :class:`TrajectoryTable`. A trajectory aimed
  at a target depends on the launch longitude only through a rotation about the Earth's
  axis (the Earth model — WGS84, J2, rotation — is axisymmetric), and the flight for a
  launch at latitude −φ with azimuth A is the mirror image (z → −z) of the one at +φ with
  azimuth 180° − A (the rotation vector is unchanged by that mirror). So a trajectory is a
  function of (|φ|, A, ψ) — launch latitude, great-circle azimuth to the target and
  central angle to it. The table flies a grid of those (default 7 latitudes × 12 azimuths ×
  16 ranges = 1,344 aimed flights in one batch per 400), stores each trajectory in the
  launch site's frame as (downrange angle, crossrange angle, radius from the Earth's
  centre) — quantities that vary smoothly between nodes — and interpolates trilinearly.
  A point needing a node whose flight is out of range (westward shots lose range to the
  Earth's rotation) is NaN, which trims up to one range step off the edge of reach.
  Error against direct flights (``tests/test_warning.py``, ICBM, ranges 4,000–11,000 km):
  flight time within 20 s, IR detection within 5 s, radar detection within 30 s; the
  test states and checks these bounds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.analysis.coverage import LatLonGrid
from earlywarn.analysis.warning_time import DualConfirmation, dual_confirmation, first_accumulated
from earlywarn.earth.constants import E2, R_MEAN_M
from earlywarn.earth.frames import geodetic_to_ecef, great_circle
from earlywarn.earth.time import parse_utc
from earlywarn.flight import FlightSolver, LaunchSpec, Trajectories, Vehicle, get_vehicle
from earlywarn.flight.fly import ellipsoid_distance_m
from earlywarn.sensors.infrared import InfraredSatellite
from earlywarn.sensors.radar import Radar

__all__ = [
    "DualConfirmation",
    "TrajectoryTable",
    "WarningMap",
    "build_trajectory_table",
    "dual_confirmation",
    "warning_direct",
    "warning_map",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


# ---------------------------------------------------------------------------- geometry


def _geocentric(lat_rad: FloatArray) -> FloatArray:
    return np.asarray(np.arctan((1.0 - E2) * np.tan(lat_rad)))


def _geodetic_from_geocentric(latc_rad: FloatArray) -> FloatArray:
    return np.asarray(np.arctan(np.tan(latc_rad) / (1.0 - E2)))


def _basis(lat_rad: FloatArray, lon_rad: FloatArray, az_rad: FloatArray) -> FloatArray:
    """``(..., 3, 3)`` rows: downrange d, crossrange c = u × d, geocentric up u."""
    site = geodetic_to_ecef(lat_rad, lon_rad, 0.0)
    u = site / np.linalg.norm(site, axis=-1, keepdims=True)
    zhat = np.array([0.0, 0.0, 1.0])
    east = np.cross(zhat, u)
    ne = np.linalg.norm(east, axis=-1, keepdims=True)
    # at a pole the east direction is that of the longitude meridian's normal
    pole_east = np.stack([-np.sin(lon_rad), np.cos(lon_rad), 0 * lon_rad], axis=-1)
    east = np.where(ne > 1e-12, east / np.where(ne > 0, ne, 1.0), pole_east)
    north = np.cross(u, east)
    ca, sa = np.cos(az_rad)[..., None], np.sin(az_rad)[..., None]
    d = ca * north + sa * east
    c = np.cross(u, d)
    return np.stack([d, c, u], axis=-2)


def _to_local(r: FloatArray, basis: FloatArray) -> FloatArray:
    """ECEF ``(..., K, 3)`` → (downrange angle, crossrange angle, radius) ``(..., K, 3)``."""
    x = np.einsum("...ij,...kj->...ki", basis, r)
    rho = np.linalg.norm(r, axis=-1)
    th = np.arctan2(x[..., 0], x[..., 2])
    with np.errstate(invalid="ignore", divide="ignore"):
        chi = np.arcsin(np.clip(x[..., 1] / rho, -1.0, 1.0))
    return np.stack([th, chi, rho], axis=-1)


def _from_local(q: FloatArray, basis: FloatArray) -> FloatArray:
    """Inverse of :func:`_to_local`; ``basis (L, 3, 3)``, ``q (L, K, 3)``."""
    th, chi, rho = q[..., 0], q[..., 1], q[..., 2]
    cc = np.cos(chi)
    comp = np.stack([cc * np.sin(th), np.sin(chi), cc * np.cos(th)], axis=-1) * rho[..., None]
    return np.asarray(np.einsum("lki,lij->lkj", comp, basis))


# -------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class TrajectoryTable:
    """Aimed minimum-energy trajectories of one vehicle over (|latitude|, azimuth, range).

    Node axes: ``lat_rad (nφ,)`` from 0 to π/2, ``az_rad (nA,)`` uniform over [0, 2π),
    ``psi_rad (nψ,)`` central angles. Per node: ``valid``, ``burnout_s``, ``impact_s``
    (after lift-off), the booster at ``boost_t_s (Kb,)`` (held at burnout afterwards) and the
    RV at normalised times ``rv_tau (Kr,)`` from burnout (0) to impact (1), both as
    (downrange angle, crossrange angle, radius) in the site frame, ``(nφ, nA, nψ, K, 3)``.
    """

    vehicle: str
    lat_rad: FloatArray
    az_rad: FloatArray
    psi_rad: FloatArray
    valid: BoolArray
    burnout_s: FloatArray
    impact_s: FloatArray
    boost_t_s: FloatArray
    boost: FloatArray
    rv_tau: FloatArray
    rv: FloatArray

    @property
    def n_flights(self) -> int:
        return int(self.valid.size)


def _destination(
    latc: FloatArray, az: FloatArray, psi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Geocentric latitude and longitude (from 0) at central angle ψ, azimuth A (sphere)."""
    s2 = np.sin(latc) * np.cos(psi) + np.cos(latc) * np.sin(psi) * np.cos(az)
    lat2 = np.arcsin(np.clip(s2, -1.0, 1.0))
    dl = np.arctan2(np.sin(az) * np.sin(psi) * np.cos(latc), np.cos(psi) - np.sin(latc) * s2)
    return lat2, dl


def _rows(traj: Trajectories, idx: Sequence[int]) -> Trajectories:
    ii = np.asarray(idx, dtype=np.intp)
    return Trajectories(
        object_id=tuple(traj.object_id[i] for i in ii),
        launch_id=tuple(traj.launch_id[i] for i in ii),
        kind=tuple(traj.kind[i] for i in ii),
        t_s=traj.t_s[ii],
        r_ecef_m=traj.r_ecef_m[ii],
        v_ecef_m_s=traj.v_ecef_m_s[ii],
        intensity_w_sr=traj.intensity_w_sr[ii],
        rcs_m2=traj.rcs_m2[ii],
    )


@dataclass(frozen=True)
class _Flown:
    """Aimed flights sampled for the warning evaluation (internal; times after lift-off)."""

    ok: BoolArray
    burnout_s: FloatArray
    impact_s: FloatArray
    boost_t: FloatArray  # (L, Kb)
    boost_r: FloatArray  # (L, Kb, 3) ECEF
    rv_t: FloatArray  # (L, Kr)
    rv_r: FloatArray  # (L, Kr, 3)


def _fly_aimed(
    solver: FlightSolver,
    vehicle: str,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    aim_lat_deg: FloatArray,
    aim_lon_deg: FloatArray,
    boost_t: FloatArray,
    rv_tau: FloatArray,
    batch: int = 400,
) -> _Flown:
    """Fly aimed launches (all in range) and sample booster and RV on the given grids."""
    n = lat_deg.size
    ok = np.zeros(n, bool)
    t_bo = np.full(n, np.nan)
    t_imp = np.full(n, np.nan)
    b_r = np.full((n, boost_t.size, 3), np.nan)
    rv_t = np.full((n, rv_tau.size), np.nan)
    rv_r = np.full((n, rv_tau.size, 3), np.nan)
    for b0 in range(0, n, batch):
        idx = range(b0, min(n, b0 + batch))
        specs = [
            LaunchSpec(
                f"W{i}", vehicle, float(lat_deg[i]), float(lon_deg[i]),
                aim_lat_deg=float(aim_lat_deg[i]), aim_lon_deg=float(aim_lon_deg[i]),
            )
            for i in idx
        ]  # fmt: skip
        res = solver.fly(specs)
        tr = res.trajectories
        rows_of: dict[str, list[int]] = {}
        for k, lid in enumerate(tr.launch_id):
            rows_of.setdefault(lid, []).append(k)
        for i, spec, ev in zip(idx, specs, res.events, strict=True):
            if ev.status != "ok" or ev.impact_s is None:
                continue
            sub = _rows(tr, rows_of[spec.launch_id][:2])  # booster, rv
            ok[i] = True
            t_bo[i], t_imp[i] = ev.burnout_s, ev.impact_s
            sb = _rows(sub, [0]).at(np.minimum(boost_t, ev.burnout_s))
            b_r[i] = sb.r_ecef_m[0]
            rv_t[i] = ev.burnout_s + rv_tau * (ev.impact_s - ev.burnout_s)
            # the RV row starts at burnout and ends at impact: clip into its life
            t_rv = np.clip(rv_t[i], sub.t_s[1, 0], np.nanmax(sub.t_s[1]))
            rv_r[i] = _rows(sub, [1]).at(t_rv).r_ecef_m[0]
    return _Flown(ok, t_bo, t_imp, np.broadcast_to(boost_t, (n, boost_t.size)), b_r, rv_t, rv_r)


def build_trajectory_table(
    solver: FlightSolver,
    vehicle: str,
    *,
    n_lat: int = 7,
    n_az: int = 12,
    n_range: int = 16,
    boost_step_s: float = 2.0,
    n_rv_samples: int = 200,
) -> TrajectoryTable:
    """Fly the node launches (longitude 0) and tabulate them (see the module docstring)."""
    v = get_vehicle(vehicle, solver.catalog)
    if not v.aimable:
        raise ValueError(f"vehicle {vehicle!r} cannot be aimed; pick a missile class")
    if n_lat < 2 or n_az < 3 or n_range < 2:
        raise ValueError("trajectory table: need n_lat >= 2, n_az >= 3, n_range >= 2")
    tab = solver.table(vehicle)
    lat_n = np.linspace(0.0, 0.5 * math.pi, n_lat)
    az_n = np.arange(n_az) * 2.0 * math.pi / n_az
    psi0 = 1.01 * tab.min_range_m / R_MEAN_M
    psi1 = 0.995 * tab.max_range_m / R_MEAN_M
    psi_n = np.linspace(psi0, psi1, n_range)
    mesh = np.meshgrid(lat_n, az_n, psi_n, indexing="ij")
    la, az, ps = (m.ravel() for m in mesh)
    la_c = _geocentric(la)
    lat2c, lon2 = _destination(la_c, az, ps)
    t_end_boost = float(v.burnout_s[-1])
    boost_t = np.arange(0.0, t_end_boost + boost_step_s, boost_step_s)
    rv_tau = np.linspace(0.0, 1.0, n_rv_samples)
    fl = _fly_aimed(
        solver, vehicle, np.degrees(la), np.zeros_like(la),
        np.degrees(_geodetic_from_geocentric(lat2c)), np.degrees(lon2), boost_t, rv_tau,
    )  # fmt: skip
    basis = _basis(la, np.zeros_like(la), az)
    shape = (n_lat, n_az, n_range)
    boost = _to_local(fl.boost_r, basis).reshape(*shape, boost_t.size, 3)
    rv = _to_local(fl.rv_r, basis).reshape(*shape, rv_tau.size, 3)
    return TrajectoryTable(
        vehicle, lat_n, az_n, psi_n, fl.ok.reshape(shape), fl.burnout_s.reshape(shape),
        fl.impact_s.reshape(shape), boost_t, boost, rv_tau, rv,
    )  # fmt: skip


def _interp_weights(
    table: TrajectoryTable, lat: FloatArray, az: FloatArray, psi: FloatArray
) -> tuple[list[tuple[IntArray, IntArray, IntArray]], list[FloatArray], BoolArray]:
    """The 8 trilinear corners and weights for |lat|, azimuth (periodic) and range."""
    nl, na, nr = table.valid.shape
    fl = np.clip(np.abs(lat) / (table.lat_rad[1] - table.lat_rad[0]), 0, nl - 1 - 1e-9)
    il = np.floor(fl).astype(np.intp)
    wl = fl - il
    fa = np.mod(az, 2 * math.pi) / (2 * math.pi / na)
    ia = np.floor(fa).astype(np.intp) % na
    wa = fa - np.floor(fa)
    dpsi = table.psi_rad[1] - table.psi_rad[0]
    fr = (psi - table.psi_rad[0]) / dpsi
    inside = (fr >= 0) & (fr <= nr - 1)
    fr = np.clip(fr, 0, nr - 1 - 1e-9)
    ir = np.floor(fr).astype(np.intp)
    wr = fr - ir
    corners, weights = [], []
    ok = inside.copy()
    for dl, da, dr in itertools.product((0, 1), repeat=3):
        c = (np.minimum(il + dl, nl - 1), (ia + da) % na, np.minimum(ir + dr, nr - 1))
        w = (wl if dl else 1 - wl) * (wa if da else 1 - wa) * (wr if dr else 1 - wr)
        corners.append(c)
        weights.append(w)
        ok &= table.valid[c] | (w == 0)
    return corners, weights, ok


def _interp(
    values: FloatArray,
    corners: list[tuple[IntArray, IntArray, IntArray]],
    weights: list[FloatArray],
) -> FloatArray:
    out: FloatArray | None = None
    for c, w in zip(corners, weights, strict=True):
        v = np.nan_to_num(values[c])
        term = v * w.reshape(w.shape + (1,) * (v.ndim - 1))
        out = term if out is None else out + term
    assert out is not None
    return out


# ------------------------------------------------------------------------ evaluation


def _intensity(v: Vehicle, t: FloatArray, t_bo: FloatArray) -> FloatArray:
    """Plume intensity of the burning stage at ``t`` after lift-off (0 after ``t_bo``)."""
    out = np.zeros(np.shape(t))
    for ign, st in zip(v.ignition_s, v.stages, strict=True):
        on = (t >= ign) & (t < ign + st.burn_s)
        out = np.where(on, st.plume_w_sr, out)
    return np.asarray(np.where(t <= t_bo, out, 0.0))


@dataclass(frozen=True)
class _Sensors:
    satellites: tuple[InfraredSatellite, ...]
    radars: tuple[Radar, ...]
    epoch: datetime
    t_launch_s: float
    ir_reports: float
    radar_reports: float


def _lerp_rows(t: FloatArray, r: FloatArray, tq: FloatArray) -> FloatArray:
    """Positions ``r (L, K, 3)`` sampled at increasing ``t (L, K)``, linearly interpolated
    at ``tq (M,)`` (NaN outside each row's span)."""
    n, k = t.shape
    idx = np.empty((n, tq.size), dtype=np.intp)
    for_rows = t.copy()
    # per-row searchsorted: rows laid end to end with a large offset between rows
    span = float(np.nanmax(t) - np.nanmin(t)) + float(tq.max() - tq.min()) + 10.0
    off = np.arange(n)[:, None] * 2.0 * span
    keys = (np.nan_to_num(for_rows, nan=np.inf) - np.nanmin(t) + off).ravel()
    q = (tq[None, :] - np.nanmin(t) + off).ravel()
    idx = (np.searchsorted(keys, q, side="right") - 1).reshape(n, tq.size) - (
        np.arange(n)[:, None] * k
    )
    i0 = np.clip(idx, 0, k - 2)
    rows = np.arange(n)[:, None]
    t0, t1 = t[rows, i0], t[rows, i0 + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(t1 > t0, (tq[None, :] - t0) / (t1 - t0), 0.0)
    out = r[rows, i0] + f[..., None] * (r[rows, i0 + 1] - r[rows, i0])
    inside = (tq[None, :] >= t[:, :1]) & (tq[None, :] <= np.nanmax(t, axis=1, keepdims=True))
    return np.asarray(np.where(inside[..., None], out, np.nan))


def _ir_confirm(
    sens: _Sensors, v: Vehicle, t: FloatArray, r: FloatArray, t_bo: FloatArray
) -> FloatArray:
    """Infrared confirmation (after lift-off) of booster paths ``t (L, K)``, ``r (L, K, 3)``:
    the payloads' own frames and Pd, accumulated (:mod:`~earlywarn.analysis.warning_time`)."""
    out = np.full(t.shape[0], np.inf)
    for sat in sens.satellites:
        p = sat.payload
        k0 = math.ceil(sens.t_launch_s / p.period_s - 1e-9)
        k1 = math.floor((sens.t_launch_s + float(np.nanmax(t))) / p.period_s + 1e-9)
        tf = np.arange(k0, k1 + 1, dtype=np.float64) * p.period_s - sens.t_launch_s
        if tf.size == 0:
            continue
        rq = _lerp_rows(t, r, tf)
        inten = _intensity(v, np.broadcast_to(tf, rq.shape[:2]), t_bo[:, None])
        sp = sat.position(sens.epoch, sens.t_launch_s + tf)[None, :, :]
        geo = sat.observable(np.broadcast_to(sp, rq.shape), rq)
        d = rq - sp
        with np.errstate(invalid="ignore", divide="ignore"):
            snr = inten / np.einsum("...i,...i->...", d, d) / p.nei_w_m2
        pd = np.where(geo & (inten > 0), p.detection_probability(snr), 0.0)
        out = np.fmin(out, first_accumulated(tf, pd, sens.ir_reports))
    return np.asarray(np.where(np.isfinite(out), out, np.nan))


def _radar_confirm(sens: _Sensors, rcs: float, t: FloatArray, r: FloatArray) -> FloatArray:
    """Radar confirmation (after lift-off) of paths ``t (L, K)``, ``r (L, K, 3)`` with cross
    section ``rcs``: each radar's own scans and Swerling-I Pd, accumulated."""
    out = np.full(t.shape[0], np.inf)
    for rad in sens.radars:
        k0 = math.ceil((sens.t_launch_s + float(np.nanmin(t))) / rad.revisit_s - 1e-9)
        k1 = math.floor((sens.t_launch_s + float(np.nanmax(t))) / rad.revisit_s + 1e-9)
        ts = np.arange(k0, k1 + 1, dtype=np.float64) * rad.revisit_s - sens.t_launch_s
        if ts.size == 0:
            continue
        rq = _lerp_rows(t, r, ts)
        cov = rad.coverage(rq).any(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rng = np.linalg.norm(rq - rad.site_ecef_m, axis=-1)
            pd = rad.detection_probability(rad.mean_snr(np.asarray(rcs), rng))
        pd = np.where(cov, pd, 0.0)
        out = np.fmin(out, first_accumulated(ts, pd, sens.radar_reports))
    return np.asarray(np.where(np.isfinite(out), out, np.nan))


def _radar_rcs(v: Vehicle) -> float:
    """The table's RV path carries the larger of the RV's and the last spent stage's cross
    sections (the stage flies beside the RV; module docstring)."""
    return max(v.body.rcs_m2, v.stages[-1].rcs_m2)


@dataclass(frozen=True)
class WarningMap:
    """Warning-time figures per launch point (seconds after lift-off; NaN where none).

    ``status``: ``"ok"``, ``"out_of_range"``, ``"no_ir"``, ``"no_radar"``, ``"no_detection"``.
    """

    vehicle: str
    defended_lat_deg: float
    defended_lon_deg: float
    epoch_utc: str
    t_launch_s: float
    lat_deg: FloatArray
    lon_deg: FloatArray
    range_km: FloatArray
    azimuth_deg: FloatArray
    flight_time_s: FloatArray
    ir_detect_s: FloatArray
    radar_detect_s: FloatArray
    dual_s: FloatArray
    warning_time_s: FloatArray
    status: npt.NDArray[np.str_]
    grid: LatLonGrid | None = None
    method: str = "table"


def _status(ft: FloatArray, ir: FloatArray, rd: FloatArray) -> npt.NDArray[np.str_]:
    s = np.full(ft.shape, "ok", dtype="<U16")
    s = np.where(np.isnan(ir) & np.isnan(rd), "no_detection", s)
    s = np.where(np.isnan(ir) & ~np.isnan(rd), "no_ir", s)
    s = np.where(~np.isnan(ir) & np.isnan(rd), "no_radar", s)
    return np.asarray(np.where(np.isnan(ft), "out_of_range", s))


def _finish(
    vehicle: str, dlat: float, dlon: float, sens: _Sensors, lat: FloatArray, lon: FloatArray,
    psi: FloatArray, az: FloatArray, ft: FloatArray, ir: FloatArray, rd: FloatArray,
    grid: LatLonGrid | None, method: str,
) -> WarningMap:  # fmt: skip
    dual = np.maximum(ir, rd)  # NaN if either is NaN
    return WarningMap(
        vehicle, dlat, dlon, sens.epoch.strftime("%Y-%m-%dT%H:%M:%SZ"), sens.t_launch_s,
        lat, lon, psi * R_MEAN_M / 1e3, np.degrees(az), ft, ir, rd, dual, ft - dual,
        _status(ft, ir, rd), grid, method,
    )  # fmt: skip


def _prepare(
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: datetime | str,
    t_launch_s: float,
    ir_reports: float,
    radar_reports: float,
) -> _Sensors:
    for name, val in (("ir_reports", ir_reports), ("radar_reports", radar_reports)):
        if not (math.isfinite(val) and val > 0):
            raise ValueError(f"{name}: got {val!r}; expected a number > 0")
    return _Sensors(
        tuple(satellites), tuple(radars), parse_utc(epoch), float(t_launch_s),
        float(ir_reports), float(radar_reports),
    )  # fmt: skip


def _launch_points(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, dlat: float, dlon: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Flattened launch points (deg) and their central angle and azimuth to the defended
    point (rad, geocentric sphere)."""
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    psi, az = great_circle(
        _geocentric(np.radians(lat)),
        np.radians(lon),
        float(_geocentric(np.radians(np.array(dlat)))),
        math.radians(dlon),
    )
    return lat, lon, psi, az


def _nans(n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Flight time, IR and radar detection per point, NaN until computed."""
    return np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)


def warning_direct(
    solver: FlightSolver,
    vehicle: str,
    defended_lat_deg: float,
    defended_lon_deg: float,
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: datetime | str,
    *,
    t_launch_s: float = 0.0,
    ir_reports: float = 3.0,
    radar_reports: float = 3.0,
    batch: int = 200,
) -> WarningMap:
    """Warning figures from flying every launch with all its objects and applying
    :func:`dual_confirmation` (the definition itself; slower; module docstring)."""
    sens = _prepare(satellites, radars, epoch, t_launch_s, ir_reports, radar_reports)
    lat, lon, psi, az = _launch_points(lat_deg, lon_deg, defended_lat_deg, defended_lon_deg)
    tab = solver.table(vehicle)
    dist = ellipsoid_distance_m(
        np.radians(lat), np.radians(lon),
        np.full(lat.size, math.radians(defended_lat_deg)),
        np.full(lat.size, math.radians(defended_lon_deg)),
    )  # fmt: skip
    reach = (dist >= tab.min_range_m) & (dist <= tab.max_range_m)
    idx = np.flatnonzero(reach)
    ft, ir, rd = _nans(lat.size)
    t0 = sens.t_launch_s
    for b0 in range(0, idx.size, batch):
        sel = idx[b0 : b0 + batch]
        specs = [
            LaunchSpec(f"W{i}", vehicle, float(lat[i]), float(lon[i]), t_launch_s=t0,
                       aim_lat_deg=defended_lat_deg, aim_lon_deg=defended_lon_deg)
            for i in sel
        ]  # fmt: skip
        res = solver.fly(specs)
        dc = dual_confirmation(
            res.trajectories, sens.satellites, sens.radars, sens.epoch,
            ir_reports=sens.ir_reports, radar_reports=sens.radar_reports,
        )  # fmt: skip
        pos = {lid: k for k, lid in enumerate(dc.launch_id)}
        for i, ev in zip(sel, res.events, strict=True):
            if ev.status != "ok" or ev.impact_s is None:
                continue
            k = pos[ev.launch_id]
            ft[i] = ev.impact_s
            ir[i] = dc.ir_confirm_s[k] - t0
            rd[i] = dc.radar_confirm_s[k] - t0
    return _finish(
        vehicle, defended_lat_deg, defended_lon_deg, sens, lat, lon, psi, az, ft, ir, rd,
        None, "direct",
    )  # fmt: skip


def warning_map(
    table: TrajectoryTable,
    defended_lat_deg: float,
    defended_lon_deg: float,
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: datetime | str,
    *,
    t_launch_s: float = 0.0,
    ir_reports: float = 3.0,
    radar_reports: float = 3.0,
    chunk: int = 2048,
    grid: LatLonGrid | None = None,
    catalog: Any = None,
) -> WarningMap:
    """The fast path: warning figures from the interpolated trajectory table."""
    sens = _prepare(satellites, radars, epoch, t_launch_s, ir_reports, radar_reports)
    v = get_vehicle(table.vehicle, catalog)
    lat, lon, psi, az = _launch_points(lat_deg, lon_deg, defended_lat_deg, defended_lon_deg)
    south = lat < 0
    az_t = np.where(south, math.pi - az, az)
    corners, weights, ok = _interp_weights(table, np.radians(lat), az_t, psi)
    ft, ir, rd = _nans(lat.size)
    idx = np.flatnonzero(ok)
    for c0 in range(0, idx.size, chunk):
        sel = idx[c0 : c0 + chunk]
        cs = [(a[sel], b[sel], c[sel]) for a, b, c in corners]
        ws = [w[sel] for w in weights]
        t_bo = _interp(table.burnout_s, cs, ws)
        t_imp = _interp(table.impact_s, cs, ws)
        # the mirror image (southern launches) has the opposite crossrange angle
        sign = np.ones((sel.size, 1, 3))
        sign[south[sel], 0, 1] = -1.0
        basis = _basis(np.radians(lat[sel]), np.radians(lon[sel]), az[sel])
        qb = _interp(table.boost, cs, ws) * sign
        qr = _interp(table.rv, cs, ws) * sign
        rb = _from_local(qb, basis)
        rr = _from_local(qr, basis)
        tb = np.broadcast_to(table.boost_t_s, (sel.size, table.boost_t_s.size))
        t_rv = t_bo[:, None] + table.rv_tau[None, :] * (t_imp - t_bo)[:, None]
        ft[sel] = t_imp
        ir[sel] = _ir_confirm(sens, v, np.asarray(tb), rb, t_bo)
        rd[sel] = _radar_confirm(sens, _radar_rcs(v), t_rv, rr)
    return _finish(
        table.vehicle, defended_lat_deg, defended_lon_deg, sens, lat, lon, psi, az, ft, ir, rd,
        grid, "table",
    )  # fmt: skip
