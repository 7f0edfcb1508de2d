"""Report batches from loose test columns (``schema``, ``kind`` and ``time_utc`` filled)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from earlywarn.reports import ReportBatch

EPOCH_UTC = "2026-01-01T00:00:00Z"


def batch_of(
    ir: Mapping[str, Any] | None = None,
    radar: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
) -> ReportBatch:
    """A :class:`ReportBatch` of the given per-kind columns (missing kinds empty)."""
    return ReportBatch.from_columns(EPOCH_UTC, ir=ir, radar=radar, status=status)


def radar_rows(range_m: list[float], mode: str = "live", **over: Any) -> dict[str, Any]:
    """Columns of radar reports of sensor ``rad``, one a second from t = 1 s, at the given
    ranges (``over``: columns replaced)."""
    n = len(range_m)
    cols: dict[str, Any] = {
        "sensor_id": np.full(n, "rad"),
        "seq": np.arange(n, dtype=np.int64),
        "t_s": np.arange(1, n + 1, dtype=float),
        "mode": np.full(n, mode),
        "site_lat_rad": np.full(n, 0.9),
        "site_lon_rad": np.full(n, -2.9),
        "site_h_m": np.zeros(n),
        "range_m": np.asarray(range_m, dtype=float),
        "azimuth_rad": np.full(n, 1.0),
        "elevation_rad": np.full(n, 0.2),
        "range_rate_m_s": np.full(n, -3000.0),
        "sigma_range_m": np.full(n, 50.0),
        "sigma_azimuth_rad": np.full(n, 2e-3),
        "sigma_elevation_rad": np.full(n, 2e-3),
        "sigma_range_rate_m_s": np.full(n, 5.0),
        "snr": np.full(n, 20.0),
        "face_id": np.full(n, "n"),
        "scan_id": np.arange(n, dtype=np.int64),
    }
    for k, v in over.items():
        cols[k] = np.asarray(v)
    return cols
