"""The report contract: round trips (JSON ↔ batch ↔ Arrow/Parquet) and the validator.

Round trips are property-tested with hypothesis: every float is written as its shortest
repr by ``json`` (exact for IEEE-754 doubles, Python's float repr guarantee since 3.1),
and Arrow/Parquet store float64/int64/UTF-8 natively, so equality is bit-exact.
"""

from __future__ import annotations

import json
import math
import tempfile
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlywarn.reports import (
    KINDS,
    MODES,
    SCHEMA_VERSION,
    ReportBatch,
    ReportError,
    ReportTruth,
    columns_of,
    validate_batch,
    validate_record,
)

EPOCH = "2026-03-20T12:00:00.000Z"
SENSORS = ("GEO-1", "HEO-2", "RDR-A")

finite = st.floats(-1e7, 1e7, allow_nan=False, allow_infinity=False)
nonneg = st.floats(0.0, 1e7, allow_nan=False, allow_infinity=False)
pos = st.floats(1e-3, 1e7, allow_nan=False, allow_infinity=False)
times = st.floats(0.0, 2e5, allow_nan=False, allow_infinity=False)


@st.composite
def unit_vec(draw: st.DrawFn) -> tuple[float, float, float]:
    v = np.array([draw(st.floats(-1, 1)) for _ in range(3)])
    n = float(np.linalg.norm(v))
    if n < 1e-3:
        v, n = np.array([0.0, 0.0, 1.0]), 1.0
    u = v / n
    return float(u[0]), float(u[1]), float(u[2])


@st.composite
def row(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    r: dict[str, Any] = {
        "sensor_id": draw(st.sampled_from(SENSORS)),
        "t_s": draw(times),
        "mode": draw(st.sampled_from(MODES)),
    }
    if kind == "ir":
        r["los_x"], r["los_y"], r["los_z"] = draw(unit_vec())
        for k in ("sat_x_m", "sat_y_m", "sat_z_m"):
            r[k] = draw(finite)
        r["sigma_rad"] = draw(st.floats(1e-9, 1.0, allow_nan=False))
        r["intensity_w_sr"] = draw(nonneg)
        r["snr"] = draw(finite)
        r["frame_id"] = draw(st.integers(0, 2**40))
    elif kind == "radar":
        r["site_lat_rad"] = draw(st.floats(-math.pi / 2, math.pi / 2))
        r["site_lon_rad"] = draw(st.floats(-math.pi, math.pi))
        r["site_h_m"] = draw(finite)
        r["range_m"] = draw(pos)
        r["azimuth_rad"] = draw(st.floats(0.0, 2 * math.pi, exclude_max=True))
        r["elevation_rad"] = draw(st.floats(-math.pi / 2, math.pi / 2))
        r["range_rate_m_s"] = draw(finite)
        for k in ("sigma_range_m", "sigma_azimuth_rad", "sigma_elevation_rad"):
            r[k] = draw(pos)
        r["sigma_range_rate_m_s"] = draw(pos)
        r["snr"] = draw(finite)
        r["face_id"] = draw(st.sampled_from(("N", "S", "face-ü")))
        r["scan_id"] = draw(st.integers(0, 2**40))
    else:
        r["state"] = draw(st.sampled_from(("ok", "degraded", "outage")))
        r["period_s"] = draw(pos)
    return r


@st.composite
def batches(draw: st.DrawFn) -> ReportBatch:
    rows = {k: draw(st.lists(row(k), max_size=6)) for k in KINDS}
    # seq per sensor in global time order, as a producer must
    flat = [(r["t_s"], ki, i) for ki, k in enumerate(KINDS) for i, r in enumerate(rows[k])]
    counters: dict[str, int] = {}
    for _, ki, i in sorted(flat):
        r = rows[KINDS[ki]][i]
        r["seq"] = counters.get(r["sensor_id"], 0)
        counters[r["sensor_id"]] = r["seq"] + 1
    cols = {}
    for k in KINDS:
        names = [n for n in columns_of(k) if n not in ("schema", "kind", "time_utc")]
        cols[k] = {n: np.asarray([r[n] for r in rows[k]]) for n in names}
    return ReportBatch.from_columns(EPOCH, **cols)


@settings(max_examples=60, deadline=None)
@given(batches())
def test_round_trip_json_arrow_parquet(b: ReportBatch) -> None:
    validate_batch(b)
    recs = b.to_json_records()
    assert len(recs) == len(b)
    text = [json.dumps(r, allow_nan=False) for r in recs]
    back = ReportBatch.from_json_records((json.loads(t) for t in text), b.epoch_utc)
    assert back == b
    tables = {k: b.to_arrow(k) for k in KINDS}
    assert ReportBatch.from_arrow(tables) == b
    with tempfile.TemporaryDirectory() as d:
        b.write_parquet(d)
        assert ReportBatch.read_parquet(d) == b
    # the stream is time-ordered across kinds
    ts = [r["t_s"] for r in recs]
    assert ts == sorted(ts)


@settings(max_examples=40, deadline=None)
@given(batches(), times, times)
def test_time_slice_is_half_open_and_concat_restores(b: ReportBatch, a: float, c: float) -> None:
    t0, t1 = min(a, c), max(a, c)
    parts = [b.time_slice(-1.0, t0), b.time_slice(t0, t1), b.time_slice(t1, 1e9)]
    for k in KINDS:
        t = parts[1].columns(k)["t_s"]
        assert np.all((t >= t0) & (t < t1))
    assert ReportBatch.concat(parts) == b


def test_merged_order_key() -> None:
    b = ReportBatch.from_columns(
        EPOCH,
        status={
            "sensor_id": ["B", "A"],
            "seq": [0, 1],
            "t_s": [5.0, 5.0],
            "state": ["ok", "ok"],
            "period_s": [10.0, 10.0],
        },
        radar={
            "sensor_id": ["A"],
            "seq": [0],
            "t_s": [5.0],
            **{n: [1.0] for n, t in columns_of("radar").items() if t == "float64" and n != "t_s"},
            "face_id": ["N"],
            "scan_id": [0],
        },
    )
    recs = b.to_json_records()
    assert [(r["kind"], r["sensor_id"]) for r in recs] == [
        ("radar", "A"),
        ("status", "A"),
        ("status", "B"),
    ]


def _good_ir() -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "ir",
        "mode": "live",
        "sensor_id": "GEO-1",
        "seq": 3,
        "t_s": 12.5,
        "time_utc": "2026-03-20T12:00:12.500Z",
        "los_x": 0.6,
        "los_y": 0.8,
        "los_z": 0.0,
        "sat_x_m": 4.2e7,
        "sat_y_m": 0.0,
        "sat_z_m": 0.0,
        "sigma_rad": 2e-5,
        "intensity_w_sr": 1e6,
        "snr": 20.0,
        "frame_id": 7,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"schema": "earlywarn.report/0"}, "schema"),
        ({"kind": "lidar"}, "kind"),
        ({"extra": 1}, "extra"),
        ({"seq": 3.0}, "seq"),
        ({"seq": True}, "seq"),
        ({"t_s": float("nan")}, "t_s"),
        ({"snr": float("inf")}, "snr"),
        ({"los_x": 0.7}, "los"),
        ({"sigma_rad": -1e-6}, "sigma_rad"),
        ({"sigma_rad": 0.0}, "sigma_rad"),
        ({"time_utc": "2026-03-20 12:00:12"}, "time_utc"),
        ({"time_utc": "2026-03-20T12:00:12.500+00:00"}, "time_utc"),
        ({"sensor_id": 5}, "sensor_id"),
        ({"frame_id": -1}, "frame_id"),
        ({"mode": "LIVE"}, "mode"),
        ({"mode": None}, "mode"),
    ],
)
def test_validate_record_names_the_field(change: dict[str, Any], field: str) -> None:
    validate_record(_good_ir(), EPOCH)
    rec = {**_good_ir(), **change}
    with pytest.raises(ReportError, match=field):
        validate_record(rec)


def test_validate_record_missing_field_and_status_state() -> None:
    rec = _good_ir()
    del rec["snr"]
    with pytest.raises(ReportError, match=r"missing.*snr"):
        validate_record(rec)
    st_rec = {
        "schema": SCHEMA_VERSION,
        "kind": "status",
        "mode": "live",
        "sensor_id": "R",
        "seq": 0,
        "t_s": 0.0,
        "time_utc": "2026-03-20T12:00:00.000Z",
        "state": "ok",
        "period_s": 10.0,
    }
    validate_record(st_rec, EPOCH)
    with pytest.raises(ReportError, match=r"state.*'broken'.*ok"):
        validate_record({**st_rec, "state": "broken"})
    with pytest.raises(ReportError, match="time_utc"):
        validate_record({**st_rec, "t_s": 3.0}, EPOCH)  # text disagrees with epoch + t_s


def test_validate_batch_seq_rules() -> None:
    def status(seq: list[int], t: list[float]) -> ReportBatch:
        n = len(seq)
        return ReportBatch.from_columns(
            EPOCH,
            status={
                "sensor_id": ["S"] * n,
                "seq": seq,
                "t_s": t,
                "state": ["ok"] * n,
                "period_s": [10.0] * n,
            },
        )

    validate_batch(status([0, 1, 5], [0.0, 10.0, 20.0]))
    with pytest.raises(ReportError, match="seq"):
        validate_batch(status([0, 0], [0.0, 10.0]))
    with pytest.raises(ReportError, match="seq"):
        validate_batch(status([1, 0], [0.0, 10.0]))


def test_batch_refuses_bad_columns() -> None:
    with pytest.raises(ReportError, match="length"):
        ReportBatch.from_columns(
            EPOCH,
            status={
                "sensor_id": ["S"],
                "seq": [0, 1],
                "t_s": [0.0],
                "state": ["ok"],
                "period_s": [1.0],
            },
        )
    with pytest.raises(ReportError, match="missing"):
        ReportBatch.from_columns(EPOCH, status={"t_s": [0.0]})
    b = ReportBatch(EPOCH)
    with pytest.raises(ValueError, match="read-only"):
        b.columns("ir")["t_s"][...] = 1.0  # type: ignore[index]


def test_truth_table_round_trip(tmp_path: Any) -> None:
    tr = ReportTruth(
        np.array(["GEO-1", "GEO-1", "RDR"]), np.array([4, 2, 0]), np.array(["L1/rv", "glint", "x"])
    )
    tr.write_parquet(tmp_path)
    back = ReportTruth.read_parquet(tmp_path)
    assert back == tr
    assert back.as_dict()[("GEO-1", 2)] == "glint"
    assert back.lookup(["GEO-1", "RDR", "nope"], [4, 0, 1]).tolist() == ["L1/rv", "x", ""]
    with pytest.raises(ReportError, match="twice"):
        ReportTruth(np.array(["A", "A"]), np.array([1, 1]), np.array(["x", "y"]))
