"""Report provenance (issue 14): every report's mode, the center taking only its own mode,
version-1 files read as live, corrupt records rejected one by one and named, plausibility
limits, and the corruption model of the simulator."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy.stats import binom

from batches import radar_rows
from earlywarn.center.intake import (
    IntakeParams,
    IntakeState,
    Outcome,
    RegisteredSensor,
    SensorKind,
    SensorRegistry,
    admit,
)
from earlywarn.io.reports import read_reports, write_reports_parquet
from earlywarn.reports import (
    SCHEMA_V1,
    SCHEMA_VERSION,
    ReportBatch,
    ReportError,
    ReportSlice,
)
from earlywarn.sensors.events import CORRUPT_FIELDS, Corrupt, garble

EPOCH = "2026-03-20T12:00:00Z"


RADAR = RegisteredSensor("rad", SensorKind.RADAR, 0.9, -2.9, 0.0, 4.8e6, math.radians(3.0),
                         math.radians(85.0))  # fmt: skip


def admit_radar(cols: dict[str, Any], mode: str = "live", registry: Any = None) -> Any:
    sl = ReportSlice.from_columns(radar=cols)
    return admit(IntakeState(), sl, 0.0, 100.0, IntakeParams(), registry, mode)


# ------------------------------------------------------------------------- the mode


def test_a_center_uses_only_its_own_mode_and_counts_the_rest() -> None:
    modes = ["live", "exercise", "exercise", "test", "replay", "live"]
    cols = radar_rows([1e6] * 6)
    cols["mode"] = np.asarray(modes)
    for center in ("live", "exercise", "test", "replay"):
        _, used, counts = admit_radar(cols, center)
        assert used.radar.n == modes.count(center) == counts.get("radar", Outcome.USED)
        assert counts.get("radar", Outcome.OTHER_MODE) == 6 - modes.count(center)
        assert set(used.radar["mode"].tolist()) == {center}


def test_mode_is_checked_by_the_contract_and_a_gateway_restamps_it() -> None:
    b = ReportBatch.from_columns(EPOCH, radar=radar_rows([1e6, 2e6]))
    assert b.columns("radar")["mode"].tolist() == ["live", "live"]  # the default
    ex = b.with_mode("exercise")
    assert ex.columns("radar")["mode"].tolist() == ["exercise"] * 2
    with pytest.raises(ReportError, match="mode"):
        b.with_mode("LIVE")
    rec = next(b.iter_records())
    assert rec["schema"] == SCHEMA_VERSION == "earlywarn.report/2" and rec["mode"] == "live"


def test_version_1_streams_and_files_are_read_as_live(tmp_path: Path) -> None:
    b = ReportBatch.from_columns(EPOCH, radar=radar_rows([1e6, 2e6, 3e6]))
    old = []
    for rec in b.iter_records():
        del rec["mode"]
        rec["schema"] = SCHEMA_V1
        old.append(rec)
    (tmp_path / "old.jsonl").write_text("".join(json.dumps(r) + "\n" for r in old))
    got = read_reports(tmp_path / "old.jsonl")
    assert got.upgraded == 3 and got.rejected == () and got.batch == b
    # a reports.parquet of a run before modes: no 'mode' column, schema version 1
    write_reports_parquet(b, tmp_path / "new.parquet")
    t = pq.read_table(tmp_path / "new.parquet").drop_columns(["mode"])
    t = t.set_column(t.schema.get_field_index("schema"), "schema",
                     pa.array([SCHEMA_V1] * t.num_rows))  # fmt: skip
    pq.write_table(t, tmp_path / "old.parquet")
    got = read_reports(tmp_path / "old.parquet")
    assert got.upgraded == 3 and got.batch == b
    # the per-kind Arrow form of version 1 too
    tables = {}
    for k in ("ir", "radar", "status"):
        a = b.to_arrow(k).drop_columns(["mode"])
        tables[k] = a.replace_schema_metadata(
            {**a.schema.metadata, b"earlywarn.schema": SCHEMA_V1.encode()}
        )
    assert ReportBatch.from_arrow(tables) == b


# ------------------------------------------------------------------- corrupt records


def _stream(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    b = ReportBatch.from_columns(EPOCH, radar=radar_rows([1e6 + i for i in range(8)]))
    recs = b.to_json_records()
    lines = [json.dumps(r) for r in recs]
    lines[1] = lines[1][:40]  # a broken line
    r = dict(recs[2])
    del r["snr"]
    lines[2] = json.dumps(r)  # a missing field
    lines[3] = json.dumps({**recs[3], "scan_id": "7"})  # a wrong type
    lines[4] = json.dumps({**recs[4], "range_m": math.inf})  # a non-finite value
    lines[5] = json.dumps({**recs[5], "seq": recs[0]["seq"]})  # a duplicate seq
    p = tmp_path / "s.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return p, recs


def test_corrupt_json_lines_are_rejected_one_by_one_and_named(tmp_path: Path) -> None:
    p, recs = _stream(tmp_path)
    got = read_reports(p)
    named = [(r.where, r.field) for r in got.rejected]
    assert named == [("line 2", ""), ("line 3", "snr"), ("line 4", "scan_id"),
                     ("line 5", "range_m"), ("line 6", "seq")]  # fmt: skip
    assert "not a JSON object" in got.rejected[0].reason
    assert got.rejected[3].value == "inf" and "finite" in got.rejected[3].reason
    assert "line 1 has it" in got.rejected[4].reason
    kept = got.batch.columns("radar")["seq"].tolist()
    assert kept == [recs[i]["seq"] for i in (0, 6, 7)]


def test_parquet_rows_with_bad_values_are_rejected_one_by_one(tmp_path: Path) -> None:
    b = ReportBatch.from_columns(EPOCH, radar=radar_rows([1e6 + i for i in range(6)]))
    write_reports_parquet(b, tmp_path / "r.parquet")
    t = pq.read_table(tmp_path / "r.parquet")
    rng = t.column("range_m").to_pylist()
    rng[1] = None  # a null
    rng[2] = -5.0  # out of the contract's range
    mode = t.column("mode").to_pylist()
    mode[3] = "practice"
    seq = t.column("seq").to_pylist()
    seq[4] = seq[0]
    for name, vals in (("range_m", rng), ("mode", mode), ("seq", seq)):
        t = t.set_column(t.schema.get_field_index(name), name, pa.array(vals))
    pq.write_table(t, tmp_path / "bad.parquet")
    got = read_reports(tmp_path / "bad.parquet")
    assert [(r.where, r.field) for r in got.rejected] == [
        ("row 1", "range_m"), ("row 2", "range_m"), ("row 3", "mode"), ("row 4", "seq")
    ]  # fmt: skip
    assert got.batch.count("radar") == 2


def test_the_replay_command_lists_what_it_rejected(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from earlywarn.cli import app

    p, _ = _stream(tmp_path)
    r = CliRunner().invoke(app, ["replay", str(p), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "5 records rejected on reading" in r.stderr
    rows = (tmp_path / "o" / "rejected_reports.jsonl").read_text().splitlines()
    assert [json.loads(x)["where"] for x in rows] == [f"line {i}" for i in (2, 3, 4, 5, 6)]


# ----------------------------------------------------------------- plausibility limits


def test_values_that_keep_the_contract_but_cannot_be_right_are_implausible() -> None:
    reg = SensorRegistry((RADAR,))
    ok = radar_rows([4.0e6, 4.8005e6])  # within the instrumented range (+ the margin)
    _, used, counts = admit_radar(ok, registry=reg)
    assert used.radar.n == 2 and not counts.get("radar", Outcome.IMPLAUSIBLE)
    cases = {
        "range_m": radar_rows([1e6, 4.81e6]),
        "elevation_rad": radar_rows([1e6, 1e6], elevation_rad=[0.2, math.radians(1.5)]),
        "site_lat_rad/site_lon_rad": radar_rows([1e6, 1e6], site_lat_rad=[0.9, 0.9005]),
        "snr": radar_rows([1e6, 1e6], snr=[20.0, 1e14]),
        "range_rate_m_s": radar_rows([1e6, 1e6], range_rate_m_s=[-7e3, 13e3]),
    }
    for field, cols in cases.items():
        _, used, counts = admit_radar(cols, registry=reg)
        assert used.radar.n == 1 and counts.get("radar", Outcome.IMPLAUSIBLE) == 1, field
        (rej,) = counts.rejected
        assert rej.field == field and rej.where.startswith("radar report rad seq 1"), field
        assert rej.reason.startswith("implausible"), field
    # without a registry only the physical bounds hold: a long range is taken
    _, used, counts = admit_radar(radar_rows([1e6, 4.81e6]))
    assert used.radar.n == 2


def test_ir_plausibility_bounds() -> None:
    n = 4
    ir = {
        "sensor_id": np.full(n, "geo"),
        "seq": np.arange(n, dtype=np.int64),
        "t_s": np.arange(1.0, n + 1.0),
        "los_x": np.full(n, -1.0), "los_y": np.zeros(n), "los_z": np.zeros(n),
        "sat_x_m": np.array([42e6, 42e6, 42e6, 6.4e6]),  # the last inside the atmosphere
        "sat_y_m": np.zeros(n), "sat_z_m": np.zeros(n),
        "sigma_rad": np.full(n, 3e-5),
        "intensity_w_sr": np.array([1e6, 1e6, 1e12, 1e6]),
        "snr": np.array([20.0, 1e10, 20.0, 20.0]),
        "frame_id": np.arange(n, dtype=np.int64),
    }  # fmt: skip
    sl = ReportSlice.from_columns(ir=ir)
    _, used, counts = admit(IntakeState(), sl, 0.0, 10.0, IntakeParams())
    assert used.ir["seq"].tolist() == [0]
    assert [r.field for r in counts.rejected] == [
        "snr", "intensity_w_sr", "sat_x_m/sat_y_m/sat_z_m"
    ]  # fmt: skip


# ------------------------------------------------------------------ corruption model


def test_garble_hits_the_stated_fraction_and_flips_one_exponent_bit() -> None:
    rng = np.random.default_rng(1980)
    n = 4000
    cols = {k: v for k, v in radar_rows([2e6] * n).items()}
    t = np.linspace(0.0, 1000.0, n)
    ev = Corrupt("rad", 250.0, 750.0, 0.3)
    out, hit = garble("radar", cols, t, "rad", [ev], rng)
    inside = (t >= 250.0) & (t < 750.0)
    assert not hit[~inside].any()
    k, m = int(hit.sum()), int(inside.sum())
    lo, hi = binom.ppf([0.0005, 0.9995], m, 0.3)  # a 99.9 % interval
    assert lo <= k <= hi
    fields = CORRUPT_FIELDS["radar"]
    changed = np.zeros(n, dtype=int)
    for f in fields:
        a = np.asarray(cols[f], dtype=float).view(np.uint64)
        b = np.asarray(out[f], dtype=float).view(np.uint64)
        diff = a ^ b
        changed += diff != 0
        # exactly one bit, and it is an exponent bit (52..62)
        d = diff[diff != 0]
        assert np.all((d & (d - np.uint64(1))) == 0)
        assert np.all((d >= np.uint64(1) << np.uint64(52)) & (d < np.uint64(1) << np.uint64(63)))
    assert np.array_equal(changed == 1, hit) and changed.max() == 1
    assert np.array_equal(out["t_s"], cols["t_s"]) and np.array_equal(out["seq"], cols["seq"])


# ---------------------------------------------------------------------- the service


def test_the_service_takes_version_1_records_in_the_envelopes_mode() -> None:
    from earlywarn.service.envelope import Mode
    from earlywarn.service.ingest import Reason, Rejected, parse_reports

    rec = {"schema": SCHEMA_V1, "kind": "status", "sensor_id": "rad", "seq": 0, "t_s": 1.0,
           "time_utc": "2026-03-20T12:00:01.000Z", "state": "ok", "period_s": 10.0}  # fmt: skip
    body = (json.dumps(rec) + "\n").encode()
    got = parse_reports(body, "rad", EPOCH, 10, Mode.EXERCISE)
    assert got.columns("status")["mode"].tolist() == ["exercise"]
    assert parse_reports(body, "rad", EPOCH, 10).columns("status")["mode"].tolist() == ["live"]
    new = {**rec, "schema": SCHEMA_VERSION, "mode": "exercise"}
    body = (json.dumps(new) + "\n").encode()
    with pytest.raises(Rejected) as exc:
        parse_reports(body, "rad", EPOCH, 10, Mode.LIVE)
    assert exc.value.reason == Reason.MODE_MISMATCH and "'mode'" in str(exc.value.detail)
