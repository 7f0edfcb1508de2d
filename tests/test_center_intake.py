"""The center's intake policy (``earlywarn.center.intake``): late, duplicated, early,
out-of-order and refused reports never raise, are counted, and are used or dropped by one
rule for every kind; and a stream delivered shuffled, duplicated and delayed still gives
every event the ordered stream finds."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batches import radar_rows
from earlywarn.center import CenterState, Level, run_center, step
from earlywarn.center.core import CenterConfig
from earlywarn.center.intake import (
    IntakeParams,
    IntakeState,
    Outcome,
    RegisteredSensor,
    SensorKind,
    SensorRegistry,
    admit,
)
from earlywarn.earth.frames import great_circle
from earlywarn.reports import KINDS, ReportBatch, ReportSlice

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def ir_rows(times: list[float], sensor: str = "geo-a", seq0: int = 0) -> dict[str, Any]:
    n = len(times)
    los = np.tile([-1.0, 0.0, 0.0], (n, 1))
    los[:, 1] = np.linspace(0.0, 1e-3, n)  # distinct lines of sight
    los /= np.linalg.norm(los, axis=1)[:, None]
    return {
        "sensor_id": np.full(n, sensor),
        "seq": np.arange(seq0, seq0 + n, dtype=np.int64),
        "t_s": np.asarray(times, dtype=float),
        "los_x": los[:, 0],
        "los_y": los[:, 1],
        "los_z": los[:, 2],
        "sat_x_m": np.full(n, 42e6),
        "sat_y_m": np.zeros(n),
        "sat_z_m": np.zeros(n),
        "sigma_rad": np.full(n, 30e-6),
        "intensity_w_sr": np.full(n, 1e6),
        "snr": np.full(n, 20.0),
        "frame_id": np.arange(n, dtype=np.int64),
    }


def status_rows(times: list[float], sensor: str = "geo-a", seq0: int = 1000) -> dict[str, Any]:
    n = len(times)
    return {
        "sensor_id": np.full(n, sensor),
        "seq": np.arange(seq0, seq0 + n, dtype=np.int64),
        "t_s": np.asarray(times, dtype=float),
        "state": np.full(n, "ok"),
        "period_s": np.full(n, 10.0),
    }


PARAMS = IntakeParams(hold_early_s=30.0, dedup_window_s=600.0)


def take(state: IntakeState, sl: ReportSlice, t_prev: float, t_s: float) -> Any:
    return admit(state, sl, t_prev, t_s, PARAMS)


def test_in_order_reports_are_used_as_given() -> None:
    sl = ReportSlice.from_columns(ir=ir_rows([1.0, 2.0]), status=status_rows([1.5]))
    _, used, counts = take(IntakeState(), sl, 0.0, 2.0)
    assert counts.to_dict() == {"ir": {"used": 2}, "status": {"used": 1}}
    assert used.ir is sl.ir  # the common case copies nothing


def test_late_reports_ir_dropped_status_used() -> None:
    s1, _, _ = take(IntakeState(), ReportSlice.from_columns(ir=ir_rows([9.0])), 0.0, 10.0)
    late = ReportSlice.from_columns(ir=ir_rows([5.0], seq0=7), status=status_rows([4.0]))
    _, used, counts = take(s1, late, 10.0, 12.0)
    assert counts.get("ir", Outcome.LATE) == 1 and used.ir.n == 0
    assert counts.get("status", Outcome.LATE_USED) == 1 and used.status.n == 1
    assert counts.total(Outcome.USED) == 0


def test_duplicates_by_key_in_a_step_and_across_steps() -> None:
    rows = ir_rows([1.0, 2.0, 3.0])
    twice = {k: np.concatenate([v, v[:1]]) for k, v in rows.items()}
    s1, used, counts = take(IntakeState(), ReportSlice.from_columns(ir=twice), 0.0, 3.0)
    assert counts.get("ir", Outcome.DUPLICATE) == 1 and used.ir.n == 3
    # the same key again next step, with a time in the new interval: still a duplicate
    again = dict(ir_rows([3.5], seq0=1))
    _, used2, counts2 = take(s1, ReportSlice.from_columns(ir=again), 3.0, 4.0)
    assert counts2.get("ir", Outcome.DUPLICATE) == 1 and used2.ir.n == 0


def test_duplicate_content_under_another_seq() -> None:
    rows = ir_rows([1.0, 2.0])
    copy = {k: v[:1].copy() for k, v in rows.items()}
    copy["seq"] = np.array([99])
    both = {k: np.concatenate([rows[k], copy[k]]) for k in rows}
    _, used, counts = take(IntakeState(), ReportSlice.from_columns(ir=both), 0.0, 2.0)
    assert counts.get("ir", Outcome.DUPLICATE) == 1
    assert sorted(used.ir["seq"].tolist()) == [0, 1]


def test_out_of_order_in_a_step_is_put_in_canonical_order() -> None:
    rows = ir_rows([1.0, 2.0, 3.0])
    rev = {k: v[::-1] for k, v in rows.items()}
    _, used, counts = take(IntakeState(), ReportSlice.from_columns(ir=rev), 0.0, 3.0)
    assert counts.get("ir", Outcome.USED) == 3
    assert used.ir["t_s"].tolist() == [1.0, 2.0, 3.0]


def test_early_reports_are_held_until_due_and_future_ones_dropped() -> None:
    sl = ReportSlice.from_columns(ir=ir_rows([1.0, 20.0, 500.0]))
    s1, used, counts = take(IntakeState(), sl, 0.0, 2.0)
    assert used.ir["t_s"].tolist() == [1.0]
    assert counts.get("ir", Outcome.HELD) == 1 and counts.get("ir", Outcome.FUTURE) == 1
    s2, used2, counts2 = take(s1, ReportSlice(), 2.0, 10.0)
    assert used2.ir.n == 0 and s2.n_held == 1 and not counts2.get("ir", Outcome.HELD)
    s3, used3, counts3 = take(s2, ReportSlice(), 10.0, 20.0)
    assert used3.ir["t_s"].tolist() == [20.0] and counts3.get("ir", Outcome.USED) == 1
    assert s3.n_held == 0


def test_rows_that_break_the_contract_are_refused_and_counted() -> None:
    rows = ir_rows([1.0, 2.0, 3.0])
    rows["t_s"] = np.array([1.0, math.nan, 3.0])
    rows["los_x"] = rows["los_x"] * np.array([1.0, 1.0, 2.0])  # row 3: not a unit vector
    sl = ReportSlice.from_columns(ir=rows)
    assert sl.ir.n == 1 and sl.refused == (("ir", 2),)
    _, used, counts = take(IntakeState(), sl, 0.0, 3.0)
    assert counts.get("ir", Outcome.REFUSED) == 2 and used.ir.n == 1
    with pytest.raises(ValueError, match="missing"):
        ReportSlice.from_columns(ir={k: v for k, v in rows.items() if k != "los_y"})


RADAR_SIGMAS = ("sigma_range_m", "sigma_azimuth_rad", "sigma_elevation_rad", "sigma_range_rate_m_s")


def test_a_radar_report_with_a_zero_sigma_is_refused_and_the_center_goes_on() -> None:
    # found by tests/test_cli_properties.py: a replayed radar report with
    # sigma_azimuth_rad 0 passed the contract and raised in the tracker's measurement model
    rows = radar_rows([2.8e5] * 5)
    for i, name in enumerate(RADAR_SIGMAS):
        rows[name] = rows[name].copy()
        rows[name][i] = 0.0
    sl = ReportSlice.from_columns(radar=rows)
    assert sl.radar.n == 1 and sl.refused == (("radar", 4),)
    batch = ReportBatch.from_columns("2026-03-20T12:00:00Z", radar=rows)
    cfg = CenterConfig(epoch=batch.epoch)
    out = run_center(batch, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=10.0)
    assert out.intake.total(Outcome.REFUSED) == 4
    assert {r.field for r in out.rejected} == set(RADAR_SIGMAS)


def test_dedup_memory_forgets_after_its_window() -> None:
    s = IntakeState()
    s, _, _ = take(s, ReportSlice.from_columns(ir=ir_rows([1.0])), 0.0, 1.0)
    assert len(s.chunks) == 1
    s, _, _ = take(s, ReportSlice.from_columns(ir=ir_rows([700.0], seq0=5)), 1.0, 700.0)
    assert len(s.chunks) == 1 and s.chunks[0][2].tolist() == [700.0]


REGISTRY = SensorRegistry(
    (RegisteredSensor("geo-a", SensorKind.IR), RegisteredSensor("rad-1", SensorKind.RADAR))
)


def test_reports_from_unknown_sensors_or_of_the_wrong_kind_are_never_used() -> None:
    ir = {k: np.concatenate([a, b]) for (k, a), b in zip(
        ir_rows([1.0]).items(), ir_rows([1.5], sensor="geo-x", seq0=5).values(), strict=True
    )}  # fmt: skip
    spoof = ir_rows([1.8], sensor="rad-1", seq0=9)  # IR claimed by a radar's id
    both = {k: np.concatenate([ir[k], spoof[k]]) for k in ir}
    st_rows = status_rows([1.2], sensor="rad-1")
    sl = ReportSlice.from_columns(ir=both, status=st_rows)
    _, used, counts = admit(IntakeState(), sl, 0.0, 2.0, PARAMS, REGISTRY)
    assert used.ir["sensor_id"].tolist() == ["geo-a"]
    assert counts.get("ir", Outcome.UNREGISTERED) == 2
    assert counts.get("status", Outcome.USED) == 1  # a registered sensor's status
    _, used_open, _ = admit(IntakeState(), sl, 0.0, 2.0, PARAMS, None)
    assert used_open.ir.n == 3  # no registry: every sensor taken


def test_sensor_registry_refuses_repeated_ids() -> None:
    with pytest.raises(ValueError, match="unique"):
        SensorRegistry((RegisteredSensor("a", SensorKind.IR), RegisteredSensor("a", "radar")))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# the whole center on a perturbed stream


@cache
def reference() -> tuple[CenterConfig, ReportBatch, float]:
    from earlywarn.io.scenario import load_scenario
    from earlywarn.run import build
    from earlywarn.run.pipeline import run_scenario

    sc = load_scenario(EXAMPLES / "reference.yaml")
    res = run_scenario(sc)
    return build.center_config(sc), res.reports, float(sc.duration)


def rows_of(batch: ReportBatch, kind: str, idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in batch.columns(kind).items()}


def feed(
    cfg: CenterConfig, batch: ReportBatch, arrival: dict[str, np.ndarray], order_seed: int
) -> tuple[list[Any], Any, Any]:
    """Step the center every 2 s, giving each report (row index per kind, repeated for
    duplicates) at its arrival time, in a shuffled order within the step."""
    rng = np.random.default_rng(order_seed)
    dt = 2.0
    t_end = max(float(a[1].max()) for a in arrival.values() if a[1].size) + 200.0
    grid = np.arange(dt, t_end + dt, dt)
    state = CenterState.initial(cfg, 0.0)
    alerts: list[Any] = []
    counts = None
    edges = {}
    for k, (rows, t_arr) in arrival.items():
        o = np.argsort(t_arr, kind="stable")
        arrival[k] = (rows[o], t_arr[o])
        edges[k] = np.searchsorted(arrival[k][1], np.concatenate([[0.0], grid]), side="right")
    for j, t in enumerate(grid.tolist()):
        parts = {}
        for k, (rows, _) in arrival.items():
            sel = rows[edges[k][j] : edges[k][j + 1]]
            if sel.size:
                parts[k] = rows_of(batch, k, rng.permutation(sel))
        state, out = step(state, ReportSlice.from_columns(**parts), t)
        alerts.extend(out.alerts)
        counts = out.intake if counts is None else counts + out.intake
    return alerts, state, counts


def n_after_start(batch: ReportBatch) -> int:
    """Reports after t = 0 s, where the stepping starts (earlier ones are never given)."""
    return sum(int((batch.columns(k)["t_s"] > 0.0).sum()) for k in KINDS)


def launch_events(events: Any) -> list[tuple[float, float, Level]]:
    return [
        (e.launch_lat_rad, e.launch_lon_rad, e.level)
        for e in events
        if e.level >= Level.LAUNCH and e.launch_lat_rad is not None
    ]


def test_stepping_the_ordered_stream_gives_run_centers_alerts() -> None:
    cfg, batch, duration = reference()
    arrival = {k: (np.arange(batch.count(k)), batch.columns(k)["t_s"]) for k in KINDS}
    alerts, _, counts = feed(cfg, batch, arrival, order_seed=0)
    assert counts.total(Outcome.USED) == n_after_start(batch)
    ref = run_center(batch, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=duration, idle_step_s=2.0)
    assert [a.to_json() for a in alerts if a.t_s <= duration] == [a.to_json() for a in ref.alerts]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    p_dup=st.floats(0.0, 0.3),
    p_delay=st.floats(0.0, 0.1),
    max_delay_s=st.floats(0.0, 30.0),
)
def test_shuffled_duplicated_delayed_stream_never_raises_nor_loses_an_event(
    seed: int, p_dup: float, p_delay: float, max_delay_s: float
) -> None:
    cfg, batch, _ = reference()
    rng = np.random.default_rng(seed)
    arrival = {}
    n_dup = n_delayed = 0
    for k in KINDS:
        t = batch.columns(k)["t_s"]
        rows = np.arange(t.size)
        late = rng.random(t.size) < p_delay
        t_arr = t + np.where(late, rng.uniform(0.0, max_delay_s, t.size), 0.0)
        dup = rng.random(t.size) < p_dup
        d_arr = t[dup] + rng.uniform(0.0, 60.0, int(dup.sum()))
        arrival[k] = (np.concatenate([rows, rows[dup]]), np.concatenate([t_arr, d_arr]))
        n_dup += int(dup.sum())
        n_delayed += int(late.sum())
    _, state, counts = feed(cfg, batch, arrival, order_seed=seed)
    dropped = sum(counts.total(o) for o in (Outcome.DUPLICATE, Outcome.LATE, Outcome.LATE_USED))
    assert dropped >= n_dup
    assert counts.total(Outcome.USED) + dropped <= len(batch) + n_dup
    assert counts.total(Outcome.USED) + dropped >= n_after_start(batch) + n_dup
    found = launch_events(reference_events())
    got = launch_events(state.events)
    for lat, lon, _ in found:
        near = [
            g
            for g in got
            if great_circle(lat, lon, g[0], g[1])[0] * 6371.0 < 100.0  # km
        ]
        assert near, f"lost the event at {math.degrees(lat):.2f}, {math.degrees(lon):.2f}"


@cache
def reference_events() -> Any:
    cfg, batch, duration = reference()
    return run_center(batch, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=duration).events


def test_a_stranger_sensor_changes_nothing_and_is_counted() -> None:
    """The reference run with a copy of one satellite's reports under an unknown id: the
    registry (built from the scenario) keeps the alerts identical and counts them."""
    cfg, batch, duration = reference()
    assert cfg.sensors is not None
    ir = batch.columns("ir")
    stranger = {k: v.copy() for k, v in ir.items()}
    stranger["sensor_id"] = np.full(ir["t_s"].size, "stranger")
    stranger["seq"] = np.arange(ir["t_s"].size, dtype=np.int64)
    more = ReportBatch(
        batch.epoch_utc, {k: np.concatenate([ir[k], stranger[k]]) for k in ir}, batch.radar,
        batch.status,
    )  # fmt: skip
    a = run_center(batch, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=duration)
    b = run_center(more, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=duration)
    assert [x.to_json() for x in a.alerts] == [x.to_json() for x in b.alerts]
    n_in = int(((ir["t_s"] > 0.0) & (ir["t_s"] <= duration)).sum())
    assert b.intake.get("ir", Outcome.UNREGISTERED) == n_in


def test_every_report_of_a_run_is_counted_once() -> None:
    cfg, batch, duration = reference()
    rows = batch.columns("ir")
    # one corrupt IR report: refused and counted, the run goes on
    bad = {k: v.copy() for k, v in rows.items()}
    bad["sigma_rad"][3] = -1.0
    dirty = ReportBatch(batch.epoch_utc, bad, batch.radar, batch.status)
    out = run_center(dirty, cfg, dt_s=2.0, t_start_s=0.0, t_end_s=duration)
    assert out.intake.get("ir", Outcome.REFUSED) == 1
    for k in KINDS:
        t = batch.columns(k)["t_s"]
        n_in = int(((t >= 0.0) & (t <= duration)).sum())  # the first step takes t = 0 too
        got = sum(out.intake.get(k, o) for o in Outcome)
        assert got == n_in, (k, out.intake.to_dict())
