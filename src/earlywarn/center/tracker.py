"""Multi-target radar tracker: vectorised EKF, chi-square gating, GNN, M-of-N initiation.

The tracker is a *step function* over immutable values::

    tracker = Tracker(motion=ConstantVelocity(q=1.0), measurement=RadarRAE(50.0, 1e-3, 1e-3))
    state = tracker.initial_state()
    for t, z in scans:                       # z: (m, dim) measurements taken at time t
        state, out = tracker.step(state, z, t)

``state`` is a frozen :class:`TrackerState` holding every track in stacked arrays (states
``(n, 6)``, covariances ``(n, 6, 6)``); ``step`` returns a new one and never mutates its
input. Same inputs in the same order give bit-identical outputs (no randomness, no
dictionaries or sets whose order could vary, deterministic assignment). ``advance`` is
``step`` without the output record (only which track each measurement went to).

One scan, all tracks at once (no Python loop over tracks or measurements):

1. **Predict** every track to ``t`` with the motion model: ``x⁻ = f(x)``, ``P⁻ = F P Fᵀ + Q``
   (a scan at the state's own time, e.g. another site's, moves nothing: ``P⁻ = P``).
2. **Measurement prediction**: ``ẑ = h(x⁻)``, ``H = ∂h/∂x``, ``S = H P⁻ Hᵀ + R`` per track,
   plus the model's second-order terms (``MeasurementModel.second_order``: ``½ tr(Hᵢ P)`` on
   ``ẑ``, ``½ tr(Hᵢ P Hⱼ P)`` on the ``R`` the update uses; the radar's range and range rate).
3. **Pre-gate** with a kd-tree on the measurements' Cartesian positions: a track can only
   be paired with measurements within ``margin·√(γ·(tr P⁻_pos + tr R_pos))`` of its
   predicted position, which to first order contains its whole chi-square gate
   (|Δp|² ≤ γ λ_max ≤ γ tr). This keeps the cost matrix sparse at hundreds of targets.
   With a handful of pairs (a radar scan of a few objects) there is no pre-gate
   (:func:`earlywarn.center.kernels.candidate_pairs` chooses): every pair gets the exact
   test of step 4, which then costs less, with the same result as long as the pre-gate
   contains the gate (what its margin is for).
4. **Gate**: Mahalanobis ``d² = yᵀ S⁻¹ y ≤ γ`` with ``γ`` the chi-square quantile for the
   gate probability and the measurement dimension.
5. **Global nearest neighbour**: maximise the number of gated pairs, then minimise the total
   negative log-likelihood ``d² + ln det S``, with ``scipy.optimize.linear_sum_assignment``
   only on the pairs that compete (isolated one-to-one pairs are assigned directly, and
   ``ln det S`` is computed only when some pairs compete).
   Confirmed tracks are served first; tentative tracks then compete for what is left.
6. **Update** the assigned tracks with the EKF in Joseph form (:func:`ekf_update`), iterated
   (``update_iterations``, :func:`iterated_ekf_update`).
   Optionally (``Initiation.two_point``) a tentative track's second measurement sets the
   velocity by two-point differencing instead (Bar-Shalom, Li, Kirubarajan 2001, §5.5.3);
   on the shared CV benchmark the zero-mean 300 m/s prior scored marginally better (the
   prior's shrinkage towards zero is right when most targets are slower than the prior σ),
   so the difference is off by default; for fast ballistic targets turn it on.
7. **M-of-N**: a tentative track is confirmed once it has ``M`` hits among its first ``N``
   scans, deleted once that becomes impossible or after ``max_coast_s`` without update.
   Confirmed tracks are deleted after ``Deletion.max_coast_s`` without update and, before
   that, held back from the output after ``Deletion.report_max_coast_s`` (kept for
   association, so a target that fades for a few scans keeps its id).
8. **Initiate** a tentative track from every measurement left unassigned: position from the
   inverted measurement with covariance ``J R Jᵀ``, zero velocity with a wide prior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from earlywarn.center.assignment import _gnn_pairs, _uncontested, gnn_assign
from earlywarn.center.gates import chi2_ppf
from earlywarn.center.kalman import (
    _symmetrised,
    ekf_update,
    iterated_ekf_update,
    predict_covariance,
)
from earlywarn.center.kernels import candidate_pairs
from earlywarn.center.measure import MeasurementModel
from earlywarn.center.motion import MotionModel

FloatArray = npt.NDArray[np.float64]
_HAS_BITWISE_COUNT = hasattr(np, "bitwise_count")
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_NO_INT: IntArray = np.zeros(0, dtype=np.int64)
_NO_INT.setflags(write=False)
_ONE_U32 = np.uint32(1)

__all__ = [
    "Deletion",
    "Gate",
    "Initiation",
    "Tracker",
    "TrackerOutput",
    "TrackerState",
    "ekf_update",
    "gnn_assign",
    "iterated_ekf_update",
    "predict_covariance",
]


def _nis(
    state: TrackerState, rows: IntArray, y: FloatArray, s_inv: FloatArray
) -> tuple[FloatArray, IntArray]:
    """``state``'s NIS sums and counts with the assigned pairs (tracks ``rows``, innovations
    ``y``) added, for tracks past their second hit (the first two measurements set the
    state; a birth or two-point start has no prediction to test)."""
    fit = state.hits[rows] >= 2
    if not fit.any():
        return state.nis_sum, state.nis_n
    r = rows[fit]
    nis_sum, nis_n = state.nis_sum.copy(), state.nis_n.copy()
    nis_sum[r] += np.einsum("pi,pij,pj->p", y[fit], s_inv[r], y[fit])
    nis_n[r] += 1
    return nis_sum, nis_n


@lru_cache(maxsize=8)
def _window_mask(window_scans: int) -> np.uint32:
    """The bits of an M-of-N window of ``window_scans`` scans."""
    return np.uint32((1 << window_scans) - 1)


# --------------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """Chi-square gate on the Mahalanobis distance: keep pairs with ``d² ≤ χ²_dim(probability)``."""

    probability: float = 0.999

    def __post_init__(self) -> None:
        if not (0.0 < self.probability < 1.0):
            raise ValueError(f"Gate.probability must be in (0, 1), got {self.probability!r}")

    def threshold(self, dim: int) -> float:
        """Gate value γ for a measurement of ``dim`` components."""
        return chi2_ppf(self.probability, int(dim))


@dataclass(frozen=True)
class Initiation:
    """M-of-N initiation of tentative tracks from unassociated measurements.

    ``confirm_hits`` (M) hits among the first ``window_scans`` (N) scans of a tentative track
    (its birth scan counts as the first hit) confirm it. The initial velocity is zero-mean with
    ``velocity_sigma_m_s`` per axis (this sets the gate for the second measurement); with
    ``two_point`` the second measurement replaces it by a two-point difference. Tentative
    tracks are dropped after ``max_coast_s`` without update.
    """

    confirm_hits: int = 2
    window_scans: int = 3
    velocity_sigma_m_s: float = 300.0
    two_point: bool = False
    max_coast_s: float = 2.0

    def __post_init__(self) -> None:
        if not (1 <= self.confirm_hits <= self.window_scans <= 32):
            raise ValueError(
                "need 1 <= confirm_hits (M) <= window_scans (N) <= 32, got "
                f"M={self.confirm_hits!r}, N={self.window_scans!r}"
            )
        if not (math.isfinite(self.velocity_sigma_m_s) and self.velocity_sigma_m_s > 0.0):
            raise ValueError(
                f"velocity_sigma_m_s must be positive, got {self.velocity_sigma_m_s!r}"
            )
        if not (math.isfinite(self.max_coast_s) and self.max_coast_s >= 0.0):
            raise ValueError(f"Initiation.max_coast_s must be >= 0 s, got {self.max_coast_s!r}")


@dataclass(frozen=True)
class Deletion:
    """When confirmed tracks stop being reported and when they are deleted.

    A confirmed track is deleted when more than ``max_coast_s`` passed since its last update.
    Before that, once more than ``report_max_coast_s`` passed, it is *held*: kept and still
    associated (so a target that fades for a few scans keeps its track and id) but left out
    of the reported tracks, because after several misses in a row a dead target is more
    likely than a faded live one. ``report_max_coast_s=None`` reports until deletion.
    """

    max_coast_s: float = 5.0
    report_max_coast_s: float | None = 2.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_coast_s) and self.max_coast_s >= 0.0):
            raise ValueError(f"Deletion.max_coast_s must be >= 0 s, got {self.max_coast_s!r}")
        r = self.report_max_coast_s
        if r is not None and not (math.isfinite(r) and 0.0 <= r <= self.max_coast_s):
            raise ValueError(
                f"Deletion.report_max_coast_s must be None or in [0, max_coast_s="
                f"{self.max_coast_s!r}] s, got {r!r}"
            )


# --------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------


def _popcount32(v: npt.NDArray[np.uint32]) -> IntArray:
    """Number of set bits of each uint32 (``np.bitwise_count`` needs numpy ≥ 2)."""
    if _HAS_BITWISE_COUNT:
        return np.bitwise_count(v).astype(np.int64)
    bits = np.unpackbits(v.astype("<u4").view(np.uint8).reshape(-1, 4), axis=1)
    return bits.sum(axis=1, dtype=np.int64)


@dataclass
class _Scan:
    """One scan's measurements and, once asked for, their Cartesian positions (computed
    for the whole scan at once, by the pre-gate, a two-point start or a new track)."""

    z: FloatArray
    z_pos: FloatArray | None

    def positions(self, mm: MeasurementModel) -> FloatArray:
        if self.z_pos is None:
            self.z_pos = mm.position(self.z)
        return self.z_pos


def _checked_scan(
    state: TrackerState, measurements: npt.ArrayLike, t: float, mm: MeasurementModel
) -> tuple[FloatArray, float]:
    """The scan's measurements as an (m, dim) array and its time, or a ValueError."""
    z = np.asarray(measurements, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] != mm.dim:
        raise ValueError(
            f"measurements must have shape (m, {mm.dim}) for this measurement model, got {z.shape}"
        )
    if not np.isfinite(z).all():
        raise ValueError("measurements contain NaN or infinite values")
    t = float(t)
    if not math.isfinite(t):
        raise ValueError(f"t must be a finite time in seconds, got {t!r}")
    if not math.isnan(state.time) and t < state.time:
        raise ValueError(
            f"t={t!r} s is earlier than the tracker state time {state.time!r} s; "
            "scans must be processed in time order"
        )
    return z, t


@dataclass(frozen=True)
class TrackerState:
    """Every track of the tracker, stacked; an immutable value (arrays are read-only).

    ``time`` is the time all tracks refer to (NaN before the first scan); ``next_id`` the id
    the next new track receives. Per track: ``ids``, state ``x (n, 6)`` and covariance
    ``p (n, 6, 6)`` at ``time``, ``confirmed``, ``hits`` (updates so far), ``history`` (bit i
    set = hit i scans ago), ``age_scans`` (scans since birth, birth scan = 1),
    ``last_update_s``, ``anchor_m``/``anchor_cov`` — the first measured position and its
    covariance, used by the two-point initiation — and ``nis_sum``/``nis_n``: the sum of
    the normalised innovations squared ``yᵀ S⁻¹ y`` of its updates after its second hit,
    and how many (``χ²`` with ``nis_n · dim`` degrees of freedom for a consistent filter
    and a target that follows the motion model: the track's fit quality).
    """

    time: float
    next_id: int
    ids: IntArray
    x: FloatArray
    p: FloatArray
    confirmed: BoolArray
    hits: IntArray
    history: npt.NDArray[np.uint32]
    age_scans: IntArray
    last_update_s: FloatArray
    anchor_m: FloatArray
    anchor_cov: FloatArray
    nis_sum: FloatArray
    nis_n: IntArray

    def __post_init__(self) -> None:
        for name in (
            "ids",
            "x",
            "p",
            "confirmed",
            "hits",
            "history",
            "age_scans",
            "last_update_s",
            "anchor_m",
            "anchor_cov",
            "nis_sum",
            "nis_n",
        ):
            getattr(self, name).setflags(write=False)

    @classmethod
    def empty(cls, first_id: int = 0) -> TrackerState:
        """A state with no tracks, before the first scan."""
        return cls(
            time=math.nan,
            next_id=first_id,
            ids=np.zeros(0, dtype=np.int64),
            x=np.zeros((0, 6)),
            p=np.zeros((0, 6, 6)),
            confirmed=np.zeros(0, dtype=bool),
            hits=np.zeros(0, dtype=np.int64),
            history=np.zeros(0, dtype=np.uint32),
            age_scans=np.zeros(0, dtype=np.int64),
            last_update_s=np.zeros(0),
            anchor_m=np.zeros((0, 3)),
            anchor_cov=np.zeros((0, 3, 3)),
            nis_sum=np.zeros(0),
            nis_n=np.zeros(0, dtype=np.int64),
        )

    @property
    def n_tracks(self) -> int:
        return int(self.ids.size)


@dataclass(frozen=True)
class TrackerOutput:
    """What one scan produced.

    ``ids``, ``x``, ``p`` and ``updated`` describe the reported tracks at ``time``: the
    confirmed ones, less those held by ``Deletion.report_max_coast_s`` (``updated`` False =
    coasted on prediction this scan). ``confirmed_now`` lists ids
    confirmed in this scan, ``deleted`` ids dropped in this scan (tentative or confirmed).
    ``meas_track_id[j]`` is the id of the track measurement ``j`` updated or started.
    """

    time: float
    ids: IntArray
    x: FloatArray
    p: FloatArray
    updated: BoolArray
    confirmed_now: IntArray
    deleted: IntArray
    meas_track_id: IntArray


# --------------------------------------------------------------------------------------------
# tracker
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tracker:
    """A multi-target tracker assembled from its components (all frozen values).

    ``pregate_margin`` (≥ 1) widens the kd-tree pre-gate radius beyond its first-order bound
    to absorb the measurement nonlinearity; it never changes which pairs pass the
    chi-square gate as long as it is large enough, only how many are tested.
    """

    motion: MotionModel
    measurement: MeasurementModel
    gate: Gate = field(default_factory=Gate)
    initiation: Initiation = field(default_factory=Initiation)
    deletion: Deletion = field(default_factory=Deletion)
    pregate_margin: float = 1.5
    update_iterations: int = 1

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pregate_margin) and self.pregate_margin >= 1.0):
            raise ValueError(f"pregate_margin must be >= 1, got {self.pregate_margin!r}")
        if not (isinstance(self.update_iterations, int) and self.update_iterations >= 1):
            raise ValueError(f"update_iterations must be >= 1, got {self.update_iterations!r}")

    def initial_state(self, first_id: int = 0) -> TrackerState:
        """The empty state to start from; track ids count up from ``first_id``."""
        return TrackerState.empty(first_id)

    # -- the step ----------------------------------------------------------------------

    def step(
        self,
        state: TrackerState,
        measurements: npt.ArrayLike,
        t: float,
        measurement_model: MeasurementModel | None = None,
    ) -> tuple[TrackerState, TrackerOutput]:
        """Process the measurements ``(m, dim)`` taken at time ``t`` (s); return the new state.

        ``measurement_model`` overrides the tracker's model for this scan (e.g. another
        radar site); it must measure the same state vector.
        """
        new_state, meas_track_id, (updated, confirmed_now, drop) = self._scan(
            state, measurements, t, measurement_model
        )
        out_mask = new_state.confirmed
        if self.deletion.report_max_coast_s is not None:
            out_mask = out_mask & (
                new_state.time - new_state.last_update_s <= self.deletion.report_max_coast_s
            )
        output = TrackerOutput(
            time=new_state.time,
            ids=new_state.ids[out_mask],
            x=new_state.x[out_mask],
            p=new_state.p[out_mask],
            updated=updated[out_mask],
            confirmed_now=confirmed_now,
            deleted=state.ids[drop],
            meas_track_id=meas_track_id,
        )
        return new_state, output

    def advance(
        self,
        state: TrackerState,
        measurements: npt.ArrayLike,
        t: float,
        measurement_model: MeasurementModel | None = None,
    ) -> tuple[TrackerState, IntArray]:
        """:meth:`step` without the rest of its output: the new state and ``meas_track_id``
        (the id of the track each measurement updated or started), all the center needs."""
        new_state, meas_track_id, _ = self._scan(state, measurements, t, measurement_model)
        return new_state, meas_track_id

    def _scan(
        self,
        state: TrackerState,
        measurements: npt.ArrayLike,
        t: float,
        measurement_model: MeasurementModel | None,
    ) -> tuple[TrackerState, IntArray, tuple[BoolArray, IntArray, BoolArray]]:
        """One scan: the new state, ``meas_track_id`` and, for :class:`TrackerOutput`, per
        track of the new state whether a measurement updated it, the ids confirmed in this
        scan and which tracks of ``state`` were dropped."""
        mm = self.measurement if measurement_model is None else measurement_model
        z, t = _checked_scan(state, measurements, t, mm)
        all_confirmed = bool(state.confirmed.all())  # the usual case: simpler paths below
        x_pred, p_pred = self._predict(state, t)  # 1.
        scan = _Scan(z=z, z_pos=None)
        if state.n_tracks and z.shape[0]:
            rows, cols, y, pick, in_order, h, s_inv, r_eff = self._associate(  # 2.-5.
                state, scan, x_pred, p_pred, mm, all_confirmed
            )
            assigned_r, assigned_c = rows[pick], cols[pick]
            nis = _nis(state, rows[pick], y[pick], s_inv)
            x_new, p_new = self._update(  # 6.
                state, scan, t, mm, all_confirmed, x_pred, p_pred, (rows, cols, y, pick),
                in_order, h, s_inv, r_eff,
            )  # fmt: skip
        else:
            assigned_r = assigned_c = _NO_INT
            x_new, p_new = x_pred, p_pred
            nis = (state.nis_sum, state.nis_n)
        return self._bookkeep_and_initiate(  # 7.-8.
            state, scan, t, mm, all_confirmed, assigned_r, assigned_c, x_new, p_new, nis
        )

    def _predict(self, state: TrackerState, t: float) -> tuple[FloatArray, FloatArray]:
        """1. predict: x⁻ = f(x), P⁻ = F P Fᵀ + Q."""
        if not state.n_tracks:
            return state.x, state.p
        if t != state.time:
            x_pred, f, q = self.motion.predict(state.x, t - state.time)
            return x_pred, predict_covariance(state.p, f, q)
        # another scan at the same time (another site): nothing moves, F = I and Q = 0, so
        # P⁻ is P symmetrised — bit for bit what predict_covariance gives, since I P Iᵀ + 0
        # is exact
        return state.x, _symmetrised(state.p)

    def _associate(
        self,
        state: TrackerState,
        scan: _Scan,
        x_pred: FloatArray,
        p_pred: FloatArray,
        mm: MeasurementModel,
        all_confirmed: bool,
    ) -> tuple[IntArray, IntArray, FloatArray, IntArray, bool, FloatArray, FloatArray, FloatArray]:
        """2.-5. measurement prediction, candidate pairs, gate and GNN assignment.

        Returns the gated pairs (``rows``, ``cols``, innovations ``y``), ``pick`` (the
        assigned pairs among them), whether ``pick`` is in row order, H, S⁻¹ and R."""
        z = scan.z
        m = z.shape[0]
        # 2. measurement prediction for every track
        r_mat = mm.noise_covariance
        z_hat, h = mm.function_and_jacobian(x_pred)
        terms = mm.second_order(x_pred, p_pred)
        if terms is not None:
            z_hat = z_hat + terms[0]
            r_mat = r_mat + terms[1]
        s = h @ p_pred @ h.swapaxes(1, 2) + r_mat  # S = H P⁻ Hᵀ + R
        s_inv: FloatArray = np.linalg.inv(s)  # type: ignore[assignment]  # of float64 S
        gamma = self.gate.threshold(mm.dim)

        # 3. candidate pairs: all of a few, else those within a kd-tree pre-gate radius in
        # Cartesian space (kernels.candidate_pairs)
        def pregate() -> tuple[FloatArray, FloatArray, FloatArray]:
            z_pos = scan.positions(mm)
            pos = x_pred[:, :3]
            tr = p_pred[:, :3, :3].trace(axis1=1, axis2=2) + mm.position_noise_trace(pos)
            radius = self.pregate_margin * np.sqrt(gamma * tr) + 1.0
            return pos, radius, z_pos

        rows, cols = candidate_pairs(state.n_tracks, m, pregate)
        y = mm.residual(z[cols], z_hat[rows])

        # 4. Mahalanobis gate on the candidate pairs: d² = yᵀ S⁻¹ y ≤ γ
        d2 = np.einsum("pi,pij,pj->p", y, s_inv[rows], y)
        keep = (d2 <= gamma).nonzero()[0]
        rows, cols, y, d2 = rows[keep], cols[keep], y[keep], d2[keep]
        logdet: list[FloatArray] = []

        def cost(i: IntArray) -> FloatArray:
            """GNN cost d² + ln det S of the gated pairs ``i`` (asked for only when pairs
            compete, so ln det S is computed then, once)."""
            if not logdet:
                logdet.append(np.linalg.slogdet(s)[1])
            return d2[i] + logdet[0][rows[i]]

        # 5. GNN: confirmed tracks first, then tentative tracks on what is left; ``pick``
        # indexes the gated pairs (rows, cols, y), whose rows are ascending
        in_order = True  # pick in row order
        if _uncontested(rows, cols):
            # no track or measurement in two gated pairs: nothing competes, every pair is
            # assigned whichever tracks go first
            pick = np.arange(rows.size)
        elif all_confirmed:
            pick = _gnn_pairs(rows, cols, cost)
        else:
            in_order = False
            conf_pair = state.confirmed[rows]
            sel1 = np.flatnonzero(conf_pair)
            pick1 = sel1[_gnn_pairs(rows[sel1], cols[sel1], lambda i: cost(sel1[i]))]
            free = np.ones(m, dtype=bool)
            free[cols[pick1]] = False
            sel2 = np.flatnonzero(~conf_pair & free[cols])
            pick2 = sel2[_gnn_pairs(rows[sel2], cols[sel2], lambda i: cost(sel2[i]))]
            pick = np.concatenate([pick1, pick2])
        return rows, cols, y, pick, in_order, h, s_inv, r_mat

    def _update(
        self,
        state: TrackerState,
        scan: _Scan,
        t: float,
        mm: MeasurementModel,
        all_confirmed: bool,
        x_pred: FloatArray,
        p_pred: FloatArray,
        pairs: tuple[IntArray, IntArray, FloatArray, IntArray],
        in_order: bool,
        h: FloatArray,
        s_inv: FloatArray,
        r_mat: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """6. update: the EKF for assigned tracks, the two-point start for tentative tracks
        on their second hit. ``pairs``: the gated (rows, cols, y) and the ``pick``;
        ``r_mat``: R ``(m, m)``, or per track ``(n, m, m)`` with the second-order terms."""
        rows, cols, y, pick = pairs
        if not pick.size:
            return x_pred, p_pred
        n = state.n_tracks
        assigned_r = rows[pick]
        two_pt: BoolArray | None = None
        if self.initiation.two_point and not all_confirmed:
            two_pt = (
                ~state.confirmed[assigned_r]
                & (state.hits[assigned_r] == 1)
                & (state.last_update_s[assigned_r] < t)  # needs a time difference
            )
            if not two_pt.any():
                two_pt = None
        if in_order and two_pt is None and pick.size == n:
            # every track updated by the EKF (assigned_r is 0..n-1 in order)
            it = self.update_iterations
            return iterated_ekf_update(x_pred, p_pred, y[pick], h, r_mat, s_inv, mm, it)
        x_new = x_pred.copy()
        p_new = p_pred.copy()
        ek = pick if two_pt is None else pick[~two_pt]
        if ek.size:
            ek_r = rows[ek]
            r_ek = r_mat if r_mat.ndim == 2 else r_mat[ek_r]
            x_new[ek_r], p_new[ek_r] = iterated_ekf_update(
                x_pred[ek_r], p_pred[ek_r], y[ek], h[ek_r], r_ek, s_inv[ek_r], mm,
                self.update_iterations,
            )  # fmt: skip
        if two_pt is not None:
            tp_r, tp_c = assigned_r[two_pt], cols[pick][two_pt]
            x_new[tp_r], p_new[tp_r] = self._two_point(
                state.anchor_m[tp_r],
                state.anchor_cov[tp_r],
                scan.positions(mm)[tp_c],  # the whole scan at once, as for the pre-gate
                mm.position_from(scan.z[tp_c])[1],
                t - state.last_update_s[tp_r],
            )
        return x_new, p_new

    def _bookkeep_and_initiate(
        self,
        state: TrackerState,
        scan: _Scan,
        t: float,
        mm: MeasurementModel,
        all_confirmed: bool,
        assigned_r: IntArray,
        assigned_c: IntArray,
        x_new: FloatArray,
        p_new: FloatArray,
        nis: tuple[FloatArray, IntArray],
    ) -> tuple[TrackerState, IntArray, tuple[BoolArray, IntArray, BoolArray]]:
        """7. hits, the M-of-N window, confirmation and deletion; 8. initiation from the
        measurements nobody took."""
        ini = self.initiation
        n, m = state.n_tracks, scan.z.shape[0]
        updated = np.zeros(n, dtype=bool)
        updated[assigned_r] = True
        hits = state.hits + updated
        history = ((state.history << _ONE_U32) | updated) & _window_mask(ini.window_scans)
        age = state.age_scans + 1
        last_update = np.where(updated, t, state.last_update_s)
        since = t - last_update
        if all_confirmed:
            # nothing to confirm; only the coast limit of confirmed tracks applies
            confirmed = state.confirmed
            confirmed_now = np.zeros(0, dtype=np.int64)
            drop = since > self.deletion.max_coast_s
        else:
            in_window = _popcount32(history)
            was_confirmed = state.confirmed
            confirmed = was_confirmed | (
                (in_window >= ini.confirm_hits) & (age <= ini.window_scans)
            )
            impossible = in_window + (ini.window_scans - age) < ini.confirm_hits
            drop = np.where(
                confirmed,
                since > self.deletion.max_coast_s,
                (since > ini.max_coast_s) | impossible,
            )
            confirmed_now = state.ids[confirmed & ~was_confirmed & ~drop]

        meas_track_id = np.full(m, -1, dtype=np.int64)
        meas_track_id[assigned_c] = state.ids[assigned_r]
        k = m - assigned_c.size
        if k == 0 and not drop.any():
            # nothing born or dropped (the usual scan): the arrays carry over as they are
            new_state = TrackerState(
                time=t,
                next_id=state.next_id,
                ids=state.ids,
                x=x_new,
                p=p_new,
                confirmed=confirmed,
                hits=hits,
                history=history,
                age_scans=age,
                last_update_s=last_update,
                anchor_m=state.anchor_m,
                anchor_cov=state.anchor_cov,
                nis_sum=nis[0],
                nis_n=nis[1],
            )
            return new_state, meas_track_id, (updated, confirmed_now, drop)
        keep_tr = ~drop
        unassigned = np.ones(m, dtype=bool)
        unassigned[assigned_c] = False
        new_c = np.flatnonzero(unassigned)
        new_ids = state.next_id + np.arange(k, dtype=np.int64)
        if k:
            # positions of the whole scan at once (as for the pre-gate), the covariance
            # J R Jᵀ (per measurement) only where a track is born
            new_pos = scan.positions(mm)[new_c]
            new_cov = mm.position_from(scan.z[new_c])[1]
        else:
            new_pos, new_cov = np.zeros((0, 3)), np.zeros((0, 3, 3))
        x0 = np.zeros((k, 6))
        x0[:, :3] = new_pos
        p0 = np.zeros((k, 6, 6))
        p0[:, :3, :3] = new_cov
        p0[:, 3:, 3:] = np.eye(3) * ini.velocity_sigma_m_s**2
        meas_track_id[new_c] = new_ids
        born_confirmed = np.full(k, ini.confirm_hits <= 1)
        new_state = TrackerState(
            time=t,
            next_id=state.next_id + k,
            ids=np.concatenate([state.ids[keep_tr], new_ids]),
            x=np.concatenate([x_new[keep_tr], x0]),
            p=np.concatenate([p_new[keep_tr], p0]),
            confirmed=np.concatenate([confirmed[keep_tr], born_confirmed]),
            hits=np.concatenate([hits[keep_tr], np.ones(k, dtype=np.int64)]),
            history=np.concatenate([history[keep_tr], np.ones(k, dtype=np.uint32)]),
            age_scans=np.concatenate([age[keep_tr], np.ones(k, dtype=np.int64)]),
            last_update_s=np.concatenate([last_update[keep_tr], np.full(k, t)]),
            anchor_m=np.concatenate([state.anchor_m[keep_tr], new_pos]),
            anchor_cov=np.concatenate([state.anchor_cov[keep_tr], new_cov]),
            nis_sum=np.concatenate([nis[0][keep_tr], np.zeros(k)]),
            nis_n=np.concatenate([nis[1][keep_tr], np.zeros(k, dtype=np.int64)]),
        )
        upd_all = np.concatenate([updated[keep_tr], np.ones(k, dtype=bool)])
        confirmed_now = np.concatenate([confirmed_now, new_ids[born_confirmed]])
        return new_state, meas_track_id, (upd_all, confirmed_now, drop)

    def _two_point(
        self,
        p1: FloatArray,
        c1: FloatArray,
        p2: FloatArray,
        c2: FloatArray,
        dt: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Two-point differencing: x = [p2, (p2 − p1)/dt] with its exact linear covariance.

        With independent position errors C1, C2 (Bar-Shalom, Li, Kirubarajan 2001, §5.5.3):
        P = [[C2, C2/dt], [C2/dt, (C1 + C2)/dt²]]. The motion model corrects the velocity
        for its known acceleration (gravity); a measured range rate is not used here.
        """
        x = np.empty((p1.shape[0], 6))
        x[:, :3] = p2
        dtu = float(dt[0]) if np.all(dt == dt[0]) else None
        if dtu is not None:
            x[:, 3:] = self.motion.two_point_velocity(p1, p2, dtu)
        else:
            # different gaps (a coasted tentative track): one call per distinct gap
            for gap in np.unique(dt):
                sel = dt == gap
                x[sel, 3:] = self.motion.two_point_velocity(p1[sel], p2[sel], float(gap))
        d = dt[:, None, None]
        p = np.empty((p1.shape[0], 6, 6))
        p[:, :3, :3] = c2
        p[:, :3, 3:] = c2 / d
        p[:, 3:, :3] = c2 / d
        p[:, 3:, 3:] = (c1 + c2) / (d * d)
        return x, p
