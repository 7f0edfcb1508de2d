"""Run every benchmark and print its figures: ``make bench``.

Each ``benchmarks/bench_*.py`` runs as its own process (so one cannot warm another's
caches) and prints human lines plus one JSON line starting with ``{"bench":``. The peer
comparison ``tracking_peer.py`` runs on the shared scenes in ``../shared/bench`` when
they are present (it needs the ``bench`` extra: Stone Soup). At the end the JSON lines
are gathered into ``bench-out/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "bench"


def _run(cmd: list[str]) -> list[dict[str, object]]:
    print(f"\n$ {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stdout.write(proc.stderr)
        print(f"!! exited {proc.returncode}")
    print(f"   ({time.perf_counter() - t0:.1f} s)")
    out = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--mc-runs",
        type=int,
        default=200,
        help="Monte Carlo runs per engine in bench_analysis (the issue's figure is 1000)",
    )
    ap.add_argument("--skip-peer", action="store_true", help="skip the Stone Soup comparison")
    args = ap.parse_args()
    results: list[dict[str, object]] = []
    for script in sorted(HERE.glob("bench_*.py")):
        extra = ["--runs", str(args.mc_runs)] if script.name == "bench_analysis.py" else []
        results += _run([sys.executable, str(script), *extra])
    peer = HERE / "tracking_peer.py"
    if peer.exists() and not args.skip_peer:
        for name in ("scenario_N50.npz", "scenario_N200.npz"):
            path = SHARED / name
            if path.exists():
                results += _run([sys.executable, str(peer), "--scenario", str(path)])
            else:
                print(f"(skipping peer comparison: {path} not found)")
    out_dir = ROOT / "bench-out"
    out_dir.mkdir(exist_ok=True)
    with open(out_dir / "results.jsonl", "w") as fh:
        for r in results:
            fh.write(json.dumps(r) + "\n")
    print(f"\n{len(results)} result lines written to bench-out/results.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
