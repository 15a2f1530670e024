"""A user's convergence claim: Algorithm 1 on the user's data, judged exactly as C1 judges its own runs.

The claim: min_{t≤T} L_A(W(t)) ≤ min_{W∈B(R)} L*(W) + ε for Algorithm 1 at the user's width, depth, activation, loss,
B(x), R and ε, with α and T from the derived chain (numerics.checks.shared.training_setup.schedule). It is measured by
numerics.checks.c1_convergence.check_convergence on the user's problem: the robust-kernel comparator W* ∈ B(R) with a
certified upper bound U(W*) ≥ L*(W*) ≥ min_{B(R)} L*, so "min_t L_A > U(W*) + ε" refutes the claim (re-verified in
numpy from the stored trajectory), and the C4 assembly with measured terms is checked on the same run.

Control (it must come out violated): the untrained network W(0) judged by the same inequality, L_A(W(0)) ≤ U(W*) + ε.
If W(0) already meets it, the claim says nothing beyond initialization at this ε and the verdict is vacuous. The
control's failure is re-verified by re-running the attack on W(0) and recomputing its loss in plain numpy.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from numerics.adversarial.attacks import FGSM, PGD, Attack, GridMaximizer
from numerics.checks.c1_convergence import EXACT_GRID_POINTS, PGD_STEPS, check_convergence
from numerics.checks.shared.attack_evidence import AttackCase
from numerics.checks.shared.training_setup import Setup
from numerics.network.losses import Loss, get_loss
from numerics.network.perturbations import PerturbationSet
from theory.evidence import Counterexample, Evidence, RunContext

ATTACKS: dict[str, Callable[[PerturbationSet, Loss], Attack]] = {
    "pgd": lambda pset, loss: PGD(pset, loss, PGD_STEPS),
    "fgsm": lambda pset, loss: FGSM(pset, loss),
    "exact-grid": lambda pset, loss: GridMaximizer(pset, loss, EXACT_GRID_POINTS),
}
ATTACK_NAMES = tuple(ATTACKS)
MAX_POINTS = 256   # the comparator's robust kernel program and the full-batch runs grow with n


@dataclass(frozen=True)
class UserSetup(Setup):
    """C1's problem on the user's points (kept as tuples, so the setup stays hashable for the comparator cache)."""

    points: tuple[tuple[float, ...], ...] = ()
    labels: tuple[float, ...] = ()
    data_label: str = ""

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.tensor(self.points, dtype=torch.float64), torch.tensor(self.labels, dtype=torch.float64)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        X = np.asarray(self.points)
        out["points"] = {"n": len(self.points), "d": self.d,
                         "sha256": hashlib.sha256(X.tobytes() + np.asarray(self.labels).tobytes()).hexdigest()[:16]}
        del out["labels"]
        return out


def user_setup(X: np.ndarray, y: np.ndarray, *, data_label: str, **fields: Any) -> UserSetup:
    """The setup of a user's problem: ``fields`` are Setup's (width, depth, activation, loss, R, eps, norm, delta, …)."""
    return UserSetup(points=tuple(map(tuple, np.asarray(X, dtype=np.float64).tolist())),
                     labels=tuple(float(v) for v in y), data_label=data_label, n=int(X.shape[0]), d=int(X.shape[1]),
                     **fields)


def convergence_evidence(setup: UserSetup, *, attack: str, ctx: RunContext, claim_id: str, check_id: str
                         ) -> tuple[Evidence, list[Evidence]]:
    """Main evidence (C1's comparisons on the user's problem) and the untrained-network control."""
    ev = check_convergence(ctx, attack=ATTACKS[attack], widths=(setup.width,), problem=setup)
    ev.claim_id, ev.check_id = claim_id, check_id
    ev.config.update({"attack_name": attack, "data": setup.data_label})
    control = Evidence(claim_id, f"{check_id}:control", ctx.tier, seeds=[setup.seed])
    runs = ev.measurements.get("runs", [])
    if not runs:  # the main evidence says why (comparator outside B(R), divergence)
        control.inconclusive_reasons.append("no training run to compare the untrained network with")
        return ev, [control]
    record = runs[0]
    bound = record["comparator"]["upper"] + setup.eps
    row = control.compare("control: the untrained network meets the claim, L_A(W(0)) ≤ U(W*) + ε",
                          record["L_A_initial"], bound, "<=", tolerance_name="exact (certified comparator bound)")
    if not row.holds:
        X, y = setup.data()
        net = setup.net()
        loss = get_loss(setup.loss)
        points = ATTACKS[attack](setup.pset(), loss)(net, X, y)
        case = AttackCase("[W(0)]", net, X, y, setup.pset(), setup.loss)
        mean = float(case.numpy_losses(points.detach().numpy()).mean())
        inside = bool(case.numpy_member(points.detach().numpy()).all())
        control.counterexamples.append(Counterexample(
            row.name, "the untrained network does not meet the claim (training is what the claim is about)",
            {"L_A_initial": record["L_A_initial"], "comparator_upper": record["comparator"]["upper"]}, mean, bound,
            "attack re-run on W(0); its points checked in B(x) and their loss recomputed in numpy from the weights",
            reverified=bool(inside and mean > bound)))
    return ev, [control]
