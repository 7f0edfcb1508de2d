"""evaluate: truth and center output side by side (synthetic scenario of test_center_core)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from batches import batch_of
from center_script import (
    AREA,
    EPOCH,
    IMPACT,
    LAUNCH_LAT,
    LAUNCH_LON,
    ScriptedIr,
    StubIrEvent,
    ir_script,
    radar_reports,
)
from earlywarn.analysis.evaluate import LaunchTruth, evaluate
from earlywarn.center import CenterConfig, run_center

DEG = math.pi / 180.0


def test_evaluate_per_launch_and_false_alerts() -> None:
    rng = np.random.default_rng(21)
    script = ir_script(rng)
    ghost = StubIrEvent(
        "ir-ghost", "candidate", 92.0, 104.0, 12, ("geo-a",), report_keys=(("geo-a", 77),)
    )
    cfg = CenterConfig(
        epoch=EPOCH, defended_areas=(AREA,), ir=ScriptedIr((*script.script, (104.0, ghost)))
    )
    rad = radar_reports(rng)
    batch = batch_of(radar=rad)
    out = run_center(batch, cfg, dt_s=2.0, t_start_s=0.0)
    truth = {(str(s), int(q)): "L1/rv" for s, q in zip(rad["sensor_id"], rad["seq"], strict=True)}
    truth[("geo-a", 1)] = "L1/booster"
    truth[("geo-b", 1)] = "L1/booster"
    truth[("geo-a", 77)] = "glint"
    lt = LaunchTruth(
        "L1", "icbm-solid", "icbm", 0.0, LAUNCH_LAT, LAUNCH_LON, 30.0 * DEG,
        IMPACT.t_s, IMPACT.lat_rad, IMPACT.lon_rad,
    )  # fmt: skip
    ev = evaluate([lt], out, batch, truth, {"L1/rv": "L1", "L1/booster": "L1"})
    d = ev.to_dict()
    json.dumps(d)  # ready for summary.json
    (row,) = d["launches"]
    assert row["id"] == "L1" and row["class_true"] == "icbm" and row["class_assessed"] == "icbm"
    assert row["max_level"] == "ATTACK_CONFIRMED"
    assert row["possible_launch_s"] == 32.0 and row["launch_s"] == 50.0
    assert row["first_report_s"] == float(rad["t_s"].min())
    assert row["confirmed_s"] is not None and row["confirmed_s"] > row["threat_s"]
    assert row["launch_point_error_km"] < 1.0
    assert abs(row["azimuth_error_deg"] - 0.2) < 1e-6
    assert row["impact_error_km_at_confirmed"] < 40.0  # IR-only estimate: radar not mature yet
    assert row["impact_error_km_5min_before"] < 5.0
    assert abs(row["impact_time_error_s"]) < 10.0
    assert row["decision_time_s"] > 0
    assert row["radar_of_other_launch"] is False  # its radar tracks are its own
    assert d["false_alerts"]["POSSIBLE_LAUNCH"] == 2  # the ghost: raised, then retracted
    assert d["false_alerts"]["ATTACK_CONFIRMED"] == 0
    assert d["missed_launches"] == []
    ghost_row = [e for e in d["events"] if e["launch_id"] is None]
    assert ghost_row and ghost_row[0]["disposition"] == "RETRACTED"


def _scripted_run() -> tuple[Any, Any, dict[str, Any]]:
    """The scripted IR event and its radar reports through the center: (output, batch,
    radar report columns)."""
    rng = np.random.default_rng(21)
    script = ir_script(rng)
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ScriptedIr(script.script))
    rad = radar_reports(rng)
    batch = batch_of(radar=rad)
    return run_center(batch, cfg, dt_s=2.0, t_start_s=0.0), batch, rad


def test_missed_launch() -> None:
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(AREA,), ir=ScriptedIr(()))
    out = run_center(batch_of(), cfg, dt_s=10.0, t_start_s=0.0, t_end_s=100.0)
    lt = LaunchTruth("L9", "srbm", "srbm", 0.0, 0.1, 0.2, 0.3, None, None, None)
    ev = evaluate([lt], out, batch_of(), {}, {})
    assert ev.missed_launches == ("L9",)
    row = ev.launches[0]
    assert row["max_level"] == "NONE" and row["confirmed_s"] is None


def test_alerts_caused_by_a_catalogued_object_are_false_alerts() -> None:
    """Every report of the scripted event labelled as a resident space object (truth from
    a catalog: launch id "", object id rso:<NORAD>): its alerts are false, never the
    launch's, whether the objects' launches come as Trajectories or as a mapping."""
    from earlywarn.flight.rso import catalog_truth
    from earlywarn.space.catalog import Catalog, sample_catalog

    out, batch, rad = _scripted_run()
    assert out.alerts  # the center did raise alerts on these reports
    rso = catalog_truth(Catalog(sample_catalog(EPOCH).objects[:1]), EPOCH, 60.0).trajectories
    oid = rso.object_id[0]
    keys = [(str(s), int(q)) for s, q in zip(rad["sensor_id"], rad["seq"], strict=True)]
    keys += [("geo-a", 1), ("geo-b", 1)]
    lt = LaunchTruth(
        "L1", "icbm-solid", "icbm", 0.0, LAUNCH_LAT, LAUNCH_LON, 30.0 * DEG,
        IMPACT.t_s, IMPACT.lat_rad, IMPACT.lon_rad,
    )  # fmt: skip
    as_rso = dict.fromkeys(keys, oid)
    for object_launch in (rso, {oid: ""}):
        ev = evaluate([lt], out, batch, as_rso, object_launch)
        assert sum(ev.false_alerts.values()) == len(out.alerts)
        assert ev.missed_launches == ("L1",)
        assert all(e["launch_id"] is None for e in ev.to_dict()["events"])
    # control: the same reports labelled as the launch's RV are the launch's, not false
    ev = evaluate([lt], out, batch, dict.fromkeys(keys, "L1/rv"), {"L1/rv": "L1", oid: ""})
    assert sum(ev.false_alerts.values()) == 0 and ev.missed_launches == ()


def test_an_event_is_the_launch_its_ir_reports_came_from() -> None:
    """A raid: a neighbour's radar tracks (several objects, two radars) joined an event
    and outnumber its IR reports. The event is still the launch its IR detected (a
    majority over all reports gave it to the neighbour, and called the detected launch
    missed), and the fusion with the neighbour's tracks is counted, not hidden."""
    out, batch, rad = _scripted_run()
    truth = {(str(s), int(q)): "L2/rv" for s, q in zip(rad["sensor_id"], rad["seq"], strict=True)}
    truth[("geo-a", 1)] = "L1/booster"
    truth[("geo-b", 1)] = "L1/booster"
    (ev_main,) = [e for e in out.events if e.source == "ir"]
    keys = ev_main.report_keys
    n_ir = sum(1 for k in keys if truth.get((str(k[0]), int(k[1]))) == "L1/booster")
    n_radar = sum(1 for k in keys if truth.get((str(k[0]), int(k[1]))) == "L2/rv")
    assert 0 < n_ir < n_radar  # the neighbour's reports are the majority of the event's
    site = (0.0, LAUNCH_LAT, LAUNCH_LON, 30.0 * DEG)
    impact = (IMPACT.t_s, IMPACT.lat_rad, IMPACT.lon_rad)
    launches = [LaunchTruth(lid, "icbm-solid", "icbm", *site, *impact) for lid in ("L1", "L2")]
    d = evaluate(launches, out, batch, truth, {"L1/booster": "L1", "L2/rv": "L2"}).to_dict()
    row = {e["event_id"]: e for e in d["events"]}[ev_main.event_id]
    assert row["launch_id"] == "L1" and row["radar_launch_id"] == "L2"
    by_id = {r["id"]: r for r in d["launches"]}
    assert by_id["L1"]["launch_s"] is not None and "L1" not in d["missed_launches"]
    assert by_id["L1"]["radar_of_other_launch"] and "L1" in d["quality"]["radar_of_other_launch"]
    # its IR reports are its own: no IR report of another launch in an event
    assert d["quality"]["ir_reports_of_other_launches"] == {"count": 0, "of": n_ir}
    # relabel one of its two IR reports as the neighbour's: one of two is another's
    truth[("geo-b", 1)] = "L2/rv"
    d = evaluate(launches, out, batch, truth, {"L1/booster": "L1", "L2/rv": "L2"}).to_dict()
    assert d["quality"]["ir_reports_of_other_launches"] == {"count": 1, "of": 2}
    # an event with radar reports only is the launch of those
    assert all(
        e["launch_id"] == "L2" for e in d["events"] if e["source"] == "radar" and e["launch_id"]
    )
