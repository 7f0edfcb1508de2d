"""Brute force for assignment tests: the best matching of sparse gated pairs."""

from __future__ import annotations

import itertools
from collections.abc import Mapping


def best_matching(cost: Mapping[tuple[int, int], float], n: int, m: int) -> tuple[int, float]:
    """Over every matching of ``n`` rows and ``m`` columns using only the pairs of
    ``cost``: the most pairs any has, and the least summed cost among those of that size
    (``(0, 0.0)`` when no pair is gated)."""
    best = (0, 0.0)
    for k in range(1, min(n, m) + 1):
        for rs in itertools.combinations(range(n), k):
            for cs in itertools.permutations(range(m), k):
                pairs = list(zip(rs, cs, strict=True))
                if all(p in cost for p in pairs):
                    s = sum(cost[p] for p in pairs)
                    if k > best[0] or s < best[1]:
                        best = (k, s)
    return best
