"""The analysis commands: ``earlywarn coverage``, ``earlywarn warning``, ``earlywarn study``.

Each is a typer command function (parse, call the library, write files, print a few
lines), registered on the app in :mod:`earlywarn.cli`. Bad input prints one sentence and
exits with status 2.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from earlywarn.cli.common import (
    FORCE_HELP,
    check_seed,
    fail,
    load_scenario_or_fail,
    parse_latlon,
    parse_polygon,
)
from earlywarn.run.staging import OutputError, check_output_dir, staged_output

__all__ = ["coverage_command", "study_command", "warning_command"]


def _check_out(out: Path, force: bool) -> None:
    try:
        check_output_dir(out, force)
    except OutputError as exc:
        fail(str(exc))


def coverage_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML (its sensors are used).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "earlywarn-coverage"
    ),
    step_deg: Annotated[float, typer.Option(help="Grid step, degrees.")] = 1.0,
    hours: Annotated[float, typer.Option(help="Time window length, hours.")] = 24.0,
    start_s: Annotated[float, typer.Option(help="Window start, s after the epoch.")] = 0.0,
    plume_altitude_km: Annotated[
        float | None,
        typer.Option(
            help="Reference plume altitude, km (default: per payload, 15 km looking down, "
            "150 km or the aim height for limb viewers)."
        ),
    ] = None,
    intensity_w_sr: Annotated[float, typer.Option(help="Reference plume intensity.")] = 1e6,
    sample_step_s: Annotated[
        float, typer.Option(help="Coarse sampling step (shortest window resolved), s.")
    ] = 300.0,
    region: Annotated[
        str | None, typer.Option(help="Region polygon 'LAT,LON;LAT,LON;...' (degrees).")
    ] = None,
    region_name: Annotated[str, typer.Option(help="Name of the region.")] = "region",
    level: Annotated[int, typer.Option(help="Satellites needed for region coverage.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Infrared coverage (≥1, ≥2), longest gaps and radar fence on a lat/lon grid
    (deterministic: no seed)."""
    from earlywarn.analysis import coverage as cv
    from earlywarn.io import maps
    from earlywarn.run import build

    scen = load_scenario_or_fail(scenario)
    _check_out(out, force)
    # the IR search settings shared by the map and the region
    plume_m = None if plume_altitude_km is None else plume_altitude_km * 1e3
    ir: dict[str, Any] = {
        "plume_altitude_m": plume_m,
        "reference_intensity_w_sr": intensity_w_sr,
        "step_s": sample_step_s,
    }
    say = _Say(quiet or json_out, "coverage")
    try:
        grid = cv.LatLonGrid.regular(step_deg)
        t1 = start_s + hours * 3600.0
        sats, rads = build.satellites(scen), build.radars(scen)
        say(f"{grid.shape[0]}x{grid.shape[1]} grid points, {len(sats)} satellites, "
            f"{len(rads)} radars, {hours:g} h")  # fmt: skip
        cov = cv.coverage_map(sats, rads, scen.epoch, grid, start_s, t1, **ir)
        reg = None
        if region is not None:
            say(f"region {region_name}")
            reg = cv.region_coverage(
                sats, scen.epoch, parse_polygon(region, "--region"), start_s, t1,
                name=region_name, level=level, **ir,
            )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    import pyarrow.parquet as pq

    say("writing")
    with staged_output(out, force) as tmp:
        pq.write_table(maps.coverage_table(cov), tmp / "coverage.parquet")
        maps.write_coverage_geojson(cov, tmp / "coverage.geojson")
        maps.plot_coverage(cov, tmp / "coverage.png")
        if reg is not None:
            (tmp / "region.json").write_text(json.dumps(reg.to_dict(), indent=2) + "\n")
    alts = cv.plume_altitudes_m(sats, plume_m)
    for i in cv.never_seen(cov.windows):
        typer.echo(
            f"warning: satellite {sats[i].sensor_id} ({sats[i].payload.pointing}) never sees "
            f"the reference plume ({alts[i] / 1e3:g} km, {intensity_w_sr:.2g} W/sr) anywhere "
            f"on the grid in these {hours:g} h",
            err=True,
        )
    if reg is not None:
        (out / "region.json").write_text(json.dumps(reg.to_dict(), indent=2) + "\n")
    if json_out:
        doc = {
            "scenario": scen.name, "grid": list(grid.shape), "hours": hours,
            "mean_fraction_1": float(cov.coverage_1.mean()),
            "mean_fraction_2": float(cov.coverage_2.mean()),
            "region": None if reg is None else reg.to_dict(), "out": str(out),
        }  # fmt: skip
        typer.echo(json.dumps(doc, indent=2))
        return
    if quiet:
        return
    typer.echo(
        f"coverage of {scen.name}: {grid.shape[0]}x{grid.shape[1]} points over {hours:g} h; "
        f"area-weighted fraction seen by >=1 satellite {cov.area_fraction(1):.3f}, by >=2 "
        f"{cov.area_fraction(2):.3f}"
    )
    if reg is not None:
        typer.echo(
            f"region {reg.name}: {reg.hours_per_day:.2f} h/day covered by >= {reg.level}; "
            f"{len(reg.gaps)} gap(s)"
        )
    typer.echo(f"written to {out}/ (coverage.png, coverage.geojson, coverage.parquet)")


def warning_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML (its sensors are used).")],
    defended: Annotated[str, typer.Option(help="Defended point LAT,LON (degrees).")],
    vehicle: Annotated[str, typer.Option(help="Catalog vehicle name, e.g. icbm-solid.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "earlywarn-warning"
    ),
    step_deg: Annotated[float, typer.Option(help="Launch grid step, degrees.")] = 1.0,
    launch_s: Annotated[float, typer.Option(help="Lift-off time, s after the epoch.")] = 0.0,
    radar_reports: Annotated[
        float, typer.Option(help="Expected radar detections (own scans and Pd) to confirm.")
    ] = 3.0,
    ir_reports: Annotated[
        float, typer.Option(help="Expected infrared detections (own frames and Pd) to confirm.")
    ] = 3.0,
    direct: Annotated[
        bool,
        typer.Option("--direct", help="Fly every launch instead of the interpolated table (slow)."),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Warning time left after dual-phenomenology confirmation, over a grid of launch points.

    Warning time = impact − the first moment both phenomenologies could confirm (expected
    detections over each sensor's own frames or scans, with its own Pd, reaching the
    counts; every object of the launch). It bounds the decision time of a center that
    needs both (earlywarn.analysis.warning_time). Deterministic: no seed."""
    from earlywarn.analysis import coverage as cv
    from earlywarn.analysis import warning as wn
    from earlywarn.flight import FlightSolver, load_catalog
    from earlywarn.io import maps
    from earlywarn.run import build

    scen = load_scenario_or_fail(scenario)
    _check_out(out, force)
    dlat, dlon = parse_latlon(defended, "--defended")
    catalog = load_catalog()
    if vehicle not in catalog:
        fail(f"--vehicle: unknown {vehicle!r}; known: {', '.join(sorted(catalog))}")
    say = _Say(quiet or json_out, "warning")
    try:
        grid = cv.LatLonGrid.regular(step_deg)
        lat, lon = grid.points_deg
        sats, rads = build.satellites(scen), build.radars(scen)
        solver = FlightSolver()
        say(f"{lat.size} launch points, {vehicle}, {'direct flights' if direct else 'table'}")
        if direct:
            wm = wn.warning_direct(
                solver, vehicle, dlat, dlon, lat, lon, sats, rads, scen.epoch,
                t_launch_s=launch_s, ir_reports=ir_reports, radar_reports=radar_reports,
            )  # fmt: skip
            wm = dataclasses.replace(wm, grid=grid)
        else:
            say("trajectory table")
            table = wn.build_trajectory_table(solver, vehicle)
            say("warning map")
            wm = wn.warning_map(
                table, dlat, dlon, lat, lon, sats, rads, scen.epoch, t_launch_s=launch_s,
                ir_reports=ir_reports, radar_reports=radar_reports, grid=grid,
                catalog=solver.catalog,
            )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    import numpy as np
    import pyarrow.parquet as pq

    say("writing")
    with staged_output(out, force) as tmp:
        pq.write_table(maps.warning_table(wm), tmp / "warning.parquet")
        maps.plot_warning(wm, tmp / "warning.png")
    w = wm.warning_time_s[np.isfinite(wm.warning_time_s)]
    if json_out:
        doc = {
            "vehicle": vehicle, "defended_deg": [dlat, dlon], "launch_points": int(wm.lat_deg.size),
            "in_range": int(np.isfinite(wm.flight_time_s).sum()), "seen_by_both": int(w.size),
            "warning_time_min": None if not w.size else {
                "median": float(np.median(w)) / 60, "min": float(w.min()) / 60,
                "max": float(w.max()) / 60},
            "out": str(out),
        }  # fmt: skip
        typer.echo(json.dumps(doc, indent=2))
        return
    if quiet:
        return
    typer.echo(
        f"{vehicle} at ({dlat:g}, {dlon:g}): {np.isfinite(wm.flight_time_s).sum()} of "
        f"{wm.lat_deg.size} launch points in range, {w.size} seen by both phenomenologies"
    )
    if w.size:
        typer.echo(
            f"warning time left: median {np.median(w) / 60:.1f} min, min {w.min() / 60:.1f} min, "
            f"max {w.max() / 60:.1f} min"
        )
    typer.echo(f"written to {out}/ (warning.png, warning.parquet)")


class _Say:
    """Plain progress lines on stderr (on a terminal or not), nothing when quiet."""

    def __init__(self, quiet: bool, command: str) -> None:
        import time

        self.quiet, self.command, self.t0 = quiet, command, time.monotonic()

    def __call__(self, what: str) -> None:
        import time

        if not self.quiet:
            typer.echo(f"[{self.command} {time.monotonic() - self.t0:6.1f} s] {what}", err=True)


class _Bar:
    """Study progress: a rich bar on a terminal, plain lines otherwise (about every 5 %
    of the runs and at the end), nothing when quiet."""

    def __init__(self, quiet: bool, label: str = "runs") -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.label = label
        self._bar: Any = None
        self._task: Any = None
        self._last = -1

    def __enter__(self) -> _Bar:
        if not self.quiet and self.tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._bar.__enter__()
            self._task = self._bar.add_task("runs", total=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
            return
        step = max(1, total // 20)
        if done == total or done // step != self._last // step or self._last < 0:
            self._last = done
            typer.echo(f"[{self.label}] {done}/{total} runs", err=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _engine_args(
    dask_local: int | None, scheduler: str | None, workers: int | None
) -> dict[str, Any]:
    if dask_local is not None and scheduler is not None:
        fail("give either --dask-local N or --scheduler tcp://HOST:PORT, not both")
    if dask_local is not None and dask_local < 1:
        fail(f"--dask-local: need at least 1 worker; got {dask_local}")
    engine = "dask" if (dask_local is not None or scheduler is not None) else "local"
    return {
        "engine": engine,
        "workers": dask_local if dask_local is not None else workers,
        "scheduler": scheduler,
    }


def _pr(d: dict[str, Any]) -> str:
    if not d["n"]:
        return "n/a"
    return f"{d['p']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}] ({d['k']}/{d['n']})"


def study_command(
    study_file: Annotated[Path, typer.Argument(help="Study YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "earlywarn-study"
    ),
    runs: Annotated[int | None, typer.Option(help="Override the study's number of runs.")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the study's root seed.")] = None,
    sweep: Annotated[
        list[str] | None,
        typer.Option(
            help="Sweep a scenario field: PATH=V1,V2,... (e.g. "
            "sensors.radars.rad-n.max_range=3000 km,4000 km). Repeat for a grid; one "
            "study and one summary row per point (sweep.json, sweep.csv)."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: CPU count; 0 = none).")
    ] = None,
    dask_local: Annotated[
        int | None, typer.Option("--dask-local", help="Start a Dask LocalCluster of N workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Use a running Dask scheduler, tcp://HOST:PORT.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Run (or resume) a Monte Carlo study; runs already written in --out are skipped."""
    from earlywarn.io.scenario import ScenarioError
    from earlywarn.io.study import StudyError, load_study
    from earlywarn.run.study import StudyInterrupted, run_study

    eng = _engine_args(dask_local, scheduler, workers)
    if runs is not None and not 0 < runs <= 10_000_000:
        fail(f"--runs must be between 1 and 10,000,000; got {runs}")
    check_seed(seed)
    try:
        study, scen = load_study(study_file)
    except (StudyError, ScenarioError) as exc:
        fail(str(exc))
    update = {k: v for k, v in (("runs", runs), ("seed", seed)) if v is not None}
    study = study.model_copy(update=update)
    if sweep:
        _sweep(study_file, study, sweep, out, eng, json_out, quiet)
        return
    try:
        with _Bar(quiet or json_out) as bar:
            res = run_study(study, scen, out, progress=bar, **eng)
    except StudyError as exc:
        fail(str(exc))
    except StudyInterrupted as exc:
        fail(str(exc), code=130)
    s = res.summary
    if json_out:
        typer.echo(json.dumps(s, indent=2))
        return
    det, conf = s["detection"], s["confirmation"]
    typer.echo(
        f"study {s['study']} (root seed {s['root_seed']}): {s['n_runs']} runs "
        f"({res.n_new} new, {res.n_resumed} resumed, {s['n_failed_runs']} failed)"
    )
    typer.echo(f"detection    {_pr(det)}")
    typer.echo(f"confirmation {_pr(conf)}")
    for lv, f in s["false_alerts"].items():
        if f["per_day"] is not None:
            typer.echo(
                f"false {lv:<16} {f['count']:>5}  {f['per_day']:.3g}/day  "
                f"(95% upper {f['upper95_per_day']:.3g}/day)"
            )
    typer.echo(f"written to {out}/ (runs/, runs.parquet, summary.json)")


def _sweep(
    study_file: Path,
    study: Any,
    axes_text: list[str],
    out: Path,
    eng: dict[str, Any],
    json_out: bool,
    quiet: bool,
) -> None:
    """One study per grid point in ``out/point-NNN/``; ``sweep.json`` and ``sweep.csv``."""
    import csv

    from earlywarn.io.study import StudyError
    from earlywarn.run.study import run_study
    from earlywarn.run.sweep import parse_axis, sweep_points, sweep_row

    scen_path = Path(study.scenario)
    if not scen_path.is_absolute():
        scen_path = study_file.parent / scen_path
    try:
        axes = [parse_axis(a) for a in axes_text]
        if len({a.path for a in axes}) != len(axes):
            fail("--sweep: each field may be swept once")
        points = sweep_points(
            scen_path.read_text(encoding="utf-8"), str(scen_path), axes, study, scen_path.parent
        )
    except (ValueError, OSError) as exc:
        fail(str(exc))
    rows = []
    for pt in points:
        label = ", ".join(f"{k}={v}" for k, v in pt.values.items())
        if not quiet and not json_out:
            typer.echo(f"point {pt.index + 1}/{len(points)}: {label}", err=True)
        try:
            with _Bar(quiet or json_out, label=f"point {pt.index + 1}") as bar:
                res = run_study(
                    study, pt.scenario, out / f"point-{pt.index:03d}", progress=bar, **eng
                )
        except StudyError as exc:
            fail(f"{label}: {exc}")
        rows.append(sweep_row(pt, res.summary))
    out.mkdir(parents=True, exist_ok=True)
    doc = {"study": study.name, "root_seed": study.seed, "runs_per_point": study.runs,
           "axes": {a.path: list(a.values) for a in axes}, "points": rows}  # fmt: skip
    (out / "sweep.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    with (out / "sweep.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    if json_out:
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    typer.echo(
        f"sweep of {study.name}: {len(rows)} points x {study.runs} runs, root seed {study.seed}"
    )
    head = [a.path for a in axes]
    wid = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in head}
    typer.echo(
        "  ".join(f"{h:>{wid[h]}}" for h in head)
        + "  detection (95% CI)      confirmation (95% CI)   decision time p50"
    )
    for r in rows:

        def ci(k: str, r: dict[str, Any] = r) -> str:
            if r[k] is None:
                return f"{'n/a':<23}"
            return f"{r[k]:.3f} [{r[k + '_ci95_low']:.2f}, {r[k + '_ci95_high']:.2f}]   "

        dec = r["decision_time_s_median"]
        typer.echo(
            "  ".join(f"{r[h]!s:>{wid[h]}}" for h in head)
            + f"  {ci('detection')}  {ci('confirmation')}  "
            + (f"{dec / 60:.1f} min" if dec is not None else "—")
        )
    typer.echo(f"written to {out}/ (sweep.json, sweep.csv, point-NNN/)")
