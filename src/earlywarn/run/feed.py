"""What a sensor gateway sends a live center: a scenario's reports, cut into posts.

``scenario_reports`` runs a scenario's flight and sensors (no center, no truth kept);
``plan_posts`` cuts the reports into one post per sensor per ``every_s`` seconds of
report time, each a JSON-lines body in the contract's stream form. Signing and posting
are the command line's (``earlywarn feed``), which knows the service's envelope.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from earlywarn.flight import FlightSolver, Trajectories
from earlywarn.io.scenario import Scenario, ScenarioError
from earlywarn.reports import ReportBatch
from earlywarn.run import build
from earlywarn.sensors.simulate import simulate

__all__ = ["Post", "plan_posts", "scenario_reports"]


def scenario_reports(scenario: Scenario, seed: int | None = None) -> ReportBatch:
    """Every sensor report of one run of the scenario (its seed unless ``seed``)."""
    seed = scenario.seed if seed is None else int(seed)
    specs = build.launch_specs(scenario)
    if specs:
        try:
            truth = FlightSolver().fly(specs).trajectories
        except ValueError as exc:
            raise ScenarioError(f"launches: {exc}") from None
    else:
        truth = Trajectories.concat([])
    sats = build.satellites(scenario)
    rads = build.radars(scenario)
    batch, _ = simulate(
        truth, sats, rads, scenario.epoch, 0.0, scenario.duration, seed, build.events(scenario)
    )
    return batch


@dataclass(frozen=True)
class Post:
    """One post: a sensor's reports with time in ``(t_s - every_s, t_s]``, as JSON lines;
    ``index`` counts the sensor's posts from 0 (the batch sequence number)."""

    t_s: float
    sensor_id: str
    index: int
    n_reports: int
    body: bytes


def plan_posts(batch: ReportBatch, every_s: float, mode: str | None = None) -> list[Post]:
    """The posts of a batch of reports, in time order (then sensor id); with ``mode``
    every report is stamped with it (:meth:`ReportBatch.with_mode`), as the envelope
    that will carry it must agree."""
    if not (math.isfinite(every_s) and every_s > 0.0):
        raise ValueError(f"every_s must be a positive number of seconds, got {every_s!r}")
    if mode is not None:
        batch = batch.with_mode(mode)
    groups: dict[tuple[float, str], list[str]] = defaultdict(list)
    for rec in batch.iter_records():
        tick = math.ceil(rec["t_s"] / every_s - 1e-9) * every_s
        groups[(tick, rec["sensor_id"])].append(
            json.dumps(rec, separators=(",", ":"), allow_nan=False)
        )
    count: dict[str, int] = defaultdict(int)
    posts = []
    for (tick, sid), lines in sorted(groups.items()):
        posts.append(Post(tick, sid, count[sid], len(lines), ("\n".join(lines) + "\n").encode()))
        count[sid] += 1
    return posts
