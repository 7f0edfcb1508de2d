"""The report files: every kind of report in one Parquet file, or a JSON-lines stream.

``earlywarn run`` writes ``reports.parquet``; ``earlywarn replay`` reads it back, or a
JSONL stream. The epoch travels in the Parquet file's metadata (``earlywarn.epoch_utc``);
a stream's epoch is its records' ``time_utc`` less ``t_s``.

Reading is **record by record**: a corrupt record (a line that is not JSON, a missing
field, a wrong type, a non-finite or out-of-range value, ``time_utc`` disagreeing with the
epoch, a repeated ``(sensor_id, seq)``) is rejected, named in a
:class:`~earlywarn.reports.Rejection` (line or row, field, value, why) and counted, and the
rest of the stream is read (:func:`read_reports`, :class:`ReportRead`). Only what spoils
the whole file refuses it: not readable, not UTF-8, no epoch, a column missing or of the
wrong type, or no usable record at all. Files of report schema version 1 (no ``mode``)
are read as mode ``"live"``, and :attr:`ReportRead.upgraded` says how many records were.
The strict readers :func:`read_reports_parquet` and :func:`read_reports_jsonl` raise on
the first rejection instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from earlywarn import reports as rp
from earlywarn.earth.time import iso_utc, parse_utc
from earlywarn.reports import Rejection, ReportBatch, ReportError

REJECTIONS_FILE = "rejected_reports.jsonl"
"""The rejection list written beside a replay's or a run's outputs."""


@dataclass(frozen=True)
class ReportRead:
    """What a lenient read gives: the usable reports, every rejected record named, and
    how many records of schema version 1 were read as mode ``"live"``."""

    batch: ReportBatch
    rejected: tuple[Rejection, ...] = ()
    upgraded: int = 0


def write_rejections(rejected: Iterable[Rejection], path: str | Path) -> Path:
    """The rejection list as JSON lines (``where``, ``field``, ``value``, ``reason``)."""
    p = Path(path)
    with p.open("w", encoding="utf-8") as fh:
        for r in rejected:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    return p


def write_reports_parquet(batch: ReportBatch, path: str | Path) -> Path:
    """All reports in one Parquet file: a ``kind`` column and the union of the kinds'
    columns (null where a column does not belong to the row's kind)."""
    tables = []
    for k in ("ir", "radar", "status"):
        t = batch.to_arrow(k)
        nullable = pa.schema([f.with_nullable(True) for f in t.schema])
        tables.append(t.cast(nullable).replace_schema_metadata(None))
    table = pa.concat_tables(tables, promote_options="default")
    meta = dict(table.schema.metadata or {})
    meta[b"earlywarn.epoch_utc"] = batch.epoch_utc.encode()
    table = table.replace_schema_metadata(meta)
    p = Path(path)
    pq.write_table(table, p)
    return p


def read_reports(path: str | Path, epoch_utc: str | None = None) -> ReportRead:
    """A report file read record by record: Parquet by its ``.parquet`` suffix, else JSON
    lines (see the module docstring). Raises ValueError when the whole file is unusable."""
    p = Path(path)
    if p.suffix == ".parquet":
        return read_parquet_lenient(p)
    return read_jsonl_lenient(p, epoch_utc)


def _none_usable(p: Path, rejected: list[Rejection]) -> ValueError:
    first = rejected[0]
    what = f"{first.field!r}: " if first.field else ""
    return ValueError(
        f"{p}: no usable report ({len(rejected)} rejected); the first: "
        f"{p}:{first.where.removeprefix('line ')}: {what}{first.reason}"
    )


def read_parquet_lenient(path: str | Path) -> ReportRead:
    """A file written by :func:`write_reports_parquet` (or by ``earlywarn run``), rows that
    break the contract rejected one by one (row numbers 0-based, as in the file)."""
    p = Path(path)
    try:
        table = pq.read_table(p)
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(f"{p}: not a readable Parquet file ({exc})") from None
    meta = table.schema.metadata or {}
    epoch_b = meta.get(b"earlywarn.epoch_utc")
    if epoch_b is None:
        raise ValueError(f"{p}: not an earlywarn reports file (no earlywarn.epoch_utc)")
    epoch = epoch_b.decode()
    try:
        ep = parse_utc(epoch)
    except ValueError as exc:
        raise ValueError(f"{p}: earlywarn.epoch_utc: {exc}") from None
    names = set(table.column_names)
    if "kind" not in names:
        raise ValueError(f"{p}: missing column 'kind' (one of {rp.KINDS} per row)")
    kinds = np.asarray(table.column("kind").to_pylist(), dtype=object)
    rejected: dict[int, Rejection] = {}
    known = np.isin(kinds, rp.KINDS)
    for i in np.flatnonzero(~known).tolist():
        rejected[i] = Rejection.of(f"row {i}", "kind", kinds[i], f"one of {rp.KINDS}")
    upgraded = 0
    parts: dict[str, dict[str, Any]] = {}
    keys: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for kind in rp.KINDS:
        rows = np.flatnonzero(kinds == kind)
        spec = rp.columns_of(kind)
        missing = [c for c in spec if c not in names and c != "mode"]
        if missing and rows.size:
            raise ValueError(
                f"{p}: {kind} reports need column(s) {missing}; a {kind} report has {list(spec)}"
            )
        if not rows.size:
            continue
        sub = table.take(pa.array(rows))
        cols: dict[str, Any] = {}
        null = np.zeros(rows.size, dtype=bool)
        null_field = np.full(rows.size, "", dtype=object)
        for name, typ in spec.items():
            if name == "mode" and "mode" not in names:
                continue
            col = sub.column(name)
            try:
                col = pc.cast(col, rp._ARROW[typ])
            except pa.ArrowException as exc:
                raise ValueError(
                    f"{p}: {kind} reports: column {name!r} has the wrong type ({exc})"
                ) from None
            isnull = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            null_field[isnull & ~null] = name
            null |= isnull
            fill: Any = "" if typ == "str" else 0
            arr = col.fill_null(fill).to_numpy(zero_copy_only=False)
            cols[name] = np.asarray(arr, dtype=rp._DTYPES[typ])
        if "mode" not in cols:
            v1 = cols["schema"] == rp.SCHEMA_V1
            upgraded += int(v1.sum())
            cols["schema"] = np.where(v1, rp.SCHEMA_VERSION, cols["schema"])
            cols["mode"] = np.where(v1, "live", "")
        bad = np.zeros(rows.size, dtype=bool)
        for j in np.flatnonzero(null).tolist():
            rejected[int(rows[j])] = Rejection.of(
                f"row {int(rows[j])}", str(null_field[j]), None, "a value (got null)"
            )
            bad[j] = True
        faults = rp.row_faults(kind, cols, ep)
        for j, (field, value, allowed) in sorted(faults.items()):
            if not bad[j]:
                rejected[int(rows[j])] = Rejection.of(f"row {int(rows[j])}", field, value, allowed)
                bad[j] = True
        parts[kind] = {n: cols[n][~bad] for n in spec}
        keys.append((rows[~bad], parts[kind]["sensor_id"], parts[kind]["seq"]))
    dup_rows = _repeated_keys(keys)
    for i, (first, sid, seq) in dup_rows.items():
        rejected[i] = Rejection.of(
            f"row {i}", "seq", seq,
            f"a seq not used before by sensor {sid!r} (row {first} has it)",
        )  # fmt: skip
    if dup_rows:
        for kind, (rows_k, _, _) in zip([k for k in rp.KINDS if k in parts], keys, strict=True):
            keep = ~np.isin(rows_k, list(dup_rows))
            parts[kind] = {n: v[keep] for n, v in parts[kind].items()}
    out = [rejected[i] for i in sorted(rejected)]
    if not any(len(c["t_s"]) for c in parts.values()):
        if out:
            raise _none_usable(p, out)
    try:
        batch = ReportBatch(epoch, **parts)
    except ReportError as exc:
        raise ValueError(f"{p}: {exc}") from None
    return ReportRead(batch, tuple(out), upgraded)


def _repeated_keys(
    keys: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> dict[int, tuple[int, str, int]]:
    """Rows whose ``(sensor_id, seq)`` an earlier row (in file order) already has:
    ``{row: (the earlier row, sensor_id, seq)}``."""
    if not keys:
        return {}
    rows = np.concatenate([k[0] for k in keys])
    sid = np.concatenate([k[1].astype(str) for k in keys])
    seq = np.concatenate([k[2] for k in keys])
    if rows.size < 2:
        return {}
    order = np.lexsort((rows, seq, sid))
    same = (sid[order][1:] == sid[order][:-1]) & (seq[order][1:] == seq[order][:-1])
    out: dict[int, tuple[int, str, int]] = {}
    first = int(rows[order[0]])
    for j in range(1, order.size):
        if same[j - 1]:
            out[int(rows[order[j]])] = (first, str(sid[order[j]]), int(seq[order[j]]))
        else:
            first = int(rows[order[j]])
    return out


def read_jsonl_lenient(path: str | Path, epoch_utc: str | None = None) -> ReportRead:
    """A JSON-lines report stream read line by line (line numbers 1-based, blank lines
    counted): every record is checked by the report contract
    (:func:`earlywarn.reports.validate_record`); a bad line is rejected and named, the rest
    is read.

    The epoch: ``epoch_utc`` when given (each record's ``time_utc`` must then agree with
    ``epoch + t_s``), otherwise derived from the first good record (``time_utc - t_s``)
    and checked against every other record."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p}: cannot read the report stream: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{p}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); a "
            "report stream is JSON lines"
        ) from None
    records = []
    rejected: list[Rejection] = []
    seen: dict[tuple[str, int], int] = {}
    epoch = epoch_utc
    upgraded = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = getattr(exc, "msg", "too deeply nested")
            col = getattr(exc, "colno", 1)
            rejected.append(
                Rejection.of(f"line {n}", "", line, f"not a JSON object: {msg} (column {col})")
            )
            continue
        rec, up = rp.upgrade_record(rec)
        try:
            if epoch is None:
                rp.validate_record(rec)
                epoch = _epoch_of(rec)
            rp.validate_record(rec, epoch)
        except (ReportError, OverflowError, ValueError) as exc:
            hint = "" if epoch_utc is None else f" (epoch {epoch_utc})"
            field = getattr(exc, "field", None)
            value = getattr(exc, "value", None)
            rejected.append(Rejection.of(f"line {n}", field, value, f"{exc}{hint}"))
            continue
        key = (rec["sensor_id"], rec["seq"])
        if key in seen:
            rejected.append(
                Rejection.of(
                    f"line {n}", "seq", rec["seq"],
                    f"a seq not used before by sensor {rec['sensor_id']!r} (line {seen[key]} "
                    "has it)",
                )
            )  # fmt: skip
            continue
        seen[key] = n
        upgraded += up
        records.append(rec)
    if not records:
        if rejected:
            raise _none_usable(p, rejected)
        raise ValueError(f"{p}: no reports (an empty stream has no epoch)")
    assert epoch is not None
    batch = ReportBatch.from_json_records(records, epoch, validate=False)
    return ReportRead(batch, tuple(rejected), upgraded)


def _epoch_of(rec: Any) -> str:
    """A stream's epoch from one good record: ``time_utc - t_s``, snapped to the whole
    second it came from when within the text's millisecond resolution."""
    t0 = parse_utc(rec["time_utc"]) - timedelta(seconds=float(rec["t_s"]))
    whole = t0.replace(microsecond=0) + timedelta(seconds=round(t0.microsecond / 1e6))
    close = abs((t0 - whole).total_seconds()) <= 0.0015
    return iso_utc(whole if close else t0, 0.0)


def _strict(read: ReportRead, p: Path) -> ReportBatch:
    if read.rejected:
        first = read.rejected[0]
        where = first.where.removeprefix("line ")
        raise ValueError(f"{p}:{where}: {first.reason}")
    return read.batch


def read_reports_parquet(path: str | Path) -> ReportBatch:
    """Read a file written by :func:`write_reports_parquet` (or by ``earlywarn run``);
    raise ValueError naming the file and the first thing wrong (not Parquet, no epoch, a
    missing column, a column of the wrong type, a row breaking the contract)."""
    return _strict(read_parquet_lenient(path), Path(path))


def read_reports_jsonl(path: str | Path, epoch_utc: str | None = None) -> ReportBatch:
    """Read a JSON-lines report stream; raise ValueError naming the file's real line of
    the first record that breaks the contract (see :func:`read_jsonl_lenient`)."""
    return _strict(read_jsonl_lenient(path, epoch_utc), Path(path))
