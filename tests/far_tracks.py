"""One radar tracker run after another on a single far target (the tracker's consistency
tests, ``test_radar_second_order.py`` and ``test_tracker_iterated.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from earlywarn.center.measure import RadarENU
from earlywarn.center.motion import BallisticJ2
from earlywarn.earth.frames import enu_rotation, geodetic_to_ecef

SITE = (np.radians(52.0), np.radians(-174.0), 0.0)
"""The radar site of these tests (a polar radar's latitude), geodetic radians and m."""


def site_radar() -> RadarENU:
    """A surveillance radar at :data:`SITE`: 30 m, 0.15° in both angles, 5 m/s."""
    return RadarENU.at_geodetic(*SITE, 30.0, np.radians(0.15), np.radians(0.15), 5.0)


def north_of_site(range_m: float, el_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The point ``range_m`` north of :data:`SITE` at elevation ``el_deg``: its ECEF
    position, the line of sight to it and the site's ENU rotation (rows east, north, up)."""
    site = np.asarray(geodetic_to_ecef(*SITE))
    rot = np.asarray(enu_rotation(SITE[0], SITE[1]))
    el = np.radians(el_deg)
    los = np.array([0.0, np.cos(el), np.sin(el)]) @ rot
    return site + range_m * los, los, rot


def track_runs(
    tracker: Any, radar: Any, x0: np.ndarray, runs: int, scans: int, seed: int = 11
) -> tuple[np.ndarray, int, float]:
    """``runs`` runs of ``scans`` scans 5 s apart of the object starting at ``x0`` (flown
    without process noise), measured by ``radar`` with Gaussian noise of its stated
    sigmas. Returns the NEES of the track after each scan ``(runs, scans)`` (NaN once a
    run lost its track: a scan's measurement left the gate and started a second one),
    how many runs lost it, and the NIS per update the tracker summed over the intact
    runs' tracks (``TrackerState.nis_sum / nis_n``)."""
    truth = BallisticJ2(q=0.0)
    sd = np.sqrt(np.diag(radar.noise_covariance))
    rng = np.random.default_rng(seed)
    nees = np.full((runs, scans), np.nan)
    lost = 0
    nis_sum, nis_n = 0.0, 0
    for run in range(runs):
        x = x0[None]
        state = tracker.initial_state()
        for k in range(scans):
            if k:
                x = truth.propagate(x, 5.0)[0]
            z = radar.function(x) + rng.standard_normal((1, 4)) * sd
            state = tracker.step(state, z, 5.0 * k, measurement_model=radar)[0]
            if state.n_tracks != 1:
                lost += 1
                break
            e = x[0] - state.x[0]
            nees[run, k] = e @ np.linalg.solve(state.p[0], e)
        else:
            nis_sum, nis_n = nis_sum + float(state.nis_sum[0]), nis_n + int(state.nis_n[0])
    return nees, lost, nis_sum / max(nis_n, 1)
