"""Measurement models for the radar tracker, vectorised over tracks.

Every model maps a batch of 6-element target states ``x = [x, y, z, vx, vy, vz]`` (shape
``(n, 6)``, SI) to predicted measurements ``h(x)`` of shape ``(n, dim)`` and gives the analytic
Jacobian ``H = ∂h/∂x`` of shape ``(n, dim, 6)`` for the extended Kalman filter. Angle
components of a residual ``z − h(x)`` are wrapped to (−π, π] so that a target near the ±π
azimuth seam does not produce a 2π innovation.

Models
------
``RadarRAE``
    (range, azimuth, elevation) from a sensor at the origin of a local Cartesian frame with
    z up: ``azimuth = atan2(y, x)`` (counter-clockwise from +x), ``elevation = asin(z/ρ)``.
    This is the convention of the shared benchmark files.
``RadarENU``
    (range, azimuth, elevation, range rate) of an Earth-fixed (ECEF) state seen from a radar
    site given by its ECEF position and ENU rotation; azimuth clockwise from north
    (``atan2(east, north)``), elevation from the local horizontal. The site is fixed in ECEF,
    so the line-of-sight velocity is simply the ECEF velocity of the target.
``CartesianPosition``
    a linear, direct position measurement (used by tests and by fused position reports).

``position_from`` inverts the positional part of a measurement for track initiation and
returns the first-order (Jacobian-mapped) Cartesian covariance ``J R Jᵀ``; ``position``
gives the positions alone (the pre-gate needs no covariance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "CartesianPosition",
    "MeasurementModel",
    "RadarENU",
    "RadarRAE",
    "wrap_angle",
]


def wrap_angle(a: FloatArray) -> FloatArray:
    """Wrap angles (rad) to (−π, π]."""
    w = np.mod(a + np.pi, 2.0 * np.pi) - np.pi
    # np.mod maps +π to −π; move that single value to +π so the interval is (−π, π].
    return np.where(w == -np.pi, np.pi, w)


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")


def _states(x: npt.ArrayLike) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 6:
        raise ValueError(f"states must have shape (n, 6) [x, y, z, vx, vy, vz]; got {a.shape}")
    return a


class MeasurementModel(Protocol):
    """What the tracker needs from a measurement model (all arrays float64, SI)."""

    @property
    def dim(self) -> int:
        """Number of measured components."""
        ...

    @property
    def noise_covariance(self) -> FloatArray:
        """Measurement-noise covariance R, shape ``(dim, dim)``."""
        ...

    def function(self, x: FloatArray) -> FloatArray:
        """Noise-free measurement h(x), ``(n, 6) → (n, dim)``."""
        ...

    def jacobian(self, x: FloatArray) -> FloatArray:
        """H = ∂h/∂x, ``(n, 6) → (n, dim, 6)``."""
        ...

    def function_and_jacobian(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(function(x), jacobian(x))`` with what the two share computed once."""
        ...

    def residual(self, z: FloatArray, z_pred: FloatArray) -> FloatArray:
        """z − z_pred (the two broadcast, ``(..., dim)``) with angle components wrapped to
        (−π, π]."""
        ...

    def position(self, z: FloatArray) -> FloatArray:
        """Tracker-frame positions ``(k, 3)`` from z (those of :meth:`position_from`)."""
        ...

    def position_from(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Tracker-frame positions ``(k, 3)`` and their covariance ``(k, 3, 3)`` from z."""
        ...

    def position_noise_trace(self, pos: FloatArray) -> FloatArray:
        """Upper bound of trace(J R Jᵀ) in m² at positions ``(n, 3)``, for pre-gating."""
        ...

    def second_order(self, x: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray] | None:
        """The second-order terms of the Gaussian second-order filter at states ``x (n, 6)``
        with covariances ``p (n, 6, 6)``: the mean ``½ tr(Hᵢ P)`` ``(n, dim)`` to add to
        h(x), and the covariance ``½ tr(Hᵢ P Hⱼ P)`` ``(n, dim, dim)`` to add to R, with Hᵢ
        the Hessian of component i; None where h is linear or the terms are negligible."""
        ...


# --------------------------------------------------------------------------------------------
# (range, azimuth, elevation), local Cartesian, z up, azimuth = atan2(y, x)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarRAE:
    """Radar measuring ``[range, azimuth, elevation]`` in a local Cartesian frame with z up.

    ``ρ = |r − s|``, ``azimuth = atan2(y, x)``, ``elevation = asin(z/ρ)`` with ``r − s`` the
    target position relative to the sensor position ``s`` (default the origin). Noise is
    independent Gaussian with the given standard deviations.
    """

    sigma_range_m: float
    sigma_azimuth_rad: float
    sigma_elevation_rad: float
    sensor_position_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _r: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _positive("sigma_range_m", self.sigma_range_m)
        _positive("sigma_azimuth_rad", self.sigma_azimuth_rad)
        _positive("sigma_elevation_rad", self.sigma_elevation_rad)
        s = np.asarray(self.sensor_position_m, dtype=np.float64)
        if s.shape != (3,) or not np.all(np.isfinite(s)):
            raise ValueError(
                f"sensor_position_m must be three finite numbers, got {self.sensor_position_m!r}"
            )
        r = np.diag([self.sigma_range_m**2, self.sigma_azimuth_rad**2, self.sigma_elevation_rad**2])
        object.__setattr__(self, "_r", r)

    @property
    def dim(self) -> int:
        return 3

    @property
    def noise_covariance(self) -> FloatArray:
        return self._r

    def _rel(self, x: FloatArray) -> FloatArray:
        return _states(x)[:, :3] - np.asarray(self.sensor_position_m)

    def function(self, x: FloatArray) -> FloatArray:
        return self._function(self._rel(x))

    def jacobian(self, x: FloatArray) -> FloatArray:
        return self._jacobian(self._rel(x))

    def function_and_jacobian(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        d = self._rel(x)
        return self._function(d), self._jacobian(d)

    def _function(self, d: FloatArray) -> FloatArray:
        rho = np.linalg.norm(d, axis=1)
        az = np.arctan2(d[:, 1], d[:, 0])
        el = np.arcsin(np.clip(d[:, 2] / rho, -1.0, 1.0))
        return np.stack([rho, az, el], axis=1)

    def _jacobian(self, d: FloatArray) -> FloatArray:
        # With ρ² = x²+y²+z² and ρh² = x²+y²:
        #   ∂ρ/∂r  = r/ρ
        #   ∂az/∂r = (−y, x, 0)/ρh²
        #   ∂el/∂r = (−x z, −y z, ρh²)/(ρ² ρh)      (el = atan2(z, ρh) = asin(z/ρ))
        px, py, pz = d[:, 0], d[:, 1], d[:, 2]
        rh2 = px * px + py * py
        rh = np.sqrt(rh2)
        r2 = rh2 + pz * pz
        rho = np.sqrt(r2)
        h = np.zeros((d.shape[0], 3, 6))
        h[:, 0, :3] = d / rho[:, None]
        h[:, 1, 0] = -py / rh2
        h[:, 1, 1] = px / rh2
        h[:, 2, 0] = -px * pz / (r2 * rh)
        h[:, 2, 1] = -py * pz / (r2 * rh)
        h[:, 2, 2] = rh / r2
        return h

    def residual(self, z: FloatArray, z_pred: FloatArray) -> FloatArray:
        y = np.asarray(z, dtype=np.float64) - z_pred
        y[..., 1:3] = wrap_angle(y[..., 1:3])  # azimuth and elevation
        return y

    def _position(self, z: FloatArray) -> tuple[FloatArray, tuple[FloatArray, ...]]:
        """Positions and ``(ρ, cos az, sin az, cos el, sin el)`` of measurements z."""
        z = np.asarray(z, dtype=np.float64)
        rho, az, el = z[:, 0], z[:, 1], z[:, 2]
        ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
        pos = np.stack([rho * ce * ca, rho * ce * sa, rho * se], axis=1) + np.asarray(
            self.sensor_position_m
        )
        return pos, (rho, ca, sa, ce, se)

    def position(self, z: FloatArray) -> FloatArray:
        return self._position(z)[0]

    def position_from(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        pos, (rho, ca, sa, ce, se) = self._position(z)
        # J = ∂(x, y, z)/∂(ρ, az, el); covariance mapped to first order: J R Jᵀ.
        j = np.empty((z.shape[0], 3, 3))
        j[:, 0, 0], j[:, 0, 1], j[:, 0, 2] = ce * ca, -rho * ce * sa, -rho * se * ca
        j[:, 1, 0], j[:, 1, 1], j[:, 1, 2] = ce * sa, rho * ce * ca, -rho * se * sa
        j[:, 2, 0], j[:, 2, 1], j[:, 2, 2] = se, 0.0, rho * ce
        cov = j @ self._r @ j.swapaxes(1, 2)
        return pos, cov

    def second_order(self, x: FloatArray, p: FloatArray) -> None:
        """First order only: this model serves the shared benchmark files and the
        comparison with Stone Soup's extended Kalman filter, like for like."""
        return None

    def position_noise_trace(self, pos: FloatArray) -> FloatArray:
        rho2 = np.add.reduce((pos - np.asarray(self.sensor_position_m)) ** 2, axis=1)
        return self.sigma_range_m**2 + rho2 * (
            self.sigma_azimuth_rad**2 + self.sigma_elevation_rad**2
        )


# --------------------------------------------------------------------------------------------
# (range, azimuth from north, elevation, range rate) from an ECEF site
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarENU:
    """Radar at an Earth-fixed site measuring ``[range, azimuth, elevation, range_rate]``.

    The state is ECEF ``[x, y, z, vx, vy, vz]``. With ``d = R_enu (r − s)`` = (e, n, u) and
    ``w = R_enu v``: ``ρ = |d|``, ``azimuth = atan2(e, n)`` (clockwise from north),
    ``elevation = atan2(u, √(e²+n²))``, ``ρ̇ = d·w/ρ``. ``rotation_enu`` has rows east, north,
    up in ECEF (as ``earlywarn.earth.enu_rotation`` returns it).
    """

    site_ecef_m: tuple[float, float, float]
    rotation_enu: tuple[tuple[float, float, float], ...]
    sigma_range_m: float
    sigma_azimuth_rad: float
    sigma_elevation_rad: float
    sigma_range_rate_m_s: float
    _r: FloatArray = field(init=False, repr=False, compare=False)
    _rot: FloatArray = field(init=False, repr=False, compare=False)
    _site: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _positive("sigma_range_m", self.sigma_range_m)
        _positive("sigma_azimuth_rad", self.sigma_azimuth_rad)
        _positive("sigma_elevation_rad", self.sigma_elevation_rad)
        _positive("sigma_range_rate_m_s", self.sigma_range_rate_m_s)
        site = np.asarray(self.site_ecef_m, dtype=np.float64)
        if site.shape != (3,) or not np.all(np.isfinite(site)):
            raise ValueError(f"site_ecef_m must be three finite numbers, got {self.site_ecef_m!r}")
        rot = np.asarray(self.rotation_enu, dtype=np.float64)
        if rot.shape != (3, 3) or not np.allclose(rot @ rot.T, np.eye(3), atol=1e-9):
            raise ValueError(
                "rotation_enu must be a 3x3 orthonormal matrix (rows east, north, up), "
                f"got {self.rotation_enu!r}"
            )
        r = np.diag(
            [
                self.sigma_range_m**2,
                self.sigma_azimuth_rad**2,
                self.sigma_elevation_rad**2,
                self.sigma_range_rate_m_s**2,
            ]
        )
        object.__setattr__(self, "_r", r)
        object.__setattr__(self, "_rot", rot)
        object.__setattr__(self, "_site", site)

    @classmethod
    def at_geodetic(
        cls,
        lat_rad: float,
        lon_rad: float,
        h_m: float,
        sigma_range_m: float,
        sigma_azimuth_rad: float,
        sigma_elevation_rad: float,
        sigma_range_rate_m_s: float,
    ) -> RadarENU:
        """A site given by geodetic latitude, longitude (rad) and height (m) on WGS84."""
        from earlywarn.earth.frames import enu_rotation, geodetic_to_ecef

        site = np.asarray(geodetic_to_ecef(lat_rad, lon_rad, h_m), dtype=np.float64)
        rot = np.asarray(enu_rotation(lat_rad, lon_rad), dtype=np.float64)
        return cls(
            site_ecef_m=(float(site[0]), float(site[1]), float(site[2])),
            rotation_enu=tuple((float(r[0]), float(r[1]), float(r[2])) for r in rot),
            sigma_range_m=sigma_range_m,
            sigma_azimuth_rad=sigma_azimuth_rad,
            sigma_elevation_rad=sigma_elevation_rad,
            sigma_range_rate_m_s=sigma_range_rate_m_s,
        )

    @property
    def dim(self) -> int:
        return 4

    @property
    def noise_covariance(self) -> FloatArray:
        return self._r

    def _local(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = _states(x)
        d = (x[:, :3] - self._site) @ self._rot.T
        w = x[:, 3:] @ self._rot.T
        return d, w

    def function(self, x: FloatArray) -> FloatArray:
        return self._function(*self._local(x))

    def jacobian(self, x: FloatArray) -> FloatArray:
        return self._jacobian(*self._local(x))

    def function_and_jacobian(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        d, w = self._local(x)
        return self._function(d, w), self._jacobian(d, w)

    def _to_ecef(self, hl: FloatArray) -> FloatArray:
        """Jacobian rows w.r.t. local (d, w) → w.r.t. ECEF (r, v): ``∂/∂r = (∂/∂d) R_enu``."""
        h = np.empty_like(hl)
        h[:, :, :3] = hl[:, :, :3] @ self._rot
        h[:, :, 3:] = hl[:, :, 3:] @ self._rot
        return h

    def _function(self, d: FloatArray, w: FloatArray) -> FloatArray:
        e, n, u = d[:, 0], d[:, 1], d[:, 2]
        out = np.empty((d.shape[0], 4))
        # ρ = |d| (np.linalg.norm's own arithmetic, without its argument handling)
        rho = out[:, 0] = np.sqrt(np.add.reduce(d * d, axis=1))
        out[:, 1] = np.arctan2(e, n)
        out[:, 2] = np.arctan2(u, np.hypot(e, n))
        out[:, 3] = np.add.reduce(d * w, axis=1) / rho
        return out

    def _jacobian(self, d: FloatArray, w: FloatArray) -> FloatArray:
        # In local ENU (d = (e, n, u), ρh² = e² + n²):
        #   ∂ρ/∂d  = d/ρ
        #   ∂az/∂d = (n, −e, 0)/ρh²                      (az = atan2(e, n))
        #   ∂el/∂d = (−e u, −n u, ρh²)/(ρ² ρh)
        #   ∂ρ̇/∂d  = (w − ρ̇ d/ρ)/ρ,   ∂ρ̇/∂w = d/ρ
        # and the chain rule to ECEF: ∂/∂r = (∂/∂d) R_enu, ∂/∂v = (∂/∂w) R_enu.
        e, n, u = d[:, 0], d[:, 1], d[:, 2]
        rh2 = e * e + n * n
        rh = np.sqrt(rh2)
        r2 = rh2 + u * u
        rho = np.sqrt(r2)
        rho_c = rho[:, None]
        rr = np.add.reduce(d * w, axis=1) / rho
        r2rh = r2 * rh
        hl = np.zeros((d.shape[0], 4, 6))
        hl[:, 0, :3] = hl[:, 3, 3:] = d / rho_c
        hl[:, 1, 0] = n / rh2
        hl[:, 1, 1] = -e / rh2
        hl[:, 2, 0] = -e * u / r2rh
        hl[:, 2, 1] = -n * u / r2rh
        hl[:, 2, 2] = rh / r2
        hl[:, 3, :3] = (w - (rr / rho)[:, None] * d) / rho_c
        return self._to_ecef(hl)

    def residual(self, z: FloatArray, z_pred: FloatArray) -> FloatArray:
        y = np.asarray(z, dtype=np.float64) - z_pred
        y[..., 1:3] = wrap_angle(y[..., 1:3])  # azimuth and elevation
        return y

    def _position(self, z: FloatArray) -> tuple[FloatArray, tuple[FloatArray, ...]]:
        """Positions and ``(ρ, sin az, cos az, sin el, cos el)`` of measurements z."""
        z = np.asarray(z, dtype=np.float64)
        rho, az, el = z[:, 0], z[:, 1], z[:, 2]
        sa, ca, se, ce = np.sin(az), np.cos(az), np.sin(el), np.cos(el)
        d = np.empty((z.shape[0], 3))  # (east, north, up)
        rce = rho * ce
        d[:, 0] = rce * sa
        d[:, 1] = rce * ca
        d[:, 2] = rho * se
        return d @ self._rot + self._site, (rho, sa, ca, se, ce)

    def position(self, z: FloatArray) -> FloatArray:
        return self._position(z)[0]

    def position_from(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        pos, (rho, sa, ca, se, ce) = self._position(z)
        j = np.empty((rho.shape[0], 3, 3))
        j[:, 0, 0], j[:, 0, 1], j[:, 0, 2] = ce * sa, rho * ce * ca, -rho * se * sa
        j[:, 1, 0], j[:, 1, 1], j[:, 1, 2] = ce * ca, -rho * ce * sa, -rho * se * ca
        j[:, 2, 0], j[:, 2, 1], j[:, 2, 2] = se, 0.0, rho * ce
        j = self._rot.T @ j  # ENU → ECEF
        cov = j @ self._r[:3, :3] @ j.swapaxes(1, 2)
        return pos, cov

    def second_order(self, x: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Range and range rate are curved in the state where a track is young and far:
        a cross-range spread σ at range ρ lengthens the range by ~σ²/ρ (a 15 km spread at
        3,000 km: 75 m, where the range is measured to 30 m), and a cross-range position
        and velocity spread moves the range rate by ~σ_r σ_v/ρ (12 km and 3 km/s: 12 m/s,
        against 5 m/s). The first-order EKF takes both for exact, and a radar track two
        scans old was overconfident by a factor of ~20 in NEES (a catalogued satellite
        tracked at 3,000 km). The terms below are those of the Gaussian second-order
        filter (Bar-Shalom, Li & Kirubarajan 2001, §10.3.2; Jazwinski 1970, §9.3), in ECEF
        (range and range rate are invariant under the ENU rotation), with ``d = r − s``,
        ``u = d/ρ``, ``A = (I − u uᵀ)/ρ``, ``g = (I − u uᵀ) v``:

        * range: Hessian ``[[A, 0], [0, 0]]``;
        * range rate ``ρ̇ = u·v``: Hessian ``[[−(ρ̇ (I − u uᵀ) + u gᵀ + g uᵀ)/ρ², A], [A, 0]]``.

        The angles' terms are smaller than their noise by the square of (spread/range)
        (under 1 % of σ at these ranges) and are left out. For a mature track (spreads of
        hundreds of metres and tens of m/s) the terms are under a millimetre and a
        hundredth of a m/s."""
        x = _states(x)
        d = x[:, :3] - self._site
        v = x[:, 3:]
        rho = np.sqrt(np.add.reduce(d * d, axis=1))
        u = d / rho[:, None]
        rr = np.add.reduce(u * v, axis=1)
        perp = np.eye(3) - u[:, :, None] * u[:, None, :]
        g = v - rr[:, None] * u
        a = perp / rho[:, None, None]
        h_rng = np.zeros((x.shape[0], 6, 6))
        h_rng[:, :3, :3] = a
        h_rr = np.zeros((x.shape[0], 6, 6))
        h_rr[:, :3, :3] = (
            -(
                rr[:, None, None] * perp
                + u[:, :, None] * g[:, None, :]
                + g[:, :, None] * u[:, None, :]
            )
            / (rho * rho)[:, None, None]
        )
        h_rr[:, :3, 3:] = a
        h_rr[:, 3:, :3] = a
        m_rng = h_rng @ p
        m_rr = h_rr @ p
        bias = np.zeros((x.shape[0], 4))
        bias[:, 0] = 0.5 * np.trace(m_rng, axis1=1, axis2=2)
        bias[:, 3] = 0.5 * np.trace(m_rr, axis1=1, axis2=2)
        cov = np.zeros((x.shape[0], 4, 4))
        cov[:, 0, 0] = 0.5 * np.einsum("kab,kba->k", m_rng, m_rng)
        cov[:, 3, 3] = 0.5 * np.einsum("kab,kba->k", m_rr, m_rr)
        cov[:, 0, 3] = cov[:, 3, 0] = 0.5 * np.einsum("kab,kba->k", m_rng, m_rr)
        return bias, cov

    def position_noise_trace(self, pos: FloatArray) -> FloatArray:
        rho2 = np.add.reduce((pos - self._site) ** 2, axis=1)
        return self.sigma_range_m**2 + rho2 * (
            self.sigma_azimuth_rad**2 + self.sigma_elevation_rad**2
        )


# --------------------------------------------------------------------------------------------
# direct position measurement
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CartesianPosition:
    """Linear measurement of the position ``[x, y, z]`` with isotropic noise ``sigma_m``."""

    sigma_m: float
    _r: FloatArray = field(init=False, repr=False, compare=False)
    _h: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _positive("sigma_m", self.sigma_m)
        object.__setattr__(self, "_r", np.eye(3) * self.sigma_m**2)
        object.__setattr__(self, "_h", np.hstack([np.eye(3), np.zeros((3, 3))]))

    @property
    def dim(self) -> int:
        return 3

    @property
    def noise_covariance(self) -> FloatArray:
        return self._r

    def function(self, x: FloatArray) -> FloatArray:
        return _states(x)[:, :3].copy()

    def jacobian(self, x: FloatArray) -> FloatArray:
        return np.broadcast_to(self._h, (_states(x).shape[0], 3, 6)).copy()

    def residual(self, z: FloatArray, z_pred: FloatArray) -> FloatArray:
        return np.asarray(z, dtype=np.float64) - z_pred

    def function_and_jacobian(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.function(x), self.jacobian(x)

    def position(self, z: FloatArray) -> FloatArray:
        return np.asarray(z, dtype=np.float64)[:, :3].copy()

    def position_from(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        z = np.asarray(z, dtype=np.float64)
        return z[:, :3].copy(), np.broadcast_to(self._r, (z.shape[0], 3, 3)).copy()

    def second_order(self, x: FloatArray, p: FloatArray) -> None:
        """Linear: no second-order terms."""
        return None

    def position_noise_trace(self, pos: FloatArray) -> FloatArray:
        return np.full(pos.shape[0], 3.0 * self.sigma_m**2)
