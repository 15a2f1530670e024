"""A user's network and data: the robust loss L* = (1/n)Σ_i max_{x'∈B(x_i)} ℓ(f(x'), y_i) against a stated value.

Per sample, numerics.adversarial.bounds.robust_loss_bounds gives the sandwich

    lower_i (best verified attack point: PGD with restarts)  ≤  exact_i (MILP, tiny ReLU nets, ℓ∞)  ≤  upper_i (CROWN)

and the claim is judged on the means:

- "at most v":  violated when mean lower > v (attack points re-verified in plain numpy: membership in B(x) and their
  loss recomputed from the weights); consistent when mean upper ≤ v (certified) or mean exact ≤ v; else
  inconclusive (v inside the sandwich).
- "at least v": violated when mean upper < v, re-verified by an independent sound bound (interval bound propagation,
  robust_loss_upper(method="ibp")) that must be below v too; consistent when mean lower ≥ v (witnessed by
  verified points); else inconclusive.

Control (it must come out violated): the same network judged against a value beyond the certified end of the
sandwich — "at most lower − offset" or "at least max(upper, IBP upper) + offset", offset = CONTROL_OFFSET_REL ×
max(|end|, CONTROL_OFFSET_FLOOR) — which exercises the re-verification path on this very network and data.
A sandwich that is inconsistent (best attack above the certified upper bound) is a defect of the suite, reported
as inconclusive, never as a verdict on the user's claim.
"""
from __future__ import annotations

import numpy as np
import torch

from numerics.adversarial.attacks import PGD
from numerics.adversarial.bounds import robust_loss_bounds, robust_loss_upper
from numerics.checks.c0_attacks import MILP_EXACT_TOL, MILP_MAX_NEURONS, MILP_TIME_LIMIT_S, SOUNDNESS_TOL_F64
from numerics.checks.shared.attack_evidence import AttackCase
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from theory.evidence import Counterexample, Evidence

RELATIONS = ("at most", "at least")
PGD_BUDGET = {"fast": (50, 4), "full": (100, 8)}   # (steps, restarts) of the lower end
CONTROL_OFFSET_REL, CONTROL_OFFSET_FLOOR = 0.1, 1e-2


def _sandwich(ev: Evidence, case: AttackCase, *, tier: str, seed: int, exact: bool) -> dict:
    net, pset, loss = case.net, case.pset, get_loss(case.loss)
    steps, restarts = PGD_BUDGET[tier]
    use_milp = exact and net.activation == "relu" and pset.norm == "linf" and net.width * net.depth <= MILP_MAX_NEURONS
    rb = robust_loss_bounds(net, case.X, case.y, pset, loss, attack=PGD(pset, loss, steps, restarts=restarts, seed=seed),
                            method="crown", milp_time_limit=MILP_TIME_LIMIT_S if use_milp else None)
    ibp = robust_loss_upper(net, case.X, case.y, pset, loss, method="ibp")
    ev.solver_statuses.extend(sorted(set(rb.exact_status)) if use_milp else ["not-applicable"])
    excess = rb.lower - rb.upper
    if float(excess.max()) > SOUNDNESS_TOL_F64:
        i = int(torch.argmax(excess))
        ev.inconclusive_reasons.append(f"inconsistent sandwich at sample {i}: best attack {float(rb.lower[i]):.6g} > "
                                       f"certified upper {float(rb.upper[i]):.6g} (a defect of the suite)")
    s = {"lower": rb.lower, "lower_points": rb.lower_points, "upper": rb.upper, "ibp_upper": ibp,
         "exact": rb.exact if rb.mean_exact is not None else None, "exact_points": rb.exact_points,
         "mean_lower": rb.mean_lower, "mean_upper": rb.mean_upper, "mean_ibp_upper": float(ibp.mean()),
         "mean_exact": rb.mean_exact, "milp": use_milp, "milp_time_s": rb.milp_time_s, "attack": rb.attack}
    ev.measurements.update({
        "mean_lower_best_attack": s["mean_lower"], "mean_exact_milp": s["mean_exact"],
        "mean_upper_crown": s["mean_upper"], "mean_upper_ibp": s["mean_ibp_upper"],
        "mean_sandwich_width": float((rb.upper - rb.lower).mean()), "milp_time_s": rb.milp_time_s,
        "per_sample": [{"i": i, "lower": float(rb.lower[i]), "exact": None if s["exact"] is None else float(s["exact"][i]),
                        "upper": float(rb.upper[i])} for i in range(case.X.shape[0])]})
    return s


def _reverify_points(case: AttackCase, points: torch.Tensor) -> tuple[float, bool]:
    """Mean loss at the points recomputed in numpy from the weights, and whether every point lies in its B(x_i)."""
    P = points.detach().numpy()
    return float(case.numpy_losses(P).mean()), bool(case.numpy_member(P).all())


def _at_most(ev: Evidence, case: AttackCase, s: dict, value: float, *, decide: bool) -> None:
    row = ev.compare(f"mean best-attack loss (lower end of the sandwich) ≤ {value:.6g}", s["mean_lower"], value, "<=",
                     tolerance=SOUNDNESS_TOL_F64, tolerance_name="SOUNDNESS_TOL_F64 (float64 round-off of the mean)")
    if not row.holds:
        mean, inside = _reverify_points(case, s["lower_points"])
        ev.counterexamples.append(Counterexample(
            row.name, f"attack points in B(x) reach a mean loss {mean:.6g} above the stated {value:.6g}",
            {"points": s["lower_points"].tolist(), "attack": s["attack"]}, mean, value,
            "numpy float64: membership of every point in its B(x_i) and the loss recomputed from the weights",
            reverified=bool(inside and mean > value + SOUNDNESS_TOL_F64)))
    if not decide:
        return
    if s["mean_exact"] is not None:
        ev.compare(f"mean exact robust loss (MILP) ≤ {value:.6g}", s["mean_exact"], value, "<=",
                   tolerance=MILP_EXACT_TOL, tolerance_name="MILP_EXACT_TOL")
    else:
        up = ev.compare(f"mean certified upper bound (CROWN) ≤ {value:.6g}", s["mean_upper"], value, "<=",
                        tolerance=SOUNDNESS_TOL_F64, tolerance_name="SOUNDNESS_TOL_F64")
        if not up.holds and row.holds:
            ev.inconclusive_reasons.append(f"{value:.6g} lies inside the sandwich [{s['mean_lower']:.6g}, "
                                           f"{s['mean_upper']:.6g}]: neither certified nor refuted")


def _at_least(ev: Evidence, case: AttackCase, s: dict, value: float, *, decide: bool) -> None:
    row = ev.compare(f"mean certified upper bound (CROWN) ≥ {value:.6g}", s["mean_upper"], value, ">=",
                     tolerance=SOUNDNESS_TOL_F64, tolerance_name="SOUNDNESS_TOL_F64 (float64 round-off of the mean)")
    if not row.holds:
        ibp = s["mean_ibp_upper"]
        ev.counterexamples.append(Counterexample(
            row.name, f"a certified upper bound of the robust loss, {s['mean_upper']:.6g}, is below the stated "
                      f"{value:.6g}", {"crown_upper": s["upper"].tolist(), "ibp_upper": s["ibp_upper"].tolist()},
            ibp, value, "an independent sound bound (interval bound propagation) must be below the value too",
            reverified=bool(ibp < value - SOUNDNESS_TOL_F64)))
    if not decide:
        return
    if s["mean_exact"] is not None:
        ev.compare(f"mean exact robust loss (MILP) ≥ {value:.6g}", s["mean_exact"], value, ">=",
                   tolerance=MILP_EXACT_TOL, tolerance_name="MILP_EXACT_TOL")
    else:
        low = ev.compare(f"mean best-attack loss (lower end, witnessed) ≥ {value:.6g}", s["mean_lower"], value, ">=",
                         tolerance=SOUNDNESS_TOL_F64, tolerance_name="SOUNDNESS_TOL_F64")
        if not low.holds and row.holds:
            ev.inconclusive_reasons.append(f"{value:.6g} lies inside the sandwich [{s['mean_lower']:.6g}, "
                                           f"{s['mean_upper']:.6g}]: neither certified nor refuted")


def robust_loss_evidence(net: FullyConnected, X: np.ndarray, y: np.ndarray, pset: PerturbationSet, loss: str,
                         relation: str, value: float, *, tier: str = "fast", seed: int = 0, exact: bool = True,
                         claim_id: str, check_id: str) -> tuple[Evidence, list[Evidence]]:
    """Main evidence for "mean robust loss {relation} value" and its control (module docstring)."""
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
    case = AttackCase("[user network]", net, torch.as_tensor(X), torch.as_tensor(y), pset, loss)
    ev = Evidence(claim_id, check_id, "user", seeds=[seed])
    steps, restarts = PGD_BUDGET[tier]
    ev.config = {"network": {"d": net.d, "width": net.width, "depth": net.depth, "activation": net.activation,
                             "train_output": net.train_output}, "n": int(X.shape[0]), "norm": pset.norm,
                 "radius": pset.radius, "loss": loss, "relation": relation, "value": value,
                 "lower_end": f"PGD {steps} steps × {restarts} restarts (and the clean point)",
                 "upper_end": "CROWN (numerics.adversarial.bounds)", "exact": "MILP (HiGHS) where the net is a tiny "
                 f"ReLU net (≤ {MILP_MAX_NEURONS} neurons) and B(x) an ℓ∞ ball" if exact else "not asked"}
    s = _sandwich(ev, case, tier=tier, seed=seed, exact=exact)
    (_at_most if relation == "at most" else _at_least)(ev, case, s, value, decide=True)
    control = Evidence(claim_id, f"{check_id}:control", "user", seeds=[seed])
    if relation == "at most":
        end = s["mean_lower"]
        target = end - CONTROL_OFFSET_REL * max(abs(end), CONTROL_OFFSET_FLOOR)
        _at_most(control, case, s, target, decide=False)
    else:
        end = max(s["mean_upper"], s["mean_ibp_upper"])
        target = end + CONTROL_OFFSET_REL * max(abs(end), CONTROL_OFFSET_FLOOR)
        _at_least(control, case, s, target, decide=False)
    control.config = {"control": f"the same network judged '{relation} {target:.6g}', beyond the certified end "
                                 f"{end:.6g} of the sandwich: must come out violated"}
    return ev, [control]
