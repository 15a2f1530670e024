"""C9 constructions in exact arithmetic: the ℓ∞ template per convention, the Kim–Moon–Yun ℓ2 template, and the
strict-gap obstruction (decision stumps)."""
from fractions import Fraction
from itertools import combinations_with_replacement, permutations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.capacity.shattering import REALIZABLE, UNREALIZABLE, shatter
from numerics.capacity.strict_gap import (BoxPairOracle, covering_orderings, points_from_orderings, strict_gap_capacity,
                                 stump_interpolator, stump_robustly_interpolates, stump_vc_upper_bound)
from numerics.capacity.vc_constructions import (CONVENTIONS, Convention, ForcingOracle, Geometry, KimL2Template, LinfTemplate,
                                       forced_labels, inadmissible_pair, interpolation_obstruction, kim_max_k,
                                       kim_threshold_rho_sq, measured_threshold_rho_sq)
from theory.errors import InputError

CLOSED = Convention("closed", "non-strict", "arbitrary", "sign")
OPEN = Convention("open", "non-strict", "arbitrary", "sign")
STRICT = Convention("closed", "strict", "arbitrary", "sign")


@st.composite
def linf_case(draw):
    n, d = draw(st.integers(2, 12)), draw(st.integers(2, 10))
    labels = draw(st.lists(st.sampled_from([-1, 1]), min_size=(n // 2) * d, max_size=(n // 2) * d))
    delta = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3, 7)]))
    return LinfTemplate(n, d, delta), np.array(labels)


@given(linf_case())
def test_linf_template_forces_every_sampled_labeling_with_closed_boxes(case):
    T, y = case
    X = T.q_points()
    oracle = ForcingOracle(T, CLOSED, require_interpolable=False)
    decision = oracle.decide(X, y)
    assert decision.status == REALIZABLE and oracle.verify(X, y, decision)


@given(linf_case())
def test_linf_template_datasets_fail_in_the_three_ways_of_the_audit(case):
    T, y = case
    X, data, geo = T.q_points(), T.dataset(y), T.geometry
    # closed sets: the group centre is in both boxes of its pair (exactly 2δ apart)
    i, j, shared = interpolation_obstruction(data, geo, CLOSED)
    assert shared == T.centre(0) and geo.distance(data[i][0], data[j][0]) == 2 * T.delta
    # open sets: robust interpolation is possible, but no q_{l,j} is forced (it sits on the box boundary)
    assert interpolation_obstruction(data, geo, OPEN) is None
    assert all(forced_labels(tuple(q), data, geo, OPEN) == frozenset() for q in X)
    # strict separation: the pair is inadmissible
    assert inadmissible_pair(data, geo, STRICT) is not None
    for conv in (CLOSED, OPEN, STRICT):
        assert ForcingOracle(T, conv).decide(X, y).status == UNREALIZABLE


def test_d_equal_one_template_works_under_open_balls():
    """With d = 1, q_{l,1} coincides with a data point, so it is forced even by open balls (bound ⌊n/2⌋ ≤ n)."""
    T = LinfTemplate(4, 1)
    assert shatter(T.q_points(), ForcingOracle(T, OPEN)).shattered is True


@pytest.mark.parametrize("t, forced", [(Fraction(1, 2), True), (Fraction(1), True), (Fraction(2), False),
                                       (Fraction(3), False), (Fraction(-1), False)])
def test_offsets_that_force_with_several_groups(t, forced):
    """Within a group any t ∈ (0, 2] works; with the 4δ spacing t = 2 reaches a box of the next group."""
    T = LinfTemplate(4, 3, q_offset=t)
    res = shatter(T.q_points(), ForcingOracle(T, CLOSED, require_interpolable=False))
    assert (res.shattered is True) == forced
    single = LinfTemplate(2, 3, q_offset=t)
    assert (shatter(single.q_points(), ForcingOracle(single, CLOSED, require_interpolable=False)).shattered
            is True) == (0 < t <= 2)


def test_zero_offset_collapses_the_group_and_is_bad_input():
    T = LinfTemplate(4, 3, q_offset=0)
    with pytest.raises(InputError, match="duplicate"):
        shatter(T.q_points(), ForcingOracle(T, CLOSED))


def test_conventions_reduce_to_closed_or_open_constraint_sets():
    closed = {c.label for c in CONVENTIONS if c.closed_sets}
    assert len(CONVENTIONS) == 16 and len(closed) == 10
    assert "open, ≥ 2δ, continuous f, margin" in closed and "open, ≥ 2δ, any f, margin" not in closed
    assert sum(c.literal for c in CONVENTIONS) == 2


@pytest.mark.parametrize("kwargs, needle", [
    ({"ball": "half-open", "separation": "strict", "functions": "arbitrary", "output": "sign"}, "ball"),
    ({"ball": "closed", "separation": "strict", "functions": "smooth", "output": "sign"}, "functions"),
])
def test_bad_convention_raises_input_error(kwargs, needle):
    with pytest.raises(InputError, match=needle):
        Convention(**kwargs)


@pytest.mark.parametrize("make, needle", [
    (lambda: LinfTemplate(1, 3), "n"), (lambda: LinfTemplate(4, 3, delta=-1), "delta"),
    (lambda: KimL2Template(4, 2, 3, Fraction(1, 2)), "k"), (lambda: KimL2Template(4, 3, 2, -1), "rho_sq"),
    (lambda: kim_max_k(1, 5), "rho_sq"), (lambda: Geometry("l1", Fraction(1), Fraction(2)), "norm"),
    (lambda: LinfTemplate(4, 2).dataset([1, 1, 1]), "labels"),
])
def test_bad_template_input_raises_input_error(make, needle):
    with pytest.raises(InputError, match=needle):
        make()


@pytest.mark.parametrize("k", range(1, 9))
def test_kim_thresholds_are_exactly_k_minus_1_over_k(k):
    T = KimL2Template(2, k, k, kim_threshold_rho_sq(k))
    value, where = measured_threshold_rho_sq(T)
    assert value == Fraction(k - 1, k) and where["squared_distance"] == k - 1


def test_kim_printed_thresholds():
    assert abs(float(kim_threshold_rho_sq(2)) ** 0.5 - 0.7071) < 5e-5
    assert abs(float(kim_threshold_rho_sq(3)) ** 0.5 - 0.8165) < 5e-5
    assert [kim_max_k(Fraction(r), 50) for r in ("1/2", "2/3", "3/4", "9/10", "99/100")] == [2, 3, 4, 10, 50]


@st.composite
def kim_case(draw):
    k = draw(st.integers(1, 6))
    d = draw(st.integers(k, 7))
    n = draw(st.integers(2, 9))
    labels = draw(st.lists(st.sampled_from([-1, 1]), min_size=(n // 2) * k, max_size=(n // 2) * k))
    return n, d, k, np.array(labels)


@given(kim_case())
def test_kim_template_forces_sampled_labelings_at_the_threshold_and_not_below(case):
    n, d, k, y = case
    at = KimL2Template(n, d, k, kim_threshold_rho_sq(k))
    X = at.q_points()
    assert ForcingOracle(at, CLOSED).decide(X, y).status == REALIZABLE
    above = KimL2Template(n, d, k, kim_threshold_rho_sq(k) + Fraction(1, 100))
    for conv in (CLOSED, OPEN):  # strictly inside the ball: forced under either convention
        assert ForcingOracle(above, conv).decide(X, y).status == REALIZABLE
    if k > 1:
        below = KimL2Template(n, d, k, kim_threshold_rho_sq(k) - Fraction(1, 10**6))
        decision = ForcingOracle(below, CLOSED).decide(X, y)
        assert decision.status == UNREALIZABLE and decision.certificate["reason"] == "not forced"
        assert ForcingOracle(at, OPEN).decide(X, y).status == UNREALIZABLE  # on the sphere: open balls miss it


def test_box_pair_oracle_realizes_exactly_the_stump_labelings():
    oracle = BoxPairOracle(2)
    X = np.array([[0.0, 0.0], [1.0, 3.0], [3.0, 1.0]])
    res = shatter(X, oracle)
    assert res.shattered is True
    crowded = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])  # +−+ along the diagonal: no coordinate splits
    decision = oracle.decide(crowded, np.array([1, -1, 1]))
    assert decision.status == UNREALIZABLE and decision.certificate == ("no splitting coordinate",)
    wide = np.array([[0.0], [5.0]])  # cannot share one δ-box
    assert oracle.decide(wide, np.array([1, 1])).certificate == ("range", 1, 0)


def _brute_force_cover(n, d):
    def cuts(order):
        out, pre = set(), set()
        for p in order[:-1]:
            pre.add(p)
            out.add(frozenset(pre) if n - 1 not in pre else frozenset(set(range(n)) - pre))
        return frozenset(out)
    need = {frozenset(s) for m in range(1, 2 ** (n - 1)) for s in [[i for i in range(n - 1) if m >> i & 1]]}
    classes = {cuts(p) for p in permutations(range(n))}
    return any(set().union(*combo) >= need for combo in combinations_with_replacement(sorted(classes, key=sorted), d))


@pytest.mark.parametrize("n, d", [(3, 1), (3, 2), (4, 2), (4, 3), (5, 3), (5, 4)])
def test_ordering_search_agrees_with_brute_force(n, d):
    found = covering_orderings(n, d)
    assert (found is not None) == _brute_force_cover(n, d)
    if found is not None:
        assert shatter(points_from_orderings(found), BoxPairOracle(n)).shattered is True


def test_strict_gap_capacity_is_vc_of_stumps():
    measured = [strict_gap_capacity(d).verified for d in range(1, 7)]
    assert measured == [2, 3, 4, 4, 5, 5]
    assert [strict_gap_capacity(d).upper_bound for d in range(1, 7)] == measured
    assert [stump_vc_upper_bound(d) for d in range(1, 7)] == [2, 3, 4, 5, 5, 5]
    assert all(stump_vc_upper_bound(d) < d for d in range(6, 200))


@pytest.mark.parametrize("conv", CONVENTIONS, ids=lambda c: c.label)
@given(seed=st.integers(0, 2**32 - 1))
def test_stumps_meet_the_hypothesis_for_two_points_unless_it_is_unmeetable(conv, seed):
    rng = np.random.default_rng(seed)
    d, delta = 4, Fraction(1, 2)
    geo = Geometry("linf", delta, 2 * delta)
    a = tuple(Fraction(int(v), 4) for v in rng.integers(-8, 9, d))
    v = [Fraction(int(x), 4) for x in rng.integers(-4, 5, d)]
    j = int(rng.integers(d))
    v[j] = (2 * delta + (Fraction(1, 8) if conv.strict else 0)) * int(rng.choice([-1, 1]))
    data = ((a, 1), (tuple(x + y for x, y in zip(a, v)), -1))
    if inadmissible_pair(data, geo, conv) is not None:
        return
    stump = stump_interpolator(data, geo, conv)
    if interpolation_obstruction(data, geo, conv) is not None:  # the hypothesis cannot be met at all
        assert stump is None or not stump_robustly_interpolates(data, geo, conv, stump)
    else:
        assert stump is not None and stump_robustly_interpolates(data, geo, conv, stump)
