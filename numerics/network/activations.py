"""Activations σ and their derivatives σ' as torch functions (float64-safe)."""
from __future__ import annotations

import math
from typing import Callable

import torch

from theory.activations import check_activation

Fn = Callable[[torch.Tensor], torch.Tensor]

_SIGMA: dict[str, Fn] = {
    "relu": torch.relu,
    "relu2": lambda z: torch.relu(z) ** 2,
    "softplus": torch.nn.functional.softplus,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "erf": torch.erf,
}

_DSIGMA: dict[str, Fn] = {
    "relu": lambda z: (z > 0).to(z.dtype),
    "relu2": lambda z: 2 * torch.relu(z),
    "softplus": torch.sigmoid,
    "tanh": lambda z: 1 - torch.tanh(z) ** 2,
    "sigmoid": lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)),
    "erf": lambda z: (2 / math.sqrt(math.pi)) * torch.exp(-z * z),
}


def sigma(name: str) -> Fn:
    """σ for a named activation."""
    return _SIGMA[check_activation(name)]


def sigma_prime(name: str) -> Fn:
    """σ' for a named activation (relu: the a.e. derivative 1[z > 0])."""
    return _DSIGMA[check_activation(name)]
