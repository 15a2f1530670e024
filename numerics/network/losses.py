"""Losses ℓ(ŷ, y) of docs/claims.md §1, as differentiable torch functions (float64-safe).

    hinge     max(0, 1 − y·ŷ)          convex, 1-Lipschitz in ŷ, depends on y·ŷ only (decreasing)
    logistic  log(1 + exp(−y·ŷ))       convex, 1-Lipschitz in ŷ, depends on y·ŷ only (decreasing)
    absolute  |ŷ − y|                  convex, 1-Lipschitz in ŷ (y may be real)
    squared   (ŷ − y)²                 convex, not globally Lipschitz (only where L_ℓ is not needed)

All four are convex in ŷ, so over an interval ŷ ∈ [lo, hi] the maximum is at an endpoint
(:meth:`Loss.max_over_interval`), which the robust-loss bounds use.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from theory.errors import InputError

LOSSES: tuple[str, ...] = ("hinge", "logistic", "absolute", "squared")
LIPSCHITZ_LOSSES: tuple[str, ...] = ("hinge", "logistic", "absolute")


def _torch_value(name: str, f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if name == "hinge":
        return torch.relu(1 - y * f)
    if name == "logistic":
        return torch.nn.functional.softplus(-y * f)  # log(1 + e^{−yf}) without overflow
    if name == "absolute":
        return torch.abs(f - y)
    return (f - y) ** 2


def _numpy_value(name: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    if name == "hinge":
        return np.maximum(0.0, 1.0 - y * f)
    if name == "logistic":
        return np.logaddexp(0.0, -y * f)
    if name == "absolute":
        return np.abs(f - y)
    return (f - y) ** 2


@dataclass(frozen=True)
class Loss:
    """A named convex loss. ``lipschitz`` is L_ℓ in ŷ (None when not globally Lipschitz)."""

    name: str
    lipschitz: float | None
    margin_decreasing: bool

    def value(self, f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Elementwise ℓ(f, y) (torch, differentiable); f and y broadcast together."""
        return _torch_value(self.name, f, y.to(dtype=f.dtype, device=f.device))

    def value_numpy(self, f: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Elementwise ℓ(f, y) in plain float64 numpy (used to re-verify counterexamples)."""
        return _numpy_value(self.name, np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def max_over_interval(self, lo: torch.Tensor, hi: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """max_{ŷ ∈ [lo, hi]} ℓ(ŷ, y) elementwise: ℓ is convex in ŷ, so the maximum is at an endpoint."""
        return torch.maximum(self.value(lo, y), self.value(hi, y))


_REGISTRY = {
    "hinge": Loss("hinge", 1.0, True),
    "logistic": Loss("logistic", 1.0, True),
    "absolute": Loss("absolute", 1.0, False),
    "squared": Loss("squared", None, False),
}


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (one of :data:`LOSSES`); InputError otherwise."""
    if name not in _REGISTRY:
        raise InputError(f"unknown loss {name!r} (expected one of {', '.join(LOSSES)})")
    return _REGISTRY[name]
