"""IR launch detection on the real chain: ``fly`` → ``simulate`` (GEO IR satellites) → ``ir_step``.

The synthetic generator of ``test_center_ir.py`` checks the algebra; this checks the
detector against the project's own flight and sensor models (staging, a faint upper stage
with missed frames, scanning-time offsets between satellites, sun glint and clutter).

Reference geometry: the ``test_center_reference.py`` launch (``icbm-solid``, 40°N 60°E →
47°N 170°W, ~9,200 km minimum energy), two scanning GEO satellites at 30°E and 95°E (30 µrad,
2 s), IR steps every 2 s. Per run the figures are: launch-point error, azimuth error, time
from the first IR report of the launch to "boosting", the class, how many IR events hold
the launch's reports (1 = no fragmentation), and the NEES of the final (burnout) state
against the true booster state at the state's time.

Statistics. Tests use 4 seeds each, so they state only what 4 seeds can: if a seed met a
target with probability ≤ 0.5, all 4 would meet it with probability ≤ 1/16; the launch
point test demands all 4 within the 5 km target and so fails a detector whose median is
above 5 km with ≥ 94 % probability. NEES: the mean of 4 × 6-dof NEES is χ²₂₄/4, whose
99.9 % interval is [1.6, 13.2]. The 20-seed figures of the report come from running
this file as a script (``python tests/test_center_ir_chain.py 20``).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest

from earlywarn.center.ir import IrEvent, IrParams, IrState, ir_step
from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import great_circle
from earlywarn.flight.fly import FlightResult, LaunchSpec, fly
from earlywarn.reports import ReportSlice
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.simulate import simulate
from earlywarn.space.orbits import geo

EPOCH = "2026-03-20T12:00:00Z"
T_LAUNCH = 100.0


@dataclass(frozen=True)
class ChainResult:
    vehicle: str
    seed: int
    launch_err_km: float
    azimuth_err_deg: float
    boost_delay_s: float  # "boosting" time − first IR report of the launch
    klass: str
    n_launch_events: int  # events holding the launch's reports
    nees: float  # burnout state vs truth (6 dof)
    pos_err_m: float
    vel_err_m_s: float
    state_lag_s: float  # true final burnout − state time
    n_spurious: int  # events without launch reports that were ever shown (n_frames >= 6)
    spurious_boosting: int
    cpu_s: float


def _spec(vehicle: str, geometry: int) -> LaunchSpec:
    if vehicle in ("slv", "sounding-rocket"):
        lat, lon, az = ((40.0, 60.0, 90.0), (30.0, 100.0, 45.0))[geometry]
        return LaunchSpec("L1", vehicle, lat, lon, T_LAUNCH, azimuth_deg=az)
    aims = {
        "icbm-solid": ((40.0, 60.0, 47.0, -170.0), (35.0, 100.0, 45.0, -120.0)),
        "icbm-liquid": ((40.0, 60.0, 47.0, -170.0), (35.0, 100.0, 45.0, -120.0)),
        # at sea (Bay of Bengal, Arabian Sea): the center uses the launch surface
        "slbm": ((15.0, 88.0, 47.0, 150.0), (20.0, 70.0, 50.0, 130.0)),
        "irbm": ((40.0, 60.0, 20.0, 90.0), (30.0, 100.0, 50.0, 130.0)),
        "mrbm": ((40.0, 60.0, 38.0, 70.0), (30.0, 100.0, 36.0, 108.0)),
        "srbm": ((40.0, 60.0, 41.0, 63.0), (30.0, 100.0, 32.0, 101.0)),
    }
    la, lo, ala, alo = aims[vehicle][geometry]
    return LaunchSpec("L1", vehicle, la, lo, T_LAUNCH, aim_lat_deg=ala, aim_lon_deg=alo)


@cache
def _flight(vehicle: str, geometry: int) -> FlightResult:
    return fly([_spec(vehicle, geometry)])


def run_chain(
    vehicle: str = "icbm-solid",
    seed: int = 1,
    geometry: int = 0,
    params: IrParams | None = None,
    t_after_s: float = 300.0,
) -> ChainResult:
    """Fly, simulate two GEO satellites, run ir_step every 2 s and score the launch event."""
    res = _flight(vehicle, geometry)
    fe = res.events[0]
    pay = InfraredPayload(mode="scanning", period_s=2.0, sigma_los_rad=30e-6)
    sats = [InfraredSatellite("geo-w", geo(30.0), pay), InfraredSatellite("geo-e", geo(95.0), pay)]
    t_end = T_LAUNCH + fe.burnout_s + t_after_s
    batch, rtruth = simulate(res.trajectories, sats, [], EPOCH, 0.0, t_end, seed)
    ir = batch.ir
    block = ReportSlice.from_columns(ir=ir).ir
    truth = rtruth.as_dict()
    labels = np.array(
        [truth.get((str(s), int(q)), "") for s, q in zip(ir["sensor_id"], ir["seq"], strict=True)]
    )
    is_launch = np.char.startswith(labels.astype(str), "L1/")
    launch_keys = {
        (str(s), int(q))
        for s, q in zip(ir["sensor_id"][is_launch], ir["seq"][is_launch], strict=True)
    }
    first_ir = float(ir["t_s"][is_launch].min()) if is_launch.any() else math.nan

    p = params if params is not None else IrParams()
    state = IrState.initial(0.0)
    last: dict[str, IrEvent] = {}
    t_boost: dict[str, float] = {}
    shown: set[str] = set()
    cpu = 0.0
    t = 0.0
    tt = ir["t_s"]
    while t < t_end:
        lo, hi = np.searchsorted(tt, [t, t + 2.0], side="right")
        c0 = time.process_time()
        state, evs = ir_step(state, block.take(slice(lo, hi)), t + 2.0, p)
        cpu += time.process_time() - c0
        t += 2.0
        for ev in evs:
            last[ev.event_id] = ev
            if ev.status == "boosting" and ev.event_id not in t_boost:
                t_boost[ev.event_id] = t
            if ev.n_frames >= 6 and ev.status not in ("stationary",):
                shown.add(ev.event_id)

    def owns(ev: IrEvent) -> bool:
        return any(k in launch_keys for k in ev.report_keys)

    mine = [ev for ev in last.values() if owns(ev)]
    others = [ev for ev in last.values() if not owns(ev)]
    # the launch event: the one with most reports among those that owned launch reports
    best: IrEvent | None = max(mine, key=lambda e: e.n_reports) if mine else None
    nan = math.nan
    lerr = azerr = delay = nees = perr = verr = lag = nan
    klass = "none"
    if best is not None:
        ev = best
        if ev.launch_lat_rad is not None:
            ang, _ = great_circle(
                fe.launch_lat_rad, fe.launch_lon_rad, ev.launch_lat_rad, ev.launch_lon_rad
            )
            lerr = float(ang) * R_MEAN_M / 1e3
            daz = (ev.azimuth_rad - fe.azimuth_rad + math.pi) % (2 * math.pi) - math.pi
            azerr = abs(math.degrees(daz))
        if ev.event_id in t_boost:
            delay = t_boost[ev.event_id] - first_ir
        klass = ev.most_likely_class()
        tr = res.trajectories
        i = tr.object_id.index("L1/booster")
        smp = tr.at(np.array([ev.state_t_s]))
        if smp.alive[i, 0] and ev.cov is not None:
            dx = np.concatenate(
                [ev.r_ecef_m - smp.r_ecef_m[i, 0], ev.v_ecef_m_s - smp.v_ecef_m_s[i, 0]]
            )
            nees = float(dx @ np.linalg.solve(ev.cov, dx))
            perr = float(np.linalg.norm(dx[:3]))
            verr = float(np.linalg.norm(dx[3:]))
        lag = T_LAUNCH + fe.burnout_s - ev.state_t_s
    return ChainResult(
        vehicle, seed, lerr, azerr, delay, klass, len(mine), nees, perr, verr, lag,
        sum(1 for e in others if e.event_id in shown),
        sum(1 for e in others if e.event_id in t_boost),
        cpu,
    )  # fmt: skip


EXPECTED = {
    "icbm-solid": "ICBM",
    "icbm-liquid": "ICBM",
    "slbm": "SLBM",
    "irbm": "IRBM",
    "mrbm": "MRBM",
    "srbm": "SRBM",
    "slv": "SLV",
    "sounding-rocket": "SOUNDING",
}


@cache
def _reference(seed: int) -> ChainResult:
    return run_chain("icbm-solid", seed)


SEEDS = (1, 2, 3, 4)


def test_reference_launch_point_azimuth_and_boost_time() -> None:
    rows = [_reference(s) for s in SEEDS]
    assert all(r.launch_err_km <= 5.0 for r in rows), [r.launch_err_km for r in rows]
    assert all(r.azimuth_err_deg <= 2.0 for r in rows), [r.azimuth_err_deg for r in rows]
    assert all(r.boost_delay_s <= 45.0 for r in rows), [r.boost_delay_s for r in rows]


def test_reference_one_event_and_class() -> None:
    rows = [_reference(s) for s in SEEDS]
    assert all(r.n_launch_events == 1 for r in rows), [r.n_launch_events for r in rows]
    assert all(r.klass == "ICBM" for r in rows), [r.klass for r in rows]


def test_reference_burnout_state_consistent_and_tight() -> None:
    rows = [_reference(s) for s in SEEDS]
    mean_nees = float(np.mean([r.nees for r in rows]))
    assert 1.6 <= mean_nees <= 13.2, [r.nees for r in rows]
    assert np.median([r.pos_err_m for r in rows]) < 3000.0, [r.pos_err_m for r in rows]
    # measured: ~250 m/s median (the faint third stage gives ~12 detections in 45 s)
    assert np.median([r.vel_err_m_s for r in rows]) < 450.0, [r.vel_err_m_s for r in rows]


def test_reference_no_spurious_boosting_and_glint_quiet() -> None:
    rows = [_reference(s) for s in SEEDS]
    assert all(r.spurious_boosting == 0 for r in rows)
    # glint (~25 clusters per run) is judged stationary within ~6 frames and stays so:
    # measured 0–1 event per run ever shown (n_frames >= 6) without being stationary
    assert sum(r.n_spurious for r in rows) <= 4, [r.n_spurious for r in rows]


def test_full_reference_run_cpu() -> None:
    """The whole 2,200 s reference run (IR steps every 2 s): measured ~0.17 s of CPU
    on a loaded 2-core machine; the bound leaves room for slower CI machines."""
    fe = _flight("icbm-solid", 0).events[0]
    r = run_chain("icbm-solid", 1, t_after_s=2200.0 - T_LAUNCH - fe.burnout_s)
    assert r.klass == "ICBM" and r.spurious_boosting == 0
    assert r.cpu_s < 1.0, r.cpu_s


# every catalog vehicle on one geometry (the 20-seed table runs both geometries); with the
# scanning payload's 5e-12 W/m² NEI the 1e5 W/sr plumes (SRBM, MRBM, sounding rocket,
# upper stages) are seen from GEO; the SLV's 150 s coast and the sounding rocket's 30 s
# coast are bridged into one event
@pytest.mark.parametrize(
    "vehicle", ["icbm-liquid", "slbm", "irbm", "mrbm", "srbm", "slv", "sounding-rocket"]
)
def test_other_classes(vehicle: str) -> None:
    r = run_chain(vehicle, 1, 1)
    assert r.klass == EXPECTED[vehicle], r
    assert r.n_launch_events == 1, r
    if vehicle not in ("slv", "srbm", "sounding-rocket"):
        assert r.launch_err_km <= 5.0, r


def _report(n: int, vehicles: list[str]) -> None:
    confusion: dict[str, dict[str, int]] = {}
    for veh in vehicles:
        geoms = (0,) if veh == "icbm-solid" else (0, 1)
        rows = [run_chain(veh, s, g) for g in geoms for s in range(1, n + 1)]
        f = np.array(
            [
                (
                    r.launch_err_km,
                    r.azimuth_err_deg,
                    r.boost_delay_s,
                    r.nees,
                    r.pos_err_m,
                    r.vel_err_m_s,
                    r.cpu_s,
                    r.state_lag_s,
                )
                for r in rows
            ]
        )
        med = np.nanmedian(f, axis=0)
        ok = sum(r.klass == EXPECTED[veh] for r in rows)
        frag = sum(r.n_launch_events != 1 for r in rows)
        classes = sorted({r.klass for r in rows})
        confusion[veh] = {c: sum(r.klass == c for r in rows) for c in classes}
        print(
            f"{veh:16s} n={len(rows):2d} launch {med[0]:5.2f} km (max {np.nanmax(f[:, 0]):5.2f}) "
            f"az {med[1]:4.2f}° boost {med[2]:5.1f} s | class {ok}/{len(rows)} {classes} | "
            f"frag {frag} | NEES mean {np.nanmean(f[:, 3]):5.1f} med {med[3]:4.1f} | "
            f"pos {med[4]:6.0f} m vel {med[5]:5.1f} m/s lag {med[7]:4.1f} s | "
            f"spurious shown {sum(r.n_spurious for r in rows)} boosting "
            f"{sum(r.spurious_boosting for r in rows)} | cpu {med[6] * 1e3:4.0f} ms"
        )
    names = ("ICBM", "SLBM", "IRBM", "MRBM", "SRBM", "SLV", "SOUNDING", "none")
    print("\nconfusion (rows: vehicle, columns: class assessed)")
    print(f"{'':16s}" + "".join(f"{c:>9s}" for c in names))
    for veh, row in confusion.items():
        print(f"{veh:16s}" + "".join(f"{row.get(c, 0):9d}" for c in names))


if __name__ == "__main__":
    n_seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    vehicles = sys.argv[2].split(",") if len(sys.argv) > 2 else list(EXPECTED)
    _report(n_seeds, vehicles)
