"""Physical constants of the Earth model, all SI.

Sources
-------
* WGS84 defining parameters a, 1/f, GM and omega: NIMA TR8350.2, 3rd ed. (2000), Table 3.1.
* J2 from the EGM96 normalised C(2,0) = -0.484166774985e-3 in the same report
  (Table 5.1): J2 = -sqrt(5) * C(2,0).
* Mean radius R1 = (2a + b) / 3 (IUGG), used only where a spherical Earth is intended.
"""

import math

A_M: float = 6_378_137.0
"""WGS84 semi-major (equatorial) axis, m."""
F: float = 1.0 / 298.257223563
"""WGS84 flattening."""
B_M: float = A_M * (1.0 - F)
"""WGS84 semi-minor (polar) axis, m."""
E2: float = F * (2.0 - F)
"""First eccentricity squared."""
EP2: float = E2 / (1.0 - E2)
"""Second eccentricity squared."""
GM_M3_S2: float = 3.986004418e14
"""Earth gravitational parameter (WGS84, including the atmosphere), m^3/s^2."""
OMEGA_RAD_S: float = 7.292115e-5
"""Earth rotation rate (WGS84), rad/s."""
J2: float = math.sqrt(5.0) * 0.484166774985e-3
"""Second zonal harmonic (EGM96), dimensionless."""
R_MEAN_M: float = (2.0 * A_M + B_M) / 3.0
"""IUGG mean radius, m (for spherical-Earth approximations only)."""
G0_M_S2: float = 9.80665
"""Standard gravity, m/s^2 (defines specific impulse in seconds)."""
SIDEREAL_DAY_S: float = 2.0 * math.pi / OMEGA_RAD_S
"""Sidereal day implied by OMEGA_RAD_S, s (86,164.09 s)."""
