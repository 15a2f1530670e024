"""C9, symbolically: the VC counts, the ℓ2 thresholds ρ_k = √((k−1)/k), and what they imply for parameter counts.

Exact checks: ⌊1/(1 − ρ_k²)⌋ = k at the threshold and k − 1 just below it (sympy, exact rationals); the
thresholds match the printed values (0.7071, 0.8165; docs/claims.md §6 L2); the ℓ∞ template, built point by point in exact arithmetic, has
⌊n/2⌋·d shattered points, its labelled pair is exactly 2δ apart in ℓ∞, and each shattered point lies at
distance δ from the point carrying its label and 2δ from the other. The parameter-count implications
(Goldberg–Jerrum, Bartlett et al. 2019) are tabulated against the paper network's d·m + (H − 1)·m².
Planted errors: ``threshold_form`` ("(k-1)/k" or "sqrt(k/(k+1))"), ``count_formula="n*d"`` (no ⌊n/2⌋).
"""
from __future__ import annotations

import itertools
import math

import sympy as sp

from theory import capacity as cap
from theory.evidence import Counterexample, Evidence, RunContext
from theory.requirements import width_requirements

CLAIMS_THRESHOLDS = {2: 0.7071, 3: 0.8165}   # as Kim et al. print them (4 decimals; docs/claims.md §6 L2)
THRESHOLD_PRINT_TOL = 5e-5                   # half a unit in the 4th printed decimal
KS = {"fast": range(2, 9), "full": range(2, 41)}
TEMPLATES = {"fast": ((2, 2), (4, 3), (5, 4)), "full": ((2, 2), (4, 3), (5, 4), (8, 5), (6, 6))}
BELOW = sp.Rational(1, 10**6)                # ρ² = ρ_k² − BELOW/k² probes "just below" the threshold


def _formula_count(n: int, d: int, count_formula: str | None) -> int:
    return n * d if count_formula == "n*d" else cap.linf_template_count(n, d)


def threshold_evidence(ev: Evidence, tier: str, form: str) -> None:
    """⌊1/(1 − ρ_k²)⌋ = k at ρ_k and = k − 1 just below, exactly; printed thresholds reproduced."""
    for k in KS[tier]:
        r = cap.rho_threshold(k, form=form)
        at, below = cap.k_of_rho(r), cap.k_of_rho(sp.sqrt(r**2 - BELOW / k**2))
        for label, got, want in (("at ρ_k", at, k), ("just below ρ_k", below, k - 1)):
            name = f"k(ρ) {label}, k = {k}"
            row = ev.compare(name, got, want, "==", tolerance_name="exact integers", rho_k=sp.sstr(r))
            if not row.holds:
                rho_sq = r**2 if label == "at ρ_k" else r**2 - BELOW / k**2
                again = int(sp.floor(1 / (1 - sp.nsimplify(rho_sq))))
                ev.counterexamples.append(Counterexample(
                    name, f"⌊1/(1 − ρ²)⌋ ≠ {want} at ρ² = {sp.sstr(rho_sq)}", {"k": k, "rho^2": sp.sstr(rho_sq)},
                    again, want, "exact rational (sympy floor)", again != want))
    for k, printed in CLAIMS_THRESHOLDS.items():
        ev.compare(f"ρ_{k} vs the printed {printed} (docs/claims.md §6 L2)", float(cap.rho_threshold(k, form=form)), printed, "==",
                   tolerance=THRESHOLD_PRINT_TOL, tolerance_name="THRESHOLD_PRINT_TOL")


def check_c9_counts(ctx: RunContext, *, threshold_form: str | None = None,
                    count_formula: str | None = None) -> Evidence:
    """Exact counts and thresholds of C9; parameter implications for the paper's network. Control: the count
    misread as n·d (⌊n/2⌋ dropped)."""
    ev = _c9_counts(ctx, threshold_form, count_formula)
    ev.add_control("misread count", "⌊n/2⌋·d misread as n·d", _c9_counts(ctx, threshold_form, "n*d"))
    return ev

def _c9_counts(ctx: RunContext, threshold_form: str | None, count_formula: str | None) -> Evidence:
    ev = Evidence(claim_id="C9-vc-linf", check_id="C9-counts-symbolic", tier=ctx.tier)
    form = threshold_form or "sqrt((k-1)/k)"
    ev.config = {"ks": list(KS[ctx.tier]), "templates (n, d)": TEMPLATES[ctx.tier],
                 "planted": {"threshold_form": threshold_form, "count_formula": count_formula}}
    threshold_evidence(ev, ctx.tier, form)
    delta = sp.Rational(1, 2)
    for n, d in TEMPLATES[ctx.tier]:
        groups = cap.linf_template(n, d, delta)
        built = len({tuple(q) for g in groups for q in g["shattered"]})
        name = f"ℓ∞ template n = {n}, d = {d}: formula vs points built"
        row = ev.compare(name, _formula_count(n, d, count_formula), built, "==", tolerance_name="exact integers")
        if not row.holds:
            ev.counterexamples.append(Counterexample(name, "count formula ≠ number of distinct shattered points",
                                                     {"n": n, "d": d}, _formula_count(n, d, count_formula),
                                                     (n // 2) * d, "exact enumeration", True))
        worst = {"pair distance − 2δ": 0, "own-label distance − δ": 0, "other distance − 2δ": 0}
        for g in groups:
            for s in itertools.product((1, -1), repeat=d):
                plus, minus = g["pair"](list(s))
                worst["pair distance − 2δ"] = max(worst["pair distance − 2δ"],
                                                  abs(cap.linf_dist(plus, minus) - 2 * delta))
                for j, q in enumerate(g["shattered"]):
                    own, other = (plus, minus) if s[j] == 1 else (minus, plus)
                    worst["own-label distance − δ"] = max(worst["own-label distance − δ"],
                                                          abs(cap.linf_dist(q, own) - delta))
                    worst["other distance − 2δ"] = max(worst["other distance − 2δ"],
                                                       abs(cap.linf_dist(q, other) - 2 * delta))
        for label, value in worst.items():
            ev.compare(f"ℓ∞ template n = {n}, d = {d}: max |{label}|", float(value), 0.0, "==",
                       tolerance_name="exact rationals")
    rows = []
    for n, d, H, m in ((100, 10, 2, 64), (1000, 100, 2, 256), (10**4, 784, 2, 1024), (10**5, 3072, 3, 4096)):
        vc_robust, vc_plain = cap.linf_template_count(n, d), n
        P_net = cap.parameter_count(d, m, H)
        gj, bart = cap.gj_min_params(vc_robust), cap.bartlett_min_params(vc_robust, H + 1)
        rows.append([n, d, vc_plain, vc_robust, gj, bart, cap.min_width_for_params(bart, d, H), m, P_net,
                     "yes" if P_net >= bart else "no"])
        ev.compare(f"n = {n}, d = {d}: robust VC bound ⌊n/2⌋·d ≥ plain bound n", vc_robust, vc_plain, ">=")
    ev.measurements.setdefault("tables", {})["C9 parameter implications (c_GJ = c_B = 1)"] = {
        "columns": ["n", "d", "VC plain (n)", "VC robust ⌊n/2⌋d", "P ≥ √VC (GJ)", "P·L·log₂P ≥ VC (Bartlett)",
                    "least m for Bartlett P", "example m", "d·m+(H−1)·m²", "example net meets Bartlett"],
        "rows": rows}
    # The paper's network at C1's width (ε = 0.05, R = 2, H = 2, hinge/softplus, C_H = 1): the largest n for which
    # its VC upper bound P·L·log₂P can still meet the robust lower bound ⌊n/2⌋·d (C1's width does not grow with n).
    m_c1 = width_requirements(0.05, 2.0, 2, "hinge", "softplus", C_H=1.0).m
    rows = []
    for d in (10, 100, 784, 3072):
        P_c1 = cap.parameter_count(d, m_c1, 2)
        rows.append([d, m_c1, P_c1, f"{2 * P_c1 * 3 * math.log2(P_c1) / d:.4g}"])
    ev.measurements["tables"]["paper network at C1's width vs C9"] = {
        "columns": ["d", "m* (C1, ε = 0.05, R = 2, H = 2)", "P = d·m + m²", "largest n with P·L·log₂P ≥ ⌊n/2⌋·d"],
        "rows": rows}
    ev.solver_statuses.append("exact")
    return ev
