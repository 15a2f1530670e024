"""Closed forms of the two-layer quadratic-ReLU NTK (docs/claims.md §2, H = 1, output layer fixed) and of the
derivatives in x of a kernel expansion f(x) = Σ_j β_j k(z_j, x), for the second-order certificate.

With a = zᵀx, b = ‖z‖‖x‖·sin φ = √(‖z‖²‖x‖² − a²), φ = ∠(z, x) ∈ [0, π] and C = 2c_σ/π = 4/(3π):

    k(z, x) = C·a·H,          H = b + (π − φ)·a                      (= Σ^(0)·Σ̇^(1) of the recursion)
    ∇H  = (b/‖x‖²)·x + (π − φ)·z
    ∇²H = (b/‖x‖²)·(I − x̂x̂ᵀ) + vvᵀ/(‖x‖⁴·b),   v = ‖x‖²z − a·x,  ‖v‖ = ‖x‖·b   (the last term → 0 as b → 0)
    ∇k  = C·(H·z + a·∇H),     ∇²k = C·(z∇Hᵀ + ∇Hzᵀ + a·∇²H).

k is homogeneous of degree 2 in x and C^{2,1} away from x = 0 (the third derivative jumps where x ∥ ±z). Bounds
for x ≠ 0, from |H| ≤ π‖z‖‖x‖, ‖∇H‖ ≤ π‖z‖, ‖∇²H‖ ≤ 2‖z‖·sin φ/‖x‖:

    |k| ≤ Cπ‖z‖²‖x‖²,   ‖∇k‖ ≤ 2Cπ‖z‖²‖x‖,   ‖∇²k‖ ≤ C(2π + 2)‖z‖²,
    ‖∇²k(x) − ∇²k(x')‖ ≤ C·THIRD_DERIVATIVE·‖z‖²/s·‖x − x'‖   if every point of [x, x'] has norm ≥ s.

THIRD_DERIVATIVE bounds sup |D³k[u, u, u]| over unit x and u for unit z (the operator norm of the symmetric third
derivative; D³k is homogeneous of degree −1 in x and 2 in z). k depends on x only through (zᵀx, ‖x‖²), so D³k[u³]
depends on u only through (zᵀu, xᵀu, ‖u‖): the supremum is over the angle φ and a unit vector of R³. It equals 6
to grid accuracy; 6.5 is certified by a grid with Lipschitz corrections (tests/numerics/robust_kernel/
test_relu2_ntk.py::test_third_derivative_constant_is_certified).

Accuracy: sin φ = ‖x̂ − ẑ‖·‖x̂ + ẑ‖/2 (no cancellation at φ = 0 or π), φ = atan2(b, a); the vvᵀ/b term is formed
from v itself and dropped when b ≤ DROP_SIN·‖x‖‖z‖ (its norm is then ≤ DROP_SIN·‖z‖²). Every quantity is a sum of
terms each accurate to a few ulps of the bounds above; :func:`rounding_allowance` turns that into an absolute bound.
"""
from __future__ import annotations

import math
import torch

C_RELU2 = 4.0 / (3.0 * math.pi)
THIRD_DERIVATIVE = 6.5
HESSIAN_BOUND = 2.0 * math.pi + 2.0
# vvᵀ/(‖x‖⁴b) is dropped when sin φ ≤ DROP_SIN (its contribution is then ≤ C·DROP_SIN·|β_j|‖z_j‖², counted below).
DROP_SIN = 1e-9
# Relative rounding of one evaluated expansion (value, gradient or Hessian entry) against Σ_j |β_j|·(term bound):
# each term is computed to ≲ 50 ulps, sums of p ≤ 10⁵ terms add ≤ p·u ≈ 1e-11 relative; 1e-10 covers both.
ROUNDING_REL = 1e-10
# sin φ below which b is recomputed from ‖x̂ ∓ ẑ‖ (the subtraction ‖x‖²‖z‖² − a² keeps ≥ 1e-12 relative above it).
SMALL_ANGLE = 1e-2
_PAIRS_PER_CHUNK = 1 << 16     # (points × terms) per chunk of derivatives (× d for Hessians): cache-sized
_VALUE_PAIRS = 1 << 16


def _geometry(X: torch.Tensor, Z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(a, b, φ, ‖x‖²‖z‖²) of shape (m, p) for points X (m, d) and terms Z (p, d).

    b² = ‖x‖²‖z‖² − a² loses relative accuracy u/sin²φ; pairs with sin φ < SMALL_ANGLE (few: points near the
    directions ±z_j) are recomputed as sin φ = ‖x̂ − ẑ‖·‖x̂ + ẑ‖/2, accurate to a few ulps at every angle."""
    a = X @ Z.T
    nx2, nz2 = (X * X).sum(1), (Z * Z).sum(1)
    scale = torch.outer(nx2, nz2)
    b = torch.addcmul(scale, a, a, value=-1.0).clamp_(min=0.0)           # b² for now
    rows, cols = torch.nonzero(b < (SMALL_ANGLE ** 2) * scale, as_tuple=True)
    b.sqrt_()
    if rows.numel():
        Xh = X[rows] / torch.clamp(torch.sqrt(nx2[rows]), min=1e-300)[:, None]
        Zh = Z[cols] / torch.clamp(torch.sqrt(nz2[cols]), min=1e-300)[:, None]
        sin = torch.clamp(0.5 * torch.linalg.norm(Xh - Zh, dim=1) * torch.linalg.norm(Xh + Zh, dim=1), 0.0, 1.0)
        b[rows, cols] = torch.sqrt(scale[rows, cols]) * sin
    return a, b, torch.atan2(b, a), scale


def gram(X: torch.Tensor, Z: torch.Tensor) -> torch.Tensor:
    """k(x, z) for all pairs, shape (m, p), in row chunks."""
    rows = max(1, _VALUE_PAIRS // max(Z.shape[0], 1))
    return torch.cat([_gram(X[i:i + rows], Z) for i in range(0, X.shape[0], rows)]) if X.shape[0] else \
        torch.zeros(0, Z.shape[0], dtype=X.dtype)


def _gram(X, Z):
    a, b, phi, _ = _geometry(X, Z)
    return phi.neg_().add_(math.pi).mul_(a).add_(b).mul_(a).mul_(C_RELU2)


def expansion_derivatives(X: torch.Tensor, Z: torch.Tensor, beta: torch.Tensor, order: int = 2
                          ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """f(X), ∇f(X) (m, d) and (order 2) ∇²f(X) (m, d, d) for f = Σ_j β_j k(z_j, ·), chunked over X."""
    m, d = X.shape
    p = max(Z.shape[0], 1)
    rows = max(1, _PAIRS_PER_CHUNK // (p * (d if order >= 2 else 1)))
    if m == 0:
        return (torch.zeros(0, dtype=X.dtype), torch.zeros(0, d, dtype=X.dtype) if order >= 1 else None,
                torch.zeros(0, d, d, dtype=X.dtype) if order >= 2 else None)
    vals, grads, hessians = [], [], []
    for start in range(0, m, rows):
        out = _chunk(X[start:start + rows], Z, beta, order)
        vals.append(out[0])
        grads.append(out[1])
        hessians.append(out[2])
    f = torch.cat(vals)
    g = torch.cat(grads) if order >= 1 else None
    H = torch.cat(hessians) if order >= 2 else None
    return f, g, H


def _chunk(X, Z, beta, order):
    a, b, phi, scale = _geometry(X, Z)
    H = b + (math.pi - phi) * a
    f = C_RELU2 * (a * H) @ beta
    if order < 1:
        return f, None, None
    x2 = torch.clamp((X * X).sum(1), min=1e-300)                          # ‖x‖² (m,)
    ab = (beta * a * b).sum(1) / x2                                       # Σ β a b/‖x‖²  (m,)
    g = C_RELU2 * ((beta * (H + a * (math.pi - phi))) @ Z + ab[:, None] * X)
    if order < 2:
        return f, g, None
    d = X.shape[1]
    s1 = (beta * b / x2[:, None]) @ Z                                     # Σ β (b/‖x‖²) z  (m, d)
    hess = s1[:, :, None] * X[:, None, :] + X[:, :, None] * s1[:, None, :]
    hess = hess + torch.einsum("mp,pd,pe->mde", 2.0 * beta * (math.pi - phi), Z, Z)
    eye = torch.eye(d, dtype=X.dtype)
    hess = hess + ab[:, None, None] * (eye - X[:, :, None] * X[:, None, :] / x2[:, None, None])
    keep = b > DROP_SIN * torch.sqrt(scale)
    w = torch.where(keep, beta * a / (x2[:, None] ** 2 * torch.where(keep, b, torch.ones_like(b))), 0.0)
    V = x2[:, None, None] * Z[None, :, :] - a[:, :, None] * X[:, None, :]   # (m, p, d)
    hess = hess + torch.einsum("mpd,mp,mpe->mde", V, w, V)
    return f, g, C_RELU2 * hess


def term_bounds(Z: torch.Tensor, min_norm: torch.Tensor, max_norm: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-term bounds (regions × terms) over points of norm in [min_norm, max_norm] (one region per entry; module
    docstring): ``value`` |k|, ``gradient`` ‖∇k‖, ``hessian`` ‖∇²k‖ and ``hessian_lipschitz`` Lip(∇²k) along
    segments of norm ≥ min_norm (infinite where min_norm ≤ 0)."""
    z2 = (Z * Z).sum(1)[None, :]
    lo, hi = min_norm[:, None], max_norm[:, None]
    lip = torch.where(lo > 0, C_RELU2 * THIRD_DERIVATIVE * z2 / torch.clamp(lo, min=1e-300), math.inf)
    return {"value": C_RELU2 * math.pi * z2 * hi ** 2, "gradient": 2.0 * C_RELU2 * math.pi * z2 * hi,
            "hessian": (C_RELU2 * HESSIAN_BOUND * z2).expand_as(lip), "hessian_lipschitz": lip}


def rounding_allowance(beta: torch.Tensor, bounds: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Absolute bounds (per region) on the rounding of evaluated f, ∇f (Euclidean) and ∇²f (operator norm):
    ROUNDING_REL·(1 + p·2⁻⁵³·10⁴) of Σ_j |β_j|·(term bound), plus C·DROP_SIN·Σ_j |β_j|‖z_j‖² (dropped vvᵀ/b terms)."""
    absb = beta.abs()
    scale = ROUNDING_REL * (1.0 + beta.numel() * 2.0 ** -53 * 1e4)
    dropped = DROP_SIN / HESSIAN_BOUND * (bounds["hessian"] @ absb)
    return {"value": scale * (bounds["value"] @ absb), "gradient": scale * (bounds["gradient"] @ absb),
            "hessian": scale * (bounds["hessian"] @ absb) + dropped}
