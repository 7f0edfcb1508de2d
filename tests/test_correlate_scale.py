"""The correlation pass at raid scale: the batched backward test is the scalar one bit for
bit, and its pre-gate never drops an IR event that passes (or that is the nearest)."""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.center.characterise import propagate, propagate_columns
from earlywarn.center.fusion import (
    BackwardTrace,
    FusionParams,
    correlate_backward,
    correlate_backward_many,
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


def test_propagate_columns_is_propagate_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    x = X_BO + rng.normal(0.0, 1e3, (13, 6))
    dts = [-150.3, 0.0, -900.7, -61.0, -3599.9, -60.0, -1.5, 240.0]
    out = propagate_columns(x, dts)
    for j, dt in enumerate(dts):
        assert np.array_equal(out[13 * j : 13 * (j + 1)], propagate(x, dt)), dt


@pytest.mark.parametrize("seed", range(4))
def test_backward_many_is_backward_bit_for_bit(seed: int) -> None:
    states, tr = _raid(seed, 12)
    fp = FusionParams()
    states.append((tr.t_s + 5.0, X_BO, states[0][2]))  # a burnout after the track: inf
    many = correlate_backward_many(states, tr, fp)
    assert many == [correlate_backward(st, tr, fp) for st in states]
    assert many[-1] == np.inf


@pytest.mark.parametrize("seed", range(20))
def test_backward_pregate_keeps_every_passing_event(seed: int) -> None:
    """The grid bound never exceeds ``margin ×`` the exact ``d²`` (so an event that passes,
    or that is nearer than the best found, is never left out)."""
    states, tr = _raid(seed, 25)
    fp = FusionParams()
    exact = np.array([correlate_backward(st, tr, fp) for st in states])
    t_b = np.array([st[0] for st in states])
    x_b = np.array([st[1][:3] for st in states])
    tr_b = np.array([np.trace(st[2][:3, :3]) for st in states])
    trace = BackwardTrace.of(tr, float(t_b.min()), fp.q)
    lb = trace.lower_bound(t_b, x_b, tr_b, fp.gate_floor_m(0.0))
    assert exact[0] <= fp.gamma  # the track's own launch passes
    assert np.all(lb <= BackwardTrace.PREGATE_MARGIN * exact)
    # and the bound is not vacuous: far launches are left out without a propagation
    assert np.count_nonzero(lb > BackwardTrace.PREGATE_MARGIN * fp.gamma) >= 1
