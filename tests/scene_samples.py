"""The synthetic scene the io tests draw (a helper module, not a test module).

``make_scene()`` builds a small, made-up run: two launches (one from the US east coast
downrange into the South Atlantic, one from the US west coast to the central Pacific,
crossing the antimeridian), a booster and an RV each, a GEO and a LEO IR satellite, one
two-face radar, IR and radar reports, three events with alerts (one a false alert).
``partial_scenes()`` takes parts of it away; ``conftest.py`` offers them as the
``partial_scene`` fixture.
"""

from __future__ import annotations

import math

import numpy as np

from earlywarn.earth.constants import OMEGA_RAD_S
from earlywarn.earth.frames import geodetic_to_ecef
from earlywarn.io.scene import (
    AlertMark,
    DefendedArea,
    Detections,
    ObjectTrack,
    RadarFace,
    RadarSite,
    SatelliteTrack,
    SceneView,
    TruthLaunch,
)

EPOCH = "2026-03-20T12:00:00Z"


def _arc(lat0: float, lon0: float, lat1: float, lon1: float, s: np.ndarray) -> tuple:
    """Great-circle interpolation (degrees) at fractions s of the way."""
    p0 = np.array([math.cos(math.radians(lat0)) * math.cos(math.radians(lon0)),
                   math.cos(math.radians(lat0)) * math.sin(math.radians(lon0)),
                   math.sin(math.radians(lat0))])  # fmt: skip
    p1 = np.array([math.cos(math.radians(lat1)) * math.cos(math.radians(lon1)),
                   math.cos(math.radians(lat1)) * math.sin(math.radians(lon1)),
                   math.sin(math.radians(lat1))])  # fmt: skip
    om = math.acos(float(np.clip(p0 @ p1, -1, 1)))
    v = (np.sin((1 - s) * om)[:, None] * p0 + np.sin(s * om)[:, None] * p1) / math.sin(om)
    return np.degrees(np.arcsin(v[:, 2])), np.degrees(np.arctan2(v[:, 1], v[:, 0]))


def _flight(
    oid: str, lid: str, kind: str, t0: float, tof: float, ends: tuple, h_max_m: float, stop: float
) -> ObjectTrack:
    t = np.arange(t0, t0 + stop * tof + 1e-9, 10.0)
    s = (t - t0) / tof
    lat, lon = _arc(*ends, s)
    h = 4.0 * h_max_m * s * (1 - s)
    r = geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    return ObjectTrack(oid, lid, kind, t, r)


def _sat_geo(sid: str, lon_deg: float, t: np.ndarray) -> SatelliteTrack:
    r = geodetic_to_ecef(0.0, math.radians(lon_deg), 35_786e3)
    return SatelliteTrack(sid, t, np.repeat(r[None, :], t.size, axis=0))


def _sat_leo(sid: str, t: np.ndarray) -> SatelliteTrack:
    a = 6_378_137.0 + 1_100e3
    inc = math.radians(63.4)
    n = math.sqrt(3.986004418e14 / a**3)
    u = n * t + 1.0
    x = a * np.cos(u)
    y = a * np.sin(u) * math.cos(inc)
    z = a * np.sin(u) * math.sin(inc)
    th = OMEGA_RAD_S * t - 1.2
    xe = np.cos(th) * x + np.sin(th) * y
    ye = -np.sin(th) * x + np.cos(th) * y
    return SatelliteTrack(sid, t, np.column_stack([xe, ye, z]))


def make_scene(with_parts: bool = True) -> SceneView:
    """The synthetic test scene (``with_parts=False``: the bare minimum)."""
    if not with_parts:
        return SceneView(EPOCH, 0.0, 600.0)
    e1 = (28.5, -80.6, -7.9, -14.4)  # east coast → South Atlantic
    e2 = (34.7, -120.6, 9.4, 167.7)  # west coast → central Pacific, across ±180°
    objects = (
        _flight("L1-RV", "L1", "rv", 60.0, 1500.0, e1, 1_200e3, 1.0),
        _flight("L1-B1", "L1", "booster", 60.0, 1500.0, e1, 1_200e3, 0.12),
        _flight("L2-RV", "L2", "rv", 240.0, 1750.0, e2, 1_300e3, 1.0),
        _flight("L2-B1", "L2", "booster", 240.0, 1750.0, e2, 1_300e3, 0.1),
    )
    ts = np.arange(0.0, 2400.0 + 1, 60.0)
    sats = (_sat_geo("GEO-1", -75.0, ts), _sat_leo("LEO-3", ts))
    radar = RadarSite(
        "CAPE-COD",
        41.75,
        -70.54,
        faces=(
            RadarFace("north", 347.0, 60.0, 3.0, 80.0, 5000.0),
            RadarFace("south", 107.0, 60.0, 3.0, 80.0, 5000.0),
        ),
    )
    # IR reports during boost (no 3-D point), radar reports on the RVs with a point.
    t_ir = np.arange(70.0, 240.0, 10.0)
    rv1 = objects[0]
    sel = (rv1.t_s > 200) & (rv1.t_s < 700)
    t_rad = rv1.t_s[sel]
    t_ir2 = np.arange(250.0, 420.0, 10.0)
    det = Detections(
        t_s=np.concatenate([t_ir, t_ir, t_rad, t_ir2]),
        sensor_id=("GEO-1",) * t_ir.size + ("LEO-3",) * t_ir.size + ("CAPE-COD",) * t_rad.size
        + ("GEO-1",) * t_ir2.size,
        kind=("ir",) * (2 * t_ir.size) + ("radar",) * t_rad.size + ("ir",) * t_ir2.size,
        r_ecef_m=np.concatenate([np.full((2 * t_ir.size, 3), np.nan),
                                 rv1.r_ecef_m[sel] + 3e3, np.full((t_ir2.size, 3), np.nan)]),
    )  # fmt: skip
    alerts = [
        {"alert_id": "A1", "event_id": "E1", "t_s": 95.0, "level": "POSSIBLE_LAUNCH",
         "disposition": "OPEN", "launch_time_s": 62.0, "launch_lat_deg": 28.3,
         "launch_lon_deg": -80.9, "launch_sigma_km": 40.0, "impact_lat_deg": None,
         "impact_lon_deg": None},
        {"alert_id": "A2", "event_id": "E1", "t_s": 140.0, "level": "LAUNCH",
         "disposition": "OPEN", "launch_time_s": 61.0, "launch_lat_deg": 28.45,
         "launch_lon_deg": -80.7, "launch_sigma_km": 15.0, "impact_time_s": 1580.0,
         "impact_lat_deg": -9.5, "impact_lon_deg": -12.0,
         "impact_ellipse_semi_major_km": 900.0, "impact_ellipse_semi_minor_km": 250.0,
         "impact_ellipse_orientation_deg": 140.0},
        # nested form, as in the brief
        {"alert_id": "A3", "event_id": "E1", "t_s": 380.0, "level": "THREAT",
         "disposition": "OPEN",
         "launch": {"time_s": 60.5, "lat_deg": 28.5, "lon_deg": -80.6, "sigma_km": 6.0},
         "impact": {"time_s": 1562.0, "lat_deg": -8.1, "lon_deg": -14.0,
                    "ellipse": {"semi_major_km": 160.0, "semi_minor_km": 60.0,
                                "orientation_deg": 145.0}}},
        {"alert_id": "A4", "event_id": "E2", "t_s": 290.0, "level": "LAUNCH",
         "disposition": "OPEN", "launch_time_s": 242.0, "launch_lat_deg": 34.6,
         "launch_lon_deg": -120.5, "launch_sigma_km": 20.0, "impact_time_s": 1990.0,
         "impact_lat_deg": 10.5, "impact_lon_deg": 169.0,
         "impact_ellipse_semi_major_km": 700.0, "impact_ellipse_semi_minor_km": 300.0,
         "impact_ellipse_orientation_deg": 75.0},
        {"alert_id": "A5", "event_id": "E2", "t_s": 460.0, "level": "LAUNCH",
         "disposition": "NOT_A_THREAT", "launch_time_s": 241.0, "launch_lat_deg": 34.7,
         "launch_lon_deg": -120.6, "launch_sigma_km": 8.0, "impact_time_s": 1985.0,
         "impact_lat_deg": 9.6, "impact_lon_deg": 167.5,
         "impact_ellipse_semi_major_km": 250.0, "impact_ellipse_semi_minor_km": 90.0,
         "impact_ellipse_orientation_deg": 70.0},
        {"alert_id": "A6", "event_id": "E3", "t_s": 1210.0, "level": "POSSIBLE_LAUNCH",
         "disposition": "OPEN", "launch_time_s": 1190.0, "launch_lat_deg": 55.0,
         "launch_lon_deg": -40.0, "launch_sigma_km": 80.0},
        {"alert_id": "A7", "event_id": "E3", "t_s": 1300.0, "level": "POSSIBLE_LAUNCH",
         "disposition": "RETRACTED"},
    ]  # fmt: skip
    areas = (
        DefendedArea.circle("Ascension", -7.95, -14.36, 150.0),
        DefendedArea.polygon(
            "Atoll box", [[8.0, 166.0], [8.0, 169.5], [10.5, 169.5], [10.5, 166.0]]
        ),
        DefendedArea.circle("Date line", 0.0, 179.5, 300.0),
    )
    truth = (
        TruthLaunch("L1", 60.0, 28.5, -80.6, 1560.0, -7.9, -14.4),
        TruthLaunch("L2", 240.0, 34.7, -120.6, 1990.0, 9.4, 167.7),
    )
    return SceneView(
        epoch_utc=EPOCH,
        t_start_s=0.0,
        t_end_s=2100.0,
        objects=objects,
        satellites=sats,
        radars=(radar,),
        detections=det,
        alerts=tuple(AlertMark.from_dict(a) for a in alerts),
        defended_areas=areas,
        truth_launches=truth,
        launches_table=(
            {
                "launch_id": "L1",
                "vehicle": "notional MRBM",
                "launch_time_s": 60.0,
                "detected": True,
                "first_alert_s": 95.0,
                "warning_time_s": 1465.0,
            },
            {
                "launch_id": "L2",
                "vehicle": "notional IRBM",
                "launch_time_s": 240.0,
                "detected": True,
                "first_alert_s": 290.0,
                "warning_time_s": 1700.0,
            },
        ),
        events_table=(
            {"event_id": "E1", "matched_launch": "L1", "max_level": "THREAT", "alerts": 3},
            {"event_id": "E2", "matched_launch": "L2", "max_level": "LAUNCH", "alerts": 2},
            {"event_id": "E3", "matched_launch": None, "max_level": "POSSIBLE_LAUNCH", "alerts": 2},
        ),
        false_alerts_table=(
            {
                "event_id": "E3",
                "alert_id": "A6",
                "level": "POSSIBLE_LAUNCH",
                "t_s": 1210.0,
                "note": "no launch within 100 km / 60 s",
            },
        ),
        title="synthetic test run",
    )


def partial_scenes() -> list[SceneView]:
    """The synthetic scene with parts taken away, and a few awkward shapes."""
    import dataclasses

    full = make_scene()
    one_sample = ObjectTrack("solo", "L9", "debris", [50.0], [[6.4e6, 0.0, 0.0]])
    late = ObjectTrack("late", "L9", "rv", [3000.0, 3010.0], [[6.4e6, 0, 0], [6.4e6, 1e3, 0]])
    bare_alert = AlertMark.from_dict(
        {"alert_id": "Z", "event_id": "EZ", "t_s": 5000.0, "level": "LAUNCH"}
    )
    impact_only = AlertMark.from_dict(
        {"alert_id": "Y", "event_id": "EY", "t_s": 10.0, "level": "THREAT",
         "impact": {"lat_deg": 1.0, "lon_deg": 2.0, "ellipse": None}}
    )  # fmt: skip
    return [
        dataclasses.replace(full, alerts=()),
        dataclasses.replace(full, radars=(), satellites=()),
        dataclasses.replace(full, objects=(), detections=Detections.empty()),
        dataclasses.replace(full, defended_areas=(), truth_launches=()),
        dataclasses.replace(
            make_scene(False), objects=(one_sample, late), alerts=(bare_alert, impact_only)
        ),
    ]
