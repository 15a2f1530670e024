"""Hunt plans of C8 (a robust network exists near initialization): one kernel problem, or one network, per example.

- ``C8-robust-loss-vs-R``: numerics.checks.c8_existence's three gatekeeping cross-checks (seeded by the example:
  kernel, linear closed form, second-order certificate against dense sampling) and its
  certified bracket of R*(ε) at the drawn d, δ_sep, n, cap and ε, against the symbolic R(d, δ_sep, ε).
- ``C8-antipodal-obstruction``: the check's identity f(x) + f(−x) = xᵀQx and clean hinge loss ≥ 1 for the
  bias-free relu2 net at a drawn width, seed and distance of W from W(0).
- ``C8-bias-variant``: the kernel cross-check, then one dimension of the bias / constant-coordinate variant at the
  drawn d, δ_sep (of the seeded symmetric data, d ≥ 3), cap and ε: the certified robust loss at R_upper(ε) ≤ ε and
  R_upper(ε) ≤ the symbolic R(d + 1, δ_sep, ε).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from numerics.checks import c8_existence as c8
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.threads import single_thread
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.cutting_planes import linear_exact
from numerics.robust_kernel.kernels import NTKKernel
from numerics.robust_kernel.program import RobustKernelSolverError
from theory.evidence import Evidence


def measure_radius(config: dict[str, Any], *, kernel: type[NTKKernel] = NTKKernel,
                   linear_inner_max: Callable = linear_exact) -> Evidence:
    """Cross-checks, then R*(ε) at one (d, δ_sep, n, cap, ε, seed) against the symbolic radius."""
    seed = config["seed"]
    ev = Evidence(c8.CLAIM, "C8-robust-loss-vs-R", "fast", seeds=[seed], config=dict(config))
    with single_thread():
        if not (c8._kernel_crosscheck(ev, kernel, seed) and c8._linear_crosscheck(ev, linear_inner_max, seed)
                and c8._certificate_crosscheck(ev, kernel, seed)):
            return ev
        measured = c8.radius_case(ev, c8.TIERS["fast"], config, kernel(1, "relu2"))
    if measured is not None:
        ev.measurements["radius"] = {k: measured[k] for k in ("R_lower", "R_upper", "status", "R_symbolic")
                                     if k in measured}
    return ev


def measure_bias(config: dict[str, Any], *, kernel: type[NTKKernel] = NTKKernel) -> Evidence:
    """The bias variant at one (d, δ_sep, cap, ε, seed)."""
    seed = config["seed"]
    ev = Evidence(c8.CLAIM, "C8-bias-variant", "fast", seeds=[seed], config=dict(config))
    cfg = {**c8.TIERS["fast"], "cap": config["cap"], "eps": config["eps"]}
    with single_thread():
        if not c8._kernel_crosscheck(ev, kernel, seed):
            return ev
        try:
            ev.measurements["row"] = c8.bias_dimension(ev, config["d"], cfg, config["delta_sep"],
                                                       PerturbationSet("sphere-cap", config["cap"]), kernel(1, "relu2"),
                                                       seed)
        except RobustKernelSolverError as exc:
            ev.inconclusive_reasons.append(f"solver failure: {exc} (status {exc.status})")
            ev.solver_statuses.append(exc.status)
    return ev


def measure_obstruction(config: dict[str, Any], *, obstruction_activation: str = "relu2") -> Evidence:
    """The quadratic-form identity and the clean-loss bound at one width, seed and distance from W(0)."""
    ev = Evidence(c8.CLAIM, "C8-antipodal-obstruction", "fast", seeds=[config["seed"]], config=dict(config))
    gen = torch.Generator().manual_seed(config["seed"])
    with single_thread():
        c8.obstruction_width(ev, config["width"], config["seed"], gen, config["offset"], obstruction_activation)
    return ev


PLANS = {
    "C8-robust-loss-vs-R": HuntPlan(
        "C8-robust-loss-vs-R", measure_radius, ("d", "delta_sep", "n", "cap", "eps", "seed"),
        grid_examples=len(c8.TIERS["fast"]["dims"]) * len(c8.TIERS["fast"]["seps"]),
        parts=("kernel", "linear_inner_max"), budget_s=40.0, pinned=c8.REGRESSION_CASES,
        not_hunted="the robust-loss curve over R and the network realization (measured at the fixed grid's "
                   "smallest radius; they report, they do not bound)"),
    "C8-antipodal-obstruction": HuntPlan(
        "C8-antipodal-obstruction", measure_obstruction, ("width", "offset", "seed"),
        grid_examples=len(c8.TIERS["fast"]["widths"]), parts=("obstruction_activation",), budget_s=20.0,
        not_hunted="the kernel's weak-duality bound at R = 100 (it does not depend on the searched parameters)"),
    "C8-bias-variant": HuntPlan(
        "C8-bias-variant", measure_bias, ("d", "delta_sep", "cap", "eps", "seed"),
        grid_examples=len(c8.BIAS_DIMS["fast"]), narrow={"d": (2, 3)}, parts=("kernel",), budget_s=40.0,
        not_hunted="d ≥ 4 (cutting planes on S^d grow fast; the full tier measures d = 4)"),
}
