"""Exact rational arithmetic for certificates: float → Fraction (exact), dot products, small linear solves.

Every float64 is a dyadic rational, so ``Fraction(float(x))`` is exact; witnesses and certificates found by
floating-point solvers are re-checked here with no rounding at all.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from numbers import Rational

import numpy as np

from theory.errors import InputError

# Denominator cap when a free variable of an underdetermined exact solve is taken from a float hint:
# any rational works there (the solve is exact either way); a small denominator keeps the arithmetic fast.
FREE_VARIABLE_DENOMINATOR = 10**9


def to_fraction(value: object) -> Fraction:
    """The exact rational value of an int, Fraction or finite float (floats convert exactly)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, (float, np.floating, int, np.integer)):
        x = float(value)
        if not np.isfinite(x):
            raise InputError(f"cannot convert non-finite value {value!r} to a rational")
        return Fraction(x) if isinstance(value, (float, np.floating)) else Fraction(int(value))
    raise InputError(f"cannot convert {type(value).__name__} value {value!r} to a rational")


def fraction_rows(X: np.ndarray | Sequence[Sequence[object]]) -> list[list[Fraction]]:
    """A 2-D array (float64 or object array of rationals) as nested lists of Fractions, exactly."""
    return [[to_fraction(v) for v in row] for row in np.asarray(X, dtype=object)]


def dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    """Exact inner product."""
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def solve_rational(A: list[list[Fraction]], b: list[Fraction], hint: Sequence[float]) -> list[Fraction] | None:
    """An exact solution of A·z = b (Gauss–Jordan over Q), or None when the system is inconsistent.

    Free variables of an underdetermined system are set to rational approximations of ``hint`` (e.g. a
    floating-point solution), so the exact solution stays close to it.
    """
    rows, cols = len(A), len(hint)
    M = [list(A[i]) + [b[i]] for i in range(rows)]
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for i in range(rows):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [vi - f * vr for vi, vr in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(all(v == 0 for v in M[i][:cols]) and M[i][cols] != 0 for i in range(rows)):
        return None
    free = [c for c in range(cols) if c not in pivots]
    z = [Fraction(0)] * cols
    for c in free:
        z[c] = Fraction(float(hint[c])).limit_denominator(FREE_VARIABLE_DENOMINATOR)
    for i, c in enumerate(pivots):
        z[c] = M[i][cols] - sum((M[i][f] * z[f] for f in free), Fraction(0))
    return z
