"""C9: the VC counts of robust interpolation and what they imply for parameter counts (exact sympy).

- ℓ∞ template (the paper's reading): ⌊n/2⌋ groups × d shattered points  → VCdim ≥ ⌊n/2⌋·d.
- ℓ2 template (Kim, Moon, Yun 2025): k shattered points per group, k = ⌊1/(1 − ρ²)⌋ (capped at d), valid when the
  robustness ratio ρ (radius over half the separation) is ≥ ρ_k = √((k − 1)/k)  → VCdim ≥ k·⌊n/2⌋.
- plain interpolation of every n-point set forces only VCdim ≥ n.
- parameter counts: Goldberg–Jerrum (VCdim = O(P²) for piecewise-polynomial nets) gives P ≥ c_GJ·√VCdim;
  Bartlett, Harvey, Liaw, Mehrabian 2019 (VCdim = O(P·L·log P)) gives P·L·log₂P ≥ c_B·VCdim. The constants
  c_GJ, c_B are named and default to 1 (the theorems give them only up to absolute constants).
- the paper's network: P = d·m + (H − 1)·m² (+ m with a trained output layer).
"""
from __future__ import annotations

import math

import sympy as sp

from theory.errors import InputError

n, d, k = sp.symbols("n d k", positive=True, integer=True)
rho, P, depth = sp.symbols("rho P L", positive=True)
c_GJ, c_B = sp.symbols("c_GJ c_B", positive=True)
CONSTANT_DEFAULTS = {c_GJ: sp.Integer(1), c_B: sp.Integer(1)}


def linf_template_count(n_: int, d_: int) -> int:
    """⌊n/2⌋·d: the number of points the ℓ∞ template shatters."""
    return (n_ // 2) * d_


def rho_threshold(k_: int, *, form: str = "sqrt((k-1)/k)") -> sp.Expr:
    """ρ_k = √((k − 1)/k), exact; ``form="(k-1)/k"`` or ``"sqrt(k/(k+1))"`` are planted misreadings."""
    k_ = sp.Integer(k_)
    if form == "sqrt((k-1)/k)":
        return sp.sqrt((k_ - 1) / k_)
    if form == "(k-1)/k":
        return (k_ - 1) / k_
    if form == "sqrt(k/(k+1))":
        return sp.sqrt(k_ / (k_ + 1))
    raise ValueError(f"unknown threshold form {form!r}")


def k_of_rho(rho_: sp.Expr) -> int:
    """k = ⌊1/(1 − ρ²)⌋ for ρ ∈ (0, 1), exact (sympy floor of an exact number)."""
    rho_ = sp.nsimplify(rho_)
    if not (rho_ > 0 and rho_ < 1):
        raise InputError(f"rho: the robustness ratio must be in (0, 1), got {rho_}")
    return int(sp.floor(1 / (1 - rho_**2)))


def l2_count(n_: int, d_: int, rho_: sp.Expr) -> int:
    """k·⌊n/2⌋ with k = min(⌊1/(1 − ρ²)⌋, d)."""
    return min(k_of_rho(rho_), d_) * (n_ // 2)


def parameter_count(d_: int, m_: int, H_: int, *, train_output: bool = False) -> int:
    """d·m + (H − 1)·m² (+ m if the output layer is trained)."""
    return d_ * m_ + (H_ - 1) * m_ * m_ + (m_ if train_output else 0)


def gj_min_params(vc: int, c: float = 1.0) -> int:
    """Least P with c·P² ≥ VCdim (Goldberg–Jerrum, constant c)."""
    p = max(1, math.isqrt(max(vc, 1)))
    while c * p * p < vc:
        p += 1
    while p > 1 and c * (p - 1) ** 2 >= vc:
        p -= 1
    return p


def bartlett_min_params(vc: int, layers: int, c: float = 1.0) -> int:
    """Least P ≥ 2 with P·L·log₂P ≥ c·VCdim (Bartlett et al. 2019, constant c)."""
    ok = lambda p: p * layers * math.log2(p) >= c * vc  # noqa: E731
    lo, hi = 2, 2
    if ok(lo):
        return lo
    while not ok(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def min_width_for_params(P_: int, d_: int, H_: int) -> int:
    """Least width m with d·m + (H − 1)·m² ≥ P."""
    lo, hi = 0, 1
    while parameter_count(d_, hi, H_) < P_:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if parameter_count(d_, mid, H_) >= P_ else (mid, hi)
    return hi


def linf_template(n_: int, d_: int, delta: sp.Expr = sp.Rational(1, 2)) -> list[dict]:
    """The ℓ∞ template with exact coordinates: per group l, centre c_l = 4δ·l·e_1 (centres ≥ 4δ apart), the
    shattered points q_{l,j} = c_l + δ·e_j, and a function giving the labelled pair for a sign vector s."""
    groups = []
    for l in range(n_ // 2):
        c = sp.Matrix([4 * delta * l] + [0] * (d_ - 1))
        qs = [c + delta * sp.eye(d_)[:, j] for j in range(d_)]
        groups.append({"centre": c, "shattered": qs,
                       "pair": (lambda s, c=c: (c + delta * sp.Matrix(s), c - delta * sp.Matrix(s)))})
    return groups


def linf_dist(a: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    return max(abs(x) for x in (a - b))
