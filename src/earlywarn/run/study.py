"""Monte Carlo studies: many runs of a scenario through the whole chain.

The study file is :mod:`earlywarn.io.study`; the runs' parameters and seeds are drawn by
:mod:`earlywarn.run.sampling` (the same seed gives the same table on every engine); each
run goes through :func:`earlywarn.run.pipeline.run_scenario` and becomes rows of the study
table (:data:`earlywarn.analysis.studies.ROW_SCHEMA`), summarised by
:func:`earlywarn.analysis.studies.summarize`. The root seed and each run's seed are
columns of every row.

Engines and restarts. Each finished run's rows go to a part file (:mod:`earlywarn.io.study`).
A restarted study skips the runs whose part files exist (after checking they belong to the
same study and seed), so an interrupted study resumes. Engines (:mod:`earlywarn.run.engines`):
a local process pool or Dask. Each worker process keeps one
:class:`~earlywarn.flight.FlightSolver` (its per-vehicle tables are built once per process).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from earlywarn.analysis.studies import LEVELS, ROW_SCHEMA, summarize
from earlywarn.io.scenario import Scenario
from earlywarn.io.study import (
    Study,
    StudyError,
    check_study,
    done_runs,
    part_path,
    rows_table,
    study_hash,
    write_part,
)
from earlywarn.run import engines
from earlywarn.run.build import expand_launches
from earlywarn.run.sampling import RunTask, iter_tasks

__all__ = ["Progress", "StudyInterrupted", "StudyResult", "run_one", "run_study"]


class StudyInterrupted(Exception):
    """Ctrl-C or SIGTERM stopped a study; the runs already written are kept."""

    def __init__(self, out: Path, n_written: int, n_runs: int) -> None:
        super().__init__(
            f"interrupted: {n_written} of {n_runs} runs are written in {out / 'runs'}; run "
            "the same command again to resume from them"
        )
        self.out, self.n_written, self.n_runs = out, n_written, n_runs


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt like Ctrl-C (so workers are stopped and nothing is
    left behind); once stopping, a second Ctrl-C or SIGTERM exits at once."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        def now(signum: int, frame: object) -> None:
            os._exit(128 + signum)

        signal.signal(signal.SIGINT, now)
        signal.signal(signal.SIGTERM, now)
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old[0])
        signal.signal(signal.SIGTERM, old[1])


_EVAL_COLS = tuple(
    name
    for name in ROW_SCHEMA.names[ROW_SCHEMA.get_field_index("class_true") :]
    if name not in ("detected", "confirmed")
    and not name.startswith(("false_alerts_", "false_events_"))
)
"""The per-launch evaluation columns, copied from the run's summary (derived from the schema)."""


@lru_cache(maxsize=1)
def _worker_solver() -> Any:
    """One FlightSolver per worker process (its per-vehicle tables are built once)."""
    from earlywarn.flight import FlightSolver

    return FlightSolver()


def _run_scenario(scenario: Scenario, seed: int) -> Any:
    from earlywarn.run.pipeline import run_scenario

    return run_scenario(scenario, seed=seed, solver=_worker_solver())


def run_one(task: RunTask) -> list[dict[str, Any]]:
    """Run one task through the whole chain; its rows (see :data:`ROW_SCHEMA`).

    A run whose scenario cannot be flown (e.g. a perturbed site out of range) does not
    stop the study: its rows carry ``status`` = the error message and null results.
    """
    from earlywarn.io.scenario import ScenarioError

    status = "ok"
    try:
        summ = _run_scenario(task.scenario, task.run_seed).summary()
    except (ScenarioError, ValueError) as exc:
        status = f"error: {exc}"
        summ = {
            "launches": [
                {"id": ln.id, "vehicle": ln.vehicle} for ln in expand_launches(task.scenario)
            ]
        }
    fa = summ.get("false_alerts", {})
    fe = summ.get("false_events", {})
    ok = status == "ok"
    common: dict[str, Any] = {
        "study": task.study,
        "root_seed": task.root_seed,
        "run": task.run,
        "run_seed": task.run_seed,
        "status": status,
        "duration_s": float(task.scenario.duration),
        "outages": ",".join(task.outages),
        "clutter_multiplier": task.clutter_multiplier,
        **{f"false_alerts_{lv}": int(fa.get(lv, 0)) if ok else None for lv in LEVELS},
        **{f"false_events_{lv}": int(fe.get(lv, 0)) if ok else None for lv in LEVELS},
    }
    sites = {ln.id: ln for ln in expand_launches(task.scenario)}
    rows = []
    for lr in summ.get("launches", []):
        ln = sites.get(lr["id"])
        row = {
            **common,
            "launch_id": lr["id"],
            "vehicle": lr.get("vehicle"),
            "t_launch_s": None if ln is None else float(ln.time),
            "site_lat_deg": None if ln is None else float(ln.site.lat_deg),
            "site_lon_deg": None if ln is None else float(ln.site.lon_deg),
            "detected": lr.get("launch_s") is not None if ok else None,
            "confirmed": lr.get("confirmed_s") is not None if ok else None,
        }
        row.update({k: lr.get(k) for k in _EVAL_COLS})
        rows.append(row)
    if not rows:
        rows.append({**common, "detected": None, "confirmed": None})
    return rows


@dataclass(frozen=True)
class StudyResult:
    """The study's table (sorted by run, then launch) and its summary."""

    table: pa.Table
    summary: dict[str, Any]
    n_new: int = 0
    n_resumed: int = 0
    paths: tuple[Path, ...] = field(default_factory=tuple)


Progress = Callable[[int, int], None]
"""Called with (runs done, runs in the study)."""


def run_study(
    study: Study,
    scenario: Scenario,
    out_dir: str | Path,
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    max_new_runs: int | None = None,
) -> StudyResult:
    """Run (or resume) a study; write part files, ``runs.parquet`` and ``summary.json``.

    ``max_new_runs`` stops after that many new runs (the rest stay for a restart).
    """
    if engine not in engines.ENGINES:
        raise StudyError(f"engine: got {engine!r}; allowed 'local' or 'dask'")
    check_study(study, scenario)
    if workers is not None and workers < 0:
        raise StudyError(f"--workers: got {workers}; expected 0 (run in this process) or more")
    if engine == "dask" and scheduler is not None:
        engines.check_scheduler(scheduler)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StudyError(f"--out {out}: is a file, not a folder; give a folder name")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    n_workers = (os.cpu_count() or 1) if workers is None else int(workers)
    h = study_hash(study, scenario)
    done = done_runs(out, h, study.runs)
    todo = iter_tasks(study, scenario, skip=done)
    n_todo = study.runs - len(done)
    if max_new_runs is not None:
        n_todo = min(n_todo, max(0, int(max_new_runs)))
        todo = itertools.islice(todo, n_todo)
    written = set(done)
    count = [len(done)]
    if progress is not None:
        progress(count[0], study.runs)

    def sink(task: RunTask, rows: list[dict[str, Any]]) -> None:
        write_part(out, task.run, rows, study_hash=task.study_hash, root_seed=task.root_seed)
        written.add(task.run)
        count[0] += 1
        if progress is not None:
            progress(count[0], study.runs)

    if n_todo:
        try:
            with _interruptible():
                if engine == "local":
                    engines.local(run_one, todo, n_workers if n_todo > 1 else 0, sink)
                else:
                    engines.dask(run_one, todo, n_workers, scheduler, sink)
        except KeyboardInterrupt:
            raise StudyInterrupted(out, count[0], study.runs) from None
    parts = [part_path(out, i) for i in sorted(written)]
    tables = [pq.read_table(p).replace_schema_metadata(None) for p in parts]
    table = pa.concat_tables(tables) if tables else rows_table([])
    table = table.replace_schema_metadata(
        {b"earlywarn.study_hash": h.encode(), b"earlywarn.root_seed": str(study.seed).encode()}
    )
    summary = summarize(table)
    summary["complete"] = len(parts) == study.runs
    summary["study_hash"] = h
    paths: list[Path] = []
    if summary["complete"]:
        pq.write_table(table, out / "runs.parquet")
        paths.append(out / "runs.parquet")
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    paths.append(out / "summary.json")
    return StudyResult(table, summary, n_todo, len(done), tuple(paths))
