"""Closed-form first-order calculus of the network (numerics.network.gradients) against autograd."""
import pytest
import torch
from hypothesis import given, settings, strategies as st

from numerics.network.gradients import forward_with, parameter_jvp, per_sample_gradient_norms
from numerics.network.nets import FullyConnected
from theory.errors import InputError


def _net(depth, act, train_output, seed):
    return FullyConnected(3, 12, depth, act, seed=seed, train_output=train_output)


@settings(max_examples=20)
@given(depth=st.integers(1, 3), act=st.sampled_from(["relu", "softplus", "tanh", "erf", "relu2"]),
       train_output=st.booleans(), seed=st.integers(0, 1000))
def test_per_sample_norms_and_jvp_match_autograd(depth, act, train_output, seed):
    net = _net(depth, act, train_output, seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(4, 3, generator=g, dtype=torch.float64)
    params = net.trained_parameters()
    V = [torch.randn(p.shape, generator=g, dtype=p.dtype) for p in params]
    norms = per_sample_gradient_norms(net, X)
    f, jvp = parameter_jvp(net, X, params, V)
    assert torch.allclose(f, net(X).detach(), rtol=1e-13, atol=1e-13)
    for i in range(4):
        grads = torch.autograd.grad(net(X[i:i + 1]).sum(), params)
        ref = torch.sqrt(sum((gr ** 2).sum() for gr in grads))
        assert float(norms[i]) == pytest.approx(float(ref), rel=1e-12, abs=1e-14)
        ref_jvp = sum((gr * v).sum() for gr, v in zip(grads, V))
        assert float(jvp[i]) == pytest.approx(float(ref_jvp), rel=1e-11, abs=1e-12)


def test_forward_with_other_weights_and_bad_shapes():
    net = _net(2, "softplus", False, 0)
    W = [2 * w.detach() for w in net.trained_parameters()]
    X = torch.randn(5, 3, dtype=torch.float64)
    expected = net.output @ (net.scale * torch.nn.functional.softplus(
        net.scale * torch.nn.functional.softplus(X @ W[0].T) @ W[1].T)).T
    assert torch.allclose(forward_with(net, W, X), expected, rtol=1e-13)
    with pytest.raises(InputError):
        forward_with(net, W[:1], X)
    with pytest.raises(InputError):
        forward_with(net, [W[0], W[0]], X)
