"""The assessment's configuration values: defended areas, declared launches and the
thresholds of every pass (:class:`AssessmentParams`), all SI.

A :class:`DefendedArea` is what the ``THREAT`` level is about: an event whose predicted
impact's 95 % ellipse overlaps one threatens it. A :class:`LaunchNotification` is a
declared launch; an event that matches one is marked ``declared`` (information, not a
dismissal: see :mod:`earlywarn.center.assessment.declarations`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.center.characterise import ImpactEstimate, ground_distance_m
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef

FloatArray = npt.NDArray[np.float64]

__all__ = ["AssessmentParams", "DefendedArea", "LaunchNotification"]

_DEG = math.pi / 180.0


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

    def contains(self, lat_rad: float, lon_rad: float) -> bool:
        """Whether a point (geodetic, rad) lies inside the area: within the radius of a
        circle (ground distance), inside a polygon."""
        if not self.polygon_rad:
            d = float(ground_distance_m(self.lat_rad, self.lon_rad, lat_rad, lon_rad))
            return d <= self.radius_m
        return bool(self._inside_polygon(np.array([lat_rad]), np.array([lon_rad]))[0])

    def _inside_polygon(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
        # ray casting in the local tangent plane at the polygon's centroid
        rot = enu_rotation(self.lat_rad, self.lon_rad)
        c = geodetic_to_ecef(self.lat_rad, self.lon_rad)
        vx = np.array([a for a, _ in self.polygon_rad])
        vy = np.array([b for _, b in self.polygon_rad])
        ve = (geodetic_to_ecef(vx, vy) - c) @ rot.T
        pe = (geodetic_to_ecef(lat, lon) - c) @ rot.T
        px, py = pe[:, 0], pe[:, 1]
        x1, y1 = ve[:, 0], ve[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        cross = ((y1[None, :] > py[:, None]) != (y2[None, :] > py[:, None])) & (
            px[:, None]
            < (x2 - x1)[None, :]
            * (py[:, None] - y1[None, :])
            / np.where(y2 == y1, 1e-30, y2 - y1)[None, :]
            + x1[None, :]
        )
        return np.asarray(np.sum(cross, axis=1) % 2 == 1)

    def threatened_by(self, imp: ImpactEstimate) -> bool:
        """True when the impact's 95 % ellipse overlaps the area (mean or boundary inside)."""
        if not imp.ok:
            return False
        a = imp.semi_major_m if math.isfinite(imp.semi_major_m) else 0.0
        if not self.polygon_rad:
            d = float(ground_distance_m(self.lat_rad, self.lon_rad, imp.lat_rad, imp.lon_rad))
            return d <= self.radius_m + a
        # polygon: the mean and 16 points of the ellipse boundary
        b = imp.semi_minor_m if math.isfinite(imp.semi_minor_m) else 0.0
        th = np.linspace(0.0, 2.0 * math.pi, 16, endpoint=False)
        u = np.array([math.sin(imp.orientation_rad), math.cos(imp.orientation_rad)])
        w = np.array([u[1], -u[0]])
        en = np.concatenate(
            [[[0.0, 0.0]], a * np.cos(th)[:, None] * u + b * np.sin(th)[:, None] * w]
        )
        rot = enu_rotation(imp.lat_rad, imp.lon_rad)
        r = (
            np.asarray(imp.r_ecef_m)
            + np.concatenate([en, np.zeros((en.shape[0], 1))], axis=1) @ rot
        )
        lat, lon, _ = ecef_to_geodetic(r)
        return bool(np.any(self._inside_polygon(np.asarray(lat), np.asarray(lon))))


@dataclass(frozen=True)
class LaunchNotification:
    """A declared launch: time window, launch area circle, azimuth sector, optional class.

    Matching events are marked ``declared``; they are still assessed (information, not a
    dismissal). The azimuth sector runs clockwise from ``azimuth_min_rad`` to
    ``azimuth_max_rad`` (it may wrap through north).
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
    ``ir_threat_needs_stereo``: an IR-only event (no radar track) reaches
    THREAT only when two satellites see it — a mono state is a placement along one line
    of sight at a prior altitude, not a measurement, and one satellite cannot tell a
    drifting glint from a slow rocket; with a radar track the radar decides.
    ``radar_confirm_min_updates``: updates the correlated radar track needs before the
    event is ATTACK_CONFIRMED — a firm track (~30 s at a 5 s revisit), not a two-point
    start whose state is still off by hundreds of m/s. ``ir_min_frames`` /
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
    """

    retract_after_s: float = 120.0
    heartbeat_factor: float = 2.5
    orbit_perigee_alt_m: float = 100e3
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
    radar_fuse_min_updates: int = 10
    max_flight_s: float = 5400.0
    ir_min_frames: int = 8
    ir_min_span_s: float = 12.0
    ir_mono_persistence: bool = False
    ir_threat_needs_stereo: bool = True
    radar_confirm_min_updates: int = 6
    rv_min_updates: int = 6
    rv_rcs_margin_db: float = 6.0
    rv_switch_semi_major_m: float = 40e3
    insertion_min_alt_m: float = 300e3
    insertion_max_gamma_rad: float = 10.0 * _DEG
    insertion_min_speed_ratio: float = 0.85
