"""Linearization error of W ↦ f(W, x) on the ball (docs/claims.md §5, C4.2).

    e(W, W'; x) = f(W', x) − f(W, x) − ⟨∇_W f(W, x), W' − W⟩,
    ε_lin(r)    = sup over x and W, W' ∈ B(r) of |e(W, W'; x)|   (B(r): per-layer Frobenius radius r around W(0)).

The supremum is not computable; :func:`max_linearization_error` returns a LOWER estimate of it: W = W(0) and,
for each input x and each sign, projected normalized-gradient ascent of ±e(W(0), W(0) + Δ; x) over the product
of per-layer balls ‖Δ^(h)‖_F ≤ r (gradient of e in Δ: ∇f(W(0) + Δ, x) − ∇f(W(0), x)), from seeded random starts
on the sphere of each layer. The best value seen over all steps is kept, and e is re-evaluated there.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from numerics.network.gradients import check_weights, forward_with, parameter_jvp
from numerics.network.nets import FullyConnected
from theory.errors import InputError

# Geometric decay of the ascent step (the first step has length r): 40 steps end at ~5% of r.
ASCENT_DECAY = 0.93


def linearization_gap(net: FullyConnected, X: torch.Tensor, weights: Sequence[torch.Tensor],
                      weights2: Sequence[torch.Tensor]) -> torch.Tensor:
    """e(W, W'; x_i) = f(W', x_i) − f(W, x_i) − ⟨∇f(W, x_i), W' − W⟩ for every row (shape (n,))."""
    W, W2 = check_weights(net, weights), check_weights(net, weights2, name="weights2")
    f_w, lin = parameter_jvp(net, X, W, [b - a for a, b in zip(W, W2)])
    with torch.no_grad():
        return forward_with(net, W2, X) - f_w - lin


@dataclass
class LinearizationEstimate:
    """Lower estimate of ε_lin(r): the best |e| found, the per-input values and the search settings."""

    value: float
    per_point: list[float]
    radius: float
    steps: int
    restarts: int
    best_point: int
    best_direction: list[torch.Tensor]   # Δ (per layer) attaining ``value`` at X[best_point]


def max_linearization_error(net: FullyConnected, X: torch.Tensor, radius: float, *, steps: int = 40,
                            restarts: int = 1, seed: int = 0) -> LinearizationEstimate:
    """Lower estimate of ε_lin(radius) at W = W(0) over the rows of X (see the module docstring)."""
    if not (isinstance(radius, (int, float)) and radius > 0):
        raise InputError(f"radius must be a positive number, got {radius!r}")
    for name, v in (("steps", steps), ("restarts", restarts)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(f"{name} must be a positive integer, got {v!r}")
    X = net.check_input(X)
    W0 = [w.detach() for w in net.initial_weights]
    H = net.depth
    gen = torch.Generator().manual_seed(int(seed))
    with torch.enable_grad():
        Wg = [w.clone().requires_grad_(True) for w in W0]
        per_point: list[float] = []
        best_dir: list[torch.Tensor] = []
        for i in range(X.shape[0]):
            x = X[i:i + 1]
            g0 = torch.autograd.grad(forward_with(net, Wg, x).sum(), Wg)
            f0 = float(forward_with(net, W0, x))
            best, cand = 0.0, [torch.zeros_like(w) for w in W0[:H]]
            for _ in range(restarts):
                start = [torch.randn(w.shape, generator=gen, dtype=w.dtype).to(w.device) for w in W0[:H]]
                for sign in (1.0, -1.0):
                    D = [d * (radius / float(torch.linalg.norm(d))) for d in start]
                    step = float(radius)
                    for _ in range(steps):
                        Dv = [d.clone().requires_grad_(True) for d in D]
                        full = [w + d for w, d in zip(W0[:H], Dv)] + list(W0[H:])
                        f1 = forward_with(net, full, x).sum()
                        g1 = torch.autograd.grad(f1, Dv)
                        with torch.no_grad():
                            lin = sum(float((a * d).sum()) for a, d in zip(g0[:H], D))
                            if sign * (float(f1) - f0 - lin) > best:
                                best, cand = sign * (float(f1) - f0 - lin), [d.clone() for d in D]
                            D = [d + step * sign * (a - b) / max(float(torch.linalg.norm(a - b)), 1e-300)
                                 for d, a, b in zip(D, g1, g0[:H])]
                            D = [d * min(1.0, radius / max(float(torch.linalg.norm(d)), 1e-300)) for d in D]
                        step *= ASCENT_DECAY
                    full = [w + d for w, d in zip(W0[:H], D)] + list(W0[H:])
                    final = sign * float(linearization_gap(net, x, W0, full))
                    if final > best:
                        best, cand = final, [d.clone() for d in D]
            if not per_point or best > max(per_point):
                best_dir = cand
            per_point.append(best)
    top = max(range(len(per_point)), key=per_point.__getitem__)
    return LinearizationEstimate(value=per_point[top], per_point=per_point, radius=float(radius), steps=steps,
                                 restarts=restarts, best_point=top, best_direction=best_dir)
