"""GOSPA metric: closed-form cases.

Reference: Rahmathullah, García-Fernández, Svensson (2017), "Generalized optimal sub-pattern
assignment metric", FUSION — definition (eq. 1) and, for α = 2, the decomposition into
localisation + (cᵖ/2)(missed + false) (Proposition 1).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from earlywarn.analysis.gospa import gospa


def test_identical_sets_give_zero() -> None:
    x = np.array([[0.0, 0.0, 0.0], [1e3, 2e3, 3e3], [5.0, -7.0, 1.0]])
    r = gospa(x, x[::-1], c=100.0)
    assert r.distance == 0.0
    assert (r.n_missed, r.n_false) == (0, 0)


def test_both_empty_is_zero() -> None:
    assert gospa(np.zeros((0, 3)), np.zeros((0, 3)), c=10.0).distance == 0.0


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_one_missed_target(p: float) -> None:
    # One target, no estimate: d = (cᵖ/α)^(1/p).
    c = 1000.0
    r = gospa(np.array([[1.0, 2.0, 3.0]]), np.zeros((0, 3)), c=c, p=p)
    assert r.distance == pytest.approx((c**p / 2.0) ** (1.0 / p), rel=1e-15)
    assert r.n_missed == 1 and r.n_false == 0
    # The same with another, perfectly estimated target present.
    x = np.array([[1.0, 2.0, 3.0], [10.0, 0.0, 0.0]])
    r2 = gospa(x, x[1:], c=c, p=p)
    assert r2.distance == pytest.approx((c**p / 2.0) ** (1.0 / p), rel=1e-15)


def test_far_estimate_counts_as_missed_plus_false() -> None:
    # ‖x − y‖ ≥ c: min(d, c)ᵖ = cᵖ = cᵖ/2 (missed) + cᵖ/2 (false) → d = c.
    r = gospa(np.array([[0.0, 0.0]]), np.array([[5000.0, 0.0]]), c=1000.0)
    assert r.distance == pytest.approx(1000.0)
    assert (r.n_missed, r.n_false) == (1, 1)


def test_small_assignment_by_hand() -> None:
    # X = {(0,0), (10,0)}, Y = {(1,0), (10,2), (100,100)}, c = 20, p = 2.
    # Best assignment (0,0)↔(1,0): 1², (10,0)↔(10,2): 2²; (100,100) is false: c²/2 = 200.
    # The crossed assignment costs 104 + 81 = 185 > 5, so d = √205.
    x = np.array([[0.0, 0.0], [10.0, 0.0]])
    y = np.array([[1.0, 0.0], [10.0, 2.0], [100.0, 100.0]])
    r = gospa(x, y, c=20.0, p=2.0)
    assert r.distance == pytest.approx(math.sqrt(205.0), rel=1e-14)
    assert r.localisation == pytest.approx(5.0)
    assert r.false == pytest.approx(200.0)
    assert sorted(map(tuple, r.pairs.tolist())) == [(0, 0), (1, 1)]


def test_alpha_one_formula() -> None:
    # α = 1: d = (min Σ min(d,c)ᵖ + cᵖ |m − n|)^(1/p); one unmatched point → c.
    r = gospa(np.array([[0.0]]), np.zeros((0, 1)), c=7.0, p=2.0, alpha=1.0)
    assert r.distance == pytest.approx(7.0)
    r = gospa(np.array([[0.0], [1.0]]), np.array([[0.5]]), c=7.0, p=2.0, alpha=1.0)
    assert r.distance == pytest.approx(math.sqrt(0.25 + 49.0))


def test_matches_brute_force_and_is_a_metric() -> None:
    # Brute force over all injections on small random sets; symmetry; triangle inequality
    # (GOSPA is a metric for 0 < α ≤ 2, paper Proposition 1).
    rng = np.random.default_rng(7)
    c, p = 3.0, 2.0

    def brute(x: np.ndarray, y: np.ndarray) -> float:
        if x.shape[0] > y.shape[0]:
            x, y = y, x
        best = math.inf
        for perm in itertools.permutations(range(y.shape[0]), x.shape[0]):
            d = np.linalg.norm(x - y[list(perm)], axis=1) if x.shape[0] else np.zeros(0)
            best = min(best, float(np.sum(np.minimum(d, c) ** p)))
        return (best + c**p / 2.0 * (y.shape[0] - x.shape[0])) ** (1.0 / p)

    for _ in range(30):
        sets = [rng.uniform(0, 6, (rng.integers(0, 5), 2)) for _ in range(3)]
        a, b, e = sets
        assert gospa(a, b, c).distance == pytest.approx(brute(a, b), rel=1e-12, abs=1e-12)
        assert gospa(a, b, c).distance == pytest.approx(gospa(b, a, c).distance)
        assert gospa(a, e, c).distance <= gospa(a, b, c).distance + gospa(b, e, c).distance + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"c": 0.0}, "c must"), ({"c": 1.0, "p": 0.5}, "p must"), ({"c": 1.0, "alpha": 3.0}, "alpha")],
)
def test_bad_parameters_raise(kwargs: dict[str, float], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), **kwargs)


def test_dimension_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="same dimension"):
        gospa(np.zeros((1, 2)), np.zeros((1, 3)), c=1.0)
