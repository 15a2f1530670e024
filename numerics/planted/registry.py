"""The planted errors of every check, in one place: check id → {description → keyword arguments of the check}.

``advaudit selftest`` calls each check with each entry's arguments and requires the verdict ``violated``.
Numerical checks receive broken parts from this package (classes, functions, oracles) through parameters
whose defaults are the correct parts; symbolic checks (theory/checks/) receive a misread constant or form.
Entries may also shrink a check's sizes (``widths``, ``ns``, …) so that the variant runs fast: the planted
error must be caught at those sizes too.
"""
from __future__ import annotations

from typing import Any

from numerics.planted.attacks import CleanGradientPGD, OutsideBallAttack, TinyStepPGD, WrongSignLinearMaximizer
from numerics.planted.bounds import ibp_upper_dropped_radius_term
from numerics.planted.ntk import structured_ntk_unscaled_recursion
from numerics.planted.networks import UnscaledOutputNet, WrongConstantNet
from numerics.planted.oracles import AlwaysRealizableOracle
from numerics.planted.robust_kernel import (MissingLayerTermNTK, UnderestimatedCurvatureNTK,
                                           best_case_linear_inner_max)
from numerics.planted.training import WrongRadiusTrainer, WrongSignTrainer

# C1/C2 train with 5-step PGD; the planted attack keeps that budget.
_C1_PGD_STEPS = 5
_C10_SMALL = {"ns": (4, 8), "ds": (4, 8), "seeds": 1, "k_max": 3}


def clean_gradient_pgd(pset: Any, loss: Any) -> CleanGradientPGD:
    """PLANTED attack factory (pset, loss) → PGD with the gradient taken at the clean point."""
    return CleanGradientPGD(pset, loss, _C1_PGD_STEPS)


def _registry() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "C0-linear-closed-form": {
            "attack returns points at twice the radius": {"attack_radius_factor": 2.0},
            "closed form without the δ‖w‖_* term": {"drop_radius_term": True},
        },
        "C0-network-attacks": {
            "attack leaves B(x) (steps 1.5·δ)": {"extra_attacks": (OutsideBallAttack,)},
            "closed-form maximizer with the wrong sign": {"linear_maximizer": WrongSignLinearMaximizer},
            "IBP upper bound with the δ‖W‖_* term dropped": {"upper_bound": ibp_upper_dropped_radius_term},
        },
        "C1-finite-width": {
            "gradient ascent instead of descent": {"trainer": WrongSignTrainer, "widths": (64, 256)},
        },
        "C2-finite-width": {
            "PGD with the gradient at the clean point posing as exact":
                {"attack": clean_gradient_pgd, "widths": (64, 256)},
            "gradient ascent instead of descent": {"trainer": WrongSignTrainer, "widths": (64,)},
        },
        "C3-obligations": {
            "T halved": {"t_factor": 0.5},
            "width from radius R instead of R'": {"lin_radius": "R"},
        },
        "C3-empirical-radius": {
            "gradient bound G underestimated 50×": {"G_factor": 0.02, "widths": (64,)},
            "gradient ascent instead of descent": {"trainer": WrongSignTrainer, "widths": (64,)},
        },
        "C4-obligations": {
            "T halved": {"t_factor": 0.5},
            "linearization term dropped from the budget": {"drop_linearization": True},
            "printed a_R = 2 where the chain needs 4": {"a_R": 2},
        },
        "C4-empirical-regret": {
            "gradient ascent instead of descent":
                {"trainer": WrongSignTrainer, "widths": (256,), "rate_widths": (64, 256), "rate_seeds": 2},
        },
        "C5-ntk-rate": {
            "analytic kernel with a wrong c_σ (1.0)": {"c_sigma_override": 1.0},
            "analytic recursion missing the h = 1 term": {"drop_layer_term": 1},
            "claimed rate m^(−1) instead of m^(−1/2)": {"expected_rate": -1.0},
            "structured empirical NTK without the layer scale in its recursion (caught as an internal "
            "inconsistency by the autograd re-verification)":
                {"empirical": structured_ntk_unscaled_recursion,
                 "config": {"activations": ("relu",), "depths": (2,), "replicates": 4, "log2_width_max_deep": 9}},
        },
        "C6-attack-strength": {
            # (PGD with the gradient taken at the clean point falls 3–18 % short of L*, within the calibrated
            # reach tolerance: below C6's resolution; C2's exactness check catches it)
            "PGD with its step 100× too small": {"pgd": TinyStepPGD},
        },
        "C7-lazy-movement": {
            "projection onto 2R instead of R":
                {"trainer": WrongRadiusTrainer, "configs": ((64, 1), (256, 1)), "seeds": 1},
        },
        "C8-width-exponential-in-d": {
            "R(d) encoded as polynomial in d": {"growth": "polynomial"},
        },
        "C8-robust-loss-vs-R": {
            "solver kernel misses a layer term": {"kernel": MissingLayerTermNTK},
            "perturbation moved along +y·w (best case)": {"linear_inner_max": best_case_linear_inner_max},
            "curvature bound of the second-order certificate 100× too small": {"kernel": UnderestimatedCurvatureNTK},
        },
        "C8-bias-variant": {
            "solver kernel misses a layer term": {"kernel": MissingLayerTermNTK},
        },
        "C8-antipodal-obstruction": {
            "obstruction applied to a softplus net": {"obstruction_activation": "softplus"},
        },
        "C9-linf-conventions": {
            "oracle always answers 'realizable'": {"oracle": AlwaysRealizableOracle()},
            "q = c + 3δ·e_j (outside both boxes)": {"q_offset": 3},
            "q = c − δ·e_j (wrong sign)": {"q_offset": -1},
            "q = c + 2δ·e_j (reaches the next group's box)": {"q_offset": 2},
            "⌊n/2⌋ + 1 groups": {"extra_groups": 1},
        },
        "C9-l2-kim": {
            "oracle always answers 'realizable'": {"oracle": AlwaysRealizableOracle()},
            "q = c + 2·e_j (threshold becomes 1)": {"q_offset": 2},
            "q = c − e_j (wrong sign)": {"q_offset": -1},
            "⌊n/2⌋ + 1 groups": {"extra_groups": 1},
        },
        "C9-known-classes": {
            "oracle always answers 'realizable'": {"oracle": AlwaysRealizableOracle()},
        },
        "C9-counts-symbolic": {
            "threshold √(k/(k+1))": {"threshold_form": "sqrt(k/(k+1))"},
            "count n·d without ⌊n/2⌋": {"count_formula": "n*d"},
        },
        "C10-capacity-widths": {
            "certificate claimed for the dataset but computed with one label flipped":
                {"label_flip": True, **_C10_SMALL},
            "certificate with the wrong sign (upper bound of y·f taken as its lower bound)":
                {"certify_sign": "wrong", **_C10_SMALL},
            "training PGD with the gradient at the clean point": {"pgd": CleanGradientPGD, **_C10_SMALL},
        },
        "C11-layer-normalization": {
            "c_σ read 10 % too large (relu: 2.2)": {"net_class": WrongConstantNet},
        },
        "C11-ntk-diagonal": {
            "c_σ read 10 % too large (relu: 2.2)": {"net_class": WrongConstantNet},
        },
        "C11-nngp-variance": {
            "forward pass without the last layer's √(c_σ/m)": {"net_class": UnscaledOutputNet},
        },
        "L1-width-exponential": {
            "R(d) encoded as polynomial in d": {"growth": "polynomial"},
        },
        "L2-rho-thresholds": {
            "threshold (k−1)/k without the square root": {"threshold_form": "(k-1)/k"},
        },
        "L3-bounds-consistent": {
            "lower bound ⌊n/2⌋·d² (a misread VC count)": {"lower": "nd^2"},
        },
    }


PLANTED: dict[str, dict[str, dict[str, Any]]] = _registry()


def planted_errors(check_id: str) -> dict[str, dict[str, Any]]:
    """The planted errors of one check (empty when none is registered): description → keyword arguments."""
    return PLANTED.get(check_id, {})

