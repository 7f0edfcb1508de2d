"""Flight: the notional vehicle catalog, powered and free flight, aiming, and the batch.

Everything that flies is produced here as :class:`~earlywarn.flight.truth.Trajectories`
(the truth the sensors sample). SI inside (m, s, rad, kg, W/sr), positions and velocities
in WGS84 ECEF; degrees and kilometres only in :class:`LaunchSpec` inputs and
:func:`summarize` outputs, with the unit in the name.

Entry points: :func:`fly` / :class:`FlightSolver` (many launches at once, vectorised
across missiles), :class:`LaunchSpec`, :func:`load_catalog`, :func:`get_vehicle`,
:func:`summarize`. Scope: notional trajectories for detection, tracking and warning
studies, at open-literature fidelity.
"""

from earlywarn.flight.catalog import Stage, Vehicle, get_vehicle, load_catalog
from earlywarn.flight.dynamics import EarthModel
from earlywarn.flight.fly import FlightEvents, FlightResult, FlightSolver, LaunchSpec, fly
from earlywarn.flight.summary import summarize
from earlywarn.flight.truth import Trajectories, TruthSample

__all__ = [
    "EarthModel",
    "FlightEvents",
    "FlightResult",
    "FlightSolver",
    "LaunchSpec",
    "Stage",
    "Trajectories",
    "TruthSample",
    "Vehicle",
    "fly",
    "get_vehicle",
    "load_catalog",
    "summarize",
]
