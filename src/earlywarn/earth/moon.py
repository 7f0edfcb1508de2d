"""Position of the Moon, from a truncated form of Meeus's lunar series, and moonrise.

Series: J. Meeus, *Astronomical Algorithms*, 2nd ed. (1998), chapter 47 (after the
ELP-2000/82 theory of Chapront-Touzé and Chapront): the fundamental arguments L′, D, M,
M′, F (eqs. 47.1–47.5, with their T², T³, T⁴ terms), the eccentricity factor E (47.6)
on terms in M, the additive terms in A₁, A₂, A₃, and the first 32 of the 60 terms of
Table 47.A (longitude and distance; longitude coefficients down to 0.0022°) and the
first 20 of the 60 of Table 47.B (latitude; down to 0.0018°). The result is the
geometric geocentric ecliptic longitude λ and latitude β (mean equinox of date) and
distance Δ (centre to centre), turned into the mean equator of date with the mean
obliquity (Meeus eq. 22.2) and into Earth-fixed by the Greenwich mean sidereal angle,
as :mod:`earlywarn.earth.sun` does for the Sun.

Accuracy: Meeus's full tables give about 10″ in λ and 4″ in β. Against ERFA's
``eraMoon98`` (the full chapter-47 series) over 1950–2050 this truncation stays within
0.015° in λ and β and 30 km in distance (``tests/test_moon.py`` measures it).
Neglected: nutation (≤ 0.005°), the light time (1.3 s, 0.0002°) and TT − UTC (32 s in
1960, 69 s in 2026: the Moon moves 0.55″/s, so ≤ 0.011°). Seen from a radar these make
≤ 0.03° of direction and ≤ 30 km of range — what matters for a radar echo that is folded
by a range ambiguity (:mod:`earlywarn.sensors.radar`) is the model's own consistency,
which is exact.

Moonrise (:func:`moonrise_s`): the first time the Moon's centre, seen from a site on the
WGS84 ellipsoid (topocentric, so the parallax of up to 1° is in), climbs through a given
geometric elevation. No refraction: a radar beam bends too, but the sensor model does not
bend it either, so the two agree. The almanac's rising (upper limb on the refracted
horizon) is ``elevation_deg = −(0.5667° + s)`` for the topocentric centre, s the Moon's
semi-diameter (Meeus ch. 15 writes it for the geocentric centre as h₀ = 0.7275 π −
0°34′, π the horizontal parallax).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.earth.frames import ecef_to_aer, inertial_to_ecef
from earlywarn.earth.time import JD_J2000, gmst_rad, julian_date

FloatArray = npt.NDArray[np.float64]

R_MOON_M = 1_737_400.0
"""Mean radius of the Moon (IAU WGCCRE 2009: 1737.4 km)."""

_DEG = math.pi / 180.0

# Meeus Table 47.A: multiples of D, M, M', F; Σl in 1e-6 degree, Σr in metres (1e-3 km)
_LR = np.array(
    [
        [0, 0, 1, 0, 6288774, -20905355],
        [2, 0, -1, 0, 1274027, -3699111],
        [2, 0, 0, 0, 658314, -2955968],
        [0, 0, 2, 0, 213618, -569925],
        [0, 1, 0, 0, -185116, 48888],
        [0, 0, 0, 2, -114332, -3149],
        [2, 0, -2, 0, 58793, 246158],
        [2, -1, -1, 0, 57066, -152138],
        [2, 0, 1, 0, 53322, -170733],
        [2, -1, 0, 0, 45758, -204586],
        [0, 1, -1, 0, -40923, -129620],
        [1, 0, 0, 0, -34720, 108743],
        [0, 1, 1, 0, -30383, 104755],
        [2, 0, 0, -2, 15327, 10321],
        [0, 0, 1, 2, -12528, 0],
        [0, 0, 1, -2, 10980, 79661],
        [4, 0, -1, 0, 10675, -34782],
        [0, 0, 3, 0, 10034, -23210],
        [4, 0, -2, 0, 8548, -21636],
        [2, 1, -1, 0, -7888, 24208],
        [2, 1, 0, 0, -6766, 30824],
        [1, 0, -1, 0, -5163, -8379],
        [1, 1, 0, 0, 4987, -16675],
        [2, -1, 1, 0, 4036, -12831],
        [2, 0, 2, 0, 3994, -10445],
        [4, 0, 0, 0, 3861, -11650],
        [2, 0, -3, 0, 3665, 14403],
        [0, 1, -2, 0, -2689, -7003],
        [2, 0, -1, 2, -2602, 0],
        [2, -1, -2, 0, 2390, 10056],
        [1, 0, 1, 0, -2348, 6322],
        [2, -2, 0, 0, 2236, -9884],
    ],
    dtype=np.float64,
)
# Meeus Table 47.B: multiples of D, M, M', F; Σb in 1e-6 degree
_B = np.array(
    [
        [0, 0, 0, 1, 5128122],
        [0, 0, 1, 1, 280602],
        [0, 0, 1, -1, 277693],
        [2, 0, 0, -1, 173237],
        [2, 0, -1, 1, 55413],
        [2, 0, -1, -1, 46271],
        [2, 0, 0, 1, 32573],
        [0, 0, 2, 1, 17198],
        [2, 0, 1, -1, 9266],
        [0, 0, 2, -1, 8822],
        [2, -1, 0, -1, 8216],
        [2, 0, -2, -1, 4324],
        [2, 0, 1, 1, 4200],
        [2, 1, 0, -1, -3359],
        [2, -1, -1, 1, 2463],
        [2, -1, 0, 1, 2211],
        [2, -1, -1, -1, 2065],
        [0, 1, -1, -1, -1870],
        [4, 0, -1, -1, 1828],
        [0, 1, 0, 1, -1794],
    ],
    dtype=np.float64,
)


def _poly(t: FloatArray, c: tuple[float, ...]) -> FloatArray:
    return np.asarray(sum(ci * t**i for i, ci in enumerate(c)))


def moon_ecliptic(jd: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geometric geocentric (λ, β, Δ) of the Moon: ecliptic longitude and latitude of the
    mean equinox of date in radians, distance in metres, at Julian dates ``jd`` (TT; UTC
    may be passed, see the module docstring)."""
    t = (np.asarray(jd, dtype=np.float64) - JD_J2000) / 36525.0
    lp = _poly(t, (218.3164477, 481267.88123421, -0.0015786, 1 / 538841, -1 / 65194000))
    d = _poly(t, (297.8501921, 445267.1114034, -0.0018819, 1 / 545868, -1 / 113065000))
    m = _poly(t, (357.5291092, 35999.0502909, -0.0001536, 1 / 24490000))
    mp = _poly(t, (134.9633964, 477198.8675055, 0.0087414, 1 / 69699, -1 / 14712000))
    f = _poly(t, (93.2720950, 483202.0175233, -0.0036539, -1 / 3526000, 1 / 863310000))
    a1 = (119.75 + 131.849 * t) * _DEG
    a2 = (53.09 + 479264.290 * t) * _DEG
    a3 = (313.45 + 481266.484 * t) * _DEG
    e = 1.0 - 0.002516 * t - 0.0000074 * t**2
    args = np.stack([d, m, mp, f], axis=-1) * _DEG  # (..., 4)

    def series(tab: FloatArray) -> tuple[FloatArray, FloatArray]:
        ang = args @ tab[:, :4].T  # (..., n)
        ecc = e[..., None] ** np.abs(tab[:, 1])
        return np.sin(ang) * ecc, np.cos(ang) * ecc

    s_lr, c_lr = series(_LR)
    s_b, _ = series(_B)
    lp_r, f_r, mp_r = lp * _DEG, f * _DEG, mp * _DEG
    sum_l = s_lr @ _LR[:, 4] + 3958 * np.sin(a1) + 1962 * np.sin(lp_r - f_r) + 318 * np.sin(a2)
    sum_r = c_lr @ _LR[:, 5]
    sum_b = (
        s_b @ _B[:, 4]
        - 2235 * np.sin(lp_r)
        + 382 * np.sin(a3)
        + 175 * np.sin(a1 - f_r)
        + 175 * np.sin(a1 + f_r)
        + 127 * np.sin(lp_r - mp_r)
        - 115 * np.sin(lp_r + mp_r)
    )
    lam = np.mod(lp + sum_l * 1e-6, 360.0) * _DEG
    beta = sum_b * 1e-6 * _DEG
    dist = 385_000_560.0 + sum_r
    return np.asarray(lam), np.asarray(beta), np.asarray(dist)


def moon_inertial(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Moon position ``(..., 3)`` in metres in the inertial (mean-of-date) frame."""
    jd = julian_date(epoch, t_s)
    lam, beta, dist = moon_ecliptic(jd)
    t = (np.asarray(jd) - JD_J2000) / 36525.0
    eps = (23.4392911 - 0.0130042 * t) * _DEG  # Meeus eq. 22.2, to the T term
    x = dist * np.cos(beta) * np.cos(lam)
    y_ecl = dist * np.cos(beta) * np.sin(lam)
    z_ecl = dist * np.sin(beta)
    y = y_ecl * np.cos(eps) - z_ecl * np.sin(eps)
    z = y_ecl * np.sin(eps) + z_ecl * np.cos(eps)
    return np.stack([x, y, z], axis=-1)


def moon_ecef(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Moon position ``(..., 3)`` in metres in ECEF at ``epoch + t_s``."""
    r = inertial_to_ecef(moon_inertial(epoch, t_s), gmst_rad(epoch, t_s))
    assert isinstance(r, np.ndarray)
    return r


def moon_ecef_velocity(epoch: datetime, t_s: npt.ArrayLike = 0.0, h_s: float = 30.0) -> FloatArray:
    """Moon velocity ``(..., 3)`` in m/s in ECEF (central difference over ±``h_s``; the
    truncation error, ~h²/6·|r⃛|, is below 1e-4 m/s for h = 30 s)."""
    t = np.asarray(t_s, dtype=np.float64)
    return (moon_ecef(epoch, t + h_s) - moon_ecef(epoch, t - h_s)) / (2.0 * h_s)


def moon_elevation_rad(
    epoch: datetime, t_s: npt.ArrayLike, lat_deg: float, lon_deg: float, h_m: float = 0.0
) -> FloatArray:
    """Topocentric geometric elevation of the Moon's centre from a site (no refraction)."""
    _, el, _ = ecef_to_aer(moon_ecef(epoch, t_s), math.radians(lat_deg), math.radians(lon_deg), h_m)
    return np.asarray(el)


def moonrise_s(
    epoch: datetime,
    lat_deg: float,
    lon_deg: float,
    h_m: float = 0.0,
    *,
    elevation_deg: float = 0.0,
    start_s: float = 0.0,
    span_s: float = 2 * 86400.0,
) -> float | None:
    """Seconds after ``epoch`` of the first moonrise in ``[start_s, start_s + span_s]``:
    the Moon's centre climbing through ``elevation_deg`` (geometric, topocentric) at the
    site. ``None`` when it does not rise in the span (at high latitude the Moon can stay
    up or down for days). Sampled every 10 min, then bisected to 0.1 s."""
    if not -90.0 < elevation_deg < 90.0:
        raise ValueError(f"moonrise_s: elevation_deg={elevation_deg!r}; expected (-90, 90)")
    if not (math.isfinite(span_s) and span_s > 0):
        raise ValueError(f"moonrise_s: span_s={span_s!r}; expected a finite number > 0")
    target = math.radians(elevation_deg)
    t = start_s + np.linspace(0.0, span_s, math.ceil(span_s / 600.0) + 1)
    g = moon_elevation_rad(epoch, t, lat_deg, lon_deg, h_m) - target
    up = np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0))
    if up.size == 0:
        return None
    lo, hi = float(t[up[0]]), float(t[up[0] + 1])
    while hi - lo > 0.1:
        mid = 0.5 * (lo + hi)
        if float(moon_elevation_rad(epoch, mid, lat_deg, lon_deg, h_m)) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
