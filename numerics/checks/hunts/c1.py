"""Hunt plans of C1 (convergence with projection) and C2 (exact attack): one training run per example.

An example is one configuration of the training problem (numerics/checks/shared/training_setup.py) — activation,
loss, ε, R, δ, n, width m ≥ m*, seed — measured by numerics.checks.c1_convergence's per-configuration
evaluation: Algorithm 1 against the certified comparator W*, min_t L_A ≤ U(W*) + ε (C1) or the certified
min_t L*(W(t)) ≤ U(W*) + ε with the exactness certificate of the grid attack (C2), and the finite-width assembly.
"""
from __future__ import annotations

from typing import Any

from numerics.checks import c1_convergence
from numerics.checks.hunts.plan import HuntPlan
from numerics.checks.shared.training_setup import Setup
from numerics.execution.threads import single_thread
from numerics.training.algorithm import AdversarialTrainer, check_trainer
from theory.evidence import Evidence

TRAINING_DRAWS = ("activation", "loss", "eps", "R", "delta", "n", "depth", "width", "seed")


def setup_of(config: dict[str, Any], theorem: str = "C1") -> Setup:
    """The training problem at a drawn configuration."""
    return Setup(width=config["width"], depth=config.get("depth", 1), n=config["n"], delta=config["delta"],
                 activation=config["activation"], loss=config["loss"], R=config["R"], eps=config["eps"],
                 seed=config["seed"], theorem=theorem)


def _measure(kind: str, config: dict[str, Any], trainer: type[AdversarialTrainer], attack: Any,
             comparator: Any) -> Evidence:
    claim = "C1-convergence" if kind == "C1" else "C2-exact-attack"
    ev = Evidence(claim_id=claim, check_id=f"{kind}-finite-width", tier="fast", seeds=[config["seed"]],
                  config=dict(config))
    with single_thread():
        c1_convergence._evaluate(ev, kind, setup_of(config), check_trainer(trainer),
                                 c1_convergence._attack_factory(kind, attack), comparator)
    return ev


def measure_convergence(config: dict[str, Any], *, trainer: type[AdversarialTrainer] = AdversarialTrainer,
                        attack: Any = None, comparator: Any = None) -> Evidence:
    """C1 at one configuration (PGD attack)."""
    return _measure("C1", config, trainer, attack, comparator)


def measure_exact_attack(config: dict[str, Any], *, trainer: type[AdversarialTrainer] = AdversarialTrainer,
                         attack: Any = None, comparator: Any = None) -> Evidence:
    """C2 at one configuration (exact arc-grid maximizer)."""
    return _measure("C2", config, trainer, attack, comparator)


_PARTS = ("trainer", "attack", "comparator")
_NOT_HUNTED = "H ≥ 2 (no derived guarantee: the hypothesis space has H = 1 only)"
PLANS = {
    "C1-finite-width": HuntPlan("C1-finite-width", measure_convergence, TRAINING_DRAWS,
                                grid_examples=len(c1_convergence.FAST_CONFIGS), parts=_PARTS,
                                sizes=("widths", "problem", "dim"),
                                budget_s=60.0, example_limit_s=40.0, not_hunted=_NOT_HUNTED),
    "C2-finite-width": HuntPlan("C2-finite-width", measure_exact_attack, TRAINING_DRAWS,
                                grid_examples=len(c1_convergence.FAST_CONFIGS), parts=_PARTS, sizes=("widths", "problem"),
                                budget_s=60.0, example_limit_s=40.0, not_hunted=_NOT_HUNTED),
}
