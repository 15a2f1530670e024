"""Robust kernel problems over the whole sets B(x_i): cutting planes with a certified bracket.

:func:`solve_robust` runs cutting planes: solve the finite program on the pool of points (numerics.robust_kernel.program;
the active set is pruned to the points that carry dual weight, and no Gram matrix over the whole pool is formed),
look for the worst perturbations of the current f, add those whose loss exceeds t_i (each replaces its sample's
active points in the next warm start; the replaced points stay in the pool), and when none is found, certify; it
stops when certified upper − lower ≤ tol.

Oracle and certificate, by kernel:
* kernels with closed-form derivatives and a curvature bound (two-layer relu2 NTK; numerics.robust_kernel.curvature):
  trust-region Newton steps find the worst points, and the second-order certificate bounds max_{B(x_i)} ℓ(f) —
  at the incumbents' expansions first, with branch and bound only if that leaves the gap above tol/2;
* the linear kernel on ℓ2/ℓ∞ balls with the hinge loss: no cutting planes — the closed-form robust program
  (numerics.robust_kernel.linear_closed_form); on caps or other losses, cutting planes with the exact inner max;
* kernels with a Lipschitz modulus only (relu2 NTK with a trained output): multi-start PGD and the first-order
  Lipschitz branch and bound (numerics.robust_kernel.certificate);
* other kernels: PGD, status ``uncertified`` (lower end only).
The lower end is the weak-duality bound of the finite program (numerics.robust_kernel.duality), valid for the robust
problem because every point of the finite set lies in some B(x_i).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from numerics.adversarial.attacks import Attack, verify_membership
from numerics.robust_kernel.certificate import DEFAULT_CELL_BUDGET, certify_max_loss, region_max_norm
from numerics.robust_kernel.curvature import certify_max_loss_curvature, curvature_unsupported
from numerics.execution.threads import single_thread
from numerics.robust_kernel.kernels import KernelModel, LinearKernel
from numerics.network.losses import get_loss
from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError

from numerics.robust_kernel.linear_closed_form import closed_form_applies, solve_linear_closed_form
from numerics.robust_kernel.program import (DEFAULT_SOLVER, INTERIOR_POINT_GAP_TOL, VIOLATION_TOL, FiniteSolution, RobustKernelProblem, carrying,
                                              finite_objective, robust_kernel_problem, solve_finite_unthreaded)

# Cutting planes: a perturbation found by the attack or the certificate becomes a new constraint only when its
# loss beats the finite-set maximum of its sample by more than max(CUT_TOL, CUT_FRACTION·tol): gains far
# below the requested tolerance cannot change the verdict and would only add rounds.
CUT_TOL = 1e-7
CUT_FRACTION = 0.05
# The finite program is solved to a gap of at most this fraction of tol (and at most the interior point's default),
# and pool points violated by less than it are not added: both enter the bracket once, next to CUT_FRACTION·tol.
FINITE_GAP_FRACTION = 1e-3
# Rounding allowance when a kernel expansion is evaluated in float64: |Δf| ≤ this·(‖β‖₁·max k + |f0|).
EVAL_ROUNDING_REL = 1e-12


# --- robust solve by cutting planes -----------------------------------------------------------------------

@dataclass
class RobustKernelResult:
    """Certified bracket of the optimal robust loss and the function attaining the upper end.

    lower: weak-duality bound of the optimum (valid for every f in the ball); upper: certified robust loss
    of the returned f (None when the kernel has no certificate); attack_value: robust loss of f on the
    points found (a lower bound of L*(f)); status: converged / gap-above-tolerance / max-rounds / uncertified.
    """

    lower: float
    upper: float | None
    attack_value: float
    status: str
    solver_statuses: list[str]
    duality_gap: float
    iterations: int
    finite_solves: int
    points: torch.Tensor
    owner: np.ndarray
    betas: list[np.ndarray]
    norms: list[float]
    truncation_error: float
    certificate: dict
    history: list[dict] = field(default_factory=list)
    wall_time_s: float = 0.0
    objective_kind: str = "ball"

    @property
    def gap(self) -> float | None:
        return None if self.upper is None else self.upper - self.lower

    def model(self, kernel: KernelModel):
        """f as a torch callable (m, d) → (m,) (the kernel expansion on the active points)."""
        Z = self.points
        betas = [torch.as_tensor(b) for b in self.betas]
        return lambda X: kernel.evaluate(X, Z, betas)


class _Pool:
    """The growing finite set Z with its offsets (kernel blocks are formed on active sets only)."""

    def __init__(self, kernel: KernelModel, Z: torch.Tensor, owner: np.ndarray) -> None:
        self.kernel, self.Z, self.owner = kernel, Z, np.asarray(owner, dtype=np.int64)
        with torch.no_grad():
            self.offset = kernel.offset(Z).numpy()

    def restrict(self, keep: np.ndarray) -> np.ndarray:
        """Keep the points ``keep`` (sorted indices) only; returns the map old index → new index (−1: dropped)."""
        new_index = np.full(self.Z.shape[0], -1)
        new_index[keep] = np.arange(len(keep))
        self.Z, self.owner, self.offset = self.Z[torch.as_tensor(keep)], self.owner[keep], self.offset[keep]
        return new_index

    def add(self, P: torch.Tensor, owner: np.ndarray) -> np.ndarray:
        old = self.Z.shape[0]
        self.Z = torch.cat([self.Z, P])
        self.owner = np.concatenate([self.owner, np.asarray(owner, dtype=np.int64)])
        with torch.no_grad():
            self.offset = np.concatenate([self.offset, self.kernel.offset(P).numpy()])
        return np.arange(old, self.Z.shape[0])


def initial_points(problem: RobustKernelProblem, samples: int, seed: int) -> tuple[torch.Tensor, np.ndarray]:
    """Centres first, then ``samples`` seeded points of every B(x_i): (points, owner)."""
    n = problem.n
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise InputError(f"initial samples must be an integer ≥ 0, got {samples!r}")
    parts, owners = [problem.X], [np.arange(n)]
    if samples:
        gen = torch.Generator().manual_seed(int(seed))
        P = problem.pset.sample(problem.X, samples, gen)
        parts.append(P.reshape(-1, P.shape[-1]))
        owners.append(np.repeat(np.arange(n), samples))
    return torch.cat(parts), np.concatenate(owners)


def linear_exact(problem: RobustKernelProblem, model) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact max of ℓ(f(x'), y) over B(x) for f(x) = wᵀx: ℓ is convex in f, so an extreme of wᵀx' wins.

    Returns (losses, maximizing points), one per sample: the inner maximizer of the linear kernel.
    """
    X, y, pset, loss = problem.X, problem.y, problem.pset, problem.loss
    with torch.enable_grad():
        Xv = X.clone().requires_grad_(True)
        (w,) = torch.autograd.grad(model(Xv).sum(), Xv)
    candidates = [pset.linear_argmax(X, w), pset.linear_argmax(X, -w)]
    with torch.no_grad():
        vals = torch.stack([loss.value(model(P), y) for P in candidates])
    best = vals.argmax(dim=0)
    points = torch.stack(candidates)[best, torch.arange(X.shape[0])]
    return vals.max(dim=0).values, points


# Default cutting-plane oracle: multi-start PGD, all starts batched in one tensor.
PGD_STEPS, PGD_RESTARTS = 30, 6


def multistart_pgd(model, X: torch.Tensor, labels: torch.Tensor, pset: PerturbationSet, *, steps: int = PGD_STEPS,
                   restarts: int = PGD_RESTARTS, seed: int = 0, starts: torch.Tensor | None = None) -> torch.Tensor:
    """Maximize the logistic surrogate log(1 + e^{−label·f}) over B(x) (i.e. drive label·f down) by projected
    steepest ascent from ``restarts`` seeded random starts plus ``starts`` (n, d) per sample, batched; returns
    the best end point per sample (membership verified by numerics.adversarial.attacks.verify_membership).

    The logistic surrogate's ascent direction never vanishes (hinge has flat zero-loss regions); the step is
    2.5·δ/steps along sign(g) (linf) or g/‖g‖ (l2, sphere-cap), as numerics.adversarial.attacks.PGD."""
    n, d = X.shape
    gen = torch.Generator().manual_seed(int(seed))
    Z = pset.sample(X, restarts, gen)
    if starts is not None:
        Z = torch.cat([starts[:, None, :].to(X.dtype), Z], dim=1)
    k = Z.shape[1]
    C = X[:, None, :].expand(n, k, d).reshape(-1, d)
    lab = labels[:, None].expand(n, k).reshape(-1)
    Z = Z.reshape(-1, d)
    step = 2.5 * pset.radius / steps
    surrogate = get_loss("logistic")
    for _ in range(steps):
        with torch.enable_grad():
            Zv = Z.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(surrogate.value(model(Zv), lab).sum(), Zv)
        if pset.norm == "linf":
            direction = torch.sign(g)
        else:
            gn = torch.linalg.norm(g, dim=1, keepdim=True)
            direction = torch.where(gn > 0, g / torch.clamp(gn, min=1e-300), 0.0)
        Z = pset.project(C, Z + step * direction)
    with torch.no_grad():
        vals = surrogate.value(model(Z), lab).reshape(n, k)
    best = vals.argmax(dim=1)
    out = Z.reshape(n, k, d)[torch.arange(n), best]
    verify_membership(pset, X, out, "multistart-pgd")
    return out


def worst_perturbations(problem: RobustKernelProblem, model, attack: Attack | None, seed: int,
                        starts: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(losses, points) of the worst perturbations found for f = ``model``: the given attack, or by default
    :func:`multistart_pgd` towards min y·f (hinge, logistic) or towards both min f and max f (absolute,
    squared), warm-started from ``starts`` (e.g. the current worst points of the finite set)."""
    X, y, loss = problem.X, problem.y, problem.loss
    if attack is not None:
        candidates = [attack(model, X, y)]
    else:
        labels = [y] if loss.margin_decreasing else [torch.ones_like(y), -torch.ones_like(y)]
        candidates = [multistart_pgd(model, X, lab, problem.pset, seed=seed, starts=starts) for lab in labels]
    with torch.no_grad():
        vals = torch.stack([loss.value(model(P), y) for P in candidates])
    best = vals.argmax(dim=0)
    return vals.max(dim=0).values, torch.stack(candidates)[best, torch.arange(X.shape[0])]


def solve_robust(problem: RobustKernelProblem, **kwargs) -> RobustKernelResult:
    """Bracket the optimal robust loss by cutting planes (ball or regularized form; module docstring).

    Keywords: ``tol`` (stop when certified upper − lower ≤ tol; default 1e-2), ``initial_samples`` (seeded
    points per B(x_i) besides x_i), ``seed``, ``attack`` (an numerics.adversarial.attacks.Attack replacing the
    default oracle), ``max_rounds`` (≥ 1), ``formulation``/``solver`` (of the finite-set program; "auto" by default),
    ``certify`` (False: lower end only, status "uncertified"), ``cell_budget`` (≥ 1: derivative or function
    evaluations of the certificate's branch and bound), ``target`` = ε for the min-norm form — then
    ``lower``/``upper`` are radii: any f with ‖f‖ < lower has robust loss > ε (certified), and the returned f
    has norm ``upper`` and certified robust loss ≤ ε (status "converged") — and ``linear_inner_max``
    (problem, f) → (losses, points), the exact inner maximizer used for the linear kernel (default
    :func:`linear_exact`). Runs torch on one thread.
    """
    with single_thread():
        return _solve_robust(problem, **kwargs)


def _positive_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return value


def _solve_robust(problem: RobustKernelProblem, *, tol: float = 1e-2, initial_samples: int = 8, seed: int = 0,
                 attack: Attack | None = None, max_rounds: int = 30, formulation: str = "auto",
                 solver: str = DEFAULT_SOLVER, certify: bool = True, cell_budget: int = DEFAULT_CELL_BUDGET,
                 target: float | None = None, linear_inner_max: Callable = linear_exact) -> RobustKernelResult:
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive finite number, got {tol!r}")
    if target is not None and not (isinstance(target, (int, float)) and math.isfinite(target) and target > 0):
        raise InputError(f"target must be a positive finite number, got {target!r}")
    _positive_int("max_rounds", max_rounds, 1)
    _positive_int("cell_budget", cell_budget, 1)
    start = time.perf_counter()
    n, loss, kernel = problem.n, problem.loss, problem.kernel
    if closed_form_applies(problem, target) and certify and attack is None:
        return _linear_result(problem, tol, linear_inner_max, solver, start)
    pool = _Pool(kernel, *initial_points(problem, initial_samples, seed))
    exact_linear = isinstance(kernel, LinearKernel)
    curvature = None if exact_linear else curvature_unsupported(kernel, problem.pset, problem.X)
    use_curvature = certify and not exact_linear and curvature is None
    # min-norm: solve to ε − tol so that the certificate (closing slack tol/2) can land at ≤ ε
    solve_target = None if target is None else target - tol
    if solve_target is not None and solve_target <= 0:
        raise InputError(f"target must exceed tol ({tol:g}) in the min-norm form")
    cut = max(CUT_TOL, CUT_FRACTION * tol)
    statuses, history, active, best_lower, solves = [], [], None, -math.inf, 0
    status, cert_info, upper, fin = "max-rounds", {}, None, None
    ever = np.zeros(pool.Z.shape[0], dtype=bool)
    for rounds in range(1, max_rounds + 1):
        ever = np.concatenate([ever, np.zeros(pool.Z.shape[0] - len(ever), dtype=bool)])
        if rounds == 2 and use_curvature and attack is None:
            # the second-order oracle supersedes the seeded samples: keep the points that were ever active and the cuts
            keep = np.union1d(np.flatnonzero(ever), active)
            new_index = pool.restrict(keep)
            active, ever = new_index[active], ever[keep]
        fin = solve_finite_unthreaded(problem, pool.Z, pool.owner, formulation=formulation, solver=solver,
                                      active=active, offset=pool.offset, target=solve_target,
                                      gap_tol=min(INTERIOR_POINT_GAP_TOL, FINITE_GAP_FRACTION * tol),
                                      violation_tol=max(VIOLATION_TOL, FINITE_GAP_FRACTION * tol))
        statuses += fin.solver_statuses
        solves += fin.solves
        ever[fin.active] = True
        active = _carrying(fin, pool.owner, problem, 10 * max(VIOLATION_TOL, FINITE_GAP_FRACTION * tol))
        Zs = pool.Z[fin.active]
        betas_t = [torch.as_tensor(b) for b in fin.betas]
        model = (lambda Zs_, bt: (lambda X: kernel.evaluate(X, Zs_, bt)))(Zs, betas_t)
        pool_max = finite_objective(loss, fin.values, problem.y.numpy()[pool.owner], pool.owner, n)
        if target is None:
            best_lower = max(best_lower, fin.lower)
        record = {"round": rounds, "points": int(pool.Z.shape[0]), "active": int(len(fin.active)),
                  "finite_upper": float(pool_max.mean()), "finite_lower": float(fin.lower),
                  "status": fin.status, "solves": fin.solves}
        cert = None
        if exact_linear:
            vals, pts = linear_inner_max(problem, model)
        elif use_curvature and attack is None:
            cert = _curvature_certificate(problem, fin, Zs, pool, tol, cell_budget, refine=False)
            vals, pts = torch.as_tensor(cert.lower), cert.points
        else:
            vals, pts = worst_perturbations(problem, model, attack, seed + rounds,
                                            starts=_worst_points(pool, fin, problem))
        record["attack_value"] = float(np.maximum(vals.numpy(), pool_max).mean())
        new = torch.nonzero(torch.as_tensor(vals.numpy() > pool_max + cut)).flatten()
        if new.numel() and rounds < max_rounds:
            active = _replace_worst(active, pool, new.numpy(), pts[new])
            history.append(record)
            continue
        upper_vec, cert_info, better = _certified_upper(problem, fin, Zs, pool, model, vals, pts, cert, tol,
                                                        cell_budget, certify, exact_linear, use_curvature)
        if better is not None and better[0].numel() and rounds < max_rounds:
            active = _replace_worst(active, pool, better[0].numpy(), better[1])
            record["certified_upper"] = float(upper_vec.mean())
            history.append(record)
            continue
        if upper_vec is not None:
            upper = float(upper_vec.mean())
            if problem.form == "regularized" and target is None:
                upper += problem.regularization / 2 * sum(nm * nm for nm in fin.norms)
            record["certified_upper"] = upper
        history.append(record)
        if upper_vec is None:
            status = "uncertified"
        elif target is None:
            status = "converged" if upper - best_lower <= tol else "gap-above-tolerance"
        else:
            status = "converged" if upper <= target else "gap-above-tolerance"
        break
    attack_value = history[-1]["attack_value"] if history else math.nan
    if target is not None:
        # same active set as the last round, new target: one more solve of the finite program
        final = solve_finite_unthreaded(problem, pool.Z, pool.owner, formulation=formulation, solver=solver,
                                        active=fin.active, offset=pool.offset, target=target, reuse=fin.compiled)
        statuses += final.solver_statuses
        solves += final.solves
        lower_out, upper_out = final.lower, (fin.upper if status == "converged" else None)
        certified_loss = upper
    else:
        lower_out, upper_out, certified_loss = best_lower, upper, upper
    cert_info["certified_robust_loss"] = certified_loss
    return RobustKernelResult(
        lower=lower_out, upper=upper_out, attack_value=attack_value, status=status, solver_statuses=statuses,
        duality_gap=fin.gap, iterations=len(history), finite_solves=solves, points=pool.Z[fin.active].clone(),
        owner=pool.owner[fin.active], betas=fin.betas, norms=fin.norms, truncation_error=fin.truncation_error,
        certificate=cert_info, history=history, wall_time_s=time.perf_counter() - start,
        objective_kind="min-norm" if target is not None else problem.form)


def _linear_result(problem, tol, linear_inner_max, solver, start) -> RobustKernelResult:
    """The closed-form linear solve (numerics.robust_kernel.linear_closed_form) as a result: f = wᵀx is returned as
    the expansion over the coordinate vectors (points = I_d, β = w; owner −1: not perturbations of a sample)."""
    sol = solve_linear_closed_form(problem, linear_inner_max, solver=solver)
    d = problem.X.shape[1]
    status = "converged" if sol.upper - sol.lower <= tol else "gap-above-tolerance"
    info = {"method": "linear-closed-form", "complete": True, "certified_robust_loss": sol.upper}
    record = {"round": 1, "finite_lower": sol.lower, "certified_upper": sol.upper, "attack_value": sol.upper}
    return RobustKernelResult(
        lower=sol.lower, upper=sol.upper, attack_value=sol.upper, status=status, solver_statuses=[sol.solver_status],
        duality_gap=sol.upper - sol.lower, iterations=1, finite_solves=1,
        points=torch.eye(d, dtype=problem.X.dtype), owner=np.full(d, -1), betas=[sol.w],
        norms=[float(np.linalg.norm(sol.w))], truncation_error=0.0, certificate=info, history=[record],
        wall_time_s=time.perf_counter() - start, objective_kind=problem.form)


def _certified_upper(problem, fin, Zs, pool, model, vals, pts, cert, tol, cell_budget, certify, exact_linear,
                     use_curvature):
    """(per-sample certified upper bounds or None, certificate record, (samples, points) the certificate found
    above the finite set or None)."""
    pool_max = finite_objective(problem.loss, fin.values, problem.y.numpy()[pool.owner], pool.owner, problem.n)
    cut = max(CUT_TOL, CUT_FRACTION * tol)
    if exact_linear:
        return np.maximum(vals.numpy(), pool_max), {"method": "exact-linear", "complete": True}, None
    if not certify:
        return None, {"method": "none", "reason": "certify=False"}, None
    if use_curvature:
        if cert is None or float(np.mean(cert.upper - cert.lower)) > tol / 2:
            cert = _curvature_certificate(problem, fin, Zs, pool, tol, cell_budget, refine=True)
        info = {"method": "second-order-branch-and-bound", "complete": cert.complete,
                "cells": cert.cells_evaluated, "hessian_lipschitz_max": float(cert.hessian_lipschitz.max())}
        better = torch.nonzero(torch.as_tensor(cert.lower > pool_max + cut)).flatten()
        return cert.upper, info, (better, cert.points[better])
    if problem.kernel.lipschitz_modulus(1.0) is not None:
        lip = _certify(problem, model, fin, Zs, vals, pts, tol / 2, cell_budget)
        info = {"method": "lipschitz-branch-and-bound", "complete": lip.complete, "cells": lip.cells_evaluated,
                "lipschitz_max": float(lip.lipschitz.max()), "max_norm": float(lip.max_norm.max())}
        better = torch.nonzero(torch.as_tensor(lip.lower > pool_max + cut)).flatten()
        return lip.upper, info, (better, lip.points[better])
    return None, {"method": "none", "reason": "no derivative bounds for this kernel"}, None


def _curvature_certificate(problem, fin, Zs, pool, tol, cell_budget, refine):
    return certify_max_loss_curvature(problem.kernel, Zs, [torch.as_tensor(b) for b in fin.betas], problem.X,
                                      problem.y, problem.pset, problem.loss, tol=tol / 2,
                                      starts=_worst_points(pool, fin, problem), cell_budget=cell_budget,
                                      refine=refine)


def _carrying(fin: FiniteSolution, owner: np.ndarray, problem: RobustKernelProblem, margin: float) -> np.ndarray:
    """The active points worth keeping for the next round (numerics.robust_kernel.program.carrying)."""
    S = fin.active
    losses = problem.loss.value_numpy(fin.values[S], problem.y.numpy()[owner[S]])
    return carrying(S, np.abs(fin.dual_a * fin.dual_s), losses, owner, margin)


def _replace_worst(active: np.ndarray, pool: "_Pool", samples: np.ndarray, points: torch.Tensor) -> np.ndarray:
    """The next round's warm-start active set: each listed sample's new worst point (added to the pool) replaces
    its active points, which stay in the pool and return when violated — fewer active points, smaller
    interior-point systems, the same optimum over the pool."""
    return np.union1d(active[~np.isin(pool.owner[active], samples)], pool.add(points, samples))


def _worst_points(pool: "_Pool", fin: FiniteSolution, problem: RobustKernelProblem) -> torch.Tensor:
    """The finite-set point of largest loss for every sample (a warm start for the attack)."""
    losses = problem.loss.value_numpy(fin.values, problem.y.numpy()[pool.owner])
    order = np.lexsort((-losses, pool.owner))
    first = order[np.r_[True, pool.owner[order][1:] != pool.owner[order][:-1]]]
    return pool.Z[first]


def _certify(problem: RobustKernelProblem, model, fin: FiniteSolution, Zs: torch.Tensor, vals, pts, tol: float,
             cell_budget: int):
    """Lipschitz branch and bound for the kernel expansion f (no offset): L_i = Σ_b ‖f_b‖·μ_b(s_i)."""
    kernel = problem.kernel
    s = region_max_norm(problem.pset, problem.X)
    lip = torch.tensor([sum(nm * mu for nm, mu in zip(fin.norms, kernel.lipschitz_modulus(float(si))))
                        for si in s], dtype=torch.float64)
    # |f| ≤ Σ_j |β_j|·max|k|, and the kernels with a modulus (linear; two-layer relu2 NTK) are homogeneous of
    # degree ≤ 2 in each argument, so k(z, x) ≤ √(k(z,z)k(x,x)) ≤ max_j k(z_j,z_j)·(s²/min_j‖z_j‖²)².
    diag = max(float(np.diag(K).max()) for K in kernel.gram(Zs))
    zmin = float(torch.linalg.norm(Zs, dim=1).min())
    kmax = diag * (float(s.max()) ** 2 / max(zmin, 1e-12) ** 2) ** 2
    rounding = EVAL_ROUNDING_REL * sum(float(np.abs(b).sum()) for b in fin.betas) * max(kmax, 1.0)
    smax = s.to(torch.float64)

    def remainder(r: torch.Tensor, cn: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        parts = kernel.taylor_remainder(r, cn, smax[owner])
        return sum(nm * e for nm, e in zip(fin.norms, parts))

    use_remainder = kernel.taylor_remainder(torch.ones(1), torch.full((1,), 2.0), torch.ones(1)) is not None
    return certify_max_loss(model, problem.X, problem.y, problem.pset, problem.loss, lip, tol=tol,
                            remainder=remainder if use_remainder else None, rounding=2 * rounding,
                            incumbent_values=vals.detach(), incumbent_points=pts.detach(), cell_budget=cell_budget)


def robust_loss_curve(problem: RobustKernelProblem, radii: Sequence[float], **kwargs) -> list[RobustKernelResult]:
    """solve_robust at each radius (same data, kernel and settings): the bracket of the optimum vs R."""
    out = []
    for R in radii:
        p = robust_kernel_problem(problem.X, problem.y, problem.kernel, problem.pset, problem.loss, radius=R)
        out.append(solve_robust(p, **kwargs))
    return out
