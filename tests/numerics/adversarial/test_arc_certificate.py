"""The second-order arc certificate of the robust loss on the circle (numerics.adversarial.arc_certificate)."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from numerics.execution import recompute
from numerics.adversarial.arc_certificate import arc_robust_loss
from numerics.adversarial.attacks import GridMaximizer
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError


@settings(max_examples=12)
@given(seed=st.integers(0, 1000), delta=st.floats(0.05, 1.9), loss=st.sampled_from(["hinge", "logistic", "absolute"]),
       act=st.sampled_from(["softplus", "tanh", "erf", "sigmoid"]), points=st.sampled_from([3, 17, 65]))
def test_bounds_bracket_a_dense_search_and_match_the_grid_attack(seed, delta, loss, act, points):
    net = FullyConnected(2, 48, 1, act, seed=seed)
    phi = np.random.default_rng(seed).uniform(-math.pi, math.pi, 4)
    X = torch.tensor(np.stack([np.cos(phi), np.sin(phi)], axis=1))
    y = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64)
    pset = PerturbationSet("sphere-cap", delta)
    b = arc_robust_loss(net, X, y, pset, loss, points)
    W, a = [net.weights[0].detach().numpy()], net.output.numpy()
    for i in range(4):
        ang = phi[i] + np.linspace(-pset.cap_angle, pset.cap_angle, 20_001)
        f = recompute.forward(W, a, act, np.stack([np.cos(ang), np.sin(ang)], axis=1))
        dense = recompute.loss_values(loss, f, np.full_like(f, y[i].item())).max()
        assert float(b.lower[i]) <= dense + 1e-12 and dense <= float(b.upper[i]) + 1e-12
    grid = GridMaximizer(pset, get_loss(loss), points).maximize(net, X, y)
    assert torch.allclose(grid.values, b.lower, rtol=0, atol=1e-12)
    assert bool(pset.contains(X, b.points).all())


def test_gap_shrinks_with_the_grid():
    net = FullyConnected(2, 256, 1, "softplus", seed=3)
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([1.0, -1.0], dtype=torch.float64)
    gaps = [float((b.upper - b.lower).max()) for b in
            (arc_robust_loss(net, X, y, PerturbationSet("sphere-cap", 0.5), "logistic", p) for p in (9, 33, 129))]
    assert gaps[0] > 3 * gaps[1] > 9 * gaps[2] > 0


@pytest.mark.parametrize("net, norm", [(FullyConnected(3, 8, 1, "softplus"), "sphere-cap"),
                                       (FullyConnected(2, 8, 2, "softplus"), "sphere-cap"),
                                       (FullyConnected(2, 8, 1, "relu"), "sphere-cap"),
                                       (FullyConnected(2, 8, 1, "softplus"), "l2")])
def test_rejects_settings_it_cannot_certify(net, norm):
    X = torch.nn.functional.normalize(torch.ones(1, net.d, dtype=torch.float64), dim=1)
    with pytest.raises(InputError):
        arc_robust_loss(net, X, torch.ones(1, dtype=torch.float64), PerturbationSet(norm, 0.1), "hinge", 9)


def test_float_lipschitz_tables_equal_the_derived_smoothness_constants():
    """The numerics tables are copies of theory.smoothness's sympy derivation; they must not drift."""
    from numerics.adversarial.arc_certificate import LIP_DSIGMA, LIP_SIGMA
    from theory.smoothness import smoothness_constants

    for act in LIP_DSIGMA:
        derived = smoothness_constants(act)
        assert LIP_SIGMA[act] == pytest.approx(float(derived.lip_sigma), rel=1e-15)
        assert LIP_DSIGMA[act] == pytest.approx(float(derived.lip_dsigma), rel=1e-15)
