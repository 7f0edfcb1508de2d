"""Radar simulation speed with and without a pulse repetition interval (range ambiguity).

The six radars of ``bench_sensors`` watch its 20 flown launches over one simulated day:
as they are (``pri_s`` None, the unambiguous model: ``none_s``); with the Moon added to
the sky (``none_moon_s``: a whole day of one more object); and with the Moon and a 45 ms
PRI (``pri_moon_s``: unambiguous range 6,745 km, above their 6,000 km window; every
(object, scan) pair in a face's angular coverage is a candidate at any range and the
echoes beyond R_u are folded). Only ``Radar.observe`` is timed (best of 10). Prints the
wall times and a JSON line with a digest of the ``none_s`` reports' values. Run it
against a checkout without this feature (``PYTHONPATH=/path/to/old/src``) to compare
the None figure and digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from typing import Any

import numpy as np

from bench_sensors import DAY_S, EPOCH, architecture, flown_truth
from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories


def _time(radars: list[Any], truth: Trajectories) -> tuple[float, int, str]:
    """Best wall time of 10, the number of reports and a digest of their values."""
    epoch = parse_utc(EPOCH)
    best, n, digest = float("inf"), 0, hashlib.sha256()
    for rep in range(10):
        t0 = time.perf_counter()
        obs = [
            r.observe(truth, epoch, 0.0, DAY_S, np.random.SeedSequence([7, i]))
            for i, r in enumerate(radars)
        ]
        best = min(best, time.perf_counter() - t0)
        if rep == 0:
            n = sum(o.label.size for o in obs)
            for o in obs:
                for k in ("t_s", "range_m", "azimuth_rad", "range_rate_m_s", "snr"):
                    digest.update(np.ascontiguousarray(o.columns[k], dtype=np.float64).tobytes())
    return best, n, digest.hexdigest()[:12]


def main() -> None:
    truth, _ = flown_truth()
    _, radars = architecture()
    t_none, n_none, d_none = _time(radars, truth)
    out: dict[str, Any] = {
        "bench": "radar_pri", "none_s": round(t_none, 3), "n_none": n_none, "digest": d_none,
    }  # fmt: skip
    if "pri_s" in {f.name for f in dataclasses.fields(radars[0])}:
        from earlywarn.flight.moon import moon_truth

        sky = Trajectories.concat([truth, moon_truth(parse_utc(EPOCH), DAY_S)])
        t_moon, n_moon, _ = _time(radars, sky)
        folded = [dataclasses.replace(r, pri_s=45e-3) for r in radars]
        t_pri, n_pri, _ = _time(folded, sky)
        out |= {"none_moon_s": round(t_moon, 3), "n_none_moon": n_moon}
        out |= {"pri_moon_s": round(t_pri, 3), "n_pri_moon": n_pri}
    print(f"radars: 1 day, {len(radars)} radars, {truth.n_objects} launch objects: {out}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
