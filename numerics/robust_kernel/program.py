"""Robust kernel problems: the best robust loss of a function in the RKHS of a kernel (C8, C1 comparator).

    ball form          minimize_f  L*(f) = (1/n) Σ_i max_{x' ∈ B(x_i)} ℓ(f(x'), y_i)   s.t. ‖f_b‖_{H_b} ≤ R_b
    regularized form   minimize_f  L*(f) + (λ/2) Σ_b ‖f_b‖²_{H_b}
    min-norm form      minimize_f  max_b ‖f_b‖/ρ_b   s.t. L*(f) ≤ ε            (ρ_b = relative radii)

with f = f0 + Σ_b f_b (numerics.robust_kernel.kernels: blocks, offset f0). On a finite point set Z ⊂ ∪B(x_i) (owner(j) = i)
the problem is the epigraph program  min (1/n)Σ t_i  s.t.  t_i ≥ ℓ(f(z_j), y_i) for j ∈ Z_i, and by the
representer theorem f_b = Σ_j β_bj k_b(z_j, ·). Formulations of that program:

* ``"direct"``    f = Σ_b K_b β_b, ‖L_bᵀ β_b‖₂ ≤ R_b with L_b the Cholesky factor of K_b (one cvxpy solve).
* ``"features"``  constraint generation: solve on an active subset S ⊂ Z in eigen-feature coordinates
                  (numerics.robust_kernel.features, f = Φ w, ‖f_b‖ = ‖w_b‖), evaluate f on all of Z, add the points
                  whose loss exceeds t_i, repeat. At the end no point of Z is violated, so the solution solves
                  the program on all of Z; only |S| ≪ |Z| features ever enter the conic solver.
* ``"interior-point"``  the same constraint generation with the hinge loss's dual solved by the dense
                  primal-dual interior point of numerics.robust_kernel.interior_point (Clarabel where it stalls).
* ``"auto"``      interior-point for the hinge loss in the ball or regularized form, features otherwise.
Without precomputed Gram matrices no N×N Gram is formed: the kernel columns of active points are cached
(numerics.robust_kernel.columns.GramSource), memory O(|Z|·|active ever|), bounded.

The returned solution carries a certified bracket (lower: weak duality, numerics.robust_kernel.duality;
upper: the objective of the returned f on the finite set, recomputed in float64 numpy from the kernel, norms
rescaled onto the ball if the solver overshoots). :func:`solve_robust` (numerics.robust_kernel.cutting_planes)
extends it to the whole sets B(x_i). A solver failure raises :class:`RobustKernelSolverError` (carrying the
status); a status other than ``optimal`` is recorded in ``solver_statuses`` (the judge makes it inconclusive).

Length (~520 lines): the problem, the cvxpy program, the three solve paths and the certification step they share
(:func:`_finish`) belong together; split, the paths would have to export their private steps to each other.
"""
from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import scipy.sparse as sps
import torch

from numerics.robust_kernel.interior_point import InteriorPointFailure, solve_hinge_dual
from numerics.robust_kernel.columns import GramSource
from numerics.robust_kernel.features import EIGEN_REL_CUTOFF, check_gram, eigen_features
from numerics.execution.threads import single_thread
from numerics.robust_kernel.kernels import KernelModel
from numerics.network.losses import Loss, get_loss
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.duality import dual_lower_bound, dual_variables, max_per_sample, per_sample_sum
from theory.errors import InputError, positive_number

FORMULATIONS: tuple[str, ...] = ("features", "direct", "interior-point", "auto")
DEFAULT_SOLVER = "CLARABEL"
# A point of the finite set is "violated" when its loss exceeds t_i by more than this (absolute). Clarabel
# solves to ~1e-8 relative; 1e-9 adds every point that could move the optimum at that accuracy.
VIOLATION_TOL = 1e-9
# Points added per violated sample and round of constraint generation. One: a sample's second-worst point rarely
# ends with dual weight, and every added point enlarges the dense Newton systems of the interior point (cost
# O(|S|³)); at n = 1024 (issue-12 benchmark) two per sample made the first re-solve 2,495 points instead of 1,771.
ADD_PER_SAMPLE = 1
# Active-set pruning: a point stays active while its dual weight exceeds this fraction of the largest (or it is its
# sample's worst point); points below carry ≤ 1e-3 of the weight and only enlarge the dense systems.
PRUNE_REL = 1e-3
# Relative slack accepted on ‖f_b‖ ≤ R_b before rescaling onto the ball (solver feasibility tolerance).
NORM_REL_SLACK = 1e-12
# Jitter added to K (relative to λ_max) in the direct formulation only when its Cholesky factorization fails.
CHOLESKY_JITTER_REL = 1e-12
# Interior point: finite gap (upper − lower on the active set) at which it stops. The certified
# bracket is recomputed from the result either way; 1e-7 is far below every tolerance asked of the robust solve.
INTERIOR_POINT_GAP_TOL = 1e-7


class RobustKernelSolverError(RuntimeError):
    """The conic solver returned no solution (status such as infeasible, unbounded or solver_error)."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


# --- problem ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RobustKernelProblem:
    """Data, kernel, perturbation set and loss, with either per-block radii or a regularization weight."""

    X: torch.Tensor
    y: torch.Tensor
    kernel: KernelModel
    pset: PerturbationSet
    loss: Loss
    radius: tuple[float, ...] | None = None
    regularization: float | None = None

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def form(self) -> str:
        return "ball" if self.radius is not None else "regularized"




def robust_kernel_problem(X, y, kernel: KernelModel, pset: PerturbationSet, loss: Loss | str, *,
                          radius: float | Sequence[float] | None = None,
                          regularization: float | None = None) -> RobustKernelProblem:
    """Validate and bundle a robust kernel problem (InputError on bad data or settings).

    ``radius``: R (all blocks) or one radius per block; ``regularization``: λ > 0 (exactly one of the two).
    Hinge and logistic losses need labels in {−1, +1}; sphere-cap sets need unit-norm centres.
    """
    if not isinstance(kernel, KernelModel):
        raise InputError(f"kernel must be a numerics.robust_kernel.kernels.KernelModel, got {type(kernel).__name__}")
    if not isinstance(pset, PerturbationSet):
        raise InputError(f"pset must be a PerturbationSet, got {type(pset).__name__}")
    loss = get_loss(loss) if isinstance(loss, str) else loss
    Xt = torch.as_tensor(np.asarray(X.detach().cpu() if isinstance(X, torch.Tensor) else X, dtype=np.float64))
    if Xt.ndim != 2 or Xt.shape[0] == 0:
        raise InputError(f"X must be a non-empty (n, d) array, got shape {tuple(Xt.shape)}")
    if not bool(torch.isfinite(Xt).all()):
        raise InputError("X contains NaN or infinite values")
    pset.check_centres(Xt)
    yt = torch.as_tensor(np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y, dtype=np.float64))
    if yt.shape != (Xt.shape[0],):
        raise InputError(f"y must have shape ({Xt.shape[0]},), got {tuple(yt.shape)}")
    if not bool(torch.isfinite(yt).all()):
        raise InputError("y contains NaN or infinite values")
    if loss.name in ("hinge", "logistic") and not bool(((yt == 1) | (yt == -1)).all()):
        raise InputError(f"the {loss.name} loss needs labels in {{-1, +1}}")
    if (radius is None) == (regularization is None):
        raise InputError("give exactly one of radius (ball form) and regularization (regularized form)")
    radii = None
    if radius is not None:
        values = [radius] * kernel.blocks if np.ndim(radius) == 0 else list(radius)
        if len(values) != kernel.blocks:
            raise InputError(f"radius needs one value per kernel block ({kernel.blocks}), got {len(values)}")
        radii = tuple(positive_number("radius", r) for r in values)
    lam = None if regularization is None else positive_number("regularization", regularization)
    return RobustKernelProblem(Xt, yt, kernel, pset, loss, radii, lam)


# --- the finite-set program in cvxpy ------------------------------------------------------------------

class _Program:
    """The epigraph program on one point set, built once; radius/λ/target are cvxpy Parameters (DPP)."""

    def __init__(self, loss: str, y: np.ndarray, owner: np.ndarray, n: int, value_maps: list[np.ndarray],
                 norm_maps: list[np.ndarray | None], offset: np.ndarray, form: str) -> None:
        self.form = form
        E = sps.csr_matrix((np.ones(len(owner)), (np.arange(len(owner)), owner)), shape=(len(owner), n))
        self.vars = [cp.Variable(M.shape[1]) for M in value_maps]
        f = offset + sum(M @ v for M, v in zip(value_maps, self.vars))
        self.t = cp.Variable(n)
        t_sel = E @ self.t
        if loss == "hinge":
            self.loss_cons = [t_sel >= 1 - cp.multiply(y, f), self.t >= 0]
        elif loss == "absolute":
            self.loss_cons = [t_sel >= f - y, t_sel >= y - f]
        elif loss == "logistic":
            self.loss_cons = [t_sel >= cp.logistic(-cp.multiply(y, f))]
        else:
            self.loss_cons = [t_sel >= cp.square(f - y)]
        norms = [cp.norm(v) if N is None else cp.norm(N @ v) for N, v in zip(norm_maps, self.vars)]
        mean_t = cp.sum(self.t) / n
        if form == "ball":
            self.radius = [cp.Parameter(nonneg=True) for _ in norms]
            cons = self.loss_cons + [nm <= R for nm, R in zip(norms, self.radius)]
            objective = mean_t
        elif form == "regularized":
            self.lam = cp.Parameter(nonneg=True)
            sq = [cp.sum_squares(v) if N is None else cp.sum_squares(N @ v) for N, v in zip(norm_maps, self.vars)]
            cons, objective = self.loss_cons, mean_t + self.lam / 2 * sum(sq)
        else:
            self.scale = cp.Variable(nonneg=True)
            self.rel = [cp.Parameter(nonneg=True) for _ in norms]
            self.target = cp.Parameter()
            self.budget = mean_t <= self.target
            cons = self.loss_cons + [self.budget] + [nm <= self.scale * r for nm, r in zip(norms, self.rel)]
            objective = self.scale
        self.problem = cp.Problem(cp.Minimize(objective), cons)

    def solve(self, solver: str) -> tuple[str, float]:
        try:
            with warnings.catch_warnings():   # "solution may be inaccurate": the status below carries it
                warnings.simplefilter("ignore", UserWarning)
                self.problem.solve(solver=solver)
        except cp.error.SolverError as exc:
            raise RobustKernelSolverError(f"{solver} failed: {exc}", "solver_error") from exc
        status = str(self.problem.status)
        if any(v.value is None for v in self.vars) or self.t.value is None:
            raise RobustKernelSolverError(f"{solver} returned no solution (status {status})", status)
        return status, float(self.problem.value)

    def duals(self) -> list[np.ndarray]:
        return [np.atleast_1d(np.asarray(c.dual_value, dtype=np.float64)) for c in self.loss_cons]


# --- finite-set solve ---------------------------------------------------------------------------------

@dataclass
class FiniteSolution:
    """Solution of the finite-set program on Z (points), with certified bounds on its optimum."""

    status: str
    solver_statuses: list[str]
    objective: float
    lower: float
    upper: float
    active: np.ndarray
    betas: list[np.ndarray]
    norms: list[float]
    values: np.ndarray
    t: np.ndarray
    rank: list[int]
    truncation_error: float
    solves: int
    solve_time_s: float
    formulation: str
    dual_a: np.ndarray
    dual_s: np.ndarray
    jitter: float = 0.0
    compiled: "_Compiled | None" = field(default=None, repr=False)

    @property
    def gap(self) -> float:
        """Certified duality gap: upper (primal value of the returned f) − lower (dual bound)."""
        return self.upper - self.lower


def grams_over(kernel: KernelModel, Z: torch.Tensor) -> list[np.ndarray]:
    return [check_gram(K, name=f"Gram matrix of block {b}") for b, K in enumerate(kernel.gram(Z))]


def finite_objective(loss: Loss, values: np.ndarray, y: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    return max_per_sample(loss.value_numpy(values, y), owner, n)


def resolve_formulation(problem: RobustKernelProblem, formulation: str, target: float | None) -> str:
    """"auto": the dual interior point for the hinge loss in the ball or regularized form, constraint generation with
    Clarabel ("features") otherwise."""
    if formulation not in FORMULATIONS:
        raise InputError(f"formulation must be one of {FORMULATIONS}, got {formulation!r}")
    if formulation == "interior-point" and (problem.loss.name != "hinge" or target is not None):
        raise InputError("the interior-point formulation solves the hinge loss in the ball or regularized form only")
    if formulation != "auto":
        return formulation
    return "interior-point" if problem.loss.name == "hinge" and target is None else "features"


def solve_finite(problem: RobustKernelProblem, Z: torch.Tensor, owner: np.ndarray, **kwargs) -> FiniteSolution:
    """Solve the finite-set program on the points Z (owner[j] = sample of z_j) and certify its optimum.

    Keywords: ``formulation`` "features" (constraint generation in eigen-feature coordinates with Clarabel,
    warm-started from ``active``), "interior-point" (constraint generation with the dense dual interior point of
    numerics.robust_kernel.barrier; hinge loss, ball or regularized form), "direct" (f = Kβ, ‖Lᵀβ‖ ≤ R, all points
    at once) or "auto" (interior-point where it applies, else features); ``solver`` (default Clarabel); ``grams``/``offset``
    (precomputed kernel blocks and f0 on Z; without ``grams`` only active-set blocks are formed); ``eigen_cutoff``;
    ``gap_tol`` (interior-point: finite gap at which to stop); ``violation_tol`` (a point is added when its loss
    exceeds t_i by more than this; the bracket is certified whatever its value); ``target`` switches to the min-norm form (minimize the
    common radius scale subject to mean loss ≤ target; radii ∝ ``relative_radii``); ``reuse`` (a previous
    solution's ``compiled``) re-solves its compiled program when the active set is the same.
    """
    with single_thread():
        return solve_finite_unthreaded(problem, Z, owner, **kwargs)


def solve_finite_unthreaded(problem: RobustKernelProblem, Z: torch.Tensor, owner: np.ndarray, *,
                 formulation: str = "features", solver: str = DEFAULT_SOLVER, active: np.ndarray | None = None,
                 grams: list[np.ndarray] | None = None, offset: np.ndarray | None = None,
                 eigen_cutoff: float = EIGEN_REL_CUTOFF, target: float | None = None,
                 relative_radii: Sequence[float] | None = None, reuse: _Compiled | None = None,
                 gap_tol: float = INTERIOR_POINT_GAP_TOL, violation_tol: float = VIOLATION_TOL) -> FiniteSolution:
    formulation = resolve_formulation(problem, formulation, target)
    owner = np.asarray(owner, dtype=np.int64)
    n, N = problem.n, Z.shape[0]
    if owner.shape != (N,) or owner.min(initial=0) < 0 or owner.max(initial=0) >= n:
        raise InputError(f"owner must hold one sample index in [0, {n}) per point, got shape {owner.shape}")
    if np.bincount(owner, minlength=n).min() == 0:
        raise InputError("every sample needs at least one point in Z")
    for name, value in (("gap_tol", gap_tol), ("violation_tol", violation_tol)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive finite number, got {value!r}")
    if formulation == "direct" and grams is None:
        grams = grams_over(problem.kernel, Z)
    source = GramSource(problem.kernel, Z, grams)
    if offset is None:
        with torch.no_grad():
            offset = problem.kernel.offset(Z).numpy()
    y = problem.y.numpy()[owner]
    form = "min-norm" if target is not None else problem.form
    rel = list(relative_radii) if relative_radii is not None else [1.0] * problem.kernel.blocks
    start = time.perf_counter()
    if formulation == "direct":
        sol = _solve_direct(problem, grams, offset, y, owner, form, solver, target, rel)
    else:
        sol = _solve_generated(problem, source, offset, y, owner, form, solver, active, eigen_cutoff, target, rel,
                               reuse, formulation, gap_tol, violation_tol)
    sol.solve_time_s = time.perf_counter() - start
    return sol


def _finish(problem: RobustKernelProblem, source: GramSource, sub: list[np.ndarray], offset, y, owner,
            S: np.ndarray, betas: list[np.ndarray], duals: list[np.ndarray], t: np.ndarray, statuses: list[str],
            objective: float, form: str, target: float | None, rel: list[float], scale: float, rank: list[int],
            trunc: float, solves: int, formulation: str, values: np.ndarray | None = None,
            jitter: float = 0.0) -> FiniteSolution:
    """Rescale onto the ball, evaluate the primal on all points and the dual bound on S, in numpy (``values``:
    f on all points for these betas, when already computed)."""
    n, loss = problem.n, problem.loss
    norms = [math.sqrt(max(float(b @ K @ b), 0.0)) for b, K in zip(betas, sub)]
    if form == "ball":
        radii = list(problem.radius)
    elif form == "min-norm":
        radii = [scale * r for r in rel]
    else:
        radii = None
    if radii is not None:
        for b, (nm, R) in enumerate(zip(norms, radii)):
            if nm > R * (1 + NORM_REL_SLACK):
                betas[b] = betas[b] * (R / nm)
                norms[b] = R
                values = None
    if values is None:
        values = source.values(S, betas, offset)
    per_sample = finite_objective(loss, values, y, owner, n)
    upper = float(per_sample.mean())
    if form == "regularized":
        upper += problem.regularization / 2 * sum(nm * nm for nm in norms)
    a, s = dual_variables(loss.name, duals, values[S], y[S], owner[S], n, scale=1.0 if form != "min-norm"
                           else _min_norm_scale(duals, owner[S], n, loss.name))
    if form == "ball":
        lower = dual_lower_bound(loss, y[S], owner[S], n, sub, offset[S], a, s, radius=problem.radius)
    elif form == "regularized":
        lower = dual_lower_bound(loss, y[S], owner[S], n, sub, offset[S], a, s,
                                 regularization=problem.regularization)
    else:
        # min-norm: the bound is on the radius, not on the loss: any f with max_b ‖f_b‖/ρ_b < R_lower has
        # finite-set loss > target. D(R) = A − R·B is affine in the common scale R.
        A = dual_lower_bound(loss, y[S], owner[S], n, sub, offset[S], a, s, radius=[0.0] * len(sub))
        B = A - dual_lower_bound(loss, y[S], owner[S], n, sub, offset[S], a, s, radius=rel)
        lower = (A - target) / B if B > 0 and A > target else (math.inf if B <= 0 and A > target else 0.0)
        upper = max(norms[b] / rel[b] for b in range(len(rel)))
    status = next((st for st in statuses if st != "optimal"), "optimal")
    return FiniteSolution(status=status, solver_statuses=statuses, objective=objective, lower=lower, upper=upper,
                          active=S, betas=betas, norms=norms, values=values, t=t, rank=rank,
                          truncation_error=trunc, solves=solves, solve_time_s=0.0, formulation=formulation,
                          dual_a=a, dual_s=s, jitter=jitter)


def _min_norm_scale(duals: list[np.ndarray], owner: np.ndarray, n: int, name: str) -> float:
    """1/λ₀ for the min-norm form: λ₀/n = Σ_{j∈Z_i} α_j (+ μ_i for hinge) for every sample i."""
    if name == "hinge":
        total = per_sample_sum(np.clip(duals[0], 0, None), owner, n) + np.clip(duals[1], 0, None)
    elif name == "absolute":
        total = per_sample_sum(np.clip(duals[0], 0, None) + np.clip(duals[1], 0, None), owner, n)
    else:
        total = per_sample_sum(np.clip(duals[0], 0, None), owner, n)
    lam0 = n * float(total.max())
    return 1.0 / lam0 if lam0 > 0 else 1.0


def _set_parameters(program: _Program, problem: RobustKernelProblem, form: str, target, rel) -> None:
    if form == "ball":
        for p, R in zip(program.radius, problem.radius):
            p.value = R
    elif form == "regularized":
        program.lam.value = problem.regularization
    else:
        program.target.value = target
        for p, r in zip(program.rel, rel):
            p.value = r


def _solve_direct(problem, grams, offset, y, owner, form, solver, target, rel) -> FiniteSolution:
    n, N = problem.n, len(owner)
    factors, jitter = [], 0.0
    for K in grams:
        try:
            L = np.linalg.cholesky(K)
        except np.linalg.LinAlgError:
            jitter = CHOLESKY_JITTER_REL * float(np.linalg.eigvalsh(K)[-1])
            L = np.linalg.cholesky(K + jitter * np.eye(N))
        factors.append(L.T)
    program = _Program(problem.loss.name, y, owner, n, grams, factors, offset, form)
    _set_parameters(program, problem, form, target, rel)
    status, objective = program.solve(solver)
    betas = [np.asarray(v.value, dtype=np.float64) for v in program.vars]
    S = np.arange(N)
    scale = float(program.scale.value) if form == "min-norm" else 1.0
    return _finish(problem, GramSource(problem.kernel, None, grams), grams, offset, y, owner, S, betas,
                   program.duals(), np.asarray(program.t.value), [status], objective, form, target, rel, scale,
                   [N] * len(grams), 0.0, 1, "direct", jitter=jitter)


def _initial_active(owner: np.ndarray, n: int) -> np.ndarray:
    """The first point of every sample (the clean point when Z lists centres first)."""
    first = np.full(n, -1)
    for j in range(len(owner) - 1, -1, -1):
        first[owner[j]] = j
    return np.sort(first)


@dataclass
class _Compiled:
    """An active set with its eigen-features and compiled cvxpy program, re-solvable with new parameter values
    (radius, λ or target are cvxpy Parameters, so cvxpy reuses its DPP canonicalization)."""

    S: np.ndarray
    feats: list
    program: _Program


def _solve_generated(problem, source, offset, y, owner, form, solver, active, cutoff, target, rel, reuse,
                     formulation, gap_tol, violation_tol) -> FiniteSolution:
    """Constraint generation: solve on the active set S (Clarabel on eigen-features, or the dual interior point), evaluate
    f on all points, add the most violated points of every sample, repeat until none is violated.

    The interior point keeps S small (its cost is O(|S|³)): points without dual weight are dropped, and the first
    time a sample has a violated point, that point replaces the sample's active points instead of joining them (at
    n = 1024 the first re-solve has 1,024 points instead of 1,771). Dropped points stay in the pool and return when
    violated; after its one replacement a sample's points only accumulate, so the loop ends as before. Which points
    are active never affects the result: it is the optimum over all points of Z once none is violated."""
    n, loss = problem.n, problem.loss
    S = _initial_active(owner, n) if active is None else np.unique(np.asarray(active, dtype=np.int64))
    if np.bincount(owner[S], minlength=n).min() == 0:
        S = np.union1d(S, _initial_active(owner, n))
    statuses, solves, compiled = [], 0, None
    replaced = np.zeros(n, dtype=bool)
    while True:
        sub = source.sub(S)
        if formulation == "interior-point":
            step = _interior_point_step(problem, sub, offset[S], y[S], owner[S], n, gap_tol, form, solver, S,
                                        cutoff, rel)
        else:
            step, compiled = _features_step(problem, sub, offset[S], y[S], owner[S], n, form, solver, S, cutoff,
                                            target, rel, reuse)
            reuse = None
        betas, duals, t, status, objective, rank, trunc, scale = step
        statuses.append(status)
        solves += 1
        values = source.values(S, betas, offset)
        excess = loss.value_numpy(values, y) - t[owner] - violation_tol
        excess[S] = -np.inf
        add = _top_violations(excess, owner, n)
        if add.size == 0:
            break
        if formulation == "interior-point":     # hinge duals: drop points that carry no weight (re-added if violated)
            S = carrying(S, np.abs(duals[0]), loss.value_numpy(values[S], y[S]), owner, 10 * violation_tol)
            first = np.unique(owner[add])
            first = first[~replaced[first]]
            S = S[~np.isin(owner[S], first)]
            replaced[first] = True
        S = np.union1d(S, add)
    sol = _finish(problem, source, sub, offset, y, owner, S, betas, duals, t, statuses, objective, form, target, rel,
                  scale, rank, trunc, solves, formulation, values=values)
    sol.compiled = compiled
    return sol


def _interior_point_step(problem, sub, offset, y, owner, n, gap_tol, form, solver, S, cutoff, rel):
    """The dual interior point on S; where it does not reach ``gap_tol`` (degenerate duals: near-zero loss, where
    ‖v‖_K → 0 and the dual's curvature blows up) the same solve falls back to Clarabel on eigen-features."""
    try:
        res = solve_hinge_dual(sub, y, owner, n, offset, radius=problem.radius,
                               regularization=problem.regularization, gap_tol=gap_tol)
    except InteriorPointFailure:
        res = None
    if res is None or res.status != "optimal":
        step, _ = _features_step(problem, sub, offset, y, owner, n, form, solver, S, cutoff, None, rel, None)
        return step
    f = offset + sum(K @ b for K, b in zip(sub, res.betas))
    t = max_per_sample(problem.loss.value_numpy(f, y), owner, n)
    t = np.where(np.isfinite(t), t, 0.0)
    objective = float(t.mean())
    return res.betas, res.duals, t, res.status, objective, [len(y)] * len(sub), 0.0, 1.0


def _features_step(problem, sub, offset, y, owner, n, form, solver, S, cutoff, target, rel, reuse):
    if reuse is not None and reuse.program.form == form and np.array_equal(reuse.S, S):
        feats, program = reuse.feats, reuse.program
    else:
        feats = [eigen_features(K, rel_cutoff=cutoff, name=f"Gram block {b} on the active set")
                 for b, K in enumerate(sub)]
        # a block with no eigenvalue above the cutoff (a zero kernel) gets one zero feature column: f_b ≡ 0
        phis = [F.phi if F.rank else np.zeros((len(S), 1)) for F in feats]
        program = _Program(problem.loss.name, y, owner, n, phis, [None] * len(feats), offset, form)
    _set_parameters(program, problem, form, target, rel)
    status, objective = program.solve(solver)
    ws = [np.asarray(v.value, dtype=np.float64) for v in program.vars]
    betas = [F.coefficients(w) if F.rank else np.zeros(len(S)) for F, w in zip(feats, ws)]
    t = np.asarray(program.t.value, dtype=np.float64)
    radii = (problem.radius if form == "ball" else
             [float(program.scale.value) * r for r in rel] if form == "min-norm" else
             [math.sqrt(2 * max(objective, 0.0) / problem.regularization)] * len(feats))
    trunc = max(F.truncation_error(R) for F, R in zip(feats, radii))
    scale = float(program.scale.value) if form == "min-norm" else 1.0
    step = (betas, program.duals(), t, status, objective, [F.rank for F in feats], trunc, scale)
    return step, _Compiled(S, feats, program)


def carrying(S: np.ndarray, weight: np.ndarray, losses: np.ndarray, owner: np.ndarray,
             margin: float = 0.0) -> np.ndarray:
    """The points of S worth keeping active: dual weight above PRUNE_REL of the largest, or a loss within ``margin``
    of their sample's largest on S (so every sample keeps its worst point). Dropped points stay in the pool and
    come back when violated; the margin keeps the nearly tight ones, which would come straight back."""
    keep = weight > PRUNE_REL * max(float(weight.max(initial=0.0)), 1e-300)
    worst = max_per_sample(losses, owner[S], int(owner.max(initial=0)) + 1)
    keep |= losses >= worst[owner[S]] - margin
    return S[keep]


def _top_violations(excess: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ADD_PER_SAMPLE most violated points of every sample with a positive excess."""
    picked = []
    order = np.argsort(-excess, kind="stable")
    taken = np.zeros(n, dtype=np.int64)
    for j in order:
        if excess[j] <= 0:
            break
        if taken[owner[j]] < ADD_PER_SAMPLE:
            taken[owner[j]] += 1
            picked.append(j)
    return np.asarray(sorted(picked), dtype=np.int64)
