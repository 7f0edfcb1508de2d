"""The IR association's joint assignment (global nearest neighbour) of one frame.

Where gates overlap, :func:`association._associate_frame` takes the most gated pairs and,
among those, the least sum of squared normalised distances (chord / gate, as
:func:`earlywarn.center.kernels.los_gated_pairs` gives them). Checked
against brute force over every matching on random crowded frames, and on the case greedy
nearest neighbour gets wrong: the best single pair pushes the other track off its plume.
"""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.center import kernels
from earlywarn.center.ir import association
from earlywarn.center.ir.records import IrParams
from los_tracks import LosPredictor
from matching import best_matching

PARAMS = IrParams()
GATE = (PARAMS.gate_sigma, PARAMS.max_apparent_speed_m_s, PARAMS.max_accel_m_s2)


def _track(u: np.ndarray, sigma: float = 3e-5) -> LosPredictor:
    return LosPredictor(
        p=u / np.linalg.norm(u), w=np.zeros(3), a=np.zeros(3), last_t=98.0, order=1,
        span_s=10.0, range_m=3.6e7, sigma_rad=np.full(3, sigma),
    )  # fmt: skip


def _crowded(n: int, m: int, seed: int) -> tuple[list[LosPredictor], np.ndarray, np.ndarray]:
    """``n`` tracks and ``m`` detections (at t = 100 s) within a few gates of each other."""
    rng = np.random.default_rng(seed)
    centre = np.array([-0.7, 0.1, 0.3])
    tracks = [_track(centre + rng.normal(size=3) * 1e-4) for _ in range(n)]
    los = centre + rng.normal(size=(m, 3)) * 1e-4
    return tracks, np.full(m, 100.0), los / np.linalg.norm(los, axis=1)[:, None]


@pytest.mark.parametrize(("n", "m"), [(2, 2), (2, 3), (3, 2), (3, 3), (4, 4), (4, 5), (6, 6)])
def test_joint_assignment_is_the_best_matching(n: int, m: int) -> None:
    contested = 0
    for seed in range(30):
        tracks, t, los = _crowded(n, m, seed)
        sig, rng_m = np.full(m, 3e-5), np.full(m, 3.6e7)
        cost = {(i, j): c for c, i, j in kernels.los_gated_pairs(tracks, t, los, sig, rng_m, *GATE)}
        pairs = association._associate_frame(tracks, t, los, sig, rng_m, PARAMS)  # type: ignore[arg-type]
        assert all(p in cost for p in pairs)  # every pair within its gate
        assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
        k, s = best_matching({p: c * c for p, c in cost.items()}, n, m)
        assert len(pairs) == k
        assert sum(cost[p] ** 2 for p in pairs) == pytest.approx(s, rel=1e-12, abs=1e-15)
        contested += len(cost) > len({i for i, _ in cost})
    assert contested >= 10  # the frames do make tracks compete


def test_the_best_pair_does_not_push_the_other_track_off_its_plume() -> None:
    """Two plumes close in the image, along one direction in units of the gate's width:
    tracks A at 0 and B at 0.5; A's plume at −0.45, B's at 0.1. The best single pair is
    A with B's plume (0.1): greedy nearest neighbour took it and left B A's plume (0.95,
    sum of squares 0.91). The joint assignment keeps each on its own plume (0.45² + 0.4²
    = 0.36)."""
    u0 = np.array([-0.7, 0.1, 0.3])
    u0 /= np.linalg.norm(u0)
    e1 = np.cross(u0, [0.0, 0.0, 1.0])
    e1 /= np.linalg.norm(e1)
    t, sig, rng_m = np.full(2, 100.0), np.full(2, 3e-5), np.full(2, 3.6e7)

    def unit(x: float) -> np.ndarray:
        v = u0 + x * e1
        return np.asarray(v / np.linalg.norm(v))

    a = _track(unit(0.0))
    probe = kernels.los_gated_pairs([a], t[:1], unit(1e-5)[None], sig[:1], rng_m[:1], *GATE)
    width = 1e-5 / probe[0][0]  # the gate's width in angle (chord ≈ angle)
    b = _track(unit(0.5 * width))
    los = np.array([unit(-0.45 * width), unit(0.1 * width)])  # A's plume, B's plume
    scored = kernels.los_gated_pairs([a, b], t, los, sig, rng_m, *GATE)
    cost = {(i, j): c for c, i, j in scored}
    assert scored[0][1:] == (0, 1) and cost[(0, 1)] == pytest.approx(0.1, rel=1e-3)
    assert cost[(1, 0)] == pytest.approx(0.95, rel=1e-3)  # within B's gate: greedy's pair
    pairs = association._associate_frame([a, b], t, los, sig, rng_m, PARAMS)  # type: ignore[list-item]
    assert sorted(pairs) == [(0, 0), (1, 1)]
