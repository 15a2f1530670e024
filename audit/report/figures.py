"""Figures from evidence: the one series protocol every check can use, rendered to PNG (matplotlib Agg).

The series protocol
-------------------
A check publishes plottable data in ``Evidence.measurements["series"]``, a dict from a series title to::

    {"x": [...], "y": [...],              # numbers (the ledger's "nan"/"inf" strings are read as floats)
     "yerr": [...] | [[lo...], [hi...]],  # optional error bars: symmetric, or distances below/above y
     "label": str,                        # legend entry (default: the title)
     "group": str,                        # series with the same group share one figure (default: the title);
                                          # the group is the figure's title
     "xlabel": str, "ylabel": str,        # axis labels       } taken from the first series of a group
     "logx": bool, "logy": bool,          # log axes          }
     "style": "line" | "points" | "curve",  # markers joined by lines (default), markers only, or a line only
     "hline": {"y": v, "label": str, "y2": v2} | [...],   # optional horizontal line(s); with "y2", the band
                                                          # between y and y2 is shaded (an ε band)
     "vline": {"x": v, "label": str} | [...],  # optional vertical line(s), e.g. the theorem's required width;
                                               # a value beyond the axis is named in an arrow at the edge
     "fit": {"slope": s, "ci": [lo, hi], "intercept": b, "expected": e, "label": str}}   # optional fitted
            # power law / line: on log-log axes y = exp(b)·x^s (natural log, as np.polyfit(np.log(x),
            # np.log(y), 1) returns it); on linear axes y = b + s·x; "intercept" optional (no line drawn
            # without it); "expected" (the theory's slope) is quoted in the legend

Each group becomes one PNG ``figures/<check id>--<group>.png``. A malformed series (lengths that differ,
non-numbers, missing x/y) is not drawn; the report names it and why. Tables use the sibling protocol
``measurements["tables"] = {title: {"columns": [...], "rows": [[...], ...]}}`` (see ``audit.report.content``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

FIGURE_SIZE_IN = (6.4, 4.0)
FIGURE_DPI = 110
LEGEND_INSIDE_MAX = 4  # legends with more entries are placed below the axes


@dataclass
class Series:
    """One validated series (floats; NaN where the ledger recorded a non-finite value)."""

    title: str
    x: list[float]
    y: list[float]
    yerr: list[list[float]] | None = None
    label: str = ""
    group: str = ""
    spec: dict[str, Any] = field(default_factory=dict)


@dataclass
class FigureSpec:
    """A figure to draw: the check it belongs to, its group title, its series and its file name."""

    check_id: str
    group: str
    series: list[Series]
    filename: str


def _number(v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError("booleans are not numbers")
    if isinstance(v, str):
        if v.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
            return float(v)
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, (int, float)):
        return float(v)
    raise ValueError(f"{type(v).__name__} is not a number")


def _numbers(values: Any, what: str) -> list[float]:
    if not isinstance(values, (list, tuple)):
        raise ValueError(f"'{what}' must be a list")
    return [_number(v) for v in values]


def parse_series(title: str, spec: Any) -> Series:
    """Validate one protocol entry; ValueError with the reason when it cannot be drawn."""
    if not isinstance(spec, dict):
        raise ValueError("a series must be a dict with 'x' and 'y'")
    if "x" not in spec or "y" not in spec:
        raise ValueError("a series needs both 'x' and 'y'")
    x, y = _numbers(spec["x"], "x"), _numbers(spec["y"], "y")
    if len(x) != len(y):
        raise ValueError(f"'x' has {len(x)} values but 'y' has {len(y)}")
    if not x:
        raise ValueError("the series is empty")
    yerr = None
    if spec.get("yerr") is not None:
        raw = spec["yerr"]
        if isinstance(raw, (list, tuple)) and len(raw) == 2 and all(isinstance(r, (list, tuple)) for r in raw):
            yerr = [_numbers(raw[0], "yerr[0]"), _numbers(raw[1], "yerr[1]")]
        else:
            sym = _numbers(raw, "yerr")
            yerr = [sym, sym]
        if any(len(e) != len(y) for e in yerr):
            raise ValueError(f"'yerr' must have {len(y)} values per side")
    for key in ("hline", "vline"):
        for line in _lines(spec.get(key)):
            if not isinstance(line, dict) or ("y" if key == "hline" else "x") not in line:
                raise ValueError(f"'{key}' must be a dict with '{'y' if key == 'hline' else 'x'}' (or a list of them)")
            _number(line["y" if key == "hline" else "x"])
    fit = spec.get("fit")
    if fit is not None and (not isinstance(fit, dict) or "slope" not in fit):
        raise ValueError("'fit' must be a dict with 'slope'")
    return Series(title, x, y, yerr, str(spec.get("label") or title), str(spec.get("group") or title), spec)


def _lines(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def slug(text: str) -> str:
    """A file-name-safe ASCII form of a title."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:60] or "figure"


def collect_figures(check_id: str, series: dict[str, Any]) -> tuple[list[FigureSpec], list[str]]:
    """Group a check's ``series`` into figures; returns (figures, problems naming each skipped series)."""
    groups: dict[str, list[Series]] = {}
    problems = []
    if not isinstance(series, dict):
        return [], [f"measurements['series'] of {check_id} is not a dict; no figure drawn"]
    for title, spec in series.items():
        try:
            s = parse_series(str(title), spec)
        except ValueError as exc:
            problems.append(f"series '{title}' of {check_id} not drawn: {exc}")
            continue
        groups.setdefault(s.group, []).append(s)
    figures, used = [], set()
    for group, members in groups.items():
        name = f"{slug(check_id)}--{slug(group)}"
        while name in used:
            name += "-x"
        used.add(name)
        figures.append(FigureSpec(check_id, group, members, f"{name}.png"))
    return figures, problems


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def render_figure(fig_spec: FigureSpec, path: Path) -> None:
    """Draw one group's series to a PNG at ``path``."""
    first = fig_spec.series[0].spec
    fig, ax = plt.subplots(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    try:
        logx, logy = bool(first.get("logx")), bool(first.get("logy"))
        xs_all = []
        for s in fig_spec.series:
            x, y = s.x, s.y
            keep = [i for i in range(len(x)) if math.isfinite(x[i]) and math.isfinite(y[i])
                    and (not logx or x[i] > 0) and (not logy or y[i] > 0)]
            xk, yk = [x[i] for i in keep], [y[i] for i in keep]
            xs_all += xk
            fmt = {"points": "o", "curve": "-"}.get(str(s.spec.get("style")), "o-")
            if s.yerr is not None:
                err = [[s.yerr[0][i] for i in keep], [s.yerr[1][i] for i in keep]]
                color = ax.errorbar(xk, yk, yerr=err, fmt=fmt, capsize=3, markersize=4, label=s.label)[0].get_color()
            else:
                color = ax.plot(xk, yk, fmt, markersize=4, label=s.label)[0].get_color()
            fit = s.spec.get("fit")
            if isinstance(fit, dict):
                _draw_fit(ax, fit, xk, logx and logy, color)
        if logx:
            ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        _draw_reference_lines(ax, fig_spec.series, xs_all)
        ax.set_xlabel(str(first.get("xlabel", "")))
        ax.set_ylabel(str(first.get("ylabel", "")))
        ax.set_title(fig_spec.group, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        entries = len(ax.get_legend_handles_labels()[0])
        if entries > LEGEND_INSIDE_MAX:  # a long legend goes below the axes, where it hides no data
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=1 if entries > 8 else 2)
        elif entries:
            ax.legend(fontsize=8)
        fig.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)


def _draw_fit(ax: Any, fit: dict[str, Any], xk: list[float], loglog: bool, color: Any) -> None:
    slope = _number(fit["slope"])
    text = str(fit.get("label") or "fit") + f": slope {_fmt(slope)}"
    if isinstance(fit.get("ci"), (list, tuple)) and len(fit["ci"]) == 2:
        text += f" [{_fmt(_number(fit['ci'][0]))}, {_fmt(_number(fit['ci'][1]))}]"
    if fit.get("expected") is not None:
        text += f" (theory {_fmt(_number(fit['expected']))})"
    if fit.get("intercept") is None or len(xk) < 2:
        ax.plot([], [], " ", label=text)  # legend entry only
        return
    b = _number(fit["intercept"])
    lo, hi = min(xk), max(xk)
    grid = [lo + (hi - lo) * k / 49 for k in range(50)]
    if loglog:
        grid = [lo * (hi / lo) ** (k / 49) for k in range(50)]
        ys = [math.exp(b) * g ** slope for g in grid]
    else:
        ys = [b + slope * g for g in grid]
    ax.plot(grid, ys, "--", color=color, alpha=0.7, linewidth=1, label=text)


def _draw_reference_lines(ax: Any, series: list[Series], xs: list[float]) -> None:
    seen = set()
    for s in series:
        for line in _lines(s.spec.get("hline")):
            key = ("h", str(line))
            if key in seen:
                continue
            seen.add(key)
            y = _number(line["y"])
            label = line.get("label")
            if line.get("y2") is not None:
                ax.axhspan(min(y, _number(line["y2"])), max(y, _number(line["y2"])), color="tab:green", alpha=0.15,
                           label=label)
            else:
                ax.axhline(y, color="tab:red", linestyle=":", linewidth=1.2, label=label)
        for line in _lines(s.spec.get("vline")):
            key = ("v", str(line))
            if key in seen:
                continue
            seen.add(key)
            x = _number(line["x"])
            label = str(line.get("label") or "")
            finite = _finite(xs)
            if finite and math.isfinite(x) and min(finite) / 4 <= x <= max(finite) * 4:
                ax.axvline(x, color="tab:purple", linestyle="--", linewidth=1.2, label=label or None)
            else:
                where = "right" if not finite or not math.isfinite(x) or x > max(finite) else "left"
                arrow = "→" if where == "right" else "←"
                text = f"{label} = {_fmt(x)} (beyond the axis) {arrow}" if where == "right" \
                    else f"{arrow} {label} = {_fmt(x)} (beyond the axis)"
                ax.annotate(text, xy=(0.99 if where == "right" else 0.01, 0.03), xycoords="axes fraction",
                            ha=where, fontsize=8, color="tab:purple",
                            bbox={"boxstyle": "round", "fc": "white", "ec": "tab:purple", "alpha": 0.85})
