"""The center's core: configuration, state and the step function; ``run_center`` wraps it.

::

    state = CenterState.initial(config)
    state, out = step(state, reports, t_s)      # reports: a ReportSlice

``reports`` is a :class:`earlywarn.reports.ReportSlice`: one typed block per kind
(``"ir"``, ``"radar"``, ``"status"``), built and checked once at the boundary
(``ReportSlice.from_columns``, or views of a batch window as :func:`run_center` makes).
State and outputs are immutable values; the step is deterministic (no randomness, every
iteration over sorted ids), so the same reports in the same order give bit-identical
alerts.

One step:

0. intake (:func:`earlywarn.center.intake.admit`): one policy for every kind sorts the
   reports into used, late, duplicate, held (early) and future, and counts them in
   :attr:`StepOutput.intake`; late, duplicated and out-of-order reports never raise;
1. sensor health from status reports and heartbeats (:func:`assessment.update_health`);
2. IR launch detection (the configured :class:`IrDetector`, by default
   ``earlywarn.center.ir``);
3. radar tracking (:func:`radar_tracking.radar_step`);
4. fusion, characterisation and the assessment ladder (:func:`assessment.assess`);
5. alerts for every change of level or disposition, or a material change of the impact
   estimate (:func:`assessment.make_alerts`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from earlywarn.center import ir
from earlywarn.center.alerts import Alert
from earlywarn.center.assessment import (
    AssessmentParams,
    DefendedArea,
    Event,
    ImpactRecord,
    LaunchNotification,
    SensorHealth,
    assess,
    make_alerts,
    update_health,
)
from earlywarn.center.fusion import FusionParams
from earlywarn.center.intake import (
    IntakeCounts,
    IntakeParams,
    IntakeState,
    SensorRegistry,
    admit,
)
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.radar_tracking import (
    RadarParams,
    RadarTrack,
    RadarTrackingState,
    radar_step,
)
from earlywarn.center.rso import CenterCatalog, StepCatalog
from earlywarn.center.vocabulary import SPACE_OBJECT_REASONS, Disposition
from earlywarn.earth.time import parse_utc
from earlywarn.reports import (
    KINDS,
    MODES,
    Rejection,
    ReportBatch,
    ReportBlock,
    ReportSlice,
    bad_rows,
    row_faults,
)
from earlywarn.space.catalog import Catalog

__all__ = [
    "CenterConfig",
    "CenterOutput",
    "CenterState",
    "InfraredDetector",
    "IrDetector",
    "StepOutput",
    "run_center",
    "step",
]

FloatVec = npt.NDArray[np.float64]


class IrDetector(Protocol):
    """The IR launch detector the center composes (``earlywarn.center.ir`` by default).

    ``step`` returns the new detector state and the detector's current events (live or
    just ended); the center copies what it needs of each into its own event, so an event
    may disappear from the detector's output once it is over.
    """

    def initial_state(self) -> Any: ...

    def step(
        self, state: Any, reports: ReportBlock, t_s: float, status: ReportBlock | None = None
    ) -> tuple[Any, tuple[IrEventLike, ...]]: ...


@dataclass(frozen=True)
class InfraredDetector:
    """The center's own IR launch detection, ``earlywarn.center.ir.ir_step``.

    ``params`` is an ``IrParams`` (None: its defaults).
    """

    params: Any = None
    report_driven: bool = True
    """Its events change only when IR reports arrive or its track timers run out, so
    :func:`run_center` may skip report-free intervals (see there)."""

    def initial_state(self) -> Any:
        return ir.IrState.initial()

    def step(
        self, state: Any, reports: ReportBlock, t_s: float, status: ReportBlock | None = None
    ) -> tuple[Any, tuple[IrEventLike, ...]]:
        params = self.params if self.params is not None else _DEFAULT_IR_PARAMS
        new_state, events = ir.ir_step(state, reports, t_s, params, status)
        # (IrEvent is a frozen dataclass: read-only fields, which mypy does not accept for
        # the protocol's plain attributes; it has every field IrEventLike names)
        return new_state, cast("tuple[IrEventLike, ...]", tuple(events))


_DEFAULT_IR_PARAMS = ir.IrParams()


@dataclass(frozen=True)
class CenterConfig:
    """What a center is set up with (all SI; times in seconds since ``epoch``).

    ``defended_areas``: named circles or polygons; ``declared_launches``: launch
    notifications; ``ir``: the IR detector (None: :class:`InfraredDetector` defaults);
    ``radar``, ``fusion``, ``assessment``, ``intake``: the parameters of those stages;
    ``sensors``: the sensor registry (reports from any other sensor are counted and never
    used; None takes every sensor, for unit tests and replays without their scenario);
    ``catalog``: the center's own catalog of resident space objects (None: none).
    ``mode``: the center's provenance, one of :data:`earlywarn.reports.MODES` (it uses
    only reports of its own mode and counts the others as ``other_mode``).
    """

    epoch: datetime
    defended_areas: tuple[DefendedArea, ...] = ()
    declared_launches: tuple[LaunchNotification, ...] = ()
    ir: IrDetector | None = None
    radar: RadarParams = field(default_factory=RadarParams)
    fusion: FusionParams = field(default_factory=FusionParams)
    assessment: AssessmentParams = field(default_factory=AssessmentParams)
    intake: IntakeParams = field(default_factory=IntakeParams)
    sensors: SensorRegistry | None = None
    catalog: Catalog | None = None
    """The center's own catalog of resident space objects (None: none; see
    :mod:`earlywarn.center.rso`). An input like the sensor registry, not truth."""
    mode: str = "live"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"CenterConfig.mode: got {self.mode!r}; expected one of {MODES}")
        object.__setattr__(self, "epoch", parse_utc(self.epoch))
        object.__setattr__(self, "defended_areas", tuple(self.defended_areas))
        object.__setattr__(self, "declared_launches", tuple(self.declared_launches))
        names = [a.name for a in self.defended_areas]
        if len(set(names)) != len(names):
            raise ValueError(f"defended area names must be unique, got {names}")

    @property
    def detector(self) -> IrDetector:
        return self.ir if self.ir is not None else InfraredDetector()

    @cached_property
    def rso(self) -> CenterCatalog | None:
        """The catalog prepared for correlation (built once per configuration)."""
        if self.catalog is None:
            return None
        return CenterCatalog(self.catalog, self.epoch)

    def step_catalog(self) -> StepCatalog | None:
        """A fresh per-step view of the catalog (its states cached for the step)."""
        rso = self.rso
        if rso is None:
            return None
        a = self.assessment
        return StepCatalog(
            rso, a.catalog_sigma0_m, a.catalog_sigma_growth_m_s, a.catalog_gate_probability
        )


@dataclass(frozen=True)
class CenterState:
    """The whole center at ``t_s``: an immutable value."""

    config: CenterConfig
    t_s: float
    ir_state: Any
    ir_events: tuple[tuple[str, IrEventLike], ...]
    radar: RadarTrackingState
    events: tuple[Event, ...]
    health: tuple[SensorHealth, ...]
    next_event_no: int
    checks: tuple[tuple[int, float], ...]
    intake: IntakeState = field(default_factory=IntakeState)
    archive: tuple[Event, ...] = ()
    """Events that can no longer change, kept out of each step's passes: space objects
    whose radar tracks have all ended (:func:`_final`). On a quiet day with a real sky
    thousands of them pile up, and every pass over the events would otherwise grow with
    the day."""

    def all_events(self) -> tuple[Event, ...]:
        """The events, archived and active, by event id."""
        if not self.archive:
            return self.events
        return tuple(sorted((*self.archive, *self.events), key=lambda e: e.event_id))

    @staticmethod
    def initial(config: CenterConfig, t_s: float = -math.inf) -> CenterState:
        """A center that has seen nothing, at ``t_s`` (default: before any report)."""
        return CenterState(
            config=config,
            t_s=float(t_s),
            ir_state=config.detector.initial_state(),
            ir_events=(),
            radar=RadarTrackingState.initial(),
            events=(),
            health=(),
            next_event_no=1,
            checks=(),
        )


@dataclass(frozen=True)
class StepOutput:
    """What one step produced: new alerts, the events and tracks now, sensor health.
    ``events`` are the active ones at this step (an event archived at the end of the step
    is still here once; earlier archived ones are in :attr:`CenterState.archive`)."""

    t_s: float
    alerts: tuple[Alert, ...]
    events: tuple[Event, ...]
    tracks: tuple[RadarTrack, ...]
    health: tuple[SensorHealth, ...]
    coverage_degraded: bool
    impacts: tuple[ImpactRecord, ...]
    intake: IntakeCounts = field(default_factory=IntakeCounts)
    """What the intake did with this step's reports (used, late, duplicate, ...)."""


def step(state: CenterState, reports: ReportSlice, t_s: float) -> tuple[CenterState, StepOutput]:
    """Advance the center to ``t_s`` with the reports that arrived since ``state.t_s``."""
    t_s = float(t_s)
    if not math.isfinite(t_s):
        raise ValueError(f"t_s must be a finite number of seconds, got {t_s!r}")
    if t_s < state.t_s:
        raise ValueError(f"t_s={t_s} s is earlier than the center state time {state.t_s} s")
    if not isinstance(reports, ReportSlice):
        raise TypeError(
            f"reports must be an earlywarn.reports.ReportSlice, got {type(reports).__name__} "
            "(build one with ReportSlice.from_columns or ReportSlice.window)"
        )
    cfg = state.config
    intake, rep, counts = admit(
        state.intake, reports, state.t_s, t_s, cfg.intake, cfg.sensors, cfg.mode
    )
    a = cfg.assessment
    health = update_health(state.health, rep.status, t_s, a)
    ir_state, ir_new = cfg.detector.step(state.ir_state, rep.ir, t_s, status=rep.status)
    # the detector's current events only: what the center needs of an event the detector
    # has dropped (its launch estimate, its burnout state) lives on in the center's event
    ir_events = tuple(sorted((str(ev.event_id), ev) for ev in ir_new))
    radar_state, tracks = radar_step(state.radar, rep.radar, t_s, cfg.radar)
    events, next_no, checks = assess(
        state.events,
        state.next_event_no,
        [e for _, e in ir_events],
        tracks,
        health,
        t_s,
        areas=cfg.defended_areas,
        notices=cfg.declared_launches,
        params=a,
        fusion=cfg.fusion,
        checks=state.checks,
        catalog=cfg.step_catalog(),
    )
    degraded = any(h.degraded for h in health)
    events, alerts = make_alerts(state.events, events, t_s, cfg.epoch, a, degraded)
    # impacts computed at this step and not already recorded at it (the old events are
    # looked at only when there is one)
    fresh = [
        (e, e.impact)
        for e in events
        if e.impact is not None and e.impact.ok and e.impact_computed_t_s == t_s
    ]
    old_imp = {e.event_id: e.impact_computed_t_s for e in state.events} if fresh else {}
    impacts = tuple(
        ImpactRecord(
            e.event_id,
            t_s,
            imp.t_s,
            imp.lat_rad,
            imp.lon_rad,
            imp.semi_major_m,
            imp.semi_minor_m,
            int(e.level),
        )
        for e, imp in fresh
        if old_imp.get(e.event_id) != t_s
    )
    out = StepOutput(t_s, alerts, events, tracks, health, degraded, impacts, counts)
    archive = state.archive
    # every track the tracker still holds (confirmed or not) may carry the event again
    live = set(radar_state.tracker.ids.tolist())
    if any(_final(e, live) for e in events):
        archive = (*archive, *(e for e in events if _final(e, live)))
        events = tuple(e for e in events if not _final(e, live))
    new_state = CenterState(
        config=cfg,
        t_s=t_s,
        ir_state=ir_state,
        ir_events=ir_events,
        radar=radar_state,
        events=events,
        health=health,
        next_event_no=next_no,
        checks=checks,
        intake=intake,
        archive=archive,
    )
    return new_state, out


def _final(e: Event, live_tracks: set[int]) -> bool:
    """An event nothing can change any more: a space object (NOT_A_THREAT as catalogued,
    uncorrelated orbital or re-entering) whose radar tracks the tracker no longer holds at
    all. Track ids are never reused, and a space object has no IR event, so no report can
    reach it again."""
    return (
        e.disposition == Disposition.NOT_A_THREAT
        and e.reason in SPACE_OBJECT_REASONS
        and e.ir_event_id is None
        and not any(k in live_tracks for k in e.radar_track_ids)
    )


@dataclass(frozen=True)
class CenterOutput:
    """The result of a run: every alert, the final events, the impact timeline, health log."""

    alerts: tuple[Alert, ...]
    events: tuple[Event, ...]
    impacts: tuple[ImpactRecord, ...]
    health_log: tuple[tuple[float, str, str, bool, str], ...]
    final_state: CenterState
    t_start_s: float
    t_end_s: float
    intake: IntakeCounts = field(default_factory=IntakeCounts)
    """The intake's counts summed over the run (see :mod:`earlywarn.center.intake`)."""
    track_log: tuple[tuple[float, int, FloatVec], ...] = ()
    """(time, radar track id, ECEF state [x, y, z, vx, vy, vz]) each time a confirmed
    radar track was updated: the center's estimated trajectories, for plots and tables."""
    ir_tracks: tuple[tuple[str, FloatVec, FloatVec], ...] = ()
    """(IR event id, times (K,), estimated ECEF positions (K, 3)): the last track history
    each IR event had, including events the detector has since dropped."""
    rejected: tuple[Rejection, ...] = ()
    """The reports refused for breaking the contract and those found implausible, each
    named (which report, field, value, why)."""

    def alerts_jsonl(self) -> str:
        """Every alert as one JSON line each."""
        return "".join(a.to_json() + "\n" for a in self.alerts)


@dataclass(frozen=True)
class CenterProgress:
    """How far a batch run of the center has got (for a progress display)."""

    fraction: float
    """Share of the run's scenario time stepped, 0 to 1."""
    t_s: float
    """The center's clock: the last step time."""
    reports: int
    """Reports handed to the center so far (every kind)."""
    reports_per_s: float
    """Reports handed to the center per second of wall time so far."""
    events_open: int
    """Events open (disposition OPEN) after the last step."""

    def text(self) -> str:
        return (
            f"center {self.fraction:4.0%} · {self.reports_per_s:,.0f} reports/s · "
            f"{self.events_open} open"
        )


PROGRESS_EVERY_S = 0.5
"""Wall time between two progress calls of :func:`run_center`."""


def run_center(
    batch: ReportBatch,
    config: CenterConfig,
    dt_s: float = 1.0,
    *,
    t_start_s: float | None = None,
    t_end_s: float | None = None,
    idle_step_s: float = 10.0,
    progress: Callable[[CenterProgress], None] | None = None,
) -> CenterOutput:
    """Run the center over a whole batch of reports on a grid of ``dt_s`` seconds.

    Grid times are ``t_start_s + k dt_s`` (default start: the first report time rounded
    down to a multiple of ``dt_s``) until ``t_end_s`` (default: the last report time plus
    ``assessment.retract_after_s``, so retractions are seen). Each step gets the reports
    with time in (previous step, this step] as a :class:`ReportSlice` of views of the batch
    (in its canonical order); rows that break a value rule are refused once for the whole
    batch and counted in the first step's intake.

    Report-free grid intervals are skipped when the IR detector says it is report-driven
    (``detector.report_driven``, True for :class:`InfraredDetector`): then the center
    steps at grid times that close an interval with reports, and otherwise at most every
    ``idle_step_s`` (rounded up to the grid), which is how often time-only rules
    (retraction after silence, missing heartbeats, ended IR tracks) are looked at in quiet
    periods. A detector that may emit events without reports (a script, a replay) gets
    every grid step. The alerts are those of the full grid except that a time-only
    transition in a quiet period is seen up to ``idle_step_s`` later.

    BLAS runs on one thread meanwhile: the center's matrices are 6 × 6, and OpenBLAS's
    thread hand-off costs more than it saves (when this was introduced, a reference run
    took 0.73 s on one thread against 1.05 s on two, on the 2-core benchmark machine).

    ``progress`` is called after a step about every :data:`PROGRESS_EVERY_S` of wall time,
    and after the last step, with a :class:`CenterProgress`; it never changes what the
    center does.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_center(batch, config, dt_s, t_start_s, t_end_s, idle_step_s, progress)


def _call_progress(
    progress: Callable[[CenterProgress], None],
    state: CenterState,
    bounds: dict[str, list[int]],
    j: int,
    t: float,
    t_start_s: float,
    t_end_s: float,
    wall0: float,
) -> None:
    """Tell ``progress`` how far the run is once ``j`` steps are done (the last at ``t``)."""
    done = sum(b[min(j, len(b) - 1)] - b[0] for b in bounds.values())
    span = t_end_s - t_start_s
    wall = max(time.perf_counter() - wall0, 1e-9)
    progress(
        CenterProgress(
            fraction=min(1.0, max(0.0, (t - t_start_s) / span)) if span > 0 else 1.0,
            t_s=float(t),
            reports=int(done),
            reports_per_s=done / wall,
            events_open=sum(1 for e in state.events if e.disposition == "OPEN"),
        )
    )


def _run_center(
    batch: ReportBatch,
    config: CenterConfig,
    dt_s: float,
    t_start_s: float | None,
    t_end_s: float | None,
    idle_step_s: float,
    progress: Callable[[CenterProgress], None] | None = None,
) -> CenterOutput:
    if not (math.isfinite(dt_s) and dt_s > 0.0):
        raise ValueError(f"dt_s must be a positive number of seconds, got {dt_s!r}")
    if not (math.isfinite(idle_step_s) and idle_step_s > 0.0):
        raise ValueError(f"idle_step_s must be a positive number of seconds, got {idle_step_s!r}")
    if not isinstance(batch, ReportBatch):
        raise TypeError(
            f"batch must be an earlywarn.reports.ReportBatch, got {type(batch).__name__}"
        )
    named = _named_bad_rows(batch) if any(batch.count(k) for k in KINDS) else ()
    batch, refused = batch.without_bad_rows()
    times = [batch.columns(k)["t_s"] for k in KINDS if batch.count(k)]
    all_t = np.concatenate(times) if times else np.zeros(0)
    if t_start_s is None:
        t_start_s = math.floor(float(all_t.min()) / dt_s) * dt_s - dt_s if all_t.size else 0.0
    if t_end_s is None:
        t_end_s = (
            float(all_t.max()) + config.assessment.retract_after_s + dt_s
            if all_t.size
            else t_start_s
        )
    n_steps = max(0, math.ceil((t_end_s - t_start_s) / dt_s - 1e-9))
    steps = _step_indices(
        all_t, float(t_start_s), float(t_end_s), dt_s, n_steps,
        idle_step_s if bool(getattr(config.detector, "report_driven", False)) else None,
    )  # fmt: skip
    step_t = np.minimum(t_start_s + steps * dt_s, t_end_s)
    # the batch is in canonical order (time first within a kind): where each step's
    # reports end in it, so a step's reports are views, not copies
    bounds: dict[str, list[int]] = {}
    for k in KINDS:
        if batch.count(k):
            tk = batch.columns(k)["t_s"]
            edges = np.searchsorted(tk, np.concatenate([[t_start_s], step_t]), side="right")
            # the first step also takes the reports at exactly t_start (its interval is
            # closed on both sides): otherwise they would be given to no step at all
            edges[0] = np.searchsorted(tk, t_start_s, side="left")
            bounds[k] = edges.tolist()
    state = CenterState.initial(config, t_start_s)
    alerts: list[Alert] = []
    impacts: list[ImpactRecord] = []
    health_log: list[tuple[float, str, str, bool, str]] = []
    last_health: dict[str, tuple[bool, str]] = {}
    track_log: list[tuple[float, int, FloatVec]] = []
    logged: dict[int, float] = {}
    ir_last: dict[str, Any] = {}
    intake = IntakeCounts()
    wall0 = time.perf_counter()
    next_progress = wall0 + PROGRESS_EVERY_S
    last_j = len(step_t) - 1
    for j, t in enumerate(step_t.tolist()):
        rows = {k: (b[j], b[j + 1]) for k, b in bounds.items()}
        state, out = step(state, ReportSlice.window(batch, rows, refused if j == 0 else ()), t)
        if out.intake.counts:
            intake = intake + out.intake
        alerts.extend(out.alerts)
        impacts.extend(out.impacts)
        for key, ir_ev in state.ir_events:
            ir_last[str(key)] = ir_ev
        for tr in out.tracks:
            if logged.get(tr.track_id) != tr.last_update_s:
                logged[tr.track_id] = tr.last_update_s
                track_log.append((float(tr.t_s), int(tr.track_id), np.array(tr.x, dtype=float)))
        for h in out.health:
            cur = (h.degraded, h.reason)
            if last_health.get(h.sensor_id) != cur:
                health_log.append((t, h.sensor_id, h.state, h.degraded, h.reason))
                last_health[h.sensor_id] = cur
        if progress is not None and (j == last_j or time.perf_counter() >= next_progress):
            next_progress = time.perf_counter() + PROGRESS_EVERY_S
            _call_progress(progress, state, bounds, j + 1, t, t_start_s, t_end_s, wall0)
    return CenterOutput(
        alerts=tuple(alerts),
        events=state.all_events(),
        impacts=tuple(impacts),
        health_log=tuple(health_log),
        final_state=state,
        t_start_s=float(t_start_s),
        t_end_s=float(t_end_s),
        intake=intake,
        rejected=named + intake.rejected,
        track_log=tuple(track_log),
        ir_tracks=tuple(
            (
                key,
                np.asarray(getattr(ev, "track_t_s", np.zeros(0)), dtype=float),
                np.asarray(getattr(ev, "track_r_ecef_m", np.zeros((0, 3))), dtype=float),
            )
            for key, ev in sorted(ir_last.items())
        ),
    )


def _named_bad_rows(batch: ReportBatch) -> tuple[Rejection, ...]:
    """The rows of a batch that break a value rule of the contract, each named."""
    out = []
    for kind in KINDS:
        cols = batch.columns(kind)
        if not bad_rows(kind, cols).any():
            continue
        faults = {i: f for i, f in row_faults(kind, cols).items() if f[0] != "time_utc"}
        for i, (name, value, allowed) in sorted(faults.items()):
            out.append(
                Rejection.of(
                    f"{kind} report {cols['sensor_id'][i]} seq {int(cols['seq'][i])} "
                    f"(t_s {float(cols['t_s'][i]):.3f})",
                    name,
                    value,
                    f"refused: expected {allowed}",
                )
            )
    return tuple(out)


def _step_indices(
    all_t: np.ndarray,
    t_start_s: float,
    t_end_s: float,
    dt_s: float,
    n_steps: int,
    idle_step_s: float | None,
) -> npt.NDArray[np.int64]:
    """Grid indices ``1..n_steps`` to step at (every one when ``idle_step_s`` is None).

    With ``idle_step_s``: every index whose interval holds a report, the last one, and in
    between enough indices that no two consecutive steps are more than ``idle_step_s``
    apart (to within one grid step). Vectorised except for a loop over the gaps.
    """
    every = np.arange(1, n_steps + 1, dtype=np.int64)
    if idle_step_s is None or n_steps == 0:
        return every
    t_in = all_t[(all_t > t_start_s) & (all_t <= t_end_s)]
    busy = np.unique(np.ceil((t_in - t_start_s) / dt_s - 1e-9).astype(np.int64))
    busy = busy[(busy >= 1) & (busy <= n_steps)]
    anchors = np.unique(np.concatenate([[0], busy, [n_steps]]))
    stride = max(1, math.ceil(idle_step_s / dt_s - 1e-9))
    gaps = np.diff(anchors)
    fill = [
        np.arange(int(a) + stride, int(a) + int(g), stride, dtype=np.int64)
        for a, g in zip(anchors[:-1][gaps > stride], gaps[gaps > stride], strict=True)
    ]
    out = np.unique(np.concatenate([anchors[1:], *fill])) if fill else anchors[1:]
    return np.asarray(out, dtype=np.int64)
