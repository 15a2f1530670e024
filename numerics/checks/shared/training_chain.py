"""The C4 chain evaluated on one training run, in torch (from the run's log) and again in plain numpy (replay).

For a run of Algorithm 1 with comparator W* (full batch), every quantity of the assembly is measured:

    (1/T)·Σ_{t<T} L_A(W(t))  ≤  L*(W*) + D²/(2αT) + (α/(2T))·Σ_t ‖g_t‖² + L_ℓ·max_t ε_t,

D = ‖W(0) − W*‖, ε_t = max_i |f(W*, x̃_i(t)) − f(W(t), x̃_i(t)) − ⟨∇f(W(t), x̃_i(t)), W* − W(t)⟩|. It follows
exactly from the regret lemma (C4.1, any convex K ∋ W*, including K = everything when there is no projection),
convexity of ℓ in ŷ with its Lipschitz constant (C4.2 at the measured pairs) and ℓ_t(W*) ≤ L*(W*) (C4.3); with
L*(W*) replaced by a certified upper bound it is a finite-width, measured-constant form of C1.

:func:`numpy_replay` recomputes L_A(W(t)), g_t, ε_t and D² from the stored trajectory with numerics.execution.recompute
(no torch), and the comparator's robust loss with the first-order arc certificate — an independent check.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from numerics.execution import recompute
from numerics.training.comparator import Comparator
from numerics.training.algorithm import TrainingResult

from numerics.checks.shared.training_setup import Setup, numpy_weights

# Target slack Lip·h/2 of the numpy arc certificate used in re-verification (a sound but slower bound).
REPLAY_CERTIFICATE_SLACK = 2e-3


def assembly(run: TrainingResult, comp: Comparator, L: float) -> dict[str, float]:
    """The measured terms of the assembly and both sides, from the run's own log."""
    log, alpha = run.log, run.config["step_size"]
    T = len(log.grad_norm)
    d2 = sum(float(((c - w0) ** 2).sum()) for c, w0 in zip(comp.weights, run.initial_weights))
    regret_term = d2 / (2 * alpha * T)
    step_term = alpha * float(np.sum(log.grad_norm ** 2)) / (2 * T)
    lin_term = L * float(np.max(log.linearization_error))
    G_meas = float(np.max(log.feature_grad_norm)) if log.feature_grad_norm is not None else float("nan")
    return {"average_L_A": float(np.mean(log.surrogate_loss[:T])), "min_L_A": float(np.min(log.surrogate_loss)),
            "D": d2 ** 0.5, "regret_term": regret_term, "step_term": step_term,
            "step_term_with_max_G": alpha * L ** 2 * G_meas ** 2 / 2, "G_measured": G_meas,
            "linearization_term": lin_term, "comparator_upper": comp.robust_upper,
            "bound": comp.robust_upper + regret_term + step_term + lin_term}


def numpy_replay(run: TrainingResult, setup: Setup, comp: Comparator, L: float) -> dict[str, Any]:
    """Independent float64 numpy recomputation of the run's chain quantities (needs ``run.trajectory``)."""
    traj = run.trajectory
    if traj is None:
        raise ValueError("numpy_replay needs a run with keep_trajectory=True")
    X, y = (t.numpy() for t in setup.data())
    net = setup.net()
    a = net.output.detach().numpy()
    H = setup.depth
    cw = numpy_weights(comp.weights)
    w0 = numpy_weights(run.initial_weights)
    alpha = run.config["step_size"]
    L_A = np.array([recompute.mean_loss(W[:H], a, setup.activation, setup.loss, Xa, y)
                    for W, Xa in zip(traj.weights, traj.attacked)])
    T = len(traj.gradients)
    g_sq, lin, regret, comp_round = [], [], [], []
    for t in range(T):
        W, idx = traj.weights[t], traj.batches[t]
        Xa, ya = traj.attacked[t][idx], y[idx]
        g = recompute.round_gradient(W[:H], a, setup.activation, setup.loss, Xa, ya)
        g_sq.append(sum(float((gi ** 2).sum()) for gi in g))
        regret.append(sum(float((gi * (wi - ci)).sum()) for gi, wi, ci in zip(g, W, cw)))
        f_w, jvp = recompute.parameter_jvp(W[:H], a, setup.activation, Xa, [c - w for c, w in zip(cw, W)])
        f_star = recompute.forward(cw[:H], a, setup.activation, Xa)
        lin.append(float(np.max(np.abs(f_star - f_w - jvp))))
        comp_round.append(float(recompute.loss_values(setup.loss, f_star, ya).mean()))
    d2 = sum(float(((c - w) ** 2).sum()) for c, w in zip(cw, w0))
    method = "numerics.execution.recompute (numpy float64)"
    if setup.d == 2 and setup.norm == "sphere-cap":
        lo, up, slack = recompute.circle_robust_loss(cw[:H], a, setup.activation, setup.loss, L, X, y, setup.delta,
                                                     target_slack=REPLAY_CERTIFICATE_SLACK)
    else:  # no numpy certificate beyond arcs: the comparator's own sound bounds are kept
        lo, up, slack = np.array([comp.robust_lower]), np.array([comp.robust_upper]), float("nan")
        method += f"; comparator bound: its own certificate ({comp.certificate}), not recomputed"
    bound = float(up.mean()) + d2 / (2 * alpha * T) + alpha * float(np.sum(g_sq)) / (2 * T) + L * max(lin)
    return {"L_A": L_A, "min_L_A": float(L_A.min()), "average_L_A": float(L_A[:T].mean()),
            "grad_sq": np.array(g_sq), "regret_terms": np.array(regret), "linearization": np.array(lin),
            "comparator_round_loss": np.array(comp_round),
            "D2": d2, "comparator_lower": float(lo.mean()), "comparator_upper": float(up.mean()),
            "certificate_slack": slack, "assembly_bound": bound, "method": method}
