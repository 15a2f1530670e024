"""Log-log rate fits with confidence intervals: y ≈ C·x^p, fitted as ln y = ln C + p·ln x.

Method: ordinary least squares over every (x, y) pair (all widths × seeds), standard error of the slope
from the residual variance, and a two-sided Student-t interval with n − 2 degrees of freedom at the
stated level. This assumes independent, roughly homoscedastic errors in ln y (one network draw per pair);
``robust=True`` uses the heteroskedasticity-consistent HC3 standard error instead (the spread of ln y at
small widths is often several times the spread at large ones).

Power: :func:`detectable_slope_error` is the smallest |true slope − tested slope| that the two-sided t test
at the same level rejects with the given probability, (t_{1−(1−level)/2} + t_{power})·SE (normal-theory
approximation with the design's own standard error and degrees of freedom).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from theory.errors import InputError

DEFAULT_LEVEL = 0.95
METHOD = "OLS of ln y on ln x over all (width, seed) pairs; two-sided Student-t CI, n − 2 d.o.f."
METHOD_HC3 = "OLS of ln y on ln x over all (width, seed) pairs; HC3 standard error; two-sided Student-t CI, n − 2 d.o.f."


@dataclass
class SlopeFit:
    """Fitted exponent p (slope), ln C (intercept), the slope's standard error and CI."""

    slope: float
    intercept: float
    stderr: float
    ci: tuple[float, float]
    level: float
    n: int
    method: str = METHOD
    dof: int = 0

    @property
    def half_width(self) -> float:
        return (self.ci[1] - self.ci[0]) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit_loglog_slope(x: Sequence[float], y: Sequence[float], *, level: float = DEFAULT_LEVEL,
                     robust: bool = False) -> SlopeFit:
    """Fit y ≈ C·x^p by OLS in log-log coordinates (``robust``: HC3 standard error); InputError on
    non-positive values or < 3 points."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape or xa.ndim != 1 or len(xa) < 3:
        raise InputError(f"need at least 3 paired values, got shapes {xa.shape} and {ya.shape}")
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya)) and np.all(xa > 0) and np.all(ya > 0)):
        raise InputError("log-log fit needs finite, strictly positive x and y")
    if len(np.unique(xa)) < 2:
        raise InputError("log-log fit needs at least two distinct x values")
    if not 0 < level < 1:
        raise InputError(f"level must lie in (0, 1), got {level!r}")
    lx, ly = np.log(xa), np.log(ya)
    A = np.column_stack([np.ones_like(lx), lx])
    coef, *_ = np.linalg.lstsq(A, ly, rcond=None)
    resid = ly - A @ coef
    dof = len(lx) - 2
    bread = np.linalg.inv(A.T @ A)
    if robust:
        leverage = np.einsum("ij,jk,ik->i", A, bread, A)
        meat = (A.T * (resid / (1.0 - leverage)) ** 2) @ A
        se = math.sqrt(float((bread @ meat @ bread)[1, 1]))
    else:
        s2 = float(resid @ resid) / dof if dof > 0 else 0.0
        se = math.sqrt(s2 * float(bread[1, 1]))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se if dof > 0 else math.inf
    return SlopeFit(slope=float(coef[1]), intercept=float(coef[0]), stderr=se,
                    ci=(float(coef[1]) - half, float(coef[1]) + half), level=level, n=len(lx),
                    method=METHOD_HC3 if robust else METHOD, dof=dof)


def detectable_slope_error(stderr: float, dof: int, level: float, power: float = 0.8) -> float:
    """Smallest slope error the two-sided t test at ``level`` detects with probability ``power`` (docstring)."""
    if dof < 1 or not math.isfinite(stderr):
        return math.inf
    return (float(stats.t.ppf(0.5 + level / 2, dof)) + float(stats.t.ppf(power, dof))) * stderr
