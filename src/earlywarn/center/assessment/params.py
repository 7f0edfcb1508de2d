"""The assessment's configuration values: defended areas, declared launches and the
thresholds of every pass (:class:`AssessmentParams`), all SI.

A :class:`DefendedArea` is what the ``THREAT`` level is about: an event whose predicted
impact's 95 % ellipse overlaps one threatens it; :meth:`DefendedArea.clearance_m` is the
distance by which an impact region (a disc round the predicted impact) clears it, which
is what a dismissal for "impact outside" needs (see :mod:`.evidence`). A
:class:`LaunchNotification` is a declared launch; an event that matches one is marked
``declared`` (information, not a dismissal: see
:mod:`earlywarn.center.assessment.declarations`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod
from shapely.validation import explain_validity

from earlywarn.center.characterise import ImpactEstimate, ground_distance_m
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef

FloatArray = npt.NDArray[np.float64]

__all__ = ["AssessmentParams", "DefendedArea", "LaunchNotification", "region_clearance_m"]

_DEG = math.pi / 180.0
_GEOD = Geod(ellps="WGS84")
_DENSIFY_M = 5e3
"""Longest straight piece of a polygon edge in the local plane (geodesic densification)."""
_DENSIFY_MAX = 2000
_ELLIPSE_VERTICES = 256


@dataclass(frozen=True)
class DefendedArea:
    """A named defended area: a circle (centre, radius) or a polygon of (lat, lon) vertices.

    SI inside (rad, m); build from degrees and km with :meth:`circle_deg` / :meth:`polygon_deg`.
    """

    name: str
    lat_rad: float
    lon_rad: float
    radius_m: float = 0.0
    polygon_rad: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a defended area needs a name")
        if not self.polygon_rad and not (math.isfinite(self.radius_m) and self.radius_m > 0.0):
            raise ValueError(
                f"defended area {self.name!r}: give a positive radius_m or polygon vertices"
            )
        if self.polygon_rad and len(self.polygon_rad) < 3:
            raise ValueError(f"defended area {self.name!r}: a polygon needs >= 3 vertices")
        if self.polygon_rad:
            shape = self._local_polygon(math.degrees(self.lat_rad), math.degrees(self.lon_rad))
            if not shape.is_valid:
                raise ValueError(
                    f"defended area {self.name!r}: the polygon is not simple "
                    f"({explain_validity(shape)} in a local plane, metres); give the vertices "
                    "in order around the boundary, without crossing edges"
                )

    @classmethod
    def circle_deg(
        cls, name: str, lat_deg: float, lon_deg: float, radius_km: float
    ) -> DefendedArea:
        return cls(name, lat_deg * _DEG, lon_deg * _DEG, radius_km * 1e3)

    @classmethod
    def polygon_deg(cls, name: str, vertices_deg: Sequence[tuple[float, float]]) -> DefendedArea:
        v = tuple((float(a) * _DEG, float(b) * _DEG) for a, b in vertices_deg)
        r = geodetic_to_ecef(np.array([a for a, _ in v]), np.array([b for _, b in v]))
        lat, lon, _ = ecef_to_geodetic(np.mean(r, axis=0))
        return cls(name, float(lat), float(lon), 0.0, v)

    def clearance_m(self, lat_rad: float, lon_rad: float, radius_m: float = 0.0) -> float:
        """The distance (m) by which the disc of ``radius_m`` round (``lat_rad``,
        ``lon_rad``) clears the area: negative when they overlap, ``-inf`` for an
        unbounded disc. See :func:`region_clearance_m`."""
        return region_clearance_m(self, lat_rad, lon_rad, radius_m)

    def contains(self, lat_rad: float, lon_rad: float) -> bool:
        """Whether a point (geodetic, rad) lies inside the area: within the radius of a
        circle (ground distance), inside a polygon (its geodesic edges, in the azimuthal
        equidistant plane about the point)."""
        if not self.polygon_rad:
            d = float(ground_distance_m(self.lat_rad, self.lon_rad, lat_rad, lon_rad))
            return d <= self.radius_m
        local = self._local_polygon(math.degrees(lat_rad), math.degrees(lon_rad))
        return bool(local.intersects(shapely.Point(0.0, 0.0)))

    @functools.cached_property
    def _boundary_deg(self) -> tuple[FloatArray, FloatArray]:
        """The polygon's boundary, its geodesic edges densified to <= 5 km (lon, lat deg)."""
        lons, lats = [], []
        v = self.polygon_rad
        for (la1, lo1), (la2, lo2) in zip(v, v[1:] + v[:1], strict=True):
            la1, lo1, la2, lo2 = (math.degrees(x) for x in (la1, lo1, la2, lo2))
            _, _, dist = _GEOD.inv(lo1, la1, lo2, la2)
            n = min(int(dist // _DENSIFY_M), _DENSIFY_MAX)
            lons.append(lo1)
            lats.append(la1)
            if n > 0:
                mid = _GEOD.npts(lo1, la1, lo2, la2, n)
                lons.extend(p[0] for p in mid)
                lats.extend(p[1] for p in mid)
        return np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)

    def _local_polygon(self, lat_deg: float, lon_deg: float) -> shapely.Polygon:
        """The polygon in the azimuthal equidistant plane about (lat, lon) on WGS84: each
        boundary point at its geodesic distance and azimuth from the centre (metres)."""
        lons, lats = self._boundary_deg
        az, _, dist = _GEOD.inv(
            np.full_like(lons, lon_deg), np.full_like(lats, lat_deg), lons, lats
        )
        az_rad = np.radians(az)
        return shapely.Polygon(np.column_stack([dist * np.sin(az_rad), dist * np.cos(az_rad)]))

    def threatened_by(self, imp: ImpactEstimate) -> bool:
        """True when the impact's 95 % ellipse overlaps the area.

        Circle: centre distance <= radius + semi-major axis (conservative). Polygon: an exact
        overlap test in the azimuthal equidistant plane about the predicted impact (where
        the ellipse, defined by geodesic distances and azimuths from its centre, is an
        ellipse), against the polygon's geodesic edges densified to 5 km. The ellipse is
        drawn as a circumscribed 256-gon (outside the true ellipse by <= 0.008 %).
        """
        if not imp.ok:
            return False
        a = imp.semi_major_m if math.isfinite(imp.semi_major_m) else 0.0
        if not self.polygon_rad:
            d = float(ground_distance_m(self.lat_rad, self.lon_rad, imp.lat_rad, imp.lon_rad))
            return d <= self.radius_m + a
        b = imp.semi_minor_m if math.isfinite(imp.semi_minor_m) else 0.0
        area = self._local_polygon(math.degrees(imp.lat_rad), math.degrees(imp.lon_rad))
        if a <= 0.0:
            return bool(area.intersects(shapely.Point(0.0, 0.0)))
        th = np.linspace(0.0, 2.0 * math.pi, _ELLIPSE_VERTICES, endpoint=False)
        grow = 1.0 / math.cos(math.pi / _ELLIPSE_VERTICES)  # circumscribed polygon
        az = imp.orientation_rad if math.isfinite(imp.orientation_rad) else 0.0
        u = np.array([math.sin(az), math.cos(az)])  # semi-major direction (east, north)
        w = np.array([u[1], -u[0]])
        pts = grow * (a * np.cos(th)[:, None] * u + max(b, 1.0) * np.sin(th)[:, None] * w)
        return bool(area.intersects(shapely.Polygon(pts)))


def region_clearance_m(
    area: DefendedArea, lat_rad: float, lon_rad: float, radius_m: float = 0.0
) -> float:
    """The distance (m) by which a disc of ``radius_m`` round a point clears ``area``.

    A circle area: great-circle distance between centres (mean sphere, ≤ 0.5 % from the
    ellipsoid) minus both radii. A polygon: the distance from the point to the polygon's
    boundary (negative inside) minus ``radius_m``, in the azimuthal equidistant plane
    about the point on WGS84, where distances from the point are exact geodesic ones and
    the boundary is the polygon's geodesic edges densified to 5 km (the same polygon
    :meth:`DefendedArea.threatened_by` tests).
    A non-finite ``radius_m`` (an unbounded region) never clears: ``-inf``.
    """
    if not math.isfinite(radius_m):
        return -math.inf
    if not area.polygon_rad:
        d = float(ground_distance_m(area.lat_rad, area.lon_rad, lat_rad, lon_rad))
        return d - area.radius_m - radius_m
    local = area._local_polygon(math.degrees(lat_rad), math.degrees(lon_rad))
    origin = shapely.Point(0.0, 0.0)
    dist = float(local.exterior.distance(origin))
    return (-dist if local.contains(origin) else dist) - radius_m


@dataclass(frozen=True)
class LaunchNotification:
    """A declared launch: time window, launch area circle, azimuth sector, optional class,
    optional impact (drop) area circle.

    Matching events are marked ``declared``; they are still assessed (information, not a
    dismissal). The azimuth sector runs clockwise from ``azimuth_min_rad`` to
    ``azimuth_max_rad`` (it may wrap through north). With an impact area
    (``impact_lat_rad``, ``impact_lon_rad``, ``impact_radius_m``, all or none), a matched
    event whose predicted impact region leaves that area is no longer covered by the
    declaration (see :mod:`earlywarn.center.assessment.declarations`).
    """

    notification_id: str
    t_start_s: float
    t_end_s: float
    lat_rad: float
    lon_rad: float
    radius_m: float
    azimuth_min_rad: float = 0.0
    azimuth_max_rad: float = 2.0 * math.pi
    vehicle_class: str | None = None
    impact_lat_rad: float | None = None
    impact_lon_rad: float | None = None
    impact_radius_m: float | None = None

    def __post_init__(self) -> None:
        given = [
            v is not None for v in (self.impact_lat_rad, self.impact_lon_rad, self.impact_radius_m)
        ]
        if any(given) and not all(given):
            raise ValueError(
                f"notification {self.notification_id!r}: an impact area needs impact_lat_rad, "
                "impact_lon_rad and impact_radius_m together"
            )
        if self.impact_radius_m is not None and not (
            math.isfinite(self.impact_radius_m) and self.impact_radius_m > 0.0
        ):
            raise ValueError(
                f"notification {self.notification_id!r}: impact_radius_m must be a positive "
                f"number of m; got {self.impact_radius_m!r}"
            )

    @property
    def impact_area(self) -> DefendedArea | None:
        """The declared impact (drop) area as a circle, or None when none was declared."""
        if self.impact_lat_rad is None or self.impact_lon_rad is None:
            return None
        assert self.impact_radius_m is not None
        return DefendedArea(
            f"{self.notification_id or 'notification'}:impact_area",
            self.impact_lat_rad,
            self.impact_lon_rad,
            self.impact_radius_m,
        )

    def matches(
        self,
        launch_time_s: float,
        lat_rad: float,
        lon_rad: float,
        azimuth_rad: float | None,
        vehicle_class: str | None,
    ) -> bool:
        if not (self.t_start_s <= launch_time_s <= self.t_end_s):
            return False
        d = float(ground_distance_m(self.lat_rad, self.lon_rad, lat_rad, lon_rad))
        if d > self.radius_m:
            return False
        if azimuth_rad is not None and math.isfinite(azimuth_rad):
            span = (self.azimuth_max_rad - self.azimuth_min_rad) % (2.0 * math.pi)
            if span == 0.0 and self.azimuth_max_rad != self.azimuth_min_rad:
                span = 2.0 * math.pi
            if (azimuth_rad - self.azimuth_min_rad) % (2.0 * math.pi) > span:
                return False
        return not (
            self.vehicle_class is not None
            and vehicle_class is not None
            and vehicle_class != self.vehicle_class
        )


@dataclass(frozen=True)
class AssessmentParams:
    """Thresholds of the assessment (SI).

    ``ir_mono_persistence``: whether persistence alone announces a candidate only one
    satellite sees (default no: it waits for the detector's kinematic decision,
    ``boosting``). Sun glint is a specular reflection, seen from one direction only, so it
    is always mono; it drifts with the viewing geometry and persists for tens of seconds
    (on a quiet day of eight satellites ~90 glints a day outlast 24 s), while a real
    launch is declared boosting ~25 s after its first report anyway.
    ``raid_dismissal_needs_radar``: an event of a raid (its raid count above one) whose
    state is the IR burnout state is not dismissed for an impact outside every defended
    area; it stays at its level (``impact_uncertain``) until a radar track carries its
    state. In a dense raid two launches' plumes cross in a satellite's image and an IR
    event can be fitted to both: on the 1,000-launch bench raid three threatening
    launches were dismissed on such states, for 1,100–1,750 s.
    ``ir_threat_needs_stereo``: an IR-only event (no radar track) reaches
    THREAT only when two satellites see it — a mono state is a placement along one line
    of sight at a prior altitude, not a measurement, and one satellite cannot tell a
    drifting glint from a slow rocket; with a radar track the radar decides.
    ``correlation_margin_d2``: a radar track that several IR events' gates take joins the
    nearest only when its backward ``d²`` leads the next by this much (a likelihood ratio
    ``e^(Δd²/2)`` ≈ 20), else it waits (rechecked every ``correlation_recheck_s``) up to
    ``correlation_max_wait_updates`` updates, then joins the nearest. A young track traced
    back ~1,000 s to launches a minute apart cannot tell them yet: in the salvo example a
    spent stage at 6 updates was 11.0 from another launch's event, 13.2 from a third's and
    25 from its own; at 10 updates its own led (15 against 30), but the first choice was
    kept for good.
    ``radar_confirm_min_updates``: updates the correlated radar track needs before the
    event is ATTACK_CONFIRMED — a firm track (~30 s at a 5 s revisit), not a two-point
    start whose state is still off by hundreds of m/s. ``radar_launch_min_updates``:
    updates a track of a radar-only event needs before its impact prediction raises it to
    LAUNCH — a ballistic fit, not just a state: an echo that is not in free fall (the Moon
    folded into the range window, ``examples/history/1960-thule.yaml``) leaves the
    ballistic model's gate within 4–6 updates, as the fall the model predicts fails to
    show in its range rate. ``radar_fit_probability``: that track's innovations over its
    updates must also fit the ballistic model at this probability (their normalised
    squares summed, against χ²; :func:`~earlywarn.center.assessment.estimate.fit_consistent`):
    a folded Moon echo that the gate held for 8 updates failed it at 99.9 %, the quiet
    day's catalogued satellites passed it (none below 1 %). ``ir_min_frames`` /
    ``ir_min_span_s``: persistence an IR candidate needs before it is
    announced as POSSIBLE_LAUNCH (frames with a detection and the time they span; the IR
    event's ``n_frames``/``span_s`` when it has them, else ``n_reports`` and its time
    span). A launch passes in ~10–15 s; single-frame clutter and sun glint, which the IR
    detector turns ``stationary`` within ~10 frames, do not. An IR event that is boosting
    or has burnt out needs no more. ``rv_min_updates`` / ``rv_rcs_margin_db``: a track at
    least ``rv_rcs_margin_db`` smaller (RCS proxy, same sensor) than the densest track of
    its event is taken for the re-entry vehicle once it has ``rv_min_updates`` updates
    (see :func:`_primary`); the event's state switches to it from the densest
    track (usually the spent stage, seen first and longer) once the impact ellipse it
    gives is no wider than ``rv_switch_semi_major_m`` (95 % semi-major), and stays with it.

    Evidence for a dismissal (see :mod:`earlywarn.center.assessment.evidence`):
    ``dismiss_confidence`` is the confidence of the impact region a dismissal for "impact
    outside" (or "sounding rocket, local impact") needs to clear every defended area by
    ``dismiss_margin_m`` (default 99.9 %: a real attack dismissed is the worst error the
    center can make, so one in a thousand, not one in twenty; the margin covers what the
    ellipse does not model: the impact prediction's drag-free model, the areas' edges);
    ``mono_dismiss_max_semi_major_m``: an IR-only estimate from one satellite dismisses
    only when its 95 % ellipse is no wider than this (a mono state is a placement along
    lines of sight at a prior altitude: its covariance is a model, not a measurement).
    ``orbit_confidence``: the one-sided confidence at which the perigee must be above
    ``orbit_perigee_alt_m`` for ``orbit`` (120 km: the entry interface, 400,000 ft, that
    NASA used for Apollo and Space Shuttle re-entry; below it the atmosphere brings an
    object down within a few revolutions). ``track_lost_slack_s``: a sensor whose coverage
    was lost no later than this after an event's last report from it cut the event's
    track short (a frame or two; the health table dates a loss to within a heartbeat).

    Space objects (radar-only events; see :mod:`earlywarn.center.assessment.rso`):
    ``catalog_sigma0_m`` and ``catalog_sigma_growth_m_s``: the 1-sigma position
    uncertainty of a catalogued object propagated by SGP4 from its element set, 1 km at
    the element epoch growing by 3 km a day of element age (Vallado & Cefola, "Two-line
    element sets — practice and use", IAC-12.C1.6.12, 2012: TLE states are good to about
    1 km at epoch and degrade by 1–3 km a day, mostly along track; the upper end, so a
    stale element set still matches its object); the velocity sigma is that times the
    object's mean motion. ``catalog_gate_probability``: the chi-square gate (6 degrees
    of freedom) of a track state against a catalogued state. ``reentry_min_perigee_alt_m``:
    a radar-only track coming down whose osculating perigee is above this line (at
    ``orbit_confidence``) is a decaying object, not a missile (−500 km: a decaying
    body's perigee is near 100 km, a ballistic missile's thousands of km below the
    surface; a horizontal object at 120 km needs 97 % of circular speed to put its
    perigee even at −500 km, which no missile re-entry has).
    ``radar_threat_max_semi_major_m``: a radar-only event reaches THREAT only when its
    95 % impact ellipse is bounded (every sigma point comes down) and no wider than this
    (1,000 km): a wider ellipse says nothing of which area is threatened; it waits, at
    LAUNCH with ``impact_uncertain``, for the track to narrow it (a radar track's
    ellipse shrinks to tens of km within a minute or two).
    """

    retract_after_s: float = 120.0
    heartbeat_factor: float = 2.5
    orbit_perigee_alt_m: float = 120e3
    sounding_max_range_m: float = 1000e3
    sounding_min_gamma_rad: float = 70.0 * _DEG
    trajectory_margin_rad: float = 8.0 * _DEG
    # the raid count (earlywarn.center.assessment.raid): launches within raid_window_s of
    # each other, from within raid_window_m (one launch region: several fields of one
    # country) or aimed within it; radar-only events within raid_same_launch_s/_m are one
    raid_window_s: float = 300.0
    raid_window_m: float = 2000e3
    raid_same_launch_s: float = 30.0
    raid_same_launch_m: float = 300e3
    impact_refresh_s: float = 10.0
    impact_refresh_fraction: float = 0.03
    reissue_impact_shift_m: float = 25e3
    reissue_impact_time_s: float = 15.0
    radar_min_updates: int = 4
    radar_only_delay_s: float = 15.0
    radar_join_m: float = 200e3
    correlation_recheck_s: float = 10.0
    correlation_margin_d2: float = 6.0
    correlation_max_wait_updates: int = 20
    radar_fuse_min_updates: int = 10
    max_flight_s: float = 5400.0
    ir_min_frames: int = 8
    ir_min_span_s: float = 12.0
    ir_mono_persistence: bool = False
    ir_threat_needs_stereo: bool = True
    raid_dismissal_needs_radar: bool = True
    radar_confirm_min_updates: int = 6
    radar_launch_min_updates: int = 8
    radar_fit_probability: float = 0.999
    rv_min_updates: int = 6
    rv_rcs_margin_db: float = 6.0
    rv_switch_semi_major_m: float = 40e3
    insertion_min_alt_m: float = 300e3
    insertion_max_gamma_rad: float = 10.0 * _DEG
    insertion_min_speed_ratio: float = 0.85
    dismiss_confidence: float = 0.999
    dismiss_margin_m: float = 100e3
    mono_dismiss_max_semi_major_m: float = 50e3
    orbit_confidence: float = 0.95
    track_lost_slack_s: float = 10.0
    catalog_sigma0_m: float = 1000.0
    catalog_sigma_growth_m_s: float = 3000.0 / 86400.0
    catalog_gate_probability: float = 0.999
    reentry_min_perigee_alt_m: float = -500e3
    radar_threat_max_semi_major_m: float = 1000e3

    def __post_init__(self) -> None:
        for name in (
            "dismiss_confidence",
            "orbit_confidence",
            "catalog_gate_probability",
            "radar_fit_probability",
        ):
            v = getattr(self, name)
            if not (0.5 <= v < 1.0):
                raise ValueError(f"AssessmentParams.{name} must be in [0.5, 1); got {v!r}")
        for name in (
            "dismiss_margin_m",
            "mono_dismiss_max_semi_major_m",
            "catalog_sigma0_m",
            "catalog_sigma_growth_m_s",
            "radar_threat_max_semi_major_m",
        ):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0):
                raise ValueError(f"AssessmentParams.{name} must be a finite m >= 0; got {v!r}")
