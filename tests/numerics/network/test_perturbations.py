"""Perturbation sets: validation, exact projections, membership, sampling, grid covers, linear closed forms."""
import math

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.network.data import sphere_points
from numerics.network.perturbations import MEMBERSHIP_ATOL_F64, NORMS, PerturbationSet
from theory.errors import InputError


def _centres(n, d, seed):
    return torch.tensor(sphere_points(n, d, seed=seed))


@pytest.mark.parametrize("norm,radius,match", [
    ("l2", -0.1, "radius"), ("linf", float("nan"), "radius"), ("l2", float("inf"), "radius"),
    ("l2", True, "radius"), ("l3", 0.1, "unknown norm 'l3'"),
])
def test_bad_sets_are_input_errors(norm, radius, match):
    with pytest.raises(InputError, match=match):
        PerturbationSet(norm, radius)


def test_sphere_cap_needs_unit_centres():
    with pytest.raises(InputError, match="unit vectors"):
        PerturbationSet("sphere-cap", 0.1).check_centres(torch.ones(2, 3, dtype=torch.float64))


def test_dual_norm_not_for_cap():
    with pytest.raises(InputError, match="dual_norm"):
        PerturbationSet("sphere-cap", 0.1).dual_norm(torch.ones(3, dtype=torch.float64))


@given(st.sampled_from(NORMS), st.integers(1, 4), st.floats(0, 2.5), st.integers(0, 10_000), st.floats(0.1, 5))
@example("sphere-cap", 1, 2.2, 0, 1.0)   # d = 1 with δ ≥ 2: the cap is both points of S^0
@example("sphere-cap", 3, 0.0, 1, 1.0)   # zero radius
@example("sphere-cap", 2, 1e-6, 0, 1.0)  # tiny cap: the angle must not lose precision (see cap_angle)
def test_projection_is_inside_and_nearest(norm, d, radius, seed, scale):
    pset = PerturbationSet(norm, radius)
    X0 = _centres(4, d, seed)
    gen = torch.Generator().manual_seed(seed)
    Y = scale * torch.randn(4, 16, d, generator=gen, dtype=torch.float64)
    proj = pset.project(X0, Y)
    assert pset.contains(X0, proj).all()
    S = pset.sample(X0, 32, gen)
    assert pset.contains(X0, S).all()
    # nearest: no sampled member of B(x0) is closer to y than its projection
    dproj = torch.linalg.norm(Y - proj, dim=-1)  # (4, 16)
    dsamp = torch.cdist(Y, S).min(dim=-1).values
    assert (dproj <= dsamp + 1e-12).all()
    # members are fixed points of the projection
    assert torch.allclose(pset.project(X0, S), S, atol=1e-12, rtol=0)


def test_cap_projection_matches_brute_force_on_the_circle():
    pset = PerturbationSet("sphere-cap", 0.7)
    theta = pset.cap_angle
    X0 = _centres(6, 2, 3)
    phi0 = torch.atan2(X0[:, 1], X0[:, 0])
    Y = 2 * torch.randn(6, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    arc = phi0[:, None] + torch.linspace(-theta, theta, 200001, dtype=torch.float64)[None]
    pts = torch.stack([torch.cos(arc), torch.sin(arc)], dim=-1)
    brute = torch.linalg.norm(pts - Y[:, None], dim=-1).min(dim=1).values
    got = torch.linalg.norm(pset.project(X0, Y) - Y, dim=-1)
    assert torch.allclose(got, brute, atol=1e-9)


def test_cap_projection_of_antipodal_and_zero_points():
    pset = PerturbationSet("sphere-cap", 0.5)
    X0 = _centres(3, 4, 0)
    for Y in (-X0, torch.zeros_like(X0)):
        P = pset.project(X0, Y)
        assert pset.contains(X0, P).all()
    # the antipode is at maximal angle: its projection lies on the cap boundary
    assert torch.allclose(pset.distance(X0, pset.project(X0, -X0)), torch.full((3,), 0.5, dtype=torch.float64))


@given(st.sampled_from(NORMS), st.integers(2, 3), st.floats(0.05, 1.5), st.integers(0, 1000))
def test_grid_is_inside_and_covers(norm, d, radius, seed):
    pset = PerturbationSet(norm, radius)
    X0 = _centres(2, d, seed)
    G, r = pset.grid(X0, 7)
    assert pset.contains(X0, G).all()
    S = pset.sample(X0, 200, torch.Generator().manual_seed(seed))
    assert (torch.cdist(S, G).min(dim=-1).values <= r + 1e-12).all()


@given(st.sampled_from(["l2", "linf"]), st.integers(1, 5), st.floats(0, 2), st.integers(0, 1000))
def test_linear_argmax_attains_the_dual_norm(norm, d, radius, seed):
    pset = PerturbationSet(norm, radius)
    X0 = _centres(3, d, seed)
    w = torch.randn(d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    P = pset.linear_argmax(X0, w)
    assert pset.contains(X0, P).all()
    gain = (P - X0) @ w
    assert torch.allclose(gain, radius * pset.dual_norm(w).expand(3), rtol=1e-12, atol=1e-14)
    S = pset.sample(X0, 64, torch.Generator().manual_seed(seed))
    assert ((S - X0[:, None]) @ w <= gain[:, None] + 1e-12).all()


def test_linear_argmax_on_the_cap_beats_a_dense_grid():
    pset = PerturbationSet("sphere-cap", 0.8)
    X0 = _centres(5, 3, 2)
    w = torch.tensor([0.3, -1.0, 0.5], dtype=torch.float64)
    P = pset.linear_argmax(X0, w)
    G, _ = pset.grid(X0, 61)
    assert pset.contains(X0, P).all()
    assert (P @ w >= (G @ w).amax(dim=1) - 1e-12).all()


def test_membership_tolerance_is_tight():
    pset = PerturbationSet("linf", 0.1)
    X0 = torch.zeros(1, 2, dtype=torch.float64)
    assert pset.contains(X0, torch.tensor([[0.1 + 0.5 * MEMBERSHIP_ATOL_F64, 0.0]], dtype=torch.float64)).all()
    assert not pset.contains(X0, torch.tensor([[0.1 + 1e-9, 0.0]], dtype=torch.float64)).any()
    assert not pset.contains(X0, torch.tensor([[math.nan, 0.0]], dtype=torch.float64)).any()


def test_sampling_is_reproducible_and_spread():
    pset = PerturbationSet("l2", 0.3)
    X0 = _centres(2, 3, 0)
    a = pset.sample(X0, 500, torch.Generator().manual_seed(5))
    b = pset.sample(X0, 500, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    r = pset.distance(X0, a)
    assert float(r.max()) > 0.28 and float(np.median(r.numpy())) > 0.2  # uniform in the ball: mass near the rim
