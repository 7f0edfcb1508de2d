"""Motion models: exact CV discretisation; BallisticJ2 invariants, inertial cross-check, STM.

Sources: CV discretisation, Bar-Shalom, Li, Kirubarajan (2001), "Estimation with
Applications to Tracking and Navigation", §6.2.2 (continuous white-noise acceleration).
Jacobi integral of motion in a uniformly rotating frame with a static potential: Vallado
(2013), "Fundamentals of Astrodynamics and Applications", 4th ed., §12.6 (restricted
three-body section; the same integral holds for any potential fixed in the rotating frame,
which the zonal J2 field is).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad_vec, solve_ivp

from earlywarn.center.kernels import RK4_ROWS_MAX
from earlywarn.center.motion import (
    BallisticJ2,
    ConstantVelocity,
    cv_matrices,
    cv_process_noise,
    gravity_gradient_j2,
)
from earlywarn.earth.constants import A_M, GM_M3_S2, OMEGA_RAD_S
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.gravity import accel_j2, potential_j2


def _suborbital() -> np.ndarray:
    """An ICBM-like free-flight state in ECEF: 300 km up at 40° N, 6.4 km/s climbing."""
    lat = 0.7
    up = np.array([np.cos(lat), 0.0, np.sin(lat)])
    north = np.array([-np.sin(lat), 0.0, np.cos(lat)])
    east = np.array([0.0, 1.0, 0.0])
    r = (A_M + 300e3) * up
    v = 2000.0 * up + 6000.0 * east + 1000.0 * north
    return np.hstack([r, v])[None, :]


# ---------------------------------------------------------------------------- CV


def test_cv_matrices_match_integral_definition() -> None:
    # Q = ∫₀^dt F(s) G q Gᵀ F(s)ᵀ ds with G = [0; I] (Bar-Shalom et al. 2001, eq. 6.2.2-12).
    q, dt = 2.5, 3.0
    f, qm = cv_matrices(q, dt)

    def integrand(s: float) -> np.ndarray:
        fs, _ = cv_matrices(0.0, s)
        g = np.vstack([np.zeros((3, 3)), np.eye(3)])
        return fs @ g @ (q * np.eye(3)) @ g.T @ fs.T

    expected, _ = quad_vec(integrand, 0.0, dt)
    np.testing.assert_allclose(qm, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(f[:3, 3:], dt * np.eye(3))
    assert np.all(np.linalg.eigvalsh(qm) > 0.0)


def test_cv_predict_moves_with_velocity() -> None:
    x = np.array([[1.0, 2.0, 3.0, 10.0, -20.0, 0.5]])
    xp, f, q = ConstantVelocity(q=1.0).predict(x, 2.0)
    np.testing.assert_allclose(xp, [[21.0, -38.0, 4.0, 10.0, -20.0, 0.5]])
    assert f.shape == (6, 6) and q.shape == (6, 6)


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_cv_rejects_bad_q(bad: float) -> None:
    with pytest.raises(ValueError, match="q must"):
        ConstantVelocity(q=bad)


def test_cv_rejects_negative_dt() -> None:
    with pytest.raises(ValueError, match="dt must"):
        ConstantVelocity(q=1.0).predict(np.zeros((1, 6)), -1.0)


# ---------------------------------------------------------------------------- BallisticJ2


def test_gravity_gradient_matches_finite_differences_of_accel_j2() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(size=(5, 3))
    r = r / np.linalg.norm(r, axis=1, keepdims=True) * rng.uniform(A_M, A_M + 2e6, (5, 1))
    g = gravity_gradient_j2(r)
    h = 1.0  # m; the field varies on the scale of the radius, so truncation ~ (h/r)² ≈ 1e-13
    fd = np.stack(
        [(accel_j2(r + h * e) - accel_j2(r - h * e)) / (2 * h) for e in np.eye(3)], axis=-1
    )
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-9 * np.abs(g).max())


def _free_flight_states(n: int, seed: int = 8) -> np.ndarray:
    """``n`` states 100–1200 km up at any latitude (both hemispheres), up to ~7 km/s."""
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    r = d / np.linalg.norm(d, axis=1, keepdims=True) * rng.uniform(A_M + 1e5, A_M + 1.2e6, (n, 1))
    return np.hstack([r, rng.normal(0.0, 4000.0, (n, 3))])


def _joint_rk4_step(m: BallisticJ2, x: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Reference: one classical RK4 step of the joint system ``Y = [x | Φ]`` from Φ = I,
    ``Ẏ = [ẋ | A Φ]`` with ``A = [[0, I], [G − W W, −2 W]]``, written the plain way."""
    w = m.omega_rad_s

    def deriv(y: np.ndarray) -> np.ndarray:
        dy = np.empty_like(y)
        dy[:, :3] = y[:, 3:]
        dy[:, 3:, 0] = m.acceleration(y[:, :, 0])
        g = gravity_gradient_j2(y[:, :3, 0], j2=m.j2, gm=m.gm_m3_s2)
        g[:, 0, 0] += w * w  # G − W W, W W = diag(−Ω², −Ω², 0)
        g[:, 1, 1] += w * w
        lower = g @ y[:, :3, 1:]
        lower[:, 0] += 2.0 * w * y[:, 4, 1:]  # −2 W Φ[3:6] = (2Ω Φ[4], −2Ω Φ[3], 0)
        lower[:, 1] += -2.0 * w * y[:, 3, 1:]
        dy[:, 3:, 1:] = lower
        return dy

    y = np.zeros((x.shape[0], 6, 7))
    y[:, :, 0] = x
    y[:, :, 1:] = np.eye(6)
    k1 = deriv(y)
    k2 = deriv(y + (0.5 * h) * k1)
    k3 = deriv(y + (0.5 * h) * k2)
    k4 = deriv(y + h * k3)
    acc = k1 + 2.0 * k2  # (h/6)(k1 + 2 k2 + 2 k3 + k4), summed left to right
    acc += 2.0 * k3
    acc += k4
    y = y + acc * (h / 6.0)
    return y[:, :, 0], y[:, :, 1:]


@pytest.mark.parametrize("n", [1, 3, RK4_ROWS_MAX + 4])
def test_predict_is_the_joint_rk4_step_by_step_bit_for_bit(n: int) -> None:
    # predict splits each RK4 sub-step into the states (kernels.ballistic_rk4_states:
    # Python floats for a few tracks, numpy for many) and Φ from the stage gradients; it
    # must give what one joint state/STM RK4 step gives, composed over the sub-steps, bit
    # for bit (the same arithmetic in the same order).
    m = BallisticJ2(q=0.3)
    x0 = _free_flight_states(n, seed=n)
    for dt, steps in ((7.5, 1), (25.0, 3)):
        xp, f, q = m.predict(x0, dt)
        h = dt / steps
        q_h = cv_matrices(0.3, h)[1]
        x, phi_total = _joint_rk4_step(m, x0, h)
        q_total = np.broadcast_to(q_h, (n, 6, 6))
        for _ in range(steps - 1):
            x, phi = _joint_rk4_step(m, x, h)
            q_total = phi @ q_total @ np.swapaxes(phi, 1, 2) + q_h
            phi_total = phi @ phi_total
        np.testing.assert_array_equal(xp, x)
        np.testing.assert_array_equal(f, phi_total)
        np.testing.assert_array_equal(q, np.broadcast_to(q_total, (n, 6, 6)))
        # propagate is the same integration without the process noise
        xs, phi_p = m.propagate(x0, dt)
        np.testing.assert_array_equal(xs, xp)
        np.testing.assert_array_equal(phi_p, f)


def test_jacobi_constant_conserved_in_rotating_frame() -> None:
    # C = ½|v|² + U(r) − ½Ω²(x² + y²) is constant in ECEF (J2 field static there).
    # Tolerance 0.05 J/kg: the energy of lifting a kilogram by 5 mm.
    m = BallisticJ2(q=0.0)
    x = _suborbital()

    def jacobi(s: np.ndarray) -> float:
        r, v = s[:, :3], s[:, 3:]
        return float(
            0.5 * np.sum(v * v) + potential_j2(r)[0] - 0.5 * OMEGA_RAD_S**2 * np.sum(r[:, :2] ** 2)
        )

    c0 = jacobi(x)
    xs = x
    for _ in range(6):
        xs, _ = m.propagate(xs, 100.0)
        assert abs(jacobi(xs) - c0) < 0.05
    assert ecef_to_geodetic(xs[0, :3])[2] > 100e3  # still in free flight, well above ground


def test_energy_conserved_without_rotation_and_j2() -> None:
    m = BallisticJ2(q=0.0, j2=0.0, omega_rad_s=0.0)
    x = _suborbital()

    def energy(s: np.ndarray) -> float:
        return float(0.5 * np.sum(s[0, 3:] ** 2) - GM_M3_S2 / np.linalg.norm(s[0, :3]))

    xs, _ = m.propagate(x, 800.0)
    assert abs(energy(xs) - energy(x)) < 0.05  # J/kg, as above


def test_ecef_two_body_matches_inertial_integration() -> None:
    # With J2 = 0, integrating in the rotating frame with Coriolis + centrifugal terms and
    # rotating the result must agree with an independent inertial two-body integration
    # (scipy DOP853, rtol 1e-12). Tolerance 0.1 m over 800 s of flight.
    m = BallisticJ2(q=0.0, j2=0.0)
    x = _suborbital()
    t_end = 800.0
    xe, _ = m.propagate(x, t_end)
    w = np.array([0.0, 0.0, OMEGA_RAD_S])
    r0, v0 = x[0, :3], x[0, 3:]
    y0 = np.hstack([r0, v0 + np.cross(w, r0)])  # inertial velocity at t = 0 (frames aligned)
    sol = solve_ivp(
        lambda _t, y: np.hstack([y[3:], -GM_M3_S2 * y[:3] / np.linalg.norm(y[:3]) ** 3]),
        (0.0, t_end),
        y0,
        method="DOP853",
        rtol=1e-12,
        atol=1e-6,
    )
    th = OMEGA_RAD_S * t_end
    rot = np.array([[np.cos(th), np.sin(th), 0.0], [-np.sin(th), np.cos(th), 0.0], [0, 0, 1]])
    r_i, v_i = rot @ sol.y[:3, -1], rot @ sol.y[3:, -1]
    assert np.linalg.norm(r_i - xe[0, :3]) < 0.1
    assert np.linalg.norm(v_i - np.cross(w, r_i) - xe[0, 3:]) < 1e-4


def test_stm_matches_finite_differences_of_propagator() -> None:
    m = BallisticJ2(q=0.0)
    x = np.vstack([_suborbital(), _suborbital() * np.array([1, 1, -1, 1, 1, -1])])
    dt = 600.0
    _, phi = m.propagate(x, dt)
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])  # m and m/s
    fd = np.empty_like(phi)
    for j in range(6):
        e = np.zeros(6)
        e[j] = steps[j]
        fd[:, :, j] = (m.propagate(x + e, dt)[0] - m.propagate(x - e, dt)[0]) / (2 * steps[j])
    # Agreement to 1e-6 of each column's scale (central-difference error is far smaller).
    scale = np.abs(phi).max(axis=1, keepdims=True)
    assert np.all(np.abs(fd - phi) <= 1e-6 * scale)


def test_ballistic_predict_shapes_and_process_noise() -> None:
    m = BallisticJ2(q=0.1)
    x = np.repeat(_suborbital(), 3, axis=0)
    xp, f, q = m.predict(x, 25.0)  # 3 sub-steps of 8.33 s
    assert xp.shape == (3, 6) and f.shape == (3, 6, 6) and q.shape == (3, 6, 6)
    np.testing.assert_allclose(q, np.swapaxes(q, 1, 2), rtol=0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(q) > 0.0)
    # Over a short step Q is close to the CV one (gravity gradient ~ 1e-6 s⁻²).
    _, q_cv = cv_matrices(0.1, 25.0)
    np.testing.assert_allclose(q[0], q_cv, rtol=0, atol=1e-3 * np.abs(q_cv).max())
    # predict and propagate agree on the state
    np.testing.assert_allclose(xp, m.propagate(x, 25.0)[0], rtol=0, atol=1e-6)


def test_ballistic_two_point_velocity_recovers_velocity() -> None:
    m = BallisticJ2(q=0.0)
    x = _suborbital()
    x2, _ = m.propagate(x, 10.0)
    v = m.two_point_velocity(x[:, :3], x2[:, :3], 10.0)
    assert (
        np.linalg.norm(v - x2[:, 3:]) < 0.3
    )  # m/s: constant-acceleration approximation, |ȧ| dt²/6 ≈ 0.15 m/s


@pytest.mark.parametrize("bad", [0.0, 11.0])
def test_ballistic_rejects_bad_step(bad: float) -> None:
    with pytest.raises(ValueError, match="max_step_s"):
        BallisticJ2(q=0.0, max_step_s=bad)


def test_process_noise_of_many_intervals_is_cv_matrices_bit_for_bit() -> None:
    """The batched Q (the center's sigma clouds) is cv_matrices' Q of each interval, and
    so is white-acceleration noise: Q's position block grows as q·dt³/3 (closed form)."""
    rng = np.random.default_rng(2)
    dt = np.concatenate([[0.0, 1.0, 60.0], rng.uniform(0.0, 3600.0, 20)])
    q = rng.uniform(0.0, 2.0, dt.size)
    many = cv_process_noise(q, dt)
    for k in range(dt.size):
        assert np.array_equal(many[k], cv_matrices(float(q[k]), float(dt[k]))[1])
    assert np.array_equal(cv_process_noise(0.05, dt)[:, 0, 0], 0.05 * (dt**3 / 3.0))
