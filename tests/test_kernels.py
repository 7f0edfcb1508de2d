"""The center's small-array kernels: both implementations of every kernel give the same bits
on random inputs around its size threshold, and the dispatcher takes each path on its side.

The implementations claim the same operations in the same order, so the comparisons are
exact (``assert_array_equal``), not within a tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from earlywarn.center import kernels
from earlywarn.center.kernels import (
    RK4_ROWS_MAX,
    ballistic_acceleration,
    ballistic_rk4_states,
    gravity_gradient_j2,
)
from earlywarn.center.motion import BallisticJ2
from earlywarn.earth.constants import A_M

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
