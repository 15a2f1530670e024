"""A user's closed-form bound (theory.expressions) against a quantity the suite measures, over a grid.

Quantities (``QUANTITIES``; the symbols a bound may use besides the user's constants):

- ``ntk_deviation`` — the mean over the seeds of max_ij |Θ_m(x_i, x_j) − Θ(x_i, x_j)| (numerics.user_claims.ntk) at
  every (m, H) of the grid; symbols m (width), H (depth), n (points), d (input dimension).

At every grid point the measured mean is compared with the bound evaluated there ("upper": measured ≤ bound;
"lower": measured ≥ bound), with the one-sided Student-t half-width of the mean as the comparison's tolerance, so
only a statistically resolved crossing is a violation (re-verified by recomputing the network nearest to the bound
with autograd Jacobians). Each row shows its slack (bound/measured). Control: at the grid point whose mean is best
resolved, the bound replaced by CONTROL_FRACTION × the lower confidence end (an upper bound) or the upper end ÷
CONTROL_FRACTION (a lower bound) must come out violated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from numerics.user_claims.ntk import NtkDesign, error_control, mean_error_row, mean_interval, measure
from theory.evidence import Evidence
from theory.expressions import evaluate


@dataclass(frozen=True)
class Quantity:
    symbols: tuple[str, ...]
    description: str


QUANTITIES = {"ntk_deviation": Quantity(("m", "H", "n", "d"), "mean over seeds of max_ij |Θ_m(x_i,x_j) − Θ(x_i,x_j)| "
                                                              "(empirical vs analytic NTK) at width m, depth H")}
BOUND_RELATIONS = {"upper": "<=", "lower": ">="}


def bound_values(expr: sp.Expr, constants: dict[str, float], X: np.ndarray, widths: tuple[int, ...],
                 depths: tuple[int, ...]) -> dict[tuple[int, int], float]:
    """The bound at every (m, H) of the grid (nan where it is not a finite real number)."""
    n, d = X.shape
    return {(m, H): evaluate(expr, {**constants, "m": m, "H": H, "n": n, "d": d}) for H in depths for m in widths}


def bound_evidence(expression: str, expr: sp.Expr, constants: dict[str, float], relation: str, X: np.ndarray,
                   activation: str, widths: tuple[int, ...], depths: tuple[int, ...], seeds: tuple[int, ...], *,
                   level: float, master_seed: int, claim_id: str, check_id: str, workers: int = 1
                   ) -> tuple[Evidence, list[Evidence]]:
    """Main evidence (measured vs bound at every grid point) and the control (module docstring)."""
    rel = BOUND_RELATIONS[relation]
    values = bound_values(expr, constants, X, widths, depths)
    ev = Evidence(claim_id, check_id, "user", seeds=list(seeds), solver_statuses=["not-applicable"])
    ev.config = {"quantity": "ntk_deviation", "expression": expression, "parsed": sp.sstr(expr),
                 "constants": constants, "relation": f"measured {rel} bound", "activation": activation,
                 "widths": list(widths), "depths": list(depths), "seeds": list(seeds), "level": level,
                 "n": int(X.shape[0]), "d": int(X.shape[1]), "master_seed": master_seed}
    table, best = [], None
    for H in depths:
        errs = measure(NtkDesign(X, activation, H, widths, seeds, master_seed), workers=workers)
        for k, m in enumerate(widths):
            mean, half = mean_interval(errs.errors[k], level)
            mean_error_row(ev, errs, k, values[(m, H)], level,
                           f"[m={m}, H={H}] measured ntk_deviation {rel} {sp.sstr(expr)}", relation=rel, m=m, H=H)
            table.append([m, H, mean, half, values[(m, H)], values[(m, H)] / mean if mean > 0 else None])
            resolution = (mean - half) / mean if mean > 0 else -np.inf   # how far the mean is from 0 in its CIs
            if best is None or resolution > best[0]:
                best = (resolution, errs, k)
    ev.measurements["tables"] = {"measured against the bound": {
        "columns": ["m", "H", "mean", "CI half-width", "bound", "bound / mean"], "rows": table}}
    _, errs, k = best
    control = error_control(errs, k, level, claim_id=claim_id, check_id=check_id, relation=rel)
    return ev, [control]
