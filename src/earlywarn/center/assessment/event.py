"""The center's event: what it believes about one launch (:class:`Event`), and the step's
working record the passes share.

An :class:`Event` is an immutable value holding the center's belief: its ids and sources,
level and disposition with the reason, the times each level was reached, the launch
estimate, the state estimate and its impact prediction, class, threatened areas,
declaration, raid count, the sensors and phenomenologies behind it, the decision time.

What the passes keep only to do their work cheaply from one step to the next — how much
of each radar track's report keys has been merged, the last IR snapshot seen, the IR
state's sigma-point cloud, the last alert's key, the number of alerts issued — lives in a
private :class:`_Book` the event refers to (``Event._book``). Nothing outside
:mod:`earlywarn.center.assessment` reads it; the two pieces of it others need are
read-only properties: :attr:`Event.report_keys` (the reports behind the event, by which
``analysis.evaluate`` matches events to launches) and :attr:`Event.impact_computed_t_s`
(when the impact prediction was made, for the impact timeline).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.health import SensorHealth
from earlywarn.center.assessment.params import AssessmentParams, DefendedArea, LaunchNotification
from earlywarn.center.characterise import ImpactEstimate, OrbitSummary
from earlywarn.center.fusion import FusionParams, SigmaCloud, cloud_moments
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.radar_tracking import RadarTrack
from earlywarn.center.rso import StepCatalog
from earlywarn.center.vocabulary import (
    Disposition,
    Level,
    Reason,
    Source,
    TrajectoryType,
    reason_text,
)

FloatArray = npt.NDArray[np.float64]

__all__ = ["Event", "ImpactRecord"]

_Key = tuple[str, int]


@dataclass(frozen=True)
class ImpactRecord:
    """One impact prediction of one event, for timelines and evaluation."""

    event_id: str
    t_s: float
    impact_t_s: float
    lat_rad: float
    lon_rad: float
    semi_major_m: float
    semi_minor_m: float
    level: int


@dataclass(frozen=True)
class _Book:
    """An event's step bookkeeping: what the passes keep to work incrementally.

    ``report_keys``: the sorted report keys behind the event; ``merged_keys``: (radar
    track id, how many of that track's report keys are in ``report_keys``) — a track's
    keys only grow (each update appends its report's), so only the rest is new;
    ``max_track_updates``: the most updates any of its tracks has had;
    ``max_fit_updates``: the most updates of a track whose ballistic fit was consistent
    then (:func:`~earlywarn.center.assessment.estimate.fit_consistent`);
    ``impact_computed_t_s``: when its impact was last predicted (the refresh timer);
    ``ir_seen``: the last IR snapshot applied (an unchanged one is skipped);
    ``ir_cloud``/``ir_cloud_key``: the IR burnout state's sigma-point cloud, advanced in
    place to the tracker time, and the burnout state it was made from;
    ``n_alerts``/``last_alert_key``: the alerts issued and what the last one said;
    ``lost_t_s``: the time of the last evidence before the event's track was cut short by
    a loss of coverage (None: never); ``ir_sensor_ids``: the satellites its IR event has
    had (to tell its radars among its sensors once the IR event is gone).
    """

    report_keys: tuple[_Key, ...] = ()
    merged_keys: tuple[tuple[int, int], ...] = ()
    max_track_updates: int = 0
    max_fit_updates: int = 0
    impact_computed_t_s: float = -math.inf
    ir_seen: tuple[object, ...] = ()
    ir_cloud: SigmaCloud | None = None
    ir_cloud_key: tuple[float, float] | None = None
    n_alerts: int = 0
    last_alert_key: tuple[object, ...] = ()
    lost_t_s: float | None = None
    ir_sensor_ids: tuple[str, ...] = ()


_NEW_BOOK = _Book()


@dataclass(frozen=True)
class Event:
    """Everything the center believes about one event (SI; an immutable value).

    ``source``: what created it; ``reason`` with ``merged_into`` (the event it joined,
    for :attr:`Reason.MERGED` only): why it stands where it does, as alerts write it in
    :attr:`reason_text`; ``level_times``: (level name, time reached); ``x``/``p``/
    ``state_t_s``: its state estimate (ECEF, from ``primary_track_id`` or the IR burnout
    state, ``fused`` when the two were combined); ``ir_state``/``burnout_x``: the IR
    burnout state (covariance floored); ``correlated``: an IR event and a radar track
    agree; ``stereo``: two satellites saw it; ``confirmed_t_s``: when it was
    ATTACK_CONFIRMED. ``track_lost``: a loss of coverage cut the event's track short
    (its sensors degraded, in outage or silent while it was live, or the IR detector's
    ``burn_truncated``) and no live track has carried it since: it is not dismissed on
    what it had (see :mod:`earlywarn.center.assessment.evidence`); ``burn_truncated``:
    that loss came while it was still boosting, so its class is a lower bound and its
    IR impact estimate short (kept once set); ``declaration_mismatch``: it matched a
    notification whose declared impact area its predicted impact has left.
    ``catalog_object``: (NORAD id, name) of the catalogued object its radar state matched
    (reason ``catalogued_object``); ``was_in_orbit``: a radar-only event once judged in
    orbit (catalogued or not), the history that makes it a re-entry when it comes down
    (:mod:`earlywarn.center.rso`). The step bookkeeping is in the private ``_book``.
    """

    event_id: str
    source: Source
    ir_event_id: str | None
    radar_track_ids: tuple[int, ...]
    first_t_s: float
    last_evidence_t_s: float
    level: Level
    disposition: Disposition
    reason: Reason
    level_times: tuple[tuple[str, float], ...]
    merged_into: str | None = None
    launch_time_s: float | None = None
    launch_time_sigma_s: float | None = None
    launch_lat_rad: float | None = None
    launch_lon_rad: float | None = None
    launch_sigma_m: float | None = None
    azimuth_rad: float | None = None
    azimuth_sigma_rad: float | None = None
    vehicle_class: str | None = None
    class_probability: float | None = None
    state_t_s: float | None = None
    x: FloatArray | None = None
    p: FloatArray | None = None
    burnout_x: FloatArray | None = None
    impact: ImpactEstimate | None = None
    trajectory_type: TrajectoryType | None = None
    threatened_areas: tuple[str, ...] = ()
    declared: bool = False
    declaration_id: str | None = None
    raid_count: int = 1
    sensor_ids: tuple[str, ...] = ()
    correlated: bool = False
    n_live_tracks: int = 0
    confirmed_t_s: float | None = None
    ir_state: tuple[float, FloatArray, FloatArray] | None = None
    orbit: OrbitSummary | None = None
    primary_track_id: int | None = None
    fused: bool = False
    stereo: bool = False
    track_lost: bool = False
    burn_truncated: bool = False
    declaration_mismatch: bool = False
    catalog_object: tuple[int, str] | None = None
    was_in_orbit: bool = False
    _book: _Book = field(default=_NEW_BOOK, repr=False)

    @property
    def reason_text(self) -> str:
        """The reason as alerts write it (``merged_into:<event_id>`` for a merge)."""
        return reason_text(self.reason, self.merged_into)

    @property
    def phenomenologies(self) -> tuple[Source, ...]:
        out = []
        if self.ir_event_id is not None:
            out.append(Source.IR)
        if self.radar_track_ids:
            out.append(Source.RADAR)
        return tuple(out)

    @property
    def decision_time_s(self) -> float | None:
        if self.confirmed_t_s is None or self.impact is None or not self.impact.ok:
            return None
        return self.impact.t_s - self.confirmed_t_s

    @property
    def report_keys(self) -> tuple[_Key, ...]:
        """The (sensor id, sequence number) of every report behind the event, sorted."""
        return self._book.report_keys

    @property
    def impact_computed_t_s(self) -> float:
        """When :attr:`impact` was predicted (``-inf``: never)."""
        return self._book.impact_computed_t_s


def rebook(ev: Event, **changes: Any) -> Event:
    """A copy of ``ev`` with ``changes`` to its bookkeeping."""
    return evolve(ev, _book=evolve(ev._book, **changes))


def new_event(eid: str, source: Source, t_s: float, ir_id: str | None) -> Event:
    return Event(
        event_id=eid,
        source=source,
        ir_event_id=ir_id,
        radar_track_ids=(),
        first_t_s=t_s,
        last_evidence_t_s=t_s,
        level=Level.NONE,
        disposition=Disposition.OPEN,
        reason=Reason.UNSET,
        level_times=(),
    )


def finite_or_none(v: float | None) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def class_best(probs: Sequence[tuple[str, float]]) -> tuple[str | None, float | None]:
    if not probs:
        return None, None
    best = sorted(probs, key=lambda cp: (-float(cp[1]), str(cp[0])))[0]
    return str(best[0]), float(best[1])


def merge_keys(keys: tuple[_Key, ...], more: Iterable[_Key]) -> tuple[_Key, ...]:
    """The sorted union of ``keys`` (sorted, without duplicates) and ``more``.

    ``keys`` is the event's report keys (hundreds), ``more`` mostly the few new ones of a
    step: each is looked up and put in place by bisection, not the whole sorted again.
    """
    add = set()
    for k in more:
        i = bisect_left(keys, k)
        if i == len(keys) or keys[i] != k:
            add.add(k)
    if not add:
        return keys
    if len(add) > 16:  # many (a track's first merge): one sort (Timsort merges the runs)
        return tuple(sorted([*keys, *add]))
    out = list(keys)
    for k in add:
        insort(out, k)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# the step's working record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    """What every pass reads at one step: the time, the configuration, sensor health."""

    t_s: float
    areas: tuple[DefendedArea, ...]
    notices: tuple[LaunchNotification, ...]
    params: AssessmentParams
    fusion: FusionParams
    health: dict[str, SensorHealth]
    catalog: StepCatalog | None = None
    """The center's catalog for this step (None: no catalog configured)."""


@dataclass
class Work:
    """The passes' shared, mutable working record for one call of ``assess``.

    ``evs``: the events by id, replaced as the passes go; ``irs``/``trk``: the IR
    detector's current events and the radar tracks by id; ``touched``: events whose IR
    evidence changed this step; ``owner``: radar track id → event; ``last_check``: when
    each uncorrelated track was last tested against the IR events; ``moments``: the IR
    states propagated to the tracker time ``t_trk`` (see :meth:`ir_at`).
    """

    ctx: Ctx
    evs: dict[str, Event]
    irs: dict[str, IrEventLike]
    trk: dict[int, RadarTrack]
    next_event_no: int
    last_check: dict[int, float]
    t_trk: float | None
    touched: set[str] = field(default_factory=set)
    owner: dict[int, str] = field(default_factory=dict)
    moments: dict[str, tuple[FloatArray, FloatArray, float]] = field(default_factory=dict)

    def new_event_id(self) -> str:
        eid = f"E{self.next_event_no:04d}"
        self.next_event_no += 1
        return eid

    def ir_at_many(self, eids: list[str]) -> None:
        """:meth:`ir_at` of several events, their clouds advanced in one propagation and
        their moments taken together (:meth:`SigmaCloud.advance`,
        :func:`~earlywarn.center.fusion.cloud_moments`: the same bits as one by one)."""
        t_trk = self.t_trk
        if t_trk is None:
            return
        todo, clouds = [], []
        for eid in eids:
            cl = self.evs[eid]._book.ir_cloud
            if (
                eid not in self.moments
                and cl is not None
                and 0.0 <= t_trk - cl.t0_s <= self.ctx.fusion.max_propagation_s
            ):
                todo.append(eid)
                clouds.append(cl)
        if not todo:
            return
        moved = SigmaCloud.advance(clouds, t_trk)
        dts = np.array([t_trk - cl.t0_s for cl in moved])
        q = np.array([cl.q for cl in moved])
        xm, pm = cloud_moments(np.stack([cl.pts for cl in moved]), q, dts)
        for k, (eid, cl) in enumerate(zip(todo, moved, strict=True)):
            self.evs[eid] = rebook(self.evs[eid], ir_cloud=cl)
            self.moments[eid] = (xm[k], pm[k], float(dts[k]))

    def ir_at(self, eid: str) -> tuple[FloatArray, FloatArray, float] | None:
        """The event's IR state propagated to the tracker time (cloud advanced in place:
        ``evs[eid]`` is replaced by a copy holding the advanced cloud); None without a
        cloud or when the tracker time is not within ``max_propagation_s`` after it."""
        self.ir_at_many([eid])
        return self.moments.get(eid)
