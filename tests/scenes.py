"""Small seeded multi-target radar scenes for the tracker tests (no shared data needed).

Targets move on nearly-constant-velocity paths (exact discrete white-noise-acceleration
model, Bar-Shalom, Li, Kirubarajan 2001, §6.2.2) in a sensor-centred Cartesian frame with z
up; one radar at the origin reports ``[range, azimuth, elevation]`` with azimuth =
atan2(y, x), elevation = asin(z/range) — the convention of the shared benchmark files —
with detection probability ``pd`` and Poisson clutter uniform in (range, az, el).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.center.motion import cv_matrices

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Scene:
    times: FloatArray  # (T,)
    truth: FloatArray  # (N, T, 6) [x, y, z, vx, vy, vz]
    meas: list[FloatArray]  # per scan (m_k, 3) [range, az, el]
    meas_truth: list[npt.NDArray[np.int64]]  # per scan (m_k,), -1 for clutter
    sigma: tuple[float, float, float]


def rae(pos: FloatArray) -> FloatArray:
    """[range, atan2(y, x), asin(z/range)] of positions (..., 3)."""
    r = np.linalg.norm(pos, axis=-1)
    return np.stack([r, np.arctan2(pos[..., 1], pos[..., 0]), np.arcsin(pos[..., 2] / r)], axis=-1)


def cv_truth(
    rng: np.random.Generator, x0: FloatArray, n_scans: int, dt: float, q: float
) -> FloatArray:
    """Truth states (N, T, 6) from initial states x0 (N, 6) under the discrete CV model."""
    f, qm = cv_matrices(q, dt)
    chol = np.linalg.cholesky(qm)
    out = np.empty((x0.shape[0], n_scans, 6))
    x = x0.copy()
    for k in range(n_scans):
        out[:, k] = x
        x = x @ f.T + rng.standard_normal(x.shape) @ chol.T
    return out


def radar_scene(
    rng: np.random.Generator,
    n_targets: int = 10,
    n_scans: int = 60,
    dt: float = 1.0,
    q: float = 1.0,
    pd: float = 0.9,
    clutter_rate: float = 10.0,
    sigma: tuple[float, float, float] = (50.0, 1e-3, 1e-3),
) -> Scene:
    rho = rng.uniform(60e3, 150e3, n_targets)
    az = rng.uniform(-1.2, 1.2, n_targets)
    el = rng.uniform(0.05, 0.5, n_targets)
    pos = np.stack(
        [rho * np.cos(el) * np.cos(az), rho * np.cos(el) * np.sin(az), rho * np.sin(el)], axis=1
    )
    speed = rng.uniform(100.0, 300.0, n_targets)
    head = rng.uniform(-np.pi, np.pi, n_targets)
    vel = np.stack([speed * np.cos(head), speed * np.sin(head), rng.normal(0, 20, n_targets)], 1)
    truth = cv_truth(rng, np.hstack([pos, vel]), n_scans, dt, q)
    sig = np.asarray(sigma)
    meas: list[FloatArray] = []
    ids: list[npt.NDArray[np.int64]] = []
    for k in range(n_scans):
        det = rng.random(n_targets) < pd
        z_t = rae(truth[det, k, :3]) + rng.standard_normal((int(det.sum()), 3)) * sig
        n_c = rng.poisson(clutter_rate)
        z_c = np.stack(
            [
                rng.uniform(10e3, 300e3, n_c),
                rng.uniform(-np.pi / 2, np.pi / 2, n_c),
                rng.uniform(0.0, np.pi / 2, n_c),
            ],
            axis=1,
        )
        z = np.vstack([z_t, z_c])
        tid = np.concatenate([np.flatnonzero(det), np.full(n_c, -1)]).astype(np.int64)
        order = rng.permutation(z.shape[0])
        meas.append(z[order])
        ids.append(tid[order])
    return Scene(np.arange(n_scans, dtype=np.float64) * dt, truth, meas, ids, sigma)
