"""Global nearest neighbour assignment over sparse gated pairs, for the radar tracker
(:mod:`earlywarn.center.tracker`) and the IR association (:mod:`earlywarn.center.ir.association`).

The rule: the most assigned pairs, then the least summed cost (a 2-D assignment in which
a missed detection costs infinitely much). Pairs that compete with nothing are taken
without solving; a star (one row against several columns, or one column against several
rows) is its cheapest pair; the rest goes to ``scipy.optimize.linear_sum_assignment`` on
the small dense matrix of the rows and columns involved.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = ["gnn_assign"]


def gnn_assign(rows: IntArray, cols: IntArray, cost: FloatArray) -> tuple[IntArray, IntArray]:
    """Global nearest neighbour over sparse gated pairs ``(rows[i], cols[i], cost[i])``.

    Returns the assigned ``(rows, cols)`` that first maximise the number of assigned pairs
    and then minimise the summed cost — the same rule as a 2-D assignment in which a missed
    detection costs infinitely much. Pairs whose row and column appear in no other pair are
    assigned without solving anything; the competing rest goes to one
    ``linear_sum_assignment`` on the small dense matrix of the rows and columns involved,
    with a cost ``B`` larger than any sum of gated costs for pairs outside the gate.
    """
    pick = _gnn_pairs(rows, cols, cost.__getitem__)
    return rows[pick].astype(np.int64, copy=False), cols[pick].astype(np.int64, copy=False)


def _uncontested(rows: IntArray, cols: IntArray) -> bool:
    """Whether no row and no column appears in two of the pairs ``(rows[i], cols[i])``:
    then nothing competes and every pair is assigned (no pairs are uncontested too)."""
    return bool(
        np.bincount(rows, minlength=1).max() <= 1 and np.bincount(cols, minlength=1).max() <= 1
    )


def _gnn_pairs(rows: IntArray, cols: IntArray, cost: Callable[[IntArray], FloatArray]) -> IntArray:
    """:func:`gnn_assign` as the indices of the assigned pairs, in the order of their rows
    (so the caller can take anything else it holds per pair, e.g. the innovations).
    ``cost(i)`` gives the costs of the pairs ``i``; it is called only if pairs compete."""
    if _uncontested(rows, cols):
        return np.argsort(rows, kind="stable")  # no row or column twice: nothing competes
    k = rows.size
    row_deg = np.bincount(rows)[rows]
    col_deg = np.bincount(cols)[cols]
    rest = (row_deg > 1) | (col_deg > 1)
    if not rest.any():
        pick = np.arange(k)
    else:
        alone = np.flatnonzero(~rest)
        rest_i = np.flatnonzero(rest)
        rr, cc, cst = rows[rest_i], cols[rest_i], cost(rest_i)
        if rr.min() == rr.max() or cc.min() == cc.max():
            # a star (one row against several columns, or one column against several rows):
            # one pair at most, the cheapest; the common contest of a track between two
            # detections, where the dense solve below is nearly all the cost
            pick = np.concatenate([alone, rest_i[np.argmin(cst)][None]])
            return pick[np.argsort(rows[pick], kind="stable")]
        ur, ri = np.unique(rr, return_inverse=True)
        uc, ci = np.unique(cc, return_inverse=True)
        c = cst - cst.min()
        big = (float(c.max()) + 1.0) * (min(ur.size, uc.size) + 1)
        m = np.full((ur.size, uc.size), big)
        m[ri, ci] = c
        which = np.empty((ur.size, uc.size), dtype=np.int64)  # pair index of each cell
        which[ri, ci] = rest_i
        a_r, a_c = linear_sum_assignment(m)
        ok = m[a_r, a_c] < big
        pick = np.concatenate([alone, which[a_r[ok], a_c[ok]]])
    return pick[np.argsort(rows[pick], kind="stable")]
