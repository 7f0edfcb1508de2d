"""The whole chain for one scenario: flight → sensors → center → evaluation → outputs.

``run_scenario`` is what ``earlywarn run``, ``earlywarn demo`` and the Monte Carlo studies
call; ``write_outputs`` writes the files a run leaves behind. The center receives only
the reports and its own configuration; the truth meets the center's output only in
``analysis.evaluate``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from earlywarn import __version__
from earlywarn.analysis.evaluate import (
    Evaluation,
    LaunchTruth,
    evaluate,
    launch_truth_from_flight,
)
from earlywarn.center import CenterOutput, run_center
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.flight import FlightResult, FlightSolver, Trajectories
from earlywarn.io import build
from earlywarn.io.scenario import Scenario, ScenarioError, scenario_hash
from earlywarn.reports import ReportBatch, ReportTruth
from earlywarn.sensors.infrared import InfraredSatellite
from earlywarn.sensors.radar import Radar
from earlywarn.sensors.simulate import simulate

Progress = Callable[[str, float], None]
"""Called with (stage name, fraction of the run done)."""

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
            **ev,
        }


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
        try:
            result = (solver or FlightSolver()).fly(specs)
        except ValueError as exc:
            raise ScenarioError(f"launches: {exc}") from None
        truth = result.trajectories
    else:
        truth = _empty_truth()
    sats = tuple(build.satellites(scenario))
    rads = tuple(build.radars(scenario))
    evs = build.events(scenario)
    timings["flight"] = time.perf_counter() - t0

    report("sensors", 0.25)
    t0 = time.perf_counter()
    batch, rtruth = simulate(truth, sats, rads, scenario.epoch, 0.0, scenario.duration, seed, evs)
    timings["sensors"] = time.perf_counter() - t0

    report("center", 0.5)
    t0 = time.perf_counter()
    config = build.center_config(scenario)
    out = run_center(
        batch, config, dt_s=scenario.center.step, t_start_s=0.0, t_end_s=scenario.duration
    )
    timings["center"] = time.perf_counter() - t0

    report("evaluate", 0.85)
    t0 = time.perf_counter()
    launches = launch_truth_from_flight(result) if result is not None else ()
    evaluation = evaluate(launches, out, batch, rtruth, truth)
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


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------


def write_reports_parquet(batch: ReportBatch, path: str | Path) -> Path:
    """All reports in one Parquet file: a ``kind`` column and the union of the kinds'
    columns (null where a column does not belong to the row's kind)."""
    tables = []
    for k in ("ir", "radar", "status"):
        t = batch.to_arrow(k)
        nullable = pa.schema([f.with_nullable(True) for f in t.schema])
        tables.append(t.cast(nullable).replace_schema_metadata(None))
    table = pa.concat_tables(tables, promote_options="default")
    meta = dict(table.schema.metadata or {})
    meta[b"earlywarn.epoch_utc"] = batch.epoch_utc.encode()
    table = table.replace_schema_metadata(meta)
    p = Path(path)
    pq.write_table(table, p)
    return p


def read_reports_parquet(path: str | Path) -> ReportBatch:
    """Read a file written by :func:`write_reports_parquet` (or by ``earlywarn run``)."""
    from earlywarn import reports as rp

    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    epoch = meta.get(b"earlywarn.epoch_utc")
    if epoch is None:
        raise ValueError(f"{path}: not an earlywarn reports file (no earlywarn.epoch_utc)")
    kinds = np.asarray(table.column("kind").to_numpy(zero_copy_only=False)).astype(str)
    parts = {}
    for kind in rp.KINDS:
        cols = list(rp.columns_of(kind))
        sub = table.filter(pa.array(kinds == kind)).select(cols)
        sub = sub.replace_schema_metadata(rp.arrow_schema(kind, epoch.decode()).metadata)
        parts[kind] = sub.cast(rp.arrow_schema(kind, epoch.decode()))
    return ReportBatch.from_arrow(parts, epoch_utc=epoch.decode())


def truth_table(truth: Trajectories) -> pa.Table:
    """Every object's samples, one row each, units in the column names."""
    valid = ~np.isnan(truth.t_s)
    obj = np.broadcast_to(np.arange(truth.n_objects)[:, None], truth.t_s.shape)[valid]
    r = truth.r_ecef_m[valid]
    v = truth.v_ecef_m_s[valid]
    lat, lon, h = ecef_to_geodetic(r) if r.size else (np.zeros(0),) * 3
    ids = np.asarray(truth.object_id, dtype=object)
    return pa.table(
        {
            "object_id": pa.array(ids[obj].astype(str) if obj.size else [], pa.string()),
            "launch_id": pa.array(
                np.asarray(truth.launch_id, dtype=object)[obj].astype(str) if obj.size else [],
                pa.string(),
            ),
            "kind": pa.array(
                np.asarray(truth.kind, dtype=object)[obj].astype(str) if obj.size else [],
                pa.string(),
            ),
            "t_s": truth.t_s[valid],
            "x_m": r[:, 0],
            "y_m": r[:, 1],
            "z_m": r[:, 2],
            "vx_m_s": v[:, 0],
            "vy_m_s": v[:, 1],
            "vz_m_s": v[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "alt_km": h / 1e3,
            "intensity_w_sr": truth.intensity_w_sr[valid],
        }
    )


_TRACK_SCHEMA = pa.schema(
    [("event_id", pa.string()), ("source", pa.string())]
    + [(k, pa.float64()) for k in ("t_s", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "alt_km")]
)


def _track_block(
    event_ids: list[str],
    source: str,
    t_s: npt.ArrayLike,
    r_ecef_m: npt.NDArray[np.float64],
    geodetic: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike] | None = None,
) -> pa.Table:
    """Rows of one source; geodetic (lat rad, lon rad, h m) from the positions unless given."""
    lat, lon, h = ecef_to_geodetic(r_ecef_m) if geodetic is None else geodetic
    return pa.table(
        {
            "event_id": event_ids,
            "source": [source] * len(event_ids),
            "t_s": np.asarray(t_s, dtype=float),
            "x_m": r_ecef_m[:, 0],
            "y_m": r_ecef_m[:, 1],
            "z_m": r_ecef_m[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "alt_km": np.asarray(h, dtype=float) / 1e3,
        },
        schema=_TRACK_SCHEMA,
    )


def tracks_table(out: CenterOutput) -> pa.Table:
    """What the center estimated over time: IR event tracks, confirmed radar tracks (at
    each update, named by the event that holds them) and impact predictions."""
    ir_event = {ev.ir_event_id: ev.event_id for ev in out.events if ev.ir_event_id}
    track_event = {tid: ev.event_id for ev in out.events for tid in ev.radar_track_ids}
    blocks = [_TRACK_SCHEMA.empty_table()]
    for key, t, r in out.ir_tracks:
        if t.size:
            blocks.append(_track_block([ir_event.get(key, key)] * t.size, "ir", t, r))
    if out.track_log:
        ids = [track_event.get(tid, f"radar-track-{tid}") for _, tid, _ in out.track_log]
        x = np.array([row[2][:3] for row in out.track_log])
        blocks.append(_track_block(ids, "radar", [row[0] for row in out.track_log], x))
    if out.impacts:
        imp = out.impacts
        n = len(imp)
        blocks.append(
            _track_block(
                [i.event_id for i in imp],
                "impact_prediction",
                [i.t_s for i in imp],
                np.full((n, 3), np.nan),
                ([i.lat_rad for i in imp], [i.lon_rad for i in imp], np.zeros(n)),
            )
        )
    return pa.concat_tables(blocks)


def write_outputs(result: RunResult, out_dir: str | Path, pictures: bool = True) -> list[Path]:
    """Write every output file of a run into ``out_dir``; return their paths."""
    from earlywarn.io import czml, geojson, html, plots
    from earlywarn.io.sceneview import scene_from_run

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    summary = result.summary()
    p = out / "summary.json"
    p.write_text(json.dumps(summary, indent=2) + "\n")
    written.append(p)
    p = out / "alerts.jsonl"
    p.write_text(result.center.alerts_jsonl())
    written.append(p)
    written.append(write_reports_parquet(result.reports, out / "reports.parquet"))
    result.report_truth.write_parquet(out)
    written.append(out / "truth_labels.parquet")
    pq.write_table(tracks_table(result.center), out / "tracks.parquet")
    written.append(out / "tracks.parquet")
    pq.write_table(truth_table(result.truth), out / "truth.parquet")
    written.append(out / "truth.parquet")
    scene = scene_from_run(result)
    written.append(czml.write_czml(scene, out / "scene.czml"))
    written.append(geojson.write_geojson(scene, out / "map.geojson"))
    if pictures:
        written.append(plots.plot_timeline(scene, out / "timeline.png"))
        written.append(plots.plot_map(scene, out / "map.png"))
    # the per-launch and per-event rows have their own tables on the page
    meta = {k: v for k, v in summary.items() if k not in ("launches", "events", "false_alerts")}
    written.append(html.write_report(scene, meta, out))
    return written
