"""Time: UTC epochs, ISO 8601 with ``Z``, Julian dates and Greenwich mean sidereal angle.

Inside earlywarn a time is float seconds since the scenario epoch. UT1 is taken equal to
UTC: |UT1 - UTC| < 0.9 s, which turns the Earth by at most 6.6e-5 rad (about 420 m on the
equator). Leap seconds inside a run are ignored (a scenario rarely spans one).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

JD_UNIX_EPOCH = 2440587.5
"""Julian date of 1970-01-01T00:00:00Z."""
JD_J2000 = 2451545.0
"""Julian date of J2000.0 (2000-01-01T12:00:00 TT; used with UT1 here, as in GMST 1982)."""


def parse_utc(text: str | datetime) -> datetime:
    """Parse an ISO 8601 UTC time (``2026-03-20T12:00:00Z``) into an aware datetime.

    A naive datetime or a string without offset is refused: a UTC epoch must say so.
    """
    if isinstance(text, datetime):
        dt = text
    else:
        s = str(text).strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError as exc:
            raise ValueError(
                f"time {text!r} is not ISO 8601; expected e.g. '2026-03-20T12:00:00Z'"
            ) from exc
    if dt.tzinfo is None:
        raise ValueError(
            f"time {text!r} has no time zone; write it in UTC with a trailing Z, "
            "e.g. '2026-03-20T12:00:00Z'"
        )
    return dt.astimezone(UTC)


def iso_utc(epoch: datetime, t_s: float = 0.0) -> str:
    """ISO 8601 text with ``Z`` for ``epoch + t_s`` (millisecond resolution)."""
    dt = epoch.astimezone(UTC) + timedelta(seconds=float(t_s))
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_utc_many(epoch: datetime, t_s: npt.ArrayLike) -> list[str]:
    """Vectorised :func:`iso_utc` (via numpy datetime64, millisecond resolution)."""
    t = np.asarray(t_s, dtype=np.float64)
    base = np.datetime64(epoch.astimezone(UTC).replace(tzinfo=None), "ms")
    stamps = base + np.round(t * 1e3).astype("timedelta64[ms]")
    return [s + "Z" for s in np.datetime_as_string(stamps, unit="ms").tolist()]


def julian_date(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Julian date (UTC scale) of ``epoch + t_s``."""
    unix = epoch.astimezone(UTC).timestamp()
    return np.asarray(JD_UNIX_EPOCH + (unix + np.asarray(t_s, dtype=np.float64)) / 86400.0)


def gmst_rad(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Greenwich mean sidereal angle, rad in [0, 2π), at ``epoch + t_s``.

    IAU 1982 expression (Vallado, *Fundamentals of Astrodynamics and Applications*,
    4th ed., eq. 3-45)::

        θ = 67310.54841 s + (876600 h + 8640184.812866 s) T + 0.093104 s T² − 6.2e-6 s T³

    with T in Julian centuries of UT1 from J2000. This is the angle SGP4's TEME uses.
    The day count is split into whole days and a fraction to keep float64 precision.
    """
    unix0 = epoch.astimezone(UTC).timestamp()
    days0 = (unix0 / 86400.0 + JD_UNIX_EPOCH) - JD_J2000
    t = np.asarray(t_s, dtype=np.float64)
    d = days0 + t / 86400.0
    tc = d / 36525.0
    # 876600 h * 3600 s/h = 3155760000 s per century: one turn a day, written as
    # 86400 * 36525 * T = 86400 * d, kept apart to avoid losing precision.
    whole0 = math.floor(days0)
    frac = (days0 - whole0) + t / 86400.0
    sec = (
        67310.54841
        + 86400.0 * frac  # the whole days of d contribute integer multiples of 86400 s
        + 8640184.812866 * tc
        + 0.093104 * tc**2
        - 6.2e-6 * tc**3
    )
    theta = np.mod(sec, 86400.0) / 86400.0 * 2.0 * math.pi
    return np.asarray(theta, dtype=np.float64)
