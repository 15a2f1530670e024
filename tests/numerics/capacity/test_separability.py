"""LP/SOCP separability oracles: exact witnesses and certificates, and the VC dimensions of halfspaces."""
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from numerics.capacity import separability
from numerics.capacity.separability import HalfspaceOracle, RobustHalfspaceOracle
from numerics.capacity.shattering import INCONCLUSIVE, REALIZABLE, UNREALIZABLE, Decision, shatter
from theory.errors import InputError


def points(n, k):
    return st.lists(st.tuples(*[st.integers(-9, 9)] * k), min_size=n, max_size=n, unique=True).map(
        lambda rows: np.array(rows, dtype=np.float64))


def test_three_points_in_general_position_are_shattered_with_exact_witnesses():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    oracle = HalfspaceOracle()
    res = shatter(X, oracle)
    assert res.shattered is True and res.solver_statuses == {"optimal": 8}
    for i in range(8):
        _, (w0, w1, b), _ = res.decision(i)
        margins = [int(y) * (w0 * Fraction(x[0]) + w1 * Fraction(x[1]) + b) for x, y in zip(X, res.labels(i))]
        assert all(m > 0 for m in margins)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_offset_halfspaces_shatter_a_simplex(k):
    X = np.vstack([np.zeros(k), np.eye(k)])
    assert shatter(X, HalfspaceOracle()).shattered is True


@pytest.mark.parametrize("k", [1, 2, 3])
@settings(max_examples=30)  # 30 random sets per k, each with exact LP certificates
@given(data=st.data())
def test_no_k_plus_2_points_are_shattered_by_offset_halfspaces(k, data):
    """Radon: every k+2 points split into two parts with intersecting hulls; the LP must certify it exactly."""
    X = data.draw(points(k + 2, k))
    res = shatter(X, HalfspaceOracle(), stop_at_unrealizable=True, chunk_size=4)
    assert res.shattered is False
    status, _, alpha = res.decision(res.first(UNREALIZABLE))
    assert sum(alpha) == 1 and min(alpha) >= 0


@pytest.mark.parametrize("X", [
    np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]),  # convex position: XOR diagonals
    np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0], [1.0, 1.0]]),  # one point inside the hull of three
    np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [5.0, 0.0]]),  # three collinear
    np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]),
    np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, -1.0, -1.0], [0.0, 0.0, 0.0]]),
])
def test_adversarial_k_plus_2_sets_are_not_shattered(X):
    res = shatter(X, HalfspaceOracle())
    assert res.shattered is False
    assert np.all(np.isin(res.status, (REALIZABLE, UNREALIZABLE)))  # every labeling decided exactly


@pytest.mark.parametrize("k", [1, 2, 3])
def test_homogeneous_halfspaces_shatter_a_basis_but_no_k_plus_1_points(k):
    assert shatter(np.eye(k), HalfspaceOracle(offset=False)).shattered is True
    X = np.vstack([np.eye(k), np.full((1, k), 0.5)])
    res = shatter(X, HalfspaceOracle(offset=False))
    assert res.shattered is False


@settings(max_examples=30)
@given(points(4, 3))
def test_no_four_points_in_r3_are_shattered_by_homogeneous_halfspaces(X):
    assert shatter(X, HalfspaceOracle(offset=False), stop_at_unrealizable=True, chunk_size=4).shattered is False


@pytest.mark.parametrize("norm", ["l2", "linf"])
@given(a=st.tuples(st.integers(-4, 4), st.integers(-4, 4)), b=st.tuples(st.integers(-4, 4), st.integers(-4, 4)),
       radius=st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2)]))
@example(a=(0, 0), b=(1, 0), radius=Fraction(1, 2))  # exactly 2δ apart: the closed balls touch
def test_two_points_are_robustly_separable_iff_more_than_2delta_apart(norm, a, b, radius):
    if a == b:
        return
    X = np.array([a, b], dtype=np.float64)
    diff = np.subtract(a, b)
    size = np.max(np.abs(diff)) if norm == "linf" else Fraction(int(diff @ diff))
    separable = size > 2 * radius if norm == "linf" else size > 4 * radius**2
    decision = RobustHalfspaceOracle(radius, norm=norm).decide(X, np.array([1, -1]))
    assert decision.status == (REALIZABLE if separable else UNREALIZABLE)
    assert RobustHalfspaceOracle(radius, norm=norm).verify(X, np.array([1, -1]), decision)


def test_robust_triangle_matches_hull_distances():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    # ℓ2 distance from a vertex to the opposite side is 1 (two vertices) or 1/√2: robust at δ = 0.3, none at 0.5
    assert shatter(X, RobustHalfspaceOracle(0.3, norm="l2")).shattered is True
    res = shatter(X, RobustHalfspaceOracle(0.5, norm="l2"))
    assert res.shattered is False and res.n_realizable == 2 and np.all(res.status >= 0)
    # ℓ∞ hull distance {origin} vs the far side is 1/2 < 2·0.3
    assert shatter(X, RobustHalfspaceOracle(0.3, norm="linf")).shattered is False


def test_radius_zero_agrees_with_plain_separability():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    plain, robust = shatter(X, HalfspaceOracle()), shatter(X, RobustHalfspaceOracle(0, norm="l2"))
    assert np.array_equal(plain.status, robust.status)


@pytest.mark.parametrize("kwargs, needle", [({"radius": -0.1}, "radius"), ({"radius": float("nan")}, "radius"),
                                            ({"radius": 0.1, "norm": "l1"}, "norm")])
def test_bad_robust_parameters_raise_input_error(kwargs, needle):
    with pytest.raises(InputError, match=needle):
        RobustHalfspaceOracle(**kwargs)


def test_solver_trouble_is_inconclusive_never_a_pass(monkeypatch):
    monkeypatch.setattr(separability, "linprog",
                        lambda *a, **k: SimpleNamespace(status=4, message="numerical difficulties", x=None))
    res = shatter(np.array([[0.0], [1.0]]), HalfspaceOracle())
    assert res.shattered is None and np.all(res.status == INCONCLUSIVE)
    assert all("numerical difficulties" in s for s in res.solver_statuses)


def test_a_forged_witness_or_certificate_fails_the_exact_check():
    X, y = np.array([[0.0], [1.0]]), np.array([1, -1])
    oracle = HalfspaceOracle()
    assert not oracle.verify(X, y, Decision(REALIZABLE, witness=(Fraction(1), Fraction(0))))  # puts x=0 on 0
    assert oracle.verify(X, y, Decision(REALIZABLE, witness=(Fraction(-1), Fraction(1, 2))))
    assert not oracle.verify(X, y, Decision(UNREALIZABLE, certificate=(Fraction(1, 2), Fraction(1, 2))))
