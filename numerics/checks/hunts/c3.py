"""Hunt plan of C3 (two-layer training without projection stays within R'): one training run per example.

An example is one configuration of the training problem with H = 1 and a width above the C3 requirement
m*_C3, measured by numerics.checks.c3_no_projection's per-width evaluation: movement ≤ α·Σ‖g‖ ≤ α·t·L·G ≤ R',
min_t L_A ≤ U(W*) + ε and the finite-width assembly without projection.
"""
from __future__ import annotations

from typing import Any

from numerics.checks import c3_no_projection
from numerics.checks.hunts.c1 import TRAINING_DRAWS, setup_of
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.threads import single_thread
from numerics.training.algorithm import AdversarialTrainer, check_trainer
from theory.evidence import Evidence


def measure_no_projection(config: dict[str, Any], *, trainer: type[AdversarialTrainer] = AdversarialTrainer,
                          G_factor: float | None = None, comparator: Any = None) -> Evidence:
    """C3 at one configuration (``G_factor`` scales the gradient constant of α, T and R', as in the check)."""
    ev = Evidence(claim_id="C3-two-layer-no-projection", check_id="C3-empirical-radius", tier="fast",
                  seeds=[config["seed"]], config=dict(config))
    with single_thread():
        c3_no_projection._width(ev, setup_of(config, "C3"), check_trainer(trainer), comparator,
                                1.0 if G_factor is None else float(G_factor))
    return ev


PLANS = {
    "C3-empirical-radius": HuntPlan("C3-empirical-radius", measure_no_projection, TRAINING_DRAWS,
                                    grid_examples=len(c3_no_projection.FAST_WIDTHS),
                                    parts=("trainer", "G_factor", "comparator"), sizes=("widths",), budget_s=60.0,
                                    example_limit_s=40.0),
}
