"""Scenario builders for the one-satellite and glint-day families (tests of the IR
detector's mono evidence and glint rule): scenario dicts made from the example YAMLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from families import destination

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

GEO_OVER = {"preset": "geo", "lon_deg": 60.0}
"""A GEO satellite due south of the launch site :data:`GEO_SITE`: flying 180° is towards it."""
GEO_SITE = (40.0, 60.0)
MOLNIYA = {"preset": "molniya", "apogee_lon_deg": 40.0, "phase_deg": 0}
"""A Molniya satellite at apogee over Europe at the epoch (north of :data:`MOLNIYA_SITE`
over the pole: flying 0–20° is towards it)."""
MOLNIYA_SITE = (47.5, -111.2)  # Malmstrom-like
SEASONS = {
    "march-equinox": "2026-03-20T00:00:00Z",
    "june-solstice": "2026-06-21T00:00:00Z",
    "december-solstice": "2026-12-21T00:00:00Z",
}


def one_satellite(
    orbit: dict[str, Any], site: tuple[float, float], az_deg: float, dist_km: float = 9000.0
) -> dict[str, Any]:
    """The reference scenario with one satellite (2 s revisit) and its ICBM flown from
    ``site`` at ``az_deg``, aimed into a defended area ``dist_km`` away."""
    d = yaml.safe_load((EXAMPLES / "reference.yaml").read_text())
    la, lo = destination(site[0], site[1], az_deg, dist_km)
    d["launches"][0]["site"] = {"lat_deg": site[0], "lon_deg": site[1]}
    d["launches"][0]["aim"] = {"lat_deg": la, "lon_deg": lo}
    payload = d["sensors"]["satellites"][0]["payload"]
    d["sensors"] = {"satellites": [{"id": "sat-1", "orbit": orbit, "payload": payload}]}
    d["defended_areas"] = [
        {"name": "target", "circle": {"lat_deg": la, "lon_deg": lo, "radius": "200 km"}}
    ]
    d["duration"] = "15 min"
    return d


def glint_day(season: str, hours: float = 24.0) -> dict[str, Any]:
    """The glint example (8 satellites, 2 s revisit) on the day of ``season``."""
    d = yaml.safe_load((EXAMPLES / "glint-equinox.yaml").read_text())
    d["epoch"] = SEASONS[season]
    d["duration"] = f"{hours} h"
    return d
