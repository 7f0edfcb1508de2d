"""Ingest: one posted batch checked, in this order, and stored before it is acknowledged.

1. size: the body within ``limits.max_body_bytes`` (413);
2. envelope headers present and well formed (400);
3. the sensor is registered (401) and the signature is its key's (401);
4. the signed timestamp within ``limits.max_skew`` of the wall clock (401: a replay of
   an old batch is refused here, whatever its sequence number);
5. the batch's mode is the center's (403);
6. the sensor's rate within its limits (429);
7. ``(sensor, seq)`` not stored yet: a retry of a stored batch (same body) is
   acknowledged again and stored once; the same seq with another body is refused (409);
8. the body: JSON lines, each a report of the contract (400 / 422), every report from the
   envelope's sensor (403) and of the envelope's mode (403, ``mode_mismatch``), at most
   ``limits.max_batch_reports`` reports (413);
9. stored durably (``synchronous=FULL``), then acknowledged (200).

Every refusal is a :class:`Rejected` with a :class:`Reason`; the service writes each to
the audit log.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from earlywarn.reports import (
    KINDS,
    SCHEMA_V1,
    ReportBatch,
    ReportError,
    columns_of,
    upgrade_record,
    validate_batch,
)
from earlywarn.service.envelope import HEADERS, Envelope, Mode, signature_ok

__all__ = ["RateLimiter", "Reason", "Rejected", "parse_envelope", "parse_reports"]


class Reason(StrEnum):
    """Why a request was refused (the audit log's ``reason``)."""

    BODY_TOO_LARGE = "body_too_large"
    TOO_MANY_REPORTS = "too_many_reports"
    BAD_ENVELOPE = "bad_envelope"
    UNKNOWN_SENSOR = "unknown_sensor"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    MODE_MISMATCH = "mode_mismatch"
    RATE_LIMITED = "rate_limited"
    SEQUENCE_CONFLICT = "sequence_conflict"
    NOT_JSON_LINES = "not_json_lines"
    BAD_REPORT = "bad_report"
    WRONG_SENSOR = "wrong_sensor"
    EMPTY_BATCH = "empty_batch"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    BAD_REQUEST = "bad_request"


_STATUS = {
    Reason.BODY_TOO_LARGE: 413,
    Reason.TOO_MANY_REPORTS: 413,
    Reason.BAD_ENVELOPE: 400,
    Reason.UNKNOWN_SENSOR: 401,
    Reason.BAD_SIGNATURE: 401,
    Reason.STALE_TIMESTAMP: 401,
    Reason.MODE_MISMATCH: 403,
    Reason.RATE_LIMITED: 429,
    Reason.SEQUENCE_CONFLICT: 409,
    Reason.NOT_JSON_LINES: 400,
    Reason.BAD_REPORT: 422,
    Reason.WRONG_SENSOR: 403,
    Reason.EMPTY_BATCH: 422,
    Reason.UNAUTHENTICATED: 401,
    Reason.FORBIDDEN: 403,
    Reason.BAD_REQUEST: 400,
}


class Rejected(Exception):
    """A refused request: the reason, the HTTP status and a sentence for the sender."""

    def __init__(self, reason: Reason, detail: str, sensor_id: str = "", seq: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.status = _STATUS[reason]
        self.detail = detail
        self.sensor_id = sensor_id
        self.seq = seq

    def body(self) -> dict[str, Any]:
        return {"error": str(self.reason), "detail": self.detail}


_MAX_SEQ = 2**62


def parse_envelope(headers: Any) -> tuple[Envelope, str, str]:
    """The envelope from request headers, the timestamp text as sent and the signature
    header; :class:`Rejected` (``bad_envelope``) naming the header when one is missing or
    malformed."""
    got = {}
    for field, name in HEADERS.items():
        v = headers.get(name)
        if v is None or not v:
            raise Rejected(Reason.BAD_ENVELOPE, f"header {name!r} is missing")
        got[field] = v
    sensor = got["sensor"]
    if len(sensor) > 64:
        raise Rejected(Reason.BAD_ENVELOPE, f"header {HEADERS['sensor']!r}: longer than 64")
    seq_t = got["seq"]
    if not (seq_t.isascii() and seq_t.isdigit() and len(seq_t) <= 19 and int(seq_t) < _MAX_SEQ):
        raise Rejected(
            Reason.BAD_ENVELOPE,
            f"header {HEADERS['seq']!r}: got {seq_t[:40]!r}; expected an integer in [0, 2^62)",
            sensor,
        )
    ts_t = got["timestamp"]
    try:
        ts = float(ts_t) if len(ts_t) <= 40 else math.nan
    except ValueError:
        ts = math.nan
    if not math.isfinite(ts):
        raise Rejected(
            Reason.BAD_ENVELOPE,
            f"header {HEADERS['timestamp']!r}: got {ts_t[:40]!r}; expected Unix seconds",
            sensor,
            seq_t,
        )
    try:
        mode = Mode(got["mode"])
    except ValueError:
        raise Rejected(
            Reason.BAD_ENVELOPE,
            f"header {HEADERS['mode']!r}: got {got['mode'][:40]!r}; expected one of "
            f"{[str(m) for m in Mode]}",
            sensor,
            seq_t,
        ) from None
    return Envelope(sensor, int(seq_t), ts, mode), ts_t, got["signature"]


def check_signed(
    env: Envelope, ts_text: str, sig: str, body: bytes, keys: dict[str, bytes], max_skew_s: float
) -> None:
    """Steps 3 and 4: a registered sensor, its signature, a fresh timestamp."""
    key = keys.get(env.sensor_id)
    sq = str(env.seq)
    if key is None:
        raise Rejected(
            Reason.UNKNOWN_SENSOR, f"sensor {env.sensor_id!r} is not registered", env.sensor_id, sq
        )
    if not signature_ok(env, body, key, sig, ts_text):
        raise Rejected(
            Reason.BAD_SIGNATURE,
            f"the signature is not sensor {env.sensor_id!r}'s over this batch",
            env.sensor_id,
            sq,
        )
    skew = env.timestamp_s - time.time()
    if abs(skew) > max_skew_s:
        raise Rejected(
            Reason.STALE_TIMESTAMP,
            f"signed at {env.timestamp_s:.3f}, {skew:+.1f} s from the center's clock; "
            f"allowed within ±{max_skew_s:g} s (a replayed or delayed batch)",
            env.sensor_id,
            sq,
        )


def _parse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (reports hold finite numbers)")


_ALLOWED_TYPES: dict[str, set[type]] = {"str": {str}, "int64": {int}, "float64": {float, int}}


def parse_reports(
    body: bytes, sensor_id: str, epoch_utc: str, max_reports: int, mode: Mode | None = None
) -> ReportBatch:
    """Step 8: the body's reports as a validated batch, or :class:`Rejected`.

    With the envelope's ``mode`` given, every report's ``mode`` must be that mode (in lower
    case, the report contract's spelling): a batch whose records disagree with its
    envelope is refused whole (``mode_mismatch``), as a signed envelope that lies about
    its content. Records of report schema version 1 (before per-report modes, when the
    envelope alone carried the mode) take the envelope's mode (``"live"`` without one)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(Reason.NOT_JSON_LINES, f"the body is not UTF-8: {exc.reason}") from None
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        raise Rejected(Reason.EMPTY_BATCH, "the batch holds no report (JSON lines expected)")
    if len(lines) > max_reports:
        raise Rejected(
            Reason.TOO_MANY_REPORTS,
            f"the batch holds {len(lines)} reports; at most {max_reports} are allowed",
        )
    recs = _json_lines(lines)
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    want = None if mode is None else str(mode).lower()
    for i, raw in enumerate(recs):
        if not isinstance(raw, dict):
            raise Rejected(Reason.BAD_REPORT, f"line {i + 1}: a report is a JSON object")
        rec = dict(upgrade_record(raw)[0])
        if want is not None and raw.get("schema") == SCHEMA_V1 and "mode" not in raw:
            rec["mode"] = want
        if want is not None and rec.get("mode") != want:
            raise Rejected(
                Reason.MODE_MISMATCH,
                f"line {i + 1}: field 'mode': got {str(rec.get('mode'))[:20]!r}; the batch's "
                f"envelope says {mode} (reports mode {want!r})",
            )
        kind = rec.get("kind")
        if not isinstance(kind, str) or kind not in by_kind:
            raise Rejected(
                Reason.BAD_REPORT, f"line {i + 1}: field 'kind': got {kind!r}; expected {KINDS}"
            )
        if rec.get("sensor_id") != sensor_id:
            raise Rejected(
                Reason.WRONG_SENSOR,
                f"line {i + 1}: field 'sensor_id': got {str(rec.get('sensor_id'))[:64]!r}; a "
                f"batch signed by {sensor_id!r} may hold only its own reports",
            )
        by_kind[kind].append(rec)
    parts = {kind: _columns(kind, recs) for kind, recs in by_kind.items() if recs}
    try:
        batch = ReportBatch(epoch_utc, **parts)
        validate_batch(batch)
    except (ReportError, ValueError, OverflowError) as exc:
        raise Rejected(Reason.BAD_REPORT, str(exc)[:400]) from None
    return batch


def _json_lines(lines: list[str]) -> list[Any]:
    """Each line's JSON value: parsed as one array when that gives one value per line (the
    common case, one call), else line by line to name the line that is not JSON."""
    try:
        recs = json.loads("[" + ",".join(lines) + "]", parse_constant=_parse_constant)
        if isinstance(recs, list) and len(recs) == len(lines):
            return recs
    except (ValueError, RecursionError):
        pass
    out = []
    for i, ln in enumerate(lines):
        try:
            out.append(json.loads(ln, parse_constant=_parse_constant))
        except (ValueError, RecursionError) as exc:
            raise Rejected(Reason.NOT_JSON_LINES, f"line {i + 1}: not JSON: {exc}") from None
    if len(out) != len(lines):  # pragma: no cover (a line holds one value or fails)
        raise Rejected(Reason.NOT_JSON_LINES, "a line holds more than one JSON value")
    return out


_DTYPE = {"str": np.str_, "int64": np.int64, "float64": np.float64}


def _columns(kind: str, recs: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The reports' columns, each value of the contract's type (else :class:`Rejected`)."""
    spec = columns_of(kind)
    names = set(spec)
    for i, r in enumerate(recs):
        if r.keys() != names:
            missing = sorted(names - r.keys())
            extra = sorted(r.keys() - names)[:5]
            raise Rejected(
                Reason.BAD_REPORT,
                f"{kind} report {i}: missing {missing}, unexpected {extra}; a {kind} report "
                f"has exactly {list(spec)}",
            )
    cols: dict[str, np.ndarray] = {}
    for name, typ in spec.items():
        vals = [r[name] for r in recs]
        types = set(map(type, vals))
        if not types <= _ALLOWED_TYPES[typ]:
            bad = next(v for v in vals if type(v) not in _ALLOWED_TYPES[typ])
            raise Rejected(
                Reason.BAD_REPORT,
                f"{kind} report field {name!r}: got {str(bad)[:40]!r} "
                f"({type(bad).__name__}); expected {typ}",
            )
        if int in types:
            ints = [v for v in vals if type(v) is int]
            if min(ints) < -(2**63) or max(ints) >= 2**63:
                raise Rejected(
                    Reason.BAD_REPORT, f"{kind} report field {name!r}: an integer beyond int64"
                )
            if typ == "float64" and max(abs(v) for v in ints) > 2**53:
                raise Rejected(
                    Reason.BAD_REPORT, f"{kind} report field {name!r}: a number beyond 2^53"
                )
        if typ == "str" and max(map(len, vals)) > 256:
            raise Rejected(Reason.BAD_REPORT, f"{kind} report field {name!r}: longer than 256")
        cols[name] = np.asarray(vals, dtype=_DTYPE[typ])
    return cols


@dataclass
class _Bucket:
    tokens: float
    last: float


class RateLimiter:
    """Token buckets per sensor: at most ``per_s`` units a second on average, bursts up to
    two seconds' worth."""

    def __init__(self, per_s: float) -> None:
        self.per_s = float(per_s)
        self._b: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, n: float = 1.0, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        cap = 2.0 * self.per_s
        with self._lock:
            b = self._b.get(key)
            if b is None:
                b = self._b[key] = _Bucket(cap, now)
            b.tokens = min(cap, b.tokens + (now - b.last) * self.per_s)
            b.last = now
            if b.tokens < n:
                return False
            b.tokens -= n
            return True


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def n_lines(body: bytes) -> int:
    """Reports in a body, counted without parsing (for the rate limit)."""
    return int(np.count_nonzero(np.frombuffer(body, dtype=np.uint8) == 10)) + (
        0 if body.endswith(b"\n") or not body else 1
    )
