"""The Moon as a radar target: one truth object sampled along its ephemeris.

Position from :func:`earlywarn.earth.moon.moon_ecef` (Meeus ch. 47, truncated), velocity
by central difference, sampled every ``step_s`` (default 120 s) over the scenario; the
Earth-fixed motion of the Moon is smooth (the cubic Hermite interpolation of
:class:`~earlywarn.flight.truth.Trajectories` over 120 s is good to well under a metre at
~400,000 km: the neglected fourth-order term is about ω⁴ r h⁴ / 384 ≈ 0.3 m with ω the
Earth's rotation rate).

Radar cross section: the Moon backscatters about 7 % of what a perfectly reflecting
sphere of its size would at metre and decimetre wavelengths, σ ≈ 0.07 π a² with
a = 1,737.4 km, i.e. 6.6e11 m² (J. V. Evans & G. H. Pettengill, "The radar cross
section of the Moon", J. Geophys. Res. 68 (1963) 5098–5099, 0.065–0.074 πa² at 68 cm
and 3.6 m; J. V. Evans & T. Hagfors, eds., *Radar Astronomy*, McGraw-Hill 1968, ch. 5).
The echo is spread in range over the Moon's depth; the sensor reports its leading edge
(see :mod:`earlywarn.sensors.radar`).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from earlywarn.earth.moon import R_MOON_M, moon_ecef, moon_ecef_velocity
from earlywarn.flight.truth import Trajectories

MOON_RCS_FRACTION = 0.07
"""Lunar radar cross section over its projected area, metre/decimetre wavelengths
(Evans & Pettengill 1963)."""
MOON_RCS_M2 = MOON_RCS_FRACTION * math.pi * R_MOON_M**2
"""≈ 6.6e11 m²."""


def moon_truth(epoch: datetime, duration_s: float, step_s: float = 120.0) -> Trajectories:
    """The Moon over ``[0, duration_s]`` (object id ``"moon"``, kind ``"moon"``, launch id
    ``"sky"``), sampled every ``step_s`` seconds (and at ``duration_s``)."""
    if not (math.isfinite(duration_s) and duration_s > 0):
        raise ValueError(f"moon_truth: duration_s={duration_s!r}; expected a finite number > 0")
    if not (math.isfinite(step_s) and 0 < step_s <= 600):
        raise ValueError(f"moon_truth: step_s={step_s!r}; expected 0 < step_s <= 600")
    n = math.ceil(duration_s / step_s)
    t = np.minimum(np.arange(n + 1) * step_s, duration_s)
    r = moon_ecef(epoch, t)
    v = moon_ecef_velocity(epoch, t)
    return Trajectories(
        object_id=("moon",),
        launch_id=("sky",),
        kind=("moon",),
        t_s=t[None, :],
        r_ecef_m=r[None],
        v_ecef_m_s=v[None],
        intensity_w_sr=np.zeros((1, t.size)),
        rcs_m2=np.array([MOON_RCS_M2]),
    )
