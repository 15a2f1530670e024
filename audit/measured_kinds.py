"""Measured claim kinds for user claim files: validated in full before anything runs, answered with judged evidence.

- ``ntk-concentration`` — the NTK of an architecture on the user's points: a fitted rate (``rate`` over ``widths``)
  or an error at a width (``error`` at ``width``)                      (numerics.user_claims.ntk)
- ``robust-loss``       — a user's FullyConnected state dict on the user's data: the mean robust loss ``at_most`` /
  ``at_least`` a value, by the certified per-sample sandwich           (numerics.user_claims.robust_loss)
- ``convergence``       — Algorithm 1 on the user's data, judged as C1 (numerics.user_claims.convergence)
- ``bound``             — a closed-form bound over named measured quantities (numerics.user_claims.bound)

Data (every kind): ``data`` is a built-in data set (numerics.network.datasets: then ``n``, ``d``, ``data_seed``) or
a file relative to the claim file (.npy, .npz with X/y, .csv; ``labels`` = a file or "last-column"; ``normalize``
scales rows onto the unit sphere where the kind needs it). Every verdict is earned: each measurement runs a
control that must come out ``violated`` (the kind's module says which); a consistent answer whose control does
not is ``vacuous``. The controls are attached to the evidence (``Evidence.controls``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from audit.judge import deciding_comparison, judge
from audit.user_claims import Answer, ClaimContext, ClaimKind, Fields, FieldError, register_kind
from theory.errors import InputError
from theory.evidence import Evidence

MAX_NTK_WIDTH = 2 ** 15       # one network of width 2^15 on 64 points takes seconds; beyond, minutes per seed
MAX_NTK_POINTS = 128          # the analytic NTK needs n(n+1)/2 pairs (quadrature for smooth σ)
MAX_TRAIN_WIDTH = 2 ** 14     # C1's full tier goes to 2^14
MAX_SEEDS = 256
DEFAULT_SEEDS = 8


# --- shared field readers ---------------------------------------------------------------------------------------
def _wrap(field: str, call, *args, **kwargs):
    """Run a numerics reader; its InputError becomes a FieldError naming ``field``."""
    try:
        return call(*args, **kwargs)
    except FieldError:
        raise
    except InputError as exc:
        raise FieldError(field, str(exc)) from None


def _level(f: Fields) -> float:
    level = f.get("level", float, required=False, default=0.99)
    if not 0.5 < level < 1:
        raise FieldError("level", f"must be in (0.5, 1), got {level!r}")
    return level


def _seeds(f: Fields) -> tuple[int, ...]:
    raw = f.raw.get("seeds", DEFAULT_SEEDS)
    f.seen.add("seeds")
    if isinstance(raw, int) and not isinstance(raw, bool):
        if not 2 <= raw <= MAX_SEEDS:
            raise FieldError("seeds", f"a count must be in 2..{MAX_SEEDS}, got {raw}")
        return tuple(range(raw))
    if isinstance(raw, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in raw):
        if len(set(raw)) != len(raw) or not 2 <= len(raw) <= MAX_SEEDS:
            raise FieldError("seeds", f"need 2..{MAX_SEEDS} distinct seeds, got {raw!r}")
        return tuple(raw)
    raise FieldError("seeds", f"must be a count (integer ≥ 2) or a list of distinct integers ≥ 0, got {raw!r}")


def _width_list(f: Fields, key: str, *, cap: int, minimum: int = 2) -> tuple[int, ...]:
    """A list of widths, or a table {min = …, max = …} meaning the powers of two from min to max."""
    raw = f.raw.get(key)
    f.seen.add(key)
    if raw is None:
        raise FieldError(key, "missing (a list of widths, or {min = 64, max = 4096} for the powers of two between)")
    if isinstance(raw, dict):
        if set(raw) != {"min", "max"} or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
            raise FieldError(key, f"a range is a table {{min = …, max = …}} of integers, got {raw!r}")
        if not 1 <= raw["min"] <= raw["max"]:
            raise FieldError(key, f"need 1 ≤ min ≤ max, got {raw!r}")
        widths, m = [], 1 << max(0, math.ceil(math.log2(raw["min"])))
        while m <= raw["max"]:
            widths.append(m)
            m *= 2
    elif isinstance(raw, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        widths = sorted(set(raw))
        if len(widths) != len(raw):
            raise FieldError(key, f"widths repeat: {raw!r}")
    else:
        raise FieldError(key, f"must be a list of integers or a table {{min, max}}, got {raw!r}")
    if len(widths) < minimum:
        raise FieldError(key, f"need at least {minimum} distinct widths, got {widths}")
    if widths[0] < 1 or widths[-1] > cap:
        raise FieldError(key, f"widths must lie in 1..{cap}, got {widths[0]}..{widths[-1]}")
    return tuple(widths)


def _activation(f: Fields, choices: tuple[str, ...]) -> str:
    act = f.get("activation", str)
    if act not in choices:
        raise FieldError("activation", f"unknown or unsupported activation {act!r} (expected one of "
                                       f"{', '.join(choices)})")
    return act


def _bounded_int(f: Fields, key: str, lo: int, hi: int, **kw: Any) -> int:
    value = f.get(key, int, **kw)
    if value is not None and not lo <= value <= hi:
        raise FieldError(key, f"must be in {lo}..{hi}, got {value}")
    return value


def _points(f: Fields, ctx: ClaimContext, *, need_labels: bool, need_sphere: bool, default_n: int, default_d: int,
            max_points: int, d: int | None = None) -> dict[str, Any]:
    """The kind's points (and labels) from ``data`` and its companion fields (module docstring)."""
    from numerics.network.datasets import DATASETS, describe, load_dataset
    from numerics.user_claims.inputs import check_labels, read_labels, read_table, to_sphere

    data = f.get("data", str)
    labels = f.get("labels", str, required=False)
    normalize = f.get("normalize", bool, required=False, default=False)
    if data in DATASETS:
        for key in ("labels", "normalize"):
            if key in f.raw:
                raise FieldError(key, f"not used with the built-in data set {data!r} (its labels are ±1 and its "
                                      "points already on the unit sphere)")
        n = _bounded_int(f, "n", 2, max_points, required=False, default=default_n)
        dim = d if d is not None else f.positive("d", int, required=False, default=default_d)
        if d is not None and "d" in f.raw and f.get("d", int) != d:
            raise FieldError("d", f"must equal the network's input dimension {d}, got {f.raw['d']!r}")
        seed = f.get("data_seed", int, required=False, default=ctx.seed)
        try:
            X, y = load_dataset(data, n=n, d=dim, seed=seed)
        except InputError as exc:
            key = str(exc).split(":")[0]
            raise FieldError(key if key in ("n", "d") else "data", str(exc).split(": ", 1)[-1]) from None
        return {"_X": X, "_y": y, "data": describe(data, n=n, d=dim, seed=seed)}
    for key in ("n", "d", "data_seed"):
        if key in f.raw:
            raise FieldError(key, f"only for built-in data sets ({', '.join(DATASETS)}); a file's points are used "
                                  "as they are")
    if not data.lower().endswith((".npy", ".npz", ".csv")):
        raise FieldError("data", f"{data!r} is neither a built-in data set ({', '.join(DATASETS)}) nor a .npy/.npz/"
                                 ".csv file")
    path = ctx.path(data)
    X, y = _wrap("data", read_table, path)
    if labels == "last-column":
        if path.suffix.lower() != ".csv":
            raise FieldError("labels", f"'last-column' is for .csv files; {data!r} is not one (an .npz file carries "
                                       "its labels as an array 'y')")
        if X.ndim != 2 or X.shape[1] < 2:
            raise FieldError("labels", f"'last-column' needs a table of at least 2 columns, got shape {X.shape}")
        X, y = X[:, :-1], X[:, -1]
    elif labels is not None:
        y = _wrap("labels", read_labels, ctx.path(labels))
    X = _wrap("data", to_sphere, X, normalize=normalize) if need_sphere else _wrap("data", _finite_rows, X, normalize)
    if X.shape[0] > max_points:
        raise FieldError("data", f"{X.shape[0]} points; this kind takes at most {max_points}")
    if d is not None and X.shape[1] != d:
        raise FieldError("data", f"points have {X.shape[1]} columns; the network takes inputs of dimension {d}")
    if y is None and need_labels:
        raise FieldError("labels", "missing: a .npy/.csv file with one ±1 label per point, 'last-column' for a CSV "
                                   "whose last column holds them, or an .npz file with an array 'y'")
    if y is not None:
        y = _wrap("labels", check_labels, y, X.shape[0])
    return {"_X": X, "_y": y, "data": {"file": str(path), "n": int(X.shape[0]), "d": int(X.shape[1]),
                                       "normalized": normalize}}


def _finite_rows(X: np.ndarray, normalize: bool) -> np.ndarray:
    from numerics.network.data import check_inputs
    from numerics.user_claims.inputs import to_sphere

    return to_sphere(X, normalize=True) if normalize else check_inputs(X, name="points")


# --- judging with controls ----------------------------------------------------------------------------------------
def settle(main: Evidence, controls: list[Evidence]) -> Evidence:
    """Attach the controls to the evidence (theory.evidence.Control) and judge it: the judge says vacuous when a
    consistent verdict's control is not violated, and so does this function when no control was run."""
    for c in controls:
        name = c.comparisons[0].name if c.comparisons else c.check_id
        main.add_control(name, c.notes[0] if c.notes else "the stated value, moved beyond what was measured", c)
    if not controls:
        main.vacuous_reason = "no control was run, so this consistent verdict is not earned"
    return judge(main)


def summary(ev: Evidence) -> str:
    """The evidence in a few lines: verdict and reason, the deciding comparison, counterexample, controls."""
    lines = [f"{ev.verdict}: {ev.verdict_reason}"]
    row = deciding_comparison(ev) or (next((c for c in ev.comparisons if not c.holds), None) if ev.comparisons
                                      else None)
    if row is not None:
        measured = f"{row.measured:.6g}" + (f" (CI [{row.interval[0]:.4g}, {row.interval[1]:.4g}])"
                                           if row.interval else "")
        slack = f", slack {row.slack:.3g}" if row.slack is not None else ""
        lines.append(f"  {row.name}: measured {measured} {row.relation} {row.bound:.6g}; margin {row.margin:.3g}, "
                     f"tolerance {row.tolerance:.3g} ({row.tolerance_name}){slack}")
    for cex in [c for c in ev.counterexamples if c.reverified][:1]:
        lines.append(f"  counterexample: {cex.description}; re-verified by {cex.method}: "
                     f"{cex.recomputed_measured:.6g} vs {cex.recomputed_bound:.6g}")
    for c in ev.controls:
        lines.append(f"  {c.name if c.name.startswith('control') else 'control: ' + c.name} → {c.evidence.verdict}")
    return "\n".join(lines)


def _answer(main: Evidence, controls: list[Evidence], required: str, data: dict[str, Any]) -> Answer:
    ev = settle(main, controls)
    return Answer(ev.verdict, required, summary(ev), data, evidence=ev)


def _check_id(kind: str) -> str:
    return f"user:{kind}"


# --- kind: ntk-concentration -----------------------------------------------------------------------------------
def _validate_ntk(raw: dict[str, Any], ctx: ClaimContext) -> dict[str, Any]:
    from theory.activations import ACTIVATIONS

    f = Fields(raw)
    p: dict[str, Any] = {"activation": _activation(f, ACTIVATIONS), "depth": _bounded_int(f, "depth", 1, 8, required=False,
                                                                                        default=1)}
    p.update(_points(f, ctx, need_labels=False, need_sphere=True, default_n=8, default_d=5, max_points=MAX_NTK_POINTS))
    p["seeds"], p["level"] = _seeds(f), _level(f)
    has_rate, has_error = "rate" in raw, "error" in raw
    if has_rate == has_error:
        raise FieldError("rate", "give either rate (a stated exponent, with widths) or error (a stated error, with "
                                 "width)")
    if has_rate:
        p["rate"] = f.get("rate", float)
        p["widths"] = _width_list(f, "widths", cap=MAX_NTK_WIDTH)
        p["resolution"] = f.positive("resolution", required=False, default=0.25)
    else:
        p["error"] = f.positive("error")
        p["width"] = _bounded_int(f, "width", 1, MAX_NTK_WIDTH)
    f.finish()
    return p


def _answer_ntk(p: dict[str, Any], ctx: ClaimContext) -> Answer:
    from numerics.user_claims.ntk import NtkDesign, error_evidence, rate_evidence

    kw = {"claim_id": "user", "check_id": _check_id("ntk-concentration"), "workers": ctx.workers}
    if "rate" in p:
        design = NtkDesign(p["_X"], p["activation"], p["depth"], p["widths"], p["seeds"], ctx.seed)
        main, controls = rate_evidence(design, p["rate"], level=p["level"], resolution=p["resolution"], **kw)
        fit = main.measurements["fit"]
        required = f"{100 * p['level']:g}% interval of the fitted rate ∋ {p['rate']:g}"
        data = {"slope": fit["slope"], "ci": fit["ci"]}
    else:
        design = NtkDesign(p["_X"], p["activation"], p["depth"], (p["width"],), p["seeds"], ctx.seed)
        main, controls = error_evidence(design, p["error"], level=p["level"], **kw)
        required = f"mean max_ij |Θ_m − Θ| ≤ {p['error']:g} at m = {p['width']}"
        data = {"mean_error": main.comparisons[0].measured, "half_width": main.comparisons[0].tolerance}
    main.config["data"] = p["data"]
    return _answer(main, controls, required, data)


# --- kind: robust-loss -----------------------------------------------------------------------------------------
def _validate_robust(raw: dict[str, Any], ctx: ClaimContext) -> dict[str, Any]:
    from numerics.network.losses import LOSSES
    from numerics.network.perturbations import NORMS
    from numerics.user_claims.inputs import network_from_state, read_state_dict
    from theory.activations import ACTIVATIONS

    f = Fields(raw)
    p: dict[str, Any] = {"network": f.get("network", str), "activation": _activation(f, ACTIVATIONS),
                         "width": _bounded_int(f, "width", 1, 4096), "depth": _bounded_int(f, "depth", 1, 8,
                                                                                             required=False, default=1),
                         "train_output": f.get("train_output", bool, required=False, default=False),
                         "norm": f.choice("norm", NORMS), "radius": f.positive("radius"), "loss": f.choice("loss", LOSSES),
                         "exact": f.get("exact", bool, required=False, default=True)}
    state = _wrap("network", read_state_dict, ctx.path(p["network"]), allow_unsafe_load=ctx.allow_unsafe_load)
    first = state.get("weights.0")
    if first is None or first.ndim != 2:
        raise FieldError("network", "the state dict has no first-layer matrix 'weights.0' (save "
                                    "FullyConnected.state_dict())")
    d = int(first.shape[1])
    p.update(_points(f, ctx, need_labels=True, need_sphere=p["norm"] == "sphere-cap", default_n=64, default_d=d,
                     max_points=4096, d=d))
    p["_net"] = _wrap("network", network_from_state, state, d=d, width=p["width"], depth=p["depth"],
                      activation=p["activation"], train_output=p["train_output"])
    has_most, has_least = "at_most" in raw, "at_least" in raw
    if has_most == has_least:
        raise FieldError("at_most", "give exactly one of at_most or at_least (the stated mean robust loss)")
    p["relation"] = "at most" if has_most else "at least"
    p["value"] = f.get("at_most" if has_most else "at_least", float)
    f.finish()
    return p


def _answer_robust(p: dict[str, Any], ctx: ClaimContext) -> Answer:
    from numerics.network.perturbations import PerturbationSet
    from numerics.user_claims.robust_loss import robust_loss_evidence

    main, controls = robust_loss_evidence(p["_net"], p["_X"], p["_y"], PerturbationSet(p["norm"], p["radius"]),
                                          p["loss"], p["relation"], p["value"], tier=ctx.tier, seed=ctx.seed,
                                          exact=p["exact"], claim_id="user", check_id=_check_id("robust-loss"))
    main.config["data"] = p["data"]
    m = main.measurements
    return _answer(main, controls, f"mean robust loss {p['relation']} {p['value']:g}",
                   {"mean_lower": m["mean_lower_best_attack"], "mean_exact": m["mean_exact_milp"],
                    "mean_upper": m["mean_upper_crown"]})


# --- kind: convergence -----------------------------------------------------------------------------------------
def _validate_convergence(raw: dict[str, Any], ctx: ClaimContext) -> dict[str, Any]:
    from numerics.network.losses import LIPSCHITZ_LOSSES
    from numerics.network.perturbations import NORMS
    from numerics.training.ball import SCALINGS
    from numerics.user_claims.convergence import ATTACK_NAMES, MAX_POINTS
    from theory.activations import SMOOTH_ACTIVATIONS

    f = Fields(raw)
    p: dict[str, Any] = {"width": _bounded_int(f, "width", 1, MAX_TRAIN_WIDTH),
                         "depth": _bounded_int(f, "depth", 1, 3, required=False, default=1),
                         "activation": _activation(f, tuple(a for a in SMOOTH_ACTIVATIONS if a != "relu2")),
                         "loss": f.choice("loss", LIPSCHITZ_LOSSES), "R": f.positive("R"), "eps": f.get("eps", float),
                         "norm": f.choice("norm", NORMS, default="sphere-cap"), "radius": f.positive("radius"),
                         "attack": f.choice("attack", ATTACK_NAMES, default="pgd"),
                         "scaling": f.choice("scaling", SCALINGS, default="per-layer-R"),
                         "seed": f.get("seed", int, required=False, default=ctx.seed)}
    if not 0 < p["eps"] < 1:
        raise FieldError("eps", f"must be in (0, 1), got {p['eps']!r}")
    p.update(_points(f, ctx, need_labels=True, need_sphere=True, default_n=16, default_d=2, max_points=MAX_POINTS))
    d = p["_X"].shape[1]
    grid_dim = d - 1 if p["norm"] == "sphere-cap" else d
    if p["attack"] == "exact-grid" and grid_dim > 2:
        raise FieldError("attack", f"'exact-grid' needs B(x) of dimension ≤ 2; here it is {grid_dim} (d = {d}, "
                                   f"{p['norm']})")
    f.finish()
    return p


def _answer_convergence(p: dict[str, Any], ctx: ClaimContext) -> Answer:
    from numerics.user_claims.convergence import convergence_evidence, user_setup

    label = str(p["data"].get("name") or p["data"].get("file"))
    setup = user_setup(p["_X"], p["_y"], data_label=label, width=p["width"], depth=p["depth"],
                       activation=p["activation"], loss=p["loss"], R=p["R"], eps=p["eps"], norm=p["norm"],
                       delta=p["radius"], scaling=p["scaling"], seed=p["seed"])
    main, controls = convergence_evidence(setup, attack=p["attack"], ctx=ctx.run_context(), claim_id="user",
                                          check_id=_check_id("convergence"))
    main.config["data"] = p["data"]
    run = (main.measurements.get("runs") or [{}])[0]
    return _answer(main, controls, f"min_t L_A(W(t)) ≤ min_B(R) L* + ε (ε = {p['eps']:g}), via a certified W*",
                   {"min_L_A": run.get("min_L_A"), "comparator_upper": (run.get("comparator") or {}).get("upper"),
                    "L_A_initial": run.get("L_A_initial"), "m_star": run.get("m_star")})


# --- kind: bound -----------------------------------------------------------------------------------------------
def _validate_bound(raw: dict[str, Any], ctx: ClaimContext) -> dict[str, Any]:
    from numerics.user_claims.bound import BOUND_RELATIONS, QUANTITIES, bound_values
    from theory.activations import ACTIVATIONS
    from theory.expressions import ExpressionError, parse_expression

    f = Fields(raw)
    p: dict[str, Any] = {"quantity": f.choice("quantity", tuple(QUANTITIES)),
                         "relation": f.choice("relation", tuple(BOUND_RELATIONS), default="upper"),
                         "expression": f.get("expression", str), "activation": _activation(f, ACTIVATIONS)}
    symbols = QUANTITIES[p["quantity"]].symbols
    constants = f.get("constants", dict, required=False, default={})
    for name, value in constants.items():
        if not name.isidentifier() or name in symbols:
            raise FieldError("constants", f"{name!r} cannot name a constant (measured symbols: {', '.join(symbols)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise FieldError("constants", f"{name} must be a finite number, got {value!r}")
    p["constants"] = {k: float(v) for k, v in constants.items()}
    try:
        p["_expr"] = parse_expression(p["expression"], (*symbols, *p["constants"]))
    except ExpressionError as exc:
        raise FieldError("expression", str(exc)) from None
    p["widths"] = _width_list(f, "widths", cap=MAX_NTK_WIDTH, minimum=1)
    depths = f.get("depths", list, required=False, default=[1])
    if not depths or not all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 8 for h in depths) \
            or len(set(depths)) != len(depths):
        raise FieldError("depths", f"must be a list of distinct depths in 1..8, got {depths!r}")
    p["depths"] = tuple(sorted(depths))
    p.update(_points(f, ctx, need_labels=False, need_sphere=True, default_n=8, default_d=5, max_points=MAX_NTK_POINTS))
    p["seeds"], p["level"] = _seeds(f), _level(f)
    values = bound_values(p["_expr"], p["constants"], p["_X"], p["widths"], p["depths"])
    bad = [(m, H) for (m, H), v in values.items() if not math.isfinite(v)]
    if bad:
        raise FieldError("expression", f"is not a finite real number at m = {bad[0][0]}, H = {bad[0][1]}")
    f.finish()
    return p


def _answer_bound(p: dict[str, Any], ctx: ClaimContext) -> Answer:
    from numerics.user_claims.bound import bound_evidence

    main, controls = bound_evidence(p["expression"], p["_expr"], p["constants"], p["relation"], p["_X"],
                                    p["activation"], p["widths"], p["depths"], p["seeds"], level=p["level"],
                                    master_seed=ctx.seed, claim_id="user", check_id=_check_id("bound"),
                                    workers=ctx.workers)
    main.config["data"] = p["data"]
    rel = "≤" if p["relation"] == "upper" else "≥"
    slacks = [c.slack for c in main.comparisons if c.slack is not None]
    return _answer(main, controls, f"{p['quantity']} {rel} {p['expression']} at every grid point",
                   {"grid_points": len(main.comparisons), "min_slack": min(slacks) if slacks else None})


register_kind(ClaimKind("ntk-concentration", "NTK error of an architecture on your points: a rate over widths, or an "
                        "error at a width", _validate_ntk, _answer_ntk, measured=True))
register_kind(ClaimKind("robust-loss", "your FullyConnected network's mean robust loss at most / at least a value "
                        "(certified sandwich)", _validate_robust, _answer_robust, measured=True))
register_kind(ClaimKind("convergence", "Algorithm 1 on your data reaches min over B(R) of L* + ε (judged as C1)",
                        _validate_convergence, _answer_convergence, measured=True))
register_kind(ClaimKind("bound", "your closed-form bound against a measured quantity over a grid", _validate_bound,
                        _answer_bound, measured=True))
