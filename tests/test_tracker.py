"""Radar tracker: measurement models, EKF consistency, multi-target behaviour, determinism.

Sources: NEES and its chi-square acceptance interval, Bar-Shalom, Li, Kirubarajan (2001),
"Estimation with Applications to Tracking and Navigation", §5.4.2 (Monte Carlo runs,
N·NEES ~ χ²(N·n_x)); Joseph form, same book §5.2.3.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import chi2

from earlywarn.analysis.gospa import gospa
from earlywarn.center.measure import (
    CartesianPosition,
    MeasurementModel,
    RadarENU,
    RadarRAE,
    wrap_angle,
)
from earlywarn.center.motion import ConstantVelocity, cv_matrices
from earlywarn.center.tracker import (
    Deletion,
    Gate,
    Initiation,
    Tracker,
    TrackerOutput,
    TrackerState,
    ekf_update,
    gnn_assign,
    predict_covariance,
)
from earlywarn.earth.frames import enu_rotation, geodetic_to_ecef
from matching import best_matching
from scenes import Scene, radar_scene, rae

RAE = RadarRAE(50.0, 1e-3, 1e-3)


def _enu_radar() -> RadarENU:
    return RadarENU.at_geodetic(0.9, 0.4, 120.0, 30.0, 1e-3, 1e-3, 5.0)


def _states(rng: np.random.Generator, n: int) -> np.ndarray:
    pos = rng.uniform(-3e5, 3e5, (n, 3))
    pos[:, 2] = rng.uniform(2e4, 3e5, n)
    return np.hstack([pos, rng.uniform(-3e3, 3e3, (n, 3))])


# ------------------------------------------------------------------ measurement models


@pytest.mark.parametrize("model", [RAE, _enu_radar(), CartesianPosition(10.0)], ids=type)
def test_measurement_jacobian_matches_finite_differences(model: MeasurementModel) -> None:
    rng = np.random.default_rng(11)
    if isinstance(model, RadarENU):
        site = np.asarray(model.site_ecef_m)
        rel = _states(rng, 8)
        x = rel.copy()
        x[:, :3] = site + rel[:, :3] @ np.asarray(model.rotation_enu)  # ENU offsets → ECEF
    else:
        x = _states(rng, 8)
    h = model.jacobian(x)
    steps = np.array([1.0, 1.0, 1.0, 1e-2, 1e-2, 1e-2])
    fd = np.empty_like(h)
    for j in range(6):
        e = np.zeros(6)
        e[j] = steps[j]
        up = model.function(x + e)
        dn = model.function(x - e)
        fd[:, :, j] = model.residual(up, dn) / (2 * steps[j])
    scale = np.abs(h).max(axis=2, keepdims=True)
    assert np.all(np.abs(fd - h) <= 1e-6 * scale)


@pytest.mark.parametrize("model", [RAE, _enu_radar()], ids=type)
def test_position_from_inverts_function(model: RadarRAE | RadarENU) -> None:
    rng = np.random.default_rng(5)
    x = _states(rng, 20)
    if isinstance(model, RadarENU):
        x[:, :3] = np.asarray(model.site_ecef_m) + x[:, :3] @ np.asarray(model.rotation_enu)
    pos, cov = model.position_from(model.function(x))
    np.testing.assert_allclose(pos, x[:, :3], rtol=0, atol=1e-6)
    np.testing.assert_allclose(cov, np.swapaxes(cov, 1, 2), rtol=0, atol=1e-9)
    assert np.all(np.linalg.eigvalsh(cov) > 0.0)


def test_enu_function_and_jacobian_are_function_and_jacobian() -> None:
    # function_and_jacobian() (the tracker's call) is function() and jacobian() for any
    # number of tracks; position() is position_from()'s first half.
    model = _enu_radar()
    rng = np.random.default_rng(9)
    site = np.asarray(model.site_ecef_m)
    for n in (0, 1, 2, 5, 16, 17, 30):
        x = _states(rng, n)
        x[:, :3] = site + x[:, :3] @ np.asarray(model.rotation_enu)
        z_hat, h = model.function_and_jacobian(x)
        np.testing.assert_array_equal(z_hat, model.function(x))
        np.testing.assert_array_equal(h, model.jacobian(x))
        assert z_hat.shape == (n, 4) and h.shape == (n, 4, 6)
        z = model.function(x)
        np.testing.assert_array_equal(model.position(z), model.position_from(z)[0])


def test_benchmark_convention_azimuth_ccw_from_x() -> None:
    z = RAE.function(np.array([[0.0, 1e5, 0.0, 0, 0, 0], [1e5, 0.0, 1e5, 0, 0, 0]]))
    np.testing.assert_allclose(z[0], [1e5, np.pi / 2, 0.0], atol=1e-12)
    np.testing.assert_allclose(z[1], [np.sqrt(2) * 1e5, 0.0, np.pi / 4], atol=1e-9)


def test_enu_radar_azimuth_clockwise_from_north() -> None:
    lat, lon = 0.9, 0.4
    radar = _enu_radar()
    site = np.asarray(geodetic_to_ecef(lat, lon, 120.0))
    rot = np.asarray(enu_rotation(lat, lon))
    # 100 km east and 1 km up, moving away from the radar at 10 m/s
    enu = np.array([[1e5, 0.0, 1e3]])
    vel = 10.0 * enu / np.linalg.norm(enu)
    x = np.hstack([site + enu @ rot, vel @ rot])
    z = radar.function(x)[0]
    assert z[1] == pytest.approx(np.pi / 2)
    assert z[2] == pytest.approx(np.arctan2(1e3, 1e5))
    assert z[3] == pytest.approx(10.0)
    # due north: azimuth 0
    x_n = np.hstack([site + np.array([[0.0, 1e5, 0.0]]) @ rot, np.zeros((1, 3))])
    assert radar.function(x_n)[0, 1] == pytest.approx(0.0, abs=1e-12)


def test_residual_wraps_azimuth() -> None:
    z = np.array([[1e5, np.pi - 1e-3, 0.1]])
    zp = np.array([[1e5, -np.pi + 1e-3, 0.1]])
    assert RAE.residual(z, zp)[0, 1] == pytest.approx(-2e-3)
    w = wrap_angle(np.array([np.pi, -np.pi, 3 * np.pi]))
    np.testing.assert_allclose(w, [np.pi, np.pi, np.pi])


def test_bad_measurement_parameters_raise() -> None:
    with pytest.raises(ValueError, match="sigma_range_m"):
        RadarRAE(-1.0, 1e-3, 1e-3)
    with pytest.raises(ValueError, match="rotation_enu"):
        RadarENU((0.0, 0.0, 0.0), ((1.0, 0, 0), (1.0, 0, 0), (0, 0, 1.0)), 1, 1, 1, 1)


# ------------------------------------------------------------------ EKF core


def _nees_run(model: RadarRAE | CartesianPosition, n_runs: int, n_steps: int) -> np.ndarray:
    """Average NEES per step over n_runs Monte Carlo runs (runs stacked as 'tracks')."""
    rng = np.random.default_rng(2024)
    q, dt = 1.0, 1.0
    f, qm = cv_matrices(q, dt)
    lq = np.linalg.cholesky(qm)
    r = model.noise_covariance
    lr = np.linalg.cholesky(r)
    truth0 = np.array([8e4, 5e4, 2e4, -150.0, 120.0, 5.0])
    truth = np.repeat(truth0[None], n_runs, axis=0)
    p = np.repeat(np.diag([1e4, 1e4, 1e4, 1e3, 1e3, 1e3])[None], n_runs, axis=0)
    # initial estimate drawn from the initial covariance: a consistent start
    x = truth + rng.standard_normal((n_runs, 6)) @ np.linalg.cholesky(p[0]).T
    nees = np.empty(n_steps)
    for k in range(n_steps):
        truth = truth @ f.T + rng.standard_normal((n_runs, 6)) @ lq.T
        x = x @ f.T
        p = predict_covariance(p, f, qm)
        z = model.function(truth) + rng.standard_normal((n_runs, model.dim)) @ lr.T
        y = model.residual(z, model.function(x))
        x, p = ekf_update(x, p, y, model.jacobian(x), r)
        e = truth - x
        nees[k] = np.mean(np.einsum("ki,kij,kj->k", e, np.linalg.inv(p), e))
    return nees


@pytest.mark.parametrize(
    "model", [CartesianPosition(100.0), RadarRAE(50.0, 1e-3, 1e-3)], ids=["linear", "radar"]
)
def test_nees_inside_95_percent_chi_square_interval(model: RadarRAE | CartesianPosition) -> None:
    # N runs: N·NEES_k ~ χ²(6N) for a consistent filter. The two-sided 95 % interval for the
    # run-average must contain the grand mean, and the per-step averages at ≥ 90 % of the
    # steps (95 % expected; a filter with covariance off by 20 % fails at nearly all steps).
    n_runs, n_steps = 200, 60
    nees = _nees_run(model, n_runs, n_steps)
    lo, hi = chi2.ppf([0.025, 0.975], 6 * n_runs) / n_runs
    assert lo < nees.mean() < hi, (lo, nees.mean(), hi)
    inside = np.mean((nees > lo) & (nees < hi))
    assert inside >= 0.9, inside


def test_joseph_form_keeps_covariance_spd_over_5000_updates() -> None:
    # An accurate, strongly non-isotropic radar (1 m range, 10 µrad angles) at 200 km drives
    # the covariance towards ill-conditioning; Joseph form must keep it SPD every step.
    model = RadarRAE(1.0, 1e-5, 1e-5)
    rng = np.random.default_rng(9)
    f, qm = cv_matrices(1e-4, 1.0)
    truth = np.array([[1.5e5, 1.2e5, 3e4, -200.0, 50.0, 1.0]])
    x = truth + np.array([[100.0, -100.0, 50.0, 5.0, -5.0, 1.0]])
    p = np.diag([1e6, 1e6, 1e6, 1e4, 1e4, 1e4])[None]
    lr = np.linalg.cholesky(model.noise_covariance)
    min_eig = np.inf
    for _ in range(5000):
        truth = truth @ f.T
        x = x @ f.T
        p = predict_covariance(p, f, qm)
        z = model.function(truth) + rng.standard_normal((1, 3)) @ lr.T
        x, p = ekf_update(
            x, p, model.residual(z, model.function(x)), model.jacobian(x), model.noise_covariance
        )
        assert np.array_equal(p, np.swapaxes(p, 1, 2))
        np.linalg.cholesky(p)  # raises LinAlgError unless positive definite
        min_eig = min(min_eig, float(np.linalg.eigvalsh(p).min()))
    assert min_eig > 0.0
    assert np.linalg.norm(truth[0, :3] - x[0, :3]) < 10.0  # and the filter still tracks


def test_gnn_assign_matches_brute_force() -> None:
    # Max cardinality first, then minimum summed cost, on random sparse problems.
    rng = np.random.default_rng(1)
    for _ in range(40):
        nr, nc = rng.integers(1, 5), rng.integers(1, 5)
        mask = rng.random((nr, nc)) < 0.5
        rows, cols = np.nonzero(mask)
        cost = rng.uniform(0, 10, rows.size)
        a_r, a_c = gnn_assign(rows.astype(np.int64), cols.astype(np.int64), cost)
        cmap = {(int(i), int(j)): float(c) for i, j, c in zip(rows, cols, cost, strict=True)}
        best = best_matching(cmap, int(nr), int(nc))
        got = sum(cmap[(int(r), int(c))] for r, c in zip(a_r, a_c, strict=True))
        assert len(a_r) == best[0]
        assert got == pytest.approx(best[1])
        assert len(set(a_c.tolist())) == len(a_c)
        assert np.all(np.diff(a_r) > 0)  # sorted by row


def test_gnn_assign_uncontested_pairs_in_any_order() -> None:
    rows = np.array([3, 0, 2], dtype=np.int64)
    cols = np.array([1, 4, 0], dtype=np.int64)
    a_r, a_c = gnn_assign(rows, cols, np.array([5.0, 1.0, 2.0]))
    np.testing.assert_array_equal(a_r, [0, 2, 3])
    np.testing.assert_array_equal(a_c, [4, 0, 1])


def test_gnn_assign_star_contests_take_the_cheapest_pair() -> None:
    # one row against three columns (and an uncontested pair beside it): one pair, the
    # cheapest; then one column against three rows
    rows = np.array([2, 0, 2, 2], dtype=np.int64)
    cols = np.array([5, 1, 3, 4], dtype=np.int64)
    a_r, a_c = gnn_assign(rows, cols, np.array([4.0, 9.0, 1.5, 2.0]))
    np.testing.assert_array_equal(a_r, [0, 2])
    np.testing.assert_array_equal(a_c, [1, 3])
    a_r, a_c = gnn_assign(
        np.array([1, 0, 3], dtype=np.int64), np.zeros(3, dtype=np.int64), np.array([3.0, 7.0, 0.5])
    )
    np.testing.assert_array_equal(a_r, [3])
    np.testing.assert_array_equal(a_c, [0])


# ------------------------------------------------------------------ the multi-target tracker


def _tracker(q: float = 1.0) -> Tracker:
    return Tracker(
        motion=ConstantVelocity(q=q),
        measurement=RAE,
        gate=Gate(0.999),
        initiation=Initiation(confirm_hits=2, window_scans=3, velocity_sigma_m_s=300.0),
        deletion=Deletion(max_coast_s=5.0, report_max_coast_s=2.0),
    )


def _run(tracker: Tracker, scene: Scene) -> list[TrackerOutput]:
    state = tracker.initial_state()
    outs = []
    for t, z in zip(scene.times, scene.meas, strict=True):
        state, out = tracker.step(state, z, float(t))
        outs.append(out)
    return outs


@pytest.fixture(scope="module")
def scene() -> Scene:
    return radar_scene(np.random.default_rng(123), n_targets=10, n_scans=60)


def test_every_target_confirmed_and_gospa_bounded(scene: Scene) -> None:
    outs = _run(_tracker(), scene)
    # Every target has a reported track within 1 km at the last scan.
    last = outs[-1]
    d = np.linalg.norm(scene.truth[:, -1, None, :3] - last.x[None, :, :3], axis=2)
    assert d.shape[1] >= 10 and np.all(d.min(axis=1) < 1000.0)
    # Mean GOSPA (c = 1000 m, p = 2, α = 2) after a 5-scan warm-up. Bound 500 m: a single
    # missing or false track alone contributes √(c²/2) ≈ 707 m, so the mean stays below it
    # only if such events are rare; with ~60 m per-axis steady-state errors at 60–150 km
    # (cross-range σ 60–150 m filtered), 10 targets give √(10·3·60²) ≈ 330 m.
    g = [gospa(scene.truth[:, k, :3], o.x[:, :3], c=1000.0).distance for k, o in enumerate(outs)]
    assert np.mean(g[5:]) < 500.0, np.mean(g[5:])


def test_clutter_does_not_confirm_tracks(scene: Scene) -> None:
    outs = _run(_tracker(), scene)
    ids_true = set()
    ids_clutter = set()
    confirmed = set()
    for o, tid in zip(outs, scene.meas_truth, strict=True):
        ids_true |= set(o.meas_track_id[tid >= 0].tolist())
        ids_clutter |= set(o.meas_track_id[tid < 0].tolist())
        confirmed |= set(o.ids.tolist())
    assert not (confirmed & (ids_clutter - ids_true))


def test_step_is_deterministic_and_does_not_mutate(scene: Scene) -> None:
    tracker = _tracker()
    a = _run(tracker, scene)
    b = _run(tracker, scene)
    for oa, ob in zip(a, b, strict=True):
        for name in ("ids", "x", "p", "updated", "confirmed_now", "deleted", "meas_track_id"):
            assert np.array_equal(getattr(oa, name), getattr(ob, name))
        assert oa.x.tobytes() == ob.x.tobytes()  # bit-identical
    # states are immutable values
    state = tracker.initial_state()
    s1, _ = tracker.step(state, scene.meas[0], 0.0)
    s2, _ = tracker.step(s1, scene.meas[1], 1.0)
    with pytest.raises(ValueError):
        s1.x[0, 0] = 1.0
    assert s1.n_tracks == scene.meas[0].shape[0] and s2.time == 1.0


def test_pregate_never_changes_the_result(scene: Scene) -> None:
    # The kd-tree pre-gate only saves work: with a 100x wider radius every output is equal.
    narrow = _run(_tracker(), scene)
    wide = _run(dataclasses.replace(_tracker(), pregate_margin=100.0), scene)
    for a, b in zip(narrow, wide, strict=True):
        assert np.array_equal(a.ids, b.ids) and np.array_equal(a.x, b.x)
        assert np.array_equal(a.meas_track_id, b.meas_track_id)


def test_track_ids_are_stable(scene: Scene) -> None:
    outs = _run(_tracker(), scene)
    # After the warm-up, each target keeps one track id (no swaps or re-initiations).
    for n in range(scene.truth.shape[0]):
        ids = set()
        for o, tid in zip(outs[10:], scene.meas_truth[10:], strict=True):
            ids |= set(o.meas_track_id[tid == n].tolist())
        assert len(ids) == 1, (n, ids)


def _small_scene() -> Scene:
    # 3 targets, clutter: a few tracks and measurements per scan (n·m below the pre-gate
    # threshold), tentative tracks from clutter, some competing pairs
    return radar_scene(np.random.default_rng(77), n_targets=3, n_scans=40, clutter_rate=2.0)


def _same_outputs(a: list[TrackerOutput], b: list[TrackerOutput]) -> None:
    for oa, ob in zip(a, b, strict=True):
        for name in ("ids", "x", "p", "updated", "confirmed_now", "deleted", "meas_track_id"):
            np.testing.assert_array_equal(getattr(oa, name), getattr(ob, name))


@pytest.mark.parametrize("two_point", [False, True])
def test_small_scan_shortcuts_match_the_general_paths(
    two_point: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small scans skip the pre-gate (every pair gets the chi-square test) and assign
    # uncontested gated pairs without the GNN; both must give exactly what the general
    # paths give.
    import earlywarn.center.assignment as assignment_module
    import earlywarn.center.tracker as tracker_module
    from earlywarn.center import kernels

    scene = _small_scene()
    tracker = dataclasses.replace(
        _tracker(), initiation=Initiation(confirm_hits=2, window_scans=3, two_point=two_point)
    )
    fast = _run(tracker, scene)
    with monkeypatch.context() as mp:
        mp.setattr(kernels, "ALL_PAIRS_MAX", -1)  # always pre-gate
        _same_outputs(fast, _run(tracker, scene))
    with monkeypatch.context() as mp:
        mp.setattr(tracker_module, "_uncontested", lambda rows, cols: False)  # always the GNN
        mp.setattr(assignment_module, "_uncontested", lambda rows, cols: False)
        _same_outputs(fast, _run(tracker, scene))


def test_updates_follow_the_assignment_when_tentative_tracks_come_first() -> None:
    # Track A (row 0) stays tentative while track B (row 1), born later, is confirmed; then
    # A's wide gate also takes B's measurement, so the GNN serves B first and A second:
    # the assigned rows come out as (1, 0), and each track must get its own measurement.
    tracker = Tracker(
        motion=ConstantVelocity(q=1.0),
        measurement=CartesianPosition(10.0),
        initiation=Initiation(confirm_hits=3, window_scans=10, max_coast_s=10.0),
    )
    a, b = np.array([0.0, 0.0, 0.0]), np.array([2000.0, 0.0, 0.0])
    state = tracker.initial_state()
    for t, z in enumerate([[a], [b], [b], [b]]):
        state, _ = tracker.step(state, np.array(z), float(t))
    assert state.confirmed.tolist() == [False, True]
    a1, b1 = a + np.array([30.0, 0.0, 0.0]), b + np.array([0.0, 30.0, 0.0])
    state, out = tracker.step(state, np.array([a1, b1]), 4.0)
    assert out.meas_track_id.tolist() == state.ids.tolist()  # A took a1, B took b1
    assert np.linalg.norm(state.x[0, :3] - a1) < 20.0
    assert np.linalg.norm(state.x[1, :3] - b1) < 20.0


def test_advance_is_step_without_the_output() -> None:
    scene = _small_scene()
    tracker = _tracker()
    s1 = s2 = tracker.initial_state()
    for t, z in zip(scene.times, scene.meas, strict=True):
        s1, out = tracker.step(s1, z, float(t))
        s2, meas_track_id = tracker.advance(s2, z, float(t))
        np.testing.assert_array_equal(meas_track_id, out.meas_track_id)
        np.testing.assert_array_equal(s1.x, s2.x)
        np.testing.assert_array_equal(s1.p, s2.p)


def test_scan_at_the_same_time_symmetrises_exactly_as_a_zero_step_prediction() -> None:
    # A second scan at the state's time (another site) skips the motion model: P⁻ is P
    # symmetrised, which must be what predict_covariance gives for dt = 0 (F = I, Q = 0).
    from earlywarn.center.motion import BallisticJ2
    from earlywarn.center.tracker import _symmetrised

    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 6, 6))
    p = a @ np.swapaxes(a, 1, 2) + rng.normal(scale=1e-9, size=(3, 6, 6))  # not symmetric
    x = _states(rng, 3)
    for model in (ConstantVelocity(q=1.0), BallisticJ2(q=0.5)):
        xp, f, q = model.predict(x, 0.0)
        np.testing.assert_array_equal(xp, x)
        np.testing.assert_array_equal(predict_covariance(p, f, q), _symmetrised(p))


def test_step_validates_input() -> None:
    tracker = _tracker()
    state = tracker.initial_state()
    with pytest.raises(ValueError, match=r"shape \(m, 3\)"):
        tracker.step(state, np.zeros((4, 2)), 0.0)
    with pytest.raises(ValueError, match="NaN"):
        tracker.step(state, np.full((1, 3), np.nan), 0.0)
    s1, _ = tracker.step(state, rae(np.array([[1e5, 0.0, 1e4]])), 10.0)
    with pytest.raises(ValueError, match="earlier"):
        tracker.step(s1, np.zeros((0, 3)), 5.0)
    with pytest.raises(ValueError, match="confirm_hits"):
        Initiation(confirm_hits=4, window_scans=3)
    with pytest.raises(ValueError, match="probability"):
        Gate(1.5)


def test_empty_scans_coast_and_delete() -> None:
    tracker = _tracker()
    state: TrackerState = tracker.initial_state()
    p = np.array([1e5, 2e4, 1e4])
    v = np.array([100.0, 0.0, 0.0])
    for k in range(4):
        state, out = tracker.step(state, rae((p + k * v)[None]), float(k))
    assert out.ids.size == 1
    track_id = int(out.ids[0])
    for k in range(4, 12):
        state, out = tracker.step(state, np.zeros((0, 3)), float(k))
        reported = out.ids.size == 1
        # reported while ≤ 2 s since the last update (scan 3), held until > 5 s, then deleted
        assert reported == (k - 3 <= 2)
        assert (track_id in out.deleted.tolist()) == (k == 9)
    assert state.n_tracks == 0


def test_ballistic_target_tracked_by_enu_radar() -> None:
    # Components compose: BallisticJ2 in ECEF with the (range, az, el, range-rate) radar.
    # Truth from the same propagator with q = 0; scans every 5 s for 200 s, Pd = 1, no
    # clutter. After convergence the position error must be well inside the cross-range
    # noise (1 mrad at ~900 km ≈ 900 m): we require < 300 m, < 10 m/s and one confirmed track.
    from earlywarn.center.motion import BallisticJ2

    lat, lon = 0.9, 0.4
    radar = RadarENU.at_geodetic(lat, lon, 100.0, 30.0, 1e-3, 1e-3, 5.0)
    site = np.asarray(radar.site_ecef_m)
    rot = np.asarray(radar.rotation_enu)
    up = rot[2]
    start = site + 800e3 * rot[1] + 400e3 * up  # 800 km north, 400 km up
    vel = -3000.0 * rot[1] + 1500.0 * up  # coming towards the radar, climbing
    truth_model = BallisticJ2(q=0.0)
    x = np.hstack([start, vel])[None]
    tracker = Tracker(
        motion=BallisticJ2(q=0.05),
        measurement=radar,
        initiation=Initiation(
            confirm_hits=3, window_scans=4, velocity_sigma_m_s=4000.0, two_point=True
        ),
    )
    rng = np.random.default_rng(4)
    lr = np.sqrt(np.diag(radar.noise_covariance))
    state = tracker.initial_state()
    out = None
    for k in range(41):
        if k:
            x, _ = truth_model.propagate(x, 5.0)
        z = radar.function(x) + rng.standard_normal((1, 4)) * lr
        state, out = tracker.step(state, z, 5.0 * k)
    assert out is not None and out.ids.size == 1
    assert np.linalg.norm(out.x[0, :3] - x[0, :3]) < 300.0
    assert np.linalg.norm(out.x[0, 3:] - x[0, 3:]) < 10.0


def test_ekf_update_with_given_s_inverse_matches_the_solve() -> None:
    # The scan passes the gate's S⁻¹ so the gain is P Hᵀ S⁻¹ without a second solve: the
    # same update to rounding.
    model = RadarRAE(50.0, 1e-3, 1e-3)
    rng = np.random.default_rng(4)
    x = np.array([[1.5e5, 1.2e5, 3e4, -200.0, 50.0, 1.0], [-9e4, 2e5, 6e4, 300.0, 10.0, -40.0]])
    a = rng.standard_normal((2, 6, 6))
    p = a @ a.swapaxes(1, 2) * 1e3 + np.eye(6) * 1e2
    h = model.jacobian(x)
    r = model.noise_covariance
    y = rng.standard_normal((2, 3)) * np.array([50.0, 1e-3, 1e-3])
    s_inv = np.linalg.inv(h @ p @ h.swapaxes(1, 2) + r)
    x1, p1 = ekf_update(x, p, y, h, r)
    x2, p2 = ekf_update(x, p, y, h, r, s_inv)
    np.testing.assert_allclose(x2, x1, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(p2, p1, rtol=1e-9, atol=1e-9 * float(np.abs(p1).max()))
