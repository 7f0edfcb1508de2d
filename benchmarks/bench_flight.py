"""Benchmark: aimed ``icbm-solid`` trajectories per second, and one aimed trajectory.

Flies 1,000 launches from random sites to random aim points 3,000–12,000 km away
(seeded ``numpy.random.default_rng``) in one batch, then single launches alone over
fixed geometries 3,000–12,000 km (each the median of a few runs, with the solver's tables
already built — they are built once per vehicle): ``single_ms`` is the median over the
geometries, ``single_worst_ms`` the slowest.
Prints human lines and one JSON line ``{"bench": "flight", ...}``. Some westward aim
points near 12,000 km are beyond an ``icbm-solid``'s reach once the Earth's rotation is
counted (its non-rotating maximum is ~13,900 km); those come back with
``status="out_of_range"`` and are counted separately.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from earlywarn.flight.fly import FlightSolver, LaunchSpec


def random_specs(n: int, rng: np.random.Generator) -> list[LaunchSpec]:
    """Sites within ±60° latitude, targets 3,000–12,000 km away in a random direction."""
    lat = np.radians(rng.uniform(-60.0, 60.0, n))
    lon = np.radians(rng.uniform(-180.0, 180.0, n))
    ang = rng.uniform(3_000e3, 12_000e3, n) / 6_371e3
    az = rng.uniform(0.0, 2.0 * np.pi, n)
    lat2 = np.arcsin(np.sin(lat) * np.cos(ang) + np.cos(lat) * np.sin(ang) * np.cos(az))
    lon2 = lon + np.arctan2(
        np.sin(az) * np.sin(ang) * np.cos(lat), np.cos(ang) - np.sin(lat) * np.sin(lat2)
    )
    lon2 = (lon2 + np.pi) % (2.0 * np.pi) - np.pi
    return [
        LaunchSpec(
            launch_id=f"L{i}",
            vehicle="icbm-solid",
            lat_deg=float(np.degrees(lat[i])),
            lon_deg=float(np.degrees(lon[i])),
            aim_lat_deg=float(np.degrees(lat2[i])),
            aim_lon_deg=float(np.degrees(lon2[i])),
        )
        for i in range(n)
    ]


SINGLE_GEOMETRIES: tuple[tuple[float, float, float, float], ...] = (
    # (launch lat, lon, aim lat, lon) in degrees: ~3,000 to ~12,000 km, east/west/polar
    (10.0, 10.0, 30.0, 30.0),
    (10.0, 10.0, 40.0, 40.0),
    (39.0, -100.0, 55.75, 37.6),
    (40.0, 60.0, 47.0, -170.0),
    (-30.0, 20.0, 35.0, 100.0),
    (60.0, 30.0, -10.0, -40.0),
    (0.0, 0.0, 5.0, 100.0),
)


def main() -> None:
    n = 1000
    rng = np.random.default_rng(20260101)
    specs = random_specs(n, rng)
    solver = FlightSolver()
    t0 = time.perf_counter()
    solver.table("icbm-solid")
    t_table = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = solver.fly(specs)
    t_batch = time.perf_counter() - t0
    ok_ev = [e for e in res.events if e.status == "ok"]
    miss = np.array([e.aim_miss_m for e in ok_ev], dtype=float)
    ok = len(ok_ev)
    out = sum(e.status == "out_of_range" for e in res.events)
    singles: list[float] = []
    for la, lo, ala, alo in SINGLE_GEOMETRIES:
        spec = LaunchSpec("S", "icbm-solid", la, lo, aim_lat_deg=ala, aim_lon_deg=alo)
        solver.fly([spec])
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            solver.fly([spec])
            runs.append(time.perf_counter() - t0)
        singles.append(statistics.median(runs))
    single_ms = 1e3 * statistics.median(singles)
    worst_ms = 1e3 * max(singles)
    per_s = n / t_batch
    print(f"aiming table for icbm-solid built in {t_table:.2f} s (once per solver)")
    print(
        f"{n} aimed icbm-solid trajectories in {t_batch:.2f} s: {per_s:.0f} /s; "
        f"{ok}/{n} ok, {out} beyond reach westward (status out_of_range); "
        f"miss of the ok ones median {np.nanmedian(miss):.1f} m, max {np.nanmax(miss):.1f} m; "
        f"one aimed trajectory {single_ms:.1f} ms (median over {len(singles)} geometries, "
        f"worst {worst_ms:.1f} ms)"
    )
    print(
        json.dumps(
            {
                "bench": "flight",
                "aimed_per_s": round(per_s, 1),
                "single_ms": round(single_ms, 2),
                "single_worst_ms": round(worst_ms, 2),
                "n": n,
                "ok": ok,
                "out_of_range": out,
                "miss_max_m": round(float(np.nanmax(miss)), 2),
                "table_s": round(t_table, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
