"""Orbits of the infrared early-warning satellites: Kepler + J2 secular, GEO, Molniya, TLE/OMM.

Two kinds of orbit, one batch function for both:

* :class:`KeplerOrbit` — classical elements at the scenario epoch, propagated with the J2
  *secular* drift of the node, the argument of perigee and the mean anomaly (Vallado,
  *Fundamentals of Astrodynamics and Applications*, 4th ed., §9.6, eqs. 9-41 to 9-43, with
  Brouwer's first-order correction of the mean motion). Short-period J2 terms (amplitude
  of order J2 R²/r: 1.6 km at GEO, a few km near a Molniya perigee) are left out: the
  elements are *mean* elements. Kepler's equation is solved by vectorised Newton iteration.
  The velocity is the exact time derivative of that position model (the drifting node and
  perigee included), so finite differences of the positions reproduce it.
* :class:`Sgp4Orbit` — a NORAD element set (two-line elements or a CCSDS OMM in the common
  JSON key layout) propagated by the ``sgp4`` library; all such satellites go through one
  :class:`sgp4.api.SatrecArray` call.

:func:`ephemeris_ecef` takes any mix of both, a scenario epoch and times ``t_s`` (seconds
since the epoch, any shape ``T``) and returns positions and velocities ``(n_sat, *T, 3)``
in metres and m/s plus a ``(n_sat, *T)`` status (0 = good, else the sgp4 error code of
:data:`STATUS_TEXT`; those samples are NaN). Nothing in a batch raises.

Frames: the inertial frame is SGP4's TEME (true equator, mean equinox); it turns into ECEF
by the IAU-82 Greenwich mean sidereal angle only (:func:`earlywarn.earth.time.gmst_rad`),
the project's convention. Polar motion (< 15 m) and UT1 − UTC (< 0.9 s, i.e. < 0.004° of
Earth rotation) are neglected.

Presets :func:`geo` and :func:`molniya` are pinned to the ground, not to the sky: their node
is stored as an Earth-fixed longitude (``node_frame="earth_fixed"``), so a GEO satellite at
60° E is over 60° E whatever the scenario epoch.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from sgp4 import omm as sgp4_omm
from sgp4.api import SGP4_ERRORS, WGS72, Satrec, SatrecArray

from earlywarn.earth.constants import A_M, GM_M3_S2, J2, R_MEAN_M, SIDEREAL_DAY_S
from earlywarn.earth.frames import inertial_to_ecef
from earlywarn.earth.time import JD_UNIX_EPOCH, gmst_rad, parse_utc

FloatArray = npt.NDArray[np.float64]
StatusArray = npt.NDArray[np.uint8]
NodeFrame = Literal["inertial", "earth_fixed"]

_TWO_PI = 2.0 * math.pi

GMST_RATE_RAD_S: float = _TWO_PI * (1.0 + 8640184.812866 / (86400.0 * 36525.0)) / 86400.0
"""Rate of the IAU-82 Greenwich mean sidereal angle (the derivative of the linear term of
Vallado eq. 3-45), 7.2921158553e-5 rad/s: the rate at which this project's inertial frame
turns into ECEF. Differs from WGS84's ω by 8.6e-12 rad/s (4e-5° a day)."""

STATUS_TEXT: dict[int, str] = {0: "ok", **SGP4_ERRORS}
"""Meaning of the per-sample status codes of an :class:`Ephemeris` (the sgp4 codes)."""


# --------------------------------------------------------------------------------------
# Two-body relations and J2 secular rates
# --------------------------------------------------------------------------------------


def semi_major_axis_m(period_s: npt.ArrayLike, gm: float = GM_M3_S2) -> FloatArray:
    """Semi-major axis (m) of a two-body orbit of the given period: a = (μ T²/4π²)^(1/3)."""
    t = np.asarray(period_s, dtype=np.float64)
    return np.asarray(np.cbrt(gm * (t / _TWO_PI) ** 2))


def period_s(a_m: npt.ArrayLike, gm: float = GM_M3_S2) -> FloatArray:
    """Two-body (Keplerian) period (s) for semi-major axis ``a_m``: T = 2π √(a³/μ)."""
    a = np.asarray(a_m, dtype=np.float64)
    return np.asarray(_TWO_PI * np.sqrt(a**3 / gm))


def j2_secular_rates(
    a_m: npt.ArrayLike, e: npt.ArrayLike, i_rad: npt.ArrayLike, j2: npt.ArrayLike = J2
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Secular rates (rad/s) of RAAN, argument of perigee and mean anomaly under J2.

    Vallado 4th ed. §9.6 (eqs. 9-41, 9-42, 9-43), with p = a(1 − e²), R = WGS84 a::

        Ω̇ = −(3/2) n J2 (R/p)² cos i
        ω̇ =  (3/4) n J2 (R/p)² (4 − 5 sin² i)
        Ṁ = n̄ = n [1 + (3/4) J2 (R/p)² √(1 − e²) (2 − 3 sin² i)]

    ``a_m`` is the mean semi-major axis and n = √(μ/a³); Ṁ is Brouwer's corrected (anomalistic)
    mean motion. ``j2 = 0`` gives the two-body rates (0, 0, n). Broadcasts over all inputs.
    """
    a, ecc, inc, jj = (np.asarray(x, dtype=np.float64) for x in (a_m, e, i_rad, j2))
    n = np.sqrt(GM_M3_S2 / a**3)
    p = a * (1.0 - ecc * ecc)
    k = jj * (A_M / p) ** 2
    s2 = np.sin(inc) ** 2
    raan_dot = -1.5 * n * k * np.cos(inc)
    argp_dot = 0.75 * n * k * (4.0 - 5.0 * s2)
    m_dot = n * (1.0 + 0.75 * k * np.sqrt(1.0 - ecc * ecc) * (2.0 - 3.0 * s2))
    return np.asarray(raan_dot), np.asarray(argp_dot), np.asarray(m_dot)


def solve_kepler(
    mean_anomaly_rad: npt.ArrayLike, e: npt.ArrayLike, tol: float = 1e-14, max_iter: int = 50
) -> FloatArray:
    """Eccentric anomaly E (rad, in (−π, π]) solving M = E − e sin E, elementwise.

    Newton's method from Vallado's start E₀ = M ± e (Vallado 4th ed. Algorithm 2), which
    converges for every 0 ≤ e < 1; iterations stop when the largest step is below ``tol``.
    The loop runs over iterations (≲ 10 for e ≤ 0.99), never over samples.
    """
    m = np.mod(np.asarray(mean_anomaly_rad, dtype=np.float64) + math.pi, _TWO_PI) - math.pi
    ecc = np.asarray(e, dtype=np.float64)
    m, ecc = np.broadcast_arrays(m, ecc)
    big = np.where(m < 0.0, -1.0, 1.0)
    ea = m + ecc * big
    for _ in range(max_iter):
        step = (ea - ecc * np.sin(ea) - m) / (1.0 - ecc * np.cos(ea))
        ea = ea - step
        if not np.any(np.abs(step) > tol):  # NaN-safe: NaN compares False
            break
    return np.asarray(ea)


# --------------------------------------------------------------------------------------
# Orbits
# --------------------------------------------------------------------------------------


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{kind}.name: got {name!r}; a non-empty text name is required")


@dataclass(frozen=True)
class KeplerOrbit:
    """Mean Keplerian elements at the scenario epoch, propagated with J2 secular drift.

    Attributes
    ----------
    name : text identifying the satellite in reports.
    a_m : mean semi-major axis, m.
    e : eccentricity, 0 ≤ e < 1.
    i_rad : inclination, [0, π].
    raan_rad : with ``node_frame="inertial"``, the right ascension of the ascending node in
        the inertial (TEME) frame at the scenario epoch; with ``node_frame="earth_fixed"``,
        the Earth-fixed (Greenwich) longitude of the ascending node at the scenario epoch,
        i.e. RAAN − GMST(epoch). The presets use the latter so they stay over the ground.
    argp_rad : argument of perigee at the scenario epoch.
    mean_anomaly_rad : mean anomaly at the scenario epoch.
    node_frame : ``"inertial"`` or ``"earth_fixed"`` (see ``raan_rad``).
    j2 : include the J2 secular rates (True) or propagate two-body (False).
    """

    name: str
    a_m: float
    e: float
    i_rad: float
    raan_rad: float
    argp_rad: float
    mean_anomaly_rad: float
    node_frame: NodeFrame = "inertial"
    j2: bool = True

    def __post_init__(self) -> None:
        _check_name("KeplerOrbit", self.name)
        where = f"KeplerOrbit {self.name!r}"
        for fname in ("a_m", "e", "i_rad", "raan_rad", "argp_rad", "mean_anomaly_rad"):
            value = getattr(self, fname)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
                raise ValueError(f"{where}: {fname} = {value!r}; a real number is required")
            if not math.isfinite(float(value)):
                raise ValueError(f"{where}: {fname} = {value!r}; a finite number is required")
        if not 0.0 <= self.e < 1.0:
            raise ValueError(
                f"{where}: e = {self.e!r}; eccentricity must be in [0, 1) (closed orbits only)"
            )
        if not 0.0 <= self.i_rad <= math.pi:
            raise ValueError(
                f"{where}: i_rad = {self.i_rad!r} ({math.degrees(self.i_rad):.4g}°); "
                "inclination must be in [0, π] rad (0–180°)"
            )
        if self.a_m <= 0.0:
            raise ValueError(f"{where}: a_m = {self.a_m!r}; semi-major axis must be > 0 m")
        rp = self.a_m * (1.0 - self.e)
        if rp <= A_M:
            raise ValueError(
                f"{where}: perigee radius a(1 − e) = {rp / 1e3:.3f} km, i.e. perigee altitude "
                f"{(rp - A_M) / 1e3:.3f} km, is below the Earth's surface; the perigee radius "
                f"must exceed the equatorial radius {A_M / 1e3:.3f} km"
            )
        if self.node_frame not in ("inertial", "earth_fixed"):
            raise ValueError(
                f"{where}: node_frame = {self.node_frame!r}; allowed: 'inertial', 'earth_fixed'"
            )
        if not isinstance(self.j2, (bool, np.bool_)):
            raise ValueError(f"{where}: j2 = {self.j2!r}; True or False is required")

    @property
    def perigee_radius_m(self) -> float:
        """r_p = a(1 − e), m."""
        return self.a_m * (1.0 - self.e)

    @property
    def apogee_radius_m(self) -> float:
        """r_a = a(1 + e), m."""
        return self.a_m * (1.0 + self.e)

    @property
    def period_s(self) -> float:
        """Two-body period 2π√(a³/μ), s (the anomalistic period with J2 is 2π/Ṁ)."""
        return float(period_s(self.a_m))

    def secular_rates(self) -> tuple[float, float, float]:
        """(Ω̇, ω̇, Ṁ) in rad/s used in propagation (two-body values if ``j2`` is False)."""
        rates = j2_secular_rates(self.a_m, self.e, self.i_rad, J2 if self.j2 else 0.0)
        return float(rates[0]), float(rates[1]), float(rates[2])

    def inertial_raan_rad(self, epoch: datetime | str) -> float:
        """Right ascension of the ascending node (rad, inertial) at the scenario epoch."""
        if self.node_frame == "inertial":
            return self.raan_rad
        return float(self.raan_rad + gmst_rad(parse_utc(epoch), 0.0))


@dataclass(frozen=True)
class Sgp4Orbit:
    """A NORAD element set propagated with SGP4/SDP4 (the ``sgp4`` library).

    Build one with :func:`tle_orbit`, :func:`omm_orbit`, :func:`parse_tle` or
    :func:`parse_omm`. ``source`` is the text it came from (the two TLE lines, or the OMM
    as canonical JSON) and is what equality and hashing use; ``satrec`` is the initialised
    :class:`sgp4.api.Satrec`, treat it as read-only.
    """

    name: str
    source: str
    satrec: Any = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name("Sgp4Orbit", self.name)

    @property
    def norad_id(self) -> int:
        """NORAD catalogue number."""
        return int(self.satrec.satnum)

    @property
    def element_epoch(self) -> datetime:
        """Epoch of the element set (UTC, aware)."""
        jd = float(self.satrec.jdsatepoch) - JD_UNIX_EPOCH + float(self.satrec.jdsatepochF)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(jd * 86400e6))


Orbit = KeplerOrbit | Sgp4Orbit
"""Any orbit :func:`ephemeris_ecef` accepts."""


# --------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------


def geostationary_radius_m(j2: bool = True) -> float:
    """Orbit radius (m) at which an equatorial circular orbit keeps pace with GMST.

    Two-body: a = (μ/θ̇²)^(1/3) = 42,164.2 km. With J2 the sub-satellite longitude moves at
    Ω̇ + ω̇ + Ṁ − θ̇ = n(1 + 3 J2 (R/a)²) − θ̇ (the rates of :func:`j2_secular_rates` at
    e = i = 0), so the *mean* semi-major axis that holds the longitude is 2.1 km larger
    (42,166.3 km); the two-body value would drift 0.027°/day eastward. Solved by fixed-point
    iteration. The model puts the satellite at radius ā; the exact circular geostationary
    radius under J2 (ω² r³ = μ(1 + 1.5 J2 (R/r)²)) is 42,164.7 km. The 1.6 km difference is
    the short-period J2 term this mean-element model omits; seen from the ground it moves
    the line of sight by under 10″.
    """
    w = GMST_RATE_RAD_S
    a = float(np.cbrt(GM_M3_S2 / w**2))
    if not j2:
        return a
    for _ in range(20):
        a = float(np.cbrt(GM_M3_S2 * (1.0 + 3.0 * J2 * (A_M / a) ** 2) ** 2 / w**2))
    return a


def _finite(where: str, fname: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise ValueError(f"{where}: {fname} = {value!r}; a real number is required")
    if not math.isfinite(float(value)):
        raise ValueError(f"{where}: {fname} = {value!r}; a finite number is required")
    return float(value)


def geo(lon_deg: float, name: str | None = None, j2: bool = True) -> KeplerOrbit:
    """A geostationary satellite over longitude ``lon_deg`` (east positive).

    Circular, equatorial, at :func:`geostationary_radius_m` so that it holds its longitude
    under the J2 secular model. The node is Earth-fixed (RAAN − GMST = 0) and the mean
    anomaly equals the longitude, so at the scenario epoch — any epoch — the sub-satellite
    point is (0°, ``lon_deg``).
    """
    lon = _finite("geo", "lon_deg", lon_deg)
    label = name if name is not None else f"GEO {lon:+.2f}E"
    return KeplerOrbit(
        name=label,
        a_m=geostationary_radius_m(j2),
        e=0.0,
        i_rad=0.0,
        raan_rad=0.0,
        argp_rad=0.0,
        mean_anomaly_rad=math.radians(lon),
        node_frame="earth_fixed",
        j2=j2,
    )


def molniya(
    apogee_lon_deg: float,
    phase_deg: float = 0.0,
    perigee_alt_km: float = 600.0,
    inclination_deg: float = 63.4,
    arg_perigee_deg: float = 270.0,
    name: str | None = None,
    j2: bool = True,
    hold_apogee_longitude: bool = False,
) -> KeplerOrbit:
    """A Molniya satellite: period half a sidereal day, apogee over ``apogee_lon_deg``.

    * a from T = SIDEREAL_DAY_S / 2 (two-body): 26,561.8 km; perigee altitude above the
      WGS84 equatorial radius; e = 1 − r_p/a (0.737 for 600 km). Angles in degrees.
    * Phase 0 is at apogee over ``apogee_lon_deg`` at the scenario epoch (t = 0).
    * ``phase_deg`` delays that along the *common ground track*: 360° is one sidereal day
      (the track's repeat period), so the satellite passes apogee over ``apogee_lon_deg`` at
      t = phase/360 × sidereal day. Its node is moved east by the Earth's turn in that time
      and its mean anomaly back, so phases 0, 90, 180, 270 make the classic 4-plane
      constellation (planes 90° apart in RAAN, an apogee over the longitude every 6 h and
      over the opposite longitude in between).
    * The epoch elements are set back from the target apogee with the J2 secular rates,
      so the stated apogee passes are exact in this model. Afterwards, because the period
      is the two-body one, J2 makes the apogee longitude drift west by 0.166°/day (defaults;
      node −0.145°/day, anomalistic period 2.6 s longer). The perigee is frozen at 63.4°
      (ω̇ = +0.0004°/day).
    * ``hold_apogee_longitude=True`` instead sizes a (26,553.6 km for the defaults) so that
      two anomalistic periods take exactly as long as the ground track needs to come back
      (Ṁ = 2(θ̇ − Ω̇ − ω̇ dα/du)): the apogee then stays over its longitude, as station-kept
      Molniyas do.
    """
    where = "molniya"
    lon_a = math.radians(_finite(where, "apogee_lon_deg", apogee_lon_deg))
    phase = _finite(where, "phase_deg", phase_deg)
    hp_km = _finite(where, "perigee_alt_km", perigee_alt_km)
    inc_deg = _finite(where, "inclination_deg", inclination_deg)
    argp = math.radians(_finite(where, "arg_perigee_deg", arg_perigee_deg))
    a = float(semi_major_axis_m(SIDEREAL_DAY_S / 2.0))
    max_hp_km = (a - A_M) / 1e3
    if not 0.0 < hp_km < max_hp_km:
        raise ValueError(
            f"molniya: perigee_alt_km = {hp_km!r}; allowed 0 < perigee_alt_km < "
            f"{max_hp_km:.1f} (above the surface and below a − R for a 12-sidereal-hour orbit)"
        )
    if not 0.0 <= inc_deg <= 180.0:
        raise ValueError(f"molniya: inclination_deg = {inc_deg!r}; allowed 0 to 180")
    rp = A_M + hp_km * 1e3
    inc = math.radians(inc_deg)
    jj = J2 if j2 else 0.0
    # Right ascension of apogee (argument of latitude u = ω + π) measured from the node,
    # and its rate of change with u (for the perigee drift's share of the apogee motion).
    u_apo = argp + math.pi
    ci, su, cu = math.cos(inc), math.sin(u_apo), math.cos(u_apo)
    d_alpha = math.atan2(ci * su, cu)
    d_alpha_du = ci / (cu * cu + ci * ci * su * su)
    if hold_apogee_longitude:
        for _ in range(30):  # fixed point on a; contracts by ~J2, converges in a few steps
            raan_dot, argp_dot, m_dot = j2_secular_rates(a, 1.0 - rp / a, inc, jj)
            target = 2.0 * (GMST_RATE_RAD_S - float(raan_dot) - float(argp_dot) * d_alpha_du)
            n_two_body = math.sqrt(GM_M3_S2 / a**3)
            a = float(np.cbrt(GM_M3_S2 / (target * n_two_body / float(m_dot)) ** 2))
    e = 1.0 - rp / a
    raan_dot, argp_dot, m_dot = j2_secular_rates(a, e, inc, jj)
    dt = phase / 360.0 * SIDEREAL_DAY_S
    # At t = dt: M = π, ω = argp, Earth-fixed node = lon_a − d_alpha; step back to t = 0.
    m0 = math.pi - float(m_dot) * dt
    argp0 = argp - float(argp_dot) * dt
    node0 = lon_a - d_alpha - (float(raan_dot) - GMST_RATE_RAD_S) * dt
    label = name if name is not None else f"MOLNIYA {math.degrees(lon_a):+.1f}E ph{phase:g}"
    return KeplerOrbit(
        name=label,
        a_m=a,
        e=e,
        i_rad=inc,
        raan_rad=float(np.mod(node0, _TWO_PI)),
        argp_rad=float(np.mod(argp0, _TWO_PI)),
        mean_anomaly_rad=float(np.mod(m0, _TWO_PI)),
        node_frame="earth_fixed",
        j2=j2,
    )


# --------------------------------------------------------------------------------------
# TLE and OMM input
# --------------------------------------------------------------------------------------

_EXP_FIELD = re.compile(r"^[ +-]?\d{5}[+-]\d$|^ *[+-]?0+ *$|^ +$")
_NUM = re.compile(r"^ *[+-]?(\d+\.?\d*|\.\d+) *$")


def _tle_checksum(line: str) -> int:
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _tle_number(line: str, no: int, cols: tuple[int, int], what: str, allowed: str) -> float:
    text = line[cols[0] - 1 : cols[1]]
    if not _NUM.match(text):
        raise ValueError(
            f"TLE line {no} columns {cols[0]}-{cols[1]} ({what}): got {text!r}; expected {allowed}"
        )
    return float(text)


def _check_tle(line1: str, line2: str) -> None:
    for no, line in ((1, line1), (2, line2)):
        if len(line) != 69:
            raise ValueError(
                f"TLE line {no}: {len(line)} characters ({line!r}); a TLE line has exactly 69"
            )
        if line[0] != str(no) or line[1] != " ":
            raise ValueError(
                f"TLE line {no} column 1: got {line[:2]!r}; a TLE line {no} starts with '{no} '"
            )
        if not line[68].isdigit() or int(line[68]) != _tle_checksum(line):
            raise ValueError(
                f"TLE line {no} column 69 (checksum): got {line[68]!r}; the digits of columns "
                f"1-68 (with '-' as 1) sum to {_tle_checksum(line)} modulo 10"
            )
    sat1, sat2 = line1[2:7], line2[2:7]
    if not re.match(r"^[ \dA-HJ-NP-Z]\d{4}$", sat1) or sat1 != sat2:
        raise ValueError(
            f"TLE columns 3-7 (catalogue number): line 1 has {sat1!r}, line 2 has {sat2!r}; "
            "expected the same 5-character (Alpha-5) number on both lines"
        )
    epoch = line1[18:32]
    if not re.match(r"^\d{2}[ \d]{2}\d\.\d+ *$", epoch) or not 1.0 <= float(epoch[2:]) < 367.0:
        raise ValueError(
            f"TLE line 1 columns 19-32 (epoch): got {epoch!r}; expected YYDDD.DDDDDDDD "
            "with day of year 1 to 366"
        )
    _tle_number(line1, 1, (34, 43), "first derivative of mean motion", "e.g. ' .00001234'")
    for cols, what in (((45, 52), "second derivative of mean motion"), ((54, 61), "BSTAR")):
        text = line1[cols[0] - 1 : cols[1]]
        if not _EXP_FIELD.match(text):
            raise ValueError(
                f"TLE line 1 columns {cols[0]}-{cols[1]} ({what}): got {text!r}; expected "
                "an assumed-decimal exponent field such as ' 12345-4'"
            )
    checks = (
        ((9, 16), "inclination, deg", 0.0, 180.0),
        ((18, 25), "right ascension of the ascending node, deg", 0.0, 360.0),
        ((35, 42), "argument of perigee, deg", 0.0, 360.0),
        ((44, 51), "mean anomaly, deg", 0.0, 360.0),
    )
    for cols, what, lo, hi in checks:
        v = _tle_number(line2, 2, cols, what, f"a number from {lo:g} to {hi:g}")
        if not lo <= v <= hi:
            raise ValueError(
                f"TLE line 2 columns {cols[0]}-{cols[1]} ({what}): got {v:g}; "
                f"allowed {lo:g} to {hi:g}"
            )
    ecc = line2[26:33]
    if not re.match(r"^\d{7}$", ecc):
        raise ValueError(
            f"TLE line 2 columns 27-33 (eccentricity, decimal point assumed): got {ecc!r}; "
            "expected 7 digits, e.g. '0001234' for 0.0001234"
        )
    n = _tle_number(line2, 2, (53, 63), "mean motion, rev/day", "a positive number")
    if n <= 0.0:
        raise ValueError(f"TLE line 2 columns 53-63 (mean motion, rev/day): got {n:g}; must be > 0")


def _check_init(sat: Any, what: str) -> None:
    code = int(sat.error)
    if code != 0:
        raise ValueError(
            f"{what}: sgp4 could not initialise these elements (error {code}: "
            f"{SGP4_ERRORS.get(code, 'unknown')}); check eccentricity, mean motion and BSTAR"
        )


def tle_orbit(line1: str, line2: str, name: str | None = None) -> Sgp4Orbit:
    """An :class:`Sgp4Orbit` from the two lines of a TLE (checked field by field).

    Columns, checksums and catalogue numbers are validated here because ``sgp4``'s parser
    silently accepts many malformed lines. ``name`` defaults to ``"NORAD <number>"``.
    """
    l1, l2 = line1.rstrip("\r\n "), line2.rstrip("\r\n ")
    _check_tle(l1, l2)
    sat = Satrec.twoline2rv(l1, l2, WGS72)
    label = name.strip() if name and name.strip() else f"NORAD {int(sat.satnum)}"
    _check_init(sat, f"TLE {label!r}")
    return Sgp4Orbit(name=label, source=f"{l1}\n{l2}", satrec=sat)


def parse_tle(text: str) -> list[Sgp4Orbit]:
    """Every element set in TLE text: two-line sets, or three-line sets with a name line.

    A name line may carry the conventional leading ``"0 "``. Blank lines are skipped. An
    error names the line of the text (1-based, blank lines counted) where the set starts.
    """
    lines = [(no, ln.rstrip()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    out: list[Sgp4Orbit] = []
    k = 0
    while k < len(lines):
        start, first = lines[k]
        name: str | None = None
        if not first.startswith("1 "):
            name = first[2:] if first.startswith("0 ") else first
            k += 1
        if k + 1 >= len(lines):
            raise ValueError(
                f"TLE text line {start}: the element set starting here is incomplete; "
                "expected an optional name line followed by line 1 and line 2"
            )
        try:
            out.append(tle_orbit(lines[k][1], lines[k + 1][1], name=name))
        except ValueError as exc:
            raise ValueError(f"TLE text line {start}: {exc}") from None
        k += 2
    return out


PathLike = str | Path | Traversable
"""A file: a path, or a :mod:`importlib.resources` entry such as the package's sample data."""


def _read_text(path: PathLike) -> str:
    return (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")


def load_tle(path: PathLike) -> list[Sgp4Orbit]:
    """Every element set in a TLE file (see :func:`parse_tle`)."""
    return parse_tle(_read_text(path))


_OMM_REQUIRED = (
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
)
# key -> (allowed low, allowed high, default or None if required, unit text)
_OMM_NUMBERS: dict[str, tuple[float, float, float | None, str]] = {
    "MEAN_MOTION": (0.0, 20.0, None, "rev/day, > 0"),
    "ECCENTRICITY": (0.0, 1.0, None, "0 ≤ e < 1"),
    "INCLINATION": (0.0, 180.0, None, "deg, 0 to 180"),
    "RA_OF_ASC_NODE": (0.0, 360.0, None, "deg, 0 to 360"),
    "ARG_OF_PERICENTER": (0.0, 360.0, None, "deg, 0 to 360"),
    "MEAN_ANOMALY": (0.0, 360.0, None, "deg, 0 to 360"),
    "BSTAR": (-1.0, 1.0, 0.0, "1/earth radii, |BSTAR| < 1"),
    "MEAN_MOTION_DOT": (-1.0, 1.0, 0.0, "rev/day², |value| < 1"),
    "MEAN_MOTION_DDOT": (-1.0, 1.0, 0.0, "rev/day³, |value| < 1"),
}


def _omm_epoch(value: object, where: str) -> datetime:
    text = str(value).strip()
    if text and not text.endswith(("Z", "z")) and not re.search(r"[+-]\d\d:\d\d$", text):
        text += "Z"  # CCSDS OMM epochs are UTC without a zone designator
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise ValueError(
            f"{where} EPOCH: got {value!r}; expected ISO 8601 UTC such as "
            "'2026-03-20T12:00:00.000000'"
        ) from exc


def omm_orbit(fields: Mapping[str, Any]) -> Sgp4Orbit:
    """An :class:`Sgp4Orbit` from one OMM in the common JSON layout (CelesTrak/Space-Track).

    Required keys: EPOCH, MEAN_MOTION (rev/day), ECCENTRICITY, INCLINATION, RA_OF_ASC_NODE,
    ARG_OF_PERICENTER, MEAN_ANOMALY (deg). Optional: OBJECT_NAME, OBJECT_ID, NORAD_CAT_ID,
    BSTAR, MEAN_MOTION_DOT, MEAN_MOTION_DDOT, CLASSIFICATION_TYPE, EPHEMERIS_TYPE,
    ELEMENT_SET_NO, REV_AT_EPOCH; if present, MEAN_ELEMENT_THEORY must be SGP4, REF_FRAME
    TEME, CENTER_NAME EARTH and TIME_SYSTEM UTC. Numbers may be JSON numbers or strings.
    Initialised through :func:`sgp4.omm.initialize` (``Satrec.sgp4init``, WGS72 constants).
    """
    if not isinstance(fields, Mapping):
        raise ValueError(f"OMM: got {type(fields).__name__}; expected a JSON object (mapping)")
    name_text = str(fields.get("OBJECT_NAME") or "").strip()
    where = f"OMM {name_text!r}" if name_text else "OMM"
    missing = [k for k in _OMM_REQUIRED if k not in fields or fields[k] in (None, "")]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}; required: {_OMM_REQUIRED}")
    for key, want in (
        ("MEAN_ELEMENT_THEORY", "SGP4"),
        ("REF_FRAME", "TEME"),
        ("CENTER_NAME", "EARTH"),
        ("TIME_SYSTEM", "UTC"),
    ):
        if key in fields and str(fields[key]).strip().upper() != want:
            raise ValueError(
                f"{where} {key}: got {fields[key]!r}; only {want!r} can be propagated by SGP4"
            )
    values: dict[str, float] = {}
    for key, (lo, hi, default, unit) in _OMM_NUMBERS.items():
        raw = fields.get(key, default)
        if raw in (None, ""):
            raw = default
        try:
            v = float(raw)
        except (TypeError, ValueError):
            v = math.nan
        ok = math.isfinite(v) and lo <= v <= hi
        if key == "MEAN_MOTION":
            ok = ok and v > 0.0
        elif key == "ECCENTRICITY":
            ok = ok and v < 1.0
        if not ok:
            raise ValueError(f"{where} {key}: got {raw!r}; allowed {unit}")
        values[key] = v
    epoch = _omm_epoch(fields["EPOCH"], where)
    try:
        norad = int(fields.get("NORAD_CAT_ID", 0) or 0)
    except (TypeError, ValueError):
        norad = -1
    if not 0 <= norad <= 339999:
        raise ValueError(
            f"{where} NORAD_CAT_ID: got {fields.get('NORAD_CAT_ID')!r}; "
            "allowed an integer 0 to 339999"
        )
    norm: dict[str, str] = {
        "CLASSIFICATION_TYPE": str(fields.get("CLASSIFICATION_TYPE", "U") or "U"),
        "OBJECT_ID": str(fields.get("OBJECT_ID", "") or ""),
        "EPHEMERIS_TYPE": str(int(fields.get("EPHEMERIS_TYPE", 0) or 0)),
        "ELEMENT_SET_NO": str(int(fields.get("ELEMENT_SET_NO", 999) or 0)),
        "REV_AT_EPOCH": str(int(fields.get("REV_AT_EPOCH", 0) or 0)),
        "EPOCH": epoch.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "NORAD_CAT_ID": str(norad),
    }
    norm.update({k: repr(v) for k, v in values.items()})
    sat = Satrec()
    sgp4_omm.initialize(sat, norm)
    label = name_text or f"NORAD {norad}"
    _check_init(sat, where)
    source = json.dumps(dict(fields), sort_keys=True, default=str)
    return Sgp4Orbit(name=label, source=source, satrec=sat)


def parse_omm(data: str | Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[Sgp4Orbit]:
    """Orbits from OMM JSON text, a list of OMM objects, or one OMM object."""
    obj: Any = json.loads(data) if isinstance(data, str) else data
    if isinstance(obj, Mapping):
        obj = [obj]
    if not isinstance(obj, Sequence):
        raise ValueError(
            f"OMM JSON: got {type(obj).__name__}; expected an object or a list of objects"
        )
    return [omm_orbit(item) for item in obj]


def load_omm(path: PathLike) -> list[Sgp4Orbit]:
    """Every OMM in a JSON file (a list of objects, or one object)."""
    return parse_omm(_read_text(path))


# --------------------------------------------------------------------------------------
# Batch propagation
# --------------------------------------------------------------------------------------


class Ephemeris(NamedTuple):
    """Positions, velocities and per-sample status of ``n_sat`` satellites at times ``T``.

    ``r_m`` (n_sat, *T, 3) m; ``v_m_s`` (n_sat, *T, 3) m/s; ``status`` (n_sat, *T) uint8,
    0 where good, otherwise an sgp4 error code (:data:`STATUS_TEXT`) and NaN in r and v.
    """

    r_m: FloatArray
    v_m_s: FloatArray
    status: StatusArray


def _times(t_s: npt.ArrayLike) -> FloatArray:
    t = np.asarray(t_s, dtype=np.float64)
    if not np.all(np.isfinite(t)):
        raise ValueError("t_s: got non-finite time(s); seconds since the epoch must be finite")
    return t


def _kepler_inertial(
    orbits: Sequence[KeplerOrbit], epoch: datetime, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(n, N, 3) inertial position and velocity for flat times ``t`` (N,)."""
    theta0 = float(gmst_rad(epoch, 0.0))
    el = np.array(
        [
            (
                o.a_m,
                o.e,
                o.i_rad,
                o.raan_rad + (theta0 if o.node_frame == "earth_fixed" else 0.0),
                o.argp_rad,
                o.mean_anomaly_rad,
                J2 if o.j2 else 0.0,
            )
            for o in orbits
        ],
        dtype=np.float64,
    )
    a, e, inc, raan0, argp0, m0, jj = (el[:, k : k + 1] for k in range(7))  # (n, 1)
    raan_dot, argp_dot, m_dot = j2_secular_rates(a, e, inc, jj)
    tt = t[None, :]  # (1, N)
    raan = raan0 + raan_dot * tt
    argp = argp0 + argp_dot * tt
    ea = solve_kepler(m0 + m_dot * tt, e)
    ce, se = np.cos(ea), np.sin(ea)
    b = np.sqrt(1.0 - e * e)
    # perifocal position and its derivative with dE/dt = Ṁ / (1 − e cos E)
    x, y = a * (ce - e), a * b * se
    e_dot = m_dot / (1.0 - e * ce)
    vx, vy = -a * se * e_dot, a * b * ce * e_dot
    co, so, cw, sw = np.cos(raan), np.sin(raan), np.cos(argp), np.sin(argp)
    ci, si = np.cos(inc), np.sin(inc)
    # Columns P, Q, W of the perifocal-to-inertial rotation R3(−Ω) R1(−i) R3(−ω)
    p_vec = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    q_vec = np.stack([-co * sw - so * cw * ci, -so * sw + co * cw * ci, cw * si], axis=-1)
    w_vec = np.stack([so * si, -co * si, np.broadcast_to(ci, co.shape)], axis=-1)
    r = x[..., None] * p_vec + y[..., None] * q_vec
    z_hat = np.array([0.0, 0.0, 1.0])
    # d/dt of the drifting frame: ω̇ turns the orbit in its plane (about W), Ω̇ about z
    v = (
        vx[..., None] * p_vec
        + vy[..., None] * q_vec
        + argp_dot[..., None] * np.cross(w_vec, r)
        + raan_dot[..., None] * np.cross(z_hat, r)
    )
    return r, v


def _sgp4_teme(
    orbits: Sequence[Sgp4Orbit], epoch: datetime, t: FloatArray
) -> tuple[FloatArray, FloatArray, StatusArray]:
    """(n, N, 3) TEME position (m), velocity (m/s) and (n, N) sgp4 codes, one SatrecArray call."""
    unix0 = epoch.timestamp()
    day0 = math.floor(unix0 / 86400.0)
    jd = np.full(t.shape, JD_UNIX_EPOCH + day0)
    fr = ((unix0 - day0 * 86400.0) + t) / 86400.0
    sat_array = SatrecArray([o.satrec for o in orbits])
    code, r_km, v_km_s = sat_array.sgp4(np.ascontiguousarray(jd), np.ascontiguousarray(fr))
    code = np.asarray(code, dtype=np.uint8)
    bad = code != 0
    r = np.asarray(r_km, dtype=np.float64) * 1e3
    v = np.asarray(v_km_s, dtype=np.float64) * 1e3
    r[bad] = np.nan
    v[bad] = np.nan
    return r, v, code


def ephemeris_inertial(
    orbits: Sequence[Orbit], epoch: datetime | str, t_s: npt.ArrayLike
) -> Ephemeris:
    """Inertial (TEME) positions (m) and velocities (m/s) of every orbit at ``epoch + t_s``.

    ``t_s`` is seconds since the scenario epoch, any shape ``T`` (a scalar gives ``T = ()``).
    Kepler orbits are computed in one array expression and SGP4 orbits in one
    :class:`~sgp4.api.SatrecArray` call. Returns :class:`Ephemeris` with ``(n_sat, *T, 3)``
    arrays in the order of ``orbits``.
    """
    ep = parse_utc(epoch)
    t = _times(t_s)
    flat = t.reshape(-1)
    n = len(orbits)
    r = np.full((n, flat.size, 3), np.nan)
    v = np.full((n, flat.size, 3), np.nan)
    status = np.zeros((n, flat.size), dtype=np.uint8)
    kep = [k for k, o in enumerate(orbits) if isinstance(o, KeplerOrbit)]
    sgp = [k for k, o in enumerate(orbits) if isinstance(o, Sgp4Orbit)]
    if len(kep) + len(sgp) != n:
        bad = next(o for o in orbits if not isinstance(o, (KeplerOrbit, Sgp4Orbit)))
        raise ValueError(
            f"orbits: got a {type(bad).__name__} ({bad!r:.80}); allowed KeplerOrbit or Sgp4Orbit"
        )
    if kep and flat.size:
        r[kep], v[kep] = _kepler_inertial([orbits[k] for k in kep], ep, flat)  # type: ignore[misc]
    if sgp and flat.size:
        r[sgp], v[sgp], status[sgp] = _sgp4_teme([orbits[k] for k in sgp], ep, flat)  # type: ignore[misc]
    shape = (n, *t.shape)
    return Ephemeris(r.reshape(*shape, 3), v.reshape(*shape, 3), status.reshape(shape))


def ephemeris_ecef(orbits: Sequence[Orbit], epoch: datetime | str, t_s: npt.ArrayLike) -> Ephemeris:
    """ECEF positions (m) and velocities (m/s) of every orbit at ``epoch + t_s``.

    :func:`ephemeris_inertial` turned into Earth-fixed by the GMST angle at each time
    (``v_ecef = R v − ω × r_ecef``). Shapes ``(n_sat, *T, 3)``; ``status`` ``(n_sat, *T)``.
    """
    ep = parse_utc(epoch)
    t = _times(t_s)
    eph = ephemeris_inertial(orbits, ep, t)
    theta = gmst_rad(ep, t)  # (*T), broadcast over satellites
    out = inertial_to_ecef(eph.r_m, theta, eph.v_m_s)
    assert isinstance(out, tuple)
    return Ephemeris(out[0], out[1], eph.status)


# --------------------------------------------------------------------------------------
# Earth-disk geometry seen from a satellite
# --------------------------------------------------------------------------------------


def _radius_ratio(r_sat_m: npt.ArrayLike, radius_m: float, what: str) -> FloatArray:
    r = np.asarray(r_sat_m, dtype=np.float64)
    if np.any(~(r > radius_m)):
        worst = float(np.nanmin(r)) if np.any(np.isfinite(r)) else float("nan")
        raise ValueError(
            f"{what}: r_sat_m (distance from the Earth's centre) must exceed the Earth radius "
            f"{radius_m:.0f} m everywhere; smallest given {worst:.6g} m"
        )
    return np.asarray(radius_m / r)


def earth_angular_radius_rad(r_sat_m: npt.ArrayLike, radius_m: float = R_MEAN_M) -> FloatArray:
    """Angular radius ρ (rad) of the Earth's disk seen from distance ``r_sat_m`` (m, any shape).

    Spherical Earth: sin ρ = R / r (Wertz & Larson, *Space Mission Analysis and Design*,
    3rd ed., §5.2). ``radius_m`` defaults to the IUGG mean radius (6,371.0 km).
    WGS84 bounds: the true disk is an ellipse whose semi-axes lie between the values for
    ``radius_m=B_M`` (polar) and ``radius_m=A_M`` (equatorial) — 8.67° to 8.70° at GEO.
    """
    return np.asarray(np.arcsin(_radius_ratio(r_sat_m, radius_m, "earth_angular_radius_rad")))


def limb_central_angle_rad(
    r_sat_m: npt.ArrayLike, radius_m: float = R_MEAN_M, target_altitude_m: npt.ArrayLike = 0.0
) -> FloatArray:
    """Earth central angle (rad) from the sub-satellite point to the limb (the horizon).

    λ₀ = 90° − ρ = arccos(R / r) (Wertz & Larson §5.2). With ``target_altitude_m`` = h
    it is the largest central angle at which a point at height h (e.g. a rocket plume above
    the clouds) is above the satellite's horizon: arccos(R/r) + arccos(R/(R + h)).
    """
    lam = np.arccos(_radius_ratio(r_sat_m, radius_m, "limb_central_angle_rad"))
    h = np.asarray(target_altitude_m, dtype=np.float64)
    if np.any(~(h >= 0.0)):
        raise ValueError("limb_central_angle_rad: target_altitude_m must be ≥ 0 m (finite)")
    return np.asarray(lam + np.arccos(radius_m / (radius_m + h)))
