"""Gravity: point mass plus the J2 zonal term.

Valid in any Earth-centred frame whose z axis is the spin axis (ECEF or the inertial
frame used here), since J2 is symmetric about that axis. Neglecting the higher harmonics
(J3 ≈ -2.5e-6 and beyond) moves a 30-minute ballistic impact by a few hundred metres at most
(they are ~1e-3 of J2).

Potential (Vallado 4th ed., eq. 8-11 truncated after J2)::

    U = −μ/r · [1 − J2 (a/r)² (3 sin²φ − 1)/2],   sin φ = z/r
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, GM_M3_S2, J2

FloatArray = npt.NDArray[np.float64]


def accel_j2(r_m: npt.ArrayLike, j2: float = J2, gm: float = GM_M3_S2) -> FloatArray:
    """Gravitational acceleration (m/s²) at positions ``(..., 3)``: −∇U with J2."""
    r = np.asarray(r_m, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    mu_r3 = gm / (r2 * rn)
    k = 1.5 * j2 * (A_M * A_M) / r2
    s2 = z * z / r2
    fxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * s2))
    fz = -mu_r3 * (1.0 + k * (3.0 - 5.0 * s2))
    return np.stack([fxy * x, fxy * y, fz * z], axis=-1)


def potential_j2(r_m: npt.ArrayLike, j2: float = J2, gm: float = GM_M3_S2) -> FloatArray:
    """Gravitational potential energy per unit mass U (J/kg, negative) with J2."""
    r = np.asarray(r_m, dtype=np.float64)
    rn = np.linalg.norm(r, axis=-1)
    s2 = (r[..., 2] / rn) ** 2
    return np.asarray(-gm / rn * (1.0 - j2 * (A_M / rn) ** 2 * (3.0 * s2 - 1.0) / 2.0))
