"""The robust-kernel comparator (numerics.training.kernel_comparator): linearized net ↔ per-layer RKHS balls."""
import math

import numpy as np
import pytest
import torch

from numerics.adversarial.attacks import PGD
from numerics.training.comparator import ComparatorProblem
from numerics.training.kernel_comparator import LinearizedNetworkKernel, kernel_comparator, linearized_solution
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.ntk.empirical import empirical_ntk
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import set_weights


def _data(n, d, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.nn.functional.normalize(torch.randn(n, d, generator=g, dtype=torch.float64), dim=1)
    return X, torch.where(X[:, 0] >= 0, 1.0, -1.0).to(torch.float64)


@pytest.mark.parametrize("depth,train_output", [(1, False), (2, False), (2, True)])
def test_block_kernels_sum_to_the_empirical_ntk(depth, train_output):
    net = FullyConnected(3, 48, depth, "softplus", train_output=train_output, seed=1)
    X, _ = _data(7, 3)
    kernel = LinearizedNetworkKernel(net)
    total = sum(kernel.gram(X))
    ref = empirical_ntk(net, X)
    assert np.max(np.abs(total - ref)) <= 1e-10 * np.max(np.abs(ref))
    with torch.no_grad():
        assert torch.allclose(kernel.offset(X), net(X))


@pytest.mark.parametrize("scaling", ["per-layer-R", "per-layer-R-over-sqrt-m"])
def test_weights_realize_the_rkhs_solution_inside_the_ball(scaling):
    """‖ΔW^(h)‖_F = ‖f_h‖_H per layer, W* ∈ B(R), and the linearized net at W* reproduces the kernel function."""
    net = FullyConnected(3, 32, 2, "softplus", seed=2)
    X, y = _data(6, 3)
    sol = linearized_solution(net, X, y, PerturbationSet("l2", 0.2), "logistic", 0.8, scaling, tol=1e-2)
    r = 0.8 if scaling == "per-layer-R" else 0.8 / math.sqrt(32)
    assert sol.in_ball and abs(sol.radius - r) < 1e-15
    np.testing.assert_allclose(sol.distances, sol.rkhs_norms, rtol=1e-8)
    kernel = LinearizedNetworkKernel(net)
    delta = [w - w0 for w, w0 in zip(sol.weights, net.initial_weights)]
    P = PerturbationSet("l2", 0.2).sample(X, 3, torch.Generator().manual_seed(0)).reshape(-1, 3)
    with torch.no_grad():
        fk = sol.result.model(kernel)(P)
        # ⟨∇f(W(0), x), ΔW⟩ by a finite difference of the real net along ΔW (linear in the step)
        t = 1e-6
        moved = set_weights(net, [w0 + t * dw for w0, dw in zip(net.initial_weights, delta)])
        fd = net(P) + (moved(P) - net(P)) / t
    assert torch.allclose(fk, fd, atol=1e-5)


def test_kernel_comparator_is_a_certified_comparator_fn():
    X, y = _data(6, 2)
    p = ComparatorProblem(net=FullyConnected(2, 64, 1, "softplus", seed=0), X=X, y=y,
                          pset=PerturbationSet("sphere-cap", 0.3), loss=get_loss("logistic"), radius=0.8,
                          scaling="per-layer-R", step_size=0.5, iterations=10)
    comp = kernel_comparator(p)
    assert comp.in_ball and comp.robust_lower <= comp.robust_upper
    net_star = set_weights(p.net, comp.weights)
    with torch.no_grad():
        attacked = PGD(p.pset, p.loss, 40, restarts=3)(net_star, X, y)
        value = float(p.loss.value(net_star(attacked), y).mean())
    assert value <= comp.robust_upper + 1e-12
    # the real net at W* is close to the linearized optimum at this width (second-order arc certificate)
    assert comp.robust_upper <= comp.details["linearized_attack_value"] + 0.05
    assert set(comp.details["solver_statuses"]) == {"optimal"}
