"""Monte Carlo studies: many runs of a scenario through the whole chain.

A *study* (YAML, validated by pydantic like a scenario) names a scenario file and declares
how each run perturbs it:

* ``launches``: per launch id, a launch-time window (uniform) and/or a radius around the
  scenario's site (uniform over the disc's area; destination on a sphere of the IUGG mean
  radius);
* ``outages``: per sensor, the probability that it is out for a window of the run;
* ``clutter``: a multiplier range (uniform, or log-uniform) applied to every infrared
  payload's ``clutter_per_frame`` and every radar's ``false_alarms_per_scan``.

Randomness. One ``numpy.random.SeedSequence(seed)`` is the study's root;
``root.spawn(runs)`` gives one child per run, and each child spawns two: the first drives
the parameter draws (a ``Generator``), the second gives the run's seed
(``generate_state(1)[0]``, a 32-bit integer passed to
:func:`earlywarn.pipeline.run_scenario`). Draws are made in the parent, before any run
starts, so **the same seed gives the same table on every engine** and in any completion
order. The root seed and each run's seed are columns of every row.

Results. One row per run and launch (:data:`ROW_SCHEMA`; a run of a scenario without
launches gives one row with a null ``launch_id``): the sampled parameters, the per-launch
evaluation (:mod:`earlywarn.analysis.evaluate`) and the run's false alerts per level. A
launch is *detected* when the center reached LAUNCH for it, *confirmed* when it reached
ATTACK_CONFIRMED. :func:`summarize` reduces the table: detection and confirmation
probabilities with Wilson score intervals (Wilson 1927; Brown, Cai & DasGupta 2001,
*Statistical Science* 16:101), latency and impact-error percentiles (p50, p95; linear
interpolation), false alerts per simulated day by level with a one-sided 95 % upper bound —
the exact Poisson bound χ²₀.₉₅(2k + 2) / 2 per total simulated days, which for k = 0 is the
"rule of three", taken as exactly 3 / days (Hanley & Lippman-Hand 1983, *JAMA* 249:1743).

Engines and restarts. Each finished run's rows go to ``<out>/runs/run-NNNNNN.parquet``
(written to a temporary name, then renamed: a part file is whole or absent). A restarted
study skips the runs whose part files exist (after checking they belong to the same study
and seed), so an interrupted study resumes. Engines: ``"local"`` — a
``concurrent.futures.ProcessPoolExecutor`` (``workers`` processes; 0 runs in-process) —
or ``"dask"`` — a ``distributed.LocalCluster`` of ``workers`` processes, or the running
cluster at ``scheduler`` (``tcp://host:port``). Each worker process keeps one
:class:`~earlywarn.flight.FlightSolver` (its per-vehicle tables are built once per process).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.io.scenario import Metres, Scenario, Seconds, load_scenario, scenario_hash

__all__ = [
    "LEVELS",
    "ROW_SCHEMA",
    "RunTask",
    "Study",
    "StudyError",
    "StudyResult",
    "clopper_pearson_interval",
    "load_study",
    "make_tasks",
    "parse_study",
    "poisson_upper_95",
    "run_one",
    "run_study",
    "summarize",
    "wilson_interval",
]

LEVELS = ("POSSIBLE_LAUNCH", "LAUNCH", "THREAT", "ATTACK_CONFIRMED")
Z95 = 1.959963984540054


# --------------------------------------------------------------------------- the study


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LaunchPerturbation(_Model):
    """How one launch of the scenario varies between runs."""

    id: str = Field(min_length=1)
    time_window: tuple[Seconds, Seconds] | None = Field(
        default=None, description="launch time uniform in [start, end] (scenario time)"
    )
    site_radius: Metres | None = Field(
        default=None, gt=0.0, description="site uniform over a disc of this radius"
    )

    @model_validator(mode="after")
    def _window(self) -> LaunchPerturbation:
        if self.time_window is not None and not self.time_window[0] <= self.time_window[1]:
            raise ValueError(f"time_window: start must not be after end; got {self.time_window}")
        return self


class OutagePerturbation(_Model):
    """A sensor out, with a probability, over ``[start, end]`` (default: the whole run)."""

    sensor: str = Field(min_length=1)
    probability: float = Field(ge=0.0, le=1.0)
    start: Seconds = 0.0
    end: Seconds | None = None


class ClutterPerturbation(_Model):
    """Multiplier of IR clutter and radar false-alarm rates, uniform (or log-uniform)."""

    multiplier: tuple[float, float] = Field(description="[low, high], both > 0")
    log_uniform: bool = False

    @model_validator(mode="after")
    def _range(self) -> ClutterPerturbation:
        lo, hi = self.multiplier
        if not (lo > 0 and hi >= lo):
            raise ValueError(f"multiplier: expected 0 < low <= high; got {self.multiplier}")
        return self


class Study(_Model):
    """A Monte Carlo study file."""

    name: str = "study"
    description: str = ""
    scenario: str = Field(min_length=1, description="scenario file, relative to the study")
    runs: int = Field(gt=0, le=10_000_000)
    seed: int = Field(ge=0)
    launches: tuple[LaunchPerturbation, ...] = ()
    outages: tuple[OutagePerturbation, ...] = ()
    clutter: ClutterPerturbation | None = None


class StudyError(ValueError):
    """A study file that cannot be used; the message says where and why."""


def check_study(study: Study, scenario: Scenario, source: str = "<study>") -> None:
    """Cross-check the study against its scenario (ids that must exist)."""
    lids = {ln.id for ln in scenario.launches}
    sids = {s.id for s in scenario.sensors.satellites} | {r.id for r in scenario.sensors.radars}
    for i, lp in enumerate(study.launches):
        if lp.id not in lids:
            raise StudyError(
                f"{source}: launches.{i}.id: unknown launch {lp.id!r}; the scenario has "
                f"{', '.join(sorted(lids)) or 'none'}"
            )
    for i, op in enumerate(study.outages):
        if op.sensor not in sids:
            raise StudyError(
                f"{source}: outages.{i}.sensor: unknown sensor {op.sensor!r}; the scenario has "
                f"{', '.join(sorted(sids)) or 'none'}"
            )


def parse_study(text: str, source: str = "<study>") -> Study:
    """Validate study YAML text (the scenario is not loaded here)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StudyError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise StudyError(f"{source}: a study is a YAML mapping (key: value lines)")
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"{source}: {where}: {err['msg'].removeprefix('Value error, ')}")
        raise StudyError("\n".join(lines)) from None


def load_study(path: str | Path) -> tuple[Study, Scenario]:
    """Read a study file and the scenario it names (relative to the study file)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudyError(f"{p}: cannot read the study file: {exc.strerror}") from None
    study = parse_study(text, str(p))
    scen_path = Path(study.scenario)
    if not scen_path.is_absolute():
        scen_path = p.parent / scen_path
    scenario = load_scenario(scen_path)
    check_study(study, scenario, str(p))
    return study, scenario


def study_hash(study: Study, scenario: Scenario) -> str:
    """SHA-256 (16 hex digits) of the study and its scenario: identifies a study's outputs."""
    blob = json.dumps(
        {"study": study.model_dump(mode="json"), "scenario": scenario_hash(scenario)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------- sampling


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


def _destination_deg(
    lat_deg: float, lon_deg: float, az_rad: float, dist_m: float
) -> tuple[float, float]:
    p1, d = math.radians(lat_deg), dist_m / R_MEAN_M
    sp2 = math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(az_rad)
    p2 = math.asin(max(-1.0, min(1.0, sp2)))
    dl = math.atan2(math.sin(az_rad) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * sp2)
    lon = (lon_deg + math.degrees(dl) + 180.0) % 360.0 - 180.0
    return math.degrees(p2), lon


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
    by_id = {ln["id"]: ln for ln in data["launches"]}
    for lp in study.launches:
        ln = by_id[lp.id]
        if lp.time_window is not None:
            ln["time"] = float(rng.uniform(lp.time_window[0], lp.time_window[1]))
        if lp.site_radius is not None:
            u, b = rng.random(2)
            lat, lon = _destination_deg(
                ln["site"]["lat_deg"], ln["site"]["lon_deg"], 2 * math.pi * b,
                lp.site_radius * math.sqrt(u),
            )  # fmt: skip
            ln["site"] = {**ln["site"], "lat_deg": lat, "lon_deg": lon}
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


def make_tasks(study: Study, base: Scenario) -> list[RunTask]:
    """The study's runs, in order: seeds spawned from the root, parameters drawn."""
    root = np.random.SeedSequence(study.seed)
    h = study_hash(study, base)
    tasks = []
    for i, child in enumerate(root.spawn(study.runs)):
        c_params, c_run = child.spawn(2)
        scen, out, mult = sample_scenario(study, base, np.random.default_rng(c_params))
        run_seed = int(c_run.generate_state(1)[0])
        tasks.append(RunTask(study.name, h, study.seed, i, run_seed, scen, out, mult))
    return tasks


# ---------------------------------------------------------------------------- one run

_F = pa.float64()
ROW_SCHEMA = pa.schema(
    [
        ("study", pa.string()),
        ("root_seed", pa.int64()),
        ("run", pa.int64()),
        ("run_seed", pa.int64()),
        ("status", pa.string()),
        ("duration_s", _F),
        ("outages", pa.string()),
        ("clutter_multiplier", _F),
        ("launch_id", pa.string()),
        ("vehicle", pa.string()),
        ("t_launch_s", _F),
        ("site_lat_deg", _F),
        ("site_lon_deg", _F),
        ("class_true", pa.string()),
        ("class_assessed", pa.string()),
        ("detected", pa.bool_()),
        ("confirmed", pa.bool_()),
        ("max_level", pa.string()),
        ("first_report_s", _F),
        ("possible_launch_s", _F),
        ("launch_s", _F),
        ("threat_s", _F),
        ("confirmed_s", _F),
        ("launch_point_error_km", _F),
        ("azimuth_error_deg", _F),
        ("impact_error_km_at_confirmed", _F),
        ("impact_time_error_s", _F),
        ("decision_time_s", _F),
    ]
    + [(f"false_alerts_{lv}", pa.int64()) for lv in LEVELS]
)
"""Columns of the study table (one row per run and launch)."""

_EVAL_COLS = tuple(
    name
    for name in ROW_SCHEMA.names[ROW_SCHEMA.get_field_index("class_true") :]
    if name not in ("detected", "confirmed") and not name.startswith("false_alerts_")
)
"""The per-launch evaluation columns, copied from the run's summary (derived from the schema)."""


@lru_cache(maxsize=1)
def _worker_solver() -> Any:
    """One FlightSolver per worker process (its per-vehicle tables are built once)."""
    from earlywarn.flight import FlightSolver

    return FlightSolver()


def _run_scenario(scenario: Scenario, seed: int) -> Any:
    from earlywarn.pipeline import run_scenario

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
        summ = {"launches": [{"id": ln.id, "vehicle": ln.vehicle} for ln in task.scenario.launches]}
    fa = summ.get("false_alerts", {})
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
    }
    sites = {ln.id: ln for ln in task.scenario.launches}
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


def rows_table(rows: Sequence[dict[str, Any]], meta: dict[str, str] | None = None) -> pa.Table:
    cols = {f.name: [r.get(f.name) for r in rows] for f in ROW_SCHEMA}
    t = pa.table(cols, schema=ROW_SCHEMA)
    if meta:
        t = t.replace_schema_metadata({k.encode(): v.encode() for k, v in meta.items()})
    return t


# ------------------------------------------------------------------------- statistics


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (two-sided, z = 1.96 for 95 %).

    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z √(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
    n = 0 gives (0, 1).
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError(f"wilson_interval: need 0 <= k <= n; got k={k}, n={n}")
    p = k / n
    z2 = z * z
    den = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def clopper_pearson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval from the beta quantiles."""
    from scipy.stats import beta

    if n <= 0:
        return (0.0, 1.0)
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


def poisson_upper_95(k: int) -> float:
    """One-sided 95 % upper bound on a Poisson mean after k events: χ²₀.₉₅(2k+2)/2,
    and exactly 3 for k = 0 (the rule of three)."""
    if k == 0:
        return 3.0
    from scipy.stats import chi2

    return float(chi2.ppf(0.95, 2 * k + 2) / 2.0)


def _pct(values: Iterable[Any]) -> dict[str, float | None]:
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return {"n": 0, "p50": None, "p95": None}
    return {
        "n": int(v.size),
        "p50": float(np.percentile(v, 50)),
        "p95": float(np.percentile(v, 95)),
    }


def _prob(flags: Sequence[Any]) -> dict[str, Any]:
    vals = [bool(f) for f in flags if f is not None]
    k, n = sum(vals), len(vals)
    lo, hi = wilson_interval(k, n)
    return {"k": k, "n": n, "p": (k / n) if n else None, "ci95": [lo, hi], "method": "wilson"}


def summarize(table: pa.Table) -> dict[str, Any]:
    """The study's summary, computed from its table alone (see the module docstring)."""
    d = table.to_pydict()
    n_rows = table.num_rows
    runs: dict[int, int] = {}
    for i in range(n_rows):
        runs.setdefault(int(d["run"][i]), i)
    failed = [i for i in runs.values() if d["status"][i] != "ok"]
    ok_runs = [i for i in runs.values() if d["status"][i] == "ok"]  # one row per good run
    days = sum(float(d["duration_s"][i]) for i in ok_runs) / 86_400.0
    launch_rows = [
        i for i in range(n_rows) if d["launch_id"][i] is not None and d["status"][i] == "ok"
    ]
    det = [d["detected"][i] for i in launch_rows]
    conf = [d["confirmed"][i] for i in launch_rows]
    fa: dict[str, Any] = {}
    for lv in LEVELS:
        k = sum(int(d[f"false_alerts_{lv}"][i]) for i in ok_runs)
        fa[lv] = {
            "count": k,
            "per_day": (k / days) if days > 0 else None,
            "upper95_per_day": (poisson_upper_95(k) / days) if days > 0 else None,
        }
    root = sorted({int(x) for x in d["root_seed"]}) if n_rows else []
    return {
        "study": d["study"][0] if n_rows else None,
        "root_seed": root[0] if len(root) == 1 else root,
        "n_runs": len(runs),
        "n_failed_runs": len(failed),
        "n_launch_rows": len(launch_rows),
        "simulated_days": days,
        "detection": _prob(det),
        "confirmation": _prob(conf),
        "latency_s": {
            "first_report": _pct(d["first_report_s"][i] for i in launch_rows),
            "launch": _pct(d["launch_s"][i] for i in launch_rows),
            "confirmed": _pct(d["confirmed_s"][i] for i in launch_rows),
        },
        "impact_error_km_at_confirmed": _pct(
            d["impact_error_km_at_confirmed"][i] for i in launch_rows
        ),
        "decision_time_s": _pct(d["decision_time_s"][i] for i in launch_rows),
        "false_alerts": fa,
    }


# ---------------------------------------------------------------------------- engines


@dataclass(frozen=True)
class StudyResult:
    """The study's table (sorted by run, then launch) and its summary."""

    table: pa.Table
    summary: dict[str, Any]
    n_new: int = 0
    n_resumed: int = 0
    paths: tuple[Path, ...] = field(default_factory=tuple)


def _part_path(out: Path, run: int) -> Path:
    return out / "runs" / f"run-{run:06d}.parquet"


def _write_part(out: Path, task: RunTask, rows: list[dict[str, Any]]) -> None:
    meta = {
        "earlywarn.study_hash": task.study_hash,
        "earlywarn.root_seed": str(task.root_seed),
    }
    p = _part_path(out, task.run)
    tmp = p.with_suffix(f".tmp{os.getpid()}")
    pq.write_table(rows_table(rows, meta), tmp)
    os.replace(tmp, p)


def _done_runs(out: Path, h: str, n_runs: int) -> set[int]:
    done: set[int] = set()
    for p in sorted((out / "runs").glob("run-*.parquet")):
        try:
            run = int(p.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        meta = pq.read_schema(p).metadata or {}
        if meta.get(b"earlywarn.study_hash", b"").decode() != h:
            raise StudyError(
                f"{p}: belongs to a different study or seed (study hash "
                f"{meta.get(b'earlywarn.study_hash', b'?').decode()}, this one {h}); use "
                "another output directory or remove it"
            )
        if run < n_runs:
            done.add(run)
    return done


Progress = Callable[[int, int], None]
"""Called with (runs done, runs in the study)."""


def _local(
    tasks: Sequence[RunTask], workers: int, sink: Callable[[RunTask, list[dict[str, Any]]], None]
) -> None:
    if workers <= 0 or len(tasks) <= 1:
        for t in tasks:
            sink(t, run_one(t))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = {pool.submit(run_one, t): t for t in tasks}
        for fut in as_completed(futs):
            sink(futs[fut], fut.result())


_IN_FLIGHT_PER_WORKER = 4


def _dask(
    tasks: Sequence[RunTask],
    workers: int,
    scheduler: str | None,
    sink: Callable[[RunTask, list[dict[str, Any]]], None],
) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StudyError(
            "the dask engine needs dask[distributed] (pip install 'earlywarn[bench]' or "
            "pip install 'dask[distributed]')"
        ) from exc
    import dask

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # the workers' statistical profiler samples every task's stack 100 times a second
        # (for the dashboard, which is off here): ~6 % of a run's time, so it is turned off
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=None,
            )  # fmt: skip
        client = Client(cluster)
    try:
        # a few runs in flight per worker, each result released once written: with every
        # run submitted at once, a 1,000-run study ran ~25 % slower than its first runs
        todo = iter(tasks)
        by_key: dict[Any, RunTask] = {}
        done = as_completed()

        def submit_next() -> None:
            t = next(todo, None)
            if t is not None:
                fut = client.submit(run_one, t, pure=False)
                by_key[fut.key] = t
                done.add(fut)

        n_workers = len(client.scheduler_info().get("workers", {})) or max(1, workers)
        for _ in range(_IN_FLIGHT_PER_WORKER * n_workers):
            submit_next()
        for fut in done:
            sink(by_key.pop(fut.key), fut.result())
            fut.release()
            submit_next()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    if engine not in ("local", "dask"):
        raise StudyError(f"engine: got {engine!r}; allowed 'local' or 'dask'")
    check_study(study, scenario)
    out = Path(out_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    n_workers = (os.cpu_count() or 1) if workers is None else int(workers)
    tasks = make_tasks(study, scenario)
    h = tasks[0].study_hash
    done = _done_runs(out, h, study.runs)
    todo = [t for t in tasks if t.run not in done]
    if max_new_runs is not None:
        todo = todo[: max(0, int(max_new_runs))]
    count = [len(done)]
    if progress is not None:
        progress(count[0], study.runs)

    def sink(task: RunTask, rows: list[dict[str, Any]]) -> None:
        _write_part(out, task, rows)
        count[0] += 1
        if progress is not None:
            progress(count[0], study.runs)

    if todo:
        if engine == "local":
            _local(todo, n_workers, sink)
        else:
            _dask(todo, n_workers, scheduler, sink)
    parts = [_part_path(out, t.run) for t in tasks if _part_path(out, t.run).exists()]
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
    return StudyResult(table, summary, len(todo), len(done), tuple(paths))
