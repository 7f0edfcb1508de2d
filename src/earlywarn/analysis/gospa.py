"""The generalised optimal sub-pattern assignment (GOSPA) metric.

Rahmathullah, García-Fernández, Svensson (2017), "Generalized optimal sub-pattern assignment
metric", Proc. 20th Int. Conf. on Information Fusion (FUSION). For finite sets
X = {x₁..x_m}, Y = {y₁..y_n} with m ≤ n, cut-off c > 0, order 1 ≤ p < ∞ and 0 < α ≤ 2::

    d(X, Y) = ( min_π  Σᵢ d⁽ᶜ⁾(xᵢ, y_π(i))ᵖ  +  (cᵖ/α) (n − m) )^(1/p),
    d⁽ᶜ⁾(x, y) = min(‖x − y‖, c),

π ranging over injections of {1..m} into {1..n}. With α = 2 (the usual choice, and the one
used by earlywarn) the metric decomposes (paper, Proposition 1) into

    d(X, Y)ᵖ = Σ_assigned ‖x − y‖ᵖ + (cᵖ/2) (#missed + #false),

where a pair is "assigned" only if ‖x − y‖ < c; every other x is a missed target and every
other y a false track. Here X is the truth and Y the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

FloatArray = npt.NDArray[np.float64]

__all__ = ["GospaResult", "gospa"]


@dataclass(frozen=True)
class GospaResult:
    """GOSPA distance and, for α = 2, its parts (each already raised to the power p).

    ``distance = (localisation + missed + false) ** (1/p)``; ``pairs`` are the assigned
    ``(truth index, estimate index)`` with distance below c. For α ≠ 2 the parts are NaN
    and ``distance`` is the metric itself.
    """

    distance: float
    localisation: float
    missed: float
    false: float
    n_missed: int
    n_false: int
    pairs: npt.NDArray[np.int64]


def _points(a: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a (count, dim) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def gospa(
    truth: npt.ArrayLike,
    estimate: npt.ArrayLike,
    c: float,
    p: float = 2.0,
    alpha: float = 2.0,
) -> GospaResult:
    """GOSPA between point sets ``truth (m, d)`` and ``estimate (n, d)`` (Euclidean base).

    Raises ``ValueError`` for c ≤ 0, p < 1, α outside (0, 2] or mismatched dimensions.
    """
    if not (math.isfinite(c) and c > 0.0):
        raise ValueError(f"c must be a finite positive cut-off distance, got {c!r}")
    if not (math.isfinite(p) and p >= 1.0):
        raise ValueError(f"p must be a finite number >= 1, got {p!r}")
    if not (0.0 < alpha <= 2.0):
        raise ValueError(f"alpha must be in (0, 2], got {alpha!r}")
    x = _points(truth, "truth")
    y = _points(estimate, "estimate")
    m, n = x.shape[0], y.shape[0]
    if m and n and x.shape[1] != y.shape[1]:
        raise ValueError(
            f"truth and estimate must have the same dimension, got {x.shape[1]} and {y.shape[1]}"
        )
    cp = c**p
    empty_pairs = np.zeros((0, 2), dtype=np.int64)
    if m == 0 or n == 0:
        total = cp / alpha * (m + n)
        return GospaResult(
            distance=total ** (1.0 / p),
            localisation=0.0,
            missed=cp / alpha * m,
            false=cp / alpha * n,
            n_missed=m,
            n_false=n,
            pairs=empty_pairs,
        )
    # cost[i, j] = min(‖xᵢ − yⱼ‖, c)ᵖ, built by broadcasting
    diff = x[:, None, :] - y[None, :, :]
    dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    cost = np.minimum(dist, c) ** p
    ri, ci = linear_sum_assignment(cost)
    assigned_cost = float(cost[ri, ci].sum())
    if alpha != 2.0:
        total = assigned_cost + cp / alpha * abs(m - n)
        nan = math.nan
        return GospaResult(total ** (1.0 / p), nan, nan, nan, -1, -1, empty_pairs)
    real = dist[ri, ci] < c
    n_pairs = int(real.sum())
    loc = float(cost[ri[real], ci[real]].sum())
    n_missed = m - n_pairs
    n_false = n - n_pairs
    missed = cp / 2.0 * n_missed
    false = cp / 2.0 * n_false
    return GospaResult(
        distance=(loc + missed + false) ** (1.0 / p),
        localisation=loc,
        missed=missed,
        false=false,
        n_missed=n_missed,
        n_false=n_false,
        pairs=np.stack([ri[real], ci[real]], axis=1).astype(np.int64),
    )
