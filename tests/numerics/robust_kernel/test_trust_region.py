"""Quadratic lower bounds over balls and boxes (numerics.robust_kernel.trust_region): sound for every instance,
tight for the ball (the trust-region subproblem is solved by its dual)."""
import numpy as np
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numerics.robust_kernel.trust_region import ball_minimum, box_minimum, eigen


def _instance(seed, m=1, D=4, hard=False):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, D, D))
    A = torch.as_tensor((A + A.transpose(0, 2, 1)) / 2 * rng.uniform(0, 5, (m, 1, 1)))
    g = torch.as_tensor(rng.standard_normal((m, D)) * rng.uniform(0, 3, (m, 1)))
    if hard:                       # gradient orthogonal to the most negative eigenvector: the "hard case"
        lam, Q = torch.linalg.eigh(A)
        g = g - (g[:, None, :] @ Q[:, :, :1])[..., 0] * Q[:, :, 0]
    return torch.as_tensor(rng.standard_normal(m)), g, A, torch.as_tensor(rng.uniform(0.01, 1.0, m))


def _sampled_ball_min(c0, g, A, r, rng, k=20000):
    D = g.shape[0]
    U = torch.as_tensor(rng.standard_normal((k, D)))
    U = U / U.norm(dim=1, keepdim=True) * r * torch.as_tensor(rng.uniform(0, 1, (k, 1))) ** (1 / D)
    return float((c0 + U @ g + 0.5 * ((U @ A) * U).sum(1)).min())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), hard=st.booleans())
@example(seed=0, hard=True)
@example(seed=1, hard=True)     # found by Hypothesis: the hard-case minimizer must reach the boundary
def test_ball_bound_is_below_every_point_and_meets_its_minimizer(seed, hard):
    c0, g, A, r = _instance(seed, hard=hard)
    lam, Q = eigen(A)
    lower, t = ball_minimum(c0, g, lam, Q, r)
    value_at_t = float(c0[0] + t[0] @ g[0] + 0.5 * t[0] @ A[0] @ t[0])
    assert float(t[0].norm()) <= float(r[0]) * (1 + 1e-12)
    sampled = _sampled_ball_min(c0[0], g[0], A[0], r[0], np.random.default_rng(seed))
    assert float(lower[0]) <= min(sampled, value_at_t)
    scale = 1.0 + float(g.abs().max() * r[0] + A.abs().max() * r[0] ** 2)
    assert value_at_t - float(lower[0]) <= 1e-6 * scale


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_box_bound_is_below_every_point(seed):
    c0, g, A, _ = _instance(seed)
    rng = np.random.default_rng(seed)
    h = torch.as_tensor(rng.uniform(0.01, 1.0, (1, g.shape[1])))
    lower, t = box_minimum(c0, g, A, h)
    U = torch.as_tensor(rng.uniform(-1, 1, (20000, g.shape[1]))) * h
    vals = c0[0] + U @ g[0] + 0.5 * ((U @ A[0]) * U).sum(1)
    at_t = c0[0] + t[0] @ g[0] + 0.5 * t[0] @ A[0] @ t[0]
    assert bool((t.abs() <= h).all())
    assert float(lower[0]) <= min(float(vals.min()), float(at_t))


def test_box_bound_is_exact_for_separable_convex_quadratics():
    g = torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64)
    A = torch.diag_embed(torch.tensor([[2.0, 1.0, 4.0]], dtype=torch.float64))
    h = torch.tensor([[0.2, 1.0, 1.0]], dtype=torch.float64)
    c0 = torch.zeros(1, dtype=torch.float64)
    lower, t = box_minimum(c0, g, A, h)
    exact = sum(min(gi * ti + 0.5 * ai * ti * ti for ti in (-hi, hi, max(-hi, min(hi, -gi / ai))))
                for gi, ai, hi in zip([1.0, -2.0, 0.5], [2.0, 1.0, 4.0], [0.2, 1.0, 1.0]))
    assert exact - 1e-8 <= float(lower[0]) <= exact
