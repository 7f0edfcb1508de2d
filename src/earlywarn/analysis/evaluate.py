"""Evaluate: truth and center output side by side, per launch and overall.

This is the only place where truth (the flight result and the scoring-only
:class:`earlywarn.reports.ReportTruth`) meets what the center concluded. Center events are
matched to true launches by their supporting reports: every event carries the keys
``(sensor_id, seq)`` of the reports behind it, the report truth maps them to objects and
the objects to launches; an event belongs to the launch most of its reports came from.
An event none of whose reports came from a launch is *false*; every alert it issued is a
false alert at that alert's level. Resident space objects (catalogued satellites, rocket
bodies, debris; launch id ``""``) belong to no launch: an alert they caused is false.

Per launch (times in seconds after that launch; None when never reached):
``first_report_s`` (first IR or radar report of one of its objects), ``possible_launch_s``,
``launch_s``, ``threat_s``, ``confirmed_s`` (earliest over its events), ``max_level``,
``disposition`` (of its highest event), the final launch-point and azimuth errors,
impact-point and impact-time errors at ATTACK_CONFIRMED and five minutes before the true
impact (the latest impact estimate issued at or before that moment), assessed vs true
class, and decision time (center's: predicted impact − confirmation; true: true impact −
confirmation).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from earlywarn.analysis.quality import (
    LATE_MARGIN_S,
    Calibration,
    calibrate,
    not_a_threat_seconds,
)
from earlywarn.center.alerts import Level
from earlywarn.center.core import CenterOutput
from earlywarn.center.vocabulary import Source
from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic, great_circle
from earlywarn.flight.truth import Trajectories

__all__ = [
    "Evaluation",
    "LaunchTruth",
    "evaluate",
    "launch_truth_from_flight",
    "launch_truth_from_trajectories",
]

_DEG = math.pi / 180.0


@dataclass(frozen=True)
class LaunchTruth:
    """What really happened for one launch (SI)."""

    launch_id: str
    vehicle: str
    vehicle_class: str
    t_launch_s: float
    lat_rad: float
    lon_rad: float
    azimuth_rad: float
    impact_t_s: float | None
    impact_lat_rad: float | None
    impact_lon_rad: float | None


def _dist_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    ang, _ = great_circle(lat1, lon1, lat2, lon2)
    return float(ang) * R_MEAN_M / 1e3


def launch_truth_from_trajectories(
    traj: Trajectories,
    vehicles: Mapping[str, tuple[str, str]],
    azimuth_window_s: float = 120.0,
) -> tuple[LaunchTruth, ...]:
    """Launch truths from sampled trajectories.

    ``vehicles`` maps launch id → (vehicle name, class). The launch is the first sample of
    the launch's first object; the impact the last sample of its re-entry vehicle (kind
    ``rv``; else its longest-lived object); the azimuth the Earth-fixed ground-track
    direction from the launch point to the sub-point ``azimuth_window_s`` later (the
    window the IR launch fit uses), since the ECEF ground track of a long flight curves.
    """
    out = []
    for lid in sorted(set(traj.launch_id) - {""}):  # "": resident space objects
        idx = [i for i, x in enumerate(traj.launch_id) if x == lid]
        i0 = min(idx, key=lambda i: float(traj.t_s[i, 0]))
        t0 = float(traj.t_s[i0, 0])
        lat, lon, _ = ecef_to_geodetic(traj.r_ecef_m[i0, 0])
        s = traj.at(np.array([t0 + azimuth_window_s]))
        cands = [i for i in idx if np.all(np.isfinite(s.r_ecef_m[i, 0]))]
        if cands:
            la, lo, _ = ecef_to_geodetic(s.r_ecef_m[cands[0], 0])
            az = float(great_circle(lat, lon, la, lo)[1])
        else:
            az = math.nan
        rvs = [i for i in idx if traj.kind[i] == "rv"] or idx
        irv = max(rvs, key=lambda i: float(traj.t_end_s[i]))
        k = int(np.sum(np.isfinite(traj.t_s[irv]))) - 1
        ilat, ilon, _ = ecef_to_geodetic(traj.r_ecef_m[irv, k])
        veh, cls = vehicles.get(lid, ("unknown", "unknown"))
        out.append(
            LaunchTruth(
                lid,
                veh,
                cls,
                t0,
                float(lat),
                float(lon),
                float(az),
                float(traj.t_s[irv, k]),
                float(ilat),
                float(ilon),
            )
        )
    return tuple(out)


def launch_truth_from_flight(result: Any) -> tuple[LaunchTruth, ...]:
    """Launch truths from a ``earlywarn.flight.fly`` result (its ``FlightEvents``).

    FlightEvents times are after lift-off; here they become scenario times. The class is
    the flown vehicle's (``FlightEvents.vehicle_class``, so user-defined vehicles count).
    """
    from earlywarn.flight.catalog import get_vehicle

    out = []
    for fe in result.events:
        t0 = float(fe.t_launch_s)
        imp_t = None if fe.impact_s is None else t0 + float(fe.impact_s)
        cls = getattr(fe, "vehicle_class", "") or ""
        if not cls:  # events made before FlightEvents carried the class
            try:
                cls = get_vehicle(fe.vehicle).vehicle_class
            except (KeyError, ValueError):
                cls = "unknown"
        out.append(
            LaunchTruth(
                fe.launch_id,
                fe.vehicle,
                cls,
                t0,
                float(fe.launch_lat_rad),
                float(fe.launch_lon_rad),
                float(fe.azimuth_rad),
                imp_t,
                fe.impact_lat_rad,
                fe.impact_lon_rad,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Evaluation:
    """Per-launch results, false alerts by level, every event's outcome, and the
    warning-quality scores (:mod:`earlywarn.analysis.quality`)."""

    launches: tuple[dict[str, Any], ...]
    false_alerts: dict[str, int]
    events: tuple[dict[str, Any], ...]
    missed_launches: tuple[str, ...]
    false_events: dict[str, int] = field(default_factory=dict)
    """False events counted once each, at the highest level they reached."""
    quality: dict[str, Any] = field(default_factory=dict)
    """Surprises and false alarms by launch: threatening launches, missed, late, wrongly
    dismissed (with seconds), wrongly raised, fused with another launch's radar tracks,
    and the class confusion; and the IR reports of other launches in events."""
    calibration: dict[str, Any] = field(default_factory=dict)
    """Stated 95 % impact ellipses and launch-point circles that contain the truth, and
    impact-time errors in sigmas, over every alert of every launch."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data for ``summary.json``."""
        d = asdict(self)
        d["launches"] = list(d["launches"])
        d["events"] = list(d["events"])
        d["missed_launches"] = list(d["missed_launches"])
        return d


def _truth_map(report_truth: Any) -> dict[tuple[str, int], str]:
    if report_truth is None:
        return {}
    if hasattr(report_truth, "as_dict"):
        return {(str(k[0]), int(k[1])): str(v) for k, v in report_truth.as_dict().items()}
    return {(str(k[0]), int(k[1])): str(v) for k, v in dict(report_truth).items()}


def _r(v: float | None, nd: int = 3) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return round(float(v), nd)


def evaluate(
    launches: Sequence[LaunchTruth],
    center: CenterOutput,
    batch: Any,
    report_truth: Any,
    object_launch: Mapping[str, str] | Trajectories,
) -> Evaluation:
    """Compare center output with truth.

    ``batch`` the reports the center saw; ``report_truth`` a ReportTruth (or a mapping
    ``(sensor_id, seq)`` → object id / label); ``object_launch`` maps object id → launch id
    (or the Trajectories, which carry both).
    """
    if isinstance(object_launch, Trajectories):
        obj2l = dict(zip(object_launch.object_id, object_launch.launch_id, strict=True))
    else:
        obj2l = dict(object_launch)
    # objects of no launch (resident space objects: launch id "") count as no launch, so
    # an event built on them is false, like one built on clutter or glint
    obj2l = {o: lid for o, lid in obj2l.items() if lid}
    tmap = _truth_map(report_truth)

    # first report of each launch
    first: dict[str, float] = {}
    radars: set[str] = set()
    for kind in ("ir", "radar"):
        cols = batch.columns(kind)
        if not cols or "t_s" not in cols:
            continue
        if kind == "radar":
            radars.update(str(s) for s in np.unique(np.asarray(cols["sensor_id"])))
        for sid, seq, t in zip(cols["sensor_id"], cols["seq"], cols["t_s"], strict=True):
            lid = obj2l.get(tmap.get((str(sid), int(seq)), ""))
            if lid is not None and float(t) < first.get(lid, math.inf):
                first[lid] = float(t)

    ev_launch, radar_launch, mixed_ir = _event_launches(center.events, obj2l, tmap, radars)

    false_alerts = {lv.name: 0 for lv in Level if lv != Level.NONE}
    alerts_by_event: dict[str, list[Any]] = {}
    for a in center.alerts:
        alerts_by_event.setdefault(a.event_id, []).append(a)
        if ev_launch.get(a.event_id) is None:
            false_alerts[a.level] += 1
    false_events = {lv.name: 0 for lv in Level if lv != Level.NONE}
    for e in center.events:
        if ev_launch.get(e.event_id) is None and e.level != Level.NONE:
            false_events[e.level.name] += 1
    areas = center.final_state.config.defended_areas

    impacts_by_event: dict[str, list[Any]] = {}
    for rec in center.impacts:
        impacts_by_event.setdefault(rec.event_id, []).append(rec)

    def impact_at(eids: list[str], t: float) -> Any:
        best = None
        for eid in eids:
            for rec in impacts_by_event.get(eid, []):
                if rec.t_s <= t + 1e-9 and (best is None or rec.t_s > best.t_s):
                    best = rec
        return best

    rows = []
    missed = []
    calibration = Calibration()
    for lt in launches:
        evs = [e for e in center.events if ev_launch.get(e.event_id) == lt.launch_id]
        lvl_t: dict[str, float] = {}
        for e in evs:
            for name, t in e.level_times:
                lvl_t[name] = min(lvl_t.get(name, math.inf), t)
        if not evs:
            missed.append(lt.launch_id)
        main = (
            sorted(evs, key=lambda e: (-int(e.level), e.source != Source.IR, e.first_t_s))[0]
            if evs
            else None
        )
        t0 = lt.t_launch_s

        def rel(name: str, _lvl: dict[str, float] = lvl_t, _t0: float = t0) -> float | None:
            return _r(_lvl[name] - _t0, 3) if name in _lvl else None

        lp_err = az_err = None
        if main is not None and main.launch_lat_rad is not None and main.launch_lon_rad is not None:
            lp_err = _dist_km(lt.lat_rad, lt.lon_rad, main.launch_lat_rad, main.launch_lon_rad)
        if main is not None and main.azimuth_rad is not None and math.isfinite(lt.azimuth_rad):
            az_err = (
                abs((main.azimuth_rad - lt.azimuth_rad + math.pi) % (2 * math.pi) - math.pi) / _DEG
            )
        eids = [e.event_id for e in evs]
        # impact estimates: those of the event that carries the launch's highest level
        imp_ids = [main.event_id] if main is not None else []
        conf_t = lvl_t.get("ATTACK_CONFIRMED")
        imp_c = imp_5 = None
        it_c = it_5 = None
        if (
            lt.impact_t_s is not None
            and lt.impact_lat_rad is not None
            and lt.impact_lon_rad is not None
        ):
            if conf_t is not None:
                rec = impact_at(imp_ids, conf_t)
                if rec is not None:
                    imp_c = _dist_km(lt.impact_lat_rad, lt.impact_lon_rad, rec.lat_rad, rec.lon_rad)
                    it_c = rec.impact_t_s - lt.impact_t_s
            rec = impact_at(imp_ids, lt.impact_t_s - 300.0)
            if rec is not None:
                imp_5 = _dist_km(lt.impact_lat_rad, lt.impact_lon_rad, rec.lat_rad, rec.lon_rad)
                it_5 = rec.impact_t_s - lt.impact_t_s
        dec = main.decision_time_s if main is not None else None
        score = _launch_quality(lt, lvl_t, [alerts_by_event.get(i, []) for i in eids], areas,
                                center.t_end_s)  # fmt: skip
        calibration = calibration + score.pop("_calibration")
        rows.append(
            {
                "id": lt.launch_id,
                "vehicle": lt.vehicle,
                "class_true": lt.vehicle_class,
                "class_assessed": main.vehicle_class if main is not None else None,
                "first_report_s": _r(first[lt.launch_id] - t0) if lt.launch_id in first else None,
                "possible_launch_s": rel("POSSIBLE_LAUNCH"),
                "launch_s": rel("LAUNCH"),
                "threat_s": rel("THREAT"),
                "confirmed_s": rel("ATTACK_CONFIRMED"),
                "max_level": main.level.name if main is not None else "NONE",
                "disposition": main.disposition.value if main is not None else None,
                "reason": main.reason_text if main is not None else None,
                "declared": bool(main.declared) if main is not None else False,
                "event_ids": eids,
                "launch_point_error_km": _r(lp_err),
                "azimuth_error_deg": _r(az_err),
                "impact_error_km_at_confirmed": _r(imp_c),
                "impact_time_error_s": _r(it_c),
                "impact_error_km_5min_before": _r(imp_5),
                "impact_time_error_s_5min_before": _r(it_5),
                "decision_time_s": _r(dec),
                # the event that carries the launch's level holds mostly another launch's
                # radar reports: its state and impact are the other missile's
                "radar_of_other_launch": main is not None
                and radar_launch.get(main.event_id) not in (None, lt.launch_id),
                "decision_time_true_s": _r(lt.impact_t_s - conf_t)
                if conf_t is not None and lt.impact_t_s is not None
                else None,
                **score,
            }
        )
    events = tuple(
        {
            "event_id": e.event_id,
            "source": e.source.value,
            "launch_id": ev_launch.get(e.event_id),
            "radar_launch_id": radar_launch.get(e.event_id),
            "max_level": e.level.name,
            "disposition": e.disposition.value,
            "reason": e.reason_text,
            "declared": e.declared,
            "phenomenologies": [p.value for p in e.phenomenologies],
        }
        for e in center.events
    )
    return Evaluation(
        tuple(rows),
        false_alerts,
        events,
        tuple(missed),
        false_events=false_events,
        quality={**_quality_summary(rows), "ir_reports_of_other_launches": mixed_ir},
        calibration=calibration.to_dict(),
    )


def _majority(votes: Mapping[str, int]) -> str | None:
    """The launch with most votes (ties: the smaller id), None without votes."""
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if votes else None


def _event_launches(
    events: Sequence[Any],
    obj2l: Mapping[str, str],
    tmap: Mapping[tuple[str, int], str],
    radars: set[str],
) -> tuple[dict[str, str | None], dict[str, str | None], dict[str, int]]:
    """Each event's launch, the launch most of its radar reports came from, and the IR
    reports of a launch in events that are another launch's (``count`` of ``of``: an IR
    event fitted to two launches' plumes, the raids' error upstream of the others).

    An event is the launch most of its **IR** reports came from when a launch is behind
    any of them (the IR event is what detected it: radar tracks join it later, and in a
    raid a neighbour's tracks, several objects each and two radars, can outnumber its own
    IR reports); else the launch behind most of its reports. Reports of no launch do not
    vote. The radar launch (None without radar reports of a launch) is kept beside it, so
    an event fused with another launch's radar tracks is counted, not hidden
    (``radar_of_other_launch`` in the quality summary). ``radars``: the sensor ids of
    the batch's radar reports (every other report key is an IR report).
    """
    ev_launch: dict[str, str | None] = {}
    radar_launch: dict[str, str | None] = {}
    mixed = {"count": 0, "of": 0}
    for e in events:
        ir: dict[str, int] = {}
        radar: dict[str, int] = {}
        for key in e.report_keys:
            sid = str(key[0])
            lid = obj2l.get(tmap.get((sid, int(key[1])), ""))
            if lid is not None:
                votes = radar if sid in radars else ir
                votes[lid] = votes.get(lid, 0) + 1
        ev_launch[e.event_id] = _majority(ir or radar)
        radar_launch[e.event_id] = _majority(radar)
        mixed["of"] += sum(ir.values())
        mixed["count"] += sum(n for lid, n in ir.items() if lid != ev_launch[e.event_id])
    return ev_launch, radar_launch, mixed


def _launch_quality(
    lt: LaunchTruth,
    lvl_t: Mapping[str, float],
    alerts: Sequence[Sequence[Any]],
    areas: Sequence[Any],
    t_end_s: float,
) -> dict[str, Any]:
    """The warning-quality fields of one launch (definitions in
    :mod:`earlywarn.analysis.quality`), plus its ``_calibration`` counts."""
    has_impact = lt.impact_lat_rad is not None and lt.impact_lon_rad is not None
    threatening = bool(
        has_impact and any(a.contains(lt.impact_lat_rad, lt.impact_lon_rad) for a in areas)
    )
    detected = "LAUNCH" in lvl_t
    threat_t = min((lvl_t[n] for n in ("THREAT", "ATTACK_CONFIRMED") if n in lvl_t), default=None)
    late = bool(
        threatening
        and detected
        and (
            threat_t is None
            or (lt.impact_t_s is not None and lt.impact_t_s - threat_t < LATE_MARGIN_S)
        )
    )
    changes = sorted(
        ((a.event_id, float(a.t_s), str(a.disposition)) for ev in alerts for a in ev),
        key=lambda c: c[1],
    )
    end = min(t_end_s, lt.impact_t_s) if lt.impact_t_s is not None else t_end_s
    dismissed_s, first = not_a_threat_seconds(changes, end)
    cal = Calibration()
    for ev in alerts:
        cal = cal + calibrate(
            ev, lt.lat_rad, lt.lon_rad, lt.impact_lat_rad, lt.impact_lon_rad, lt.impact_t_s
        )
    reached = max((Level[n] for n in lvl_t), default=Level.NONE)
    z = cal.time_z
    return {
        "threatening": threatening,
        "missed_threat": threatening and not detected,
        "late_threat": late,
        "wrongly_dismissed": threatening and first is not None,
        "dismissed_s": _r(dismissed_s) if threatening and first is not None else None,
        "first_dismissed_s": _r(first - lt.t_launch_s)
        if threatening and first is not None
        else None,
        "wrongly_raised": (not threatening) and reached >= Level.THREAT,
        "ellipse_n": cal.ellipse_n,
        "ellipse_in": cal.ellipse_in,
        "launch95_n": cal.launch_n,
        "launch95_in": cal.launch_in,
        "impact_time_z_n": len(z),
        "impact_time_z_sum": _r(sum(z), 4),
        "impact_time_z_sumsq": _r(sum(v * v for v in z), 4),
        "_calibration": cal,
    }


def _quality_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The run's surprises and false alarms by launch id, the class confusion, and the
    launches whose event was fused with another launch's radar tracks."""

    def ids(key: str) -> list[str]:
        return [str(r["id"]) for r in rows if r.get(key)]

    confusion: dict[str, dict[str, int]] = {}
    for r in rows:
        got = str(r.get("class_assessed") or "none")
        by = confusion.setdefault(str(r.get("class_true")), {})
        by[got] = by.get(got, 0) + 1
    return {
        "threatening_launches": ids("threatening"),
        "missed_threats": ids("missed_threat"),
        "late_threats": ids("late_threat"),
        "wrongly_dismissed": ids("wrongly_dismissed"),
        "dismissed_s": {str(r["id"]): r["dismissed_s"] for r in rows if r.get("dismissed_s")},
        "wrongly_raised": ids("wrongly_raised"),
        "radar_of_other_launch": ids("radar_of_other_launch"),
        "class_confusion": confusion,
    }
