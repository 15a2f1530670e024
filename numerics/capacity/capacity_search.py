"""Smallest width that reaches zero training error: a doubling search and interval trend fits.

Search. Every (cell, seed) pair — a cell is one configuration such as (mode, n, d) — tries the widths of a doubling
grid 2^k_min, …, 2^k_max in order until one run succeeds (its *first success*) or the grid is exhausted (censored).
The grid is walked level by level: each level is one ``run_sweep`` over the pairs still searching, so
``--workers``/``--scheduler`` and the on-disk cache apply.

Interval-valued results (log2 width). A first success at 2^k says the threshold lies in (k − 1, k] at the grid's
resolution (2^(k−1) was tried and failed; at k = k_min only "≤ k_min" is known, unless the caller can prove a
smaller width fails); a censored pair lies in (k_max, ∞). A cell's value is the ⌊s/2⌋+1-th smallest over its
s seeds — the smallest grid width by which a strict majority of seeds has reached zero error — applied to both
ends (order statistics are monotone, so the interval still brackets the cell's threshold).

Trend fit. Ordinary least squares of log2 m on a design (e.g. [1, log2 n, log2 d]): each coefficient is a fixed
linear combination Σ_j c_j·y_j of the cell values, so the coefficients consistent with the intervals form an
interval computed exactly (lower ends where c_j > 0, upper ends where c_j < 0; ±∞ when a needed end is
unbounded). Seed variability: a bootstrap over seeds (resampled with replacement within every cell, the same
draw for cells that share a dataset), and the reported interval is [α/2-quantile of the lower ends,
(1 − α/2)-quantile of the upper ends] — resolution and seed uncertainty together, conservatively.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from numerics.execution.sweep import run_sweep
from theory.errors import InputError

BOOTSTRAP_DRAWS = 2000
CI_LEVEL = 0.95
# Weights of an OLS combination below this fraction of the largest are round-off of an exact zero (the designs here
# have entries log2 of powers of two, so exact zeros come out as ~1e-16 relative); they must not pick up ±∞ ends.
COEF_ZERO_RTOL = 1e-12


@dataclass
class PairSearch:
    """One (cell, seed) pair: the runs tried in grid order and the first success (None when censored)."""

    cell: int
    seed: int
    attempts: list[tuple[int, Any]]
    first_success: int | None = None


def doubling_grid(k_min: int, k_max: int) -> tuple[int, ...]:
    """Widths 2^k_min, …, 2^k_max."""
    if not (isinstance(k_min, int) and isinstance(k_max, int)) or k_min < 0 or k_max < k_min:
        raise InputError(f"need integers 0 ≤ k_min ≤ k_max, got k_min={k_min!r}, k_max={k_max!r}")
    return tuple(2 ** k for k in range(k_min, k_max + 1))


def doubling_search(fn: Callable[[dict[str, Any]], Any], cells: Sequence[Mapping[str, Any]], seeds: Sequence[int],
                    widths: Sequence[int], succeeded: Callable[[Any], bool], *,
                    sweep_kwargs: Mapping[str, Any] | None = None, description: str = "width search",
                    ) -> list[PairSearch]:
    """Search the first success of every (cell, seed) pair along ``widths`` (increasing).

    ``fn`` receives ``{**cell, "seed": seed, "width": m}`` (it must follow run_sweep's contract); the pair stops
    at the first result for which ``succeeded(result)`` is true. Returns the pairs in (cell, seed) order.
    """
    if not widths or any(b <= a for a, b in zip(widths, widths[1:])):
        raise InputError(f"widths must be a non-empty increasing sequence, got {list(widths)}")
    if not seeds:
        raise InputError("need at least one seed")
    pairs = [PairSearch(c, s, []) for c in range(len(cells)) for s in seeds]
    for level, m in enumerate(widths):
        live = [p for p in pairs if p.first_success is None and len(p.attempts) == level]
        if not live:
            break
        configs = [{**cells[p.cell], "seed": p.seed, "width": m} for p in live]
        results = run_sweep(fn, configs, **dict(sweep_kwargs or {}), description=f"{description}: width {m}")
        for p, res in zip(live, results):
            p.attempts.append((m, res))
            if succeeded(res):
                p.first_success = m
    return pairs


def log2_interval(first_success: int | None, widths: Sequence[int], *,
                  known_failing_width: int | None = None) -> tuple[float, float]:
    """(lower, upper) of log2 of the threshold width: (log2 of the previous grid width, k] on success at 2^k,
    (k_max, ∞) when censored. Below the grid's first width the lower end is log2(``known_failing_width``) when the
    caller can prove that width fails, else −∞."""
    if first_success is None:
        return math.log2(widths[-1]), math.inf
    i = list(widths).index(first_success)
    if i > 0:
        return math.log2(widths[i - 1]), math.log2(first_success)
    below = -math.inf if known_failing_width is None else math.log2(known_failing_width)
    return below, math.log2(first_success)


def majority_index(s: int) -> int:
    """0-based rank of the order statistic a strict majority of s seeds has reached: ⌊s/2⌋."""
    if s < 1:
        raise InputError("need at least one seed")
    return s // 2


def cell_interval(intervals: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The majority order statistic (:func:`majority_index`) of the seeds' lower and upper ends."""
    r = majority_index(len(intervals))
    lows, highs = sorted(i[0] for i in intervals), sorted(i[1] for i in intervals)
    return lows[r], highs[r]


def _extreme(coef: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, lower: bool) -> float:
    """min (lower=True) or max of Σ c_j·y_j over y_j ∈ [lo_j, hi_j] (zero weights ignore infinite ends)."""
    coef = np.where(np.abs(coef) <= COEF_ZERO_RTOL * np.abs(coef).max(initial=0.0), 0.0, coef)
    ends = np.where((coef > 0) == lower, lo, hi)
    return float(np.where(coef == 0, 0.0, coef * np.where(coef == 0, 0.0, ends)).sum())


@dataclass
class IntervalFit:
    """Linear combinations of OLS coefficients of log2 m: point values (at the point responses), the intervals
    consistent with the data at the grid's resolution, and bootstrap confidence intervals (module docstring)."""

    point: dict[str, float]
    resolution: dict[str, tuple[float, float]]
    ci: dict[str, tuple[float, float]]
    cells: int
    level: float = CI_LEVEL
    draws: int = BOOTSTRAP_DRAWS
    method: str = ("OLS of log2 width on the design; interval responses (grid resolution, censoring); bootstrap "
                   "over seeds within cells; CI = [q_(α/2) of lower ends, q_(1−α/2) of upper ends]")

    def to_dict(self) -> dict[str, Any]:
        return {"point": self.point, "resolution": {k: list(v) for k, v in self.resolution.items()},
                "ci": {k: list(v) for k, v in self.ci.items()}, "cells": self.cells, "level": self.level,
                "draws": self.draws, "method": self.method}


def _coefficient_rows(design: np.ndarray) -> np.ndarray:
    """(AᵀA)^{-1}Aᵀ: row k gives coefficient k as a linear combination of the responses."""
    if design.shape[0] < design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
        raise InputError(f"the design ({design.shape[0]} cells × {design.shape[1]} terms) does not identify the fit")
    return np.linalg.solve(design.T @ design, design.T)


def interval_fit(design: np.ndarray, combos: Mapping[str, Sequence[float]],
                 seed_intervals: Sequence[Sequence[tuple[float, float]]], groups: Sequence[int], *,
                 point_values: Sequence[float], rng: np.random.Generator, draws: int = BOOTSTRAP_DRAWS,
                 level: float = CI_LEVEL) -> IntervalFit:
    """Fit log2 m = design·β over cells and bound the combinations wᵀβ named in ``combos`` (module docstring).

    ``seed_intervals[j]`` holds cell j's per-seed (lower, upper) log2 intervals, in seed order; cells with the
    same ``groups[j]`` share their bootstrap draw of seed indices (paired cells: the same datasets).
    ``point_values`` are the responses of the point estimate (e.g. the grid values).
    """
    design = np.asarray(design, dtype=np.float64)
    if design.ndim != 2 or design.shape[0] != len(seed_intervals) or len(groups) != len(seed_intervals):
        raise InputError("design rows, seed_intervals and groups must all have one entry per cell")
    rows = _coefficient_rows(design)
    weights = {name: np.asarray(w, dtype=np.float64) @ rows for name, w in combos.items()}
    if any(w.shape != (design.shape[0],) for w in weights.values()):
        raise InputError(f"every combination needs {design.shape[1]} weights")

    def bounds(cells: Sequence[tuple[float, float]]) -> dict[str, tuple[float, float]]:
        lo, hi = np.array([c[0] for c in cells]), np.array([c[1] for c in cells])
        return {name: (_extreme(w, lo, hi, lower=True), _extreme(w, lo, hi, lower=False))
                for name, w in weights.items()}

    resolution = bounds([cell_interval(iv) for iv in seed_intervals])
    point = {name: float(w @ np.asarray(point_values, dtype=np.float64)) for name, w in weights.items()}
    sizes = {g: len(iv) for g, iv in zip(groups, seed_intervals)}
    boot: dict[str, list[tuple[float, float]]] = {name: [] for name in weights}
    for _ in range(draws):
        pick = {g: rng.integers(0, s, size=s) for g, s in sizes.items()}
        drawn = bounds([cell_interval([iv[i] for i in pick[g]]) for g, iv in zip(groups, seed_intervals)])
        for name, b in drawn.items():
            boot[name].append(b)
    tail = (1 - level) / 2
    ci = {name: (float(np.quantile([b[0] for b in v], tail, method="lower")),
                 float(np.quantile([b[1] for b in v], 1 - tail, method="higher"))) for name, v in boot.items()}
    return IntervalFit(point, resolution, ci, cells=len(seed_intervals), level=level, draws=draws)
