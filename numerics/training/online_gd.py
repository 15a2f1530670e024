"""Projected online gradient descent on a Euclidean ball, and the regret lemma of docs/claims.md §5 C4.1.

    W(t+1) = Π_K(W(t) − α·g_t),  g_t ∈ ∂ℓ_t(W(t)),  K = {w : ‖w − c‖₂ ≤ ρ}
    lemma: for every W* ∈ K,  Σ_{t<T} ⟨g_t, W(t) − W*⟩ ≤ ‖W(0) − W*‖²/(2α) + (α/2)·Σ_{t<T} ‖g_t‖².

Losses are convex pieces (linear ⟨c, w⟩ + b, hinge max(0, 1 − y⟨a, w⟩), quadratic (λ/2)‖w − b‖²). The comparator
that makes the lemma tightest is found in closed form: the slack bound − lhs is a concave quadratic in W* with
isotropic Hessian, so its minimizer over K is the projection of W(0) − α·Σ g_t onto K.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.errors import InputError

LOSS_KINDS = ("linear", "hinge", "quadratic")


@dataclass(frozen=True)
class ConvexPiece:
    """One round's loss: kind ∈ LOSS_KINDS with vector ``v`` (c, a or b) and scalar ``s`` (b, y or λ)."""

    kind: str
    v: np.ndarray
    s: float

    def value(self, w: np.ndarray) -> float:
        if self.kind == "linear":
            return float(self.v @ w + self.s)
        if self.kind == "hinge":
            return float(max(0.0, 1.0 - self.s * (self.v @ w)))
        return float(0.5 * self.s * np.sum((w - self.v) ** 2))

    def subgradient(self, w: np.ndarray) -> np.ndarray:
        if self.kind == "linear":
            return self.v.copy()
        if self.kind == "hinge":
            return -self.s * self.v if 1.0 - self.s * (self.v @ w) > 0 else np.zeros_like(w)
        return self.s * (w - self.v)


@dataclass
class OGDTrace:
    iterates: np.ndarray     # (T, dim): W(0), …, W(T−1), the points where the gradients were taken
    grads: np.ndarray        # (T, dim)
    values: np.ndarray       # (T,): ℓ_t(W(t))


def project_ball(w: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Π_K for K the ℓ2 ball: radial shrinkage towards the centre."""
    diff = w - centre
    norm = float(np.linalg.norm(diff))
    return w if norm <= radius else centre + diff * (radius / norm)


def projected_ogd(losses: list[ConvexPiece], w0: np.ndarray, alpha: float, centre: np.ndarray,
                  radius: float) -> OGDTrace:
    """Run projected OGD with step α from w0 (which must lie in K) over the loss sequence."""
    if not alpha > 0:
        raise InputError(f"alpha: must be > 0, got {alpha}")
    if not radius >= 0:
        raise InputError(f"radius: must be ≥ 0, got {radius}")
    if np.linalg.norm(w0 - centre) > radius * (1 + 1e-12):
        raise InputError("w0: must lie in the ball K")
    w = np.array(w0, dtype=np.float64)
    its, grads, vals = [], [], []
    for piece in losses:
        g = piece.subgradient(w)
        its.append(w.copy())
        grads.append(g)
        vals.append(piece.value(w))
        w = project_ball(w - alpha * g, centre, radius)
    dim = len(w0)
    return OGDTrace(np.array(its).reshape(-1, dim), np.array(grads).reshape(-1, dim), np.array(vals))


def linear_regret(trace: OGDTrace, w_star: np.ndarray) -> float:
    """Σ_t ⟨g_t, W(t) − W*⟩ (≥ the realized regret Σ ℓ_t(W(t)) − ℓ_t(W*) by convexity)."""
    return float(np.sum(trace.grads * (trace.iterates - w_star[None, :])))


def regret_bound(trace: OGDTrace, w_star: np.ndarray, alpha: float) -> float:
    """‖W(0) − W*‖²/(2α) + (α/2)·Σ_t ‖g_t‖²."""
    return float(np.sum((trace.iterates[0] - w_star) ** 2) / (2 * alpha) + alpha / 2 * np.sum(trace.grads**2))


def worst_comparator(trace: OGDTrace, alpha: float, centre: np.ndarray, radius: float) -> np.ndarray:
    """argmin over W* ∈ K of bound − Σ⟨g_t, W(t) − W*⟩: Π_K(W(0) − α·Σ_t g_t)."""
    return project_ball(trace.iterates[0] - alpha * trace.grads.sum(axis=0), centre, radius)
