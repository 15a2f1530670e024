"""Smoothness constants of the activations: |σ(0)|, Lip σ = sup|σ'| and Lip σ' = sup|σ''|, and C_σ = their max.

Derived with sympy, not tabulated: each activation is written in a variable v that maps ℝ bijectively onto
an interval (softplus, sigmoid: s = 1/(1+e^(−z)) ∈ (0,1), ds/dz = s(1−s); tanh: t = tanh z ∈ (−1,1),
dt/dz = 1−t²; erf: z itself), so σ' and σ'' are elementary in v and the supremum of |g| over the open
interval is the largest of |g| at the real critical points (sympy ``solveset`` on the derivative, which must
return a finite set) and the one-sided limits at the ends. Results (exact):

    softplus  σ(0) = log 2   Lip σ = 1      Lip σ' = 1/4
    tanh      σ(0) = 0       Lip σ = 1      Lip σ' = 4/(3√3)
    sigmoid   σ(0) = 1/2     Lip σ = 1/4    Lip σ' = 1/(6√3)
    erf       σ(0) = 0       Lip σ = 2/√π   Lip σ' = (4/√π)/√(2e)
    relu2     σ(0) = 0       Lip σ = 2B     Lip σ' = 2     on pre-activations z ∈ [−B, B] (B given)

ReLU is not differentiable at 0 and has no Lip σ': it is rejected for the convergence theorems.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from theory.activations import SMOOTH_ACTIVATIONS, check_activation
from theory.errors import InputError

_v = sp.Symbol("v", real=True)


@dataclass(frozen=True)
class _Form:
    """σ in a variable v ∈ (lo, hi): dv/dz, σ(0) and σ'(z) written in v."""

    lo: sp.Expr
    hi: sp.Expr
    dv_dz: sp.Expr
    sigma0: sp.Expr
    dsigma: sp.Expr
    meaning: str


_FORMS = {
    "softplus": _Form(sp.Integer(0), sp.Integer(1), _v * (1 - _v), sp.log(2), _v,
                      "v = sigmoid(z) ∈ (0,1); σ' = v"),
    "sigmoid": _Form(sp.Integer(0), sp.Integer(1), _v * (1 - _v), sp.Rational(1, 2), _v * (1 - _v),
                     "v = sigmoid(z) ∈ (0,1); σ' = v(1−v)"),
    "tanh": _Form(sp.Integer(-1), sp.Integer(1), 1 - _v**2, sp.Integer(0), 1 - _v**2,
                  "v = tanh(z) ∈ (−1,1); σ' = 1−v²"),
    "erf": _Form(-sp.oo, sp.oo, sp.Integer(1), sp.Integer(0), 2 / sp.sqrt(sp.pi) * sp.exp(-_v**2),
                 "v = z ∈ ℝ; σ' = (2/√π)e^(−z²)"),
}


@dataclass(frozen=True)
class SmoothnessConstants:
    """|σ(0)|, Lip σ, Lip σ' (exact sympy) and C_σ = max of the three; ``range`` states where they hold."""

    activation: str
    sigma0: sp.Expr
    lip_sigma: sp.Expr
    lip_dsigma: sp.Expr
    range: str

    @property
    def C_sigma(self) -> sp.Expr:
        return sp.Max(sp.Abs(self.sigma0), self.lip_sigma, self.lip_dsigma)

    def as_floats(self) -> dict[str, float]:
        return {"|sigma(0)|": float(sp.Abs(self.sigma0)), "Lip sigma": float(self.lip_sigma),
                "Lip sigma'": float(self.lip_dsigma), "C_sigma": float(self.C_sigma)}


def sup_abs_on_interval(g: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """sup_{var ∈ (lo, hi)} |g| for a smooth g: max over the real critical points and the end limits.

    Raises ArithmeticError when sympy cannot list the critical points as a finite set (no guess is made).
    """
    dg = sp.cancel(sp.diff(g, var))
    if dg == 0:
        return sp.Abs(g)
    crit = sp.solveset(dg, var, sp.Interval.open(lo, hi))
    if not (crit.is_empty or isinstance(crit, sp.FiniteSet)):
        raise ArithmeticError(f"critical points of {g} not a finite set: {crit}")
    candidates = [sp.Abs(sp.radsimp(sp.expand(g.subs(var, c)))) for c in ([] if crit.is_empty else crit)]
    candidates += [sp.Abs(sp.limit(g, var, lo, "+")), sp.Abs(sp.limit(g, var, hi, "-"))]
    best = max(candidates, key=lambda e: sp.N(e, 50))
    return best


@lru_cache(maxsize=None)
def smoothness_constants(name: str, preact_bound: float | None = None) -> SmoothnessConstants:
    """Exact |σ(0)|, Lip σ, Lip σ' of a smooth activation (relu2: over pre-activations in [−B, B]).

    InputError for an unknown or non-smooth activation, or relu2 without a positive ``preact_bound``.
    """
    check_activation(name)
    if name not in SMOOTH_ACTIVATIONS:
        raise InputError(f"activation {name!r} is not smooth (no Lip σ'); the convergence theorems need one of "
                         f"{', '.join(SMOOTH_ACTIVATIONS)}")
    if name == "relu2":
        if preact_bound is None or not preact_bound > 0:
            raise InputError("activation 'relu2' needs a pre-activation bound B > 0 (--preact-bound): "
                             "its Lip σ = 2B is finite only on [−B, B]")
        B = sp.nsimplify(preact_bound)
        z = _v
        # σ = max(z,0)²: σ' = 2z on (0, B], 0 on [−B, 0); σ'' = 2 on (0, B), 0 on (−B, 0).
        lip_sigma = max(sup_abs_on_interval(2 * z, z, 0, B), sp.Integer(0))
        lip_dsigma = max(sup_abs_on_interval(sp.diff(2 * z, z), z, 0, B), sp.Integer(0))
        return SmoothnessConstants(name, sp.Integer(0), sp.nsimplify(lip_sigma), sp.nsimplify(lip_dsigma),
                                   f"pre-activations z ∈ [−{B}, {B}]")
    form = _FORMS[name]
    d2 = sp.expand(sp.diff(form.dsigma, _v) * form.dv_dz)  # σ'' = (dσ'/dv)(dv/dz)
    return SmoothnessConstants(name, form.sigma0, sup_abs_on_interval(form.dsigma, _v, form.lo, form.hi),
                               sup_abs_on_interval(d2, _v, form.lo, form.hi), "all z ∈ ℝ")


def derivative_forms(name: str) -> tuple[sp.Symbol, sp.Expr, sp.Expr, sp.Expr]:
    """(v, v(z), σ'(v), σ''(v)) for a non-piecewise smooth activation — lets tests confirm the v-forms."""
    form = _FORMS[check_activation(name)]
    z = sp.Symbol("z", real=True)
    v_of_z = {"softplus": 1 / (1 + sp.exp(-z)), "sigmoid": 1 / (1 + sp.exp(-z)), "tanh": sp.tanh(z),
              "erf": z}[name]
    return _v, v_of_z, form.dsigma, sp.expand(sp.diff(form.dsigma, _v) * form.dv_dz)
