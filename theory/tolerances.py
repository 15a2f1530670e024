"""Pre-registered tolerances: every tolerance a check's verdict depends on, with its value, its justification
and, where it had to be calibrated, how and on which seeds — fixed before an evaluation runs.

Part of the claim registry: ``CheckSpec.tolerances`` (theory/claims.py) returns a check's entries and
docs/claims.md prints them. A check reads its values with :func:`tolerance` (C5, C7, C8, C9), or keeps a module
constant that tests/theory/test_tolerances.py pins to the entry named by ``source``; the same test requires
every tolerance-like constant of a check module to be registered here. Solver-internal accuracies (cutting-plane
tolerances, quadrature tolerances) are algorithm parameters, not verdict tolerances, and are not listed.

Calibration rule: a calibrated value names its calibration seeds, which no evaluation with a master seed below
900 uses (evaluations use the master seed, default 0, and seeds derived from it), and the evaluation seeds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from theory.errors import InputError

ROUND_OFF = "derived: float64 round-off analysis, not calibrated"
EXACT_PRINT = "derived: half a unit in the last printed digit, not calibrated"
# C7: calibration/c7_lazy_widths.py, 24 seeds; point seeds 900000…900023 (evaluation: 1000·seed + s, s < 4),
# and the smallest width of each slope fit it chose (entry MIN_WIDTH below).
C7_CALIBRATION_SEEDS = (900_000, 900_023)
# C6: calibration/c6_attack_tolerances.py; master seeds 900100…900111 (evaluation: the master seed, default 0).
C6_CALIBRATION_SEEDS = (900_100, 900_111)


C7_MIN_WIDTH = {
    **{f"fast|1|{row}": 64 for row in ("per-layer-R", "per-layer-R-over-sqrt-m", "output:per-layer-R",
                                        "output:per-layer-R-over-sqrt-m")}, "fast|1|none": 128,
    **{f"full|1|{row}": 64 for row in ("per-layer-R", "per-layer-R-over-sqrt-m", "output:per-layer-R",
                                        "output:per-layer-R-over-sqrt-m")}, "full|1|none": 1024,
    **{f"full|2|{row}": 64 for row in ("per-layer-R", "none", "output:per-layer-R",
                                        "output:per-layer-R-over-sqrt-m")}, "full|2|per-layer-R-over-sqrt-m": 128,
    **{f"full|3|{row}": 64 for row in ("per-layer-R", "per-layer-R-over-sqrt-m", "none", "output:per-layer-R",
                                        "output:per-layer-R-over-sqrt-m")},
}


@dataclass(frozen=True)
class Tolerance:
    """One pre-registered tolerance: ``value`` (a number, or a table for design constants), why it is what it
    is, how it was calibrated (None: derived, not calibrated), and where a check keeps a copy
    (``"module:CONSTANT"``, pinned by a test)."""

    name: str
    value: Any
    justification: str
    calibration: str | None = None
    source: str | None = None


def _t(name: str, value: Any, justification: str, calibration: str | None = None,
       source: str | None = None) -> Tolerance:
    return Tolerance(name, value, justification, calibration, source)


_C0A = "numerics.checks.c0_attacks"
_C0S = "numerics.checks.c0_surrogate"
_C8 = "numerics.checks.c8_existence"

TOLERANCES: dict[str, tuple[Tolerance, ...]] = {
    "C0-linear-closed-form": (
        _t("LOSS_ATOL_F64", 1e-12, "per-sample loss agreement: a few ulps of O(1) losses in float64", ROUND_OFF,
           f"{_C0S}:LOSS_ATOL_F64"),
        _t("MEMBERSHIP_ATOL_F64", 1e-12, "‖x' − x‖ ≤ δ up to float64 round-off of the perturbation", ROUND_OFF,
           f"{_C0S}:MEMBERSHIP_ATOL_F64"),
    ),
    "C0-network-attacks": (
        _t("SOUNDNESS_TOL_F64", 1e-9, "L_A ≤ U: relaxations pad intercepts by 1e-12 relative and torch/numpy forward "
           "passes agree to ~1e-14; far above round-off, far below a real violation", ROUND_OFF,
           f"{_C0A}:SOUNDNESS_TOL_F64"),
        _t("MILP_EXACT_TOL", 1e-6, "HiGHS primal feasibility 1e-7 and relative MIP gap 1e-9 with Lipschitz constants "
           "O(10): ≤ 1e-6 on the loss", "derived from the solver's stated tolerances, not calibrated",
           f"{_C0A}:MILP_EXACT_TOL"),
        _t("CLOSED_FORM_TOL_F64", 1e-12, "closed form vs LinearMaximizer on linear models: a few ulps", ROUND_OFF,
           f"{_C0A}:CLOSED_FORM_TOL_F64"),
        _t("MEMBERSHIP_ATOL_F64", 1e-12, "attack output inside B(x) up to float64 round-off", ROUND_OFF,
           "numerics.network.perturbations:MEMBERSHIP_ATOL_F64"),
    ),
    "C1-finite-width": (
        _t("ASSEMBLY_RTOL_F64", 1e-9, "the assembly is an exact inequality between sums of O(T·n) float64 terms of "
           "size O(1): relative round-off ≲ 1e-13", ROUND_OFF, "numerics.checks.c1_convergence:ASSEMBLY_RTOL_F64"),
    ),
    "C2-finite-width": (
        _t("ASSEMBLY_RTOL_F64", 1e-9, "as C1-finite-width (same assembly code)", ROUND_OFF,
           "numerics.checks.c1_convergence:ASSEMBLY_RTOL_F64"),
    ),
    "C3-obligations": (
        _t("ALPHA_REL_TOL_F64", 1e-14, "α from the float pipeline vs the exact closed form: a few ulps", ROUND_OFF,
           "theory.checks.c3_c4_symbolic:ALPHA_REL_TOL_F64"),
        _t("SUP_CROSSCHECK_TOL", 1e-12, "sympy sup vs a 30-digit grid + golden-section maximum (grid resolution "
           "≪ 1e-12)", ROUND_OFF, "theory.checks.c3_c4_symbolic:SUP_CROSSCHECK_TOL"),
    ),
    "C3-empirical-radius": (
        _t("MOVEMENT_RTOL_F64", 1e-12, "distances and step sums are O(1) sums of T float64 terms", ROUND_OFF,
           "numerics.checks.c3_no_projection:MOVEMENT_RTOL_F64"),
        _t("ASSEMBLY_RTOL_F64", 1e-9, "as C1-finite-width", ROUND_OFF,
           "numerics.checks.c3_no_projection:ASSEMBLY_RTOL_F64"),
    ),
    "C4-obligations": (
        _t("SUP_CROSSCHECK_TOL", 1e-12, "as C3-obligations (same smoothness cross-check)", ROUND_OFF,
           "theory.checks.c3_c4_symbolic:SUP_CROSSCHECK_TOL"),
    ),
    "C4-empirical-regret": (
        _t("REGRET_RTOL_F64", 1e-9, "exact inequalities summed over T rounds of O(#params) products: relative "
           "round-off ≲ 1e-13", ROUND_OFF, "numerics.checks.c4_regret:REGRET_RTOL_F64"),
        _t("DEFAULT_LEVEL", 0.95, "level of the ε_lin rate interval (one slope row, no family)",
           "chosen, not calibrated", "numerics.ntk.rate_fit:DEFAULT_LEVEL"),
    ),
    "C5-ntk-rate": (
        _t("FAMILY_CONFIDENCE", 0.999, "simultaneous coverage of the K per-configuration slope intervals "
           "(Bonferroni): a false-alarm rate of ~1 % per run for a correct implementation, given the measured "
           "under-coverage of HC3 intervals on skewed log-errors",
           "calibration/c5_family_level.py: 150 simulated fast-tier fits of relu/H=1 on master seeds "
           "900000…900149 (fresh data and networks each): slope mean −0.4980, sd 0.0347 vs mean HC3 SE 0.0348 "
           "(ratio 1.00); intervals missed −1/2 in 6.0 % at 95 %, 0 % at 99 % and at the per-configuration "
           "level 99.989 %. (An earlier, unrecorded calibration of 300 fits gave sd 0.035 vs SE 0.031.) "
           "Evaluation seeds: SeedSequence(master seed, σ, H, m, replicate), master seed default 0",
           "numerics.checks.c5_ntk:FAMILY_CONFIDENCE"),
        _t("ERROR_SD_MULTIPLE", 5.0, "the mean largest-width error may be ERROR_SD_MULTIPLE·s_H(σ)/√m, s_H the exact "
           "leading-order SD of the depth-H NTK diagonal (numerics.ntk.fluctuations, delta method): the maximum of "
           "36 near-Gaussian Gram-entry deviations exceeds 5 SD with probability ≈ 2e-5 (theory-derived scale, not "
           "fitted)",
           "derived; the multiple is unchanged since it was registered. The scale was H·s₁ until advaudit hunt found "
           "relu2 at H = 2 above it (compounding fluctuations, off the grid's activations); it was replaced by the "
           "derived s_H, not re-fitted. Observed afterwards on the evaluation seeds: 1.2–1.7·s_H/√m (full)",
           "numerics.checks.c5_ntk:ERROR_SD_MULTIPLE"),
        _t("REVERIFY_REL_TOL", 1e-6, "a recomputed error (autograd NTK, scipy reference kernel) must reproduce the "
           "recorded one to this relative accuracy: structured vs autograd NTK differ by ~1e-15, the scipy "
           "reference kernel is accurate to ~1e-9; a larger disagreement is an internal inconsistency (violated)",
           ROUND_OFF, "numerics.checks.c5_ntk:REVERIFY_REL_TOL"),
    ),
    "C6-attack-strength": (
        _t("ATTACK_TREND_REL_TOL", 0.05, "L_A(weaker) ≤ L_A(strongest) + τ·gain: PGD keeps its final iterate, so it "
           "is not monotone in k point by point; every weaker rung is judged against the strongest",
           "calibrated (calibration/c6_attack_tolerances.py) on master seeds 900100…900111 (fast, 360 trend rows) and "
           "900100…900103 (full, 648 rows): largest shortfall 0.0035 (fast) and 0.0044 (full) of the gain; 0.05 kept "
           "(registered before; > 10× the largest). Evaluation seeds: the master seed (default 0)",
           "numerics.checks.c6_attack_strength:ATTACK_TREND_REL_TOL"),
        _t("ATTACK_REACH_REL_TOL", 0.25, "the strongest PGD must close the certified gain L*_grid − L_clean to within τ",
           "calibrated on the same seeds: largest shortfall 0.16 (fast, 48 reach rows; tanh, ℓ∞, d = 2) and 0.12 "
           "(full, 216 rows); τ = 0.25 ≈ 1.5 × the largest. It was 0.05, set on the evaluation's own seeds, which "
           "the calibration showed too tight (a seed-0 pass by chance). Evaluation seeds: the master seed",
           "numerics.checks.c6_attack_strength:ATTACK_REACH_REL_TOL"),
        _t("SOUNDNESS_TOL_F64", 1e-9, "L_A ≤ U: round-off only (relaxations padded by 1e-12 relative)", ROUND_OFF,
           "numerics.checks.c6_attack_strength:SOUNDNESS_TOL_F64"),
    ),
    "C7-lazy-movement": (
        _t("FAMILY_CONFIDENCE", 0.99, "simultaneous coverage of the run's K slope intervals (Bonferroni, K = 5 fast, "
           "15 full): a correct implementation raises a false alarm in ≤ 1 % of runs (before finite-width bias, "
           "bounded by MIN_WIDTH)", "chosen, not calibrated"),
        _t("BIAS_FRACTION", 0.25, "a slope fit uses only the widths where the calibrated finite-width bias of the "
           "slope is at most this fraction of the evaluation's interval half-width", "chosen, not calibrated"),
        _t("MIN_WIDTH", C7_MIN_WIDTH, "smallest width of each slope fit ('tier|H|row' → m_min): the smallest "
           "width of the tier's grid whose calibrated bias |slope[m_min, m_max] − slope[top 3 widths]| is ≤ "
           "BIAS_FRACTION × the mean evaluation half-width (the claimed exponent is not used, so a wrong claim is "
           "not calibrated away)",
           "calibration/c7_lazy_widths.py on point seeds 900000…900023 (24 seeds: 8 fast groups of 3, 6 full groups "
           "of 4); the evaluation uses point seeds 1000·(master seed) + s, s < 4 (default 0…3). Measured bias/"
           "half-width at the chosen widths ≤ 0.25 in every row (e.g. full H=1 no projection: +0.083/0.342 at "
           "m ≥ 1024, +0.108/0.116 at m ≥ 64); implied family false-alarm bound 2.0 % (fast) and 2.7 % (full) "
           "against the nominal 1 %; 1 of 130 calibration group-fits missed its prediction (full H=2 "
           "per-layer-R-over-sqrt-m, an encoding row)"),
        _t("MOVEMENT_RTOL_F64", 1e-12, "distances of O(1) computed from O(md) float64 entries", ROUND_OFF),
        _t("BINDING_RTOL", 1e-9, "a layer whose final distance is within this of r_m(R) ended on the sphere (the "
           "projection bound it); a slope row whose every run does so is an encoding row", ROUND_OFF),
        _t("SLOPE_AGREEMENT_ATOL", 1e-8, "the slope refitted from the numpy-recomputed values must equal the recorded "
           "(torch-logged) slope: the values agree to ~1e-12 relative, their log-log slope to ≪ 1e-8", ROUND_OFF),
        _t("BALL_RTOL_F64", 1e-12, "an iterate may sit on the sphere of B(R) up to float64 round-off", ROUND_OFF,
           "numerics.training.algorithm:BALL_RTOL_F64"),
    ),
    "C8-width-exponential-in-d": (
        _t("RATE_REL_TOL", 1e-3, "log m(d)/d at d = 10⁶ exceeds the limit by O(log d/d) ≈ 2e-5 relative",
           "derived from the closed form, not calibrated", "theory.checks.c8_symbolic:RATE_REL_TOL"),
    ),
    "C8-robust-loss-vs-R": (
        _t("CERT_GATE_TOL", 1e-3, "the gate's solve tolerance: the certificate is tested where its bracket has closed to "
           "this", "chosen, not calibrated", "numerics.checks.c8_existence:CERT_GATE_TOL"),
        _t("CERT_GATE_ATOL", 1e-9, "a sampled loss may exceed the certified upper bound by float64 round-off only",
           ROUND_OFF, "numerics.checks.c8_existence:CERT_GATE_ATOL"),
        _t("NTK_AGREEMENT_RTOL", 1e-10, "torch closed-form NTK vs analytic_ntk: both float64 closed forms, agree to "
           "~3e-15", ROUND_OFF),
        _t("LINEAR_CLOSED_FORM_ATOL", 1e-9, "certified robust loss of a linear f vs the closed form at the same w: "
           "one number computed two ways in float64", ROUND_OFF),
        _t("BRACKET_ATOL", 1e-6, "an independent cvxpy/Clarabel optimum (accurate to ~1e-8) inside the certified "
           "bracket up to the solvers' accuracy", "derived from the solvers' stated accuracy, not calibrated"),
        _t("SEPARATION_ATOL", 1e-12, "measured vs requested δ_sep (float64 closed forms)", ROUND_OFF),
        _t("DUAL_ROUNDING_ATOL", 1e-9, "lower(R') ≤ upper(R) for R' > R: weak-duality bounds in float64", ROUND_OFF),
        _t("BALL_RTOL_F64", 1e-12, "W* ∈ B(R) up to float64 round-off", ROUND_OFF,
           "numerics.training.algorithm:BALL_RTOL_F64"),
    ),
    "C8-antipodal-obstruction": (
        _t("QUADRATIC_IDENTITY_RTOL", 1e-12, "f(x) + f(−x) vs xᵀQx relative to the scale of the terms", ROUND_OFF),
        _t("OBSTRUCTION_DUAL_ATOL", 1e-4, "at RKHS radius 100 the weak-duality bound loses up to R × the solver's "
           "~1e-8 accuracy (~1e-6); 1e-4 is the named slack", "derived from the solver's accuracy, not calibrated"),
        _t("LOSS_ROUNDING_ATOL", 1e-12, "clean hinge loss ≥ 1 of O(1) losses in float64", ROUND_OFF),
    ),
    "C8-bias-variant": (
        _t("NTK_AGREEMENT_RTOL", 1e-10, "as C8-robust-loss-vs-R (the same kernel gate)", ROUND_OFF),
        _t("OBSTRUCTION_DUAL_ATOL", 1e-4, "as C8-antipodal-obstruction (the bias-free contrast at R = 100)",
           "derived from the solver's accuracy, not calibrated"),
    ),
    "C9-l2-kim": (
        _t("PRINTED_RHO_TOL", 5e-5, "Kim et al.'s thresholds are printed to 4 digits", EXACT_PRINT),
    ),
    "C9-counts-symbolic": (
        _t("THRESHOLD_PRINT_TOL", 5e-5, "Kim et al.'s thresholds are printed to 4 digits", EXACT_PRINT,
           "theory.checks.c9_symbolic:THRESHOLD_PRINT_TOL"),
    ),
    "C11-layer-normalization": (
        _t("FAMILY_CONFIDENCE", 0.999, "all Monte-Carlo rows of one C11 check hold together with this probability "
           "(Bonferroni over the rows)", "chosen, not calibrated", "numerics.checks.c11_parametrization:FAMILY_CONFIDENCE"),
        _t("CONSTANT_RTOL", 1e-9, "c_σ and s(σ) by scipy quadrature (≈1e-13) against theory's 40-digit values",
           ROUND_OFF, "numerics.checks.c11_parametrization:CONSTANT_RTOL"),
        _t("REPLAY_RTOL", 1e-9, "torch forward vs the numpy replay of the same network (float64 round-off ≈1e-14)",
           ROUND_OFF, "numerics.checks.c11_parametrization:REPLAY_RTOL"),
    ),
    "C11-ntk-diagonal": (
        _t("KERNEL_RTOL", 1e-7, "numerics.ntk.analytic (closed forms; 1-D/2-D quadrature ≈1e-9) against the "
           "recursion recomputed in the check", ROUND_OFF, "numerics.checks.c11_parametrization:KERNEL_RTOL"),
    ),
    "C10-capacity-widths": (
        _t("PLAIN_MARGIN_ATOL", 1e-12, "a plain fit needs y·f > this: numpy and torch agree on the sign (round-off "
           "~1e-15)", ROUND_OFF, "numerics.checks.c10_capacity:PLAIN_MARGIN_ATOL"),
        _t("CERT_MARGIN_ATOL", 1e-9, "a certificate needs a lower bound > this (relaxations padded by 1e-12 "
           "relative)", ROUND_OFF, "numerics.checks.c10_capacity:CERT_MARGIN_ATOL"),
        _t("GROWTH_SLOPE_MIN", 0.05, "log2-log2 slope below which a width does not grow (3.5 % per doubling)",
           "chosen, not calibrated", "numerics.checks.c10_capacity:GROWTH_SLOPE_MIN"),
        _t("CI_LEVEL", 0.95, "level of the seed-bootstrap intervals of the width fits", "chosen, not calibrated",
           "numerics.capacity.capacity_search:CI_LEVEL"),
        _t("MEMBERSHIP_ATOL_F64", 1e-12, "a training attack's point inside B(x) up to float64 round-off", ROUND_OFF,
           "numerics.network.perturbations:MEMBERSHIP_ATOL_F64"),
    ),
}


def tolerances_for(check_id: str) -> tuple[Tolerance, ...]:
    """The registered tolerances of one check (empty for exact checks)."""
    return TOLERANCES.get(check_id, ())


def tolerance(check_id: str, name: str) -> Any:
    """The registered value of one tolerance (InputError when it is not registered)."""
    for entry in tolerances_for(check_id):
        if entry.name == name:
            return entry.value
    raise InputError(f"tolerance {name!r} of check {check_id!r} is not registered in theory/tolerances.py")
