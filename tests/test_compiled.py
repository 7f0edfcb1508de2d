"""The compiled loops (``earlywarn.center.compiled``) against the numpy they stand for.

The compiled bracketing of the impact prediction with drag claims numpy's operations in
numpy's order on each sample; the one known difference is the last bit of ``exp`` and
``log`` (libm against numpy's own routines, 1 ulp in ~5 % of arguments), which moves a
crossing by rounding only. So: the interpolation and the free-flight derivative are
compared bit for bit, the drag derivative to 1e-15, and the bracketing of re-entering,
in-atmosphere and orbiting samples to the same steps (the same crossing samples, step
lengths and states to 1e-12 relative).
"""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.center import characterise as ch
from earlywarn.center import compiled
from earlywarn.center.kernels import (
    DRAG_TOP_M,
    LN_RHO,
    LN_RHO_H_M,
    ballistic_derivative_columns,
    ballistic_drag_derivative_columns,
)
from earlywarn.earth.constants import A_M
from earlywarn.earth.frames import enu_rotation, geodetic_to_ecef


def _entry_states(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """States ``(n, 6)`` from 20 to 1,200 km up, descending at 5–60° at 2–7.5 km/s
    (a tenth of them climbing, some at orbital speed), and 1/β from a stage's to an RV's."""
    rng = np.random.default_rng(seed)
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    h = rng.uniform(20e3, 1.2e6, n)
    r = geodetic_to_ecef(lat, lon, h)
    speed = rng.uniform(2e3, 7.5e3, n)
    gamma = np.radians(rng.uniform(5.0, 60.0, n)) * np.where(rng.random(n) < 0.1, -1.0, 1.0)
    az = rng.uniform(0.0, 2 * np.pi, n)
    enu = np.stack(
        [np.cos(gamma) * np.sin(az), np.cos(gamma) * np.cos(az), -np.sin(gamma)], axis=-1
    )
    rot = enu_rotation(lat, lon)  # (n, 3, 3): ECEF -> ENU
    v = np.einsum("nji,nj->ni", rot, enu) * speed[:, None]
    inv_beta = 1.0 / np.exp(rng.uniform(np.log(200.0), np.log(2e4), n))
    return np.hstack([r, v]), inv_beta


def test_interp_is_numpys_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate(
        [
            rng.uniform(-1e4, DRAG_TOP_M + 1e4, 20_000),
            LN_RHO_H_M,  # every node, the ends included
            [-np.inf, np.inf, np.nan, LN_RHO_H_M[-1], np.nextafter(LN_RHO_H_M[-1], 0.0)],
        ]
    )
    want = np.interp(x, LN_RHO_H_M, LN_RHO, right=-np.inf)
    got = np.array([compiled._interp(v, LN_RHO_H_M, LN_RHO, -np.inf) for v in x])
    np.testing.assert_array_equal(got, want)
    neg = np.ascontiguousarray(-LN_RHO)
    y = rng.uniform(-25.0, 5.0, 5_000)
    want = np.interp(y, neg, LN_RHO_H_M)
    got = np.array([compiled._interp(v, neg, LN_RHO_H_M, LN_RHO_H_M[-1]) for v in y])
    np.testing.assert_array_equal(got, want)


def test_derivatives_match_the_columns_kernels() -> None:
    x, inv_beta = _entry_states(400, 5)
    cols = np.ascontiguousarray(x.T)
    vac = ballistic_derivative_columns(cols, *ch._CONSTANTS)
    drag = ballistic_drag_derivative_columns(cols, inv_beta, *ch._CONSTANTS)
    got_vac = np.array(
        [compiled._derivative(s, 0.0, False, ch._FIELD, LN_RHO_H_M, LN_RHO) for s in x]
    ).T
    got_drag = np.array(
        [
            compiled._derivative(s, ib, True, ch._FIELD, LN_RHO_H_M, LN_RHO)
            for s, ib in zip(x, inv_beta, strict=True)
        ]
    ).T
    np.testing.assert_array_equal(got_vac, vac)
    np.testing.assert_allclose(got_drag, drag, rtol=1e-15, atol=0.0)
    # the drag term is really there (states below 120 km feel it): the comparison has teeth
    low = np.flatnonzero(np.linalg.norm(x[:, :3], axis=1) < A_M + 90e3)
    assert low.size > 0 and not np.allclose(drag[3:, low], vac[3:, low], rtol=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_compiled_bracketing_takes_the_numpy_steps(seed: int) -> None:
    x, inv_beta = _entry_states(300, seed)
    y = ch._columns(x)
    hr, rn = ch._radial(y[:3])
    act = np.arange(x.shape[0])
    args = (y, act, hr, rn, inv_beta, 0.0, 5400.0, 60.0)
    ref, got = ch._bracket_drag_array(*args), ch._bracket_drag(*args)
    i_ref, i_got = np.concatenate(ref.idx), np.concatenate(got.idx)
    o_ref, o_got = np.argsort(i_ref), np.argsort(i_got)
    np.testing.assert_array_equal(i_ref[o_ref], i_got[o_got])
    # most samples come down; the climbing fast ones may not (the not-crossed path is used)
    assert 0.5 * x.shape[0] < i_ref.size < x.shape[0]
    for name in ("t", "h", "ib"):
        a = np.concatenate(getattr(ref, name))[o_ref]
        b = np.concatenate(getattr(got, name))[o_got]
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=0.0, err_msg=name)
    for name in ("prev", "nxt"):
        a = np.concatenate(getattr(ref, name), axis=1)[:, o_ref]
        b = np.concatenate(getattr(got, name), axis=1)[:, o_got]
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-6, err_msg=name)
    # a good share of them took atmospheric steps (1/β recorded on the crossing step)
    assert np.count_nonzero(np.concatenate(ref.ib)) > 0.3 * i_ref.size


def test_free_flight_steps_are_numpys_bit_for_bit() -> None:
    x, _ = _entry_states(200, 7)
    y = ch._columns(x)
    h = np.random.default_rng(8).uniform(-90.0, 90.0, x.shape[0])
    np.testing.assert_array_equal(ch._rk4(y, h), ch._rk4_array(y, h))
    np.testing.assert_array_equal(ch._rk4(y, 60.0), ch._rk4_array(y, 60.0))
    grid = ch.propagate_grid(x, -60.0, 12)
    s = y
    for k in range(12):
        s = ch._rk4_array(s, -60.0)
        np.testing.assert_array_equal(grid[k + 1], s.T)
    np.testing.assert_array_equal(grid[0], x)
