"""The NTK error of a user's architecture on a user's points, and the two forms of an ntk-concentration claim.

Error of one network: e(m, s) = max_ij |Θ_m(x_i, x_j) − Θ(x_i, x_j)|, with Θ_m the structured empirical NTK
(numerics.ntk.empirical) of FullyConnected(d, m, H, σ) seeded by (master seed, s, m, H, σ), and Θ the analytic
NTK (numerics.ntk.analytic) — the quantity of C5, on the user's points, for the user's widths and seeds.

- **rate**: ln e = ln C + p·ln m fitted by OLS over all (m, s) pairs (numerics.ntk.rate_fit, Student-t interval at
  ``level``); the claim holds when the interval contains the stated rate. Controls: the stated rate ± the
  design's resolution Δ (a number fixed in the claim, default ``DEFAULT_RESOLUTION``) must both be excluded —
  otherwise the widths and seeds cannot tell the stated rate from one Δ away and the claim is vacuous.
- **error at a width**: the mean of e(m, s) over the seeds with a one-sided Student-t interval at ``level``;
  the claim "mean error ≤ ε at m" is violated only when the interval's lower end exceeds ε (the comparison's
  tolerance is the interval's half-width). Control: the same measurements against
  ``CONTROL_FRACTION`` × the lower end must come out violated (impossible when the lower end is ≤ 0: vacuous).

Re-verification of a failure: the slope and interval refitted from the recorded errors by closed-form regression
sums (math.fsum), and the recorded error of the worst network at the largest width recomputed from a rebuilt
network with torch.autograd Jacobians (empirical_ntk(method="autograd")); both must agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from numerics.execution.sweep import run_sweep
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import analytic_ntk
from numerics.ntk.empirical import empirical_ntk
from numerics.ntk.rate_fit import fit_loglog_slope
from theory.activations import ACTIVATIONS
from theory.evidence import Counterexample, Evidence

DEFAULT_LEVEL = 0.99
DEFAULT_RESOLUTION = 0.25   # C5's alternatives to −1/2 are −1 (a wrong rate) and ≥ −0.2 (a wrong kernel's plateau)
CONTROL_FRACTION = 0.5      # the error-form control: half of the measured lower confidence end
# structured vs autograd Jacobians agree to ~1e-15 on these sizes; 1e-9 relative is far above round-off
REVERIFY_RTOL = 1e-9


@dataclass(frozen=True)
class NtkDesign:
    """Points (unit rows), architecture, widths and the user's seeds; ``master_seed`` is the run's --seed."""

    X: np.ndarray
    activation: str
    depth: int
    widths: tuple[int, ...]
    seeds: tuple[int, ...]
    master_seed: int = 0

    def net_seed(self, width: int, seed: int) -> int:
        key = [self.master_seed, seed, width, self.depth, ACTIVATIONS.index(self.activation)]
        return int(np.random.SeedSequence(key).generate_state(1)[0])


def _one_error(config: dict[str, Any]) -> dict[str, Any]:
    """Sweep worker: the error of one network and the Gram entry where it is attained."""
    X = np.asarray(config["X"], dtype=np.float64)
    net = FullyConnected(X.shape[1], config["width"], config["depth"], config["activation"], seed=config["net_seed"])
    dev = np.abs(empirical_ntk(net, X, method=config.get("method", "structured")) - np.asarray(config["theta"]))
    i, j = np.unravel_index(int(np.argmax(dev)), dev.shape)
    return {"error": float(dev[i, j]), "entry": [int(i), int(j)]}


@dataclass
class NtkErrors:
    """errors[k][r]: width widths[k], seed seeds[r]; entries: where each maximum is attained."""

    design: NtkDesign
    theta: np.ndarray
    errors: np.ndarray
    entries: list[list[list[int]]]

    def worst_at_largest(self) -> tuple[int, float]:
        r = int(np.argmax(self.errors[-1]))
        return r, float(self.errors[-1][r])

    def recompute(self, k: int, r: int) -> float:
        """The error of network (k, r) again, from a rebuilt network with autograd Jacobians."""
        d = self.design
        return _one_error({"X": d.X.tolist(), "width": d.widths[k], "depth": d.depth, "activation": d.activation,
                           "net_seed": d.net_seed(d.widths[k], d.seeds[r]), "theta": self.theta.tolist(),
                           "method": "autograd"})["error"]


def measure(design: NtkDesign, *, workers: int = 1) -> NtkErrors:
    """e(m, s) for every width and seed of the design (independent networks, run through run_sweep)."""
    theta = analytic_ntk(design.X, depth=design.depth, activation=design.activation)
    configs = [{"X": design.X.tolist(), "width": m, "depth": design.depth, "activation": design.activation,
                "net_seed": design.net_seed(m, s), "theta": theta.tolist()} for m in design.widths for s in design.seeds]
    out = run_sweep(_one_error, configs, workers=workers)
    k = len(design.seeds)
    errors = np.array([o["error"] for o in out]).reshape(len(design.widths), k)
    entries = [[o["entry"] for o in out[i:i + k]] for i in range(0, len(out), k)]
    return NtkErrors(design, theta, errors, entries)


def mean_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """(mean, one-sided Student-t half-width at ``level``) of independent values (≥ 2 of them)."""
    v = np.asarray(values, dtype=np.float64)
    half = float(stats.t.ppf(level, len(v) - 1)) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return float(v.mean()), half


def refit(widths: list[int], errors: list[list[float]], level: float) -> tuple[float, float, float]:
    """The OLS slope and its t interval again, by closed-form regression sums (math.fsum), not by lstsq."""
    xs = [math.log(m) for m, row in zip(widths, errors) for _ in row]
    ys = [math.log(e) for row in errors for e in row]
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    slope = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    s2 = math.fsum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys)) / (n - 2)
    half = float(stats.t.isf((1.0 - level) / 2.0, n - 2)) * math.sqrt(s2 / sxx)
    return slope, slope - half, slope + half


def _evidence(claim_id: str, check_id: str, design: NtkDesign, errs: NtkErrors | None = None) -> Evidence:
    ev = Evidence(claim_id, check_id, "user", seeds=list(design.seeds), solver_statuses=["not-applicable"])
    ev.config = {"activation": design.activation, "depth": design.depth, "widths": list(design.widths),
                 "seeds": list(design.seeds), "master_seed": design.master_seed, "n": int(design.X.shape[0]),
                 "d": int(design.X.shape[1]),
                 "error": "max_ij |Θ_m(x_i,x_j) − Θ(x_i,x_j)|, structured empirical NTK vs analytic_ntk"}
    if errs is not None:
        ev.measurements = {"errors": errs.errors.tolist(), "mean_error": errs.errors.mean(axis=1).tolist(),
                           "mean_error_times_sqrt_m": (errs.errors.mean(axis=1) * np.sqrt(design.widths)).tolist(),
                           "net_seeds": [[design.net_seed(m, s) for s in design.seeds] for m in design.widths]}
    return ev


def _spot(errs: NtkErrors) -> dict[str, Any]:
    r, recorded = errs.worst_at_largest()
    recomputed = errs.recompute(len(errs.design.widths) - 1, r)
    return {"width": errs.design.widths[-1], "seed": errs.design.seeds[r], "recorded_error": recorded,
            "recomputed_error": recomputed, "agrees": abs(recomputed - recorded) <= REVERIFY_RTOL * max(1.0, recorded)}


def _rate_row(ev: Evidence, errs: NtkErrors, rate: float, level: float, name: str, spot: dict[str, Any]) -> None:
    widths = list(errs.design.widths)
    flat_m = np.repeat(np.asarray(widths, dtype=float), errs.errors.shape[1])
    fit = fit_loglog_slope(flat_m, errs.errors.ravel(), level=level)
    ev.measurements["fit"] = fit.to_dict()
    row = ev.compare(name, fit.slope, rate, "contains", interval=fit.ci,
                     tolerance_name=f"{100 * level:g}% Student-t interval of the OLS slope")
    if not row.holds:
        slope, lo, hi = refit(widths, errs.errors.tolist(), level)
        ev.counterexamples.append(Counterexample(
            row.name, f"the {100 * level:g}% interval [{lo:.4f}, {hi:.4f}] of the fitted rate excludes {rate:g}",
            {"widths": widths, "errors": errs.errors.tolist(), "spot_check": spot}, slope, rate,
            "slope and interval refitted by closed-form sums (math.fsum); the worst largest-width network rebuilt "
            "and its error recomputed with autograd Jacobians", reverified=bool(spot["agrees"] and not lo <= rate <= hi)))


def rate_evidence(design: NtkDesign, rate: float, *, level: float = DEFAULT_LEVEL,
                  resolution: float = DEFAULT_RESOLUTION, claim_id: str, check_id: str, workers: int = 1
                  ) -> tuple[Evidence, list[Evidence]]:
    """Main evidence (fitted rate vs the stated one) and the two resolution controls (module docstring)."""
    errs = measure(design, workers=workers)
    spot = _spot(errs)
    ev = _evidence(claim_id, check_id, design, errs)
    ev.config.update({"stated_rate": rate, "level": level, "resolution": resolution})
    ev.measurements["spot_check"] = spot
    _rate_row(ev, errs, rate, level, f"slope of log error vs log m contains the stated rate {rate:g}", spot)
    fit = ev.measurements["fit"]
    ev.notes.append(f"{len(design.widths)} widths × {len(design.seeds)} seeds; fitted rate {fit['slope']:.4f}, "
                    f"{100 * level:g}% interval half-width {(fit['ci'][1] - fit['ci'][0]) / 2:.3f}; power: the "
                    f"controls ask the design to exclude the stated rate ± {resolution:g}")
    controls = []
    for shifted in (rate - resolution, rate + resolution):
        c = _evidence(claim_id, f"{check_id}:control", design)
        _rate_row(c, errs, shifted, level, f"control: the interval must exclude {shifted:g} (stated rate "
                                           f"{'−' if shifted < rate else '+'} resolution {resolution:g})", spot)
        controls.append(c)
    return ev, controls


def mean_error_row(ev: Evidence, errs: NtkErrors, k: int, bound: float, level: float, name: str, *,
                   relation: str = "<=", **detail: Any) -> None:
    """Row "mean over the seeds of e(widths[k], ·) {relation} bound" with the one-sided interval's half-width as
    tolerance; a failure is re-verified by recomputing that width's worst network with autograd Jacobians."""
    values = errs.errors[k]
    mean, half = mean_interval(values, level)
    end = mean - half if relation == "<=" else mean + half
    row = ev.compare(name, mean, bound, relation, tolerance=half,
                     tolerance_name=f"one-sided {100 * level:g}% Student-t half-width of the mean over "
                                    f"{len(values)} seeds", confidence_end=end, **detail)
    if row.holds or not row.finite:
        return
    r = int(np.argmax(values)) if relation == "<=" else int(np.argmin(values))
    recomputed = errs.recompute(k, r)
    agrees = abs(recomputed - float(values[r])) <= REVERIFY_RTOL * max(1.0, float(values[r]))
    redo = values.copy()
    redo[r] = recomputed
    mean2, half2 = mean_interval(redo, level)
    end2 = mean2 - half2 if relation == "<=" else mean2 + half2
    ev.counterexamples.append(Counterexample(
        row.name, f"the mean error's {'lower' if relation == '<=' else 'upper'} confidence end {end2:.4g} is "
                  f"{'above' if relation == '<=' else 'below'} {bound:.4g}",
        {"width": errs.design.widths[k], "depth": errs.design.depth, "errors": redo.tolist(),
         "recomputed": {"seed": errs.design.seeds[r], "recorded": float(values[r]), "recomputed": recomputed}},
        end2, bound, "the most extreme network (largest error for an upper bound, smallest for a lower) rebuilt, "
                     "its error recomputed with autograd Jacobians; mean and interval retaken",
        reverified=bool(agrees and (end2 > bound if relation == "<=" else end2 < bound))))


def error_evidence(design: NtkDesign, error: float, *, level: float = DEFAULT_LEVEL, claim_id: str, check_id: str,
                   workers: int = 1) -> tuple[Evidence, list[Evidence]]:
    """Main evidence (mean error at the one width of the design vs the stated error) and its control."""
    errs = measure(design, workers=workers)
    m = design.widths[-1]
    ev = _evidence(claim_id, check_id, design, errs)
    ev.config.update({"stated_error": error, "width": m, "level": level})
    mean_error_row(ev, errs, -1, error, level, f"mean error at m={m} ≤ the stated {error:g}")
    mean, half = mean_interval(errs.errors[-1], level)
    ev.notes.append(f"width {m}, {len(design.seeds)} seeds: mean error {mean:.4g}, one-sided {100 * level:g}% "
                    f"half-width {half:.3g}")
    return ev, [error_control(errs, -1, level, claim_id=claim_id, check_id=check_id)]


def error_control(errs: NtkErrors, k: int, level: float, *, claim_id: str, check_id: str,
                  relation: str = "<=") -> Evidence:
    """The control of an error bound at widths[k]: CONTROL_FRACTION × the lower confidence end (an upper-bound
    claim) or the upper confidence end / CONTROL_FRACTION (a lower-bound claim) must be refuted."""
    mean, half = mean_interval(errs.errors[k], level)
    m = errs.design.widths[k]
    control = _evidence(claim_id, f"{check_id}:control", errs.design)
    if relation == ">=":
        target = (mean + half) / CONTROL_FRACTION
        mean_error_row(control, errs, k, target, level, f"control: mean error at m={m} ≥ {target:.4g} "
                       f"(the upper confidence end / {CONTROL_FRACTION:g})", relation=">=")
    elif mean - half > 0:
        target = CONTROL_FRACTION * (mean - half)
        mean_error_row(control, errs, k, target, level, f"control: mean error at m={m} ≤ {target:.4g} "
                       f"({CONTROL_FRACTION:g} × the lower confidence end)")
    else:
        control.inconclusive_reasons.append(f"the lower confidence end of the mean error at m={m} ({mean - half:.3g}) "
                                            "is ≤ 0: no positive error can be refuted with these seeds")
    return control
