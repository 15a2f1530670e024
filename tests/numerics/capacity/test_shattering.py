"""Shattering enumeration: labelings, input validation, exact re-checks, and known VC dimensions (boxes)."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.capacity.closed_form_oracles import BoxOracle
from numerics.capacity.shattering import (INCONCLUSIVE, MAX_ENUMERATION_POINTS, NOT_EVALUATED, REALIZABLE, UNCERTIFIED, UNREALIZABLE, Decision, Oracle, labelings, shatter, validate_points)
from theory.errors import InputError


def distinct_points(n_min, n_max, k, lo=-6, hi=6):
    return st.lists(st.tuples(*[st.integers(lo, hi)] * k), min_size=n_min, max_size=n_max, unique=True).map(
        lambda rows: np.array(rows, dtype=np.float64))


def brute_force_box(X, y):
    """Direct definition: the bounding box of the positives contains no negative."""
    pos = X[y > 0]
    if len(pos) == 0:
        return True
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    return not any(np.all((x >= lo) & (x <= hi)) for x in X[y < 0])


def test_labelings_enumerate_bits_in_order():
    Y = labelings(3)
    assert Y.shape == (8, 3) and Y.dtype == np.int8
    assert Y[0].tolist() == [-1, -1, -1] and Y[1].tolist() == [1, -1, -1] and Y[6].tolist() == [-1, 1, 1]
    assert len({tuple(r) for r in Y.tolist()}) == 8
    assert labelings(5, 7, 9).tolist() == labelings(5)[7:9].tolist()


@pytest.mark.parametrize("points, needle", [
    ([[0.0, 1.0], [2.0, 3.0], [0.0, 1.0]], "duplicate point at rows 0 and 2"),
    (np.zeros((MAX_ENUMERATION_POINTS + 1, 1)) + np.arange(MAX_ENUMERATION_POINTS + 1)[:, None], "enumeration cap"),
    ([[0.0, np.nan]], "NaN"),
    ([1.0, 2.0], "2-D"),
    ([[Fraction(1, 3)], [Fraction(1, 3)]], "duplicate"),
])
def test_bad_points_raise_input_error_naming_the_argument(points, needle):
    with pytest.raises(InputError, match="points") as info:
        shatter(points, BoxOracle())
    assert needle in str(info.value)


def test_exact_rational_points_are_kept_exact():
    X = validate_points([[Fraction(1, 3), 0], [Fraction(2, 3), 1]])
    assert X.dtype == object and X[0, 0] == Fraction(1, 3)


def test_shatter_rejects_a_non_oracle():
    with pytest.raises(InputError, match="oracle"):
        shatter([[0.0]], lambda X, y: True)


def test_intervals_shatter_two_points_but_never_three():
    """VC(closed intervals on the line) = 2; for three points +−+ is the certified failure."""
    assert shatter([[0.0], [1.0]], BoxOracle()).shattered is True
    res = shatter([[2.0], [0.0], [1.0]], BoxOracle())
    assert res.shattered is False
    idx = [i for i in range(8) if res.labels(i).tolist() == [1, 1, -1]][0]  # points 2 and 0 positive, 1 negative
    status, _, certificate = res.decision(idx)
    assert status == UNREALIZABLE and certificate == 2


@given(distinct_points(3, 3, 1, -50, 50))
def test_no_three_points_on_the_line_are_shattered_by_intervals(X):
    assert shatter(X, BoxOracle(), stop_at_unrealizable=True).shattered is False


@given(distinct_points(1, 12, 1, -100, 100))
def test_intervals_realize_exactly_the_contiguous_runs(X):
    """On N points of the line the realizable labelings are the empty one and the N(N+1)/2 contiguous runs."""
    n = len(X)
    assert shatter(X, BoxOracle()).n_realizable == 1 + n * (n + 1) // 2


def test_rectangles_shatter_the_diamond():
    res = shatter([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]], BoxOracle())
    assert res.shattered is True and res.n_realizable == 16


@given(distinct_points(5, 5, 2))
def test_no_five_points_in_the_plane_are_shattered_by_rectangles(X):
    """VC(axis-aligned rectangles) = 4: some extreme point is inside the box of the other four."""
    res = shatter(X, BoxOracle())
    assert res.shattered is False
    assert np.all(np.isin(res.status, (REALIZABLE, UNREALIZABLE)))


@given(distinct_points(1, 9, 2))
def test_vectorized_box_oracle_matches_the_definition(X):
    res = shatter(X, BoxOracle())
    truth = np.array([brute_force_box(X, y) for y in labelings(len(X))])
    assert np.array_equal(res.status == REALIZABLE, truth)
    assert np.array_equal(res.status == UNREALIZABLE, ~truth)


def test_enumeration_of_sixteen_points_in_chunks_agrees_with_one_block():
    X = np.random.default_rng(3).integers(-20, 20, (16, 2)).astype(float) + np.arange(16)[:, None] * 0.5
    a, b = shatter(X, BoxOracle()), shatter(X, BoxOracle(), chunk_size=1000)
    assert np.array_equal(a.status, b.status) and a.n_realizable == b.n_realizable > 16


class _Liar(Oracle):
    """Claims every labeling realizable with a witness that its own exact check rejects."""
    name = "liar"

    def decide(self, X, y):
        return Decision(REALIZABLE, witness="nothing", solver_status="optimal")

    def verify(self, X, y, decision):
        return False


class _Unsure(Oracle):
    """Labeling 0 inconclusive, labeling 1 'unrealizable' without an exact certificate, the rest realizable."""
    name = "unsure"

    def decide(self, X, y):
        if np.all(y < 0):
            return Decision(INCONCLUSIVE, solver_status="time limit")
        if y[0] > 0 and np.all(y[1:] < 0):
            return Decision(UNREALIZABLE, certificate="solver said so", solver_status="infeasible", exact=False)
        return Decision(REALIZABLE, witness=tuple(y.tolist()), solver_status="optimal")

    def verify(self, X, y, decision):
        return decision.status == REALIZABLE and decision.witness == tuple(y.tolist())


def test_answers_failing_the_exact_check_are_rejected_not_counted():
    res = shatter([[0.0], [1.0], [2.0]], _Liar())
    assert res.shattered is None and res.n_rejected == 8 and res.n_realizable == 0
    assert res.rejected and res.rejected[0]["claimed"] == "realizable"


def test_inconclusive_and_uncertified_answers_leave_the_question_open():
    res = shatter([[0.0], [1.0]], _Unsure())
    assert res.shattered is None
    assert res.status.tolist() == [INCONCLUSIVE, UNCERTIFIED, REALIZABLE, REALIZABLE]
    assert res.solver_statuses == {"time limit": 1, "infeasible": 1, "optimal": 2}


def test_stop_at_unrealizable_marks_the_rest_not_evaluated():
    res = shatter([[2.0], [0.0], [1.0]], BoxOracle(), stop_at_unrealizable=True, chunk_size=4)
    assert res.shattered is False and np.sum(res.status == NOT_EVALUATED) == 4
    assert res.decision(7)[1] is None
    assert res.decision(3)[0] == UNREALIZABLE  # points 2.0, 0.0 positive around 1.0: labeling 3, first block
