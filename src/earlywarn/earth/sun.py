"""Direction of the Sun, from the Astronomical Almanac's low-precision formulae.

*The Astronomical Almanac* (section C, "Low precision formulas for the Sun"): mean
longitude L, mean anomaly g, ecliptic longitude λ = L + 1.915° sin g + 0.020° sin 2g,
obliquity ε = 23.439° − 4e-7° n, with n days from J2000. Stated accuracy 0.01° in
1950–2050; the result is in the mean equator and equinox of date, which the Greenwich
mean sidereal angle turns into Earth-fixed (nutation, ≤ 0.005°, is neglected). Together
well inside the 0.1° the sensors need for sun-glint geometry. Nothing is downloaded.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.earth.frames import inertial_to_ecef
from earlywarn.earth.time import JD_J2000, gmst_rad, julian_date

FloatArray = npt.NDArray[np.float64]
AU_M = 149_597_870_700.0


def sun_inertial(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Sun position ``(..., 3)`` in metres in the inertial (mean-of-date) frame."""
    n = julian_date(epoch, t_s) - JD_J2000
    deg = np.pi / 180.0
    mean_lon = (280.460 + 0.9856474 * n) * deg
    g = (357.528 + 0.9856003 * n) * deg
    lam = mean_lon + (1.915 * np.sin(g) + 0.020 * np.sin(2 * g)) * deg
    eps = (23.439 - 4.0e-7 * n) * deg
    dist = (1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2 * g)) * AU_M
    return np.stack(
        [dist * np.cos(lam), dist * np.cos(eps) * np.sin(lam), dist * np.sin(eps) * np.sin(lam)],
        axis=-1,
    )


def sun_ecef(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Sun position ``(..., 3)`` in metres in ECEF at ``epoch + t_s``."""
    r = inertial_to_ecef(sun_inertial(epoch, t_s), gmst_rad(epoch, t_s))
    assert isinstance(r, np.ndarray)
    return r


def sun_direction_ecef(epoch: datetime, t_s: npt.ArrayLike = 0.0) -> FloatArray:
    """Unit vector ``(..., 3)`` from the Earth's centre to the Sun, in ECEF."""
    r = sun_ecef(epoch, t_s)
    return np.asarray(r / np.linalg.norm(r, axis=-1, keepdims=True))
