"""The estimate pass: each event's evidence, state estimate, impact prediction and class.

Per event, in order: :func:`gather_evidence` (drop lost radar tracks, merge the report
keys and sensors of the live ones), :func:`update_state` (the state estimate: the primary
radar track, fused with the event's IR state when the two agree, or the IR burnout state
itself), and when the state changed :func:`characterise` (impact prediction and its 95 %
ellipse, trajectory type, threatened areas, and for a radar-only event the ballistic arc
traced back to a rough launch point).

The state switches from the densest radar track of an event (usually the spent stage,
seen first and longer) to its re-entry-vehicle candidate (:func:`primary`) once the impact
ellipse the RV gives is narrow enough, and stays with it. A track whose state has passed
below the ground (coasting after impact) keeps the last impact prediction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Ctx, Event, merge_keys, rebook
from earlywarn.center.assessment.params import AssessmentParams
from earlywarn.center.characterise import (
    ImpactEstimate,
    ImpactRequest,
    classify_trajectory,
    orbit_summary,
    predict_impact,
    predict_impacts,
    propagate_to_height,
)
from earlywarn.center.fusion import consistent, fuse_states
from earlywarn.center.gates import chi2_ppf
from earlywarn.center.motion import cv_matrices
from earlywarn.center.priors import (
    REENTRY_PRIORS,
    BallisticCoefficientPrior,
    reentry_beta_prior,
)
from earlywarn.center.radar_tracking import RadarTrack, rcs_difference_db
from earlywarn.center.vocabulary import Source
from earlywarn.earth.frames import ecef_to_geodetic, great_circle

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "StateUpdate",
    "characterise",
    "gather_evidence",
    "impacts",
    "primary",
    "reentry_beta",
    "update_state",
]

IrAt = Callable[[str], tuple[FloatArray, FloatArray, float] | None]


def fit_consistent(tr: RadarTrack, probability: float) -> bool:
    """Whether the track's ballistic fit holds: the sum of its normalised innovations
    squared (:attr:`TrackerState.nis_sum <earlywarn.center.tracker.TrackerState>`) within
    the ``probability`` quantile of χ² with 4 degrees of freedom per update (range,
    azimuth, elevation, range rate). The tracker's gate tests one update at a time; an
    echo that is not in free fall (the Moon folded into a range window) passes each at
    about twice the expected NIS and fails the sum (quiet day, seed 11: 53 and 58 over 6
    updates, against 51.2 at 99.9 %; the satellites' tracks there: 3.8 an update)."""
    return tr.nis_sum <= chi2_ppf(probability, 4 * tr.nis_n) if tr.nis_n else True


def gather_evidence(
    e: Event, trk: dict[int, RadarTrack], params: AssessmentParams
) -> tuple[Event, list[RadarTrack]]:
    """The event with its lost tracks dropped from the live count and the report keys,
    sensors, evidence time and update counts of its live tracks merged in; and those
    tracks."""
    live = tuple(x for x in e.radar_track_ids if x in trk)
    mine = [trk[x] for x in live]
    book = e._book
    sens = set(e.sensor_ids)
    last = e.last_evidence_t_s
    # report keys: only those the live tracks gained since they were last merged
    merged = dict(book.merged_keys)
    new_keys: list[tuple[str, int]] = []
    for tr in mine:
        sens.update(tr.sensor_ids)
        last = max(last, tr.last_update_s)
        k0 = merged.get(tr.track_id, 0)
        if len(tr.report_keys) < k0:
            k0 = 0  # not a grown tuple (never for a radar track): all of it again
        new_keys.extend(tr.report_keys[k0:])
    mk = tuple((tr.track_id, len(tr.report_keys)) for tr in mine)
    mtu = max([book.max_track_updates, *(tr.n_updates for tr in mine)])
    p_fit = params.radar_fit_probability
    mfu = max([book.max_fit_updates, *(tr.n_updates for tr in mine if fit_consistent(tr, p_fit))])
    rk = merge_keys(book.report_keys, new_keys)
    # (the tuple holds a sorted set: the same size means nothing new, no sort needed)
    si = e.sensor_ids if len(sens) == len(e.sensor_ids) else tuple(sorted(sens))
    if (mtu, mfu, len(live), rk, si, last, mk) != (
        book.max_track_updates,
        book.max_fit_updates,
        e.n_live_tracks,
        book.report_keys,
        e.sensor_ids,
        e.last_evidence_t_s,
        book.merged_keys,
    ):  # a copy is not free: only when something changed
        e = evolve(
            e,
            n_live_tracks=len(live),
            sensor_ids=si,
            last_evidence_t_s=last,
            _book=evolve(
                book, max_track_updates=mtu, max_fit_updates=mfu, report_keys=rk, merged_keys=mk
            ),
        )
    return e, mine


def reentry_beta(ev: Event) -> BallisticCoefficientPrior:
    """The ballistic coefficient the event's impact is predicted with: that of the threat
    object of its class (:func:`earlywarn.center.priors.reentry_beta_prior`; the broad
    one of :data:`~earlywarn.center.priors.UNKNOWN_CLASS_BETA` while the class is unknown,
    or not one of the priors' classes). Above the atmosphere a spent last stage flies the
    RV's arc, so this holds whichever of the event's objects gave the state."""
    cls = ev.vehicle_class
    return reentry_beta_prior(cls if cls in REENTRY_PRIORS else None)


def characterise(ev: Event, ctx: Ctx, imp: ImpactEstimate | None = None) -> Event:
    """Impact prediction, trajectory type and non-threat checks from the event's state
    (``imp``: the impact prediction of that state, when it has already been made)."""
    x0, p0, t0 = ev.x, ev.p, ev.state_t_s
    if x0 is None or p0 is None or t0 is None:
        return ev
    if imp is None:
        imp = predict_impact(x0, p0, t0, max_time_s=ctx.params.max_flight_s, beta=reentry_beta(ev))
    if (
        not imp.ok
        and ev.impact is not None
        and ev.impact.ok
        and float(ecef_to_geodetic(np.asarray(x0[:3]))[2]) <= 0.0
    ):
        # the state is at or past impact (a track coasting on after the object reached the
        # ground): the last prediction stands
        return rebook(ev, impact_computed_t_s=ctx.t_s)
    bo = ev.burnout_x if ev.burnout_x is not None else x0
    orb_bo = orbit_summary(bo)
    ttype = classify_trajectory(
        abs(orb_bo.gamma_rad), orb_bo.range_angle_rad, ctx.params.trajectory_margin_rad
    )
    areas = tuple(a.name for a in ctx.areas if a.threatened_by(imp)) if imp.ok else ()
    ev = evolve(
        ev,
        impact=imp,
        trajectory_type=ttype,
        threatened_areas=areas,
        orbit=orbit_summary(x0),
        _book=evolve(ev._book, impact_computed_t_s=ctx.t_s),
    )
    if ev.source == Source.RADAR and imp.ok:
        # the ballistic arc traced back to the ground: a rough launch point for radar-only events
        dtb, xb, okb = propagate_to_height(
            x0[None, :], 0.0, backward=True, max_time_s=ctx.params.max_flight_s
        )
        if okb[0]:
            lat, lon, _ = ecef_to_geodetic(xb[0, :3])
            _, az = great_circle(lat, lon, imp.lat_rad, imp.lon_rad)
            ev = evolve(
                ev,
                launch_time_s=t0 + float(dtb[0]),
                launch_lat_rad=float(lat),
                launch_lon_rad=float(lon),
                azimuth_rad=float(az),
            )
    return ev


def primary(
    tracks: Sequence[RadarTrack], params: AssessmentParams
) -> tuple[RadarTrack, RadarTrack | None]:
    """The densest track of an event and its re-entry-vehicle candidate, if any.

    The densest: most updates, then the lowest id. The RV candidate: a track with at least
    ``rv_min_updates`` updates that is ``rv_rcs_margin_db`` or more smaller (RCS proxy
    through a shared sensor) than the densest — the spent stage being the larger radar
    target; among several such tracks the smallest.
    """
    dense = sorted(tracks, key=lambda tr: (-tr.n_updates, tr.track_id))[0]
    small = []
    for tr in tracks:
        if tr is dense or tr.n_updates < params.rv_min_updates:
            continue
        d = rcs_difference_db(tr, dense)
        if d is not None and d <= -params.rv_rcs_margin_db:
            small.append((d, tr.track_id, tr))
    return dense, (sorted(small, key=lambda a: (a[0], a[1]))[0][2] if small else None)


def _refresh_interval(e: Event, params: AssessmentParams) -> float:
    imp = e.impact
    if imp is None or not imp.ok or not math.isfinite(imp.t_s):
        return params.impact_refresh_s
    return max(
        params.impact_refresh_s,
        params.impact_refresh_fraction * (imp.t_s - e._book.impact_computed_t_s),
    )


@dataclass(frozen=True)
class StateUpdate:
    """:func:`update_state`'s answer for one event: the event with its new state estimate,
    whether that changed (characterise again), and, when the event may switch to its
    re-entry-vehicle candidate, that candidate's track and estimate ``(track, x, P,
    fused)`` (:func:`impacts` decides, on the candidate's impact ellipse)."""

    event: Event
    changed: bool
    rv: tuple[RadarTrack, FloatArray, FloatArray, bool] | None = None


def update_state(e: Event, mine: Sequence[RadarTrack], ir_at: IrAt, ctx: Ctx) -> StateUpdate:
    """The event's state estimate now.

    With live tracks of at least ``radar_min_updates`` updates: the primary track
    (:func:`primary`), fused with the event's propagated IR state when the two agree
    (:func:`earlywarn.center.fusion.consistent`). Without tracks: the IR burnout state
    itself, as soon as it appears or changes. Recomputed every ``impact_refresh_s`` or
    ``impact_refresh_fraction`` of the predicted time to go, whichever is longer (a
    prediction 15 min out moves little in 10 s; one 5 min out is refreshed every 10 s), or
    at once when the primary track changes or the event has no state yet.
    """
    params = ctx.params
    usable = [tr for tr in mine if tr.n_updates >= params.radar_min_updates]
    if usable:
        due = (
            ctx.t_s - e._book.impact_computed_t_s >= _refresh_interval(e, params)
            or e.x is None
            or e.state_t_s is None
            or all(tr.track_id != e.primary_track_id for tr in usable)
        )
        if not due:
            return StateUpdate(e, False)
        dense, rv = primary(usable, params)

        def estimate(tr: RadarTrack) -> tuple[FloatArray, FloatArray, bool]:
            # an IR state whose burn an outage cut short is the last boosting state flown
            # as if ballistic: its covariance lacks the unseen rest of the burn, so it is
            # not fused with a track (it pulled the families' radar-era impacts short)
            unusable = e._book.ir_cloud is None or e.burn_truncated
            m = None if unusable else ir_at(e.event_id)
            young = tr.n_updates < params.radar_fuse_min_updates
            p_r = tr.p * ctx.fusion.young_track_inflation if young else tr.p
            hold = ctx.fusion.consistency_hold_factor if e.fused else 1.0
            if m is not None and not young:
                # the IR state's model error over its flight from burnout, against a track
                # firm enough to see it (FusionParams.fusion_q)
                extra = ctx.fusion.fusion_q - ctx.fusion.q
                m = (m[0], m[1] + cv_matrices(extra, m[2])[1], m[2]) if extra > 0 else m
            if m is not None and consistent(m[0], m[1], tr.x, p_r, ctx.fusion, hold):
                xf, pf = fuse_states(m[0], m[1], tr.x, p_r)
                return xf, pf, True
            if m is not None and young:
                # a young track that disagrees with the IR state: its covariance is not to
                # be trusted yet (two-point start), the propagated IR state is the estimate
                return m[0], m[1], False
            return tr.x, tr.p, False

        alt = None
        if rv is not None and rv.track_id == e.primary_track_id:
            tr = rv  # the event stays with its RV (the densest track's estimate is not needed)
            x_f, p_f, fused = estimate(rv)
        else:
            tr = dense
            x_f, p_f, fused = estimate(dense)
            if rv is not None:
                alt = (rv, *estimate(rv))
        e = evolve(e, state_t_s=tr.t_s, x=x_f, p=p_f, primary_track_id=tr.track_id, fused=fused)
        return StateUpdate(e, True, alt)
    st = e.ir_state
    if (
        st is not None
        and not e.radar_track_ids
        and (e.x is None or e.state_t_s != st[0] or not np.array_equal(e.x, st[1]))
    ):
        # the IR burnout state itself (the event's cloud is advanced in place to the
        # tracker time; its points are no longer the state at ``st[0]``)
        e = evolve(e, state_t_s=st[0], x=st[1], p=st[2], primary_track_id=None, fused=False)
        return StateUpdate(e, True)
    return StateUpdate(e, False)


def impacts(
    updates: Sequence[StateUpdate], params: AssessmentParams
) -> list[tuple[Event, ImpactEstimate | None]]:
    """Each changed event's impact prediction, all of a step's in one call
    (:func:`earlywarn.center.characterise.predict_impacts`), and the switch to the RV
    candidate: the event takes the RV's state when the RV's impact ellipse is at most
    ``rv_switch_semi_major_m`` wide, and stays with it. Per update: the event (with the
    state it keeps) and the impact of that state (None: nothing changed, or no state)."""
    reqs: list[ImpactRequest] = []
    slots: list[tuple[int | None, int | None]] = []  # the request of the state, of the RV
    for up in updates:
        e = up.event
        own = alt = None
        if up.changed and e.x is not None and e.p is not None and e.state_t_s is not None:
            beta = reentry_beta(e)
            own = len(reqs)
            reqs.append((e.x, e.p, e.state_t_s, beta))
            if up.rv is not None:
                alt = len(reqs)
                reqs.append((up.rv[1], up.rv[2], up.rv[0].t_s, beta))
        slots.append((own, alt))
    got = predict_impacts(reqs, max_time_s=params.max_flight_s)
    out: list[tuple[Event, ImpactEstimate | None]] = []
    for up, (own, alt) in zip(updates, slots, strict=True):
        e, imp = up.event, (got[own] if own is not None else None)
        if alt is not None and up.rv is not None:
            imp_rv = got[alt]
            if imp_rv.ok and imp_rv.semi_major_m <= params.rv_switch_semi_major_m:
                tr, x, p, fused = up.rv
                e = evolve(e, state_t_s=tr.t_s, x=x, p=p, primary_track_id=tr.track_id,
                           fused=fused)  # fmt: skip
                imp = imp_rv
        out.append((e, imp))
    return out
