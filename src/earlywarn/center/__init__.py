"""The analysis center: IR launch detection, radar tracking, fusion, characterisation and
assessment. It sees reports only, never truth (see DESIGN.md): nothing under
``earlywarn.center`` imports ``earlywarn.flight``, ``earlywarn.sensors`` or
``earlywarn.analysis`` (``tests/test_layers.py`` enforces it). What it knows about
missiles is its own prior, stated in its own modules.

Units: SI inside (m, s, rad); ECEF positions and velocities are ``(..., 3)`` arrays. Alert
records (:mod:`earlywarn.center.alerts`) are the edge: degrees and km with the unit in the
name, times also as ISO 8601 UTC with ``Z``.

The core is a step function over immutable values (:mod:`earlywarn.center.core`)::

    from earlywarn.center import CenterConfig, CenterState, step, run_center
    state = CenterState.initial(config)
    state, out = step(state, reports, t_s)   # out.alerts, out.events, out.health
    result = run_center(batch, config, dt_s=1.0)
"""

from earlywarn.center.alerts import ALERT_SCHEMA, Alert, Level
from earlywarn.center.assessment import (
    AssessmentParams,
    DefendedArea,
    Event,
    ImpactRecord,
    LaunchNotification,
    SensorHealth,
)
from earlywarn.center.characterise import ImpactEstimate, predict_impact
from earlywarn.center.core import (
    CenterConfig,
    CenterOutput,
    CenterProgress,
    CenterState,
    InfraredDetector,
    IrDetector,
    StepOutput,
    run_center,
    step,
)
from earlywarn.center.fusion import FusionParams
from earlywarn.center.intake import RegisteredSensor, SensorKind, SensorRegistry
from earlywarn.center.radar_tracking import RadarParams, RadarTrack
from earlywarn.center.vocabulary import Disposition, Reason, Source

__all__ = [
    "ALERT_SCHEMA",
    "Alert",
    "AssessmentParams",
    "CenterConfig",
    "CenterOutput",
    "CenterProgress",
    "CenterState",
    "DefendedArea",
    "Disposition",
    "Event",
    "FusionParams",
    "ImpactEstimate",
    "ImpactRecord",
    "InfraredDetector",
    "IrDetector",
    "LaunchNotification",
    "Level",
    "RadarParams",
    "RadarTrack",
    "Reason",
    "RegisteredSensor",
    "SensorHealth",
    "SensorKind",
    "SensorRegistry",
    "Source",
    "StepOutput",
    "predict_impact",
    "run_center",
    "step",
]
