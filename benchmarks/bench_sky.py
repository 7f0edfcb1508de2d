"""Sensor simulation speed with a real sky: one quiet day of the sample catalog.

``examples/reference.yaml``'s sensors (2 GEO scanners, 2 radars) over 24 h with
``sky: {catalog: sample}`` (297 resident space objects alive all day) and no launch.
Times the truth of the sky (SGP4 + re-entries) and the sensor simulation separately,
and prints a JSON line ``{"bench": "sky_day", "truth_s": ..., "sensors_s": ...,
"n_objects": ..., "n_radar_reports": ..., "n_rso_reports": ...}``.

Run: ``.venv/bin/python benchmarks/bench_sky.py`` (also part of ``make bench``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from earlywarn.io.scenario import parse_scenario
from earlywarn.run import build
from earlywarn.sensors.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


def day_scenario() -> str:
    doc = yaml.safe_load((ROOT / "examples" / "reference.yaml").read_text(encoding="utf-8"))
    doc.pop("launches", None)
    doc["name"] = "quiet-day-sample-sky"
    doc["duration"] = "24 h"
    doc["sky"] = {"catalog": "sample"}
    return yaml.safe_dump(doc, sort_keys=False)


def main() -> None:
    sc = parse_scenario(day_scenario(), "bench_sky")
    t0 = time.perf_counter()
    (truth,) = build.sky_truth(sc)
    t_truth = time.perf_counter() - t0
    sats, rads = build.satellites(sc), build.radars(sc)
    t0 = time.perf_counter()
    batch, rtruth = simulate(truth, sats, rads, sc.epoch, 0.0, sc.duration, sc.seed)
    t_sens = time.perf_counter() - t0
    n_radar = len(batch.columns("radar")["t_s"])
    n_rso = sum(str(x).startswith("rso:") for x in rtruth.truth)
    print(f"sky truth: {truth.n_objects} objects over 24 h in {t_truth:.2f} s")
    print(
        f"sensors:   {t_sens:.2f} s for 24 h ({86400.0 / t_sens:,.0f}x real time), "
        f"{n_radar} radar reports, {n_rso} of them catalogued objects"
    )
    print(
        json.dumps(
            {
                "bench": "sky_day",
                "truth_s": round(t_truth, 3),
                "sensors_s": round(t_sens, 3),
                "n_objects": truth.n_objects,
                "n_radar_reports": n_radar,
                "n_rso_reports": n_rso,
            }
        )
    )


if __name__ == "__main__":
    main()
