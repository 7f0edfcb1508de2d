"""From a validated scenario to the library's objects: launches, sensors, events, center.

The only place that knows both the scenario file's vocabulary and the library's
constructors; every conversion from degrees/kilometres to SI happens here or in the
scenario model itself.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from earlywarn.center import CenterConfig, RegisteredSensor, SensorKind, SensorRegistry
from earlywarn.center.assessment import AssessmentParams, DefendedArea, LaunchNotification
from earlywarn.earth.time import parse_utc
from earlywarn.flight import LaunchSpec, Trajectories, Vehicle
from earlywarn.flight.moon import moon_truth
from earlywarn.flight.rso import catalog_truth
from earlywarn.io import scenario as sc
from earlywarn.sensors import events as sev
from earlywarn.sensors.background import GlintModel
from earlywarn.sensors.infrared import LIMB_GLINT, InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.space.catalog import Catalog, load_catalog, sample_catalog
from earlywarn.space.orbits import Orbit


def catalog(s: sc.Scenario) -> Mapping[str, Vehicle]:
    """The vehicles the scenario can fly: the packaged catalog and its ``vehicles``."""
    cat: Mapping[str, Vehicle] = sc.scenario_catalog(s)
    return cat


def expand_launches(s: sc.Scenario) -> tuple[sc.Launch, ...]:
    """Every launch of the scenario, salvos expanded, in file order."""
    return s.all_launches()


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
    return spec.make_orbit(name)


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
        ("aim_altitude", "aim_altitude_m", 1.0),
        ("limb_floor", "limb_floor_m", 1.0),
        ("limb_band_deg", "limb_band_deg", 1.0),
        ("working_altitude", "working_altitude_m", 1.0),
    ):
        v = getattr(p, src)
        if v is not None:
            kw[dst] = v * scale
    if not glint.enabled:
        kw["glint"] = None
    elif p.pointing == "limb":
        # sunlit high clouds near the Earth's edge, at grazing incidence (the 1983 mechanism)
        kw["glint"] = dataclasses.replace(
            LIMB_GLINT, rate_per_hour=glint.clusters_per_hour, lobe_deg=glint.lobe_width_deg
        )
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
        kw["max_range_km"] = r.max_range_m() / 1e3
        for src, dst in (
            ("revisit", "revisit_s"),
            ("sigma_range", "sigma_range_m"),
            ("sigma_range_rate", "sigma_range_rate_m_s"),
            ("false_alarms_per_scan", "false_alarms_per_scan"),
            ("pri", "pri_s"),
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
        elif isinstance(ev, sc.CorruptEvent):
            out.append(sev.Corrupt(ev.sensor, ev.start, ev.end, ev.fraction))
        elif ev.type == "outage":
            out.append(sev.Outage(ev.sensor, ev.start, ev.end, silent=ev.silent))
        else:
            out.append(sev.Degraded(ev.sensor, ev.start, ev.end, ev.factor))
    return out


def defended_areas(s: sc.Scenario) -> tuple[DefendedArea, ...]:
    return sc.center_areas(s.defended_areas)


def notifications(s: sc.Scenario) -> tuple[LaunchNotification, ...]:
    return sc.center_notifications(s.notifications)


def sensor_registry(s: sc.Scenario) -> SensorRegistry:
    """The center's sensor registry: every satellite and radar of the scenario (their ids,
    kinds, and for a radar its site, instrumented maximum range and the elevation limits
    of its faces), not what they will see."""
    sats = [RegisteredSensor(sat.id, SensorKind.IR) for sat in s.sensors.satellites]
    rads = [
        RegisteredSensor(
            model.sensor_id, SensorKind.RADAR, math.radians(model.lat_deg),
            math.radians(model.lon_deg), model.h_m, model.max_range_km * 1e3,
            math.radians(min(f.el_min_deg for f in model.faces)),
            math.radians(max(f.el_max_deg for f in model.faces)),
        )
        for model in radars(s)
    ]  # fmt: skip
    return SensorRegistry(tuple(sats + rads))


def launch_modes(s: sc.Scenario) -> dict[str, str]:
    """The report mode of every launch that is not live (launch id → mode)."""
    return {ln.id: ln.mode for ln in expand_launches(s) if ln.mode != "live"}


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
        catalog=center_catalog(s),
        mode=s.center.mode,
    )


def center_catalog(s: sc.Scenario) -> Catalog | None:
    """The center's own catalog (``center.catalog``): the shipped sample at the scenario's
    epoch, a file (made absolute from the scenario's folder when it was read), or None.
    An input of the center, not the sky's truth (``sky.catalog``), though both may name
    the same file."""
    name = s.center.catalog
    if name is None:
        return None
    if name == "sample":
        return sample_catalog(s.epoch)
    try:
        return load_catalog(name)
    except (OSError, ValueError) as exc:
        raise sc.ScenarioError(f"center.catalog: {name}: {exc}") from None


def sky_truth(s: sc.Scenario) -> list[Trajectories]:
    """The truth of everything in the sky besides the launches (``scenario.sky``), one
    :class:`Trajectories` per source; empty when the scenario's sky holds nothing else.

    Catalogued objects (``sky.catalog``): :func:`earlywarn.flight.rso.catalog_truth` over
    the whole scenario (SGP4 every 60 s, re-entries integrated with drag)."""
    parts: list[Trajectories] = []
    cat = sc.sky_catalog(s)
    if cat is not None and len(cat):
        rso = catalog_truth(cat, s.epoch, s.duration).trajectories
        if rso.n_objects:
            parts.append(rso)
    if s.sky.moon:
        parts.append(moon_truth(parse_utc(s.epoch), s.duration))
    return parts
