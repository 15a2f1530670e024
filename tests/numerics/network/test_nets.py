"""numerics.network.nets.FullyConnected: shape, parametrization, trained parameters, initial weights, validation."""
import math

import numpy as np
import pytest
import torch

from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import nngp_kernel
from theory.activations import ACTIVATIONS, c_sigma
from theory.errors import InputError


def test_output_shape_and_dtype():
    net = FullyConnected(4, 8, 3, "softplus", seed=1)
    out = net(torch.randn(5, 4, dtype=torch.float64))
    assert out.shape == (5,) and out.dtype == torch.float64


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_forward_matches_hand_computation(activation):
    """x^(h) = sqrt(c_σ/m)·σ(W^(h) x^(h−1)), f = aᵀ x^(H), written out in numpy for d=2, m=3, H=2."""
    net = FullyConnected(2, 3, 2, activation, seed=7)
    W1, W2 = (w.detach().numpy() for w in net.weights)
    a = net.output.numpy()
    x = np.array([0.6, -0.8])
    sig = (lambda z: np.maximum(z, 0.0)) if activation == "relu" else np.vectorize(math.erf)
    scale = math.sqrt(c_sigma(activation) / 3)
    h1 = scale * sig(W1 @ x)
    h2 = scale * sig(W2 @ h1)
    expected = float(a @ h2)
    got = float(net(torch.tensor(x[None, :])).detach()[0])
    assert got == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("train_output", [False, True])
def test_trained_parameters_are_exactly_w_and_a(train_output):
    net = FullyConnected(3, 5, 3, "tanh", train_output=train_output, seed=2)
    trained = [p for p in net.parameters() if p.requires_grad]
    expected = list(net.weights) + ([net.output] if train_output else [])
    assert len(trained) == len(expected) and {id(p) for p in trained} == {id(p) for p in expected}
    shapes = [(5, 3), (5, 5), (5, 5)] + ([(5,)] if train_output else [])
    assert [tuple(p.shape) for p in net.trained_parameters()] == shapes
    if not train_output:
        assert not net.output.requires_grad and "output" in dict(net.named_buffers())


@pytest.mark.parametrize("train_output", [False, True])
def test_initial_weights_kept_and_unchanged_by_an_optimizer_step(train_output):
    net = FullyConnected(3, 6, 2, "softplus", train_output=train_output, seed=3)
    before = [p.detach().clone() for p in net.trained_parameters()]
    initial = [w.clone() for w in net.initial_weights]
    assert all(torch.equal(p, w) for p, w in zip(before, initial))
    opt = torch.optim.SGD(net.trained_parameters(), lr=0.5)
    loss = (net(torch.randn(4, 3, dtype=torch.float64)) ** 2).sum()
    loss.backward()
    opt.step()
    assert all(not torch.equal(p.detach(), b) for p, b in zip(net.trained_parameters(), before))
    assert all(torch.equal(w, w0) for w, w0 in zip(net.initial_weights, initial))
    assert all(d > 0 for d in net.distance_from_init())


@pytest.mark.parametrize("d,m,depth,train_output", [(3, 7, 1, False), (5, 4, 3, False), (2, 6, 2, True)])
def test_parameter_count(d, m, depth, train_output):
    net = FullyConnected(d, m, depth, "relu", train_output=train_output)
    assert net.parameter_count() == d * m + (depth - 1) * m * m + (m if train_output else 0)


def test_seeding_is_reproducible():
    X = torch.randn(6, 4, dtype=torch.float64)
    a, b, c = (FullyConnected(4, 16, 2, "erf", seed=s)(X) for s in (11, 11, 12))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize("kwargs", [dict(width=0), dict(depth=0), dict(width=2.5), dict(d=-1),
                                    dict(activation="gelu"), dict(depth=True)])
def test_bad_construction_raises_input_error(kwargs):
    args = dict(d=3, width=4, depth=2, activation="relu") | kwargs
    with pytest.raises(InputError):
        FullyConnected(args.pop("d"), args.pop("width"), args.pop("depth"), args.pop("activation"))


@pytest.mark.parametrize("shape", [(5, 4), (5,), (2, 3, 3)])
def test_wrong_input_shape_raises_input_error(shape):
    net = FullyConnected(3, 4, 2, "relu")
    with pytest.raises(InputError):
        net.check_input(torch.zeros(shape, dtype=torch.float64))


# Seeds for the output-variance test: 4 standard errors of the mean of f² are then ≈ 4·√2/√200 = 0.4, and of
# ‖x^(H)‖² (spread O(1/√m)) ≈ 0.03, so a wrong c_σ (relu: 1 instead of 2 halves the target) cannot pass.
VARIANCE_SEEDS = 200
VARIANCE_WIDTH = 128


@pytest.mark.parametrize("activation,depth", [("relu", 2), ("softplus", 2), ("tanh", 3)])
def test_output_variance_at_init_matches_the_nngp_kernel(activation, depth):
    """E f(x)² = E ‖x^(H)‖² → Σ^(H)(x, x) (= 1 on the unit sphere by the choice of c_σ).

    Over independent seeds the sample mean of f(x)² must be within 4 standard errors of Σ^(H)(x, x)
    (the O(1/m) finite-width bias at m = 128 is far below that); the same for the exact conditional
    second moment ‖x^(H)‖² = E_a f(x)², which has a much smaller spread.
    """
    x = sphere_points(1, 5, seed=4)
    target = nngp_kernel(x, depth=depth, activation=activation)[0, 0]
    assert target == pytest.approx(1.0, abs=1e-12)
    f2, cond = [], []
    X = torch.tensor(x)
    for s in range(VARIANCE_SEEDS):
        net = FullyConnected(5, VARIANCE_WIDTH, depth, activation, seed=s)
        with torch.no_grad():
            f2.append(float(net(X)[0]) ** 2)
            cond.append(float((net.layers(X)[0][-1] ** 2).sum()))
    for sample in (np.array(f2), np.array(cond)):
        stderr = sample.std(ddof=1) / math.sqrt(len(sample))
        assert abs(sample.mean() - target) <= 4 * stderr, (sample.mean(), stderr)


def test_every_activation_builds_and_runs():
    X = torch.tensor(sphere_points(3, 4, seed=0))
    for act in ACTIVATIONS:
        out = FullyConnected(4, 8, 2, act, seed=0)(X)
        assert torch.all(torch.isfinite(out))


@pytest.mark.parametrize("d, width, depth", [(3, 10**12, 1), (3, 10**6, 2), (10**12, 3, 1)])
def test_a_network_beyond_the_machine_is_input_error_not_an_allocator_crash(d, width, depth):
    with pytest.raises(InputError, match=f"width={width}.*more than this machine"):
        FullyConnected(d, width, depth, "relu")
