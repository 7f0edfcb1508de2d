"""The report file format: every kind of report in one Parquet file.

``earlywarn run`` writes it (``reports.parquet``); ``earlywarn replay`` reads it back.
The epoch travels in the file's metadata (``earlywarn.epoch_utc``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from earlywarn.reports import ReportBatch


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


def read_reports_parquet(path: str | Path) -> ReportBatch:
    """Read a file written by :func:`write_reports_parquet` (or by ``earlywarn run``).

    Raises ValueError naming the file and what is wrong (not Parquet, no epoch, a missing
    column, a column of the wrong type)."""
    from earlywarn import reports as rp

    try:
        table = pq.read_table(path)
    except pa.ArrowException as exc:
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from None
    meta = table.schema.metadata or {}
    epoch = meta.get(b"earlywarn.epoch_utc")
    if epoch is None:
        raise ValueError(f"{path}: not an earlywarn reports file (no earlywarn.epoch_utc)")
    names = set(table.column_names)
    if "kind" not in names:
        raise ValueError(f"{path}: missing column 'kind' (one of {rp.KINDS} per row)")
    kinds = np.asarray(table.column("kind").to_numpy(zero_copy_only=False)).astype(str)
    unknown = sorted(set(kinds.tolist()) - set(rp.KINDS))
    if unknown:
        raise ValueError(f"{path}: column 'kind': got {unknown}; expected one of {rp.KINDS}")
    parts = {}
    for kind in rp.KINDS:
        cols = list(rp.columns_of(kind))
        rows = kinds == kind
        missing = [c for c in cols if c not in names]
        if missing and rows.any():
            raise ValueError(
                f"{path}: {kind} reports need column(s) {missing}; a {kind} report has {cols}"
            )
        if missing:
            parts[kind] = rp.arrow_schema(kind, epoch.decode()).empty_table()
            continue
        sub = table.filter(pa.array(rows)).select(cols)
        sub = sub.replace_schema_metadata(rp.arrow_schema(kind, epoch.decode()).metadata)
        try:
            parts[kind] = sub.cast(rp.arrow_schema(kind, epoch.decode()))
        except pa.ArrowException as exc:
            raise ValueError(
                f"{path}: {kind} reports: a column has the wrong type ({exc})"
            ) from None
    return ReportBatch.from_arrow(parts, epoch_utc=epoch.decode())


def read_reports_jsonl(path: str | Path, epoch_utc: str | None = None) -> ReportBatch:
    """Read a JSON-lines report stream; every record is checked by the report contract
    (:func:`earlywarn.reports.validate_record`) and an error names the file's real line.

    The epoch: ``epoch_utc`` when given (each record's ``time_utc`` must then agree with
    ``epoch + t_s``), otherwise derived from the first record (``time_utc - t_s``) and
    checked against every other record."""
    import json
    from datetime import timedelta

    from earlywarn.earth.time import iso_utc, parse_utc
    from earlywarn.reports import ReportError, validate_record

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
    epoch = epoch_utc
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{p}:{n}: not a JSON object: {exc.msg} (column {exc.colno})"
            ) from None
        try:
            if epoch is None:
                validate_record(rec)
                t0 = parse_utc(rec["time_utc"]) - timedelta(seconds=float(rec["t_s"]))
                whole = t0.replace(microsecond=0) + timedelta(seconds=round(t0.microsecond / 1e6))
                # the text has ms resolution: snap to the whole second it came from
                close = abs((t0 - whole).total_seconds()) <= 0.0015
                epoch = iso_utc(whole if close else t0, 0.0)
            validate_record(rec, epoch)
        except (ReportError, OverflowError) as exc:
            hint = "" if epoch_utc is None else f" (epoch {epoch_utc})"
            raise ValueError(f"{p}:{n}: {exc}{hint}") from None
        records.append(rec)
    if epoch is None:
        raise ValueError(f"{p}: no reports (an empty stream has no epoch)")
    return ReportBatch.from_json_records(records, epoch, validate=False)
