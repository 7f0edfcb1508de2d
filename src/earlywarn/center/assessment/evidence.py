"""Evidence for a judgement: when an event may be dismissed, when it is an orbit, and when
its track was cut short by a loss of coverage.

The center dismisses an event (``NOT_A_THREAT``) only on evidence, never on the absence
of it. The rules, each a function here, used by :mod:`earlywarn.center.assessment.ladder`:

**Impact outside every defended area** (and the sounding rocket's local impact, which is
the same claim) needs the *impact region at the dismissal confidence* to clear every
defended area by :attr:`~earlywarn.center.assessment.AssessmentParams.dismiss_margin_m`
(:func:`impact_region_m`, :func:`clears_areas`). The region is a disc round the predicted
impact of radius ``k · (a₉₅ + 2.448 σ_t v_g)``: ``a₉₅`` the semi-major axis of the 95 %
ellipse, ``σ_t v_g`` the along-track spread of the impact-time sigma at the ground speed
``v_g = |r × v| / R`` (the state's angular momentum carried to the surface: the
horizontal speed at impact of a two-body arc), taken at the same 95 % scale
(√χ²₂(0.95) = 2.448) and added to ``a₉₅`` (it covers what the ellipse does not: model
error in the time of flight moves the impact along track), and
``k = √χ²₂(p) / √χ²₂(0.95)`` scales the 95 % region to the dismissal confidence ``p``
(:attr:`~earlywarn.center.assessment.AssessmentParams.dismiss_confidence`, 99.9 %:
k = 1.52; χ²₂(p) = −2 ln(1 − p)). A region is unbounded — never clear — when some sigma
points do not come down (infinite ellipse) or a sigma is not finite. Otherwise the event
stays at its level with reason ``impact_uncertain`` and is judged again as the estimate
changes. Besides:

- *a mono estimate*: an IR-only state (no radar track carries it) from one satellite is
  never enough to dismiss when its 95 % ellipse is wider than
  ``mono_dismiss_max_semi_major_m`` (50 km): a mono state is a placement along lines of
  sight at a prior altitude, its covariance a model, not a measurement;
- *still thrusting*: an IR-only state that is still boosting at orbital altitude with
  near-horizontal velocity (:func:`orbital_insertion`: a space launch's upper stage,
  whose IR state is taken before it burns out) gives a lower bound on the range, not an
  impact: never enough to dismiss, and never an orbit either;
- *a raid's IR state* (:func:`raid_ir_state`): an IR-only state of an event whose raid
  count is above one never calls its impact outside (the sounding rocket's claim still
  stands): in a dense raid two launches' plumes cross in a satellite's image and an IR
  event can be fitted to both.

**Orbit** (:func:`orbital_with_confidence`) needs the state's perigee above
``orbit_perigee_alt_m`` (120 km) at the one-sided ``orbit_confidence`` (95 %): the
perigee's mean and sigma over the unscented transform of the state's covariance (13 sigma
points, as the impact prediction uses), mean − z σ above the line. A perigee above the
atmosphere bounds the specific energy too (ε = −μ/2a with a ≥ r_p; an escaping conic has
ε ≥ 0 and counts as not coming down). A payload that falls back is tracked to its impact
like any object. The IR detector's ``orbital`` status dismisses only an event never seen
to launch (a body already in orbit when first seen), never a launch.

**Track cut short by a loss of coverage** (:func:`coverage_loss`): an event whose IR
event says ``burn_truncated`` (the detector's flag), or whose every IR satellite lost
coverage (degraded, in outage or silent: :meth:`SensorHealth.lost_since_s`) no later than
``track_lost_slack_s`` after its last IR report, or whose radar tracks all ended with a
radar of the event losing coverage likewise, is ``track_lost``: while no live track
carries it again it is never dismissed (reason ``track_lost``) nor retracted. When the
loss came while the IR event was still boosting, ``burn_truncated`` is set for good: the
burn was longer than seen, so the class is a lower bound (at least that range) and the IR
impact estimate short along track; alerts carry both flags. An IR-only event whose burn
was cut before the shortest burn its class plausibly has (:func:`_cut_short`: the class
prior's mean burn time less two sigmas) has no impact prediction at all until a radar
track brings one: its state is no burnout state (the missile may burn on for minutes).
The flag alone does not say so: it is also set when the plume ended in view shortly
before the sensors went dark, and then the IR state is a burnout state.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from earlywarn.center._records import evolve
from earlywarn.center.assessment.event import Ctx, Event, rebook
from earlywarn.center.assessment.params import AssessmentParams, DefendedArea
from earlywarn.center.characterise import orbit_summary, sqrt_psd
from earlywarn.center.ir.records import IrEventLike
from earlywarn.center.priors import PRIORS
from earlywarn.earth.constants import GM_M3_S2, OMEGA_RAD_S, R_MEAN_M
from earlywarn.earth.frames import ecef_to_geodetic

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "ballistic_with_confidence",
    "clears_areas",
    "coverage_loss",
    "impact_region_m",
    "orbital_insertion",
    "orbital_with_confidence",
    "perigee_bounds_m",
    "radar_threat_bounded",
    "reentering",
    "region_scale",
]

_Z95_2D = math.sqrt(-2.0 * math.log(0.05))  # √χ²₂(0.95) = 2.448


def region_scale(confidence: float) -> float:
    """``√χ²₂(p) / √χ²₂(0.95)``: the factor from a 95 % ellipse to one at ``confidence``."""
    return math.sqrt(-2.0 * math.log(1.0 - confidence)) / _Z95_2D


def ground_speed_m_s(x: npt.ArrayLike) -> float:
    """``|r × v| / R``: the horizontal speed at the surface of the two-body arc of ``x``."""
    rx, ry, rz, vx, vy, vz = np.asarray(x, dtype=np.float64).reshape(6).tolist()
    hx, hy, hz = ry * vz - rz * vy, rz * vx - rx * vz, rx * vy - ry * vx
    return math.sqrt(hx * hx + hy * hy + hz * hz) / R_MEAN_M


def impact_region_m(ev: Event, params: AssessmentParams) -> float:
    """Radius (m) of the event's impact region at the dismissal confidence (see the module
    doc); ``inf`` when it cannot be bounded (or there is no impact prediction)."""
    imp = ev.impact
    if imp is None or not imp.ok or ev.x is None or imp.fraction_impacting < 1.0:
        return math.inf
    if not (math.isfinite(imp.semi_major_m) and math.isfinite(imp.t_sigma_s)):
        return math.inf
    along = _Z95_2D * imp.t_sigma_s * ground_speed_m_s(ev.x)
    return region_scale(params.dismiss_confidence) * (imp.semi_major_m + along)


def clears_areas(ev: Event, areas: tuple[DefendedArea, ...], params: AssessmentParams) -> bool:
    """The event's impact region at the dismissal confidence clears every area by the
    margin (True with no areas only when the region is bounded)."""
    radius = impact_region_m(ev, params)
    imp = ev.impact
    if not math.isfinite(radius) or imp is None:
        return False
    return all(
        a.clearance_m(imp.lat_rad, imp.lon_rad, radius) >= params.dismiss_margin_m for a in areas
    )


def mono_too_wide(ev: Event, params: AssessmentParams) -> bool:
    """An IR-only state from one satellite with a 95 % ellipse wider than the mono limit."""
    if ev.primary_track_id is not None or ev.stereo:
        return False
    imp = ev.impact
    return imp is None or not imp.semi_major_m <= params.mono_dismiss_max_semi_major_m


def raid_ir_state(ev: Event, params: AssessmentParams) -> bool:
    """An IR-only state of an event in a raid (raid count above one), which
    ``raid_dismissal_needs_radar`` does not take as enough to call its impact outside."""
    return ev.primary_track_id is None and ev.raid_count > 1 and params.raid_dismissal_needs_radar


def orbital_insertion(x: FloatArray | None, params: AssessmentParams) -> bool:
    """Still boosting at orbital altitude with near-horizontal velocity (an IR state).

    The IR burnout state of a space launch is often taken before final burnout (the last
    stage burns long and faint), so its speed is short of circular and its perigee below
    ground. Ballistic missiles burn out lower (ICBM ≲ 300 km) and climbing (γ ≳ 20°; a
    depressed trajectory flies flat but low); a vehicle still thrusting above
    :attr:`AssessmentParams.insertion_min_alt_m`, within
    :attr:`~AssessmentParams.insertion_max_gamma_rad` of horizontal and already at
    :attr:`~AssessmentParams.insertion_min_speed_ratio` of circular speed may be putting
    something into orbit: its impact prediction is a lower bound on its range, and it is
    neither dismissed on it nor called an orbit.
    """
    if x is None:
        return False
    o = orbit_summary(x)
    # the geodetic height last: it costs more than the rest together, and a ballistic
    # burnout state fails the flight-path test already
    return (
        abs(o.gamma_rad) <= params.insertion_max_gamma_rad
        and o.speed_ratio >= params.insertion_min_speed_ratio
        and float(ecef_to_geodetic(np.asarray(x[:3], dtype=np.float64))[2])
        >= params.insertion_min_alt_m
    )


def _perigee_alt_m(xs: FloatArray) -> FloatArray:
    """Two-body perigee altitude above the mean radius of ECEF states ``(n, 6)`` (inertial
    velocity ``v + ω × r``); valid for every conic, ``r_p = h² / (μ (1 + e))``."""
    r = xs[:, :3]
    v = xs[:, 3:].copy()
    v[:, 0] -= OMEGA_RAD_S * r[:, 1]
    v[:, 1] += OMEGA_RAD_S * r[:, 0]
    rn = np.linalg.norm(r, axis=1)
    h2 = np.sum(np.cross(r, v) ** 2, axis=1)
    eps = 0.5 * np.sum(v * v, axis=1) - GM_M3_S2 / rn
    e = np.sqrt(np.maximum(1.0 + 2.0 * eps * h2 / GM_M3_S2**2, 0.0))
    return np.asarray(h2 / (GM_M3_S2 * (1.0 + e)) - R_MEAN_M)


def perigee_bounds_m(x: npt.ArrayLike, p: npt.ArrayLike) -> tuple[float, float]:
    """Mean and sigma (m) of the perigee altitude of the state ``x`` with covariance ``p``:
    the unscented transform over 13 sigma points ``x ± √(6P)`` (κ = 0, weights 1/12)."""
    xm = np.asarray(x, dtype=np.float64).reshape(6)
    pm = np.asarray(p, dtype=np.float64).reshape(6, 6)
    if not (np.isfinite(xm).all() and np.isfinite(pm).all()):
        return math.nan, math.inf
    sq = sqrt_psd(6.0 * pm)
    rp = _perigee_alt_m(np.concatenate([xm + sq.T, xm - sq.T]))
    mean = float(np.mean(rp))
    return mean, float(np.sqrt(max(float(np.mean((rp - mean) ** 2)), 0.0)))


def orbital_with_confidence(ev: Event, params: AssessmentParams) -> bool:
    """The event's state is in orbit: perigee above ``orbit_perigee_alt_m`` at the one-sided
    ``orbit_confidence`` (and the mean state's own perigee above it too)."""
    if ev.x is None or ev.p is None:
        return False
    if orbit_summary(ev.x).perigee_alt_m <= params.orbit_perigee_alt_m:
        return False  # the mean state comes down: no need for the sigma points
    mean, sigma = perigee_bounds_m(ev.x, ev.p)
    z = NormalDist().inv_cdf(params.orbit_confidence)
    return bool(mean - z * sigma > params.orbit_perigee_alt_m)


def reentering(ev: Event, params: AssessmentParams) -> bool:
    """The event's state is coming down (radial velocity < 0) on the osculating orbit of
    a decaying object: perigee above ``reentry_min_perigee_alt_m`` at the one-sided
    ``orbit_confidence`` (mean − z σ), or, with ``was_in_orbit``, whatever its perigee
    now (see :mod:`earlywarn.center.rso`). The caller has ruled out an orbit."""
    if ev.x is None or ev.p is None:
        return False
    x = np.asarray(ev.x, dtype=np.float64)
    if float(np.dot(x[:3], x[3:])) >= 0.0:
        return False  # climbing or level: not (yet) coming down
    if ev.was_in_orbit:
        return True
    if orbit_summary(x).perigee_alt_m <= params.reentry_min_perigee_alt_m:
        return False  # a ballistic arc: no need for the sigma points
    mean, sigma = perigee_bounds_m(x, ev.p)
    z = NormalDist().inv_cdf(params.orbit_confidence)
    return bool(mean - z * sigma > params.reentry_min_perigee_alt_m)


def ballistic_with_confidence(ev: Event, params: AssessmentParams) -> bool:
    """The event's state is surely no space object: its perigee below
    ``reentry_min_perigee_alt_m`` at the one-sided ``orbit_confidence`` (mean + z σ), as
    a ballistic missile's is (thousands of km below the surface). A radar-only event
    reaches LAUNCH only then: a young track of a satellite or a decaying body has a wide
    perigee spread, and its impact prediction is not yet a launch."""
    if ev.x is None or ev.p is None:
        return False
    if orbit_summary(ev.x).perigee_alt_m >= params.reentry_min_perigee_alt_m:
        return False
    mean, sigma = perigee_bounds_m(ev.x, ev.p)
    z = NormalDist().inv_cdf(params.orbit_confidence)
    return bool(mean + z * sigma < params.reentry_min_perigee_alt_m)


def radar_threat_bounded(ev: Event, params: AssessmentParams) -> bool:
    """A radar-only event's impact ellipse may raise it to THREAT: every sigma point comes
    down and the 95 % semi-major axis is no wider than ``radar_threat_max_semi_major_m``."""
    imp = ev.impact
    return (
        imp is not None
        and imp.ok
        and imp.fraction_impacting >= 1.0
        and imp.semi_major_m <= params.radar_threat_max_semi_major_m
    )


def _lost_by(sensors: tuple[str, ...], ctx: Ctx, t_last_s: float, every: bool) -> float | None:
    """When coverage was lost by the sensors (every one, or any one) no later than
    ``track_lost_slack_s`` after ``t_last_s``; None when it was not."""
    if not sensors:
        return None
    limit = t_last_s + ctx.params.track_lost_slack_s
    since = []
    for s in sensors:
        h = ctx.health.get(s)
        v = h.lost_since_s() if h is not None else None
        ok = v is not None and v <= limit
        if every and not ok:
            return None
        if ok:
            assert v is not None
            since.append(v)
    return max(since) if since else None


def _cut_short(ev: Event) -> bool:
    """Was the IR-only state of this truncated burn taken before the shortest burn the
    event's class plausibly has (module doc)?"""
    if ev.radar_track_ids or ev.ir_state is None or ev.launch_time_s is None:
        return False
    if ev.vehicle_class not in PRIORS:
        return False
    mu, sg = PRIORS[ev.vehicle_class].burn_time_s
    return ev.ir_state[0] - ev.launch_time_s < mu - 2.0 * sg


def coverage_loss(ev: Event, ir: IrEventLike | None, ctx: Ctx) -> Event:
    """The event with ``track_lost`` / ``burn_truncated`` brought up to date, and no impact
    predicted from a burn cut short of its class's (module doc)."""
    book = ev._book
    ir_sens = book.ir_sensor_ids
    if ir is not None and ir.sensor_ids:
        ir_sens = tuple(sorted({*ir_sens, *(str(s) for s in ir.sensor_ids)}))
    lost_t: float | None = None
    burn = False
    if ir is not None and ir.status in ("candidate", "boosting", "ended"):
        if bool(getattr(ir, "burn_truncated", False)):
            lost_t, burn = float(ir.last_t_s), True
        else:
            since = _lost_by(tuple(str(s) for s in ir.sensor_ids), ctx, float(ir.last_t_s), True)
            if since is not None:
                lost_t, burn = float(ir.last_t_s), ir.status != "candidate"
    if lost_t is None and ev.radar_track_ids and ev.n_live_tracks == 0:
        radars = tuple(s for s in ev.sensor_ids if s not in ir_sens)
        if _lost_by(radars, ctx, ev.last_evidence_t_s, False) is not None:
            lost_t = ev.last_evidence_t_s
    lost = ev.track_lost
    lost_at = book.lost_t_s
    if lost_t is not None and not lost and (lost_at is None or lost_t > lost_at):
        lost, lost_at = True, lost_t
    elif lost and lost_at is not None:
        # carried again: a live radar track's state, or the IR event seen again, since
        # (the impact too must be predicted from a state after the loss: a young radar
        # track that disagrees with the IR state leaves the old prediction standing)
        radar_again = (
            ev.primary_track_id is not None
            and ev.n_live_tracks > 0
            and ev.state_t_s is not None
            and ev.state_t_s > lost_at
            and ev.impact is not None
            and ev.impact.ok
            and ev.impact.state_t_s > lost_at
        )
        ir_again = (
            lost_t is None
            and ir is not None
            and ir.status in ("candidate", "boosting")
            and float(ir.last_t_s) > lost_at + ctx.params.track_lost_slack_s
        )
        if radar_again or ir_again:
            lost = False
    burn = ev.burn_truncated or burn
    if burn and ev.impact is not None and _cut_short(ev):
        ev = evolve(ev, impact=None, threatened_areas=(), trajectory_type=None)
    if (lost, burn, lost_at, ir_sens) == (
        ev.track_lost,
        ev.burn_truncated,
        book.lost_t_s,
        book.ir_sensor_ids,
    ):
        return ev
    ev = evolve(ev, track_lost=lost, burn_truncated=burn)
    return rebook(ev, lost_t_s=lost_at, ir_sensor_ids=ir_sens)
