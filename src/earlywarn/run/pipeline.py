"""The whole chain for one scenario: flight → sensors → center → evaluation.

``run_scenario`` is what ``earlywarn run``, ``earlywarn demo`` and the Monte Carlo studies
call; :func:`earlywarn.run.outputs.write_outputs` writes the files a run leaves behind.
The center receives only the reports and its own configuration; the truth meets the
center's output only in ``analysis.evaluate``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from earlywarn import __version__
from earlywarn.analysis.evaluate import (
    Evaluation,
    LaunchTruth,
    evaluate,
    launch_truth_from_flight,
)
from earlywarn.analysis.warning_time import dual_confirmation
from earlywarn.center import CenterOutput, CenterProgress, run_center
from earlywarn.flight import FlightResult, FlightSolver, Trajectories
from earlywarn.io.scenario import Scenario, ScenarioError, scenario_hash
from earlywarn.reports import KINDS, MODES, ReportBatch, ReportTruth
from earlywarn.run import build
from earlywarn.sensors.infrared import InfraredSatellite
from earlywarn.sensors.radar import Radar
from earlywarn.sensors.simulate import simulate

Progress = Callable[[str, float], None]
"""Called with (stage, fraction of the run done). During the center stage the stage text
says how far the center is: ``"center  43% · 12,345 reports/s · 37 open"``
(:meth:`earlywarn.center.CenterProgress.text`), about twice a second."""

STAGES = ("flight", "sensors", "center", "evaluate")


def _no_progress(stage: str, fraction: float) -> None:
    return None


@dataclass(frozen=True)
class RunResult:
    """Everything one run produced, plus how it was made."""

    scenario: Scenario
    seed: int
    flight: FlightResult | None
    truth: Trajectories
    satellites: tuple[InfraredSatellite, ...]
    radars: tuple[Radar, ...]
    reports: ReportBatch
    report_truth: ReportTruth
    center: CenterOutput
    evaluation: Evaluation
    launch_truth: tuple[LaunchTruth, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json``: run metadata and the evaluation."""
        ev = self.evaluation.to_dict()
        # how each launch was flown: "ok", or why the flight is not the one asked for
        status = {} if self.flight is None else {e.launch_id: e.status for e in self.flight.events}
        # the one definition of warning time (analysis.warning_time), beside the center's
        bound = dual_confirmation(self.truth, self.satellites, self.radars, self.scenario.epoch)
        wt = dict(zip(bound.launch_id, bound.warning_time_s.tolist(), strict=True))
        ev["launches"] = [
            {
                **row,
                "flight_status": str(status.get(row["id"], "ok")),
                "warning_time_bound_s": _finite_or_none(wt.get(row["id"])),
            }
            for row in ev["launches"]
        ]
        return {
            "earlywarn_version": __version__,
            "scenario": self.scenario.name,
            "scenario_hash": scenario_hash(self.scenario),
            "seed": self.seed,
            "epoch_utc": self.scenario.epoch,
            "duration_s": self.scenario.duration,
            "wall_time_s": round(sum(self.timings_s.values()), 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()},
            "n_reports": {k: self.reports.count(k) for k in ("ir", "radar", "status")},
            "n_alerts": len(self.center.alerts),
            "center_mode": self.scenario.center.mode,
            "n_reports_by_mode": _by_mode(self.reports),
            "report_intake": self.center.intake.to_dict(),
            "n_rejected_reports": len(self.center.rejected),
            **ev,
        }


def _by_mode(batch: ReportBatch) -> dict[str, int]:
    """How many reports of each mode a batch holds (modes with none left out)."""
    mode = np.concatenate([batch.columns(k)["mode"] for k in KINDS])
    return {m: int(np.count_nonzero(mode == m)) for m in MODES if np.any(mode == m)}


def _finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 3)


def _empty_truth() -> Trajectories:
    return Trajectories.concat([])


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    progress: Progress | None = None,
    solver: FlightSolver | None = None,
) -> RunResult:
    """Run the whole chain once. ``seed`` overrides the scenario's seed.

    ``solver``: a :class:`FlightSolver` to reuse across runs (it keeps per-vehicle
    tables); a new one is made when None.
    """
    report = progress or _no_progress
    seed = scenario.seed if seed is None else int(seed)
    timings: dict[str, float] = {}

    report("flight", 0.0)
    t0 = time.perf_counter()
    specs = build.launch_specs(scenario)
    result: FlightResult | None = None
    if specs:
        if scenario.vehicles:  # user-defined vehicles: a solver over the extended catalog
            solver = FlightSolver(build.catalog(scenario))
        try:
            result = (solver or FlightSolver()).fly(specs)
        except ValueError as exc:
            raise ScenarioError(f"launches: {exc}") from None
        truth = result.trajectories
    else:
        truth = _empty_truth()
    sky = build.sky_truth(scenario)
    if sky:
        truth = Trajectories.concat([truth, *sky])
    sats = tuple(build.satellites(scenario))
    rads = tuple(build.radars(scenario))
    evs = build.events(scenario)
    timings["flight"] = time.perf_counter() - t0

    report("sensors", 0.25)
    t0 = time.perf_counter()
    modes = build.launch_modes(scenario)
    batch, rtruth = simulate(
        truth, sats, rads, scenario.epoch, 0.0, scenario.duration, seed, evs, modes=modes
    )
    timings["sensors"] = time.perf_counter() - t0

    report("center", 0.5)
    t0 = time.perf_counter()
    config = build.center_config(scenario)

    def center_progress(p: CenterProgress) -> None:
        report(p.text(), 0.5 + 0.35 * p.fraction)

    out = run_center(
        batch,
        config,
        dt_s=scenario.center.step,
        t_start_s=0.0,
        t_end_s=scenario.duration,
        progress=center_progress if progress is not None else None,
    )
    timings["center"] = time.perf_counter() - t0

    report("evaluate", 0.85)
    t0 = time.perf_counter()
    launches = launch_truth_from_flight(result) if result is not None else ()
    # events are matched to launches only (an event on the sky's objects, the Moon or a
    # satellite, is false), and the center is scored on the launches of its own mode: a
    # live center that ignores an exercise raid has missed nothing, and a center in
    # exercise mode owes no live warning
    launch_objects = result.trajectories if result is not None else _empty_truth()
    own = [ln for ln in launches if modes.get(ln.launch_id, "live") == config.mode]
    evaluation = evaluate(own, out, batch, rtruth, launch_objects)
    timings["evaluate"] = time.perf_counter() - t0
    report("evaluated", 0.9)
    return RunResult(
        scenario=scenario,
        seed=seed,
        flight=result,
        truth=truth,
        satellites=sats,
        radars=rads,
        reports=batch,
        report_truth=rtruth,
        center=out,
        evaluation=evaluation,
        launch_truth=tuple(launches),
        timings_s=timings,
    )
