"""The claim registry: every claim of ../shared/paper/CLAIMS.md, with provenance and checks.

A claim records its statement as a sympy relation over named symbols, its hypotheses,
its relation kind, and the checks that test it. Checks are named by ``"module:function"``
strings so that this symbolic layer never imports torch; ``audit`` resolves them.
A check function has the signature ``check(ctx: RunContext, **planted) -> Evidence``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from theory.errors import InputError

PROVENANCE = ("paper", "reconstructed", "derived")
RELATION_KINDS = ("upper", "lower", "identity", "rate", "trend", "construction")
TIERS = ("fast", "full")


@dataclass(frozen=True)
class CheckSpec:
    """A check of a claim: ``target`` is ``"package.module:function"``; budgets are seconds per tier.

    ``planted`` maps a description of a planted error to the keyword arguments that plant it;
    ``advaudit selftest`` runs each and requires the verdict ``violated``.
    """

    id: str
    target: str
    description: str
    tiers: tuple[str, ...] = TIERS
    budget_s: dict[str, float] = field(default_factory=lambda: {"fast": 60.0, "full": 900.0})
    planted: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    provenance: str
    research_questions: tuple[str, ...]
    hypotheses: tuple[str, ...]
    statement: sp.Basic | None
    statement_text: str
    relation_kind: str
    symbols: dict[str, str]
    checks: tuple[CheckSpec, ...] = ()
    source: str = "CLAIMS.md"

    def __post_init__(self) -> None:
        assert self.provenance in PROVENANCE, self.provenance
        assert self.relation_kind in RELATION_KINDS, self.relation_kind

    def checks_for(self, tier: str) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if tier in c.tiers)


# --- symbols shared by the statements -------------------------------------------------------------
eps, R, H, m, n, d, alpha, T = sp.symbols("epsilon R H m n d alpha T", positive=True)
L_A, L_star = sp.symbols("L_A L^*", nonnegative=True)
L_A_min_t = sp.Symbol("min_t L_A(W(t))", nonnegative=True)
L_star_min_ball = sp.Symbol("min_{W in B(R)} L^*(W)", nonnegative=True)
L_star_min_t = sp.Symbol("min_t L^*(W(t))", nonnegative=True)
C_m, a_H, a_R, a_eps = sp.symbols("C_m a_H a_R a_epsilon", positive=True)
G, L_loss, D = sp.symbols("G L_ell D", positive=True)
theta_err = sp.Symbol("max_ij |Theta_m - Theta|", nonnegative=True)
C_ntk = sp.Symbol("C_Theta", positive=True)
delta_sep, rho = sp.symbols("delta_sep rho", positive=True)
vc = sp.Symbol("VCdim", positive=True)
k_shatter = sp.Symbol("k", positive=True, integer=True)
regret_sum = sp.Symbol("sum_t <g_t, W(t) - W*>")
G_tilde = sp.Symbol("G~", positive=True)

m_star = C_m * H**a_H * R**a_R * eps**(-a_eps)
R_prime = sp.Rational(3, 2) * R**2 * L_loss * G / eps

_COMMON_SYMBOLS = {
    "epsilon": "target accuracy ε ∈ (0, 1)",
    "R": "radius parameter of the ball B(R) around initialization",
    "H": "depth (number of trained layers)",
    "m": "width",
}


def _claims() -> tuple[Claim, ...]:
    return (
        Claim(
            id="C0-surrogate-le-robust",
            title="Surrogate loss of any attack is at most the robust loss; equality for an exact maximizer",
            provenance="derived",
            research_questions=("RQ1", "RQ2"),
            hypotheses=("A(W, x, y) ∈ B(x) for every point", "ℓ ≥ 0"),
            statement=sp.Le(L_A, L_star),
            statement_text="L_A(W) ≤ L*(W) for every attack A and every W; = when A is an exact maximizer",
            relation_kind="upper",
            symbols={"L_A": "surrogate loss (1/n)Σ ℓ(f(W, A(W,x_i,y_i)), y_i)",
                     "L^*": "robust loss (1/n)Σ max_{x'∈B(x_i)} ℓ(f(W,x'), y_i)"},
            checks=(
                CheckSpec("C0-linear-closed-form", "numerics.checks.c0_surrogate:check_linear_closed_form",
                          "linear models: random, FGSM and PGD-style attacks vs the closed-form robust loss "
                          "(CLAIMS.md §7), ℓ2 and ℓ∞ balls, hinge/logistic/absolute losses",
                          budget_s={"fast": 15.0, "full": 120.0},
                          planted={"attack returns points at twice the radius": {"attack_radius_factor": 2.0},
                                   "closed form without the δ‖w‖_* term": {"drop_radius_term": True}}),
            ),
            source="CLAIMS.md §1 (C0)",
        ),
        Claim(
            id="C1-convergence",
            title="Adversarial training with projection reaches min over B(R) of the robust loss + ε",
            provenance="reconstructed",
            research_questions=("RQ1", "RQ2"),
            hypotheses=("σ smooth (softplus, tanh, sigmoid, erf; relu2 on bounded pre-activations)",
                        "ℓ convex and L_ℓ-Lipschitz", "m ≥ m* = C_m·H^a_H·R^a_R·ε^(−a_ε)",
                        "α, T as derived in C4", "probability ≥ 1 − δ_fail over the initialization"),
            statement=sp.Le(L_A_min_t, L_star_min_ball + eps),
            statement_text="min_{t≤T} L_A(W(t)) ≤ min_{W∈B(R)} L*(W) + ε when m ≥ C_m·H^a_H·R^a_R·ε^(−a_ε)",
            relation_kind="upper",
            symbols={**_COMMON_SYMBOLS, "C_m": "width constant", "a_H": "depth exponent",
                     "a_R": "radius exponent (derived default 4)", "a_epsilon": "accuracy exponent (derived default 2)"},
            source="CLAIMS.md §5 C1",
        ),
        Claim(
            id="C2-exact-attack",
            title="With an exact maximizer, adversarial training minimizes the robust loss itself",
            provenance="paper",
            research_questions=("RQ1",),
            hypotheses=("A is an exact maximizer over B(x)", "hypotheses of C1"),
            statement=sp.Le(L_star_min_t, L_star_min_ball + eps),
            statement_text="min_t L*(W(t)) ≤ min_{W∈B(R)} L*(W) + ε",
            relation_kind="upper",
            symbols=dict(_COMMON_SYMBOLS),
            source="CLAIMS.md §5 C2",
        ),
        Claim(
            id="C3-two-layer-no-projection",
            title="Two-layer net: the same guarantee without projection, on the radius R' = (3/2)R²L_ℓG/ε",
            provenance="derived",
            research_questions=("RQ2",),
            hypotheses=("H = 1", "σ smooth", "α = 2ε/(3L_ℓ²G²)", "T = 9R²L_ℓ²G²/(4ε²)",
                        "m large enough that the linearization error on radius R' is ≤ ε/(3L_ℓ)"),
            statement=sp.Le(sp.Symbol("||W(t) - W(0)||_F"), R_prime),
            statement_text="‖W(t) − W(0)‖_F ≤ α·t·L_ℓ·G ≤ R' = (3/2)·R²·L_ℓ·G/ε, and then C1's conclusion",
            relation_kind="upper",
            symbols={**_COMMON_SYMBOLS, "G": "gradient bound ‖∇_W f‖_F on the ball", "L_ell": "Lipschitz constant of ℓ"},
            source="CLAIMS.md §5 C3",
        ),
        Claim(
            id="C4-proof-chain",
            title="The proof chain: OGD regret, approximate convexity, round losses, assembly, gradient bound",
            provenance="derived",
            research_questions=("RQ1", "RQ2"),
            hypotheses=("K convex", "‖W(0) − W*‖ ≤ D", "‖g_t‖ ≤ G~"),
            statement=sp.Le(regret_sum, D**2 / (2 * alpha) + alpha / 2 * T * G_tilde**2),
            statement_text="Σ_t ⟨g_t, W(t) − W*⟩ ≤ D²/(2α) + (α/2)·Σ_t ‖g_t‖²; assembly budgets ε/3 per term",
            relation_kind="upper",
            symbols={"D": "diameter bound ‖W(0) − W*‖", "G~": "bound on the round-loss gradients",
                     "alpha": "step size", "T": "iterations"},
            source="CLAIMS.md §5 C4",
        ),
        Claim(
            id="C5-ntk-concentration",
            title="The empirical NTK concentrates around the analytic NTK at rate m^(−1/2)",
            provenance="derived",
            research_questions=("RQ2", "RQ4"),
            hypotheses=("unit-norm inputs", "Gaussian initialization of CLAIMS.md §2"),
            statement=sp.Le(theta_err, C_ntk * m**sp.Rational(-1, 2)),
            statement_text="max_ij |Θ_m(x_i, x_j) − Θ(x_i, x_j)| = O(m^(−1/2))",
            relation_kind="rate",
            symbols={"m": "width", "C_Theta": "rate constant (fitted, not assumed)"},
            checks=(
                CheckSpec("C5-ntk-rate", "numerics.checks.c5_ntk:check_ntk_concentration",
                          "fitted log-log slope of the empirical-vs-analytic NTK error over widths 2^6…2^12 "
                          "(relu, softplus, erf; depths 1–3; ≥ 8 seeds) with a confidence interval",
                          budget_s={"fast": 90.0, "full": 900.0}),
            ),
            source="CLAIMS.md §2, §5 C5",
        ),
        Claim(
            id="C6-surrogate-vs-robust",
            title="A stronger attack raises L_A toward L*; the gap L* − L_A is reported",
            provenance="derived",
            research_questions=("RQ2",),
            hypotheses=("attacks ordered by strength on the same W",),
            statement=sp.Le(L_A, L_star),
            statement_text="L_A(weak) ≤ L_A(strong) ≤ L* (typically); gap L* − L_A ≥ 0 always",
            relation_kind="trend",
            symbols={"L_A": "surrogate loss", "L^*": "robust loss"},
            source="CLAIMS.md §5 C6",
        ),
        Claim(
            id="C7-lazy-regime",
            title="The iterates stay near initialization; relative movement → 0 with width",
            provenance="derived",
            research_questions=("RQ2",),
            hypotheses=("Algorithm 1 with projection, or the two-layer variant without",),
            statement=sp.Le(sp.Symbol("||W(t) - W(0)||_F"), sp.Symbol("r_m(R)")),
            statement_text="‖W(t) − W(0)‖_F = O(R) (or O(R')), and ‖W(t) − W(0)‖_F/‖W(0)‖_F → 0 as m → ∞",
            relation_kind="trend",
            symbols={"r_m(R)": "per-layer ball radius under the chosen scaling"},
            source="CLAIMS.md §5 C7",
        ),
        Claim(
            id="C8-robust-net-exists",
            title="A robust network exists near initialization (optimal robust loss ≈ 0)",
            provenance="reconstructed",
            research_questions=("RQ4", "RQ1"),
            hypotheses=("two-layer quadratic-ReLU net", "separable perturbation sets, dist ≥ δ_sep",
                        "m ≥ poly(R, d, 1/ε, log 1/p)"),
            statement=sp.Le(sp.Symbol("min_{W in B(R(d, delta_sep, epsilon))} L^*(W)"), eps),
            statement_text="∃ W* ∈ B(R) with L*(W*) ≤ ε for R(d, δ_sep, ε) = (C/(δ_sep·ε))^Θ(d)",
            relation_kind="construction",
            symbols={"delta_sep": "separation of differently labelled perturbation sets", "d": "input dimension",
                     "epsilon": "target robust loss"},
            source="CLAIMS.md §5 C8",
        ),
        Claim(
            id="C9-vc-linf",
            title="Robust interpolation needs VC dimension Ω(nd)",
            provenance="paper",
            research_questions=("RQ3",),
            hypotheses=("F robustly interpolates every n-point dataset with differently labelled points ≥ 2δ apart",),
            statement=sp.Ge(vc, sp.floor(n / 2) * d),
            statement_text="VCdim(sign ∘ F) ≥ ⌊n/2⌋·d (plain interpolation forces only ≥ n)",
            relation_kind="construction",
            symbols={"n": "dataset size", "d": "input dimension", "VCdim": "VC dimension of sign ∘ F"},
            source="CLAIMS.md §5 C9",
        ),
        Claim(
            id="C10-capacity-trend",
            title="Width for zero robust training error grows with n·d; for plain training error with n",
            provenance="derived",
            research_questions=("RQ3",),
            hypotheses=("two-layer net, PGD training, certified robust error",),
            statement=None,
            statement_text="m_robust(n, d) grows with n·d while m_plain(n) grows with n only (empirical trend)",
            relation_kind="trend",
            symbols={"n": "dataset size", "d": "input dimension"},
            source="CLAIMS.md §5 C10",
        ),
    )


REGISTRY: dict[str, Claim] = {c.id: c for c in _claims()}


def get_claim(claim_id: str) -> Claim:
    """Look a claim up by its full id or its short prefix (``C5`` → ``C5-ntk-concentration``)."""
    if claim_id in REGISTRY:
        return REGISTRY[claim_id]
    matches = [c for key, c in REGISTRY.items() if key.split("-")[0] == claim_id]
    if len(matches) == 1:
        return matches[0]
    raise InputError(f"unknown claim id {claim_id!r} (run 'advaudit list' for the ids)")
