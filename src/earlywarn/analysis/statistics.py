"""Statistics of repeated runs: binomial intervals, percentiles, Poisson rate bounds.

* :func:`wilson_interval` — Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001,
  *Statistical Science* 16:101); :func:`clopper_pearson_interval`, the exact one.
* :func:`percentiles` — p50 and p95, linear interpolation.
* :func:`poisson_upper_95` — one-sided 95 % upper bound on a Poisson mean after k events,
  the exact χ²₀.₉₅(2k + 2) / 2, which for k = 0 is the "rule of three", taken as exactly 3
  (Hanley & Lippman-Hand 1983, *JAMA* 249:1743).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "Z95",
    "clopper_pearson_interval",
    "percentiles",
    "poisson_upper_95",
    "proportion",
    "wilson_interval",
]

Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (two-sided, z = 1.96 for 95 %).

    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z √(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
    n = 0 gives (0, 1).
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError(f"wilson_interval: need 0 <= k <= n; got k={k}, n={n}")
    p = k / n
    z2 = z * z
    den = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def clopper_pearson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval from the beta quantiles."""
    from scipy.stats import beta

    if n <= 0:
        return (0.0, 1.0)
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


def poisson_upper_95(k: int) -> float:
    """One-sided 95 % upper bound on a Poisson mean after k events: χ²₀.₉₅(2k+2)/2,
    and exactly 3 for k = 0 (the rule of three)."""
    if k == 0:
        return 3.0
    from scipy.stats import chi2

    return float(chi2.ppf(0.95, 2 * k + 2) / 2.0)


def percentiles(values: Iterable[Any]) -> dict[str, float | None]:
    """Count, median and 95th percentile (linear interpolation) of the finite values;
    None and NaN are left out."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return {"n": 0, "p50": None, "p95": None}
    return {
        "n": int(v.size),
        "p50": float(np.percentile(v, 50)),
        "p95": float(np.percentile(v, 95)),
    }


def proportion(flags: Sequence[Any]) -> dict[str, Any]:
    """Successes k of n (None left out), the rate and its 95 % Wilson interval."""
    vals = [bool(f) for f in flags if f is not None]
    k, n = sum(vals), len(vals)
    lo, hi = wilson_interval(k, n)
    return {"k": k, "n": n, "p": (k / n) if n else None, "ci95": [lo, hi], "method": "wilson"}
