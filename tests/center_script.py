"""A synthetic scenario for the center tests (a helper module, not a test module): a
scripted IR event source and radar reports synthesised from a ballistic arc; the flight and
sensor packages are not used."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from batches import batch_of
from earlywarn.center import CenterConfig, DefendedArea
from earlywarn.center.characterise import predict_impact, propagate
from earlywarn.center.measure import RadarENU
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from earlywarn.reports import SCHEMA_VERSION, ReportBatch

EPOCH = "2026-03-20T12:00:00Z"
DEG = math.pi / 180.0
LAUNCH_LAT, LAUNCH_LON = 40.0 * DEG, 60.0 * DEG
T_BURNOUT = 180.0


# --------------------------------------------------------------------------------------------
# a stub IR event and scripted / report-driven IR detectors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StubIrEvent:
    event_id: str
    status: str
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool = True
    launch_time_s: float = math.nan
    launch_time_sigma_s: float = math.nan
    launch_lat_rad: float = math.nan
    launch_lon_rad: float = math.nan
    launch_sigma_m: float = math.nan
    azimuth_rad: float = math.nan
    azimuth_sigma_rad: float = math.nan
    burnout_time_s: float | None = None
    burn_time_s: float | None = None
    class_probs: tuple[tuple[str, float], ...] = ()
    r_ecef_m: Any = None
    v_ecef_m_s: Any = None
    cov: Any = None
    track_t_s: Any = field(default_factory=lambda: np.zeros(0))
    track_r_ecef_m: Any = field(default_factory=lambda: np.zeros((0, 3)))
    report_keys: tuple[tuple[str, int], ...] = ()
    burn_truncated: bool = False


@dataclass(frozen=True)
class ScriptedIr:
    """Emits prepared snapshots once their time has come (state = nothing)."""

    script: tuple[tuple[float, StubIrEvent], ...]

    def initial_state(self) -> None:
        return None

    def step(
        self, state: Any, ir_columns: Any, t_s: float, status: Any = None
    ) -> tuple[Any, tuple[Any, ...]]:
        latest: dict[str, StubIrEvent] = {}
        for t, ev in self.script:
            if t <= t_s:
                latest[ev.event_id] = ev
        return None, tuple(latest[k] for k in sorted(latest))


def burnout_state() -> np.ndarray:
    """A minimum-energy-like burnout state 200 km up, heading 30° from north."""
    r = geodetic_to_ecef(LAUNCH_LAT, LAUNCH_LON, 200e3)
    rot = enu_rotation(LAUNCH_LAT, LAUNCH_LON)
    g, az, v = 25.0 * DEG, 30.0 * DEG, 6700.0
    venu = np.array(
        [v * math.cos(g) * math.sin(az), v * math.cos(g) * math.cos(az), v * math.sin(g)]
    )
    return np.concatenate([r, rot.T @ venu])


X_BO = burnout_state()
P_BO = np.diag([300.0**2] * 3 + [3.0**2] * 3)
IMPACT = predict_impact(X_BO, np.diag([1.0] * 3 + [1e-4] * 3), T_BURNOUT)
AREA = DefendedArea("target-city", IMPACT.lat_rad, IMPACT.lon_rad, 300e3)


def ir_script(rng: np.random.Generator, *, with_state: bool = True) -> ScriptedIr:
    """One launch at t=0: first seen at 20 s (too short to announce), a persistent candidate
    at 32 s, boosting at 50 s, ended with burnout at 190 s."""
    base = StubIrEvent(
        event_id="ir-1",
        status="candidate",
        first_t_s=20.0,
        last_t_s=20.0,
        n_reports=4,
        sensor_ids=("geo-a", "geo-b"),
        report_keys=(("geo-a", 1), ("geo-b", 1)),
    )
    launch = dict(
        launch_time_s=0.4,
        launch_time_sigma_s=2.0,
        launch_lat_rad=LAUNCH_LAT + 1e-4,
        launch_lon_rad=LAUNCH_LON,
        launch_sigma_m=1500.0,
        azimuth_rad=30.2 * DEG,
        azimuth_sigma_rad=0.5 * DEG,
        class_probs=(("icbm", 0.8), ("irbm", 0.2)),
    )
    script: list[tuple[float, StubIrEvent]] = [
        (20.0, base),
        (32.0, replace(base, last_t_s=32.0, n_reports=14)),
    ]
    for t in np.arange(50.0, 181.0, 10.0):
        script.append(
            (
                float(t),
                replace(base, status="boosting", last_t_s=float(t), n_reports=int(t), **launch),
            )  # type: ignore[arg-type]
        )
    noise = np.concatenate([rng.normal(0, 300.0, 3), rng.normal(0, 3.0, 3)])
    x = X_BO + noise
    ended = replace(
        base,
        status="ended",
        last_t_s=T_BURNOUT,
        n_reports=200,
        burnout_time_s=T_BURNOUT + 1.0,
        burn_time_s=T_BURNOUT,
        r_ecef_m=x[:3] if with_state else None,
        v_ecef_m_s=x[3:] if with_state else None,
        cov=P_BO if with_state else None,
        track_t_s=np.array([T_BURNOUT]),
        track_r_ecef_m=x[None, :3],
        **launch,  # type: ignore[arg-type]
    )
    script.append((T_BURNOUT + 12.0, ended))
    return ScriptedIr(tuple(script))


# --------------------------------------------------------------------------------------------
# synthetic radar reports of the ballistic arc
# --------------------------------------------------------------------------------------------


def radar_site(offset_s: float) -> tuple[float, float]:
    """Geodetic (lat, lon) of the ground point under the trajectory ``offset_s`` before impact."""
    x = propagate(X_BO[None, :], IMPACT.t_s - T_BURNOUT - offset_s)
    lat, lon, _ = ecef_to_geodetic(x[0, :3])
    return float(lat), float(lon)


RADAR_SITES = {"radar-1": radar_site(300.0), "radar-2": radar_site(150.0)}


def radar_reports(
    rng: np.random.Generator,
    x0: np.ndarray = X_BO,
    t0: float = T_BURNOUT,
    sites: dict[str, tuple[float, float]] | None = None,
    revisit_s: float = 5.0,
    n_false: float = 0.0,
) -> dict[str, np.ndarray]:
    """Radar report columns of a ballistic object from ``x0`` at ``t0`` until it lands."""
    sites = RADAR_SITES if sites is None else sites
    imp = predict_impact(x0, np.eye(6) * 1e-6, t0)
    times = np.arange(math.ceil(t0 / revisit_s) * revisit_s, imp.t_s - 5.0, revisit_s)
    xs = np.empty((times.size, 6))
    cur, tc = x0[None, :], t0
    for i, t in enumerate(times):
        cur = propagate(cur, float(t - tc), max_step_s=10.0)
        tc = float(t)
        xs[i] = cur[0]
    rows: dict[str, list[Any]] = {k: [] for k in COLS}
    seq = 0
    for sid in sorted(sites):
        lat, lon = sites[sid]
        mm = RadarENU.at_geodetic(lat, lon, 0.0, 30.0, 0.15 * DEG, 0.15 * DEG, 5.0)
        z = mm.function(xs)
        vis = (z[:, 2] > 1.0 * DEG) & (z[:, 0] < 5.0e6)
        for i in np.flatnonzero(vis):
            dets = [z[i] + rng.normal(0.0, [30.0, 0.15 * DEG, 0.15 * DEG, 5.0])]
            for _ in range(rng.poisson(n_false)):
                dets.append(
                    np.array(
                        [
                            rng.uniform(5e5, 4e6),
                            rng.uniform(0, 2 * math.pi),
                            rng.uniform(0.02, 1.0),
                            rng.uniform(-7e3, 7e3),
                        ]
                    )
                )
            for d in dets:
                seq += 1
                vals = {
                    "schema": SCHEMA_VERSION,
                    "kind": "radar",
                    "sensor_id": sid,
                    "seq": seq,
                    "t_s": float(times[i]),
                    "time_utc": "",
                    "site_lat_rad": lat,
                    "site_lon_rad": lon,
                    "site_h_m": 0.0,
                    "range_m": d[0],
                    "azimuth_rad": d[1] % (2 * math.pi),
                    "elevation_rad": d[2],
                    "range_rate_m_s": d[3],
                    "sigma_range_m": 30.0,
                    "sigma_azimuth_rad": 0.15 * DEG,
                    "sigma_elevation_rad": 0.15 * DEG,
                    "sigma_range_rate_m_s": 5.0,
                    "snr": 20.0,
                    "face_id": "f0",
                    "scan_id": int(times[i] // revisit_s),
                }
                for k in COLS:
                    rows[k].append(vals[k])
    out = {k: np.asarray(v) for k, v in rows.items()}
    order = np.argsort(out["t_s"], kind="stable")
    return {k: v[order] for k, v in out.items()}


COLS = (
    "schema", "kind", "sensor_id", "seq", "t_s", "time_utc", "site_lat_rad", "site_lon_rad",
    "site_h_m", "range_m", "azimuth_rad", "elevation_rad", "range_rate_m_s", "sigma_range_m",
    "sigma_azimuth_rad", "sigma_elevation_rad", "sigma_range_rate_m_s", "snr", "face_id",
    "scan_id",
)  # fmt: skip


def status_reports(sensors: dict[str, tuple[float, float, str]]) -> dict[str, np.ndarray]:
    """Status columns: for each sensor heartbeats every ``period`` from 0 until ``t_end``."""
    rows: dict[str, list[Any]] = {k: [] for k in ("sensor_id", "seq", "t_s", "state", "period_s")}
    for sid, (period, t_end, state) in sorted(sensors.items()):
        for i, t in enumerate(np.arange(0.0, t_end + 1e-9, period)):
            rows["sensor_id"].append(sid)
            rows["seq"].append(10_000 + i)
            rows["t_s"].append(float(t))
            rows["state"].append(state)
            rows["period_s"].append(period)
    return {k: np.asarray(v) for k, v in rows.items()}


def config(ir: Any, **kw: Any) -> CenterConfig:
    return CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ir, **kw)


def scenario(seed: int = 1) -> tuple[CenterConfig, ReportBatch]:
    rng = np.random.default_rng(seed)
    ir = ir_script(rng)
    return config(ir), batch_of(radar=radar_reports(rng, n_false=0.3))
