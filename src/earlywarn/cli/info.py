"""``earlywarn doctor``, ``earlywarn validate`` and ``earlywarn schema``: what is installed,
and what a scenario file holds."""

from __future__ import annotations

import json
import platform
from importlib import metadata, resources
from pathlib import Path
from typing import Annotated, Any

import typer

from earlywarn import __version__
from earlywarn.cli.common import load_scenario_or_fail

KEY_DEPENDENCIES = (
    "numpy",
    "scipy",
    "sgp4",
    "pydantic",
    "typer",
    "rich",
    "pyarrow",
    "matplotlib",
    "PyYAML",
)

BUNDLED_DATA = {
    "vehicles.yaml": "notional vehicle catalog",
    "coastlines.npz": "Natural Earth 1:110m coastlines (public domain)",
    "sample_tle.txt": "sample two-line element sets",
    "sample_omm.json": "sample CCSDS OMM element sets",
    "demo.yaml": "the built-in demo scenario",
}


def doctor_report() -> dict[str, Any]:
    """Versions of earlywarn and its key dependencies, and which bundled data files exist."""
    deps: dict[str, str | None] = {}
    for name in KEY_DEPENDENCIES:
        try:
            deps[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            deps[name] = None
    data_dir = resources.files("earlywarn") / "data"
    files = {}
    for fname, what in BUNDLED_DATA.items():
        entry = data_dir / fname
        present = entry.is_file()
        files[fname] = {
            "present": present,
            "what": what,
            "bytes": len(entry.read_bytes()) if present else None,
        }
    return {
        "earlywarn": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": deps,
        "data_files": files,
    }


def doctor(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print versions of earlywarn and its dependencies, and the bundled data files."""
    rep = doctor_report()
    if json_out:
        typer.echo(json.dumps(rep, indent=2))
        return
    typer.echo(f"earlywarn {rep['earlywarn']}  (Python {rep['python']}, {rep['platform']})")
    for name, ver in rep["dependencies"].items():
        typer.echo(f"  {name:<12} {ver or 'MISSING'}")
    typer.echo("bundled data:")
    for fname, info in rep["data_files"].items():
        mark = f"{info['bytes']:>9,} bytes" if info["present"] else "   MISSING     "
        typer.echo(f"  {fname:<18} {mark}  {info['what']}")
    missing = [n for n, v in rep["dependencies"].items() if v is None]
    if missing:
        raise typer.Exit(1)


def _launch_count(sc: Any) -> str:
    """ "N launches", and what each salvo expands to."""
    from earlywarn.io.scenario import Salvo, launch_ids

    n = len(launch_ids(sc.launches))
    salvos = [e for e in sc.launches if isinstance(e, Salvo)]
    if not salvos:
        return f"{n} launches"
    each = ", ".join(f"{e.salvo!r} → {e.count}" for e in salvos)
    return f"{n} launches ({len(salvos)} salvo{'s' if len(salvos) > 1 else ''}: {each})"


def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check a scenario file and say what it contains."""
    sc = load_scenario_or_fail(scenario)
    typer.echo(
        f"{scenario}: valid — {_launch_count(sc)}, {len(sc.sensors.satellites)} "
        f"satellites, {len(sc.sensors.radars)} radars, {len(sc.defended_areas)} defended "
        f"areas, {sc.duration:.0f} s from {sc.epoch}"
    )
    if sc.sky.catalog is not None:
        typer.echo(f"  sky: {_sky_line(sc)}")


def _sky_line(sc: Any) -> str:
    """``312 catalogued objects (150 payload, ...) from 'sample'``."""
    from earlywarn.io.scenario import sky_catalog

    cat = sky_catalog(sc)
    assert cat is not None
    counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in cat.counts_by_type().items() if n)
    what = "the sample catalog" if sc.sky.catalog == "sample" else sc.sky.catalog
    return f"{len(cat)} catalogued objects ({counts or 'none'}) from {what}"


def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from earlywarn.io.scenario import scenario_json_schema

    typer.echo(json.dumps(scenario_json_schema(), indent=2))


def vehicle_rows() -> list[dict[str, Any]]:
    """The catalog, one row per vehicle: class, stages, mass, and for aimable vehicles the
    range and apogee figures of its aiming table (non-rotating Earth, closed form)."""
    import numpy as np

    from earlywarn.flight import FlightSolver

    solver = FlightSolver()
    rows = []
    for name, v in sorted(solver.catalog.items()):
        row: dict[str, Any] = {
            "name": name,
            "class": v.vehicle_class,
            "stages": len(v.stages),
            "launch_mass_kg": round(v.launch_mass_kg),
            "burn_s": round(v.burnout_s[-1], 1),
            "aimable": v.aimable,
            "orbital": v.orbital,
            "min_range_km": None,
            "max_range_km": None,
            "apogee_at_max_range_km": None,
            "apogee_full_burn_km": None,
            "description": v.description,
        }
        if v.aimable and not v.orbital:
            t = solver.table(name)
            full_rng, full_apo = t.range_rad[:, -1], t.apogee_m[:, -1]
            j = int(np.nanargmax(full_rng))
            row.update(
                min_range_km=round(t.min_range_m / 1e3),
                max_range_km=round(t.max_range_m / 1e3),
                apogee_at_max_range_km=round(float(full_apo[j]) / 1e3),
                apogee_full_burn_km=[
                    round(float(np.nanmin(full_apo)) / 1e3),
                    round(float(np.nanmax(full_apo)) / 1e3),
                ],
            )
        rows.append(row)
    return rows


def vehicles(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON list.")] = False,
) -> None:
    """List the vehicle catalog: class, stages, ranges and feasible apogees."""
    rows = vehicle_rows()
    if json_out:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(
        f"{'vehicle':<18}{'class':<10}{'stages':>6}{'mass (t)':>10}{'burn (s)':>10}"
        f"{'range (km)':>18}{'apogee at max range':>21}{'apogee, full burn':>20}"
    )
    for r in rows:
        if r["max_range_km"] is None:
            rng = "orbital" if r["orbital"] else "not aimable"
            apo = apo2 = "—"
        else:
            rng = f"{r['min_range_km']:,}–{r['max_range_km']:,}"
            apo = f"{r['apogee_at_max_range_km']:,} km"
            lo, hi = r["apogee_full_burn_km"]
            apo2 = f"{lo:,}–{hi:,} km"
        typer.echo(
            f"{r['name']:<18}{r['class']:<10}{r['stages']:>6}{r['launch_mass_kg'] / 1e3:>10.1f}"
            f"{r['burn_s']:>10.0f}{rng:>18}{apo:>21}{apo2:>20}"
        )
    typer.echo(
        "ranges and apogees: the aiming table's closed-form figures on a non-rotating Earth; "
        "'apogee, full burn' spans depressed to lofted trajectories (trajectory --apogee-km)"
    )
