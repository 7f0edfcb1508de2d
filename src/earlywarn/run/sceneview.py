"""Build the writers' :class:`~earlywarn.io.scene.SceneView` from a finished run.

Kept apart from the writers in :mod:`earlywarn.io` (which know nothing of the library's
result types) and from the pipeline (which knows nothing of drawing).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from earlywarn.earth.frames import aer_to_enu, enu_to_ecef
from earlywarn.io import scene as sv
from earlywarn.reports import ReportBatch
from earlywarn.space.orbits import ephemeris_ecef

if TYPE_CHECKING:
    from earlywarn.run.pipeline import RunResult

MAX_OBJECT_SAMPLES = 600
MAX_SATELLITE_SAMPLES = 360
MAX_DETECTIONS = 5000


def _objects(result: RunResult) -> tuple[sv.ObjectTrack, ...]:
    tr = result.truth
    out = []
    for i in range(tr.n_objects):
        ok = ~np.isnan(tr.t_s[i])
        t = tr.t_s[i, ok]
        r = tr.r_ecef_m[i, ok]
        if t.size > MAX_OBJECT_SAMPLES:
            idx = np.unique(np.linspace(0, t.size - 1, MAX_OBJECT_SAMPLES).astype(int))
            t, r = t[idx], r[idx]
        out.append(sv.ObjectTrack(tr.object_id[i], tr.launch_id[i], tr.kind[i], t, r))
    return tuple(out)


def _satellites(result: RunResult) -> tuple[sv.SatelliteTrack, ...]:
    if not result.satellites:
        return ()
    dur = result.scenario.duration
    t = np.linspace(0.0, dur, int(min(MAX_SATELLITE_SAMPLES, max(2, dur / 60.0 + 1))))
    eph = ephemeris_ecef([s.orbit for s in result.satellites], result.scenario.epoch, t)
    return tuple(
        sv.SatelliteTrack(s.sensor_id, t, eph.r_m[i]) for i, s in enumerate(result.satellites)
    )


def _radars(result: RunResult) -> tuple[sv.RadarSite, ...]:
    return tuple(
        sv.RadarSite(
            r.sensor_id,
            r.lat_deg,
            r.lon_deg,
            tuple(
                sv.RadarFace(
                    f.face_id,
                    f.boresight_az_deg,
                    f.half_width_deg,
                    f.el_min_deg,
                    f.el_max_deg,
                    r.max_range_km,
                )
                for f in r.faces
            ),
            alt_m=r.h_m,
        )
        for r in result.radars
    )


def _drawn(result: RunResult) -> ReportBatch:
    """The reports a scene draws: those that keep the report contract and were not
    garbled by a corruption event (the scoring truth's ``corrupt``; they are listed in the
    run's ``rejected_reports.jsonl`` when the center caught them)."""
    batch, _ = result.reports.without_bad_rows()
    masks = {}
    for kind in ("ir", "radar"):
        c = batch.columns(kind)
        if c["t_s"].size:
            masks[kind] = result.report_truth.lookup(c["sensor_id"], c["seq"]) != "corrupt"
    if all(m.all() for m in masks.values()):
        return batch
    return batch.select(masks)


def _detections(result: RunResult) -> sv.Detections:
    drawn = _drawn(result)
    rad = drawn.columns("radar")
    ir = drawn.columns("ir")
    n_r = len(rad["t_s"])
    if n_r:
        enu = aer_to_enu(rad["azimuth_rad"], rad["elevation_rad"], rad["range_m"])
        pos = enu_to_ecef(enu, rad["site_lat_rad"], rad["site_lon_rad"], rad["site_h_m"])
    else:
        pos = np.zeros((0, 3))
    t = np.concatenate([np.asarray(rad["t_s"]), np.asarray(ir["t_s"])])
    sid = np.concatenate([np.asarray(rad["sensor_id"]), np.asarray(ir["sensor_id"])]).astype(str)
    kind = np.array(["radar"] * n_r + ["ir"] * len(ir["t_s"]), dtype=object)
    r = np.concatenate([pos, np.full((len(ir["t_s"]), 3), np.nan)])
    if t.size > MAX_DETECTIONS:
        idx = np.unique(np.linspace(0, t.size - 1, MAX_DETECTIONS).astype(int))
        t, sid, kind, r = t[idx], sid[idx], kind[idx], r[idx]
    return sv.Detections(t, tuple(sid.tolist()), tuple(kind.tolist()), r)


CLOUD_TOP_M = 10_000.0
"""Lines of sight end on a sphere this far above the mean Earth radius (the cloud tops
that reflect glint; a fire or a plume lies lower, a few km at this map's scale)."""


def _ir_ground(result: RunResult) -> sv.GroundPoints | None:
    """Where each IR line of sight meets a sphere at cloud-top height, and its true source."""
    from earlywarn.earth.constants import R_MEAN_M

    ir = _drawn(result).columns("ir")
    n = len(ir["t_s"])
    if not n:
        return None
    sat = np.column_stack([ir["sat_x_m"], ir["sat_y_m"], ir["sat_z_m"]])
    los = np.column_stack([ir["los_x"], ir["los_y"], ir["los_z"]])
    b = np.einsum("ij,ij->i", sat, los)
    c = np.einsum("ij,ij->i", sat, sat) - (R_MEAN_M + CLOUD_TOP_M) ** 2
    disc = b * b - c
    ok = disc >= 0.0
    s = -b[ok] - np.sqrt(disc[ok])
    p = sat[ok] + s[:, None] * los[ok]
    lat = np.degrees(np.arcsin(np.clip(p[:, 2] / np.linalg.norm(p, axis=1), -1.0, 1.0)))
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    truth = result.report_truth.lookup(np.asarray(ir["sensor_id"])[ok], np.asarray(ir["seq"])[ok])
    src = np.where(np.isin(truth, ("glint", "fire", "clutter", "false_alarm")), truth, "object")
    t = np.asarray(ir["t_s"])[ok]
    if t.size > MAX_DETECTIONS:
        idx = np.unique(np.linspace(0, t.size - 1, MAX_DETECTIONS).astype(int))
        t, lat, lon, src = t[idx], lat[idx], lon[idx], src[idx]
    return sv.GroundPoints(t, lat, lon, tuple(src.astype(str).tolist()))


def _fires(result: RunResult) -> tuple[tuple[str, float, float], ...]:
    from earlywarn.io.scenario import Fire

    return tuple(
        (str(e.id), float(e.lat_deg), float(e.lon_deg))
        for e in result.scenario.events
        if isinstance(e, Fire)
    )


def _truth_launches(result: RunResult) -> tuple[sv.TruthLaunch, ...]:
    def deg(x: float | None) -> float | None:
        return None if x is None else math.degrees(x)

    return tuple(
        sv.TruthLaunch(
            lt.launch_id,
            lt.t_launch_s,
            math.degrees(lt.lat_rad),
            math.degrees(lt.lon_rad),
            impact_time_s=lt.impact_t_s,
            impact_lat_deg=deg(lt.impact_lat_rad),
            impact_lon_deg=deg(lt.impact_lon_rad),
        )
        for lt in result.launch_truth
    )


def _areas(result: RunResult) -> tuple[sv.DefendedArea, ...]:
    out = []
    for a in result.scenario.defended_areas:
        if a.circle is not None:
            c = a.circle
            out.append(sv.DefendedArea.circle(a.name, c.lat_deg, c.lon_deg, c.radius / 1e3))
        elif a.polygon is not None:
            out.append(sv.DefendedArea.polygon(a.name, [list(p) for p in a.polygon]))
    return tuple(out)


def scene_from_run(result: RunResult) -> sv.SceneView:
    """Everything the CZML, GeoJSON, PNG and HTML writers draw for one run."""
    ev = result.evaluation.to_dict()
    false_alerts = ev.get("false_alerts", {})
    return sv.SceneView(
        epoch_utc=result.scenario.epoch,
        t_start_s=0.0,
        t_end_s=result.scenario.duration,
        objects=_objects(result),
        satellites=_satellites(result),
        radars=_radars(result),
        detections=_detections(result),
        alerts=tuple(sv.AlertMark.from_dict(a.to_dict()) for a in result.center.alerts),
        defended_areas=_areas(result),
        truth_launches=_truth_launches(result),
        launches_table=tuple(ev.get("launches", ())),
        events_table=tuple(ev.get("events", ())),
        false_alerts_table=tuple({"level": k, "count": v} for k, v in false_alerts.items()),
        title=f"earlywarn — {result.scenario.name} (seed {result.seed})",
        ir_ground=_ir_ground(result),
        fires=_fires(result),
    )
