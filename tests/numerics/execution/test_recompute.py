"""The independent numpy recomputations (numerics.execution.recompute) agree with torch, and the arc bound is sound."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from numerics.execution import recompute
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from theory.errors import InputError


@settings(max_examples=20)
@given(depth=st.integers(1, 3), act=st.sampled_from(["relu", "softplus", "tanh", "erf", "sigmoid"]),
       loss=st.sampled_from(["hinge", "logistic", "absolute", "squared"]), seed=st.integers(0, 1000))
def test_forward_gradient_and_jvp_match_torch(depth, act, loss, seed):
    net = FullyConnected(2, 10, depth, act, seed=seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(6, 2, generator=g, dtype=torch.float64)
    y = torch.where(torch.rand(6, generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
    W = [w.detach().numpy() for w in net.weights]
    a = net.output.numpy()
    assert np.allclose(recompute.forward(W, a, act, X.numpy()), net(X).detach().numpy(), rtol=1e-13, atol=1e-14)
    value = get_loss(loss).value(net(X), y).mean()
    grads = torch.autograd.grad(value, net.trained_parameters())
    mine = recompute.round_gradient(W, a, act, loss, X.numpy(), y.numpy())
    for gt, gn in zip(grads, mine):
        assert np.allclose(gn, gt.numpy(), rtol=1e-11, atol=1e-13)
    V = [np.random.default_rng(seed).standard_normal(w.shape) for w in W]
    eps = 1e-6
    f_plus = recompute.forward([w + eps * v for w, v in zip(W, V)], a, act, X.numpy())
    f_minus = recompute.forward([w - eps * v for w, v in zip(W, V)], a, act, X.numpy())
    _, jvp = recompute.parameter_jvp(W, a, act, X.numpy(), V)
    assert np.allclose(jvp, (f_plus - f_minus) / (2 * eps), rtol=1e-5, atol=1e-6)


@settings(max_examples=10)
@given(seed=st.integers(0, 1000), delta=st.floats(0.05, 1.5))
def test_circle_robust_loss_brackets_a_dense_arc_search(seed, delta):
    net = FullyConnected(2, 32, 1, "softplus", seed=seed)
    phi = np.random.default_rng(seed).uniform(-math.pi, math.pi, 3)
    X = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    y = np.array([1.0, -1.0, 1.0])
    W, a = [net.weights[0].detach().numpy()], net.output.numpy()
    lo, up, slack = recompute.circle_robust_loss(W, a, "softplus", "logistic", 1.0, X, y, delta, target_slack=1e-2)
    theta = math.acos(1 - delta ** 2 / 2)
    for i in range(3):
        ang = phi[i] + np.linspace(-theta, theta, 50_001)
        dense = recompute.loss_values("logistic", recompute.forward(W, a, "softplus",
                                                                    np.stack([np.cos(ang), np.sin(ang)], 1)), y[i])
        assert lo[i] <= dense.max() + 1e-12 and dense.max() <= up[i] + 1e-12
    assert slack <= 1e-2 + 1e-15 and np.all(up - lo == pytest.approx(slack))


def test_input_lipschitz_needs_a_lipschitz_activation_and_circle_needs_d2():
    with pytest.raises(InputError):
        recompute.input_lipschitz_bound([np.ones((2, 2))], np.ones(2), "relu2", 1.0)
    with pytest.raises(InputError):
        recompute.circle_robust_loss([np.ones((2, 3))], np.ones(2), "softplus", "hinge", 1.0, np.ones((1, 3)),
                                     np.ones(1), 0.1)
