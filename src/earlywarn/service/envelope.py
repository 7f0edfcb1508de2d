"""The signed batch envelope: what a sensor puts around the reports it posts.

A batch is the body of one ``POST /v1/reports``: JSON lines, one report each (the
contract's JSON form, :func:`earlywarn.reports.validate_record`), all from one sensor.
The envelope travels in headers:

``X-Earlywarn-Sensor``     the sensor id (must be in the center's registry)
``X-Earlywarn-Seq``        the sensor's batch sequence number (an integer >= 0)
``X-Earlywarn-Timestamp``  when the batch was signed, Unix seconds (decimal)
``X-Earlywarn-Mode``       the provenance of the reports, a :class:`Mode`
``X-Earlywarn-Signature``  ``hmac-sha256=<hex>`` over :func:`signing_message`

The signature covers the body (through its SHA-256), the sensor id, the sequence number,
the timestamp and the mode, so none of them can be changed or replayed under another
name without the sensor's key. Keys are shared secrets, one per sensor, held by the
sensor and the center (HMAC-SHA256, RFC 2104, from the standard library).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ENVELOPE_VERSION",
    "HEADERS",
    "Envelope",
    "Mode",
    "sign",
    "signature_ok",
    "signing_message",
]

ENVELOPE_VERSION = "earlywarn.batch/1"


class Mode(StrEnum):
    """The provenance of reports (and of the center that takes them).

    A LIVE center takes LIVE batches only: an exercise, a test tape or a replay posted
    into it is refused and audited (the November 1979 exercise tape is the case to
    avoid). A center in any other mode likewise takes only its own mode.
    """

    LIVE = "LIVE"
    EXERCISE = "EXERCISE"
    TEST = "TEST"
    REPLAY = "REPLAY"


HEADERS = {
    "sensor": "x-earlywarn-sensor",
    "seq": "x-earlywarn-seq",
    "timestamp": "x-earlywarn-timestamp",
    "mode": "x-earlywarn-mode",
    "signature": "x-earlywarn-signature",
}
"""Envelope field → HTTP header name (lower case, as ASGI gives them)."""

_SIG_PREFIX = "hmac-sha256="


@dataclass(frozen=True)
class Envelope:
    """The envelope of one batch (see the module docstring)."""

    sensor_id: str
    seq: int
    timestamp_s: float
    mode: Mode

    def headers(self, body: bytes, key: bytes) -> dict[str, str]:
        """The HTTP headers that carry this envelope, signed with ``key``."""
        return {
            HEADERS["sensor"]: self.sensor_id,
            HEADERS["seq"]: str(self.seq),
            HEADERS["timestamp"]: repr(float(self.timestamp_s)),
            HEADERS["mode"]: str(self.mode),
            HEADERS["signature"]: _SIG_PREFIX + sign(self, body, key),
            "content-type": "application/x-ndjson",
        }


def signing_message(env: Envelope, body: bytes, timestamp_text: str | None = None) -> bytes:
    """The bytes the signature covers: the envelope version, sensor, seq, timestamp (as
    sent), mode and the body's SHA-256, one per line."""
    ts = timestamp_text if timestamp_text is not None else repr(float(env.timestamp_s))
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(
        (ENVELOPE_VERSION, env.sensor_id, str(env.seq), ts, str(env.mode), digest)
    ).encode("utf-8")


def sign(env: Envelope, body: bytes, key: bytes, timestamp_text: str | None = None) -> str:
    """The hex HMAC-SHA256 of :func:`signing_message` under ``key``."""
    return hmac.new(key, signing_message(env, body, timestamp_text), hashlib.sha256).hexdigest()


def signature_ok(env: Envelope, body: bytes, key: bytes, header: str, timestamp_text: str) -> bool:
    """Whether ``header`` (``hmac-sha256=<hex>``) is the signature of this batch under
    ``key`` (compared in constant time)."""
    if not header.startswith(_SIG_PREFIX):
        return False
    want = sign(env, body, key, timestamp_text)
    return hmac.compare_digest(want, header[len(_SIG_PREFIX) :])
