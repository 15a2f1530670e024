"""Tiny ReLU nets: the MILP oracle's witnesses are exact, its infeasibility is uncertified; the heuristic never
claims 'unrealizable'."""
from fractions import Fraction

import numpy as np
import pytest

from numerics.capacity.relu_oracles import GradientFitOracle, ReluMilpOracle, relu_net_margins
from numerics.capacity.shattering import INCONCLUSIVE, REALIZABLE, UNCERTIFIED, UNREALIZABLE, Decision, shatter
from theory.errors import InputError

XOR = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
XOR_LABELS = np.array([1, 1, -1, -1])


def test_milp_realizes_xor_with_two_units_and_the_witness_is_exact():
    oracle = ReluMilpOracle(2)
    decision = oracle.decide(XOR, XOR_LABELS)
    assert decision.status == REALIZABLE and decision.solver_status == "optimal"
    assert oracle.verify(XOR, XOR_LABELS, decision)
    assert all(m > 0 for m in relu_net_margins(XOR, XOR_LABELS, decision.witness))


def test_milp_one_unit_cannot_do_xor_and_says_so_only_uncertified():
    oracle = ReluMilpOracle(1)
    decision = oracle.decide(XOR, XOR_LABELS)
    assert decision.status == UNREALIZABLE and decision.exact is False
    res = shatter(XOR, oracle)
    assert res.shattered is None  # one unit realizes halfspace-like sets only, but the MILP proves nothing exactly
    assert np.sum(res.status == UNCERTIFIED) == 2 and np.sum(res.status == REALIZABLE) == 14


def test_two_units_shatter_the_xor_square():
    assert shatter(XOR, ReluMilpOracle(2)).shattered is True


def test_milp_time_limit_is_inconclusive_never_unrealizable():
    X = np.random.default_rng(0).standard_normal((6, 3))
    res = shatter(X, ReluMilpOracle(3, time_limit_s=1e-6), chunk_size=16)
    assert res.shattered is None
    assert set(np.unique(res.status)) <= {REALIZABLE, INCONCLUSIVE}
    assert any("Time limit" in s for s in res.solver_statuses)


def test_forged_relu_witness_is_rejected():
    oracle = ReluMilpOracle(1)
    zero = (((Fraction(0), Fraction(0)),), (Fraction(0),), (Fraction(1),), Fraction(0))
    assert not oracle.verify(XOR, XOR_LABELS, Decision(REALIZABLE, witness=zero))


def test_gradient_fit_is_heuristic_only():
    fit = GradientFitOracle(3, steps=300, restarts=2)
    assert fit.decide(XOR, XOR_LABELS).status == REALIZABLE
    weak = GradientFitOracle(1, steps=50, restarts=1)
    res = shatter(XOR, weak)
    assert set(np.unique(res.status)) <= {REALIZABLE, INCONCLUSIVE}
    assert res.status[[i for i in range(16) if res.labels(i).tolist() == XOR_LABELS.tolist()][0]] == INCONCLUSIVE


@pytest.mark.parametrize("make", [lambda: ReluMilpOracle(0), lambda: ReluMilpOracle(2, margin=0.0),
                                  lambda: ReluMilpOracle(2, time_limit_s=-1), lambda: GradientFitOracle(True)])
def test_bad_relu_parameters_raise_input_error(make):
    with pytest.raises(InputError):
        make()
