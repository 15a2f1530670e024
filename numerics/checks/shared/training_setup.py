"""The shared problem of the training checks (C1–C4, C7): data on the circle, the theory's schedule, comparators.

Data: n points drawn uniformly on S^{d−1} (d = 2 by default; C1's full tier adds d = 3), labels
y = sign(sin(φ + LABEL_PHASE)) with φ the angle of (x₁, x₂) (two half-circles; half-spheres for d ≥ 3), or, with
``dataset`` set, n points of a built-in real data set on S^{d−1} (numerics.network.datasets, same seed offset);
perturbation sets = sphere caps of chord radius δ (arcs when d = 2, so an exact grid maximizer and a tight
certificate exist). Network: two-layer (or deeper) softplus net of docs/claims.md §2; loss: logistic (convex, L_ℓ = 1).
Schedule: α and T from the derived chain (theory.requirements.width_requirements: α = 2ε/(3L²G²),
T = 9·H·R²·L²·G²/(4ε²) with the derived gradient bound G) when that T is affordable; otherwise (H ≥ 2, where the
derived G makes T ~ 10⁴–10⁶) G is replaced by a measured value and the evidence says so.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp
import torch

from numerics.adversarial.attacks import PGD
from numerics.training.comparator import Comparator, ComparatorFn, ComparatorProblem, certify_robust_loss, in_ball
from numerics.network.data import sphere_points
from numerics.network.datasets import load_dataset
from numerics.network.gradients import per_sample_gradient_norms
from numerics.training.kernel_comparator import kernel_comparator
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import DIVERGED
from theory import proof_chain
from theory.evidence import Counterexample, Evidence
from theory.requirements import width_requirements

LABEL_PHASE = 0.3
MAX_AFFORDABLE_T = 2000       # iterations above which the derived schedule is replaced (see module docstring)
MEASURED_G_MARGIN = 1.5       # measured max_i ‖∇_W f(W(0), x_i)‖_F × this margin stands in for G when needed
DERIVED_CONSTANT_RTOL = 1e-12  # α, G: the same closed form evaluated in float64 here and in theory/ (a few ulps)


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
    d: int = 2
    dataset: str | None = None   # a name of numerics.network.datasets.DATASETS; None = the synthetic circle task
    norm: str = "sphere-cap"     # B(x): a norm of numerics.network.perturbations.NORMS, radius delta

    def net(self) -> FullyConnected:
        return FullyConnected(self.d, self.width, self.depth, self.activation, seed=self.seed)

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.dataset is not None:
            X, y = load_dataset(self.dataset, n=self.n, d=self.d, seed=10_000 + self.seed)
            return torch.tensor(X), torch.tensor(y)
        X = torch.tensor(sphere_points(self.n, self.d, seed=10_000 + self.seed))
        y = torch.where(torch.sin(torch.atan2(X[:, 1], X[:, 0]) + LABEL_PHASE) >= 0, 1.0, -1.0).to(X.dtype)
        return X, y

    def pset(self) -> PerturbationSet:
        return PerturbationSet(self.norm, self.delta)

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
def _requirements(eps: float, R: float, H: int, loss: str, activation: str, theorem: str, scaling: str, d: int = 2):
    return width_requirements(eps, R, H, loss, activation, d=d, theorem=theorem, scaling=scaling)


def schedule(setup: Setup, G_factor: float = 1.0) -> Schedule:
    """α = 2ε/(3L²G²), T = ⌈9·H·r²·L²·G²/(4ε²)⌉ (C3: R' = αTLG) for the setup; ``G_factor`` scales G (planted)."""
    req = _requirements(setup.eps, setup.R, setup.depth, setup.loss, setup.activation, setup.theorem, setup.scaling,
                        setup.d)
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
    sched = schedule(replace(setup, theorem="C1"))
    X, y = setup.data()
    return ComparatorProblem(net=setup.net(), X=X, y=y, pset=setup.pset(), loss=get_loss(setup.loss),
                             radius=setup.R, scaling=setup.scaling, step_size=sched.alpha, iterations=sched.T,
                             seed=setup.seed)


def comparator_for(setup: Setup, comparator: ComparatorFn | None = None) -> Comparator:
    """W* for the setup: by default the robust-kernel comparator (numerics.training.kernel_comparator, cached), else
    ``comparator(problem)`` (e.g. numerics.training.comparator.stronger_attack_comparator). Either way its robust-loss
    bounds are re-certified here (numerics.training.comparator.certify_robust_loss): a comparator's claims are not trusted."""
    key = replace(setup, theorem="C1")
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


@lru_cache(maxsize=8)
def _chain(theorem: str, scaling: str):
    return proof_chain.derive(theorem, scaling)


def _exact_schedule(setup: Setup, G: float, L: float) -> tuple[Fraction, int]:
    """α = 2ε/(3L²G²) and T = ⌈9·H·r²·L²G²/(4ε²)⌉ in exact rationals from the float inputs (the re-verification)."""
    eps, R, Gq, Lq = (Fraction(v) for v in (setup.eps, setup.R, G, L))
    r2 = R ** 2 if setup.scaling == "per-layer-R" else R ** 2 / setup.width
    depth = setup.depth if setup.theorem == "C1" else 1
    return 2 * eps / (3 * Lq ** 2 * Gq ** 2), math.ceil(9 * depth * r2 * Lq ** 2 * Gq ** 2 / (4 * eps ** 2))


def schedule_rows(ev: Evidence, tag: str, setup: Setup, sched: Schedule) -> None:
    """The α, T (and G, R') this run used against what theory/ derives: theory.proof_chain's α, T* (and R' for C3)
    at the G used, and theory.requirements' α, T, G where G is the derived bound. A disagreement is re-verified against the closed
    forms in exact rationals (whichever side differs from them, the constants are inconsistent)."""
    chain = _chain(setup.theorem, setup.scaling)
    values = {proof_chain.eps: sp.nsimplify(setup.eps), proof_chain.R: sp.nsimplify(setup.R),
              proof_chain.H: setup.depth, proof_chain.L: sp.nsimplify(sched.L), proof_chain.G: sp.Float(sched.G, 30),
              proof_chain.m: setup.width}
    exact_alpha, exact_T = _exact_schedule(setup, sched.G, sched.L)
    T_star = float(chain.T_star.subs(values))
    # ⌈T*⌉ is ambiguous only when T* lies within round-off of an integer: either neighbour is then accepted
    ceilings = {math.ceil(T_star * (1 - 1e-12)), math.ceil(T_star * (1 + 1e-12))}
    pairs = [("α", sched.alpha, float(chain.alpha.subs(values)), "theory.proof_chain α at the G used"),
             ("T", sched.T, sched.T if sched.T in ceilings else min(ceilings), "⌈T*⌉ of theory.proof_chain")]
    if sched.R_prime is not None:   # C3: the iterates' radius R' = α·T·L·G, with T = ⌈T*⌉ where the chain has T*
        pairs.append(("R'", sched.R_prime, float(chain.R_prime.subs(values)) * sched.T / T_star,
                      "theory.proof_chain R' (at the T used)"))
    if sched.G_source.startswith("derived"):   # a measured G names the derived bound too, in its note
        req = _requirements(setup.eps, setup.R, setup.depth, setup.loss, setup.activation, setup.theorem,
                            setup.scaling, setup.d)
        pairs += [("α", sched.alpha, req.alpha, "theory.requirements α"), ("T", sched.T, req.T, "theory.requirements T"),
                  ("G", sched.G, req.constant("G").value, "theory.requirements' derived G")]
    for symbol, used, derived, source in pairs:
        tol = 0.0 if symbol == "T" else DERIVED_CONSTANT_RTOL * abs(derived)
        row = ev.compare(f"{tag}: {symbol} used = {source}", used, derived, "==", tolerance=tol,
                         tolerance_name="exact integers" if symbol == "T" else "DERIVED_CONSTANT_RTOL × value")
        if not row.holds:
            exact = {"α": float(exact_alpha), "T": exact_T, "G": None,
                     "R'": float(exact_alpha * sched.T * Fraction(sched.L) * Fraction(sched.G))}[symbol]
            ev.counterexamples.append(Counterexample(
                row.name, f"the run used {symbol} = {used!r}, {source} gives {derived!r}"
                          + ("" if exact is None else f", the closed form in exact rationals {exact!r}"),
                {"setup": setup.to_dict(), "G": sched.G, "L": sched.L}, float(used), float(derived),
                "closed forms α = 2ε/(3L²G²), T = ⌈9·H·r²·L²G²/(4ε²)⌉, R' = α·T·L·G in fractions.Fraction",
                reverified=True if exact is None else bool(abs(used - exact) > tol or abs(derived - exact) > tol)))


@lru_cache(maxsize=32)
def _default_comparator(setup: Setup) -> Comparator:
    """The robust-kernel comparator, re-certified (cached: C1–C4 share it within one process)."""
    return _certified(setup, kernel_comparator)




def numpy_weights(ws: list[torch.Tensor]) -> list[np.ndarray]:
    return [w.detach().cpu().numpy().astype(np.float64) for w in ws]
