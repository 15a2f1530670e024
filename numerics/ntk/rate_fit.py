"""Log-log rate fits with confidence intervals: y ≈ C·x^p, fitted as ln y = ln C + p·ln x.

Method: ordinary least squares over every (x, y) pair (all widths × seeds), standard error of the slope
from the residual variance, and a two-sided Student-t interval with n − 2 degrees of freedom at the
stated level. This assumes independent, roughly homoscedastic errors in ln y (one network draw per pair).
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit_loglog_slope(x: Sequence[float], y: Sequence[float], *, level: float = DEFAULT_LEVEL) -> SlopeFit:
    """Fit y ≈ C·x^p by OLS in log-log coordinates; InputError on non-positive values or < 3 points."""
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
    s2 = float(resid @ resid) / dof if dof > 0 else 0.0
    se = math.sqrt(s2 * float(np.linalg.inv(A.T @ A)[1, 1]))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se if dof > 0 else math.inf
    return SlopeFit(slope=float(coef[1]), intercept=float(coef[0]), stderr=se,
                    ci=(float(coef[1]) - half, float(coef[1]) + half), level=level, n=len(lx))
