"""Infrared launch detection: from satellite line-of-sight reports to launch events.

A pure step function over immutable values::

    params = IrParams()
    state = IrState.initial()
    for t, ir in batches:                  # ir: IR report columns with t_s in (prev t, t]
        state, events = ir_step(state, ir, t, params)

``events`` is the current snapshot of every live event (and, for ``keep_ended_s``, of
events that have just ended). Same reports in the same order give bit-identical output:
no randomness, no set or dict iteration whose order could vary, deterministic tie breaks.

What one step does
------------------
1. **Per-satellite association.** Reports are taken frame by frame (``sensor_id``,
   ``frame_id``, in arrival order). Every live 2-D track of that satellite predicts its
   line of sight (LOS) at the detection times from a local polynomial (constant LOS for
   one point, constant angular rate for 2–5, constant angular acceleration for ≥ 6) and
   gates on the angle between predicted and measured LOS. The gate is
   ``k σ c + margin`` with the apparent-motion margin of a rocket at up to
   ``max_apparent_speed_m_s`` (new tracks) or with up to ``max_accel_m_s2`` of unmodelled
   acceleration (older tracks), both divided by the range to the Earth along the LOS
   (8 km/s at 36,000 km is 2.2e-4 rad/s). Nearest neighbour, greedy on the normalised
   distance (ties broken by track then detection index), computed on the whole
   tracks × detections matrix at once. Left-over detections start new tracks.
2. **Stereo association.** A confirmed track of one satellite is tested against the
   tracks of other satellites: the other track's LOS is interpolated onto this track's
   times (frames need not be simultaneous), and for each time the miss distance ``d`` of
   the two lines of sight (along their common normal) is compared with its sigma
   ``σ_d² = (σ_a ρ_a)² + (σ_b ρ_b)²``; ``Σ d²/σ_d²`` must pass a chi-square test with one
   degree of freedom per common time. Events that pass are merged (the older keeps its id).
3. **Triangulation.** With rays from ≥ 2 satellites at a time, the weighted
   least-squares intersection minimises ``Σ_i |(I − u_i u_iᵀ)(x − s_i)|² / (σ_i ρ_i)²``;
   its covariance is ``(Σ_i (I − u_i u_iᵀ)/(σ_i ρ_i)²)⁻¹`` (small-angle errors, two passes
   to update the ranges ``ρ_i``). With one satellite (mono), points are placed along each
   LOS at the prior altitude of :func:`earlywarn.center.priors.boost_altitude_m`.
4. **Launch fit.** Altitude and the two horizontal coordinates of the ground track (in a
   local east-north frame) are fitted over the early boost as
   ``y(τ) = y_L + c₂τ² + c₃τ³`` with ``τ = t − t₀``: a rocket leaves the pad vertically, so
   the altitude starts at zero and neither altitude nor ground track has a linear term at
   ``τ = 0``. The launch time ``t₀`` is found on a grid (vectorised) and refined by a
   parabola through the chi-square minimum (sigma from its curvature, inflated by
   ``√(χ²/dof)`` when the fit is worse than the noise); ``(e_L, n_L)`` is the launch point
   and the direction of the fitted ground displacement the launch azimuth. In mono the
   altitude is the prior's, ``t₀`` adds the prior on the delay to first detection, and the
   class profile is chosen by the same cost.
5. **Decide.** Stereo: boosting = several frames, altitude rising by more than
   ``boost_min_rise_m``, upward speed and non-gravitational (specific) acceleration both
   significant (3 σ) — from a weighted quadratic fit of the last ``state_window_s`` of
   points with their full covariances. Stationary = everything within
   ``stationary_radius_m`` (+3 σ). Orbital = fast, unpowered, high. Mono: the ground
   intersections of the LOS must move by more than ``mono_min_shift_m`` with significant
   acceleration (a rising rocket's image accelerates); stationary when they stay within
   the radius. A decision needs ``boost_confirm_steps`` consecutive agreeing steps and
   ``boost_min_frames`` frames spanning ``boost_min_span_s``; "boosting" is then kept.
   One-satellite events (sun glint is seen by one satellite) are judged stationary from
   ``stationary_min_frames`` (5) frames when their ground points neither spread nor drift
   (a rising rocket's image moves steadily away from the satellite). "Stationary" is then
   kept without re-estimation: each new detection is only checked against the ground
   centre and radius of its satellite, and the event becomes a candidate again after
   ``stationary_escape_hits`` detections in a row outside, or when another satellite
   joins. A stationary event whose tracks end keeps the status "stationary". A boosting
   event is re-estimated at most every ``boost_reestimate_s`` of data (at once when a
   satellite joins, and when it ends); in between only its evidence is updated.
6. **Burnout and class.** An event ends when all its tracks have gone ``track_gap_s``
   without a detection. If it was boosting and its last altitude was above
   ``min_burnout_altitude_m``, the burnout time is the last detection plus half a revisit.
   A stereo event that rose steadily but ended before its acceleration was significant
   (an SRBM seen for ~20 s) is boosting too when its plume went out above that altitude.
   A burnt-out event is kept (not shown) for ``coast_max_s``: a newly confirmed track
   whose first lines of sight pass its ballistic (J2) prediction within the propagated
   covariance, a margin and the displacement a new stage could have built up, resumes
   it — the next stage after a coast (an SLV's 150 s, a sounding rocket's 30 s).
   Class probabilities: naive Bayes over :mod:`earlywarn.center.priors` with burn time
   (censored while still burning), intensity, and at burnout the speed, altitude and
   flight-path angle (stereo), and whether the launch point is at sea or on land
   (:mod:`earlywarn.center.landsea`, only when it is 20 km and 3 σ from the coast).

Approximations and their size: ground tracks are fitted in a flat east-north frame at
the first sub-point (azimuth unaffected; a 300 km track is stretched by < 0.1 %); the
launch site is assumed at zero height (a site 1 km up biases ``t₀`` by a few seconds and
the launch point by well under a kilometre in stereo); the mono placement surface is the
ellipsoid inflated by ``h`` (differs from constant geodetic height by tens of metres).

Sources: Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001) — chi-square gating (§2.4), nearest-neighbour association, NEES; Hartley
& Zisserman, *Multiple View Geometry* (2nd ed., 2003) §12 — triangulation by midpoint /
least squares.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import log_ndtr
from scipy.stats import chi2 as chi2_dist

from earlywarn.center._records import evolve
from earlywarn.center.landsea import surface_at
from earlywarn.center.priors import (
    CLASSES,
    PRIORS,
    boost_altitude_m,
    first_detection_delay_s,
)
from earlywarn.earth.constants import A_M, B_M, OMEGA_RAD_S
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from earlywarn.earth.gravity import accel_j2

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "IR_INPUT_COLUMNS",
    "STATUSES",
    "IrEvent",
    "IrParams",
    "IrState",
    "SatTrack",
    "empty_ir",
    "ir_step",
    "triangulate",
]

STATUSES = ("candidate", "boosting", "stationary", "orbital", "ended")

IR_INPUT_COLUMNS: tuple[str, ...] = (
    "sensor_id",
    "seq",
    "t_s",
    "los_x",
    "los_y",
    "los_z",
    "sat_x_m",
    "sat_y_m",
    "sat_z_m",
    "sigma_rad",
    "intensity_w_sr",
    "frame_id",
)
"""The columns :func:`ir_step` reads (others, e.g. ``snr`` or ``schema``, are ignored)."""
_FLOAT_COLUMNS = tuple(k for k in IR_INPUT_COLUMNS if k not in ("sensor_id", "seq", "frame_id"))

_OMEGA = np.array([0.0, 0.0, OMEGA_RAD_S])

HORIZONTAL_POWERS: tuple[int, int] = (3, 4)
"""Powers of τ in the ground-track model ``y_L + c τ^3 + d τ^4`` of the launch fit.

A rocket rises vertically for several seconds and then pitches over gradually, so its
ground displacement grows from rest with neither a linear nor (in practice) a quadratic
term: fitted to the stage-1 part of the flown trajectories of every ballistic class in
the vehicle catalog, this model extrapolates back to the launch point within 0.4 km,
where ``c₂τ² + c₃τ³`` is off by 1–4 km (the τ² term soaks up the pitch-over delay).
"""
_NAN3 = np.full(3, np.nan)


# ---------------------------------------------------------------------------------------
# parameters, state, events
# ---------------------------------------------------------------------------------------


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
    boost_min_frames: int = 8
    boost_min_span_s: float = 14.0
    boost_confirm_steps: int = 2  # consecutive steps that agree before a status is given
    boost_min_rise_m: float = 5000.0
    boost_min_accel_m_s2: float = 3.0  # specific (non-gravitational) acceleration
    boost_min_vz_m_s: float = 100.0
    mono_min_shift_m: float = 10_000.0
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
    orbital_min_speed_m_s: float = 5000.0
    orbital_min_altitude_m: float = 100e3
    fit_window_s: float = 45.0  # the launch fit uses points this long after the first
    azimuth_window_s: float = 100.0  # the launch azimuth uses the ground track this long
    launch_model_sigma_m: float = 500.0  # ground-track model error, added to launch_sigma_m
    state_window_s: float = 45.0  # the state estimate fits the last this many seconds
    state_max_window_s: float = 90.0  # ... extended up to this to reach two satellites
    # prior one-sigma of the jerk in the state fit: a stage's thrust acceleration grows
    # from ~30 to ~80 m/s² over ~60 s (≈1 m/s³)
    state_jerk_sigma_m_s3: float = 1.0
    decide_window_s: float = 60.0  # the status decision fits the last this many seconds
    t0_search_s: float = 150.0  # launch time searched this far before the first report
    t0_step_s: float = 0.5
    min_burnout_altitude_m: float = 10_000.0
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
    ground_range_m: FloatArray  # (n,) range to the ellipsoid along each LOS (_ray_hit, h=0)
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


@dataclass(frozen=True, eq=False)
class IrEvent:
    """Snapshot of one infrared event (SI; angles in rad; ECEF positions)."""

    event_id: str
    status: str  # one of STATUSES
    first_t_s: float
    last_t_s: float
    n_reports: int
    sensor_ids: tuple[str, ...]
    stereo: bool
    launch_time_s: float  # NaN until estimable
    launch_time_sigma_s: float
    launch_lat_rad: float
    launch_lon_rad: float
    launch_sigma_m: float  # one-sigma per horizontal axis (RMS of east and north)
    azimuth_rad: float  # launch azimuth, clockwise from north, [0, 2π)
    azimuth_sigma_rad: float
    burnout_time_s: float | None
    burn_time_s: float | None
    class_probs: tuple[tuple[str, float], ...]
    state_t_s: float  # the time of r_ecef_m, v_ecef_m_s (the last stereo/placed point)
    r_ecef_m: FloatArray  # (3,) latest position estimate
    v_ecef_m_s: FloatArray  # (3,)
    cov: FloatArray  # (6, 6) of (r, v)
    track_t_s: FloatArray  # (m,) times of the estimated positions
    track_r_ecef_m: FloatArray  # (m, 3)
    report_keys: tuple[tuple[str, int], ...]  # (sensor_id, seq) of supporting reports
    # evidence: frames with a detection (summed over satellites) and the time they span.
    # A core should announce a candidate
    # only once it has persisted (e.g. n_frames >= 6 over span_s >= 8 s): a single frame
    # never makes an event, and sun glint turns "stationary" within ~10 frames.
    n_frames: int = 0
    span_s: float = 0.0

    def most_likely_class(self) -> str:
        return max(self.class_probs, key=lambda kv: kv[1])[0]


@dataclass(frozen=True, eq=False)
class _EventState:
    event_id: str
    track_ids: tuple[int, ...]
    status: str  # the decided status while live
    votes: int  # consecutive steps agreeing on `pending`
    pending: str
    ended_t_s: float | None
    snapshot: IrEvent | None
    launch_cache: tuple[_LaunchFit, float, float] | None = None
    fit_cache: tuple[_LaunchFit, float] | None = None
    # sticky "stationary": per satellite (sensor id, ground centre ECEF, tolerance m), the
    # time up to which detections were checked, and the run of detections outside
    anchors: tuple[tuple[str, FloatArray, float], ...] = ()
    checked_t_s: float = -math.inf
    escape: int = 0
    estimated_t_s: float = -math.inf  # data time of the last estimate
    tri_cache: _Triangulated | None = None  # the last estimate's triangulation
    mono_cache: _MonoChi | None = None  # the last mono launch fit's chi-squares


@dataclass(frozen=True, eq=False)
class IrState:
    """Everything :func:`ir_step` carries from one step to the next."""

    t_s: float
    next_track_id: int
    next_event_id: int
    tracks: tuple[SatTrack, ...]
    events: tuple[_EventState, ...]

    @staticmethod
    def initial(t_s: float = -math.inf) -> IrState:
        """An empty state; the first step accepts reports with time after ``t_s``."""
        return IrState(t_s=float(t_s), next_track_id=1, next_event_id=1, tracks=(), events=())


def empty_ir() -> dict[str, np.ndarray]:
    """An empty IR column dict (for steps with no reports)."""
    out: dict[str, np.ndarray] = {}
    for k in IR_INPUT_COLUMNS:
        if k == "sensor_id":
            out[k] = np.array([], dtype=object)
        elif k in ("seq", "frame_id"):
            out[k] = np.array([], dtype=np.int64)
        else:
            out[k] = np.array([], dtype=np.float64)
    return out


# ---------------------------------------------------------------------------------------
# geometry helpers
# ---------------------------------------------------------------------------------------


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def _rows3(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    """``np.stack([x, y, z], axis=1)`` (the same C-ordered array) without its overhead."""
    out = np.empty((x.shape[0], 3))
    out[:, 0] = x
    out[:, 1] = y
    out[:, 2] = z
    return out


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate`` that returns a single part itself (read it, do not write it)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


_SMALL_MEDIAN = 64  # up to this many values: sort a list (np.median costs ~15 µs a call)


def _median(x: FloatArray) -> float:
    """``float(np.median(x))`` of a 1-D array, bit for bit: the middle value, or the mean
    ``(a + b) / 2`` of the middle two (what np.median's mean computes); NaN if any is NaN."""
    if x.shape[0] > _SMALL_MEDIAN or x.shape[0] == 0:
        return float(np.median(x))
    v = sorted(x.tolist())
    if any(map(math.isnan, v)):
        return math.nan
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2.0


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """``np.cross`` of ``(k, 3)`` or ``(3,)`` arrays (same operations, so the same bits)
    without its axis handling, which costs more than the arithmetic for a few vectors."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a1 * b2 - a2 * b1
    out[..., 1] = a2 * b0 - a0 * b2
    out[..., 2] = a0 * b1 - a1 * b0
    return out


def _ray_hit(s: FloatArray, u: FloatArray, h_m: FloatArray | float) -> FloatArray:
    """Distance along rays ``s + λu`` to the ellipsoid inflated by ``h`` (near side).

    Where the ray misses that surface the closest approach to it is used instead.
    """
    a = A_M + np.asarray(h_m, dtype=np.float64)
    b = B_M + np.asarray(h_m, dtype=np.float64)
    sx, sy, sz = s[..., 0] / a, s[..., 1] / a, s[..., 2] / b
    ux, uy, uz = u[..., 0] / a, u[..., 1] / a, u[..., 2] / b
    qa = ux * ux + uy * uy + uz * uz
    qb = sx * ux + sy * uy + sz * uz
    qc = sx * sx + sy * sy + sz * sz - 1.0
    disc = qb * qb - qa * qc
    root = np.sqrt(np.maximum(disc, 0.0))
    lam = np.where(disc >= 0.0, (-qb - root) / qa, -qb / qa)
    return np.asarray(lam, dtype=np.float64)


def _ray_hit_ground_py(s: FloatArray, u: FloatArray) -> list[float]:
    """``_ray_hit(s, u, 0.0)`` in Python floats, for the few reports of one step: the same
    IEEE operations in the same order, so the same bits (tested); numpy's per-call
    overhead would be most of the cost."""
    a, b = A_M + 0.0, B_M + 0.0
    out = []
    for (px, py, pz), (dx, dy, dz) in zip(s.tolist(), u.tolist(), strict=True):
        sx, sy, sz = px / a, py / a, pz / b
        ux, uy, uz = dx / a, dy / a, dz / b
        qa = ux * ux + uy * uy + uz * uz
        qb = sx * ux + sy * uy + sz * uz
        qc = sx * sx + sy * sy + sz * sz - 1.0
        disc = qb * qb - qa * qc
        out.append((-qb - math.sqrt(disc)) / qa if disc >= 0.0 else -qb / qa)
    return out


def triangulate(
    sat_m: FloatArray, los: FloatArray, sigma_rad: FloatArray, valid: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """Weighted least-squares intersection of rays, vectorised over leading dimensions.

    ``sat_m``, ``los``: ``(..., R, 3)`` ray origins and unit directions; ``sigma_rad``,
    ``valid``: ``(..., R)``. Returns the point ``(..., 3)``, its covariance
    ``(..., 3, 3)``, the chi-square of the residuals ``(...,)`` (``2R − 3`` degrees of
    freedom) and the number of rays ``(...,)``. Fewer than two rays give NaN.
    """
    w_ok = valid.astype(np.float64)
    nray = valid.sum(axis=-1).astype(np.int64)
    eye = np.eye(3)
    m = eye - los[..., :, None] * los[..., None, :]  # (..., R, 3, 3) projectors
    rho = np.linalg.norm(sat_m, axis=-1) - A_M  # first guess of the ranges
    good = nray >= 2
    for _ in range(2):
        w = np.where(valid, w_ok / (sigma_rad * rho) ** 2, 0.0)
        amat = np.einsum("...r,...rij->...ij", w, m)
        bvec = np.einsum("...r,...rij,...rj->...i", w, m, sat_m)
        amat_safe = np.where(good[..., None, None], amat, eye)
        x = np.linalg.solve(amat_safe, bvec[..., None])[..., 0]
        rho = np.where(valid, np.linalg.norm(x[..., None, :] - sat_m, axis=-1), 1.0)
    w = np.where(valid, w_ok / (sigma_rad * rho) ** 2, 0.0)
    amat = np.einsum("...r,...rij->...ij", w, m)
    amat_safe = np.where(good[..., None, None], amat, eye)
    cov = np.linalg.inv(amat_safe)
    res = np.einsum("...rij,...rj->...ri", m, x[..., None, :] - sat_m)
    chi2 = np.einsum("...r,...ri,...ri->...", w, res, res)
    x = np.where(good[..., None], x, np.nan)
    cov = np.where(good[..., None, None], cov, np.nan)
    chi2 = np.where(good, chi2, np.nan)
    return x, cov, chi2, nray


def _interp_rays(
    tr: SatTrack, times: FloatArray, max_gap_s: float | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """A track's rays at ``times`` (linear interpolation inside its span).

    With ``max_gap_s``, only between detections at most that far apart: across a longer
    gap the LOS of an accelerating rocket bends (8 s at 60 m/s² is ~0.5 km off a chord).
    """
    t = tr.t_s
    valid = (times >= t[0]) & (times <= t[-1])
    if tr.n == 1:
        idx = np.zeros(times.shape, dtype=np.int64)
        f = np.zeros(times.shape)
        valid = valid & (times == t[0])
        i0 = i1 = idx
    else:
        # (np.minimum/np.maximum: np.clip's wrapper costs more than the clipping here)
        i1 = np.minimum(np.maximum(np.searchsorted(t, times, side="left"), 1), tr.n - 1)
        i0 = i1 - 1
        exact = t[i1] == times
        f = np.where(exact, 1.0, (times - t[i0]) / (t[i1] - t[i0]))
        f = np.minimum(np.maximum(f, 0.0), 1.0)
        if max_gap_s is not None:
            valid = valid & (exact | (t[i0] == times) | (t[i1] - t[i0] <= max_gap_s))
    g = f[:, None]
    u = _unit((1.0 - g) * tr.los[i0] + g * tr.los[i1])
    s = (1.0 - g) * tr.sat_m[i0] + g * tr.sat_m[i1]
    sig = np.maximum(tr.sigma_rad[i0], tr.sigma_rad[i1]) * np.sqrt((1.0 - f) ** 2 + f**2)
    return s, u, sig, valid


# ---------------------------------------------------------------------------------------
# per-satellite association
# ---------------------------------------------------------------------------------------


def _fit_predictor(
    t: FloatArray, los: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, int, float]:
    """Local polynomial LOS predictor anchored at the last time (see SatTrack).

    A least-squares fit of LOS(τ) ≈ p + w τ (+ a τ²/2) to the last (up to) 8 detections,
    τ = t − t_last (seconds relative to the last point: well conditioned). Every extended
    track refits, so the 2×2 / 3×3 normal equations are solved in closed form on Python
    floats (numpy.linalg's per-call overhead dominated); a nearly singular system (repeated
    times) takes :func:`_fit_predictor_np` (LU solve, else least squares).
    """
    n = t.shape[0]
    if n == 1:
        zero = np.zeros(3)
        return los[-1].copy(), zero, zero, 0, 0.0
    k = min(n, 8)
    tt = t[-k:] - t[-1]
    order = 2 if n >= 6 else 1
    basis = np.empty((k, order + 1))  # columns 1, τ (, τ²/2)
    basis[:, 0] = 1.0
    basis[:, 1] = tt
    if order == 2:
        basis[:, 2] = 0.5 * tt * tt
    nmat = (basis.T @ basis).tolist()
    rhs = (basis.T @ los[-k:]).tolist()  # rows: the moments of each basis function
    span = -float(tt[0])
    if order == 1:
        (s0, s1), (_, s2) = nmat
        det = s0 * s2 - s1 * s1
        if not det > _FIT_SINGULAR * s0 * s2:
            return _fit_predictor_np(t, los)
        p = [(s2 * b0 - s1 * b1) / det for b0, b1 in zip(*rhs, strict=True)]
        w = [(s0 * b1 - s1 * b0) / det for b0, b1 in zip(*rhs, strict=True)]
        return np.array(p), np.array(w), np.zeros(3), 1, span
    # symmetric N = [[s0, s1, sh], [s1, s2, sth], [sh, sth, shh]]: inverse by cofactors
    (s0, s1, sh), (_, s2, sth), (_, _, shh) = nmat
    c00 = s2 * shh - sth * sth
    c01 = sh * sth - s1 * shh
    c02 = s1 * sth - s2 * sh
    c11 = s0 * shh - sh * sh
    c12 = s1 * sh - s0 * sth
    c22 = s0 * s2 - s1 * s1
    det = s0 * c00 + s1 * c01 + sh * c02
    if not det > _FIT_SINGULAR * s0 * s2 * shh:
        return _fit_predictor_np(t, los)
    cols = list(zip(*rhs, strict=True))
    p = [(c00 * b0 + c01 * b1 + c02 * b2) / det for b0, b1, b2 in cols]
    w = [(c01 * b0 + c11 * b1 + c12 * b2) / det for b0, b1, b2 in cols]
    a = [(c02 * b0 + c12 * b1 + c22 * b2) / det for b0, b1, b2 in cols]
    return np.array(p), np.array(w), np.array(a), 2, span


# A normal matrix whose determinant is at most this fraction of the product of its
# diagonal (its Hadamard bound) is treated as singular by the closed-form predictor fit.
_FIT_SINGULAR = 1e-9


def _fit_predictor_np(
    t: FloatArray, los: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, int, float]:
    """:func:`_fit_predictor` with numpy.linalg (LU solve, least squares if singular):
    the general path, taken for nearly singular fits, and the reference in tests."""
    n = t.shape[0]
    k = min(n, 8)
    tt = t[-k:] - t[-1]
    yy = los[-k:]
    zero = np.zeros(3)
    if n == 1:
        return los[-1].copy(), zero, zero, 0, 0.0
    order = 2 if n >= 6 else 1
    basis = np.empty((k, order + 1))  # columns 1, τ (, τ²/2)
    basis[:, 0] = 1.0
    basis[:, 1] = tt
    if order == 2:
        basis[:, 2] = 0.5 * tt * tt
    nmat = basis.T @ basis
    try:
        coef = np.linalg.solve(nmat, basis.T @ yy)
    except np.linalg.LinAlgError:
        coef, *_ = np.linalg.lstsq(basis, yy, rcond=None)
    acc = coef[2] if order == 2 else zero
    return coef[0], coef[1], acc, order, float(-tt[0])


def _track_view(
    tr_id: int,
    sensor_id: str,
    rows: _Rows,
    start: int,
    stop: int,
    pred: tuple[FloatArray, FloatArray, FloatArray, int, float],
    n_times: int,
    ordered: bool,
    dropped: int,
) -> SatTrack:
    """The track version that sees rows ``[start, stop)`` of ``rows`` (open)."""
    sl = slice(start, stop)
    t_s = rows.t[sl]
    p, w, a, order, span = pred
    return SatTrack(
        track_id=tr_id,
        sensor_id=sensor_id,
        t_s=t_s,
        los=rows.los[sl],
        sat_m=rows.sat[sl],
        sigma_rad=rows.sig[sl],
        intensity_w_sr=rows.inten[sl],
        seq=rows.seq[sl],
        ground_range_m=rows.rng[sl],
        closed=False,
        p=p,
        w=w,
        a=a,
        order=order,
        span_s=span,
        range_m=float(rows.rng[stop - 1]),
        last_t=float(rows.t[stop - 1]),
        n_times=n_times,
        ordered=ordered,
        dropped=dropped,
        rows=rows,
        stop=stop,
    )


def _new_track(
    track_id: int,
    sensor_id: str,
    t: float,
    los: FloatArray,
    sat: FloatArray,
    sigma: float,
    inten: float,
    seq: int,
    range_m: float,
) -> SatTrack:
    rows = _Rows(8)
    rows.put(0, t, los, sat, sigma, inten, seq, range_m)
    zero = np.zeros(3)
    return _track_view(
        track_id, sensor_id, rows, 0, 1, (los.copy(), zero, zero.copy(), 0, 0.0), 1, True, 0
    )


def _extend(
    tr: SatTrack,
    t: float,
    los: FloatArray,
    sat: FloatArray,
    sigma: float,
    inten: float,
    seq: int,
    range_m: float,
    max_history: int,
) -> SatTrack:
    """``tr`` with one more detection; only the last ``max_history`` are kept."""
    n_new = min(tr.n + 1, max_history)
    rows, stop = tr.rows, tr.stop
    if rows.used != stop or stop == rows.capacity:
        # not the newest version, or full: copy the rows still needed
        keep = n_new - 1
        new = _Rows(2 * n_new + 8)
        src = slice(stop - keep, stop)
        new.t[:keep] = rows.t[src]
        new.los[:keep] = rows.los[src]
        new.sat[:keep] = rows.sat[src]
        new.sig[:keep] = rows.sig[src]
        new.inten[:keep] = rows.inten[src]
        new.seq[:keep] = rows.seq[src]
        new.rng[:keep] = rows.rng[src]
        rows, stop = new, keep
    rows.put(stop, t, los, sat, sigma, inten, seq, range_m)
    start = stop + 1 - n_new
    tt = rows.t[start : stop + 1]
    ordered = tr.ordered and (t > tr.last_t or (t == tr.last_t and seq >= int(tr.seq[-1])))
    if ordered:
        # distinct times: one more unless this frame repeats the last time, minus those
        # that dropped out of the history (a value shared with the kept head still counts)
        n_times = tr.n_times + (t != tr.last_t)
        if n_new <= tr.n:
            gone = tr.t_s[: tr.n + 1 - n_new]
            n_times -= _n_times(gone) - int(float(gone[-1]) == float(tt[0]))
    else:
        n_times = _n_times(tt)
    pred = _fit_predictor(tt, rows.los[start : stop + 1])
    dropped = tr.dropped + tr.n + 1 - n_new
    out = _track_view(
        tr.track_id, tr.sensor_id, rows, start, stop + 1, pred, n_times, ordered, dropped
    )
    return replace(out, closed=True) if tr.closed else out


_PY_ASSOC_MAX = 24  # up to this many (track, detection) pairs: plain Python
_PY_RAY_HIT_MAX = 32  # up to this many reports in a step: ground ranges in plain Python


def _greedy_pairs(ranked: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Greedy nearest neighbour: take the (track, detection) pairs best first, skipping
    those whose track or detection is already taken."""
    used_t: set[int] = set()
    used_d: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, j in ranked:
        if i in used_t or j in used_d:
            continue
        used_t.add(i)
        used_d.add(j)
        pairs.append((i, j))
    return pairs


def _associate_frame_py(
    tracks: list[SatTrack],
    t: FloatArray,
    los: FloatArray,
    sigma: FloatArray,
    rng_m: FloatArray,
    params: IrParams,
) -> list[tuple[int, int]]:
    """:func:`_associate_frame` for a few tracks and detections, in Python floats (the same
    gate and greedy nearest-neighbour order; numpy's per-call overhead dominates here)."""
    tl, ll, sl, rl = t.tolist(), los.tolist(), sigma.tolist(), rng_m.tolist()
    v_max, a_max, gs = params.max_apparent_speed_m_s, params.max_accel_m_s2, params.gate_sigma
    cand: list[tuple[float, int, int]] = []
    for i, tr in enumerate(tracks):
        px, py, pz = tr.p.tolist()
        wx, wy, wz = tr.w.tolist()
        ax, ay, az = tr.a.tolist()
        t0, order, span, rng = tr.last_t, tr.order, tr.span_s, tr.range_m
        sig_tr = float(tr.sigma_rad[-1])
        scale = math.sqrt(2.0) if order == 0 else (2.0 if order == 1 else 3.0)
        for j, tj in enumerate(tl):
            dt = tj - t0
            h = 0.5 * dt * dt
            qx, qy, qz = px + wx * dt + ax * h, py + wy * dt + ay * h, pz + wz * dt + az * h
            qn = math.sqrt(qx * qx + qy * qy + qz * qz)
            lx, ly, lz = ll[j]
            d = math.sqrt((lx - qx / qn) ** 2 + (ly - qy / qn) ** 2 + (lz - qz / qn) ** 2)
            r = min(rng, rl[j])
            if order == 0:
                margin = v_max / r * abs(dt)
            else:
                margin = 0.5 * a_max / r * (abs(dt) + 0.5 * span) ** 2
            gate = gs * max(sig_tr, sl[j]) * scale + margin
            if d <= gate:
                cand.append((d / gate, i, j))
    cand.sort()
    return _greedy_pairs((i, j) for _, i, j in cand)


def _associate_frame(
    tracks: list[SatTrack],
    t: FloatArray,
    los: FloatArray,
    sigma: FloatArray,
    rng_m: FloatArray,
    params: IrParams,
) -> list[tuple[int, int]]:
    """Nearest-neighbour pairs (track index, detection index) for one frame."""
    if not tracks or t.shape[0] == 0:
        return []
    if len(tracks) * t.shape[0] <= _PY_ASSOC_MAX:
        return _associate_frame_py(tracks, t, los, sigma, rng_m, params)
    p = np.stack([tr.p for tr in tracks])
    w = np.stack([tr.w for tr in tracks])
    a = np.stack([tr.a for tr in tracks])
    t_anchor = np.array([tr.last_t for tr in tracks])
    order = np.array([tr.order for tr in tracks])
    span = np.array([tr.span_s for tr in tracks])
    rng = np.array([tr.range_m for tr in tracks])
    sig_tr = np.array([tr.sigma_rad[-1] for tr in tracks])
    dt = t[None, :] - t_anchor[:, None]  # (T, D)
    pred = p[:, None, :] + w[:, None, :] * dt[..., None] + 0.5 * a[:, None, :] * dt[..., None] ** 2
    pred = _unit(pred)
    d = np.linalg.norm(los[None, :, :] - pred, axis=-1)  # chord ≈ angle
    sig = np.maximum(sig_tr[:, None], sigma[None, :])
    r = np.minimum(rng[:, None], rng_m[None, :])
    rate_margin = params.max_apparent_speed_m_s / r * np.abs(dt)
    acc_margin = 0.5 * params.max_accel_m_s2 / r * (np.abs(dt) + 0.5 * span[:, None]) ** 2
    scale = np.where(order == 0, math.sqrt(2.0), np.where(order == 1, 2.0, 3.0))[:, None]
    gate = params.gate_sigma * sig * scale + np.where(order[:, None] == 0, rate_margin, acc_margin)
    ok = d <= gate
    if not ok.any():
        return []
    ti, di = np.nonzero(ok)
    cost = d[ti, di] / gate[ti, di]
    orderk = np.lexsort((di, ti, cost))
    return _greedy_pairs(zip(ti[orderk].tolist(), di[orderk].tolist(), strict=True))


# ---------------------------------------------------------------------------------------
# stereo association
# ---------------------------------------------------------------------------------------


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
    return c2 <= float(chi2_dist.ppf(params.stereo_gate_prob, dof))


# ---------------------------------------------------------------------------------------
# fits
# ---------------------------------------------------------------------------------------


def _alt_fit_grid(t: FloatArray, h: FloatArray, var: FloatArray, t0: FloatArray) -> FloatArray:
    """Chi-square over a t0 grid of ``h = c₂s² + c₃s³`` with ``c₂, c₃ ≥ 0``.

    The vertical acceleration of a boosting rocket, ``2c₂ + 6c₃τ``, is positive over the
    early boost; without the sign constraint a negative c₂ lets a much earlier t0 fit the
    same points. Two-parameter non-negative least squares in closed form: the unconstrained
    solution if feasible, else the better of the two one-parameter fits.
    """
    s = np.maximum(t[None, :] - t0[:, None], 0.0) / 100.0
    b2, b3 = s * s, s * s * s
    w = 1.0 / var
    n22 = b2 * b2 @ w
    n33 = b3 * b3 @ w
    n23 = b2 * b3 @ w
    r2 = b2 @ (w * h)
    r3 = b3 @ (w * h)
    det = n22 * n33 - n23 * n23
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (n33 * r2 - n23 * r3) / det
        c3 = (n22 * r3 - n23 * r2) / det
        c2_only = np.maximum(r2 / n22, 0.0)
        c3_only = np.maximum(r3 / n33, 0.0)
    hw = float(h @ (w * h))

    def chi(a2: FloatArray, a3: FloatArray) -> FloatArray:
        return np.asarray(
            hw - 2 * (a2 * r2 + a3 * r3) + a2 * a2 * n22 + 2 * a2 * a3 * n23 + a3 * a3 * n33
        )

    ok = (c2 >= 0) & (c3 >= 0) & np.isfinite(c2) & np.isfinite(c3)
    full = np.where(ok, chi(np.where(ok, c2, 0.0), np.where(ok, c3, 0.0)), np.inf)
    zero = np.zeros_like(c2_only)
    return np.asarray(np.minimum(full, np.minimum(chi(c2_only, zero), chi(zero, c3_only))))


def _ground_basis(t: FloatArray, t0: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The ground-track model's basis ``1, s^p, s^q`` (``s = (t − t0)/100 s``, ``(p, q)``
    the :data:`HORIZONTAL_POWERS`) for every t0 of a grid: ``(G, K, 3)``, and the two
    powers again as contiguous ``(K, G)`` arrays (for :func:`_normal_grid`)."""
    s_kg = np.maximum(t[:, None] - t0[None, :], 0.0) / 100.0
    p, q = HORIZONTAL_POWERS
    bp, bq = s_kg**p, s_kg**q
    basis = np.stack([np.ones((t0.shape[0], t.shape[0])), bp.T, bq.T], axis=-1)
    return basis, bp, bq


def _normal_grid(
    w: FloatArray, y: FloatArray, basis: FloatArray, bp: FloatArray, bq: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Normal matrices ``Σ_k w b_i b_j`` ``(G, 3, 3)`` and right-hand sides ``Σ_k w b_i y``
    ``(G, 3)`` of the ground-track basis (:func:`_ground_basis`) over a grid.

    Bit for bit ``np.einsum("k,gkp,gkq->gpq", w, basis, basis)`` and
    ``np.einsum("k,gkp,k->gp", w, basis, y)`` (tested): the same products ``(w b_i) b_j``,
    summed over k in order (numpy reduces the leading axis of a ``(K, G)`` array row by
    row), with the unit column's terms exact. Several times faster: the einsum's inner
    loops run over 3-element axes. One grid point (G = 1, where numpy would sum pairwise)
    uses the einsum itself.
    """
    g = basis.shape[0]
    if g < 2:
        return (
            np.einsum("k,gkp,gkq->gpq", w, basis, basis),
            np.einsum("k,gkp,k->gp", w, basis, y),
        )
    w_col = w[:, None]
    wp, wq = w_col * bp, w_col * bq
    w_sum = wy_sum = 0.0
    for wk, yk in zip(w.tolist(), y.tolist(), strict=True):
        w_sum += wk
        wy_sum += wk * yk
    nmat = np.empty((g, 3, 3))
    nmat[:, 0, 0] = w_sum
    nmat[:, 0, 1] = nmat[:, 1, 0] = np.add.reduce(wp, axis=0)
    nmat[:, 0, 2] = nmat[:, 2, 0] = np.add.reduce(wq, axis=0)
    nmat[:, 1, 1] = np.add.reduce(wp * bp, axis=0)
    nmat[:, 1, 2] = np.add.reduce(wp * bq, axis=0)
    nmat[:, 2, 1] = np.add.reduce(wq * bp, axis=0)
    nmat[:, 2, 2] = np.add.reduce(wq * bq, axis=0)
    y_col = y[:, None]
    rvec = np.empty((g, 3))
    rvec[:, 0] = wy_sum
    rvec[:, 1] = np.add.reduce(wp * y_col, axis=0)
    rvec[:, 2] = np.add.reduce(wq * y_col, axis=0)
    return nmat, rvec


_INV3_NUMPY_MAX = 8  # up to this many matrices numpy.linalg.inv is faster than cofactors


def _inv3(m: FloatArray) -> FloatArray:
    """Inverses of a stack of 3×3 matrices ``(G, 3, 3)``.

    By cofactors, vectorised over the stack: for the few hundred matrices of a launch-time
    grid several times faster than numpy.linalg.inv (which solves them one by one); as
    accurate for these well-scaled normal matrices (agreement tested). A few matrices
    take numpy.linalg.inv, whose fixed overhead is then smaller."""
    if m.shape[0] <= _INV3_NUMPY_MAX:
        return np.asarray(np.linalg.inv(m), dtype=np.float64)
    a, b, c = m[:, 0, 0], m[:, 0, 1], m[:, 0, 2]
    d, e, f = m[:, 1, 0], m[:, 1, 1], m[:, 1, 2]
    g, h, i = m[:, 2, 0], m[:, 2, 1], m[:, 2, 2]
    adj = np.empty(m.shape)
    adj[:, 0, 0] = e * i - f * h
    adj[:, 0, 1] = c * h - b * i
    adj[:, 0, 2] = b * f - c * e
    adj[:, 1, 0] = f * g - d * i
    adj[:, 1, 1] = a * i - c * g
    adj[:, 1, 2] = c * d - a * f
    adj[:, 2, 0] = d * h - e * g
    adj[:, 2, 1] = b * g - a * h
    adj[:, 2, 2] = a * e - b * d
    det = a * adj[:, 0, 0] + b * adj[:, 1, 0] + c * adj[:, 2, 0]
    return adj / det[:, None, None]


def _poly_fit_grid(
    t: FloatArray,
    y: FloatArray,
    var: FloatArray,
    t0: FloatArray,
    grid_basis: tuple[FloatArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fit ``y = c0 + c_p s^p + c_q s^q`` with ``s = (t − t0)/100 s`` for every t0 on a grid,
    ``(p, q)`` the :data:`HORIZONTAL_POWERS` of the ground-track model.

    ``grid_basis``: :func:`_ground_basis` of ``(t, t0)``, when already at hand.
    Returns coefficients ``(G, P)``, their covariances ``(G, P, P)`` and chi-square ``(G,)``.
    """
    basis, bp, bq = grid_basis if grid_basis is not None else _ground_basis(t, t0)
    wgt = 1.0 / var
    nmat, rvec = _normal_grid(wgt, y, basis, bp, bq)
    nmat = nmat + 1e-12 * np.eye(nmat.shape[-1])
    cov = _inv3(nmat)
    coef = np.einsum("gpq,gq->gp", cov, rvec)
    res = y[None, :] - np.einsum("gkp,gp->gk", basis, coef)
    chi2 = np.einsum("k,gk->g", wgt, res * res)
    return coef, cov, chi2


@dataclass(frozen=True)
class _LaunchFit:
    t0: float
    t0_sigma: float
    e: float
    n: float
    var_e: float
    var_n: float
    az: float
    az_sigma: float
    chi2: float
    disp_m: float  # horizontal displacement from the launch point at the last fitted point


def _refine(grid: FloatArray, cost: FloatArray) -> tuple[float, float, int]:
    """Parabolic refinement of a grid minimum: (t*, sigma from Δχ² = 1, index)."""
    i = int(np.argmin(cost))
    step = float(grid[1] - grid[0]) if grid.shape[0] > 1 else 1.0
    if 0 < i < grid.shape[0] - 1:
        c_m, c_0, c_p = cost[i - 1], cost[i], cost[i + 1]
        curv = c_m - 2.0 * c_0 + c_p
        if curv > 0:
            off = 0.5 * (c_m - c_p) / curv
            sigma = step * math.sqrt(2.0 / curv)
            return float(grid[i] + off * step), sigma, i
    return float(grid[i]), step * 10.0, i


def _launch_at(
    t: FloatArray,
    e: FloatArray,
    n: FloatArray,
    var_hor: tuple[FloatArray, FloatArray],
    t0: float,
    t0_sig: float,
    scale: float,
    dedn_dt0: tuple[float, float],
    chi2: float,
) -> _LaunchFit:
    """Launch point and azimuth from the ground-track fit at a given launch time."""
    one = np.array([t0])
    ce1, cove1, _ = _poly_fit_grid(t, e, var_hor[0], one)
    cn1, covn1, _ = _poly_fit_grid(t, n, var_hor[1], one)
    # marginalise over t0: add (∂c0/∂t0 σ_t0)²
    var_e = float(cove1[0, 0, 0]) * scale + (dedn_dt0[0] * t0_sig) ** 2
    var_n = float(covn1[0, 0, 0]) * scale + (dedn_dt0[1] * t0_sig) ** 2
    s_l = max(float(t[-1]) - t0, 0.0) / 100.0
    bvec = np.array([0.0, s_l ** HORIZONTAL_POWERS[0], s_l ** HORIZONTAL_POWERS[1]])
    d_e = float(bvec @ ce1[0])
    d_n = float(bvec @ cn1[0])
    v_de = float(bvec @ cove1[0] @ bvec) * scale
    v_dn = float(bvec @ covn1[0] @ bvec) * scale
    dd = d_e * d_e + d_n * d_n
    az = math.atan2(d_e, d_n) % (2.0 * math.pi)
    az_sig = math.sqrt(d_n * d_n * v_de + d_e * d_e * v_dn) / dd if dd > 0 else math.pi
    return _LaunchFit(
        t0=t0,
        t0_sigma=t0_sig,
        e=float(ce1[0, 0]),
        n=float(cn1[0, 0]),
        var_e=var_e,
        var_n=var_n,
        az=az,
        az_sigma=min(az_sig, math.pi),
        chi2=chi2,
        disp_m=math.sqrt(dd),
    )


def _launch_fit(
    t: FloatArray,
    e: FloatArray,
    n: FloatArray,
    h: FloatArray,
    var: tuple[FloatArray, FloatArray, FloatArray],
    grid: FloatArray,
) -> _LaunchFit:
    """Joint launch-time / launch-point fit of stereo points over a grid of launch times."""
    gb = _ground_basis(t, grid)
    ce, _, chi_e = _poly_fit_grid(t, e, var[0], grid, gb)
    cn, _, chi_n = _poly_fit_grid(t, n, var[1], grid, gb)
    chi_h = _alt_fit_grid(t, h, var[2], grid)
    cost = chi_e + chi_n + chi_h
    t0, t0_sig, i = _refine(grid, cost)
    dof = max(3 * t.shape[0] - 9, 1)
    scale = max(1.0, float(cost[i]) / dof)
    t0_sig *= math.sqrt(scale)
    j0, j1 = max(i - 1, 0), min(i + 1, grid.shape[0] - 1)
    dtg = float(grid[j1] - grid[j0]) or 1.0
    slopes = (float(ce[j1, 0] - ce[j0, 0]) / dtg, float(cn[j1, 0] - cn[j0, 0]) / dtg)
    return _launch_at(t, e, n, (var[0], var[1]), t0, t0_sig, scale, slopes, float(cost[i]))


def _kinematic_fit(
    t: FloatArray, pts: FloatArray, covs: FloatArray, t_ref: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Weighted quadratic fit of positions with full covariances (GLS).

    Returns r, v, a at ``t_ref`` and the (9, 9) covariance of (r, v, a).
    """
    tau = t - t_ref
    k = t.shape[0]
    # the design of point k is [c_0 I, c_1 I, c_2 I] with c = (1, τ, τ²/2): block (i, j)
    # of the normal matrix is Σ_k c_i c_j W_k, block i of the right-hand side Σ_k c_i W_k x_k
    c = np.stack([np.ones(k), tau, 0.5 * tau * tau], axis=1)  # (K, 3)
    wmat = _inv3(covs)
    cc = (c[:, :, None] * c[:, None, :]).reshape(k, 9)
    nmat = (cc.T @ wmat.reshape(k, 9)).reshape(3, 3, 3, 3).transpose(0, 2, 1, 3).reshape(9, 9)
    rvec = (c.T @ np.einsum("kab,kb->ka", wmat, pts)).reshape(9)
    cov = np.asarray(np.linalg.inv(nmat + 1e-18 * np.eye(9)), dtype=np.float64)
    x = cov @ rvec
    return x[0:3], x[3:6], x[6:9], cov


def _perp_basis(u: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Two unit vectors perpendicular to each unit vector of ``u`` (K, 3) and to each other."""
    ref = np.where(np.abs(u[:, 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = _unit(_cross(u, ref))
    return e1, _cross(u, e1)


def _ray_state_fit(
    tracks: list[SatTrack], r_guess: FloatArray, params: IrParams
) -> tuple[float, FloatArray, FloatArray, FloatArray] | None:
    """Position and velocity at the last detection from the lines of sight themselves.

    A polynomial per ECEF axis ``x(τ) = r + vτ + aτ²/2 + jτ³/6`` (``τ = t − t_last``) is
    fitted over the last ``state_window_s`` to every detection of every satellite of the
    event, by minimising the angular residuals ``e_k·(x(t_j) − s_j) / (σ_j ρ_j)`` along two
    axes ``e_k`` perpendicular to each LOS (linear in the coefficients; two passes update
    the ranges ρ). Frames need not be simultaneous, no LOS is interpolated across the
    missed frames of a faint upper stage, and a smooth model averages the noise far
    better than differencing triangulated points. The window is widened (up to
    ``state_max_window_s``) until two satellites have three detections each. Cubic with
    ≥ 8 detections, else quadratic. The covariance is the inverse normal matrix, inflated
    by χ²/dof when the fit is worse than the noise (model error, e.g. a staging in the
    window). Returns ``(t_last, r, v, cov6)`` or None without two satellites.
    """
    t_end = max(tr.last_t if tr.ordered else float(tr.t_s.max()) for tr in tracks)
    lo = t_end - params.state_window_s
    per_sensor: dict[str, float] = {}
    for tr in tracks:
        if tr.n >= 3:
            third = float(tr.t_s[-3])
            per_sensor[tr.sensor_id] = max(per_sensor.get(tr.sensor_id, -math.inf), third)
    thirds = sorted(per_sensor.values(), reverse=True)
    if len(thirds) < 2:
        return None
    lo = max(min(lo, thirds[1]), t_end - params.state_max_window_s)
    # the detections at or after lo, track by track (a suffix of an ordered history)
    sels = [
        slice(int(np.searchsorted(tr.t_s, lo, side="left")), None) if tr.ordered else tr.t_s >= lo
        for tr in tracks
    ]
    used = [(tr, sel) for tr, sel in zip(tracks, sels, strict=True) if tr.t_s[sel].shape[0]]
    if len({tr.sensor_id for tr, _ in used}) < 2:
        return None
    tau = _cat([tr.t_s[sel] for tr, sel in used]) - t_end
    sat = _cat([tr.sat_m[sel] for tr, sel in used])
    u = _cat([tr.los[sel] for tr, sel in used])
    sig = _cat([tr.sigma_rad[sel] for tr, sel in used])
    k = tau.shape[0]
    deg = 3 if k >= 8 else 2
    npar = 3 * (deg + 1)
    if 2 * k <= npar:
        return None
    e1, e2 = _perp_basis(u)
    proj = np.stack([e1, e2], axis=1)  # (K, 2, 3)
    powers = np.stack([tau**i / math.factorial(i) for i in range(deg + 1)], axis=1)  # (K, D)
    # design: A[k, m, 3i + c] = proj[k, m, c] τ_k^i / i!
    # the two residual rows of each detection as rows of one (2K, P) system (matmuls)
    design = (proj[:, :, None, :] * powers[:, None, :, None]).reshape(2 * k, npar)
    obs = np.einsum("kmc,kc->km", proj, sat).reshape(2 * k)
    d = r_guess[None, :] - sat
    rho = np.sqrt(np.einsum("kc,kc->k", d, d))
    jerk_prior = 1.0 / params.state_jerk_sigma_m_s3**2
    x = np.zeros(npar)
    nmat = np.eye(npar)
    for _ in range(2):
        w = np.repeat(1.0 / (sig * rho), 2)
        aw = design * w[:, None]
        bw = obs * w
        nmat = aw.T @ aw
        if deg == 3:  # prior: |jerk| of order state_jerk_sigma (zero-mean)
            nmat[(9, 10, 11), (9, 10, 11)] += jerk_prior
        rhs = aw.T @ bw
        try:
            x = np.linalg.solve(nmat, rhs)
        except np.linalg.LinAlgError:
            return None
        d = powers @ x.reshape(deg + 1, 3) - sat
        rho = np.sqrt(np.einsum("kc,kc->k", d, d))
    res = aw @ x - bw
    chi2 = float(res @ res)
    dof = 2 * k - npar
    cov = np.linalg.inv(nmat) * max(1.0, chi2 / dof)
    return t_end, x[0:3].copy(), x[3:6].copy(), 0.5 * (cov[:6, :6] + cov[:6, :6].T)


# ---------------------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------------------


def _log_ndtr(x: float) -> float:
    """log Φ(x) for a scalar (math.erfc is ~50× faster than the scipy ufunc on scalars)."""
    if x > -20.0:
        return math.log(0.5 * math.erfc(-x / math.sqrt(2.0)))
    return float(log_ndtr(x))


def _norm_logpdf(x: float, mu: float, sig: float) -> float:
    z = (x - mu) / sig
    return -0.5 * z * z - math.log(sig)


def _class_probs(
    tau_now: float | None,
    burn_time: float | None,
    burn_sigma: float,
    log10_int: float | None,
    burnout: tuple[float, float, float] | None,
    surface: str = "unknown",
) -> tuple[tuple[str, float], ...]:
    """Naive Bayes over the priors (see module doc); ``surface`` of the launch point."""
    logp = np.empty(len(CLASSES))
    for i, c in enumerate(CLASSES):
        pr = PRIORS[c]
        lp = math.log(pr.weight)
        mu, sg = pr.burn_time_s
        if burn_time is not None:
            lp += _norm_logpdf(burn_time, mu, math.hypot(sg, burn_sigma))
        elif tau_now is not None and math.isfinite(tau_now):
            lp += _log_ndtr((mu - tau_now) / math.hypot(sg, burn_sigma))
        if log10_int is not None:
            lp += _norm_logpdf(log10_int, *pr.log10_intensity_w_sr)
        if burnout is not None:
            speed, alt, gamma = burnout
            lp += _norm_logpdf(speed, *pr.burnout_speed_m_s)
            lp += _norm_logpdf(alt, *pr.burnout_altitude_m)
            lp += _norm_logpdf(gamma, *pr.burnout_gamma_rad)
        if surface == "sea":
            lp += math.log(pr.sea_launch_probability)
        elif surface == "land":
            lp += math.log1p(-pr.sea_launch_probability)
        logp[i] = lp
    prob = np.exp(logp - logp.max())
    prob = prob / prob.sum()
    return tuple((c, float(p)) for c, p in zip(CLASSES, prob, strict=True))


# ---------------------------------------------------------------------------------------
# per-event estimation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Estimate:
    stereo: bool
    t: FloatArray  # times of the estimated points
    pts: FloatArray  # (K, 3)
    alt: FloatArray  # (K,)
    launch: _LaunchFit | None
    launch_lat: float
    launch_lon: float
    r: FloatArray
    v: FloatArray
    a: FloatArray
    cov9: FloatArray
    decision: str  # "boosting", "stationary", "orbital", "rising" or "candidate"
    launch_complete: bool  # stereo launch fit over a full window: it will not change
    log10_int: float | None
    median_dt: float
    state_t: float  # time of r, v (the last detection for a ray fit)
    # the stereo fit over the first fit_window_s (before the longer-arc azimuth), once
    # that window is complete (it then no longer changes)
    fit_window: tuple[_LaunchFit, float] | None = None
    tri: _Triangulated | None = None  # the stereo triangulation (for the next estimate)
    mono: _MonoChi | None = None  # the mono fit's chi-squares (for the next estimate)


@functools.lru_cache(maxsize=64)
def _local_frame(lat: float, lon: float) -> tuple[FloatArray, FloatArray]:
    """ENU rotation and ECEF origin at (lat, lon); cached (an event's first point, which
    anchors it, rarely changes between steps). The arrays are read-only."""
    rot = np.array(enu_rotation(lat, lon), dtype=np.float64)
    site = np.array(geodetic_to_ecef(lat, lon, 0.0), dtype=np.float64)
    rot.setflags(write=False)
    site.setflags(write=False)
    return rot, site


def _frame_under(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_local_frame` under the ECEF point ``p`` (3,), an event's first point."""
    x, y, z = p.tolist()
    return _frame_under_xyz(x, y, z)


@functools.lru_cache(maxsize=256)
def _frame_under_xyz(x: float, y: float, z: float) -> tuple[FloatArray, FloatArray]:
    # cached on the point itself: its geodetic conversion costs more than the frame's
    lat, lon, _ = ecef_to_geodetic(np.array([x, y, z]))
    return _local_frame(float(lat), float(lon))


def _median_rows(x: FloatArray) -> FloatArray:
    """``np.median(x, axis=0)`` of a ``(K, D)`` array: the median of each column."""
    return np.array([_median(x[:, j]) for j in range(x.shape[1])])


def _t0_grid(t_first: float, params: IrParams) -> FloatArray:
    n = round(params.t0_search_s / params.t0_step_s)
    return t_first - params.t0_step_s * np.arange(n, 0, -1, dtype=np.float64)


def _decide_stereo(
    t: FloatArray, pts: FloatArray, covs: FloatArray, alt: FloatArray, params: IrParams
) -> tuple[str, FloatArray, FloatArray, FloatArray, FloatArray]:
    k = t.shape[0]
    t_last = float(t[-1])
    if k < 4:
        return "candidate", pts[-1], _NAN3.copy(), _NAN3.copy(), np.full((9, 9), np.nan)

    def window(length: float) -> BoolArray:
        sel = t >= t_last - length
        if sel.sum() < 4:
            sel = np.zeros(k, dtype=bool)
            sel[-4:] = True
        return sel

    sw = window(params.state_window_s)
    r, v, a, cov9 = _kinematic_fit(t[sw], pts[sw], covs[sw], t_last)
    # the decision uses a longer window: a quadratic over 60 s is a poor state model late
    # in the boost but a far better detector of "accelerating, rising" than 20 s
    dw = window(params.decide_window_s)
    rd, vd, ad, covd = _kinematic_fit(t[dw], pts[dw], covs[dw], t_last)
    up = rd / np.linalg.norm(rd)
    g = accel_j2(rd)
    # specific force in ECEF: a_rel = g + f − 2ω×v − ω×(ω×r)
    f = ad - g + 2.0 * _cross(_OMEGA, vd) + _cross(_OMEGA, _cross(_OMEGA, rd))
    fn = float(np.linalg.norm(f))
    f_sig = math.sqrt(max(float(f @ covd[6:9, 6:9] @ f) / max(fn * fn, 1e-30), 0.0))
    vz = float(vd @ up)
    vz_sig = math.sqrt(float(up @ covd[3:6, 3:6] @ up))
    speed = float(np.linalg.norm(vd))
    span = float(t[-1] - t[0])
    n_head = min(3, k)
    rise = float(np.mean(alt[-n_head:]) - np.mean(alt[:n_head]))
    sig_h = math.sqrt(_median(np.trace(covs, axis1=1, axis2=2)) / 3.0)
    decision = "candidate"
    rising = (
        k >= params.boost_min_frames
        and span >= params.boost_min_span_s
        and rise > max(params.boost_min_rise_m, 5.0 * sig_h)
        and vz > max(params.boost_min_vz_m_s, 3.0 * vz_sig)
    )
    if rising and fn > max(params.boost_min_accel_m_s2, 3.0 * f_sig):
        decision = "boosting"
    elif rising:
        decision = "rising"  # not a status: "boosting" if the plume goes out up high
    elif k >= params.stationary_min_frames:
        centre = _median_rows(pts)
        spread = float(np.max(np.linalg.norm(pts - centre, axis=1)))
        v_sig = math.sqrt(float(np.trace(covd[3:6, 3:6])))
        if (
            span >= params.boost_min_span_s
            and spread <= params.stationary_radius_m + 3.0 * sig_h
            and speed <= 3.0 * v_sig + 50.0
            and abs(rise) <= 4.0 * sig_h
            and _median(alt) <= params.stationary_radius_m + 3.0 * sig_h
        ):
            decision = "stationary"
        elif (
            speed > params.orbital_min_speed_m_s
            and _median(alt) > params.orbital_min_altitude_m
            and fn < max(2.0, 3.0 * f_sig)
        ):
            decision = "orbital"
    return decision, r, v, a, cov9


@dataclass(frozen=True)
class _MonoGround:
    """Ground intersections of one satellite's lines of sight, for the mono decision and
    placement: ranges ``lam`` to the ellipsoid, points ``g`` (ECEF), the local frame at
    the first, ``sin_el`` the elevation sine (clipped to [0.05, 1])."""

    lam: FloatArray
    g: FloatArray
    rot: FloatArray
    site: FloatArray
    sin_el: FloatArray

    @staticmethod
    def of(s: FloatArray, u: FloatArray, lam: FloatArray) -> _MonoGround:
        g = s + lam[:, None] * u
        rot, site = _frame_under(g[0])
        sin_el = np.minimum(np.maximum(-np.einsum("ij,ij->i", u, _unit(g)), 0.05), 1.0)
        return _MonoGround(lam=lam, g=g, rot=rot, site=site, sin_el=sin_el)


def _decide_mono(t: FloatArray, sig: FloatArray, gr: _MonoGround, params: IrParams) -> str:
    k = t.shape[0]
    if k < params.stationary_min_frames:
        return "candidate"
    en = ((gr.g - gr.site) @ gr.rot.T)[:, :2]
    sig_g = sig * gr.lam / gr.sin_el  # ground error along the LOS azimuth (the long axis)
    centre = _median_rows(en)
    spread = float(np.max(np.linalg.norm(en - centre, axis=1)))
    tau = t - t[-1]
    wgt = 1.0 / sig_g**2
    if spread <= params.stationary_radius_m + 3.0 * _median(sig_g):
        # no significant drift either: a rising rocket's image moves steadily away from
        # the satellite (h cot el), sun glint jitters about a fixed point
        # (the scatter of a glint cluster, a few km, is allowed for as half the radius)
        w1 = 1.0 / (sig_g**2 + (0.5 * params.stationary_radius_m) ** 2)
        b1 = np.stack([np.ones(k), tau], axis=1)
        n1 = b1.T @ (b1 * w1[:, None])
        n1_inv = np.linalg.inv(n1)  # (its [1, 1] is needed too: one call, not a solve)
        c1 = n1_inv @ (b1.T @ (en * w1[:, None]))
        v_sig = math.sqrt(float(n1_inv[1, 1]))
        if float(np.linalg.norm(c1[1])) <= 3.0 * v_sig + 50.0:
            return "stationary"
    span = float(t[-1] - t[0])
    if k < params.boost_min_frames or span < params.boost_min_span_s:
        return "candidate"
    basis = np.stack([np.ones(k), tau, 0.5 * tau * tau], axis=1)
    nmat = basis.T @ (basis * wgt[:, None])
    cov = np.linalg.inv(nmat)
    coef = cov @ (basis.T @ (en * wgt[:, None]))  # (3, 2)
    shift = en[-1] - en[0]
    dist = float(np.linalg.norm(shift))
    if dist <= max(params.mono_min_shift_m, 6.0 * _median(sig_g)):
        return "candidate"
    dirn = shift / dist
    acc = float(coef[2] @ dirn)
    vel = float(coef[1] @ dirn)
    acc_sig = math.sqrt(float(cov[2, 2]))
    vel_sig = math.sqrt(float(cov[1, 1]))
    if acc > 4.0 * acc_sig and vel > 4.0 * vel_sig:
        return "boosting"
    return "candidate"


def _mono_sigma_h(h: FloatArray) -> FloatArray:
    """Spread of the prior altitude profile about its mean: 25 % plus 1 km (our judgement)."""
    return np.asarray(0.25 * h + 1000.0, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _MonoChi:
    """The chi-square of the mono ground-track fit for every (class, t0 on the grid), and
    the window it was computed from (times, satellite positions, lines of sight, their
    sigmas and elevations, the local frame, the t0 grid).

    It is the costly part of :func:`_mono_fit` (a placement and a weighted fit per class
    and grid time) and depends only on those inputs: once the fit window has closed they
    stop changing, and the event's later estimates reuse it (only the class
    probabilities, which are cheap to apply, still move). Reused only when every input
    array is equal, so a reuse gives the same numbers as a recomputation.
    """

    key: tuple[FloatArray, ...]
    chi: FloatArray  # (classes, grid)

    def same_window(self, key: tuple[FloatArray, ...]) -> bool:
        return all(
            a.shape == b.shape and bool(np.array_equal(a, b))
            for a, b in zip(self.key, key, strict=True)
        )

    @staticmethod
    def of(key: tuple[FloatArray, ...]) -> _MonoChi:
        tw, sw, uw, sig_w, sin_el_w, rot, site, grid = key
        cot_el = np.sqrt(1.0 - sin_el_w**2) / sin_el_w
        sq = np.maximum(tw[None, :] - grid[:, None], 0.0) / 100.0
        hp = HORIZONTAL_POWERS
        basis = np.stack([np.ones_like(sq), sq ** hp[0], sq ** hp[1]], axis=-1)  # (G, K, 3)
        chis = np.empty((len(CLASSES), grid.shape[0]))
        for ci, cls in enumerate(CLASSES):
            hh = boost_altitude_m(cls, tw[None, :] - grid[:, None])  # (G, K)
            lam = _ray_hit(sw[None], uw[None], hh)
            p = sw[None] + lam[..., None] * uw[None]
            lat_p, lon_p, _ = ecef_to_geodetic(p)
            en = (geodetic_to_ecef(lat_p, lon_p, 0.0) - site) @ rot.T  # (G, K, 3)
            var = sig_w[None] ** 2 + (_mono_sigma_h(hh) * cot_el[None]) ** 2  # (G, K)
            wgt = 1.0 / var
            nmat = np.einsum("gk,gkp,gkq->gpq", wgt, basis, basis) + 1e-12 * np.eye(3)
            chi = np.zeros(grid.shape[0])
            for ax in range(2):
                y = en[..., ax]
                rv = np.einsum("gk,gkp,gk->gp", wgt, basis, y)
                coef = np.linalg.solve(nmat, rv[..., None])[..., 0]
                res = y - np.einsum("gkp,gp->gk", basis, coef)
                chi += np.einsum("gk,gk->g", wgt, res * res)
            chis[ci] = chi
        return _MonoChi(tuple(np.array(a, copy=True) for a in key), chis)


def _mono_fit(
    t: FloatArray,
    s: FloatArray,
    u: FloatArray,
    sig_perp: FloatArray,
    sin_el: FloatArray,
    win: BoolArray,
    rot: FloatArray,
    site: FloatArray,
    class_hint: FloatArray,
    params: IrParams,
    cached: _MonoChi | None = None,
) -> tuple[_LaunchFit, FloatArray, _MonoChi]:
    """Mono launch fit: place points at each class's prior altitude for every t0 on a grid.

    The cost of (class, t0) is the chi-square of the ground-track fit (no linear term at
    lift-off: a wrong t0 puts a linear-in-τ altitude error, hence a linear ground shift,
    into the placed points), plus the prior on the delay to first detection, minus twice
    the log of the class's current probability. Returns the best fit, the placed
    altitudes of every point and the chi-squares (``cached``: those of an earlier call,
    reused when they were computed from the same window; see :class:`_MonoChi`).
    """
    grid = _t0_grid(float(t[0]), replace(params, t0_step_s=2.0 * params.t0_step_s))
    mu_d, sig_d = first_detection_delay_s()
    delay_cost = ((float(t[0]) - grid - mu_d) / sig_d) ** 2
    tw = t[win]
    cot_el = np.sqrt(1.0 - sin_el[win] ** 2) / sin_el[win]
    key = (tw, s[win], u[win], sig_perp[win], sin_el[win], rot, site, grid)
    mono = cached if cached is not None and cached.same_window(key) else _MonoChi.of(key)
    best: tuple[float, str, int, FloatArray] | None = None  # (cost, class, index, grid)
    for ci, cls in enumerate(CLASSES):
        cost = mono.chi[ci] + delay_cost - 2.0 * math.log(max(float(class_hint[ci]), 1e-12))
        j = int(np.argmin(cost))
        if best is None or cost[j] < best[0]:
            best = (float(cost[j]), cls, j, cost)
    assert best is not None
    _, cls, _, cost_best = best
    t0, t0_sig, i = _refine(grid, cost_best)
    dof = max(2 * tw.shape[0] - 7, 1)
    scale = max(1.0, float(cost_best[i]) / dof)
    t0_sig *= math.sqrt(scale)

    def placed(t0_: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        h_ = boost_altitude_m(cls, t - t0_)
        p_ = s + _ray_hit(s, u, h_)[:, None] * u
        la, lo, _ = ecef_to_geodetic(p_)
        en_ = (geodetic_to_ecef(la, lo, 0.0) - site) @ rot.T
        return en_[:, 0], en_[:, 1], h_, sig_perp[win] ** 2 + (_mono_sigma_h(h_[win]) * cot_el) ** 2

    e, n, h, var_k = placed(t0)
    step = float(grid[1] - grid[0])
    e_m, n_m, _, _ = placed(t0 - step)
    e_p, n_p, _, _ = placed(t0 + step)
    one = np.array([t0])
    c_m = [_poly_fit_grid(tw, y[win], var_k, one - step)[0][0, 0] for y in (e_m, n_m)]
    c_p = [_poly_fit_grid(tw, y[win], var_k, one + step)[0][0, 0] for y in (e_p, n_p)]
    slopes = (float(c_p[0] - c_m[0]) / (2 * step), float(c_p[1] - c_m[1]) / (2 * step))
    fit = _launch_at(
        tw, e[win], n[win], (var_k, var_k), t0, t0_sig, scale, slopes, float(cost_best[i])
    )
    # the placement error at the first point moves the launch point along the LOS azimuth
    # (σ_h(τ_first) cot el): add it to the launch variance
    extra = float(_mono_sigma_h(h[:1])[0]) * float(cot_el[0])
    # likewise at the last fitted point it turns the ground displacement: add to the azimuth
    kl = int(np.nonzero(win)[0][-1])
    extra_az = float(_mono_sigma_h(h[kl : kl + 1])[0]) * float(cot_el[-1]) / max(fit.disp_m, 1.0)
    fit = replace(
        fit,
        var_e=fit.var_e + 0.5 * extra**2,
        var_n=fit.var_n + 0.5 * extra**2,
        az_sigma=min(math.hypot(fit.az_sigma, extra_az), math.pi),
    )
    return fit, h, mono


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
    x, cov, _, nray = triangulate(s_all, u_all, sig_all, val_all)
    ok = (nray >= 2) & np.all(np.isfinite(cov), axis=(1, 2))
    geo = np.full((3, k), np.nan)
    if ok.any():
        geo[:, ok] = ecef_to_geodetic(x[ok])
    if m and old is not None:
        x = np.concatenate([old.x[:m], x])
        cov = np.concatenate([old.cov[:m], cov])
        ok = np.concatenate([old.ok[:m], ok])
        geo = np.concatenate([np.stack([old.lat[:m], old.lon[:m], old.h[:m]]), geo], axis=1)
    return _Triangulated(
        ref=tuple((tr.track_id, tr.dropped, tr.n) for tr in ref),
        others=tuple((tr.track_id, tr.dropped, tr.last_t) for tr in others),
        x=x,
        cov=cov,
        ok=ok,
        lat=geo[0],
        lon=geo[1],
        h=geo[2],
    )


def _estimate(
    tracks: list[SatTrack],
    params: IrParams,
    class_hint: FloatArray,
    boosting: bool = True,
    cached: tuple[_LaunchFit, float, float] | None = None,
    fit_cached: tuple[_LaunchFit, float] | None = None,
    tri_cached: _Triangulated | None = None,
    mono_cached: _MonoChi | None = None,
) -> _Estimate:
    """Triangulate (or place) the points of one event and fit its launch.

    ``tri_cached``: the event's previous triangulation, whose rows that cannot have
    changed are reused (see :func:`_triangulate_rows`)."""
    sensors = sorted({tr.sensor_id for tr in tracks})
    by_sensor = {sid: [tr for tr in tracks if tr.sensor_id == sid] for sid in sensors}
    # reference sensor: the one with most detections (ties: sensor id order)
    counts = [sum(tr.n for tr in by_sensor[sid]) for sid in sensors]
    ref_sid = sensors[int(np.argmax(counts))]
    ref = sorted(by_sensor[ref_sid], key=lambda tr: tr.t_s[0])
    t_ref = _cat([tr.t_s for tr in ref])
    s_ref = _cat([tr.sat_m for tr in ref])
    u_ref = _cat([tr.los for tr in ref])
    sig_ref = _cat([tr.sigma_rad for tr in ref])
    inten = _cat([tr.intensity_w_sr for tr in ref])
    pos_int = inten[inten > 0]
    log10_int = _median(np.log10(pos_int)) if pos_int.size else None
    median_dt = _median(t_ref[1:] - t_ref[:-1]) if t_ref.shape[0] > 1 else 2.0
    others = [tr for tr in tracks if tr.sensor_id != ref_sid]

    stereo = False
    tri: _Triangulated | None = None
    mono: _MonoChi | None = None
    if others:
        tri = _triangulate_rows(ref, others, t_ref, s_ref, u_ref, sig_ref, params, tri_cached)
        ok = tri.ok
        if ok.sum() >= 3:
            stereo = True
            t_pts, pts, covs = t_ref[ok], tri.x[ok], tri.cov[ok]
            lat_pts, lon_pts, alt = tri.lat[ok], tri.lon[ok], tri.h[ok]

    nan = math.nan
    launch: _LaunchFit | None = None
    fit_window: tuple[_LaunchFit, float] | None = None
    lat_l = lon_l = nan
    complete = False
    if stereo:
        if cached is None:  # (with it, the launch fit is final: only altitudes are needed)
            rot, site = _frame_under(pts[0])
            en = (geodetic_to_ecef(lat_pts, lon_pts, 0.0) - site) @ rot.T  # sub-points
            e, n = en[:, 0], en[:, 1]
            cov_enu = np.einsum("ij,kjl,ml->kim", rot, covs, rot)
        state_t = float(t_pts[-1])
        fit = _ray_state_fit(tracks, pts[-1], params)
        if fit is not None and boosting:
            # "boosting" is kept once given: no decision needed, the ray fit is the state
            decision, a = "boosting", _NAN3.copy()
        else:
            decision, r, v, a, cov9 = _decide_stereo(t_pts, pts, covs, alt, params)
        if fit is not None:
            state_t, r, v, cov6 = fit
            cov9 = np.full((9, 9), np.nan) if boosting else cov9.copy()
            cov9[:6, :6] = cov6
            cov9[:6, 6:] = 0.0
            cov9[6:, :6] = 0.0
        win = t_pts <= t_pts[0] + params.fit_window_s
        complete = bool(t_pts[-1] > t_pts[0] + max(params.fit_window_s, params.azimuth_window_s))
        if cached is not None:
            launch, lat_l, lon_l = cached
        elif win.sum() >= 6:
            if fit_cached is not None and fit_cached[1] == float(t_pts[0]):
                launch = fit_cached[0]
            else:
                grid = _t0_grid(float(t_pts[0]), params)
                launch = _launch_fit(
                    t_pts[win],
                    e[win],
                    n[win],
                    alt[win],
                    (cov_enu[win, 0, 0], cov_enu[win, 1, 1], cov_enu[win, 2, 2]),
                    grid,
                )
                if t_pts[-1] > t_pts[0] + params.fit_window_s:
                    fit_window = (launch, float(t_pts[0]))
            # azimuth from a longer arc: launch point → the mean sub-point of the last
            # five points within azimuth_window_s (the 45 s fit arc is short and noisy)
            aw = np.nonzero(t_pts <= t_pts[0] + params.azimuth_window_s)[0][-5:]
            de = float(np.mean(e[aw])) - launch.e
            dn = float(np.mean(n[aw])) - launch.n
            dd = math.hypot(de, dn)
            if dd > launch.disp_m:
                sig_p = math.sqrt(float(np.mean(cov_enu[aw, 0, 0] + cov_enu[aw, 1, 1])) / 10.0)
                sig_l = math.sqrt(0.5 * (launch.var_e + launch.var_n))
                launch = replace(
                    launch,
                    az=math.atan2(de, dn) % (2.0 * math.pi),
                    az_sigma=min(math.hypot(sig_p, sig_l) / dd, math.pi),
                    disp_m=dd,
                )
        out_t, out_pts, out_alt = t_pts, pts, alt
    else:
        # the ground ranges were computed once per detection (= _ray_hit(s, u, 0))
        gr = _MonoGround.of(s_ref, u_ref, _cat([tr.ground_range_m for tr in ref]))
        decision = _decide_mono(t_ref, sig_ref, gr, params)
        rot, site, sin_el = gr.rot, gr.site, gr.sin_el
        win = t_ref <= t_ref[0] + params.fit_window_s
        # the mono launch fit (a grid over classes and launch times) is the costly part:
        # only for an event that is, or is now judged, boosting
        if win.sum() >= 6 and (boosting or decision == "boosting"):
            launch, best_h, mono = _mono_fit(
                t_ref, s_ref, u_ref, sig_ref * gr.lam, sin_el, win, rot, site, class_hint, params,
                mono_cached,
            )  # fmt: skip
            lam_p = _ray_hit(s_ref, u_ref, best_h)
            pts = s_ref + lam_p[:, None] * u_ref
        else:
            # placed on the ground (h = 0): the ground points themselves
            best_h, lam_p, pts = np.zeros(t_ref.shape), gr.lam, gr.g
        k = t_ref.shape[0]
        if k >= 4:
            sel = t_ref >= t_ref[-1] - params.state_window_s
            if sel.sum() < 4:
                sel = np.zeros(k, dtype=bool)
                sel[-4:] = True
            # placed points' covariances: across the LOS σρ, along it σ_h / sin(el)
            u_w = u_ref[sel]
            sig_perp = sig_ref[sel] * lam_p[sel]
            sig_along = _mono_sigma_h(best_h[sel]) / sin_el[sel]
            uu = u_w[:, :, None] * u_w[:, None, :]
            covs = (
                sig_perp[:, None, None] ** 2 * (np.eye(3) - uu) + sig_along[:, None, None] ** 2 * uu
            )
            r, v, a, cov9 = _kinematic_fit(t_ref[sel], pts[sel], covs, float(t_ref[-1]))
        else:
            r, v, a, cov9 = pts[-1], _NAN3.copy(), _NAN3.copy(), np.full((9, 9), np.nan)
        out_t, out_pts, out_alt = t_ref, pts, best_h
        state_t = float(t_ref[-1])

    if launch is not None and not (stereo and cached is not None):
        pl = site + rot.T @ np.array([launch.e, launch.n, 0.0])
        la, lo, _ = ecef_to_geodetic(pl)
        lat_l, lon_l = float(la), float(lo)
    return _Estimate(
        stereo=stereo,
        t=out_t,
        pts=out_pts,
        alt=out_alt,
        launch=launch,
        launch_lat=lat_l,
        launch_lon=lon_l,
        r=np.asarray(r, dtype=np.float64),
        v=np.asarray(v, dtype=np.float64),
        a=np.asarray(a, dtype=np.float64),
        cov9=cov9,
        decision=decision,
        launch_complete=bool(stereo and complete and launch is not None),
        fit_window=fit_window,
        tri=tri,
        mono=mono,
        log10_int=log10_int,
        median_dt=median_dt,
        state_t=state_t,
    )


# ---------------------------------------------------------------------------------------
# stationary sources and coasts between stages
# ---------------------------------------------------------------------------------------


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
        out.append((sid, centre, params.stationary_radius_m + 3.0 * _median(sig)))
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


def _coast_predict(r: FloatArray, v: FloatArray, t0: float, times: FloatArray) -> FloatArray:
    """Ballistic (J2 gravity, Earth-fixed frame) positions at ``times`` from (r, v) at t0.

    RK4 with 20 equal steps per target time, vectorised over the targets; over a 200 s
    coast the integration error is far below a metre.
    """
    n = 20
    h = (np.asarray(times, dtype=np.float64) - t0)[:, None] / n  # (K, 1)
    x = np.broadcast_to(r, (h.shape[0], 3)).copy()
    y = np.broadcast_to(v, (h.shape[0], 3)).copy()

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
    return x


def _coast_match(snap: IrEvent, tr: SatTrack, params: IrParams) -> bool:
    """Do the first detections of ``tr`` continue the burnt-out event ``snap`` after a coast?

    The event's last state is propagated ballistically to the detection times; the miss
    distance of each line of sight from the predicted point (perpendicular to the LOS)
    must be within ``coast_gate_sigma`` sigmas of the predicted position (state covariance
    carried linearly, r + v dt) plus ``coast_margin_m`` plus the displacement a new stage
    could have built up since just before its first detection.
    """
    if not (np.all(np.isfinite(snap.r_ecef_m)) and np.all(np.isfinite(snap.v_ecef_m_s))):
        return False
    if not np.all(np.isfinite(snap.cov)):
        return False
    k = min(tr.n, 6)
    t = tr.t_s[:k]
    dt = t - snap.state_t_s
    if np.any(dt <= 0.0) or float(dt.max()) > params.coast_max_s + params.track_gap_s:
        return False
    # quick rejection on the first detection: straight line, gravity (< 10 m/s²) as slack
    d0 = snap.r_ecef_m + snap.v_ecef_m_s * dt[0] - tr.sat_m[0]
    miss0 = float(np.linalg.norm(d0 - float(d0 @ tr.los[0]) * tr.los[0]))
    slack = 5.0 * dt[0] ** 2 + 10.0 * math.sqrt(float(np.trace(snap.cov))) * (1.0 + dt[0])
    if miss0 > slack + params.coast_margin_m + 50e3:
        return False
    p = _coast_predict(snap.r_ecef_m, snap.v_ecef_m_s, snap.state_t_s, t)
    u = tr.los[:k]
    d = p - tr.sat_m[:k]
    perp = d - np.einsum("ij,ij->i", d, u)[:, None] * u
    miss = np.linalg.norm(perp, axis=1)
    var_r = float(np.trace(snap.cov[:3, :3])) / 3.0
    var_v = float(np.trace(snap.cov[3:, 3:])) / 3.0
    sig = np.sqrt(var_r + dt * dt * var_v + (tr.sigma_rad[:k] * np.linalg.norm(d, axis=1)) ** 2)
    burn = t - t[0] + 2.0 * (float(np.median(np.diff(tr.t_s))) if tr.n > 1 else 2.0)
    allow = 0.5 * params.coast_max_accel_m_s2 * burn * burn
    gate = params.coast_gate_sigma * np.sqrt(2.0) * sig + params.coast_margin_m + allow
    return bool(np.all(miss <= gate))


# ---------------------------------------------------------------------------------------
# the step
# ---------------------------------------------------------------------------------------


def _validate(ir: Mapping[str, np.ndarray], t_prev: float, t_s: float) -> dict[str, np.ndarray]:
    """The checked report columns, plus ``los`` (unit, (n, 3)) and ``sat`` ((n, 3)) when
    there are reports (nearly every step has a few: few numpy calls, checks in Python)."""
    if not math.isfinite(t_s):
        raise ValueError(f"ir_step: t_s must be finite; got {t_s}")
    if t_s < t_prev:
        raise ValueError(f"ir_step: t_s={t_s} is before the state's time {t_prev}")
    missing = [k for k in IR_INPUT_COLUMNS if k not in ir]
    if missing:
        raise ValueError(f"ir_step: IR reports lack columns {missing}; need {IR_INPUT_COLUMNS}")
    n = len(ir["t_s"])
    bad = [k for k in IR_INPUT_COLUMNS if len(ir[k]) != n]
    if bad:
        raise ValueError(f"ir_step: columns {bad} do not have the length of t_s ({n})")
    if n == 0:
        return {k: np.asarray(ir[k]) for k in IR_INPUT_COLUMNS}
    sid = np.asarray(ir["sensor_id"])
    cols: dict[str, np.ndarray] = {k: np.asarray(ir[k], dtype=np.float64) for k in _FLOAT_COLUMNS}
    cols["sensor_id"] = sid if sid.dtype.kind == "U" else sid.astype(str)
    cols["seq"] = np.asarray(ir["seq"], dtype=np.int64)
    cols["frame_id"] = np.asarray(ir["frame_id"], dtype=np.int64)
    t = cols["t_s"]
    tl = t.tolist()  # a step has a few reports: checked in Python
    if not all(map(math.isfinite, tl)):
        raise ValueError("ir_step: t_s has non-finite values")
    if not all(a <= b for a, b in itertools.pairwise(tl)):
        raise ValueError("ir_step: IR reports must be time-ordered (t_s non-decreasing)")
    if tl[0] <= t_prev or tl[-1] > t_s:
        raise ValueError(
            f"ir_step: report times [{t[0]}, {t[-1]}] outside the step interval ({t_prev}, {t_s}]"
        )
    los = _rows3(cols["los_x"], cols["los_y"], cols["los_z"])
    nrm = np.linalg.norm(los, axis=1)
    if not (np.abs(nrm - 1.0) < 1e-3).all():
        raise ValueError("ir_step: los_x/y/z must be unit vectors (|los| within 1e-3 of 1)")
    if not all(x > 0 for x in cols["sigma_rad"].tolist()):
        raise ValueError("ir_step: sigma_rad must be > 0")
    cols["los"] = los / nrm[:, None]  # = _unit(los): the same norms
    cols["sat"] = _rows3(cols["sat_x_m"], cols["sat_y_m"], cols["sat_z_m"])
    return cols


def _close(tr: SatTrack, t: float, params: IrParams) -> SatTrack:
    if tr.closed:
        return tr
    gap = params.track_gap_s if tr.n >= params.confirm_hits else params.tentative_gap_s
    return replace(tr, closed=True) if t - tr.last_t > gap else tr


def _frames(sensor_id: np.ndarray, fid: IntArray) -> list[tuple[str, IntArray]]:
    """The frames (sensor, frame id) of one step's reports as (sensor, row indices), in
    order of their first row; rows within a frame in input order."""
    groups: dict[tuple[str, int], list[int]] = {}
    for i, key in enumerate(zip(sensor_id.tolist(), fid.tolist(), strict=True)):
        groups.setdefault(key, []).append(i)
    return [(str(sid), np.array(rows, dtype=np.int64)) for (sid, _), rows in groups.items()]


def _associate_reports(
    tracks: list[SatTrack], next_tid: int, cols: dict[str, np.ndarray], params: IrParams
) -> tuple[list[SatTrack], int]:
    """Per-satellite association of one step's reports, frame by frame."""
    n = cols["t_s"].shape[0]
    if n == 0:
        return tracks, next_tid
    t = cols["t_s"]
    los, sat = cols["los"], cols["sat"]
    sig = cols["sigma_rad"]
    inten = cols["intensity_w_sr"]
    seq = cols["seq"]
    if n <= _PY_RAY_HIT_MAX:
        rngl = _ray_hit_ground_py(sat, los)
        rng_m = np.array(rngl)
    else:
        rng_m = _ray_hit(sat, los, 0.0)
        rngl = rng_m.tolist()
    tl, sigl, intl, seql = t.tolist(), sig.tolist(), inten.tolist(), seq.tolist()
    frames = _frames(cols["sensor_id"], cols["frame_id"])
    for sensor, idx in frames:
        rows = idx.tolist()
        t_g = max(tl[k] for k in rows)
        live = []
        for i, tr in enumerate(tracks):
            if tr.sensor_id == sensor and not tr.closed:
                tracks[i] = tr = _close(tr, t_g, params)
                if not tr.closed:
                    live.append(i)
        if len(frames) == 1:  # all of the step's reports: no copies
            t_f, los_f, sig_f, rng_f = t, los, sig, rng_m
        else:
            t_f, los_f, sig_f, rng_f = t[idx], los[idx], sig[idx], rng_m[idx]
        pairs = _associate_frame([tracks[i] for i in live], t_f, los_f, sig_f, rng_f, params)
        taken = set()
        for it, jd in pairs:
            k = rows[jd]
            taken.add(jd)
            tracks[live[it]] = _extend(
                tracks[live[it]],
                tl[k],
                los[k],
                sat[k],
                sigl[k],
                intl[k],
                seql[k],
                rngl[k],
                params.max_history,
            )
        for jn, k in enumerate(rows):
            if jn in taken:
                continue
            tracks.append(
                _new_track(
                    next_tid, sensor, tl[k], los[k], sat[k], sigl[k], intl[k], seql[k], rngl[k]
                )
            )
            next_tid += 1
    return tracks, next_tid


def _events_match(a: list[SatTrack], b: list[SatTrack], params: IrParams) -> bool:
    for ta in a:
        for tb in b:
            if ta.sensor_id == tb.sensor_id:
                continue
            first, second = (ta, tb) if ta.n >= tb.n else (tb, ta)
            if _stereo_match(first, second, params):
                return True
    return False


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


def _n_times(t: FloatArray) -> int:
    """Number of distinct times in ``t`` (a track's times are non-decreasing, so the
    changes are counted; ``np.unique`` sorts)."""
    if t.shape[0] < 2:
        return int(t.shape[0])
    d = np.diff(t)
    if bool((d < 0.0).any()):
        return len(np.unique(t))
    return 1 + int(np.count_nonzero(d))


def _ro(a: np.ndarray) -> FloatArray:
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


def _snapshot(
    event_id: str,
    tracks: list[SatTrack],
    est: _Estimate,
    status: str,
    burnout: float | None,
    params: IrParams,
) -> IrEvent:
    first_t = min(float(tr.t_s[0]) if tr.ordered else float(tr.t_s.min()) for tr in tracks)
    last_t = max(tr.last_t if tr.ordered else float(tr.t_s.max()) for tr in tracks)
    lf = est.launch
    t0 = lf.t0 if lf is not None else math.nan
    burn = burnout - t0 if (burnout is not None and lf is not None) else None
    tau_now = last_t - t0 if lf is not None else None
    burn_sig = (lf.t0_sigma if lf is not None else 10.0) + 0.5 * est.median_dt
    bo_feat: tuple[float, float, float] | None = None
    if burnout is not None and est.stereo and np.all(np.isfinite(est.v)):
        speed = float(np.linalg.norm(est.v))
        up = est.r / np.linalg.norm(est.r)
        gamma = math.asin(max(-1.0, min(1.0, float(est.v @ up) / speed)))
        _, _, alt = ecef_to_geodetic(est.r)
        bo_feat = (speed, float(alt), gamma)
    surface = "unknown"
    if lf is not None and math.isfinite(est.launch_lat):
        # land or sea only when the launch point is clearly inside: 3 sigma and 20 km
        # (the shipped 1:110m coastline is generalised by up to ~10 km)
        sig_l = math.sqrt(0.5 * (lf.var_e + lf.var_n) + params.launch_model_sigma_m**2)
        if sig_l < 50e3:
            surface = surface_at(est.launch_lat, est.launch_lon, max(20e3, 3.0 * sig_l))
    probs = _class_probs(tau_now, burn, burn_sig, est.log10_int, bo_feat, surface)
    m = est.t.shape[0]
    step = max(1, -(-m // 200))
    sel = np.arange(m - 1, -1, -step)[::-1]
    track_t, track_r = est.t[sel], est.pts[sel]
    if m == 0 or est.state_t > float(est.t[-1]):
        # the fused center reads the state time as the last track time: keep them equal
        track_t = np.append(track_t, est.state_t)
        track_r = np.vstack([track_r, est.r[None, :]])
    n_frames = sum(tr.n_times for tr in tracks)
    return IrEvent(
        event_id=event_id,
        status=status,
        first_t_s=first_t,
        last_t_s=last_t,
        n_reports=sum(tr.n for tr in tracks),
        sensor_ids=tuple(sorted({tr.sensor_id for tr in tracks})),
        stereo=est.stereo,
        launch_time_s=t0,
        launch_time_sigma_s=lf.t0_sigma if lf is not None else math.nan,
        launch_lat_rad=est.launch_lat,
        launch_lon_rad=est.launch_lon,
        launch_sigma_m=(
            math.sqrt(0.5 * (lf.var_e + lf.var_n) + params.launch_model_sigma_m**2)
            if lf is not None
            else math.nan
        ),
        azimuth_rad=lf.az if lf is not None else math.nan,
        azimuth_sigma_rad=lf.az_sigma if lf is not None else math.nan,
        burnout_time_s=burnout,
        burn_time_s=burn,
        class_probs=probs,
        state_t_s=est.state_t,
        r_ecef_m=_ro(est.r),
        v_ecef_m_s=_ro(est.v),
        cov=_ro(est.cov9[:6, :6]),
        track_t_s=_ro(track_t),
        track_r_ecef_m=_ro(track_r),
        report_keys=_report_keys(tracks, params.max_report_keys),
        n_frames=n_frames,
        span_s=last_t - first_t,
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


def ir_step(
    state: IrState, ir: Mapping[str, np.ndarray], t_s: float, params: IrParams
) -> tuple[IrState, tuple[IrEvent, ...]]:
    """Advance infrared launch detection to ``t_s`` with the IR reports of (state.t_s, t_s].

    ``ir`` maps the columns of :data:`IR_INPUT_COLUMNS` to equal-length arrays, in time
    order. Returns the new state and the snapshot of every live (or recently ended) event,
    ordered by event id. Events merged into an older one (a late stereo association)
    disappear; their reports support the older event.
    """
    cols = _validate(ir, state.t_s, float(t_s))
    t_s = float(t_s)
    tracks, next_tid = _associate_reports(list(state.tracks), state.next_track_id, cols, params)
    tracks = [tr if tr.closed else _close(tr, t_s, params) for tr in tracks]

    events = list(state.events)
    in_event = {tid for ev in events for tid in ev.track_ids}
    by_id = {tr.track_id: tr for tr in tracks}
    next_eid = state.next_event_id

    # 1. newly confirmed tracks join a live event (stereo) or open their own
    for tr in sorted(tracks, key=lambda x: x.track_id):
        if tr.track_id in in_event or tr.closed or tr.n < params.confirm_hits:
            continue
        joined = False
        # a new stage after a coast: resume the burnt-out event it continues (newest first)
        for ei in range(len(events) - 1, -1, -1):
            ev = events[ei]
            if (
                ev.ended_t_s is not None
                and ev.status == "boosting"
                and ev.snapshot is not None
                and ev.snapshot.burnout_time_s is not None
                and 0.0 < tr.t_s[0] - ev.ended_t_s <= params.coast_max_s
                and _coast_match(ev.snapshot, tr, params)
            ):
                events[ei] = replace(ev, track_ids=(*ev.track_ids, tr.track_id), ended_t_s=None)
                joined = True
                break
        for ei, ev in enumerate(events):
            if joined:
                break
            if ev.ended_t_s is not None:
                continue
            ev_tracks = [by_id[i] for i in ev.track_ids]
            if any(et.sensor_id == tr.sensor_id and not et.closed for et in ev_tracks):
                continue
            if _events_match([tr], ev_tracks, params):
                events[ei] = replace(ev, track_ids=(*ev.track_ids, tr.track_id))
                joined = True
                break
        if not joined:
            events.append(
                _EventState(
                    event_id=f"IR{next_eid:06d}",
                    track_ids=(tr.track_id,),
                    status="candidate",
                    votes=0,
                    pending="candidate",
                    ended_t_s=None,
                    snapshot=None,
                )
            )
            next_eid += 1
        in_event.add(tr.track_id)

    # 2. late stereo association: merge live events seen by disjoint sets of satellites
    i = 0
    while i < len(events):
        j = i + 1
        while j < len(events):
            a, b = events[i], events[j]
            if (
                a.ended_t_s is None
                and b.ended_t_s is None
                and "stationary" not in (a.status, b.status)
            ):
                ta = [by_id[k] for k in a.track_ids]
                tb = [by_id[k] for k in b.track_ids]
                if not ({x.sensor_id for x in ta} & {x.sensor_id for x in tb}) and _events_match(
                    ta, tb, params
                ):
                    keep = a if a.status == "boosting" or b.status != "boosting" else b
                    events[i] = replace(
                        a,
                        track_ids=a.track_ids + b.track_ids,
                        status=keep.status,
                        votes=keep.votes,
                        pending=keep.pending,
                    )
                    del events[j]
                    continue
            j += 1
        i += 1

    # 3. estimate, decide, snapshot
    out_events: list[_EventState] = []
    snaps: list[IrEvent] = []
    for ev in events:
        if ev.ended_t_s is not None:
            age = t_s - ev.ended_t_s
            shown = age <= params.keep_ended_s + params.track_gap_s
            # a burnt-out booster is kept (not shown) while a next stage may still ignite
            if shown or (ev.status == "boosting" and age <= params.coast_max_s):
                out_events.append(ev)
                if ev.snapshot is not None and shown:
                    snaps.append(ev.snapshot)
            continue
        ev_tracks = [by_id[k] for k in ev.track_ids]
        last_t = max(tr.last_t for tr in ev_tracks)
        fresh = ev.snapshot is None or last_t > ev.snapshot.last_t_s
        ended = all(tr.closed for tr in ev_tracks)
        if not fresh and not ended and ev.snapshot is not None:
            # nothing new: the snapshot stands (status changes only on fresh data)
            out_events.append(ev)
            snaps.append(ev.snapshot)
            continue
        if ev.status == "stationary" and ev.snapshot is not None:
            still, run, checked = _still_stationary(ev, ev_tracks, params)
            if still:
                # a stationary source is not re-estimated: only its evidence is updated
                snap = _refresh(ev.snapshot, ev_tracks, params)
                ev = evolve(
                    ev,
                    escape=run,
                    checked_t_s=checked,
                    snapshot=snap,
                    ended_t_s=last_t if ended else None,
                )
                out_events.append(ev)
                snaps.append(snap)
                continue
            ev = evolve(ev, status="candidate", votes=0, pending="candidate", anchors=())
        if (
            not ended
            and ev.status == "boosting"
            and ev.snapshot is not None
            and last_t - ev.estimated_t_s < params.boost_reestimate_s
            and ev.snapshot.sensor_ids == tuple(sorted({tr.sensor_id for tr in ev_tracks}))
        ):
            # a boosting event estimated moments ago: only its evidence is updated
            snap = _refresh(ev.snapshot, ev_tracks, params)
            ev = evolve(ev, snapshot=snap)
            out_events.append(ev)
            snaps.append(snap)
            continue
        hint = (
            np.array([p for _, p in ev.snapshot.class_probs])
            if ev.snapshot is not None
            else np.array([PRIORS[c].weight for c in CLASSES])
        )
        est = _estimate(
            ev_tracks,
            params,
            hint,
            ev.status == "boosting",
            ev.launch_cache,
            ev.fit_cache,
            ev.tri_cache,
            ev.mono_cache,
        )
        changes: dict[str, Any] = {"estimated_t_s": last_t, "tri_cache": est.tri}
        if est.mono is not None:
            changes["mono_cache"] = est.mono
        if est.fit_window is not None:
            changes["fit_cache"] = est.fit_window
        if est.launch_complete and ev.launch_cache is None and est.launch is not None:
            changes["launch_cache"] = (est.launch, est.launch_lat, est.launch_lon)
        status, votes, pending = ev.status, ev.votes, ev.pending
        if fresh and status != "boosting":
            votes = votes + 1 if est.decision == pending else 1
            pending = est.decision
            if votes >= params.boost_confirm_steps and pending != "rising":
                status = pending
        if (
            ended
            and status != "boosting"
            and est.decision in ("boosting", "rising")
            and est.alt.shape[0]
            and float(est.alt[-1]) > params.min_burnout_altitude_m
        ):
            # a short burn (an SRBM seen for ~20 s) may end before its acceleration is
            # significant: a plume that rose steadily and went out up high was a rocket
            status = "boosting"
        burnout: float | None = None
        if ended and status == "boosting" and est.alt.shape[0]:
            if float(est.alt[-1]) > params.min_burnout_altitude_m:
                burnout = last_t + 0.5 * est.median_dt
        changes.update(status=status, votes=votes, pending=pending)
        if status == "stationary" and ev.status != "stationary":
            changes.update(anchors=_anchors(ev_tracks, params), checked_t_s=last_t, escape=0)
        # a stationary source that went out stays a stationary source, not a candidate
        shown_status = "ended" if ended and status != "stationary" else status
        snap = _snapshot(ev.event_id, ev_tracks, est, shown_status, burnout, params)
        new_ev = evolve(ev, snapshot=snap, ended_t_s=last_t if ended else None, **changes)
        out_events.append(new_ev)
        snaps.append(snap)

    keep_ids = {k for ev in out_events for k in ev.track_ids}
    tracks = [tr for tr in tracks if not tr.closed or tr.track_id in keep_ids]
    new_state = IrState(
        t_s=t_s,
        next_track_id=next_tid,
        next_event_id=next_eid,
        tracks=tuple(tracks),
        events=tuple(out_events),
    )
    return new_state, tuple(snaps)
