"""The notional vehicle catalog: open-literature-level figures for each missile class.

The numbers live in ``earlywarn/data/vehicles.yaml`` (package data), each vehicle and
stage with a ``source:`` string naming where its figures come from or saying that they
are an order-of-magnitude assumption. This module loads the file into frozen
dataclasses and validates it once, at the boundary; nothing is read at import time.
:func:`get_vehicle` without a catalog parses the packaged file on first use and keeps
it for the process (``functools.lru_cache``; the mapping and the vehicles are immutable,
so no caller can alter another's); pass ``catalog=`` to use any other file.

Units in the file carry their unit in the key (``burn_s``, ``propellant_kg``,
``area_m2``, ``plume_w_sr``); the dataclasses keep those names, so they are SI already.

Thrust follows from ``isp_s``: ``T = isp_s · g0 · ṁ`` with ``ṁ = propellant_kg / burn_s``
(constant mass flow; a single effective specific impulse per stage, between the
sea-level and vacuum values for a first stage). This is the usual notional-missile model
of open analyses (e.g. Forden's GUI_Missile_Flyer, *Science & Global Security*, 2007); it reproduces
burnout speeds to a few per cent.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from earlywarn.earth.constants import G0_M_S2

VEHICLE_CLASSES = ("ICBM", "SLBM", "IRBM", "MRBM", "SRBM", "SLV", "SOUNDING")


@dataclass(frozen=True)
class Stage:
    """One stage: its burn, masses, propulsion, aerodynamics and signatures (SI)."""

    name: str
    burn_s: float
    coast_before_s: float  # unpowered gap between the previous burnout and this ignition
    propellant_kg: float
    dry_kg: float
    isp_s: float
    area_m2: float  # reference (cross-section) area of the stack while this stage is lowest
    cd: float  # stack drag coefficient on ``area_m2`` in powered flight
    spent_cd: float  # tumbling spent stage, referred to ``area_m2``
    plume_w_sr: float  # plume radiant intensity while burning (sensor band, at altitude)
    rcs_m2: float  # mean radar cross section of the spent stage
    source: str

    @property
    def mass_flow_kg_s(self) -> float:
        return self.propellant_kg / self.burn_s

    @property
    def thrust_n(self) -> float:
        return self.isp_s * G0_M_S2 * self.mass_flow_kg_s


@dataclass(frozen=True)
class ReentryBody:
    """What the last stage releases: a reentry vehicle, or a payload for SLV/sounding."""

    mass_kg: float
    cd: float
    area_m2: float
    rcs_m2: float
    source: str

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        return self.mass_kg / (self.cd * self.area_m2)


@dataclass(frozen=True)
class Vehicle:
    """A notional vehicle: stages, what it releases, and its launch programme.

    ``payload_mass_kg`` is everything above the last stage (post-boost vehicle and
    reentry vehicles); ``body`` describes the released object that is tracked as
    ``rv`` (or ``payload``). The launch programme is a vertical rise of
    ``vertical_rise_s``, a linear pitch-over to the kick angle in ``pitch_over_s``, a hold
    of ``pitch_hold_s``, then a gravity turn (thrust along the Earth-relative velocity).
    With ``horizontal_upper_stages`` (space launchers) the stages after the first thrust
    along the local horizontal in the plane of motion, the simplest ascent that ends
    in orbit rather than on a ballistic arc.
    """

    name: str
    vehicle_class: str
    description: str
    source: str
    payload_mass_kg: float
    body: ReentryBody
    stages: tuple[Stage, ...]
    vertical_rise_s: float
    pitch_over_s: float
    pitch_hold_s: float
    nominal_elevation_deg: float
    separation_dv_m_s: float
    aimable: bool
    orbital: bool
    horizontal_upper_stages: bool = False  # SLV ascent: stages 2+ thrust along the local horizontal

    @property
    def launch_mass_kg(self) -> float:
        return self.payload_mass_kg + sum(s.propellant_kg + s.dry_kg for s in self.stages)

    @property
    def ignition_s(self) -> tuple[float, ...]:
        """Ignition time of each stage after lift-off."""
        out, t = [], 0.0
        for s in self.stages:
            t += s.coast_before_s
            out.append(t)
            t += s.burn_s
        return tuple(out)

    @property
    def burnout_s(self) -> tuple[float, ...]:
        """Full-burn burnout time of each stage after lift-off."""
        return tuple(t + s.burn_s for t, s in zip(self.ignition_s, self.stages, strict=True))

    @property
    def ideal_delta_v_m_s(self) -> float:
        """Tsiolkovsky Δv of the full stack (no gravity or drag losses)."""
        m = self.launch_mass_kg
        dv = 0.0
        for s in self.stages:
            dv += s.isp_s * G0_M_S2 * math.log(m / (m - s.propellant_kg))
            m -= s.propellant_kg + s.dry_kg
        return dv


# ----------------------------------------------------------------------------- loading


def _num(d: Mapping[str, Any], key: str, where: str, *, minimum: float = 0.0) -> float:
    if key not in d:
        raise ValueError(f"{where}: missing field {key!r}")
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"{where}: field {key!r} must be a finite number; got {v!r}")
    if v < minimum:
        raise ValueError(f"{where}: field {key!r} must be ≥ {minimum}; got {v!r}")
    return float(v)


def _pos(d: Mapping[str, Any], key: str, where: str) -> float:
    v = _num(d, key, where)
    if v <= 0.0:
        raise ValueError(f"{where}: field {key!r} must be > 0; got {v!r}")
    return v


def _text(d: Mapping[str, Any], key: str, where: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"{where}: field {key!r} must be a non-empty string; got {v!r}")
    return v.strip()


def _stage(d: Mapping[str, Any], where: str) -> Stage:
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}: a stage must be a mapping; got {d!r}")
    return Stage(
        name=_text(d, "name", where),
        burn_s=_pos(d, "burn_s", where),
        coast_before_s=_num(d, "coast_before_s", where) if "coast_before_s" in d else 0.0,
        propellant_kg=_pos(d, "propellant_kg", where),
        dry_kg=_pos(d, "dry_kg", where),
        isp_s=_pos(d, "isp_s", where),
        area_m2=_pos(d, "area_m2", where),
        cd=_pos(d, "cd", where),
        spent_cd=_pos(d, "spent_cd", where),
        plume_w_sr=_pos(d, "plume_w_sr", where),
        rcs_m2=_pos(d, "rcs_m2", where),
        source=_text(d, "source", where),
    )


def _vehicle(name: str, d: Mapping[str, Any]) -> Vehicle:
    where = f"vehicle {name!r}"
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}: must be a mapping; got {d!r}")
    cls = _text(d, "class", where)
    if cls not in VEHICLE_CLASSES:
        raise ValueError(f"{where}: class {cls!r} is not one of {VEHICLE_CLASSES}")
    stages_raw = d.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise ValueError(f"{where}: 'stages' must be a non-empty list")
    stages = tuple(_stage(s, f"{where} stage {i + 1}") for i, s in enumerate(stages_raw))
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: stage names {names} are not unique")
    launch = d.get("launch")
    if not isinstance(launch, Mapping):
        raise ValueError(f"{where}: 'launch' must be a mapping")
    lw = f"{where} launch"
    body_raw = d.get("body")
    if not isinstance(body_raw, Mapping):
        raise ValueError(f"{where}: 'body' must be a mapping")
    bw = f"{where} body"
    body = ReentryBody(
        mass_kg=_pos(body_raw, "mass_kg", bw),
        cd=_pos(body_raw, "cd", bw),
        area_m2=_pos(body_raw, "area_m2", bw),
        rcs_m2=_pos(body_raw, "rcs_m2", bw),
        source=_text(body_raw, "source", bw),
    )
    payload = _pos(d, "payload_mass_kg", where)
    if body.mass_kg > payload:
        raise ValueError(f"{where}: body mass_kg {body.mass_kg} exceeds payload_mass_kg {payload}")
    elev = _num(launch, "nominal_elevation_deg", lw)
    if not 0.0 < elev <= 90.0:
        raise ValueError(f"{lw}: nominal_elevation_deg must be in (0, 90]; got {elev}")
    v = Vehicle(
        name=name,
        vehicle_class=cls,
        description=_text(d, "description", where),
        source=_text(d, "source", where),
        payload_mass_kg=payload,
        body=body,
        stages=stages,
        vertical_rise_s=_num(launch, "vertical_rise_s", lw),
        pitch_over_s=_num(launch, "pitch_over_s", lw),
        pitch_hold_s=_num(launch, "pitch_hold_s", lw),
        nominal_elevation_deg=elev,
        separation_dv_m_s=_num(d, "separation_dv_m_s", where),
        aimable=bool(d.get("aimable", True)),
        orbital=bool(d.get("orbital", False)),
        horizontal_upper_stages=bool(launch.get("horizontal_upper_stages", False)),
    )
    g = v.launch_mass_kg * G0_M_S2
    if stages[0].thrust_n <= g:
        raise ValueError(
            f"{where}: first-stage thrust {stages[0].thrust_n / 1e3:.0f} kN does not exceed "
            f"lift-off weight {g / 1e3:.0f} kN"
        )
    return v


def parse_catalog(doc: Any) -> Mapping[str, Vehicle]:
    """Validate a parsed catalog document (``{'vehicles': {name: {...}}}``)."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("vehicles"), Mapping):
        raise ValueError("vehicle catalog must be a mapping with a 'vehicles' mapping")
    out = {str(k): _vehicle(str(k), v) for k, v in doc["vehicles"].items()}
    return MappingProxyType(out)


_MERGED_MAPPINGS = ("launch", "body")


def _extend(base: Mapping[str, Any], over: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A user entry laid over the raw entry it extends: top-level fields replace the base's,
    ``launch`` and ``body`` merge field by field, and ``stages`` is either a list (the
    whole stack, replaced) or a mapping from stage name to the fields that change."""
    out = copy.deepcopy(dict(base))
    for key, val in over.items():
        if key == "extends":
            continue
        if key in _MERGED_MAPPINGS and isinstance(val, Mapping):
            merged = dict(out.get(key) or {})
            merged.update(val)
            out[key] = merged
        elif key == "stages" and isinstance(val, Mapping):
            stages = [dict(st) for st in out.get("stages") or []]
            names = [st.get("name") for st in stages]
            for sname, fields in val.items():
                if sname not in names:
                    raise ValueError(
                        f"{where}: stages: no stage {sname!r} to change in the vehicle it "
                        f"extends; its stages are {names}"
                    )
                if not isinstance(fields, Mapping):
                    raise ValueError(f"{where}: stages.{sname} must be a mapping of fields")
                stages[names.index(sname)].update(fields)
            out["stages"] = stages
        else:
            out[key] = copy.deepcopy(val)
    return out


@lru_cache(maxsize=1)
def _packaged_raw() -> Mapping[str, Any]:
    text = resources.files("earlywarn").joinpath("data", "vehicles.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    return MappingProxyType(dict(doc["vehicles"]))


def extend_catalog(
    user: Mapping[str, Any],
    where: str = "vehicles",
) -> Mapping[str, Vehicle]:
    """The packaged catalog plus user-defined vehicles (a scenario's ``vehicles:`` section
    or a ``--vehicles`` file's ``vehicles:`` mapping).

    Each user entry has the catalog's schema and units and needs its own ``source``; with
    ``extends: NAME`` it starts from a packaged (or earlier user) vehicle and gives only
    what changes (see :func:`_extend`). A user entry may not reuse a packaged name.
    Raises ``ValueError`` naming the vehicle and field.
    """
    if not isinstance(user, Mapping):
        raise ValueError(f"{where}: must be a mapping from vehicle name to its fields")
    raw: dict[str, Any] = dict(_packaged_raw())
    out: dict[str, Vehicle] = dict(_packaged_catalog())
    for name, entry in user.items():
        name = str(name)
        w = f"{where}.{name}"
        if name in _packaged_raw():
            raise ValueError(
                f"{w}: {name!r} is a catalog vehicle; give the new vehicle its own name and "
                f"'extends: {name}'"
            )
        if not isinstance(entry, Mapping):
            raise ValueError(f"{w}: must be a mapping of fields; got {entry!r}")
        if "source" not in entry:
            raise ValueError(f"{w}: missing field 'source' (where its figures come from)")
        base_name = entry.get("extends")
        if base_name is not None:
            if base_name not in raw:
                raise ValueError(
                    f"{w}: extends {base_name!r}, which is not a known vehicle; known: "
                    f"{', '.join(sorted(raw))}"
                )
            merged = _extend(raw[base_name], entry, w)
        else:
            merged = dict(entry)
        raw[name] = merged
        try:
            out[name] = _vehicle(name, merged)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return MappingProxyType(out)


def load_user_vehicles(path: str | Path) -> Mapping[str, Vehicle]:
    """The packaged catalog extended by the ``vehicles:`` mapping of a YAML file."""
    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text("utf-8"))
    except OSError as exc:
        raise ValueError(f"{p}: cannot read the vehicles file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{p}: not valid YAML: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("vehicles"), Mapping):
        raise ValueError(f"{p}: a vehicles file is a mapping with a 'vehicles' mapping")
    return extend_catalog(doc["vehicles"], where=f"{p}: vehicles")


def load_catalog(path: str | Path | None = None) -> Mapping[str, Vehicle]:
    """Load and validate the vehicle catalog (default: the packaged ``vehicles.yaml``).

    Returns a read-only mapping from name to :class:`Vehicle`. Each call reads the file;
    keep the result if you need it more than once (there is no hidden cache).
    """
    if path is None:
        text = resources.files("earlywarn").joinpath("data", "vehicles.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return parse_catalog(yaml.safe_load(text))


@lru_cache(maxsize=1)
def _packaged_catalog() -> Mapping[str, Vehicle]:
    # the packaged catalog is read-only data of immutable vehicles: parse it once for
    # get_vehicle (the evaluation asks for one vehicle per launch of every run)
    return load_catalog()


def get_vehicle(name: str, catalog: Mapping[str, Vehicle] | None = None) -> Vehicle:
    """The vehicle called ``name``; an unknown name raises ``ValueError`` listing the known.

    Without ``catalog``, the packaged catalog (parsed once per process).
    """
    cat = _packaged_catalog() if catalog is None else catalog
    try:
        return cat[name]
    except KeyError:
        raise ValueError(
            f"unknown vehicle {name!r}; known vehicles: {', '.join(sorted(cat))}"
        ) from None
