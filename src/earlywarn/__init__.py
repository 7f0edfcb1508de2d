"""earlywarn — an open ballistic-missile early-warning system.

Three parts, as in the real systems: space-based infrared satellites and land-based
radars (physics models that produce *reports*), and a data analysis center that turns
reports into graded, confirmed warnings. Scope: detection, tracking, characterisation,
warning and analysis; never interception, guidance or automated response.

Units contract (stated once, for the whole package)
---------------------------------------------------
* Inside, everything is SI: metres, seconds, radians, kilograms, watts per steradian.
* Any public name that carries another unit says so: ``altitude_km``, ``azimuth_deg``.
* Positions and velocities are ``(..., 3)`` float64 arrays that broadcast over objects
  and time.
* Time is float seconds since the scenario epoch (UTC); ISO 8601 with ``Z`` at the edges.
* Earth-fixed is WGS84 ECEF; the inertial frame turns into it by the Greenwich mean
  sidereal angle only (the frame SGP4's TEME output lives in).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("earlywarn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
