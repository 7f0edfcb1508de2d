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
    plume_altitude_km: Annotated[float, typer.Option(help="Reference plume altitude.")] = 15.0,
    intensity_w_sr: Annotated[float, typer.Option(help="Reference plume intensity.")] = 1e6,
    sample_step_s: Annotated[
        float, typer.Option(help="Coarse sampling step (shortest window resolved), s.")
    ] = 300.0,
    region: Annotated[
        str | None, typer.Option(help="Region polygon 'LAT,LON;LAT,LON;...' (degrees).")
    ] = None,
    region_name: Annotated[str, typer.Option(help="Name of the region.")] = "region",
    level: Annotated[int, typer.Option(help="Satellites needed for region coverage.")] = 1,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Infrared coverage (≥1, ≥2), longest gaps and radar fence on a lat/lon grid."""
    from earlywarn.analysis import coverage as cv
    from earlywarn.io import maps
    from earlywarn.run import build

    scen = load_scenario_or_fail(scenario)
    _check_out(out, force)
    # the IR search settings shared by the map and the region
    ir = {
        "plume_altitude_m": plume_altitude_km * 1e3,
        "reference_intensity_w_sr": intensity_w_sr,
        "step_s": sample_step_s,
    }
    try:
        grid = cv.LatLonGrid.regular(step_deg)
        t1 = start_s + hours * 3600.0
        sats, rads = build.satellites(scen), build.radars(scen)
        cov = cv.coverage_map(sats, rads, scen.epoch, grid, start_s, t1, **ir)
        reg = None
        if region is not None:
            reg = cv.region_coverage(
                sats, scen.epoch, parse_polygon(region, "--region"), start_s, t1,
                name=region_name, level=level, **ir,
            )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    import pyarrow.parquet as pq

    with staged_output(out, force) as tmp:
        pq.write_table(maps.coverage_table(cov), tmp / "coverage.parquet")
        maps.write_coverage_geojson(cov, tmp / "coverage.geojson")
        maps.plot_coverage(cov, tmp / "coverage.png")
        if reg is not None:
            (tmp / "region.json").write_text(json.dumps(reg.to_dict(), indent=2) + "\n")
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
    radar_pd: Annotated[float, typer.Option(help="Radar detection probability needed.")] = 0.5,
    direct: Annotated[
        bool, typer.Option(help="Fly every launch instead of the interpolated table (slow).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Warning time left after dual-phenomenology detection, over a grid of launch points."""
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
    try:
        grid = cv.LatLonGrid.regular(step_deg)
        lat, lon = grid.points_deg
        sats, rads = build.satellites(scen), build.radars(scen)
        solver = FlightSolver()
        if direct:
            wm = wn.warning_direct(
                solver, vehicle, dlat, dlon, lat, lon, sats, rads, scen.epoch,
                t_launch_s=launch_s, radar_pd=radar_pd,
            )  # fmt: skip
            wm = dataclasses.replace(wm, grid=grid)
        else:
            table = wn.build_trajectory_table(solver, vehicle)
            wm = wn.warning_map(
                table, dlat, dlon, lat, lon, sats, rads, scen.epoch, t_launch_s=launch_s,
                radar_pd=radar_pd, grid=grid, catalog=solver.catalog,
            )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    import numpy as np
    import pyarrow.parquet as pq

    with staged_output(out, force) as tmp:
        pq.write_table(maps.warning_table(wm), tmp / "warning.parquet")
        maps.plot_warning(wm, tmp / "warning.png")
    w = wm.warning_time_s[np.isfinite(wm.warning_time_s)]
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


class _Bar:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.on = not quiet and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        if self.on:
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
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def study_command(
    study_file: Annotated[Path, typer.Argument(help="Study YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "earlywarn-study"
    ),
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: CPU count; 0 = none).")
    ] = None,
    dask_local: Annotated[
        int | None, typer.Option("--dask-local", help="Start a Dask LocalCluster of N workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Use a running Dask scheduler, tcp://HOST:PORT.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run (or resume) a Monte Carlo study; runs already written in --out are skipped."""
    from earlywarn.io.scenario import ScenarioError
    from earlywarn.io.study import StudyError, load_study
    from earlywarn.run.study import StudyInterrupted, run_study

    if dask_local is not None and scheduler is not None:
        fail("give either --dask-local N or --scheduler tcp://HOST:PORT, not both")
    if dask_local is not None and dask_local < 1:
        fail(f"--dask-local: need at least 1 worker; got {dask_local}")
    try:
        study, scen = load_study(study_file)
    except (StudyError, ScenarioError) as exc:
        fail(str(exc))
    engine = "dask" if (dask_local is not None or scheduler is not None) else "local"
    try:
        with _Bar(quiet) as bar:
            res = run_study(
                study, scen, out, engine=engine,
                workers=dask_local if dask_local is not None else workers,
                scheduler=scheduler, progress=bar,
            )  # fmt: skip
    except StudyError as exc:
        fail(str(exc))
    except StudyInterrupted as exc:
        fail(str(exc), code=130)
    s = res.summary
    det, conf = s["detection"], s["confirmation"]

    def pr(d: dict[str, Any]) -> str:
        if not d["n"]:
            return "n/a"
        return f"{d['p']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}] ({d['k']}/{d['n']})"

    typer.echo(
        f"study {s['study']} (root seed {s['root_seed']}): {s['n_runs']} runs "
        f"({res.n_new} new, {res.n_resumed} resumed, {s['n_failed_runs']} failed)"
    )
    typer.echo(f"detection    {pr(det)}")
    typer.echo(f"confirmation {pr(conf)}")
    for lv, f in s["false_alerts"].items():
        if f["per_day"] is not None:
            typer.echo(
                f"false {lv:<16} {f['count']:>5}  {f['per_day']:.3g}/day  "
                f"(95% upper {f['upper95_per_day']:.3g}/day)"
            )
    typer.echo(f"written to {out}/ (runs/, runs.parquet, summary.json)")
