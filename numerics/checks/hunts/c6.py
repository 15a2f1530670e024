"""Hunt plan of C6 (a stronger attack raises L_A toward L*): one network, set and loss per example.

An example is one trend configuration of numerics.checks.c6_attack_strength (the fast tier's attack budgets):
every attack's L_A ≤ the CROWN upper bound, exact restart nesting, and each of random, FGSM, PGD(10) ≤ PGD(40, 8)
on mean L_A within ATTACK_TREND_REL_TOL of the weaker attack's gain.
"""
from __future__ import annotations

from typing import Any

from numerics.adversarial.attacks import PGD
from numerics.checks import c6_attack_strength as c6
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.threads import single_thread
from theory.evidence import Evidence


def measure_trend(config: dict[str, Any], *, pgd: type[PGD] = PGD) -> Evidence:
    """The attack ladder on one drawn net, perturbation set and loss."""
    ev = Evidence(c6.CLAIM_ID, c6.CHECK_ID, "fast", seeds=[config["seed"]], config=dict(config))
    with single_thread():
        out = c6.trend_case(ev, c6.case_from_config(config), c6._TIERS["fast"], config["seed"], pgd)
    if out is not None:
        ev.measurements["L_A"] = out["L_A"]
    return ev


PLANS = {
    "C6-attack-strength": HuntPlan(
        "C6-attack-strength", measure_trend,
        ("d", "width", "depth", "n", "radius", "activation", "norm", "loss", "seed"),
        grid_examples=3 * 2 * 2 + 2 * 2, parts=("pgd",), budget_s=40.0, pinned=c6.REGRESSION_CASES,
        not_hunted="the d = 2 reach comparison (strongest PGD within ATTACK_REACH_REL_TOL of the grid-certified "
                   "L*): it needs a grid "
                   "over B(x), affordable only in d = 2, outside the trend's d ≥ 6"),
}
