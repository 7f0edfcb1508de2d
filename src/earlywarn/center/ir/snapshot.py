"""Snapshots: the :class:`~earlywarn.center.ir.records.IrEvent` an event shows after a step.

:func:`_snapshot` turns an estimate into the event's public record: launch time, point
and azimuth with their sigmas (the launch point's one-sigma adds the ground-track model
error ``launch_model_sigma_m``), the burnout and burn time, the class probabilities
(:func:`~earlywarn.center.ir.decide._class_probs`), the state and a thinned track of at
most ~200 points. It is where the IR-event missing-value convention is applied: the
estimates' NaN ("not estimable") becomes ``None`` (:func:`_known`, :func:`_known_array`).
:func:`_refresh` updates only the evidence of an event that is not re-estimated.
"""

from __future__ import annotations

import math

import numpy as np

from earlywarn.center._records import evolve
from earlywarn.center.ir.decide import _class_probs
from earlywarn.center.ir.estimate import _Estimate
from earlywarn.center.ir.records import FloatArray, IrEvent, IrParams, IrStatus, SatTrack
from earlywarn.center.ir.state_fit import _burnout_equivalent
from earlywarn.center.landsea import surface_at
from earlywarn.earth.frames import ecef_to_geodetic


def _report_keys(tracks: list[SatTrack], keep: int) -> tuple[tuple[str, int], ...]:
    """(sensor, seq) of an event's reports in (time, sensor, seq) order (ties: track order,
    then history order); of more than ``keep``, the first ``keep // 4`` and the last rest.

    A track already in (time, seq) order (:attr:`SatTrack.ordered`) can only have its
    first ``keep // 4`` and last rest among those: only they are sorted.
    """
    head = max(keep // 4, 1)
    tail = keep - head
    if len(tracks) == 1 and tracks[0].ordered:
        # one track in (time, seq) order: the sorted order is the history's
        tr = tracks[0]
        seqs = tr.seq.tolist() if tr.n <= keep else tr.seq[:head].tolist() + tr.seq[-tail:].tolist()
        return tuple((tr.sensor_id, q) for q in seqs)
    names = sorted({tr.sensor_id for tr in tracks})
    total = sum(tr.n for tr in tracks)
    rows: list[tuple[float, int, int, int]] = []  # (t, sensor code, seq, position)
    pos = 0
    for tr in tracks:
        code = names.index(tr.sensor_id)
        n = tr.n
        if total > keep and tail > 0 and tr.ordered and n > keep:
            parts = [(0, head), (n - tail, n)]
        else:
            parts = [(0, n)]
        for a, b in parts:
            rows.extend(
                zip(
                    tr.t_s[a:b].tolist(),
                    [code] * (b - a),
                    tr.seq[a:b].tolist(),
                    range(pos + a, pos + b),
                    strict=True,
                )
            )
        pos += n
    rows.sort()
    if total > keep:
        rows = rows[:head] + rows[-tail:]
    return tuple((names[c], q) for _, c, q, _ in rows)


def _ro(a: np.ndarray) -> FloatArray:
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


def _known(x: float | None) -> float | None:
    """``x``, or None when it is not known (None or not finite)."""
    return x if x is not None and math.isfinite(x) else None


def _known_array(a: np.ndarray) -> FloatArray | None:
    """A read-only copy of ``a``, or None unless every element is finite."""
    return _ro(a) if bool(np.all(np.isfinite(a))) else None


def _snapshot(
    event_id: str,
    tracks: list[SatTrack],
    est: _Estimate,
    status: IrStatus,
    burnout_window: tuple[float | None, float],
    params: IrParams,
    truncated: bool = False,
) -> IrEvent:
    """The public record of an event from its tracks and latest estimate.

    ``burnout_window``: the burnout time (None before burnout) and the burn window after
    the last detection; at burnout the state is the ballistic state that flies on after
    the unseen end of the burn (:func:`~earlywarn.center.ir.state_fit._burnout_equivalent`).
    ``truncated``: the burn was cut short by a loss of coverage: the burn time is then
    censored (at least ``burnout − t0``) in the class probabilities, and the last state
    is not used as a burnout state (nor made one)."""
    burnout, window = burnout_window
    r_s, v_s, cov6 = est.r, est.v, est.cov9[:6, :6]
    if (
        burnout is not None
        and not truncated
        and window > 0.0
        and np.all(np.isfinite(est.a))
        and np.all(np.isfinite(est.cov9))
    ):
        r_s, v_s, cov6 = _burnout_equivalent(est.r, est.v, est.a, est.cov9, window)
    first_t = min(float(tr.t_s[0]) if tr.ordered else float(tr.t_s.min()) for tr in tracks)
    last_t = max(tr.last_t if tr.ordered else float(tr.t_s.max()) for tr in tracks)
    lf = est.launch
    t0 = lf.t0 if lf is not None else math.nan
    burn = burnout - t0 if (burnout is not None and lf is not None) else None
    tau_now = last_t - t0 if lf is not None else None
    burn_seen = burn  # the burn time as a class feature: censored (a lower bound) if cut
    if truncated and burn is not None:
        burn_seen, tau_now = None, burn
    burn_sig = (lf.t0_sigma if lf is not None else 10.0) + 0.5 * est.median_dt
    bo_feat: tuple[float, float, float] | None = None
    if burnout is not None and not truncated and est.stereo and np.all(np.isfinite(v_s)):
        speed = float(np.linalg.norm(v_s))
        up = r_s / np.linalg.norm(r_s)
        gamma = math.asin(max(-1.0, min(1.0, float(v_s @ up) / speed)))
        _, _, alt = ecef_to_geodetic(r_s)
        bo_feat = (speed, float(alt), gamma)
    surface = "unknown"
    if lf is not None and math.isfinite(est.launch_lat):
        # land or sea only when the launch point is clearly inside: 3 sigma and 20 km
        # (the shipped 1:110m coastline is generalised by up to ~10 km)
        sig_l = math.sqrt(0.5 * (lf.var_e + lf.var_n) + params.launch_model_sigma_m**2)
        if sig_l < 50e3:
            surface = surface_at(est.launch_lat, est.launch_lon, max(20e3, 3.0 * sig_l))
    probs = _class_probs(tau_now, burn_seen, burn_sig, est.log10_int, bo_feat, surface)
    m = est.t.shape[0]
    step = max(1, -(-m // 200))
    sel = np.arange(m - 1, -1, -step)[::-1]
    track_t, track_r = est.t[sel], est.pts[sel]
    if m == 0 or est.state_t > float(est.t[-1]):
        # the fused center reads the state time as the last track time: keep them equal
        track_t = np.append(track_t, est.state_t)
        track_r = np.vstack([track_r, r_s[None, :]])
    n_frames = sum(tr.n_times for tr in tracks)
    return IrEvent(
        event_id=event_id,
        status=status,
        first_t_s=first_t,
        last_t_s=last_t,
        n_reports=sum(tr.n for tr in tracks),
        sensor_ids=tuple(sorted({tr.sensor_id for tr in tracks})),
        stereo=est.stereo,
        launch_time_s=_known(t0),
        launch_time_sigma_s=_known(lf.t0_sigma) if lf is not None else None,
        launch_lat_rad=_known(est.launch_lat),
        launch_lon_rad=_known(est.launch_lon),
        launch_sigma_m=(
            _known(math.sqrt(0.5 * (lf.var_e + lf.var_n) + params.launch_model_sigma_m**2))
            if lf is not None
            else None
        ),
        azimuth_rad=_known(lf.az) if lf is not None else None,
        azimuth_sigma_rad=_known(lf.az_sigma) if lf is not None else None,
        burnout_time_s=_known(burnout),
        burn_time_s=_known(burn),
        class_probs=probs,
        state_t_s=est.state_t,
        r_ecef_m=_known_array(r_s),
        v_ecef_m_s=_known_array(v_s),
        cov=_known_array(cov6),
        track_t_s=_ro(track_t),
        track_r_ecef_m=_ro(track_r),
        report_keys=_report_keys(tracks, params.max_report_keys),
        n_frames=n_frames,
        span_s=last_t - first_t,
        burn_truncated=truncated,
    )


def _refresh(snap: IrEvent, tracks: list[SatTrack], params: IrParams) -> IrEvent:
    """An event's snapshot with only its evidence (reports, frames, span) updated: a
    stationary source, or a boosting event between re-estimates."""
    t_first = min(snap.first_t_s, min(float(tr.t_s[0]) for tr in tracks))
    t_last = max(tr.last_t for tr in tracks)
    return evolve(
        snap,
        last_t_s=t_last,
        first_t_s=t_first,
        n_reports=sum(tr.n for tr in tracks),
        sensor_ids=tuple(sorted({tr.sensor_id for tr in tracks})),
        report_keys=_report_keys(tracks, params.max_report_keys),
        n_frames=sum(tr.n_times for tr in tracks),
        span_s=t_last - t_first,
    )
