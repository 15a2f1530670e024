"""Linearization error of W ↦ f(W, x) and the lower estimate of its supremum on the ball (numerics.training.linearization)."""
import math

import pytest
import torch
from hypothesis import given, settings, strategies as st

from numerics.adversarial.arc_certificate import LIP_DSIGMA
from numerics.training.linearization import linearization_gap, max_linearization_error
from numerics.network.nets import FullyConnected
from theory.activations import c_sigma
from theory.errors import InputError


def test_gap_is_zero_at_the_base_point_and_quadratic_along_a_ray():
    net = FullyConnected(3, 40, 2, "tanh", seed=1)
    g = torch.Generator().manual_seed(5)
    X = torch.randn(4, 3, generator=g, dtype=torch.float64)
    W0 = [w.detach() for w in net.initial_weights]
    V = [torch.randn(w.shape, generator=g, dtype=w.dtype) for w in W0]
    assert torch.all(linearization_gap(net, X, W0, W0) == 0)
    e1 = linearization_gap(net, X, W0, [w + 1e-3 * v for w, v in zip(W0, V)])
    e2 = linearization_gap(net, X, W0, [w + 2e-3 * v for w, v in zip(W0, V)])
    # e(tV) = t²·Q + O(t³): doubling t multiplies e by 4 up to a relative O(t) correction
    assert torch.allclose(e2, 4 * e1, rtol=0, atol=0.02 * float(e2.abs().max()))


@settings(max_examples=8)
@given(seed=st.integers(0, 1000), act=st.sampled_from(sorted(LIP_DSIGMA)), r=st.floats(0.1, 3.0),
       m=st.sampled_from([16, 64]))
def test_estimate_respects_the_two_layer_bound_and_beats_a_random_direction(seed, act, r, m):
    """√c_σ·‖a‖_∞·Lip σ'·r²/(2√m) bounds |e| for H = 1 and unit x; the ascent beats a random direction."""
    net = FullyConnected(2, m, 1, act, seed=seed)
    x = torch.tensor([[math.cos(seed), math.sin(seed)]], dtype=torch.float64)
    est = max_linearization_error(net, x, r, steps=15, seed=seed)
    bound = math.sqrt(c_sigma(act)) * float(net.output.abs().max()) * LIP_DSIGMA[act] * r ** 2 / (2 * math.sqrt(m))
    assert est.value <= bound * (1 + 1e-12)
    W0 = [w.detach() for w in net.initial_weights]
    D = torch.randn(W0[0].shape, generator=torch.Generator().manual_seed(seed + 7), dtype=torch.float64)
    rand = abs(float(linearization_gap(net, x, W0, [W0[0] + r * D / torch.linalg.norm(D)])))
    assert est.value >= rand - 1e-15
    direction = est.best_direction
    assert float(torch.linalg.norm(direction[0])) <= r * (1 + 1e-12)
    again = abs(float(linearization_gap(net, x, W0, [W0[0] + direction[0]])))
    assert again == pytest.approx(est.value, rel=1e-10, abs=1e-15)


def test_bad_input():
    net = FullyConnected(2, 8, 1, "softplus")
    x = torch.ones(1, 2, dtype=torch.float64)
    for kw in (dict(radius=0.0), dict(radius=1.0, steps=0), dict(radius=1.0, restarts=-1)):
        with pytest.raises(InputError):
            max_linearization_error(net, x, **kw)
