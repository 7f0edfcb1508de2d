"""The live center in process: the envelope, the config, ingest and its refusals, the
center loop against the batch run, replay after a restart, operators, the API.

The center's clock is a fake one here (``create_app(now=...)``) and the loop is stepped by
hand, so these tests are exact and fast; the real-server cases (crash, fuzz, links cut,
the page in a browser) are in ``test_live_reliability.py`` and ``test_live_page.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from earlywarn.center import run_center
from earlywarn.run.feed import plan_posts
from earlywarn.service.app import create_app
from earlywarn.service.config import ConfigError, parse_config
from earlywarn.service.envelope import Envelope, Mode, sign, signature_ok
from earlywarn.service.ingest import Reason
from live_support import (
    OPERATOR_TOKEN,
    VIEWER_TOKEN,
    reference_config,
    reference_reports,
    signed,
)


class FakeClock:
    def __init__(self, unix: float) -> None:
        self.unix = unix

    def __call__(self) -> float:
        return self.unix


def _one_status(sensor: str, seq: int, t_s: float, epoch_iso: str = "2026-03-20T12:00:00") -> bytes:
    ms = round(t_s * 1000)
    text = f"{epoch_iso[:11]}12:{ms // 60000:02d}:{(ms // 1000) % 60:02d}.{ms % 1000:03d}Z"
    rec = {"schema": "earlywarn.report/1", "kind": "status", "sensor_id": sensor, "seq": seq,
           "t_s": t_s, "time_utc": text, "state": "ok", "period_s": 10.0}  # fmt: skip
    return (json.dumps(rec) + "\n").encode()


# ------------------------------------------------------------------------- envelope


def test_the_signature_covers_every_envelope_field_and_the_body() -> None:
    key = b"k" * 32
    env = Envelope("geo-w", 7, 1.7e9, Mode.LIVE)
    body = b'{"a":1}\n'
    sig = "hmac-sha256=" + sign(env, body, key)
    ts = repr(env.timestamp_s)
    assert signature_ok(env, body, key, sig, ts)
    for other in (
        Envelope("geo-e", 7, 1.7e9, Mode.LIVE),
        Envelope("geo-w", 8, 1.7e9, Mode.LIVE),
        Envelope("geo-w", 7, 1.7e9, Mode.EXERCISE),
    ):
        assert not signature_ok(other, body, key, sig, ts)
    assert not signature_ok(env, body, key, sig, repr(1.7e9 + 1))
    assert not signature_ok(env, body + b" ", key, sig, ts)
    assert not signature_ok(env, body, b"x" * 32, sig, ts)
    assert not signature_ok(env, body, key, sig.removeprefix("hmac-sha256="), ts)


# ------------------------------------------------------------------------- config


def test_config_errors_name_the_field(tmp_path: Path) -> None:
    _, text = reference_config(tmp_path)
    cfg = parse_config(text)
    assert [s.id for s in cfg.sensors] == ["geo-w", "geo-e", "rad-n", "rad-s"]
    assert cfg.center_config().intake.hold_early_s >= cfg.clock.lag
    bad = text.replace("kind: radar", "kind: sonar", 1)
    with pytest.raises(ConfigError, match=r"sensors\.2\.kind.*sonar"):
        parse_config(bad)
    with pytest.raises(ConfigError, match=r"clock\.speed must be 1"):
        parse_config(
            text.replace("mode: EXERCISE", "mode: LIVE").replace("speed: 1.0", "speed: 10")
        )
    with pytest.raises(ConfigError, match="secret"):
        parse_config(text.replace("secret-of-geo-w-0123456789", "short"))


# ------------------------------------------------------------------------- ingest


@pytest.fixture
def live(tmp_path: Path):
    cfg, _ = reference_config(tmp_path / "store", max_batch_reports=50, max_body_bytes=20_000)
    clock = FakeClock(time.time())
    app = create_app(cfg, run_loop=False, now=clock)
    return cfg, app, TestClient(app), clock


def test_a_stored_batch_is_acknowledged_once_and_a_retry_again(live) -> None:
    cfg, app, client, _ = live
    body = _one_status("rad-n", 1, 1.0)
    r1 = client.post("/v1/reports", content=body, headers=signed(cfg, "rad-n", 0, body))
    r2 = client.post("/v1/reports", content=body, headers=signed(cfg, "rad-n", 0, body))
    assert r1.status_code == 200 and r1.json()["status"] == "stored"
    assert r2.status_code == 200 and r2.json()["status"] == "duplicate"
    other = _one_status("rad-n", 2, 2.0)
    r3 = client.post("/v1/reports", content=other, headers=signed(cfg, "rad-n", 0, other))
    assert r3.status_code == 409 and r3.json()["error"] == Reason.SEQUENCE_CONFLICT
    store = app.state.service.store
    assert [(b.sensor_id, b.seq) for b in store.batches()] == [("rad-n", 0)]
    assert store.audit_counts() == {"sequence_conflict": 1}


def test_forged_replayed_and_wrong_mode_batches_are_refused_and_audited(live) -> None:
    cfg, app, client, _ = live
    body = _one_status("rad-n", 1, 1.0)
    own = signed(cfg, "rad-n", 0, body)
    rec = json.loads(body)
    live_body = (
        json.dumps({**rec, "schema": "earlywarn.report/2", "mode": "live"}) + "\n"
    ).encode()
    cases = [
        ("wrong signature", {**own, "x-earlywarn-signature": "hmac-sha256=" + "0" * 64}, body,
         401, Reason.BAD_SIGNATURE),
        ("unknown sensor", signed(cfg, "rad-n", 0, body) | {"x-earlywarn-sensor": "rad-x"},
         body, 401, Reason.UNKNOWN_SENSOR),
        ("signed with another sensor's key", signed(cfg, "rad-n", 0, body, key_of="rad-s"),
         body, 401, Reason.BAD_SIGNATURE),
        ("another sensor's reports", signed(cfg, "rad-s", 0, body), body, 403,
         Reason.WRONG_SENSOR),
        ("an old batch replayed", signed(cfg, "rad-n", 0, body, timestamp_s=time.time() - 3600),
         body, 401, Reason.STALE_TIMESTAMP),
        ("the mode changed in transit", {**own, "x-earlywarn-mode": "LIVE"}, body, 401,
         Reason.BAD_SIGNATURE),
        ("a TEST tape", signed(cfg, "rad-n", 0, body, mode=Mode.TEST), body, 403,
         Reason.MODE_MISMATCH),
        ("no envelope", {}, body, 400, Reason.BAD_ENVELOPE),
        # an EXERCISE envelope around reports that say they are live (issue 14)
        ("records of another mode than the envelope's", signed(cfg, "rad-n", 0, live_body),
         live_body, 403, Reason.MODE_MISMATCH),
    ]  # fmt: skip
    for name, headers, b, status, reason in cases:
        r = client.post("/v1/reports", content=b, headers=headers)
        assert (r.status_code, r.json()["error"]) == (status, reason), name
    store = app.state.service.store
    assert list(store.batches()) == []
    assert sum(store.audit_counts().values()) == len(cases)
    assert app.state.service.center.alerts == []


def test_limits_give_clear_4xx(live) -> None:
    cfg, app, client, _ = live
    big = b"x" * 30_000
    r = client.post("/v1/reports", content=big, headers=signed(cfg, "rad-n", 0, big))
    assert r.status_code == 413 and "20000" in r.json()["detail"]
    many = b"".join(_one_status("rad-n", i, float(i)) for i in range(1, 60))
    r = client.post("/v1/reports", content=many, headers=signed(cfg, "rad-n", 1, many))
    assert r.status_code == 413 and r.json()["error"] == Reason.TOO_MANY_REPORTS
    notjson = b"{not json\n"
    r = client.post("/v1/reports", content=notjson, headers=signed(cfg, "rad-n", 2, notjson))
    assert r.status_code == 400 and r.json()["error"] == Reason.NOT_JSON_LINES
    bad = _one_status("rad-n", 3, 3.0).replace(b'"ok"', b'"fine"')
    r = client.post("/v1/reports", content=bad, headers=signed(cfg, "rad-n", 3, bad))
    assert r.status_code == 422 and "state" in r.json()["detail"]
    assert sum(app.state.service.store.audit_counts().values()) == 4


def test_a_sensor_over_its_rate_gets_429(tmp_path: Path) -> None:
    cfg, _ = reference_config(tmp_path / "store", max_batches_per_s=2.0)
    client = TestClient(create_app(cfg, run_loop=False))
    codes = []
    for i in range(8):
        body = _one_status("rad-s", i + 1, float(i + 1))
        codes.append(client.post("/v1/reports", content=body,
                                 headers=signed(cfg, "rad-s", i, body)).status_code)  # fmt: skip
    assert codes[:4] == [200] * 4  # a burst of two seconds' worth
    assert 429 in codes[4:]


# ------------------------------------------------------------------------- the loop


def _feed_reference(cfg, app, client, clock: FakeClock, delay_s: float) -> None:
    """Post every planned post ``delay_s`` after its time and step as the clock passes."""
    center = app.state.service.center
    t_anchor = clock.unix - center.clock.t_s(clock.unix)  # unix at center time 0 (speed 1)
    for p in plan_posts(reference_reports(), cfg.center.step):
        clock.unix = t_anchor + p.t_s + delay_s
        center.advance()
        r = client.post(
            "/v1/reports", content=p.body, headers=signed(cfg, p.sensor_id, p.index, p.body)
        )
        assert r.status_code == 200, r.text
    clock.unix = t_anchor + 2100.0 + cfg.clock.lag
    center.advance()


def test_the_live_center_gives_the_batch_runs_alerts_and_a_restart_the_same(tmp_path: Path) -> None:
    """Reports that arrive within the lag are on time: the live center's alerts equal the
    batch run's over the same reports, bit for bit; a restart replays the log to the same."""
    cfg, _ = reference_config(tmp_path / "store", lag_s=10.0)
    clock = FakeClock(1.9e9)
    app = create_app(cfg, run_loop=False, now=clock)
    client = TestClient(app)
    _feed_reference(cfg, app, client, clock, delay_s=7.0)
    center = app.state.service.center
    assert center.state.t_s == 2100.0
    want = run_center(reference_reports(), cfg.center_config(), dt_s=2.0, t_start_s=0.0,
                      t_end_s=2100.0, idle_step_s=2.0)  # fmt: skip
    assert [a.level for a in want.alerts][-1] == "ATTACK_CONFIRMED"
    assert [a.to_json() for a in center.alerts] == [a.to_json() for a in want.alerts]
    # used as in the batch run; late only the reports at t_s = 0, which are not after the
    # first step's start (the batch run from t = 0 never hands them to a step)
    for kind in ("ir", "radar", "status"):
        at_start = int((reference_reports().columns(kind)["t_s"] <= 0.0).sum())
        assert center.intake.get(kind, "used") == want.intake.get(kind, "used")
        assert center.intake.get(kind, "late") + center.intake.get(kind, "late_used") == at_start
    assert center.intake.total("held") > 0  # posted before their step: held, then used
    # a restart: the log replayed gives the same state and alerts
    app2 = create_app(cfg, run_loop=False, now=clock)
    c2 = app2.state.service.center
    c2.advance()
    assert [a.to_json() for a in c2.alerts] == [a.to_json() for a in center.alerts]
    assert c2.replay_mismatches == 0
    assert app2.state.service.store.stored_alerts() == [a.to_json() for a in center.alerts]


def test_reports_later_than_the_lag_are_counted_late_not_used(tmp_path: Path) -> None:
    cfg, _ = reference_config(tmp_path / "store", lag_s=4.0)
    clock = FakeClock(1.9e9)
    app = create_app(cfg, run_loop=False, now=clock)
    _feed_reference(cfg, app, TestClient(app), clock, delay_s=30.0)
    center = app.state.service.center
    n_ir = reference_reports().count("ir")
    waiting = sum(b.count("ir") for parts in center.pending.values() for _, b in parts)
    # every IR report 30 s late: none used (the last few wait for steps not run yet)
    assert center.intake.get("ir", "late") + waiting == n_ir and waiting < 10
    assert center.intake.get("ir", "used") == 0


# ------------------------------------------------------------------------- API


def test_operators_acknowledge_viewers_read_nobody_posts_alerts(tmp_path: Path) -> None:
    cfg, _ = reference_config(tmp_path / "store")
    clock = FakeClock(1.9e9)
    app = create_app(cfg, run_loop=False, now=clock)
    client = TestClient(app)
    _feed_reference(cfg, app, client, clock, delay_s=3.0)
    op = {"authorization": f"Bearer {OPERATOR_TOKEN}"}
    view = {"authorization": f"Bearer {VIEWER_TOKEN}"}
    assert client.get("/v1/alerts").status_code == 401
    als = client.get("/v1/alerts", headers=view).json()["alerts"]
    assert len(als) == len(app.state.service.center.alerts) > 0
    threat = client.get("/v1/alerts?level=THREAT", headers=view).json()["alerts"]
    assert threat and all(a["level"] in ("THREAT", "ATTACK_CONFIRMED") for a in threat)
    assert client.get("/v1/alerts?level=BIG", headers=view).status_code == 400
    late = client.get("/v1/alerts?since_s=1000", headers=view).json()["alerts"]
    assert all(a["t_s"] >= 1000 for a in late) and len(late) < len(als)
    aid, eid = als[-1]["alert_id"], als[-1]["event_id"]
    assert client.post(f"/v1/alerts/{aid}/ack", headers=view).status_code == 403
    assert client.post(f"/v1/alerts/{aid}/ack", headers=op).status_code == 200
    r = client.post(f"/v1/alerts/{aid}/notes", headers=op, json={"note": "called the duty officer"})
    assert r.status_code == 200
    ev = client.get(f"/v1/events/{eid}", headers=view).json()
    assert [x["action"] for x in ev["actions"]] == ["ack", "notes"]
    assert ev["level"] == "ATTACK_CONFIRMED"
    assert client.get("/v1/events/E9999", headers=view).status_code == 404
    assert client.post("/v1/alerts", headers=op, json={}).status_code == 405
    audit = client.get("/v1/audit", headers=op).json()["audit"]
    assert [(a["kind"], a["reason"], a["who"]) for a in audit if a["kind"] == "operator"] == [
        ("operator", "ack", "olga"), ("operator", "notes", "olga")]  # fmt: skip
    assert any(a["reason"] == "forbidden" and a["kind"] == "access" for a in audit)
    h = client.get("/v1/health", headers=view).json()
    assert {s["sensor_id"] for s in h["sensors"]} == {"geo-w", "geo-e", "rad-n", "rad-s"}
    assert all(s["batch_gaps"] == 0 for s in h["sensors"])
    schema = client.get("/openapi.json").json()
    assert {"/v1/reports", "/v1/alerts", "/v1/alerts/stream", "/v1/health"} <= set(schema["paths"])


def test_a_gap_in_a_sensors_batches_shows_in_health(live) -> None:
    cfg, _app, client, _ = live
    for seq in (0, 1, 4):
        body = _one_status("geo-e", seq + 1, float(seq + 1))
        assert client.post("/v1/reports", content=body,
                           headers=signed(cfg, "geo-e", seq, body)).status_code == 200  # fmt: skip
    h = client.get("/v1/health", headers={"authorization": f"Bearer {VIEWER_TOKEN}"}).json()
    gaps = {s["sensor_id"]: s["batch_gaps"] for s in h["sensors"]}
    assert gaps == {"geo-w": 0, "geo-e": 2, "rad-n": 0, "rad-s": 0}


def test_feed_plan_posts_every_report_once() -> None:
    batch = reference_reports()
    posts = plan_posts(batch, 2.0)
    assert sum(p.n_reports for p in posts) == len(batch)
    by_sensor: dict[str, list[int]] = {}
    for p in posts:
        by_sensor.setdefault(p.sensor_id, []).append(p.index)
        recs = [json.loads(x) for x in p.body.decode().splitlines()]
        assert all(p.t_s - 2.0 < r["t_s"] <= p.t_s and r["sensor_id"] == p.sensor_id for r in recs)
    assert all(ix == list(range(len(ix))) for ix in by_sensor.values())


# ------------------------------------------------------------------------- command line


def test_live_config_writes_a_valid_config_and_serve_refuses_a_bad_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from earlywarn.cli import app

    runner = CliRunner()
    r = runner.invoke(
        app, ["live-config", "examples/reference.yaml", "--store", "s", "--speed", "5"]
    )
    assert r.exit_code == 0, r.output
    text = (
        r.stdout[: r.stdout.index("operator token:")] if "operator token:" in r.stdout else r.stdout
    )
    cfg = parse_config(text)
    assert cfg.mode == Mode.EXERCISE and cfg.clock.speed == 5.0
    assert [s.id for s in cfg.sensors] == ["geo-w", "geo-e", "rad-n", "rad-s"]
    assert len({s.secret for s in cfg.sensors}) == 4
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("mode: EXERCISE", "mode: PRACTICE"))
    r = runner.invoke(app, ["serve", str(bad)])
    assert r.exit_code == 2
    assert "mode" in r.output and "PRACTICE" in r.output and "Traceback" not in r.output
