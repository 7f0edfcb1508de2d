"""Helpers for the live-center tests: service configs for the reference scenario's
sensors, a real server process on the loopback interface, signed posts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml

from earlywarn.io.scenario import load_scenario
from earlywarn.reports import ReportBatch
from earlywarn.run.feed import scenario_reports
from earlywarn.service.config import ServiceConfig, parse_config, token_digest
from earlywarn.service.envelope import Envelope, Mode

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "reference.yaml"
OPERATOR_TOKEN = "operator-token-for-tests"
VIEWER_TOKEN = "viewer-token-for-tests"


@lru_cache(maxsize=1)
def reference_reports() -> ReportBatch:
    """The reference scenario's reports (seed 1), made once per process, stamped
    ``exercise`` as the test services' mode (:func:`reference_config`) is EXERCISE."""
    return scenario_reports(load_scenario(REFERENCE)).with_mode("exercise")


def reference_config(
    store: Path,
    mode: Mode = Mode.EXERCISE,
    speed: float = 1.0,
    lag_s: float = 10.0,
    start_s: float = 0.0,
    epoch: str | None = None,
    public_read: bool = False,
    **limits: Any,
) -> tuple[ServiceConfig, str]:
    """A service config for the reference scenario's sensors, and its YAML text."""
    sc = load_scenario(REFERENCE)
    sensors: list[dict[str, Any]] = [
        {"id": s.id, "kind": "ir", "secret": f"secret-of-{s.id}-0123456789"}
        for s in sc.sensors.satellites
    ]
    sensors += [
        {"id": r.id, "kind": "radar", "secret": f"secret-of-{r.id}-0123456789",
         "site": {"lat_deg": r.site.lat_deg, "lon_deg": r.site.lon_deg, "h_m": r.site.h_m}}
        for r in sc.sensors.radars
    ]  # fmt: skip
    doc = {
        "mode": str(mode),
        "epoch": epoch or sc.epoch,
        "clock": {"speed": speed, "lag": lag_s, "start": start_s},
        "store": str(store),
        "center": {"step": sc.center.step},
        "sensors": sensors,
        "defended_areas": [
            {
                "name": "aleutians",
                "circle": {"lat_deg": 47.0, "lon_deg": -170.0, "radius": "200 km"},
            }
        ],
        "operators": [
            {"name": "olga", "role": "operator", "token_sha256": token_digest(OPERATOR_TOKEN)},
            {"name": "victor", "role": "viewer", "token_sha256": token_digest(VIEWER_TOKEN)},
        ],
        "public_read": public_read,
        "limits": limits,
    }
    text = yaml.safe_dump(doc, sort_keys=False)
    return parse_config(text, "<test>"), text


def signed(
    cfg: ServiceConfig, sensor_id: str, seq: int, body: bytes, mode: Mode | None = None,
    timestamp_s: float | None = None, key_of: str | None = None,
) -> dict[str, str]:  # fmt: skip
    """Headers of a batch signed with ``key_of``'s key (default: the sensor's own)."""
    env = Envelope(sensor_id, seq, time.time() if timestamp_s is None else timestamp_s,
                   mode or cfg.mode)  # fmt: skip
    return env.headers(body, cfg.secrets()[key_of or sensor_id])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """``earlywarn serve CONFIG`` as a real process on 127.0.0.1."""

    config_path: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        log = open(self.config_path.with_suffix(".log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "earlywarn", "serve", str(self.config_path),
             "--port", str(self.port)],
            stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        log.close()
        t_end = time.monotonic() + timeout_s
        while time.monotonic() < t_end:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.proc.returncode}: "
                    + self.config_path.with_suffix(".log").read_text()[-2000:]
                )
            try:
                if httpx.get(self.url + "/v1/clock", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer within {timeout_s} s")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()


def start_server(tmp_path: Path, text: str) -> Server:
    tmp_path.mkdir(parents=True, exist_ok=True)
    cfg_path = tmp_path / "live.yaml"
    cfg_path.write_text(text)
    srv = Server(cfg_path, free_port())
    srv.start()
    return srv
