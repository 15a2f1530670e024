"""Activations of the paper's networks and their normalizing constants c_σ = 1 / E_{z~N(0,1)}[σ(z)²].

Exact (sympy) where a closed form exists — relu: E = 1/2, relu2 = max(z,0)²: E = 3/2,
erf: E = (2/π)·asin(2/3) — and 40-digit mpmath quadrature otherwise (softplus, tanh, sigmoid).
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy as sp

from theory.errors import InputError

ACTIVATIONS: tuple[str, ...] = ("relu", "relu2", "softplus", "tanh", "sigmoid", "erf")
# The convergence theorems (C1-C4) need a smooth σ; ReLU is allowed for the NTK and VC parts only.
SMOOTH_ACTIVATIONS: tuple[str, ...] = ("relu2", "softplus", "tanh", "sigmoid", "erf")

_EXACT_SECOND_MOMENT = {
    "relu": sp.Rational(1, 2),
    "relu2": sp.Rational(3, 2),
    "erf": 2 / sp.pi * sp.asin(sp.Rational(2, 3)),
}

_MP_FUNCTIONS = {
    "softplus": lambda z: mpmath.log1p(mpmath.exp(z)),
    "tanh": mpmath.tanh,
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise InputError naming it."""
    if name not in ACTIVATIONS:
        raise InputError(f"unknown activation {name!r} (expected one of {', '.join(ACTIVATIONS)})")
    return name


def second_moment_exact(name: str) -> sp.Expr | None:
    """E[σ(z)²] as an exact sympy expression, or None when no closed form is encoded."""
    return _EXACT_SECOND_MOMENT.get(check_activation(name))


@lru_cache(maxsize=None)
def second_moment_mp(name: str, dps: int = 40) -> mpmath.mpf:
    """E[σ(z)²] to ``dps`` digits: the closed form where one exists, else Gaussian quadrature."""
    exact = second_moment_exact(name)
    with mpmath.workdps(dps):
        if exact is not None:
            return mpmath.mpf(sp.N(exact, dps + 5))
        fn = _MP_FUNCTIONS[name]
        density = lambda z: mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        return mpmath.quad(lambda z: fn(z) ** 2 * density(z), [-mpmath.inf, -5, 0, 5, mpmath.inf])


def c_sigma_exact(name: str) -> sp.Expr | None:
    """c_σ as an exact sympy expression (relu 2, relu2 2/3, erf 1/((2/π)·asin(2/3))), else None."""
    exact = second_moment_exact(name)
    return None if exact is None else sp.simplify(1 / exact)


@lru_cache(maxsize=None)
def c_sigma(name: str) -> float:
    """c_σ = 1/E[σ(z)²] as a float64 (exact closed form where available, else quadrature)."""
    return float(1 / second_moment_mp(check_activation(name)))
