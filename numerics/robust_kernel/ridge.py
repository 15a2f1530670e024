"""A two-layer network as an expansion the second-order certificate accepts: f(x) = Σ_r β_r·σ(z_rᵀx).

For the bias-free two-layer net of docs/claims.md §2 (numerics.network.nets.FullyConnected, H = 1),
f(W, x) = s·Σ_r a_r σ(w_rᵀx) with s the width scale: terms z_r = w_r, coefficients β_r = s·a_r, "kernel"
k(z, x) = σ(zᵀx) — a ridge function, not positive definite; only numerics.robust_kernel.curvature uses it. With
u = zᵀx: ∇k = σ'(u)·z, ∇²k = σ''(u)·zzᵀ, ∇³k = σ'''(u)·z⊗z⊗z, so

    ‖∇k‖ ≤ D1·‖z‖,   ‖∇²k‖ ≤ D2·‖z‖²,   Lip(∇²k) ≤ D3·‖z‖³,   |k| ≤ |σ(0)| + D1·‖z‖‖x‖,

with D_k = sup|σ^(k)| (smooth activations only): softplus D1 = 1, D2 = 1/4, D3 = 1/(6√3); tanh 1, 4/(3√3), 2;
sigmoid 1/4, 1/(6√3), 1/8; erf 2/√π, √(8/(eπ)), 4/√π (each attained at a stationary point of the next
derivative; tests/numerics/robust_kernel/test_ridge.py checks them on a fine grid).
"""
from __future__ import annotations

import math

import torch

from numerics.network.activations import sigma, sigma_prime
from numerics.robust_kernel.kernels import KernelModel
from theory.errors import InputError

# (sup|σ'|, sup|σ''|, sup|σ'''|, |σ(0)|)
DERIVATIVE_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "softplus": (1.0, 0.25, 1 / (6 * math.sqrt(3)), math.log(2.0)),
    "tanh": (1.0, 4 / (3 * math.sqrt(3)), 2.0, 0.0),
    "sigmoid": (0.25, 1 / (6 * math.sqrt(3)), 0.125, 0.5),
    "erf": (2 / math.sqrt(math.pi), math.sqrt(8 / (math.e * math.pi)), 4 / math.sqrt(math.pi), 0.0),
}
# Relative rounding of one evaluated expansion against Σ_r |β_r|·(term bound), as in numerics.robust_kernel.relu2_ntk.
ROUNDING_REL = 1e-10


def _second(name: str, u: torch.Tensor) -> torch.Tensor:
    if name == "softplus":
        s = torch.sigmoid(u)
        return s * (1 - s)
    if name == "tanh":
        t = torch.tanh(u)
        return -2 * t * (1 - t * t)
    if name == "sigmoid":
        s = torch.sigmoid(u)
        return s * (1 - s) * (1 - 2 * s)
    return -2 * u * (2 / math.sqrt(math.pi)) * torch.exp(-u * u)


class RidgeKernel(KernelModel):
    """k(z, x) = σ(zᵀx) for a smooth activation (module docstring); one block, not homogeneous."""

    def __init__(self, activation: str) -> None:
        if activation not in DERIVATIVE_BOUNDS:
            raise InputError(f"the ridge expansion needs a smooth activation ({', '.join(DERIVATIVE_BOUNDS)}), "
                             f"got {activation!r}")
        self.activation = activation
        self.name = f"ridge-{activation}"
        self._sigma, self._dsigma = sigma(activation), sigma_prime(activation)

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        return [self._sigma(X @ Z.T)]

    def expansion_derivatives(self, X, Z, betas, order=2):
        u = X @ Z.T
        beta = betas[0]
        f = self._sigma(u) @ beta
        g = (self._dsigma(u) * beta) @ Z if order >= 1 else None
        H = torch.einsum("mp,pd,pe->mde", _second(self.activation, u) * beta, Z, Z) if order >= 2 else None
        return f, g, H

    def term_bounds(self, Z, min_norm, max_norm):
        d1, d2, d3, s0 = DERIVATIVE_BOUNDS[self.activation]
        nz = torch.linalg.norm(Z, dim=1)[None, :]
        ones = torch.ones(max_norm.shape[0], 1, dtype=Z.dtype)
        return [{"value": s0 + d1 * nz * max_norm[:, None], "gradient": d1 * nz * ones,
                 "hessian": d2 * nz ** 2 * ones, "hessian_lipschitz": d3 * nz ** 3 * ones}]

    def rounding_allowance(self, Z, betas, bounds):
        absb = betas[0].abs()
        scale = ROUNDING_REL * (1.0 + Z.shape[0] * 2.0 ** -53 * 1e4)
        return {key: scale * (bounds[0][key] @ absb) for key in ("value", "gradient", "hessian")}
