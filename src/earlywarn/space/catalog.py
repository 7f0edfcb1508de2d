"""Catalogs of resident space objects: satellites, rocket bodies, debris.

One type, :class:`Catalog`, serves two owners that must never be confused:

* the **simulated sky** (``scenario.sky.catalog``): the objects that truly fly over the
  sensors, flown with SGP4 and seen by the radars by their radar cross section;
* the **center's own catalog** (``scenario.center.catalog``, the live center's config): what
  the analysis center knows of the sky, used to recognise a radar track as a known object.
  It is an input like the sensor registry, not truth: it may be stale, partial or wrong.

Formats, as people download them: CCSDS OMM in JSON (a list of objects, CelesTrak and
Space-Track's ``GP`` layout), CSV and XML, and two- or three-line element sets
(``.tle``, ``.txt``, ``.3le``). Besides the orbital elements the catalog reads the
Space-Track fields ``OBJECT_TYPE`` (PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN) and
``RCS_SIZE`` (SMALL, MEDIUM, LARGE); TLE files carry neither, so their objects are
``unknown`` with the MEDIUM cross section. See :data:`RCS_SIZE_M2` for the values used.

Propagation goes through :func:`earlywarn.space.orbits.ephemeris_ecef` (one
:class:`sgp4.api.SatrecArray` call for the whole catalog); an object whose SGP4 solution
has decayed has status 6 and NaN states from then on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.space.orbits import (
    Ephemeris,
    PathLike,
    Sgp4Orbit,
    ephemeris_ecef,
    omm_orbit,
    parse_tle,
)

FloatArray = npt.NDArray[np.float64]

OBJECT_TYPES = ("payload", "rocket_body", "debris", "unknown")
"""The object types of a catalog entry (Space-Track's OBJECT_TYPE, in snake case)."""

RCS_SIZE_M2: dict[str, float] = {"SMALL": 0.05, "MEDIUM": 0.5, "LARGE": 5.0}
"""Representative mean RCS of Space-Track's RCS_SIZE classes (SMALL < 0.1 m², MEDIUM
0.1–1 m², LARGE > 1 m²; Space-Track's GP class documentation): the geometric middle of
each class, 5 m² for the open-ended LARGE class."""

SAMPLE_CATALOG = "sample_catalog.json"
"""The shipped sample catalog (``earlywarn/data``), made by ``scripts/make_sample_catalog.py``."""


@dataclass(frozen=True)
class CatalogObject:
    """One catalogued object: its element set, what it is and how large it looks to radar."""

    norad_id: int
    name: str
    object_type: str
    rcs_m2: float
    orbit: Sgp4Orbit


@dataclass(frozen=True)
class Catalog:
    """An ordered set of catalogued objects (NORAD ids unique)."""

    objects: tuple[CatalogObject, ...] = ()

    def __post_init__(self) -> None:
        ids = [o.norad_id for o in self.objects]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"catalog: NORAD_CAT_ID must be unique; repeated {dup[:5]}")

    def __len__(self) -> int:
        return len(self.objects)

    @property
    def norad_id(self) -> npt.NDArray[np.int64]:
        return np.array([o.norad_id for o in self.objects], dtype=np.int64)

    @property
    def rcs_m2(self) -> FloatArray:
        return np.array([o.rcs_m2 for o in self.objects], dtype=np.float64)

    def states_ecef(self, epoch: datetime | str, t_s: npt.ArrayLike) -> Ephemeris:
        """Every object at the times ``t_s`` (seconds since ``epoch``): ``(n, *T, 3)``."""
        return ephemeris_ecef([o.orbit for o in self.objects], epoch, t_s)


def _object_type(raw: object) -> str:
    text = str(raw or "").strip().upper().replace(" ", "_")
    return {"PAYLOAD": "payload", "ROCKET_BODY": "rocket_body", "DEBRIS": "debris"}.get(
        text, "unknown"
    )


def _rcs(fields: Mapping[str, Any], where: str) -> float:
    size = str(fields.get("RCS_SIZE") or "MEDIUM").strip().upper()
    if size not in RCS_SIZE_M2:
        raise ValueError(f"{where} RCS_SIZE: got {size!r}; allowed {sorted(RCS_SIZE_M2)}")
    return RCS_SIZE_M2[size]


def catalog_from_omm(records: Sequence[Mapping[str, Any]]) -> Catalog:
    """A catalog from OMM records in the JSON key layout (one mapping per object)."""
    out = []
    for i, rec in enumerate(records):
        where = f"OMM record {i + 1}"
        try:
            orbit = omm_orbit(rec)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        out.append(
            CatalogObject(
                norad_id=orbit.norad_id,
                name=orbit.name,
                object_type=_object_type(rec.get("OBJECT_TYPE")),
                rcs_m2=_rcs(rec, where),
                orbit=orbit,
            )
        )
    return Catalog(tuple(out))


def catalog_from_tle(text: str) -> Catalog:
    """A catalog from two- or three-line element sets (type unknown, MEDIUM cross section)."""
    return Catalog(
        tuple(
            CatalogObject(o.norad_id, o.name, "unknown", RCS_SIZE_M2["MEDIUM"], o)
            for o in parse_tle(text)
        )
    )


def load_catalog(path: PathLike) -> Catalog:
    """A catalog file, its format by suffix: ``.json`` (OMM), ``.tle``/``.txt``/``.3le``."""
    import json

    name = path.name if not isinstance(path, str) else Path(path).name
    suffix = Path(name).suffix.lower()
    text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    if suffix == ".json":
        data = json.loads(text)
        return catalog_from_omm([data] if isinstance(data, Mapping) else data)
    if suffix in (".tle", ".txt", ".3le"):
        return catalog_from_tle(text)
    raise ValueError(
        f"catalog {name!r}: unknown format {suffix!r}; allowed .json (OMM), .csv (OMM), "
        ".xml (OMM), .tle/.txt/.3le (TLE)"
    )


def sample_catalog() -> Catalog:
    """The shipped sample catalog (:data:`SAMPLE_CATALOG`)."""
    return load_catalog(resources.files("earlywarn") / "data" / SAMPLE_CATALOG)
