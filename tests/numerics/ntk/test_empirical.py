"""numerics.ntk.empirical: the structured empirical NTK against the torch.func reference, and finite vs infinite width."""
import math

import numpy as np
import pytest
import torch

from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import analytic_ntk
from numerics.ntk.empirical import empirical_ntk
from theory.activations import ACTIVATIONS
from theory.errors import InputError

# Agreement required between the structured and autograd NTKs (relative to the largest entry): both are float64
# computations of the same quantity, far above round-off.
NTK_REL_TOL_F64 = 1e-10


def _rel_err(a, b):
    return float(np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b))))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("train_output", [False, True])
def test_structured_matches_autograd(activation, depth, train_output):
    net = FullyConnected(3, 12, depth, activation, train_output=train_output, seed=depth)
    X, Y = sphere_points(5, 3, seed=1), 1.3 * sphere_points(3, 3, seed=2)
    for args in ((X,), (X, Y)):
        fast = empirical_ntk(net, *args)
        ref = empirical_ntk(net, *args, method="autograd")
        assert fast.dtype == np.float64 and fast.shape == ref.shape
        assert _rel_err(fast, ref) <= NTK_REL_TOL_F64


def test_empirical_ntk_float32_net_returns_float64_and_accepts_tensors():
    net = FullyConnected(3, 16, 2, "tanh", seed=0, dtype=torch.float32)
    X = sphere_points(4, 3, seed=0)
    out = empirical_ntk(net, torch.tensor(X))
    ref = empirical_ntk(net, X, method="autograd")
    assert out.dtype == np.float64
    assert _rel_err(out, ref) <= 1e-5   # float32 round-off


# Finite vs infinite width: the per-entry fluctuation of Θ_m is O(1)·m^(−1/2) per layer (relu, H = 1:
# standard deviation √5/√m on the diagonal), and the maximum over a 6×6 Gram is a few standard deviations;
# FINITE_WIDTH_CONSTANT·H/√m leaves about a factor 2 over the mean errors measured for relu, softplus, erf.
FINITE_WIDTH_CONSTANT = 12.0


@pytest.mark.parametrize("activation,depth,width", [("relu", 1, 1 << 14), ("erf", 2, 1 << 12)])
def test_finite_width_kernel_approaches_the_limit(activation, depth, width):
    X = sphere_points(6, 4, seed=6)
    theta = analytic_ntk(X, depth=depth, activation=activation)

    def mean_error(m):
        return np.mean([np.max(np.abs(empirical_ntk(FullyConnected(4, m, depth, activation, seed=s), X) - theta))
                        for s in range(4)])

    large, small = mean_error(width), mean_error(64)
    assert large <= FINITE_WIDTH_CONSTANT * depth / math.sqrt(width)
    assert large <= 0.5 * small            # m^(−1/2) predicts a factor √(width/64) ≥ 8


def test_empirical_bad_input_raises_input_error():
    net = FullyConnected(2, 4, 1, "relu")
    for call in (lambda: empirical_ntk(net, np.array([[np.nan, 0.0]])),
                 lambda: empirical_ntk(net, np.ones((2, 3))),
                 lambda: empirical_ntk(net, np.ones((2, 2)), np.ones((1, 3))),
                 lambda: empirical_ntk(net, np.ones((2, 2)), method="bogus"),
                 lambda: empirical_ntk(torch.nn.Linear(2, 1), np.ones((2, 2)))):
        with pytest.raises(InputError):
            call()
