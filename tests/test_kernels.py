"""The center's small-array kernels (``earlywarn.center.kernels``): the implementations of
every kernel agree on random inputs on both sides of its size threshold, and the
dispatcher takes each path on its side.

The comparisons are exact: the two RK4s claim the same operations in the same order
(``assert_array_equal``), the pair finders and the IR gates the same pairs in the same
order, the medians the same value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from earlywarn.center import kernels
from earlywarn.center.kernels import (
    ALL_PAIRS_MAX,
    GROUND_RANGE_ROWS_MAX,
    LOS_GATE_ROWS_MAX,
    MEDIAN_LIST_MAX,
    RK4_ROWS_MAX,
    ballistic_acceleration,
    ballistic_derivative_columns,
    ballistic_drag_derivative_columns,
    ballistic_rk4_states,
    candidate_pairs,
    drag_acceleration,
    gravity_gradient_j2,
    ground_range_m,
    los_gated_pairs,
    median,
    ray_hit_m,
)
from earlywarn.center.motion import BallisticJ2
from earlywarn.earth.constants import A_M, B_M
from earlywarn.earth.frames import geodetic_to_ecef
from los_tracks import LosPredictor

MODELS = [BallisticJ2(q=0.0), BallisticJ2(q=0.0, j2=0.0, omega_rad_s=0.0)]


def _ballistic_states(n: int, seed: int) -> np.ndarray:
    """Free-flight states ``(n, 6)``: 100 to 1,500 km up, every latitude, up to ~7 km/s."""
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    r = d / np.linalg.norm(d, axis=1, keepdims=True) * rng.uniform(A_M + 1e5, A_M + 1.5e6, (n, 1))
    return np.hstack([r, rng.normal(0.0, 4000.0, (n, 3))])


def _spy(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...]) -> dict[str, int]:
    """Count the calls of the named implementations in :mod:`kernels` (still running them)."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        fn: Callable[..., Any] = getattr(kernels, name)

        def counted(*args: Any, _fn: Callable[..., Any] = fn, _name: str = name) -> Any:
            calls[_name] += 1
            return _fn(*args)

        monkeypatch.setattr(kernels, name, counted)
    return calls


# ---------------------------------------------------------------------- ballistic_rk4_states


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("seed", range(5))
def test_rows_field_is_acceleration_and_gradient_bit_for_bit(model: BallisticJ2, seed: int) -> None:
    # the Python-float field of the row path is ballistic_acceleration and the gravity
    # gradient plus Ω² on the horizontal diagonal (what the array path evaluates)
    consts = (model.j2, model.gm_m3_s2, model.omega_rad_s)
    x = _ballistic_states(RK4_ROWS_MAX + 1, seed)
    field = kernels._field_rows_fn(*consts)
    rows = np.array([field(*s[:5]) for s in x.tolist()])
    g_ref = gravity_gradient_j2(x[:, :3], j2=model.j2, gm=model.gm_m3_s2)
    g_ref[:, 0, 0] += model.omega_rad_s**2
    g_ref[:, 1, 1] += model.omega_rad_s**2
    np.testing.assert_array_equal(rows[:, :3], ballistic_acceleration(x, *consts))
    np.testing.assert_array_equal(rows[:, 3:].reshape(-1, 3, 3), g_ref)
    np.testing.assert_array_equal(kernels._field_array(x, *consts)[1], g_ref)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("n", [1, 3, RK4_ROWS_MAX, RK4_ROWS_MAX + 1])
@pytest.mark.parametrize("steps", [1, 3])
def test_rk4_states_rows_and_array_bit_for_bit(model: BallisticJ2, n: int, steps: int) -> None:
    consts = (model.j2, model.gm_m3_s2, model.omega_rad_s)
    x = _ballistic_states(n, seed=100 * n + steps)
    h = float(np.random.default_rng(n).uniform(0.5, 10.0))
    xr, gr = kernels._ballistic_rk4_states_rows(x, h, steps, *consts)
    xa, ga = kernels._ballistic_rk4_states_array(x, h, steps, *consts)
    assert xr.shape == (n, 6) and gr.shape == (4, steps, n, 3, 3)
    np.testing.assert_array_equal(xr, xa)
    np.testing.assert_array_equal(gr, ga)


def test_rk4_states_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, ("_ballistic_rk4_states_rows", "_ballistic_rk4_states_array"))
    m = MODELS[0]
    for n in (RK4_ROWS_MAX, RK4_ROWS_MAX + 1):
        ballistic_rk4_states(_ballistic_states(n, 1), 5.0, 1, m.j2, m.gm_m3_s2, m.omega_rad_s)
    assert calls == {"_ballistic_rk4_states_rows": 1, "_ballistic_rk4_states_array": 1}
    BallisticJ2(q=0.1).predict(_ballistic_states(RK4_ROWS_MAX, 2), 5.0)  # the model's path
    assert calls["_ballistic_rk4_states_rows"] == 2


# -------------------------------------------------------------- ballistic_derivative_columns


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("n", [1, 13, 500])
def test_derivative_columns_is_the_ballistic_acceleration_bit_for_bit(
    model: BallisticJ2, n: int
) -> None:
    # states from below the surface to beyond GEO, every latitude (poles included): the
    # columns layout (the impact prediction's) repeats ballistic_acceleration's arithmetic
    consts = (model.j2, model.gm_m3_s2, model.omega_rad_s)
    rng = np.random.default_rng(n)
    u = rng.normal(size=(n, 3))
    u[: min(n, 2)] = [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]][: min(n, 2)]
    r = u / np.linalg.norm(u, axis=1, keepdims=True) * rng.uniform(6.0e6, 4.5e7, size=(n, 1))
    x = np.concatenate([r, rng.normal(size=(n, 3)) * rng.uniform(1.0, 8e3, size=(n, 1))], axis=1)
    d = ballistic_derivative_columns(np.ascontiguousarray(x.T), *consts).T
    np.testing.assert_array_equal(d[:, :3], x[:, 3:])
    np.testing.assert_array_equal(d[:, 3:], ballistic_acceleration(x, *consts))
    np.testing.assert_array_equal(d[:, 3:], model.acceleration(x))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("n", [1, 15, 500])
def test_drag_derivative_columns_is_acceleration_plus_drag_bit_for_bit(
    model: BallisticJ2, n: int
) -> None:
    # states from 2 km below the surface to 200 km up (through the drag cut at 120 km),
    # every latitude, re-entry speeds, one 1/β per state (and zero: no drag)
    consts = (model.j2, model.gm_m3_s2, model.omega_rad_s)
    rng = np.random.default_rng(50 + n)
    u = rng.normal(size=(n, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    r = u * (
        A_M * (1.0 - 0.5 * rng.uniform(0.0, 6.7e-3, size=(n, 1))) + rng.uniform(-2e3, 2e5, (n, 1))
    )
    x = np.concatenate([r, rng.normal(size=(n, 3)) * rng.uniform(1.0, 7.5e3, size=(n, 1))], axis=1)
    ib = 1.0 / rng.uniform(50.0, 3e4, n)
    ib[0] = 0.0
    d = ballistic_drag_derivative_columns(np.ascontiguousarray(x.T), ib, *consts).T
    a_ref = ballistic_acceleration(x, *consts)
    a_ref += drag_acceleration(x, ib)
    np.testing.assert_array_equal(d[:, :3], x[:, 3:])
    np.testing.assert_array_equal(d[:, 3:], a_ref)
    # drag opposes the Earth-fixed velocity; none above the cut or with 1/β = 0
    drag = drag_acceleration(x, ib)
    assert np.all(np.sum(drag * x[:, 3:], axis=1) <= 0.0)
    h = kernels.radial_height_m(x[:, 0], x[:, 1], x[:, 2])
    assert np.all(drag[(h > kernels.DRAG_TOP_M) | (ib == 0.0)] == 0.0)


# ---------------------------------------------------------------------------- candidate_pairs


def _scene(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Track positions, pre-gate radii (m) and measurement positions in a cube of 30 km
    for 8 measurements (its volume grows with their number), the radii (0.5 to 20 km)
    such that some tracks have several measurements in reach."""
    rng = np.random.default_rng(seed)
    side = 3e4 * max(1.0, m / 8.0) ** (1.0 / 3.0)
    pos = rng.uniform(0.0, side, (n, 3))
    return pos, rng.uniform(5e2, 2e4, n), rng.uniform(0.0, side, (m, 3))


def _pairs_set(rows: np.ndarray, cols: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


@pytest.mark.parametrize(("n", "m"), [(2, 5), (8, 8), (8, 9), (64, 64), (200, 180)])
def test_pregate_tree_finds_every_pair_within_the_radius(n: int, m: int) -> None:
    # the kd-tree's pairs are those of all pairs whose distance is within the radius, in the
    # same order (rows ascending, columns ascending within a row); random positions put no
    # distance on a radius to the last bit, where the two could round differently (the
    # tracker's margin keeps such pairs outside the gate anyway)
    found = 0
    for seed in range(3):
        pos, radius, z_pos = _scene(n, m, seed)
        rt, ct = kernels._near_pairs_tree(pos, radius, z_pos)
        assert rt.dtype == ct.dtype == np.int64
        ra, ca = kernels._all_pairs(n, m)
        d = np.linalg.norm(pos[ra] - z_pos[ca], axis=1)
        inside = d <= radius[ra]
        assert _pairs_set(ra[inside], ca[inside]) == _pairs_set(rt, ct)
        found += rt.size
    assert found > 0


def test_candidate_pairs_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, ("_all_pairs", "_near_pairs_tree"))
    asked: list[int] = []

    def run(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        def pregate() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            asked.append(n * m)
            return _scene(n, m, 0)

        return candidate_pairs(n, m, pregate)

    rows, cols = run(8, ALL_PAIRS_MAX // 8)  # n·m = ALL_PAIRS_MAX: every pair, no pre-gate
    assert rows.size == ALL_PAIRS_MAX and asked == []
    assert _pairs_set(rows, cols) == sorted(_pairs_set(rows, cols))
    run(1, ALL_PAIRS_MAX + 1)
    assert calls == {"_all_pairs": 1, "_near_pairs_tree": 1}
    assert asked == [ALL_PAIRS_MAX + 1]


# ------------------------------------------------------------------------------------ median


@pytest.mark.parametrize("k", [1, 2, 3, 8, MEDIAN_LIST_MAX, MEDIAN_LIST_MAX + 1, 200])
def test_median_list_and_array_bit_for_bit(k: int) -> None:
    rng = np.random.default_rng(k)
    for v in (rng.normal(size=k), np.round(rng.normal(size=k), 1), rng.normal(size=k) * 1e7):
        ref = kernels._median_array(v)
        assert ref == float(np.median(v))
        assert kernels._median_list(v) == ref  # ties (rounded values) included
        assert median(v) == ref
    v = rng.normal(size=k)
    v[k // 2] = math.nan
    assert math.isnan(kernels._median_list(v)) and math.isnan(median(v))


def test_median_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, ("_median_list", "_median_array"))
    for k in (1, MEDIAN_LIST_MAX, MEDIAN_LIST_MAX + 1):
        median(np.arange(float(k)))
    assert calls == {"_median_list": 2, "_median_array": 1}


# --------------------------------------------------------------------------- los_gated_pairs


GATE = (5.0, 8000.0, 60.0)  # gate sigmas, max apparent speed (m/s), max acceleration (m/s²)


def _frame(
    n: int, m: int, seed: int
) -> tuple[list[LosPredictor], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n`` tracks of every predictor order, ``m`` detections of one frame near (or far
    from) their predicted lines of sight: some within one gate, some within several, some
    outside every gate."""
    rng = np.random.default_rng(seed)
    tracks = []
    for i in range(n):
        order = i % 3
        p = np.array([-0.7, 0.1, 0.3]) + rng.normal(size=3) * 2e-3
        tracks.append(
            LosPredictor(
                p=p / np.linalg.norm(p),
                w=rng.normal(size=3) * 1e-4 if order else np.zeros(3),
                a=rng.normal(size=3) * 1e-6 if order == 2 else np.zeros(3),
                last_t=100.0 - rng.uniform(0.0, 4.0),
                order=order,
                span_s=rng.uniform(0.0, 30.0) if order else 0.0,
                range_m=rng.uniform(3.5e7, 3.8e7),
                sigma_rad=rng.uniform(1e-5, 5e-5, 3),
            )
        )
    t = 100.0 + rng.uniform(0.0, 0.5, m)
    los = np.empty((m, 3))
    for j in range(m):
        u = tracks[int(rng.integers(n))].los_at(float(t[j])) + rng.normal(size=3) * 10.0 ** float(
            rng.uniform(-5.5, -3.0)
        )
        los[j] = u / np.linalg.norm(u)
    return tracks, t, los, rng.uniform(1e-5, 5e-5, m), rng.uniform(3.5e7, 3.8e7, m)


@pytest.mark.parametrize(("n", "m"), [(1, 1), (2, 5), (3, 8), (5, 5), (6, 9), (20, 30)])
def test_los_gate_rows_and_array_same_pairs(n: int, m: int) -> None:
    # the same pairs in the same order (best first), and the gate's own definition: a
    # pair is in exactly when the chord to the predicted LOS is within the gate
    inside = outside = 0
    for seed in range(20):
        tracks, t, los, sig, rng_m = _frame(n, m, seed)
        scored = kernels._los_gated_pairs_rows(tracks, t, los, sig, rng_m, *GATE)
        ref = kernels._los_gated_pairs_array(tracks, t, los, sig, rng_m, *GATE)
        rows = [(i, j) for _, i, j in scored]
        assert rows == [(i, j) for _, i, j in ref]
        # the distances to rounding: a chord of ~1e-4 from unit vectors carries ~1e-12
        np.testing.assert_allclose([c for c, _, _ in scored], [c for c, _, _ in ref], rtol=1e-9)
        cost = {}
        for i, tr in enumerate(tracks):
            for j in range(m):
                dt = float(t[j]) - tr.last_t
                chord = float(np.linalg.norm(los[j] - tr.los_at(float(t[j]))))
                r = min(tr.range_m, float(rng_m[j]))
                margin = (
                    GATE[1] / r * abs(dt)
                    if tr.order == 0
                    else 0.5 * GATE[2] / r * (abs(dt) + 0.5 * tr.span_s) ** 2
                )
                scale = (math.sqrt(2.0), 2.0, 3.0)[tr.order]
                gate = GATE[0] * max(float(tr.sigma_rad[-1]), float(sig[j])) * scale + margin
                # (random chords fall on a gate to the last bit with probability ~0)
                if chord <= gate:
                    cost[(i, j)] = chord / gate
        assert set(rows) == set(cost)
        ranked = [cost[pair] for pair in rows]
        assert ranked == sorted(ranked)
        np.testing.assert_allclose([c for c, _, _ in scored], ranked, rtol=1e-9)
        inside += len(rows)
        outside += n * m - len(rows)
    assert inside > 0 and outside > 0


def test_los_gate_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, ("_los_gated_pairs_rows", "_los_gated_pairs_array"))
    for n, m in ((3, LOS_GATE_ROWS_MAX // 3), (1, LOS_GATE_ROWS_MAX + 1)):
        los_gated_pairs(*_frame(n, m, 0), *GATE)
    assert calls == {"_los_gated_pairs_rows": 1, "_los_gated_pairs_array": 1}


# ---------------------------------------------------------------------------- ground_range_m


def _rays(k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rays from geostationary satellites towards random ground points, some bent off so
    they miss the Earth."""
    rng = np.random.default_rng(seed)
    sat = np.stack([geodetic_to_ecef(0.0, rng.uniform(0.0, 6.28), 35786e3) for _ in range(k)])
    tgt = np.stack(
        [geodetic_to_ecef(rng.uniform(-1.2, 1.2), rng.uniform(0.0, 6.28), 0.0) for _ in range(k)]
    )
    u = tgt - sat + rng.normal(size=(k, 3)) * 3e6
    return sat, u / np.linalg.norm(u, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [1, 2, 5, GROUND_RANGE_ROWS_MAX, GROUND_RANGE_ROWS_MAX + 1, 100])
def test_ground_range_rows_and_array_bit_for_bit(k: int) -> None:
    sat, u = _rays(k, k)
    ref = kernels._ground_range_array(sat, u)
    np.testing.assert_array_equal(kernels._ground_range_rows(sat, u), ref)
    np.testing.assert_array_equal(ground_range_m(sat, u), ref)
    # the reference itself: every ray ends on the ellipsoid (a hit) or outside it (a miss:
    # its closest approach)
    p = sat + ref[:, None] * u
    q = (p[:, 0] ** 2 + p[:, 1] ** 2) / A_M**2 + p[:, 2] ** 2 / B_M**2
    assert np.all(q > 1.0 - 1e-9)


def test_ray_hit_at_a_height_and_the_closest_approach() -> None:
    # straight down from 1,000 km above the equator: 1,000 km to the ellipsoid, 900 km to
    # the surface inflated by 100 km; a ray past the limb gets its closest approach
    s = np.array([[A_M + 1e6, 0.0, 0.0], [A_M + 1e6, 0.0, 0.0]])
    u = np.array([[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    lam = ray_hit_m(s, u, 0.0)
    assert lam[0] == pytest.approx(1e6, abs=1e-6)
    assert lam[1] == pytest.approx(0.0, abs=1e-6)  # tangent direction: closest at the start
    assert ray_hit_m(s[:1], u[:1], 1e5)[0] == pytest.approx(9e5, abs=1e-6)


def test_ground_range_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, ("_ground_range_rows", "_ground_range_array"))
    for k in (GROUND_RANGE_ROWS_MAX, GROUND_RANGE_ROWS_MAX + 1):
        ground_range_m(*_rays(k, 0))
    assert calls == {"_ground_range_rows": 1, "_ground_range_array": 1}
