"""C5 — the empirical NTK concentrates around the analytic NTK at rate m^(−1/2) (docs/claims.md §2, §5 C5).

Protocol. X: n points uniform on the unit sphere S^(d−1) (seeded by ctx.seed). For every activation σ and
depth H of the tier's grid, every width m = 2^k and every replicate r, an independently seeded
FullyConnected(d, m, H, σ) gives the error e = max_ij |Θ_m(x_i, x_j) − Θ(x_i, x_j)| between its structured
empirical NTK and analytic_ntk.

Rate. Per (σ, H): ordinary least squares of log e on log m over all (m, r) points (independent networks),
slope β̂ with a heteroskedasticity-consistent (HC3) standard error — the spread of log e is larger at the
smallest widths (standard deviation 0.35–0.57 at m = 64 against 0.29–0.42 from m = 512 on, measured with
40 replicates) — and a two-sided Student-t interval, Bonferroni-adjusted over the K configurations so that the
K intervals hold simultaneously with probability FAMILY_CONFIDENCE. Comparison: the interval must contain
the claimed rate −1/2. Pre-asymptotic effects: with 40 replicates per width the fitted slopes over
2^6…2^12 are −0.47…−0.50 (mean −0.484; the distribution of √m·e is still widening slightly at m = 64),
a bias of about +0.015, i.e. ~0.1 of the interval half-width; it is reported, not corrected, and no width
is dropped.

Point estimate, interval width and power: every slope row states its point estimate, its interval width and
the smallest slope error the design detects with 80 % power at its level, (t_{1−α/2} + t_{0.8})·SE with the
row's own HC3 standard error (numerics.ntk.rate_fit.detectable_slope_error) — computed from the data, so a
reader sees when an interval passes only because it is wide.

Re-verification of a failing comparison: the slope and its interval are refitted from the recorded raw
errors by a separate code path (closed-form regression sums in math.fsum); the recorded error of the worst
network at the largest width is recomputed at its worst Gram entry from a rebuilt network with plain
torch.autograd gradients and the claimed kernel re-evaluated by nested scipy quadrature
(numerics.ntk.dual_activations.reference_pair_terms). A counterexample is re-verified only if both agree.
When they do not agree, the disagreement is the finding: a counterexample records the recorded and the
recomputed error (and the empirical Θ_m by both code paths, the claimed Θ by both, so the faulty one is
named), and the judge rules it an internal inconsistency — violated, never inconclusive. The rebuilt
network also recomputes the recorded value by the check's own code path, so a reproducible bug is told
apart from a transient one.

Size. The mean over replicates of e at the largest width must be ≤ ERROR_SD_MULTIPLE·s_H(σ)/√m_max,
where s_H(σ) is the exact leading-order standard deviation (×√m) of the depth-H diagonal Θ_m(x, x) on unit
inputs (numerics.ntk.fluctuations, delta method; s₁ = √(3c_σ²·E σ'(z)⁴ − Σ̇²)) — a fixed, theory-derived
scale, not fitted to the measured errors. Until the hunt found relu2 at H = 2 above it, the scale was H·s₁,
which is no bound: fluctuations compound through the layers (s₂(relu2) = 28.3 vs 2·s₁ = 11.0).

Regression cases: configurations a hunt found (``REGRESSION_CASES``, each with its own points and seeds) are
measured after the grid, inside the same Bonferroni family; they are not part of the power design (few
replicates, small widths), so the control and the power table cover the grid only.

Control: every network of depth H against the analytic NTK of depth H + 1 (the same networks, fit and tolerances):
the error then plateaus, so the slope and size rows must fail; one re-verified counterexample decides it.

Planted faults (tests only; default None = the correct check):
  c_sigma_override=float   the claimed kernel uses this c_σ for every activation;
  drop_layer_term=int h    the claimed kernel omits the layer-h term Σ^(h−1)·Π_{h'≥h}Σ̇^(h') (depths ≥ h);
  expected_rate=float      the claimed rate replaces −1/2;
  empirical=function       (net, X) → Θ_m(X, X) replacing the structured empirical NTK under test;
  config=dict              overrides of the tier's sizes (keys of TIER_CONFIGS), for fast tests.
"""
from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch
from scipy import stats

from numerics.network.data import sphere_points
from numerics.network.datasets import describe, load_dataset
from numerics.ntk.dual_activations import reference_pair_terms
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import analytic_ntk_terms
from numerics.ntk.empirical import empirical_ntk
from numerics.ntk.fluctuations import diagonal_fluctuation_scale
from numerics.ntk.rate_fit import detectable_slope_error
from theory.activations import ACTIVATIONS, c_sigma
from theory.errors import InputError
from theory.evidence import Counterexample, Evidence, RunContext
from theory.tolerances import tolerance

CLAIM_ID = "C5-ntk-concentration"
CHECK_ID = "C5-ntk-rate"

CLAIMED_RATE = -0.5
# Pre-registered in theory/tolerances.py (justification and calibration there): the simultaneous coverage of the
# per-configuration slope intervals (Bonferroni over the configurations), the multiple of the per-layer
# fluctuation scale s_H(σ)/√m allowed for the mean largest-width error, and the relative accuracy to which a
# re-computed error must reproduce the recorded one.
FAMILY_CONFIDENCE = tolerance(CHECK_ID, "FAMILY_CONFIDENCE")
ERROR_SD_MULTIPLE = tolerance(CHECK_ID, "ERROR_SD_MULTIPLE")
REVERIFY_REL_TOL = tolerance(CHECK_ID, "REVERIFY_REL_TOL")
POWER = 0.8              # the probability at which each slope row states the smallest slope error it detects
NETWORK_THREADS = 2      # the suite's reference machine has 2 cores

# Found by `advaudit hunt` (seed 0; shrunk, replayed; numerics/checks/hunts/c5.py replays them first): relu2 at
# H = 2 measured a mean largest-width error 2.89 > 2·s₁·5/√512 = 2.43, the old scale H·s₁; under s_H it holds.
# Each case: its own points sphere_points(n, d, seed), widths 2^log2_width_min … 2^log2_width_max, replicates.
REGRESSION_CASES: tuple[dict[str, Any], ...] = (
    {"activation": "relu2", "depth": 2, "d": 2, "n": 4, "log2_width_max": 9, "replicates": 4, "seed": 9},
)

TIER_CONFIGS: dict[str, dict[str, Any]] = {
    "fast": {"n": 8, "d": 5, "replicates": 8, "activations": ("relu", "softplus", "erf"), "depths": (1, 2, 3),
             "log2_width_min": 6, "log2_width_max": 12, "log2_width_max_deep": 12,
             "regression_cases": REGRESSION_CASES},
    "full": {"n": 8, "d": 5, "replicates": 16, "activations": ("relu", "softplus", "erf"), "depths": (1, 2, 3),
             "log2_width_min": 6, "log2_width_max": 14, "log2_width_max_deep": 13,
             "regression_cases": REGRESSION_CASES},
}


def _config(tier: str, override: dict[str, Any] | None) -> dict[str, Any]:
    cfg = dict(TIER_CONFIGS[tier])
    for key, value in (override or {}).items():
        if key not in cfg:
            raise InputError(f"config: unknown key {key!r} (expected one of {', '.join(cfg)})")
        cfg[key] = value
    return cfg


def _widths(cfg: dict[str, Any], depth: int) -> list[int]:
    top = cfg["log2_width_max"] if depth == 1 else cfg["log2_width_max_deep"]
    return [2 ** k for k in range(cfg["log2_width_min"], top + 1)]


def _net_seed(master: int, activation: str, depth: int, width: int, replicate: int) -> int:
    """Independent seed per network: no two networks of a sweep share weights."""
    key = [master, ACTIVATIONS.index(activation), depth, width, replicate]
    return int(np.random.SeedSequence(key).generate_state(1)[0])


# --- the claimed kernel: the one place where planted faults act -----------------------------------------

def _claimed_terms(X: np.ndarray, activation: str, depth: int, planted: dict[str, Any]) -> list[np.ndarray]:
    """Per-layer terms of the kernel under test (analytic_ntk_terms, or its planted variant)."""
    c = planted.get("c_sigma_override")
    terms = analytic_ntk_terms(X, depth=depth, activation=activation, c_sigma=c)
    drop = planted.get("drop_layer_term")
    if drop is not None and 1 <= drop <= depth:
        terms = [t for h, t in enumerate(terms, start=1) if h != drop]
    return terms


def _reference_entry(x: np.ndarray, y: np.ndarray, activation: str, depth: int, planted: dict[str, Any]) -> float:
    """The same claimed kernel at one pair, by the independent scalar scipy reference."""
    c = planted.get("c_sigma_override") or c_sigma(activation)
    terms = reference_pair_terms(x, y, depth=depth, activation=activation, c_sigma=c)
    drop = planted.get("drop_layer_term")
    return math.fsum(t for h, t in enumerate(terms, start=1) if drop is None or h != drop)


# --- fits -----------------------------------------------------------------------------------------------

def _fit(widths: list[int], errors: np.ndarray, confidence: float) -> dict[str, float]:
    """OLS of log e on log m (errors: widths × replicates); HC3 standard error; two-sided t interval."""
    x = np.repeat(np.log(np.asarray(widths, dtype=np.float64)), errors.shape[1])
    y = np.log(errors).ravel()
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    bread = np.linalg.inv(design.T @ design)
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = (design.T * (resid / (1.0 - leverage)) ** 2) @ design
    se = math.sqrt((bread @ meat @ bread)[1, 1])
    dof = len(y) - 2
    q = float(stats.t.ppf(0.5 + confidence / 2.0, dof))
    return {"slope": float(coef[1]), "intercept": float(coef[0]), "stderr_hc3": se, "t_quantile": q,
            "ci_low": float(coef[1]) - q * se, "ci_high": float(coef[1]) + q * se, "ci_width": 2 * q * se,
            "dof": dof, "residual_sd": float(np.sqrt(resid @ resid / dof)),
            "detectable_error_80": detectable_slope_error(se, dof, confidence, POWER)}


def _refit_independently(widths: list[int], errors: list[list[float]], confidence: float
                         ) -> tuple[float, float, float]:
    """The same fit by another code path: simple-regression sums with math.fsum, HC3 written out."""
    xs = [math.log(m) for m, row in zip(widths, errors) for _ in row]
    ys = [math.log(e) for row in errors for e in row]
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    slope = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    hc3 = math.fsum(((x - mx) * (y - my - slope * (x - mx)) / (1.0 - 1.0 / n - (x - mx) ** 2 / sxx)) ** 2
                    for x, y in zip(xs, ys)) / sxx ** 2
    half = float(stats.t.isf((1.0 - confidence) / 2.0, n - 2)) * math.sqrt(hc3)
    return slope, slope - half, slope + half


# --- independent spot check of one recorded error ------------------------------------------------------------

def _spot_check(X: np.ndarray, i: int, j: int, activation: str, depth: int, width: int, seed: int,
                device: str, planted: dict[str, Any], theta_ij: float,
                kernel_depth: int | None = None) -> dict[str, float]:
    """Rebuild one network and recompute its error at (x_i, x_j) independently: Θ_m from torch.autograd
    gradients (one backward pass per input), Θ from the scalar scipy reference of the claimed kernel; and the
    recorded code path again (the check's empirical NTK on the rebuilt net, the closed-form claimed kernel)."""
    net = FullyConnected(X.shape[1], width, depth, activation, seed=seed, device=device)
    params = net.trained_parameters()
    grads = []
    for k in (i, j):
        out = net(torch.as_tensor(X[k:k + 1], dtype=torch.float64, device=device))[0]
        grads.append([g.detach().reshape(-1).cpu().numpy() for g in torch.autograd.grad(out, params)])
    emp_autograd = math.fsum(float(gi @ gj) for gi, gj in zip(*grads))
    emp_recorded_path = float(_empirical(planted)(net, X)[i, j])
    ref = _reference_entry(X[i], X[j], activation, kernel_depth or depth, planted)
    return {"empirical_autograd": emp_autograd, "empirical_recorded_path": emp_recorded_path,
            "claimed_scipy": ref, "claimed_closed_form": float(theta_ij),
            "error_independent": abs(emp_autograd - ref),
            "error_recorded_path": abs(emp_recorded_path - float(theta_ij))}


def _empirical(planted: dict[str, Any]):
    """The empirical NTK under test: the structured one, or a planted replacement."""
    return planted.get("empirical") or empirical_ntk


def _max_errors(net: FullyConnected, X: np.ndarray, thetas: tuple[np.ndarray, ...],
                empirical) -> list[tuple[float, int, int]]:
    """max_ij |Θ_m − Θ| and where it is attained, for each kernel Θ of ``thetas`` (one empirical NTK)."""
    emp = empirical(net, X)
    out = []
    for theta in thetas:
        dev = np.abs(emp - theta)
        i, j = np.unravel_index(int(np.argmax(dev)), dev.shape)
        out.append((float(dev[i, j]), int(i), int(j)))
    return out


def _sweep(pool: ThreadPoolExecutor, X: np.ndarray, activation: str, depth: int, seeds: list[list[int]],
           widths: list[int], thetas: tuple[np.ndarray, ...], device: str, empirical
           ) -> list[tuple[np.ndarray, list[list[tuple[int, int]]]]]:
    """Per kernel of ``thetas``: errors (widths × replicates) and the Gram entry where each is attained."""
    jobs = [(m, s) for m, row in zip(widths, seeds) for s in row]
    flat = list(pool.map(lambda job: _max_errors(FullyConnected(X.shape[1], job[0], depth, activation, seed=job[1],
                                                                device=device), X, thetas, empirical), jobs))
    per = len(seeds[0])
    out = []
    for k in range(len(thetas)):
        rows = [[cell[k] for cell in flat[r:r + per]] for r in range(0, len(flat), per)]
        out.append((np.array([[e for e, _, _ in row] for row in rows]), [[(i, j) for _, i, j in row] for row in rows]))
    return out


# --- the check ------------------------------------------------------------------------------------------------

def _validate_planted(planted: dict[str, Any]) -> None:
    unknown = set(planted) - {"c_sigma_override", "drop_layer_term", "expected_rate", "empirical", "config"}
    if unknown:
        raise InputError(f"unknown planted argument(s): {', '.join(sorted(unknown))}")
    drop = planted.get("drop_layer_term")
    if drop is not None and (isinstance(drop, bool) or not isinstance(drop, int) or drop < 1):
        raise InputError(f"drop_layer_term must be a layer index h ≥ 1, got {drop!r}")
    rate = planted.get("expected_rate")
    if rate is not None and not (isinstance(rate, (int, float)) and math.isfinite(rate)):
        raise InputError(f"expected_rate must be a finite number, got {rate!r}")
    if planted.get("empirical") is not None and not callable(planted["empirical"]):
        raise InputError(f"empirical must be a function (net, X) → Θ_m, got {planted['empirical']!r}")


def measure_config(ev: Evidence, pool: ThreadPoolExecutor, X: np.ndarray, act: str, depth: int, widths: list[int],
                   seeds: list[list[int]], confidence: float, rate: float, planted: dict[str, Any], device: str,
                   control: Evidence | None = None, label: str | None = None) -> dict[str, Any]:
    """One (σ, H): errors of every (width, replicate) network, the slope fit at ``confidence`` against ``rate``
    and the largest-width size, as comparisons of ``ev`` (failures re-verified); returns the record. With
    ``control``, the same networks are also measured against Θ of depth H + 1 and its rows go there."""
    label = label or f"{act}/H={depth}"
    theta = sum(_claimed_terms(X, act, depth, planted), np.zeros((len(X), len(X))))
    thetas = (theta,)
    if control is not None:
        thetas += (sum(_claimed_terms(X, act, depth + 1, planted), np.zeros((len(X), len(X)))),)
    swept = _sweep(pool, X, act, depth, seeds, widths, thetas, device, _empirical(planted))
    errors, where = swept[0]
    fit = _fit(widths, errors, confidence)
    scale = diagonal_fluctuation_scale(act, depth)
    tol = ERROR_SD_MULTIPLE * scale / math.sqrt(widths[-1])
    top = float(errors[-1].mean())
    record = {"activation": act, "depth": depth, "widths": widths, "net_seeds": seeds,
              "errors": errors.tolist(), "worst_entries": where, "fit": fit,
              "lambda_min_analytic_gram": float(np.linalg.eigvalsh(theta)[0]),
              "largest_width_mean_error": top, "largest_width_tolerance": tol,
              "fluctuation_scale_sH": scale,
              "mean_error_times_sqrt_m": (errors.mean(axis=1) * np.sqrt(widths)).tolist()}
    slope_row = ev.compare(f"{label}: slope of log error vs log m", fit["slope"], rate, "contains",
                           interval=(fit["ci_low"], fit["ci_high"]), tolerance=0.0,
                           tolerance_name=f"{100 * confidence:.2f}% HC3 t-interval (Bonferroni, family "
                                          f"{100 * FAMILY_CONFIDENCE:.1f}%)",
                           point_estimate=fit["slope"], interval_width=fit["ci_width"],
                           detectable_error_80=fit["detectable_error_80"])
    size_row = ev.compare(f"{label}: mean error at m={widths[-1]}", top, tol, "<=", tolerance=0.0,
                          tolerance_name=f"ERROR_SD_MULTIPLE·s_H/√m = {ERROR_SD_MULTIPLE:g}·"
                                         f"{scale:.3f}/√{widths[-1]}")
    if not (slope_row.holds and size_row.holds):
        ev.counterexamples.extend(_reverify(X, act, depth, widths, errors, where, seeds, confidence, rate,
                                            tol, slope_row.holds, size_row.holds, label, device, planted, theta))
    if control is not None:
        (errors_off, where_off) = swept[1]
        _layer_off_control(control, X, act, depth, widths, errors_off, where_off, seeds, confidence, rate,
                           tol, device, planted, thetas[1])
    return record


def measure_case(ev: Evidence, pool: ThreadPoolExecutor, case: dict[str, Any], log2_width_min: int,
                 confidence: float, rate: float, planted: dict[str, Any], device: str,
                 label: str | None = None) -> dict[str, Any]:
    """One configuration given as (activation, depth, d, n, log2_width_max, replicates, seed) — a regression case
    or a hunt's example: its own points sphere_points(n, d, seed), widths 2^log2_width_min … 2^log2_width_max and
    independently seeded networks, measured by measure_config."""
    act, depth, seed = case["activation"], case["depth"], case["seed"]
    widths = [2 ** k for k in range(log2_width_min, case["log2_width_max"] + 1)]
    seeds = [[_net_seed(seed, act, depth, m, r) for r in range(case["replicates"])] for m in widths]
    return measure_config(ev, pool, sphere_points(case["n"], case["d"], seed=seed), act, depth, widths, seeds,
                          confidence, rate, planted, device, label=label)


def check_ntk_concentration(ctx: RunContext, **planted: Any) -> Evidence:
    """Fit the log-log slope of max_ij |Θ_m − Θ| against the width for each (σ, H) and compare with −1/2."""
    start = time.perf_counter()
    _validate_planted(planted)
    cfg = _config(ctx.tier, planted.get("config"))
    rate = float(planted["expected_rate"]) if planted.get("expected_rate") is not None else CLAIMED_RATE
    configs = [(act, depth) for act in cfg["activations"] for depth in cfg["depths"]]
    regression = cfg["regression_cases"]
    confidence = 1.0 - (1.0 - FAMILY_CONFIDENCE) / (len(configs) + len(regression))
    X = (sphere_points(cfg["n"], cfg["d"], seed=ctx.seed) if ctx.data is None else
         load_dataset(ctx.data, n=cfg["n"], d=cfg["d"], seed=ctx.seed)[0])

    ev = Evidence(CLAIM_ID, CHECK_ID, ctx.tier, seeds=[ctx.seed], solver_statuses=["not-applicable"])
    ev.config = {**cfg, "claimed_rate": rate, "family_confidence": FAMILY_CONFIDENCE,
                 "per_config_confidence": confidence, "device": ctx.device,
                 "error": "max_ij |Θ_m(x_i,x_j) − Θ(x_i,x_j)| on the n×n Gram, unit-sphere inputs",
                 "fit": "OLS of log error on log width over all (width, replicate) points; HC3 standard error; "
                        "two-sided Student-t interval for the slope, Bonferroni over the configurations",
                 "tolerance": f"mean largest-width error ≤ {ERROR_SD_MULTIPLE:g}·s_H(σ)/√m_max",
                 "planted": {k: v for k, v in planted.items() if v is not None}}
    if ctx.data is not None:
        ev.config["data"] = describe(ctx.data, n=cfg["n"], d=cfg["d"], seed=ctx.seed)
    ev.notes += [
        "Each network has its own seed (SeedSequence of master seed, σ, H, m, replicate), so the (width, "
        "replicate) errors are independent; their spread shrinks with m, hence HC3 standard errors.",
        "Widths 2^6 and up are slightly pre-asymptotic: with 40 replicates per width the pooled slopes were "
        "−0.47…−0.50 (bias ≈ +0.015, about a tenth of an interval half-width); reported, not corrected.",
        "measurements.configs[*].errors holds every raw error (rows: widths, columns: replicates) for refitting."]
    rows: dict[str, Any] = {}
    control = Evidence(CLAIM_ID, CHECK_ID, ctx.tier, seeds=[ctx.seed], solver_statuses=["not-applicable"])
    # Networks are built and measured on NETWORK_THREADS threads (weight sampling dominates and releases the
    # GIL); every network has its own seed, so the results do not depend on the scheduling.
    with ThreadPoolExecutor(max_workers=NETWORK_THREADS) as pool:
        for act, depth in configs:
            seeds = [[_net_seed(ctx.seed, act, depth, m, r) for r in range(cfg["replicates"])]
                     for m in _widths(cfg, depth)]
            rows[f"{act}/H={depth}"] = measure_config(ev, pool, X, act, depth, _widths(cfg, depth), seeds,
                                                      confidence, rate, planted, ctx.device, control)
        regression_rows: dict[str, Any] = {}
        for case in regression:
            label = (f"regression (hunt) {case['activation']}/H={case['depth']} d={case['d']} n={case['n']} "
                     f"seed={case['seed']}")
            regression_rows[label] = measure_case(ev, pool, case, cfg["log2_width_min"], confidence, rate, planted,
                                                  ctx.device, label)
    ev.measurements = {"configs": rows, "n": cfg["n"], "d": cfg["d"], "power": _power_table(rows, rate),
                       "regression_cases": regression_rows}
    ev.add_control("one layer off", "each network of depth H measured against the analytic NTK of depth H + 1 "
                                    "(same networks, same fit and tolerances)", control)
    detect = [r["fit"]["detectable_error_80"] for r in rows.values()]
    ev.notes.append(f"Power: at its per-configuration level the design detects a slope error of "
                    f"{min(detect):.3f}…{max(detect):.3f} (80 % power, per configuration; table 'power'); a "
                    f"deviation smaller than that passes unseen. Point estimates "
                    f"{min(r['fit']['slope'] for r in rows.values()):.3f}…"
                    f"{max(r['fit']['slope'] for r in rows.values()):.3f}, interval widths "
                    f"{min(r['fit']['ci_width'] for r in rows.values()):.3f}…"
                    f"{max(r['fit']['ci_width'] for r in rows.values()):.3f}.")
    ev.wall_time_s = time.perf_counter() - start
    return ev


def _power_table(rows: dict[str, Any], rate: float) -> dict[str, Any]:
    """Per configuration: point estimate, interval, its width, distance of the estimate from the claimed rate,
    and the smallest slope error detected with 80 % power."""
    return {"columns": ["configuration", "slope", "interval", "width", "|slope − claimed|", "detectable error (80 %)"],
            "rows": [[label, round(r["fit"]["slope"], 4), [round(r["fit"]["ci_low"], 4), round(r["fit"]["ci_high"], 4)],
                      round(r["fit"]["ci_width"], 4), round(abs(r["fit"]["slope"] - rate), 4),
                      round(r["fit"]["detectable_error_80"], 4)] for label, r in rows.items()]}


def _layer_off_control(control: Evidence, X, act, depth, widths, errors, where, seeds, confidence, rate, tol,
                       device, planted, theta_off) -> None:
    """The control rows of one configuration: the networks of depth H against Θ of depth H + 1 (the error then
    stays O(1): no m^(−1/2) rate, no small error), re-verified like the real rows."""
    label = f"{act}/H={depth} vs Θ of depth {depth + 1}"
    fit = _fit(widths, errors, confidence)
    slope_row = control.compare(f"{label}: slope of log error vs log m", fit["slope"], rate, "contains",
                                interval=(fit["ci_low"], fit["ci_high"]), tolerance=0.0,
                                tolerance_name=f"{100 * confidence:.2f}% HC3 t-interval (as the real rows)")
    size_row = control.compare(f"{label}: mean error at m={widths[-1]}", float(errors[-1].mean()), tol, "<=",
                               tolerance=0.0, tolerance_name="as the real rows")
    control.measurements.setdefault("configs", {})[label] = {"errors": errors.tolist(), "fit": fit}
    # One re-verified counterexample decides the control; the (expensive) scipy re-verification of the further
    # configurations' failures is skipped — their rows still record the failure.
    if not (slope_row.holds and size_row.holds) and not any(c.reverified for c in control.counterexamples):
        control.counterexamples.extend(_reverify(X, act, depth, widths, errors, where, seeds, confidence, rate, tol,
                                                 slope_row.holds, size_row.holds, label, device, planted,
                                                 theta_off, kernel_depth=depth + 1))


def _reverify(X, act, depth, widths, errors, where, seeds, confidence, rate, tol, slope_holds, size_holds,
              label, device, planted, theta, kernel_depth: int | None = None) -> list[Counterexample]:
    """Recompute each failure independently: the fit from the recorded errors by another code path, and the
    recorded error of the worst network at the largest width (at its worst entry) by autograd + the scipy
    reference kernel. A recomputed error that disagrees with the recorded one is itself a counterexample
    (recorded and recomputed values both kept; the judge rules the disagreement violated)."""
    worst = int(np.argmax(errors[-1]))
    i, j = where[-1][worst]
    spot = _spot_check(X, i, j, act, depth, widths[-1], seeds[-1][worst], device, planted, theta[i, j],
                       kernel_depth)
    recorded = float(errors[-1][worst])
    recomputed = spot["error_independent"]
    same = abs(recomputed - recorded) <= REVERIFY_REL_TOL * max(1.0, recorded)
    spot = {"width": widths[-1], "seed": seeds[-1][worst], "entry": [i, j], "recorded_error": recorded,
            "recomputed_error": recomputed, **spot}
    out = []
    failed_row = f"{label}: slope of log error vs log m" if not slope_holds else f"{label}: mean error at m={widths[-1]}"
    if not same:
        emp_gap = abs(spot["empirical_recorded_path"] - spot["empirical_autograd"])
        ker_gap = abs(spot["claimed_closed_form"] - spot["claimed_scipy"])
        culprit = ("the empirical NTK under test (structured vs autograd differ by "
                   f"{emp_gap:.3g})" if emp_gap >= ker_gap else
                   f"the claimed kernel (closed form vs scipy quadrature differ by {ker_gap:.3g})")
        reproduced = abs(spot["error_recorded_path"] - recorded) <= REVERIFY_REL_TOL * max(1.0, recorded)
        out.append(Counterexample(
            failed_row, f"re-verification disagrees with the recorded error of the worst network at "
                        f"m={widths[-1]}: {culprit}; the recorded value "
                        f"{'reproduces' if reproduced else 'does NOT reproduce'} on its own code path",
            {"activation": act, "depth": depth, "spot_check": spot},
            recomputed_measured=recomputed, recomputed_bound=tol,
            method="worst network rebuilt; Θ_m by torch.autograd gradients, Θ by nested scipy quadrature "
                   "(reference_pair_terms)",
            reverified=False, recorded_measured=recorded, agreement_rtol=REVERIFY_REL_TOL))
    if not slope_holds:
        slope, lo, hi = _refit_independently(widths, errors.tolist(), confidence)
        out.append(Counterexample(
            f"{label}: slope of log error vs log m",
            f"the {100 * confidence:.2f}% interval [{lo:.4f}, {hi:.4f}] for the rate excludes {rate:g}",
            {"activation": act, "depth": depth, "widths": widths, "errors": errors.tolist(), "spot_check": spot},
            recomputed_measured=slope, recomputed_bound=rate,
            method="slope and HC3 interval refitted from the recorded errors by closed-form regression sums "
                   "(math.fsum); "
                   "one recorded error recomputed with torch.autograd gradients and the scipy reference kernel",
            reverified=bool(same and not (lo <= rate <= hi))))
    if not size_holds:
        errs = errors[-1].copy()
        errs[worst] = recomputed
        mean = float(errs.mean())
        out.append(Counterexample(
            f"{label}: mean error at m={widths[-1]}",
            f"mean largest-width error {mean:.4g} exceeds {tol:.4g}; worst network re-computed independently",
            {"activation": act, "depth": depth, "width": widths[-1], "errors": errs.tolist(), "spot_check": spot},
            recomputed_measured=mean, recomputed_bound=tol,
            method="worst network rebuilt; Θ_m by torch.autograd gradients, Θ by nested scipy quadrature "
                   "(reference_pair_terms); mean taken with the recomputed value",
            reverified=bool(same and recomputed > tol and mean > tol)))
    return out
