"""Drawing a study's runs: one perturbed scenario and one seed per run.

One ``numpy.random.SeedSequence(seed)`` is the study's root; ``root.spawn(runs)`` gives one
child per run, and each child spawns two: the first drives the parameter draws (a
``Generator``), the second gives the run's seed (``generate_state(1)[0]``, a 32-bit integer
passed to :func:`earlywarn.run.pipeline.run_scenario`). Draws are made in the parent, one
run at a time as the engine asks for them (run ``i`` from the root's ``i``-th child alone),
so **the same seed gives the same table on every engine** and in any completion order.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from earlywarn.io.salvo import destination_deg
from earlywarn.io.scenario import Scenario
from earlywarn.io.study import Study, study_hash

__all__ = ["RunTask", "iter_tasks", "make_task", "make_tasks", "sample_scenario"]


@dataclass(frozen=True)
class RunTask:
    """Everything one run needs: the perturbed scenario and its seeds (picklable)."""

    study: str
    study_hash: str
    root_seed: int
    run: int
    run_seed: int
    scenario: Scenario
    outages: tuple[str, ...]
    clutter_multiplier: float


def _default(cls: Any, name: str) -> float:
    return float(cls.__dataclass_fields__[name].default)


def sample_scenario(
    study: Study, base: Scenario, rng: np.random.Generator
) -> tuple[Scenario, tuple[str, ...], float]:
    """One perturbed scenario (validated again), the sensors out, the clutter multiplier.

    Draw order is fixed: per launch perturbation (file order) the time, then the site
    (radius, bearing); per outage one uniform; then the clutter multiplier.
    """
    from earlywarn.sensors.infrared import InfraredPayload
    from earlywarn.sensors.radar import Radar

    data = base.model_dump(mode="json", by_alias=True)
    by_id = {ln["id"]: ln for ln in data["launches"] if "salvo" not in ln}
    for lp in study.launches:
        ln = by_id[lp.id]
        if lp.time_window is not None:
            ln["time"] = float(rng.uniform(lp.time_window[0], lp.time_window[1]))
        if lp.site_radius is not None:
            u, b = rng.random(2)
            lat, lon = destination_deg(
                ln["site"]["lat_deg"], ln["site"]["lon_deg"], 2 * math.pi * b,
                lp.site_radius * math.sqrt(u),
            )  # fmt: skip
            ln["site"] = {**ln["site"], "lat_deg": float(lat), "lon_deg": float(lon)}
    out: list[str] = []
    for op in study.outages:
        if rng.random() < op.probability:
            end = base.duration if op.end is None else op.end
            data["events"].append(
                {"type": "outage", "sensor": op.sensor, "start": op.start, "end": end}
            )
            out.append(op.sensor)
    mult = 1.0
    if study.clutter is not None:
        lo, hi = study.clutter.multiplier
        u = float(rng.random())
        mult = lo * (hi / lo) ** u if study.clutter.log_uniform else lo + (hi - lo) * u
        ir0 = _default(InfraredPayload, "clutter_per_frame")
        fa0 = _default(Radar, "false_alarms_per_scan")
        for sat in data["sensors"]["satellites"]:
            base_c = sat["payload"].get("clutter_per_frame")
            sat["payload"]["clutter_per_frame"] = mult * (ir0 if base_c is None else base_c)
        for rad in data["sensors"]["radars"]:
            base_f = rad.get("false_alarms_per_scan")
            rad["false_alarms_per_scan"] = mult * (fa0 if base_f is None else base_f)
    return Scenario.model_validate(data), tuple(out), float(mult)


def make_task(study: Study, base: Scenario, run: int, h: str | None = None) -> RunTask:
    """Run ``run`` of the study: the root's ``run``-th spawned child, drawn on its own.

    ``SeedSequence(seed).spawn(n)[i]`` is ``SeedSequence(seed, spawn_key=(i,))``, so a run
    is drawn without spawning (or holding) the runs before it."""
    child = np.random.SeedSequence(study.seed, spawn_key=(run,))
    c_params, c_run = child.spawn(2)
    scen, out, mult = sample_scenario(study, base, np.random.default_rng(c_params))
    run_seed = int(c_run.generate_state(1)[0])
    h = study_hash(study, base) if h is None else h
    return RunTask(study.name, h, study.seed, run, run_seed, scen, out, mult)


def iter_tasks(study: Study, base: Scenario, skip: Container[int] = ()) -> Iterator[RunTask]:
    """The study's runs in order, drawn one at a time as they are needed (a 10-million-run
    study starts at once); runs in ``skip`` are not drawn."""
    h = study_hash(study, base)
    for i in range(study.runs):
        if i not in skip:
            yield make_task(study, base, i, h)


def make_tasks(study: Study, base: Scenario) -> list[RunTask]:
    """All the study's runs, in order (:func:`iter_tasks` as a list)."""
    return list(iter_tasks(study, base))
