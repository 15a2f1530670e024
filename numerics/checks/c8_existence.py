"""C8: a robust network exists near initialization — the optimal robust loss of the quadratic-ReLU NTK vs R.

``check_robust_loss_vs_R`` measures, for the two-layer relu2 NTK (fixed output layer, docs/claims.md §2) on
separable data (numerics.network.separable_data: tight opposite-label pairs at set distance exactly δ_sep, antipodal
separation), with hinge loss and sphere-cap perturbations:

1. gatekeeping cross-checks — the torch NTK used by the solver against numerics.ntk.analytic.analytic_ntk (depths 1
   and 2, on and off the sphere); the robust solver with the linear kernel and ℓ2 hinge loss against the
   closed form max(0, 1 − y·wᵀx + δ‖w‖₂) of docs/claims.md §7 at the solver's own w, and against an independent
   cvxpy solve of the closed-form problem; the second-order certificate (numerics.robust_kernel.curvature) against
   densely sampled points re-evaluated in numpy on a fixed instance where its curvature term matters. If a
   cross-check fails, the measurements below are skipped;
2. the optimal robust loss → 0 as R grows: certified brackets [lower, upper] of min_{‖f‖≤R} L*(f) on a radius
   grid (lower: weak duality on the cutting-plane points; upper: certified robust loss of the solution);
3. R*(ε) = the smallest RKHS radius with optimal robust loss ≤ ε, bracketed: R_lower (certified: every f with
   ‖f‖ < R_lower has L*(f) > ε) and R_upper (the norm of an f whose certified robust loss is ≤ ε), for
   several d and δ_sep; fits of log R vs d (exponential) and vs log d (polynomial) with residuals and AIC,
   and the slope of log R vs log(1/δ_sep) per d;
4. the symbolic R(d, δ_sep, ε) of theory.existence (defaults) must lie above the measurement: R_upper ≤ R_sym
   (consistent); R_sym < R_lower would refute it (re-verified by the direct formulation's certified bound).
Control: the '→ ε' comparison at R = 0.8·R_lower(ε), below the certified threshold, must fail (certified).

The RKHS norm here is the ball radius of the infinite-width linearized net: for a finite net
‖W* − W(0)‖_F = ‖f‖_{H_m} exactly (numerics.training.kernel_comparator), and H_m → H as m grows. The initial output
f(W(0), ·) is not part of the kernel problem (it is in the network comparator).

``check_antipodal_obstruction`` audits C8 as reconstructed (bias-free net, separation of DIFFERENTLY
labelled sets only): for the two-layer relu2 net f(W, x) + f(W, −x) = (1/√m)Σ_r a_r√c_σ(w_rᵀx)² is a quadratic
form for every W and m. On 12 equally spaced points of S¹ with alternating labels (antipodes share a label)
Σ_j y_j f(x_j) = Σ_k s_k q(x_k) = 0 exactly, so the mean hinge loss — hence L*(W) — is ≥ 1 for EVERY W: the
existence claim fails for this separable data at every R and width. Label: "refuted as reconstructed
(bias-free): an expressiveness gap, present for the clean loss" — the clean hinge loss is already ≥ 1, so this
is a gap of our bias-free reconstruction's function class, not a robustness finding. It holds under the
antipodal separation used by ``check_robust_loss_vs_R``.

``check_bias_variant`` measures the remedy instead of asserting it: the same kind of data (same-labelled
antipodes: the 12-point set above at d = 2, seeded symmetric separable sets at d ≥ 3), lifted by a constant
coordinate x ↦ (x·cos φ, sin φ) (a first-layer bias), with sphere caps of the same angle on S^d (a superset of
the lifted caps, so certified losses are upper bounds for the bias model): certified brackets of R*(ε) per d,
the lifted separation, the bias-free weak-duality bound on the unlifted data for contrast, and R_upper
against the symbolic R(d + 1, δ_sep, ε). Verdict: holds-under (with a bias / constant coordinate).

Length (~540 lines): one claim's three numerical checks share the data, kernels, solver set-up and the symbolic
radius; keeping them together keeps each variant beside the one it qualifies.

Parameters that planted errors replace (numerics/planted/registry.py): ``kernel`` (the NTK class the solver
uses; planted: one that drops its first summand, one whose curvature bound is too small), ``linear_inner_max`` (the linear kernel's exact inner
maximizer; planted: one that moves along +y·w, the best case);
``obstruction_activation="softplus"`` (the obstruction argument applied to a net for which it is false).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import cvxpy as cp
import numpy as np
import sympy as sp
import torch

from numerics.execution.threads import single_thread
from numerics.robust_kernel.kernels import LinearKernel, NTKKernel
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import analytic_ntk
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.curvature import certify_max_loss_curvature, curvature_unsupported
from numerics.robust_kernel.cutting_planes import linear_exact, solve_robust
from numerics.robust_kernel.program import RobustKernelSolverError, robust_kernel_problem, solve_finite
from numerics.network.separable_data import separable_sphere_data, separations, set_distances
from theory.evidence import HOLDS_UNDER, REFUTED_AS_STATED, Counterexample, Evidence, RunContext
from theory.tolerances import tolerance

CLAIM = "C8-robust-net-exists"
_MAIN, _OBSTRUCTION, _BIAS = "C8-robust-loss-vs-R", "C8-antipodal-obstruction", "C8-bias-variant"
# Pre-registered in theory/tolerances.py (justifications there): float64 agreement of the two NTK closed forms,
# of the certified linear robust loss with its closed form, the solvers' accuracy for the closed-form optimum in
# the certified bracket, the measured separation, weak-duality rounding, W* ∈ B(R); the quadratic identity
# f(x) + f(−x) = xᵀQx, the kernel side of the obstruction at radius 100 and the clean-loss rounding.
NTK_AGREEMENT_RTOL = tolerance(_MAIN, "NTK_AGREEMENT_RTOL")
LINEAR_CLOSED_FORM_ATOL = tolerance(_MAIN, "LINEAR_CLOSED_FORM_ATOL")
BRACKET_ATOL = tolerance(_MAIN, "BRACKET_ATOL")
SEPARATION_ATOL = tolerance(_MAIN, "SEPARATION_ATOL")
DUAL_ROUNDING_ATOL = tolerance(_MAIN, "DUAL_ROUNDING_ATOL")
BALL_RTOL_F64 = tolerance(_MAIN, "BALL_RTOL_F64")
QUADRATIC_IDENTITY_RTOL = tolerance(_OBSTRUCTION, "QUADRATIC_IDENTITY_RTOL")
OBSTRUCTION_KERNEL_R = 100.0
OBSTRUCTION_DUAL_ATOL = tolerance(_OBSTRUCTION, "OBSTRUCTION_DUAL_ATOL")
LOSS_ROUNDING_ATOL = tolerance(_OBSTRUCTION, "LOSS_ROUNDING_ATOL")
OBSTRUCTION_OFFSET = 3.0  # W = W(0) + 3·N(0, I): a point of the ball far from W(0) (the identity holds for every W)
# The bias variant: the constant coordinate sin φ (a first-layer bias), and its dimensions per tier.
BIAS_ANGLE = math.pi / 6
BIAS_PAIRS = 6                 # seeded symmetric data at d ≥ 3: 6 points and their same-labelled antipodes
BIAS_DIMS = {"fast": (2, 3), "full": (2, 3, 4)}
OBSTRUCTION_LABEL = "refuted as reconstructed (bias-free): an expressiveness gap, present for the clean loss"
# The control's radius, as a fraction of the certified R_lower(ε): the optimal robust loss exceeds ε there, and the
# cutting-plane bracket (tol 0.02) must certify it (measured: lower bound 0.19 > ε = 0.1 at 0.8, 0.38 at 0.5).
CONTROL_RADIUS_FACTOR = 0.8

# Certificate gate: instance seed, cap radius, certificate tolerance and budget, samples per cap; the sampled losses
# are recomputed in float64 numpy from the same closed form, so they agree with the certificate's evaluations to
# ~1e-14: 1e-9 is the named slack.
CERT_GATE_SEED, CERT_GATE_CAP, CERT_GATE_TOL, CERT_GATE_CELLS, CERT_GATE_SAMPLES = 12, 0.6, 1e-3, 20_000, 4000
CERT_GATE_ATOL = 1e-9

# Found by `advaudit hunt` (seed 0; shrunk, replayed; numerics/checks/hunts/c8.py replays them first): four tight
# pairs on S¹ with certified R_lower(0.25) = 86.0 above the then-encoded R = (C_R/(δ_sep·ε))^(κd) = 80; the
# encoding's exponent was below its own source (Bach 2017: (d+1)/2) and reads κ(d+1) since. Measured by every run.
REGRESSION_CASES: tuple[dict[str, Any], ...] = (
    {"d": 2, "delta_sep": 0.1, "n": 4, "cap": 0.02148, "eps": 0.25, "seed": 0},
)

TIERS: dict[str, dict[str, Any]] = {
    "fast": {"dims": (2, 3, 4, 5, 6, 8), "seps": (0.15, 0.3), "n": 8, "cap": 0.05, "eps": 0.1, "tol": 0.02,
             "curve": (0.5, 1.0, 2.0), "widths": (256, 4096), "cell_budget": 400_000},
    "full": {"dims": (2, 3, 4, 5, 6, 7, 8, 10, 12), "seps": (0.1, 0.15, 0.3), "n": 10, "cap": 0.05, "eps": 0.1,
             "tol": 0.02, "curve": (0.125, 0.25, 0.5, 1.0, 2.0, 4.0), "widths": (64, 256, 1024, 4096),
             "cell_budget": 4_000_000},
}


# ---------------------------------------------------------------- gatekeeping cross-checks
def _kernel_crosscheck(ev: Evidence, kernel: type[NTKKernel], seed: int) -> bool:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((24, 3))
    X[:12] /= np.linalg.norm(X[:12], axis=1, keepdims=True)      # on the sphere ...
    X[12:] *= rng.uniform(0.5, 1.5, (12, 1)) / np.linalg.norm(X[12:], axis=1, keepdims=True)  # ... and off it
    ok = True
    for depth in (1, 2):
        mine = kernel(depth, "relu2").gram(X)[0]
        ref = analytic_ntk(X, depth=depth, activation="relu2")
        rel = np.abs(mine - ref) / np.abs(ref).max()
        i, j = np.unravel_index(int(np.argmax(rel)), rel.shape)
        row = ev.compare(f"torch NTK = analytic_ntk (relu2, depth {depth})", float(rel.max()), 0.0, "==",
                         tolerance=NTK_AGREEMENT_RTOL, tolerance_name="NTK_AGREEMENT_RTOL", entry=[int(i), int(j)])
        if not row.holds:
            ok = False
            again = analytic_ntk(X[[i]], X[[j]], depth=depth, activation="relu2")[0, 0]
            mine_ij = kernel(depth, "relu2").gram(X[[i]], X[[j]])[0][0, 0]
            err = abs(mine_ij - again) / np.abs(ref).max()
            ev.counterexamples.append(Counterexample(
                row.name, "the solver's kernel differs from the analytic NTK", {"x": X[i].tolist(), "x'": X[j].tolist(),
                                                                             "depth": depth},
                recomputed_measured=float(err), recomputed_bound=0.0,
                method="numerics.ntk.analytic.analytic_ntk on the single pair (float64 numpy closed form)",
                reverified=bool(err > NTK_AGREEMENT_RTOL)))
    return ok


def _closed_form_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray, delta: float) -> float:
    """docs/claims.md §7: mean max(0, 1 − y·wᵀx + δ‖w‖₂) (plain float64 numpy)."""
    return float(np.mean(np.maximum(0.0, 1.0 - y * (X @ w) + delta * np.linalg.norm(w))))


def _linear_crosscheck(ev: Evidence, linear_inner_max: Callable, seed: int) -> bool:
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((12, 3))
    y = np.where(X[:, 0] + 0.4 * rng.standard_normal(12) >= 0, 1.0, -1.0)
    delta, R = 0.2, 2.0
    problem = robust_kernel_problem(X, y, LinearKernel(), PerturbationSet("l2", delta), "hinge", radius=R)
    res = solve_robust(problem, tol=1e-7, initial_samples=2, seed=seed,
                       linear_inner_max=linear_inner_max)
    ev.solver_statuses += res.solver_statuses
    w = sum(res.points.numpy().T @ b for b in res.betas)
    truth = _closed_form_loss(w, X, y, delta)
    row = ev.compare("linear ℓ2 hinge: certified robust loss = closed form at the solver's w", res.upper, truth,
                     "==", tolerance=LINEAR_CLOSED_FORM_ATOL, tolerance_name="LINEAR_CLOSED_FORM_ATOL")
    ok = row.holds
    if not row.holds:
        again = _closed_form_loss(np.array(w, dtype=np.float64), X, y, delta)
        ev.counterexamples.append(Counterexample(
            row.name, "the solver's certified robust loss is not the worst case over the ℓ2 balls",
            {"w": w.tolist(), "delta": delta}, recomputed_measured=float(res.upper), recomputed_bound=again,
            method="docs/claims.md §7 closed form in float64 numpy", reverified=abs(res.upper - again) > LINEAR_CLOSED_FORM_ATOL))
    wv = cp.Variable(3)
    indep = cp.Problem(cp.Minimize(cp.sum(cp.pos(1 - cp.multiply(y, X @ wv) + delta * cp.norm(wv))) / len(y)),
                       [cp.norm(wv) <= R])
    indep.solve(solver="CLARABEL")
    ev.solver_statuses.append(str(indep.status))
    optimum = float(indep.value)
    for name, measured, bound, rel in (("closed-form optimum ≥ certified lower bound", optimum, res.lower, ">="),
                                       ("closed-form optimum ≤ certified upper bound", optimum, res.upper, "<=")):
        row = ev.compare(f"linear ℓ2 hinge: {name}", measured, bound, rel, tolerance=BRACKET_ATOL,
                         tolerance_name="BRACKET_ATOL")
        if not row.holds:
            ok = False
            # re-verify with the closed form at the independent optimum's w (a feasible point: its value is
            # an upper bound of the optimum, so "optimum > upper" reproduces whenever that value does)
            w_ind = np.asarray(wv.value, dtype=np.float64)
            value = _closed_form_loss(w_ind * min(1.0, R / max(np.linalg.norm(w_ind), 1e-300)), X, y, delta)
            reproduced = value < res.lower - BRACKET_ATOL if rel == ">=" else optimum > res.upper + BRACKET_ATOL
            ev.counterexamples.append(Counterexample(
                row.name, "the certified bracket misses the closed-form optimum", {"R": R, "delta": delta},
                recomputed_measured=value if rel == ">=" else optimum, recomputed_bound=bound,
                method="closed form at the independent solution (float64 numpy)", reverified=bool(reproduced)))
    ev.measurements["linear_crosscheck"] = {"lower": res.lower, "upper": res.upper, "closed_form_optimum": optimum,
                                            "closed_form_at_solver_w": truth, "status": res.status}
    return ok


def _certificate_crosscheck(ev: Evidence, kernel: type[NTKKernel], seed: int) -> bool:
    """The second-order certificate (numerics.robust_kernel.curvature) against dense sampling, re-evaluated in plain
    float64 numpy (numerics.ntk.analytic), on a fixed instance where the quadratic model is far from exact (caps of
    radius 0.6, a random 8-term expansion): a curvature bound that is too small is exceeded by sampled points."""
    rng = np.random.default_rng(CERT_GATE_SEED)
    d, n = 3, 4
    X = rng.standard_normal((n, d))
    X = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True))
    Z = torch.as_tensor(rng.standard_normal((8, d)))
    beta = torch.as_tensor(rng.standard_normal(8))
    y = torch.as_tensor(np.where(rng.uniform(size=n) > 0.5, 1.0, -1.0))
    pset = PerturbationSet("sphere-cap", CERT_GATE_CAP)
    model = kernel(1, "relu2")
    reason = curvature_unsupported(model, pset, X)
    if reason is not None:
        ev.compare("the solver's kernel supplies the second-order certificate's derivative bounds", 1.0, 0.0, "==",
                   tolerance=0.0, tolerance_name="exact", reason=reason)
        return False
    cert = certify_max_loss_curvature(model, Z, [beta], X, y, pset, get_loss("hinge"),
                                      tol=CERT_GATE_TOL, cell_budget=CERT_GATE_CELLS)
    points = pset.sample(X, CERT_GATE_SAMPLES, torch.Generator().manual_seed(seed)).numpy()
    f = (analytic_ntk(points.reshape(-1, d), Z.numpy(), depth=1, activation="relu2") @ beta.numpy()).reshape(n, -1)
    sampled = np.maximum(0.0, 1.0 - y.numpy()[:, None] * f)
    excess = sampled.max(1) - cert.upper
    i = int(np.argmax(excess))
    row = ev.compare("second-order certificate ≥ densely sampled robust loss (max over samples of sampled − upper)",
                     float(excess[i]), 0.0, "<=", tolerance=CERT_GATE_ATOL, tolerance_name="CERT_GATE_ATOL",
                     sample=i)
    ev.measurements["certificate_crosscheck"] = {"upper": cert.upper.tolist(), "sampled": sampled.max(1).tolist(),
                                                 "complete": cert.complete, "cells": cert.cells_evaluated}
    if not row.holds:
        j = int(np.argmax(sampled[i]))
        x = points[i, j]
        again = max(0.0, 1.0 - float(y[i]) * float(analytic_ntk(x[None], Z.numpy(), depth=1,
                                                                  activation="relu2")[0] @ beta.numpy()))
        ev.counterexamples.append(Counterexample(
            row.name, "a point of the cap has a larger loss than the certificate's upper bound",
            {"x": x.tolist(), "sample": i, "in_cap": bool(pset.contains(X[i:i + 1], torch.as_tensor(x[None]))[0])},
            recomputed_measured=again, recomputed_bound=float(cert.upper[i]),
            method="numerics.ntk.analytic.analytic_ntk at the sampled point (float64 numpy)",
            reverified=bool(again > cert.upper[i] + CERT_GATE_ATOL)))
    return row.holds


# ---------------------------------------------------------------- fits
def growth_fits(x: np.ndarray, R: np.ndarray) -> dict[str, Any]:
    """Least-squares fits of log R against x (exponential: R ∝ e^{bx}) and against log x (polynomial: R ∝ x^b):
    slopes, residual sums of squares, AIC = k·2 + N·ln(RSS/N) (k = 2 each) and the preferred model."""
    x, logR = np.asarray(x, dtype=np.float64), np.log(np.asarray(R, dtype=np.float64))
    out: dict[str, Any] = {"points": int(len(x))}
    for name, feature in (("exponential", x), ("polynomial", np.log(x))):
        A = np.vstack([feature, np.ones_like(feature)]).T
        coef, *_ = np.linalg.lstsq(A, logR, rcond=None)
        rss = float(np.sum((A @ coef - logR) ** 2))
        aic = 2 * 2 + len(x) * math.log(max(rss, 1e-300) / len(x))
        out[name] = {"slope": float(coef[0]), "intercept": float(coef[1]), "rss": rss, "aic": aic}
    delta_aic = out["polynomial"]["aic"] - out["exponential"]["aic"]
    out["delta_aic_poly_minus_exp"] = delta_aic
    if len(x) < 4:
        out["preferred"] = "undetermined (fewer than 4 points)"
    elif abs(delta_aic) < 2:
        out["preferred"] = "indistinguishable (|ΔAIC| < 2)"
    else:
        out["preferred"] = "exponential" if delta_aic > 0 else "polynomial"
    return out


def _symbolic_radius(d: int, delta_sep: float, eps: float) -> float:
    from theory import existence
    expr = existence.radius().subs(existence.DEFAULTS)
    return float(expr.subs({existence.d: d, existence.delta_sep: sp.nsimplify(delta_sep),
                            existence.eps: sp.nsimplify(eps)}))


# ---------------------------------------------------------------- the main check
def _measure_radius(ev: Evidence, cfg: dict, d: int, sep: float, seed: int, kernel,
                    label: str | None = None) -> dict[str, Any]:
    data = separable_sphere_data(cfg["n"], d, radius=cfg["cap"], delta_sep=sep, tight_pairs=True, antipodal=True,
                                 seed=seed)
    label = label or f"d={d}, δ_sep={sep}"
    for name, value in (("separation", data.separation), ("antipodal separation", data.antipodal_separation)):
        ev.compare(f"{label}: measured {name} ≥ δ_sep", value, sep, ">=", tolerance=SEPARATION_ATOL,
                   tolerance_name="SEPARATION_ATOL")
    problem = robust_kernel_problem(data.X, data.y, kernel, data.pset, "hinge", radius=1.0)
    res = solve_robust(problem, tol=cfg["tol"], target=cfg["eps"], seed=seed, max_rounds=20,
                       cell_budget=cfg["cell_budget"])
    ev.solver_statuses += res.solver_statuses
    return {"label": label, "d": d, "delta_sep": sep, "R_lower": res.lower, "R_upper": res.upper,
            "status": res.status,
            "certified_robust_loss": res.certificate.get("certified_robust_loss"), "rounds": res.iterations,
            "cells": res.certificate.get("cells"), "wall_s": res.wall_time_s, "data": data, "problem": problem,
            "result": res}


def radius_case(ev: Evidence, cfg: dict, case: dict[str, Any], kernel, label: str | None = None
                ) -> dict[str, Any] | None:
    """R*(ε) of one configuration (d, delta_sep, n, cap, eps, seed) — a regression case or a hunt's example — and
    its comparison with the symbolic radius; the record without its data, or None after a solver failure (then
    recorded as inconclusive)."""
    case_cfg = {**cfg, "n": case["n"], "cap": case["cap"], "eps": case["eps"]}
    try:
        m = _measure_radius(ev, case_cfg, case["d"], case["delta_sep"], case["seed"], kernel, label)
    except RobustKernelSolverError as exc:
        ev.inconclusive_reasons.append(f"{label + ': ' if label else ''}solver failure: {exc} (status {exc.status})")
        ev.solver_statuses.append(exc.status)
        return None
    _symbolic_comparison(ev, case_cfg, m)
    return {k: v for k, v in m.items() if k not in ("data", "problem", "result")}


def _curve(ev: Evidence, cfg: dict, base: dict, seed: int) -> list[dict[str, Any]]:
    problem, R_up = base["problem"], base["R_upper"]
    rows = []
    for factor in cfg["curve"]:
        p = robust_kernel_problem(problem.X, problem.y, problem.kernel, problem.pset, problem.loss,
                                  radius=factor * R_up)
        r = solve_robust(p, tol=cfg["tol"], seed=seed, cell_budget=cfg["cell_budget"])
        ev.solver_statuses += r.solver_statuses
        rows.append({"R": factor * R_up, "lower": r.lower, "upper": r.upper, "status": r.status})
    for a, b in zip(rows, rows[1:]):
        ev.compare(f"optimal robust loss is non-increasing in R: lower(R={b['R']:.4g}) ≤ upper(R={a['R']:.4g})",
                   b["lower"], a["upper"] if a["upper"] is not None else math.inf, "<=",
                   tolerance=DUAL_ROUNDING_ATOL, tolerance_name="DUAL_ROUNDING_ATOL")
    last = rows[-1]
    if last["upper"] is None:
        ev.inconclusive_reasons.append(f"no certified robust loss at R={last['R']:.4g} ({last['status']})")
    else:
        ev.compare(f"optimal robust loss → 0: certified upper at R={last['R']:.4g} ≤ ε", last["upper"], cfg["eps"],
                   "<=", tolerance=0.0, tolerance_name="exact (certified)")
    return rows


def _small_radius_control(ev: Evidence, cfg: dict, base: dict, seed: int) -> None:
    """The control: the '→ ε' comparison at R = CONTROL_RADIUS_FACTOR·R_lower(ε), below the certified threshold,
    where the optimal robust loss must exceed ε; re-verified by the direct formulation's certified lower bound."""
    control = Evidence(CLAIM, ev.check_id, ev.tier, seeds=list(ev.seeds))
    problem, radius = base["problem"], CONTROL_RADIUS_FACTOR * base["R_lower"]
    p = robust_kernel_problem(problem.X, problem.y, problem.kernel, problem.pset, problem.loss, radius=radius)
    res = solve_robust(p, tol=cfg["tol"], seed=seed, cell_budget=cfg["cell_budget"])
    control.solver_statuses += res.solver_statuses
    row = control.compare(f"optimal robust loss ≤ ε at R = {CONTROL_RADIUS_FACTOR:g}·R_lower = {radius:.4g} "
                          "(certified lower bound)", res.lower, cfg["eps"], "<=", tolerance=0.0,
                          tolerance_name="exact (certified)", d=base["d"], delta_sep=base["delta_sep"])
    if not row.holds:
        direct = solve_finite(p, res.points, res.owner, formulation="direct")
        control.counterexamples.append(Counterexample(
            row.name, "below the certified threshold every f of the ball has robust loss above ε",
            {"d": base["d"], "delta_sep": base["delta_sep"], "R": radius, "eps": cfg["eps"]},
            recomputed_measured=direct.lower, recomputed_bound=cfg["eps"],
            method="direct formulation (f = Kβ, ‖Lᵀβ‖ ≤ R) on the cutting-plane points: certified lower bound",
            reverified=bool(direct.lower > cfg["eps"] and direct.status == "optimal")))
    ev.add_control("radius below threshold", f"the same '→ ε' comparison at R = {CONTROL_RADIUS_FACTOR:g}·R_lower(ε) "
                                             "instead of a radius above R_upper(ε)", control)


def _symbolic_comparison(ev: Evidence, cfg: dict, m: dict) -> None:
    try:
        R_sym = _symbolic_radius(m["d"], m["delta_sep"], cfg["eps"])
    except ImportError:
        ev.notes.append("symbolic bound not yet available (theory.existence missing)")
        return
    m["R_symbolic"] = R_sym
    tag = m["label"]
    if m["R_upper"] is not None:
        ev.compare(f"{tag}: measured R_upper(ε) ≤ symbolic R(d, δ_sep, ε)", m["R_upper"], R_sym, "<=",
                   tolerance=0.0, tolerance_name="exact (certified)")
    row = ev.compare(f"{tag}: certified R_lower(ε) ≤ symbolic R(d, δ_sep, ε)", m["R_lower"], R_sym, "<=",
                     tolerance=0.0, tolerance_name="exact (certified)")
    if not row.holds:
        res = m["result"]
        p = robust_kernel_problem(m["problem"].X, m["problem"].y, m["problem"].kernel, m["problem"].pset, "hinge",
                                  radius=R_sym)
        direct = solve_finite(p, res.points, res.owner, formulation="direct")
        ev.counterexamples.append(Counterexample(
            row.name, "even the finite-set relaxation needs a radius above the symbolic R",
            {"d": m["d"], "delta_sep": m["delta_sep"], "eps": cfg["eps"], "R_symbolic": R_sym},
            recomputed_measured=direct.lower, recomputed_bound=cfg["eps"],
            method="direct formulation (f = Kβ, ‖Lᵀβ‖ ≤ R_sym) on the cutting-plane points: certified lower bound "
                   "of the optimal robust loss at R_sym exceeds ε",
            reverified=bool(direct.lower > cfg["eps"] and direct.status == "optimal")))
    elif m["R_upper"] is None:
        ev.inconclusive_reasons.append(f"{tag}: R_upper not certified ({m['status']}); only R_lower ≤ R_sym shown")


def _network_realization(ev: Evidence, cfg: dict, base: dict, seed: int) -> list[dict[str, Any]]:
    """The REAL two-layer relu2 net at W* = W(0) + ΔW (linearized robust problem over B(R), R = base R_upper,
    per-layer-R) across widths: certified robust loss (numerics.training.comparator.certify_robust_loss) and W* ∈ B(R).
    C8 asks for m ≥ poly(R, d, 1/ε): the certified loss approaches the linearized one only as m grows."""
    from numerics.training.comparator import certify_robust_loss
    from numerics.training.kernel_comparator import linearized_solution
    data, R = base["data"], base["R_upper"]
    X, y = torch.as_tensor(data.X), torch.as_tensor(data.y)
    rows = []
    for m in cfg["widths"]:
        net = FullyConnected(data.X.shape[1], m, 1, "relu2", seed=seed)
        sol = linearized_solution(net, X, y, data.pset, "hinge", R, "per-layer-R", tol=cfg["tol"], seed=seed)
        ev.solver_statuses += sol.result.solver_statuses
        lower, upper, method = certify_robust_loss(net, sol.weights, X, y, data.pset, get_loss("hinge"))
        ev.compare(f"network realization m={m}: W* ∈ B(R) (per-layer-R)", max(sol.distances), sol.radius, "<=",
                   tolerance=sol.radius * BALL_RTOL_F64, tolerance_name="BALL_RTOL_F64")
        rows.append({"width": m, "certified_upper": float(upper.mean()), "attack_lower": float(lower.mean()),
                     "linearized_lower": sol.result.lower, "linearized_value": sol.result.attack_value,
                     "distance": max(sol.distances), "certificate": method})
    ev.notes.append(f"network realization (measured, no bound asserted; d={base['d']}, δ_sep={base['delta_sep']}): "
                    f"certified L*(W*) of the real relu2 net at R = R_upper(ε) = {R:.3g} per width: " + ", ".join(f"m={r['width']}: {r['certified_upper']:.3g} "
                                                              f"(linearized {r['linearized_value']:.3g})" for r in rows)
                    + "; the linearized problem includes the initial output f(W(0), ·), the kernel problem does not")
    return rows


def check_robust_loss_vs_R(ctx: RunContext, *, kernel: type[NTKKernel] = NTKKernel,
                           linear_inner_max: Callable = linear_exact) -> Evidence:
    """C8 numerics (module docstring): cross-checks, robust loss vs R, R*(ε) vs d and δ_sep, symbolic bound."""
    with single_thread():
        return _robust_loss_vs_R(ctx, kernel, linear_inner_max)


def _robust_loss_vs_R(ctx: RunContext, kernel_cls: type[NTKKernel], linear_inner_max: Callable) -> Evidence:
    start = time.perf_counter()
    cfg = TIERS[ctx.tier]
    ev = Evidence(CLAIM, "C8-robust-loss-vs-R", ctx.tier, seeds=[ctx.seed],
                  config={**{k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
                          "kernel": "two-layer relu2 NTK, output layer fixed", "loss": "hinge",
                          "perturbation": "sphere-cap", "kernel_class": kernel_cls.__name__,
                          "linear_inner_max": linear_inner_max.__name__})
    kernel = kernel_cls(1, "relu2")
    gates = [_kernel_crosscheck(ev, kernel_cls, ctx.seed), _linear_crosscheck(ev, linear_inner_max, ctx.seed),
             _certificate_crosscheck(ev, kernel_cls, ctx.seed)]
    if not all(gates):
        ev.notes.append("a cross-check failed: the robust-loss measurements were skipped")
        ev.wall_time_s = time.perf_counter() - start
        return ev
    measured = []
    try:
        for sep in cfg["seps"]:
            for d in cfg["dims"]:
                measured.append(_measure_radius(ev, cfg, d, sep, ctx.seed, kernel))
        base = next(m for m in measured if m["R_upper"] is not None)
        curve = _curve(ev, cfg, base, ctx.seed)
        _small_radius_control(ev, cfg, base, ctx.seed)
        smallest = min((m for m in measured if m["R_upper"] is not None and m["d"] <= 3), key=lambda m: m["R_upper"])
        network = _network_realization(ev, cfg, smallest, ctx.seed)
    except RobustKernelSolverError as exc:
        ev.inconclusive_reasons.append(f"solver failure: {exc} (status {exc.status})")
        ev.solver_statuses.append(exc.status)
        ev.wall_time_s = time.perf_counter() - start
        return ev
    except StopIteration:
        ev.inconclusive_reasons.append("no configuration reached a certified R_upper")
        curve, network = [], []
    for m in measured:
        _symbolic_comparison(ev, cfg, m)
    ev.measurements["regression_cases"] = [
        m for case in REGRESSION_CASES
        if (m := radius_case(ev, cfg, case, kernel,
                             f"regression (hunt) d={case['d']}, δ_sep={case['delta_sep']}, n={case['n']}, "
                             f"cap={case['cap']:g}, ε={case['eps']:g}, seed={case['seed']}")) is not None]
    table = [{k: v for k, v in m.items() if k not in ("data", "problem", "result")} for m in measured]
    fits: dict[str, Any] = {}
    for sep in cfg["seps"]:
        rows = [m for m in measured if m["delta_sep"] == sep]
        for kind in ("R_lower", "R_upper"):
            if all(m[kind] is not None and m[kind] > 0 for m in rows):
                fits[f"{kind} vs d, δ_sep={sep}"] = growth_fits(np.array([m["d"] for m in rows]),
                                                               np.array([m[kind] for m in rows]))
    for d in cfg["dims"]:
        rows = [m for m in measured if m["d"] == d and m["R_lower"] > 0]
        if len(rows) >= 2:
            x = np.log(1.0 / np.array([m["delta_sep"] for m in rows]))
            slope = np.polyfit(x, np.log([m["R_lower"] for m in rows]), 1)[0]
            fits[f"slope of log R_lower vs log(1/δ_sep), d={d}"] = float(slope)
    ev.measurements.update({"radius_table": table, "curve": curve, "fits": fits, "network": network})
    for name, fit in fits.items():
        if isinstance(fit, dict):
            ev.notes.append(f"{name}: exponential slope {fit['exponential']['slope']:.3g} (RSS {fit['exponential']['rss']:.3g}), "
                            f"polynomial slope {fit['polynomial']['slope']:.3g} (RSS {fit['polynomial']['rss']:.3g}), "
                            f"ΔAIC(poly − exp) = {fit['delta_aic_poly_minus_exp']:.3g}: {fit['preferred']}")
    ev.notes.append("R*(ε) is measured at fixed n; the (C/(δ_sep·ε))^Θ(d) bound is a worst case over all separable "
                    "data (covering the sphere needs n ~ δ_sep^−(d−1) points), so a flat or falling R*(d) here does "
                    "not contradict it")
    ev.wall_time_s = time.perf_counter() - start
    return ev


# ---------------------------------------------------------------- the antipodal obstruction
def _obstruction_data() -> tuple[np.ndarray, np.ndarray]:
    angles = np.arange(12) * np.pi / 6
    return np.stack([np.cos(angles), np.sin(angles)], axis=1), np.where(np.arange(12) % 2 == 0, 1.0, -1.0)


def _even_part_and_quadratic(net: FullyConnected, X: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """f(x) + f(−x) from the net and xᵀQx with Q = (1/√m)·Σ_r a_r·√c_σ·w_r w_rᵀ (the relu2 identity)."""
    with torch.no_grad():
        even = (net(X) + net(-X)).numpy()
        W, a = net.weights[0].detach().numpy(), net.output.detach().numpy()
    Q = (W.T * a) @ W * net.scale
    return even, np.einsum("ij,jk,ik->i", X.numpy(), Q, X.numpy())


def obstruction_width(ev: Evidence, m: int, seed: int, gen: torch.Generator, offset: float,
                      obstruction_activation: str) -> None:
    """At width m, W = W(0) + offset·N(0, I) (drawn from ``gen``): f(x) + f(−x) = xᵀQx on the 12 alternating
    points of S¹ (a failure re-verified in numpy) and the clean hinge loss ≥ 1."""
    X, y = _obstruction_data()
    Xt = torch.as_tensor(X)
    net = FullyConnected(2, m, 1, obstruction_activation, seed=seed)
    with torch.no_grad():  # a point of the ball far from W(0): the identity holds for every W
        net.weights[0].add_(offset * torch.randn(net.weights[0].shape, generator=gen, dtype=torch.float64))
    even, quad = _even_part_and_quadratic(net, Xt)
    scale = float(np.abs(even).max() + np.abs(quad).max() + 1.0)
    err = float(np.abs(even - quad).max()) / scale
    row = ev.compare(f"m={m}: f(x) + f(−x) = xᵀQx for the {obstruction_activation} net", err, 0.0, "==",
                     tolerance=QUADRATIC_IDENTITY_RTOL, tolerance_name="QUADRATIC_IDENTITY_RTOL")
    if not row.holds:
        W, a = net.weights[0].detach().numpy(), net.output.detach().numpy()
        sig = {"relu2": lambda z: np.maximum(z, 0) ** 2, "relu": lambda z: np.maximum(z, 0),
               "softplus": lambda z: np.logaddexp(0, z), "tanh": np.tanh, "erf": None, "sigmoid": None}
        fn = sig.get(obstruction_activation)
        if fn is not None:
            f = lambda Z: fn(Z @ W.T) @ a * net.scale  # noqa: E731
            redo = float(np.abs(f(X) + f(-X) - np.einsum("ij,jk,ik->i", X, (W.T * a) @ W * net.scale, X)).max())
            ev.counterexamples.append(Counterexample(
                row.name, "f(x) + f(−x) is not a quadratic form: the obstruction does not apply",
                {"m": m, "activation": obstruction_activation}, recomputed_measured=redo / scale,
                recomputed_bound=0.0, method="plain float64 numpy forward pass",
                reverified=bool(redo / scale > QUADRATIC_IDENTITY_RTOL)))
    with torch.no_grad():
        clean = float(get_loss("hinge").value(net(Xt), torch.as_tensor(y)).mean())
    ev.compare(f"m={m}: clean hinge loss ≥ 1 (hence L*(W) ≥ 1)", clean, 1.0, ">=", tolerance=LOSS_ROUNDING_ATOL,
               tolerance_name="LOSS_ROUNDING_ATOL")


def check_antipodal_obstruction(ctx: RunContext, *, obstruction_activation: str = "relu2") -> Evidence:
    """C8 as reconstructed fails on separable data with same-labelled antipodes (module docstring)."""
    with single_thread():
        return _antipodal_obstruction(ctx, obstruction_activation)


def _antipodal_obstruction(ctx: RunContext, obstruction_activation: str) -> Evidence:
    start = time.perf_counter()
    cfg = TIERS[ctx.tier]
    ev = Evidence(CLAIM, "C8-antipodal-obstruction", ctx.tier, seeds=[ctx.seed],
                  config={"points": "12 equally spaced on S^1, alternating labels", "cap": cfg["cap"],
                          "activation": obstruction_activation, "widths": list(cfg["widths"])})
    X, y = _obstruction_data()
    pset = PerturbationSet("sphere-cap", cfg["cap"])
    sep = 2 * math.sin((math.pi / 6 - 2 * pset.cap_angle) / 2)
    ev.compare("C8's hypothesis holds: differently labelled caps are δ_sep > 0 apart", sep, 0.0, ">=",
               tolerance=0.0, tolerance_name="exact")
    signs = [(-1) ** j for j in range(6)]   # labels of x_0..x_5; x_{j+6} = −x_j carries the same label
    sums = [sp.simplify(sum(signs[j] * f(sp.pi * j / 3) for j in range(6)))
            for f in (lambda t: sp.Integer(1), sp.cos, sp.sin)]
    exact = max(abs(v) for v in sums)
    ev.compare("Σ_k s_k·(1, cos 2θ_k, sin 2θ_k) = 0 exactly (no quadratic form fits the labels)", float(exact), 0.0,
               "==", tolerance=0.0, tolerance_name="exact (sympy)")
    gen = torch.Generator().manual_seed(ctx.seed)
    for m in cfg["widths"]:
        obstruction_width(ev, m, ctx.seed, gen, OBSTRUCTION_OFFSET, obstruction_activation)
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), pset, "hinge", radius=OBSTRUCTION_KERNEL_R)
    res = solve_robust(problem, tol=1e-3, initial_samples=4, seed=ctx.seed, max_rounds=10, certify=False)
    ev.solver_statuses += res.solver_statuses
    ev.compare(f"NTK RKHS at R = {OBSTRUCTION_KERNEL_R:g}: weak-duality lower bound of the optimal robust loss ≥ 1",
               res.lower, 1.0, ">=", tolerance=OBSTRUCTION_DUAL_ATOL, tolerance_name="OBSTRUCTION_DUAL_ATOL")
    ev.measurements.update({"separation": sep, "kernel_lower": res.lower, "kernel_attack_value": res.attack_value,
                            "kernel_radius": OBSTRUCTION_KERNEL_R})
    ev.construction_verdict, ev.construction_label = REFUTED_AS_STATED, OBSTRUCTION_LABEL
    ev.notes += ["conventions: bias-free two-layer relu2 net, C8's separation of differently labelled sets only → "
                 "refuted as reconstructed (L*(W) ≥ 1 for every W, R and m on this data). It is an expressiveness "
                 "gap of the bias-free function class: the CLEAN hinge loss is already ≥ 1, so no robustness "
                 "question arises. With antipodal separation as in C8-robust-loss-vs-R it does not apply; with a "
                 "bias / constant input coordinate it is lifted — measured by C8-bias-variant, not asserted here",
                 "proof: Σ_j y_j f(x_j) = Σ_k s_k(f(x_k) + f(−x_k)) = Σ_k s_k x_kᵀQx_k = 0, so "
                 "mean max(0, 1 − y f) ≥ 1 − mean y f = 1"]
    ev.wall_time_s = time.perf_counter() - start
    return ev


# ---------------------------------------------------------------- the bias / constant-coordinate variant
def lift(X: np.ndarray, angle: float = BIAS_ANGLE) -> np.ndarray:
    """x ↦ (x·cos φ, sin φ): unit inputs with a constant coordinate (a first-layer bias) on S^d."""
    return np.hstack([X * math.cos(angle), np.full((len(X), 1), math.sin(angle))])


def symmetric_data(pairs: int, d: int, pset: PerturbationSet, delta_sep: float, seed: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Points x_k on S^(d−1) with alternating labels and their antipodes −x_k with the SAME label (the data the
    antipodal separation excludes), kept greedily when every differently labelled pair of sets is δ_sep apart."""
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    labels: list[float] = []
    for _ in range(2000 * pairs):
        if len(kept) == pairs:
            break
        x = rng.standard_normal(d)
        x /= np.linalg.norm(x)
        y = 1.0 if len(kept) % 2 == 0 else -1.0
        if kept:
            others = np.array(kept + [-v for v in kept])
            other_labels = np.array(labels + labels)
            dist = set_distances(pset, np.array([x, -x]), others)
            if np.any(dist[:, other_labels != y] < delta_sep):
                continue
        kept.append(x)
        labels.append(y)
    if len(kept) < pairs:
        raise RobustKernelSolverError(f"could not place {pairs} symmetric pairs at δ_sep = {delta_sep} in d = {d}",
                                      "data generation failed")
    return np.array(kept + [-v for v in kept]), np.array(labels + labels)


def bias_dimension(ev: Evidence, d: int, cfg: dict, sep: float, pset: PerturbationSet, kernel: NTKKernel,
                   seed: int) -> dict[str, Any]:
    """One d of the bias variant: the lifted data's separation, the certified bracket of R*(ε) with its certified
    robust loss against ε and R_upper against the symbolic R(d + 1, δ_sep, ε), and the bias-free weak-duality
    bound on the unlifted data (compared at d = 2); returns the table row (RobustKernelSolverError propagates)."""
    X, y = _obstruction_data() if d == 2 else symmetric_data(BIAS_PAIRS, d, pset, sep, seed + d)
    Z = lift(X)
    lifted_sep = separations(pset, Z, y)[0]
    ev.compare(f"d={d}: lifted data keep C8's hypothesis: separation of differently labelled caps ≥ 0 "
               "(the measured value is the lifted δ_sep)", lifted_sep, 0.0, ">=", tolerance=0.0,
               tolerance_name="exact (closed form)")
    res = solve_robust(robust_kernel_problem(Z, y, kernel, pset, "hinge", radius=1.0), tol=cfg["tol"],
                       target=cfg["eps"], seed=seed, max_rounds=20, cell_budget=cfg["cell_budget"])
    ev.solver_statuses += res.solver_statuses
    free = solve_robust(robust_kernel_problem(X, y, kernel, pset, "hinge", radius=OBSTRUCTION_KERNEL_R),
                        tol=1e-3, initial_samples=4, seed=seed, max_rounds=10, certify=False)
    ev.solver_statuses += free.solver_statuses
    if d == 2:
        ev.compare("d=2, same data without the bias: weak-duality lower bound of L* at R = 100 ≥ 1 (the "
                   "obstruction)", free.lower, 1.0, ">=", tolerance=OBSTRUCTION_DUAL_ATOL,
                   tolerance_name="OBSTRUCTION_DUAL_ATOL")
    row = {"d": d, "lifted_separation": lifted_sep, "R_lower": res.lower, "R_upper": res.upper,
           "status": res.status, "certified_robust_loss": res.certificate.get("certified_robust_loss"),
           "bias_free_lower_at_R100": free.lower}
    if res.upper is None:
        ev.inconclusive_reasons.append(f"d={d}: no certified R_upper for the bias variant ({res.status})")
    else:
        ev.compare(f"d={d}: bias variant: certified robust loss ≤ ε at R_upper = {res.upper:.4g}",
                   float(row["certified_robust_loss"]), cfg["eps"], "<=", tolerance=0.0,
                   tolerance_name="exact (certified)")
        try:
            row["R_symbolic"] = _symbolic_radius(d + 1, lifted_sep, cfg["eps"])
            ev.compare(f"d={d}: bias variant: R_upper(ε) ≤ symbolic R(d + 1, δ_sep, ε)", res.upper,
                       row["R_symbolic"], "<=", tolerance=0.0, tolerance_name="exact (certified)")
        except ImportError:
            pass
    return row


def check_bias_variant(ctx: RunContext, *, kernel: type[NTKKernel] = NTKKernel) -> Evidence:
    """C8 with a bias / constant input coordinate on same-labelled-antipode data (module docstring);
    ``kernel``: the NTK class the solver uses, gated by the cross-check against analytic_ntk."""
    with single_thread():
        return _bias_variant(ctx, kernel)


def _bias_variant(ctx: RunContext, kernel_cls: type[NTKKernel]) -> Evidence:
    start = time.perf_counter()
    cfg = TIERS[ctx.tier]
    sep = cfg["seps"][-1]
    dims = BIAS_DIMS[ctx.tier]
    ev = Evidence(CLAIM, _BIAS, ctx.tier, seeds=[ctx.seed],
                  config={"dims": list(dims), "lift": "x ↦ (x·cos φ, sin φ)", "phi": BIAS_ANGLE, "cap": cfg["cap"],
                          "eps": cfg["eps"], "tol": cfg["tol"], "delta_sep (d ≥ 3 data)": sep,
                          "data": "d = 2: 12 alternating points on S¹ (antipodes share labels); d ≥ 3: "
                                  f"{BIAS_PAIRS} seeded points and their same-labelled antipodes"})
    pset = PerturbationSet("sphere-cap", cfg["cap"])
    kernel = kernel_cls(1, "relu2")
    rows = []
    if not _kernel_crosscheck(ev, kernel_cls, ctx.seed):
        ev.notes.append("the kernel cross-check failed: the bias variant was not measured")
        ev.wall_time_s = time.perf_counter() - start
        return ev
    try:
        for d in dims:
            rows.append(bias_dimension(ev, d, cfg, sep, pset, kernel, ctx.seed))
    except RobustKernelSolverError as exc:
        ev.inconclusive_reasons.append(f"solver failure: {exc} (status {exc.status})")
        ev.solver_statuses.append(exc.status)
    ev.measurements["tables"] = {"C8 with a bias / constant coordinate: R*(ε) per d": {
        "columns": ["d", "lifted separation", "R_lower (certified)", "R_upper (certified)",
                    "bias-free: weak-duality lower bound of L* at R = 100"],
        "rows": [[r["d"], round(r["lifted_separation"], 4), r["R_lower"], r["R_upper"],
                  round(r["bias_free_lower_at_R100"], 6)] for r in rows]}}
    ev.measurements["radius_table"] = rows
    ev.construction_verdict = HOLDS_UNDER
    ev.config["kernel_class"] = kernel_cls.__name__
    ev.construction_label = ("holds under a bias / constant input coordinate: certified R*(ε) = "
                             + ", ".join(f"[{r['R_lower']:.3g}, {r['R_upper']:.3g}] (d={r['d']})" for r in rows
                                         if r["R_upper"] is not None))
    ev.notes.append("the caps live on S^d around the lifted points, a superset of the lifted caps (the constant "
                    "coordinate may move too), so each certified robust loss bounds the bias model's from above")
    ev.wall_time_s = time.perf_counter() - start
    return ev
