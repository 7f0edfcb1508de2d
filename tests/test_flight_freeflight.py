"""Free flight against closed form: Kepler range, apogee and time; energy conservation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from earlywarn.earth.constants import GM_M3_S2, R_MEAN_M
from earlywarn.flight.dynamics import EarthModel
from earlywarn.flight.freeflight import kepler_arc, propagate

MU = GM_M3_S2
R = R_MEAN_M
SPHERE = EarthModel(j2=False, rotation=False, drag=False, sphere_radius_m=R)


def min_energy_closed_form(ground_range_m: float) -> tuple[float, float, float, float]:
    """Minimum-energy ballistic flight between two points on a sphere.

    Wheelon (1959), "Free flight of a ballistic missile", ARS Journal 29; Bate, Mueller &
    White (1971) §6.3: with Ψ the range angle, the optimum flight-path angle is
    γ = (π − Ψ)/4, the speed ``v² = (μ/R) · 2 sin(Ψ/2) / (1 + sin(Ψ/2))``; the conic has
    ``p = R ν cos²γ`` (ν = v²R/μ), ``e² = 1 − ν(2 − ν) cos²γ``, apogee ``p/(1 − e)``,
    and the time follows from Kepler's equation between the symmetric end points.
    Returns (v, γ, apogee altitude, time of flight).
    """
    psi = ground_range_m / R
    gam = (math.pi - psi) / 4.0
    nu = 2.0 * math.sin(psi / 2) / (1.0 + math.sin(psi / 2))
    v = math.sqrt(nu * MU / R)
    p = R * nu * math.cos(gam) ** 2
    e = math.sqrt(1.0 - nu * (2.0 - nu) * math.cos(gam) ** 2)
    a = p / (1.0 - e * e)
    apo = p / (1.0 - e) - R
    # true anomaly of the end points: π ∓ Ψ/2; eccentric anomaly, then Kepler's equation
    nu1 = math.pi - psi / 2.0
    ecc_an = 2.0 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu1 / 2.0))
    m1 = ecc_an - e * math.sin(ecc_an)
    tof = 2.0 * (math.pi - m1) * math.sqrt(a**3 / MU)
    return v, gam, apo, tof


def _launch(v: float, gam: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[R, 0.0, 0.0]]), np.array([[v * math.sin(gam), v * math.cos(gam), 0.0]])


def test_closed_form_reference_values() -> None:
    # the textbook figures for 10,000 km: 7.20 km/s, apogee 1,319 km, 32.2 min
    v, _, apo, tof = min_energy_closed_form(10_000e3)
    assert v == pytest.approx(7_200.0, rel=2e-3)
    assert apo == pytest.approx(1_319e3, rel=2e-3)
    assert tof / 60.0 == pytest.approx(32.2, rel=2e-3)


@pytest.mark.parametrize("ground_range_km", [1_000.0, 4_000.0, 10_000.0])
def test_numerical_free_flight_matches_kepler(ground_range_km: float) -> None:
    v, gam, apo, tof = min_energy_closed_form(ground_range_km * 1e3)
    r0, v0 = _launch(v, gam)
    path = propagate(SPHERE, np.zeros(1), r0, v0, np.zeros(1), t_max_s=1e5)
    assert path.impacted[0]
    end = path.end_r[0]
    rng = math.acos(float(end @ r0[0]) / (R * float(np.linalg.norm(end)))) * R
    h_max = float(np.nanmax(np.linalg.norm(path.r[0], axis=1))) - R
    assert rng == pytest.approx(ground_range_km * 1e3, rel=5e-3)
    assert h_max == pytest.approx(apo, rel=5e-3)
    assert path.end_s[0] == pytest.approx(tof, rel=5e-3)
    # the closed-form arc agrees too (it is what aiming uses)
    arc = kepler_arc(r0, v0, R)
    assert arc.angle_rad[0] * R == pytest.approx(ground_range_km * 1e3, rel=1e-9)
    assert arc.tof_s[0] == pytest.approx(tof, rel=1e-9)


def test_jacobi_integral_conserved_without_drag() -> None:
    # J2 and rotation on, drag off: the Jacobi integral in ECEF is exactly conserved; RK4 at
    # 10 s must keep its relative drift below 1e-9 over one orbit (~92 min).
    model = EarthModel(drag=False)
    r0 = np.array([[6_378e3 + 400e3, 0.0, 0.0]])
    v0 = np.array([[0.0, 7_670.0 * math.cos(0.9) - 465.0, 7_670.0 * math.sin(0.9)]])
    path = propagate(model, np.zeros(1), r0, v0, np.zeros(1), t_max_s=5_560.0, step_s=10.0)
    k = int(path.n_samples[0])
    jac = model.jacobi(path.r[0, :k], path.v[0, :k])
    assert not path.impacted[0]
    assert float(np.ptp(jac) / abs(jac[0])) < 1e-9
