"""Scenario files: YAML in, validated by pydantic, with a published JSON Schema.

A scenario says what flies (``launches``), what watches (``sensors``), what happens around
it (``events``: fires, outages, degraded sensors; ``glint``), what was declared in advance
(``notifications``), what is defended (``defended_areas``) and how the center is set up
(``center``). Quantities carry their unit in the field name (``lat_deg``) or as a string
(``"90 s"``, ``"4500 km"``); a bare number in a unit-less field is SI.

Errors name the file, the line and the field, what was given and what is allowed. The
file is validated whole before anything runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from earlywarn.center.assessment import DefendedArea as CenterArea
from earlywarn.center.assessment import LaunchNotification
from earlywarn.earth.time import parse_utc
from earlywarn.flight.fly import MAX_LAUNCH_TIME_S
from earlywarn.io.quantity import parse_quantity, quantity_pattern
from earlywarn.io.salvo import draw_salvo, grid_sites
from earlywarn.space.catalog import CATALOG_SUFFIXES, Catalog, load_catalog, sample_catalog
from earlywarn.space.orbits import KeplerOrbit, Orbit, geo, molniya, omm_orbit, tle_orbit

_ELEMENT_KEYS = {"a_km", "e", "i_deg", "raan_deg", "argp_deg", "mean_anomaly_deg"}


def _q(dimension: str, description: str) -> Any:
    """A quantity: a bare number in SI, or a string with a unit of ``dimension``.

    The JSON Schema says the same (a number, or a string matching the unit pattern), so a
    file the loader accepts validates against the published schema."""

    def conv(v: object) -> float:
        return parse_quantity(v, dimension)

    schema = {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": quantity_pattern(dimension)}],
        "description": description,
    }
    return (BeforeValidator(conv), WithJsonSchema(schema))


Seconds = Annotated[float, *_q("time", "time: number of s or '90 s', '5 min'")]
Metres = Annotated[float, *_q("length", "length: number of m or '4500 km'")]
Radians = Annotated[float, *_q("angle", "angle: rad or '30 urad', '0.15 deg'")]
WattsPerSr = Annotated[float, *_q("intensity", "intensity: W/sr or '1 MW/sr'")]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0, description="degrees")]
Longitude = Annotated[float, Field(ge=-180.0, le=360.0, description="degrees")]


MAX_DURATION_S = 30 * 86400.0
"""Longest scenario: 30 days (a run holds every report and the truth in memory)."""
MAX_SENSOR_FRAMES = 2_000_000
"""Most infrared frames plus radar scans in one run: each is drawn and held in memory."""
MIN_REVISIT_S = 0.05
"""Shortest revisit or frame period: 20 Hz, beyond the sensors modelled."""
MAX_CLUSTERS_PER_HOUR = 1000.0
"""Most glint clusters an hour: beyond that glint is a continuous background, not clusters."""
MAX_AREA_RADIUS_M = 20_000e3
"""A circle's radius: at most half a great circle (20,000 km)."""
SITE_HEIGHT_M = (-500.0, 9000.0)
"""A ground site's height above the ellipsoid: the Dead Sea shore to above Everest."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class GroundPoint(_Model):
    """A point on the ellipsoid (launch sites and aim points are at height 0)."""

    lat_deg: Latitude
    lon_deg: Longitude

    @model_validator(mode="before")
    @classmethod
    def _no_height(cls, data: Any) -> Any:
        if isinstance(data, dict) and "h_m" in data:
            raise ValueError(
                f"h_m: not used here (given: {data['h_m']!r}); launch sites, aim points and "
                "regions are on the WGS84 ellipsoid (the flight model starts at height 0)"
            )
        return data


class Point(_Model):
    """A ground site with its height above the WGS84 ellipsoid (radars)."""

    lat_deg: Latitude
    lon_deg: Longitude
    h_m: float = Field(default=0.0, ge=SITE_HEIGHT_M[0], le=SITE_HEIGHT_M[1])


def _ordered(start: float, end: float, what: str) -> None:
    if not end > start:
        raise ValueError(f"{what} ends before it starts: start {start:g} s, end {end:g} s")


LaunchMode = Literal["live", "exercise", "test"]
"""The report modes a launch's reports can carry (``replay`` is a stream's, not a launch's)."""

CenterMode = Literal["live", "exercise", "test", "replay"]
"""The report modes (:data:`earlywarn.reports.MODES`)."""


class Launch(_Model):
    """One launch: aimed (``aim``) or unaimed (``azimuth_deg`` + ``elevation_deg``)."""

    id: str = Field(min_length=1)
    vehicle: str = Field(description="a catalog vehicle or one of the file's 'vehicles'")
    site: GroundPoint
    time: Seconds = Field(default=0.0, ge=-MAX_LAUNCH_TIME_S, le=MAX_LAUNCH_TIME_S)
    aim: GroundPoint | None = None
    trajectory: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    apogee: Metres | None = None
    azimuth_deg: float | None = Field(default=None, ge=-360.0, le=360.0)
    elevation_deg: float | None = Field(default=None, gt=0.0, le=90.0)
    mode: LaunchMode = Field(
        default="live",
        description="the provenance of the reports of this launch: a real launch (live), or "
        "one injected by an exercise or a test scenario",
    )

    @model_validator(mode="after")
    def _aimed_or_not(self) -> Launch:
        unaimed = self.azimuth_deg is not None or self.elevation_deg is not None
        if (self.aim is None) == (not unaimed):
            raise ValueError(
                "give either 'aim' (aimed launch) or both 'azimuth_deg' and 'elevation_deg' "
                "(unaimed), not both and not neither"
            )
        if unaimed and (self.azimuth_deg is None or self.elevation_deg is None):
            raise ValueError("an unaimed launch needs both 'azimuth_deg' and 'elevation_deg'")
        if self.trajectory != "minimum-energy" and self.apogee is None:
            raise ValueError(f"a {self.trajectory} trajectory needs 'apogee' (e.g. '600 km')")
        if self.trajectory == "minimum-energy" and self.apogee is not None:
            raise ValueError("'apogee' applies to lofted or depressed trajectories only")
        return self


def _points_as_mapping(v: object) -> object:
    """A bare list of points is ``{points: [...]}``."""
    return {"points": v} if isinstance(v, list | tuple) else v


class SalvoPlaces(_Model):
    """Where a salvo's launches start or aim: a list of ``points``, or an ``area`` (a circle;
    for sites with a grid ``spacing``, for aim points drawn uniformly over it). Written
    as a bare list of points or as ``{area: ..., spacing: ...}``."""

    points: tuple[GroundPoint, ...] | None = None
    area: Circle | None = None
    spacing: Metres | None = Field(default=None, gt=0.0, description="grid of sites")

    @model_validator(mode="after")
    def _one_kind(self) -> SalvoPlaces:
        if (self.points is None) == (self.area is None):
            raise ValueError("give a list of points or an 'area', not both and not neither")
        if self.points is not None and not self.points:
            raise ValueError("give at least one point, or an area")
        if self.area is not None and self.spacing is not None:
            n = grid_site_estimate(self.area.radius, self.spacing)
            if n > MAX_SALVO_SITES:
                raise ValueError(
                    f"a {self.area.radius / 1e3:g} km area at {self.spacing / 1e3:g} km "
                    f"spacing holds ~{n:,} sites; at most {MAX_SALVO_SITES:,} are allowed "
                    "(widen 'spacing')"
                )
        return self


Places = Annotated[
    SalvoPlaces,
    BeforeValidator(_points_as_mapping, json_schema_input_type=SalvoPlaces | list[GroundPoint]),
]


class TimeWindow(_Model):
    start: Seconds = Field(ge=0.0, le=MAX_LAUNCH_TIME_S)
    end: Seconds = Field(ge=0.0, le=MAX_LAUNCH_TIME_S)

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end < self.start:
            raise ValueError(f"window end ({self.end:g} s) is before its start ({self.start:g} s)")
        return self


MAX_SALVO_LAUNCHES = 100_000
MAX_SALVO_SITES = 1_000_000


def grid_site_estimate(radius_m: float, spacing_m: float) -> int:
    """About how many grid points of ``spacing_m`` fall within a circle of ``radius_m``."""
    return int(3.2 * (radius_m / spacing_m + 1.0) ** 2) + 1


class Salvo(_Model):
    """Many launches in one entry, expanded deterministically (:meth:`expand`, the
    arithmetic in :mod:`earlywarn.io.salvo`).

    ``count`` launches with ids ``<salvo>001``, ... (zero-padded to the count's width), at
    times evenly spread over ``window``; each takes a site (a list, or the points of a grid
    over an area; a seeded permutation, used in turn, so every site fires once before any
    fires again), an aim point (a list used the same way, or drawn uniformly over an
    area) and a vehicle (``vehicles``: one catalog name, or names with weights, split by
    largest remainder and shuffled). Every draw comes from the salvo's own ``seed``.
    """

    salvo: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$", description="id prefix of the launches"
    )
    count: int = Field(gt=0, le=MAX_SALVO_LAUNCHES)
    vehicles: str | dict[str, float]
    sites: Places
    window: TimeWindow
    aim: Places
    seed: int = Field(default=0, ge=0)
    mode: LaunchMode = Field(default="live", description="the provenance of its reports")

    @field_validator("vehicles")
    @classmethod
    def _weights(cls, v: str | dict[str, float]) -> str | dict[str, float]:
        # the names are checked against the catalog and the file's 'vehicles' once the
        # whole file is read (check_launches)
        names = [v] if isinstance(v, str) else list(v)
        if not names:
            raise ValueError("give at least one vehicle (a catalog name, or {name: weight})")
        if isinstance(v, dict):
            bad = {k: w for k, w in v.items() if not (w > 0.0 and w < float("inf"))}
            if bad:
                raise ValueError(f"vehicle weights must be positive numbers; got {bad}")
        return v

    @model_validator(mode="after")
    def _places(self) -> Salvo:
        if self.sites.area is not None and self.sites.spacing is None:
            raise ValueError("'sites' as an area needs 'spacing' (the grid of launch sites)")
        if self.aim.spacing is not None:
            raise ValueError("'aim' as an area takes no 'spacing' (aim points are drawn over it)")
        return self

    def launch_ids(self) -> tuple[str, ...]:
        """The ids of the launches this salvo expands to, in time order."""
        width = max(3, len(str(self.count)))
        return tuple(f"{self.salvo}{i + 1:0{width}d}" for i in range(self.count))

    def expand(self) -> tuple[Launch, ...]:
        """The launches of this salvo, in time order (see :mod:`earlywarn.io.salvo`)."""
        if self.sites.points is not None:
            sites = [(p.lat_deg, p.lon_deg) for p in self.sites.points]
        else:
            a = self.sites.area
            assert a is not None and self.sites.spacing is not None
            sites = list(grid_sites(a.lat_deg, a.lon_deg, a.radius, self.sites.spacing))
        aim_points = None
        aim_area = None
        if self.aim.points is not None:
            aim_points = [(p.lat_deg, p.lon_deg) for p in self.aim.points]
        else:
            assert self.aim.area is not None
            aim_area = (self.aim.area.lat_deg, self.aim.area.lon_deg, self.aim.area.radius)
        veh, site, aim, times = draw_salvo(
            self.count, self.seed, self.vehicles, sites, aim_points, aim_area,
            (self.window.start, self.window.end),
        )  # fmt: skip
        return tuple(
            Launch(
                id=lid,
                vehicle=veh[i],
                site=GroundPoint(lat_deg=site[i][0], lon_deg=site[i][1]),
                aim=GroundPoint(lat_deg=aim[i][0], lon_deg=aim[i][1]),
                time=times[i],
                mode=self.mode,
            )
            for i, lid in enumerate(self.launch_ids())
        )


def _launch_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "salvo" if "salvo" in v else "launch"
    return "salvo" if isinstance(v, Salvo) else "launch"


LaunchEntry = Annotated[
    Annotated[Launch, Tag("launch")] | Annotated[Salvo, Tag("salvo")],
    Discriminator(_launch_kind),
]
"""One entry of ``launches``: a single launch, or a salvo of many."""


def launch_ids(entries: tuple[Launch | Salvo, ...]) -> list[str]:
    """Every launch id of a ``launches`` list, salvos expanded, in file order."""
    out: list[str] = []
    for e in entries:
        out.extend(e.launch_ids() if isinstance(e, Salvo) else (e.id,))
    return out


class Fire(_Model):
    """A hot stationary source (fire, gas flare) seen by the infrared satellites."""

    type: Literal["fire"]
    id: str = ""
    lat_deg: Latitude
    lon_deg: Longitude
    start: Seconds = 0.0
    end: Seconds
    intensity: WattsPerSr = 1.0e5

    @model_validator(mode="after")
    def _order(self) -> Fire:
        _ordered(self.start, self.end, "the fire")
        return self


class SensorEvent(_Model):
    type: Literal["outage", "degraded"]
    sensor: str
    start: Seconds
    end: Seconds
    factor: float = Field(default=0.5, gt=0.0, le=1.0, description="degraded sensitivity")
    silent: bool = Field(
        default=False,
        description=(
            "an outage that sends nothing, not even heartbeats: a cut link, which the "
            "center learns of only from missing heartbeats"
        ),
    )

    @model_validator(mode="after")
    def _order(self) -> SensorEvent:
        _ordered(self.start, self.end, f"the {self.type}")
        if self.silent and self.type != "outage":
            raise ValueError(f"silent: only an outage can be silent; this event is {self.type!r}")
        return self


class CorruptEvent(_Model):
    """A failing part garbling a fraction of one sensor's reports (the June 1980 case;
    how, in :class:`earlywarn.sensors.events.Corrupt`)."""

    type: Literal["corrupt"]
    sensor: str
    start: Seconds
    end: Seconds
    fraction: float = Field(default=0.05, gt=0.0, le=1.0, description="of its reports")

    @model_validator(mode="after")
    def _order(self) -> CorruptEvent:
        _ordered(self.start, self.end, "the corruption")
        return self


Event = Annotated[Fire | SensorEvent | CorruptEvent, Field(discriminator="type")]


class Glint(_Model):
    """Sun glint from sunlit clouds (computed from the Sun–Earth–satellite geometry)."""

    enabled: bool = True
    lobe_width_deg: float = Field(default=2.0, gt=0.0, le=30.0, description="1-sigma lobe")
    clusters_per_hour: float = Field(default=3.0, ge=0.0, le=MAX_CLUSTERS_PER_HOUR)


class Circle(_Model):
    lat_deg: Latitude
    lon_deg: Longitude
    radius: Metres = Field(gt=0.0, le=MAX_AREA_RADIUS_M)


class Notification(_Model):
    """A declared launch: a window in time, a launch area, an azimuth sector, a class, and
    optionally the declared impact (drop) area.

    ``impact_area`` (a circle: ``lat_deg``, ``lon_deg``, ``radius``): where the notified
    flight is to come down. A matched launch whose predicted impact leaves it is not
    covered by the declaration (assessed as undeclared, reason ``declaration_mismatch``).
    """

    id: str = Field(default="", description="defaults to N1, N2, ... in file order")
    start: Seconds
    end: Seconds
    area: Circle
    azimuth_sector_deg: tuple[float, float] = (0.0, 360.0)
    vehicle_class: str | None = Field(default=None, alias="class")
    impact_area: Circle | None = Field(
        default=None, description="declared impact/drop area: {lat_deg, lon_deg, radius}"
    )

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _order(self) -> Notification:
        _ordered(self.start, self.end, "the notification window")
        return self


class OrbitSpec(_Model):
    """An orbit: a preset (``geo``, ``molniya``), Keplerian ``elements``, a ``tle`` or ``omm``."""

    preset: Literal["geo", "molniya"] | None = None
    lon_deg: Longitude | None = None
    apogee_lon_deg: Longitude | None = None
    phase_deg: float = 0.0
    perigee_alt: Metres = 600e3
    arg_perigee_deg: float = Field(
        default=270.0,
        ge=0.0,
        lt=360.0,
        description="preset 'molniya': argument of perigee (270: apogee at 63.4 N)",
    )
    elements: dict[str, float] | None = None
    tle: tuple[str, str] | None = None
    omm: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> OrbitSpec:
        kinds = [k for k in ("preset", "elements", "tle", "omm") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "an orbit needs exactly one of 'preset', 'elements', 'tle', 'omm'; "
                f"got {kinds or 'none'}"
            )
        if self.preset == "geo" and self.lon_deg is None:
            raise ValueError("preset 'geo' needs 'lon_deg'")
        if self.preset == "molniya" and self.apogee_lon_deg is None:
            raise ValueError("preset 'molniya' needs 'apogee_lon_deg'")
        return self

    def make_orbit(self, name: str) -> Orbit:
        """The orbit model (its constructor checks the elements, TLE or OMM)."""
        if self.preset == "geo":
            assert self.lon_deg is not None
            return geo(self.lon_deg, name=name)
        if self.preset == "molniya":
            assert self.apogee_lon_deg is not None
            return molniya(
                self.apogee_lon_deg,
                phase_deg=self.phase_deg,
                perigee_alt_km=self.perigee_alt / 1e3,
                arg_perigee_deg=self.arg_perigee_deg,
                name=name,
            )
        if self.elements is not None:
            missing = _ELEMENT_KEYS - set(self.elements)
            extra = set(self.elements) - _ELEMENT_KEYS
            if missing or extra:
                raise ValueError(
                    f"orbit.elements needs exactly {sorted(_ELEMENT_KEYS)}; "
                    f"missing {sorted(missing)}, unknown {sorted(extra)}"
                )
            el = self.elements
            return KeplerOrbit(
                name=name,
                a_m=el["a_km"] * 1e3,
                e=el["e"],
                i_rad=math.radians(el["i_deg"]),
                raan_rad=math.radians(el["raan_deg"]),
                argp_rad=math.radians(el["argp_deg"]),
                mean_anomaly_rad=math.radians(el["mean_anomaly_deg"]),
            )
        if self.tle is not None:
            return tle_orbit(self.tle[0], self.tle[1], name=name)
        assert self.omm is not None
        return omm_orbit(self.omm)


class Payload(_Model):
    """An infrared payload; unset fields take the sensor model's defaults (see ``doctor``)."""

    mode: Literal["scanning", "staring"] = "scanning"
    revisit: Seconds | None = Field(
        default=None, ge=MIN_REVISIT_S, description="revisit/frame period"
    )
    pointing: Literal["earth", "region", "limb"] = "earth"
    region: GroundPoint | None = None
    fov_half_angle_deg: float | None = Field(default=None, gt=0.0, le=90.0)
    los_sigma: Radians | None = Field(default=None, gt=0.0)
    nei_w_m2: float | None = Field(default=None, gt=0.0)
    threshold_snr: float | None = Field(default=None, gt=0.0)
    min_altitude: Metres | None = Field(default=None, ge=0.0)
    clutter_per_frame: float | None = Field(default=None, ge=0.0)
    aim_altitude: Metres | None = Field(
        default=None,
        ge=0.0,
        description="region/limb: aim the field of view this high above 'region' (e.g. '150 km')",
    )
    limb_floor: Metres | None = Field(
        default=None, ge=0.0, description="limb: objects count when seen against space above this"
    )
    limb_band_deg: float | None = Field(
        default=None,
        gt=0.0,
        le=90.0,
        description="limb: the Earth's edge (glint) is seen within this angle of grazing",
    )
    working_altitude: Metres | None = Field(
        default=None,
        ge=0.0,
        description="the payload works only while its satellite is this high (e.g. "
        "'25000 km': a Molniya's 7.8 h working arc about apogee); an outage below it",
    )

    @model_validator(mode="after")
    def _region(self) -> Payload:
        if self.pointing == "region" and self.region is None:
            raise ValueError("pointing 'region' needs 'region: {lat_deg, lon_deg}'")
        if self.pointing == "earth" and (self.region is not None or self.aim_altitude is not None):
            raise ValueError("pointing 'earth' looks at the Earth's centre: no 'region' or "
                             "'aim_altitude' (use pointing 'region' or 'limb')")  # fmt: skip
        if self.pointing != "limb" and (
            self.limb_floor is not None or self.limb_band_deg is not None
        ):
            raise ValueError("'limb_floor' and 'limb_band_deg' apply to pointing 'limb' only")
        if self.aim_altitude is not None and self.region is None:
            raise ValueError("'aim_altitude' needs 'region: {lat_deg, lon_deg}' to aim above")
        return self


class Satellite(_Model):
    id: str = Field(min_length=1)
    orbit: OrbitSpec
    payload: Payload = Payload()

    @model_validator(mode="after")
    def _orbit_builds(self) -> Satellite:
        try:  # the orbit model's own checks, at validation time
            self.orbit.make_orbit(self.id)
        except (TypeError, KeyError, IndexError, OverflowError) as exc:
            raise ValueError(f"orbit: cannot be used: {exc!r}") from None
        return self


class Face(_Model):
    id: str = "A"
    boresight_az_deg: float = Field(ge=-360.0, le=360.0)
    half_width_deg: float = Field(default=60.0, gt=0.0, le=180.0)
    el_min_deg: float = Field(default=3.0, ge=-5.0, lt=90.0)
    el_max_deg: float = Field(default=85.0, gt=-5.0, le=90.0)

    @model_validator(mode="after")
    def _order(self) -> Face:
        if not self.el_min_deg < self.el_max_deg:
            raise ValueError(
                f"el_min_deg ({self.el_min_deg:g}) must be below el_max_deg ({self.el_max_deg:g})"
            )
        return self


class Radar(_Model):
    """A ground radar; unset fields take the sensor model's defaults."""

    id: str = Field(min_length=1)
    site: Point
    faces: tuple[Face, ...] = Field(min_length=1)
    detection_range: Metres = Field(default=5000e3, gt=0.0, description="for reference_rcs_m2")
    reference_rcs_m2: float = Field(default=1.0, gt=0.0)
    max_range: Metres | None = Field(default=None, gt=0.0)
    revisit: Seconds | None = Field(default=None, ge=MIN_REVISIT_S)
    sigma_range: Metres | None = Field(default=None, gt=0.0)
    sigma_angle: Radians | None = Field(default=None, gt=0.0)
    sigma_range_rate: float | None = Field(default=None, gt=0.0, description="m/s")
    false_alarms_per_scan: float | None = Field(default=None, ge=0.0)
    pri: Seconds | None = Field(
        default=None,
        gt=0.0,
        description=(
            "pulse repetition interval ('36.5 ms'): echoes from beyond c·PRI/2 fold into "
            "the range window; unset: no range ambiguity"
        ),
    )

    def max_range_m(self) -> float:
        """The instrumented range: ``max_range``, else 6,000 km or 1.2 × the detection
        range, whichever is longer."""
        if self.max_range is not None:
            return self.max_range
        return max(6000e3, 1.2 * self.detection_range)

    @model_validator(mode="after")
    def _pri_covers_the_window(self) -> Radar:
        if self.pri is not None:
            from earlywarn.sensors.radar import C_M_S

            unambiguous = 0.5 * C_M_S * self.pri
            if unambiguous < self.max_range_m():
                raise ValueError(
                    f"pri: {self.pri * 1e3:g} ms gives an unambiguous range c·PRI/2 of "
                    f"{unambiguous / 1e3:,.0f} km, below the instrumented range "
                    f"{self.max_range_m() / 1e3:,.0f} km; allowed a PRI of at least "
                    f"{2e3 * self.max_range_m() / C_M_S:.3f} ms, or a shorter 'max_range'"
                )
        return self


class Sensors(_Model):
    satellites: tuple[Satellite, ...] = ()
    radars: tuple[Radar, ...] = ()


class DefendedArea(_Model):
    name: str = Field(min_length=1)
    circle: Circle | None = None
    polygon: tuple[tuple[Latitude, Longitude], ...] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> DefendedArea:
        if (self.circle is None) == (self.polygon is None):
            raise ValueError("a defended area needs exactly one of 'circle' or 'polygon'")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError(
                f"a polygon needs at least 3 [lat, lon] points; got {len(self.polygon)}"
            )
        if self.polygon is not None:
            from earlywarn.center.assessment import DefendedArea as CenterArea

            CenterArea.polygon_deg(self.name, self.polygon)  # refuses a self-crossing polygon
        return self


def catalog_path(v: str | None, info: ValidationInfo) -> str | None:
    """A catalog named in a scenario (``sky.catalog``, ``center.catalog``): ``"sample"``
    as is, a file made absolute from the scenario file's folder (the validation context's
    ``base_dir``, given by :func:`load_scenario`) or else the working directory, so the
    scenario keeps it through a dump and a re-validation (studies, sweeps)."""
    if v is None or v == "sample":
        return v
    p = Path(v).expanduser()
    if not p.is_absolute():
        base = (info.context or {}).get("base_dir")
        p = Path(base if base is not None else ".") / p
    if p.suffix.lower() not in CATALOG_SUFFIXES:
        raise ValueError(
            f"unknown catalog format {p.suffix!r}; allowed 'sample' or a file ending "
            f"in {', '.join(CATALOG_SUFFIXES)}"
        )
    if not p.is_file():
        raise ValueError(
            f"no catalog file at {p}; give 'sample' or a path relative to the scenario file"
        )
    return str(p.resolve())


class Sky(_Model):
    """Everything in the sky besides the launches: resident space objects and the Moon."""

    catalog: str | None = Field(
        default=None,
        description=(
            "resident space objects flown in the simulated sky: 'sample' (the shipped "
            "notional catalog, placed at the scenario's epoch) or a catalog file (OMM "
            ".json/.csv/.xml, TLE .tle/.txt/.3le), relative to the scenario file, used as "
            "given"
        ),
    )
    moon: bool = Field(default=False, description="the Moon as a radar target")

    @field_validator("catalog")
    @classmethod
    def _catalog_file(cls, v: str | None, info: ValidationInfo) -> str | None:
        return catalog_path(v, info)


class CenterSettings(_Model):
    """How the analysis center runs."""

    step: Seconds = Field(default=2.0, gt=0.0, description="center update interval")
    heartbeat_timeout_periods: float = Field(default=2.5, gt=1.0)
    retract_after: Seconds = Field(default=120.0, gt=0.0)
    catalog: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "the center's own catalog of resident space objects (its input, not the sky's "
            "truth): 'sample' (the shipped catalog, placed at the scenario's epoch) or a "
            "catalog file (OMM .json/.csv/.xml, TLE .tle/.txt/.3le), relative to the "
            "scenario file"
        ),
    )

    @field_validator("catalog")
    @classmethod
    def _catalog_file(cls, v: str | None, info: ValidationInfo) -> str | None:
        return catalog_path(v, info)

    mode: CenterMode = Field(
        default="live", description="the center uses only reports of this mode"
    )


class Scenario(_Model):
    """The whole scenario file."""

    name: str = "scenario"
    description: str = ""
    epoch: str
    duration: Seconds = Field(gt=0.0, le=MAX_DURATION_S)
    seed: int = Field(default=0, ge=0)
    launches: tuple[LaunchEntry, ...] = ()
    events: tuple[Event, ...] = ()
    glint: Glint = Glint()
    sky: Sky = Sky()
    notifications: tuple[Notification, ...] = ()
    sensors: Sensors = Sensors()
    defended_areas: tuple[DefendedArea, ...] = ()
    center: CenterSettings = CenterSettings()
    vehicles: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description=(
            "user-defined vehicles: name -> the vehicle catalog's fields (SI, unit in the "
            "key, a 'source' for every figure); 'extends: NAME' starts from a catalog "
            "vehicle and gives only what changes ('stages' as a mapping stage name -> fields)"
        ),
    )

    @field_validator("vehicles")
    @classmethod
    def _vehicles(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from earlywarn.flight.catalog import extend_catalog

        extend_catalog(v, where="vehicles")  # raises naming the vehicle and the field
        return v

    @model_validator(mode="before")
    @classmethod
    def _not_used(cls, data: Any) -> Any:
        if isinstance(data, dict) and "step" in data:
            raise ValueError(
                f"step: not used (given: {data['step']!r}); the flight model chooses its own "
                "integration steps and the center updates every 'center.step'"
            )
        if isinstance(data, dict) and {"scenario", "runs"} <= set(data):
            raise ValueError(
                "this is a study file (it names a scenario and a number of runs), not a "
                "scenario: run it with 'earlywarn study FILE'"
            )
        return data

    @field_validator("epoch")
    @classmethod
    def _utc(cls, v: str) -> str:
        parse_utc(v)
        return v

    def launch_entries(self) -> list[tuple[int, Launch]]:
        """Every launch, salvos expanded, with the index of its entry in ``launches``."""
        out: list[tuple[int, Launch]] = []
        for i, e in enumerate(self.launches):
            out.extend((i, ln) for ln in (e.expand() if isinstance(e, Salvo) else (e,)))
        return out

    def all_launches(self) -> tuple[Launch, ...]:
        """Every launch, salvos expanded, in file order."""
        return tuple(ln for _, ln in self.launch_entries())

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        ids = [s.id for s in self.sensors.satellites] + [r.id for r in self.sensors.radars]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"sensor ids must be unique; repeated: {', '.join(dup)}")
        lids = Counter(launch_ids(self.launches))
        dup = sorted(i for i, k in lids.items() if k > 1)
        if dup:
            raise ValueError(f"launch ids must be unique; repeated: {', '.join(dup)}")
        for ev in self.events:
            if isinstance(ev, SensorEvent | CorruptEvent) and ev.sensor not in ids:
                known = ", ".join(ids) or "none"
                raise ValueError(f"event refers to unknown sensor {ev.sensor!r}; known: {known}")
        names = [a.name for a in self.defended_areas]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"defended area names must be unique; repeated: {', '.join(dup)}")
        late = [
            f"{e.id} at {e.time:g} s"
            if isinstance(e, Launch)
            else f"salvo {e.salvo} until {e.window.end:g} s"
            for e in self.launches
            if (e.time if isinstance(e, Launch) else e.window.end) >= self.duration
        ]
        if late:
            raise ValueError(
                f"launch after the scenario ends ({self.duration:g} s): {', '.join(late)}; "
                "lengthen 'duration' or move the launch"
            )
        frames = self.sensor_frames()
        if frames > MAX_SENSOR_FRAMES:
            raise ValueError(
                f"duration / revisit gives {frames:,.0f} sensor frames and scans; at most "
                f"{MAX_SENSOR_FRAMES:,} (each is drawn and held in memory): shorten 'duration' "
                "or lengthen the revisits"
            )
        return self

    def sensor_frames(self) -> float:
        """Infrared frames plus radar face scans over the duration (default periods: the
        sensor models' own)."""
        from earlywarn.sensors.infrared import InfraredPayload
        from earlywarn.sensors.radar import Radar as RadarModel

        ir_default = float(InfraredPayload.__dataclass_fields__["period_s"].default)  # type: ignore[arg-type]
        radar_default = float(RadarModel.__dataclass_fields__["revisit_s"].default)  # type: ignore[arg-type]
        n = 0.0
        for sat in self.sensors.satellites:
            n += self.duration / (sat.payload.revisit or ir_default)
        for r in self.sensors.radars:
            n += len(r.faces) * self.duration / (r.revisit or radar_default)
        return n


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names file, line and field."""


def _node_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (best effort)."""
    node = root
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _entry_loc(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Without the tag of a ``launches`` entry's kind (single launch or salvo)."""
    if len(loc) > 2 and loc[0] == "launches" and loc[2] in ("launch", "salvo"):
        return loc[:2] + loc[3:]
    return loc


def _describe(errors: list[Any], root: yaml.Node | None, source: str) -> str:
    lines = []
    for err in errors:
        loc = _entry_loc(
            tuple(
                p
                for p in err["loc"]
                if not (isinstance(p, str) and p in ("fire", "outage", "degraded"))
            )
        )
        field = ".".join(str(p) for p in loc) or "(top level)"
        ln = _node_line(root, loc)
        where = f"{source}:{ln}" if ln else source
        msg = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        given_s = "" if isinstance(given, dict | list) or given is None else f" (given: {given!r})"
        lines.append(f"{where}: {field}: {msg}{given_s}")
    return "\n".join(lines)


def scenario_catalog(scenario: Scenario) -> Any:
    """The vehicles a scenario can fly: the packaged catalog plus its ``vehicles``."""
    from earlywarn.flight.catalog import extend_catalog

    if not scenario.vehicles:
        return _packaged_solver().catalog
    return extend_catalog(scenario.vehicles, where="vehicles")


@functools.lru_cache(maxsize=1)
def _packaged_solver() -> Any:
    # aiming tables of the packaged vehicles are immutable, derived data: build each once
    # per process for the feasibility checks of every scenario that flies them
    from earlywarn.flight import FlightSolver

    return FlightSolver()


_RANGE_SLACK = 0.85
"""Aimed launches beyond this fraction of the non-rotating maximum range are flown at
validation: the Earth's rotation takes up to ~15 % off a westward range."""


def check_launches(scenario: Scenario, root: yaml.Node | None, source: str) -> None:
    """Every launch flies a known vehicle and can be flown as asked (aim point and apogee
    within the vehicle's reach); raise :class:`ScenarioError` with the file, the line,
    the launch id and what can be reached."""
    from earlywarn.flight import FlightSolver, LaunchSpec

    solver = _packaged_solver() if not scenario.vehicles else None
    cat = scenario_catalog(scenario)
    errors = []
    unknown: set[tuple[int, str]] = set()
    for i, ln in scenario.launch_entries():
        salvo = isinstance(scenario.launches[i], Salvo)
        if ln.vehicle not in cat:
            if (i, ln.vehicle) in unknown:
                continue  # a salvo names each vehicle once
            unknown.add((i, ln.vehicle))
            field = "vehicles" if salvo else "vehicle"
            line = _node_line(root, ("launches", i, field))
            who = f"salvo {scenario.launches[i].salvo}" if salvo else f"launch {ln.id}"  # type: ignore[union-attr]
            errors.append(
                f"{source}:{line}: launches.{i}.{field}: {who}: unknown vehicle "
                f"{ln.vehicle!r}; known vehicles: {', '.join(sorted(cat))}"
            )
            continue
        if ln.aim is None:
            continue
        if solver is None:
            solver = FlightSolver(cat)
        spec = LaunchSpec(
            ln.id, ln.vehicle, ln.site.lat_deg, ln.site.lon_deg,
            aim_lat_deg=ln.aim.lat_deg, aim_lon_deg=ln.aim.lon_deg,
            apogee_km=None if ln.apogee is None else ln.apogee / 1e3,
        )  # fmt: skip
        try:
            reach = solver.reach(spec, apogees=ln.apogee is not None)
            problem = reach.problem(ln.apogee)
            if problem is None and reach.range_m > _RANGE_SLACK * reach.max_range_m:
                ev = solver.fly([spec]).events[0]
                if ev.status != "ok":
                    problem = (
                        f"the flight closest to it lands {(ev.aim_miss_m or 0.0) / 1e3:,.0f} km "
                        f"from the aim ({ev.status}): from this site, in this direction, the "
                        f"Earth's rotation puts the aim point beyond the reach of "
                        f"{ln.vehicle!r} (maximum range {reach.max_range_m / 1e3:,.0f} km "
                        "on a non-rotating Earth)"
                    )
        except ValueError as exc:
            problem = str(exc)
        if problem is not None:
            key = "apogee" if ln.apogee is not None and "apogee" in problem else "aim"
            line = _node_line(root, ("launches", i, key))
            errors.append(f"{source}:{line}: launches.{i}.{key}: launch {ln.id}: {problem}")
    if errors:
        raise ScenarioError("\n".join(errors))


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader refusing a key given twice in one mapping (PyYAML keeps the
    last silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} given twice (first on line {seen[key]}); the second would "
                "silently replace the first",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_duplicates,
)


def decode_text(raw: bytes, source: str, what: str) -> str:
    """UTF-8 text of a file, or one sentence naming the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{source}: not a UTF-8 text file (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); {what} is YAML text"
        ) from None


def read_yaml(text: str, source: str, what: str) -> tuple[dict[str, Any], yaml.Node]:
    """Parse YAML text into a mapping and its node tree (for line numbers); raise
    :class:`ScenarioError` naming the line on bad syntax, duplicate keys or non-text."""
    try:
        loader = _StrictLoader(text)
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(
            f"{source}: not a text file: {exc.reason} at character {exc.position}"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        why = " ".join(str(exc.problem or exc.context or "").split())
        raise ScenarioError(f"{where}: not valid YAML: {why}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict) or root is None:
        raise ScenarioError(f"{source}: {what} is a YAML mapping (key: value lines)")
    return data, root


def describe_errors(exc: ValidationError, root: yaml.Node | None, source: str) -> str:
    """A pydantic error as lines of ``file:line: field: why (given: ...)``."""
    return _describe(exc.errors(), root, source)


def sky_catalog(scenario: Scenario) -> Catalog | None:
    """The resident space objects of the scenario's sky (``sky.catalog``), or None: the
    sample placed at the scenario's epoch, or the catalog file as given."""
    name = scenario.sky.catalog
    if name is None:
        return None
    if name == "sample":
        return sample_catalog(scenario.epoch)
    return load_catalog(name)


def check_sky(scenario: Scenario, root: yaml.Node | None, source: str) -> None:
    """The scenario's catalog loads (every record valid); raise :class:`ScenarioError`
    naming the scenario file's line, the field and the catalog's own record."""
    if scenario.sky.catalog is None:
        return
    try:
        sky_catalog(scenario)
    except ValueError as exc:
        line = _node_line(root, ("sky", "catalog"))
        where = f"{source}:{line}" if line else source
        raise ScenarioError(f"{where}: sky.catalog: {exc}") from None


def parse_scenario(
    text: str, source: str = "<scenario>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate scenario YAML text; raise :class:`ScenarioError` with file:line: field: why.

    ``base_dir`` is where relative paths in the file (``sky.catalog``) start: the
    scenario file's folder; None for the working directory.
    """
    data, root = read_yaml(text, source, "a scenario")
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ScenarioError(describe_errors(exc, root, source)) from None
    check_launches(scenario, root, source)
    check_sky(scenario, root, source)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (relative paths in it from the file's folder)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the scenario file: {exc.strerror}") from None
    return parse_scenario(decode_text(raw, str(p), "a scenario"), str(p), p.parent)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON (first 16 hex digits)."""
    blob = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _bounds_on_numbers(node: Any) -> Any:
    """Pydantic cannot place a quantity's bounds (``gt=0``) inside its number-or-string
    schema and leaves them as unknown keys; move them onto the number branch as JSON Schema
    keywords (a string quantity's bound is checked by the loader after unit conversion)."""
    if isinstance(node, list):
        return [_bounds_on_numbers(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _bounds_on_numbers(v) for k, v in node.items()}
    bounds = {_BOUNDS[k]: out.pop(k) for k in list(out) if k in _BOUNDS}
    if bounds:
        for branch in out.get("anyOf", []):
            if branch.get("type") == "number":
                branch.update(bounds)
    return out


def scenario_json_schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (``earlywarn schema``)."""
    schema = _bounds_on_numbers(Scenario.model_json_schema(by_alias=True))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "earlywarn scenario"
    return schema


def center_areas(areas: Sequence[DefendedArea]) -> tuple[CenterArea, ...]:
    """The center's defended areas from their file entries (shared by a scenario's center
    and the live center's configuration)."""
    out = []
    for a in areas:
        if a.circle is not None:
            c = a.circle
            out.append(CenterArea.circle_deg(a.name, c.lat_deg, c.lon_deg, c.radius / 1e3))
        else:
            assert a.polygon is not None
            out.append(CenterArea.polygon_deg(a.name, [(p[0], p[1]) for p in a.polygon]))
    return tuple(out)


def center_notifications(notes: Sequence[Notification]) -> tuple[LaunchNotification, ...]:
    """The center's declared launches from their file entries (ids ``N1``, ``N2``, ...
    where none is given)."""
    out = []
    for i, n in enumerate(notes):
        a0, a1 = n.azimuth_sector_deg
        ia = n.impact_area
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
                impact_lat_rad=math.radians(ia.lat_deg) if ia is not None else None,
                impact_lon_rad=math.radians(ia.lon_deg) if ia is not None else None,
                impact_radius_m=ia.radius if ia is not None else None,
            )
        )
    return tuple(out)
