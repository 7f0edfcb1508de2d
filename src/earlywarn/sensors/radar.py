"""Land-based early-warning radars: faces, horizon, R⁻⁴ sensitivity, Swerling I detection.

Model (notional, open-literature level)
---------------------------------------
* **Coverage.** A radar has one or more *faces*; a face covers azimuths within
  ``half_width_deg`` of its boresight and elevations in ``[el_min_deg, el_max_deg]``,
  measured from the local horizontal at the site (normal to the WGS84 ellipsoid, via
  :func:`earlywarn.earth.frames.ecef_to_aer`), out to ``max_range_km``. The Earth must not
  block the line of sight (:func:`~earlywarn.sensors.background.line_of_sight_clear` on the
  ellipsoid). For a spherical Earth of radius R the lowest visible altitude at central
  angle θ and minimum elevation ε is h = R·[cos ε / cos(ε + θ) − 1] (e.g. Skolnik,
  *Introduction to Radar Systems*, 3rd ed., §8.2 geometry; also Wertz & Larson eq. 5-17).
* **Sensitivity.** Mean SNR scales as σ/R⁴ (the radar equation):
  SNR̄ = T · (σ / σ_ref) · (R_ref / R)⁴ · f, where T is the detection threshold, so that
  a ``ref_rcs_m2`` target at ``ref_range_km`` has SNR̄ = T (the "detection range" of the
  reference target, where Pd ≈ 0.39 for Pfa = 1e-6), and f is the degradation factor.
* **Detection: Swerling I, square-law.** Per scan the echo power (normalised to noise)
  is z = (1 + SNR̄)·X with X ~ Exp(1) — the target cross section is exponentially
  distributed, constant over the scan, and independent from scan to scan — and the radar
  declares a detection when z > T with T = −ln Pfa (noise alone is Exp(1), so
  P(z > T | noise) = Pfa). Hence Pd = exp(−T / (1 + SNR̄)) (Swerling 1957; Skolnik §2.8;
  Richards, *Fundamentals of Radar Signal Processing*, eq. 6.63 for one pulse). The
  reported ``snr`` is the measured z − 1.
* **Measurements.** Range, azimuth, elevation and range rate with independent Gaussian
  errors of the stated sigmas (azimuth wrapped to [0, 2π)).
* **False alarms.** Per face and scan a Poisson number (``false_alarms_per_scan``) placed
  uniformly in the face's coverage volume (azimuth uniform in the sector, sin(elevation)
  uniform, range with density ∝ R² between ``min_range_km`` and ``max_range_km``), range
  rate uniform in ±``max_range_rate_m_s``, snr = T + Exp(1) − 1 (noise above threshold).
  The rate is a parameter, not derived from Pfa (the number of resolution cells is not
  modelled).
* **Timing.** Every face scans at ``k · revisit_s`` (k integer from the scenario epoch);
  ``scan_id`` is k.
* **Range ambiguity** (only when ``pri_s`` is set; ``None`` keeps the unambiguous model
  above, bit for bit). A pulsed radar measures range as the delay since the *last*
  pulse, so an echo of a pulse sent n intervals earlier — a "second-time-around" (or
  multiple-time-around) echo — appears at R mod R_u, with R_u = c · PRI / 2 the
  unambiguous range (Skolnik, *Introduction to Radar Systems*, 3rd ed., §2.10; 1st ed.
  1962, §2.9 "Multiple-time-around echoes"). Such an echo is reported when the target
  is inside a face's sector and elevation band with a clear line of sight, at *any*
  true range (also beyond ``max_range_km``), its folded range R mod R_u falls in the
  instrumented window ``[min_range_km, max_range_km]``, and it passes the detection
  test with the SNR of its **true** range (the R⁻⁴ law does not fold). Angles and range
  rate (Doppler, measured pulse to pulse) are those of the target. ``max_range_km`` may
  not exceed R_u (a window past R_u could hold only folded echoes). Not modelled: the
  echo's spread in range (the Moon is 1,737 km deep: its echo lasts 11.6 ms, longer
  than a pulse; the leading edge, the sub-radar point, is what is reported) and
  staggered PRIs, which a radar uses precisely to unmask such echoes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.earth.frames import ecef_to_aer, geodetic_to_ecef
from earlywarn.flight.truth import Trajectories
from earlywarn.sensors.background import (
    Observations,
    child_seed,
    frame_range,
    line_of_sight_clear,
    sample_pairs,
    window_pairs,
)
from earlywarn.sensors.events import Event, condition

C_M_S = 299_792_458.0
"""Speed of light in vacuum (exact, SI)."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _finite_pos(cls: str, name: str, v: float, allow_zero: bool = False) -> None:
    ok = math.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if not ok:
        raise ValueError(
            f"{cls}.{name}: got {v!r}; expected a finite number {'>=' if allow_zero else '>'} 0"
        )


@dataclass(frozen=True)
class RadarFace:
    """One face of a phased-array radar (angles in degrees at this edge)."""

    face_id: str
    boresight_az_deg: float
    half_width_deg: float = 60.0
    el_min_deg: float = 3.0
    el_max_deg: float = 85.0

    def __post_init__(self) -> None:
        if not self.face_id:
            raise ValueError("RadarFace.face_id: got ''; expected a non-empty name")
        if not 0 < self.half_width_deg <= 180:
            raise ValueError(
                f"RadarFace.half_width_deg: got {self.half_width_deg!r}; expected (0, 180]"
            )
        if not -10 <= self.el_min_deg < self.el_max_deg <= 90:
            raise ValueError(
                f"RadarFace elevations: el_min_deg={self.el_min_deg!r}, "
                f"el_max_deg={self.el_max_deg!r}; expected -10 <= el_min < el_max <= 90"
            )


@dataclass(frozen=True)
class Radar:
    """A ground radar at a WGS84 site with one or more faces.

    Defaults are notional (a large UHF early-warning radar, open-literature order of
    magnitude): 1 m² seen at 5,000 km with SNR̄ = threshold, Pfa 1e-6, 6,000 km
    instrumented range, a 5 s revisit, sigmas 50 m / 2 mrad / 2 mrad / 5 m/s, 0.02 false
    alarms per face per scan; no pulse repetition interval (``pri_s`` None: no range
    ambiguity).
    """

    sensor_id: str
    lat_deg: float
    lon_deg: float
    h_m: float
    faces: tuple[RadarFace, ...]
    ref_range_km: float = 5000.0
    ref_rcs_m2: float = 1.0
    pfa: float = 1e-6
    max_range_km: float = 6000.0
    min_range_km: float = 50.0
    revisit_s: float = 5.0
    sigma_range_m: float = 50.0
    sigma_azimuth_rad: float = 2e-3
    sigma_elevation_rad: float = 2e-3
    sigma_range_rate_m_s: float = 5.0
    false_alarms_per_scan: float = 0.02
    max_range_rate_m_s: float = 8000.0
    pri_s: float | None = None
    kind: str = field(default="radar", init=False)

    def __post_init__(self) -> None:
        if not self.sensor_id:
            raise ValueError("Radar.sensor_id: got ''; expected a non-empty id")
        if not -90 <= self.lat_deg <= 90:
            raise ValueError(f"Radar.lat_deg: got {self.lat_deg!r}; expected [-90, 90]")
        if not -180 <= self.lon_deg <= 180:
            raise ValueError(f"Radar.lon_deg: got {self.lon_deg!r}; expected [-180, 180]")
        if not math.isfinite(self.h_m):
            raise ValueError(f"Radar.h_m: got {self.h_m!r}; expected a finite height in m")
        faces = tuple(self.faces)
        object.__setattr__(self, "faces", faces)
        if not faces or not all(isinstance(f, RadarFace) for f in faces):
            raise ValueError("Radar.faces: expected a non-empty sequence of RadarFace")
        ids = [f.face_id for f in faces]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Radar.faces: face ids {ids} must be unique")
        for name in (
            "ref_range_km",
            "ref_rcs_m2",
            "max_range_km",
            "revisit_s",
            "max_range_rate_m_s",
        ):
            _finite_pos("Radar", name, getattr(self, name))
        for name in (
            "min_range_km",
            "sigma_range_m",
            "sigma_azimuth_rad",
            "sigma_elevation_rad",
            "sigma_range_rate_m_s",
            "false_alarms_per_scan",
        ):
            _finite_pos("Radar", name, getattr(self, name), allow_zero=True)
        if not 0 < self.pfa < 1:
            raise ValueError(f"Radar.pfa: got {self.pfa!r}; expected 0 < pfa < 1")
        if self.min_range_km >= self.max_range_km:
            raise ValueError("Radar: min_range_km must be below max_range_km")
        if self.pri_s is not None:
            _finite_pos("Radar", "pri_s", self.pri_s)
            ru_km = self.unambiguous_range_m / 1e3
            if ru_km < self.max_range_km:
                need_ms = 2e6 * self.max_range_km / C_M_S
                raise ValueError(
                    f"Radar.pri_s: got {self.pri_s!r} s, an unambiguous range c·PRI/2 = "
                    f"{ru_km:,.0f} km below max_range_km = {self.max_range_km:,.0f}; "
                    f"expected a PRI of at least {need_ms:.3f} ms (or a shorter max range)"
                )

    # ---- geometry -----------------------------------------------------------------------

    @property
    def lat_rad(self) -> float:
        return math.radians(self.lat_deg)

    @property
    def lon_rad(self) -> float:
        return math.radians(self.lon_deg)

    @property
    def site_ecef_m(self) -> FloatArray:
        return geodetic_to_ecef(self.lat_rad, self.lon_rad, self.h_m)

    @property
    def threshold(self) -> float:
        """Normalised square-law threshold T = −ln Pfa."""
        return -math.log(self.pfa)

    def measure(
        self, r_ecef_m: FloatArray, v_ecef_m_s: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """True (azimuth, elevation, range, range rate) of ECEF states seen from the site."""
        r = np.asarray(r_ecef_m, dtype=np.float64)
        az, el, rng = ecef_to_aer(r, self.lat_rad, self.lon_rad, self.h_m)
        if v_ecef_m_s is None:
            rr = np.zeros_like(rng)
        else:
            d = r - self.site_ecef_m
            with np.errstate(invalid="ignore", divide="ignore"):
                rr = np.einsum("...i,...i->...", d, np.asarray(v_ecef_m_s)) / rng
        return az, el, rng, rr

    @property
    def unambiguous_range_m(self) -> float:
        """R_u = c · PRI / 2 (infinite without a PRI)."""
        return math.inf if self.pri_s is None else 0.5 * C_M_S * self.pri_s

    def folded_range_m(self, range_m: npt.ArrayLike) -> FloatArray:
        """The range at which an echo from true range R appears: R mod R_u (R without a
        PRI)."""
        r = np.asarray(range_m, dtype=np.float64)
        return r if self.pri_s is None else np.asarray(np.mod(r, self.unambiguous_range_m))

    def coverage(self, r_ecef_m: FloatArray, window: bool = True) -> BoolArray:
        """``(..., n_faces)``: inside each face's sector, elevation band and range, with a
        clear line of sight. NaN positions are not covered. With ``window=False`` the
        true range is not limited (the folded range is checked by the caller)."""
        r = np.asarray(r_ecef_m, dtype=np.float64)
        az, el, rng, _ = self.measure(r)
        clear = line_of_sight_clear(self.site_ecef_m, r)
        ok = clear & np.isfinite(rng)
        if window:
            ok = ok & (rng <= self.max_range_km * 1e3) & (rng >= self.min_range_km * 1e3)
        cols = []
        for f in self.faces:
            daz = np.mod(az - math.radians(f.boresight_az_deg) + math.pi, 2 * math.pi) - math.pi
            cols.append(
                ok
                & (np.abs(daz) <= math.radians(f.half_width_deg))
                & (el >= math.radians(f.el_min_deg))
                & (el <= math.radians(f.el_max_deg))
            )
        return np.stack(cols, axis=-1)

    def mean_snr(self, rcs_m2: FloatArray, range_m: FloatArray) -> FloatArray:
        """SNR̄ = T · (σ/σ_ref) · (R_ref/R)⁴ (no degradation)."""
        return np.asarray(
            self.threshold
            * (np.asarray(rcs_m2) / self.ref_rcs_m2)
            * (self.ref_range_km * 1e3 / np.asarray(range_m)) ** 4
        )

    def detection_probability(self, mean_snr: FloatArray) -> FloatArray:
        """Swerling I, square law: Pd = exp(−T / (1 + SNR̄))."""
        return np.asarray(np.exp(-self.threshold / (1.0 + np.asarray(mean_snr))))

    def candidate_windows(
        self, truth: Trajectories
    ) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray]:
        """``(object, t_lo, t_hi)``: the stretches of each object's life where it *may* be
        inside this radar's coverage; outside them it certainly is not.

        Vectorised over every object's samples. Between samples ``j`` and ``j + 1`` (``h``
        apart) a point of the path is within ``reach`` = 1.5 · max(|v_j|, |v_j+1|) · h/2
        + 1 km of the nearer end (the factor 1.5 and the kilometre are slack for the
        interpolant's own speed), so the interval is dropped when both ends are farther
        than ``max_range + reach`` from the site (no range cut with a pulse interval: a
        target at any range may fold into the window), or both lie more than ``reach`` below
        the lowest height above the site's horizontal plane that any face can see
        (``max_range · sin(el_min)`` for a negative lowest elevation, else 0). Kept
        intervals are merged into runs; an object with one sample keeps its instant.
        Every (object, scan) pair in coverage lies in a window, in the same order as in
        the whole lives, so detections and their random draws are unchanged.
        """
        ts, r, v = truth.t_s, truth.r_ecef_m, truth.v_ecef_m_s
        n = ts.shape[0]
        if n == 0:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        lat, lon = self.lat_rad, self.lon_rad
        up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
        d = r - self.site_ecef_m
        with np.errstate(invalid="ignore"):
            rng = np.sqrt(np.einsum("nki,nki->nk", d, d))
            height = d @ up
            speed = np.sqrt(np.einsum("nki,nki->nk", v, v))
            valid = np.isfinite(ts) & np.isfinite(rng) & np.isfinite(speed)
            both = valid[:, 1:] & valid[:, :-1]
            h = ts[:, 1:] - ts[:, :-1]
            reach = 1.5 * np.maximum(speed[:, 1:], speed[:, :-1]) * 0.5 * h + 1e3
            max_range = self.max_range_km * 1e3
            el_min = min(f.el_min_deg for f in self.faces)
            floor = min(0.0, max_range * math.sin(math.radians(el_min)))
            # with a pulse interval, a target at any range may fold into the window
            reach_max = max_range if self.pri_s is None else math.inf
            near = np.minimum(rng[:, 1:], rng[:, :-1]) - reach <= reach_max
            above = np.maximum(height[:, 1:], height[:, :-1]) + reach >= floor
        keep = both & near & above
        edges = np.diff(np.pad(keep.astype(np.int8), ((0, 0), (1, 1))), axis=1)
        r0, c0 = np.nonzero(edges == 1)  # first kept interval of each run
        r1, c1 = np.nonzero(edges == -1)  # one past the last: its end sample is c1
        single = np.flatnonzero(valid.sum(axis=1) == 1)
        obj = np.concatenate([r0, single]).astype(np.int64)
        lo = np.concatenate([ts[r0, c0], ts[single, 0]])
        hi = np.concatenate([ts[r1, c1], ts[single, 0]])
        order = np.lexsort((lo, obj))  # object by object, in time: the whole lives' order
        return obj[order], lo[order], hi[order]

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
        """Detections and false alarms of every face at every scan in ``[t_start_s, t_end_s)``.

        Random streams (children of ``seed``): 0 targets, 1 false alarms.
        """
        del epoch  # the radar is Earth-fixed: no ephemeris or Sun needed
        rng_t = np.random.default_rng(child_seed(seed, 0))
        rng_f = np.random.default_rng(child_seed(seed, 1))
        period = self.revisit_s
        thr = self.threshold
        n_faces = len(self.faces)
        face_ids = np.array([f.face_id for f in self.faces])

        # targets: only (object, scan) pairs where the object may be in coverage
        w_obj, w_lo, w_hi = self.candidate_windows(truth)
        win, k = window_pairs(w_lo, w_hi, period, t_start_s, t_end_s)
        obj = w_obj[win]
        t = np.asarray(k * period, dtype=np.float64)
        r, v, _, alive = sample_pairs(truth, obj, t)
        folds = self.pri_s is not None
        cov = self.coverage(r, window=not folds) & alive[:, None]
        pi, fi = np.nonzero(cov)
        az, el, rng, rr = self.measure(r[pi], v[pi])
        if folds:  # second-time-around echoes: keep what folds into the window
            seen = self.folded_range_m(rng)
            inside = (seen >= self.min_range_km * 1e3) & (seen <= self.max_range_km * 1e3)
            pi, fi, az, el, rr = pi[inside], fi[inside], az[inside], el[inside], rr[inside]
            rng, seen = rng[inside], seen[inside]
        else:
            seen = rng
        tt = t[pi]
        cond = condition(self.sensor_id, events, tt)
        snr_bar = self.mean_snr(truth.rcs_m2[obj[pi]], rng) * cond.snr_factor
        z = (1.0 + snr_bar) * rng_t.exponential(1.0, pi.size)
        noise = rng_t.standard_normal((pi.size, 4))
        det = (z > thr) & ~cond.outage
        tgt = {
            "t_s": tt[det],
            "range_m": (seen + self.sigma_range_m * noise[:, 0])[det],
            "azimuth_rad": np.mod(az + self.sigma_azimuth_rad * noise[:, 1], 2 * math.pi)[det],
            "elevation_rad": np.clip(
                el + self.sigma_elevation_rad * noise[:, 2], -0.5 * math.pi, 0.5 * math.pi
            )[det],
            "range_rate_m_s": (rr + self.sigma_range_rate_m_s * noise[:, 3])[det],
            "snr": (z - 1.0)[det],
            "face_id": face_ids[fi[det]],
            "scan_id": k[pi][det],
        }
        tgt_label = (
            np.asarray(truth.object_id, dtype=np.str_)[obj[pi][det]]
            if det.any()
            else (np.zeros(0, dtype="<U1"))
        )

        # false alarms: Poisson per face and scan, uniform in the coverage volume
        scans = frame_range(period, t_start_s, t_end_s)
        counts = rng_f.poisson(self.false_alarms_per_scan, (scans.size, n_faces))
        si, sf = np.nonzero(counts)
        rep = counts[si, sf]
        fk = np.repeat(scans[si], rep)
        ff = np.repeat(sf, rep)
        m = fk.size
        u = rng_f.random((m, 5))
        bore = np.radians([f.boresight_az_deg for f in self.faces])[ff]
        half = np.radians([f.half_width_deg for f in self.faces])[ff]
        e0 = np.radians([f.el_min_deg for f in self.faces])[ff]
        e1 = np.radians([f.el_max_deg for f in self.faces])[ff]
        fa_az = np.mod(bore + (2 * u[:, 0] - 1) * half, 2 * math.pi)
        fa_el = np.arcsin(np.sin(e0) + u[:, 1] * (np.sin(e1) - np.sin(e0)))
        r0, r1 = self.min_range_km * 1e3, self.max_range_km * 1e3
        fa_rng = np.cbrt(r0**3 + u[:, 2] * (r1**3 - r0**3))
        fa_rr = (2 * u[:, 3] - 1) * self.max_range_rate_m_s
        fa_snr = thr + rng_f.exponential(1.0, m) - 1.0
        fa_t = fk * period
        keep = ~condition(self.sensor_id, events, fa_t).outage
        fa = {
            "t_s": fa_t[keep],
            "range_m": fa_rng[keep],
            "azimuth_rad": fa_az[keep],
            "elevation_rad": fa_el[keep],
            "range_rate_m_s": fa_rr[keep],
            "snr": fa_snr[keep],
            "face_id": face_ids[ff[keep]] if m else np.zeros(0, dtype="<U1"),
            "scan_id": fk[keep],
        }
        n_fa = int(keep.sum())
        cols: dict[str, npt.NDArray[np.generic]] = {
            name: np.concatenate([np.asarray(tgt[name]), np.asarray(fa[name])]) for name in tgt
        }
        n = cols["t_s"].size
        cols["site_lat_rad"] = np.full(n, self.lat_rad)
        cols["site_lon_rad"] = np.full(n, math.radians(((self.lon_deg + 180) % 360) - 180))
        cols["site_h_m"] = np.full(n, float(self.h_m))
        cols["sigma_range_m"] = np.full(n, self.sigma_range_m)
        cols["sigma_azimuth_rad"] = np.full(n, self.sigma_azimuth_rad)
        cols["sigma_elevation_rad"] = np.full(n, self.sigma_elevation_rad)
        cols["sigma_range_rate_m_s"] = np.full(n, self.sigma_range_rate_m_s)
        label = np.concatenate([tgt_label, np.full(n_fa, "false_alarm")]).astype(np.str_)
        return Observations("radar", cols, label)
