"""One conformance suite run over every sensor model (scikit-learn's parametrize_with_checks
idea): schema, determinism, no report from behind the Earth, heartbeats, seq, time window,
validator, outages.

The truth here is analytic and built in the test (no dependency on the flight model):
:func:`sensor_truth.rocket_truth` — a booster rising from a site with a 180 s burn at
1e6 W/sr and an RV that continues on after burnout (a helper module the other sensor tests
share).
"""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.reports import (
    COMMON_COLUMNS,
    KIND_COLUMNS,
    ReportBatch,
    ReportTruth,
    validate_batch,
    validate_record,
)
from earlywarn.sensors.events import Degraded, Fire, Outage
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.sensors.simulate import Sensor, simulate
from earlywarn.space.orbits import geo, molniya
from sensor_truth import EPOCH, rocket_truth

SENSORS: dict[str, Sensor] = {
    "scanning-geo": InfraredSatellite("GEO-E", geo(60.0)),
    "staring-heo": InfraredSatellite("HEO-1", molniya(60.0), InfraredPayload.staring(45.0, 62.0)),
    "limb-geo": InfraredSatellite("LIMB-1", geo(-40.0), InfraredPayload.limb()),
    "radar": Radar("RDR-1", 52.0, 62.0, 30.0, (RadarFace("S", 180.0), RadarFace("E", 90.0, 50.0))),
}
T0, T1 = 0.0, 1200.0
HB = 10.0
TRUTH = rocket_truth(((45.0, 60.0, 100.0), (38.0, 65.0, 300.0)))
EVENTS = (
    Outage("GEO-E", 400.0, 520.0),
    Outage("HEO-1", 400.0, 520.0, silent=True),
    Outage("LIMB-1", 400.0, 520.0),
    Outage("RDR-1", 700.0, 760.0, silent=True),
    Degraded("RDR-1", 900.0, 1000.0, 0.3),
    Degraded("HEO-1", 900.0, 1000.0, 0.5),
    Fire("flare", 44.0, 61.0, 0.0, 1000.0, 2e5),
)
_CACHE: dict[str, tuple[ReportBatch, ReportTruth]] = {}


def run(name: str) -> tuple[ReportBatch, ReportTruth]:
    if name not in _CACHE:
        sensor = SENSORS[name]
        sats = [sensor] if isinstance(sensor, InfraredSatellite) else []
        radars = [sensor] if isinstance(sensor, Radar) else []
        _CACHE[name] = simulate(TRUTH, sats, radars, EPOCH, T0, T1, 7, EVENTS, HB)
    return _CACHE[name]


PARAMS = pytest.mark.parametrize("name", list(SENSORS))


@PARAMS
def test_schema_and_validator(name: str) -> None:
    b, tr = run(name)
    kind = SENSORS[name].kind
    assert b.count(kind) > 0, "the scenario must exercise the sensor"
    assert set(b.columns(kind)) == {*COMMON_COLUMNS, *KIND_COLUMNS[kind]}
    other = {"ir", "radar"} - {kind}
    assert b.count(other.pop()) == 0
    validate_batch(b)
    for rec in b.iter_records():
        validate_record(rec, b.epoch_utc)
    # one truth row per measurement report, none for status
    assert len(tr) == b.count(kind)
    assert set(tr.as_dict()) == set(
        zip(b.columns(kind)["sensor_id"].tolist(), b.columns(kind)["seq"].tolist(), strict=True)
    )


@PARAMS
def test_deterministic_and_independent_of_other_sensors(name: str) -> None:
    b, tr = run(name)
    sensor = SENSORS[name]
    sats = [sensor] if isinstance(sensor, InfraredSatellite) else []
    radars = [sensor] if isinstance(sensor, Radar) else []
    b2, tr2 = simulate(TRUTH, sats, radars, EPOCH, T0, T1, 7, EVENTS, HB)
    assert b2 == b and tr2 == tr
    # adding another sensor (before it in the lists) leaves its draws unchanged
    extra_sat = InfraredSatellite("GEO-W", geo(20.0))
    extra_radar = Radar("RDR-0", 40.0, 40.0, 0.0, (RadarFace("N", 0.0),))
    b3, _ = simulate(TRUTH, [extra_sat, *sats], [extra_radar, *radars], EPOCH, T0, T1, 7,
                     EVENTS, HB)  # fmt: skip
    mine = {k: b3.columns(k)["sensor_id"] == sensor.sensor_id for k in ("ir", "radar", "status")}
    assert b3.select(mine) == b
    # a different seed changes the draws
    b4, _ = simulate(TRUTH, sats, radars, EPOCH, T0, T1, 8, EVENTS, HB)
    assert b4 != b


@PARAMS
def test_no_report_from_behind_the_earth(name: str) -> None:
    b, tr = run(name)
    sensor = SENSORS[name]
    kind = sensor.kind
    cols = b.columns(kind)
    labels = tr.lookup(cols["sensor_id"], cols["seq"])
    ids = list(TRUTH.object_id)
    is_obj = np.isin(labels, ids)
    assert is_obj.any()
    obj = np.array([ids.index(s) for s in labels[is_obj]])
    t = cols["t_s"][is_obj]
    from earlywarn.sensors.background import sample_pairs

    r, _, inten, alive = sample_pairs(TRUTH, obj, t)
    assert alive.all()
    # the segment from the sensor to the object stays above the ellipsoid (checked here
    # independently of the model's scaled-sphere test: 400 points along it)
    if isinstance(sensor, InfraredSatellite):
        origin = np.stack([cols["sat_x_m"], cols["sat_y_m"], cols["sat_z_m"]], -1)[is_obj]
        assert sensor.observable(origin, r).all()
        assert (inten > 0).all()
    else:
        origin = np.broadcast_to(sensor.site_ecef_m, r.shape)
        assert sensor.coverage(r).any(axis=-1).all()
    s = np.linspace(0.0, 1.0, 400)[None, :, None]
    path = origin[:, None, :] + s * (r - origin)[:, None, :]
    _, _, h = ecef_to_geodetic(path)
    assert h.min() > -1.0


@PARAMS
def test_heartbeats_seq_times_and_outages(name: str) -> None:
    b, _ = run(name)
    sensor = SENSORS[name]
    st = b.columns("status")
    t = st["t_s"]
    silent = {(e.start_s, e.end_s) for e in EVENTS if isinstance(e, Outage) and e.silent
              and e.sensor_id == sensor.sensor_id}  # fmt: skip
    expected = np.arange(T0, T1, HB)
    for lo, hi in silent:
        expected = expected[(expected < lo) | (expected >= hi)]
    np.testing.assert_array_equal(t, expected)
    assert np.all(st["period_s"] == HB)
    states = dict(zip(t.tolist(), st["state"].tolist(), strict=True))
    for e in EVENTS:
        if getattr(e, "sensor_id", None) != sensor.sensor_id:
            continue
        want = "outage" if isinstance(e, Outage) else "degraded"
        inside = [s for tt, s in states.items() if e.start_s <= tt < e.end_s]
        if not (isinstance(e, Outage) and e.silent):
            assert inside and all(s == want for s in inside)
    assert states.get(0.0, "ok") == "ok"
    # measurement reports: inside the window, none during an outage
    m = b.columns(sensor.kind)["t_s"]
    assert np.all((m >= T0) & (m < T1))
    for e in EVENTS:
        if isinstance(e, Outage) and e.sensor_id == sensor.sensor_id:
            assert not np.any((m >= e.start_s) & (m < e.end_s))
    # seq strictly increasing in the global time order
    kidx, rows = b.merged_order()
    seq = np.concatenate([b.columns(k)["seq"] for k in ("ir", "radar", "status")])
    offs = np.cumsum([0, b.count("ir"), b.count("radar")])
    ordered = seq[offs[kidx] + rows]
    assert np.all(np.diff(ordered) > 0)
    assert ordered[0] == 0


def test_windows_compose() -> None:
    """Frame ids come from the epoch: the radar's scans in [600, 1200) are the same
    scans as those of the full run (reports differ only through the random draws)."""
    b, _ = run("radar")
    late, _ = simulate(TRUTH, [], [SENSORS["radar"]], EPOCH, 600.0, T1, 7, EVENTS, HB)
    full = set(b.time_slice(600.0, T1).columns("status")["t_s"].tolist())
    assert set(late.columns("status")["t_s"].tolist()) == full
    assert set(late.columns("radar")["scan_id"].tolist()) <= set(
        (np.arange(600.0, T1, 5.0) / 5.0).astype(int).tolist()
    )


def test_simulate_refuses_bad_input() -> None:
    s = SENSORS["scanning-geo"]
    with pytest.raises(ValueError, match="unique"):
        simulate(TRUTH, [s, s], [], EPOCH, 0.0, 10.0, 1)
    with pytest.raises(ValueError, match="t_end_s"):
        simulate(TRUTH, [s], [], EPOCH, 10.0, 10.0, 1)
    with pytest.raises(ValueError, match="rng_or_seed"):
        simulate(TRUTH, [s], [], EPOCH, 0.0, 10.0, "seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="events"):
        simulate(TRUTH, [s], [], EPOCH, 0.0, 10.0, 1, events=["fire"])  # type: ignore[list-item]
