"""Hunt plan of C4 (the proof chain on real runs): one training run with a comparator per example.

An example is one configuration of the training problem (any width: the lemmas hold at every width), measured by
numerics.checks.c4_regret's per-run evaluation: the regret lemma on every prefix, approximate convexity and the
H = 1 linearization bound at the iterates, the comparator's round losses, the assembly and the gradient bound.
"""
from __future__ import annotations

from typing import Any

from numerics.checks import c4_regret
from numerics.checks.hunts.c1 import setup_of
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.threads import single_thread
from numerics.training.algorithm import AdversarialTrainer, check_trainer
from theory.evidence import Evidence


def measure_regret(config: dict[str, Any], *, trainer: type[AdversarialTrainer] = AdversarialTrainer,
                   comparator: Any = None) -> Evidence:
    """C4's links 1–5 on one training run."""
    ev = Evidence(claim_id="C4-proof-chain", check_id="C4-empirical-regret", tier="fast", seeds=[config["seed"]],
                  config=dict(config))
    with single_thread():
        c4_regret._regret_run(ev, setup_of(config), check_trainer(trainer), comparator)
    return ev


PLANS = {
    "C4-empirical-regret": HuntPlan(
        "C4-empirical-regret", measure_regret, ("activation", "loss", "eps", "R", "delta", "n", "width", "seed"),
        grid_examples=len(c4_regret.FAST_REGRET_WIDTHS), parts=("trainer", "comparator"),
        sizes=("widths", "rate_widths", "rate_seeds"), budget_s=60.0, example_limit_s=40.0,
        not_hunted="the ε_lin(r) rate (a fit over widths and seeds: searching seeds for a confidence interval that "
                   "misses −1/2 is multiple testing; the fixed grid tests it)"),
}
