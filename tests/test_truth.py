"""Truth trajectories: interpolation is exact for cubics and respects each object's life."""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.flight.truth import Trajectories


def _make(n: int = 3, k: int = 40, seed: int = 7) -> tuple[Trajectories, np.ndarray]:
    rng = np.random.default_rng(seed)
    coef = rng.normal(size=(n, 4, 3))  # r(t) = c0 + c1 t + c2 t^2 + c3 t^3 per object
    t0 = rng.uniform(0, 100, n)
    t = t0[:, None] + np.cumsum(rng.uniform(0.5, 3.0, (n, k)), axis=1)
    lens = [k, k - 10, k - 25][:n]
    r = np.einsum("nk,nj->nkj", np.ones_like(t), coef[:, 0])
    tt = t[..., None]
    r = (
        coef[:, None, 0]
        + coef[:, None, 1] * tt
        + coef[:, None, 2] * tt**2
        + coef[:, None, 3] * tt**3
    )
    v = coef[:, None, 1] + 2 * coef[:, None, 2] * tt + 3 * coef[:, None, 3] * tt**2
    for i, m in enumerate(lens):
        t[i, m:] = np.nan
        r[i, m:] = np.nan
        v[i, m:] = np.nan
    inten = np.where(np.isnan(t), 0.0, 5.0)
    traj = Trajectories(
        object_id=tuple(f"o{i}" for i in range(n)),
        launch_id=("L1",) * n,
        kind=("rv",) * n,
        t_s=t,
        r_ecef_m=r,
        v_ecef_m_s=v,
        intensity_w_sr=inten,
        rcs_m2=np.ones(n),
    )
    return traj, coef


def test_hermite_interpolation_is_exact_for_cubic_motion() -> None:
    traj, coef = _make()
    q = np.linspace(0, 250, 501)
    s = traj.at(q)
    for i in range(traj.n_objects):
        live = s.alive[i]
        assert live.any()
        tq = q[live][:, None]
        exact = coef[i, 0] + coef[i, 1] * tq + coef[i, 2] * tq**2 + coef[i, 3] * tq**3
        np.testing.assert_allclose(s.r_ecef_m[i, live], exact, rtol=1e-9, atol=1e-6)
        dexact = coef[i, 1] + 2 * coef[i, 2] * tq + 3 * coef[i, 3] * tq**2
        np.testing.assert_allclose(s.v_ecef_m_s[i, live], dexact, rtol=1e-9, atol=1e-6)
        assert np.all(np.isnan(s.r_ecef_m[i, ~live]))
        assert np.all(s.intensity_w_sr[i, ~live] == 0.0)


def test_alive_matches_each_objects_first_and_last_sample() -> None:
    traj, _ = _make()
    q = np.concatenate([traj.t_start_s, traj.t_end_s, traj.t_start_s - 1e-6, traj.t_end_s + 1e-6])
    s = traj.at(q)
    n = traj.n_objects
    for i in range(n):
        assert s.alive[i, i] and s.alive[i, n + i]
        assert not s.alive[i, 2 * n + i] and not s.alive[i, 3 * n + i]


def test_concat_pads_and_keeps_order() -> None:
    a, _ = _make(2, 12, seed=1)
    b, _ = _make(3, 30, seed=2)
    c = Trajectories.concat([a, b])
    assert c.object_id == a.object_id + b.object_id
    assert c.t_s.shape == (5, 30)
    q = np.linspace(0, 200, 50)
    np.testing.assert_array_equal(c.at(q).alive, np.vstack([a.at(q).alive, b.at(q).alive]))


def test_shape_errors_name_the_field() -> None:
    traj, _ = _make()
    with pytest.raises(ValueError, match="rcs_m2"):
        Trajectories(
            traj.object_id, traj.launch_id, traj.kind, traj.t_s, traj.r_ecef_m,
            traj.v_ecef_m_s, traj.intensity_w_sr, np.ones(7),
        )  # fmt: skip
    with pytest.raises(ValueError, match="kind"):
        Trajectories(
            traj.object_id, traj.launch_id, ("rv", "rv", "ufo"), traj.t_s, traj.r_ecef_m,
            traj.v_ecef_m_s, traj.intensity_w_sr, traj.rcs_m2,
        )  # fmt: skip
