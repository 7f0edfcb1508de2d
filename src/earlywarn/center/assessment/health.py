"""Sensor health from status reports: the ``health`` pass, run before the others.

A sensor is *degraded* when it reports ``degraded`` or ``outage`` or when no status
arrived within :attr:`~earlywarn.center.assessment.AssessmentParams.heartbeat_factor`
(2.5) periods. Degraded coverage is reported in the outputs and alerts; it never raises a
level (silence is never evidence of an attack), and it holds back the retraction of an
event its sensors saw (see :mod:`earlywarn.center.assessment.ladder`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.vocabulary import HealthReason

__all__ = ["SensorHealth", "update_health"]


@dataclass(frozen=True)
class SensorHealth:
    """The last known status of one sensor and whether its coverage counts as degraded."""

    sensor_id: str
    state: str
    last_t_s: float
    period_s: float
    degraded: bool
    reason: HealthReason


def update_health(
    health: tuple[SensorHealth, ...],
    status: Mapping[str, npt.ArrayLike],
    t_s: float,
    params: AssessmentParams,
) -> tuple[SensorHealth, ...]:
    """Fold status reports (column dict) into the health table and check heartbeats at ``t_s``."""
    n = int(np.asarray(status["t_s"]).shape[0]) if status and "t_s" in status else 0
    if n == 0 and all(
        h.degraded or t_s - h.last_t_s <= params.heartbeat_factor * h.period_s for h in health
    ):
        return health  # nothing new and no heartbeat overdue: the table stands
    table = {h.sensor_id: h for h in health}
    if n:
        t = np.asarray(status["t_s"], dtype=np.float64)
        sid = np.asarray(status["sensor_id"]).astype(str)
        # as Python values: a few reports, where indexing numpy arrays costs more
        tl, sl = t.tolist(), sid.tolist()
        stl = np.asarray(status["state"]).astype(str).tolist()
        pl = np.asarray(status["period_s"], dtype=np.float64).tolist()
        for i in np.lexsort((sid, t)).tolist():
            s = sl[i]
            old = table.get(s)
            if old is not None and tl[i] < old.last_t_s:
                continue
            table[s] = SensorHealth(s, stl[i], tl[i], pl[i], False, HealthReason.OK)
    out = []
    for s in sorted(table):
        h = table[s]
        if h.state == "outage":
            deg, why = True, HealthReason.REPORTED_OUTAGE
        elif h.state == "degraded":
            deg, why = True, HealthReason.REPORTED_DEGRADED
        elif t_s - h.last_t_s > params.heartbeat_factor * h.period_s:
            deg, why = True, HealthReason.MISSING_HEARTBEAT
        else:
            deg, why = False, HealthReason.OK
        out.append(
            h if (h.degraded, h.reason) == (deg, why) else replace(h, degraded=deg, reason=why)
        )
    return tuple(out)
