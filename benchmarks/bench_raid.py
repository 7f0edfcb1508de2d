"""Mass raids: how the center's cost grows with the number of launches (issue 12).

Raids of 10, 100, 300 and 1,000 launches (``--sizes``) with ``examples/raid.yaml``'s
sensors: a 50-minute scenario, the launches evenly spread over 10 minutes from two
fields (salvos over 150 km areas with silos 12 km apart, so objects stay separated)
towards an area around the defended point. Each size runs in its own process (so its
peak memory is its own) and prints wall time, center CPU time, the real-time factor
(scenario time / center CPU time), peak memory (max RSS), alerts and events, and the
warning-quality score of the run (launches whose event reached LAUNCH, missed threats,
late, wrongly dismissed, launches fused with another launch's radar tracks, the IR
reports that landed in another launch's event). Then the growth exponent ``b`` of center
CPU time ``∝ nᵇ`` (least squares on the logs, over the sizes run) and the 24-hour,
8-satellite, 2 s-revisit glint day (``examples/glint-equinox.yaml`` with every payload
at 2 s, the center at 2 s).

The exponent between each two successive sizes is printed beside the fit: a fixed cost at
the small end pulls the fit down (measured: fit 1.07 over 10–1,000, but 1.54 between 300
and 1,000).

Targets (issue 12): ``b`` ≤ 1.2 from 10 to 1,000 launches; the 1,000-launch raid at ≥ 20×
real time (≤ 150 s center CPU) under 4 GB; the glint day ≤ 10 s center CPU. CPU time, not
wall time: the machine is shared.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def raid_scenario(n: int) -> Any:
    """The ``n``-launch raid: raid.yaml's sensors, two salvo entries."""
    import yaml

    from earlywarn.io.scenario import Scenario

    data = yaml.safe_load((EXAMPLES / "raid.yaml").read_text())
    data.update(name=f"raid-{n}", duration="50 min")
    half = n // 2
    fields = [(40.0, 60.0, half, 1), (44.0, 75.0, n - half, 2)]
    data["launches"] = [
        {
            "salvo": f"F{k}-",
            "count": count,
            "vehicles": {"icbm-solid": 3, "icbm-liquid": 1},
            "sites": {
                "area": {"lat_deg": lat, "lon_deg": lon, "radius": "150 km"},
                "spacing": "12 km",
            },
            "window": {"start": "60 s", "end": "660 s"},
            "aim": {"area": {"lat_deg": 47.0, "lon_deg": -170.0, "radius": "300 km"}},
            "seed": seed,
        }
        for k, (lat, lon, count, seed) in enumerate(fields)
        if count > 0
    ]  # fmt: skip
    return Scenario.model_validate(data)


def glint_day() -> Any:
    import yaml

    from earlywarn.io.scenario import Scenario

    data = yaml.safe_load((EXAMPLES / "glint-equinox.yaml").read_text())
    for sat in data["sensors"]["satellites"]:
        sat["payload"] = {**sat.get("payload", {}), "revisit": "2 s"}
    data["center"] = {**data.get("center", {}), "step": "2 s"}
    return Scenario.model_validate(data)


def run_one(which: str) -> dict[str, Any]:
    """One scenario, stage by stage, CPU-timed (``which``: a launch count, or ``glint``)."""
    from earlywarn.analysis.evaluate import evaluate, launch_truth_from_flight
    from earlywarn.center import run_center
    from earlywarn.flight import FlightSolver, Trajectories
    from earlywarn.run import build
    from earlywarn.sensors.simulate import simulate

    sc = glint_day() if which == "glint" else raid_scenario(int(which))
    w0 = time.perf_counter()
    specs = build.launch_specs(sc)
    flight = FlightSolver().fly(specs) if specs else None
    truth = flight.trajectories if flight is not None else Trajectories.concat([])
    sats, rads = build.satellites(sc), build.radars(sc)
    batch, rtruth = simulate(
        truth, sats, rads, sc.epoch, 0.0, sc.duration, sc.seed, build.events(sc)
    )
    c0 = time.process_time()
    out = run_center(batch, build.center_config(sc), dt_s=sc.center.step, t_end_s=sc.duration)
    center_s = time.process_time() - c0
    ev = evaluate(launch_truth_from_flight(flight) if flight else (), out, batch, rtruth, truth)
    summ = ev.to_dict()
    launches = summ.get("launches", [])
    # per entry: the launches it lists, or a count of a total (``{"count", "of"}``)
    quality = {
        k: (f"{v['count']}/{v['of']}" if isinstance(v, dict) and "of" in v else len(v))
        for k, v in (summ.get("quality") or {}).items()
        if isinstance(v, list | dict)
    }
    return {
        "bench": "raid" if which != "glint" else "glint_day",
        "launches": len(specs),
        "duration_s": sc.duration,
        "wall_s": round(time.perf_counter() - w0, 2),
        "center_cpu_s": round(center_s, 2),
        "real_time_factor": round(sc.duration / center_s, 1) if center_s > 0 else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "alerts": len(out.alerts),
        "events": len({a.event_id for a in out.alerts}),
        "reports": len(batch),
        "launches_at_launch": sum(1 for r in launches if r.get("launch_s") is not None),
        "quality_counts": quality,
        "max_raid_count": max((a.raid_count for a in out.alerts), default=0),
    }


def growth_exponent(rows: list[dict[str, Any]]) -> float | None:
    pts = [
        (math.log(r["launches"]), math.log(r["center_cpu_s"]))
        for r in rows
        if r["center_cpu_s"] > 0
    ]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx > 0 else None


def _child(which: str) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--one", which]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"!! {which}: exited {proc.returncode}\n{proc.stderr[-2000:]}")
        return None
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10,100,300,1000", help="launch counts, comma-separated")
    ap.add_argument("--no-glint", action="store_true", help="skip the glint day")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        row = _child(str(n))
        if row is None:
            continue
        rows.append(row)
        q = {k: v for k, v in row["quality_counts"].items() if k != "class_confusion"}
        print(
            f"raid {row['launches']:>5}: wall {row['wall_s']:7.1f} s  center CPU "
            f"{row['center_cpu_s']:7.1f} s  ×{row['real_time_factor']} real time  "
            f"peak {row['peak_rss_mb']} MB  alerts {row['alerts']}  events {row['events']}  "
            f"at LAUNCH {row['launches_at_launch']}/{row['launches']}  "
            f"max raid count {row['max_raid_count']}  quality counts {q}",
            flush=True,
        )
        print(json.dumps(row))
    b = growth_exponent(rows)
    if b is not None:
        # the fit over all sizes, and between each two sizes: a fixed cost at the small
        # end pulls the fit down, so the steepest step is printed beside it
        steps = [round(growth_exponent([a, c]) or math.nan, 2) for a, c in itertools.pairwise(rows)]
        print(
            f"growth exponent of center CPU time over {[r['launches'] for r in rows]}: "
            f"{b:.2f} (fit); between successive sizes: {steps}"
        )
        print(json.dumps({"bench": "raid_growth", "exponent": round(b, 3), "steps": steps}))
    if not args.no_glint:
        g = _child("glint")
        if g is not None:
            print(
                f"glint day (24 h, 8 satellites, 2 s revisit): center CPU {g['center_cpu_s']} s, "
                f"{g['reports']} reports, alerts {g['alerts']}, peak {g['peak_rss_mb']} MB"
            )
            print(json.dumps(g))


if __name__ == "__main__":
    main()
