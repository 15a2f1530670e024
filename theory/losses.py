"""Lipschitz constants L_ℓ = sup_ŷ |∂ℓ(ŷ, y)/∂ŷ| of the losses, for labels with |y| ≤ 1 (derived with sympy).

hinge max(0, 1 − yŷ): |∂| = |y|·1[yŷ < 1] ≤ 1; logistic log(1 + e^(−yŷ)): |∂| = |y|/(1 + e^(yŷ)) < 1
(supremum 1, approached as yŷ → −∞); absolute |ŷ − y|: 1; squared (ŷ − y)²: 2|ŷ − y|, unbounded on ℝ,
2(B + 1) on |ŷ| ≤ B. The convergence theorems (C1, C3, C4) need a global L_ℓ, so the squared loss is
accepted there only with an explicit output bound B supplied by the user.
"""
from __future__ import annotations

import sympy as sp

from theory.errors import InputError

LOSSES: tuple[str, ...] = ("hinge", "logistic", "absolute", "squared")
# Losses with a global Lipschitz constant; 'squared' needs an output bound.
LIPSCHITZ_LOSSES: tuple[str, ...] = ("hinge", "logistic", "absolute")

_u = sp.Symbol("u", real=True)  # the margin y·ŷ (y = ±1) or the residual ŷ − y


def check_loss(name: str) -> str:
    """Return ``name`` if it is a known loss, else raise InputError naming it."""
    if name not in LOSSES:
        raise InputError(f"unknown loss {name!r} (expected one of {', '.join(LOSSES)})")
    return name


def loss_lipschitz(name: str, output_bound: float | None = None) -> sp.Expr:
    """L_ℓ as an exact sympy number (squared loss: 2(B+1) on |ŷ| ≤ B = ``output_bound``, else InputError)."""
    check_loss(name)
    if name == "hinge":
        # on the active piece u = yŷ < 1 the loss is 1 − u, slope −1 in u, times |y| ≤ 1
        return sp.Abs(sp.diff(1 - _u, _u))
    if name == "logistic":
        slope = sp.diff(sp.log(1 + sp.exp(-_u)), _u)  # −1/(1 + e^u): monotone in u, sup |·| at u → −∞
        return sp.Max(sp.Abs(sp.limit(slope, _u, -sp.oo)), sp.Abs(sp.limit(slope, _u, sp.oo)))
    if name == "absolute":
        return sp.Abs(sp.diff(_u, _u))
    if output_bound is None or not output_bound > 0:
        raise InputError("loss 'squared' is not globally Lipschitz: give an output bound B > 0 (--output-bound); "
                         "then L_ℓ = 2(B + 1)")
    B = sp.nsimplify(output_bound)
    # |∂(ŷ − y)²/∂ŷ| = 2|ŷ − y| ≤ 2(|ŷ| + |y|) ≤ 2(B + 1), attained at ŷ = B, y = −1
    return 2 * (B + 1)
