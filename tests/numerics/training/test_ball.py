"""B(R), its radius scalings and the layer-wise projection (docs/claims.md §3)."""
import math

import pytest
import torch
from hypothesis import given, strategies as st

from numerics.training.ball import SCALINGS, ball_radius, layer_distances, project_to_ball
from theory.errors import InputError


def test_radius_under_both_scalings():
    assert ball_radius(2.0, 64, "per-layer-R") == 2.0
    assert ball_radius(2.0, 64, "per-layer-R-over-sqrt-m") == pytest.approx(0.25, abs=1e-15)
    assert ball_radius(2.0, 64) == 2.0  # default scaling is per-layer-R
    assert SCALINGS == ("per-layer-R", "per-layer-R-over-sqrt-m")


@pytest.mark.parametrize("R, m, scaling", [(-1.0, 8, "per-layer-R"), (0.0, 8, "per-layer-R"),
                                           (math.inf, 8, "per-layer-R"), (1.0, 0, "per-layer-R"),
                                           (1.0, 8, "per-layer-sqrt"), ("a", 8, "per-layer-R")])
def test_bad_input_raises_input_error(R, m, scaling):
    with pytest.raises(InputError):
        ball_radius(R, m, scaling)


def test_projection_rejects_mismatched_layers_and_bad_radius():
    p = [torch.zeros(2, 2)]
    with pytest.raises(InputError):
        project_to_ball(p, [torch.zeros(2, 2), torch.zeros(2, 2)], 1.0)
    with pytest.raises(InputError):
        project_to_ball(p, [torch.zeros(3, 2)], 1.0)
    with pytest.raises(InputError):
        project_to_ball(p, p, [1.0, 2.0])
    with pytest.raises(InputError):
        project_to_ball(p, p, -1.0)


@given(seed=st.integers(0, 2**31 - 1), r=st.floats(1e-3, 10.0), scale=st.floats(1e-3, 100.0))
def test_projection_is_the_nearest_point_of_each_layer_ball(seed, r, scale):
    """Π lands in the ball, fixes points inside it, and no sampled point of the ball is closer (optimality)."""
    g = torch.Generator().manual_seed(seed)
    p0 = [torch.randn(3, 2, generator=g, dtype=torch.float64), torch.randn(3, 3, generator=g, dtype=torch.float64)]
    p = [w + scale * torch.randn(w.shape, generator=g, dtype=torch.float64) for w in p0]
    proj = project_to_ball(p, p0, r)
    for layer, (q, w, w0) in enumerate(zip(proj, p, p0)):
        dist = float(torch.dist(q, w0))
        assert dist <= r * (1 + 1e-12)
        inside = float(torch.dist(w, w0)) <= r
        if inside:
            assert torch.equal(q, w)
        cand = torch.randn((200, *w.shape), generator=g, dtype=torch.float64)
        cand = w0 + cand * (r * torch.rand(200, 1, 1, generator=g, dtype=torch.float64)
                            / torch.linalg.norm(cand.reshape(200, -1), dim=1)[:, None, None])
        best_sampled = float(torch.linalg.norm((cand - w).reshape(200, -1), dim=1).min())
        assert float(torch.dist(q, w)) <= best_sampled + 1e-12
    again = project_to_ball(proj, p0, r)
    assert all(torch.allclose(a, b, rtol=0, atol=1e-14) for a, b in zip(again, proj))


def test_per_layer_radii_and_distances():
    p0 = [torch.zeros(2, 2, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64)]
    p = [torch.full((2, 2), 1.0, dtype=torch.float64), torch.full((2, 2), 1.0, dtype=torch.float64)]  # ‖·‖_F = 2
    proj = project_to_ball(p, p0, [1.0, 3.0])
    assert layer_distances(proj, p0) == pytest.approx([1.0, 2.0], abs=1e-15)
    assert torch.equal(p[0], torch.full((2, 2), 1.0, dtype=torch.float64))  # input untouched
