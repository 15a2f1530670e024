"""C8: the radius R(d, δ_sep, ε) at which a robust network exists near initialization, and the width it forces.

    R(d, δ_sep, ε) = (C_R/(δ_sep·ε))^(κ·(d+1))                                  [reconstructed]
    m_exist       = C_w · R^b_R · d^b_d · ε^(−b_ε) · ℓ_p^b_p,  ℓ_p = log(1/p)   [reconstructed]
    corollary (C8 + C1, per-layer-R): m ≥ max(m_exist, 36·L_ℓ²·C_H²·R⁴/ε²)   [derived from C4]

The exponents are named symbols. Defaults (all [reconstructed], never the paper's printed values): κ = 1/2
(Bach 2017: an L-Lipschitz target on S^(d−1) is approximated to ε in sup norm by an RKHS function of norm
≈ (L/ε)^((d+1)/2), hence the exponent κ(d+1); it read κd, below its own source, until advaudit hunt found
R* above it at d = 2, ε = 0.25), C_R = 2 (the robust target has Lipschitz constant 2/δ_sep), and random features needing
m ≈ R²·d·log(1/p)/ε² (C_w = 1, b_R = 2, b_d = 1, b_ε = 2, b_p = 1). The growth in d of any such width is the
limit of log m(d)/d, computed by sympy; a positive limit means exponential width (Zhang et al. 2020's reading).
"""
from __future__ import annotations

import sympy as sp

d, delta_sep, eps = sp.symbols("d delta_sep epsilon", positive=True)
kappa, C_R, C_w, b_R, b_d, b_eps, b_p = sp.symbols("kappa C_R C_w b_R b_d b_eps b_p", positive=True)
ell_p = sp.Symbol("ell_p", positive=True)  # log(1/p) > 0 for a failure probability p ∈ (0, 1)
L_ell, C_H = sp.symbols("L_ell C_H", positive=True)

DEFAULTS: dict[sp.Symbol, sp.Expr] = {kappa: sp.Rational(1, 2), C_R: sp.Integer(2), C_w: sp.Integer(1),
                                      b_R: sp.Integer(2), b_d: sp.Integer(1), b_eps: sp.Integer(2),
                                      b_p: sp.Integer(1)}
DEFAULTS_PROVENANCE = "reconstructed"


def radius(growth: str = "exponential") -> sp.Expr:
    """R(d, δ_sep, ε); ``growth="polynomial"`` gives (C_R/(δ_sep·ε))^κ·d^κ — a planted misreading."""
    if growth == "exponential":
        return (C_R / (delta_sep * eps)) ** (kappa * (d + 1))
    if growth == "polynomial":
        return (C_R / (delta_sep * eps)) ** kappa * d**kappa
    raise ValueError(f"unknown growth {growth!r}")


def existence_width(R_expr: sp.Expr) -> sp.Expr:
    """Random-feature width that realizes the RKHS approximant of norm R: C_w·R^b_R·d^b_d·ε^(−b_ε)·ℓ_p^b_p."""
    return C_w * R_expr**b_R * d**b_d * eps ** (-b_eps) * ell_p**b_p


def corollary_width(R_expr: sp.Expr) -> sp.Expr:
    """Width for adversarial training to reach 2ε (C8 + C1, per-layer-R): max(m_exist, 36L²C_H²R⁴/ε²)."""
    return sp.Max(existence_width(R_expr), 36 * L_ell**2 * C_H**2 * R_expr**4 / eps**2)


def growth_rate(width: sp.Expr) -> sp.Expr:
    """lim_{d→∞} log(width)/d (sympy): > 0 means exp(Θ(d)) width, 0 means sub-exponential."""
    parts = width.args if isinstance(width, sp.Max) else (width,)
    rates = [sp.limit(sp.expand_log(sp.log(p), force=True) / d, d, sp.oo) for p in parts]
    return sp.Max(*rates) if len(rates) > 1 else rates[0]


def exponential_rate_closed_form() -> sp.Expr:
    """What R = (C_R/(δ_sep·ε))^(κ(d+1)) implies for m_exist: b_R·κ·log(C_R/(δ_sep·ε))."""
    return b_R * kappa * sp.log(C_R / (delta_sep * eps))
