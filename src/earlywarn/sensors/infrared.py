"""Space-based infrared early-warning payloads: scanning, staring and limb-viewing.

Observability of a source (missile plume, fire, glint point) at an observation time:

1. its line of sight from the satellite is not blocked by the WGS84 ellipsoid
   (:func:`~earlywarn.sensors.background.line_of_sight_clear`);
2. it is inside the field of view (angle to the boresight ≤ ``fov_half_angle_deg``);
3. it radiates (plume intensity > 0);
4. look-down: it is above ``min_altitude_m`` (cloud tops) — fires and glint, which are
   surface phenomena, are exempt; limb: the half-line from the satellite through it
   stays above ``limb_floor_m`` (it is seen against space, not against the Earth);
5. the payload is working: its satellite is at least ``working_altitude_m`` high (a
   highly elliptical orbit's working arc about apogee; always when 0). Out of that arc
   the satellite reports an outage (:meth:`InfraredSatellite.off_duty`).

Limb viewing as the first Soviet Oko satellites flew it (Podvig 2002, *Science & Global
Security* 10; Forden 2001): from a Molniya orbit the satellite looked at the US missile
fields near the Earth's edge, so that a rising missile would be silhouetted against space
("150 km above Malmstrom", Forden). A limb payload therefore aims its field of view at a
point ``aim_altitude_m`` above a region (``region_lat_deg``, ``region_lon_deg``) — or at
the Earth's centre when no region is given. Its background model has two parts: objects
count when seen against space above ``limb_floor_m``; and the Earth's edge itself, within
``limb_band_deg`` of grazing as seen from the satellite (the satellite at most that high
above the local horizon of the point), is in the field too, where sunlit high clouds can
reflect the Sun into the sensor — the mechanism of the 26 September 1983 false alarm. So
glint sources (at the glint model's cloud height) are seen by a limb payload when they are
in the field of view, not hidden by the Earth and inside that grazing band; the default
limb glint model allows incidences up to 88° (grazing reflection from high clouds).

Detection ("SNR plus unit Gaussian noise above threshold", a Swerling-0-style model for a
non-fluctuating source in Gaussian noise): irradiance E = I / R², SNR = E / NEI (NEI
divided by the degradation factor in degraded periods); the measured snr is
SNR + N(0, 1) and the payload detects when it exceeds ``threshold_snr``, so
Pd = Q(threshold − SNR) = Φ(SNR − threshold).

Measurements: the line of sight gets two independent Gaussian angular errors, each of
``sigma_los_rad``, along two orthogonal axes perpendicular to it. The reported intensity
is the *apparent* intensity the payload can compute without knowing range:
measured snr × NEI × R_a² × (1 + ``intensity_noise_frac``·N(0, 1)) (clipped at 0), with
R_a the range along the measured line of sight to the cloud-top layer (or to the tangent
point when the line of sight misses it). For a plume at 10–100 km altitude seen from GEO
R_a differs from the true range by well under 1 %.

Timing: frames (staring) or scans (scanning) start at k·``period_s`` (k from the scenario
epoch; ``frame_id`` = k). A staring payload sees everything at the frame time. A scanning
payload sweeps its field of view like a rotating line: a point whose line of sight has
position angle ψ about the boresight is seen at k·period + (ψ / 2π)·period. Sources are
sampled at the frame start, their position angle computed, then re-sampled at that time.

Defaults (notional, open-literature order of magnitude; not any real system's figures):
NEI 5e-12 W/m² scanning / 1.5e-12 W/m² staring, threshold SNR 6, 30 / 15 µrad
line-of-sight noise, 10 % intensity noise, 10 km cloud tops, 40 km limb floor. A 1e6 W/sr
first stage at 38,000 km gives E = 6.9e-10 W/m², SNR ≈ 140 scanning (Pd ≈ 1); a 1e5 W/sr
short-range missile gives SNR ≈ 14, so the scanner sees it, as the 1970s-era scanning
DSP satellites saw Scud launches in 1991 (open-literature accounts of the Gulf War); a
5e4 W/sr upper stage is marginal for the scanner (SNR 7) and plain for the starer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef
from earlywarn.earth.sun import sun_direction_ecef
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.background import (
    GlintModel,
    Observations,
    child_seed,
    frame_range,
    glint_sources,
    line_of_sight_clear,
    orthonormal_basis,
    ray_hits_layer,
    ray_layer_range,
    sample_cone,
    sample_pairs,
    seen_against_space,
    window_pairs,
)
from earlywarn.sensors.events import Event, Outage, condition, fires
from earlywarn.space.orbits import Orbit, ephemeris_ecef

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Mode = Literal["scanning", "staring"]
Pointing = Literal["earth_center", "region", "limb"]


def _unit(a: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(a / np.linalg.norm(a, axis=-1, keepdims=True))


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.einsum("...i,...i->...", a, b))


LIMB_GLINT = GlintModel(height_m=12_000.0, max_incidence_deg=88.0)
"""Glint as a limb viewer sees it: sunlit high (cirrus) cloud tops near the Earth's edge,
reflecting at grazing incidence (order-of-magnitude assumptions, as :class:`GlintModel`)."""


@dataclass(frozen=True)
class InfraredPayload:
    """An infrared payload (see the module docstring for the model and the defaults).

    mode: ``"scanning"`` (``period_s`` is the revisit) or ``"staring"`` (frame period).
    pointing: ``"earth_center"``, ``"region"`` (boresight on the point ``aim_altitude_m``
        above ``region_lat_deg``, ``region_lon_deg``) or ``"limb"`` (boresight on that
        point when a region is given, else on the Earth's centre; objects count when seen
        against space above ``limb_floor_m``, glint within ``limb_band_deg`` of grazing).
    clutter_per_frame: mean number of clutter detections per frame (Poisson), uniform over
        the part of the field of view that sees the Earth (look-down) or space (limb).
    glint: the sun-glint model, or None for no glint.
    working_altitude_m: the payload works only while its satellite is at least this high
        above the equatorial radius (0: always). A payload on a highly elliptical orbit
        works on the arc about apogee: 25,000 km is the 7.8 h about a Molniya apogee
        (600 km perigee). Out of it the satellite reports an outage
        (:meth:`InfraredSatellite.off_duty`).
    """

    mode: Mode = "scanning"
    period_s: float = 10.0
    pointing: Pointing = "earth_center"
    region_lat_deg: float | None = None
    region_lon_deg: float | None = None
    fov_half_angle_deg: float = 9.0
    nei_w_m2: float = 5e-12
    threshold_snr: float = 6.0
    sigma_los_rad: float = 3e-5
    intensity_noise_frac: float = 0.1
    min_altitude_m: float = 10_000.0
    limb_floor_m: float = 40_000.0
    aim_altitude_m: float = 0.0
    limb_band_deg: float = 15.0
    working_altitude_m: float = 0.0
    clutter_per_frame: float = 0.05
    glint: GlintModel | None = field(default_factory=GlintModel)

    def __post_init__(self) -> None:
        if self.mode not in ("scanning", "staring"):
            raise ValueError(
                f"InfraredPayload.mode: got {self.mode!r}; allowed 'scanning' or 'staring'"
            )
        if self.pointing not in ("earth_center", "region", "limb"):
            raise ValueError(
                f"InfraredPayload.pointing: got {self.pointing!r}; allowed 'earth_center', "
                "'region' or 'limb'"
            )
        if (self.region_lat_deg is None) != (self.region_lon_deg is None):
            raise ValueError("InfraredPayload: give both region_lat_deg and region_lon_deg")
        if self.pointing == "region":
            if self.region_lat_deg is None or self.region_lon_deg is None:
                raise ValueError(
                    "InfraredPayload: pointing='region' needs region_lat_deg and region_lon_deg"
                )
            if not -90 <= self.region_lat_deg <= 90:
                raise ValueError(
                    f"InfraredPayload.region_lat_deg: got {self.region_lat_deg!r}; "
                    "expected [-90, 90]"
                )
        for name in ("period_s", "nei_w_m2", "threshold_snr"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"InfraredPayload.{name}: got {v!r}; expected a number > 0")
        for name in (
            "sigma_los_rad",
            "intensity_noise_frac",
            "min_altitude_m",
            "limb_floor_m",
            "aim_altitude_m",
            "working_altitude_m",
            "clutter_per_frame",
        ):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"InfraredPayload.{name}: got {v!r}; expected a number >= 0")
        if not 0 < self.limb_band_deg <= 90:
            raise ValueError(
                f"InfraredPayload.limb_band_deg: got {self.limb_band_deg!r}; expected (0, 90]"
            )
        if not 0 < self.fov_half_angle_deg <= 90:
            raise ValueError(
                f"InfraredPayload.fov_half_angle_deg: got {self.fov_half_angle_deg!r}; "
                "expected (0, 90]"
            )

    @classmethod
    def scanning(cls, **kw: object) -> InfraredPayload:
        """Whole-Earth scanner: 10 s revisit, 9° half-angle (the disc from GEO is 8.7°)."""
        return cls(**{"mode": "scanning", **kw})  # type: ignore[arg-type]

    @classmethod
    def staring(cls, region_lat_deg: float, region_lon_deg: float, **kw: object) -> InfraredPayload:
        """Regional starer: 1 s frames, 3° half-angle, NEI 1.5e-12 W/m², 15 µrad."""
        base: dict[str, object] = {
            "mode": "staring",
            "period_s": 1.0,
            "pointing": "region",
            "region_lat_deg": region_lat_deg,
            "region_lon_deg": region_lon_deg,
            "fov_half_angle_deg": 3.0,
            "nei_w_m2": 1.5e-12,
            "sigma_los_rad": 1.5e-5,
            "clutter_per_frame": 0.02,
            "glint": GlintModel(per_frame=0.5),
        }
        return cls(**{**base, **kw})  # type: ignore[arg-type]

    @classmethod
    def limb(cls, **kw: object) -> InfraredPayload:
        """Limb viewer: staring at 2 s, 10° half-angle about the Earth's centre (or the
        aim point, with a region), objects seen against space above 40 km; clutter 0.005
        per frame; glint from high clouds (12 km) near the Earth's edge
        (:data:`LIMB_GLINT`)."""
        base: dict[str, object] = {
            "mode": "staring",
            "period_s": 2.0,
            "pointing": "limb",
            "fov_half_angle_deg": 10.0,
            "nei_w_m2": 3e-12,
            "clutter_per_frame": 0.005,
            "glint": LIMB_GLINT,
        }
        return cls(**{**base, **kw})  # type: ignore[arg-type]

    @property
    def fov_half_angle_rad(self) -> float:
        return math.radians(self.fov_half_angle_deg)

    def detection_probability(self, snr: npt.ArrayLike) -> FloatArray:
        """Pd = Q(threshold − SNR) = ½ erfc((threshold − SNR)/√2)."""
        from scipy.special import ndtr

        return np.asarray(ndtr(np.asarray(snr, dtype=np.float64) - self.threshold_snr))


@dataclass(frozen=True)
class _Sources:
    """Candidate sources at their observation times (internal)."""

    t: FloatArray
    k: IntArray
    r: FloatArray
    sat: FloatArray
    intensity: FloatArray
    label: npt.NDArray[np.str_]
    surface: BoolArray


@dataclass(frozen=True)
class _Stationary:
    """Fixed points at their observation times; ``k_index`` maps back to the inputs."""

    t: FloatArray
    k: IntArray
    r: FloatArray
    sat: FloatArray
    k_index: IntArray


@dataclass(frozen=True)
class InfraredSatellite:
    """An infrared early-warning satellite: an id, an orbit and a payload."""

    sensor_id: str
    orbit: Orbit
    payload: InfraredPayload = field(default_factory=InfraredPayload)
    kind: str = field(default="ir", init=False)

    def __post_init__(self) -> None:
        if not self.sensor_id:
            raise ValueError("InfraredSatellite.sensor_id: got ''; expected a non-empty id")

    # ---- geometry -----------------------------------------------------------------------

    def position(self, epoch: datetime, t_s: npt.ArrayLike) -> FloatArray:
        """ECEF position ``(*T, 3)`` of the satellite."""
        t = np.asarray(t_s, dtype=np.float64)
        if t.size == 0:
            return np.zeros((*t.shape, 3))
        return np.asarray(ephemeris_ecef([self.orbit], epoch, t).r_m[0])

    def boresight(self, sat: FloatArray) -> FloatArray:
        """Unit boresight ``(..., 3)`` from satellite positions."""
        p = self.payload
        if p.region_lat_deg is not None and p.region_lon_deg is not None:
            tgt = geodetic_to_ecef(
                math.radians(p.region_lat_deg), math.radians(p.region_lon_deg), p.aim_altitude_m
            )
            return _unit(tgt - sat)
        return _unit(-sat)

    def working(self, sat: FloatArray) -> BoolArray:
        """Whether the payload works at satellite positions ``sat`` ``(..., 3)``: always, or
        at or above ``working_altitude_m`` over the equatorial radius (its working arc)."""
        h_min = self.payload.working_altitude_m
        if h_min <= 0.0:
            return np.ones(sat.shape[:-1], dtype=bool)
        return np.asarray(np.sqrt(_dot(sat, sat)) - A_M >= h_min)

    def off_duty(
        self, epoch: datetime, t_start_s: float, t_end_s: float, step_s: float = 30.0
    ) -> tuple[Outage, ...]:
        """The times in ``[t_start_s, t_end_s)`` when the satellite is below its working
        altitude, as (reported, not silent) outages: the satellite's height sampled every
        ``step_s`` and each crossing placed by linear interpolation between samples (the
        height of a Molniya moves under 100 m/s near the 25,000 km working altitude: the
        edges to well under a second). None when the payload always works."""
        h_min = self.payload.working_altitude_m
        if h_min <= 0.0 or not t_end_s > t_start_s:
            return ()
        n = max(2, math.ceil((t_end_s - t_start_s) / step_s) + 1)
        t = np.linspace(t_start_s, t_end_s, n)
        sat = self.position(epoch, t)
        dh = np.sqrt(_dot(sat, sat)) - A_M - h_min  # >= 0: working
        off = dh < 0.0
        edges = np.flatnonzero(off[1:] != off[:-1])
        # crossing time in each sample interval whose state changes
        tc = t[edges] + (t[edges + 1] - t[edges]) * dh[edges] / (dh[edges] - dh[edges + 1])
        starts = list(tc[off[edges + 1]])
        ends = list(tc[~off[edges + 1]])
        if off[0]:
            starts.insert(0, t_start_s)
        if off[-1]:
            ends.append(t_end_s)
        return tuple(
            Outage(self.sensor_id, float(a), float(b))
            for a, b in zip(starts, ends, strict=True)
            if b > a
        )

    def scan_phase(self, sat: FloatArray, los: FloatArray) -> FloatArray:
        """Fraction of the scan period at which a line of sight is swept (0 when staring)."""
        if self.payload.mode == "staring":
            return np.zeros(los.shape[:-1])
        b = self.boresight(sat)
        e1, e2 = orthonormal_basis(b)
        psi = np.arctan2(_dot(los, e2), _dot(los, e1))
        return np.asarray(np.mod(psi, 2 * math.pi) / (2 * math.pi))

    def observable(
        self, sat: FloatArray, r: FloatArray, surface: BoolArray | bool = False
    ) -> BoolArray:
        """Geometric observability (Earth, field of view, altitude or limb rule) of points
        ``r`` from satellite positions ``sat`` (both ``(..., 3)``)."""
        p = self.payload
        los = _unit(r - sat)
        in_fov = _dot(los, self.boresight(sat)) >= math.cos(p.fov_half_angle_rad)
        finite = np.all(np.isfinite(r), axis=-1)
        if p.pointing == "limb":
            geo = seen_against_space(sat, r, p.limb_floor_m)
            if np.any(surface):
                # the Earth's edge: visible, and the satellite within the grazing band
                up = _unit(np.where(finite[..., None], r, 1.0))
                graze = _dot(-los, up) <= math.sin(math.radians(p.limb_band_deg))
                geo = np.where(surface, line_of_sight_clear(sat, r) & graze, geo)
        else:
            clear = line_of_sight_clear(sat, r)
            _, _, h = ecef_to_geodetic(np.where(finite[..., None], r, 1.0))
            geo = clear & (np.asarray(surface) | (h >= p.min_altitude_m))
        return np.asarray(in_fov & geo & finite & self.working(sat))

    # ---- simulation -------------------------------------------------------------------

    def observe(
        self,
        truth: Trajectories,
        epoch: datetime,
        t_start_s: float,
        t_end_s: float,
        seed: np.random.SeedSequence,
        events: Sequence[Event] = (),
    ) -> Observations:
        """All detections of the payload in ``[t_start_s, t_end_s)``.

        Random streams (children of ``seed``): 0 missiles, 1 fires, 2 glint placement,
        3 glint detection, 4 clutter — so adding a launch does not change clutter draws.
        """
        p = self.payload
        period = p.period_s
        events = (*events, *self.off_duty(epoch, t_start_s, t_end_s))

        def sat_at(t: FloatArray) -> FloatArray:
            return self.position(epoch, t)

        def sun_at(t: FloatArray) -> FloatArray:
            return np.asarray(sun_direction_ecef(epoch, t))

        parts = [
            self._detect(self._missiles(truth, sat_at, t_start_s, t_end_s), epoch, seed, 0, events),
            self._detect(self._fires(events, sat_at, t_start_s, t_end_s), epoch, seed, 1, events),
        ]
        if p.glint is not None:
            frames = frame_range(period, t_start_s, t_end_s)
            g = glint_sources(
                p.glint,
                np.random.default_rng(child_seed(seed, 2)),
                frames,
                period,
                sat_at,
                sun_at,
                p.threshold_snr,
            )
            src = self._stationary(g.k, g.r_ecef_m, sat_at, t_end_s)
            rng_ = np.linalg.norm(src.r - src.sat, axis=-1)
            inten = g.snr[src.k_index] * p.nei_w_m2 * rng_**2
            parts.append(
                self._detect(
                    _Sources(
                        src.t, src.k, src.r, src.sat, inten,
                        np.full(src.t.size, "glint"), np.ones(src.t.size, bool),
                    ),
                    epoch, seed, 3, events,
                )
            )  # fmt: skip
        parts.append(self._clutter(sat_at, t_start_s, t_end_s, seed, events))
        cols: dict[str, npt.NDArray[np.generic]] = {
            name: np.concatenate([o.columns[name] for o in parts]) for name in parts[0].columns
        }
        label = np.concatenate([o.label for o in parts]).astype(np.str_)
        return Observations("ir", cols, label)

    # ---- sources ------------------------------------------------------------------------

    def _missiles(
        self,
        truth: Trajectories,
        sat_at: Callable[[FloatArray], FloatArray],
        t_start_s: float,
        t_end_s: float,
    ) -> _Sources:
        period = self.payload.period_s
        ts, inten = truth.t_s, truth.intensity_w_sr
        burning = (inten > 0) & np.isfinite(ts)
        has = burning.any(axis=1)
        n, k = ts.shape
        first = np.argmax(burning, axis=1)
        last = k - 1 - np.argmax(burning[:, ::-1], axis=1)
        valid_count = np.isfinite(ts).sum(axis=1)
        rows = np.arange(n)
        # plume intensity holds over the interval a sample opens: it is > 0 from the first
        # positive sample to (strictly before) the sample after the last positive one
        lo = ts[rows, first]
        hi = ts[rows, np.minimum(last + 1, np.maximum(valid_count - 1, 0))]
        lo = np.where(has, lo, np.nan)
        hi = np.where(has, hi, np.nan)
        margin = period if self.payload.mode == "scanning" else 0.0
        obj, kk = window_pairs(lo - margin, hi, period, t_start_s - margin, t_end_s)
        t_k = np.asarray(kk * period, dtype=np.float64)
        if self.payload.mode == "scanning" and obj.size:
            r0, _, _, alive0 = sample_pairs(truth, obj, t_k)
            # before launch, use the first sample for the scan position angle
            r0 = np.where(alive0[:, None], r0, truth.r_ecef_m[obj, 0])
            u = self.scan_phase(sat_at(t_k), _unit(r0 - sat_at(t_k)))
            t_obs = t_k + u * period
        else:
            t_obs = t_k.astype(np.float64)
        r, _, i_w_sr, alive = sample_pairs(truth, obj, t_obs)
        keep = alive & (i_w_sr > 0) & (t_obs >= t_start_s) & (t_obs < t_end_s)
        obj, kk, t_obs, r, i_w_sr = obj[keep], kk[keep], t_obs[keep], r[keep], i_w_sr[keep]
        ids = np.asarray(truth.object_id, dtype=np.str_)
        return _Sources(
            t_obs,
            kk,
            r,
            sat_at(t_obs),
            i_w_sr,
            ids[obj] if obj.size else np.zeros(0, "<U1"),
            np.zeros(obj.size, bool),
        )

    def _stationary(
        self,
        k: IntArray,
        r: FloatArray,
        sat_at: Callable[[FloatArray], FloatArray],
        t_end_s: float,
    ) -> _Stationary:
        """Observation times of fixed points seen in frames ``k``."""
        period = self.payload.period_s
        t_k = np.asarray(k * period, dtype=np.float64)
        if self.payload.mode == "scanning" and k.size:
            sat0 = sat_at(t_k)
            t_obs = t_k + self.scan_phase(sat0, _unit(r - sat0)) * period
        else:
            t_obs = t_k.astype(np.float64)
        keep = np.flatnonzero(t_obs < t_end_s)
        return _Stationary(t_obs[keep], k[keep], r[keep], sat_at(t_obs[keep]), keep)

    def _fires(
        self,
        events: Sequence[Event],
        sat_at: Callable[[FloatArray], FloatArray],
        t_start_s: float,
        t_end_s: float,
    ) -> _Sources:
        fl = fires(events)
        period = self.payload.period_s
        if not fl or self.payload.pointing == "limb":
            return _Sources(
                np.zeros(0), np.zeros(0, np.int64), np.zeros((0, 3)), np.zeros((0, 3)),
                np.zeros(0), np.zeros(0, "<U1"), np.zeros(0, bool),
            )  # fmt: skip
        start = np.array([f.start_s for f in fl])
        # a frame whose scan reaches the fire after it starts: include one frame earlier
        margin = period if self.payload.mode == "scanning" else 0.0
        win, k = window_pairs(start - margin, np.array([f.end_s for f in fl]), period,
                              t_start_s - margin, t_end_s)  # fmt: skip
        pts = geodetic_to_ecef(
            np.radians([f.lat_deg for f in fl]),
            np.radians([f.lon_deg for f in fl]),
            np.array([f.h_m for f in fl]),
        )
        src = self._stationary(k, pts[win], sat_at, t_end_s)
        w = win[src.k_index]
        on = (
            (src.t >= start[w])
            & (src.t < np.array([f.end_s for f in fl])[w])
            & (src.t >= t_start_s)
        )
        inten = np.array([f.intensity_w_sr for f in fl])[w]
        return _Sources(
            src.t[on], src.k[on], src.r[on], src.sat[on], inten[on],
            np.full(int(on.sum()), "fire"), np.ones(int(on.sum()), bool),
        )  # fmt: skip

    # ---- detection and measurement ------------------------------------------------------

    def _measure(
        self,
        rng: np.random.Generator,
        t: FloatArray,
        k: IntArray,
        sat: FloatArray,
        los: FloatArray,
        snr_meas: FloatArray,
        nei: FloatArray,
    ) -> dict[str, npt.NDArray[np.generic]]:
        """Noisy line of sight and apparent intensity for detections."""
        p = self.payload
        m = t.size
        e1, e2 = orthonormal_basis(los)
        g = rng.standard_normal((m, 3))
        los_m = _unit(los + p.sigma_los_rad * (g[:, :1] * e1 + g[:, 1:2] * e2))
        r_a = ray_layer_range(sat, los_m, p.min_altitude_m)
        inten = np.maximum(snr_meas * nei * r_a**2 * (1.0 + p.intensity_noise_frac * g[:, 2]), 0.0)
        return {
            "t_s": t,
            "los_x": los_m[:, 0],
            "los_y": los_m[:, 1],
            "los_z": los_m[:, 2],
            "sat_x_m": sat[:, 0],
            "sat_y_m": sat[:, 1],
            "sat_z_m": sat[:, 2],
            "sigma_rad": np.full(m, p.sigma_los_rad),
            "intensity_w_sr": inten,
            "snr": snr_meas,
            "frame_id": k.astype(np.int64),
        }

    def _detect(
        self,
        src: _Sources,
        epoch: datetime,
        seed: np.random.SeedSequence,
        stream: int,
        events: Sequence[Event],
    ) -> Observations:
        del epoch
        p = self.payload
        rng = np.random.default_rng(child_seed(seed, stream))
        geo = self.observable(src.sat, src.r, src.surface)
        d = src.r - src.sat
        r2 = _dot(d, d)
        cond = condition(self.sensor_id, events, src.t)
        nei = p.nei_w_m2 / cond.snr_factor
        snr = src.intensity / r2 / nei
        snr_meas = snr + rng.standard_normal(src.t.size)
        det = geo & (snr_meas > p.threshold_snr) & ~cond.outage
        idx = np.flatnonzero(det)
        cols = self._measure(
            rng, src.t[idx], src.k[idx], src.sat[idx], _unit(d[idx]), snr_meas[idx], nei[idx]
        )
        return Observations("ir", cols, src.label[idx].astype(np.str_))

    def _clutter(
        self,
        sat_at: Callable[[FloatArray], FloatArray],
        t_start_s: float,
        t_end_s: float,
        seed: np.random.SeedSequence,
        events: Sequence[Event],
    ) -> Observations:
        p = self.payload
        rng = np.random.default_rng(child_seed(seed, 4))
        period = p.period_s
        frames = frame_range(period, t_start_s, t_end_s)
        counts = rng.poisson(p.clutter_per_frame, frames.size)
        k = np.repeat(frames, counts)
        m = k.size
        t_k = np.asarray(k * period, dtype=np.float64)
        sat0 = sat_at(t_k)
        axis = self.boresight(sat0)
        los = np.full((m, 3), np.nan)
        todo = np.arange(m)
        limb = p.pointing == "limb"
        for _ in range(60):  # rejection sampling: the cone part that sees Earth (or space)
            if todo.size == 0:
                break
            cand = sample_cone(rng, axis[todo], p.fov_half_angle_rad)
            if limb:
                ok = seen_against_space(sat0[todo], sat0[todo] + cand, p.limb_floor_m)
            else:
                ok = ray_hits_layer(sat0[todo], cand, 0.0)
            los[todo[ok]] = cand[ok]
            todo = todo[~ok]
        got = np.all(np.isfinite(los), axis=1)
        k, t_k, sat0, los = k[got], t_k[got], sat0[got], los[got]
        m = k.size
        t = t_k + self.scan_phase(sat0, los) * period
        sat = sat_at(t)
        visible = np.ones(m, dtype=bool)
        if not limb:
            ground = sat0 + ray_layer_range(sat0, los, 0.0)[:, None] * los
            los = _unit(ground - sat)
            visible = line_of_sight_clear(sat, ground)  # the satellite moved during the scan
        snr_meas = p.threshold_snr + rng.exponential(1.0, m)
        cond = condition(self.sensor_id, events, t)
        keep = ~cond.outage & (t < t_end_s) & visible
        nei = p.nei_w_m2 / cond.snr_factor
        idx = np.flatnonzero(keep)
        cols = self._measure(rng, t[idx], k[idx], sat[idx], los[idx], snr_meas[idx], nei[idx])
        return Observations("ir", cols, np.full(idx.size, "clutter"))
