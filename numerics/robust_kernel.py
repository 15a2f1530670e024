"""Robust kernel problems: the best robust loss of a function in the RKHS of a kernel (C8, C1 comparator).

    ball form          minimize_f  L*(f) = (1/n) Σ_i max_{x' ∈ B(x_i)} ℓ(f(x'), y_i)   s.t. ‖f_b‖_{H_b} ≤ R_b
    regularized form   minimize_f  L*(f) + (λ/2) Σ_b ‖f_b‖²_{H_b}
    min-norm form      minimize_f  max_b ‖f_b‖/ρ_b   s.t. L*(f) ≤ ε            (ρ_b = relative radii)

with f = f0 + Σ_b f_b (numerics.kernels: blocks, offset f0). On a finite point set Z ⊂ ∪B(x_i) (owner(j) = i)
the problem is the epigraph program  min (1/n)Σ t_i  s.t.  t_i ≥ ℓ(f(z_j), y_i) for j ∈ Z_i, and by the
representer theorem f_b = Σ_j β_bj k_b(z_j, ·). Two formulations of that program:

* ``"direct"``    f = Σ_b K_b β_b, ‖L_bᵀ β_b‖₂ ≤ R_b with L_b the Cholesky factor of K_b (one cvxpy solve).
* ``"features"``  constraint generation: solve on an active subset S ⊂ Z in eigen-feature coordinates
                  (numerics.kernel_features, f = Φ w, ‖f_b‖ = ‖w_b‖), evaluate f on all of Z, add the points
                  whose loss exceeds t_i, repeat. At the end no point of Z is violated, so the solution solves
                  the program on all of Z; only |S| ≪ |Z| features ever enter the conic solver.

Certified bounds, both recomputed in float64 numpy from the kernel (never read off the solver):

* lower (weak duality): for weights a_j ≥ 0 with Σ_{j∈Z_i} a_j = 1/n and slopes s_j ∈ dom ℓ*,
  every f with ‖f_b‖ ≤ R_b has  (1/n)Σ_i max_{j∈Z_i} ℓ(f(z_j)) ≥ Σ_j a_j[s_j f(z_j) − ℓ*(s_j)]
  ≥ Σ_j a_j s_j f0(z_j) − Σ_j a_j ℓ*(s_j) − Σ_b R_b ‖v‖_{K_b},  v = a⊙s, ‖v‖_K = √(vᵀKv);
  (regularized: − Σ_b ‖v‖²_{K_b}/(2λ)). Z ⊂ ∪B(x_i), so this bounds the optimal ROBUST loss from below.
  (a, s) come from the solver's dual values (repaired into the dual domain), which only affects tightness.
* upper: the objective of the returned f (norms rescaled onto the ball if the solver overshoots) — on the
  finite set for :func:`solve_finite`, and certified over the whole sets B(x_i) in :func:`solve_robust`
  (numerics.kernel_certificate; exact for the linear kernel).

:func:`solve_robust` runs cutting planes: solve on the finite set, attack the current f (PGD on the kernel
expansion), add perturbations whose loss exceeds t_i, and when the attack finds none, certify; it stops when
certified upper − lower ≤ tol. A solver failure raises :class:`RobustKernelSolverError` (carrying the status);
a solver status other than ``optimal`` is recorded in ``solver_statuses`` (the judge makes it inconclusive).
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

from numerics.attacks import Attack, verify_membership
from numerics.kernel_certificate import DEFAULT_CELL_BUDGET, certify_max_loss, region_max_norm
from numerics.kernel_features import EIGEN_REL_CUTOFF, KernelError, check_gram, eigen_features
from numerics.threads import single_thread
from numerics.kernels import KernelModel, LinearKernel
from numerics.losses import Loss, get_loss
from numerics.perturbations import PerturbationSet
from theory.errors import InputError, positive_number

FORMULATIONS: tuple[str, ...] = ("features", "direct")
DEFAULT_SOLVER = "CLARABEL"
# A point of the finite set is "violated" when its loss exceeds t_i by more than this (absolute). Clarabel
# solves to ~1e-8 relative; 1e-9 adds every point that could move the optimum at that accuracy.
VIOLATION_TOL = 1e-9
# Cutting planes: a perturbation found by the attack or the certificate becomes a new constraint only when its
# loss beats the finite-set maximum of its sample by more than max(CUT_TOL, CUT_FRACTION·tol): gains far
# below the requested tolerance cannot change the verdict and would only add rounds.
CUT_TOL = 1e-7
CUT_FRACTION = 0.05
# Points added per violated sample and round of constraint generation.
ADD_PER_SAMPLE = 2
# Relative slack accepted on ‖f_b‖ ≤ R_b before rescaling onto the ball (solver feasibility tolerance).
NORM_REL_SLACK = 1e-12
# Rounding allowance when a kernel expansion is evaluated in float64: |Δf| ≤ this·(‖β‖₁·max k + |f0|).
EVAL_ROUNDING_REL = 1e-12
# Jitter added to K (relative to λ_max) in the direct formulation only when its Cholesky factorization fails.
CHOLESKY_JITTER_REL = 1e-12
ROBUST_FAULTS: tuple[str, ...] = ("perturbation-sign",)


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
        raise InputError(f"kernel must be a numerics.kernels.KernelModel, got {type(kernel).__name__}")
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


# --- losses: conjugates and dual variables -----------------------------------------------------------

def _conjugate(name: str, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ℓ*(s) = sup_f (s f − ℓ(f, y)) on its domain (s is repaired into the domain by the caller)."""
    if name in ("hinge", "absolute"):
        return s * y
    if name == "logistic":
        u = np.clip(-s * y, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = np.where(u > 0, u * np.log(u), 0.0) + np.where(u < 1, (1 - u) * np.log1p(-u), 0.0)
        return ent
    return s * y + s * s / 4.0


def _per_sample_sum(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(owner, weights=values, minlength=n)


def _dual_variables(name: str, duals: list[np.ndarray], f: np.ndarray, y: np.ndarray, owner: np.ndarray,
                    n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(a, s) with a ≥ 0, Σ_{j∈Z_i} a_j = 1/n and s_j ∈ dom ℓ*, from the epigraph constraints' duals.

    ``scale`` converts the duals to the ball form's normalization (1 there; 1/λ₀ in the min-norm form).
    """
    count = np.bincount(owner, minlength=n).astype(np.float64)
    if name in ("hinge", "absolute"):
        if name == "hinge":
            pos, neg = np.zeros_like(f), np.clip(duals[0] * scale, 0.0, None)
        else:
            pos, neg = np.clip(duals[0] * scale, 0.0, None), np.clip(duals[1] * scale, 0.0, None)
        mass = pos + neg
        total = _per_sample_sum(mass, owner, n)
        if name == "hinge":
            # v_j = −y_j α_j with Σ_i α ≤ 1/n: a_j ∝ α_j, u_i = n·Σα (a_j·u_i = α_j), s_j = −y_j·u_i.
            capped = np.minimum(total, 1.0 / n)
            u = n * capped
            ratio = np.divide(capped, total, out=np.zeros(n), where=total > 0)
            alpha = neg * ratio[owner]
            a = np.where(total[owner] > 0, alpha / np.where(u[owner] > 0, u[owner], 1.0), 1.0 / (n * count[owner]))
            s = -y * u[owner]
            return a, s
        a = np.where(total[owner] > 0, mass / np.where(total[owner] > 0, total[owner], 1.0), 1.0 / count[owner]) / n
        s = np.divide(pos - neg, mass, out=np.zeros_like(f), where=mass > 0)
        return a, np.clip(s, -1.0, 1.0)
    alpha = np.clip(duals[0] * scale, 0.0, None)
    total = _per_sample_sum(alpha, owner, n)
    a = np.where(total[owner] > 0, alpha / np.where(total[owner] > 0, total[owner], 1.0), 1.0 / count[owner]) / n
    if name == "logistic":
        s = -y / (1.0 + np.exp(np.clip(y * f, -700, 700)))
    else:
        s = 2.0 * (f - y)
    return a, s


def dual_lower_bound(loss: Loss | str, y: np.ndarray, owner: np.ndarray, n: int, grams: Sequence[np.ndarray],
                     offset: np.ndarray, a: np.ndarray, s: np.ndarray, *, radius: Sequence[float] | None = None,
                     regularization: float | None = None) -> float:
    """Weak-duality lower bound of the finite-set (hence robust) optimum for any admissible (a, s).

    D = Σ a_j s_j f0_j − Σ_j a_j ℓ*(s_j) − Σ_b R_b √(vᵀK_b v)   (ball)   or   … − Σ_b vᵀK_b v/(2λ)   (regularized),
    v = a⊙s. ``a`` must be ≥ 0 with per-sample sums 1/n; ``s`` in dom ℓ* (InputError otherwise).
    """
    name = loss if isinstance(loss, str) else loss.name
    a, s, y = np.asarray(a, dtype=np.float64), np.asarray(s, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.any(a < 0) or not np.allclose(_per_sample_sum(a, owner, n), 1.0 / n, rtol=1e-9, atol=0):
        raise InputError("dual weights a must be ≥ 0 with per-sample sums 1/n")
    if name == "hinge" and np.any((s * y > 1e-15) | (s * y < -1 - 1e-12)):
        raise InputError("hinge slopes must satisfy s·y ∈ [−1, 0]")
    if name == "absolute" and np.any(np.abs(s) > 1 + 1e-12):
        raise InputError("absolute-loss slopes must satisfy |s| ≤ 1")
    if name == "logistic" and np.any((-s * y < -1e-15) | (-s * y > 1 + 1e-12)):
        raise InputError("logistic slopes must satisfy −s·y ∈ [0, 1]")
    v = a * s
    value = float(v @ offset - a @ _conjugate(name, s, y))
    quad = [max(float(v @ K @ v), 0.0) for K in grams]
    if radius is not None:
        return value - sum(R * math.sqrt(q) for R, q in zip(radius, quad))
    return value - sum(quad) / (2.0 * regularization)


def _max_per_sample(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, owner, values)
    return out


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


def _grams_over(kernel: KernelModel, Z: torch.Tensor) -> list[np.ndarray]:
    return [check_gram(K, name=f"Gram matrix of block {b}") for b, K in enumerate(kernel.gram(Z))]


def _finite_objective(loss: Loss, values: np.ndarray, y: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    return _max_per_sample(loss.value_numpy(values, y), owner, n)


def solve_finite(problem: RobustKernelProblem, Z: torch.Tensor, owner: np.ndarray, **kwargs) -> FiniteSolution:
    """Solve the finite-set program on the points Z (owner[j] = sample of z_j) and certify its optimum.

    Keywords: ``formulation`` "features" (constraint generation in eigen-feature coordinates, warm-started from
    ``active``) or "direct" (f = Kβ, ‖Lᵀβ‖ ≤ R, all points at once); ``solver`` (default Clarabel);
    ``grams``/``offset`` (precomputed kernel blocks and f0 on Z); ``eigen_cutoff``; ``target`` switches to the
    min-norm form (minimize the common radius scale subject to mean loss ≤ target; radii ∝ ``relative_radii``);
    ``reuse`` (a previous solution's ``compiled``) re-solves its compiled program when the active set is the
    same (warm start of the constraint generation and of cvxpy's canonicalization).
    """
    with single_thread():
        return _solve_finite(problem, Z, owner, **kwargs)


def _solve_finite(problem: RobustKernelProblem, Z: torch.Tensor, owner: np.ndarray, *,
                 formulation: str = "features", solver: str = DEFAULT_SOLVER, active: np.ndarray | None = None,
                 grams: list[np.ndarray] | None = None, offset: np.ndarray | None = None,
                 eigen_cutoff: float = EIGEN_REL_CUTOFF, target: float | None = None,
                 relative_radii: Sequence[float] | None = None, reuse: _Compiled | None = None) -> FiniteSolution:
    if formulation not in FORMULATIONS:
        raise InputError(f"formulation must be one of {FORMULATIONS}, got {formulation!r}")
    owner = np.asarray(owner, dtype=np.int64)
    n, N = problem.n, Z.shape[0]
    if owner.shape != (N,) or owner.min(initial=0) < 0 or owner.max(initial=0) >= n:
        raise InputError(f"owner must hold one sample index in [0, {n}) per point, got shape {owner.shape}")
    if np.bincount(owner, minlength=n).min() == 0:
        raise InputError("every sample needs at least one point in Z")
    grams = _grams_over(problem.kernel, Z) if grams is None else grams
    if offset is None:
        with torch.no_grad():
            offset = problem.kernel.offset(Z).numpy()
    y = problem.y.numpy()[owner]
    form = "min-norm" if target is not None else problem.form
    rel = list(relative_radii) if relative_radii is not None else [1.0] * len(grams)
    start = time.perf_counter()
    if formulation == "direct":
        sol = _solve_direct(problem, grams, offset, y, owner, form, solver, target, rel)
    else:
        sol = _solve_features(problem, grams, offset, y, owner, form, solver, active, eigen_cutoff, target, rel,
                              reuse)
    sol.solve_time_s = time.perf_counter() - start
    return sol


def _finish(problem: RobustKernelProblem, grams, offset, y, owner, S: np.ndarray, betas: list[np.ndarray],
            duals: list[np.ndarray], t: np.ndarray, statuses: list[str], objective: float, form: str,
            target: float | None, rel: list[float], scale: float, rank: list[int], trunc: float, solves: int,
            formulation: str, jitter: float = 0.0) -> FiniteSolution:
    """Rescale onto the ball, evaluate the primal on all points and the dual bound on S, in numpy."""
    n, loss = problem.n, problem.loss
    norms = [math.sqrt(max(float(b @ K[np.ix_(S, S)] @ b), 0.0)) for b, K in zip(betas, grams)]
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
    values = offset + sum(K[:, S] @ b for K, b in zip(grams, betas))
    per_sample = _finite_objective(loss, values, y, owner, n)
    upper = float(per_sample.mean())
    if form == "regularized":
        upper += problem.regularization / 2 * sum(nm * nm for nm in norms)
    a, s = _dual_variables(loss.name, duals, values[S], y[S], owner[S], n, scale=1.0 if form != "min-norm"
                           else _min_norm_scale(duals, owner[S], n, loss.name))
    sub = [K[np.ix_(S, S)] for K in grams]
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
        total = _per_sample_sum(np.clip(duals[0], 0, None), owner, n) + np.clip(duals[1], 0, None)
    elif name == "absolute":
        total = _per_sample_sum(np.clip(duals[0], 0, None) + np.clip(duals[1], 0, None), owner, n)
    else:
        total = _per_sample_sum(np.clip(duals[0], 0, None), owner, n)
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
    return _finish(problem, grams, offset, y, owner, S, betas, program.duals(), np.asarray(program.t.value),
                   [status], objective, form, target, rel, scale, [N] * len(grams), 0.0, 1, "direct", jitter)


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


def _solve_features(problem, grams, offset, y, owner, form, solver, active, cutoff, target, rel,
                    reuse: _Compiled | None = None) -> FiniteSolution:
    n, loss = problem.n, problem.loss
    S = _initial_active(owner, n) if active is None else np.unique(np.asarray(active, dtype=np.int64))
    if np.bincount(owner[S], minlength=n).min() == 0:
        S = np.union1d(S, _initial_active(owner, n))
    statuses, solves = [], 0
    while True:
        if reuse is not None and reuse.program.form == form and np.array_equal(reuse.S, S):
            feats, program = reuse.feats, reuse.program
        else:
            feats = [eigen_features(K[np.ix_(S, S)], rel_cutoff=cutoff, name=f"Gram block {b} on the active set")
                     for b, K in enumerate(grams)]
            # a block with no eigenvalue above the cutoff (a zero kernel) gets one zero feature column: f_b ≡ 0
            phis = [F.phi if F.rank else np.zeros((len(S), 1)) for F in feats]
            program = _Program(loss.name, y[S], owner[S], n, phis, [None] * len(feats), offset[S], form)
        reuse = None
        _set_parameters(program, problem, form, target, rel)
        status, objective = program.solve(solver)
        statuses.append(status)
        solves += 1
        ws = [np.asarray(v.value, dtype=np.float64) for v in program.vars]
        betas = [F.coefficients(w) if F.rank else np.zeros(len(S)) for F, w in zip(feats, ws)]
        t = np.asarray(program.t.value, dtype=np.float64)
        values = offset + sum(K[:, S] @ b for K, b in zip(grams, betas))
        excess = loss.value_numpy(values, y) - t[owner] - VIOLATION_TOL
        excess[S] = -np.inf
        add = _top_violations(excess, owner, n)
        if add.size == 0:
            break
        S = np.union1d(S, add)
    radii = (problem.radius if form == "ball" else
             [float(program.scale.value) * r for r in rel] if form == "min-norm" else
             [math.sqrt(2 * max(objective, 0.0) / problem.regularization)] * len(feats))
    trunc = max(F.truncation_error(R) for F, R in zip(feats, radii))
    scale = float(program.scale.value) if form == "min-norm" else 1.0
    sol = _finish(problem, grams, offset, y, owner, S, betas, program.duals(), t, statuses, objective, form,
                  target, rel, scale, [F.rank for F in feats], trunc, solves, "features")
    sol.compiled = _Compiled(S, feats, program)
    return sol


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
    """The growing finite set Z with its Gram blocks and offsets, extended incrementally."""

    def __init__(self, kernel: KernelModel, Z: torch.Tensor, owner: np.ndarray) -> None:
        self.kernel, self.Z, self.owner = kernel, Z, np.asarray(owner, dtype=np.int64)
        self.grams = _grams_over(kernel, Z)
        with torch.no_grad():
            self.offset = kernel.offset(Z).numpy()

    def add(self, P: torch.Tensor, owner: np.ndarray) -> np.ndarray:
        old = self.Z.shape[0]
        cross = self.kernel.gram(self.Z, P)
        new = self.kernel.gram(P)
        self.grams = [np.block([[K, C], [C.T, Nw]]) for K, C, Nw in zip(self.grams, cross, new)]
        self.grams = [check_gram(K, name=f"Gram matrix of block {b}") for b, K in enumerate(self.grams)]
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


def _linear_exact(problem: RobustKernelProblem, model, fault: str | None):
    """Exact max of ℓ(f(x'), y) over B(x) for f(x) = wᵀx: ℓ is convex in f, so an extreme of wᵀx' wins.

    The planted fault "perturbation-sign" evaluates only x + y·(direction of w), the best case for margin
    losses, instead of both extremes.
    """
    X, y, pset, loss = problem.X, problem.y, problem.pset, problem.loss
    with torch.enable_grad():
        Xv = X.clone().requires_grad_(True)
        (w,) = torch.autograd.grad(model(Xv).sum(), Xv)
    if fault == "perturbation-sign":
        candidates = [pset.linear_argmax(X, y[:, None] * w)]
    else:
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
    the best end point per sample (membership verified by numerics.attacks.verify_membership).

    The logistic surrogate's ascent direction never vanishes (hinge has flat zero-loss regions); the step is
    2.5·δ/steps along sign(g) (linf) or g/‖g‖ (l2, sphere-cap), as numerics.attacks.PGD."""
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
    """Bracket the optimal robust loss by cutting planes (ball or regularized form).

    Keywords: ``tol`` (stop when certified upper − lower ≤ tol; default 1e-2), ``initial_samples`` (seeded
    points per B(x_i) besides x_i), ``seed``, ``attack`` (an numerics.attacks.Attack replacing the default
    multi-start PGD oracle), ``max_rounds``, ``formulation``/``solver`` (of the finite-set program),
    ``certify`` (run the Lipschitz/Taylor branch and bound; kernels without a modulus end "uncertified"),
    ``cell_budget`` (function evaluations of the certificate), ``target`` = ε for the min-norm form — then
    ``lower``/``upper`` are radii: any f with ‖f‖ < lower has robust loss > ε (certified), and the returned f
    has norm ``upper`` and certified robust loss ≤ ε (status "converged") — and ``fault`` (tests only:
    "perturbation-sign", for the linear kernel's exact maximizer). Runs torch on one thread.
    """
    with single_thread():
        return _solve_robust(problem, **kwargs)


def _solve_robust(problem: RobustKernelProblem, *, tol: float = 1e-2, initial_samples: int = 8, seed: int = 0,
                 attack: Attack | None = None, max_rounds: int = 30, formulation: str = "features",
                 solver: str = DEFAULT_SOLVER, certify: bool = True, cell_budget: int = DEFAULT_CELL_BUDGET,
                 target: float | None = None, fault: str | None = None) -> RobustKernelResult:
    if fault is not None and (fault not in ROBUST_FAULTS or not isinstance(problem.kernel, LinearKernel)):
        raise InputError(f"fault must be one of {ROBUST_FAULTS} and needs the linear kernel, got {fault!r}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive finite number, got {tol!r}")
    if target is not None and not (isinstance(target, (int, float)) and math.isfinite(target) and target > 0):
        raise InputError(f"target must be a positive finite number, got {target!r}")
    start = time.perf_counter()
    n, loss, kernel = problem.n, problem.loss, problem.kernel
    pool = _Pool(kernel, *initial_points(problem, initial_samples, seed))
    exact_linear = isinstance(kernel, LinearKernel)
    # min-norm: solve to ε − tol so that the certificate (closing slack tol/2) can land at ≤ ε
    solve_target = None if target is None else target - tol
    if solve_target is not None and solve_target <= 0:
        raise InputError(f"target must exceed tol ({tol:g}) in the min-norm form")
    cut = max(CUT_TOL, CUT_FRACTION * tol)
    statuses, history, active, best_lower, solves = [], [], None, -math.inf, 0
    status, cert_info, upper, fin = "max-rounds", {}, None, None
    for rounds in range(1, max_rounds + 1):
        fin = _solve_finite(problem, pool.Z, pool.owner, formulation=formulation, solver=solver, active=active,
                           grams=pool.grams, offset=pool.offset, target=solve_target)
        statuses += fin.solver_statuses
        solves += fin.solves
        active = fin.active
        S = active
        Zs = pool.Z[S]
        betas_t = [torch.as_tensor(b) for b in fin.betas]
        model = (lambda Zs_, bt: (lambda X: kernel.evaluate(X, Zs_, bt)))(Zs, betas_t)
        pool_max = _finite_objective(loss, fin.values, problem.y.numpy()[pool.owner], pool.owner, n)
        if target is None:
            best_lower = max(best_lower, fin.lower)
        record = {"round": rounds, "points": int(pool.Z.shape[0]), "active": int(len(S)),
                  "finite_upper": float(pool_max.mean()), "finite_lower": float(fin.lower),
                  "status": fin.status, "solves": fin.solves}
        if exact_linear:
            vals, pts = _linear_exact(problem, model, fault)
        else:
            vals, pts = worst_perturbations(problem, model, attack, seed + rounds,
                                            starts=_worst_points(pool, fin, problem))
        record["attack_value"] = float(np.maximum(vals.numpy(), pool_max).mean())
        new = torch.nonzero(torch.as_tensor(vals.numpy() > pool_max + cut)).flatten()
        if new.numel() and rounds < max_rounds:
            idx = pool.add(pts[new], new.numpy())
            active = np.union1d(active, idx)
            history.append(record)
            continue
        if exact_linear:
            upper_vec = np.maximum(vals.numpy(), pool_max)
            cert_info = {"method": "exact-linear", "complete": True}
        elif certify and kernel.lipschitz_modulus(1.0) is not None:
            cert = _certify(problem, model, fin, Zs, vals, pts, tol / 2, cell_budget)
            cert_info = {"method": "lipschitz-branch-and-bound", "complete": cert.complete,
                         "cells": cert.cells_evaluated, "lipschitz_max": float(cert.lipschitz.max()),
                         "max_norm": float(cert.max_norm.max())}
            better = torch.nonzero(torch.as_tensor(cert.lower > pool_max + cut)).flatten()
            upper_vec = cert.upper
            if better.numel() and rounds < max_rounds:
                idx = pool.add(cert.points[better], better.numpy())
                active = np.union1d(active, idx)
                record["certified_upper"] = float(upper_vec.mean())
                history.append(record)
                continue
        else:
            upper_vec = None
            cert_info = {"method": "none", "reason": "no Lipschitz modulus for this kernel"}
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
        # same active set and program as the last round, new target: cvxpy re-solves the compiled program
        final = _solve_finite(problem, pool.Z, pool.owner, formulation=formulation, solver=solver, active=active,
                              grams=pool.grams, offset=pool.offset, target=target, reuse=fin.compiled)
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
                            remainder=remainder if use_remainder else None, rounding=2 * rounding, incumbent_values=vals.detach(), incumbent_points=pts.detach(),
                            cell_budget=cell_budget)


def robust_loss_curve(problem: RobustKernelProblem, radii: Sequence[float], **kwargs) -> list[RobustKernelResult]:
    """solve_robust at each radius (same data, kernel and settings): the bracket of the optimum vs R."""
    out = []
    for R in radii:
        p = robust_kernel_problem(problem.X, problem.y, problem.kernel, problem.pset, problem.loss, radius=R)
        out.append(solve_robust(p, **kwargs))
    return out


__all__ = ["FORMULATIONS", "DEFAULT_SOLVER", "RobustKernelProblem", "RobustKernelResult", "FiniteSolution",
           "RobustKernelSolverError", "KernelError", "robust_kernel_problem", "solve_finite", "solve_robust",
           "robust_loss_curve", "dual_lower_bound", "initial_points", "multistart_pgd", "worst_perturbations"]
