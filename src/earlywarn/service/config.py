"""The live center's configuration file (YAML, validated whole before the service starts).

It names everything a live center knows besides the reports: its sensors (the center's
sensor registry, with each sensor's shared secret), defended areas, launch notifications,
its own catalog of resident space objects (``catalog``: 'sample' or a file relative to
the config file; :mod:`earlywarn.center.rso`), its mode, its clock, where its durable
store lives, its limits and the operators' accounts. Defended areas, notifications and
the center's settings have the scenario file's form (:mod:`earlywarn.io.scenario`).
``earlywarn live-config SCENARIO`` writes one for a scenario's sensors.

Errors name the file, the field, what was given and what is allowed.
"""

from __future__ import annotations

import hashlib
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from earlywarn.center import (
    AssessmentParams,
    CenterConfig,
    RegisteredSensor,
    SensorKind,
    SensorRegistry,
)
from earlywarn.center.intake import IntakeParams
from earlywarn.earth.time import parse_utc
from earlywarn.io.scenario import (
    CenterSettings,
    Metres,
    Notification,
    Point,
    Seconds,
    center_areas,
    center_notifications,
)
from earlywarn.io.scenario import DefendedArea as AreaSpec
from earlywarn.service.envelope import Mode
from earlywarn.space.catalog import Catalog, load_catalog, sample_catalog

__all__ = [
    "ConfigError",
    "Role",
    "ServiceConfig",
    "load_config",
    "parse_config",
    "token_digest",
]


class ConfigError(ValueError):
    """A service configuration that cannot be used; the message names file and field."""


class Role(StrEnum):
    """What an operator account may do: a viewer reads; an operator also acknowledges
    alerts and adds notes. Nobody posts alerts; only sensors post reports."""

    VIEWER = "viewer"
    OPERATOR = "operator"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SensorSpec(_Model):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: SensorKind
    site: Point | None = Field(default=None, description="radar site (radars only)")
    max_range: Metres | None = Field(
        default=None, gt=0.0, description="radar's instrumented range (plausibility limit)"
    )
    secret: str = Field(min_length=16, description="the shared HMAC-SHA256 key (>= 16 chars)")

    @model_validator(mode="after")
    def _site(self) -> SensorSpec:
        if self.kind == SensorKind.RADAR and self.site is None:
            raise ValueError(f"radar {self.id!r} needs a site (lat_deg, lon_deg, h_m)")
        if self.kind == SensorKind.IR and self.site is not None:
            raise ValueError(f"IR sensor {self.id!r} has no site (its position is in its reports)")
        if self.kind == SensorKind.IR and self.max_range is not None:
            raise ValueError(f"IR sensor {self.id!r} has no max_range (a radar's setting)")
        return self


class OperatorSpec(_Model):
    name: str = Field(min_length=1, max_length=64)
    role: Role
    token_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the account's bearer token"
    )


class ClockSpec(_Model):
    speed: float = Field(default=1.0, gt=0.0, le=1000.0, description="center s per wall s")
    start: Seconds = Field(default=0.0, description="center time when the store is created")
    lag: Seconds = Field(default=10.0, gt=0.0, description="how far behind its clock it steps")


class Limits(_Model):
    max_body_bytes: int = Field(default=4_000_000, gt=0)
    max_batch_reports: int = Field(default=10_000, gt=0)
    max_reports_per_s: float = Field(default=50_000.0, gt=0.0, description="per sensor")
    max_batches_per_s: float = Field(default=200.0, gt=0.0, description="per sensor")
    max_skew: Seconds = Field(default=120.0, gt=0.0, description="signature timestamp window")


class ServiceConfig(_Model):
    name: str = "earlywarn-live"
    mode: Mode
    epoch: str = Field(description="UTC instant of report time t_s = 0, ISO 8601 with Z")
    clock: ClockSpec = ClockSpec()
    store: str = Field(min_length=1, description="directory of the durable store")
    center: CenterSettings = CenterSettings()
    sensors: tuple[SensorSpec, ...] = Field(min_length=1)
    defended_areas: tuple[AreaSpec, ...] = ()
    notifications: tuple[Notification, ...] = ()
    operators: tuple[OperatorSpec, ...] = ()
    public_read: bool = Field(default=False, description="reads need no account")
    limits: Limits = Limits()
    catalog: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "the center's own catalog of resident space objects: 'sample' (the shipped "
            "catalog) or a catalog file (OMM .json, TLE .tle/.txt/.3le), relative to "
            "the config file"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _no_center_catalog(cls, data: Any) -> Any:
        center = data.get("center") if isinstance(data, dict) else None
        if isinstance(center, dict) and center.get("catalog") is not None:
            raise ValueError(
                f"center.catalog: not used in a service config (given: {center['catalog']!r});"
                " give the catalog as the top-level 'catalog' key"
            )
        return data

    @model_validator(mode="after")
    def _checks(self) -> ServiceConfig:
        try:
            parse_utc(self.epoch)
        except ValueError as exc:
            raise ValueError(f"epoch: {exc}") from None
        ids = [s.id for s in self.sensors]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"sensor ids must be unique; {dup} repeat")
        names = [o.name for o in self.operators]
        if len(set(names)) != len(names):
            raise ValueError("operator names must be unique")
        if self.mode == Mode.LIVE and self.clock.speed != 1.0:
            raise ValueError(
                f"a LIVE center runs on the wall clock: clock.speed must be 1, got "
                f"{self.clock.speed} (use mode EXERCISE or TEST for scaled time)"
            )
        if "mode" in self.center.model_fields_set and self.center.mode != str(self.mode).lower():
            raise ValueError(
                f"center.mode {self.center.mode!r} contradicts mode {self.mode}: the live "
                "center's mode is 'mode' (leave center.mode out)"
            )
        return self

    # ---------------------------------------------------------------- derived values

    @property
    def store_dir(self) -> Path:
        return Path(self.store)

    def secrets(self) -> dict[str, bytes]:
        """Sensor id → its HMAC key."""
        return {s.id: s.secret.encode("utf-8") for s in self.sensors}

    def registry(self) -> SensorRegistry:
        out = []
        for s in self.sensors:
            if s.site is None:
                out.append(RegisteredSensor(s.id, s.kind))
            else:
                out.append(
                    RegisteredSensor(
                        s.id, s.kind, math.radians(s.site.lat_deg),
                        math.radians(s.site.lon_deg), s.site.h_m, s.max_range,
                    )
                )  # fmt: skip
        return SensorRegistry(tuple(out))

    def center_config(self) -> CenterConfig:
        """The center's configuration: registry, areas, notifications, its settings, and
        an intake that holds early reports for at least the lag (a report that arrives
        within the lag is on time)."""
        areas = center_areas(self.defended_areas)
        notes = center_notifications(self.notifications)
        hold = max(IntakeParams().hold_early_s, self.clock.lag + 2.0 * self.center.step)
        return CenterConfig(
            epoch=parse_utc(self.epoch),
            sensors=self.registry(),
            defended_areas=tuple(areas),
            declared_launches=tuple(notes),
            assessment=AssessmentParams(
                heartbeat_factor=self.center.heartbeat_timeout_periods,
                retract_after_s=self.center.retract_after,
            ),
            intake=IntakeParams(hold_early_s=hold),
            catalog=self.center_catalog(),
            mode=str(self.mode).lower(),
        )

    def center_catalog(self) -> Catalog | None:
        """The center's own catalog (``catalog``), or None."""
        if self.catalog is None:
            return None
        if self.catalog == "sample":
            return sample_catalog(self.epoch)
        try:
            return load_catalog(Path(self.catalog))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"catalog: {self.catalog}: {exc}") from None

    def role_of(self, token: str) -> tuple[str, Role] | None:
        """The (name, role) of the account whose token this is, or None."""
        d = token_digest(token)
        for o in self.operators:
            if o.token_sha256 == d:
                return o.name, o.role
        return None


def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a bearer token, as ``operators[].token_sha256`` holds it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        shown = "" if isinstance(given, dict | list) or given is None else f" (given: {given!r})"
        lines.append(f"{source}: {field}: {msg}{shown}")
    return "\n".join(lines)


def parse_config(text: str, source: str = "<config>", base: Path | None = None) -> ServiceConfig:
    """Validate service-config YAML; a relative ``store`` is taken from ``base``."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a service config is a YAML mapping (key: value lines)")
    try:
        cfg = ServiceConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    if base is not None and not Path(cfg.store).is_absolute():
        cfg = cfg.model_copy(update={"store": str(base / cfg.store)})
    cat = cfg.catalog
    if cat is not None and cat != "sample":
        p = Path(cat).expanduser()
        if base is not None and not p.is_absolute():
            p = base / p
        if not p.is_file():
            raise ConfigError(
                f"{source}: catalog: no file {str(p)!r} (given: {cat!r}); allowed 'sample' "
                "or a catalog file (OMM .json, TLE .tle/.txt/.3le) relative to the config file"
            )
        cfg = cfg.model_copy(update={"catalog": str(p)})
    return cfg


def load_config(path: str | Path) -> ServiceConfig:
    """Read and validate a service configuration file (``store`` relative to the file)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the service config: {exc.strerror}") from None
    return parse_config(text, str(p), p.parent)
