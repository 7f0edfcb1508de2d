"""Report batches from loose test columns (``schema``, ``kind`` and ``time_utc`` filled)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from earlywarn.reports import ReportBatch

EPOCH_UTC = "2026-01-01T00:00:00Z"


def batch_of(
    ir: Mapping[str, Any] | None = None,
    radar: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
) -> ReportBatch:
    """A :class:`ReportBatch` of the given per-kind columns (missing kinds empty)."""
    return ReportBatch.from_columns(EPOCH_UTC, ir=ir, radar=radar, status=status)
