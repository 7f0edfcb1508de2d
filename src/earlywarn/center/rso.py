"""Resident space objects: the center's own catalog, and radar tracks of things in orbit.

The center may be given a catalog (:class:`earlywarn.space.catalog.Catalog`: scenario
``center.catalog``, the live center's ``catalog``). It is the center's input, like its
sensor registry, not truth: it may be stale, partial or wrong. What the center does with
a radar-only event (a radar track no IR launch explains; see
:mod:`earlywarn.center.assessment.ladder`), in this order, each step its track is live:

1. **catalogued object**: its state matches a catalogued object's (below) → NOT_A_THREAT
   ``catalogued_object``, the object's NORAD id and name in the alert;
2. **uncorrelated orbital object**: its state is in orbit (perigee above the atmosphere
   at the orbit confidence: :func:`~earlywarn.center.assessment.evidence.orbital_with_confidence`)
   → NOT_A_THREAT ``uncorrelated_orbital_object``;
3. **re-entry**: it is coming down (radial velocity < 0), not in orbit, and either it was
   seen in orbit before (1 or 2 at an earlier step) or its osculating perigee is above
   ``reentry_min_perigee_alt_m`` (−500 km) at the orbit confidence → NOT_A_THREAT
   ``reentry``. A decaying object's osculating perigee is near 100 km altitude; a
   ballistic missile's is thousands of km below the surface (an ICBM re-entering at
   7 km/s and 25° below the horizon: about −4,000 km; a depressed trajectory at 12°:
   about −2,500 km), so the line sits far from both.

Such an event is never raised above POSSIBLE_LAUNCH (its alert says what it is, at the
lowest level an alert has) and never counted in a raid. A catalogued event stays
catalogued while its state is in orbit even if one step's gate fails (no flapping
between the reasons); once its track ends it keeps its reason.

**The catalog gate.** The whole catalog is propagated (one :class:`sgp4.api.SatrecArray`
call, :meth:`Catalog.states_ecef`) at the grid times :data:`GRID_S` apart around the
radar tracks' times and interpolated to them (cubic Hermite, ~1 mm); objects whose SGP4
solution failed (decayed) are left out. A track state ``x`` (ECEF, 6) with covariance
``P`` is tested against object ``i``'s state ``c_i`` with
``d² = (x − c_i)ᵀ (P + C_i)⁻¹ (x − c_i) ≤ χ²₆(p)``
(``catalog_gate_probability``, 0.999: 22.46), where ``C_i`` is diagonal: position sigma
``σ_r = σ₀ + g |age|`` (``catalog_sigma0_m`` 1 km, ``catalog_sigma_growth_m_s`` 3 km a
day; the element age is the step time minus the element set's epoch) and velocity sigma
``σ_r n_i`` (``n_i`` the object's mean motion: a position error of δ in an orbit moves
at about n δ). Before the 6 × 6 test a pre-gate on position alone keeps only objects
with ``|Δr|² ≤ χ²₆(p) · (tr P_rr + 3 σ_r²)``: the full ``d²`` is at least the position
block's Mahalanobis distance, which is at least ``|Δr|²`` over the largest eigenvalue
of ``P_rr + σ_r² I``, itself at most the trace; so the pre-gate never drops an object
the full test would keep. The best match is the smallest ``d²`` (ties: the lower NORAD
id). The cost is one propagation per grid time with radar-only events to judge, plus a
vector pass over the catalog per event: linear in the catalog's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.center.gates import chi2_ppf
from earlywarn.space.catalog import Catalog

FloatArray = npt.NDArray[np.float64]

__all__ = ["GRID_S", "CatalogMatch", "CatalogStates", "CenterCatalog", "StepCatalog"]

GRID_S = 10.0
"""The catalog is propagated by SGP4 at multiples of this time and interpolated between
(:meth:`CenterCatalog.states`)."""


@dataclass(frozen=True)
class CatalogMatch:
    """A catalogued object a track state matched: its NORAD id, name and ``d²``."""

    norad_id: int
    name: str
    d2: float


@dataclass(frozen=True)
class CatalogStates:
    """Every catalogued object at one time: ECEF position (n, 3) and velocity (n, 3),
    ``ok`` (n,) where SGP4 gave a state, and the 1-sigma position and velocity
    uncertainty (n,) for the element age at that time."""

    t_s: float
    r_m: FloatArray
    v_m_s: FloatArray
    ok: npt.NDArray[np.bool_]
    sigma_r_m: FloatArray
    sigma_v_m_s: FloatArray


class CenterCatalog:
    """The center's catalog prepared for correlation: ids, names, element epochs (s since
    the center's epoch) and mean motions as arrays. Built once per center configuration
    (:attr:`earlywarn.center.CenterConfig.rso`)."""

    def __init__(self, catalog: Catalog, epoch: datetime) -> None:
        self.catalog = catalog
        self.epoch = epoch
        self.norad_id = catalog.norad_id
        self.names = tuple(o.name for o in catalog.objects)
        self.element_t_s = np.array(
            [(o.orbit.element_epoch - epoch).total_seconds() for o in catalog.objects],
            dtype=np.float64,
        )
        # sgp4's Kozai mean motion is in rad/min
        self.mean_motion_rad_s = np.array(
            [float(o.orbit.satrec.no_kozai) / 60.0 for o in catalog.objects], dtype=np.float64
        )
        self._grid_cache: dict[int, tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]] = {}
        self._match_memo: dict[tuple[float, bytes, bytes], CatalogMatch | None] = {}

    def __len__(self) -> int:
        return len(self.catalog)

    def _grid(self, k: int) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
        """Every object at the grid time ``k · GRID_S`` (one SGP4 call, kept for the next
        few calls: a step's tracks and the next step's share grid times)."""
        got = self._grid_cache.get(k)
        if got is None:
            n = len(self.catalog)
            eph = self.catalog.states_ecef(self.epoch, k * GRID_S)
            r = np.asarray(eph.r_m, dtype=np.float64).reshape(n, 3)
            v = np.asarray(eph.v_m_s, dtype=np.float64).reshape(n, 3)
            ok = (np.asarray(eph.status).reshape(n) == 0) & np.isfinite(r).all(axis=1)
            got = (r, v, ok)
            if len(self._grid_cache) >= 4:
                del self._grid_cache[min(self._grid_cache)]
            self._grid_cache[k] = got
        return got

    def states(self, t_s: float, sigma0_m: float, growth_m_s: float) -> CatalogStates:
        """Every object at ``t_s``: cubic Hermite interpolation between the SGP4 states at
        the two :data:`GRID_S` grid times around it (positions and velocities known at
        both ends: the error is ~h⁴/384 · |d⁴r/dt⁴| ≈ 10⁻³ m for a LEO orbit over 10 s,
        far below the gate's kilometre), so the catalog is propagated once per grid time,
        not once per track time. Objects SGP4 failed at either end are not ``ok``."""
        n = len(self.catalog)
        if n == 0:
            z = np.zeros((0, 3))
            e = np.zeros(0)
            return CatalogStates(t_s, z, z, np.zeros(0, dtype=bool), e, e)
        k = math.floor(float(t_s) / GRID_S)
        r0, v0, ok0 = self._grid(k)
        s = float(t_s) / GRID_S - k
        if s == 0.0:
            r, v, ok = r0, v0, ok0
        else:
            r1, v1, ok1 = self._grid(k + 1)
            h = GRID_S
            h00, h10, h01, h11 = (
                2 * s**3 - 3 * s**2 + 1,
                s**3 - 2 * s**2 + s,
                -2 * s**3 + 3 * s**2,
                s**3 - s**2,
            )
            d00, d10, d01, d11 = (
                6 * s**2 - 6 * s,
                3 * s**2 - 4 * s + 1,
                -6 * s**2 + 6 * s,
                3 * s**2 - 2 * s,
            )
            r = h00 * r0 + h10 * h * v0 + h01 * r1 + h11 * h * v1
            v = (d00 * r0 + d01 * r1) / h + d10 * v0 + d11 * v1
            ok = ok0 & ok1
        sig_r = sigma0_m + growth_m_s * np.abs(float(t_s) - self.element_t_s)
        return CatalogStates(float(t_s), r, v, ok, sig_r, sig_r * self.mean_motion_rad_s)


def gate_d2(probability: float) -> float:
    """``χ²₆(p)``: the catalog gate on ``d²``."""
    return chi2_ppf(probability, 6)


@dataclass
class StepCatalog:
    """The center's catalog during one step: states propagated once per time and cached
    (the radar tracks share one time, so a step propagates once)."""

    catalog: CenterCatalog
    sigma0_m: float
    growth_m_s: float
    probability: float
    _cache: dict[float, CatalogStates] = field(default_factory=dict)
    _gate: float = math.nan

    def at(self, t_s: float) -> CatalogStates:
        st = self._cache.get(t_s)
        if st is None:
            st = self.catalog.states(t_s, self.sigma0_m, self.growth_m_s)
            self._cache[t_s] = st
        return st

    def match(self, x: npt.ArrayLike, p: npt.ArrayLike, t_s: float) -> CatalogMatch | None:
        """The catalogued object whose state at ``t_s`` the track state ``x`` (ECEF, 6)
        with covariance ``p`` (6 × 6) passes the gate with, the closest; or None."""
        if len(self.catalog) == 0:
            return None
        # a track's state changes only when a scan updates it: the same state (and time)
        # gets the same answer, kept across steps by the center's catalog
        key = (float(t_s), np.asarray(x, dtype=np.float64).tobytes(), np.asarray(p).tobytes())
        memo = self.catalog._match_memo
        if key in memo:
            return memo[key]
        if len(memo) >= 4096:
            memo.clear()
        memo[key] = found = self._match(x, p, t_s)
        return found

    def _match(self, x: npt.ArrayLike, p: npt.ArrayLike, t_s: float) -> CatalogMatch | None:
        if math.isnan(self._gate):
            self._gate = gate_d2(self.probability)
        thr = self._gate
        xv = np.asarray(x, dtype=np.float64).reshape(6)
        pm = np.asarray(p, dtype=np.float64).reshape(6, 6)
        st = self.at(float(t_s))
        dr = xv[:3] - st.r_m
        dist2 = np.einsum("ij,ij->i", dr, dr)
        bound = thr * (float(np.trace(pm[:3, :3])) + 3.0 * st.sigma_r_m**2)
        cand = np.flatnonzero(st.ok & (dist2 <= bound))
        if cand.size == 0:
            return None
        dx = np.concatenate([dr[cand], xv[3:] - st.v_m_s[cand]], axis=1)  # (m, 6)
        s = np.broadcast_to(pm, (cand.size, 6, 6)).copy()
        idx = np.arange(3)
        s[:, idx, idx] += st.sigma_r_m[cand, None] ** 2
        s[:, idx + 3, idx + 3] += st.sigma_v_m_s[cand, None] ** 2
        d2 = np.einsum("ij,ij->i", dx, np.linalg.solve(s, dx[..., None])[..., 0])
        keep = np.flatnonzero(d2 <= thr)
        if keep.size == 0:
            return None
        ids = self.catalog.norad_id[cand[keep]]
        best = keep[np.lexsort((ids, d2[keep]))[0]]
        k = int(cand[best])
        return CatalogMatch(int(self.catalog.norad_id[k]), self.catalog.names[k], float(d2[best]))
