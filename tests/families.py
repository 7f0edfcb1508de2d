"""Scenario families for the warning-quality tests: variations of the reference case over
what it holds fixed (satellites lost or alone, flight directions, outages in each phase),
each launch aimed into a defended area so that every launch is a real threat.

``family_cases()`` lists (family, scenario document, seed); ``run_case`` flies one and
returns its per-launch evaluation rows, its calibration counts and its false events.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import yaml

from earlywarn.io.salvo import destination_deg

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SITE = (40.0, 60.0)  # the reference launch site (lat, lon), degrees


def reference_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((EXAMPLES / "reference.yaml").read_text())
    return doc


def destination(
    lat_deg: float, lon_deg: float, az_deg: float, dist_km: float
) -> tuple[float, float]:
    """The point ``dist_km`` from (lat, lon) along the great circle of azimuth ``az_deg``
    (the salvo format's formula, :func:`earlywarn.io.salvo.destination_deg`)."""
    lat, lon = destination_deg(lat_deg, lon_deg, math.radians(az_deg), dist_km * 1e3)
    return float(lat), float(lon)


def aimed(doc: dict[str, Any], az_deg: float, dist_km: float = 8000.0) -> dict[str, Any]:
    """The document with its launch aimed ``dist_km`` along ``az_deg`` and the defended
    area moved there (the radars stay where they are: most directions are IR-only)."""
    d = copy.deepcopy(doc)
    lat, lon = destination(*SITE, az_deg, dist_km)
    d["launches"][0]["aim"] = {"lat_deg": round(lat, 3), "lon_deg": round(lon, 3)}
    d["defended_areas"] = [
        {"name": "target", "circle": {"lat_deg": round(lat, 3), "lon_deg": round(lon, 3),
                                      "radius": "200 km"}}
    ]  # fmt: skip
    return d


def only_satellite(doc: dict[str, Any], sat_id: str) -> dict[str, Any]:
    d = copy.deepcopy(doc)
    d["sensors"]["satellites"] = [s for s in d["sensors"]["satellites"] if s["id"] == sat_id]
    return d


def with_outage(doc: dict[str, Any], sensors: list[str], start_s: float) -> dict[str, Any]:
    """Every named sensor dark from ``start_s`` (scenario time) to the end."""
    d = copy.deepcopy(doc)
    end = d["duration"]
    d["events"] = [
        {"type": "outage", "sensor": s, "start": f"{start_s} s", "end": end} for s in sensors
    ]
    return d


DIRECTIONS = (0.0, 60.0, 120.0, 180.0, 240.0, 300.0)
"""Launch azimuths; from 40°N 60°E the GEO satellite at 30°E is toward ~210°, at 95°E
toward ~130°: each is flown toward, across and away from each satellite."""


def launch_phased(doc: dict[str, Any], seed: int) -> dict[str, Any]:
    """The document with its launch moved by a seed's fraction of the 2 s revisit (steps of
    the golden ratio, so any few seeds spread over it): a real launch has no particular
    phase to the satellites' frames, and with the launch time fixed every seed's burnout
    fell at the same place between two frames (the reference's thrust ended 1.6 s after
    its last frame on every seed: a bias of that one geometry, counted as the center's)."""
    d = copy.deepcopy(doc)
    d["launches"][0]["time"] = f"{100.0 + (seed * 0.6180339887) % 1.0 * 2.0:.3f} s"
    return d


def family_cases(seeds: int = 3) -> list[tuple[str, dict[str, Any], int]]:
    cases: list[tuple[str, dict[str, Any], int]] = []
    for s in range(1, seeds + 1):
        ref = launch_phased(reference_doc(), s)
        sats = [x["id"] for x in ref["sensors"]["satellites"]]
        rads = [x["id"] for x in ref["sensors"]["radars"]]
        for az in DIRECTIONS:
            cases.append((f"stereo az{az:.0f}", aimed(ref, az), s))
            for sat in sats:
                cases.append((f"alone {sat} az{az:.0f}", only_satellite(aimed(ref, az), sat), s))
        for label, who in (("all", sats + rads), ("ir", sats), ("radar", rads)):
            # the launch is at 100-102 s: dark in boost, just after burnout, in midcourse
            for phase, t in (("boost", 170.0), ("burnout", 300.0), ("midcourse", 900.0)):
                cases.append((f"outage {label} {phase}", with_outage(ref, who, t), s))
    return cases


def run_case(case: tuple[str, dict[str, Any], int]) -> dict[str, Any]:
    """One case through the whole chain: its evaluation, reduced to what the tests read."""
    from earlywarn.io.scenario import parse_scenario
    from earlywarn.run.pipeline import run_scenario

    family, doc, seed = case
    res = run_scenario(parse_scenario(yaml.safe_dump(doc), source=family), seed=seed)
    ev = res.evaluation
    return {
        "family": family,
        "seed": seed,
        "launches": [dict(r) for r in ev.launches],
        "false_events": dict(ev.false_events),
    }
