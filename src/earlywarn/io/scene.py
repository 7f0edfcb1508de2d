"""The one input record of the output writers: :class:`SceneView`.

A run command builds a ``SceneView`` from whatever the library produced (truth
trajectories, sensor layout, reports, alerts, the evaluation tables) and hands it to the
writers (:mod:`earlywarn.io.czml`, :mod:`~earlywarn.io.geojson`, :mod:`~earlywarn.io.plots`,
:mod:`~earlywarn.io.html`). The writers import nothing else from the library's moving
parts, so they keep working while the simulator and the center change.

Everything here is a plain frozen value, checked once at construction: a wrong shape or a
missing key raises ``ValueError`` naming the field, what was given and what is allowed.
Arrays are copied to float64 and made read-only.

Units follow the package contract: positions are ECEF metres ``(K, 3)``, times are
seconds since ``epoch_utc``; degrees and kilometres only where the name says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.time import iso_utc, parse_utc

__all__ = [
    "LEVELS",
    "AlertMark",
    "DefendedArea",
    "Detections",
    "GroundPoints",
    "ObjectTrack",
    "RadarFace",
    "RadarSite",
    "SatelliteTrack",
    "SceneView",
    "TruthLaunch",
]

FloatArray = npt.NDArray[np.float64]

LEVELS: tuple[str, ...] = ("NONE", "POSSIBLE_LAUNCH", "LAUNCH", "THREAT", "ATTACK_CONFIRMED")
"""The assessment ladder in order (mirrors ``earlywarn.center.alerts.Level``; a test
keeps the two in step)."""

DETECTION_KINDS: tuple[str, ...] = ("ir", "radar")


def _readonly(a: FloatArray) -> FloatArray:
    a.setflags(write=False)
    return a


def _times(name: str, t: npt.ArrayLike) -> FloatArray:
    arr = np.array(t, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D array of times (s), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: times must be finite")
    if arr.size > 1 and not np.all(np.diff(arr) > 0):
        raise ValueError(f"{name}: times must be strictly increasing")
    return _readonly(arr)


def _positions(name: str, r: npt.ArrayLike, k: int, allow_nan: bool = False) -> FloatArray:
    arr = np.array(r, dtype=np.float64)
    if arr.shape != (k, 3):
        raise ValueError(f"{name}: expected shape ({k}, 3) (ECEF metres), got {arr.shape}")
    ok = np.isfinite(arr) | (np.isnan(arr) if allow_nan else False)
    if not np.all(ok):
        allowed = "finite or NaN" if allow_nan else "finite"
        raise ValueError(f"{name}: positions must be {allowed}")
    return _readonly(arr)


def _finite(name: str, x: float, lo: float = -math.inf, hi: float = math.inf) -> float:
    v = float(x)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{name}: {x!r} is not a finite number in [{lo}, {hi}]")
    return v


def _opt(name: str, x: Any, lo: float = -math.inf, hi: float = math.inf) -> float | None:
    if x is None:
        return None
    v = float(x)
    if math.isnan(v):
        return None
    return _finite(name, v, lo, hi)


def _unique(what: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}: id {i!r} appears more than once; ids must be unique")
        seen.add(i)


@dataclass(frozen=True, eq=False)
class ObjectTrack:
    """One true flying object (booster, RV, debris…), sampled in time."""

    object_id: str
    launch_id: str
    kind: str
    t_s: FloatArray
    r_ecef_m: FloatArray

    def __post_init__(self) -> None:
        t = _times(f"object {self.object_id!r} t_s", self.t_s)
        object.__setattr__(self, "t_s", t)
        object.__setattr__(
            self,
            "r_ecef_m",
            _positions(f"object {self.object_id!r} r_ecef_m", self.r_ecef_m, t.size),
        )


@dataclass(frozen=True, eq=False)
class SatelliteTrack:
    """One infrared satellite's sampled Earth-fixed position."""

    sensor_id: str
    t_s: FloatArray
    r_ecef_m: FloatArray

    def __post_init__(self) -> None:
        t = _times(f"satellite {self.sensor_id!r} t_s", self.t_s)
        object.__setattr__(self, "t_s", t)
        object.__setattr__(
            self,
            "r_ecef_m",
            _positions(f"satellite {self.sensor_id!r} r_ecef_m", self.r_ecef_m, t.size),
        )


@dataclass(frozen=True)
class RadarFace:
    """One radar face: an azimuth sector and elevation band, out to a maximum range."""

    face_id: str
    boresight_az_deg: float
    half_width_deg: float
    el_min_deg: float
    el_max_deg: float
    max_range_km: float

    def __post_init__(self) -> None:
        n = f"radar face {self.face_id!r}"
        object.__setattr__(
            self,
            "boresight_az_deg",
            _finite(f"{n} boresight_az_deg", self.boresight_az_deg) % 360.0,
        )
        _finite(f"{n} half_width_deg", self.half_width_deg, 0.0, 180.0)
        _finite(f"{n} el_min_deg", self.el_min_deg, -10.0, 90.0)
        _finite(f"{n} el_max_deg", self.el_max_deg, self.el_min_deg, 90.0)
        _finite(f"{n} max_range_km", self.max_range_km, 1e-3)


@dataclass(frozen=True)
class RadarSite:
    """A ground radar (geodetic position) and its faces."""

    sensor_id: str
    lat_deg: float
    lon_deg: float
    faces: tuple[RadarFace, ...] = ()
    alt_m: float = 0.0

    def __post_init__(self) -> None:
        _finite(f"radar {self.sensor_id!r} lat_deg", self.lat_deg, -90.0, 90.0)
        _finite(f"radar {self.sensor_id!r} lon_deg", self.lon_deg, -180.0, 360.0)
        object.__setattr__(self, "faces", tuple(self.faces))
        _unique(f"radar {self.sensor_id!r} faces", (f.face_id for f in self.faces))


@dataclass(frozen=True, eq=False)
class Detections:
    """Sensor reports reduced to what the pictures need (columnar, ``N`` rows).

    ``r_ecef_m`` is an estimated Earth-fixed point where one is known (a radar report
    converted to ECEF, an IR stereo point) and a row of NaN where it is not (a single IR
    line of sight).
    """

    t_s: FloatArray
    sensor_id: tuple[str, ...]
    kind: tuple[str, ...]
    r_ecef_m: FloatArray

    def __post_init__(self) -> None:
        t = np.array(self.t_s, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(t)):
            raise ValueError("detections t_s: times must be finite")
        n = t.size
        sid = tuple(str(s) for s in self.sensor_id)
        kind = tuple(str(k) for k in self.kind)
        if len(sid) != n or len(kind) != n:
            raise ValueError(
                f"detections: t_s has {n} rows but sensor_id has {len(sid)} and kind {len(kind)}"
            )
        bad = sorted(set(kind) - set(DETECTION_KINDS))
        if bad:
            raise ValueError(f"detections kind: {bad} not allowed; use one of {DETECTION_KINDS}")
        object.__setattr__(self, "t_s", _readonly(t))
        object.__setattr__(self, "sensor_id", sid)
        object.__setattr__(self, "kind", kind)
        r = np.full((n, 3), np.nan) if self.r_ecef_m is None else self.r_ecef_m
        object.__setattr__(self, "r_ecef_m", _positions("detections r_ecef_m", r, n, True))

    def __len__(self) -> int:
        return int(self.t_s.size)

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros(0), (), (), np.zeros((0, 3)))

    @property
    def located(self) -> npt.NDArray[np.bool_]:
        """Rows that carry an estimated position."""
        return np.all(np.isfinite(self.r_ecef_m), axis=1)


@dataclass(frozen=True, eq=False)
class GroundPoints:
    """Where infrared lines of sight meet the Earth (``N`` rows), with what truly made each
    report (``source``: ``glint``, ``fire``, ``clutter``, ``false_alarm`` or ``object``), for
    the map: glint, flares and clutter as the satellites saw them."""

    t_s: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    source: tuple[str, ...]

    def __post_init__(self) -> None:
        t = np.array(self.t_s, dtype=np.float64).reshape(-1)
        la = np.array(self.lat_deg, dtype=np.float64).reshape(-1)
        lo = np.array(self.lon_deg, dtype=np.float64).reshape(-1)
        src = tuple(str(x) for x in self.source)
        if not (t.size == la.size == lo.size == len(src)):
            raise ValueError(
                f"ground points: t_s {t.size}, lat_deg {la.size}, lon_deg {lo.size} and "
                f"source {len(src)} rows must match"
            )
        if not (np.all(np.isfinite(la)) and np.all(np.abs(la) <= 90.0)):
            raise ValueError("ground points lat_deg: must be finite and within ±90")
        object.__setattr__(self, "t_s", _readonly(t))
        object.__setattr__(self, "lat_deg", _readonly(la))
        object.__setattr__(self, "lon_deg", _readonly(lo))
        object.__setattr__(self, "source", src)

    def __len__(self) -> int:
        return int(self.t_s.size)


@dataclass(frozen=True)
class AlertMark:
    """One alert as the writers need it, plus the full record for the tables.

    Build with :meth:`from_dict`, which takes the center's flat alert record
    (``earlywarn.center.alerts.Alert.to_dict()``: ``launch_lat_deg``,
    ``impact_ellipse_semi_major_km``…) or the nested form ``launch {time_s, lat_deg,
    lon_deg, sigma_km}``, ``impact {time_s, lat_deg, lon_deg, ellipse {semi_major_km,
    semi_minor_km, orientation_deg}}``. ``None`` means not known yet. The ellipse
    orientation is the azimuth of the semi-major axis, degrees clockwise from north.
    """

    alert_id: str
    event_id: str
    t_s: float
    level: str
    disposition: str
    launch_time_s: float | None = None
    launch_lat_deg: float | None = None
    launch_lon_deg: float | None = None
    launch_sigma_km: float | None = None
    impact_time_s: float | None = None
    impact_lat_deg: float | None = None
    impact_lon_deg: float | None = None
    impact_semi_major_km: float | None = None
    impact_semi_minor_km: float | None = None
    impact_orientation_deg: float | None = None
    record: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = f"alert {self.alert_id!r}"
        _finite(f"{n} t_s", self.t_s)
        if self.level not in LEVELS:
            raise ValueError(f"{n} level {self.level!r} is not one of {LEVELS}")
        for name, lo, hi in (
            ("launch_time_s", -math.inf, math.inf),
            ("launch_lat_deg", -90.0, 90.0),
            ("launch_lon_deg", -180.0, 360.0),
            ("launch_sigma_km", 0.0, math.inf),
            ("impact_time_s", -math.inf, math.inf),
            ("impact_lat_deg", -90.0, 90.0),
            ("impact_lon_deg", -180.0, 360.0),
            ("impact_semi_major_km", 0.0, math.inf),
            ("impact_semi_minor_km", 0.0, math.inf),
            ("impact_orientation_deg", -360.0, 360.0),
        ):
            object.__setattr__(self, name, _opt(f"{n} {name}", getattr(self, name), lo, hi))
        if (self.launch_lat_deg is None) != (self.launch_lon_deg is None):
            raise ValueError(
                f"{n}: launch_lat_deg and launch_lon_deg must both be given or both None"
            )
        if (self.impact_lat_deg is None) != (self.impact_lon_deg is None):
            raise ValueError(
                f"{n}: impact_lat_deg and impact_lon_deg must both be given or both None"
            )

    @property
    def has_launch(self) -> bool:
        return self.launch_lat_deg is not None

    @property
    def has_impact(self) -> bool:
        return self.impact_lat_deg is not None

    @property
    def has_ellipse(self) -> bool:
        return (
            self.has_impact
            and self.impact_semi_major_km is not None
            and self.impact_semi_minor_km is not None
            and self.impact_semi_major_km > 0.0
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AlertMark:
        """From a JSON-ready alert dict (flat center record or nested form)."""
        missing = [k for k in ("alert_id", "event_id", "t_s", "level") if k not in d]
        if missing:
            raise ValueError(
                f"alert record {d.get('alert_id', '?')!r} lacks {missing}; "
                "needs alert_id, event_id, t_s, level"
            )
        launch = d.get("launch") if isinstance(d.get("launch"), Mapping) else None
        impact = d.get("impact") if isinstance(d.get("impact"), Mapping) else None
        ell = (
            impact.get("ellipse") if impact and isinstance(impact.get("ellipse"), Mapping) else None
        )

        def pick(flat: str, nested: Mapping[str, Any] | None, key: str) -> Any:
            if nested is not None and key in nested:
                return nested[key]
            return d.get(flat)

        return cls(
            alert_id=str(d["alert_id"]),
            event_id=str(d["event_id"]),
            t_s=float(d["t_s"]),
            level=str(d["level"]),
            disposition=str(d.get("disposition", "")),
            launch_time_s=pick("launch_time_s", launch, "time_s"),
            launch_lat_deg=pick("launch_lat_deg", launch, "lat_deg"),
            launch_lon_deg=pick("launch_lon_deg", launch, "lon_deg"),
            launch_sigma_km=pick("launch_sigma_km", launch, "sigma_km"),
            impact_time_s=pick("impact_time_s", impact, "time_s"),
            impact_lat_deg=pick("impact_lat_deg", impact, "lat_deg"),
            impact_lon_deg=pick("impact_lon_deg", impact, "lon_deg"),
            impact_semi_major_km=pick("impact_ellipse_semi_major_km", ell, "semi_major_km"),
            impact_semi_minor_km=pick("impact_ellipse_semi_minor_km", ell, "semi_minor_km"),
            impact_orientation_deg=pick("impact_ellipse_orientation_deg", ell, "orientation_deg"),
            record=dict(d),
        )


@dataclass(frozen=True)
class DefendedArea:
    """A named defended area: a circle (centre, radius) or a polygon of ``(lat, lon)``."""

    name: str
    lat_deg: float | None = None
    lon_deg: float | None = None
    radius_km: float | None = None
    polygon_deg: tuple[tuple[float, float], ...] | None = None

    def __post_init__(self) -> None:
        n = f"defended area {self.name!r}"
        is_circle = self.radius_km is not None
        if is_circle == (self.polygon_deg is not None):
            raise ValueError(f"{n}: give either lat_deg/lon_deg/radius_km or polygon_deg")
        if is_circle:
            if self.lat_deg is None or self.lon_deg is None:
                raise ValueError(f"{n}: a circle needs lat_deg and lon_deg")
            _finite(f"{n} lat_deg", self.lat_deg, -90.0, 90.0)
            _finite(f"{n} lon_deg", self.lon_deg, -180.0, 360.0)
            _finite(f"{n} radius_km", float(self.radius_km or 0.0), 1e-3, 20_000.0)
        else:
            pts = np.array(self.polygon_deg, dtype=np.float64)
            if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 3:
                raise ValueError(
                    f"{n} polygon_deg: expected >= 3 [lat_deg, lon_deg] pairs, got {pts.shape}"
                )
            if not (np.all(np.isfinite(pts)) and np.all(np.abs(pts[:, 0]) <= 90.0)):
                raise ValueError(f"{n} polygon_deg: latitudes must be finite and within ±90")
            poly = tuple((float(a), float(b)) for a, b in pts)
            object.__setattr__(self, "polygon_deg", poly)
            if self.lat_deg is None:  # a label point
                object.__setattr__(self, "lat_deg", float(pts[:, 0].mean()))
                object.__setattr__(self, "lon_deg", float(pts[:, 1].mean()))

    @classmethod
    def circle(cls, name: str, lat_deg: float, lon_deg: float, radius_km: float) -> DefendedArea:
        return cls(name, lat_deg, lon_deg, radius_km)

    @classmethod
    def polygon(cls, name: str, points_deg: Sequence[Sequence[float]]) -> DefendedArea:
        """From ``[[lat_deg, lon_deg], ...]`` (open or closed ring)."""
        return cls(name, polygon_deg=tuple((float(p[0]), float(p[1])) for p in points_deg))


@dataclass(frozen=True)
class TruthLaunch:
    """Where a launch really came from and where its payload really landed."""

    launch_id: str
    launch_time_s: float
    launch_lat_deg: float
    launch_lon_deg: float
    impact_time_s: float | None = None
    impact_lat_deg: float | None = None
    impact_lon_deg: float | None = None

    def __post_init__(self) -> None:
        n = f"truth launch {self.launch_id!r}"
        _finite(f"{n} launch_time_s", self.launch_time_s)
        _finite(f"{n} launch_lat_deg", self.launch_lat_deg, -90.0, 90.0)
        _finite(f"{n} launch_lon_deg", self.launch_lon_deg, -180.0, 360.0)
        object.__setattr__(self, "impact_time_s", _opt(f"{n} impact_time_s", self.impact_time_s))
        object.__setattr__(
            self, "impact_lat_deg", _opt(f"{n} impact_lat_deg", self.impact_lat_deg, -90, 90)
        )
        object.__setattr__(
            self, "impact_lon_deg", _opt(f"{n} impact_lon_deg", self.impact_lon_deg, -180, 360)
        )
        if (self.impact_lat_deg is None) != (self.impact_lon_deg is None):
            raise ValueError(
                f"{n}: impact_lat_deg and impact_lon_deg must both be given or both None"
            )

    @property
    def has_impact(self) -> bool:
        return self.impact_lat_deg is not None


def _rows(name: str, rows: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    out = tuple(dict(r) for r in rows)
    for i, r in enumerate(out):
        if not all(isinstance(k, str) for k in r):
            raise ValueError(f"{name}[{i}]: column names must be strings")
    return out


@dataclass(frozen=True, eq=False)
class SceneView:
    """Everything the writers draw, for one run.

    ``t_start_s``/``t_end_s`` bound the picture (the CZML clock, the timeline axis). The
    tables (``launches_table``, ``events_table``, ``false_alerts_table``) are rows of
    JSON-ready dicts shown as they are in the HTML report; which alerts are false is for
    the evaluation to say, not the writers.
    """

    epoch_utc: str
    t_start_s: float
    t_end_s: float
    objects: tuple[ObjectTrack, ...] = ()
    satellites: tuple[SatelliteTrack, ...] = ()
    radars: tuple[RadarSite, ...] = ()
    detections: Detections = field(default_factory=Detections.empty)
    alerts: tuple[AlertMark, ...] = ()
    defended_areas: tuple[DefendedArea, ...] = ()
    truth_launches: tuple[TruthLaunch, ...] = ()
    launches_table: tuple[Mapping[str, Any], ...] = ()
    events_table: tuple[Mapping[str, Any], ...] = ()
    false_alerts_table: tuple[Mapping[str, Any], ...] = ()
    title: str = "earlywarn run"
    ir_ground: GroundPoints | None = None
    fires: tuple[tuple[str, float, float], ...] = ()
    """Declared heat sources of the scenario: ``(id, lat_deg, lon_deg)``."""

    def __post_init__(self) -> None:
        epoch = parse_utc(self.epoch_utc)
        object.__setattr__(self, "epoch_utc", iso_utc(epoch))
        t0 = _finite("t_start_s", self.t_start_s)
        t1 = _finite("t_end_s", self.t_end_s)
        if not t1 > t0:
            raise ValueError(f"t_end_s ({t1}) must be after t_start_s ({t0})")
        object.__setattr__(self, "t_start_s", t0)
        object.__setattr__(self, "t_end_s", t1)
        for name, cls in (
            ("objects", ObjectTrack),
            ("satellites", SatelliteTrack),
            ("radars", RadarSite),
            ("defended_areas", DefendedArea),
            ("truth_launches", TruthLaunch),
        ):
            items = tuple(getattr(self, name))
            for it in items:
                if not isinstance(it, cls):
                    raise ValueError(
                        f"{name}: expected {cls.__name__} items, got {type(it).__name__}"
                    )
            object.__setattr__(self, name, items)
        alerts = tuple(
            a if isinstance(a, AlertMark) else AlertMark.from_dict(a) for a in self.alerts
        )
        object.__setattr__(self, "alerts", tuple(sorted(alerts, key=lambda a: a.t_s)))
        if self.detections is None:
            object.__setattr__(self, "detections", Detections.empty())
        elif not isinstance(self.detections, Detections):
            raise ValueError("detections: expected a Detections record (or None)")
        _unique("objects", (o.object_id for o in self.objects))
        _unique(
            "sensors", [s.sensor_id for s in self.satellites] + [r.sensor_id for r in self.radars]
        )
        _unique("alerts", (a.alert_id for a in self.alerts))
        _unique("defended_areas", (a.name for a in self.defended_areas))
        _unique("truth_launches", (t.launch_id for t in self.truth_launches))
        for name in ("launches_table", "events_table", "false_alerts_table"):
            object.__setattr__(self, name, _rows(name, getattr(self, name)))

    @property
    def epoch(self) -> datetime:
        """The scenario epoch as an aware UTC datetime."""
        return parse_utc(self.epoch_utc)

    def iso(self, t_s: float) -> str:
        """ISO 8601 UTC text with ``Z`` for a time in seconds since the epoch."""
        return iso_utc(self.epoch, t_s)
