"""Certified lower bounds of a quadratic q(t) = c₀ + gᵀt + ½tᵀAt over a ball ‖t‖ ≤ r or a box |t_a| ≤ h_a, batched.

Both come from Lagrangian (weak) duality, so they hold for EVERY admissible multiplier; the iterations that choose
the multiplier only decide how tight the bound is:

    ball  for ν ≥ 0 with A + νI ≻ 0:        min q ≥ c₀ − ½·gᵀ(A + νI)⁻¹g − ν·r²/2,
          ν* solves ‖(A + νI)⁻¹g‖ = r (Moré–Sorensen Newton on 1/‖t(ν)‖ − 1/r, monotone from the left), or is
          max(0, −λ_min(A)) when the unconstrained or "hard case" minimizer lies inside the ball;
    box   for μ ≥ 0 with A + 2·diag(μ) ≻ 0:  min q ≥ c₀ − Σ_a μ_a h_a² − ½·gᵀ(A + 2·diag μ)⁻¹g,
          μ from projected Newton steps on the concave dual.

Rounding: the eigensolver's output (Q̂, Λ̂) represents A up to a backward error ≤ EIG_BACKWARD·dim·‖A‖_F; the bounds
use Λ̂ − ε with ε that large, i.e. a matrix below A (a smaller quadratic has a smaller minimum), and every dual
value is lowered by DUAL_ROUNDING_REL of the magnitudes of its terms (float64 sums of ≤ 10 terms are accurate to
≪ 1e-14 relative).
"""
from __future__ import annotations

import math

import torch

EIG_BACKWARD = 64 * 2.0 ** -53
DUAL_ROUNDING_REL = 1e-12
BALL_ITERATIONS = 30
BOX_ITERATIONS = 5


def eigen(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(Λ̂ − ε, Q̂) for symmetric A (m, D, D): eigenvalues lowered by the eigensolver's backward-error bound."""
    lam, Q = torch.linalg.eigh(A)
    eps = EIG_BACKWARD * A.shape[-1] * torch.linalg.matrix_norm(A) + 1e-300
    return lam - eps[:, None], Q


def _dual(c0, g2, lam, nu, r2):
    inv = (g2 / (lam + nu[:, None])).sum(1)
    value = c0 - 0.5 * inv - 0.5 * nu * r2
    return value - DUAL_ROUNDING_REL * (c0.abs() + 0.5 * inv + 0.5 * nu * r2)


def ball_minimum(c0: torch.Tensor, g: torch.Tensor, lam: torch.Tensor, Q: torch.Tensor, r: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """(certified lower bound, approximate minimizer) of min_{‖t‖ ≤ r} c₀ + gᵀt + ½tᵀAt for A = Q diag(lam) Qᵀ
    (lam from :func:`eigen`, possibly shifted by a multiple of I). Shapes: c0, r (m,), g (m, D), lam (m, D)."""
    gam = (Q.transpose(-1, -2) @ g[..., None])[..., 0]
    g2 = gam * gam
    r2 = r * r
    floor = torch.clamp(-lam[:, 0], min=0.0)
    tiny = 1e-13 * (lam.abs().amax(1) + g.abs().amax(1) / torch.clamp(r, min=1e-300)) + 1e-300
    nu = floor + tiny
    best, best_nu = _dual(c0, g2, lam, nu, r2), nu
    for _ in range(BALL_ITERATIONS):
        den = lam + nu[:, None]
        norm = torch.sqrt((g2 / den ** 2).sum(1))
        outside = norm > r * (1 + 1e-12)
        if not bool(outside.any()):
            break
        slope = (g2 / den ** 3).sum(1) / torch.clamp(norm, min=1e-300) ** 3
        step = (1.0 / r - 1.0 / torch.clamp(norm, min=1e-300)) / torch.clamp(slope, min=1e-300)
        nu = torch.where(outside, nu + torch.clamp(step, min=0.0), nu)
        value = _dual(c0, g2, lam, nu, r2)
        better = value > best
        best, best_nu = torch.where(better, value, best), torch.where(better, nu, best_nu)
    best = torch.where(r > 0, best, c0 - DUAL_ROUNDING_REL * c0.abs())
    t = -(Q @ (gam / (lam + best_nu[:, None]))[..., None])[..., 0]
    norm = torch.linalg.norm(t, dim=1, keepdim=True)
    # active constraint (ν > 0) with t inside the ball — the "hard case", ν = −λ_min: the minimizer adds a multiple
    # of the lowest eigenvector, which leaves the model's value unchanged to first order
    hard = (best_nu > 2 * tiny)[:, None] & (norm < r[:, None] * (1 - 1e-12))
    q = Q[:, :, 0]
    along = (t * q).sum(1, keepdim=True)
    rest = t - along * q
    reach = torch.sqrt(torch.clamp(r[:, None] ** 2 - (rest * rest).sum(1, keepdim=True), min=0.0))
    t = torch.where(hard, rest + torch.where(along < 0, -reach, reach) * q, t)
    norm = torch.linalg.norm(t, dim=1, keepdim=True)
    t = t * torch.clamp(r[:, None] / torch.clamp(norm, min=1e-300), max=1.0)
    return best, t


def box_minimum(c0: torch.Tensor, g: torch.Tensor, A: torch.Tensor, h: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """(certified lower bound, approximate minimizer) of min_{|t_a| ≤ h_a} c₀ + gᵀt + ½tᵀAt (module docstring).

    The multiplier maximizes the concave dual φ(μ) by projected Newton steps (∇φ = t² − h², ∇²φ = −4·T M⁻¹ T with
    t = −M⁻¹g, T = diag t) on μ ≥ 0, from a start with M = A + 2·diag μ ≻ 0; trial points where M is not certified
    positive definite have φ = −∞ and are rejected by the line search; every evaluated φ is a valid bound."""
    lam_a, _ = eigen(A)
    floor = 0.5 * (torch.clamp(-lam_a[:, 0], min=0.0) + 0.05 * (lam_a.abs().amax(1) + 1.0))[:, None]
    hs = torch.clamp(h, min=1e-300)
    # the one-dimensional optimum max(0, (|g_a|/h_a − A_aa)/2), exact for diagonal A, as the starting point
    mu = torch.maximum(0.5 * (g.abs() / hs - A.diagonal(dim1=1, dim2=2)), floor)
    value, t, Minv = _box_dual(c0, g, A, h, mu)
    best, t_best = value, t
    for _ in range(BOX_ITERATIONS):
        grad = t * t - h * h
        free = (mu > 0) | (grad > 0)
        Hn = 4 * t[:, :, None] * Minv * t[:, None, :]                      # −∇²φ
        eye = torch.eye(g.shape[1], dtype=g.dtype).expand_as(Hn)
        Hf = torch.where(free[:, :, None] & free[:, None, :], Hn, eye)
        Hf = Hf + 1e-12 * (Hn.diagonal(dim1=1, dim2=2).abs().amax(1)[:, None, None] + 1e-300) * eye
        step = torch.linalg.solve(Hf, torch.where(free, grad, 0.0)[..., None])[..., 0]
        accepted = torch.zeros_like(best, dtype=torch.bool)
        for a in (1.0, 0.3):
            trial = torch.clamp(mu + a * step, min=0.0)
            v, tt, Mi = _box_dual(c0, g, A, h, trial)
            take = (v > best) & ~accepted
            best = torch.where(take, v, best)
            t_best = torch.where(take[:, None], tt, t_best)
            mu = torch.where(take[:, None], trial, mu)
            t = torch.where(take[:, None], tt, t)
            Minv = torch.where(take[:, None, None], Mi, Minv)
            accepted = accepted | take
        if not bool(accepted.any()):
            break
    return best, torch.maximum(torch.minimum(t_best, h), -h)


def _box_dual(c0, g, A, h, mu):
    """φ(μ) lowered by the rounding allowance (−∞ where M is not certified positive definite), t = −M⁻¹g, M⁻¹."""
    lam, Q = eigen(A + 2 * torch.diag_embed(mu))
    ok = lam[:, 0] > 0
    lam_pos = torch.where(ok[:, None], lam, torch.ones_like(lam))
    gam = (Q.transpose(-1, -2) @ g[..., None])[..., 0]
    inv = (gam * gam / lam_pos).sum(1)
    penalty = (mu * h * h).sum(1)
    value = c0 - penalty - 0.5 * inv - DUAL_ROUNDING_REL * (c0.abs() + penalty + 0.5 * inv)
    value = torch.where(ok, value, torch.full_like(value, -math.inf))
    Minv = Q @ (Q.transpose(-1, -2) / lam_pos[:, :, None])
    t = -(Q @ (gam / lam_pos)[..., None])[..., 0]
    return value, t, Minv
