"""``earlywarn serve``, ``feed`` and ``live-config``: the live center, a sensor gateway
that feeds it a scenario, and a service config for a scenario's sensors."""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from earlywarn.cli.common import fail, load_scenario_or_fail

__all__ = ["FeedStats", "Feeder", "feed", "live_config", "serve"]


def serve(
    config: Annotated[Path, typer.Argument(help="The service config (YAML).")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8750,
) -> None:
    """Run the live center: ingest, the center on the wall clock, alerts, the live page."""
    import uvicorn

    from earlywarn.service.app import create_app
    from earlywarn.service.config import ConfigError, load_config

    try:
        cfg = load_config(config)
        app = create_app(cfg)
    except (ConfigError, ValueError) as exc:
        fail(str(exc))
    typer.echo(
        f"earlywarn live center ({cfg.mode}, {len(cfg.sensors)} sensors) on "
        f"http://{host}:{port}/  store {cfg.store_dir}",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


# ------------------------------------------------------------------------------ feeding


@dataclass
class FeedStats:
    posted: int = 0
    acknowledged: int = 0
    duplicates: int = 0
    retries: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    acked_keys: list[tuple[str, int]] = field(default_factory=list)


class Feeder:
    """Posts signed batches to a live center with retries (connection errors, 5xx and
    429 are retried with backoff until ``deadline_s``; other 4xx are final)."""

    def __init__(self, url: str, keys: dict[str, bytes], mode: str, timeout_s: float = 10.0):
        import httpx

        from earlywarn.service.envelope import Mode

        self.url = url.rstrip("/")
        self.keys = keys
        self.mode = Mode(mode)
        self.client = httpx.Client(timeout=timeout_s)
        self.stats = FeedStats()

    def close(self) -> None:
        self.client.close()

    def clock(self) -> dict[str, Any]:
        r = self.client.get(self.url + "/v1/clock")
        r.raise_for_status()
        out: dict[str, Any] = r.json()
        return out

    def post(self, sensor_id: str, seq: int, body: bytes, deadline_s: float = 60.0) -> bool:
        """Post one batch until it is acknowledged; False when refused or out of time."""
        import httpx

        from earlywarn.service.envelope import Envelope

        t_end = time.monotonic() + deadline_s
        wait = 0.05
        while True:
            env = Envelope(sensor_id, seq, time.time(), self.mode)
            try:
                r = self.client.post(
                    self.url + "/v1/reports",
                    content=body,
                    headers=env.headers(body, self.keys[sensor_id]),
                )
                code = r.status_code
            except httpx.HTTPError:
                code = 0
            if code == 200:
                self.stats.posted += 1
                self.stats.acknowledged += 1
                if r.json().get("status") == "duplicate":
                    self.stats.duplicates += 1
                self.stats.acked_keys.append((sensor_id, seq))
                return True
            if code not in (0, 429) and code < 500:
                err = r.json().get("error", str(code)) if code else "no answer"
                self.stats.rejected[err] = self.stats.rejected.get(err, 0) + 1
                return False
            if time.monotonic() + wait > t_end:
                self.stats.rejected["timeout"] = self.stats.rejected.get("timeout", 0) + 1
                return False
            self.stats.retries += 1
            time.sleep(wait)
            wait = min(wait * 2.0, 1.0)


def run_feed(
    feeder: Feeder,
    posts: Iterable[Any],
    clock_t0_s: float,
    speed: float,
    wall0: float,
    stop: Callable[[], bool] | None = None,
    on_post: Callable[[Any, bool], None] | None = None,
) -> FeedStats:
    """Post each planned post once the center's clock reaches its time (the clock read
    ``clock_t0_s`` at wall time ``wall0`` and runs at ``speed``)."""
    for p in posts:
        if stop is not None and stop():
            break
        due = wall0 + (p.t_s - clock_t0_s) / speed
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        ok = feeder.post(p.sensor_id, p.index, p.body)
        if on_post is not None:
            on_post(p, ok)
    return feeder.stats


def feed(
    scenario: Annotated[Path, typer.Argument(help="The scenario whose sensors to run.")],
    url: Annotated[str, typer.Option(help="The live center, e.g. http://127.0.0.1:8750")],
    keys: Annotated[Path, typer.Option(help="The service config holding the sensors' keys.")],
    speed: Annotated[
        float | None, typer.Option(help="Expected clock speed (must match the center's).")
    ] = None,
    mode: Annotated[str, typer.Option(help="Provenance of the reports.")] = "EXERCISE",
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
) -> None:
    """Run a scenario's sensors and post their signed reports to a live center as its
    clock reaches them, with retries."""
    import httpx

    from earlywarn.run.feed import plan_posts, scenario_reports
    from earlywarn.service.config import ConfigError, load_config
    from earlywarn.service.envelope import Mode

    if mode not in Mode.__members__:
        fail(f"--mode: got {mode!r}; expected one of {list(Mode.__members__)}")
    sc = load_scenario_or_fail(scenario)
    try:
        cfg = load_config(keys)
    except ConfigError as exc:
        fail(str(exc))
    batch = scenario_reports(sc, seed)  # before reading the clock: this takes a while
    feeder = Feeder(url, cfg.secrets(), mode)
    try:
        clk = feeder.clock()
    except httpx.HTTPError as exc:
        fail(f"no live center answers at {url}: {exc}")
    if speed is not None and abs(speed - float(clk["speed"])) > 1e-9:
        fail(f"--speed {speed:g}: the center's clock runs at {clk['speed']:g}; serve it with "
             f"clock.speed: {speed:g} in its config")  # fmt: skip
    if clk["epoch_utc"] != sc.epoch:
        fail(f"the center's epoch is {clk['epoch_utc']}; the scenario's is {sc.epoch}")
    if float(clk["t_s"]) > sc.duration:
        fail(f"the center's clock is at t={clk['t_s']:.0f} s, past the scenario's end "
             f"({sc.duration:.0f} s): start the center with a new store")  # fmt: skip
    posts = plan_posts(batch, float(clk["step_s"]), mode.lower())
    typer.echo(
        f"feeding {len(batch)} reports in {len(posts)} posts to {url} at {clk['speed']:g}× "
        f"(center clock t={clk['t_s']:.0f} s)",
        err=True,
    )
    stats = run_feed(feeder, posts, float(clk["t_s"]), float(clk["speed"]), time.time())
    feeder.close()
    typer.echo(
        f"posted {stats.acknowledged} batches acknowledged ({stats.duplicates} retries of "
        f"stored ones), {stats.retries} retries, refused: {stats.rejected or 'none'}"
    )
    if stats.rejected:
        raise typer.Exit(1)


def live_config(
    scenario: Annotated[Path, typer.Argument(help="The scenario whose sensors to register.")],
    store: Annotated[str, typer.Option(help="Directory of the durable store.")] = "live-store",
    speed: Annotated[float, typer.Option(help="Clock speed (center s per wall s).")] = 10.0,
    lag_s: Annotated[float, typer.Option(help="Lag behind the clock, center seconds.")] = 30.0,
    mode: Annotated[str, typer.Option(help="The center's mode.")] = "EXERCISE",
) -> None:
    """Print a service config for a scenario's sensors, areas and notifications, with new
    random keys (an exercise center whose reads are public; the operator's token is
    printed on stderr)."""
    import yaml

    from earlywarn.run import build
    from earlywarn.service.config import parse_config, token_digest
    from earlywarn.service.envelope import Mode

    if mode not in Mode.__members__:
        fail(f"--mode: got {mode!r}; expected one of {list(Mode.__members__)}")
    sc = load_scenario_or_fail(scenario)
    doc = sc.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    sensors: list[dict[str, Any]] = [
        {"id": s.id, "kind": "ir", "secret": secrets.token_hex(16)} for s in sc.sensors.satellites
    ]
    sensors += [
        {"id": r.id, "kind": "radar", "site": doc_site, "max_range": model.max_range_km * 1e3,
         "secret": secrets.token_hex(16)}
        for r, doc_site, model in zip(
            sc.sensors.radars, [r["site"] for r in doc["sensors"]["radars"]],
            build.radars(sc), strict=True,
        )
    ]  # fmt: skip
    token = secrets.token_urlsafe(18)
    center = dict(doc["center"])
    catalog = center.pop("catalog", None)
    out = {
        "name": f"{sc.name}-live",
        "mode": mode,
        "epoch": sc.epoch,
        "clock": {"speed": speed, "start": 0.0, "lag": lag_s},
        "store": store,
        "center": {k: v for k, v in center.items() if k != "mode"},
        "catalog": catalog,
        "sensors": sensors,
        "defended_areas": doc["defended_areas"],
        "notifications": doc["notifications"],
        "operators": [
            {"name": "operator", "role": "operator", "token_sha256": token_digest(token)}
        ],
        "public_read": mode != "LIVE",
    }
    text = yaml.safe_dump(out, sort_keys=False)
    parse_config(text, "<generated>")  # what is printed is valid
    sys.stdout.write(text)
    typer.echo(f"operator token: {token}", err=True)
