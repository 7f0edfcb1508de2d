"""Equations of motion shared by powered and free flight: a point mass in Earth-fixed axes.

Integration frame: **WGS84 ECEF**. The acceleration is

    a = g_J2(r) − 2 ω × v − ω × (ω × r) − (C_d A / 2m) ρ(h) |v| v  [+ thrust / m]

with ``g_J2`` the point-mass-plus-J2 gravity of :mod:`earlywarn.earth.gravity`, the
Coriolis and centrifugal terms of the rotating frame, and drag on the ECEF velocity
(the atmosphere co-rotates, so the ECEF velocity *is* the air-relative velocity; winds
are neglected). Integrating in ECEF makes the sampled output free of frame conversions
and lets one switch, ``rotation=False``, turn the same code into a non-rotating-Earth
model for closed-form checks.

Approximations inside the hot path, with their sizes:

* Altitude for the density look-up and for event detection is the height above the
  ellipsoid *along the geocentric radius*, ``|r| − R_ell(ψ)``; it differs from the
  geodetic height by less than 1 m below 1,000 km (the normal and the radius differ by
  at most 0.19°, and the foot points by O(f²)). Impacts are refined afterwards on the
  exact geodetic height.
* Density is ``exp`` of a linear interpolation of ``ln ρ`` from
  :func:`earlywarn.earth.atmosphere.density_kg_m3` tabulated every 250 m to 200 km and
  every 5 km above: inside an exponential layer this is exact, elsewhere better than
  0.1 %. The table is built by :class:`EarthModel` on construction (no module state).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from earlywarn.earth.atmosphere import density_kg_m3
from earlywarn.earth.constants import A_M, B_M, E2, GM_M3_S2, J2, OMEGA_RAD_S

FloatArray = npt.NDArray[np.float64]

_J2_K = 1.5 * J2 * A_M * A_M
"""J2 factor of the gravity: the J2 terms scale as ``_J2_K / |r|²`` (m²)."""


def _density_table() -> tuple[FloatArray, FloatArray]:
    h = np.concatenate([np.arange(-2_000.0, 200_000.0, 250.0), np.arange(200e3, 2_000e3, 5e3)])
    return h, np.log(density_kg_m3(h))


@dataclass(frozen=True)
class EarthModel:
    """Which physics the flight integrators include; all on by default.

    ``sphere_radius_m`` replaces the WGS84 ellipsoid by a sphere for altitude and impact
    (for closed-form checks: give it together with ``j2=False, rotation=False,
    drag=False``). ``gm`` is the gravitational parameter.
    """

    j2: bool = True
    rotation: bool = True
    drag: bool = True
    sphere_radius_m: float | None = None
    gm: float = GM_M3_S2
    _h_tab: FloatArray = field(init=False, repr=False, compare=False)
    _lnrho_tab: FloatArray = field(init=False, repr=False, compare=False)
    _m_r: FloatArray = field(init=False, repr=False, compare=False)
    _m_v: FloatArray = field(init=False, repr=False, compare=False)
    _h_list: list[float] = field(init=False, repr=False, compare=False)
    _ln_list: list[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        h, ln = _density_table()
        w = OMEGA_RAD_S if self.rotation else 0.0
        # row-vector forms: r @ m_r = −ω×(ω×r),  v @ m_v = −2 ω×v
        m_r = np.diag([w * w, w * w, 0.0])
        m_v = np.array([[0.0, -2.0 * w, 0.0], [2.0 * w, 0.0, 0.0], [0.0, 0.0, 0.0]])
        object.__setattr__(self, "_h_tab", h)
        object.__setattr__(self, "_lnrho_tab", ln)
        object.__setattr__(self, "_m_r", m_r)
        object.__setattr__(self, "_m_v", m_v)
        object.__setattr__(self, "_h_list", h.tolist())
        object.__setattr__(self, "_ln_list", ln.tolist())

    @property
    def omega_rad_s(self) -> float:
        return OMEGA_RAD_S if self.rotation else 0.0

    def altitude_m(self, r: FloatArray) -> FloatArray:
        """Height above the surface along the geocentric radius (see module notes)."""
        r2 = np.einsum("...i,...i->...", r, r)
        rn = np.sqrt(r2)
        if self.sphere_radius_m is not None:
            return np.asarray(rn - self.sphere_radius_m)
        c2 = 1.0 - r[..., 2] ** 2 / r2
        return np.asarray(rn - B_M / np.sqrt(1.0 - E2 * c2))

    def density(self, h_m: FloatArray) -> FloatArray:
        """Tabulated density (kg/m³); zero above 2,000 km."""
        return np.exp(np.interp(h_m, self._h_tab, self._lnrho_tab, right=-np.inf))

    def accel(self, r: FloatArray, v: FloatArray, cdm: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Acceleration ``(n, 3)`` without thrust, and the speed ``(n,)``.

        ``cdm`` is ``C_d A / (2 m)`` per object (m²/kg). Written for few numpy calls per
        evaluation: single trajectories are dominated by call overhead.
        """
        x2 = r * r
        r2 = x2.sum(axis=1)
        ir2 = 1.0 / r2
        rn = np.sqrt(r2)
        mu_r3 = self.gm * ir2 / rn
        s2 = x2[:, 2] * ir2
        if self.j2:
            k = _J2_K * ir2
            fxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * s2))
            a = r * fxy[:, None]
            a[:, 2] -= (2.0 * mu_r3 * k) * r[:, 2]
        else:
            a = r * (-mu_r3)[:, None]
        if self.rotation:
            a += r @ self._m_r + v @ self._m_v
        vn = np.sqrt((v * v).sum(axis=1))
        if self.drag:
            if self.sphere_radius_m is not None:
                h = rn - self.sphere_radius_m
            else:
                h = rn - B_M / np.sqrt(1.0 - E2 * (1.0 - s2))
            a -= (cdm * self.density(h) * vn)[:, None] * v
        return a, vn

    # ------------------------------------------------ one object, plain Python floats
    # The same formulas as altitude_m / density / accel, on floats: for one object a
    # numpy call costs ~0.5 µs of overhead on a 3-vector; accel1 measured ~12× faster.

    def altitude1(self, x: float, y: float, z: float) -> float:
        """:meth:`altitude_m` of one position."""
        r2 = x * x + y * y + z * z
        rn = math.sqrt(r2)
        if self.sphere_radius_m is not None:
            return rn - self.sphere_radius_m
        return rn - B_M / math.sqrt(1.0 - E2 * (1.0 - z * z / r2))

    def density1(self, h_m: float) -> float:
        """:meth:`density` of one altitude (same table, same linear interpolation)."""
        hs, ln = self._h_list, self._ln_list
        if h_m <= hs[0]:
            return math.exp(ln[0])
        if h_m > hs[-1]:
            return 0.0
        j = bisect_right(hs, h_m) - 1
        if j >= len(hs) - 1:
            return math.exp(ln[-1])
        h0, h1 = hs[j], hs[j + 1]
        return math.exp(ln[j] + (ln[j + 1] - ln[j]) * (h_m - h0) / (h1 - h0))

    def accel1(
        self, x: float, y: float, z: float, vx: float, vy: float, vz: float, cdm: float
    ) -> tuple[float, float, float, float]:
        """:meth:`accel` of one object on floats: ``(ax, ay, az, |v|)``."""
        r2 = x * x + y * y + z * z
        ir2 = 1.0 / r2
        rn = math.sqrt(r2)
        mu_r3 = self.gm * ir2 / rn
        s2 = z * z * ir2
        if self.j2:
            k = _J2_K * ir2
            fxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * s2))
            ax, ay = x * fxy, y * fxy
            az = z * fxy - (2.0 * mu_r3 * k) * z
        else:
            ax, ay, az = -mu_r3 * x, -mu_r3 * y, -mu_r3 * z
        if self.rotation:
            w = OMEGA_RAD_S
            ax += w * w * x + 2.0 * w * vy
            ay += w * w * y - 2.0 * w * vx
        vn = math.sqrt(vx * vx + vy * vy + vz * vz)
        if self.drag:
            if self.sphere_radius_m is not None:
                h = rn - self.sphere_radius_m
            else:
                h = rn - B_M / math.sqrt(1.0 - E2 * (1.0 - s2))
            d = cdm * self.density1(h) * vn
            ax -= d * vx
            ay -= d * vy
            az -= d * vz
        return ax, ay, az, vn

    def jacobi(self, r: FloatArray, v: FloatArray) -> FloatArray:
        """Jacobi integral per unit mass in ECEF: ½|v|² + U(r) − ½ω²(x²+y²) (J/kg).

        Conserved exactly by drag-free motion in the rotating frame (the gravity field is
        stationary in ECEF); with ``rotation=False`` it is the ordinary energy.
        """
        r2 = np.einsum("...i,...i->...", r, r)
        rn = np.sqrt(r2)
        u = -self.gm / rn
        if self.j2:
            s2 = r[..., 2] ** 2 / r2
            u = u * (1.0 - J2 * (A_M * A_M / r2) * (3.0 * s2 - 1.0) / 2.0)
        w = self.omega_rad_s
        rho2 = r[..., 0] ** 2 + r[..., 1] ** 2
        return np.asarray(0.5 * np.einsum("...i,...i->...", v, v) + u - 0.5 * w * w * rho2)
