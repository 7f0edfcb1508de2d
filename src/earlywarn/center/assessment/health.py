"""Sensor health from status reports: the ``health`` pass, run before the others.

A sensor is *degraded* when it reports ``degraded`` or ``outage`` or when no status
arrived within :attr:`~earlywarn.center.assessment.AssessmentParams.heartbeat_factor`
(2.5) periods. Degraded coverage is reported in the outputs and alerts; it never raises a
level (silence is never evidence of an attack), and it holds back the retraction of an
event its sensors saw (see :mod:`earlywarn.center.assessment.ladder`).

:meth:`SensorHealth.lost_since_s` bounds when a degraded sensor's coverage was lost: the
ladder compares it with the time an event's evidence stopped, to tell a track cut short
by the loss of coverage from one that had ended before it (see
:mod:`earlywarn.center.assessment.evidence`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.vocabulary import HealthReason

# the enum members read per event (or report) per step, bound once: on Python 3.11
# `Class.MEMBER` goes through EnumType's attribute lookup, ~10x a module global
_OK = HealthReason.OK

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
    since_t_s: float = -math.inf
    """The time of the first of the consecutive status reports in the current ``state``."""

    def lost_since_s(self) -> float | None:
        """The earliest time the sensor's coverage may have been lost (None: not degraded).

        A missing heartbeat: since the last status received. A reported outage or
        degradation: since one period before the first report of that state (the state
        changed somewhere between the previous report and that one).
        """
        if not self.degraded:
            return None
        if self.reason == HealthReason.MISSING_HEARTBEAT:
            return self.last_t_s
        return self.since_t_s - self.period_s


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
            since = old.since_t_s if old is not None and old.state == stl[i] else tl[i]
            table[s] = SensorHealth(s, stl[i], tl[i], pl[i], False, _OK, since)
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
            deg, why = False, _OK
        out.append(
            h if (h.degraded, h.reason) == (deg, why) else replace(h, degraded=deg, reason=why)
        )
    return tuple(out)
