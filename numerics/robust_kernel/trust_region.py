"""Certified lower bounds of a quadratic q(t) = c₀ + gᵀt + ½tᵀAt over a ball ‖t‖ ≤ r or a box |t_a| ≤ h_a, batched.

Both come from Lagrangian (weak) duality, so they hold for EVERY admissible multiplier; the iterations that choose
the multiplier only decide how tight the bound is:

    ball  for ν ≥ 0 with A + νI ≻ 0:        min q ≥ c₀ − ½·gᵀ(A + νI)⁻¹g − ν·r²/2,
          ν* solves ‖(A + νI)⁻¹g‖ = r (Moré–Sorensen Newton on 1/‖t(ν)‖ − 1/r, monotone from the left), or is
          max(0, −λ_min(A)) when the unconstrained or "hard case" minimizer lies inside the ball;
    box   for μ ≥ 0 with A + 2·diag(μ) ≻ 0:  min q ≥ c₀ − Σ_a μ_a h_a² − ½·gᵀ(A + 2·diag μ)⁻¹g,
          μ from multiplicative updates towards complementary slackness (μ_a grows where |t_a| > h_a).

Rounding: the eigensolver's output (Q̂, Λ̂) represents A up to a backward error ≤ EIG_BACKWARD·dim·‖A‖_F; the bounds
use Λ̂ − ε with ε that large, i.e. a matrix below A (a smaller quadratic has a smaller minimum), and every dual
value is lowered by DUAL_ROUNDING_REL of the magnitudes of its terms (float64 sums of ≤ 10 terms are accurate to
≪ 1e-14 relative).
"""
from __future__ import annotations

import torch

EIG_BACKWARD = 64 * 2.0 ** -53
DUAL_ROUNDING_REL = 1e-12
BALL_ITERATIONS = 30
BOX_ITERATIONS = 8


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
    t = t * torch.clamp(r[:, None] / torch.clamp(norm, min=1e-300), max=1.0)
    return best, t


def box_minimum(c0: torch.Tensor, g: torch.Tensor, A: torch.Tensor, h: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """(certified lower bound, approximate minimizer) of min_{|t_a| ≤ h_a} c₀ + gᵀt + ½tᵀAt (module docstring)."""
    lam_a, _ = eigen(A)
    floor = 0.5 * (torch.clamp(-lam_a[:, 0], min=0.0) + 1e-12 * (lam_a.abs().amax(1) + 1.0))
    hs = torch.clamp(h, min=1e-300)
    mu = torch.maximum(g.abs() / (2 * hs), floor[:, None])
    best = torch.full_like(c0, -torch.inf)
    t_best = torch.zeros_like(g)
    for _ in range(BOX_ITERATIONS):
        lam, Q = eigen(A + 2 * torch.diag_embed(mu))
        ok = lam[:, 0] > 0
        gam = (Q.transpose(-1, -2) @ g[..., None])[..., 0]
        lam_pos = torch.where(ok[:, None], lam, torch.ones_like(lam))
        inv = (gam * gam / lam_pos).sum(1)
        value = c0 - (mu * h * h).sum(1) - 0.5 * inv
        value = value - DUAL_ROUNDING_REL * (c0.abs() + (mu * h * h).sum(1) + 0.5 * inv)
        value = torch.where(ok, value, torch.full_like(value, -torch.inf))
        t = -(Q @ (gam / lam_pos)[..., None])[..., 0]
        better = value > best
        best = torch.where(better, value, best)
        t_best = torch.where(better[:, None], t, t_best)
        mu = torch.maximum(mu * torch.clamp(t.abs() / hs, 0.25, 4.0), floor[:, None])
    return best, torch.maximum(torch.minimum(t_best, h), -h)
