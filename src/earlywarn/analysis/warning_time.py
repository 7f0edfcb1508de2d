"""The one definition of warning time, shared by ``warning``, ``coverage`` and ``evaluate``.

**Warning time** is the time from the first moment both phenomenologies could *confirm* a
launch to its impact:

* **infrared confirmation**: the first frame at which the expected number of detections of
  the launch's burning objects, accumulated over the payload's own frames (every
  ``period_s``) with its own detection probability per frame (Pd = Φ(SNR − threshold),
  :meth:`~earlywarn.sensors.infrared.InfraredPayload.detection_probability`, times the
  payload's geometric rules), reaches ``ir_reports`` (default 3: a short track);
* **radar confirmation**: the first scan at which the expected number of detections of any
  object of the launch — reentry vehicle *and* spent stages, each with its own cross
  section — accumulated over a radar's own scans (every ``revisit_s``) with its own
  Swerling-I Pd, reaches ``radar_reports`` (default 3);
* the dual time is the later of the two; warning time = impact of the reentry vehicle (or
  payload) − dual time. All in seconds.

What it bounds: the decision time a center that needs both phenomenologies could give,
were its own processing instantaneous once the reports are in — an upper bound on the
center's ``decision_time_s`` (``tests/test_warning_time.py`` holds the two within about a
minute on the reference geometry and others). Expected counts, not probabilities of
reaching the count, keep the rule closed-form and vectorised; for counts of 3 they differ
by less than a scan. Outages, degraded periods and the center's association are not in it.

:func:`dual_confirmation` takes the sampled truth of any number of launches (all their
objects), so ``evaluate`` can call it beside the center's figures, and the warning map's
direct path uses it for every launch point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.infrared import InfraredSatellite
from earlywarn.sensors.radar import Radar

__all__ = ["DualConfirmation", "dual_confirmation", "first_accumulated"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DualConfirmation:
    """Per launch (``launch_id`` order): confirmation times and warning time, scenario
    seconds (NaN where a phenomenology never confirms or nothing impacts)."""

    launch_id: tuple[str, ...]
    ir_confirm_s: FloatArray
    radar_confirm_s: FloatArray
    dual_s: FloatArray
    impact_s: FloatArray
    warning_time_s: FloatArray

    def to_dict(self) -> dict[str, dict[str, float | None]]:
        def f(x: float) -> float | None:
            return None if not math.isfinite(x) else round(float(x), 3)

        return {
            lid: {
                "ir_confirm_s": f(self.ir_confirm_s[i]),
                "radar_confirm_s": f(self.radar_confirm_s[i]),
                "dual_s": f(self.dual_s[i]),
                "impact_s": f(self.impact_s[i]),
                "warning_time_s": f(self.warning_time_s[i]),
            }
            for i, lid in enumerate(self.launch_id)
        }


def first_accumulated(t_s: FloatArray, pd: FloatArray, needed: float) -> FloatArray:
    """First time along the last axis at which ``cumsum(pd)`` reaches ``needed``; NaN when
    it never does. ``t_s (M,)``, ``pd (..., M)``."""
    c = np.cumsum(np.nan_to_num(pd), axis=-1)
    hit = c >= needed - 1e-9
    idx = np.argmax(hit, axis=-1)
    return np.asarray(np.where(hit.any(axis=-1), np.asarray(t_s)[idx], np.nan))


def _frames(period_s: float, t0: float, t1: float) -> FloatArray:
    k0, k1 = math.ceil(t0 / period_s - 1e-9), math.floor(t1 / period_s + 1e-9)
    return np.arange(k0, k1 + 1, dtype=np.float64) * period_s


def dual_confirmation(
    truth: Trajectories,
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: datetime | str,
    *,
    ir_reports: float = 3.0,
    radar_reports: float = 3.0,
) -> DualConfirmation:
    """Warning time of every launch in ``truth`` (module docstring)."""
    for name, v in (("ir_reports", ir_reports), ("radar_reports", radar_reports)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: got {v!r}; expected a number > 0")
    ep = parse_utc(epoch)
    lids = tuple(sorted(set(truth.launch_id)))
    lid_of = np.array([lids.index(x) for x in truth.launch_id], dtype=np.int64)
    n_l = len(lids)
    t_first = np.nanmin(truth.t_s, axis=1) if truth.t_s.size else np.zeros(0)
    t_last = np.nanmax(truth.t_s, axis=1) if truth.t_s.size else np.zeros(0)
    ir = np.full(n_l, np.inf)
    rd = np.full(n_l, np.inf)
    burning = truth.intensity_w_sr > 0
    if satellites and burning.any():
        t_b = np.where(burning, truth.t_s, np.nan)
        lo, hi = float(np.nanmin(t_b)), float(np.nanmax(t_b))
        for sat in satellites:
            p = sat.payload
            t = _frames(p.period_s, lo, hi)
            if t.size == 0:
                continue
            s = truth.at(t)
            sr = sat.position(ep, t)[None, :, :]
            geo = sat.observable(np.broadcast_to(sr, s.r_ecef_m.shape), s.r_ecef_m)
            d = s.r_ecef_m - sr
            with np.errstate(invalid="ignore", divide="ignore"):
                snr = s.intensity_w_sr / np.einsum("...i,...i->...", d, d) / p.nei_w_m2
            pd = np.where(geo & (s.intensity_w_sr > 0), p.detection_probability(snr), 0.0)
            # detections of the launch (all its burning objects) in each frame
            per_l = np.zeros((n_l, t.size))
            np.add.at(per_l, lid_of, pd)
            ir = np.fmin(ir, first_accumulated(t, per_l, ir_reports))
    if radars and truth.t_s.size:
        lo, hi = float(np.nanmin(t_first)), float(np.nanmax(t_last))
        for rad in radars:
            t = _frames(rad.revisit_s, lo, hi)
            if t.size == 0:
                continue
            s = truth.at(t)
            cov = rad.coverage(s.r_ecef_m).any(axis=-1) & s.alive
            with np.errstate(invalid="ignore", divide="ignore"):
                rng = np.linalg.norm(s.r_ecef_m - rad.site_ecef_m, axis=-1)
                pd = rad.detection_probability(rad.mean_snr(truth.rcs_m2[:, None], rng))
            pd = np.where(cov & (truth.rcs_m2[:, None] > 0), pd, 0.0)
            # each object is its own track: the launch confirms on its earliest object
            first = first_accumulated(t, pd, radar_reports)
            by_launch = np.full(n_l, np.inf)
            np.fmin.at(by_launch, lid_of, np.where(np.isfinite(first), first, np.inf))
            rd = np.fmin(rd, by_launch)
    ir = np.where(np.isfinite(ir), ir, np.nan)
    rd = np.where(np.isfinite(rd), rd, np.nan)
    dual = np.maximum(ir, rd)
    impact = np.full(n_l, np.nan)
    for j in range(n_l):
        rows = np.flatnonzero(lid_of == j)
        body = [i for i in rows if truth.kind[i] in ("rv", "payload")] or list(rows)
        impact[j] = max(float(t_last[i]) for i in body)
    return DualConfirmation(lids, ir, rd, dual, impact, impact - dual)
