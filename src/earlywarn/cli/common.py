"""What every command shares: the error exit, the LAT,LON parsers, loading a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import typer

__all__ = ["FORCE_HELP", "fail", "load_scenario_or_fail", "parse_latlon", "parse_polygon"]

FORCE_HELP = "Replace a non-empty output folder (it is swapped whole when the run succeeds)."

LAT_RANGE_DEG = (-90.0, 90.0)
LON_RANGE_DEG = (-180.0, 360.0)
"""Accepted longitudes: east-positive from -180, or 0..360 east."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one plain sentence and exit with ``code`` (2: bad usage)."""
    typer.echo(f"earlywarn: error: {message}", err=True)
    raise typer.Exit(code)


def check_seed(seed: int | None) -> None:
    """``--seed``: a non-negative integer when given (numpy's SeedSequence takes no other)."""
    if seed is not None and seed < 0:
        fail(f"--seed must be a non-negative integer; got {seed}")


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """``LAT,LON`` in degrees; latitude in [-90, 90], longitude in [-180, 360]."""
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        fail(f"{option} must be LAT,LON in degrees (e.g. 40.0,-100.5); got {text!r}")
    if not LAT_RANGE_DEG[0] <= lat <= LAT_RANGE_DEG[1]:
        fail(f"{option} latitude must be within [-90, 90] degrees; got {lat}")
    if not LON_RANGE_DEG[0] <= lon <= LON_RANGE_DEG[1]:
        fail(f"{option} longitude must be within [-180, 360] degrees; got {lon}")
    return lat, lon


def parse_polygon(text: str, option: str) -> list[tuple[float, float]]:
    """``LAT,LON;LAT,LON;...`` (at least three points), each as :func:`parse_latlon`."""
    pts = [parse_latlon(p.strip(), option) for p in text.split(";") if p.strip()]
    if len(pts) < 3:
        fail(f"{option}: a polygon needs >= 3 LAT,LON points separated by ';'; got {text!r}")
    return pts


def load_scenario_or_fail(path: Path) -> Any:
    """The validated scenario, or the validation message and exit status 2."""
    from earlywarn.io.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(str(exc))
