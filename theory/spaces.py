"""The hypothesis space of every claim with a numerical check (``Claim.space``; docs/claims.md prints them).

Each space is the runnable part of "every configuration that satisfies the claim's stated assumptions": a
parameter that encodes a hypothesis quotes it (``hypothesis=`` the exact text in theory/claims.py), one the claim
leaves free says so in its note, and a note says what the search leaves out and why (cost, an encoding only
defined for some values). ``advaudit hunt`` searches these spaces; its plans (numerics/checks/hunts/) may only
narrow them.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from theory.activations import ACTIVATIONS
from theory.hypothesis_space import Constraint, HypothesisSpace, choice, integer, power_of_two, real

SEED = integer("seed", 0, 2 ** 16 - 1, note="seeds data and initialization")
MAX_AFFORDABLE_T = 2000   # iterations; beyond it a training check would replace the derived G by a measured one
SMOOTH = ("softplus", "tanh", "sigmoid", "erf")
LOSSES = ("hinge", "logistic", "absolute")
NORMS = ("linf", "l2", "sphere-cap")

# --- C0 ----------------------------------------------------------------------------------------------------------
_C0 = HypothesisSpace((
    integer("d", 1, 8, note="any input dimension; the grid certificate needs d ≤ 3"),
    integer("n", 1, 16, note="any data: points uniform on the unit sphere, labels ±1"),
    power_of_two("width", 1, 6, note="any network; small widths keep CROWN and the MILP cheap"),
    integer("depth", 1, 3, note="any network"),
    choice("activation", ACTIVATIONS, note="any network"),
    choice("norm", NORMS, note="any perturbation set B(x) (sphere caps need d ≥ 2)"),
    real("radius", 0.01, 1.0, note="radius δ of B(x)"),
    choice("loss", LOSSES, hypothesis="ℓ ≥ 0"),
    SEED,
), constraints=(Constraint("sphere caps need d ≥ 2", ("d", "norm"), lambda c: c["norm"] != "sphere-cap" or c["d"] >= 2),),
    note="the attacks are the suite's random, FGSM, PGD and exact maximizers: each returns points of B(x) "
         "(hypothesis 'A(W, x, y) ∈ B(x) for every point', itself a compared relation)")


# --- C1, C2, C3, C4: the training problem on the circle (numerics/checks/shared/training_setup.py) -------------------
@lru_cache(maxsize=4096)
def _requirement(eps: float, R: float, depth: int, loss: str, activation: str, theorem: str) -> tuple[int, int]:
    from theory.requirements import width_requirements
    req = width_requirements(eps, R, depth, loss, activation, d=2, theorem=theorem, scaling="per-layer-R")
    return req.m, req.T


def derived_width(config: dict[str, Any], theorem: str = "C1") -> int:
    """m*(ε, R, H, ℓ, σ) of theory.requirements for the training problem (d = 2, per-layer-R)."""
    return _requirement(float(config["eps"]), float(config["R"]), int(config.get("depth", 1)), config["loss"],
                        config["activation"], theorem)[0]


def derived_iterations(config: dict[str, Any], theorem: str = "C1") -> int:
    """T = ⌈9·H·R²·L_ℓ²·G²/(4ε²)⌉ with the derived G."""
    return _requirement(float(config["eps"]), float(config["R"]), int(config.get("depth", 1)), config["loss"],
                        config["activation"], theorem)[1]


_TRAINING_FREE = (
    real("eps", 0.1, 0.9, note="any target accuracy ε ∈ (0, 1)"),
    real("R", 0.25, 2.0, note="any radius R > 0 of B(R)"),
    real("delta", 0.05, 1.0, note="any B(x): sphere caps of chord radius δ on S¹ (an exact arc maximizer exists)"),
    integer("n", 4, 32, note="any data: n points uniform on S¹, labels by two half-circles"),
)
_H1 = "H ≥ 2: the derived T is beyond runnable sizes and C_H is not derived (no guarantee applies); H = 1 searched"
_T_NOTE = (f"derived T ≤ {MAX_AFFORDABLE_T} (runnable; beyond it the checks replace G by a measured value, "
           "which the hypothesis excludes)")


def _c1() -> HypothesisSpace:
    hyp_m = "m ≥ m* = C_m·H^a_H·R^a_R·ε^(−a_ε)"
    return HypothesisSpace((
        choice("activation", SMOOTH, hypothesis="σ smooth (softplus, tanh, sigmoid, erf; relu2 on bounded "
               "pre-activations)", note="relu2 needs a pre-activation bound on the ball: not searched"),
        choice("loss", LOSSES, hypothesis="ℓ convex and L_ℓ-Lipschitz"),
        *_TRAINING_FREE,
        choice("depth", (1,), note=_H1),
        power_of_two("width", 2, 12, hypothesis=hyp_m, floor=derived_width, floor_names=("eps", "R", "depth",
                     "loss", "activation"), floor_text="m*(ε, R, H, ℓ, σ)", note="widths above 2^12: cost"),
        replace(SEED, hypothesis="probability ≥ 1 − δ_fail over the initialization",
                note="initialization and data: a counterexample at one seed is reported with δ_fail"),
    ), constraints=(Constraint(_T_NOTE, ("eps", "R", "depth", "loss", "activation"),
                               lambda c: derived_iterations(c) <= MAX_AFFORDABLE_T, "α, T as derived in C4"),))


def _inherit(space: HypothesisSpace, hypothesis: str, extra: str = "") -> HypothesisSpace:
    """A space whose assumptions are another claim's ('hypotheses of C1'): the same domains, cited through it."""
    params = tuple(replace(p, hypothesis=hypothesis, note="; ".join(t for t in (
        f"C1: {p.hypothesis}" if p.hypothesis else "", p.note) if t)) for p in space.parameters)
    constraints = tuple(replace(c, hypothesis=hypothesis) for c in space.constraints)
    return HypothesisSpace(params, constraints, extra)


def _c3() -> HypothesisSpace:
    return HypothesisSpace((
        choice("activation", SMOOTH, hypothesis="σ smooth"),
        choice("loss", LOSSES, note="through L_ℓ in α and T (C1: ℓ convex and L_ℓ-Lipschitz)"),
        *_TRAINING_FREE,
        choice("depth", (1,), hypothesis="H = 1"),
        power_of_two("width", 2, 12, hypothesis="m large enough that the linearization error on radius R' is ≤ "
                     "ε/(3L_ℓ)", floor=lambda c: derived_width(c, "C3"),
                     floor_names=("eps", "R", "depth", "loss", "activation"), floor_text="m*_C3(ε, R, ℓ, σ)",
                     note="m*_C3 ∝ R⁸/ε⁶ is runnable only for small R and large ε"),
        SEED,
    ), constraints=(Constraint(_T_NOTE, ("eps", "R", "depth", "loss", "activation"),
                               lambda c: derived_iterations(c, "C3") <= MAX_AFFORDABLE_T,
                               "T = 9R²L_ℓ²G²/(4ε²)"),))


def _c4() -> HypothesisSpace:
    return HypothesisSpace((
        choice("activation", SMOOTH, note="the chain's constants (G, Lip σ') need σ smooth"),
        choice("loss", LOSSES, note="any convex Lipschitz ℓ"),
        real("eps", 0.1, 0.9, note="sets α and T only"),
        real("R", 0.25, 2.0, hypothesis="K convex", note="K = B(R), a product of Frobenius balls"),
        *_TRAINING_FREE[2:],
        power_of_two("width", 2, 12, note="the lemmas hold at every width; D and G~ are measured on each run "
                                          "(hypotheses ‖W(0) − W*‖ ≤ D, ‖g_t‖ ≤ G~)"),
        SEED,
    ), constraints=(Constraint(_T_NOTE, ("eps", "R", "loss", "activation"),
                               lambda c: derived_iterations(c) <= MAX_AFFORDABLE_T),))


# --- C5, C6, C7 ------------------------------------------------------------------------------------------------------
_C5 = HypothesisSpace((
    choice("activation", ACTIVATIONS, note="any σ of docs/claims.md §2"),
    integer("depth", 1, 3, note="any depth; deeper nets cost more"),
    integer("d", 2, 8, hypothesis="unit-norm inputs", note="points uniform on S^(d−1)"),
    integer("n", 2, 10, hypothesis="unit-norm inputs"),
    integer("log2_width_max", 9, 11, note="the rate is fitted over widths 2^6 … 2^log2_width_max"),
    integer("replicates", 4, 8, hypothesis="Gaussian initialization of docs/claims.md §2",
            note="independently seeded networks per width"),
    replace(SEED, hypothesis="Gaussian initialization of docs/claims.md §2"),
))

_C6 = HypothesisSpace((
    integer("d", 6, 12, note="the trend is asserted where k random samples do not cover B(x) (d ≥ 6; in d = 2 "
                             "they often beat FGSM)"),
    power_of_two("width", 3, 6, note="any network"),
    integer("depth", 1, 3, note="any network"),
    integer("n", 8, 32, note="any data on the unit sphere"),
    real("radius", 0.05, 0.5, note="radius δ of B(x)"),
    choice("activation", ACTIVATIONS, note="any network"),
    choice("norm", NORMS, note="any perturbation set"),
    choice("loss", LOSSES, note="any loss"),
    replace(SEED, hypothesis="attacks ordered by strength on the same W",
            note="one W per seed; every attack of the ladder runs on it"),
))

_C7 = HypothesisSpace((
    power_of_two("width", 4, 10, note="any width; the exponent fits over widths are not hunted"),
    integer("depth", 1, 3, hypothesis="Algorithm 1 with projection, or the two-layer variant without",
            note="projection at every H; the run without projection measures α·t·L·G at every H"),
    real("R", 0.25, 2.0, note="any radius of B(R)"),
    real("alpha", 0.05, 1.0, note="any step size"),
    integer("T", 5, 60, note="any number of iterations"),
    SEED,
))

# --- C8, C9, C10 -----------------------------------------------------------------------------------------------------
_C8 = HypothesisSpace((
    integer("d", 2, 5, note="any dimension (cutting planes grow with d)"),
    real("delta_sep", 0.1, 0.5, hypothesis="separable perturbation sets, dist ≥ δ_sep"),
    choice("n", (4, 6, 8, 10, 12), note="any data: tight opposite-label pairs at distance exactly δ_sep"),
    real("cap", 0.02, 0.1, note="radius of the sphere caps B(x)"),
    real("eps", 0.05, 0.3, note="target robust loss ε"),
    power_of_two("width", 2, 12, hypothesis="two-layer quadratic-ReLU net",
                 note="networks of the antipodal identity; the kernel measurements are at infinite width "
                      "(m ≥ poly(R, d, 1/ε, log 1/p) is met in the limit)"),
    real("offset", 0.0, 5.0, note="how far W is moved from W(0) (the identity holds for every W)"),
    SEED,
))

_C9 = HypothesisSpace((
    integer("n", 2, 8, note="dataset size"),
    integer("d", 1, 6, note="input dimension"),
    integer("k", 1, 6, note="points per group of the ℓ2 template (k ≤ d)"),
), constraints=(
    Constraint("⌊n/2⌋·d ≤ 10 (the ℓ∞ template's 2^(⌊n/2⌋·d) labelings are enumerated exactly; the full tier's "
               "largest case)", ("n", "d"), lambda c: (c["n"] // 2) * c["d"] <= 10),
    Constraint("⌊n/2⌋·k ≤ 8 (the ℓ2 template's labelings, likewise)", ("n", "k"), lambda c: (c["n"] // 2) * c["k"] <= 8),
    Constraint("k ≤ d", ("d", "k"), lambda c: c["k"] <= c["d"]),
), note="hypothesis 'F robustly interpolates every n-point dataset with differently labelled points ≥ 2δ apart' "
        "is the forcing argument under test; δ = 1/2 (the construction scales with δ)")

_C10 = HypothesisSpace((
    choice("mode", ("robust", "plain"), hypothesis="two-layer net, PGD training, certified robust error"),
    integer("d", 2, 12, note="any dimension"),
    integer("n", 2, 16, note="n distinct hypercube vertices with random labels"),
    power_of_two("width", 1, 7, note="any width"),
    real("rho", 0.05, 0.5, note="robustness ratio δ/(sep/2) < 1 (robust interpolation possible); CROWN "
                                "certifies little above 0.5"),
    SEED,
), constraints=(Constraint("n ≤ 2^(d−1) (a complete cube constrains the net's linear odd part whatever the width)",
                           ("n", "d"), lambda c: c["n"] <= 2 ** (c["d"] - 1)),))


# --- C11 -------------------------------------------------------------------------------------------------------------
_C11 = HypothesisSpace((
    choice("activation", ACTIVATIONS, hypothesis="c_σ = 1/E σ(z)²", note="any σ of docs/claims.md §2"),
    integer("depth", 1, 3, note="network depth H"),
    power_of_two("width", 3, 9, hypothesis="Gaussian initialization of docs/claims.md §2",
                 note="the identities searched are exact at every width; m ≥ 8 and ≥ 64 networks keep the "
                      "t-interval's coverage near nominal for relu2's heavy-tailed fourth moments"),
    integer("nets", 64, 256, note="independently seeded networks (the Monte-Carlo sample)"),
    integer("d", 2, 8, hypothesis="unit-norm inputs"),
    integer("n", 1, 6, hypothesis="unit-norm inputs", note="points uniform on S^(d−1)"),
    SEED,
), constraints=(Constraint("H = 1, or σ = relu: E‖x^(h)‖² = 1 is exact at every width only at h = 1 or for a "
                           "1-homogeneous σ (others carry an O(1/m) bias at h ≥ 2, which the fixed grid bounds at "
                           "m = 256 on calibration seeds)", ("activation", "depth"),
                           lambda c: c["depth"] == 1 or c["activation"] == "relu"),),
    note="searches the exact finite-width identities only: E‖x^(h)‖² = 1 (h = 1, every h for relu), "
         "E Θ_m(x, x) = 1 + s at H = 1, E f(x)f(x') = Σ^(1)(x, x') at H = 1")


def _spaces() -> dict[str, HypothesisSpace]:
    c1 = _c1()
    return {"C0-surrogate-le-robust": _C0, "C1-convergence": c1,
            "C2-exact-attack": _inherit(c1, "hypotheses of C1", "the attack is the exact arc-grid maximizer "
                                        "(hypothesis 'A is an exact maximizer over B(x)', certified per run)"),
            "C3-two-layer-no-projection": _c3(), "C4-proof-chain": _c4(), "C5-ntk-concentration": _C5,
            "C6-surrogate-vs-robust": _C6, "C7-lazy-regime": _C7, "C8-robust-net-exists": _C8, "C9-vc-linf": _C9,
            "C10-capacity-trend": _C10,
            "C11-parametrization": _C11}


SPACES: dict[str, HypothesisSpace] = _spaces()


def space_for(claim_id: str) -> HypothesisSpace | None:
    """The hypothesis space of a claim (None for claims without a numerical check)."""
    return SPACES.get(claim_id)
