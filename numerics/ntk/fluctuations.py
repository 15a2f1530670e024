"""The leading-order finite-width fluctuation of the NTK diagonal: √m·SD Θ_m(x, x) → s_H(σ) as m → ∞, ‖x‖ = 1.

Parametrization of numerics/network/nets.py (output layer a fixed). With q_h = ‖x^(h)‖² and the backward factors
B_h = ‖b^(h)‖²/‖b^(h+1)‖² (b^(h) = ∂f/∂(W^(h)x^(h−1)), b^(H+1) := 1), the diagonal is exactly

    Θ_m(x, x) = Σ_{h=1..H} q_{h−1} · Π_{k=h..H} B_k,    q_0 = 1,

and, given layer h − 1, (q_h, B_h) is the mean over the m neurons of (c_σ·σ(g)², c_σ·σ'(g)²·z²), g ~ N(0, q_{h−1}),
z ~ N(0, 1) independent (z = a_i at h = H, a coordinate of W^(h+1)ᵀb^(h+1) below; the dependence of that vector
on the forward pass is one direction out of m, an O(1/m) effect). The delta method linearizes around the limit
q_h = 1, B_h = Σ̇ := c_σ·E σ'(z)²: per layer, fresh noise (ε_h, η_h)/√m with the per-neuron covariance C at q = 1,
δq_h = Q'(1)·δq_{h−1} + ε_h/√m, δB_h = D'(1)·δq_{h−1} + η_h/√m, Q(q) = c_σ·E σ(√q z)², D(q) = c_σ·E σ'(√q z)²,
and s_H² = ∇Fᵀ Cov ∇F. At H = 1 this is s₁² = 3c_σ²·E σ'⁴ − Σ̇². Gauss–Hermite expectations (symmetric nodes,
exact for relu's step σ' by symmetry); Q', D' by central differences. Tested against Monte Carlo of the
structured empirical NTK (tests/numerics/ntk/test_fluctuations.py).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from numerics.ntk.dual_activations import np_sigma, np_sigma_prime
from theory.activations import c_sigma, check_activation
from theory.errors import positive_int

_NODES = 200       # Gauss–Hermite nodes: the expectations are of polynomial growth, converged to ~1e-12
_STEP = 1e-4       # central-difference step in q for Q'(1) and D'(1); O(step²) ≈ 1e-8 relative error


@lru_cache(maxsize=None)
def diagonal_fluctuation_scale(activation: str, depth: int) -> float:
    """s_H(σ): the limit of √m·SD Θ_m(x, x) for a unit input, by the delta method of the module docstring."""
    activation, depth = check_activation(activation), positive_int("depth", depth)
    z, w = special.roots_hermite(_NODES)
    z, w = math.sqrt(2.0) * z, w / math.sqrt(math.pi)
    s, ds, c = np_sigma(activation), np_sigma_prime(activation), c_sigma(activation)

    def mean(values: np.ndarray) -> float:
        return float(w @ values)

    def forward(q: float) -> float:
        return c * mean(s(math.sqrt(q) * z) ** 2)

    def backward(q: float) -> float:
        return c * mean(ds(math.sqrt(q) * z) ** 2)

    q_slope = (forward(1 + _STEP) - forward(1 - _STEP)) / (2 * _STEP)
    b_slope = (backward(1 + _STEP) - backward(1 - _STEP)) / (2 * _STEP)
    sigma_dot = backward(1.0)
    var_q = c * c * mean(s(z) ** 4) - 1.0
    var_b = 3.0 * c * c * mean(ds(z) ** 4) - sigma_dot ** 2
    cov_qb = c * c * mean(s(z) ** 2 * ds(z) ** 2) - sigma_dot
    per_layer = np.array([[var_q, cov_qb], [cov_qb, var_b]])

    # δq_h and δB_h as coefficient vectors over the independent noises (ε_1, η_1, …, ε_H, η_H).
    dq = [np.zeros(2 * depth)]
    db = []
    for h in range(depth):
        eps, eta = np.zeros(2 * depth), np.zeros(2 * depth)
        eps[2 * h], eta[2 * h + 1] = 1.0, 1.0
        db.append(b_slope * dq[h] + eta)
        dq.append(q_slope * dq[h] + eps)
    # ∂F/∂q_{h−1} = Σ̇^(H−h+1) (h ≥ 2; q_0 is fixed); ∂F/∂B_k = Σ_{h ≤ k} Σ̇^(H−h).
    grad = sum((sigma_dot ** (depth - h + 1) * dq[h - 1] for h in range(2, depth + 1)), np.zeros(2 * depth))
    for k in range(1, depth + 1):
        grad = grad + sum(sigma_dot ** (depth - h) for h in range(1, k + 1)) * db[k - 1]
    return math.sqrt(float(grad @ np.kron(np.eye(depth), per_layer) @ grad))
