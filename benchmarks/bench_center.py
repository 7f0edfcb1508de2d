"""Benchmark: per-run time of the reference scenario, split by stage.

Runs ``examples/reference.yaml`` for a few seeds (one warm-up run first, with a shared
``FlightSolver`` so the vehicle tables are built once) and prints the median time of
each stage: flight, sensors, center and evaluate from ``result.timings_s``, and within the
center the IR detection, radar tracking and assessment (health, ``assess`` and
``make_alerts``), measured by wrapping those functions in :mod:`earlywarn.center.core`.
The last line is JSON ``{"bench": "center_run", "run_s": ..., "runs_per_s_one_core": ...}``
where ``run_s`` is the median whole-run time (all stages).

``--center-cpu N`` measures the center alone instead: the reference reports of seed
``--seed0`` are simulated once, then ``run_center`` runs on them ``N`` times (after one
warm-up run) and its CPU time (``time.process_time``) is printed per run, with the median
and spread; the JSON line is ``{"bench": "center_cpu", ...}``. This is the figure the
center's performance changes are judged by (the stages above include wall-time noise
from the simulation around them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from earlywarn.center import core, run_center
from earlywarn.flight.fly import FlightSolver
from earlywarn.io.scenario import load_scenario
from earlywarn.run import build
from earlywarn.run.pipeline import run_scenario

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference.yaml"
CENTER_PARTS = ("ir", "radar", "assessment")


def _timed(fn: Callable[..., Any], acc: dict[str, float], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[key] += time.perf_counter() - t0

    return wrapper


@contextmanager
def center_timers(acc: dict[str, float]) -> Iterator[None]:
    """Wrap the center's stage functions so their time adds up in ``acc``."""
    saved = {
        "radar_step": core.radar_step,
        "assess": core.assess,
        "make_alerts": core.make_alerts,
        "update_health": core.update_health,
    }
    ir_step = core.InfraredDetector.step
    core.radar_step = _timed(core.radar_step, acc, "radar")
    core.assess = _timed(core.assess, acc, "assessment")
    core.make_alerts = _timed(core.make_alerts, acc, "assessment")
    core.update_health = _timed(core.update_health, acc, "assessment")
    core.InfraredDetector.step = _timed(ir_step, acc, "ir")  # type: ignore[method-assign]
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(core, name, fn)
        core.InfraredDetector.step = ir_step  # type: ignore[method-assign]


def center_cpu(scenario_path: str, seed: int, repeats: int) -> None:
    """CPU time of ``run_center`` on one seed's reference reports, ``repeats`` times."""
    scenario = load_scenario(scenario_path)
    batch = run_scenario(scenario, seed=seed).reports
    config = build.center_config(scenario)

    def once() -> float:
        c0 = time.process_time()
        run_center(
            batch, config, dt_s=scenario.center.step, t_start_s=0.0, t_end_s=scenario.duration
        )
        return time.process_time() - c0

    once()  # warm-up: caches, lazy imports
    times = [once() for _ in range(repeats)]
    for i, t in enumerate(times):
        print(f"run {i}: center CPU {1e3 * t:.1f} ms", flush=True)
    med = statistics.median(times)
    lo, hi = 1e3 * min(times), 1e3 * max(times)
    print(f"median of {repeats}: {1e3 * med:.1f} ms (min {lo:.1f}, max {hi:.1f})")
    print(
        json.dumps(
            {
                "bench": "center_cpu",
                "seed": seed,
                "runs": repeats,
                "center_cpu_s": round(med, 4),
                "min_s": round(min(times), 4),
                "max_s": round(max(times), 4),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default=str(REFERENCE))
    ap.add_argument("--seeds", type=int, default=5, help="number of seeds (runs)")
    ap.add_argument("--seed0", type=int, default=1)
    ap.add_argument("--no-split", action="store_true", help="do not time center parts")
    ap.add_argument(
        "--center-cpu",
        type=int,
        default=0,
        metavar="N",
        help="time run_center alone (CPU) N times on one seed's reports instead",
    )
    args = ap.parse_args()
    if args.center_cpu:
        center_cpu(args.scenario, args.seed0, args.center_cpu)
        return
    scenario = load_scenario(args.scenario)
    solver = FlightSolver()
    run_scenario(scenario, seed=args.seed0, solver=solver)  # warm-up: tables, imports
    rows: list[dict[str, float]] = []
    for s in range(args.seed0, args.seed0 + args.seeds):
        acc = dict.fromkeys(CENTER_PARTS, 0.0)
        t0 = time.perf_counter()
        if args.no_split:
            res = run_scenario(scenario, seed=s, solver=solver)
        else:
            with center_timers(acc):
                res = run_scenario(scenario, seed=s, solver=solver)
        total = time.perf_counter() - t0
        row = {**res.timings_s, "run": total}
        if not args.no_split:
            row.update({f"center.{k}": v for k, v in acc.items()})
            row["center.other"] = res.timings_s["center"] - sum(acc.values())
        rows.append(row)
        print(f"seed {s}: " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"median of {len(rows)} runs (s):")
    for k, v in med.items():
        print(f"  {k:<18} {v:8.3f}")
    run_s = med["run"]
    print(
        json.dumps(
            {
                "bench": "center_run",
                "run_s": round(run_s, 4),
                "runs_per_s_one_core": round(1.0 / run_s, 3),
                "stages_s": {k: round(v, 4) for k, v in med.items() if k != "run"},
            }
        )
    )


if __name__ == "__main__":
    main()
