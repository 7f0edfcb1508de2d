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
    """Read a file written by :func:`write_reports_parquet` (or by ``earlywarn run``)."""
    from earlywarn import reports as rp

    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    epoch = meta.get(b"earlywarn.epoch_utc")
    if epoch is None:
        raise ValueError(f"{path}: not an earlywarn reports file (no earlywarn.epoch_utc)")
    kinds = np.asarray(table.column("kind").to_numpy(zero_copy_only=False)).astype(str)
    parts = {}
    for kind in rp.KINDS:
        cols = list(rp.columns_of(kind))
        sub = table.filter(pa.array(kinds == kind)).select(cols)
        sub = sub.replace_schema_metadata(rp.arrow_schema(kind, epoch.decode()).metadata)
        parts[kind] = sub.cast(rp.arrow_schema(kind, epoch.decode()))
    return ReportBatch.from_arrow(parts, epoch_utc=epoch.decode())
