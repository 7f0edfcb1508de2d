"""Radar tracking for the center: the multi-target tracker over reports from many sites.

One :class:`~earlywarn.center.tracker.Tracker` holds every radar track in ECEF with the
ballistic J2 motion model (:class:`~earlywarn.center.motion.BallisticJ2`). Radar reports
are grouped into *scans*: the reports of one sensor with the same time stamp; each scan is
one tracker step with that site's measurement model (range, azimuth from north,
elevation, range rate; :class:`~earlywarn.center.measure.RadarENU`) built from the
report's own site columns. Scans are processed in time order (ties by sensor id), so
several radars feed the same tracks and several objects of one launch (re-entry vehicle,
spent stage) become separate tracks through GNN association.

A sensor with nothing to report sends nothing and causes no tracker step, so a track is
only "missed" by scans that detected something else. M-of-N initiation counts such scans;
with several radars and clutter the window (``window_scans``) is wider than for a single
radar. The initial velocity prior is wide (ballistic objects move at up to ~7 km/s).

Besides the tracker state this module keeps, per track, the ids of the sensors and the
report keys ``(sensor_id, seq)`` that updated it, so events can name their supporting
sensors and evaluation can trace reports to truth, and a radar-cross-section proxy per
sensor: the mean of ``10 log10(snr) + 40 log10(range)`` over the track's reports (the
radar equation with the sensor's constant left out, so it compares tracks only through
the same sensor). A re-entry vehicle is a far smaller radar target than the rocket body
it separated from (tenths of a square metre against several), which is how the
assessment tells the two apart (:func:`rcs_difference_db`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from earlywarn.center.measure import RadarENU
from earlywarn.center.motion import BallisticJ2
from earlywarn.center.tracker import Deletion, Gate, Initiation, Tracker, TrackerState

FloatArray = npt.NDArray[np.float64]

__all__ = ["RadarParams", "RadarTrack", "RadarTrackingState", "radar_step", "rcs_difference_db"]


@dataclass(frozen=True)
class RadarParams:
    """Tracker settings for ballistic objects seen by surveillance radars (SI).

    A re-entry vehicle at the edge of a radar's range is detected in a third of the scans
    or fewer, and a scan of any sensor counts in the M-of-N window, so the window is wide
    (3 of 10 scans) and a tentative track may coast 25 s (five 5 s revisits): the gate of
    a two-point track is set by its covariance, so the wide window costs little in false
    tracks (a false alarm rarely finds two more within a range-rate-consistent gate).

    ``q`` white acceleration PSD (m²/s³) for unmodelled drag and gravity harmonics;
    ``gate_probability`` of the chi-square gate; M-of-N with ``confirm_hits`` of
    ``window_scans``; ``velocity_sigma_m_s`` of the initial velocity prior;
    ``tentative_coast_s`` / ``confirmed_coast_s`` without update before deletion (at least
    two revisit periods, so a 5 s radar does not lose tentative tracks between scans).
    """

    q: float = 0.5
    gate_probability: float = 0.999
    confirm_hits: int = 3
    window_scans: int = 10
    velocity_sigma_m_s: float = 6000.0
    tentative_coast_s: float = 25.0
    confirmed_coast_s: float = 40.0
    max_step_s: float = 10.0

    def tracker(self) -> Tracker:
        """The tracker these settings describe (a frozen value; cheap to build)."""
        dummy = RadarENU(
            site_ecef_m=(6378137.0, 0.0, 0.0),
            rotation_enu=((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
            sigma_range_m=1.0,
            sigma_azimuth_rad=1e-3,
            sigma_elevation_rad=1e-3,
            sigma_range_rate_m_s=1.0,
        )
        return Tracker(
            motion=BallisticJ2(q=self.q, max_step_s=self.max_step_s),
            measurement=dummy,
            gate=Gate(self.gate_probability),
            initiation=Initiation(
                confirm_hits=self.confirm_hits,
                window_scans=self.window_scans,
                velocity_sigma_m_s=self.velocity_sigma_m_s,
                two_point=True,
                max_coast_s=self.tentative_coast_s,
            ),
            deletion=Deletion(self.confirmed_coast_s),
        )


@lru_cache(maxsize=8)
def _tracker(params: RadarParams) -> Tracker:
    return params.tracker()


@dataclass(frozen=True)
class RadarTrack:
    """A confirmed radar track as the center sees it at ``t_s`` (state ECEF, SI)."""

    track_id: int
    t_s: float
    x: FloatArray  # (6,)
    p: FloatArray  # (6, 6)
    first_t_s: float
    last_update_s: float
    n_updates: int
    sensor_ids: tuple[str, ...]
    report_keys: tuple[tuple[str, int], ...]
    rcs_db: tuple[tuple[str, float], ...] = ()  # (sensor, mean RCS proxy dB), see module doc


def rcs_difference_db(a: RadarTrack, b: RadarTrack) -> float | None:
    """RCS proxy of ``a`` minus that of ``b`` (dB): the mean of the per-sensor differences
    over the sensors both have a proxy from; None when they share none."""
    da, db = dict(a.rcs_db), dict(b.rcs_db)
    common = sorted(set(da) & set(db))
    if not common:
        return None
    return float(np.mean([da[s] - db[s] for s in common]))


@dataclass(frozen=True)
class _Meta:
    first_t_s: float
    n_updates: int
    sensor_ids: tuple[str, ...]
    report_keys: tuple[tuple[str, int], ...]
    rcs: tuple[tuple[str, float, int], ...] = ()  # (sensor, sum of proxy dB, count)


def _add_rcs(
    rcs: tuple[tuple[str, float, int], ...], sensor: str, v: float
) -> tuple[tuple[str, float, int], ...]:
    if not math.isfinite(v):
        return rcs
    d = {s: (a, n) for s, a, n in rcs}
    a, n = d.get(sensor, (0.0, 0))
    d[sensor] = (a + v, n + 1)
    return tuple((s, d[s][0], d[s][1]) for s in sorted(d))


@dataclass(frozen=True)
class RadarTrackingState:
    """The tracker state plus per-track bookkeeping (sorted by track id)."""

    tracker: TrackerState
    meta: tuple[tuple[int, _Meta], ...] = field(default=())

    @staticmethod
    def initial() -> RadarTrackingState:
        return RadarTrackingState(TrackerState.empty(0), ())


_NEEDED = (
    "sensor_id",
    "seq",
    "t_s",
    "site_lat_rad",
    "site_lon_rad",
    "site_h_m",
    "range_m",
    "azimuth_rad",
    "elevation_rad",
    "range_rate_m_s",
    "sigma_range_m",
    "sigma_azimuth_rad",
    "sigma_elevation_rad",
    "sigma_range_rate_m_s",
)


# the measurement model of one site (a frozen value, so shared across scans)
_site_model = lru_cache(maxsize=256)(RadarENU.at_geodetic)


def _scan_site(rows: FloatArray) -> tuple[float, ...]:
    """Site (first report's) and the median sigmas of one scan's rows ``(k, 7)``."""
    first = rows[0]
    if rows.shape[0] == 1 or bool(np.all(rows[:, 3:] == first[3:])):
        sig = first[3:]  # the median of equal values is that value
    else:
        sig = np.median(rows[:, 3:], axis=0)
    return (*first[:3].tolist(), *sig.tolist())


def _n_rows(cols: Mapping[str, npt.ArrayLike]) -> int:
    if not cols or "t_s" not in cols:
        return 0
    return int(np.asarray(cols["t_s"]).shape[0])


def radar_step(
    state: RadarTrackingState,
    radar: Mapping[str, npt.ArrayLike],
    t_s: float,
    params: RadarParams,
) -> tuple[RadarTrackingState, tuple[RadarTrack, ...]]:
    """Feed the radar reports ``radar`` (column dict, times ≤ ``t_s``) to the tracker.

    Returns the new state and the confirmed tracks updated within ``confirmed_coast_s``
    of ``t_s`` (each at its own last tracker time), sorted by id.
    """
    n = _n_rows(radar)
    if not n:
        # no reports: the state stands (an immutable value); only the output depends on t_s
        return state, _tracks(state.tracker, dict(state.meta), t_s, params)
    tracker = _tracker(params)
    ts = state.tracker
    meta = dict(state.meta)
    missing = [c for c in _NEEDED if c not in radar]
    if missing:
        raise ValueError(f"radar reports lack the columns {missing}")
    col = {c: np.asarray(radar[c]) for c in _NEEDED}
    snr = np.asarray(radar["snr"], dtype=np.float64) if "snr" in radar else np.full(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        proxy = 10.0 * np.log10(snr) + 40.0 * np.log10(np.asarray(col["range_m"], dtype=np.float64))
    t = col["t_s"].astype(np.float64)
    sid = col["sensor_id"].astype(str)
    seq = col["seq"].astype(np.int64)
    order = np.lexsort((seq, sid, t))
    # scan boundaries: a change of time or sensor
    t_o, s_o = t[order], sid[order]
    brk = np.flatnonzero((np.diff(t_o) != 0.0) | (s_o[1:] != s_o[:-1])) + 1
    z_all = np.stack(
        [col["range_m"], col["azimuth_rad"], col["elevation_rad"], col["range_rate_m_s"]],
        axis=1,
    ).astype(np.float64)
    good_all = np.all(np.isfinite(z_all), axis=1) & (z_all[:, 0] > 0.0)
    site = np.stack(
        [
            col["site_lat_rad"],
            col["site_lon_rad"],
            col["site_h_m"],
            col["sigma_range_m"],
            col["sigma_azimuth_rad"],
            col["sigma_elevation_rad"],
            col["sigma_range_rate_m_s"],
        ],
        axis=1,
    ).astype(np.float64)
    seq_l = seq.tolist()
    proxy_l = proxy.tolist()
    for grp in np.split(order, brk):
        if grp.size == 0:
            continue
        i0 = int(grp[0])
        tg = float(t[i0])
        if ts.n_tracks and tg < ts.time:
            continue  # out-of-order scan (late report): dropped, as a live feed would
        good = good_all[grp]
        if not good.any():
            continue
        mm = _site_model(*_scan_site(site[grp]))
        grp = grp[good]
        z = z_all[grp]
        ts, out = tracker.step(ts, z, tg, measurement_model=mm)
        s_name = str(sid[i0])
        for j, tid in enumerate(out.meas_track_id.tolist()):
            gj = int(grp[j])
            key = (s_name, seq_l[gj])
            pv = proxy_l[gj]
            old = meta.get(tid)
            if old is None:
                meta[tid] = _Meta(tg, 1, (s_name,), (key,), _add_rcs((), s_name, pv))
            else:
                sids = (
                    old.sensor_ids
                    if s_name in old.sensor_ids
                    else (tuple(sorted((*old.sensor_ids, s_name))))
                )
                meta[tid] = _Meta(
                    old.first_t_s,
                    old.n_updates + 1,
                    sids,
                    (*old.report_keys, key),
                    _add_rcs(old.rcs, s_name, pv),
                )
    alive = set(ts.ids.tolist())
    meta_t = tuple(sorted((k, v) for k, v in meta.items() if k in alive))
    new_state = RadarTrackingState(ts, meta_t)
    return new_state, _tracks(ts, dict(meta_t), t_s, params)


def _tracks(
    ts: TrackerState, md: dict[int, _Meta], t_s: float, params: RadarParams
) -> tuple[RadarTrack, ...]:
    """The confirmed tracks updated within ``confirmed_coast_s`` of ``t_s``, by id."""
    tracks: list[RadarTrack] = []
    for i in np.flatnonzero(ts.confirmed):
        tid = int(ts.ids[i])
        last = float(ts.last_update_s[i])
        if t_s - last > params.confirmed_coast_s or not math.isfinite(ts.time):
            continue
        m = md[tid]
        tracks.append(
            RadarTrack(
                track_id=tid,
                t_s=float(ts.time),
                x=np.array(ts.x[i]),
                p=np.array(ts.p[i]),
                first_t_s=m.first_t_s,
                last_update_s=last,
                n_updates=m.n_updates,
                sensor_ids=m.sensor_ids,
                report_keys=m.report_keys,
                rcs_db=tuple((sn, a / k) for sn, a, k in m.rcs if k),
            )
        )
    tracks.sort(key=lambda tr: tr.track_id)
    return tuple(tracks)
