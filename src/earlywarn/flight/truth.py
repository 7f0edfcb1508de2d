"""Truth: sampled trajectories of everything that flies, as the sensors observe it.

This is the contract between ``flight`` (which fills it) and ``sensors`` (which sample
it). The center never sees it; only ``analysis.evaluate`` puts it beside center output.

Each object has its own sample times (a row of ``t_s``), padded with NaN after its last
sample so that all objects share one ``(n_objects, n_samples)`` layout. Between samples
positions are interpolated with cubic Hermite polynomials (positions and velocities are
both known at every sample, so the interpolant is C¹ and, for samples 1 s apart in
powered flight and ≤ 20 s in free flight, good to well under a metre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LAUNCH_KINDS = ("booster", "rv", "stage", "payload", "other")
"""Kinds of the objects of a launch (launch id non-empty, object id ``<launch>/<part>``)."""

RSO_KINDS = ("rso_payload", "rso_rocket_body", "rso_debris", "rso_unknown")
"""Kinds of resident space objects (a catalog's satellites, rocket bodies and debris;
:mod:`earlywarn.flight.rso`): launch id ``""``, object id ``rso:<NORAD id>``. Their own
prefix keeps a catalogued payload apart from a launch's ``payload``."""

MOON_KIND = "moon"
"""The Moon as a radar target (:mod:`earlywarn.flight.moon`): launch id ``""``."""

OBJECT_KINDS = (*LAUNCH_KINDS, *RSO_KINDS, MOON_KIND)


def is_rso(kind: str) -> bool:
    """True for the kinds of resident space objects (:data:`RSO_KINDS`)."""
    return kind in RSO_KINDS


@dataclass(frozen=True)
class TruthSample:
    """States of every object at the requested times; NaN (and ``alive`` False) outside life."""

    r_ecef_m: FloatArray  # (N, M, 3)
    v_ecef_m_s: FloatArray  # (N, M, 3)
    intensity_w_sr: FloatArray  # (N, M) plume radiant intensity, 0 when not burning
    alive: BoolArray  # (N, M)


@dataclass(frozen=True)
class Trajectories:
    """Sampled trajectories of ``N`` objects (all SI, Earth-fixed WGS84 ECEF).

    Attributes
    ----------
    object_id, launch_id, kind:
        Length-N tuples: a unique id (``"L1/rv"``), the launch it belongs to (``""`` for
        a resident space object, which belongs to none), and one of :data:`OBJECT_KINDS`.
    t_s:
        ``(N, K)`` sample times, seconds since the scenario epoch, strictly increasing
        along each row, NaN-padded at the end.
    r_ecef_m, v_ecef_m_s:
        ``(N, K, 3)`` positions and velocities (NaN where padded).
    intensity_w_sr:
        ``(N, K)`` plume radiant intensity in the sensors' band; 0 when no motor burns.
        A sample's intensity holds over the interval it opens (to the next sample): a
        motor's plume is on from its ignition sample to its cutoff sample, with the thrust,
        not faded across the interval around either (which lit the plume up to a sample
        interval before launch and dimmed it below a sensor's threshold up to a second
        before the thrust ended).
    rcs_m2:
        ``(N,)`` mean radar cross section.
    """

    object_id: tuple[str, ...]
    launch_id: tuple[str, ...]
    kind: tuple[str, ...]
    t_s: FloatArray
    r_ecef_m: FloatArray
    v_ecef_m_s: FloatArray
    intensity_w_sr: FloatArray
    rcs_m2: FloatArray

    def __post_init__(self) -> None:
        n = len(self.object_id)
        if self.t_s.ndim != 2 or self.t_s.shape[0] != n:
            raise ValueError(f"t_s must have shape (n_objects={n}, K); got {self.t_s.shape}")
        k = self.t_s.shape[1]
        for name, arr, shape in (
            ("r_ecef_m", self.r_ecef_m, (n, k, 3)),
            ("v_ecef_m_s", self.v_ecef_m_s, (n, k, 3)),
            ("intensity_w_sr", self.intensity_w_sr, (n, k)),
            ("rcs_m2", self.rcs_m2, (n,)),
        ):
            if arr.shape != shape:
                raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
        if len(self.launch_id) != n or len(self.kind) != n:
            raise ValueError("object_id, launch_id and kind must have the same length")
        if n and np.isnan(self.t_s[:, 0]).any():
            i = int(np.flatnonzero(np.isnan(self.t_s[:, 0]))[0])
            raise ValueError(f"object {self.object_id[i]!r} has no samples (t_s row is all NaN)")
        bad = [k_ for k_ in self.kind if k_ not in OBJECT_KINDS]
        if bad:
            raise ValueError(f"kind {bad[0]!r} is not one of {OBJECT_KINDS}")

    @property
    def n_objects(self) -> int:
        return len(self.object_id)

    @property
    def t_start_s(self) -> FloatArray:
        """First sample time of each object, ``(N,)``."""
        return np.asarray(self.t_s[:, 0])

    @property
    def t_end_s(self) -> FloatArray:
        """Last sample time of each object, ``(N,)``."""
        return np.asarray(np.nanmax(self.t_s, axis=1))

    def at(self, t_s: npt.ArrayLike) -> TruthSample:
        """Interpolate every object at the times ``t_s`` (shape ``(M,)``).

        Vectorised over objects and times: one ``searchsorted`` on the rows laid end to
        end, then cubic Hermite interpolation.
        """
        t = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
        n, k = self.t_s.shape
        m = t.size
        if n == 0:
            empty = np.zeros((0, m))
            return TruthSample(
                np.zeros((0, m, 3)), np.zeros((0, m, 3)), empty, np.zeros((0, m), bool)
            )
        valid = ~np.isnan(self.t_s)
        count = valid.sum(axis=1)
        t_first = self.t_s[:, 0]
        t_last = self.t_end_s
        span = float(np.nanmax(self.t_s) - np.nanmin(self.t_s)) + float(np.ptp(t)) + 10.0
        big = 4.0 * (span + abs(float(np.nanmax(np.abs(self.t_s)))) + abs(float(np.max(np.abs(t)))))
        rows = np.arange(n, dtype=np.float64)[:, None] * big
        padded = np.where(valid, self.t_s, t_last[:, None])
        keys = (rows + padded).ravel()
        query = rows + t[None, :]
        idx = np.searchsorted(keys, query.ravel(), side="right").reshape(n, m) - 1
        base = (np.arange(n) * k)[:, None]
        local = idx - base
        local = np.clip(local, 0, np.maximum(count - 2, 0)[:, None])
        i0 = base + local
        i1 = base + np.minimum(local + 1, np.maximum(count - 1, 0)[:, None])
        tf = self.t_s.ravel()
        rf = self.r_ecef_m.reshape(-1, 3)
        vf = self.v_ecef_m_s.reshape(-1, 3)
        inf = self.intensity_w_sr.ravel()
        t0, t1 = tf[i0], tf[i1]
        h = t1 - t0
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(h > 0, (t[None, :] - t0) / np.where(h > 0, h, 1.0), 0.0)
        s3 = s[..., None]
        h3 = h[..., None]
        p0, p1, m0, m1 = rf[i0], rf[i1], vf[i0] * h3, vf[i1] * h3
        # cubic Hermite basis and its derivative
        h00 = 2 * s3**3 - 3 * s3**2 + 1
        h10 = s3**3 - 2 * s3**2 + s3
        h01 = -2 * s3**3 + 3 * s3**2
        h11 = s3**3 - s3**2
        r = h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1
        d00 = 6 * s3**2 - 6 * s3
        d10 = 3 * s3**2 - 4 * s3 + 1
        d01 = -6 * s3**2 + 6 * s3
        d11 = 3 * s3**2 - 2 * s3
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(h3 > 0, (d00 * p0 + d10 * m0 + d01 * p1 + d11 * m1) / h3, vf[i0])
        r = np.where(h3 > 0, r, p0)
        inten = np.where(s < 1.0, inf[i0], inf[i1])  # held over the interval a sample opens
        alive = (t[None, :] >= t_first[:, None]) & (t[None, :] <= t_last[:, None])
        r = np.where(alive[..., None], r, np.nan)
        v = np.where(alive[..., None], v, np.nan)
        inten = np.where(alive, inten, 0.0)
        return TruthSample(r, v, inten, alive)

    @staticmethod
    def concat(parts: list[Trajectories]) -> Trajectories:
        """Join several sets of objects into one (rows padded with NaN to a common K)."""
        if not parts:
            return Trajectories(
                (), (), (), np.zeros((0, 1)), np.zeros((0, 1, 3)), np.zeros((0, 1, 3)),
                np.zeros((0, 1)), np.zeros(0),
            )  # fmt: skip
        k = max(p.t_s.shape[1] for p in parts)

        def pad(a: FloatArray, fill: float) -> FloatArray:
            w = [(0, 0), (0, k - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
            return np.pad(a, w, constant_values=fill)

        return Trajectories(
            object_id=tuple(x for p in parts for x in p.object_id),
            launch_id=tuple(x for p in parts for x in p.launch_id),
            kind=tuple(x for p in parts for x in p.kind),
            t_s=np.concatenate([pad(p.t_s, np.nan) for p in parts]),
            r_ecef_m=np.concatenate([pad(p.r_ecef_m, np.nan) for p in parts]),
            v_ecef_m_s=np.concatenate([pad(p.v_ecef_m_s, np.nan) for p in parts]),
            intensity_w_sr=np.concatenate([pad(p.intensity_w_sr, 0.0) for p in parts]),
            rcs_m2=np.concatenate([p.rcs_m2 for p in parts]),
        )
