"""Hunt plans of C11 (the parametrization's consequences at finite width): one (σ, H) per example.

Each example runs numerics.checks.c11_parametrization's own measurement for one drawn activation, depth, width,
number of networks, d, n and seed — only where the claim's identity is exact at every width (theory/spaces.py:
H = 1, or relu at any depth for the layer norms): E‖x^(h)‖² = 1 per layer, E Θ_m(x, x) = 1 + s (trained output
layer, H = 1), E f(x)f(x') = Σ^(1)(x, x') (H = 1). The t-intervals are Bonferroni-adjusted over every row a hunt may
measure (``family_size`` examples × rows per example).
"""
from __future__ import annotations

from typing import Any

from numerics.checks import c11_parametrization as c11
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.threads import single_thread
from numerics.network.nets import FullyConnected
from theory.evidence import Evidence, RunContext


def _measured(measure, config: dict[str, Any], *args: Any) -> Evidence:
    """The check's measurement ``measure(RunContext(seed), *args)`` on one thread, its config the drawn one."""
    with single_thread():
        ev, _ = measure(RunContext(seed=config["seed"]), *args)
    ev.config.update(config)
    return ev


def measure_normalization(config: dict[str, Any], *, family_size: int,
                          net_class: type[FullyConnected] = FullyConnected) -> Evidence:
    """Mean ‖x^(h)‖² of every layer of ``nets`` networks at the drawn (σ, H, m, d, n, seed)."""
    cfg = {"n": config["n"], "d": config["d"], "width": config["width"], "nets": config["nets"],
           "depth": config["depth"]}
    return _measured(c11._normalization, config, net_class, cfg, [(config["activation"], config["depth"])],
                     family_size * config["depth"])


def measure_ntk_diagonal(config: dict[str, Any], *, family_size: int,
                         net_class: type[FullyConnected] = FullyConnected) -> Evidence:
    """Mean empirical Θ_m(x, x) (trained output layer) at the drawn (σ, m, d, n, seed), H = 1."""
    cfg = {"n": config["n"], "d": config["d"], "width": config["width"], "nets": config["nets"], "depth": 1}
    return _measured(c11._ntk_diagonal, config, net_class, cfg, [(config["activation"], 1)], family_size)


def measure_nngp(config: dict[str, Any], *, family_size: int,
                 net_class: type[FullyConnected] = FullyConnected) -> Evidence:
    """E f(x_i)f(x_j) over the drawn number of depth-1 networks against Σ^(1), every pair of the drawn points."""
    n = config["n"]
    cfg = {"nngp_n": n, "d": config["d"], "nngp_width": config["width"], "nngp_nets": config["nets"]}
    return _measured(c11._nngp, config, net_class, cfg, (config["activation"],), family_size * n * (n + 1) // 2)


_DRAWS = ("activation", "width", "nets", "d", "n", "seed")
PLANS = {
    "C11-layer-normalization": HuntPlan(
        "C11-layer-normalization", measure_normalization, ("activation", "depth") + _DRAWS[1:],
        grid_examples=len(c11.ACTIVATIONS), parts=("net_class",), multiplicity=True, budget_s=20.0,
        example_limit_s=15.0, not_hunted="depths ≥ 2 for σ ≠ relu (an O(1/m) bias, not an identity) and the "
                                         "control (c_σ × 1.05)"),
    "C11-ntk-diagonal": HuntPlan(
        "C11-ntk-diagonal", measure_ntk_diagonal, _DRAWS, grid_examples=len(c11.ACTIVATIONS) * 3 - 2,
        parts=("net_class",), multiplicity=True, budget_s=20.0, example_limit_s=15.0,
        not_hunted="H ≥ 2 (not exact at finite width) and the control (depth H + 1)"),
    "C11-nngp-variance": HuntPlan(
        "C11-nngp-variance", measure_nngp, _DRAWS, grid_examples=len(c11.ACTIVATIONS),
        narrow={"width": (4, 9), "nets": (224, 256)}, parts=("net_class",), multiplicity=True, budget_s=20.0,
        example_limit_s=15.0,
        not_hunted="m < 16 and fewer than 224 networks: f(x)f(x') is a product of two sums of m terms, skewed and "
                   "heavy-tailed at small m, and a Student-t interval at the hunt's Bonferroni level (≈ 1 − 2e-6 per "
                   "row) undercovers with 64 networks — the first hunt 'found' E f(x)² ≠ 1 for softplus at m = 8 "
                   "that way; the NNGP kernel at depths 2–3 against the recursion (deterministic: the fixed grid) "
                   "and the control (depth 2)"),
}
