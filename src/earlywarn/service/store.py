"""The live center's durable store: SQLite in WAL mode, one append-only table per stream.

``log.sqlite`` (``synchronous=FULL``: a commit is on disk before it returns, so a batch
is durable before it is acknowledged):

``batches``  every accepted report batch: sensor, batch seq, signed timestamp, mode, the
             center step it was assigned to, and the body as received. Unique by
             ``(sensor_id, seq)``: a retried batch is stored once.
``alerts``   every alert the center issued, by step (a replay after a restart must give
             the same ones; :meth:`Store.add_alerts` refuses to store different ones).
``actions``  operators' acknowledgements and notes.
``meta``     the clock's anchor, written once when the store is created.

``audit.sqlite`` (``synchronous=NORMAL``): every rejection and every operator action, with
its reason. A process crash loses nothing written (the OS holds it); a power loss may
lose the last audit rows, never an acknowledged report.

Rows are never updated or deleted: triggers refuse it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["AuditRow", "Store", "StoredBatch"]

_LOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    sensor_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    signed_unix REAL NOT NULL,
    received_unix REAL NOT NULL,
    mode TEXT NOT NULL,
    step INTEGER NOT NULL,
    n_reports INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    UNIQUE (sensor_id, seq)
);
CREATE TABLE IF NOT EXISTS alerts (
    step INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    alert_id TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (step, idx)
);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    unix REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    note TEXT NOT NULL
);
"""

_AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    unix REAL NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER NOT NULL,
    sensor_id TEXT NOT NULL,
    seq TEXT NOT NULL,
    who TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


def _append_only(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
    )


@dataclass(frozen=True)
class StoredBatch:
    """One row of ``batches``."""

    row_id: int
    sensor_id: str
    seq: int
    step: int
    sha256: str
    body: bytes


@dataclass(frozen=True)
class AuditRow:
    unix: float
    kind: str
    reason: str
    status: int
    sensor_id: str
    seq: str
    who: str
    detail: str


def _connect(path: Path, synchronous: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={synchronous}")
    return con


class Store:
    """The store of one live center (a directory). Thread-safe: one writer at a time."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._log = _connect(self.directory / "log.sqlite", "FULL")
        self._log.executescript(
            _LOG_SCHEMA + "".join(_append_only(t) for t in ("batches", "alerts", "actions"))
        )
        self._audit = _connect(self.directory / "audit.sqlite", "NORMAL")
        self._audit.executescript(_AUDIT_SCHEMA + _append_only("audit"))
        self._audit_lock = threading.Lock()

    def close(self) -> None:
        with self._lock, self._audit_lock:
            self._log.close()
            self._audit.close()

    # ------------------------------------------------------------------ meta (clock)

    def meta(self, defaults: dict[str, str]) -> dict[str, str]:
        """The stored meta values; ``defaults`` are written for keys not there yet."""
        with self._lock:
            self._log.execute("BEGIN IMMEDIATE")
            try:
                for k, v in defaults.items():
                    self._log.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (k, v))
                rows = self._log.execute("SELECT key, value FROM meta").fetchall()
                self._log.execute("COMMIT")
            except BaseException:
                self._log.execute("ROLLBACK")
                raise
        return dict(rows)

    # ------------------------------------------------------------------ batches

    def find_batch(self, sensor_id: str, seq: int) -> tuple[str, int] | None:
        """(sha256, step) of the stored batch ``(sensor_id, seq)``, or None."""
        with self._lock:
            row = self._log.execute(
                "SELECT sha256, step FROM batches WHERE sensor_id=? AND seq=?", (sensor_id, seq)
            ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def add_batch(
        self,
        sensor_id: str,
        seq: int,
        signed_unix: float,
        mode: str,
        step: int,
        n_reports: int,
        sha256: str,
        body: bytes,
    ) -> int:
        """Append one batch and commit (durable on return, ``synchronous=FULL``); its row id."""
        with self._lock:
            cur = self._log.execute(
                "INSERT INTO batches (sensor_id, seq, signed_unix, received_unix, mode, step, "
                "n_reports, sha256, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sensor_id, seq, signed_unix, time.time(), mode, step, n_reports, sha256, body),
            )
            return int(cur.lastrowid or 0)

    def batches(self) -> Iterator[StoredBatch]:
        """Every stored batch in the order it was stored."""
        with self._lock:
            rows = self._log.execute(
                "SELECT id, sensor_id, seq, step, sha256, body FROM batches ORDER BY id"
            ).fetchall()
        for r in rows:
            yield StoredBatch(int(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4]), bytes(r[5]))

    def sequence_summary(self) -> dict[str, tuple[int, int, int]]:
        """Sensor → (batches stored, lowest seq, highest seq)."""
        with self._lock:
            rows = self._log.execute(
                "SELECT sensor_id, COUNT(*), MIN(seq), MAX(seq) FROM batches GROUP BY sensor_id"
            ).fetchall()
        return {str(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    # ------------------------------------------------------------------ alerts

    def add_alerts(self, step: int, alerts_json: list[tuple[str, str]]) -> int:
        """Store a step's alerts ``(alert_id, json)``; those already stored (a replay) must
        be equal. Returns how many differed from the stored ones (0 in a sound replay)."""
        if not alerts_json:
            return 0
        with self._lock:
            old = dict(
                self._log.execute("SELECT idx, json FROM alerts WHERE step=?", (step,)).fetchall()
            )
            differ = sum(1 for i, (_, js) in enumerate(alerts_json) if i in old and old[i] != js)
            new = [(step, i, a, js) for i, (a, js) in enumerate(alerts_json) if i not in old]
            if new:
                self._log.execute("BEGIN")
                self._log.executemany("INSERT INTO alerts VALUES (?, ?, ?, ?)", new)
                self._log.execute("COMMIT")
        return differ

    def stored_alerts(self) -> list[str]:
        with self._lock:
            rows = self._log.execute("SELECT json FROM alerts ORDER BY step, idx").fetchall()
        return [str(r[0]) for r in rows]

    # ------------------------------------------------------------------ actions, audit

    def add_action(self, who: str, action: str, alert_id: str, note: str) -> None:
        with self._lock:
            self._log.execute(
                "INSERT INTO actions (unix, who, action, alert_id, note) VALUES (?, ?, ?, ?, ?)",
                (time.time(), who, action, alert_id, note),
            )

    def actions(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._log.execute(
                "SELECT unix, who, action, alert_id, note FROM actions ORDER BY id"
            ).fetchall()
        return [
            {"unix": r[0], "who": r[1], "action": r[2], "alert_id": r[3], "note": r[4]}
            for r in rows
        ]

    def audit(self, row: AuditRow) -> None:
        """Append one audit row (committed before return)."""
        with self._audit_lock:
            self._audit.execute(
                "INSERT INTO audit (unix, kind, reason, status, sensor_id, seq, who, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row.unix, row.kind, row.reason, row.status, row.sensor_id, row.seq, row.who,
                 row.detail[:500]),
            )  # fmt: skip

    def audit_rows(self, limit: int = 1000) -> list[AuditRow]:
        with self._audit_lock:
            rows = self._audit.execute(
                "SELECT unix, kind, reason, status, sensor_id, seq, who, detail FROM audit "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditRow(*r) for r in rows][::-1]

    def audit_counts(self) -> dict[str, int]:
        with self._audit_lock:
            rows = self._audit.execute("SELECT reason, COUNT(*) FROM audit GROUP BY reason")
            return {str(r[0]): int(r[1]) for r in rows.fetchall()}


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)
