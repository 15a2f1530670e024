"""The shared problem of the training checks (C1–C4, C7): data on the circle, the theory's schedule, comparators.

Data: n points drawn uniformly on S¹ (d = 2; ``dim`` = 3, … puts them on S^{d−1}, C1's full tier), labels
y = sign(sin(φ + LABEL_PHASE)) with φ the angle of (x₁, x₂) (two half-circles; half-spheres for d ≥ 3),
perturbation sets = sphere caps of chord radius δ (arcs, so an exact grid maximizer and a tight certificate
exist). Network: two-layer (or deeper) softplus net of docs/claims.md §2; loss: logistic (convex, L_ℓ = 1).
Schedule: α and T from the derived chain (theory.requirements.width_requirements: α = 2ε/(3L²G²),
T = 9·H·R²·L²·G²/(4ε²) with the derived gradient bound G) when that T is affordable; otherwise (H ≥ 2, where the
derived G makes T ~ 10⁴–10⁶) G is replaced by a measured value and the evidence says so.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from numerics.adversarial.attacks import PGD
from numerics.training.comparator import Comparator, ComparatorFn, ComparatorProblem, certify_robust_loss, in_ball
from numerics.network.data import sphere_points
from numerics.network.gradients import per_sample_gradient_norms
from numerics.training.kernel_comparator import kernel_comparator
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import DIVERGED
from theory.evidence import Evidence
from theory.requirements import width_requirements

LABEL_PHASE = 0.3
MAX_AFFORDABLE_T = 2000       # iterations above which the derived schedule is replaced (see module docstring)
MEASURED_G_MARGIN = 1.5       # measured max_i ‖∇_W f(W(0), x_i)‖_F × this margin stands in for G when needed


@dataclass(frozen=True)
class Setup:
    """One configuration of the training problem (hashable: used as a cache key)."""

    width: int
    depth: int = 1
    n: int = 16
    delta: float = 0.5
    activation: str = "softplus"
    loss: str = "logistic"
    R: float = 1.5
    eps: float = 0.3
    scaling: str = "per-layer-R"
    seed: int = 0
    theorem: str = "C1"
    dim: int = 2

    def net(self) -> FullyConnected:
        return FullyConnected(self.dim, self.width, self.depth, self.activation, seed=self.seed)

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        X = torch.tensor(sphere_points(self.n, self.dim, seed=10_000 + self.seed))
        y = torch.where(torch.sin(torch.atan2(X[:, 1], X[:, 0]) + LABEL_PHASE) >= 0, 1.0, -1.0).to(X.dtype)
        return X, y

    def pset(self) -> PerturbationSet:
        return PerturbationSet("sphere-cap", self.delta)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Schedule:
    """α, T, the G they were computed with and where it came from, the derived width m*, and R' (C3)."""

    alpha: float
    T: int
    G: float
    G_source: str
    L: float
    m_star: int
    R_prime: float | None


@lru_cache(maxsize=64)
def _requirements(eps: float, R: float, H: int, loss: str, activation: str, theorem: str, scaling: str, d: int):
    return width_requirements(eps, R, H, loss, activation, d=d, theorem=theorem, scaling=scaling)


def schedule(setup: Setup, G_factor: float = 1.0) -> Schedule:
    """α = 2ε/(3L²G²), T = ⌈9·H·r²·L²·G²/(4ε²)⌉ (C3: R' = αTLG) for the setup; ``G_factor`` scales G (planted)."""
    req = _requirements(setup.eps, setup.R, setup.depth, setup.loss, setup.activation, setup.theorem, setup.scaling,
                        setup.dim)
    L = req.constant("L_ell").value
    G, source = req.constant("G").value, "derived bound (theory.requirements.gradient_bound)"
    if req.T > MAX_AFFORDABLE_T:
        X, _ = setup.data()
        G = MEASURED_G_MARGIN * float(per_sample_gradient_norms(setup.net(), X).max())
        source = (f"measured: {MEASURED_G_MARGIN} × max_i ‖∇_W f(W(0), x_i)‖_F (the derived bound "
                  f"{req.constant('G').value:.3g} gives T = {req.T}, beyond {MAX_AFFORDABLE_T}); not a proven bound")
    G *= G_factor
    alpha = 2 * setup.eps / (3 * L ** 2 * G ** 2)
    r2 = setup.R ** 2 if setup.scaling == "per-layer-R" else setup.R ** 2 / setup.width
    depth = setup.depth if setup.theorem == "C1" else 1
    T = max(1, math.ceil(9 * depth * r2 * L ** 2 * G ** 2 / (4 * setup.eps ** 2)))
    R_prime = alpha * T * L * G if setup.theorem == "C3" else None
    return Schedule(alpha=alpha, T=T, G=G, G_source=source, L=L, m_star=req.m, R_prime=R_prime)


def comparator_problem(setup: Setup) -> ComparatorProblem:
    """The comparator's problem: same net, data, B(x), loss and ball; the C1 schedule as its step budget."""
    sched = schedule(Setup(**{**setup.to_dict(), "theorem": "C1"}))
    X, y = setup.data()
    return ComparatorProblem(net=setup.net(), X=X, y=y, pset=setup.pset(), loss=get_loss(setup.loss),
                             radius=setup.R, scaling=setup.scaling, step_size=sched.alpha, iterations=sched.T,
                             seed=setup.seed)


def comparator_for(setup: Setup, comparator: ComparatorFn | None = None) -> Comparator:
    """W* for the setup: by default the robust-kernel comparator (numerics.training.kernel_comparator, cached), else
    ``comparator(problem)`` (e.g. numerics.training.comparator.stronger_attack_comparator). Either way its robust-loss
    bounds are re-certified here (numerics.training.comparator.certify_robust_loss): a comparator's claims are not trusted."""
    key = Setup(**{**setup.to_dict(), "theorem": "C1"})
    if comparator is None:
        return _default_comparator(key)
    return _certified(key, comparator)


def _certified(key: Setup, comparator: ComparatorFn) -> Comparator:
    problem = comparator_problem(key)
    comp = comparator(problem)
    lower, upper, method = certify_robust_loss(problem.net, comp.weights, problem.X, problem.y, problem.pset,
                                               problem.loss)
    comp.details = {**comp.details, "claimed_lower": comp.robust_lower, "claimed_upper": comp.robust_upper}
    comp.robust_lower, comp.robust_upper, comp.certificate = float(lower.mean()), float(upper.mean()), method
    return comp


def train_against_comparator(ev: Evidence, setup: Setup, trainer, comparator: ComparatorFn | None, sched: Schedule,
                             *, pgd_steps: int, **trainer_kwargs: Any) -> tuple[Comparator, Any] | None:
    """Algorithm 1 from W(0) with a PGD(pgd_steps) attack against the comparator W*, logging feature gradients and
    the trajectory; ``trainer_kwargs`` choose projection or not. Returns (W*, run), or None after recording an
    inconclusive reason (W* outside B(R): the regret lemma needs W* ∈ K; or the run diverged)."""
    tag = f"[m={setup.width}]"
    comp = comparator_for(setup, comparator)
    if not in_ball(setup.net(), comp.weights, setup.R, setup.scaling):
        ev.inconclusive_reasons.append(f"{tag} comparator is not in B(R) (the regret lemma needs W* ∈ K)")
        return None
    X, y = setup.data()
    loss = get_loss(setup.loss)
    run = trainer(setup.net(), X, y, attack=PGD(setup.pset(), loss, pgd_steps), loss=loss, step_size=sched.alpha,
                  iterations=sched.T, comparator=comp.weights, seed=setup.seed, record_feature_gradients=True,
                  keep_trajectory=True, **trainer_kwargs).run()
    if run.status == DIVERGED:
        ev.inconclusive_reasons.append(f"{tag} training diverged after {run.iterations_run} steps")
        return None
    return comp, run


@lru_cache(maxsize=32)
def _default_comparator(setup: Setup) -> Comparator:
    """The robust-kernel comparator, re-certified (cached: C1–C4 share it within one process)."""
    return _certified(setup, kernel_comparator)




def numpy_weights(ws: list[torch.Tensor]) -> list[np.ndarray]:
    return [w.detach().cpu().numpy().astype(np.float64) for w in ws]
