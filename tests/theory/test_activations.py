"""c_σ: exact closed forms agree with 40-digit quadrature; the docs/claims.md table values are reproduced."""
import mpmath
import pytest
import sympy as sp

from theory.activations import ACTIVATIONS, c_sigma, c_sigma_exact, check_activation, second_moment_mp
from theory.errors import InputError

TABLE = {"relu": 2.0, "relu2": 2 / 3, "softplus": 1.0854865, "tanh": 2.5361754, "sigmoid": 3.4085598,
         "erf": 2.1525789}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_c_sigma_matches_the_claims_table(name):
    assert c_sigma(name) == pytest.approx(TABLE[name], abs=5e-8)


@pytest.mark.parametrize("name", ["relu", "relu2", "erf"])
def test_closed_forms_agree_with_quadrature(name):
    fns = {"relu": lambda z: max(z, 0), "relu2": lambda z: max(z, 0) ** 2, "erf": mpmath.erf}
    with mpmath.workdps(30):
        quad = mpmath.quad(lambda z: fns[name](z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
    assert abs(quad - second_moment_mp(name)) < mpmath.mpf(10) ** -25
    assert sp.N(c_sigma_exact(name), 30) == pytest.approx(float(1 / quad), rel=1e-15)


def test_exact_values():
    assert c_sigma_exact("relu") == 2 and c_sigma_exact("relu2") == sp.Rational(2, 3)
    assert sp.simplify(c_sigma_exact("erf") - sp.pi / (2 * sp.asin(sp.Rational(2, 3)))) == 0
    assert c_sigma_exact("softplus") is None


def test_unknown_activation_names_it():
    with pytest.raises(InputError, match="swish"):
        check_activation("swish")
