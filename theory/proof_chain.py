"""The proof chain behind C1/C3 (docs/claims.md §5 C4) in sympy, the requirements it implies, and its obligations.

Chain (ℓ_t(W) = L(W; S_t), the loss on the attacked batch of round t; G̃ = L_ℓ·G bounds ‖∇ℓ_t‖):
1. regret of projected OGD:  Σ_t ⟨g_t, W(t) − W*⟩ ≤ D²/(2α) + (α/2)·Σ_t ‖g_t‖²;
2. approximate convexity:    ℓ_t(W*) ≥ ℓ_t(W(t)) + ⟨∇ℓ_t(W(t)), W* − W(t)⟩ − L_ℓ·ε_lin(r),
                             ε_lin(r) ≤ C_H·(2r)²/(2√m) on the per-layer ball of radius r;
3. round losses:             ℓ_t(W(t)) = L_A(W(t)),  ℓ_t(W*) ≤ L*(W*);
4. assembly:                 (1/T)Σ_t L_A(W(t)) − L*(W*) ≤ D²/(2αT) + α·L_ℓ²G²/2 + L_ℓ·ε_lin(r);
5. gradient bound:           ‖∇_W f‖_F ≤ G on the ball (theory.requirements derives a value).
Budget ε/3 per term, D² = H·r² (‖W(0) − W*‖ over H layers), and solve each term = its share for α, T, m:
per-layer-R (r = R):            α = 2ε/(3L²G²), T* = 9HR²L²G²/(4ε²), m* = 36·L²·C_H²·R⁴/ε²;
per-layer-R-over-sqrt-m (r = R/√m, same parametrization, so f moves only O(R/√m) in the ball):
                                α as above, T* = 9HR²L²G²/(4ε²m), m* = (6·L·C_H·R²/ε)^(2/3).
C3 (H = 1, no projection, per-layer-R): the iterates move ‖W(t) − W(0)‖ ≤ α·t·L·G ≤ R' = αT·L·G
= (3/2)R²LG/ε at T = T*, and the width must control ε_lin on radius R': m* = 36L²C_1²R'⁴/ε² ∝ R⁸/ε⁶.

The paper's form m* = C_m·H^a_H·R^a_R·ε^(−a_ε) keeps named symbols: the derived values (a_R = 4, a_ε = 2 for
per-layer-R; C_m·H^a_H ≡ 36·L²·C_H²) are defaults, and printed values given by a user replace them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from theory.errors import InputError
from theory.obligations import Discharge, Obligation, discharge

SCALINGS: tuple[str, ...] = ("per-layer-R", "per-layer-R-over-sqrt-m")

eps, R, H, m, T, alpha = sp.symbols("epsilon R H m T alpha", positive=True)
L, G, C_H, D = sp.symbols("L_ell G C_H D", positive=True)
C_m, a_H, a_R, a_eps = sp.symbols("C_m a_H a_R a_epsilon", positive=True)
v, w = sp.symbols("v w", nonnegative=True)  # slacks: T = T_used·(1 + v), m = m_used·(1 + w)^q
s_a, s_b = sp.symbols("s_a s_b", nonnegative=True)
p_fail = sp.Symbol("p_a", positive=True)  # failure probability allotted to max_r |a_r| ≤ A (H = 1)  # unit-square coordinates of the bilinear step

# Boxes for interval certification and counterexample search (symbols are positive; these are finite windows).
CHAIN_BOX = {eps: ("1/1000", "1"), R: ("1/10", "100"), H: ("1", "10"), L: ("1/10", "10"), G: ("1/10", "10"),
             C_H: ("1/10", "10"), v: ("0", "10"), w: ("0", "10"), m: ("1", "1000000")}
EQUAL_SHARES = (sp.Rational(1, 3), sp.Rational(1, 3), sp.Rational(1, 3))


def _tidy(e: sp.Expr) -> sp.Expr:
    """Normal form for the monomial-like expressions of the chain (cheaper than ``simplify``)."""
    return sp.powsimp(sp.cancel(sp.powdenest(sp.expand_power_base(e, force=True), force=True)), force=True)


def check_scaling(name: str) -> str:
    if name not in SCALINGS:
        raise InputError(f"unknown ball scaling {name!r} (expected one of {', '.join(SCALINGS)})")
    return name


def ball_radius(scaling: str) -> sp.Expr:
    """Per-layer radius r_m(R) of B(R) (docs/claims.md §3)."""
    return R if check_scaling(scaling) == "per-layer-R" else R / sp.sqrt(m)


def eps_lin(r: sp.Expr) -> sp.Expr:
    """Linearization error bound on the per-layer ball of radius r: C_H·(2r)²/(2√m)."""
    return C_H * (2 * r) ** 2 / (2 * sp.sqrt(m))


@dataclass(frozen=True)
class PaperForm:
    """m* = C_m·H^a_H·R^a_R·ε^(−a_ε); ``coefficient`` is C_m·H^a_H (a sympy expression)."""

    coefficient: sp.Expr
    a_R: sp.Expr
    a_eps: sp.Expr

    def width(self) -> sp.Expr:
        return self.coefficient * R**self.a_R * eps**(-self.a_eps)


def paper_form(m_star: sp.Expr) -> PaperForm:
    """Read C_m·H^a_H, a_R and a_ε off a width requirement (log-derivatives in R and ε; must be constants)."""
    aR = _tidy(R * sp.diff(m_star, R) / m_star)
    ae = _tidy(-eps * sp.diff(m_star, eps) / m_star)
    if aR.free_symbols or ae.free_symbols:
        raise ArithmeticError(f"width {m_star} is not a power law in R and ε")
    return PaperForm(_tidy(m_star / (R**aR * eps**(-ae))), aR, ae)


@dataclass
class Chain:
    """Requirements derived from the chain, and the values actually used (which planted errors may change)."""

    theorem: str                   # "C1" (with projection) or "C3" (two-layer, no projection)
    scaling: str
    shares: tuple[sp.Expr, sp.Expr, sp.Expr]   # budget shares of ε: step, regret, linearization
    r: sp.Expr                     # per-layer radius of the comparator ball
    D2: sp.Expr                    # D² = ‖W(0) − W*‖² ≤ H r²
    alpha: sp.Expr
    T_star: sp.Expr
    T_used: sp.Expr
    lin_radius: sp.Expr            # radius on which ε_lin must be controlled (r, or R' for C3)
    m_star: sp.Expr
    m_used: sp.Expr
    R_prime: sp.Expr | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def terms(self) -> dict[str, sp.Expr]:
        """The three error terms of the assembly, as functions of (α, T, m) and the named constants."""
        return {"step": alpha * L**2 * G**2 / 2, "regret": self.D2 / (2 * alpha * T),
                "linearization": L * eps_lin(self.lin_radius)}

    def derived_form(self) -> PaperForm:
        return paper_form(self.m_star)


def _solve_power(lhs: sp.Expr, rhs: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The positive x with lhs(x) = rhs when lhs = c·x^k (k a nonzero constant): x = (rhs/c)^(1/k).

    The solution is substituted back and must simplify to an identity (else ArithmeticError).
    """
    k = _tidy(x * sp.diff(lhs, x) / lhs)
    if k.free_symbols or k == 0:
        raise ArithmeticError(f"{lhs} is not a power of {x}")
    c = _tidy(lhs / x**k)
    sol = sp.powdenest(sp.powsimp((rhs / c) ** (1 / k), force=True), force=True)
    if _tidy(lhs.subs(x, sol) - rhs) != 0:
        raise ArithmeticError(f"solving {lhs} = {rhs} for {x} failed the back-substitution")
    return sol


def derive(theorem: str = "C1", scaling: str = "per-layer-R", *, t_factor: sp.Expr = 1,
           drop_linearization: bool = False, printed: PaperForm | None = None,
           lin_radius: str = "R'") -> Chain:
    """Derive α, T*, m* (and R' for C3) by setting each error term equal to its share of ε.

    Planted errors (all default to the correct derivation): ``t_factor`` scales T; ``drop_linearization``
    spends the whole budget on the step and regret terms (ε/2 each) while m* keeps its ε/3 share — the
    linearization term is left out of the budget; ``printed`` replaces m* by a paper-form width;
    ``lin_radius="R"`` (C3) controls ε_lin on the comparator radius R instead of the iterates' radius R'.
    """
    check_scaling(scaling)
    if theorem not in ("C1", "C3"):
        raise InputError(f"unknown theorem {theorem!r} (expected C1 or C3)")
    shares = (sp.Rational(1, 2), sp.Rational(1, 2), sp.Rational(1, 3)) if drop_linearization else EQUAL_SHARES
    r = ball_radius(scaling)
    depth = H if theorem == "C1" else sp.Integer(1)
    D2 = depth * r**2
    a = _solve_power(alpha * L**2 * G**2 / 2, shares[0] * eps, alpha)
    T_star = _solve_power(D2 / (2 * a * T), shares[1] * eps, T)
    T_used = sp.nsimplify(t_factor) * T_star
    notes = []
    R_prime = None
    radius = r
    if theorem == "C3":
        if scaling != "per-layer-R":
            raise InputError("the symbolic C3 chain is derived for scaling 'per-layer-R' (numbers for the other "
                             "scaling come from theory.requirements)")
        R_prime = _tidy(a * T_used * L * G)  # ‖W(t) − W(0)‖ ≤ Σ_s α‖∇ℓ_s‖ ≤ α·T·L·G
        radius = R_prime
        notes.append("C3 case ε ≤ (3/2)·R·L·G, so R' ≥ R; otherwise the iterates stay in B(R) and C4 with H = 1 applies")
    width_radius = r if (theorem == "C3" and lin_radius == "R") else radius
    m_star = _solve_power(L * eps_lin(width_radius), shares[2] * eps, m)
    m_used = printed.width() if printed is not None else m_star
    if scaling == "per-layer-R-over-sqrt-m":
        notes.append("r = R/√m in this parametrization: the comparator ball shrinks in function space "
                     "(reach ≈ G·R/√m), so the guarantee compares with a vanishing neighbourhood of W(0); "
                     "a parametrization with Θ(√m) gradients gives back the per-layer-R requirement")
    return Chain(theorem, scaling, shares, r, D2, a, T_star, T_used, radius, m_star, m_used, R_prime, notes)


def _m_power(term: sp.Expr) -> sp.Expr:
    """p with term ∝ m^(−p) (after T is substituted); must be a positive constant."""
    p = _tidy(-m * sp.diff(sp.log(term), m))
    if p.free_symbols or not p.is_positive:
        raise ArithmeticError(f"linearization term {term} is not a decreasing power of m")
    return p


def _instantiate(chain: Chain, expr: sp.Expr) -> sp.Expr:
    """Substitute α, T = T_used(1+v) and m = m_used(1+w)^(1/p): every T ≥ T_used, every m ≥ m_used."""
    q = 1 / _m_power(chain.terms["linearization"])
    expr = expr.subs(alpha, chain.alpha).subs(T, chain.T_used * (1 + v))
    return sp.powsimp(sp.powdenest(expr.subs(m, chain.m_used * (1 + w) ** q), force=True), force=True)


def obligations(chain: Chain) -> list[Obligation]:
    """The chain's inequalities, each claimed ≤ 0 (or == 0) for all positive parameters, T ≥ T_used, m ≥ m_used."""
    t = chain.terms
    dom = "ε, R, H, L_ℓ, G, C_H > 0; T = T_used·(1+v), m = m_used·(1+w)^q with v, w ≥ 0"
    box = {s: b for s, b in CHAIN_BOX.items()}
    tag = f"{chain.theorem}/{chain.scaling}"
    obs = [
        Obligation(f"{tag}: step term ≤ its share", f"α·L_ℓ²G²/2 ≤ {chain.shares[0]}·ε at α = {sp.sstr(chain.alpha)}",
                   _instantiate(chain, t["step"] - chain.shares[0] * eps), dom, box, (v, w)),
        Obligation(f"{tag}: regret term ≤ its share", f"D²/(2αT) ≤ {chain.shares[1]}·ε for T ≥ {sp.sstr(chain.T_used)}",
                   _instantiate(chain, t["regret"] - chain.shares[1] * eps), dom, box, (v, w)),
        Obligation(f"{tag}: linearization term ≤ its share",
                   f"L_ℓ·C_H·(2ρ)²/(2√m) ≤ {chain.shares[2]}·ε for m ≥ {sp.sstr(chain.m_used)}, ρ = {sp.sstr(chain.lin_radius)}",
                   _instantiate(chain, t["linearization"] - chain.shares[2] * eps), dom, box, (v, w)),
        Obligation(f"{tag}: budget shares sum to ≤ 1", f"{' + '.join(map(str, chain.shares))} ≤ 1",
                   sum(chain.shares) - 1, "numbers"),
        Obligation(f"{tag}: assembly — error terms sum to ≤ ε",
                   "D²/(2αT) + α·L_ℓ²G²/2 + L_ℓ·ε_lin − ε ≤ 0 at the derived α, every T ≥ T*, every m ≥ m*",
                   _instantiate(chain, sum(t.values()) - eps), dom, box, (v, w)),
    ]
    if chain.theorem == "C1":
        obs.append(Obligation(f"{tag}: α matches docs/claims.md §5 C4", "α* = 2ε/(3·L_ℓ²·G²)",
                              chain.alpha - 2 * eps / (3 * L**2 * G**2), "ε, L_ℓ, G > 0", box, identity=True))
        obs.append(Obligation(f"{tag}: T* matches docs/claims.md §5 C4", "T* = 9·D²·L_ℓ²·G²/(4ε²) with D² = H·r²",
                              chain.T_star - 9 * chain.D2 * L**2 * G**2 / (4 * eps**2), "positive symbols",
                              box, identity=True))
    else:
        u = sp.Symbol("u", nonnegative=True)
        obs.append(Obligation("C3: R' matches docs/claims.md §5 C3 at T = T*", "α·T*·L_ℓ·G = (3/2)·R²·L_ℓ·G/ε",
                              chain.alpha * chain.T_star * L * G - sp.Rational(3, 2) * R**2 * L * G / eps,
                              "positive symbols", box, identity=True))
        obs.append(Obligation("C3: R' ≥ R in the case ε ≤ (3/2)·R·L_ℓ·G", "R − α·T·L_ℓ·G ≤ 0 with ε = 3RL_ℓG/(2(1+u))",
                              (R - _instantiate(chain, alpha * T * L * G)).subs(eps, 3 * R * L * G / (2 * (1 + u))),
                              "u, v ≥ 0", {R: ("1/10", "100"), L: ("1/10", "10"), G: ("1/10", "10"), u: ("0", "10"),
                                           v: ("0", "10"), w: ("0", "10")}, (u, v)))
    return obs


def lemma_obligations() -> list[Obligation]:
    """The scaling-independent steps: the tuned regret bound (identity) and approximate convexity."""
    Gt = sp.Symbol("G~", positive=True)
    a_tuned = D / (Gt * sp.sqrt(T))
    # ℓ convex, |ℓ'| ≤ L, |f(W*) − f(W) − ⟨∇f, W* − W⟩| ≤ E: with ℓ'(f(W)) = L(2s_a − 1) and the remainder
    # E(2s_b − 1), the product ℓ'·remainder ≥ −L·E, i.e. −(1 + (2s_a − 1)(2s_b − 1)) ≤ 0 on [0,1]².
    return [Obligation("regret lemma: tuned step", "α = D/(G̃√T) gives D²/(2αT) + αG̃²/2 = D·G̃/√T",
                       D**2 / (2 * a_tuned * T) + a_tuned * Gt**2 / 2 - D * Gt / sp.sqrt(T), "D, G̃, T > 0",
                       {D: ("1/10", "10"), Gt: ("1/10", "10"), T: ("1", "10000")}, identity=True),
            Obligation("approximate convexity: ℓ'(f)·(remainder) ≥ −L_ℓ·ε_lin",
                       "for s ∈ [−L_ℓ, L_ℓ], e ∈ [−ε_lin, ε_lin]: s·e ≥ −L_ℓ·ε_lin (scaled to the unit square)",
                       -(1 + (2 * s_a - 1) * (2 * s_b - 1)), "s_a, s_b ∈ [0, 1] (the whole domain)",
                       {s_a: ("0", "1"), s_b: ("0", "1")}),
            # H = 1: C_1(m)² ∝ ln(2m/p_a), so the width predicate is monotone iff ln(2m/p_a)/m decreases.
            Obligation("H = 1 width predicate is monotone in m", "d/dm [ln(2m/p_a)/m] ≤ 0 for m = (e·p_a/2)(1+w), w ≥ 0",
                       sp.expand_log(sp.diff(sp.log(2 * m / p_fail) / m, m).subs(m, sp.E * p_fail * (1 + w) / 2),
                                     force=True), "p_a ∈ (0, 1), w ≥ 0", {p_fail: ("1/1000", "1"), w: ("0", "10")})]


def exponent_obligations(chain: Chain, printed: PaperForm) -> list[Obligation]:
    """Printed exponents against the derived requirement: derived a_R ≤ printed a_R, derived a_ε ≤ printed a_ε."""
    derived = chain.derived_form()
    return [Obligation(f"{chain.theorem}/{chain.scaling}: a_R derived ≤ printed",
                       f"derived a_R = {derived.a_R} ≤ printed a_R = {printed.a_R}",
                       sp.nsimplify(derived.a_R - printed.a_R), "numbers"),
            Obligation(f"{chain.theorem}/{chain.scaling}: a_ε derived ≤ printed",
                       f"derived a_ε = {derived.a_eps} ≤ printed a_ε = {printed.a_eps}",
                       sp.nsimplify(derived.a_eps - printed.a_eps), "numbers")]


def discharge_all(obs: list[Obligation], *, max_boxes: int = 4000) -> list[Discharge]:
    return [discharge(ob, max_boxes=max_boxes) for ob in obs]
