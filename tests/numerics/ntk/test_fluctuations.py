"""s_H(σ): the delta-method √m·SD of the NTK diagonal, against closed forms and Monte Carlo at finite width."""
import math

import numpy as np
import pytest

from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.ntk.empirical import empirical_ntk
from numerics.ntk.fluctuations import diagonal_fluctuation_scale
from theory.errors import InputError


def test_depth_one_relu_is_sqrt5():
    # Θ_m(x, x) = (2/m)Σ a_r² 1[w_rᵀx > 0]: variance (1/m)(4·3·½ − 1) = 5/m.
    assert diagonal_fluctuation_scale("relu", 1) == pytest.approx(math.sqrt(5.0), rel=1e-12)


def test_depth_two_relu_closed_form():
    # relu: Q' = 1, D' = 0, Σ̇ = 1, Var q = 5, Var B = 5, Cov = 2·2·E[relu² 1(z>0)] − 1 = 1;
    # Θ = q₁B₂ + B₁B₂ → δΘ = ε₁ + η₁ + 2η₂: variance 5 + 5 + 2·1 + 4·5 = 32, s₂ = 4√2.
    assert diagonal_fluctuation_scale("relu", 2) == pytest.approx(4 * math.sqrt(2.0), rel=1e-10)


def test_fluctuations_compound_with_depth_for_relu2():
    # the hunt's counterexample: H·s₁ is no bound on s_H
    s1 = diagonal_fluctuation_scale("relu2", 1)
    assert diagonal_fluctuation_scale("relu2", 2) > 2.5 * s1


@pytest.mark.parametrize(("activation", "depth", "width"), [("relu2", 2, 1024), ("erf", 2, 1024), ("relu", 3, 512)])
def test_matches_monte_carlo(activation, depth, width):
    # 120 networks: the sample SD has relative standard error ≈ 1/√240 ≈ 6.5 %; 4 of those (26 %) plus the
    # O(1/√m) finite-width correction is the stated tolerance (fixed before running).
    x = sphere_points(1, 5, seed=3)
    values = [empirical_ntk(FullyConnected(5, width, depth, activation, seed=500 + r), x)[0, 0] for r in range(120)]
    measured = float(np.std(values, ddof=1)) * math.sqrt(width)
    assert measured == pytest.approx(diagonal_fluctuation_scale(activation, depth), rel=0.3)


@pytest.mark.parametrize(("activation", "depth"), [("tanh2", 1), ("relu", 0)])
def test_bad_input(activation, depth):
    with pytest.raises(InputError):
        diagonal_fluctuation_scale(activation, depth)
