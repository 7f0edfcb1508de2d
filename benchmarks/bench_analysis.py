"""Benchmark: the architecture analyses — warning-time map, coverage map, Monte Carlo.

* ``warning_map``: a global 1° × 1° warning-time map (64,800 launch points) for
  ``icbm-solid`` at the reference scenario's defended point (47 N, 170 W) with its sensors:
  the trajectory table (1,344 aimed flights) plus the interpolated map. Target < 60 s on
  2 cores.
* ``coverage_map``: global 1° × 1° infrared coverage over 24 h and the radar fence for the
  reference architecture (2 GEO satellites, 2 radars).
* ``montecarlo``: ``--runs N`` (default 1,000) runs of ``examples/study.yaml`` (the
  reference scenario, perturbed) on the local process pool and on a 2-worker Dask
  LocalCluster (skipped when ``distributed`` is not installed): runs per second. Target
  ≥ 5 runs/s on 2 cores. ``--skip-montecarlo`` leaves it out.

Prints human lines and one JSON line per figure ``{"bench": ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from earlywarn.analysis.coverage import LatLonGrid, coverage_map
from earlywarn.analysis.warning import build_trajectory_table, warning_map
from earlywarn.flight import FlightSolver
from earlywarn.io.scenario import load_scenario
from earlywarn.run import build

ROOT = Path(__file__).resolve().parent.parent


def bench_warning() -> None:
    scen = load_scenario(ROOT / "examples" / "reference.yaml")
    sats, rads = build.satellites(scen), build.radars(scen)
    grid = LatLonGrid.regular(1.0)
    lat, lon = grid.points_deg
    t0 = time.perf_counter()
    solver = FlightSolver()
    table = build_trajectory_table(solver, "icbm-solid")
    t1 = time.perf_counter()
    wm = warning_map(table, 47.0, -170.0, lat, lon, sats, rads, scen.epoch, grid=grid)
    t2 = time.perf_counter()
    n_in = int(np.isfinite(wm.flight_time_s).sum())
    n_ok = int(np.sum(wm.status == "ok"))
    total = t2 - t0
    print(
        f"warning map, global 1 deg ({lat.size} points, {n_in} in range, {n_ok} dual-seen): "
        f"{total:.1f} s (table {t1 - t0:.1f} s for {table.n_flights} flights, map "
        f"{t2 - t1:.1f} s); target < 60 s"
    )
    print(
        json.dumps(
            {
                "bench": "warning_map",
                "vehicle": "icbm-solid",
                "grid_step_deg": 1.0,
                "n_points": int(lat.size),
                "n_in_range": n_in,
                "n_dual_seen": n_ok,
                "table_flights": table.n_flights,
                "table_s": round(t1 - t0, 2),
                "map_s": round(t2 - t1, 2),
                "total_s": round(total, 2),
                "target_s": 60.0,
                "cpus": os.cpu_count(),
            }
        )
    )


def bench_coverage() -> None:
    scen = load_scenario(ROOT / "examples" / "reference.yaml")
    sats, rads = build.satellites(scen), build.radars(scen)
    grid = LatLonGrid.regular(1.0)
    t0 = time.perf_counter()
    cov = coverage_map(sats, rads, scen.epoch, grid, 0.0, 86_400.0)
    dt = time.perf_counter() - t0
    print(
        f"coverage map, global 1 deg over 24 h, {len(sats)} satellites, {len(rads)} radars: "
        f"{dt:.1f} s (mean >=1 coverage {cov.coverage_1.mean():.3f})"
    )
    print(
        json.dumps(
            {
                "bench": "coverage_map",
                "grid_step_deg": 1.0,
                "n_points": int(cov.coverage_1.size),
                "hours": 24.0,
                "seconds": round(dt, 2),
            }
        )
    )


def bench_montecarlo(runs: int, workers: int) -> None:
    from earlywarn.io.study import load_study
    from earlywarn.run.study import run_study

    study, scen = load_study(ROOT / "examples" / "study.yaml")
    study = study.model_copy(update={"runs": runs})
    engines = [("local", f"local pool, {workers} processes")]
    try:
        import distributed  # noqa: F401

        engines.append(("dask", f"Dask LocalCluster, {workers} workers"))
    except ImportError:
        print("(dask engine skipped: distributed is not installed)")
    for engine, label in engines:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = run_study(study, scen, tmp, engine=engine, workers=workers)
            dt = time.perf_counter() - t0
        rate = runs / dt
        print(
            f"Monte Carlo, reference scenario, {runs} runs on the {label}: {dt:.1f} s, "
            f"{rate:.2f} runs/s (target >= 5); detection p = {res.summary['detection']['p']}"
        )
        print(
            json.dumps(
                {
                    "bench": "montecarlo",
                    "engine": engine,
                    "workers": workers,
                    "runs": runs,
                    "seconds": round(dt, 2),
                    "runs_per_s": round(rate, 3),
                    "target_runs_per_s": 5.0,
                }
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (default 1000)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--skip-montecarlo", action="store_true")
    args = ap.parse_args()
    bench_warning()
    bench_coverage()
    if not args.skip_montecarlo:
        bench_montecarlo(args.runs, args.workers)


if __name__ == "__main__":
    main()
