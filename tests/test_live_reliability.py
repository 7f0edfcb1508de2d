"""The live center's reliability and security suite: each case a real server process on
127.0.0.1 (``earlywarn serve``), bounded in count and time (``make reliability``).

* crash: ``kill -9`` at random moments while a feeder posts, 50 times; every acknowledged
  batch is in the log exactly once and the alerts equal the uninterrupted batch run's;
* forged and replayed: every forged, replayed or wrong-mode batch refused and audited,
  no alert;
* links cut (November 1961): all sensors stop; coverage shows degraded within the stated
  time and no level is raised;
* fuzz: 100,000 generated bodies and headers, no 5xx, the server still serves.

The load figure (10,000 reports/s, p99 acknowledgement) is ``benchmarks/bench_live.py``.
"""

from __future__ import annotations

import json
import math
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from earlywarn.center import run_center
from earlywarn.cli.live import Feeder, run_feed
from earlywarn.earth.time import iso_utc
from earlywarn.run.feed import plan_posts
from earlywarn.service.envelope import Mode
from live_support import (
    OPERATOR_TOKEN,
    VIEWER_TOKEN,
    reference_config,
    reference_reports,
    signed,
    start_server,
)

pytestmark = pytest.mark.reliability

VIEW = {"authorization": f"Bearer {VIEWER_TOKEN}"}
OPER = {"authorization": f"Bearer {OPERATOR_TOKEN}"}

N_CRASHES = 50


def _status_body(sensor: str, seq0: int, t_s: float, epoch: datetime, n: int = 1) -> bytes:
    lines = []
    for i in range(n):
        t = t_s + i * 0.01
        lines.append(json.dumps({
            "schema": "earlywarn.report/1", "kind": "status", "sensor_id": sensor,
            "seq": seq0 + i, "t_s": t, "time_utc": iso_utc(epoch, t), "state": "ok",
            "period_s": 10.0,
        }))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def test_kill_9_fifty_times_loses_no_acknowledged_report_and_changes_no_alert(
    tmp_path: Path,
) -> None:
    """50 kills, each at a random moment (0-0.8 s) after the feeder's first acknowledgement
    since the last restart, so that every kill finds it posting. The feed stops after the
    50th restart; the alerts up to the last report fed must equal the batch run's over the
    same reports, and every acknowledged batch must be in the log exactly once."""
    # the clock's speed is chosen from a measured restart (a second start, as after a
    # kill) so that 50 kill-and-restart cycles span about 1,600 s of the 2,100-s scenario
    # on this machine (past the radar confirmation at ~1,300 s); the lag covers a restart,
    # the retries and the catch-up after it (at least 15 s of wall time)
    _, probe_text = reference_config(tmp_path / "probe", lag_s=10.0)
    probe = start_server(tmp_path / "probe", probe_text)
    probe.kill9()
    t0 = time.monotonic()
    probe.start()
    restart_s = time.monotonic() - t0
    probe.stop()
    cycle_s = 1.5 * restart_s + 1.4  # a restart under load, its catch-up, the uptime
    speed = 1600.0 / (N_CRASHES * cycle_s)
    lag = speed * max(15.0, 5.0 * restart_s)
    cfg, text = reference_config(tmp_path / "store", speed=speed, lag_s=lag, start_s=-20.0)
    srv = start_server(tmp_path, text)
    posts = plan_posts(reference_reports(), 2.0)
    feeder = Feeder(srv.url, cfg.secrets(), "EXERCISE")
    clk = feeder.clock()
    done, stop = threading.Event(), threading.Event()
    last_t = [-math.inf]

    def note(p, ok: bool) -> None:
        if ok:
            last_t[0] = p.t_s

    def until_stopped() -> Iterator[
        Any
    ]:  # once stopped, the tick under way is finished (all sensors)
        for p in posts:
            if stop.is_set() and p.t_s > last_t[0]:
                return
            yield p

    def feed() -> None:
        try:
            run_feed(feeder, until_stopped(), clk["t_s"], clk["speed"], time.time(), None, note)
        finally:
            done.set()

    th = threading.Thread(target=feed, daemon=True)
    th.start()
    rng = np.random.default_rng(20261206)
    kills = 0
    t_limit = time.monotonic() + 900.0
    try:
        while kills < N_CRASHES and not done.is_set() and time.monotonic() < t_limit:
            acked = feeder.stats.acknowledged
            while feeder.stats.acknowledged == acked and not done.is_set():
                assert time.monotonic() < t_limit, "the feeder got no acknowledgement"
                time.sleep(0.02)
            time.sleep(float(rng.uniform(0.0, 0.8)))
            srv.kill9()
            kills += 1
            srv.start()
        assert kills == N_CRASHES, f"the feed ended after {kills} kills"
        stop.set()
        th.join(timeout=120.0)
        assert done.is_set()
        t_fed = last_t[0]
        # let the center step past the last report fed
        while float(httpx.get(srv.url + "/v1/clock").json()["center_t_s"]) < t_fed:
            assert time.monotonic() < t_limit + 120.0
            time.sleep(0.5)
        alerts = httpx.get(srv.url + f"/v1/alerts?until_s={t_fed}", headers=VIEW).json()["alerts"]
        health = httpx.get(srv.url + "/v1/health", headers=VIEW).json()
    finally:
        stop.set()
        srv.stop()
        feeder.close()
    stats = feeder.stats
    assert stats.rejected == {}, stats.rejected
    assert stats.retries > 0
    # every acknowledged batch in the log exactly once, and nothing else
    con = sqlite3.connect(f"file:{tmp_path / 'store' / 'log.sqlite'}?mode=ro", uri=True)
    stored = Counter(con.execute("SELECT sensor_id, seq FROM batches").fetchall())
    con.close()
    acked_keys = set(stats.acked_keys)
    assert acked_keys == {(p.sensor_id, p.index) for p in posts if p.t_s <= t_fed}
    assert set(stored) == acked_keys and max(stored.values()) == 1
    # every report on time despite the kills (else the comparison below cannot hold)
    late = {k: v.get("late", 0) + v.get("late_used", 0) for k, v in health["intake"].items()}
    assert sum(late.values()) == 0, f"late reports {late}; restart {restart_s:.1f} s, lag {lag} s"
    # the alerts are those of an uninterrupted run over the same reports
    batch = reference_reports()
    fed = batch.select({k: batch.columns(k)["t_s"] <= t_fed for k in ("ir", "radar", "status")})
    want = run_center(fed, cfg.center_config(), dt_s=2.0, t_start_s=-20.0, t_end_s=t_fed,
                      idle_step_s=2.0)  # fmt: skip
    assert [json.dumps(a, sort_keys=True) for a in alerts] == [
        json.dumps(a.to_dict(), sort_keys=True) for a in want.alerts
    ]
    assert alerts and alerts[0]["level"] == "POSSIBLE_LAUNCH"
    assert health["replay_mismatches"] == 0


def test_forged_replayed_and_exercise_batches_into_a_live_center(tmp_path: Path) -> None:
    """The November 1979 case: an exercise tape fed into a LIVE center is refused."""
    epoch = (datetime.now(UTC) - timedelta(seconds=600)).replace(microsecond=0)
    cfg, text = reference_config(
        tmp_path / "store", mode=Mode.LIVE, epoch=epoch.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    srv = start_server(tmp_path, text)
    n_each = 20
    refused: Counter[str] = Counter()
    try:
        with httpx.Client(base_url=srv.url) as c:
            t_now = time.time() - epoch.timestamp()
            # one genuine batch per radar, so that replays have something to replay
            genuine = {}
            for s in ("rad-n", "rad-s"):
                body = _status_body(s, 1, t_now, epoch)
                r = c.post("/v1/reports", content=body, headers=signed(cfg, s, 0, body))
                assert r.status_code == 200
                genuine[s] = (body, r)
            cases = []
            for i in range(n_each):
                body = _status_body("rad-n", 100 + i, t_now + i, epoch)
                cases += [
                    ("bad_signature", body, signed(cfg, "rad-n", 10 + i, body)
                     | {"x-earlywarn-signature": "hmac-sha256=" + f"{i:064x}"}),
                    ("unknown_sensor", body, signed(cfg, "rad-n", 10 + i, body)
                     | {"x-earlywarn-sensor": f"rad-{i}"}),
                    ("bad_signature", body, signed(cfg, "rad-s", 10 + i, body, key_of="rad-s")
                     | {"x-earlywarn-sensor": "rad-n"}),
                    ("wrong_sensor", body, signed(cfg, "rad-s", 10 + i, body)),
                    ("stale_timestamp", genuine["rad-n"][0],
                     signed(cfg, "rad-n", 0, genuine["rad-n"][0], timestamp_s=time.time() - 600)),
                    ("stale_timestamp", body,
                     signed(cfg, "rad-n", 10 + i, body, timestamp_s=time.time() + 3600)),
                    ("mode_mismatch", body, signed(cfg, "rad-n", 10 + i, body, mode=Mode.EXERCISE)),
                    ("mode_mismatch", body, signed(cfg, "rad-n", 10 + i, body, mode=Mode.TEST)),
                    ("mode_mismatch", body, signed(cfg, "rad-n", 10 + i, body, mode=Mode.REPLAY)),
                    ("sequence_conflict", body, signed(cfg, "rad-n", 0, body)),
                ]  # fmt: skip
            for want, body, headers in cases:
                r = c.post("/v1/reports", content=body, headers=headers)
                assert r.status_code in (401, 403, 409) and r.json()["error"] == want, want
                refused[want] += 1
            time.sleep(1.0)
            audit = c.get("/v1/audit?limit=5000", headers=OPER).json()["audit"]
            alerts = c.get("/v1/alerts", headers=VIEW).json()["alerts"]
    finally:
        srv.stop()
    assert sum(refused.values()) == len(cases) == 10 * n_each  # 100 % refused
    got = Counter(a["reason"] for a in audit if a["kind"] == "ingest")
    assert got == refused  # 100 % audited, each with its reason
    assert alerts == []
    con = sqlite3.connect(f"file:{tmp_path / 'store' / 'log.sqlite'}?mode=ro", uri=True)
    assert con.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 2  # the genuine ones
    con.close()


def test_links_cut_shows_degraded_coverage_and_raises_no_level(tmp_path: Path) -> None:
    """The November 1961 case: every link cut at once. The center's heartbeat rule marks
    each sensor degraded once ``heartbeat_timeout_periods`` (2.5) heartbeat periods (10 s)
    pass without a status report: within 25 s + lag + 2 steps of center time after the
    last report (here 25 + 20 + 4 = 49 s, 2.45 s of wall time at 20x)."""
    speed, lag = 20.0, 20.0
    cfg, text = reference_config(tmp_path / "store", speed=speed, lag_s=lag, start_s=-20.0)
    srv = start_server(tmp_path, text)
    # everything before the launch (T=100 s): the sensors report, nothing flies
    posts = [p for p in plan_posts(reference_reports(), 2.0) if p.t_s <= 80.0]
    feeder = Feeder(srv.url, cfg.secrets(), "EXERCISE")
    try:
        clk = feeder.clock()
        run_feed(feeder, posts, clk["t_s"], clk["speed"], time.time())
        assert feeder.stats.rejected == {}
        ok_seen = False
        while True:
            h = httpx.get(srv.url + "/v1/health", headers=VIEW).json()
            if h["center_t_s"] >= 70.0 and not h["coverage_degraded"]:
                ok_seen = True
            if h["coverage_degraded"] and ok_seen:
                break
            assert h["center_t_s"] < 80.0 + 25.0 + 2 * 2.0 + 1e-9 or not ok_seen, h
            assert h["clock_t_s"] < 80.0 + 25.0 + lag + 2 * 2.0 + 60.0, "no degraded coverage"
            time.sleep(0.05)
        stated = 80.0 + 25.0 + lag + 2 * 2.0
        assert h["clock_t_s"] <= stated + 10.0 * speed * 0.05 + speed * 1.0  # + poll, + 1 s
        assert all(s["degraded"] and s["reason"] == "missing_heartbeat" for s in h["sensors"])
        # a further 10 minutes of center time with every link cut: no alert of any level
        t_end = h["clock_t_s"] + 600.0
        while httpx.get(srv.url + "/v1/clock").json()["t_s"] < t_end:
            time.sleep(0.5)
        assert httpx.get(srv.url + "/v1/alerts", headers=VIEW).json()["alerts"] == []
    finally:
        feeder.close()
        srv.stop()


# ------------------------------------------------------------------------------ fuzz

N_FUZZ = 100_000

_ODD = [None, "", "x" * 300, 2**64, -(2**63) - 1, 1e308, -0.0, 1e-320, "NaN", [], {},
        {"a": [1, {"b": None}]}, True, "\u202e\u0000", 3.5, -1, "ok",
        "2026-13-40T99:99:99Z"]  # fmt: skip


class RawClient:
    """A minimal HTTP/1.1 client on one keep-alive socket, to send bytes a well-behaved
    client would refuse to (and to send many quickly)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buf = b""

    def _connect(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.buf = b""
        return self.sock

    def request(self, head: bytes, body: bytes) -> int:
        s = self._connect()
        s.sendall(head + body)
        while b"\r\n\r\n" not in self.buf:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buf += chunk
        hdr, _, rest = self.buf.partition(b"\r\n\r\n")
        status = int(hdr.split(b" ", 2)[1])
        n = 0
        close = False
        for line in hdr.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
            if k.strip().lower() == b"connection" and v.strip().lower() == b"close":
                close = True
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        self.buf = rest[n:]
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _fuzz_request(rng: np.random.Generator, cfg, base: list[dict], i: int) -> tuple[bytes, bytes]:
    """One generated request (head, body): mutated reports re-signed, mutated envelopes,
    or raw garbage."""
    u = rng.random()
    recs = [dict(base[j]) for j in rng.integers(0, len(base), size=int(rng.integers(1, 6)))]
    sensor = recs[0]["sensor_id"]
    for r in recs:
        r["sensor_id"] = sensor
    if u < 0.35:  # JSON-level mutations of reports, correctly signed
        for r in recs:
            for _ in range(int(rng.integers(1, 3))):
                k = list(r)[int(rng.integers(0, len(r)))]
                v = rng.random()
                if v < 0.15:
                    del r[k]
                elif v < 0.25:
                    r["extra_" + k] = 1
                else:
                    r[k] = _ODD[int(rng.integers(0, len(_ODD)))]
        body = ("\n".join(json.dumps(r) for r in recs) + "\n").encode()
    else:
        body = ("\n".join(json.dumps(r) for r in recs) + "\n").encode()
    if 0.35 <= u < 0.6:  # byte-level mutations, correctly signed
        b = bytearray(body)
        for _ in range(int(rng.integers(1, 8))):
            op = rng.integers(0, 3)
            pos = int(rng.integers(0, max(1, len(b))))
            if op == 0 and b:
                b[pos % len(b)] = int(rng.integers(0, 256))
            elif op == 1:
                b[pos:pos] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 20))).tolist())
            else:
                del b[pos : pos + int(rng.integers(1, 50))]
        body = bytes(b)
    if u >= 0.9:  # garbage
        body = bytes(rng.integers(0, 256, size=int(rng.integers(0, 2000))).tolist())
    headers = signed(cfg, sensor, 1_000_000 + i, body)
    if 0.6 <= u < 0.9:  # envelope mutations
        k = list(headers)[int(rng.integers(0, len(headers)))]
        v = rng.random()
        if v < 0.3:
            del headers[k]
        elif v < 0.6:
            headers[k] = str(_ODD[int(rng.integers(0, len(_ODD)))])[:100]
        else:
            headers[k] = bytes(
                rng.integers(32, 127, size=int(rng.integers(0, 80))).tolist()
            ).decode()
    lines = [b"POST /v1/reports HTTP/1.1", b"host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1", "replace") for k, v in headers.items()]
    lines.append(f"content-length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n", body


def test_fuzz_100000_bodies_and_headers_no_5xx_and_the_server_still_serves(
    tmp_path: Path,
) -> None:
    cfg, text = reference_config(
        tmp_path / "store", max_batches_per_s=1e6, max_reports_per_s=1e7, speed=1.0
    )
    srv = start_server(tmp_path, text)
    recs = [r for r in reference_reports().iter_records() if r["sensor_id"] != "__"][:400]
    statuses: Counter[int] = Counter()
    t_limit = time.monotonic() + 400.0
    try:

        def worker(k: int, n: int) -> None:
            rng = np.random.default_rng([20261206, k])
            cl = RawClient(srv.port)
            for i in range(n):
                head, body = _fuzz_request(rng, cfg, recs, k * N_FUZZ + i)
                statuses[cl.request(head, body)] += 1
                if time.monotonic() > t_limit:
                    break
            cl.close()

        threads = [threading.Thread(target=worker, args=(k, N_FUZZ // 2)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert srv.proc is not None and srv.proc.poll() is None, "the server died"
        assert httpx.get(srv.url + "/v1/clock").status_code == 200
        epoch = datetime.fromisoformat(cfg.epoch.replace("Z", "+00:00"))
        body = _status_body("rad-n", 5_000_000, 10.0, epoch)
        ok = httpx.post(
            srv.url + "/v1/reports", content=body, headers=signed(cfg, "rad-n", 7, body)
        )
        assert ok.status_code == 200
    finally:
        srv.stop()
    assert sum(statuses.values()) == N_FUZZ, statuses
    assert not [s for s in statuses if s >= 500], statuses
    # the generator reached every stage: refusals of the envelope, signature and body
    assert {400, 401, 422} <= set(statuses)
