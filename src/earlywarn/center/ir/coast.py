"""Stationary sources and the coasts between stages: the cheap checks between estimates.

**Stationary sources.** Once an event is judged "stationary" its status is kept without
re-estimation: each new detection is only checked against the ground centre and radius
of its satellite (:func:`_anchors`, :func:`_still_stationary`), and the event becomes a
candidate again after ``stationary_escape_hits`` detections in a row outside, or when
another satellite joins. A stationary event whose tracks end keeps the status
"stationary".

**Coasts.** A burnt-out boosting event is kept (not shown) for ``coast_max_s``: a newly
confirmed track whose first lines of sight pass its ballistic (J2) prediction within the
propagated covariance, a margin and the displacement a new stage could have built up
(:func:`_coast_match`) resumes it — the next stage after a coast (an SLV's 150 s, a
sounding rocket's 30 s).
"""

from __future__ import annotations

import numpy as np

from earlywarn.center.ir.geometry import _OMEGA, _median_rows, _unit
from earlywarn.center.ir.records import (
    BoolArray,
    FloatArray,
    IrEvent,
    IrParams,
    SatTrack,
    _EventState,
)
from earlywarn.center.kernels import median
from earlywarn.earth.gravity import accel_j2


def _ground(tr: SatTrack, sel: slice | BoolArray) -> tuple[FloatArray, FloatArray]:
    """Ground intersections (ECEF) of a track's lines of sight and their along-LOS sigma."""
    s, u, sig, lam = tr.sat_m[sel], tr.los[sel], tr.sigma_rad[sel], tr.ground_range_m[sel]
    g = s + lam[:, None] * u
    sin_el = np.minimum(np.maximum(-np.einsum("ij,ij->i", u, _unit(g)), 0.05), 1.0)
    return g, sig * lam / sin_el


def _anchors(tracks: list[SatTrack], params: IrParams) -> tuple[tuple[str, FloatArray, float], ...]:
    """Per satellite: the median ground point of its detections and the stationary radius.

    The radius is ``stationary_radius_m`` plus three ground sigmas of one detection.
    """
    out = []
    for sid in sorted({tr.sensor_id for tr in tracks}):
        parts = [_ground(tr, slice(None)) for tr in tracks if tr.sensor_id == sid]
        g = np.concatenate([x for x, _ in parts])
        sig = np.concatenate([y for _, y in parts])
        centre = _median_rows(g)
        out.append((sid, centre, params.stationary_radius_m + 3.0 * median(sig)))
    return tuple(out)


def _still_stationary(
    ev: _EventState, tracks: list[SatTrack], params: IrParams
) -> tuple[bool, int, float]:
    """Check a stationary event's new detections against its anchors (cheap, no fit).

    Returns (still stationary, run of detections outside, time checked up to). An event
    stops being stationary when ``stationary_escape_hits`` detections in a row fall outside
    their satellite's radius, or when a satellite without an anchor joins it.
    """
    anchors = {sid: (c, tol) for sid, c, tol in ev.anchors}
    t_parts: list[FloatArray] = []
    out_parts: list[BoolArray] = []
    for tr in tracks:
        if tr.sensor_id not in anchors:
            return False, 0, ev.checked_t_s
        # the new detections (a suffix of the history when its times are ordered)
        sel: slice | BoolArray
        if tr.ordered:
            sel = slice(int(np.searchsorted(tr.t_s, ev.checked_t_s, side="right")), None)
        else:
            sel = tr.t_s > ev.checked_t_s
        t_new = tr.t_s[sel]
        if t_new.shape[0] == 0:
            continue
        g = tr.sat_m[sel] + tr.ground_range_m[sel][:, None] * tr.los[sel]
        c, tol = anchors[tr.sensor_id]
        t_parts.append(t_new)
        out_parts.append(np.linalg.norm(g - c, axis=1) > tol)
    if not t_parts:
        return True, ev.escape, ev.checked_t_s
    if len(t_parts) == 1 and all(tr.ordered for tr in tracks):
        t_max = float(t_parts[0][-1])
        outside = out_parts[0].tolist()  # already in time order
    else:
        # in time order, ties in track order (a stable sort)
        hits = sorted(
            (
                hit
                for ts, os in zip(t_parts, out_parts, strict=True)
                for hit in zip(ts.tolist(), os.tolist(), strict=True)
            ),
            key=lambda hit: hit[0],
        )
        t_max = max(t for t, _ in hits)
        outside = [o for _, o in hits]
    run = ev.escape
    for o in outside:
        run = run + 1 if o else 0
        if run >= params.stationary_escape_hits:
            return False, 0, t_max
    return True, run, t_max


def _coast_predict(r: FloatArray, v: FloatArray, t0: FloatArray, times: FloatArray) -> FloatArray:
    """Ballistic (J2 gravity, Earth-fixed frame) positions ``(E, K, 3)`` at ``times (K,)``
    from ``E`` states ``(r, v)`` (each ``(E, 3)``) at their times ``t0 (E,)``.

    RK4 with 20 equal steps per target time, vectorised over the states and targets (each
    row the same bits whatever the others); over a 200 s coast the integration error is
    far below a metre.
    """
    n = 20
    n_e, n_k = r.shape[0], times.shape[0]
    h = (np.asarray(times, dtype=np.float64)[None, :] - t0[:, None]).reshape(-1, 1) / n
    x = np.repeat(r, n_k, axis=0)
    y = np.repeat(v, n_k, axis=0)

    w = float(_OMEGA[2])

    def acc(p: FloatArray, q: FloatArray) -> FloatArray:
        # g − 2 ω×q − ω×(ω×p) with ω = (0, 0, Ω), written out (np.cross is slow on small
        # arrays): the same products and sums as the cross products, so the same bits
        a = np.asarray(accel_j2(p))
        a[:, 0] += 2.0 * (w * q[:, 1])
        a[:, 0] += w * (w * p[:, 0])
        a[:, 1] -= 2.0 * (w * q[:, 0])
        a[:, 1] += w * (w * p[:, 1])
        return a

    for _ in range(n):
        k1x, k1v = y, acc(x, y)
        k2x, k2v = y + 0.5 * h * k1v, acc(x + 0.5 * h * k1x, y + 0.5 * h * k1v)
        k3x, k3v = y + 0.5 * h * k2v, acc(x + 0.5 * h * k2x, y + 0.5 * h * k2v)
        k4x, k4v = y + h * k3v, acc(x + h * k3x, y + h * k3v)
        x = x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return x.reshape(n_e, n_k, 3)


def _coast_matches(snaps: list[IrEvent], tr: SatTrack, params: IrParams) -> list[bool]:
    """Do the first detections of ``tr`` continue each burnt-out event of ``snaps`` after a
    coast? (the predictions of all of them in one integration, :func:`_coast_predict`)

    The event's last state is propagated ballistically to the detection times; the miss
    distance of each line of sight from the predicted point (perpendicular to the LOS)
    must be within ``coast_gate_sigma`` sigmas of the predicted position (state covariance
    carried linearly, r + v dt) plus ``coast_margin_m`` plus the displacement a new stage
    could have built up since just before its first detection.

    A state whose predicted position at the first detection is more uncertain than
    ``coast_max_sigma_m`` (1 sigma per axis) cannot be gated that way: its gate would take
    in any plume nearby, such as another launch of a raid, and resumes nothing. (A test
    on what the same satellite saw, the new line of sight within 5 km/s × the coast of
    where the event's track there ended, was tried for such states and dropped: a second
    SLBM of the same patrol area, launched 90 km away, passed it.)
    """
    k = min(tr.n, 6)
    t = tr.t_s[:k]
    out = [False] * len(snaps)
    # (None: not known, or not finite; see IrEvent)
    have = [
        i
        for i, x in enumerate(snaps)
        if x.r_ecef_m is not None and x.v_ecef_m_s is not None and x.cov is not None
    ]
    if not have:
        return out
    r = np.array([snaps[i].r_ecef_m for i in have])
    v = np.array([snaps[i].v_ecef_m_s for i in have])
    cov = np.array([snaps[i].cov for i in have])
    dt = t[None, :] - np.array([snaps[i].state_t_s for i in have])[:, None]
    dt0 = dt[:, 0]
    var_r = np.trace(cov[:, :3, :3], axis1=1, axis2=2) / 3.0
    var_v = np.trace(cov[:, 3:, 3:], axis1=1, axis2=2) / 3.0
    # quick rejection on the first detection: straight line, gravity (< 10 m/s²) as slack
    d0 = r + v * dt0[:, None] - tr.sat_m[0]
    miss0 = np.linalg.norm(d0 - (d0 @ tr.los[0])[:, None] * tr.los[0], axis=1)
    slack = 5.0 * dt0**2 + 10.0 * np.sqrt(np.trace(cov, axis1=1, axis2=2)) * (1.0 + dt0)
    ok = (
        np.all(dt > 0.0, axis=1)
        & (dt.max(axis=1) <= params.coast_max_s + params.track_gap_s)
        & (var_r + dt0 * dt0 * var_v <= params.coast_max_sigma_m**2)
        & (miss0 <= slack + params.coast_margin_m + 50e3)
    )
    live = [(have[n], float(var_r[n]), float(var_v[n])) for n in np.flatnonzero(ok).tolist()]
    if not live:
        return out
    sn = [snaps[i] for i, _, _ in live]
    ps = _coast_predict(
        np.array([x.r_ecef_m for x in sn]),
        np.array([x.v_ecef_m_s for x in sn]),
        np.array([x.state_t_s for x in sn]),
        t,
    )
    u = tr.los[:k]
    burn = t - t[0] + 2.0 * (float(np.median(np.diff(tr.t_s))) if tr.n > 1 else 2.0)
    allow = 0.5 * params.coast_max_accel_m_s2 * burn * burn
    for (i, var_r, var_v), snap, p in zip(live, sn, ps, strict=True):
        dt = t - snap.state_t_s
        d = p - tr.sat_m[:k]
        perp = d - np.einsum("ij,ij->i", d, u)[:, None] * u
        miss = np.linalg.norm(perp, axis=1)
        sig = np.sqrt(var_r + dt * dt * var_v + (tr.sigma_rad[:k] * np.linalg.norm(d, axis=1)) ** 2)
        gate = params.coast_gate_sigma * np.sqrt(2.0) * sig + params.coast_margin_m + allow
        out[i] = bool(np.all(miss <= gate))
    return out
