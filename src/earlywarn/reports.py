"""Reports: the one contract between sensors and the analysis center.

The simulator produces reports; a live deployment receives the same records over the
network. One schema, one validator, versioned. Reports carry no truth.

Three kinds, each a fixed set of columns (SI units, the unit in every name that is not
obvious from the quantity). Every report carries the common columns:

``schema``     str    the schema version, :data:`SCHEMA_VERSION`
``kind``       str    ``"ir"``, ``"radar"`` or ``"status"``
``mode``       str    the report's provenance, one of :data:`MODES`: ``"live"``,
                      ``"exercise"``, ``"test"`` or ``"replay"`` (a center of one mode
                      uses only reports of that mode: :mod:`earlywarn.center.intake`)
``sensor_id``  str    the reporting sensor
``seq``        int64  per sensor, strictly increasing across all its reports (any kind)
``t_s``        float  seconds since the scenario epoch
``time_utc``   str    the same instant, ISO 8601 with ``Z`` (millisecond resolution;
                      ``t_s`` is the exact value, ``time_utc`` is within 0.5 ms of it)

Forms
-----
* :class:`ReportBatch` — columnar: per kind a dict of numpy arrays (strings as numpy
  ``str`` arrays, integers ``int64``, floats ``float64``), plus the scenario ``epoch_utc``.
  A batch is held in *canonical order*: within each kind rows sorted by
  ``(t_s, sensor_id, seq)``. The global order across kinds (:meth:`ReportBatch.merged_order`)
  sorts by ``(t_s, kind, sensor_id, seq)`` with kinds ordered as in :data:`KINDS`.
* Arrow — one table per kind (:func:`arrow_schema`); the epoch and schema version are in
  the table's schema metadata (``earlywarn.epoch_utc``, ``earlywarn.schema``).
* Parquet — a directory with **one file per kind**: ``ir.parquet``, ``radar.parquet``,
  ``status.parquet`` (all three always written, possibly empty). Scoring truth, when
  written, sits beside them as ``truth_labels.parquet`` (:class:`ReportTruth`); the center
  never reads it.
* JSON — one object per report with exactly the common + kind columns (the stream form,
  time-ordered across kinds, one line each in JSONL). The epoch is not in the records:
  :meth:`ReportBatch.from_json_records` takes it as an argument.

Versions
--------
``earlywarn.report/2`` added ``mode``. Records, tables and files of
``earlywarn.report/1`` (no ``mode``) are still read: they are taken as ``"live"`` (the
only mode that existed then) and upgraded to the current version on reading
(:func:`upgrade_record`, :func:`upgrade_columns`); readers say how many they upgraded.

Validation
----------
:func:`validate_record` checks one JSON-style record; :func:`validate_batch` checks a
whole batch, column-wise (types, finiteness, ranges, unit line-of-sight, ISO time text
consistent with ``t_s``) and across rows (``seq`` unique and strictly increasing in time
order per sensor, across all kinds). Both raise :class:`ReportError` naming the field,
the value and what is allowed.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from earlywarn.earth.time import iso_utc, iso_utc_many, parse_utc

SCHEMA_VERSION = "earlywarn.report/2"
SCHEMA_V1 = "earlywarn.report/1"
"""The previous version (no ``mode`` column): read as mode ``"live"``."""

KINDS = ("ir", "radar", "status")

MODES = ("live", "exercise", "test", "replay")
"""Report provenance: live sensor data, an exercise (training) scenario, a test tape, or
reports re-sent from a record. A center takes only its own mode."""

COMMON_COLUMNS: dict[str, str] = {
    "schema": "str",
    "kind": "str",
    "mode": "str",
    "sensor_id": "str",
    "seq": "int64",
    "t_s": "float64",
    "time_utc": "str",
}

IR_COLUMNS: dict[str, str] = {
    # line of sight from the satellite to the detection, unit vector in ECEF
    "los_x": "float64",
    "los_y": "float64",
    "los_z": "float64",
    # the satellite's ECEF position at t_s
    "sat_x_m": "float64",
    "sat_y_m": "float64",
    "sat_z_m": "float64",
    "sigma_rad": "float64",  # one-sigma angular noise of the line of sight, per axis
    "intensity_w_sr": "float64",  # measured (noisy) radiant intensity
    "snr": "float64",
    "frame_id": "int64",  # the payload's frame (or scan) counter
}

RADAR_COLUMNS: dict[str, str] = {
    # the radar site (geodetic WGS84), so a report is usable on its own
    "site_lat_rad": "float64",
    "site_lon_rad": "float64",
    "site_h_m": "float64",
    "range_m": "float64",
    "azimuth_rad": "float64",  # clockwise from north, local ENU at the site, [0, 2π)
    "elevation_rad": "float64",  # from the local horizontal (ellipsoid normal)
    "range_rate_m_s": "float64",
    "sigma_range_m": "float64",
    "sigma_azimuth_rad": "float64",
    "sigma_elevation_rad": "float64",
    "sigma_range_rate_m_s": "float64",
    "snr": "float64",
    "face_id": "str",
    "scan_id": "int64",  # the face's scan counter
}

STATUS_COLUMNS: dict[str, str] = {
    "state": "str",  # "ok", "degraded" or "outage"
    "period_s": "float64",  # the interval until the next heartbeat is due
}

STATUS_STATES = ("ok", "degraded", "outage")

TRUTH_LABELS = ("clutter", "glint", "fire", "false_alarm", "corrupt")
"""Scoring-only labels for reports with no true object (besides object ids)."""

KIND_COLUMNS: dict[str, dict[str, str]] = {
    "ir": IR_COLUMNS,
    "radar": RADAR_COLUMNS,
    "status": STATUS_COLUMNS,
}

LOS_UNIT_TOL = 1e-6
"""Allowed deviation of |los| from 1."""
TIME_TEXT_TOL_S = 0.0015
"""Allowed difference between ``time_utc`` and ``epoch + t_s`` (text has ms resolution)."""

_ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")

Column = npt.NDArray[Any]
Columns = Mapping[str, Column]


class ReportError(ValueError):
    """A report or batch breaks the schema; the message names field, value and what is allowed.

    ``field`` and ``value`` name the offending field and its value when one field is at
    fault (None otherwise), so a reader can list a rejected record without parsing the
    message."""

    def __init__(self, message: str, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


@dataclass(frozen=True)
class Rejection:
    """One record a lenient reader or the center's intake refused, named: where it was
    (``"line 12"`` of a JSON-lines stream, ``"row 40"`` of a table, 0-based), the field
    at fault (``""`` when the record as a whole is), its value (as text, cut to 80
    characters) and why."""

    where: str
    field: str
    value: str
    reason: str

    @staticmethod
    def of(where: str, field: str | None, value: object, reason: str) -> Rejection:
        text = value if isinstance(value, str) else repr(value)
        return Rejection(where, field or "", text[:80], reason)

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "field": self.field, "value": self.value,
                "reason": self.reason}  # fmt: skip


def upgrade_record(obj: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """A JSON-style record of :data:`SCHEMA_V1` (no ``mode``) as the current version, mode
    ``"live"``; any other record unchanged. Returns the record and whether it was upgraded."""
    if isinstance(obj, Mapping) and obj.get("schema") == SCHEMA_V1 and "mode" not in obj:
        return {**obj, "schema": SCHEMA_VERSION, "mode": "live"}, True
    return obj, False


def upgrade_columns(cols: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """Loose columns of one kind with ``mode`` filled where absent: rows of
    :data:`SCHEMA_V1` (or with no ``schema`` column) become the current version, mode
    ``"live"``. Returns the columns and how many rows had a :data:`SCHEMA_V1` schema."""
    out = dict(cols)
    if "mode" in out or "t_s" not in out:
        return out, 0
    n = int(np.asarray(out["t_s"]).shape[0])
    n_v1 = 0
    if "schema" in out:
        schema = np.asarray(out["schema"]).astype(str) if n else np.zeros(0, "<U1")
        v1 = schema == SCHEMA_V1
        n_v1 = int(v1.sum())
        if n_v1:
            out["schema"] = np.where(v1, SCHEMA_VERSION, schema)
    out["mode"] = np.full(n, "live")
    return out, n_v1


def columns_of(kind: str) -> dict[str, str]:
    """All columns (common first, then the kind's own) with their type names."""
    if kind not in KIND_COLUMNS:
        raise ReportError(f"kind {kind!r} is not one of {KINDS}")
    return {**COMMON_COLUMNS, **KIND_COLUMNS[kind]}


# --------------------------------------------------------------------------------------
# Value rules shared by the record and the batch validators (vectorised over a column).
# Each rule: field -> (predicate on the column giving a bool "ok" array, what is allowed).

_TWO_PI = 2.0 * math.pi
_HALF_PI = 0.5 * math.pi


def _nonneg(a: Column) -> Column:
    return np.asarray(a >= 0)


def _positive(a: Column) -> Column:
    return np.asarray(a > 0)


_RULES: dict[str, tuple[Callable[[Column], Column], str]] = {
    "seq": (_nonneg, "an integer >= 0"),
    "frame_id": (_nonneg, "an integer >= 0"),
    "scan_id": (_nonneg, "an integer >= 0"),
    "sigma_rad": (_positive, "a finite number > 0 (the detector weighs rays by 1/σ²)"),
    # the radar tracker weighs each measured component by 1/σ² (a zero σ is no model)
    "sigma_range_m": (_positive, "a finite number > 0 (the tracker weighs by 1/σ²)"),
    "sigma_azimuth_rad": (_positive, "a finite number > 0 (the tracker weighs by 1/σ²)"),
    "sigma_elevation_rad": (_positive, "a finite number > 0 (the tracker weighs by 1/σ²)"),
    "sigma_range_rate_m_s": (_positive, "a finite number > 0 (the tracker weighs by 1/σ²)"),
    "intensity_w_sr": (_nonneg, "a finite number >= 0"),
    "range_m": (_positive, "a finite number > 0"),
    "period_s": (_positive, "a finite number > 0"),
    "azimuth_rad": (lambda a: np.asarray((a >= 0) & (a < _TWO_PI)), "a number in [0, 2π)"),
    "elevation_rad": (
        lambda a: np.asarray(np.abs(a) <= _HALF_PI),
        "a number in [-π/2, π/2]",
    ),
    "site_lat_rad": (lambda a: np.asarray(np.abs(a) <= _HALF_PI), "a number in [-π/2, π/2]"),
    "site_lon_rad": (lambda a: np.asarray(np.abs(a) <= math.pi), "a number in [-π, π]"),
    "sensor_id": (lambda a: np.char.str_len(a.astype(str)) > 0, "a non-empty string"),
    "face_id": (lambda a: np.char.str_len(a.astype(str)) > 0, "a non-empty string"),
    "state": (lambda a: np.isin(a, STATUS_STATES), f"one of {STATUS_STATES}"),
    "mode": (lambda a: np.isin(a, MODES), f"one of {MODES}"),
}


def _fail(kind: str, name: str, value: object, allowed: str, where: str = "") -> ReportError:
    loc = f" ({where})" if where else ""
    return ReportError(
        f"{kind} report field {name!r}{loc}: got {value!r}; expected {allowed}", name, value
    )


def _check_time_text(kind: str, text: Column, where: Callable[[int], str]) -> None:
    for i, s in enumerate(text.tolist()):
        if not isinstance(s, str) or not _ISO_Z.match(s):
            raise _fail(kind, "time_utc", s, "ISO 8601 UTC text ending in Z", where(i))


def _time_text_seconds(epoch: datetime, text: Column) -> npt.NDArray[np.float64]:
    """Seconds since ``epoch`` of ISO-Z strings (vectorised through datetime64[us])."""
    stripped = np.char.rstrip(np.asarray(text, dtype=str), "Z")
    stamps = stripped.astype("datetime64[us]")
    base = np.datetime64(epoch.replace(tzinfo=None), "us")
    return np.asarray((stamps - base).astype(np.int64) * 1e-6, dtype=np.float64)


def _value_at(a: Column) -> Callable[[int], object]:
    return lambda i: a[i].item()


def _value_faults(
    kind: str, cols: Columns
) -> Iterator[tuple[str, npt.NDArray[np.bool_], str, Callable[[int], object]]]:
    """The value rules of one kind, each as ``(field, bad-row mask, what is allowed, the
    offending value of row i)``: shared by the raising validators and :func:`bad_rows`."""
    schema = cols["schema"]
    yield (
        "schema",
        np.asarray(schema != SCHEMA_VERSION),
        f"{SCHEMA_VERSION!r} (the only version this reader knows)",
        lambda i: schema[i],
    )
    kcol = cols["kind"]
    yield "kind", np.asarray(kcol != kind), f"{kind!r} (one of {KINDS})", lambda i: kcol[i]
    for name, typ in columns_of(kind).items():
        a = cols[name]
        if typ == "float64":
            yield (
                name,
                ~np.isfinite(a),
                "a finite number (no NaN/inf)",
                _value_at(a),
            )
        rule = _RULES.get(name)
        if rule is not None and a.size:
            with np.errstate(invalid="ignore"):
                ok = rule[0](a)
            yield name, ~ok, rule[1], _value_at(a)
    if kind == "ir" and cols["los_x"].size:
        with np.errstate(over="ignore", invalid="ignore"):
            norm = np.sqrt(cols["los_x"] ** 2 + cols["los_y"] ** 2 + cols["los_z"] ** 2)
            off = ~(np.abs(norm - 1.0) <= LOS_UNIT_TOL)
        yield (
            "los_x/los_y/los_z",
            off,
            f"a unit vector (| |los| - 1 | <= {LOS_UNIT_TOL})",
            lambda i: f"|los| = {float(norm[i])!r}",
        )


def bad_rows(kind: str, cols: Columns) -> npt.NDArray[np.bool_]:
    """Rows of typed columns of one kind that break a value rule (types, finiteness,
    ranges, unit line of sight; the ``time_utc`` text is not looked at): what the center's
    intake refuses, vectorised over the rows."""
    n = int(cols["t_s"].shape[0])
    bad = np.zeros(n, dtype=bool)
    if n:
        for _, mask, _, _ in _value_faults(kind, cols):
            bad |= mask
    return bad


def row_faults(
    kind: str, cols: Columns, epoch: datetime | None = None
) -> dict[int, tuple[str, object, str]]:
    """Every row of typed columns of one kind that breaks a value rule, with its first
    fault: ``{row: (field, value, what is allowed)}``. Besides :func:`bad_rows`' rules the
    ``time_utc`` text is checked (ISO 8601 Z, and with ``epoch`` its agreement with
    ``epoch + t_s``). What a lenient reader rejects row by row."""
    out: dict[int, tuple[str, object, str]] = {}
    if not cols["t_s"].size:
        return out
    for name, mask, allowed, value in _value_faults(kind, cols):
        for i in np.flatnonzero(mask).tolist():
            if i not in out:
                out[i] = (name, value(i), allowed)
    text = cols["time_utc"]
    ok_text = np.array(
        [isinstance(x, str) and bool(_ISO_Z.match(x)) for x in text.tolist()], dtype=bool
    )
    for i in np.flatnonzero(~ok_text).tolist():
        out.setdefault(i, ("time_utc", text[i], "ISO 8601 UTC text ending in Z"))
    if epoch is not None and ok_text.any():
        idx = np.flatnonzero(ok_text)
        with np.errstate(invalid="ignore"):
            dt = _time_text_seconds(epoch, text[idx]) - cols["t_s"][idx]
        for j in np.flatnonzero(~(np.abs(dt) <= TIME_TEXT_TOL_S)).tolist():
            i = int(idx[j])
            t = float(cols["t_s"][i])
            want = iso_utc(epoch, t) if math.isfinite(t) and abs(t) < 1e11 else "epoch + t_s"
            out.setdefault(
                i, ("time_utc", text[i], f"epoch + t_s = {want} (within {TIME_TEXT_TOL_S} s)")
            )
    return out


def _check_columns(
    kind: str,
    cols: Columns,
    epoch: datetime | None,
    where: Callable[[int], str],
) -> None:
    """Value checks on typed columns of one kind (all columns present, right dtypes)."""
    for name, mask, allowed, value in _value_faults(kind, cols):
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            if name == "schema":
                raise ReportError(
                    f"{kind} report field 'schema' ({where(i)}): got {value(i)!r}; "
                    f"this reader knows only {SCHEMA_VERSION!r}",
                    "schema",
                    value(i),
                )
            raise _fail(kind, name, value(i), allowed, where(i))
    _check_time_text(kind, cols["time_utc"], where)
    if epoch is not None and cols["t_s"].size:
        dt = _time_text_seconds(epoch, cols["time_utc"]) - cols["t_s"]
        bad = np.flatnonzero(np.abs(dt) > TIME_TEXT_TOL_S)
        if bad.size:
            i = int(bad[0])
            raise _fail(
                kind,
                "time_utc",
                cols["time_utc"][i],
                f"epoch + t_s = {iso_utc(epoch, float(cols['t_s'][i]))} "
                f"(within {TIME_TEXT_TOL_S} s)",
                where(i),
            )


def _py_type_ok(typ: str, v: object) -> bool:
    if typ == "str":
        return isinstance(v, str)
    if typ == "int64":
        return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)
    # float64: ints are accepted (JSON writes 3.0 as 3.0 but other producers may not)
    return isinstance(v, float | int | np.floating | np.integer) and not isinstance(
        v, bool | np.bool_
    )


def validate_record(obj: Mapping[str, Any], epoch_utc: str | datetime | None = None) -> None:
    """Check one report in its JSON form; raise :class:`ReportError` if it breaks the schema.

    With ``epoch_utc`` given, ``time_utc`` must also agree with ``epoch + t_s``.
    """
    if not isinstance(obj, Mapping):
        raise ReportError(f"a report must be a JSON object (dict); got {type(obj).__name__}")
    if "schema" not in obj:
        raise ReportError(
            f"report field 'schema' is missing; expected {SCHEMA_VERSION!r}", "schema", None
        )
    if obj["schema"] != SCHEMA_VERSION:
        raise ReportError(
            f"report field 'schema': got {obj['schema']!r}; this reader knows only "
            f"{SCHEMA_VERSION!r} (and {SCHEMA_V1!r} through upgrade_record)",
            "schema",
            obj["schema"],
        )
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in KIND_COLUMNS:
        raise ReportError(
            f"report field 'kind': got {kind!r}; expected one of {KINDS}", "kind", kind
        )
    spec = columns_of(kind)
    missing = [k for k in spec if k not in obj]
    if missing:
        raise ReportError(
            f"{kind} report: missing field(s) {missing}; a {kind} report has exactly {list(spec)}",
            missing[0],
            None,
        )
    extra = [k for k in obj if k not in spec]
    if extra:
        raise ReportError(
            f"{kind} report: unexpected field(s) {extra}; a {kind} report has exactly {list(spec)}",
            extra[0],
            obj[extra[0]],
        )
    cols: dict[str, Column] = {}
    for name, typ in spec.items():
        v = obj[name]
        if not _py_type_ok(typ, v):
            allowed = {"str": "a string", "int64": "an integer", "float64": "a number"}[typ]
            raise _fail(kind, name, v, f"{allowed} (not {type(v).__name__})")
        if typ == "float64" and not math.isfinite(float(v)):
            raise _fail(kind, name, v, "a finite number (no NaN/inf)")
        if typ == "int64" and not (-(2**63) <= int(v) < 2**63):
            raise _fail(kind, name, v, "an integer that fits in int64")
        cols[name] = np.asarray([v], dtype=_DTYPES[typ])
    epoch = parse_utc(epoch_utc) if epoch_utc is not None else None
    _check_columns(kind, cols, epoch, lambda i: "")


# --------------------------------------------------------------------------------------
# The columnar batch.

_DTYPES: dict[str, Any] = {"str": np.str_, "int64": np.int64, "float64": np.float64}
_ARROW: dict[str, pa.DataType] = {"str": pa.string(), "int64": pa.int64(), "float64": pa.float64()}


def arrow_schema(kind: str, epoch_utc: str | None = None) -> pa.Schema:
    """The Arrow schema of one kind (column names carry the units, as in the contract)."""
    meta = {"earlywarn.schema": SCHEMA_VERSION, "earlywarn.kind": kind}
    if epoch_utc is not None:
        meta["earlywarn.epoch_utc"] = epoch_utc
    return pa.schema(
        [pa.field(n, _ARROW[t], nullable=False) for n, t in columns_of(kind).items()],
        metadata=meta,
    )


def _canonical_epoch(epoch_utc: str | datetime) -> str:
    dt = parse_utc(epoch_utc)
    if dt.microsecond % 1000:
        raise ReportError(
            f"epoch_utc {epoch_utc!r} has sub-millisecond digits; the report schema keeps "
            "epochs to the millisecond"
        )
    return iso_utc(dt)


def _readonly(a: Column) -> Column:
    v = a.view()
    v.flags.writeable = False
    return v


def _typed_columns(kind: str, cols: Mapping[str, npt.ArrayLike], n_hint: int | None) -> dict:
    spec = columns_of(kind)
    missing = [k for k in spec if k not in cols]
    if missing:
        raise ReportError(f"{kind} columns: missing {missing}; expected exactly {list(spec)}")
    extra = [k for k in cols if k not in spec]
    if extra:
        raise ReportError(f"{kind} columns: unexpected {extra}; expected exactly {list(spec)}")
    out: dict[str, Column] = {}
    n = n_hint
    for name, typ in spec.items():
        raw = cols[name]
        a = np.asarray(raw)
        if a.ndim != 1:
            raise ReportError(f"{kind} column {name!r}: must be 1-D; got shape {a.shape}")
        if typ == "str":
            if a.size and a.dtype.kind not in "UO":
                raise ReportError(f"{kind} column {name!r}: expected strings; got {a.dtype}")
            if a.dtype.kind == "O" and not all(isinstance(x, str) for x in a.tolist()):
                raise ReportError(f"{kind} column {name!r}: expected strings only")
            a = a.astype(np.str_) if a.size else np.zeros(0, dtype="<U1")
        elif typ == "int64":
            if a.size and a.dtype.kind not in "iu":
                raise ReportError(f"{kind} column {name!r}: expected integers; got {a.dtype}")
            a = a.astype(np.int64, copy=False)
        else:
            if a.size and a.dtype.kind not in "fiu":
                raise ReportError(f"{kind} column {name!r}: expected numbers; got {a.dtype}")
            a = a.astype(np.float64, copy=False)
        if n is None:
            n = a.shape[0]
        elif a.shape[0] != n:
            raise ReportError(
                f"{kind} column {name!r}: length {a.shape[0]} differs from the others ({n})"
            )
        out[name] = a
    return out


def _empty_columns(kind: str) -> dict[str, Column]:
    return {
        n: np.zeros(0, dtype="<U1" if t == "str" else _DTYPES[t])
        for n, t in columns_of(kind).items()
    }


def _canonical_perm(cols: Columns) -> Column | None:
    """Permutation into (t_s, sensor_id, seq) order, or None when already in it."""
    t, sid, seq = cols["t_s"], cols["sensor_id"], cols["seq"]
    if t.size < 2:
        return None
    dt = np.diff(t)
    if np.all(dt > 0):
        return None
    same_t = dt == 0
    if np.all(dt >= 0):
        s0, s1 = sid[:-1], sid[1:]
        ok = (s0 < s1) | ((s0 == s1) & (seq[:-1] < seq[1:]))
        if np.all(~same_t | ok):
            return None
    return np.lexsort((seq, sid, t))


@dataclass(frozen=True)
class ReportBatch:
    """Reports of all kinds, columnar, in canonical order (see the module docstring).

    Build with :meth:`from_columns` (fills ``schema``, ``kind`` and ``time_utc`` for you)
    or directly with every column of every kind present. Construction checks column names,
    dtypes and lengths and puts rows into canonical order; the column arrays are read-only.
    Values (ranges, finiteness, seq order) are checked by :func:`validate_batch`.
    """

    epoch_utc: str
    ir: Columns = field(default_factory=lambda: _empty_columns("ir"))
    radar: Columns = field(default_factory=lambda: _empty_columns("radar"))
    status: Columns = field(default_factory=lambda: _empty_columns("status"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "epoch_utc", _canonical_epoch(self.epoch_utc))
        for kind in KINDS:
            cols = _typed_columns(kind, getattr(self, kind), None)
            perm = _canonical_perm(cols)
            if perm is not None:
                cols = {k: v[perm] for k, v in cols.items()}
            object.__setattr__(self, kind, {k: _readonly(v) for k, v in cols.items()})

    # ---- construction -----------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        epoch_utc: str | datetime,
        ir: Mapping[str, npt.ArrayLike] | None = None,
        radar: Mapping[str, npt.ArrayLike] | None = None,
        status: Mapping[str, npt.ArrayLike] | None = None,
    ) -> ReportBatch:
        """Batch from the kind columns; ``schema``, ``kind``, ``time_utc`` filled when absent,
        and ``mode`` (``"live"``; see :func:`upgrade_columns`)."""
        epoch_text = _canonical_epoch(epoch_utc)
        epoch = parse_utc(epoch_text)
        parts: dict[str, Any] = {}
        for kind, given in (("ir", ir), ("radar", radar), ("status", status)):
            if given is None:
                parts[kind] = _empty_columns(kind)
                continue
            cols = dict(given)
            if "t_s" not in cols:
                raise ReportError(f"{kind} columns: missing 't_s'")
            t = np.asarray(cols["t_s"], dtype=np.float64)
            n = t.shape[0]
            cols, _ = upgrade_columns(cols)
            cols.setdefault("schema", np.full(n, SCHEMA_VERSION))
            cols.setdefault("kind", np.full(n, kind))
            if "time_utc" not in cols:
                if not np.all(np.isfinite(t)):
                    raise ReportError(f"{kind} column 't_s': all values must be finite")
                cols["time_utc"] = np.asarray(iso_utc_many(epoch, t), dtype=np.str_)
            parts[kind] = cols
        return cls(epoch_text, parts["ir"], parts["radar"], parts["status"])

    @property
    def epoch(self) -> datetime:
        return parse_utc(self.epoch_utc)

    def columns(self, kind: str) -> Columns:
        """The columns of one kind."""
        if kind not in KINDS:
            raise ReportError(f"kind {kind!r} is not one of {KINDS}")
        cols: Columns = getattr(self, kind)
        return cols

    def count(self, kind: str) -> int:
        return int(self.columns(kind)["t_s"].shape[0])

    def __len__(self) -> int:
        return sum(self.count(k) for k in KINDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportBatch):
            return NotImplemented
        if self.epoch_utc != other.epoch_utc:
            return False
        for kind in KINDS:
            a, b = self.columns(kind), other.columns(kind)
            for name in a:
                if not np.array_equal(a[name], b[name]):
                    return False
        return True

    __hash__ = None  # type: ignore[assignment]

    # ---- ordering and slicing ---------------------------------------------------------

    def without_bad_rows(self) -> tuple[ReportBatch, tuple[tuple[str, int], ...]]:
        """The batch less the rows that break a value rule (:func:`bad_rows`), and how
        many were left out per kind: what a center is fed, checked once for a whole run."""
        masks = {k: bad_rows(k, self.columns(k)) for k in KINDS}
        refused = tuple((k, int(m.sum())) for k, m in masks.items() if m.any())
        if not refused:
            return self, ()
        return self.select({k: ~m for k, m in masks.items()}), refused

    def with_mode(self, mode: str) -> ReportBatch:
        """The same reports stamped with ``mode`` (one of :data:`MODES`): what a gateway
        does that feeds a recorded or simulated stream as an exercise, a test or a replay."""
        if mode not in MODES:
            raise ReportError(f"mode: got {mode!r}; expected one of {MODES}", "mode", mode)
        parts = {k: {**self.columns(k), "mode": np.full(self.count(k), mode)} for k in KINDS}
        return ReportBatch(self.epoch_utc, parts["ir"], parts["radar"], parts["status"])

    def merged_order(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Global time order across kinds: ``(kind_index, row)`` arrays, sort key
        ``(t_s, kind, sensor_id, seq)`` with kind ranked as in :data:`KINDS`. Stable and
        deterministic (a lexicographic sort of the concatenated keys)."""
        t = np.concatenate([self.columns(k)["t_s"] for k in KINDS])
        kidx = np.concatenate(
            [np.full(self.count(k), i, dtype=np.int64) for i, k in enumerate(KINDS)]
        )
        rows = np.concatenate([np.arange(self.count(k), dtype=np.int64) for k in KINDS])
        sid = np.concatenate([self.columns(k)["sensor_id"].astype(str) for k in KINDS])
        seq = np.concatenate([self.columns(k)["seq"] for k in KINDS])
        perm = np.lexsort((seq, sid, kidx, t))
        return kidx[perm], rows[perm]

    def select(self, masks: Mapping[str, npt.NDArray[np.bool_]]) -> ReportBatch:
        """Rows kept per kind by boolean masks (kinds not named are kept whole)."""
        parts = {}
        for kind in KINDS:
            cols = self.columns(kind)
            m = masks.get(kind)
            parts[kind] = dict(cols) if m is None else {k: v[m] for k, v in cols.items()}
        return ReportBatch(self.epoch_utc, parts["ir"], parts["radar"], parts["status"])

    def time_slice(self, t0_s: float, t1_s: float) -> ReportBatch:
        """Reports with ``t0_s <= t_s < t1_s`` (half-open)."""
        return self.select(
            {k: (self.columns(k)["t_s"] >= t0_s) & (self.columns(k)["t_s"] < t1_s) for k in KINDS}
        )

    @staticmethod
    def concat(batches: Iterable[ReportBatch]) -> ReportBatch:
        """Join batches of the same epoch (result in canonical order)."""
        bs = list(batches)
        if not bs:
            raise ReportError("concat needs at least one batch (the epoch comes from it)")
        epochs = {b.epoch_utc for b in bs}
        if len(epochs) != 1:
            raise ReportError(f"concat: batches have different epochs {sorted(epochs)}")
        parts = {
            kind: {
                name: np.concatenate([b.columns(kind)[name] for b in bs])
                for name in columns_of(kind)
            }
            for kind in KINDS
        }
        return ReportBatch(bs[0].epoch_utc, parts["ir"], parts["radar"], parts["status"])

    # ---- Arrow / Parquet --------------------------------------------------------------

    def to_arrow(self, kind: str) -> pa.Table:
        """One kind as an Arrow table (:func:`arrow_schema`, epoch in the metadata)."""
        cols = self.columns(kind)
        schema = arrow_schema(kind, self.epoch_utc)
        arrays = [pa.array(cols[f.name], type=f.type) for f in schema]
        return pa.Table.from_arrays(arrays, schema=schema)

    @classmethod
    def from_arrow(
        cls, tables: Mapping[str, pa.Table], epoch_utc: str | datetime | None = None
    ) -> ReportBatch:
        """Batch from Arrow tables keyed by kind (missing kinds are empty).

        The epoch comes from ``epoch_utc`` or else from the tables' metadata.
        """
        unknown = [k for k in tables if k not in KINDS]
        if unknown:
            raise ReportError(f"from_arrow: unknown kind(s) {unknown}; expected {KINDS}")
        epoch: str | datetime | None = epoch_utc
        old: set[str] = set()
        for kind, table in tables.items():
            meta = table.schema.metadata or {}
            ver = meta.get(b"earlywarn.schema")
            if ver is not None and ver.decode() == SCHEMA_V1:
                old.add(kind)
            elif ver is not None and ver.decode() != SCHEMA_VERSION:
                raise ReportError(
                    f"{kind} table: schema version {ver.decode()!r}; this reader knows only "
                    f"{SCHEMA_VERSION!r} and {SCHEMA_V1!r} (read as mode 'live')"
                )
            ep = meta.get(b"earlywarn.epoch_utc")
            if epoch is None and ep is not None:
                epoch = ep.decode()
        if epoch is None:
            raise ReportError("from_arrow: no epoch_utc given and none in the table metadata")
        parts: dict[str, Columns] = {}
        for kind in KINDS:
            table = tables.get(kind)
            if table is None:
                parts[kind] = _empty_columns(kind)
                continue
            spec = columns_of(kind)
            names = table.column_names
            if kind in old and "mode" not in names:
                names = [*names, "mode"]
            if set(names) != set(spec):
                raise ReportError(f"{kind} table: columns {names}; expected exactly {list(spec)}")
            cols: dict[str, Column] = {}
            for name, typ in spec.items():
                if name not in table.column_names:
                    continue  # 'mode' of a version-1 table, filled below
                arr = table.column(name).to_numpy(zero_copy_only=False)
                cols[name] = arr.astype(np.str_) if typ == "str" and arr.size else arr
            parts[kind], _ = upgrade_columns(cols)
        return cls(_canonical_epoch(epoch), parts["ir"], parts["radar"], parts["status"])

    def write_parquet(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write ``ir.parquet``, ``radar.parquet`` and ``status.parquet`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        paths = []
        for kind in KINDS:
            p = d / f"{kind}.parquet"
            pq.write_table(self.to_arrow(kind), p)
            paths.append(p)
        return paths

    @classmethod
    def read_parquet(cls, directory: str | os.PathLike[str]) -> ReportBatch:
        """Read a directory written by :meth:`write_parquet` (missing kinds are empty)."""
        d = Path(directory)
        tables = {
            k: pq.read_table(d / f"{k}.parquet") for k in KINDS if (d / f"{k}.parquet").exists()
        }
        if not tables:
            raise ReportError(f"{d}: no ir/radar/status .parquet files found")
        return cls.from_arrow(tables)

    # ---- JSON stream form -------------------------------------------------------------

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Reports as JSON-ready dicts (Python scalars), in :meth:`merged_order`."""
        kidx, rows = self.merged_order()
        lists = {
            kind: (list(columns_of(kind)), [c.tolist() for c in self.columns(kind).values()])
            for kind in KINDS
        }
        for k, r in zip(kidx.tolist(), rows.tolist(), strict=True):
            names, cols = lists[KINDS[k]]
            yield {n: c[r] for n, c in zip(names, cols, strict=True)}

    def to_json_records(self) -> list[dict[str, Any]]:
        """All reports as JSON-ready dicts, time-ordered across kinds."""
        return list(self.iter_records())

    def to_jsonl(self, path: str | os.PathLike[str]) -> Path:
        """Write the stream form: one JSON object per line (NaN/inf refused)."""
        p = Path(path)
        with p.open("w", encoding="utf-8") as fh:
            for rec in self.iter_records():
                fh.write(json.dumps(rec, allow_nan=False, separators=(",", ":")))
                fh.write("\n")
        return p

    @classmethod
    def from_json_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        epoch_utc: str | datetime,
        validate: bool = True,
    ) -> ReportBatch:
        """Batch from JSON-style records (each validated with :func:`validate_record`;
        records of :data:`SCHEMA_V1` are read as mode ``"live"``)."""
        epoch_text = _canonical_epoch(epoch_utc)
        buckets: dict[str, dict[str, list[Any]]] = {
            k: {n: [] for n in columns_of(k)} for k in KINDS
        }
        for rec in records:
            rec, _ = upgrade_record(rec)
            if validate:
                validate_record(rec)
            kind = rec.get("kind")
            if kind not in buckets:
                raise ReportError(f"report field 'kind': got {kind!r}; expected one of {KINDS}")
            b = buckets[kind]
            for n in b:
                b[n].append(rec[n])
        parts: dict[str, Columns] = {}
        for kind in KINDS:
            spec = columns_of(kind)
            parts[kind] = {
                n: np.asarray(v, dtype=_DTYPES[spec[n]]) if v else _empty_columns(kind)[n]
                for n, v in buckets[kind].items()
            }
        return cls(epoch_text, parts["ir"], parts["radar"], parts["status"])

    @classmethod
    def from_jsonl(cls, path: str | os.PathLike[str], epoch_utc: str | datetime) -> ReportBatch:
        """Read the stream form written by :meth:`to_jsonl`."""
        with Path(path).open(encoding="utf-8") as fh:
            recs = [json.loads(line) for line in fh if line.strip()]
        return cls.from_json_records(recs, epoch_utc)


# --------------------------------------------------------------------------------------
# What one center step receives.


@dataclass(frozen=True)
class ReportBlock(Mapping[str, Column]):
    """The reports of one kind in a :class:`ReportSlice`: exactly the contract's columns
    (:func:`columns_of`), typed and read-only, every row within the value rules
    (:func:`bad_rows`). A read-only mapping from column name to array; ``n`` is the
    number of reports (``len`` is the number of columns, as for any mapping)."""

    kind: str
    columns: Columns
    n: int = field(init=False, compare=False)
    """The number of reports."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", int(self.columns["t_s"].shape[0]))

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @staticmethod
    def empty(kind: str) -> ReportBlock:
        """No reports of ``kind`` (one shared read-only value per kind)."""
        return _EMPTY_BLOCKS[kind]

    def take(self, rows: npt.NDArray[Any] | slice) -> ReportBlock:
        """The reports at ``rows`` (indices, a mask or a slice; a slice gives views)."""
        return ReportBlock(self.kind, {k: v[rows] for k, v in self.columns.items()})

    @staticmethod
    def concat(kind: str, blocks: Iterable[ReportBlock]) -> ReportBlock:
        """The reports of several blocks of one kind, in the order given."""
        bs = [b for b in blocks if b.n]
        if not bs:
            return ReportBlock.empty(kind)
        if len(bs) == 1:
            return bs[0]
        return ReportBlock(
            kind,
            {n: _readonly(np.concatenate([b.columns[n] for b in bs])) for n in columns_of(kind)},
        )


_EMPTY_BLOCKS = {
    kind: ReportBlock(kind, {k: _readonly(v) for k, v in _empty_columns(kind).items()})
    for kind in KINDS
}


def _checked_block(kind: str, cols: Mapping[str, npt.ArrayLike] | None) -> tuple[ReportBlock, int]:
    """A block from loose columns (types checked, ``schema``/``kind``/``time_utc`` filled
    when absent) and how many rows were refused for breaking a value rule."""
    if cols is None:
        return ReportBlock.empty(kind), 0
    given = dict(cols)
    if "t_s" not in given:
        raise ReportError(f"{kind} columns: missing 't_s'")
    n = int(np.asarray(given["t_s"]).shape[0])
    given, _ = upgrade_columns(given)
    given.setdefault("schema", np.full(n, SCHEMA_VERSION))
    given.setdefault("kind", np.full(n, kind))
    given.setdefault("time_utc", np.full(n, ""))
    typed = _typed_columns(kind, given, None)
    bad = bad_rows(kind, typed)
    if bad.any():
        typed = {k: v[~bad] for k, v in typed.items()}
    return ReportBlock(kind, {k: _readonly(v) for k, v in typed.items()}), int(bad.sum())


@dataclass(frozen=True)
class ReportSlice:
    """The reports one center step receives: one typed :class:`ReportBlock` per kind.

    Built and checked once, at the boundary: by :meth:`from_columns` (types checked,
    rows that break a value rule refused and counted in ``refused``) or as views of a
    :class:`ReportBatch` window by :meth:`window` (the batch's rows are checked once for
    the whole batch). What the center does with late, duplicated or early reports is its
    own policy (``earlywarn.center.intake``), not the slice's.
    """

    ir: ReportBlock = field(default_factory=lambda: ReportBlock.empty("ir"))
    radar: ReportBlock = field(default_factory=lambda: ReportBlock.empty("radar"))
    status: ReportBlock = field(default_factory=lambda: ReportBlock.empty("status"))
    refused: tuple[tuple[str, int], ...] = ()
    """(kind, count) of rows refused at construction for breaking a value rule."""

    def block(self, kind: str) -> ReportBlock:
        if kind not in KINDS:
            raise ReportError(f"kind {kind!r} is not one of {KINDS}")
        b: ReportBlock = getattr(self, kind)
        return b

    def __len__(self) -> int:
        return self.ir.n + self.radar.n + self.status.n

    @classmethod
    def from_columns(
        cls,
        ir: Mapping[str, npt.ArrayLike] | None = None,
        radar: Mapping[str, npt.ArrayLike] | None = None,
        status: Mapping[str, npt.ArrayLike] | None = None,
    ) -> ReportSlice:
        """A slice from per-kind column dicts (the contract's columns; ``schema``,
        ``kind``, ``mode`` (then ``"live"``) and ``time_utc`` may be left out). Wrong or
        missing columns raise :class:`ReportError`; rows with values outside the rules are
        refused and counted."""
        blocks = {}
        refused = []
        for kind, cols in (("ir", ir), ("radar", radar), ("status", status)):
            blocks[kind], n_bad = _checked_block(kind, cols)
            if n_bad:
                refused.append((kind, n_bad))
        return cls.of_blocks(blocks, tuple(refused))

    @classmethod
    def window(
        cls,
        batch: ReportBatch,
        rows: Mapping[str, tuple[int, int]],
        refused: tuple[tuple[str, int], ...] = (),
    ) -> ReportSlice:
        """Views of rows ``[lo, hi)`` per kind of a batch whose rows all keep the value
        rules (see :meth:`ReportBatch.without_bad_rows`); kinds not named are empty."""
        blocks = {
            kind: ReportBlock(kind, {k: v[lo:hi] for k, v in batch.columns(kind).items()})
            for kind, (lo, hi) in rows.items()
            if hi > lo
        }
        return cls.of_blocks(blocks, refused)

    @classmethod
    def of_blocks(
        cls, blocks: Mapping[str, ReportBlock], refused: tuple[tuple[str, int], ...] = ()
    ) -> ReportSlice:
        """A slice of already checked blocks keyed by kind (kinds not named are empty)."""
        unknown = [k for k in blocks if k not in KINDS]
        if unknown:
            raise ReportError(f"unknown kind(s) {unknown}; expected {KINDS}")
        ir, radar, status = blocks.get("ir"), blocks.get("radar"), blocks.get("status")
        return cls(
            _EMPTY_BLOCKS["ir"] if ir is None else ir,
            _EMPTY_BLOCKS["radar"] if radar is None else radar,
            _EMPTY_BLOCKS["status"] if status is None else status,
            refused,
        )


def _row_locator(kind: str) -> Callable[[int], str]:
    def where(i: int) -> str:
        return f"{kind} row {i}"

    return where


def validate_batch(batch: ReportBatch) -> None:
    """Check every value of a batch and the per-sensor sequence rule.

    Per kind: finiteness, ranges and units as in :func:`validate_record`, ``time_utc``
    consistent with ``epoch + t_s``, rows in canonical order. Across kinds: for each
    sensor, ``seq`` values are unique and, taken in increasing ``seq``, ``t_s`` never
    decreases (seq strictly increasing in time order).
    """
    epoch = batch.epoch
    for kind in KINDS:
        cols = batch.columns(kind)
        _check_columns(kind, cols, epoch, _row_locator(kind))
        if _canonical_perm(cols) is not None:
            raise ReportError(f"{kind} rows are not in (t_s, sensor_id, seq) order")
    sid = np.concatenate([batch.columns(k)["sensor_id"].astype(str) for k in KINDS])
    seq = np.concatenate([batch.columns(k)["seq"] for k in KINDS])
    t = np.concatenate([batch.columns(k)["t_s"] for k in KINDS])
    if sid.size < 2:
        return
    perm = np.lexsort((seq, sid))
    s_sid, s_seq, s_t = sid[perm], seq[perm], t[perm]
    same = s_sid[1:] == s_sid[:-1]
    dup = np.flatnonzero(same & (s_seq[1:] == s_seq[:-1]))
    if dup.size:
        i = int(dup[0])
        raise ReportError(
            f"field 'seq': sensor {s_sid[i]!r} uses seq {int(s_seq[i])} twice; "
            "expected each seq once per sensor (strictly increasing)"
        )
    back = np.flatnonzero(same & (s_t[1:] < s_t[:-1]))
    if back.size:
        i = int(back[0])
        raise ReportError(
            f"field 'seq': sensor {s_sid[i]!r} seq {int(s_seq[i])} at t_s={float(s_t[i])} "
            f"comes before seq {int(s_seq[i + 1])} at t_s={float(s_t[i + 1])}; expected seq "
            "strictly increasing in time order"
        )


# --------------------------------------------------------------------------------------
# Scoring-only truth.

TRUTH_FILE = "truth_labels.parquet"


@dataclass(frozen=True)
class ReportTruth:
    """Scoring-only truth: ``(sensor_id, seq)`` → true ``object_id`` or a :data:`TRUTH_LABELS`
    entry. One row per ir or radar report (status reports have none). Written beside the
    reports as ``truth_labels.parquet``; the center never reads it."""

    sensor_id: Column
    seq: npt.NDArray[np.int64]
    truth: Column

    def __post_init__(self) -> None:
        sid = np.asarray(self.sensor_id)
        seq = np.asarray(self.seq)
        tr = np.asarray(self.truth)
        if not (sid.ndim == seq.ndim == tr.ndim == 1 and sid.size == seq.size == tr.size):
            raise ReportError(
                "ReportTruth: sensor_id, seq and truth must be 1-D of one length; got "
                f"{sid.shape}, {seq.shape}, {tr.shape}"
            )
        if seq.size and seq.dtype.kind not in "iu":
            raise ReportError(f"ReportTruth.seq must be integers; got {seq.dtype}")
        sid = sid.astype(np.str_) if sid.size else np.zeros(0, "<U1")
        tr = tr.astype(np.str_) if tr.size else np.zeros(0, "<U1")
        seq = seq.astype(np.int64)
        perm = np.lexsort((seq, sid))
        sid, seq, tr = sid[perm], seq[perm], tr[perm]
        if sid.size > 1:
            dup = np.flatnonzero((sid[1:] == sid[:-1]) & (seq[1:] == seq[:-1]))
            if dup.size:
                i = int(dup[0])
                raise ReportError(f"ReportTruth: ({sid[i]!r}, {int(seq[i])}) appears twice")
        object.__setattr__(self, "sensor_id", _readonly(sid))
        object.__setattr__(self, "seq", _readonly(seq))
        object.__setattr__(self, "truth", _readonly(tr))

    @classmethod
    def empty(cls) -> ReportTruth:
        return cls(np.zeros(0, "<U1"), np.zeros(0, np.int64), np.zeros(0, "<U1"))

    def __len__(self) -> int:
        return int(self.seq.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportTruth):
            return NotImplemented
        return (
            np.array_equal(self.sensor_id, other.sensor_id)
            and np.array_equal(self.seq, other.seq)
            and np.array_equal(self.truth, other.truth)
        )

    __hash__ = None  # type: ignore[assignment]

    def as_dict(self) -> dict[tuple[str, int], str]:
        return dict(
            zip(
                zip(self.sensor_id.tolist(), self.seq.tolist(), strict=True),
                self.truth.tolist(),
                strict=True,
            )
        )

    def lookup(self, sensor_id: npt.ArrayLike, seq: npt.ArrayLike) -> Column:
        """Truth strings for reports (vectorised); ``""`` where there is no entry."""
        sid = np.asarray(sensor_id, dtype=np.str_)
        sq = np.asarray(seq, dtype=np.int64)
        out = np.full(sid.shape, "", dtype=object)
        if not len(self) or not sid.size:
            return out.astype(np.str_)
        for s in np.unique(sid):
            m = self.sensor_id == s
            keys = self.seq[m]
            vals = self.truth[m]
            q = sid == s
            pos = np.searchsorted(keys, sq[q])
            pos_c = np.minimum(pos, max(keys.size - 1, 0))
            hit = (keys.size > 0) & (keys[pos_c] == sq[q]) if keys.size else np.zeros(0, bool)
            res = np.full(int(q.sum()), "", dtype=object)
            if keys.size:
                res[hit] = vals[pos_c[hit]]
            out[q] = res
        return out.astype(np.str_)

    @staticmethod
    def concat(parts: Iterable[ReportTruth]) -> ReportTruth:
        ps = list(parts)
        if not ps:
            return ReportTruth.empty()
        return ReportTruth(
            np.concatenate([p.sensor_id.astype(str) for p in ps]),
            np.concatenate([p.seq for p in ps]),
            np.concatenate([p.truth.astype(str) for p in ps]),
        )

    def to_arrow(self) -> pa.Table:
        schema = pa.schema(
            [
                pa.field("sensor_id", pa.string(), nullable=False),
                pa.field("seq", pa.int64(), nullable=False),
                pa.field("truth", pa.string(), nullable=False),
            ],
            metadata={"earlywarn.schema": SCHEMA_VERSION, "earlywarn.content": "truth"},
        )
        return pa.Table.from_arrays(
            [pa.array(self.sensor_id, pa.string()), pa.array(self.seq), pa.array(self.truth)],
            schema=schema,
        )

    @classmethod
    def from_arrow(cls, table: pa.Table) -> ReportTruth:
        need = {"sensor_id", "seq", "truth"}
        if set(table.column_names) != need:
            raise ReportError(f"truth table: columns {table.column_names}; expected {need}")
        return cls(
            table.column("sensor_id").to_numpy(zero_copy_only=False),
            table.column("seq").to_numpy(),
            table.column("truth").to_numpy(zero_copy_only=False),
        )

    def write_parquet(self, directory: str | os.PathLike[str]) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        p = d / TRUTH_FILE
        pq.write_table(self.to_arrow(), p)
        return p

    @classmethod
    def read_parquet(cls, directory: str | os.PathLike[str]) -> ReportTruth:
        return cls.from_arrow(pq.read_table(Path(directory) / TRUTH_FILE))
