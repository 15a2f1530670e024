"""Smoothness constants (sympy-derived) equal the closed forms; relu2 needs a range; relu is rejected."""
import pytest
import sympy as sp

from theory.errors import InputError
from theory.smoothness import derivative_forms, smoothness_constants, sup_abs_on_interval

EXPECTED = {  # |σ(0)|, Lip σ, Lip σ'
    "softplus": (sp.log(2), 1, sp.Rational(1, 4)),
    "tanh": (0, 1, 4 / (3 * sp.sqrt(3))),
    "sigmoid": (sp.Rational(1, 2), sp.Rational(1, 4), 1 / (6 * sp.sqrt(3))),
    "erf": (0, 2 / sp.sqrt(sp.pi), 4 / sp.sqrt(sp.pi) / sp.sqrt(2 * sp.E)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_constants_are_the_closed_forms(name):
    c = smoothness_constants(name)
    for got, want in zip((sp.Abs(c.sigma0), c.lip_sigma, c.lip_dsigma), EXPECTED[name]):
        assert sp.simplify(got - want) == 0, (name, got, want)
    assert float(c.C_sigma) == max(float(x) for x in EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_v_forms_are_the_true_derivatives(name):
    var, v_of_z, d1, d2 = derivative_forms(name)
    z = sp.Symbol("z", real=True)
    sigma = {"softplus": sp.log(1 + sp.exp(z)), "tanh": sp.tanh(z), "sigmoid": 1 / (1 + sp.exp(-z)),
             "erf": sp.erf(z)}[name]
    for k, form in ((1, d1), (2, d2)):
        diff = sp.diff(sigma, z, k) - form.subs(var, v_of_z)
        assert all(abs(float(diff.subs(z, t))) < 1e-13 for t in (-2.3, -0.4, 0.0, 0.7, 3.1))


def test_relu2_range_and_relu_rejected():
    c = smoothness_constants("relu2", 3.0)
    assert (c.sigma0, c.lip_sigma, c.lip_dsigma) == (0, 6, 2) and "[−3, 3]" in c.range
    with pytest.raises(InputError, match="pre-activation bound"):
        smoothness_constants("relu2")
    with pytest.raises(InputError, match="not smooth"):
        smoothness_constants("relu")


def test_sup_refuses_to_guess():
    x = sp.Symbol("x", real=True)
    with pytest.raises(ArithmeticError):
        sup_abs_on_interval(sp.sin(x), x, -sp.oo, sp.oo)   # infinitely many critical points
