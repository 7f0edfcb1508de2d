"""Atmospheric density: US Standard Atmosphere 1976 to 86 km, an exponential fit above.

* 0–86 km (geometric): the seven USSA76 layers in geopotential altitude with their base
  temperatures, lapse rates and pressures (NOAA/NASA/USAF, *U.S. Standard Atmosphere,
  1976*, Tables 1 and 4), ideal gas with the sea-level molecular weight. The molecular-
  weight drop of 80–86 km (< 0.04 %) is neglected.
* Above 86 km: log-linear from USSA76's 6.958e-6 kg/m³ at 86 km to 3.396e-6 kg/m³ at
  90 km, then the piecewise exponential model of Vallado, *Fundamentals of Astrodynamics
  and Applications*, 4th ed., Table 8-4 (CIRA-72 based): ρ = ρ₀ exp(−(h − h₀)/H).
  Good to a factor ~2 with solar activity, which is immaterial for a missile above 100 km.
* Below 0 m the sea-level layer is extended; above 1,000 km the last layer is.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_R0_M = 6_356_766.0  # USSA76 Earth radius for geopotential altitude
_G0 = 9.80665
_RSTAR = 8314.32  # J/(kmol K)
_M0 = 28.9644  # kg/kmol
# base geopotential altitude (m), base temperature (K), lapse rate (K/m), base pressure (Pa)
_HB = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0])
_TB = np.array([288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65])
_LB = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_PB = np.array([101325.0, 22632.06, 5474.889, 868.0187, 110.9063, 66.93887, 3.956420])

# Vallado Table 8-4: base altitude (km), nominal density (kg/m^3), scale height (km)
_EXP = np.array(
    [
        [90.0, 3.396e-6, 5.382],
        [100.0, 5.297e-7, 5.877],
        [110.0, 9.661e-8, 7.263],
        [120.0, 2.438e-8, 9.473],
        [130.0, 8.484e-9, 12.636],
        [140.0, 3.845e-9, 16.149],
        [150.0, 2.070e-9, 22.523],
        [180.0, 5.464e-10, 29.740],
        [200.0, 2.789e-10, 37.105],
        [250.0, 7.248e-11, 45.546],
        [300.0, 2.418e-11, 53.628],
        [350.0, 9.518e-12, 53.298],
        [400.0, 3.725e-12, 58.515],
        [450.0, 1.585e-12, 60.828],
        [500.0, 6.967e-13, 63.822],
        [600.0, 1.454e-13, 71.835],
        [700.0, 3.614e-14, 88.667],
        [800.0, 1.170e-14, 124.64],
        [900.0, 5.245e-15, 181.05],
        [1000.0, 3.019e-15, 268.00],
    ]
)
_H86_M = 86_000.0


def _ussa76(h_m: FloatArray) -> FloatArray:
    hg = _R0_M * h_m / (_R0_M + h_m)  # geopotential altitude
    i = np.clip(np.searchsorted(_HB, hg, side="right") - 1, 0, len(_HB) - 1)
    tb, lb, pb, hb = _TB[i], _LB[i], _PB[i], _HB[i]
    dh = hg - hb
    t = tb + lb * dh
    gmr = _G0 * _M0 / _RSTAR
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = pb * (tb / t) ** (gmr / np.where(lb == 0.0, 1.0, lb))
    p_iso = pb * np.exp(-gmr * dh / tb)
    p = np.where(lb == 0.0, p_iso, p_grad)
    return np.asarray(p * _M0 / (_RSTAR * t))


_RHO86 = float(_ussa76(np.array([_H86_M]))[0])


def density_kg_m3(h_m: npt.ArrayLike) -> FloatArray:
    """Air density (kg/m³) at geometric altitude ``h_m`` above the ellipsoid; any shape."""
    h = np.asarray(h_m, dtype=np.float64)
    low = _ussa76(np.minimum(h, _H86_M))
    hk = h / 1000.0
    # 86-90 km bridge, log-linear
    frac = np.clip((hk - 86.0) / 4.0, 0.0, 1.0)
    bridge = np.exp(np.log(_RHO86) * (1.0 - frac) + np.log(_EXP[0, 1]) * frac)
    j = np.clip(np.searchsorted(_EXP[:, 0], hk, side="right") - 1, 0, len(_EXP) - 1)
    high = _EXP[j, 1] * np.exp(-(hk - _EXP[j, 0]) / _EXP[j, 2])
    out = np.where(h <= _H86_M, low, np.where(hk < 90.0, bridge, high))
    return np.asarray(out, dtype=np.float64)
