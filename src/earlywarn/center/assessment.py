"""Assessment: the ladder, dispositions, declared launches, raid count and sensor health.

The ladder (:class:`~earlywarn.center.alerts.Level`), per event:

``POSSIBLE_LAUNCH``
    an IR event has persisted (enough frames over enough time, longer for a candidate one
    satellite sees; see :class:`AssessmentParams`) and is not a stationary source, or a
    confirmed radar track of a sub-orbital object that no IR event explains (a radar-only
    event). Shorter-lived IR candidates are followed silently (level ``NONE``, no alert)
    and forgotten when the detector drops them.
``LAUNCH``
    the IR event is kinematically confirmed (status ``boosting``, or it has burnt out), with
    launch point, time, azimuth and class; a radar-only event reaches it once its track
    gives a ballistic impact prediction (its "launch point" is then the ballistic arc
    traced back to the ground, which ignores the powered phase: hundreds of km off).
``THREAT``
    the predicted impact's 95 % ellipse overlaps a defended area (for an IR-only event,
    only when two satellites see it: see ``ir_threat_needs_stereo``).
``ATTACK_CONFIRMED``
    dual phenomenology: the event is a THREAT **and** an IR event and a radar track agree
    (the radar track passes the fusion chi-square test against the IR state, or its
    ballistic arc traced back lands near the IR launch point) **and** that track is firm
    (``radar_confirm_min_updates``). An event
    with only one kind of sensor behind it can never reach this level, by construction:
    the test needs both an IR event id and a correlated radar track id.

A level once reached is never lowered. Dispositions (re-evaluated each step; RETRACTED is
final): ``OPEN``; ``NOT_A_THREAT`` with a reason — ``orbit`` (perigee above
:attr:`AssessmentParams.orbit_perigee_alt_m` or speed above circular, no impact on a conic
that misses the Earth, or — from IR alone, never over a radar track's state — the IR event
says ``orbital`` or its burnout state is still boosting at orbital altitude with
near-horizontal velocity, see :func:`_orbital_insertion`), ``sounding_rocket_local_impact``
(near-vertical flight falling within
:attr:`AssessmentParams.sounding_max_range_m` of its launch point), ``stationary_source``
(IR event status), ``impact_outside_defended_areas``; ``RETRACTED`` — a POSSIBLE_LAUNCH
with no new evidence for :attr:`AssessmentParams.retract_after_s` (``no_confirmation``;
never while a sensor that saw it is degraded, since silence is not evidence), a radar-only
event whose tracks were lost before LAUNCH (``track_lost``) or merged into an IR event
(``merged_into:<event_id>``).

A dismissal is not final: it is re-evaluated whenever the event's state changes, so a
NOT_A_THREAT made on an early IR estimate is lifted (and the level raised) when a
correlated radar track predicts impact in a defended area. A track whose state has passed
below the ground (coasting after impact) keeps the last impact prediction.

Radar tracks join IR events by the forward chi-square gate
(:func:`earlywarn.center.fusion.correlate_moments`). In a raid several IR events pass it
(their burnout states, carried over the midcourse, are uncertain by hundreds of km); the
track then waits until it has ``radar_confirm_min_updates`` updates and joins the event
whose burnout state it meets when traced back
(:func:`earlywarn.center.fusion.correlate_backward`; launches tens of seconds apart are
hundreds of km apart there). The same backward distance ranks IR events in the
launch-point test of radar-only events.

Sensor health comes from status reports. A sensor is *degraded* when it reports
``degraded`` or ``outage`` or when no status arrived within
:attr:`AssessmentParams.heartbeat_factor` (2.5) periods. Degraded coverage is reported in
the outputs and alerts; it never raises a level (silence is never evidence of an attack).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.alerts import Alert, Level
from earlywarn.center.characterise import (
    ImpactEstimate,
    OrbitSummary,
    classify_trajectory,
    ground_distance_m,
    orbit_summary,
    predict_impact,
    propagate_to_height,
)
from earlywarn.center.fusion import (
    FusionParams,
    SigmaCloud,
    consistent,
    correlate_backward,
    correlate_moments,
    floored_ir_state,
    fuse_states,
    ir_ballistic_state,
)
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.radar_tracking import RadarTrack, rcs_difference_db
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef, great_circle
from earlywarn.earth.time import iso_utc

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "AssessmentParams",
    "DefendedArea",
    "EventState",
    "ImpactRecord",
    "LaunchNotification",
    "SensorHealth",
    "assess",
    "update_health",
]

_DEG = math.pi / 180.0


# --------------------------------------------------------------------------------------------
# configuration values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefendedArea:
    """A named defended area: a circle (centre, radius) or a polygon of (lat, lon) vertices.

    SI inside (rad, m); build from degrees and km with :meth:`circle_deg` / :meth:`polygon_deg`.
    """

    name: str
    lat_rad: float
    lon_rad: float
    radius_m: float = 0.0
    polygon_rad: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a defended area needs a name")
        if not self.polygon_rad and not (math.isfinite(self.radius_m) and self.radius_m > 0.0):
            raise ValueError(
                f"defended area {self.name!r}: give a positive radius_m or polygon vertices"
            )
        if self.polygon_rad and len(self.polygon_rad) < 3:
            raise ValueError(f"defended area {self.name!r}: a polygon needs >= 3 vertices")

    @classmethod
    def circle_deg(
        cls, name: str, lat_deg: float, lon_deg: float, radius_km: float
    ) -> DefendedArea:
        return cls(name, lat_deg * _DEG, lon_deg * _DEG, radius_km * 1e3)

    @classmethod
    def polygon_deg(cls, name: str, vertices_deg: Sequence[tuple[float, float]]) -> DefendedArea:
        v = tuple((float(a) * _DEG, float(b) * _DEG) for a, b in vertices_deg)
        r = geodetic_to_ecef(np.array([a for a, _ in v]), np.array([b for _, b in v]))
        lat, lon, _ = ecef_to_geodetic(np.mean(r, axis=0))
        return cls(name, float(lat), float(lon), 0.0, v)

    def _inside_polygon(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
        # ray casting in the local tangent plane at the polygon's centroid
        rot = enu_rotation(self.lat_rad, self.lon_rad)
        c = geodetic_to_ecef(self.lat_rad, self.lon_rad)
        vx = np.array([a for a, _ in self.polygon_rad])
        vy = np.array([b for _, b in self.polygon_rad])
        ve = (geodetic_to_ecef(vx, vy) - c) @ rot.T
        pe = (geodetic_to_ecef(lat, lon) - c) @ rot.T
        px, py = pe[:, 0], pe[:, 1]
        x1, y1 = ve[:, 0], ve[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        cross = ((y1[None, :] > py[:, None]) != (y2[None, :] > py[:, None])) & (
            px[:, None]
            < (x2 - x1)[None, :]
            * (py[:, None] - y1[None, :])
            / np.where(y2 == y1, 1e-30, y2 - y1)[None, :]
            + x1[None, :]
        )
        return np.asarray(np.sum(cross, axis=1) % 2 == 1)

    def threatened_by(self, imp: ImpactEstimate) -> bool:
        """True when the impact's 95 % ellipse overlaps the area (mean or boundary inside)."""
        if not imp.ok:
            return False
        a = imp.semi_major_m if math.isfinite(imp.semi_major_m) else 0.0
        if not self.polygon_rad:
            d = float(ground_distance_m(self.lat_rad, self.lon_rad, imp.lat_rad, imp.lon_rad))
            return d <= self.radius_m + a
        # polygon: the mean and 16 points of the ellipse boundary
        b = imp.semi_minor_m if math.isfinite(imp.semi_minor_m) else 0.0
        th = np.linspace(0.0, 2.0 * math.pi, 16, endpoint=False)
        u = np.array([math.sin(imp.orientation_rad), math.cos(imp.orientation_rad)])
        w = np.array([u[1], -u[0]])
        en = np.concatenate(
            [[[0.0, 0.0]], a * np.cos(th)[:, None] * u + b * np.sin(th)[:, None] * w]
        )
        rot = enu_rotation(imp.lat_rad, imp.lon_rad)
        r = (
            np.asarray(imp.r_ecef_m)
            + np.concatenate([en, np.zeros((en.shape[0], 1))], axis=1) @ rot
        )
        lat, lon, _ = ecef_to_geodetic(r)
        return bool(np.any(self._inside_polygon(np.asarray(lat), np.asarray(lon))))


@dataclass(frozen=True)
class LaunchNotification:
    """A declared launch: time window, launch area circle, azimuth sector, optional class.

    Matching events are marked ``declared``; they are still assessed (information, not a
    dismissal). The azimuth sector runs clockwise from ``azimuth_min_rad`` to
    ``azimuth_max_rad`` (it may wrap through north).
    """

    notification_id: str
    t_start_s: float
    t_end_s: float
    lat_rad: float
    lon_rad: float
    radius_m: float
    azimuth_min_rad: float = 0.0
    azimuth_max_rad: float = 2.0 * math.pi
    vehicle_class: str | None = None

    def matches(
        self,
        launch_time_s: float,
        lat_rad: float,
        lon_rad: float,
        azimuth_rad: float | None,
        vehicle_class: str | None,
    ) -> bool:
        if not (self.t_start_s <= launch_time_s <= self.t_end_s):
            return False
        d = float(ground_distance_m(self.lat_rad, self.lon_rad, lat_rad, lon_rad))
        if d > self.radius_m:
            return False
        if azimuth_rad is not None and math.isfinite(azimuth_rad):
            span = (self.azimuth_max_rad - self.azimuth_min_rad) % (2.0 * math.pi)
            if span == 0.0 and self.azimuth_max_rad != self.azimuth_min_rad:
                span = 2.0 * math.pi
            if (azimuth_rad - self.azimuth_min_rad) % (2.0 * math.pi) > span:
                return False
        return not (
            self.vehicle_class is not None
            and vehicle_class is not None
            and vehicle_class != self.vehicle_class
        )


@dataclass(frozen=True)
class AssessmentParams:
    """Thresholds of the assessment (SI).

    ``ir_mono_persistence``: whether persistence alone announces a candidate only one
    satellite sees (default no: it waits for the detector's kinematic decision,
    ``boosting``). Sun glint is a specular reflection, seen from one direction only, so it
    is always mono; it drifts with the viewing geometry and persists for tens of seconds
    (on a quiet day of eight satellites ~90 glints a day outlast 24 s), while a real
    launch is declared boosting ~25 s after its first report anyway.
    ``ir_threat_needs_stereo``: an IR-only event (no radar track) reaches
    THREAT only when two satellites see it — a mono state is a placement along one line
    of sight at a prior altitude, not a measurement, and one satellite cannot tell a
    drifting glint from a slow rocket; with a radar track the radar decides.
    ``radar_confirm_min_updates``: updates the correlated radar track needs before the
    event is ATTACK_CONFIRMED — a firm track (~30 s at a 5 s revisit), not a two-point
    start whose state is still off by hundreds of m/s. ``ir_min_frames`` /
    ``ir_min_span_s``: persistence an IR candidate needs before it is
    announced as POSSIBLE_LAUNCH (frames with a detection and the time they span; the IR
    event's ``n_frames``/``span_s`` when it has them, else ``n_reports`` and its time
    span). A launch passes in ~10–15 s; single-frame clutter and sun glint, which the IR
    detector turns ``stationary`` within ~10 frames, do not. An IR event that is boosting
    or has burnt out needs no more. ``rv_min_updates`` / ``rv_rcs_margin_db``: a track at
    least ``rv_rcs_margin_db`` smaller (RCS proxy, same sensor) than the densest track of
    its event is taken for the re-entry vehicle once it has ``rv_min_updates`` updates
    (see :func:`_primary`); the event's state switches to it from the densest
    track (usually the spent stage, seen first and longer) once the impact ellipse it
    gives is no wider than ``rv_switch_semi_major_m`` (95 % semi-major), and stays with it.
    """

    retract_after_s: float = 120.0
    heartbeat_factor: float = 2.5
    orbit_perigee_alt_m: float = 100e3
    sounding_max_range_m: float = 1000e3
    sounding_min_gamma_rad: float = 70.0 * _DEG
    trajectory_margin_rad: float = 8.0 * _DEG
    raid_window_s: float = 300.0
    raid_window_m: float = 500e3
    impact_refresh_s: float = 10.0
    impact_refresh_fraction: float = 0.03
    reissue_impact_shift_m: float = 25e3
    reissue_impact_time_s: float = 15.0
    radar_min_updates: int = 4
    radar_only_delay_s: float = 15.0
    radar_join_m: float = 200e3
    correlation_recheck_s: float = 10.0
    radar_fuse_min_updates: int = 10
    max_flight_s: float = 5400.0
    ir_min_frames: int = 8
    ir_min_span_s: float = 12.0
    ir_mono_persistence: bool = False
    ir_threat_needs_stereo: bool = True
    radar_confirm_min_updates: int = 6
    rv_min_updates: int = 6
    rv_rcs_margin_db: float = 6.0
    rv_switch_semi_major_m: float = 40e3
    insertion_min_alt_m: float = 300e3
    insertion_max_gamma_rad: float = 10.0 * _DEG
    insertion_min_speed_ratio: float = 0.85


# --------------------------------------------------------------------------------------------
# sensor health
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensorHealth:
    """The last known status of one sensor and whether its coverage counts as degraded."""

    sensor_id: str
    state: str
    last_t_s: float
    period_s: float
    degraded: bool
    reason: str  # "ok", "reported_degraded", "reported_outage", "missing_heartbeat"


def update_health(
    health: tuple[SensorHealth, ...],
    status: Mapping[str, npt.ArrayLike],
    t_s: float,
    params: AssessmentParams,
) -> tuple[SensorHealth, ...]:
    """Fold status reports (column dict) into the health table and check heartbeats at ``t_s``."""
    n = int(np.asarray(status["t_s"]).shape[0]) if status and "t_s" in status else 0
    if n == 0 and all(
        h.degraded or t_s - h.last_t_s <= params.heartbeat_factor * h.period_s for h in health
    ):
        return health  # nothing new and no heartbeat overdue: the table stands
    table = {h.sensor_id: h for h in health}
    if n:
        t = np.asarray(status["t_s"], dtype=np.float64)
        sid = np.asarray(status["sensor_id"]).astype(str)
        # as Python values: a few reports, where indexing numpy arrays costs more
        tl, sl = t.tolist(), sid.tolist()
        stl = np.asarray(status["state"]).astype(str).tolist()
        pl = np.asarray(status["period_s"], dtype=np.float64).tolist()
        for i in np.lexsort((sid, t)).tolist():
            s = sl[i]
            old = table.get(s)
            if old is not None and tl[i] < old.last_t_s:
                continue
            table[s] = SensorHealth(s, stl[i], tl[i], pl[i], False, "ok")
    out = []
    for s in sorted(table):
        h = table[s]
        if h.state == "outage":
            deg, why = True, "reported_outage"
        elif h.state == "degraded":
            deg, why = True, "reported_degraded"
        elif t_s - h.last_t_s > params.heartbeat_factor * h.period_s:
            deg, why = True, "missing_heartbeat"
        else:
            deg, why = False, "ok"
        out.append(
            h if (h.degraded, h.reason) == (deg, why) else replace(h, degraded=deg, reason=why)
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# events
# --------------------------------------------------------------------------------------------


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
class EventState:
    """Everything the center believes about one event (SI; an immutable value)."""

    event_id: str
    source: str  # "ir" or "radar": what created it
    ir_event_id: str | None
    radar_track_ids: tuple[int, ...]
    first_t_s: float
    last_evidence_t_s: float
    level: Level
    disposition: str
    reason: str
    level_times: tuple[tuple[str, float], ...]
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
    impact_computed_t_s: float = -math.inf
    trajectory_type: str | None = None
    threatened_areas: tuple[str, ...] = ()
    declared: bool = False
    declaration_id: str | None = None
    raid_count: int = 1
    sensor_ids: tuple[str, ...] = ()
    correlated: bool = False
    n_live_tracks: int = 0
    confirmed_t_s: float | None = None
    report_keys: tuple[tuple[str, int], ...] = ()
    # (radar track id, how many of that track's report keys are in ``report_keys``): a
    # track's keys only grow (each update appends its report's), so only the rest is new
    merged_keys: tuple[tuple[int, int], ...] = ()
    n_alerts: int = 0
    last_alert_key: tuple[object, ...] = ()
    ir_cloud: SigmaCloud | None = None
    ir_cloud_key: tuple[float, float] | None = None
    ir_state: tuple[float, FloatArray, FloatArray] | None = None
    orbit: OrbitSummary | None = None
    primary_track_id: int | None = None
    fused: bool = False
    max_track_updates: int = 0
    ir_seen: tuple[object, ...] = ()
    stereo: bool = False

    @property
    def phenomenologies(self) -> tuple[str, ...]:
        out = []
        if self.ir_event_id is not None:
            out.append("ir")
        if self.radar_track_ids:
            out.append("radar")
        return tuple(out)

    @property
    def decision_time_s(self) -> float | None:
        if self.confirmed_t_s is None or self.impact is None or not self.impact.ok:
            return None
        return self.impact.t_s - self.confirmed_t_s


def _f(v: float | None) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _class_best(probs: Sequence[tuple[str, float]]) -> tuple[str | None, float | None]:
    if not probs:
        return None, None
    best = sorted(probs, key=lambda cp: (-float(cp[1]), str(cp[0])))[0]
    return str(best[0]), float(best[1])


_Key = tuple[str, int]


def _merge_keys(keys: tuple[_Key, ...], more: Iterable[_Key]) -> tuple[_Key, ...]:
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
# the assessment pass
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    t_s: float
    areas: tuple[DefendedArea, ...]
    notices: tuple[LaunchNotification, ...]
    params: AssessmentParams
    fusion: FusionParams
    health: dict[str, SensorHealth]


def _characterise(ev: EventState, ctx: _Ctx, imp: ImpactEstimate | None = None) -> EventState:
    """Impact prediction, trajectory type and non-threat checks from the event's state
    (``imp``: the impact prediction of that state, when it has already been made)."""
    x0, p0, t0 = ev.x, ev.p, ev.state_t_s
    if x0 is None or p0 is None or t0 is None:
        return ev
    if imp is None:
        imp = predict_impact(x0, p0, t0, max_time_s=ctx.params.max_flight_s)
    if (
        not imp.ok
        and ev.impact is not None
        and ev.impact.ok
        and float(ecef_to_geodetic(np.asarray(x0[:3]))[2]) <= 0.0
    ):
        # the state is at or past impact (a track coasting on after the object reached the
        # ground): the last prediction stands
        return evolve(ev, impact_computed_t_s=ctx.t_s)
    bo = ev.burnout_x if ev.burnout_x is not None else x0
    orb_bo = orbit_summary(bo)
    ttype = classify_trajectory(
        abs(orb_bo.gamma_rad), orb_bo.range_angle_rad, ctx.params.trajectory_margin_rad
    )
    areas = tuple(a.name for a in ctx.areas if a.threatened_by(imp)) if imp.ok else ()
    ev = evolve(
        ev,
        impact=imp,
        impact_computed_t_s=ctx.t_s,
        trajectory_type=ttype,
        threatened_areas=areas,
        orbit=orbit_summary(x0),
    )
    if ev.source == "radar" and imp.ok:
        # the ballistic arc traced back to the ground: a rough launch point for radar-only events
        dtb, xb, okb = propagate_to_height(
            x0[None, :], 0.0, backward=True, max_time_s=ctx.params.max_flight_s
        )
        if okb[0]:
            lat, lon, _ = ecef_to_geodetic(xb[0, :3])
            _, az = great_circle(lat, lon, imp.lat_rad, imp.lon_rad)
            ev = evolve(
                ev,
                launch_time_s=t0 + float(dtb[0]),
                launch_lat_rad=float(lat),
                launch_lon_rad=float(lon),
                azimuth_rad=float(az),
            )
    return ev


def _orbital_insertion(x: FloatArray | None, params: AssessmentParams) -> bool:
    """Still boosting at orbital altitude with near-horizontal velocity (an IR state).

    The IR burnout state of a space launch is often taken before final burnout (the last
    stage burns long and faint), so its speed is short of circular and its perigee below
    ground. Ballistic missiles burn out lower (ICBM ≲ 300 km) and climbing (γ ≳ 20°; a
    depressed trajectory flies flat but low); a vehicle still thrusting above
    :attr:`AssessmentParams.insertion_min_alt_m`, within
    :attr:`~AssessmentParams.insertion_max_gamma_rad` of horizontal and already at
    :attr:`~AssessmentParams.insertion_min_speed_ratio` of circular speed is putting
    something into orbit.
    """
    if x is None:
        return False
    o = orbit_summary(x)
    # the geodetic height last: it costs more than the rest together, and a ballistic
    # burnout state fails the flight-path test already
    return (
        abs(o.gamma_rad) <= params.insertion_max_gamma_rad
        and o.speed_ratio >= params.insertion_min_speed_ratio
        and float(ecef_to_geodetic(np.asarray(x[:3], dtype=np.float64))[2])
        >= params.insertion_min_alt_m
    )


def _non_threat(ev: EventState, ir: IrEventLike | None, ctx: _Ctx) -> str | None:
    if ir is not None and ir.status == "stationary":
        return "stationary_source"
    # once a radar track carries the event's state, the radar decides orbit vs ballistic:
    # an IR-only "orbit" (detector status, early burnout state) must not override it
    radar_state = ev.primary_track_id is not None
    if not radar_state and ir is not None and ir.status == "orbital":
        return "orbit"
    if not radar_state and _orbital_insertion(ev.burnout_x, ctx.params):
        return "orbit"
    if ev.x is not None:
        orb = ev.orbit if ev.orbit is not None else orbit_summary(ev.x)
        if orb.perigee_alt_m > ctx.params.orbit_perigee_alt_m or orb.speed_ratio >= 1.0:
            return "orbit"
        # no impact within the horizon is an orbit only if the conic misses the Earth (a
        # state already at or below the ground — a track coasting past impact — is not)
        if ev.impact is not None and not ev.impact.ok and orb.perigee_alt_m > 0.0:
            return "orbit"
    imp = ev.impact
    if imp is not None and imp.ok:
        if (
            ev.launch_lat_rad is not None
            and ev.launch_lon_rad is not None
            and ev.source == "ir"
            and not ev.threatened_areas
        ):
            d = float(
                ground_distance_m(ev.launch_lat_rad, ev.launch_lon_rad, imp.lat_rad, imp.lon_rad)
            )
            bo = ev.burnout_x if ev.burnout_x is not None else ev.x
            gam = abs(orbit_summary(bo).gamma_rad) if bo is not None else 0.0
            if d <= ctx.params.sounding_max_range_m and gam >= ctx.params.sounding_min_gamma_rad:
                return "sounding_rocket_local_impact"
        if not ev.threatened_areas:
            return "impact_outside_defended_areas"
    return None


def _raise(ev: EventState, lvl: Level, t_s: float) -> EventState:
    if lvl <= ev.level:
        return ev
    times = list(ev.level_times)
    for k in Level:
        if ev.level < k <= lvl:
            times.append((k.name, t_s))
    conf = t_s if lvl >= Level.ATTACK_CONFIRMED and ev.confirmed_t_s is None else ev.confirmed_t_s
    return evolve(ev, level=lvl, level_times=tuple(times), confirmed_t_s=conf)


def _sensors_degraded(ev: EventState, ctx: _Ctx) -> bool:
    return any(ctx.health[s].degraded for s in ev.sensor_ids if s in ctx.health)


def _evaluate_level(ev: EventState, ir: IrEventLike | None, ctx: _Ctx) -> EventState:
    """Level and disposition from the evidence now (level never goes down)."""
    if ev.disposition == "RETRACTED":
        return ev
    t = ctx.t_s
    launched = False
    if ev.source == "ir" and ir is not None:
        launched = ir.status == "boosting" or (
            ir.status in ("ended", "orbital") and _f(ir.burnout_time_s) is not None
        )
        launched = launched and _f(ir.launch_time_s) is not None
    if ev.level == Level.NONE and ev.source == "ir":
        if ir is None or not (launched or _persistent(ir, ctx.params)):
            why = _non_threat(ev, ir, ctx) if ir is not None else None
            if why is not None:
                return evolve(ev, disposition="NOT_A_THREAT", reason=why)
            return ev
    ev = _raise(ev, Level.POSSIBLE_LAUNCH, t)
    if ev.source == "radar":
        launched = ev.impact is not None and ev.impact.ok
    if launched or ev.level >= Level.LAUNCH:
        ev = _raise(ev, Level.LAUNCH, t)
    why = _non_threat(ev, ir, ctx)
    threat = bool(ev.threatened_areas) and ev.level >= Level.LAUNCH and why is None
    if (
        threat
        and ctx.params.ir_threat_needs_stereo
        and not ev.radar_track_ids
        and ev.source == "ir"
        and not ev.stereo
    ):
        threat = False
    if threat:
        ev = _raise(ev, Level.THREAT, t)
        if (
            ev.correlated
            and ev.ir_event_id is not None
            and ev.radar_track_ids
            and ev.max_track_updates >= ctx.params.radar_confirm_min_updates
        ):
            ev = _raise(ev, Level.ATTACK_CONFIRMED, t)
    if why is not None:
        if ev.disposition == "NOT_A_THREAT" and ev.reason == why:
            return ev
        return evolve(ev, disposition="NOT_A_THREAT", reason=why)
    # retraction: unconfirmed and silent for long, unless its sensors are degraded
    if (
        ev.level <= Level.POSSIBLE_LAUNCH
        and t - ev.last_evidence_t_s > ctx.params.retract_after_s
        and not _sensors_degraded(ev, ctx)
    ):
        return evolve(ev, disposition="RETRACTED", reason="no_confirmation")
    if ev.source == "radar" and ev.n_live_tracks == 0 and ev.level < Level.LAUNCH:
        return evolve(ev, disposition="RETRACTED", reason="track_lost")
    reason = {
        Level.POSSIBLE_LAUNCH: "ir_detection" if ev.source == "ir" else "radar_track",
        Level.LAUNCH: "kinematic_launch" if ev.source == "ir" else "ballistic_radar_track",
        Level.THREAT: "impact_in_defended_area",
        Level.ATTACK_CONFIRMED: "ir_radar_correlated",
    }.get(ev.level, "")
    if ev.disposition == "OPEN" and ev.reason == reason:
        return ev  # unchanged (a copy is not free)
    return evolve(ev, disposition="OPEN", reason=reason)


def _persistent(ir: IrEventLike, params: AssessmentParams) -> bool:
    """Enough supporting frames over enough time to announce a candidate (not stationary)."""
    if ir.status in ("stationary", "orbital"):
        return False
    if not ir.stereo and not params.ir_mono_persistence:
        return False
    frames = getattr(ir, "n_frames", None)
    span = getattr(ir, "span_s", None)
    n = int(frames) if frames else int(ir.n_reports)
    sp = float(span) if span else float(ir.last_t_s) - float(ir.first_t_s)
    return n >= params.ir_min_frames and sp >= params.ir_min_span_s


def _apply_ir(ev: EventState, ir: IrEventLike) -> EventState:
    # the same snapshot as last step (the detector re-reports unchanged events): nothing to do
    seen = (
        ir.status,
        bool(ir.stereo),
        float(ir.last_t_s),
        int(ir.n_reports),
        _f(ir.launch_time_s),
        _f(ir.launch_lat_rad),
        _f(ir.launch_lon_rad),
        _f(ir.azimuth_rad),
        _f(ir.burnout_time_s),
        tuple(ir.class_probs),
    )
    if seen == ev.ir_seen:
        return ev
    cls, pc = _class_best(ir.class_probs)
    keys = _merge_keys(ev.report_keys, ((str(a), int(b)) for a, b in ir.report_keys))
    sens = tuple(sorted(set(ev.sensor_ids) | {str(s) for s in ir.sensor_ids}))
    return evolve(
        ev,
        ir_seen=seen,
        last_evidence_t_s=max(ev.last_evidence_t_s, float(ir.last_t_s)),
        launch_time_s=_f(ir.launch_time_s),
        launch_time_sigma_s=_f(ir.launch_time_sigma_s),
        launch_lat_rad=_f(ir.launch_lat_rad),
        launch_lon_rad=_f(ir.launch_lon_rad),
        launch_sigma_m=_f(ir.launch_sigma_m),
        azimuth_rad=_f(ir.azimuth_rad),
        azimuth_sigma_rad=_f(ir.azimuth_sigma_rad),
        vehicle_class=cls,
        class_probability=pc,
        sensor_ids=sens,
        report_keys=keys,
        stereo=ev.stereo or bool(ir.stereo),
    )


def _primary(
    tracks: Sequence[RadarTrack], params: AssessmentParams
) -> tuple[RadarTrack, RadarTrack | None]:
    """The densest track of an event and its re-entry-vehicle candidate, if any.

    The densest: most updates, then the lowest id. The RV candidate: a track with at least
    ``rv_min_updates`` updates that is ``rv_rcs_margin_db`` or more smaller (RCS proxy
    through a shared sensor) than the densest — the spent stage being the larger radar
    target; among several such tracks the smallest.
    """
    dense = sorted(tracks, key=lambda tr: (-tr.n_updates, tr.track_id))[0]
    small = []
    for tr in tracks:
        if tr is dense or tr.n_updates < params.rv_min_updates:
            continue
        d = rcs_difference_db(tr, dense)
        if d is not None and d <= -params.rv_rcs_margin_db:
            small.append((d, tr.track_id, tr))
    return dense, (sorted(small, key=lambda a: (a[0], a[1]))[0][2] if small else None)


def _backward_d2(e: EventState, tr: RadarTrack, fusion: FusionParams, fallback: float) -> float:
    """The backward correlation distance of a track to an event's IR burnout state
    (:func:`earlywarn.center.fusion.correlate_backward`); ``fallback`` without one."""
    if e.ir_state is None:
        return fallback
    return correlate_backward(e.ir_state, tr, fusion)


def _new_event(eid: str, source: str, t_s: float, ir_id: str | None) -> EventState:
    return EventState(
        event_id=eid,
        source=source,
        ir_event_id=ir_id,
        radar_track_ids=(),
        first_t_s=t_s,
        last_evidence_t_s=t_s,
        level=Level.NONE,
        disposition="OPEN",
        reason="",
        level_times=(),
    )


def _refresh_interval(e: EventState, params: AssessmentParams) -> float:
    imp = e.impact
    if imp is None or not imp.ok or not math.isfinite(imp.t_s):
        return params.impact_refresh_s
    return max(
        params.impact_refresh_s, params.impact_refresh_fraction * (imp.t_s - e.impact_computed_t_s)
    )


def _update_state(
    e: EventState,
    mine: Sequence[RadarTrack],
    ir_at: Callable[[str], tuple[FloatArray, FloatArray, float] | None],
    ctx: _Ctx,
) -> tuple[EventState, bool, ImpactEstimate | None]:
    """The event's state estimate now; True when it changed (characterise again), and the
    impact prediction of the new state when it has already been made (the RV switch test
    makes it), else None.

    With live tracks of at least ``radar_min_updates`` updates: the primary track
    (:func:`_primary`), fused with the event's propagated IR state when the two agree
    (:func:`earlywarn.center.fusion.consistent`). Without tracks: the IR burnout state
    itself, as soon as it appears or changes. Recomputed every ``impact_refresh_s`` or
    ``impact_refresh_fraction`` of the predicted time to go, whichever is longer (a
    prediction 15 min out moves little in 10 s; one 5 min out is refreshed every 10 s), or
    at once when the primary track changes or the event has no state yet.
    """
    params = ctx.params
    usable = [tr for tr in mine if tr.n_updates >= params.radar_min_updates]
    if usable:
        due = (
            ctx.t_s - e.impact_computed_t_s >= _refresh_interval(e, params)
            or e.x is None
            or e.state_t_s is None
            or all(tr.track_id != e.primary_track_id for tr in usable)
        )
        if not due:
            return e, False, None
        dense, rv = _primary(usable, params)

        def estimate(tr: RadarTrack) -> tuple[FloatArray, FloatArray, bool]:
            m = ir_at(e.event_id) if e.ir_cloud is not None else None
            young = tr.n_updates < params.radar_fuse_min_updates
            p_r = tr.p * ctx.fusion.young_track_inflation if young else tr.p
            hold = ctx.fusion.consistency_hold_factor if e.fused else 1.0
            if m is not None and consistent(m[0], m[1], tr.x, p_r, ctx.fusion, hold):
                xf, pf = fuse_states(m[0], m[1], tr.x, p_r)
                return xf, pf, True
            if m is not None and young:
                # a young track that disagrees with the IR state: its covariance is not to
                # be trusted yet (two-point start), the propagated IR state is the estimate
                return m[0], m[1], False
            return tr.x, tr.p, False

        imp: ImpactEstimate | None = None
        if rv is not None and rv.track_id == e.primary_track_id:
            tr = rv  # the event stays with its RV (the densest track's estimate is not needed)
            x_f, p_f, fused = estimate(rv)
        else:
            tr = dense
            x_f, p_f, fused = estimate(dense)
            if rv is not None:
                xr, pr, fr = estimate(rv)
                imp = predict_impact(xr, pr, rv.t_s, max_time_s=params.max_flight_s)
                if imp.ok and imp.semi_major_m <= params.rv_switch_semi_major_m:
                    tr, x_f, p_f, fused = rv, xr, pr, fr
                else:
                    imp = None
        e = evolve(e, state_t_s=tr.t_s, x=x_f, p=p_f, primary_track_id=tr.track_id, fused=fused)
        return e, True, imp
    st = e.ir_state
    if (
        st is not None
        and not e.radar_track_ids
        and (e.x is None or e.state_t_s != st[0] or not np.array_equal(e.x, st[1]))
    ):
        # the IR burnout state itself (the event's cloud is advanced in place to the
        # tracker time; its points are no longer the state at ``st[0]``)
        return (
            evolve(e, state_t_s=st[0], x=st[1], p=st[2], primary_track_id=None, fused=False),
            True,
            None,
        )
    return e, False, None


def assess(
    events: tuple[EventState, ...],
    next_event_no: int,
    ir_events: Sequence[IrEventLike],
    tracks: Sequence[RadarTrack],
    health: tuple[SensorHealth, ...],
    t_s: float,
    *,
    areas: tuple[DefendedArea, ...],
    notices: tuple[LaunchNotification, ...],
    params: AssessmentParams,
    fusion: FusionParams,
    checks: tuple[tuple[int, float], ...] = (),
) -> tuple[tuple[EventState, ...], int, tuple[tuple[int, float], ...]]:
    """One assessment pass at ``t_s``.

    ``ir_events`` are the IR detector's current events, ``tracks`` the confirmed radar
    tracks, ``checks`` the time each uncorrelated track was last tested against the IR
    events (a track is tested when it becomes a candidate, then every
    ``correlation_recheck_s``). Returns the updated events, the next event number and
    the new ``checks``. Deterministic: every iteration is over sorted ids.
    """
    ctx = _Ctx(t_s, areas, notices, params, fusion, {h.sensor_id: h for h in health})
    evs = {e.event_id: e for e in events}
    by_ir = {e.ir_event_id: e.event_id for e in events if e.ir_event_id is not None}
    irs = {str(ie.event_id): ie for ie in ir_events}
    trk = {tr.track_id: tr for tr in tracks}

    # 1. IR events → center events. Work is skipped where nothing can change: an event
    # not yet announced whose IR candidate is not yet persistent, a stationary source
    # already dismissed that is still stationary, an unchanged snapshot (``_apply_ir``).
    touched: set[str] = set()
    for iid in sorted(irs):
        ie = irs[iid]
        if iid not in by_ir:
            eid = f"E{next_event_no:04d}"
            next_event_no += 1
            evs[eid] = _new_event(eid, "ir", float(ie.first_t_s), iid)
            by_ir[iid] = eid
        eid = by_ir[iid]
        e = evs[eid]
        if e.disposition == "RETRACTED":
            continue
        if e.reason == "stationary_source" and ie.status == "stationary":
            continue
        if e.level == Level.NONE and not (
            ie.status in ("boosting", "ended", "orbital", "stationary") or _persistent(ie, params)
        ):
            continue
        new = _apply_ir(e, ie)
        if new is not e:
            evs[eid] = new
            touched.add(eid)

    # 2. radar tracks: keep existing associations; correlate new tracks with IR states
    owner: dict[int, str] = {}
    for eid in sorted(evs):
        for tid in evs[eid].radar_track_ids:
            if tid in trk and evs[eid].disposition != "RETRACTED":
                owner[tid] = eid
    # IR ballistic states live on in their events (the IR detector forgets ended events)
    for eid in sorted(evs):
        e = evs[eid]
        if e.ir_event_id is None or e.ir_event_id not in irs or e.disposition == "RETRACTED":
            continue
        st = ir_ballistic_state(irs[e.ir_event_id])
        if st is None:
            continue
        key = (st[0], float(st[1][0]))
        if e.ir_cloud_key != key:
            t_b, x_b, p_b = floored_ir_state(st, fusion)
            evs[eid] = evolve(
                e,
                ir_cloud=SigmaCloud.from_state(t_b, x_b, p_b, fusion.q),
                ir_cloud_key=key,
                ir_state=(t_b, np.asarray(x_b), np.asarray(p_b)),
                burnout_x=np.asarray(x_b),
            )
            touched.add(eid)
    t_trk = tracks[0].t_s if tracks else None
    moments: dict[str, tuple[FloatArray, FloatArray, float]] = {}

    def ir_at(eid: str) -> tuple[FloatArray, FloatArray, float] | None:
        """The event's IR state propagated to the tracker time (cloud advanced in place)."""
        if eid in moments:
            return moments[eid]
        e = evs[eid]
        cl = e.ir_cloud
        if cl is None or t_trk is None or not (0.0 <= t_trk - cl.t0_s <= fusion.max_propagation_s):
            return None
        cl = cl.at(t_trk)
        evs[eid] = evolve(e, ir_cloud=cl)
        xm, pm = cl.moments()
        moments[eid] = (xm, pm, t_trk - cl.t0_s)
        return moments[eid]

    ir_states = sorted(
        eid
        for eid in evs
        if evs[eid].ir_cloud is not None
        and evs[eid].disposition != "RETRACTED"
        and evs[eid].source == "ir"
    )
    candidates = [
        tid
        for tid in sorted(trk)
        if trk[tid].n_updates >= params.radar_min_updates
        and (tid not in owner or evs[owner[tid]].source == "radar")
    ]
    corr: dict[int, str] = {}
    deferred: set[int] = set()
    last_check = dict(checks)
    due = [
        tid
        for tid in candidates
        if tid not in last_check or t_s - last_check[tid] >= params.correlation_recheck_s
    ]

    def gate(tid: int) -> list[tuple[float, str]]:
        """The IR events track ``tid`` may belong to, as ``(d², event id)``.

        None unless one passes the forward gate. With several IR events (a raid), every
        event that passes the forward or the backward gate is a candidate and ``d²`` is
        the backward distance (:func:`earlywarn.center.fusion.correlate_backward`): the IR
        states carried over the midcourse no longer separate launches tens of seconds
        apart, the track traced back to each burnout time does.
        """
        fwd: list[tuple[float, str]] = []
        for eid in ir_states:
            m = ir_at(eid)
            if m is None:
                continue
            d2 = correlate_moments(m[0], m[1], m[2], trk[tid], fusion)
            if d2 <= fusion.gamma:
                fwd.append((d2, eid))
        if not fwd or len(ir_states) == 1:
            return fwd
        ok = {eid for _, eid in fwd}
        out: list[tuple[float, str]] = []
        for eid in ir_states:
            b2 = _backward_d2(evs[eid], trk[tid], fusion, math.inf)
            if eid in ok or b2 <= fusion.gamma:
                out.append((b2, eid))
        return out

    if due and ir_states:
        for tid in due:
            last_check[tid] = t_s
            gated = gate(tid)
            # an ambiguous track waits until it is firm enough for the backward test
            if len(gated) > 1 and trk[tid].n_updates < params.radar_confirm_min_updates:
                deferred.add(tid)
                continue
            if gated:
                corr[tid] = min(gated)[1]
    # move correlated tracks into IR events; retract emptied radar-only events as merged
    for tid in sorted(corr):
        src = owner.get(tid)
        dst = corr[tid]
        if src is not None and src != dst:
            e = evs[src]
            rest = tuple(x for x in e.radar_track_ids if x != tid)
            evs[src] = evolve(e, radar_track_ids=rest)
            if not rest:
                evs[src] = evolve(evs[src], disposition="RETRACTED", reason=f"merged_into:{dst}")
        owner[tid] = dst
        d = evs[dst]
        evs[dst] = evolve(
            d, radar_track_ids=tuple(sorted({*d.radar_track_ids, tid})), correlated=True
        )
    # radar-only events for old-enough uncorrelated tracks (join a nearby radar-only event)
    for tid in candidates:
        if tid in owner or tid in deferred:
            continue
        tr = trk[tid]
        if t_s - tr.first_t_s < params.radar_only_delay_s:
            continue
        if tr.n_updates < params.radar_confirm_min_updates and len(gate(tid)) > 1:
            continue  # an ambiguous raid track waits for its IR event (see above)
        joined = None
        for eid in sorted(evs):
            e = evs[eid]
            if e.source != "radar" or e.disposition == "RETRACTED":
                continue
            others = [trk[x] for x in e.radar_track_ids if x in trk]
            if (
                others
                and min(float(np.linalg.norm(o.x[:3] - tr.x[:3])) for o in others)
                <= params.radar_join_m
            ):
                joined = eid
                break
        if joined is None:
            joined = f"E{next_event_no:04d}"
            next_event_no += 1
            evs[joined] = _new_event(joined, "radar", tr.first_t_s, None)
        e = evs[joined]
        evs[joined] = evolve(e, radar_track_ids=tuple(sorted({*e.radar_track_ids, tid})))
        owner[tid] = joined

    # 2b. the radar track traced backward: a radar-only event whose ballistic launch point
    # and time agree with an IR launch estimate joins that IR event (the chi-square test
    # above needs a usable IR burnout state; this one needs only the IR launch fit)
    for rid in sorted(evs):
        r = evs[rid]
        if (
            r.source != "radar"
            or r.disposition == "RETRACTED"
            or r.launch_time_s is None
            or r.launch_lat_rad is None
            or r.launch_lon_rad is None
            or r.n_live_tracks == 0
        ):
            continue
        best_i, best_d = None, (math.inf, math.inf)
        live_r = [trk[x] for x in r.radar_track_ids if x in trk]
        for iid in sorted(evs):
            cand = evs[iid]
            if (
                cand.source != "ir"
                or cand.disposition == "RETRACTED"
                or cand.level < Level.LAUNCH
                or cand.launch_time_s is None
                or cand.launch_lat_rad is None
                or cand.launch_lon_rad is None
            ):
                continue
            dt_l = abs(r.launch_time_s - cand.launch_time_s)
            dist = float(
                ground_distance_m(
                    r.launch_lat_rad, r.launch_lon_rad, cand.launch_lat_rad, cand.launch_lon_rad
                )
            )
            if dt_l > fusion.launch_gate_s or dist > fusion.launch_gate_m:
                continue
            # launches of a raid pass this wide gate together: rank by the track traced
            # back to the IR burnout state, then by the launch-point distance
            b2 = min((_backward_d2(cand, tr, fusion, math.inf) for tr in live_r), default=math.inf)
            if (b2, dist) < best_d:
                best_i, best_d = iid, (b2, dist)
        if best_i is None:
            continue
        moved = tuple(x for x in r.radar_track_ids if x in trk)
        d_ev = evs[best_i]
        evs[best_i] = evolve(
            d_ev,
            radar_track_ids=tuple(sorted({*d_ev.radar_track_ids, *moved})),
            correlated=True,
            impact_computed_t_s=-math.inf,
        )
        evs[rid] = evolve(r, disposition="RETRACTED", reason=f"merged_into:{best_i}")
        for x in moved:
            owner[x] = best_i

    # 3. per event: drop lost tracks, refresh the state and the characterisation, the level
    # (events with no radar track, no new IR snapshot and no running timer are left as
    # they are: nothing in them can change)
    for eid in sorted(evs):
        e = evs[eid]
        if e.disposition == "RETRACTED":
            continue
        if (
            eid not in touched
            and not e.radar_track_ids
            and (e.level == Level.NONE or e.disposition == "NOT_A_THREAT")
        ):
            continue
        live = tuple(x for x in e.radar_track_ids if x in trk)
        mine = [trk[x] for x in live]
        sens = set(e.sensor_ids)
        last = e.last_evidence_t_s
        # report keys: only those the live tracks gained since they were last merged
        merged = dict(e.merged_keys)
        new_keys: list[_Key] = []
        for tr in mine:
            sens.update(tr.sensor_ids)
            last = max(last, tr.last_update_s)
            k0 = merged.get(tr.track_id, 0)
            if len(tr.report_keys) < k0:
                k0 = 0  # not a grown tuple (never for a radar track): all of it again
            new_keys.extend(tr.report_keys[k0:])
        mk = tuple((tr.track_id, len(tr.report_keys)) for tr in mine)
        mtu = max([e.max_track_updates, *(tr.n_updates for tr in mine)])
        rk = _merge_keys(e.report_keys, new_keys)
        # (the tuple holds a sorted set: the same size means nothing new, no sort needed)
        si = e.sensor_ids if len(sens) == len(e.sensor_ids) else tuple(sorted(sens))
        if (mtu, len(live), rk, si, last, mk) != (
            e.max_track_updates,
            e.n_live_tracks,
            e.report_keys,
            e.sensor_ids,
            e.last_evidence_t_s,
            e.merged_keys,
        ):  # a copy is not free: only when something changed
            e = evolve(
                e,
                max_track_updates=mtu,
                n_live_tracks=len(live),
                report_keys=rk,
                sensor_ids=si,
                last_evidence_t_s=last,
                merged_keys=mk,
            )
        ir = irs.get(e.ir_event_id) if e.ir_event_id is not None else None
        e, changed, imp = _update_state(e, mine, ir_at, ctx)
        # keep the cloud ``ir_at`` advanced meanwhile (it replaced evs[eid]): the next
        # step then propagates it from here, not again from the burnout time
        if evs[eid].ir_cloud is not e.ir_cloud:
            e = evolve(e, ir_cloud=evs[eid].ir_cloud)
        if changed:
            e = _characterise(e, ctx, imp)
        e = _evaluate_level(e, ir, ctx)
        # declared launches
        if not e.declared and e.launch_time_s is not None and e.launch_lat_rad is not None:
            for nt in ctx.notices:
                if nt.matches(
                    e.launch_time_s,
                    e.launch_lat_rad,
                    e.launch_lon_rad if e.launch_lon_rad is not None else 0.0,
                    e.azimuth_rad,
                    e.vehicle_class,
                ):
                    e = evolve(e, declared=True, declaration_id=nt.notification_id)
                    break
        evs[eid] = e

    # candidates never announced whose IR event is gone leave no trace
    for eid in sorted(evs):
        e = evs[eid]
        if (
            e.level == Level.NONE
            and e.source == "ir"
            and e.ir_event_id not in irs
            and not e.radar_track_ids
        ):
            del evs[eid]

    # 4. raid count: connected clusters of open launches close in time and space
    open_ids = [
        eid
        for eid in sorted(evs)
        if evs[eid].disposition == "OPEN"
        and evs[eid].level >= Level.LAUNCH
        and evs[eid].launch_time_s is not None
        and evs[eid].launch_lat_rad is not None
    ]
    parent = {eid: eid for eid in open_ids}

    def find(a: str) -> str:
        while parent[a] != a:
            a = parent[a]
        return a

    for i, a in enumerate(open_ids):
        ea = evs[a]
        for b in open_ids[i + 1 :]:
            eb = evs[b]
            assert ea.launch_time_s is not None and eb.launch_time_s is not None
            if abs(ea.launch_time_s - eb.launch_time_s) > params.raid_window_s:
                continue
            sep = float(
                ground_distance_m(
                    ea.launch_lat_rad or 0.0,
                    ea.launch_lon_rad or 0.0,
                    eb.launch_lat_rad or 0.0,
                    eb.launch_lon_rad or 0.0,
                )
            )
            if sep <= params.raid_window_m:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    sizes: dict[str, int] = {}
    for eid in open_ids:
        sizes[find(eid)] = sizes.get(find(eid), 0) + 1
    for eid in sorted(evs):
        n = sizes[find(eid)] if eid in parent else 1
        if evs[eid].raid_count != n:
            evs[eid] = evolve(evs[eid], raid_count=n)
    new_checks = tuple(sorted((k, v) for k, v in last_check.items() if k in trk))
    return tuple(evs[k] for k in sorted(evs)), next_event_no, new_checks


# --------------------------------------------------------------------------------------------
# alerts
# --------------------------------------------------------------------------------------------


def _alert_key(ev: EventState) -> tuple[object, ...]:
    imp = ev.impact
    il = (imp.lat_rad, imp.lon_rad, imp.t_s) if imp is not None and imp.ok else None
    return (int(ev.level), ev.disposition, il, ev.threatened_areas, ev.raid_count, ev.declared)


def _material_change(
    old: tuple[object, ...], new: tuple[object, ...], params: AssessmentParams
) -> str | None:
    if not old:
        return "new"
    if old[0] != new[0] or old[1] != new[1]:
        return "change"
    if old[3] != new[3] or old[4] != new[4] or old[5] != new[5]:
        return "impact_update"
    oi, ni = old[2], new[2]
    if (oi is None) != (ni is None):
        return "impact_update"
    if oi is not None and ni is not None:
        assert isinstance(oi, tuple) and isinstance(ni, tuple)
        d = float(ground_distance_m(oi[0], oi[1], ni[0], ni[1]))
        if d > params.reissue_impact_shift_m or abs(ni[2] - oi[2]) > params.reissue_impact_time_s:
            return "impact_update"
    return None


def make_alerts(
    prev: tuple[EventState, ...],
    new: tuple[EventState, ...],
    t_s: float,
    epoch: object,
    params: AssessmentParams,
    coverage_degraded: bool,
) -> tuple[tuple[EventState, ...], tuple[Alert, ...]]:
    """Alerts for events whose level/disposition changed or whose impact moved materially."""
    from datetime import datetime

    assert isinstance(epoch, datetime)
    old = {e.event_id: e for e in prev}
    out_events = []
    alerts = []
    for e in new:
        if e.level == Level.NONE:
            out_events.append(e)
            continue
        o = old.get(e.event_id)
        if o is e:  # untouched since the last step, which already looked at it
            out_events.append(e)
            continue
        if o is not None and o.disposition == "RETRACTED" and e.disposition == "RETRACTED":
            out_events.append(e)
            continue
        key = _alert_key(e)
        # (an equal key is no change; the test below would measure a zero impact shift)
        why = None if key == e.last_alert_key else _material_change(e.last_alert_key, key, params)
        if why is None:
            out_events.append(e)
            continue
        reason = "impact_update" if why == "impact_update" else e.reason
        alerts.append(_alert(e, t_s, epoch, e.n_alerts + 1, reason, coverage_degraded))
        out_events.append(evolve(e, n_alerts=e.n_alerts + 1, last_alert_key=key))
    return tuple(out_events), tuple(alerts)


def _deg(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v / _DEG


def _km(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v / 1e3


def _alert(e: EventState, t_s: float, epoch: object, n: int, reason: str, cov_deg: bool) -> Alert:
    from datetime import datetime

    assert isinstance(epoch, datetime)
    imp = e.impact if e.impact is not None and e.impact.ok else None
    return Alert(
        alert_id=f"{e.event_id}-A{n:03d}",
        event_id=e.event_id,
        t_s=float(t_s),
        time_utc=iso_utc(epoch, t_s),
        level=e.level.name,
        disposition=e.disposition,
        reason=reason,
        launch_time_s=e.launch_time_s,
        launch_time_utc=iso_utc(epoch, e.launch_time_s) if e.launch_time_s is not None else None,
        launch_lat_deg=_deg(e.launch_lat_rad),
        launch_lon_deg=_deg(e.launch_lon_rad),
        launch_sigma_km=_km(e.launch_sigma_m),
        azimuth_deg=_deg(e.azimuth_rad),
        azimuth_sigma_deg=_deg(e.azimuth_sigma_rad),
        vehicle_class=e.vehicle_class,
        class_probability=e.class_probability,
        impact_time_s=imp.t_s if imp else None,
        impact_time_utc=iso_utc(epoch, imp.t_s) if imp else None,
        impact_time_sigma_s=_f(imp.t_sigma_s) if imp else None,
        impact_lat_deg=_deg(imp.lat_rad) if imp else None,
        impact_lon_deg=_deg(imp.lon_rad) if imp else None,
        impact_ellipse_semi_major_km=_km(imp.semi_major_m) if imp else None,
        impact_ellipse_semi_minor_km=_km(imp.semi_minor_m) if imp else None,
        impact_ellipse_orientation_deg=_deg(imp.orientation_rad) if imp else None,
        trajectory_type=e.trajectory_type,
        threatened_areas=e.threatened_areas,
        raid_count=e.raid_count,
        phenomenologies=e.phenomenologies,
        sensor_ids=e.sensor_ids,
        declared=e.declared,
        declaration_id=e.declaration_id,
        decision_time_s=e.decision_time_s,
        coverage_degraded=cov_deg,
    )
