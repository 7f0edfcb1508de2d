"""Analytic truth for the sensor tests (a helper module, not a test module): no dependency
on the flight model.

:func:`rocket_truth` — a booster rising from a site with a 180 s burn at 1e6 W/sr and an
RV that continues on after burnout.
"""

from __future__ import annotations

import numpy as np

from earlywarn.earth.frames import geodetic_to_ecef
from earlywarn.flight.truth import Trajectories

EPOCH = "2026-03-20T06:00:00Z"


def rocket_truth(
    launches: tuple[tuple[float, float, float], ...] = ((45.0, 60.0, 100.0),),
    burn_s: float = 180.0,
    life_s: float = 1500.0,
    intensity_w_sr: float = 1e6,
    dt: float = 2.0,
    azimuth_deg: float = 0.0,
) -> Trajectories:
    """Analytic launches ``(lat_deg, lon_deg, t0_s)``: a booster (20 m/s² up, 15 m/s²
    downrange along ``azimuth_deg`` for ``burn_s``, then coasting under 9 m/s²) and an RV
    that exists from burnout on. Velocities are the finite-difference derivative."""
    parts = []
    az = np.radians(azimuth_deg)
    for i, (lat, lon, t0) in enumerate(launches):
        tau = np.arange(0.0, life_s + dt / 2, dt)
        tt = np.maximum(tau - burn_s, 0.0)
        h = np.where(
            tau <= burn_s,
            10.0 * tau**2,
            10.0 * burn_s**2 + 20.0 * burn_s * tt - 4.5 * tt**2,
        )
        down = np.where(tau <= burn_s, 7.5 * tau**2, 7.5 * burn_s**2 + 15.0 * burn_s * tt)
        ang = down / 6.371e6
        r = geodetic_to_ecef(
            np.radians(lat) + ang * np.cos(az),
            np.radians(lon) + ang * np.sin(az) / np.cos(np.radians(lat)),
            np.maximum(h, 1.0),
        )
        v = np.gradient(r, dt, axis=0)
        inten = np.where(tau < burn_s, intensity_w_sr, 0.0)
        ts = t0 + tau
        parts.append(
            Trajectories(
                (f"L{i}/booster",), (f"L{i}",), ("booster",), ts[None], r[None], v[None],
                inten[None], np.array([10.0]),
            )
        )  # fmt: skip
        m = tau >= burn_s
        parts.append(
            Trajectories(
                (f"L{i}/rv",), (f"L{i}",), ("rv",), ts[m][None], r[m][None], v[m][None],
                np.zeros((1, int(m.sum()))), np.array([1.0]),
            )
        )  # fmt: skip
    return Trajectories.concat(parts)
