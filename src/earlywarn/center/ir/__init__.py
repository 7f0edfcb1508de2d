"""Infrared launch detection: from satellite line-of-sight reports to launch events.

A pure step function over immutable values::

    params = IrParams()
    state = IrState.initial()
    for t, ir in batches:                  # ir: IR report columns with t_s in (prev t, t]
        state, events = ir_step(state, ir, t, params)

``events`` is the current snapshot of every live event (and, for ``keep_ended_s``, of
events that have just ended). Same reports in the same order give bit-identical output:
no randomness, no set or dict iteration whose order could vary, deterministic tie breaks.

The chain, one module per step
------------------------------
1. **Per-satellite association** (:mod:`.association`): reports, frame by frame, into
   each satellite's 2-D line-of-sight tracks (polynomial LOS predictor, angular gate with
   the apparent-motion margin of a rocket, greedy nearest neighbour).
2. **Stereo association and triangulation** (:mod:`.stereo`, :mod:`.geometry`): a
   confirmed track joins an event of other satellites when the miss distances of their
   lines of sight pass a chi-square test; the event's rays are intersected by weighted
   least squares.
3. **State** (:mod:`.state_fit`): position and velocity from the lines of sight of every
   satellite (stereo) or from the placed points (mono: along each LOS at the prior
   altitude of :func:`earlywarn.center.priors.boost_altitude_m`).
4. **Launch fit** (:mod:`.launch_fit`): launch time, point and azimuth from the early
   boost (a rocket leaves the pad vertically: no linear term at lift-off).
5. **Decide and classify** (:mod:`.decide`): boosting, stationary or orbital from the
   points' kinematics; class probabilities by naive Bayes over the priors.
6. **Per-event estimation** (:mod:`.estimate`) ties 2-5 together for one event, with the
   caches that make a re-estimate cheap; **snapshots** (:mod:`.snapshot`) turn it into the
   public :class:`IrEvent`.
7. **Stationary sources and coasts** (:mod:`.coast`): the cheap checks that keep a
   stationary source without re-estimation, and resume a burnt-out booster when its next
   stage ignites after a coast.
8. **The step** (:mod:`.step`): :func:`ir_step` orchestrates them; statuses, votes,
   burnout.

The records (:mod:`.records`): :class:`IrParams`, :class:`IrState`, :class:`SatTrack`,
:class:`IrEvent` and the contract the rest of the center reads, :class:`IrEventLike`,
with its one missing-value convention (``None``: not known); :class:`IrStatus`.

Sources: Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001) — chi-square gating (§2.4), nearest-neighbour association, NEES; Hartley
& Zisserman, *Multiple View Geometry* (2nd ed., 2003) §12 — triangulation by midpoint /
least squares.
"""

from __future__ import annotations

from earlywarn.center.ir.geometry import triangulate
from earlywarn.center.ir.launch_fit import HORIZONTAL_POWERS
from earlywarn.center.ir.records import (
    IrDecision,
    IrEvent,
    IrEventLike,
    IrParams,
    IrState,
    IrStatus,
    SatTrack,
)
from earlywarn.center.ir.step import ir_step

__all__ = [
    "HORIZONTAL_POWERS",
    "IrDecision",
    "IrEvent",
    "IrEventLike",
    "IrParams",
    "IrState",
    "IrStatus",
    "SatTrack",
    "ir_step",
    "triangulate",
]
