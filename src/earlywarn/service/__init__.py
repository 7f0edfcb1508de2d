"""The live center: authenticated durable ingest, the center on the wall clock, the
alert API and the live page.

A live center knows only reports, its configuration (:mod:`.config`: sensors and their
keys, defended areas, notifications, mode, clock, store, operators) and the center's own
priors: this package imports ``earth``, ``reports``, ``center`` and ``io`` (file formats),
never ``flight``, ``sensors``, ``analysis`` or ``run``.

* :mod:`.envelope` — the signed batch envelope and the report provenance :class:`Mode`;
* :mod:`.ingest` — the checks a posted batch passes, in order, and the rate limits;
* :mod:`.store` — SQLite (WAL, ``synchronous=FULL``), one append-only table per stream;
* :mod:`.loop` — the center's clock and the loop that steps ``center.step`` from the log;
* :mod:`.app` — the HTTP routes (Starlette), the server-sent events, the page.
"""

from earlywarn.service.envelope import Envelope, Mode

__all__ = ["Envelope", "Mode"]
