"""Sensor simulation speed: one simulated day of the whole sensor architecture.

8 infrared satellites (4 GEO scanners; 4 Molniya: 2 scanners, 2 regional starers at 1 s
frames) and 6 radars (2–3 faces each) watch 20 launches spread over 24 h, with default
clutter, sun glint, one gas flare, one outage and one degraded period. Prints the wall
time, the ratio to real time and a JSON line
``{"bench": "sensors", "wall_s": ..., "x_realtime": ..., "n_reports": ...}``.

Trajectories: ``earlywarn.flight.fly`` when it exists, otherwise synthetic analytic ones
(two burning stages then a coasting RV and spent stage, 2 s samples for 30 min) — the
JSON line says which (``"truth"``). Only the sensor simulation is timed.
"""

from __future__ import annotations

import json
import time

import numpy as np

from earlywarn.earth.frames import geodetic_to_ecef
from earlywarn.flight.truth import Trajectories
from earlywarn.reports import validate_batch
from earlywarn.sensors.events import Degraded, Fire, Outage
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.sensors.simulate import simulate
from earlywarn.space.orbits import geo, molniya

EPOCH = "2026-03-20T00:00:00Z"
DAY_S = 86_400.0

SITES = [  # (lat_deg, lon_deg, azimuth_deg) notional launch areas
    (45.0, 63.0, 0.0),
    (51.0, 80.0, 30.0),
    (40.0, 95.0, 45.0),
    (39.0, 125.0, 60.0),
    (28.0, 55.0, 330.0),
    (35.0, 105.0, 20.0),
    (48.0, 40.0, 350.0),
    (62.0, 40.0, 0.0),
    (34.0, -120.0, 270.0),
    (28.5, -80.5, 90.0),
]


def synthetic_truth(n_launches: int = 20, seed: int = 1) -> Trajectories:
    """Analytic two-stage launches: stage 1 (0–120 s, 1e6 W/sr), stage 2 (120–240 s,
    3e5 W/sr), then an RV and the spent stage 2 coasting to 1,800 s."""
    rng = np.random.default_rng(seed)
    t0s = np.sort(rng.uniform(600.0, DAY_S - 2400.0, n_launches))
    dt = 2.0
    tau = np.arange(0.0, 1800.0 + dt / 2, dt)
    parts = []
    for i, t0 in enumerate(t0s):
        lat, lon, az_deg = SITES[i % len(SITES)]
        az = np.radians(az_deg + rng.uniform(-10, 10))
        tb = 240.0
        tt = np.maximum(tau - tb, 0.0)
        h = np.where(tau <= tb, 8.0 * tau**2, 8.0 * tb**2 + 16.0 * tb * tt - 4.5 * tt**2)
        down = np.where(tau <= tb, 6.0 * tau**2, 6.0 * tb**2 + 12.0 * tb * tt)
        ang = down / 6.371e6
        r = geodetic_to_ecef(
            np.radians(lat) + ang * np.cos(az),
            np.radians(lon) + ang * np.sin(az) / np.cos(np.radians(lat)),
            np.maximum(h, 1.0),
        )
        v = np.gradient(r, dt, axis=0)
        ts = t0 + tau
        s1 = tau <= 120.0
        post = tau >= tb
        stage1 = np.where(s1, 1e6, 0.0)
        stage2 = np.where((tau > 120.0) & (tau < tb), 3e5, 0.0)
        L = f"L{i:02d}"
        parts.append(Trajectories((f"{L}/stage1",), (L,), ("stage",), ts[s1][None], r[s1][None],
                                  v[s1][None], stage1[s1][None], np.array([10.0])))  # fmt: skip
        parts.append(Trajectories((f"{L}/stage2",), (L,), ("stage",), ts[None], r[None],
                                  v[None], stage2[None], np.array([5.0])))  # fmt: skip
        parts.append(Trajectories((f"{L}/rv",), (L,), ("rv",), ts[post][None], r[post][None],
                                  v[post][None], np.zeros((1, int(post.sum()))),
                                  np.array([0.1])))  # fmt: skip
    return Trajectories.concat(parts)


def flown_truth(n_launches: int = 20, seed: int = 1) -> tuple[Trajectories, str]:
    """20 unaimed launches flown by ``earlywarn.flight.fly`` (vehicles cycled through the
    catalog's missiles), or the synthetic ones when the flight model is not there."""
    try:
        from earlywarn.flight.fly import LaunchSpec, fly
    except ImportError:
        return synthetic_truth(n_launches, seed), "synthetic"
    rng = np.random.default_rng(seed)
    t0s = np.sort(rng.uniform(600.0, DAY_S - 4000.0, n_launches))
    vehicles = ("icbm-liquid", "icbm-solid", "irbm", "slbm", "mrbm")
    specs = []
    for i, t0 in enumerate(t0s):
        lat, lon, az = SITES[i % len(SITES)]
        specs.append(
            LaunchSpec(f"L{i:02d}", vehicles[i % len(vehicles)], lat, lon, float(t0),
                       azimuth_deg=az + float(rng.uniform(-10, 10)))
        )  # fmt: skip
    return fly(specs).trajectories, "earlywarn.flight.fly"


def architecture() -> tuple[list[InfraredSatellite], list[Radar]]:
    sats = [InfraredSatellite(f"GEO-{k}", geo(lon)) for k, lon in enumerate((-100, -10, 60, 140))]
    sats += [
        InfraredSatellite("HEO-0", molniya(60.0, 0.0)),
        InfraredSatellite("HEO-1", molniya(60.0, 180.0)),
        InfraredSatellite("HEO-2", molniya(-100.0, 0.0), InfraredPayload.staring(50.0, 60.0)),
        InfraredSatellite("HEO-3", molniya(-100.0, 180.0), InfraredPayload.staring(40.0, 100.0)),
    ]
    two = (RadarFace("A", 330.0), RadarFace("B", 90.0))
    three = (RadarFace("A", 0.0), RadarFace("B", 120.0), RadarFace("C", 240.0))
    radars = [
        Radar("RDR-THULE", 76.5, -68.7, 200.0, two),
        Radar("RDR-FYLING", 54.4, -0.7, 250.0, three),
        Radar("RDR-CLEAR", 64.3, -149.2, 150.0, two),
        Radar("RDR-CAPE", 41.8, -70.5, 80.0, (RadarFace("A", 47.0), RadarFace("B", 167.0))),
        Radar("RDR-BEALE", 39.1, -121.4, 100.0, (RadarFace("A", 286.0), RadarFace("B", 46.0))),
        Radar("RDR-EAST", 60.0, 30.0, 100.0, three),
    ]
    return sats, radars


def main() -> None:
    truth, truth_kind = flown_truth()
    sats, radars = architecture()
    events = (
        Fire("flare-1", 30.0, 48.0, 0.0, DAY_S, 1e5),
        Outage("GEO-1", 20_000.0, 23_600.0),
        Degraded("RDR-EAST", 40_000.0, 50_000.0, 0.5),
    )
    simulate(truth, sats[:1], radars[:1], EPOCH, 0.0, 600.0, 0)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    batch, labels = simulate(truth, sats, radars, EPOCH, 0.0, DAY_S, 2026, events)
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    validate_batch(batch)
    t_val = time.perf_counter() - t1
    counts = {k: batch.count(k) for k in ("ir", "radar", "status")}
    lab = labels.truth
    by_label = {
        "object": int(np.sum(~np.isin(lab, ("clutter", "glint", "fire", "false_alarm")))),
        **{k: int(np.sum(lab == k)) for k in ("clutter", "glint", "fire", "false_alarm")},
    }
    print(f"sensors: 1 simulated day, {len(sats)} IR satellites, {len(radars)} radars, "
          f"{truth.n_objects} objects from 20 launches ({truth_kind} trajectories)")  # fmt: skip
    print(f"  reports {len(batch):,} {counts}; truth labels {by_label}")
    print(
        f"  wall {wall:.2f} s  ->  {DAY_S / wall:,.0f}x real time  (validate_batch {t_val:.2f} s)"
    )
    print(
        json.dumps(
            {
                "bench": "sensors",
                "wall_s": round(wall, 3),
                "x_realtime": round(DAY_S / wall, 1),
                "n_reports": len(batch),
                "truth": truth_kind,
            }
        )
    )


if __name__ == "__main__":
    main()
