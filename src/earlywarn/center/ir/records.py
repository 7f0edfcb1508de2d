"""The records of infrared launch detection: parameters, satellite tracks, events, state.

All values are immutable (frozen dataclasses; a track's history arrays are read-only views
of storage shared with its other versions, see :class:`_Rows`). Units are SI; angles in
radians; positions in ECEF metres.

The IR-event contract
---------------------
:class:`IrEventLike` is what the rest of the center reads of an IR event, and
:class:`IrEvent` is the detector's own implementation of it. One missing-value
convention holds for both: **a value that is not known is ``None``** — the launch time,
point, azimuth and their sigmas before the launch fit has run, the burnout and burn time
before burnout, and the state vectors ``r_ecef_m``, ``v_ecef_m_s`` and their covariance
``cov`` until the fit that gives them has enough points (a vector or covariance is
``None`` unless every element is finite). A float that is present is finite.

``None`` rather than NaN because the center's own records and its alerts already say
"not known" with ``None``; because a type checker then makes every reader handle the
missing case (a NaN passes silently through arithmetic and comparisons, and every
consumer used to map NaN to ``None`` at its door); and because "not yet estimable" is a
status of the event, not per-sample numerical trouble inside a batch (where the project
does use NaN). Inside the detector the estimates still carry NaN (they are numpy arrays
worked on in bulk); the conversion happens once, when the snapshot is built.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from earlywarn.center.gates import chi2_ppf

if TYPE_CHECKING:
    from earlywarn.center.ir.launch_fit import _LaunchFit, _MonoChi
    from earlywarn.center.ir.stereo import _Triangulated

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class IrStatus(StrEnum):
    """The status of an IR event (a ``str``: compares equal to its value)."""

    CANDIDATE = "candidate"  # seen, not yet judged
    BOOSTING = "boosting"  # a rising, accelerating plume: a launch (kept once given)
    STATIONARY = "stationary"  # a hot fixed source (fire, flare, sun glint)
    ORBITAL = "orbital"  # fast, unpowered, high: a satellite or a body in orbit
    ENDED = "ended"  # its tracks have ended (a stationary source keeps "stationary")


class IrDecision(StrEnum):
    """What one estimate judges an event to be: a status, or ``RISING`` (rose steadily
    without significant acceleration yet; not a status, but "boosting" if the plume goes
    out up high)."""

    CANDIDATE = "candidate"
    BOOSTING = "boosting"
    STATIONARY = "stationary"
    ORBITAL = "orbital"
    RISING = "rising"


@dataclass(frozen=True)
class IrParams:
    """Gates, windows and thresholds of infrared launch detection (SI units)."""

    gate_sigma: float = 5.0  # angular gate, in LOS sigmas
    max_apparent_speed_m_s: float = 8000.0  # for a track's second detection
    max_accel_m_s2: float = 150.0  # unmodelled acceleration allowed for in the gate
    confirm_hits: int = 4  # detections before a track may open an event
    tentative_gap_s: float = 10.0  # an unconfirmed track dies after this without a hit
    # a confirmed track ends after this without a hit: long enough to bridge the missed
    # frames of a faint upper stage (Pd ~ 0.3 per frame) and a short gap at staging
    track_gap_s: float = 24.0
    max_interp_gap_s: float = 3.0  # a LOS is interpolated only between detections this close
    stereo_gate_prob: float = 0.9999  # chi-square acceptance of a stereo association
    stereo_min_common: int = 3  # common times needed to test a stereo association
    stereo_window: int = 20  # most recent common times used in the test
    # an event's satellites are split when the median chi-square per degree of freedom
    # of its last ``stereo_window`` triangulated rows exceeds this (``stereo._stereo_broken``);
    # the track let go opens an event of its own if it joins none within split_rejoin_s
    stereo_split_row_chi2: float = 9.0
    split_rejoin_s: float = 40.0
    boost_min_frames: int = 8
    boost_min_span_s: float = 14.0
    boost_confirm_steps: int = 2  # consecutive steps that agree before a status is given
    boost_min_rise_m: float = 5000.0
    boost_min_accel_m_s2: float = 3.0  # specific (non-gravitational) acceleration
    boost_min_vz_m_s: float = 100.0
    # one satellite: the image must move this far within the decision window, seen in this
    # many frames (a glint cluster's sources scatter by ~3 km, and the association hops
    # between them: moves of 10–15 km back and forth over a few frames)
    mono_min_shift_m: float = 25_000.0
    mono_min_frames: int = 12
    stationary_radius_m: float = 5000.0
    # a one-satellite event (sun glint is seen by one satellite) is judged stationary from
    # this many frames; the status is then kept (no re-estimation) until the detections
    # leave the stationary area (``stationary_escape_hits`` in a row) or another satellite
    # joins
    stationary_min_frames: int = 5
    stationary_escape_hits: int = 3
    # a boosting event whose detections stopped (a stage burnt out) is resumed by a new
    # track within coast_max_s whose lines of sight pass its coasting (ballistic)
    # prediction: the coast between two stages (an SLV's 150 s, a sounding rocket's 30 s)
    coast_max_s: float = 200.0
    coast_gate_sigma: float = 4.0
    coast_margin_m: float = 10_000.0
    coast_max_accel_m_s2: float = 60.0  # thrust of the new stage before its first detection
    # and through that gate only from a state known well enough to say where the next
    # stage lights: the ballistic prediction's 1-sigma position uncertainty (per axis) at
    # the new track's first detection at most this. The coasts it is for (a stereo burnout
    # state, an SLV's 150 s coast) predict to ~20 km; a state fitted to mixed-up tracks in
    # a raid (velocity sigma of km/s) would otherwise take another launch's first plume
    coast_max_sigma_m: float = 50_000.0
    orbital_min_speed_m_s: float = 5000.0
    orbital_min_altitude_m: float = 100e3
    fit_window_s: float = 45.0  # the launch fit uses points this long after the first
    azimuth_window_s: float = 100.0  # the launch azimuth uses the ground track this long
    launch_model_sigma_m: float = 500.0  # ground-track model error, added to launch_sigma_m
    state_window_s: float = 45.0  # the state estimate fits the last this many seconds
    state_max_window_s: float = 90.0  # ... extended up to this to reach two satellites
    # prior one-sigma of the jerk in the state fit, whose state is wanted at burnout: a
    # stage's thrust acceleration v_e/(T − t) grows fastest at its end, jerk a²/v_e, 2.5 to
    # 11 m/s³ at the burnout of the catalog missiles' last stages (7 for icbm-solid's);
    # a 1 m/s³ prior held the fitted velocity ~85-110 m/s short along track (docs/design-notes)
    state_jerk_sigma_m_s3: float = 3.0
    decide_window_s: float = 60.0  # the status decision fits the last this many seconds
    t0_search_s: float = 150.0  # launch time searched this far before the first report
    t0_step_s: float = 0.5
    min_burnout_altitude_m: float = 10_000.0
    # an event's burn counts as truncated (IrEvent.burn_truncated) when each of its
    # satellites was dark (outage or degraded reported, or heartbeats overdue by more than
    # ``heartbeat_overdue`` periods) from this long before its last detection
    dark_margin_s: float = 10.0
    heartbeat_overdue: float = 2.5
    keep_ended_s: float = 30.0  # ended events are reported this long after they end
    max_history: int = 600  # points kept per satellite track
    max_report_keys: int = 16
    # a live boosting event is re-estimated (state and launch fit) at most this often, s of
    # data; in between only its evidence is updated (the fits change little per frame and
    # are most of the detector's cost). 0: every step with fresh data
    boost_reestimate_s: float = 3.0

    def __post_init__(self) -> None:
        for name in ("gate_sigma", "track_gap_s", "tentative_gap_s", "t0_step_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"IrParams.{name} must be > 0; got {getattr(self, name)}")
        if self.confirm_hits < 2:
            raise ValueError(f"IrParams.confirm_hits must be >= 2; got {self.confirm_hits}")
        if not 0.0 < self.stereo_gate_prob < 1.0:
            raise ValueError(
                f"IrParams.stereo_gate_prob must be in (0, 1); got {self.stereo_gate_prob}"
            )
        if self.stereo_min_common < 2:
            raise ValueError("IrParams.stereo_min_common must be >= 2")
        # the median of a window over the line puts half its rows over it
        half = (self.stereo_window + 1) // 2
        gate = chi2_ppf(self.stereo_gate_prob, self.stereo_window)
        if not half * self.stereo_split_row_chi2 > gate:
            raise ValueError(
                f"IrParams.stereo_split_row_chi2 must be above {gate / half:.3g} (a split "
                "pair must fail the stereo gate, or it merges again at once); got "
                f"{self.stereo_split_row_chi2}"
            )


class _Rows:
    """Append-only column storage of one track's detections, shared by its versions.

    A :class:`SatTrack` sees rows ``[stop − n, stop)``. Extending the newest version of a
    track writes row ``stop`` in place: every older version ends at or before it, so the
    values it sees never change (tracks stay immutable values). Extending any other
    version (a state stepped twice), or a full buffer, copies the rows still needed into a
    new, larger one. A detection then costs a few element writes instead of re-allocating
    every column of the history (most of the cost of a step with a long track).
    """

    __slots__ = ("inten", "los", "rng", "sat", "seq", "sig", "t", "used")

    def __init__(self, cap: int) -> None:
        self.t = np.empty(cap)
        self.los = np.empty((cap, 3))
        self.sat = np.empty((cap, 3))
        self.sig = np.empty(cap)
        self.inten = np.empty(cap)
        self.seq = np.empty(cap, dtype=np.int64)
        self.rng = np.empty(cap)
        self.used = 0  # rows written so far

    @property
    def capacity(self) -> int:
        return int(self.t.shape[0])

    def put(
        self,
        i: int,
        t: float,
        los: FloatArray,
        sat: FloatArray,
        sigma: float,
        inten: float,
        seq: int,
        rng: float,
    ) -> None:
        self.t[i] = t
        self.los[i] = los
        self.sat[i] = sat
        self.sig[i] = sigma
        self.inten[i] = inten
        self.seq[i] = seq
        self.rng[i] = rng
        self.used = i + 1


@dataclass(frozen=True, eq=False)
class SatTrack:
    """One satellite's 2-D detection track (its LOS history) plus its predictor.

    The history arrays are views of storage shared with the track's other versions (see
    :class:`_Rows`; never write to them); tracks are made by ``_new_track`` and ``_extend``.
    """

    track_id: int
    sensor_id: str
    t_s: FloatArray  # (n,)
    los: FloatArray  # (n, 3) unit LOS, ECEF
    sat_m: FloatArray  # (n, 3) satellite position, ECEF
    sigma_rad: FloatArray  # (n,)
    intensity_w_sr: FloatArray  # (n,)
    seq: IntArray  # (n,)
    ground_range_m: FloatArray  # (n,) range to the ellipsoid along each LOS (ray_hit_m, h=0)
    closed: bool  # no more detections will be associated
    # predictor: LOS(t) ≈ p + w (t − t_anchor) + a (t − t_anchor)² / 2, order 0/1/2
    p: FloatArray
    w: FloatArray
    a: FloatArray
    order: int
    span_s: float  # time span of the predictor's fit
    range_m: float  # range to the Earth along the last LOS (for gates)
    last_t: float  # time of the last detection
    n_times: int  # distinct detection times (frames)
    ordered: bool  # (time, seq) non-decreasing along the history (always, in practice)
    dropped: int  # detections dropped from the front of the history (max_history)
    rows: _Rows = field(repr=False)
    stop: int = field(repr=False)  # this version's rows end here in ``rows``

    @property
    def n(self) -> int:
        return int(self.t_s.shape[0])


class IrEventLike(Protocol):
    """The attributes of an IR event the rest of the center reads (:class:`IrEvent` is the
    detector's; stubs in tests are others). ``None``: not known (see the module doc)."""

    event_id: str
    status: str  # an IrStatus value
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool
    launch_time_s: float | None
    launch_time_sigma_s: float | None
    launch_lat_rad: float | None
    launch_lon_rad: float | None
    launch_sigma_m: float | None
    azimuth_rad: float | None
    azimuth_sigma_rad: float | None
    burnout_time_s: float | None
    burn_time_s: float | None
    class_probs: tuple[tuple[str, float], ...]
    r_ecef_m: npt.ArrayLike | None
    v_ecef_m_s: npt.ArrayLike | None
    cov: npt.ArrayLike | None
    track_t_s: npt.ArrayLike | None
    track_r_ecef_m: npt.ArrayLike | None
    report_keys: Sequence[tuple[str, int]]
    # the burn was cut short by a loss of coverage, not seen to end: burnout and burn
    # times are then lower bounds (see IrEvent)
    burn_truncated: bool


@dataclass(frozen=True, eq=False)
class IrEvent:
    """Snapshot of one infrared event (SI; angles in rad; ECEF positions).

    Implements :class:`IrEventLike`; ``None`` is "not known" (see the module doc)."""

    event_id: str
    status: IrStatus
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool
    launch_time_s: float | None  # None until the launch fit has run
    launch_time_sigma_s: float | None
    launch_lat_rad: float | None
    launch_lon_rad: float | None
    launch_sigma_m: float | None  # one-sigma per horizontal axis (RMS of east and north)
    azimuth_rad: float | None  # launch azimuth, clockwise from north, [0, 2π)
    azimuth_sigma_rad: float | None
    burnout_time_s: float | None  # None until burnout
    burn_time_s: float | None  # burnout − launch time: None without either
    class_probs: tuple[tuple[str, float], ...]
    state_t_s: float  # the time of r_ecef_m, v_ecef_m_s (the last stereo/placed point)
    r_ecef_m: FloatArray | None  # (3,) latest position estimate
    v_ecef_m_s: FloatArray | None  # (3,)
    cov: FloatArray | None  # (6, 6) of (r, v)
    track_t_s: FloatArray  # (m,) times of the estimated positions
    track_r_ecef_m: FloatArray  # (m, 3)
    report_keys: tuple[tuple[str, int], ...]  # (sensor_id, seq) of supporting reports
    # evidence: frames with a detection (summed over satellites) and the time they span.
    # A core should announce a candidate
    # only once it has persisted (e.g. n_frames >= 6 over span_s >= 8 s): a single frame
    # never makes an event, and sun glint turns "stationary" within ~10 frames.
    n_frames: int = 0
    span_s: float = 0.0
    # True when the event's detections stopped because coverage was lost rather than
    # because the plume went out (its satellites reported outage or degraded, or their
    # heartbeats stopped, within ``dark_margin_s`` of the last detection; or it was still
    # boosting below the burnout altitude every leading class reaches). burnout_time_s
    # and burn_time_s are then lower bounds, and the class probabilities treat the burn
    # time as censored (at least this long) and ignore the last state as a burnout state.
    burn_truncated: bool = False

    def most_likely_class(self) -> str:
        return max(self.class_probs, key=lambda kv: kv[1])[0]


@dataclass(frozen=True)
class _Caches:
    """What one estimate of an event leaves for the next (each reused only where it gives
    the same numbers as a recomputation; updated by ``estimate._next_caches``).

    ``launch``: the final stereo launch fit with its latitude and longitude (once its
    window is complete it no longer changes); ``fit_window``: the stereo fit over the
    first ``fit_window_s`` and the time of its first point; ``tri``: the triangulated
    rows (``stereo._Triangulated``); ``mono``: the mono fit's chi-squares
    (``launch_fit._MonoChi``)."""

    launch: tuple[_LaunchFit, float, float] | None = None
    fit_window: tuple[_LaunchFit, float] | None = None
    tri: _Triangulated | None = None
    mono: _MonoChi | None = None


_NO_CACHES = _Caches()


@dataclass(frozen=True, eq=False)
class _EventState:
    """One event as the detector carries it between steps (its snapshot is what it shows)."""

    event_id: str
    track_ids: tuple[int, ...]
    status: IrStatus  # the decided status while live
    votes: int  # consecutive steps agreeing on `pending`
    pending: IrDecision
    ended_t_s: float | None
    snapshot: IrEvent | None
    caches: _Caches = _NO_CACHES
    # sticky "stationary": per satellite (sensor id, ground centre ECEF, tolerance m), the
    # time up to which detections were checked, and the run of detections outside
    anchors: tuple[tuple[str, FloatArray, float], ...] = ()
    checked_t_s: float = -math.inf
    escape: int = 0
    estimated_t_s: float = -math.inf  # data time of the last estimate (-inf: none since a split)


@dataclass(frozen=True, eq=False)
class IrState:
    """Everything :func:`ir_step` carries from one step to the next."""

    t_s: float
    next_track_id: int
    next_event_id: int
    tracks: tuple[SatTrack, ...]
    events: tuple[_EventState, ...]
    sensors: tuple[SensorLight, ...] = ()  # what the status reports said, per sensor
    # tracks a split let go (step._split_broken), with the time they were let go: they
    # join an event that passes the stereo test, or after ``split_rejoin_s`` open their own
    loose: tuple[tuple[int, float], ...] = ()

    @staticmethod
    def initial(t_s: float = -math.inf) -> IrState:
        """An empty state; the first step accepts reports with time after ``t_s``."""
        return IrState(t_s=float(t_s), next_track_id=1, next_event_id=1, tracks=(), events=())


@dataclass(frozen=True)
class SensorLight:
    """One sensor's coverage as its status reports tell it (times in s).

    ``dark_since``: when its current run of outage/degraded reports began (None: its last
    report said ok); ``last_dark_t_s``: the last time it was seen dark (−inf: never);
    ``heartbeat_t_s``/``period_s``: its last heartbeat and the interval it announced.
    """

    sensor_id: str
    dark_since: float | None
    last_dark_t_s: float
    heartbeat_t_s: float
    period_s: float

    def dark_after(self, t_s: float, now_s: float, overdue: float) -> bool:
        """Was the sensor dark at some time in ``[t_s, now_s]``?"""
        if self.dark_since is not None or self.last_dark_t_s >= t_s:
            return True
        due = self.heartbeat_t_s + overdue * self.period_s
        return math.isfinite(due) and due < now_s
