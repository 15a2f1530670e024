"""A two-layer net as a ridge expansion (numerics.robust_kernel.kernels.RidgeKernel) and the composite cap chart of the second-order
certificate: derivative bounds hold, the certificate is sound against sampling of the real network."""
import math

import numpy as np
import pytest
import torch

from numerics.network.gradients import forward_with
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.curvature import certify_max_loss_curvature
from numerics.robust_kernel.kernels import DERIVATIVE_BOUNDS, RidgeKernel, _second
from numerics.network.activations import sigma, sigma_prime
from theory.errors import InputError


@pytest.mark.parametrize("name", sorted(DERIVATIVE_BOUNDS))
def test_derivative_suprema_on_a_fine_grid(name):
    """sup|σ'|, sup|σ''|, sup|σ'''| (σ''' by differencing the closed-form σ'') and |σ(0)|, attained to 1e-4 on [−12, 12]."""
    u = torch.linspace(-12, 12, 2_400_001, dtype=torch.float64)
    h = float(u[1] - u[0])
    d1, d2, d3, s0 = DERIVATIVE_BOUNDS[name]
    second = _second(name, u)
    third = (second[2:] - second[:-2]) / (2 * h)
    for bound, values in ((d1, sigma_prime(name)(u)), (d2, second), (d3, third)):
        peak = float(values.abs().max())
        assert peak <= bound * (1 + 1e-9) and peak >= bound * (1 - 1e-4)   # softplus: σ' → 1 as u → ∞
    assert abs(float(sigma(name)(torch.zeros(1, dtype=torch.float64))) - s0) <= 1e-15
    diff = (sigma_prime(name)(u[2:]) - sigma_prime(name)(u[:-2])) / (2 * h)
    assert float((diff - second[1:-1]).abs().max()) <= 1e-6


def test_expansion_derivatives_match_autograd():
    rng = np.random.default_rng(0)
    Z, beta = torch.as_tensor(rng.standard_normal((7, 3))), torch.as_tensor(rng.standard_normal(7))
    kernel = RidgeKernel("softplus")
    X = torch.as_tensor(rng.standard_normal((4, 3)))
    f, g, H = kernel.expansion_derivatives(X, Z, [beta])
    for i in range(4):
        fn = lambda x: kernel.evaluate(x[None], Z, [beta])[0]  # noqa: E731
        assert torch.allclose(g[i], torch.autograd.functional.jacobian(fn, X[i]), atol=1e-12)
        assert torch.allclose(H[i], torch.autograd.functional.hessian(fn, X[i]), atol=1e-12)
    with pytest.raises(InputError):
        RidgeKernel("relu")


@pytest.mark.parametrize("activation", ["softplus", "tanh"])
@pytest.mark.parametrize("d", [3, 4])
def test_composite_cap_certificate_is_sound_for_a_real_network(activation, d):
    net = FullyConnected(d, 128, 1, activation, seed=1)
    rng = np.random.default_rng(d)
    X = rng.standard_normal((6, d))
    X = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True))
    y = torch.as_tensor(np.where(X[:, 0].numpy() >= 0, 1.0, -1.0))
    weights = [net.weights[0].detach() + 0.3 * torch.as_tensor(rng.standard_normal(net.weights[0].shape))]
    pset, loss = PerturbationSet("sphere-cap", 0.5), get_loss("logistic")
    cert = certify_max_loss_curvature(RidgeKernel(activation), weights[0], [net.scale * net.output.detach()], X, y,
                                      pset, loss, tol=1e-3, cell_budget=100_000)
    P = pset.sample(X, 4000, torch.Generator().manual_seed(0))
    with torch.no_grad():
        f = forward_with(net, weights, P.reshape(-1, d)).reshape(6, -1)
    sampled = loss.value(f, y[:, None]).max(1).values.numpy()
    assert np.all(sampled <= cert.upper + 1e-12)
    assert cert.complete and float(np.mean(cert.upper - cert.lower)) <= 1e-3
    assert bool(pset.contains(X, cert.points).all()) and math.isfinite(float(cert.hessian_lipschitz.max()))
