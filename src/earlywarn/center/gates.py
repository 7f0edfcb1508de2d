"""The chi-square quantile behind every gate of the center (tracker, IR-radar fusion,
catalog, stereo pairing, the one-satellite smooth-image test): one cached function, since
scipy's ``chi2.ppf`` costs ~0.2 ms a call and the gates ask for a handful of (probability,
dof) pairs every scan."""

from __future__ import annotations

from functools import lru_cache

from scipy.stats import chi2

__all__ = ["chi2_ppf"]


@lru_cache(maxsize=256)
def chi2_ppf(probability: float, dof: int) -> float:
    """The ``probability`` quantile of the chi-square distribution with ``dof`` degrees of
    freedom (``inf`` at probability 1)."""
    return float(chi2.ppf(probability, dof))
