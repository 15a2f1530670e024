"""Shared evidence helpers of the attack checks (C0-network-attacks, C6): run an attack, compare per sample,
and re-verify failures in plain float64 numpy (numerics.execution.recompute.forward from the weights).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics.adversarial.attacks import AttackError
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import MEMBERSHIP_ATOL_F64, PerturbationSet
from numerics.execution.recompute import forward, loss_values
from theory.evidence import Counterexample, Evidence




@dataclass
class AttackCase:
    """One (net, set, loss) configuration and its data, with numpy copies for re-verification."""

    name: str
    net: FullyConnected
    X: torch.Tensor
    y: torch.Tensor
    pset: PerturbationSet
    loss: str

    def numpy_losses(self, P: np.ndarray) -> np.ndarray:
        """ℓ(f(x'), y) per row of P (n, d), recomputed in numpy from the weights."""
        layers = [W.detach().numpy() for W in self.net.weights]
        f = forward(layers, self.net.output.detach().numpy(), self.net.activation, P)
        return loss_values(self.loss, f, self.y.numpy())

    def numpy_distance(self, P: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """‖P_j − x_{rows_j}‖ in the set's norm (ℓ∞ for linf, ℓ2 otherwise), in numpy."""
        diff = P - self.X.numpy()[rows]
        return np.abs(diff).max(axis=1) if self.pset.norm == "linf" else np.linalg.norm(diff, axis=1)

    def numpy_member(self, P: np.ndarray) -> np.ndarray:
        """Row i of P lies in B(x_i) (MEMBERSHIP_ATOL_F64), checked in numpy."""
        ok = self.numpy_distance(P, np.arange(P.shape[0])) <= self.pset.radius + MEMBERSHIP_ATOL_F64
        if self.pset.norm == "sphere-cap":
            ok &= np.abs(np.linalg.norm(P, axis=1) - 1) <= MEMBERSHIP_ATOL_F64
        return ok


def compare_per_sample(ev: Evidence, case: AttackCase, name: str, values: torch.Tensor, points: torch.Tensor,
                        bound: torch.Tensor, tol: float, tol_name: str, bound_kind: str,
                        bound_points: torch.Tensor | None = None) -> None:
    """Row 'values ≤ bound' at the tightest sample; on failure a numpy re-verified counterexample."""
    slack = bound - values
    i = int(torch.argmin(slack))
    row = ev.compare(f"{case.name} {name}", float(values[i]), float(bound[i]), "<=", tolerance=tol,
                     tolerance_name=tol_name, sample=i, mean_measured=float(values.mean()),
                     mean_bound=float(bound.mean()))
    if row.holds or not row.finite:
        return
    P = points.detach().numpy()
    loss_np = case.numpy_losses(P)[i]
    member = bool(case.numpy_member(P)[i])
    recomputed_bound = float(bound[i])
    method = "numpy float64 forward pass from the weights at the attacked point; membership in numpy"
    if bound_points is not None:  # the bound is the loss at a claimed-optimal point: recompute it too
        recomputed_bound = float(case.numpy_losses(bound_points.detach().numpy())[i])
        method += "; the claimed optimum's loss recomputed in numpy"
    ev.counterexamples.append(Counterexample(
        comparison=row.name,
        description=f"a point of B(x_{i}) has loss {loss_np:.12g} > {bound_kind} {recomputed_bound:.12g}",
        inputs={"case": case.name, "sample": i, "x": case.X[i].tolist(), "y": float(case.y[i]),
                "x_adv": P[i].tolist(), "in_B(x)": member, "bound_as_reported": float(bound[i])},
        recomputed_measured=float(loss_np), recomputed_bound=recomputed_bound, method=method,
        reverified=member and loss_np > recomputed_bound + tol))


def membership_failure(ev: Evidence, case: AttackCase, err: AttackError) -> None:
    """A failing 'membership' row for the points an attack returned outside B(x), re-verified in numpy."""
    rows = np.asarray(err.indices)
    dist = case.numpy_distance(err.points, rows)
    j = int(np.argmax(dist))
    row = ev.compare(f"{case.name} {err.attack}: membership in B(x)", float(dist[j]), case.pset.radius, "<=",
                     tolerance=MEMBERSHIP_ATOL_F64, tolerance_name="MEMBERSHIP_ATOL_F64", rows=err.indices[:20])
    if not row.holds:
        ev.counterexamples.append(Counterexample(
            comparison=row.name, description=f"{err.attack} returned a point at distance {dist[j]:.12g} > δ",
            inputs={"case": case.name, "sample": int(rows[j]), "x": case.X[int(rows[j])].tolist(),
                    "x_adv": err.points[j].tolist(), "norm": case.pset.norm, "radius": case.pset.radius},
            recomputed_measured=float(dist[j]), recomputed_bound=case.pset.radius,
            method="numpy float64 distance in the set's norm", reverified=True))


def run_attack(ev: Evidence, case: AttackCase, attack) -> torch.Tensor | None:
    """The attacked points, or None after recording a membership failure / an inconclusive NaN."""
    try:
        return attack(case.net, case.X, case.y)
    except AttackError as err:
        if err.kind == "nan":
            ev.inconclusive_reasons.append(f"{case.name}: {err}")
        else:
            membership_failure(ev, case, err)
        return None
