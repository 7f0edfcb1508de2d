"""A JSON-ready summary of one launch (what ``earlywarn trajectory --json`` prints).

Units at this edge are degrees, kilometres, km/s and seconds after lift-off, each named
in its key; ``impact`` is null for a payload that stays in orbit, ``aim_miss_km`` for an
unaimed launch.
"""

from __future__ import annotations

import math
from typing import Any

from earlywarn.flight.fly import FlightResult


def _r(x: float, nd: int) -> float:
    return round(float(x), nd)


def summarize(result: FlightResult, i: int) -> dict[str, Any]:
    """Summary of launch ``i`` of ``result`` (an index into ``result.events``)."""
    if not 0 <= i < len(result.events):
        raise ValueError(f"launch index {i} out of range: the result has {len(result.events)}")
    e = result.events[i]
    deg = 180.0 / math.pi
    impact = None
    if e.impact_s is not None and e.impact_lat_rad is not None and e.impact_lon_rad is not None:
        lon = (e.impact_lon_rad * deg + 180.0) % 360.0 - 180.0
        impact = {
            "time_s": _r(e.impact_s, 1),
            "lat_deg": _r(e.impact_lat_rad * deg, 4),
            "lon_deg": _r(lon, 4),
        }
    return {
        "vehicle": e.vehicle,
        "launch": {
            "lat_deg": _r(e.launch_lat_rad * deg, 4),
            "lon_deg": _r(e.launch_lon_rad * deg, 4),
        },
        "burnout": {
            "time_s": _r(e.burnout_s, 1),
            "altitude_km": _r(e.burnout_altitude_m / 1e3, 1),
            "speed_km_s": _r(e.burnout_speed_m_s / 1e3, 3),
            "flight_path_angle_deg": _r(e.burnout_flight_path_rad * deg, 2),
        },
        "apogee": {"time_s": _r(e.apogee_s, 1), "altitude_km": _r(e.apogee_altitude_m / 1e3, 1)},
        "impact": impact,
        "ground_range_km": None if e.ground_range_m is None else _r(e.ground_range_m / 1e3, 1),
        "flight_time_s": None if e.impact_s is None else _r(e.impact_s, 1),
        "aim_miss_km": None if e.aim_miss_m is None else _r(e.aim_miss_m / 1e3, 4),
    }
