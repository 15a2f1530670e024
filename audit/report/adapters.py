"""Headline figures for checks that record their data under their own keys instead of ``series``.

Each adapter reads one check's ledger entry and returns entries of the series protocol
(``audit.report.figures``), or ``{}`` when the data it knows is absent — adapters recognize a check by the
shape of what it recorded, not by its id. The builder merges them with the check's own ``series`` (the
check's own entries win on a title clash). Publishing ``measurements["series"]`` directly is the preferred
route; these adapters cover the data the checks record today:

- ``surrogate_vs_robust`` (C0 linear closed form): mean L_A against mean L*, on or below the diagonal;
- ``network_cases`` (C0 on networks): the robust-loss sandwich — certified upper bound against the best
  lower bound (attacks, MILP optimum) per case, on or above the diagonal;
- ``runs`` with ``min_L_A``/``comparator_upper`` (C1/C2/C3 at finite width): surrogate and robust loss against
  width, L_A(W(0)), the bounds U(W*) + B (the theory's budget with measured terms) and U(W*) + ε, and the derived
  width m* marked;
- the ``tables`` entry "C8 width against d …" (C8 symbolic): log10 R(d) and the widths against d;
- ``configs`` with ``widths``/``errors``/``fit`` (C5): the NTK error against width, log-log, with the fitted
  slope, its interval, the claimed rate and an m^(−1/2) reference line through the smallest width's mean.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

Adapter = Callable[[dict[str, Any]], dict[str, dict[str, Any]]]


def _float(v: Any) -> float:
    return float(v) if not isinstance(v, str) else float(v.strip())


def _measurements(check: dict[str, Any]) -> dict[str, Any]:
    m = check.get("measurements")
    return m if isinstance(m, dict) else {}


def _diagonal(values: list[float], group: str, label: str, xlabel: str, ylabel: str) -> dict[str, Any]:
    lo, hi = min(values), max(values)
    return {"x": [lo, hi], "y": [lo, hi], "label": label, "group": group, "xlabel": xlabel, "ylabel": ylabel,
            "style": "curve"}


def c0_surrogate_vs_robust(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """C0 (linear): mean surrogate loss L_A against mean robust loss L* per attack."""
    rows = _measurements(check).get("surrogate_vs_robust")
    if not isinstance(rows, list):
        return {}
    by_attack: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if isinstance(row, dict) and "mean_L_A" in row and "mean_L_star" in row:
            attack = str(row.get("comparison", "")).split(",")[0]
            by_attack.setdefault(attack, []).append((_float(row["mean_L_star"]), _float(row["mean_L_A"])))
    if not by_attack:
        return {}
    group = "C0: surrogate loss L_A against robust loss L* (linear models)"
    values = [v for pts in by_attack.values() for p in pts for v in p]
    out = {"C0 linear: L_A = L*": _diagonal(values, group, "L_A = L* (the bound)", "robust loss L* (closed form)",
                                            "surrogate loss L_A")}
    for attack, pts in by_attack.items():
        pts.sort()
        out[f"C0 linear: {attack}"] = {"x": [p[0] for p in pts], "y": [p[1] for p in pts], "label": attack,
                                       "group": group, "style": "points"}
    return out


_NORM = re.compile(r"\b(linf|l2|sphere-cap)\b")


def robust_loss_sandwich(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The sandwich lower ≤ L* ≤ upper per network case: certified upper bound against the best lower bound."""
    cases = _measurements(check).get("network_cases")
    if not isinstance(cases, dict):
        return {}
    points: dict[str, list[tuple[float, float]]] = {}
    exact: list[tuple[float, float]] = []
    for name, case in cases.items():
        if not isinstance(case, dict) or "mean_upper_used" not in case or not isinstance(case.get("L_A"), dict):
            continue
        upper = _float(case["mean_upper_used"])
        lowers = [_float(v) for v in case["L_A"].values()]
        if not lowers or not math.isfinite(upper):
            continue
        norm = (_NORM.search(str(name)) or [None, "cases"])[1]
        points.setdefault(norm, []).append((max(lowers), upper))
        if case.get("mean_exact") is not None:
            exact.append((_float(case["mean_exact"]), upper))
    if not points:
        return {}
    group = "Robust-loss sandwich: certified upper bound against the best lower bound"
    values = [v for pts in points.values() for p in pts for v in p]
    out = {"sandwich: upper = lower": _diagonal(values, group, "upper = lower (a tight sandwich)",
                                                "lower bound of L* (best attack, mean over samples)",
                                                "certified upper bound of L* (mean)")}
    for norm, pts in points.items():
        out[f"sandwich: {norm}"] = {"x": [p[0] for p in pts], "y": [p[1] for p in pts], "group": group,
                                    "label": f"best attack, {norm}", "style": "points"}
    if exact:
        out["sandwich: MILP"] = {"x": [p[0] for p in exact], "y": [p[1] for p in exact], "group": group,
                                 "label": "exact L* (MILP)", "style": "points"}
    return out


def finite_width_losses(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """C1/C2 at finite width: min_t L_A, the comparator's certified robust loss U(W*) and U(W*) + ε vs width."""
    runs = _measurements(check).get("runs")
    if not isinstance(runs, list):
        return {}
    by_depth: dict[int, list[dict[str, Any]]] = {}
    for r in runs:
        setup = r.get("setup") if isinstance(r, dict) else None
        if isinstance(setup, dict) and "width" in setup and "min_L_A" in r and "comparator_upper" in r:
            by_depth.setdefault(int(setup.get("depth", 1)), []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for depth, rows in sorted(by_depth.items()):
        rows.sort(key=lambda r: r["setup"]["width"])
        widths = [r["setup"]["width"] for r in rows]
        eps = _float(rows[0]["setup"].get("eps", float("nan")))
        group = f"{check.get('check_id', '')}: losses against width (H = {depth})"
        common = {"x": widths, "group": group, "logx": True, "xlabel": "width m", "ylabel": "loss"}
        out[f"{group}: surrogate"] = {**common, "y": [_float(r["min_L_A"]) for r in rows],
                                      "label": "min_t L_A(W(t)) (surrogate)"}
        if all("L_A_initial" in r for r in rows):
            out[f"{group}: initial"] = {**common, "y": [_float(r["L_A_initial"]) for r in rows],
                                        "label": "L_A(W(0)) (untrained: the gap training can close)",
                                        "style": "points"}
        if all("budget_B" in r for r in rows):
            out[f"{group}: budget"] = {**common, "y": [_float(r["comparator_upper"]) + _float(r["budget_B"])
                                                       for r in rows],
                                       "label": "U(W*) + B (the theory's budget at this width, measured terms)",
                                       "style": "curve"}
        if all("robust_upper_best_iterate" in r for r in rows):
            out[f"{group}: robust best"] = {**common, "y": [_float(r["robust_upper_best_iterate"]) for r in rows],
                                            "label": "certified L* of the best iterate"}
        out[f"{group}: comparator"] = {**common, "y": [_float(r["comparator_upper"]) for r in rows],
                                       "label": "U(W*) ≥ min over B(R) of L* (certified)", "style": "points"}
        bound = {**common, "y": [_float(r["comparator_upper"]) + eps for r in rows],
                 "label": f"U(W*) + ε (ε = {eps:g}): the theorem's bound", "style": "curve"}
        m_star = rows[0].get("m_star")
        if isinstance(m_star, (int, float)) and not isinstance(m_star, bool):
            bound["vline"] = {"x": m_star, "label": "derived width m*"}
        out[f"{group}: bound"] = bound
    return out


def c8_width_against_d(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """C8: log10 of the radius R(d) and of the widths it implies, against the input dimension d."""
    tables = _measurements(check).get("tables")
    if not isinstance(tables, dict):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for title, table in tables.items():
        if not str(title).startswith("C8 width against d") or not isinstance(table, dict):
            continue
        columns, rows = table.get("columns", []), table.get("rows", [])
        if not columns or columns[0] != "d" or not rows:
            continue
        d = [_float(r[0]) for r in rows]
        group = f"C8: R needed against d ({str(title)[len('C8 width against d'):].strip(' ()') or 'defaults'})"
        for k, col in enumerate(columns[1:], start=1):
            out[f"{group}: {col}"] = {"x": d, "y": [_float(r[k]) for r in rows], "label": str(col), "group": group,
                                      "xlabel": "input dimension d (linear axis: a straight line is exp(Θ(d)))",
                                      "ylabel": "log10 of the value"}
    return out


def ntk_error_against_width(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """C5: max_ij |Θ_m − Θ| against width (log-log), geometric mean over replicates ± 1 s.e. in log space,
    with the fitted slope, its interval, and the claimed rate; one figure per depth."""
    configs = _measurements(check).get("configs")
    if not isinstance(configs, dict):
        return {}
    claimed = (check.get("config") or {}).get("claimed_rate")
    out: dict[str, dict[str, Any]] = {}
    for label, row in configs.items():
        if not isinstance(row, dict) or not {"widths", "errors", "fit"} <= set(row):
            continue
        means, lo, hi = [], [], []
        for replicates in row["errors"]:
            logs = [math.log(_float(e)) for e in replicates]
            mu = sum(logs) / len(logs)
            se = (sum((v - mu) ** 2 for v in logs) / max(len(logs) - 1, 1) / len(logs)) ** 0.5
            means.append(math.exp(mu))
            lo.append(math.exp(mu) - math.exp(mu - se))
            hi.append(math.exp(mu + se) - math.exp(mu))
        fit = row["fit"]
        spec_fit = {"slope": _float(fit["slope"]), "intercept": _float(fit["intercept"]), "label": f"{label} fit"}
        if "ci_low" in fit and "ci_high" in fit:
            spec_fit["ci"] = [_float(fit["ci_low"]), _float(fit["ci_high"])]
        if isinstance(claimed, (int, float)):
            spec_fit["expected"] = claimed
        widths = [_float(m) for m in row["widths"]]
        group = f"C5: NTK error against width (H = {row.get('depth', '?')})"
        out[f"C5 {label}"] = {"x": widths, "y": means, "yerr": [lo, hi],
                              "label": str(label), "group": group,
                              "logx": True, "logy": True, "xlabel": "width m",
                              "ylabel": "max_ij |Θ_m − Θ| (geometric mean ± 1 s.e.)", "fit": spec_fit}
        # the claimed rate as a reference line through the smallest width's geometric mean
        out[f"C5 {label}: m^(−1/2) reference"] = {
            "x": widths, "y": [means[0] * (m / widths[0]) ** -0.5 for m in widths], "group": group,
            "label": f"{label}: m^(−1/2) reference", "style": "curve", "logx": True, "logy": True}
    return out


ADAPTERS: tuple[Adapter, ...] = (c0_surrogate_vs_robust, robust_loss_sandwich, finite_width_losses,
                                 c8_width_against_d, ntk_error_against_width)


def series_for(check: dict[str, Any]) -> tuple[Any, list[str]]:
    """The series to draw for one check — every adapter's headline series, then the check's own ``series`` —
    and a note for each adapter that could not read the data (the rest of the report goes on)."""
    merged: dict[str, Any] = {}
    problems = []
    for adapter in ADAPTERS:
        try:
            merged.update(adapter(check))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            problems.append(f"headline figure '{adapter.__name__}' of {check.get('check_id', '')} not drawn: "
                            f"{type(exc).__name__}: {exc}")
    own = _measurements(check).get("series")
    if isinstance(own, dict):
        merged.update(own)
    elif own is not None:
        return own, problems  # not a dict: passed on so that the figure step reports it as malformed
    return merged, problems
