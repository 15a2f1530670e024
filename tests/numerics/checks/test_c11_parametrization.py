"""C11: the parametrization's consequences hold for the correct network, each control is violated, and the planted
networks (a 10 %-wrong c_σ, a forward pass without its last scale) are caught."""
import math

import numpy as np
import pytest

from audit.judge import judge
from numerics.checks import c11_parametrization as c11
from numerics.planted.networks import UnscaledOutputNet, WrongConstantNet
from theory.activations import ACTIVATIONS, c_sigma
from theory.errors import InputError
from theory.evidence import RunContext

CHECKS = (c11.check_layer_normalization, c11.check_ntk_diagonal, c11.check_nngp_variance)


@pytest.fixture(scope="module")
def correct():
    return [judge(check(RunContext())) for check in CHECKS]


def test_independent_constants_match_the_closed_forms():
    assert c11.independent_c_sigma("relu") == pytest.approx(2.0, rel=1e-12)
    assert c11.independent_c_sigma("relu2") == pytest.approx(2 / 3, rel=1e-12)
    assert c11.independent_c_sigma("erf") == pytest.approx(1 / (2 / math.pi * math.asin(2 / 3)), rel=1e-12)
    assert c11.forced_ntk_diagonal("relu", 3) == pytest.approx(4.0, rel=1e-12)      # H + 1 with a trained a
    for act in ACTIVATIONS:
        assert c11.independent_c_sigma(act) == pytest.approx(c_sigma(act), rel=1e-10)


def test_independent_nngp_has_unit_diagonal_and_the_relu_arc_cosine_off_diagonal():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    for act in ACTIVATIONS:
        assert np.diag(c11.independent_nngp(X, act, 2)) == pytest.approx([1.0, 1.0], rel=1e-8)
    assert c11.independent_nngp(X, "relu", 1)[0, 1] == pytest.approx(1 / math.pi, rel=1e-12)


def test_correct_network_is_consistent_and_every_control_is_violated(correct):
    for ev in correct:
        assert ev.verdict == "consistent", (ev.check_id, ev.verdict_reason)
        assert len(ev.controls) == 1 and ev.controls[0].evidence.verdict == "violated", ev.check_id
        assert all(c.reverified for c in ev.controls[0].evidence.counterexamples)


@pytest.mark.parametrize("check, net_class", [(c11.check_layer_normalization, WrongConstantNet),
                                              (c11.check_ntk_diagonal, WrongConstantNet),
                                              (c11.check_nngp_variance, UnscaledOutputNet)])
def test_planted_networks_are_violated(check, net_class):
    ev = judge(check(RunContext(), net_class=net_class))
    assert ev.verdict == "violated", ev.verdict_reason
    assert all(c.reverified for c in ev.counterexamples)
    if net_class is UnscaledOutputNet:   # the forward pass disagrees with the paper's network: that is the finding
        assert "internal inconsistency" in ev.counterexamples[0].description


def test_net_class_must_be_a_network_class():
    with pytest.raises(InputError, match="net_class"):
        c11.check_layer_normalization(RunContext(), net_class=object)


def test_a_wrong_constant_in_theory_is_violated_before_any_network_is_built(monkeypatch):
    wrong = {**{a: c_sigma(a) for a in ACTIVATIONS}, "tanh": -1.0}          # E σ² read wrongly: c_σ ≤ 0
    monkeypatch.setattr(c11, "c_sigma", wrong.__getitem__)
    ev = judge(c11.check_ntk_diagonal(RunContext()))
    assert ev.verdict == "violated" and "c_σ(tanh)" in ev.counterexamples[0].comparison
    assert not any("E Θ_m" in c.name for c in ev.comparisons)                # the gate: no network measured
