"""From a validated scenario to the library's objects: launches, sensors, events, center.

The only place that knows both the scenario file's vocabulary and the library's
constructors; every conversion from degrees/kilometres to SI happens here or in the
scenario model itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.center import CenterConfig, RegisteredSensor, SensorKind, SensorRegistry
from earlywarn.center.assessment import AssessmentParams, DefendedArea, LaunchNotification
from earlywarn.earth.constants import R_MEAN_M
from earlywarn.flight import LaunchSpec
from earlywarn.io import scenario as sc
from earlywarn.sensors import events as sev
from earlywarn.sensors.background import GlintModel
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.orbits import (
    KeplerOrbit,
    Orbit,
    geo,
    molniya,
    omm_orbit,
    tle_orbit,
)
from earlywarn.sensors.radar import Radar, RadarFace

_ELEMENT_KEYS = {"a_km", "e", "i_deg", "raan_deg", "argp_deg", "mean_anomaly_deg"}


def _destination_deg(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, az_rad: npt.ArrayLike, dist_m: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The point ``dist_m`` from ``(lat, lon)`` along the initial azimuth ``az_rad`` on the
    mean-radius sphere (arrays broadcast)."""
    p1 = np.radians(lat_deg)
    d = np.asarray(dist_m, dtype=np.float64) / R_MEAN_M
    az = np.asarray(az_rad, dtype=np.float64)
    sp2 = np.clip(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az), -1.0, 1.0)
    dl = np.arctan2(np.sin(az) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * sp2)
    lon = (np.asarray(lon_deg) + np.degrees(dl) + 180.0) % 360.0 - 180.0
    return np.degrees(np.arcsin(sp2)), lon


def salvo_grid(area: sc.Circle, spacing_m: float) -> tuple[tuple[float, float], ...]:
    """The sites of a salvo area: a square east-north grid of ``spacing_m`` centred on the
    circle (distances and bearings on the sphere), the points within its radius."""
    k = int(area.radius // spacing_m)
    e, n = np.meshgrid(np.arange(-k, k + 1) * spacing_m, np.arange(-k, k + 1) * spacing_m)
    rho = np.hypot(e, n).ravel()
    inside = rho <= area.radius
    az = np.arctan2(e.ravel(), n.ravel())[inside]
    lat, lon = _destination_deg(area.lat_deg, area.lon_deg, az, rho[inside])
    return tuple(zip(lat.tolist(), lon.tolist(), strict=True))


def _vehicle_sequence(v: str | dict[str, float], count: int, rng: np.random.Generator) -> list[str]:
    """``count`` vehicle names in the mix's proportions (largest remainder), shuffled."""
    if isinstance(v, str):
        return [v] * count
    names = sorted(v)
    w = np.array([v[k] for k in names], dtype=np.float64)
    quota = count * w / w.sum()
    n = np.floor(quota).astype(int)
    short = count - int(n.sum())
    n[np.argsort(-(quota - n), kind="stable")[:short]] += 1
    seq = np.repeat(np.arange(len(names)), n)
    return [names[i] for i in rng.permutation(seq)]


def _cycle(points: list[tuple[float, float, float]], count: int, rng: np.random.Generator) -> Any:
    """``count`` of the points: a seeded permutation, used in turn."""
    order = rng.permutation(len(points))
    return [points[order[i % len(points)]] for i in range(count)]


def expand_salvo(salvo: sc.Salvo) -> tuple[sc.Launch, ...]:
    """The launches of one salvo, in time order (see :class:`earlywarn.io.scenario.Salvo`).

    Deterministic: the salvo's own ``seed`` draws, in this order, the permutation of the
    sites, the vehicle order, then the aim points (a permutation of the list, or ``count``
    uniform draws over the area: radius ``R √u``, bearing ``2π u'``)."""
    rng = np.random.default_rng(salvo.seed)
    n = salvo.count
    if salvo.sites.points is not None:
        site_pts = [(p.lat_deg, p.lon_deg, p.h_m) for p in salvo.sites.points]
    else:
        assert salvo.sites.area is not None and salvo.sites.spacing is not None
        site_pts = [(a, b, 0.0) for a, b in salvo_grid(salvo.sites.area, salvo.sites.spacing)]
    sites = _cycle(site_pts, n, rng)
    vehicles = _vehicle_sequence(salvo.vehicles, n, rng)
    if salvo.aim.points is not None:
        aims = _cycle([(p.lat_deg, p.lon_deg, p.h_m) for p in salvo.aim.points], n, rng)
    else:
        c = salvo.aim.area
        assert c is not None
        u = rng.random((n, 2))
        lat, lon = _destination_deg(
            c.lat_deg, c.lon_deg, 2.0 * math.pi * u[:, 1], c.radius * np.sqrt(u[:, 0])
        )
        aims = [(a, b, 0.0) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    w = salvo.window
    times = np.linspace(w.start, w.end, n) if n > 1 else np.array([w.start])
    return tuple(
        sc.Launch(
            id=lid,
            vehicle=vehicles[i],
            site=sc.Point(lat_deg=sites[i][0], lon_deg=sites[i][1], h_m=sites[i][2]),
            aim=sc.Point(lat_deg=aims[i][0], lon_deg=aims[i][1], h_m=aims[i][2]),
            time=float(times[i]),
        )
        for i, lid in enumerate(salvo.launch_ids())
    )


def expand_launches(s: sc.Scenario) -> tuple[sc.Launch, ...]:
    """Every launch of the scenario, salvos expanded, in file order."""
    out: list[sc.Launch] = []
    for entry in s.launches:
        if isinstance(entry, sc.Salvo):
            out.extend(expand_salvo(entry))
        else:
            out.append(entry)
    return tuple(out)


def launch_specs(s: sc.Scenario) -> list[LaunchSpec]:
    """One :class:`LaunchSpec` per scenario launch (salvos expanded), in file order."""
    out = []
    for ln in expand_launches(s):
        if ln.aim is not None:
            aim: dict[str, Any] = {
                "aim_lat_deg": ln.aim.lat_deg,
                "aim_lon_deg": ln.aim.lon_deg,
                "apogee_km": None if ln.apogee is None else ln.apogee / 1e3,
            }
        else:
            aim = {"azimuth_deg": ln.azimuth_deg, "elevation_deg": ln.elevation_deg}
        out.append(
            LaunchSpec(
                launch_id=ln.id,
                vehicle=ln.vehicle,
                lat_deg=ln.site.lat_deg,
                lon_deg=ln.site.lon_deg,
                t_launch_s=ln.time,
                **aim,
            )
        )
    return out


def orbit(spec: sc.OrbitSpec, name: str) -> Orbit:
    """The orbit of one satellite."""
    if spec.preset == "geo":
        assert spec.lon_deg is not None
        return geo(spec.lon_deg, name=name)
    if spec.preset == "molniya":
        assert spec.apogee_lon_deg is not None
        return molniya(
            spec.apogee_lon_deg,
            phase_deg=spec.phase_deg,
            perigee_alt_km=spec.perigee_alt / 1e3,
            name=name,
        )
    if spec.elements is not None:
        missing = _ELEMENT_KEYS - set(spec.elements)
        extra = set(spec.elements) - _ELEMENT_KEYS
        if missing or extra:
            raise ValueError(
                f"satellite {name!r}: orbit.elements needs exactly {sorted(_ELEMENT_KEYS)}; "
                f"missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        el = spec.elements
        return KeplerOrbit(
            name=name,
            a_m=el["a_km"] * 1e3,
            e=el["e"],
            i_rad=math.radians(el["i_deg"]),
            raan_rad=math.radians(el["raan_deg"]),
            argp_rad=math.radians(el["argp_deg"]),
            mean_anomaly_rad=math.radians(el["mean_anomaly_deg"]),
        )
    if spec.tle is not None:
        return tle_orbit(spec.tle[0], spec.tle[1], name=name)
    assert spec.omm is not None
    return omm_orbit(spec.omm)


def payload(p: sc.Payload, glint: sc.Glint) -> InfraredPayload:
    """The infrared payload, with the scenario's glint settings."""
    kw: dict[str, Any] = {"mode": p.mode}
    kw["pointing"] = {"earth": "earth_center", "region": "region", "limb": "limb"}[p.pointing]
    if p.region is not None:
        kw["region_lat_deg"] = p.region.lat_deg
        kw["region_lon_deg"] = p.region.lon_deg
    for src, dst, scale in (
        ("revisit", "period_s", 1.0),
        ("fov_half_angle_deg", "fov_half_angle_deg", 1.0),
        ("los_sigma", "sigma_los_rad", 1.0),
        ("nei_w_m2", "nei_w_m2", 1.0),
        ("threshold_snr", "threshold_snr", 1.0),
        ("min_altitude", "min_altitude_m", 1.0),
        ("clutter_per_frame", "clutter_per_frame", 1.0),
    ):
        v = getattr(p, src)
        if v is not None:
            kw[dst] = v * scale
    if p.pointing == "limb" or not glint.enabled:
        kw["glint"] = None
    else:
        kw["glint"] = GlintModel(
            rate_per_hour=glint.clusters_per_hour, lobe_deg=glint.lobe_width_deg
        )
    return InfraredPayload(**kw)


def satellites(s: sc.Scenario) -> list[InfraredSatellite]:
    return [
        InfraredSatellite(sat.id, orbit(sat.orbit, sat.id), payload(sat.payload, s.glint))
        for sat in s.sensors.satellites
    ]


def radars(s: sc.Scenario) -> list[Radar]:
    out = []
    for r in s.sensors.radars:
        kw: dict[str, Any] = {
            "ref_range_km": r.detection_range / 1e3,
            "ref_rcs_m2": r.reference_rcs_m2,
        }
        if r.max_range is not None:
            kw["max_range_km"] = r.max_range / 1e3
        else:
            kw["max_range_km"] = max(6000.0, 1.2 * r.detection_range / 1e3)
        for src, dst in (
            ("revisit", "revisit_s"),
            ("sigma_range", "sigma_range_m"),
            ("sigma_range_rate", "sigma_range_rate_m_s"),
            ("false_alarms_per_scan", "false_alarms_per_scan"),
        ):
            v = getattr(r, src)
            if v is not None:
                kw[dst] = v
        if r.sigma_angle is not None:
            kw["sigma_azimuth_rad"] = r.sigma_angle
            kw["sigma_elevation_rad"] = r.sigma_angle
        faces = tuple(
            RadarFace(f.id, f.boresight_az_deg, f.half_width_deg, f.el_min_deg, f.el_max_deg)
            for f in r.faces
        )
        out.append(Radar(r.id, r.site.lat_deg, r.site.lon_deg, r.site.h_m, faces, **kw))
    return out


def events(s: sc.Scenario) -> list[sev.Event]:
    out: list[sev.Event] = []
    for i, ev in enumerate(s.events):
        if isinstance(ev, sc.Fire):
            out.append(
                sev.Fire(
                    ev.id or f"fire{i + 1}",
                    ev.lat_deg,
                    ev.lon_deg,
                    ev.start,
                    ev.end,
                    ev.intensity,
                )
            )
        elif ev.type == "outage":
            out.append(sev.Outage(ev.sensor, ev.start, ev.end))
        else:
            out.append(sev.Degraded(ev.sensor, ev.start, ev.end, ev.factor))
    return out


def defended_areas(s: sc.Scenario) -> tuple[DefendedArea, ...]:
    out = []
    for a in s.defended_areas:
        if a.circle is not None:
            c = a.circle
            out.append(DefendedArea.circle_deg(a.name, c.lat_deg, c.lon_deg, c.radius / 1e3))
        else:
            assert a.polygon is not None
            out.append(DefendedArea.polygon_deg(a.name, [(p[0], p[1]) for p in a.polygon]))
    return tuple(out)


def notifications(s: sc.Scenario) -> tuple[LaunchNotification, ...]:
    out = []
    for i, n in enumerate(s.notifications):
        a0, a1 = n.azimuth_sector_deg
        out.append(
            LaunchNotification(
                notification_id=n.id or f"N{i + 1}",
                t_start_s=n.start,
                t_end_s=n.end,
                lat_rad=math.radians(n.area.lat_deg),
                lon_rad=math.radians(n.area.lon_deg),
                radius_m=n.area.radius,
                azimuth_min_rad=math.radians(a0 % 360.0),
                azimuth_max_rad=math.radians(a1 % 360.0 if a1 % 360.0 or a1 == 0 else 360.0),
                vehicle_class=n.vehicle_class,
            )
        )
    return tuple(out)


def sensor_registry(s: sc.Scenario) -> SensorRegistry:
    """The center's sensor registry: every satellite and radar of the scenario (their ids,
    kinds and radar sites), not what they will see."""
    sats = [RegisteredSensor(sat.id, SensorKind.IR) for sat in s.sensors.satellites]
    rads = [
        RegisteredSensor(
            r.id, SensorKind.RADAR, math.radians(r.site.lat_deg), math.radians(r.site.lon_deg),
            r.site.h_m,
        )
        for r in s.sensors.radars
    ]  # fmt: skip
    return SensorRegistry(tuple(sats + rads))


def center_config(s: sc.Scenario) -> CenterConfig:
    """The analysis center's configuration. It receives nothing about what flies."""
    return CenterConfig(
        epoch=s.epoch,  # type: ignore[arg-type]
        sensors=sensor_registry(s),
        defended_areas=defended_areas(s),
        declared_launches=notifications(s),
        assessment=AssessmentParams(
            heartbeat_factor=s.center.heartbeat_timeout_periods,
            retract_after_s=s.center.retract_after,
        ),
    )
