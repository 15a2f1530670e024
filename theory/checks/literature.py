"""Literature audits (docs/claims.md §6): later papers' claims about Gao et al. 2019, checked symbolically.

L1 Zhang, Plevrakis, Du, Li, Song, Arora 2020 — the guarantee needs width exponential in d and a non-standard
   activation: the C8 width and the C1 width at radius R(d) both have lim log m/d > 0; a poly(d) width has limit
   0 (so the ratio diverges); ReLU is rejected by the convergence theorems and relu2's Lip σ = 2B is unbounded.
L2 Kim, Moon, Yun 2025 — the Ω(nd) bound needs robustness ratio ρ ≥ √((k−1)/k), and ℓ∞ is excluded: below
   1/√2 the ℓ2 count is ⌊n/2⌋ whatever d is; k = d needs ρ_d → 1; the ℓ∞ template has ρ = 1 with the two closed
   δ-boxes of a group sharing their centre, so it cannot be robustly interpolated with closed balls.
   (The constructions themselves are verified numerically in numerics/checks/c9_vc.py.)
L3 Li, Jin, Zhong, Hopcroft, Wang 2022 — O(nd·log(d/δ) + n·polylog(n/δ)) parameters suffice and Ω(√(nd)) are
   necessary: the lower bound implied by C9 through Goldberg–Jerrum never exceeds their upper bound on the grid
   n ∈ [2, 10⁶], d ∈ [1, 10⁴], δ ∈ [10⁻⁶, 1/2] (interval certificate, both constants 1), the ratio → 0 as n or
   d → ∞ (sympy), and both lower bounds have exponent 1/2 in n and d.
"""
from __future__ import annotations

import sympy as sp

from theory import capacity as cap
from theory import existence as ex
from theory.activations import SMOOTH_ACTIVATIONS
from theory.checks.c8_symbolic import growth_evidence, positivity_obligation
from theory.checks.c9_symbolic import threshold_evidence
from theory.evidence import Counterexample, Evidence, RunContext
from theory.obligations import Obligation, discharge, record
from theory.smoothness import sup_abs_on_interval


def check_l1_zhang2020(ctx: RunContext, *, growth: str | None = None) -> Evidence:
    """Zhang et al. 2020's reading: exponential width in d and a non-standard activation. Control: the same check
    with R(d) misread as polynomial in d."""
    ev = _l1_zhang2020(ctx, growth)
    ev.add_control("misread growth", "R(d) misread as polynomial in d", _l1_zhang2020(ctx, "polynomial"))
    return ev

def _l1_zhang2020(ctx: RunContext, growth: str | None) -> Evidence:
    ev = Evidence(claim_id="L1-zhang2020-width-exp-in-d", check_id="L1-width-exponential", tier=ctx.tier)
    ev.config = {"planted": {"growth": growth}, "defaults_provenance": ex.DEFAULTS_PROVENANCE}
    R_expr = ex.radius(growth or "exponential")
    rate = ex.exponential_rate_closed_form()
    growth_evidence(ev, "C8 existence width", ex.existence_width(R_expr), rate)
    growth_evidence(ev, "C1 width at radius R(d)", 36 * ex.L_ell**2 * ex.C_H**2 * R_expr**4 / ex.eps**2,
                    4 * rate / ex.b_R)
    record(ev, [discharge(positivity_obligation())])
    b_z = sp.Symbol("b_z", positive=True)  # Zhang et al.: width poly(d) under their separability assumption
    poly_rate = ex.growth_rate(sp.Symbol("C_z", positive=True) * ex.d**b_z * ex.eps ** (-2))
    ev.compare("poly(d) width: lim log m/d (sympy)", float(poly_rate), 0.0, "==")
    relu_rejected = "relu" not in SMOOTH_ACTIVATIONS
    ev.compare("ReLU excluded from the convergence theorems (1 = excluded)", float(relu_rejected), 1.0, "==")
    B, z = sp.Symbol("B", positive=True), sp.Symbol("z", real=True)
    lip_relu2 = sup_abs_on_interval(sp.diff(z**2, z), z, 0, B)   # σ' = 2z on (0, B], 0 for z ≤ 0
    ev.compare("relu2: Lip σ on [−B, B] is 2B (sympy sup, B symbolic)", float(sp.simplify(lip_relu2 / B)), 2.0, "==")
    ev.compare("relu2: Lip σ as B → ∞ is unbounded (1 = yes)", float(sp.limit(lip_relu2, B, sp.oo) is sp.oo), 1.0,
               "==")
    ev.notes.append("relu2's Lip σ = 2B grows without bound, so C1's smoothness hypothesis holds only on bounded "
                    "pre-activations; C8's mechanism needs relu2 (its NTK features are ReLU random features)")
    ev.solver_statuses.append("exact")
    return ev


def check_l2_kim2025(ctx: RunContext, *, threshold_form: str | None = None) -> Evidence:
    """Kim et al. 2025: the ρ range of the Ω(nd) bound, and ℓ∞ excluded. Control: the threshold misread as
    (k−1)/k (square root dropped)."""
    ev = _l2_kim2025(ctx, threshold_form)
    ev.add_control("misread threshold", "ρ_k = √((k−1)/k) misread as (k−1)/k", _l2_kim2025(ctx, "(k-1)/k"))
    return ev

def _l2_kim2025(ctx: RunContext, threshold_form: str | None) -> Evidence:
    ev = Evidence(claim_id="L2-kim2025-rho-range", check_id="L2-rho-thresholds", tier=ctx.tier)
    ev.config = {"planted": {"threshold_form": threshold_form}}
    threshold_evidence(ev, ctx.tier, threshold_form or "sqrt((k-1)/k)")
    n_ = 20
    small_rho = sp.Rational(7, 10)   # < 1/√2: k = 1, the count does not grow with d
    counts = {dd: cap.l2_count(n_, dd, small_rho) for dd in (2, 10, 100)}
    ev.compare("ρ = 0.7 < 1/√2: ℓ2 count at d = 100 vs d = 2 (Ω(n), not Ω(nd))", counts[100], counts[2], "==")
    ev.compare("ρ = 0.7: ℓ2 count equals ⌊n/2⌋", counts[100], n_ // 2, "==")
    k = sp.Symbol("k", positive=True)
    limit = sp.limit(sp.sqrt((k - 1) / k), k, sp.oo)
    ev.compare("k = d needs ρ ≥ √((d−1)/d) → 1 as d → ∞ (sympy limit)", float(limit), 1.0, "==")
    delta = sp.Rational(1, 2)
    g = cap.linf_template(2, 4, delta)[0]
    plus, minus = g["pair"]([1, -1, 1, 1])
    half_sep = cap.linf_dist(plus, minus) / 2
    ev.compare("ℓ∞ template: robustness ratio δ/(half separation)", float(delta / half_sep), 1.0, "==")
    shared = max(cap.linf_dist(g["centre"], plus), cap.linf_dist(g["centre"], minus)) <= delta
    ev.compare("ℓ∞ template: the two closed δ-boxes share the centre (1 = yes, so ℓ∞ is excluded)",
               float(bool(shared)), 1.0, "==")
    ev.solver_statuses.append("exact")
    return ev


def check_l3_li2022(ctx: RunContext, *, lower: str | None = None) -> Evidence:
    """Li et al. 2022's bounds against C9: lower bound via Goldberg–Jerrum ≤ their upper bound. Control: the VC
    count misread as ⌊n/2⌋·d² (and used without the Goldberg–Jerrum square root)."""
    ev = _l3_li2022(ctx, lower)
    ev.add_control("misread lower bound", "the C9 lower bound read as ⌊n/2⌋·d² instead of √(⌊n/2⌋·d)",
                   _l3_li2022(ctx, "nd^2"))
    return ev

def _l3_li2022(ctx: RunContext, lower: str | None) -> Evidence:
    ev = Evidence(claim_id="L3-li2022-param-bounds", check_id="L3-bounds-consistent", tier=ctx.tier)
    n, d, dl = sp.symbols("n d delta", positive=True)
    lower_expr = {None: sp.sqrt(n / 2 * d), "nd^2": n / 2 * d**2}[lower]  # ⌊n/2⌋ ≤ n/2: a valid upper estimate
    upper_expr = n * d * sp.log(d / dl) + n * sp.log(n / dl) ** 2
    ev.config = {"lower (C9 + Goldberg–Jerrum, c_GJ = 1)": sp.sstr(lower_expr),
                 "upper (Li et al., C_U = 1, polylog = log²)": sp.sstr(upper_expr), "planted": {"lower": lower}}
    box = {n: ("2", "1000000"), d: ("1", "10000"), dl: ("1/1000000", "1/2")}
    record(ev, [discharge(Obligation("C9 lower bound ≤ Li et al. upper bound",
                                     "c_GJ·√(⌊n/2⌋·d) ≤ C_U·(n·d·log(d/δ) + n·log²(n/δ)), c_GJ = C_U = 1",
                                     lower_expr - upper_expr, "grid box (interval certificate)", box),
                          max_boxes=2000 if ctx.tier == "fast" else 20000)])
    for var in (n, d):
        ratio = sp.limit(lower_expr / upper_expr.subs(dl, sp.Rational(1, 2)), var, sp.oo)
        name = f"lower/upper as {var} → ∞ (sympy limit)"
        row = ev.compare(name, float(ratio) if ratio.is_finite else float("inf"), 0.0, "==")
        if not row.holds:
            point = {n: 2, d: 10**6} if var == d else {n: 10**8, d: 10**4}
            value = (lower_expr - upper_expr).subs({**point, dl: sp.Rational(1, 2)})
            ev.counterexamples.append(Counterexample(
                name, "lower bound exceeds the upper bound far out", {str(k): v for k, v in point.items()},
                float(value), 0.0, "sympy exact substitution, sign by evalf(50)", bool(sp.N(value, 50) > 0)))
    for var in (n, d):
        exponent = sp.simplify(var * sp.diff(sp.log(lower_expr), var))
        ev.compare(f"C9-implied lower bound: exponent in {var} vs Li et al.'s Ω(√(nd))", float(exponent), 0.5, "==")
    ev.solver_statuses.append("exact")
    return ev
