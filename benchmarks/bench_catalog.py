"""Benchmark: the center's own catalog of space objects (``earlywarn.center.rso``).

* per step: propagating the whole catalog to the step time (one SGP4 call,
  :meth:`StepCatalog.at`) and matching one radar track state against it (pre-gate and
  6 × 6 covariance test, :meth:`StepCatalog.match`), for catalogs of 100 to 3,000 LEO
  objects (median of 200 steps, each at a new time so nothing is cached across steps);
* a whole center run over a LEO satellite's radar pass (about 10 minutes, 2 s steps)
  with no catalog and with 300 objects: the catalog's cost per center step.

The last line is JSON ``{"bench": "center_catalog", ...}``.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from typing import Any

import numpy as np

from earlywarn.center import CenterConfig, run_center
from earlywarn.center.assessment import AssessmentParams
from earlywarn.center.rso import CenterCatalog, StepCatalog
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.sensors.simulate import simulate
from earlywarn.space.catalog import Catalog, catalog_from_omm
from earlywarn.space.orbits import ephemeris_ecef

EPOCH = "2026-03-20T12:00:00Z"


def _records(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [
        {
            "OBJECT_NAME": f"OBJ {i}",
            "NORAD_CAT_ID": 70000 + i,
            "EPOCH": "2026-03-19T12:00:00.000000",
            "MEAN_MOTION": float(rng.uniform(12.0, 16.0)),
            "ECCENTRICITY": float(rng.uniform(0.0, 0.02)),
            "INCLINATION": float(rng.uniform(0.0, 100.0)),
            "RA_OF_ASC_NODE": float(rng.uniform(0.0, 360.0)),
            "ARG_OF_PERICENTER": float(rng.uniform(0.0, 360.0)),
            "MEAN_ANOMALY": float(rng.uniform(0.0, 360.0)),
            "BSTAR": 1e-4,
        }
        for i in range(n)
    ]


def _step_catalog(cat: Catalog) -> StepCatalog:
    a = AssessmentParams()
    return StepCatalog(
        CenterCatalog(cat, parse_utc(EPOCH)),
        a.catalog_sigma0_m,
        a.catalog_sigma_growth_m_s,
        a.catalog_gate_probability,
    )


def per_step(n: int, steps: int = 200) -> tuple[float, float]:
    """Median ms to propagate ``n`` objects to a new time, and to match one state."""
    cat = catalog_from_omm(_records(n))
    sc = _step_catalog(cat)
    p = np.diag([50.0**2] * 3 + [5.0**2] * 3)
    prop, match = [], []
    for k in range(steps):
        t = 100.0 + 2.0 * k
        t0 = time.perf_counter()
        st = sc.at(t)
        t1 = time.perf_counter()
        x = np.concatenate([st.r_m[k % n], st.v_m_s[k % n]])  # a track on an object
        sc.match(x, p, t)
        t2 = time.perf_counter()
        prop.append(t1 - t0)
        match.append(t2 - t1)
    return statistics.median(prop) * 1e3, statistics.median(match) * 1e3


def center_pass(n_catalog: int | None, repeats: int = 3) -> tuple[float, int]:
    """Median s of a center run over a LEO pass (the catalog's object 0 seen by radar)."""
    recs = _records(max(1, n_catalog or 1))
    cat = catalog_from_omm(recs)
    t_pass = 3000.0
    orbit = cat.objects[0].orbit
    r_mid = ephemeris_ecef([orbit], EPOCH, t_pass).r_m[0]
    t = np.arange(t_pass - 600.0, t_pass + 601.0, 10.0)
    eph = ephemeris_ecef([orbit], EPOCH, t)
    truth = Trajectories(
        ("RSO/1",), ("RSO",), ("payload",), t[None], eph.r_m, eph.v_m_s,
        np.zeros((1, t.size)), np.array([5.0]),
    )  # fmt: skip
    lat, lon, _ = ecef_to_geodetic(r_mid)
    lon_deg = (math.degrees(float(lon)) + 6.0 + 180.0) % 360.0 - 180.0
    radar = Radar(
        "rad-1", math.degrees(float(lat)), lon_deg, 0.0, (RadarFace("all", 0.0, 180.0, 3.0, 88.0),),
        false_alarms_per_scan=0.0,
    )  # fmt: skip
    batch, _ = simulate(truth, [], [radar], EPOCH, t_pass - 600.0, t_pass + 600.0, 1)
    cfg = CenterConfig(epoch=EPOCH, catalog=cat if n_catalog else None)
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run_center(batch, cfg, dt_s=2.0)
        times.append(time.perf_counter() - t0)
    assert out is not None
    steps = round((out.t_end_s - out.t_start_s) / 2.0)
    want = "catalogued_object" if n_catalog else "uncorrelated_orbital_object"
    assert out.alerts and out.alerts[-1].reason == want, [a.reason for a in out.alerts]
    return statistics.median(times), steps


def main() -> None:
    rows = {}
    for n in (100, 300, 1000, 3000):
        prop_ms, match_ms = per_step(n)
        rows[n] = (prop_ms, match_ms)
        print(
            f"catalog of {n:5d}: propagate to a step {prop_ms:7.3f} ms, "
            f"match one track {match_ms:6.3f} ms"
        )
    r = rows[3000][0] / rows[300][0]
    print(f"propagation 3,000 / 300 objects: {r:.1f}x (linear: 10x)")
    base_s, steps = center_pass(None)
    cat_s, _ = center_pass(300)
    extra_ms = (cat_s - base_s) / steps * 1e3
    print(
        f"center over a LEO pass ({steps} steps of 2 s): no catalog {base_s:.2f} s, "
        f"300 objects {cat_s:.2f} s ({extra_ms:+.3f} ms per step)"
    )
    print(
        json.dumps(
            {
                "bench": "center_catalog",
                "propagate_ms_300": round(rows[300][0], 4),
                "match_ms_300": round(rows[300][1], 4),
                "propagate_ms_3000": round(rows[3000][0], 4),
                "center_pass_s_no_catalog": round(base_s, 3),
                "center_pass_s_300": round(cat_s, 3),
                "catalog_ms_per_step_300": round(extra_ms, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
