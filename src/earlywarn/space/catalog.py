"""Catalogs of resident space objects: satellites, rocket bodies, debris.

One type, :class:`Catalog`, serves two owners that must never be confused:

* the **simulated sky** (``scenario.sky.catalog``): the objects that truly fly over the
  sensors, flown with SGP4 and seen by the radars by their radar cross section;
* the **center's own catalog** (``scenario.center.catalog``, the live center's config): what
  the analysis center knows of the sky, used to recognise a radar track as a known object.
  It is an input like the sensor registry, not truth: it may be stale, partial or wrong.

Formats, as people download them (the format by the file's suffix, :func:`load_catalog`):

* CCSDS OMM in **JSON** (``.json``: a list of objects, or one object; CelesTrak's and
  Space-Track's ``GP`` key layout, numbers as JSON numbers or strings);
* OMM in **CSV** (``.csv``: one header row of the same keys, one object a row);
* OMM in **XML** (``.xml``: CCSDS NDM/XML, ``<omm>`` elements with ``<segment>``s whose
  ``metadata``, ``meanElements`` and ``tleParameters`` hold the keys; namespaces ignored).
  ``sgp4.omm.parse_xml`` drops the ``userDefinedParameters`` block where Space-Track puts
  ``OBJECT_TYPE`` and ``RCS_SIZE`` (as ``<USER_DEFINED parameter="RCS_SIZE">``), so the
  XML is read here; ``sgp4.omm.parse_csv`` is a plain ``csv.DictReader`` and keeps them;
* two- or three-line element sets (``.tle``, ``.txt``, ``.3le``; a name line may start
  with ``0 ``).

Besides the orbital elements the catalog reads the Space-Track fields ``OBJECT_TYPE``
(PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN or TBA; missing means UNKNOWN) and ``RCS_SIZE``
(SMALL, MEDIUM, LARGE; missing means MEDIUM); TLE files carry neither, so their objects
are ``unknown`` with the MEDIUM cross section. See :data:`RCS_SIZE_M2` for the values
used. Every error names the file, the record (JSON record, CSV row and line, XML segment,
TLE line), the field, the value given and what is allowed.

The shipped **sample catalog** (:func:`sample_catalog`) is notional, made by
``tools/make_sample_catalog.py``; its element sets are placed at a scenario's epoch (see
:func:`sample_catalog`). A user's catalog file is used as given.

Propagation goes through :func:`earlywarn.space.orbits.ephemeris_ecef` (one
:class:`sgp4.api.SatrecArray` call for the whole catalog); an object whose SGP4 solution
has decayed has status 6 and NaN states from then on.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.time import gmst_rad, parse_utc
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

CATALOG_SUFFIXES = (".json", ".csv", ".xml", ".tle", ".txt", ".3le")
"""The catalog file suffixes :func:`load_catalog` reads (OMM JSON, CSV, XML; TLE)."""

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

    def counts_by_type(self) -> dict[str, int]:
        """Number of objects of each of :data:`OBJECT_TYPES` (all types listed, zeros too)."""
        return {t: sum(o.object_type == t for o in self.objects) for t in OBJECT_TYPES}

    @property
    def rcs_m2(self) -> FloatArray:
        return np.array([o.rcs_m2 for o in self.objects], dtype=np.float64)

    def states_ecef(self, epoch: datetime | str, t_s: npt.ArrayLike) -> Ephemeris:
        """Every object at the times ``t_s`` (seconds since ``epoch``): ``(n, *T, 3)``."""
        return ephemeris_ecef([o.orbit for o in self.objects], epoch, t_s)


def _object_type(raw: object, where: str) -> str:
    text = str(raw or "").strip().upper().replace(" ", "_")
    kinds = {"PAYLOAD": "payload", "ROCKET_BODY": "rocket_body", "DEBRIS": "debris"}
    if text in kinds:
        return kinds[text]
    if text in ("", "UNKNOWN", "TBA"):
        return "unknown"
    raise ValueError(
        f"{where} OBJECT_TYPE: got {raw!r}; allowed PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN, "
        "TBA or empty"
    )


def _rcs(fields: Mapping[str, Any], where: str) -> float:
    raw = fields.get("RCS_SIZE")
    size = str(raw or "MEDIUM").strip().upper()
    if size not in RCS_SIZE_M2:
        raise ValueError(
            f"{where} RCS_SIZE: got {raw!r}; allowed {', '.join(RCS_SIZE_M2)} or empty"
        )
    return RCS_SIZE_M2[size]


def catalog_from_omm(
    records: Sequence[Mapping[str, Any]],
    source: str = "OMM",
    labels: Sequence[str] | None = None,
) -> Catalog:
    """A catalog from OMM records in the JSON key layout (one mapping per object).

    ``source`` (a file name) and ``labels`` (one per record, e.g. ``"row 3 (line 4)"``;
    default ``"record N"``) name where a bad record is in the messages.
    """
    out = []
    for i, rec in enumerate(records):
        where = f"{source} {labels[i] if labels is not None else f'record {i + 1}'}:"
        if not isinstance(rec, Mapping):
            raise ValueError(
                f"{where} got {type(rec).__name__}; an OMM record is an object of KEY: value"
            )
        try:
            orbit = omm_orbit(rec)
        except ValueError as exc:
            raise ValueError(f"{where} {exc}") from None
        out.append(
            CatalogObject(
                norad_id=orbit.norad_id,
                name=orbit.name,
                object_type=_object_type(rec.get("OBJECT_TYPE"), where),
                rcs_m2=_rcs(rec, where),
                orbit=orbit,
            )
        )
    return Catalog(tuple(out))


def catalog_from_tle(text: str, source: str = "TLE") -> Catalog:
    """A catalog from two- or three-line element sets (type unknown, MEDIUM cross section)."""
    try:
        orbits = parse_tle(text)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None
    return Catalog(
        tuple(
            CatalogObject(o.norad_id, o.name, "unknown", RCS_SIZE_M2["MEDIUM"], o) for o in orbits
        )
    )


def omm_csv_records(text: str, source: str = "CSV") -> tuple[list[dict[str, str]], list[str]]:
    """OMM records of CSV text (a header row of OMM keys) and their ``row N (line L)`` labels."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValueError(f"{source}: empty CSV; expected a header row of OMM keys")
    records: list[dict[str, str]] = []
    labels: list[str] = []
    for row in reader:
        if None in row:
            raise ValueError(
                f"{source} row {len(records) + 1} (line {reader.line_num}): more values "
                f"than the {len(reader.fieldnames)} header columns; one value per column "
                "is allowed"
            )
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        records.append({k.strip(): (v or "").strip() for k, v in row.items()})
        labels.append(f"row {len(records)} (line {reader.line_num})")
    return records, labels


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def omm_xml_records(text: str, source: str = "XML") -> tuple[list[dict[str, str]], list[str]]:
    """OMM records of CCSDS NDM/XML text and their ``segment N`` labels (user-defined
    parameters such as ``OBJECT_TYPE`` and ``RCS_SIZE`` included)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        raise ValueError(
            f"{source}: not well-formed XML at line {line}, column {col + 1}; expected a "
            "CCSDS OMM (NDM/XML) document"
        ) from None
    segments = [el for el in root.iter() if _local(el.tag) == "segment"]
    if not segments:
        raise ValueError(
            f"{source}: no <segment> element; a CCSDS OMM in XML holds one <segment> "
            "(metadata and data) per object"
        )
    records: list[dict[str, str]] = []
    labels: list[str] = []
    for i, seg in enumerate(segments):
        fields: dict[str, str] = {}
        for el in seg.iter():
            name = _local(el.tag)
            if name == "USER_DEFINED" and el.get("parameter"):
                fields[str(el.get("parameter")).strip()] = (el.text or "").strip()
            elif len(el) == 0 and name.isupper():
                fields[name] = (el.text or "").strip()
        records.append(fields)
        labels.append(f"segment {i + 1}")
    return records, labels


def load_catalog(path: PathLike) -> Catalog:
    """A catalog file, its format by suffix: ``.json``, ``.csv``, ``.xml`` (OMM) or
    ``.tle``/``.txt``/``.3le`` (two- or three-line element sets)."""
    name = str(path) if isinstance(path, (str, Path)) else path.name
    suffix = Path(path.name if not isinstance(path, str) else path).suffix.lower()
    allowed = ".json (OMM), .csv (OMM), .xml (OMM), .tle/.txt/.3le (TLE)"
    if suffix not in CATALOG_SUFFIXES:
        raise ValueError(f"catalog {name!r}: unknown format {suffix!r}; allowed {allowed}")
    try:
        raw = (Path(path) if isinstance(path, str) else path).read_bytes()
    except OSError as exc:
        raise ValueError(f"catalog {name!r}: cannot read the file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"catalog {name!r}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); a catalog file is text ({allowed})"
        ) from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        if isinstance(data, Mapping):
            data = [data]
        if not isinstance(data, list):
            raise ValueError(
                f"{name}: got a JSON {type(data).__name__}; expected an OMM object or a list "
                "of them"
            )
        return catalog_from_omm(data, name)
    if suffix == ".csv":
        records, labels = omm_csv_records(text, name)
        return catalog_from_omm(records, name, labels)
    if suffix == ".xml":
        records, labels = omm_xml_records(text, name)
        return catalog_from_omm(records, name, labels)
    return catalog_from_tle(text, name)


SAMPLE_EPOCH = "2026-01-01T00:00:00"
"""The element epoch written in the sample catalog file (notional: see :func:`sample_catalog`)."""


def sample_records() -> list[dict[str, Any]]:
    """The sample catalog's OMM records as stored (element epoch :data:`SAMPLE_EPOCH`)."""
    path = resources.files("earlywarn") / "data" / SAMPLE_CATALOG
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def sample_catalog(epoch: datetime | str | None = None) -> Catalog:
    """The shipped sample catalog (:data:`SAMPLE_CATALOG`), placed at ``epoch``.

    The sample's element sets are notional, so they belong to no date. With ``epoch``
    given (a scenario's epoch) every element set is moved to it: its EPOCH becomes
    ``epoch`` and its right ascension of the ascending node turns by the Greenwich sidereal
    angle between :data:`SAMPLE_EPOCH` and ``epoch``; the other elements stay as written.
    So the sample's sky *relative to the ground and to the scenario start* is the same in
    a 1962 scenario as in a 2026 one: each object starts over the same point of the Earth,
    the GEO objects over their longitudes, the Molniya apogees over theirs, and the
    decaying objects re-enter the same hours after the start. (Sun-relative geometry,
    e.g. a sun-synchronous plane's local time, is not kept; no sensor here uses it. The
    deep-space objects, GEO and Molniya, also take SDP4's lunar and solar periodic terms
    of the date: up to ~0.1° of their orbit, tens of kilometres.)
    Without ``epoch`` the stored epoch is kept.
    """
    records = sample_records()
    if epoch is not None:
        ep = parse_utc(epoch)
        turn_deg = math.degrees(
            float(gmst_rad(ep, 0.0)) - float(gmst_rad(parse_utc(SAMPLE_EPOCH + "Z"), 0.0))
        )
        text = ep.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%f")
        records = [
            {**r, "EPOCH": text, "RA_OF_ASC_NODE": (float(r["RA_OF_ASC_NODE"]) + turn_deg) % 360.0}
            for r in records
        ]
    return catalog_from_omm(records, SAMPLE_CATALOG)
