"""Warning quality: the two ways an early-warning center fails, scored against truth.

A *surprise* is a real attack missed, late or dismissed; a *false alarm* is a warning
with no attack behind it, or a non-threat raised to THREAT. :func:`earlywarn.analysis.
evaluate.evaluate` calls the pieces here for every run; the definitions, in one place:

*a launch's events*
    the events attributed to it: an event is the launch most of its IR reports came from
    (the IR event is the detection; radar tracks join it later), or, with no IR report
    of a launch, the launch most of its reports came from. Reports of no launch (glint,
    clutter, catalogued objects) do not vote.
*threatening launch*
    one whose true impact point lies inside a defended area (the same areas the center
    was given). A launch with no impact (it reached orbit) is not threatening.
*missed threat*
    a threatening launch none of whose events ever reached LAUNCH.
*late threat*
    a threatening launch that was detected but whose first THREAT (or above) came less
    than :data:`LATE_MARGIN_S` before its true impact, or never.
*wrongly dismissed*
    a threatening launch any of whose events stood at NOT_A_THREAT at any moment; its
    ``dismissed_s`` is the time covered by such intervals (the union over its events,
    from each dismissal alert to the alert that lifts it, or the end of the run).
*wrongly raised*
    a launch that is not threatening (or whose impact is unknown because it never
    impacts) raised to THREAT or ATTACK_CONFIRMED.
*radar of another launch*
    a launch whose main event (the one carrying its highest level) holds more radar
    reports of one other launch than of any other: the center fused it with another
    missile's radar tracks, so its state and impact are that missile's (a raid's
    correlation error; the launch is still detected).
*IR reports of other launches*
    over every event, the IR reports of a launch in an event that is another launch's
    (``count`` of ``of``, the IR reports of launches in events): the share of detections
    an IR event took from a launch other than its own (in a dense raid, two plumes that
    share a satellite's pixels).
*false event*
    an event none of whose reports came from a launch; counted once, at the highest level
    it reached (the alert messages it issued are counted beside, as before).
*calibration*
    the share of alerts whose stated 95 % impact ellipse contains the true impact point,
    and whose launch point lies within the 95 % circle of its stated sigma
    (``launch_sigma_km`` read as a one-sigma per horizontal axis, so the circle's radius
    is √χ²₂(0.95) = 2.448 σ); and the impact-time error in units of the stated sigma
    (its mean is the bias, its RMS should be near 1). Each with a Wilson 95 % interval on
    the fraction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from earlywarn.analysis.statistics import wilson_interval
from earlywarn.earth.constants import R_MEAN_M
from earlywarn.earth.frames import great_circle

__all__ = [
    "LATE_MARGIN_S",
    "R95_2D",
    "Calibration",
    "calibrate",
    "ellipse_contains",
    "not_a_threat_seconds",
]

LATE_MARGIN_S = 120.0
"""A THREAT later than this before the true impact leaves no time to decide: late."""

R95_2D = math.sqrt(-2.0 * math.log(0.05))
"""Radius in sigmas of the 95 % circle of a circular 2-D Gaussian (√χ²₂(0.95) = 2.448)."""


def ellipse_contains(
    true_lat_rad: float,
    true_lon_rad: float,
    lat_rad: float,
    lon_rad: float,
    semi_major_m: float,
    semi_minor_m: float,
    orientation_rad: float,
) -> bool:
    """Whether a true point lies inside an ellipse centred at (lat, lon) whose semi-major
    axis points ``orientation_rad`` clockwise from north (local tangent plane, spherical
    distance and bearing: a few metres at the sizes of impact ellipses)."""
    ang, bearing = great_circle(lat_rad, lon_rad, true_lat_rad, true_lon_rad)
    d = float(ang) * R_MEAN_M
    east, north = d * math.sin(float(bearing)), d * math.cos(float(bearing))
    s, c = math.sin(orientation_rad), math.cos(orientation_rad)
    x = east * s + north * c  # along the semi-major axis
    y = east * c - north * s  # along the semi-minor axis
    a = max(semi_major_m, 1e-9)
    b = max(semi_minor_m, 1e-9)
    return (x / a) ** 2 + (y / b) ** 2 <= 1.0


def not_a_threat_seconds(
    changes: Iterable[tuple[str, float, str]], t_end_s: float
) -> tuple[float, float | None]:
    """Total seconds during which some event stood at NOT_A_THREAT, and when that first
    began. ``changes``: (event id, time, disposition) of every alert, in time order."""
    state: dict[str, str] = {}
    since: float | None = None
    first: float | None = None
    total = 0.0
    for eid, t, disp in changes:
        before = any(d == "NOT_A_THREAT" for d in state.values())
        state[eid] = disp
        after = any(d == "NOT_A_THREAT" for d in state.values())
        if after and not before:
            since = t
            first = t if first is None else first
        elif before and not after and since is not None:
            total += t - since
            since = None
    if since is not None:
        total += max(0.0, t_end_s - since)
    return total, first


@dataclass(frozen=True)
class Calibration:
    """Counts behind the calibration scores of a set of alerts."""

    ellipse_n: int = 0
    ellipse_in: int = 0
    launch_n: int = 0
    launch_in: int = 0
    time_z: tuple[float, ...] = ()

    def __add__(self, o: Calibration) -> Calibration:
        return Calibration(
            self.ellipse_n + o.ellipse_n,
            self.ellipse_in + o.ellipse_in,
            self.launch_n + o.launch_n,
            self.launch_in + o.launch_in,
            self.time_z + o.time_z,
        )

    def to_dict(self) -> dict[str, object]:
        def frac(k: int, n: int) -> dict[str, object]:
            lo, hi = wilson_interval(k, n)
            return {"k": k, "n": n, "p": round(k / n, 4) if n else None, "ci95": [lo, hi]}

        z = self.time_z
        return {
            "impact_ellipse_95": frac(self.ellipse_in, self.ellipse_n),
            "launch_point_95": frac(self.launch_in, self.launch_n),
            "impact_time_z": {
                "n": len(z),
                "mean": round(sum(z) / len(z), 3) if z else None,
                "rms": round(math.sqrt(sum(v * v for v in z) / len(z)), 3) if z else None,
            },
        }


def calibrate(
    alerts: Sequence[object],
    true_lat_rad: float,
    true_lon_rad: float,
    impact_lat_rad: float | None,
    impact_lon_rad: float | None,
    impact_t_s: float | None,
) -> Calibration:
    """The calibration counts of one launch's alerts (``earlywarn.center.alerts.Alert``)."""
    d2r = math.pi / 180.0
    e_n = e_in = l_n = l_in = 0
    z: list[float] = []
    for a in alerts:
        g = a.__getattribute__
        lat, lon = g("launch_lat_deg"), g("launch_lon_deg")
        sig = g("launch_sigma_km")
        if lat is not None and lon is not None and sig is not None and sig > 0:
            ang, _ = great_circle(true_lat_rad, true_lon_rad, lat * d2r, lon * d2r)
            l_n += 1
            l_in += float(ang) * R_MEAN_M <= R95_2D * sig * 1e3
        ilat, ilon = g("impact_lat_deg"), g("impact_lon_deg")
        sa, sb = g("impact_ellipse_semi_major_km"), g("impact_ellipse_semi_minor_km")
        ori = g("impact_ellipse_orientation_deg")
        if impact_lat_rad is None or impact_lon_rad is None or ilat is None or ilon is None:
            continue
        if sa is not None and sb is not None and ori is not None:
            e_n += 1
            e_in += ellipse_contains(
                impact_lat_rad, impact_lon_rad, ilat * d2r, ilon * d2r, sa * 1e3, sb * 1e3,
                ori * d2r,
            )  # fmt: skip
        it, its = g("impact_time_s"), g("impact_time_sigma_s")
        if impact_t_s is not None and it is not None and its is not None and its > 0:
            z.append((it - impact_t_s) / its)
    return Calibration(e_n, e_in, l_n, l_in, tuple(z))
