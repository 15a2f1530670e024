"""PLANTED FAULTS — networks with a wrong constant, used only by tests and by the planted registry.

- :class:`WrongConstantNet`  every layer scaled by √(1.1·c_σ/m): c_σ read 10 % too large (relu: 2.2 for 2).
- :class:`UnscaledOutputNet` the forward pass omits √(c_σ/m) on the last layer (``layers`` keeps it): a missing
  scale that only the network's outputs show.

The C11 checks (numerics/checks/c11_parametrization.py) must judge both ``violated``.
"""
from __future__ import annotations

import math

import torch

from numerics.network.nets import FullyConnected

PLANTED_C_FACTOR = 1.1


class WrongConstantNet(FullyConnected):
    """PLANTED: c_σ × 1.1 in every layer's scale."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scale *= math.sqrt(PLANTED_C_FACTOR)


class UnscaledOutputNet(FullyConnected):
    """PLANTED: f = aᵀσ(W^(H)x^(H−1)) without the last layer's √(c_σ/m)."""

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        h = X
        for k, W in enumerate(self.weights):
            h = self._sigma(h @ W.T) if k == self.depth - 1 else self.scale * self._sigma(h @ W.T)
        return h @ self.output
