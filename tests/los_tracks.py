"""A 2-D track's LOS predictor as the IR gate reads it (:class:`earlywarn.center.kernels.
LosTrack`), for tests of the gate and of the association built on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LosPredictor:
    """LOS(t) ≈ p + w (t − last_t) + a (t − last_t)² / 2, normalised."""

    p: np.ndarray
    w: np.ndarray
    a: np.ndarray
    last_t: float
    order: int
    span_s: float
    range_m: float
    sigma_rad: np.ndarray

    def los_at(self, t: float) -> np.ndarray:
        dt = t - self.last_t
        q = self.p + self.w * dt + 0.5 * self.a * dt * dt
        return np.asarray(q / np.linalg.norm(q))
