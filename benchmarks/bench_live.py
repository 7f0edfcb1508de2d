"""Benchmark: sustained ingest into a live center on loopback, and its acknowledgement
latency.

Starts ``earlywarn serve`` (a real process on 127.0.0.1, store in a temporary directory,
``synchronous=FULL``) and has ``--sensors`` radar sensors post signed batches of
``--batch`` radar reports (the contract's largest records) for ``--seconds``, paced so
that together they offer ``--rate`` reports/s (default 10,000; ``--rate 0``: each sensor
posts as soon as its previous post is acknowledged, the saturated throughput). Each
acknowledgement means the batch is durable in the store. The center's lag is set to an
hour so its steps do not run during the measurement: this measures ingest (signature,
checks, parsing, the durable write), not the center's step, whose cost is
``bench_center.py``'s.

Prints reports/s acknowledged and the latency of a post (send to acknowledgement), p50
and p99; the last line is JSON ``{"bench": "live_ingest", ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import yaml

from earlywarn.earth.time import iso_utc, parse_utc
from earlywarn.service.config import token_digest
from earlywarn.service.envelope import Envelope, Mode

EPOCH = "2026-03-20T12:00:00Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(store: Path, n_sensors: int) -> str:
    sensors = [
        {"id": f"rad-{i}", "kind": "radar", "secret": f"secret-of-rad-{i}-0123456789",
         "site": {"lat_deg": 50.0, "lon_deg": -170.0 + i, "h_m": 0.0}}
        for i in range(n_sensors)
    ]  # fmt: skip
    return yaml.safe_dump({
        "mode": "EXERCISE", "epoch": EPOCH, "store": str(store),
        "clock": {"speed": 1.0, "lag": 3600.0},
        "sensors": sensors,
        "operators": [{"name": "b", "role": "viewer", "token_sha256": token_digest("b")}],
        "limits": {"max_reports_per_s": 1e7, "max_batches_per_s": 1e5},
    })  # fmt: skip


def _bodies(sensor: str, n_posts: int, batch: int) -> list[bytes]:
    epoch = parse_utc(EPOCH)
    out = []
    seq = 0
    for p in range(n_posts):
        lines = []
        for _ in range(batch):
            t = 100.0 + seq * 0.001
            lines.append(json.dumps({
                "schema": "earlywarn.report/1", "kind": "radar", "sensor_id": sensor, "seq": seq,
                "t_s": t, "time_utc": iso_utc(epoch, t), "site_lat_rad": 0.87,
                "site_lon_rad": -2.96, "site_h_m": 0.0, "range_m": 2.0e6 + seq,
                "azimuth_rad": 5.6, "elevation_rad": 0.2,
                "range_rate_m_s": -3000.0, "sigma_range_m": 30.0, "sigma_azimuth_rad": 0.0026,
                "sigma_elevation_rad": 0.0026, "sigma_range_rate_m_s": 5.0, "snr": 20.0,
                "face_id": "w", "scan_id": p,
            }, separators=(",", ":")))  # fmt: skip
            seq += 1
        out.append(("\n".join(lines) + "\n").encode())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sensors", type=int, default=4)
    ap.add_argument("--batch", type=int, default=250, help="reports per post")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument(
        "--rate", type=float, default=10_000.0,
        help="offered reports/s over all sensors (paced); 0: as fast as acknowledged",
    )  # fmt: skip
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    cfg_path = tmp / "live.yaml"
    cfg_path.write_text(_config(tmp / "store", args.sensors))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "earlywarn", "serve", str(cfg_path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/v1/clock", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        # enough bodies for 100,000 reports/s over the run (never the limit)
        n_posts = int(100_000 * args.seconds / args.batch / args.sensors) + 1
        bodies = {f"rad-{i}": _bodies(f"rad-{i}", n_posts, args.batch) for i in range(args.sensors)}
        lat: list[float] = []
        acked = [0]
        errors: dict[int, int] = {}
        lock = threading.Lock()
        t_start = time.perf_counter()
        t_stop = t_start + args.seconds
        every = args.batch * args.sensors / args.rate if args.rate > 0 else 0.0

        def run(sensor: str) -> None:
            key = f"secret-of-{sensor}-0123456789".encode()
            offset = every * int(sensor.split("-")[1]) / args.sensors
            with httpx.Client(timeout=30) as c:
                for seq, body in enumerate(bodies[sensor]):
                    pause = t_start + offset + seq * every - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    if time.perf_counter() >= t_stop:
                        return
                    h = Envelope(sensor, seq, time.time(), Mode.EXERCISE).headers(body, key)
                    t0 = time.perf_counter()
                    r = c.post(url + "/v1/reports", content=body, headers=h)
                    dt = time.perf_counter() - t0
                    with lock:
                        if r.status_code == 200:
                            lat.append(dt)
                            acked[0] += args.batch
                        else:
                            errors[r.status_code] = errors.get(r.status_code, 0) + 1

        t0 = time.perf_counter()
        threads = [threading.Thread(target=run, args=(s,)) for s in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    rate = acked[0] / wall
    p50, p99 = (float(np.percentile(lat, q)) * 1e3 for q in (50, 99))
    cores = os.cpu_count()
    offered = f"offered {args.rate:,.0f} reports/s" if args.rate > 0 else "unpaced"
    print(f"{offered}; sensors {args.sensors}, {args.batch} radar reports per post, "
          f"{wall:.1f} s, {cores} cores (server and clients on the same machine)")  # fmt: skip
    print(f"acknowledged (durable) {acked[0]} reports: {rate:,.0f} reports/s; post latency "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; errors {errors or 'none'}")  # fmt: skip
    fig = {"bench": "live_ingest", "reports_per_s": round(rate), "p50_ms": round(p50, 1),
           "p99_ms": round(p99, 1), "batch": args.batch, "sensors": args.sensors,
           "offered_per_s": args.rate}  # fmt: skip
    print(json.dumps(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
