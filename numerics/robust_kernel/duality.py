"""Certified lower bound of a robust kernel problem by weak duality, and the loss conjugates it needs.

Recomputed in float64 numpy from the kernel (never read off the solver):

* lower (weak duality): for weights a_j ≥ 0 with Σ_{j∈Z_i} a_j = 1/n and slopes s_j ∈ dom ℓ*,
  every f with ‖f_b‖ ≤ R_b has  (1/n)Σ_i max_{j∈Z_i} ℓ(f(z_j)) ≥ Σ_j a_j[s_j f(z_j) − ℓ*(s_j)]
  ≥ Σ_j a_j s_j f0(z_j) − Σ_j a_j ℓ*(s_j) − Σ_b R_b ‖v‖_{K_b},  v = a⊙s, ‖v‖_K = √(vᵀKv);
  (regularized: − Σ_b ‖v‖²_{K_b}/(2λ)). Z ⊂ ∪B(x_i), so this bounds the optimal ROBUST loss from below.
  (a, s) come from the solver's dual values (repaired into the dual domain), which only affects tightness.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from numerics.network.losses import Loss
from theory.errors import InputError


# --- losses: conjugates and dual variables -----------------------------------------------------------

def _conjugate(name: str, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ℓ*(s) = sup_f (s f − ℓ(f, y)) on its domain (s is repaired into the domain by the caller)."""
    if name in ("hinge", "absolute"):
        return s * y
    if name == "logistic":
        u = np.clip(-s * y, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = np.where(u > 0, u * np.log(u), 0.0) + np.where(u < 1, (1 - u) * np.log1p(-u), 0.0)
        return ent
    return s * y + s * s / 4.0


def per_sample_sum(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(owner, weights=values, minlength=n)


def dual_variables(name: str, duals: list[np.ndarray], f: np.ndarray, y: np.ndarray, owner: np.ndarray,
                    n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(a, s) with a ≥ 0, Σ_{j∈Z_i} a_j = 1/n and s_j ∈ dom ℓ*, from the epigraph constraints' duals.

    ``scale`` converts the duals to the ball form's normalization (1 there; 1/λ₀ in the min-norm form).
    """
    count = np.bincount(owner, minlength=n).astype(np.float64)
    if name in ("hinge", "absolute"):
        if name == "hinge":
            pos, neg = np.zeros_like(f), np.clip(duals[0] * scale, 0.0, None)
        else:
            pos, neg = np.clip(duals[0] * scale, 0.0, None), np.clip(duals[1] * scale, 0.0, None)
        mass = pos + neg
        total = per_sample_sum(mass, owner, n)
        if name == "hinge":
            # v_j = −y_j α_j with Σ_i α ≤ 1/n: a_j ∝ α_j, u_i = n·Σα (a_j·u_i = α_j), s_j = −y_j·u_i.
            capped = np.minimum(total, 1.0 / n)
            u = n * capped
            ratio = np.divide(capped, total, out=np.zeros(n), where=total > 0)
            alpha = neg * ratio[owner]
            a = np.where(total[owner] > 0, alpha / np.where(u[owner] > 0, u[owner], 1.0), 1.0 / (n * count[owner]))
            s = -y * u[owner]
            return a, s
        a = np.where(total[owner] > 0, mass / np.where(total[owner] > 0, total[owner], 1.0), 1.0 / count[owner]) / n
        s = np.divide(pos - neg, mass, out=np.zeros_like(f), where=mass > 0)
        return a, np.clip(s, -1.0, 1.0)
    alpha = np.clip(duals[0] * scale, 0.0, None)
    total = per_sample_sum(alpha, owner, n)
    a = np.where(total[owner] > 0, alpha / np.where(total[owner] > 0, total[owner], 1.0), 1.0 / count[owner]) / n
    if name == "logistic":
        s = -y / (1.0 + np.exp(np.clip(y * f, -700, 700)))
    else:
        s = 2.0 * (f - y)
    return a, s


def dual_lower_bound(loss: Loss | str, y: np.ndarray, owner: np.ndarray, n: int, grams: Sequence[np.ndarray],
                     offset: np.ndarray, a: np.ndarray, s: np.ndarray, *, radius: Sequence[float] | None = None,
                     regularization: float | None = None) -> float:
    """Weak-duality lower bound of the finite-set (hence robust) optimum for any admissible (a, s).

    D = Σ a_j s_j f0_j − Σ_j a_j ℓ*(s_j) − Σ_b R_b √(vᵀK_b v)   (ball)   or   … − Σ_b vᵀK_b v/(2λ)   (regularized),
    v = a⊙s. ``a`` must be ≥ 0 with per-sample sums 1/n; ``s`` in dom ℓ* (InputError otherwise).
    """
    name = loss if isinstance(loss, str) else loss.name
    a, s, y = np.asarray(a, dtype=np.float64), np.asarray(s, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.any(a < 0) or not np.allclose(per_sample_sum(a, owner, n), 1.0 / n, rtol=1e-9, atol=0):
        raise InputError("dual weights a must be ≥ 0 with per-sample sums 1/n")
    if name == "hinge" and np.any((s * y > 1e-15) | (s * y < -1 - 1e-12)):
        raise InputError("hinge slopes must satisfy s·y ∈ [−1, 0]")
    if name == "absolute" and np.any(np.abs(s) > 1 + 1e-12):
        raise InputError("absolute-loss slopes must satisfy |s| ≤ 1")
    if name == "logistic" and np.any((-s * y < -1e-15) | (-s * y > 1 + 1e-12)):
        raise InputError("logistic slopes must satisfy −s·y ∈ [0, 1]")
    v = a * s
    value = float(v @ offset - a @ _conjugate(name, s, y))
    quad = [max(float(v @ K @ v), 0.0) for K in grams]
    if radius is not None:
        return value - sum(R * math.sqrt(q) for R, q in zip(radius, quad))
    return value - sum(quad) / (2.0 * regularization)


def max_per_sample(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, owner, values)
    return out


