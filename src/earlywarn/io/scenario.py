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

import hashlib
import json
from collections import Counter
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
    field_validator,
    model_validator,
)

from earlywarn.earth.time import parse_utc
from earlywarn.io.quantity import parse_quantity


def _q(dimension: str) -> Any:
    def conv(v: object) -> float:
        return parse_quantity(v, dimension)

    return BeforeValidator(conv)


Seconds = Annotated[float, _q("time"), Field(description="time: number of s or '90 s', '5 min'")]
Metres = Annotated[float, _q("length"), Field(description="length: number of m or '4500 km'")]
Radians = Annotated[float, _q("angle"), Field(description="angle: rad or '30 urad', '0.15 deg'")]
WattsPerSr = Annotated[float, _q("intensity"), Field(description="W/sr or '1 MW/sr'")]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0, description="degrees")]
Longitude = Annotated[float, Field(ge=-180.0, le=360.0, description="degrees")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Point(_Model):
    lat_deg: Latitude
    lon_deg: Longitude
    h_m: float = 0.0


class Launch(_Model):
    """One launch: aimed (``aim``) or unaimed (``azimuth_deg`` + ``elevation_deg``)."""

    id: str = Field(min_length=1)
    vehicle: str
    site: Point
    time: Seconds = 0.0
    aim: Point | None = None
    trajectory: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    apogee: Metres | None = None
    azimuth_deg: float | None = Field(default=None, ge=-360.0, le=360.0)
    elevation_deg: float | None = Field(default=None, gt=0.0, le=90.0)

    @field_validator("vehicle")
    @classmethod
    def _known_vehicle(cls, v: str) -> str:
        from earlywarn.flight.catalog import get_vehicle

        get_vehicle(v)  # (the packaged catalog, parsed once per process) raises, naming the known
        return v

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

    points: tuple[Point, ...] | None = None
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


Places = Annotated[SalvoPlaces, BeforeValidator(_points_as_mapping)]


class TimeWindow(_Model):
    start: Seconds = Field(ge=0.0)
    end: Seconds = Field(ge=0.0)

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
    """Many launches in one entry, expanded deterministically (``run.build.expand_launches``).

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

    @field_validator("vehicles")
    @classmethod
    def _known_vehicles(cls, v: str | dict[str, float]) -> str | dict[str, float]:
        from earlywarn.flight.catalog import get_vehicle

        names = [v] if isinstance(v, str) else list(v)
        if not names:
            raise ValueError("give at least one vehicle (a catalog name, or {name: weight})")
        for name in names:
            get_vehicle(name)
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


class SensorEvent(_Model):
    type: Literal["outage", "degraded"]
    sensor: str
    start: Seconds
    end: Seconds
    factor: float = Field(default=0.5, gt=0.0, le=1.0, description="degraded sensitivity")


Event = Annotated[Fire | SensorEvent, Field(discriminator="type")]


class Glint(_Model):
    """Sun glint from sunlit clouds (computed from the Sun–Earth–satellite geometry)."""

    enabled: bool = True
    lobe_width_deg: float = Field(default=2.0, gt=0.0, le=30.0, description="1-sigma lobe")
    clusters_per_hour: float = Field(default=3.0, ge=0.0)


class Circle(_Model):
    lat_deg: Latitude
    lon_deg: Longitude
    radius: Metres = Field(gt=0.0)


class Notification(_Model):
    """A declared launch: a window in time, an area, an azimuth sector and a class."""

    id: str = Field(default="", description="defaults to N1, N2, ... in file order")
    start: Seconds
    end: Seconds
    area: Circle
    azimuth_sector_deg: tuple[float, float] = (0.0, 360.0)
    vehicle_class: str | None = Field(default=None, alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OrbitSpec(_Model):
    """An orbit: a preset (``geo``, ``molniya``), Keplerian ``elements``, a ``tle`` or ``omm``."""

    preset: Literal["geo", "molniya"] | None = None
    lon_deg: Longitude | None = None
    apogee_lon_deg: Longitude | None = None
    phase_deg: float = 0.0
    perigee_alt: Metres = 600e3
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


class Payload(_Model):
    """An infrared payload; unset fields take the sensor model's defaults (see ``doctor``)."""

    mode: Literal["scanning", "staring"] = "scanning"
    revisit: Seconds | None = Field(default=None, gt=0.0, description="revisit/frame period")
    pointing: Literal["earth", "region", "limb"] = "earth"
    region: Point | None = None
    fov_half_angle_deg: float | None = Field(default=None, gt=0.0, le=90.0)
    los_sigma: Radians | None = Field(default=None, gt=0.0)
    nei_w_m2: float | None = Field(default=None, gt=0.0)
    threshold_snr: float | None = Field(default=None, gt=0.0)
    min_altitude: Metres | None = Field(default=None, ge=0.0)
    clutter_per_frame: float | None = Field(default=None, ge=0.0)

    @model_validator(mode="after")
    def _region(self) -> Payload:
        if self.pointing == "region" and self.region is None:
            raise ValueError("pointing 'region' needs 'region: {lat_deg, lon_deg}'")
        return self


class Satellite(_Model):
    id: str = Field(min_length=1)
    orbit: OrbitSpec
    payload: Payload = Payload()


class Face(_Model):
    id: str = "A"
    boresight_az_deg: float = Field(ge=-360.0, le=360.0)
    half_width_deg: float = Field(default=60.0, gt=0.0, le=180.0)
    el_min_deg: float = Field(default=3.0, ge=-5.0, lt=90.0)
    el_max_deg: float = Field(default=85.0, gt=-5.0, le=90.0)


class Radar(_Model):
    """A ground radar; unset fields take the sensor model's defaults."""

    id: str = Field(min_length=1)
    site: Point
    faces: tuple[Face, ...] = Field(min_length=1)
    detection_range: Metres = Field(default=5000e3, gt=0.0, description="for reference_rcs_m2")
    reference_rcs_m2: float = Field(default=1.0, gt=0.0)
    max_range: Metres | None = Field(default=None, gt=0.0)
    revisit: Seconds | None = Field(default=None, gt=0.0)
    sigma_range: Metres | None = Field(default=None, gt=0.0)
    sigma_angle: Radians | None = Field(default=None, gt=0.0)
    sigma_range_rate: float | None = Field(default=None, gt=0.0, description="m/s")
    false_alarms_per_scan: float | None = Field(default=None, ge=0.0)


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
        return self


class CenterSettings(_Model):
    """How the analysis center runs."""

    step: Seconds = Field(default=2.0, gt=0.0, description="center update interval")
    heartbeat_timeout_periods: float = Field(default=2.5, gt=1.0)
    retract_after: Seconds = Field(default=120.0, gt=0.0)


class Scenario(_Model):
    """The whole scenario file."""

    name: str = "scenario"
    description: str = ""
    epoch: str
    duration: Seconds = Field(gt=0.0)
    step: Seconds = Field(default=1.0, gt=0.0, description="truth sampling step")
    seed: int = Field(default=0, ge=0)
    launches: tuple[LaunchEntry, ...] = ()
    events: tuple[Event, ...] = ()
    glint: Glint = Glint()
    notifications: tuple[Notification, ...] = ()
    sensors: Sensors = Sensors()
    defended_areas: tuple[DefendedArea, ...] = ()
    center: CenterSettings = CenterSettings()

    @field_validator("epoch")
    @classmethod
    def _utc(cls, v: str) -> str:
        parse_utc(v)
        return v

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
            if isinstance(ev, SensorEvent) and ev.sensor not in ids:
                known = ", ".join(ids) or "none"
                raise ValueError(f"event refers to unknown sensor {ev.sensor!r}; known: {known}")
        return self


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


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario YAML text; raise :class:`ScenarioError` with file:line: field: why."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise ScenarioError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a YAML mapping (key: value lines)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_describe(exc.errors(), root, source)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the scenario file: {exc.strerror}") from None
    return parse_scenario(text, str(p))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON (first 16 hex digits)."""
    blob = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def scenario_json_schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (``earlywarn schema``)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "earlywarn scenario"
    return schema
