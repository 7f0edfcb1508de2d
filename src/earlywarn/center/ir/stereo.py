"""Stereo: associating tracks of different satellites, and triangulating an event's rays.

**Association.** A confirmed track of one satellite is tested against the tracks of
other satellites (:func:`_stereo_chi2`): the other track's LOS is interpolated onto this
track's times (frames need not be simultaneous), and for each time the miss distance
``d`` of the two lines of sight (along their common normal) is compared with its sigma
``σ_d² = (σ_a ρ_a)² + (σ_b ρ_b)²``; ``Σ d²/σ_d²`` must pass a chi-square test with one
degree of freedom per common time (``stereo_gate_prob``, over at most the last
``stereo_window`` common times). Events that pass are merged (the older keeps its id).

**Triangulation.** Every ray of an event's reference satellite (the one with most
detections) is intersected with the other satellites' rays interpolated to its time
(:func:`~earlywarn.center.ir.geometry.triangulate`); rows that cannot have changed
since the event's previous estimate are reused (:func:`_triangulate_rows`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from earlywarn.center.gates import chi2_ppf
from earlywarn.center.ir.geometry import _cross, _interp_rays, triangulate
from earlywarn.center.ir.records import BoolArray, FloatArray, IntArray, IrParams, SatTrack
from earlywarn.earth.frames import ecef_to_geodetic


def _stereo_chi2(ta: SatTrack, tb: SatTrack, params: IrParams) -> tuple[float, int]:
    """Chi-square of the LOS miss distances of two tracks at common times, and the dof."""
    times = ta.t_s[-params.stereo_window * 2 :]
    s_b, u_b, sig_b, valid = _interp_rays(tb, times, params.max_interp_gap_s)
    k = np.nonzero(valid)[0][-params.stereo_window :]
    if k.shape[0] < params.stereo_min_common:
        return math.inf, int(k.shape[0])
    ia = ta.t_s.shape[0] - times.shape[0] + k
    s_a, u_a, sig_a = ta.sat_m[ia], ta.los[ia], ta.sigma_rad[ia]
    s_b, u_b, sig_b = s_b[k], u_b[k], sig_b[k]
    nrm = _cross(u_a, u_b)
    nn = np.linalg.norm(nrm, axis=-1)
    if np.any(nn < 1e-3):  # nearly parallel lines of sight: no stereo information
        return math.inf, int(k.shape[0])
    nrm = nrm / nn[:, None]
    ds = s_b - s_a
    miss = np.einsum("ij,ij->i", ds, nrm)
    # ranges to the closest points: solve s_a + λa u_a ≈ s_b + λb u_b
    uab = np.einsum("ij,ij->i", u_a, u_b)
    da = np.einsum("ij,ij->i", ds, u_a)
    db = np.einsum("ij,ij->i", ds, u_b)
    den = 1.0 - uab * uab
    lam_a = (da - uab * db) / den
    lam_b = (uab * da - db) / den
    if np.any(lam_a <= 0.0) or np.any(lam_b <= 0.0):
        return math.inf, int(k.shape[0])
    var = (sig_a * lam_a) ** 2 + (sig_b * lam_b) ** 2
    return float(np.sum(miss * miss / var)), int(k.shape[0])


def _stereo_match(ta: SatTrack, tb: SatTrack, params: IrParams) -> bool:
    if ta.sensor_id == tb.sensor_id:
        return False
    c2, dof = _stereo_chi2(ta, tb, params)
    if not math.isfinite(c2):
        return False
    return c2 <= chi2_ppf(params.stereo_gate_prob, dof)


def _events_match(a: list[SatTrack], b: list[SatTrack], params: IrParams) -> bool:
    for ta in a:
        for tb in b:
            if ta.sensor_id == tb.sensor_id:
                continue
            first, second = (ta, tb) if ta.n >= tb.n else (tb, ta)
            if _stereo_match(first, second, params):
                return True
    return False


@dataclass(frozen=True)
class _Triangulated:
    """An event's triangulated reference rows (see :func:`_triangulate_rows`), with what
    they were computed from."""

    ref: tuple[tuple[int, int, int], ...]  # (track id, dropped, n) per reference track
    others: tuple[tuple[int, int, float], ...]  # (track id, dropped, last time) per other
    x: FloatArray  # (N, 3) ECEF
    cov: FloatArray  # (N, 3, 3)
    ok: BoolArray  # (N,) two rays or more and a finite covariance
    lat: FloatArray  # (N,) geodetic coordinates of x (NaN where not ok)
    lon: FloatArray
    h: FloatArray
    chi2: FloatArray  # (N,) chi-square of each row's ray residuals (2 × rays − 3 dof)
    nray: IntArray  # (N,) rays in each row
    broken: bool  # the satellites see different objects (:func:`_stereo_broken`)


def _reusable_rows(
    old: _Triangulated | None, ref: list[SatTrack], others: list[SatTrack], t_ref: FloatArray
) -> int:
    """How many leading rows of ``old`` are still exact: those of the same reference
    tracks (only the last one grown, none truncated) whose time is before the last
    detection ``old`` saw of every other track (the same tracks, none truncated). A
    track's history only grows at its end, so the rays interpolated there are the same."""
    if old is None or len(old.ref) != len(ref) or len(old.others) != len(others):
        return 0
    for i, ((tid, dropped, n), tr) in enumerate(zip(old.ref, ref, strict=True)):
        grown_ok = tr.n >= n if i == len(ref) - 1 else tr.n == n
        if tid != tr.track_id or dropped != tr.dropped or not grown_ok:
            return 0
    for (tid, dropped, _), tr in zip(old.others, others, strict=True):
        if tid != tr.track_id or dropped != tr.dropped:
            return 0
    m = old.x.shape[0]
    if old.others:
        later = t_ref[:m] >= min(last for _, _, last in old.others)
        if later.any():
            m = int(np.argmax(later))
    return m


def _triangulate_rows(
    ref: list[SatTrack],
    others: list[SatTrack],
    t_ref: FloatArray,
    s_ref: FloatArray,
    u_ref: FloatArray,
    sig_ref: FloatArray,
    params: IrParams,
    old: _Triangulated | None,
) -> _Triangulated:
    """Triangulate every reference ray with the other satellites' rays interpolated to
    its time (:func:`triangulate`; points with fewer than two rays are not ok).

    Only rows that may have changed since ``old`` are computed (:func:`_reusable_rows`):
    the triangulation and geodetic conversion of a row do not depend on the others
    (the same bits for a subset as for the whole, tested), so the result is the same
    as from scratch at a fraction of the cost: a boosting event is re-estimated every few
    seconds with its whole history.
    """
    m = _reusable_rows(old, ref, others, t_ref)
    k = t_ref.shape[0] - m
    sl = slice(m, None)
    rays = [(s_ref[sl], u_ref[sl], sig_ref[sl], np.ones(k, dtype=bool))]
    rays += [_interp_rays(tr, t_ref[sl], params.max_interp_gap_s) for tr in others]
    s_all = np.stack([r[0] for r in rays], axis=1)
    u_all = np.stack([r[1] for r in rays], axis=1)
    sig_all = np.stack([r[2] for r in rays], axis=1)
    val_all = np.stack([r[3] for r in rays], axis=1)
    x, cov, chi2, nray = triangulate(s_all, u_all, sig_all, val_all)
    ok = (nray >= 2) & np.all(np.isfinite(cov), axis=(1, 2))
    geo = np.full((3, k), np.nan)
    if ok.any():
        geo[:, ok] = ecef_to_geodetic(x[ok])
    if m and old is not None:
        x = np.concatenate([old.x[:m], x])
        cov = np.concatenate([old.cov[:m], cov])
        ok = np.concatenate([old.ok[:m], ok])
        geo = np.concatenate([np.stack([old.lat[:m], old.lon[:m], old.h[:m]]), geo], axis=1)
        chi2 = np.concatenate([old.chi2[:m], chi2])
        nray = np.concatenate([old.nray[:m], nray])
    return _Triangulated(
        ref=tuple((tr.track_id, tr.dropped, tr.n) for tr in ref),
        others=tuple((tr.track_id, tr.dropped, tr.last_t) for tr in others),
        x=x,
        cov=cov,
        ok=ok,
        lat=geo[0],
        lon=geo[1],
        h=geo[2],
        chi2=chi2,
        nray=nray,
        broken=_stereo_broken(chi2, nray, ok, params),
    )


def _stereo_broken(chi2: FloatArray, nray: IntArray, ok: BoolArray, params: IrParams) -> bool:
    """Do an event's satellites no longer see one object? The median over its last
    ``stereo_window`` triangulated rows of the chi-square per degree of freedom (a row
    of ``n`` rays has ``2n − 3``) exceeds ``stereo_split_row_chi2``: most rays miss each
    other by over 3 σ.

    Two tracks pass the stereo test on as few as ``stereo_min_common`` common times, when
    a neighbour's plume can pass for the same object (a raid's launches 10–50 km and a
    few seconds apart); and a 2-D track can swap onto a neighbour's plume later. Either way
    the rays then miss each other by far more than their sigmas, and more so with every
    frame. The median, not the sum: a pair of one object with a few garbled reports (the
    1980 scene garbles a fifth of them) must not split, and for one object the median of
    20 one-dof chi-squares exceeds 9 only if 10 of them do, with probability 4e-21. A
    split pair fails the stereo gate as well (half its window over 9 is a sum over 90,
    the gate's 99.99 % point at 20 dof is 52), so it does not merge again at once.

    Only a full window is judged: an event split young leaves a young one-satellite
    event, and a liquid ICBM's first ~15 s of frames from one satellite pass the
    stationary test (its image drifts ~300-500 m/s, within what sun glint's scatter
    allows: on the 1,000-launch raid such an event was dismissed for 12 s).
    """
    idx = np.nonzero(ok & (nray >= 2))[0][-params.stereo_window :]
    if idx.shape[0] < params.stereo_window:
        return False
    per_dof = chi2[idx] / (2 * nray[idx] - 3)
    return float(np.median(per_dof)) > params.stereo_split_row_chi2
