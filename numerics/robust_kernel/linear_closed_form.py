"""The linear kernel's robust hinge problem on ℓ2/ℓ∞ balls in closed form (docs/claims.md §7): no cutting planes.

For f(x) = wᵀx (‖f‖_H = ‖w‖₂) the inner maximum is max_{x' ∈ B(x)} (1 − y·wᵀx')_+ = (1 − y·wᵀx + δ‖w‖_*)_+ with
‖·‖_* the dual norm (ℓ2 → ‖w‖₂, ℓ∞ → ‖w‖₁), so the robust problem is one convex program in w ∈ R^d:

    minimize (1/n)·Σ_i t_i   s.t.  t_i ≥ 1 − y_i wᵀx_i + δ‖w‖_*,  t_i ≥ 0,  ‖w‖₂ ≤ R      (regularized: + λ/2·‖w‖²)

(cvxpy, Clarabel). Certified bracket, recomputed in float64:
* upper: the robust loss of the returned w by the exact inner maximizer ``linear_inner_max`` (an injectable
  parameter: numerics.robust_kernel.cutting_planes.linear_exact), plus a rounding allowance;
* lower: weak duality with the constraint duals α_i ∈ [0, 1/n] (clipped): for every ‖w‖₂ ≤ R,
  (1/n)Σ(1 − y_i wᵀx_i + δ‖w‖_*)_+ ≥ Σα_i − wᵀu + δA‖w‖_* with u = Σα_i y_i x_i, A = Σα_i, and
  max_{‖w‖≤R} (wᵀu − δA‖w‖_*) = R·min_{‖v‖≤1} ‖u − δA·v‖₂ (Sion; v in the ball of the perturbation norm), which is
  (‖u‖ − δA)_+ for ℓ2 and ‖(|u| − δA)_+‖₂ for ℓ∞ (regularized: (min_v ‖u − δAv‖)²/(2λ) instead of R·min).
Both ends meet at the optimum up to the solver's accuracy (≈1e-9), so any tolerance down to ~1e-8 is reached —
cutting planes on the same problem stall around 1e-4 (Kelley's method converges slowly).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import torch

from numerics.robust_kernel.kernels import LinearKernel
from numerics.robust_kernel.program import RobustKernelProblem, RobustKernelSolverError
from theory.errors import InputError

# Relative float64 allowance on the evaluated bounds (sums of n terms of size ≤ 1 + |wᵀx| + δ‖w‖_*).
ROUNDING_REL = 1e-12


@dataclass
class LinearClosedForm:
    """w of the closed-form program, its certified bracket and the solver status."""

    w: np.ndarray
    lower: float
    upper: float
    solver_status: str


def closed_form_applies(problem: RobustKernelProblem, target: float | None) -> bool:
    """Linear kernel, hinge loss, ℓ2 or ℓ∞ ball, ball or regularized form (the min-norm form uses cutting planes)."""
    return (isinstance(problem.kernel, LinearKernel) and problem.loss.name == "hinge"
            and problem.pset.norm in ("l2", "linf") and target is None)


def solve_linear_closed_form(problem: RobustKernelProblem, linear_inner_max, *, solver: str) -> LinearClosedForm:
    """Solve the closed-form program and certify it (module docstring)."""
    X, y = problem.X.numpy(), problem.y.numpy()
    n, d = X.shape
    delta, order = problem.pset.radius, 2 if problem.pset.norm == "l2" else 1
    w = cp.Variable(d)
    t = cp.Variable(n)
    margin = cp.Constant(1.0) - cp.multiply(y, X @ w) + delta * cp.norm(w, order)
    cons = [t >= margin, t >= 0]
    objective = cp.sum(t) / n
    if problem.form == "ball":
        cons.append(cp.norm(w, 2) <= problem.radius[0])
    else:
        objective = objective + problem.regularization / 2 * cp.sum_squares(w)
    program = cp.Problem(cp.Minimize(objective), cons)
    try:
        program.solve(solver=solver)
    except cp.error.SolverError as exc:
        raise RobustKernelSolverError(f"{solver} failed on the closed-form linear program: {exc}",
                                      "solver_error") from exc
    status = str(program.status)
    if w.value is None or cons[0].dual_value is None:
        raise RobustKernelSolverError(f"{solver} returned no solution (status {status})", status)
    wv = np.asarray(w.value, dtype=np.float64)
    if problem.form == "ball":
        norm = float(np.linalg.norm(wv))
        wv = wv * min(1.0, problem.radius[0] / norm) if norm > 0 else wv
    alpha = np.clip(np.asarray(cons[0].dual_value, dtype=np.float64), 0.0, 1.0 / n)
    lower = dual_bound(problem, alpha)
    wt = torch.as_tensor(wv)
    losses, _ = linear_inner_max(problem, lambda P: P @ wt)
    scale = 1.0 + np.abs(X @ wv) + delta * float(np.linalg.norm(wv, ord=order))
    upper = float(losses.numpy().mean()) + ROUNDING_REL * float(scale.mean())
    if problem.form == "regularized":
        upper += problem.regularization / 2 * float(wv @ wv)
    return LinearClosedForm(w=wv, lower=lower, upper=upper, solver_status=status)


def dual_bound(problem: RobustKernelProblem, alpha: np.ndarray) -> float:
    """Weak-duality lower bound of the robust optimum for multipliers α_i ∈ [0, 1/n] (module docstring)."""
    X, y = problem.X.numpy(), problem.y.numpy()
    n = X.shape[0]
    if np.any(alpha < 0) or np.any(alpha > 1.0 / n):
        raise InputError("multipliers must lie in [0, 1/n]")
    u = X.T @ (alpha * y)
    A = float(alpha.sum())
    shrink = problem.pset.radius * A
    if problem.pset.norm == "l2":
        residual = max(0.0, float(np.linalg.norm(u)) - shrink)
    else:
        residual = float(np.linalg.norm(np.maximum(np.abs(u) - shrink, 0.0)))
    penalty = (problem.radius[0] * residual if problem.form == "ball"
               else residual ** 2 / (2.0 * problem.regularization))
    value = A - penalty
    return value - ROUNDING_REL * (A + penalty + float(np.abs(u).sum()) + 1.0) * math.sqrt(n)
