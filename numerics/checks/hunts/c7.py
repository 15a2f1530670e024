"""Hunt plan of C7 (the iterates stay near initialization): three runs of Algorithm 1 per example.

An example is one sweep point of numerics.checks.c7_lazy (projected runs under both ball scalings and a run
without projection) at a drawn width, depth, radius R, step α, iterations T and seed, with the check's absolute
movement comparisons: ‖W^(h)(t) − W^(h)(0)‖_F ≤ r_m(R) with projection, ≤ α·t·L·G_measured without.
"""
from __future__ import annotations

from typing import Any

from numerics.checks import c7_lazy
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.sweep import code_reference
from numerics.training.algorithm import AdversarialTrainer, check_trainer
from theory.evidence import Evidence


def measure_movement(config: dict[str, Any], *, trainer: type[AdversarialTrainer] = AdversarialTrainer) -> Evidence:
    """The movement comparisons at one sweep point."""
    ev = Evidence(claim_id="C7-lazy-regime", check_id="C7-lazy-movement", tier="fast", seeds=[config["seed"]],
                  config=dict(config))
    point = c7_lazy._lazy_point({**config, "trainer": code_reference(check_trainer(trainer))})
    diverged = [k for k, r in point["runs"].items() if r["status"] == c7_lazy.DIVERGED]
    if diverged:
        ev.inconclusive_reasons.append(f"training diverged ({', '.join(diverged)})")
        return ev
    c7_lazy.movement_rows(ev, [point], config["alpha"], config["T"])
    return ev


PLANS = {
    "C7-lazy-movement": HuntPlan(
        "C7-lazy-movement", measure_movement, ("width", "depth", "R", "alpha", "T", "seed"),
        grid_examples=len(c7_lazy.FAST["configs"]) * c7_lazy.FAST["seeds"], parts=("trainer",),
        sizes=("configs", "seeds"), budget_s=40.0,
        not_hunted="the exponent fits of relative movement and output change over widths (statistical fits of a "
                   "whole grid; the fixed grid tests them)"),
}
