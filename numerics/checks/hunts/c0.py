"""Hunt plans of C0 (L_A ≤ L*): one linear model, or one network case, per example.

- ``C0-linear-closed-form``: numerics.checks.c0_surrogate's trial at the drawn (d, n, δ, norm, loss, seed) — every
  attack's per-sample loss against the closed-form robust loss, and membership in B(x).
- ``C0-network-attacks``: numerics.checks.c0_attacks' network case at the drawn net, set and loss (random, FGSM,
  PGD against CROWN, the grid certificate for d ≤ 3 and the MILP for small ReLU nets under ℓ∞), plus the
  closed-form maximizer on a linear model with the same data, set and loss.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from numerics.adversarial.attacks import AttackError, LinearMaximizer
from numerics.checks import c0_attacks, c0_surrogate
from numerics.checks.hunts.plan import HuntPlan
from numerics.checks.shared.attack_evidence import AttackCase
from numerics.execution.threads import single_thread
from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from theory.evidence import Evidence


def measure_linear(config: dict[str, Any], *, attack_radius_factor: float = 1.0,
                   drop_radius_term: bool = False) -> Evidence:
    """One trial of the linear closed-form check at (d, n, δ, norm, loss, seed)."""
    ev = Evidence(claim_id="C0-surrogate-le-robust", check_id="C0-linear-closed-form", tier="fast",
                  seeds=[config["seed"]], config=dict(config))
    norms, losses = (config["norm"],), (config["loss"],)
    rows = c0_surrogate.trial_rows(0, config["seed"], config["n"], config["d"], (config["radius"],), norms, losses,
                                   attack_radius_factor, drop_radius_term)
    c0_surrogate.compare_rows(ev, rows, norms, losses, drop_radius_term)
    ev.solver_statuses.append("closed-form")
    return ev


def measure_network(config: dict[str, Any], *, extra_attacks: tuple = (),
                    linear_maximizer: type[LinearMaximizer] = LinearMaximizer, upper_bound: Any = None) -> Evidence:
    """One network case of the network-attacks check (fast-tier attack budgets), and the linear exact maximizer."""
    seed, d, n = config["seed"], config["d"], config["n"]
    ev = Evidence(claim_id=c0_attacks.CLAIM_ID, check_id=c0_attacks.CHECK_ID, tier="fast", seeds=[seed],
                  config=dict(config))
    rng = np.random.default_rng(seed)
    X = torch.tensor(sphere_points(n, d, seed=seed))
    y = torch.tensor(rng.choice([-1.0, 1.0], size=n))
    pset = PerturbationSet(config["norm"], config["radius"])
    net = FullyConnected(d, config["width"], config["depth"], config["activation"], seed=seed + 100)
    name = (f"[{config['activation']} d={d} m={config['width']} H={config['depth']} {config['norm']} "
            f"δ={config['radius']:.4g} {config['loss']}]")
    parts = {"extra_attacks": tuple(extra_attacks), "linear_maximizer": linear_maximizer, "upper_bound": upper_bound}
    with single_thread():
        try:
            ev.measurements["network_case"] = c0_attacks._network_case(
                ev, AttackCase(name, net, X, y, pset, config["loss"]), c0_attacks._TIERS["fast"], seed, parts)
        except AttackError as err:
            ev.inconclusive_reasons.append(f"{name}: {err}")
        if config["norm"] != "sphere-cap":
            w = torch.tensor(rng.standard_normal(d))
            c0_attacks._linear_case(ev, f"[linear d={d} {config['norm']} δ={config['radius']:.4g} {config['loss']}]",
                                    w, X, y, pset, config["loss"], linear_maximizer)
    return ev


PLANS = {
    "C0-linear-closed-form": HuntPlan(
        "C0-linear-closed-form", measure_linear, ("d", "n", "norm", "radius", "loss", "seed"),
        grid_examples=4 * 2 * len(c0_surrogate.NORMS) * len(c0_surrogate.LOSSES),
        narrow={"norm": c0_surrogate.NORMS}, parts=("attack_radius_factor", "drop_radius_term"),
        budget_s=20.0, not_hunted="sphere caps (the closed form of docs/claims.md §7 is for ℓ2 and ℓ∞ balls)"),
    "C0-network-attacks": HuntPlan(
        "C0-network-attacks", measure_network,
        ("d", "n", "width", "depth", "activation", "norm", "radius", "loss", "seed"),
        grid_examples=len(c0_attacks._TIERS["fast"]["nets"]) * len(c0_attacks._TIERS["fast"]["activations"])
        * len(c0_attacks._TIERS["fast"]["norms"]) * len(c0_attacks._TIERS["fast"]["radii"]) * 3,
        narrow={"d": (1, 4)}, parts=("extra_attacks", "linear_maximizer", "upper_bound"),
        budget_s=40.0, not_hunted="d > 4 (no exact or grid value of L* there: only the CROWN bound)"),
}
