"""The correlation pass at raid scale: the batched backward test is the scalar one bit for
bit and the fine-step unscented propagation to RK4's truncation error, its compiled
loops are the numpy they stand for (below, as references), and its pre-gate never drops
an IR event that passes (or that is the nearest)."""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.center.characterise import _rk4, propagate
from earlywarn.center.compiled import _solve_d2, gate_d2
from earlywarn.center.fusion import (
    BackwardTrace,
    FusionParams,
    SigmaCloud,
    cloud_moments,
    correlate_backward,
    position_d2,
)
from earlywarn.center.radar_tracking import RadarTrack

# a burnout state ~300 km up, 6.5 km/s mostly horizontal (ECEF, SI)
X_BO = np.array([6.2e6, 1.1e6, 2.5e6, -1800.0, 5600.0, 2900.0])


def _raid(seed: int, n: int) -> tuple[list[tuple[float, np.ndarray, np.ndarray]], RadarTrack]:
    """``n`` IR burnout states of launches seconds apart on neighbouring arcs, and one radar
    track of the first launch 600-1,500 s later."""
    rng = np.random.default_rng(seed)
    states = []
    for k in range(n):
        dt_launch = float(rng.uniform(-300.0, 300.0)) if k else 0.0
        x = propagate(X_BO, dt_launch)[0] if dt_launch else X_BO.copy()
        x = x + np.r_[rng.normal(0, 20e3, 3), rng.normal(0, 50.0, 3)] * (k > 0)
        p = np.diag([rng.uniform(0.5e3, 5e3) ** 2] * 3 + [rng.uniform(20.0, 300.0) ** 2] * 3)
        states.append((1000.0 + float(rng.uniform(-5.0, 5.0)), x, p))
    dt = float(rng.uniform(600.0, 1500.0))
    x_trk = propagate(states[0][1], dt)[0] + np.r_[rng.normal(0, 300.0, 3), rng.normal(0, 3, 3)]
    p_trk = np.diag([rng.uniform(50.0, 2e3) ** 2] * 3 + [rng.uniform(1.0, 30.0) ** 2] * 3)
    t_trk = states[0][0] + dt
    return states, RadarTrack(1, t_trk, x_trk, p_trk, 0.0, t_trk, 8, ("r",), ())


@pytest.mark.parametrize("seed", range(4))
def test_backward_many_is_backward_bit_for_bit(seed: int) -> None:
    states, tr = _raid(seed, 12)
    fp = FusionParams()
    states.append((tr.t_s + 5.0, X_BO, states[0][2]))  # a burnout after the track: inf
    states.append((tr.t_s - fp.max_propagation_s - 1.0, X_BO, states[0][2]))  # too old: inf
    t_min = min(st[0] for st in states[:-1])
    many = BackwardTrace.of(tr, t_min, fp.q).d2(states, fp)
    assert many.tolist() == [correlate_backward(st, tr, fp) for st in states]
    assert many[-2] == np.inf and many[-1] == np.inf
    assert np.isfinite(many[:-2]).all()


@pytest.mark.parametrize("seed", range(4))
def test_backward_trace_is_the_unscented_propagation(seed: int) -> None:
    """The trace's 60 s grid plus one shorter step gives the ``d²`` of the unscented
    propagation in fine (2 s) steps within RK4's truncation error at 60 s steps: measured
    under 4e-4 of ``d²`` on these raids, as for 60 s steps of equal length (the previous
    scheme, 0.7-3.2e-4)."""
    states, tr = _raid(seed, 12)
    fp = FusionParams()
    got = BackwardTrace.of(tr, min(st[0] for st in states), fp.q).d2(states, fp)
    cloud = SigmaCloud.from_state(0.0, tr.x, tr.p, fp.q)
    for st, d2 in zip(states, got, strict=True):
        dt = st[0] - tr.t_s
        xb, pb = SigmaCloud(0.0, dt, propagate(cloud.pts, dt, max_step_s=2.0), fp.q).moments()
        s = pb[:3, :3] + st[2][:3, :3] + np.eye(3) * fp.gate_floor_m(0.0) ** 2
        d = xb[:3] - st[1][:3]
        assert d2 == pytest.approx(float(d @ np.linalg.solve(s, d)), rel=1e-3)


@pytest.mark.parametrize("seed", range(20))
def test_backward_pregate_keeps_every_passing_event(seed: int) -> None:
    """The grid's ``d²`` never exceeds ``margin ×`` the exact ``d²`` (so an event that
    passes, or that is nearer than the best found, is never left out): it is the exact
    one to interpolation error (measured within 0.4 % over 1,500 pairs of 60 raids)."""
    states, tr = _raid(seed, 25)
    fp = FusionParams()
    exact = np.array([correlate_backward(st, tr, fp) for st in states])
    t_b = np.array([st[0] for st in states])
    x_b = np.array([st[1][:3] for st in states])
    p_b = np.array([st[2][:3, :3] for st in states])
    trace = BackwardTrace.of(tr, float(t_b.min()), fp.q)
    pre = trace.pregate_d2(t_b, x_b, p_b, fp.gate_floor_m(0.0))
    assert exact[0] <= fp.gamma  # the track's own launch passes
    assert np.all(pre <= BackwardTrace.PREGATE_MARGIN * exact)
    np.testing.assert_allclose(pre, exact, rtol=0.02)
    # and the pre-gate is not vacuous: far launches are left out without a propagation
    assert np.count_nonzero(pre > BackwardTrace.PREGATE_MARGIN * fp.gamma) >= 1


def test_clouds_advanced_together_are_each_the_same_as_alone() -> None:
    """SigmaCloud.advance (every IR event's cloud to the tracker time in one propagation)
    gives each cloud's points and moments as ``at`` and ``moments`` alone, clouds at
    different times and one already there among them."""
    states, _ = _raid(3, 6)
    clouds = [SigmaCloud.from_state(t, x, p, 0.05) for t, x, p in states]
    clouds[1] = clouds[1].at(clouds[1].t_s + 37.0)
    clouds[2] = clouds[2].at(1400.0)
    moved = SigmaCloud.advance(clouds, 1400.0)
    for cl, mv in zip(clouds, moved, strict=True):
        alone = cl.at(1400.0)
        assert np.array_equal(mv.pts, alone.pts) and mv.t_s == alone.t_s == 1400.0
        m1, m2 = mv.moments(), alone.moments()
        assert np.array_equal(m1[0], m2[0]) and np.array_equal(m1[1], m2[1])


def _d2_numpy(
    trace: BackwardTrace, states: list[tuple[float, np.ndarray, np.ndarray]], fp: FusionParams
) -> np.ndarray:
    """The backward ``d²`` in numpy over all the states at once (the compiled loop's
    reference): one RK4 step of the 13 points from the grid point after each burnout
    time, ``cloud_moments``, one batched solve."""
    k = len(states)
    out = np.full(k, np.inf)
    t_b = np.array([st[0] for st in states])
    dt = trace.t_s - t_b
    u = dt / trace.step_s
    use = np.flatnonzero(
        (dt >= 0.0) & (dt <= fp.max_propagation_s) & (u <= trace.grid.shape[0] - 1)
    )
    j = np.floor(u[use]).astype(np.intp)
    h = np.repeat(t_b[use] - (trace.t_s - j * trace.step_s), 13)
    y = np.ascontiguousarray(trace.grid[j].reshape(-1, 6).T)
    xb, pb = cloud_moments(_rk4(y, h).T.reshape(-1, 13, 6), trace.q, dt[use])
    x_ir = np.array([states[i][1][:3] for i in use.tolist()])
    p_ir = np.array([states[i][2][:3, :3] for i in use.tolist()])
    s = pb[:, :3, :3] + p_ir + np.eye(3) * fp.gate_floor_m(0.0) ** 2
    out[use] = position_d2(xb[:, :3] - x_ir, s)
    return out


def _pregate_numpy(
    trace: BackwardTrace, t_b: np.ndarray, x_b: np.ndarray, p_b: np.ndarray, floor_m: float
) -> np.ndarray:
    """The grid's ``d²`` in numpy (the compiled loop's reference): Hermite mean, linear
    covariance."""
    u = (trace.t_s - t_b) / trace.step_s
    m = trace.mean.shape[0] - 1
    j = np.clip(np.floor(u).astype(int), 0, max(m - 1, 0))
    f = np.clip(u - j, 0.0, 1.0)[:, None]
    j1 = np.minimum(j + 1, m)
    y0, y1, h = trace.mean[j], trace.mean[j1], -trace.step_s
    pos = (
        (2 * f**3 - 3 * f**2 + 1) * y0[:, :3]
        + (f**3 - 2 * f**2 + f) * h * y0[:, 3:]
        + (-2 * f**3 + 3 * f**2) * y1[:, :3]
        + (f**3 - f**2) * h * y1[:, 3:]
    )
    w = f[:, :, None]
    cov = (1.0 - w) * trace.cov_pos_m2[j] + w * trace.cov_pos_m2[j1] + p_b
    d2 = position_d2(pos - x_b, cov + np.eye(3) * floor_m**2)
    return np.where((u >= 0.0) & (u <= m), d2, np.inf)


@pytest.mark.parametrize("seed", range(6))
def test_compiled_backward_loops_are_their_numpy(seed: int) -> None:
    """Both compiled loops against their numpy references, off the grid included. The
    RK4 step is the same code (same bits); the moments and the 3 × 3 solve sum in another
    order, so to 1e-9 of ``d²``."""
    states, tr = _raid(seed, 30)
    fp = FusionParams()
    states.append((tr.t_s + 5.0, X_BO, states[0][2]))  # after the track
    states.append((tr.t_s - fp.max_propagation_s - 1.0, X_BO, states[0][2]))  # too old
    t_b = np.array([st[0] for st in states])
    x_b = np.array([st[1][:3] for st in states])
    p_b = np.array([st[2][:3, :3] for st in states])
    trace = BackwardTrace.of(tr, float(t_b[:-1].min()), fp.q)
    got, want = trace.d2(states, fp), _d2_numpy(trace, states, fp)
    assert np.isinf(want[-2:]).all() and np.isfinite(want[:-2]).all()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0.0)
    idx = np.array([5, 0, 31, 7])  # a subset, out of order, one off the grid
    np.testing.assert_array_equal(trace.d2_at(t_b, x_b, p_b, fp, idx), got[idx])
    floor = fp.gate_floor_m(0.0)
    pre, pre_np = (
        trace.pregate_d2(t_b, x_b, p_b, floor),
        _pregate_numpy(trace, t_b, x_b, p_b, floor),
    )
    assert np.isinf(pre_np[-2]) and np.isfinite(pre_np[:-2]).all()
    np.testing.assert_allclose(pre, pre_np, rtol=1e-9, atol=0.0)


def test_compiled_solve_is_linalg_solve() -> None:
    """``dᵀ S⁻¹ d`` by elimination with pivoting: numpy's to 1e-10 on covariances, on
    indefinite and badly scaled matrices (a row swap needed), and inf where singular."""
    rng = np.random.default_rng(11)
    for n in range(300):
        a = rng.normal(size=(3, 3)) * np.exp(rng.uniform(-8, 8, 3))[:, None]
        s = a @ a.T if n % 2 else a  # a covariance, or any matrix
        d = rng.normal(size=3) * 1e4
        want = float(d @ np.linalg.solve(s, d))
        assert _solve_d2(d, s) == pytest.approx(want, rel=1e-10, abs=1e-10 * abs(d @ d))
    assert _solve_d2(np.ones(3), np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 2]])) == pytest.approx(
        2.5
    )
    assert _solve_d2(np.ones(3), np.diag([1.0, 0.0, 1.0])) == np.inf


def test_compiled_forward_gate_is_position_d2() -> None:
    """The forward gate's compiled ``d²`` (``S = P_ir + P_track + floor²``) against the
    batched solve, for a subset of events out of order."""
    rng = np.random.default_rng(12)
    n = 40
    a = rng.normal(size=(n, 3, 3)) * 3e3
    cov = a @ a.transpose(0, 2, 1)
    pos = rng.normal(size=(n, 3)) * 5e4
    floor2 = rng.uniform(1e6, 1e8, n)
    b = rng.normal(size=(6, 6)) * 500.0
    x, p = rng.normal(size=6) * 5e4, b @ b.T
    idx = np.array([3, 17, 0, 39, 8])
    s = cov[idx] + p[:3, :3] + np.eye(3) * floor2[idx][:, None, None]
    want = position_d2(pos[idx] - x[:3], s)
    np.testing.assert_allclose(gate_d2(pos, cov, floor2, idx, x, p), want, rtol=1e-10)
