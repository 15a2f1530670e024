"""Numbers for C1/C3 at concrete parameters; provenance; bad input names the field."""
import math

import pytest

from fractions import Fraction

from theory.requirements import ParameterError, gradient_bound, scientific, width_requirements


def test_h2_width_matches_the_closed_form_and_labels_the_placeholder():
    r = width_requirements(0.05, 2, 2, "hinge", "softplus")
    assert r.m == math.ceil((6 * 1 * 1 * 2**2 / 0.05) ** 2) == 230400
    assert r.constant("C_H").provenance == "reconstructed" and r.constant("G").provenance == "derived"
    assert r.parameter_count == 10 * r.m + r.m**2
    assert r.T == math.ceil(9 * 2 * 4 * r.constant("G").value ** 2 / (4 * 0.05**2))
    assert r.delta_fail_formula.startswith("H·exp(−m/2) + exp(−m/8)")


def test_h1_fixed_point_is_the_least_width():
    r = width_requirements(0.05, 2, 1, "hinge", "softplus")
    C = r.constant("C_H").value
    assert r.m >= 36 * C**2 * 16 / 0.05**2 > r.m - 1 - 1e-6 * r.m
    assert r.constant("A").value == pytest.approx(math.sqrt(2 * math.log(2 * r.m / 0.01)))
    assert r.constant("G").value == pytest.approx(math.sqrt(2 * 1.0854865))


def test_c3_is_much_wider_and_user_values_are_labelled():
    c1 = width_requirements(0.05, 2, 1, "hinge", "tanh", C_H=1.0, G=1.0)
    c3 = width_requirements(0.05, 2, 1, "hinge", "tanh", C_H=1.0, G=1.0, theorem="C3")
    assert c3.m > c1.m and c3.R_prime == pytest.approx(c3.alpha * c3.T)
    assert c1.constant("C_H").provenance == c1.constant("G").provenance == "user"


def test_printed_exponents_are_compared():
    r = width_requirements(0.05, 2, 2, "hinge", "softplus", C_H=1.0, printed={"a_R": 2})
    assert r.printed["verdict"] == "flagged" and not r.printed["covers_derived_here"]
    ok = width_requirements(0.05, 2, 2, "hinge", "softplus", C_H=1.0, printed={"a_R": 5, "a_eps": 2})
    assert ok.printed["verdict"] == "consistent"


def test_gradient_bound_grows_with_depth():
    assert float(gradient_bound(3, "tanh")) > float(gradient_bound(2, "tanh")) > float(gradient_bound(1, "tanh"))


@pytest.mark.parametrize("kwargs, field", [
    (dict(eps=0.0), "eps"), (dict(eps=1.0), "eps"), (dict(R=-1.0), "R"), (dict(H=0), "H"),
    (dict(activation="relu"), "activation"), (dict(activation="swish"), "activation"), (dict(loss="l1"), "loss"),
    (dict(loss="squared"), "output_bound"), (dict(activation="relu2"), "preact_bound"),
])
def test_bad_input_names_the_field(kwargs, field):
    args = dict(eps=0.05, R=2.0, H=2, loss="hinge", activation="softplus") | kwargs
    with pytest.raises(ParameterError) as info:
        width_requirements(**args)
    assert info.value.field == field


@pytest.mark.parametrize("eps, R", [(0.05, 2.0), (1e-10, 2.0), (1e-300, 2.0), (0.05, 1e150), (5e-324, 1e300)])
def test_the_least_width_is_exact_at_any_size(eps, R):
    """With C_H given, m = ⌈K²⌉ exactly, K = 3·L·C_H·(2R)²/(2ε), in the rationals the inputs name (0.05 = 1/20):
    no cap, no rounding."""
    r = width_requirements(eps, R, 2, "hinge", "softplus", C_H=1.0)
    eps_q, R_q, G_q = (Fraction(repr(x)) for x in (eps, R, r.constant("G").value))
    K = 3 * (2 * R_q) ** 2 / (2 * eps_q)
    assert r.m == max(10, -(-K**2 // 1))
    T = -(-(9 * 2 * R_q**2 * G_q**2) // (4 * eps_q**2))
    assert r.T == max(1, T)


def test_scientific_rounds_requirements_up():
    assert scientific(230400) == "230,400"
    assert scientific(4307352423150603040748) == "4.30736e+21"
    assert scientific(10**1800 + 1) == "1.00001e+1800"
    assert scientific(0.000371983) == "0.000371983"
