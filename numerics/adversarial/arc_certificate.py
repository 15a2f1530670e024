"""Certified robust loss on the circle: sphere caps in d = 2 are arcs, and a second-order grid bound is tight.

For x = (cos φ, sin φ) the cap B(x) = {x' ∈ S¹ : ‖x' − x‖₂ ≤ δ} is the arc φ' ∈ [φ − θ, φ + θ],
θ = arccos(1 − δ²/2). Along it F(φ') = f(W, (cos φ', sin φ')) has, for the two-layer net (H = 1),

    F'  = s·Σ_r a_r σ'(w_r·x')·(w_r·t'),            t' = (−sin φ', cos φ'),
    |F''| ≤ M₂ = s·Σ_r |a_r|·(Lip σ'·‖w_r‖² + Lip σ·‖w_r‖)   (since x'' = −x' and |w_r·t'|, |w_r·x'| ≤ ‖w_r‖).

On N equispaced angles φ_j (spacing h = 2θ/(N−1)) every arc point is within h/2 of some φ_j, and there
F ∈ [F_j − Δ_j, F_j + Δ_j], Δ_j = |F'_j|·h/2 + M₂·h²/8 (Taylor). ℓ is convex in f, so on that piece
ℓ ≤ max(ℓ(F_j − Δ_j), ℓ(F_j + Δ_j)). Hence, per sample,

    lower = max_j ℓ(F_j, y)  ≤  max_{x' ∈ B(x)} ℓ(f(x'), y)  ≤  upper = max_j max(ℓ(F_j ± Δ_j, y)),

both SOUND; the gap is O(h) with the true local slope |F'| instead of a global Lipschitz constant.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from numerics.adversarial.bounds import MeanBracket
from numerics.network.activations import sigma, sigma_prime
from numerics.network.gradients import check_weights
from numerics.network.losses import Loss, get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError

# sup|σ'| and sup|σ''| over ℝ (closed forms: softplus σ'' = v(1−v) ≤ 1/4; tanh'' max 4/(3√3);
# sigmoid'' max 1/(6√3); erf'' max (4/√π)·e^{−1/2}/√2). Only smooth, globally Lipschitz σ qualify.
# Float copies of theory.smoothness.smoothness_constants (derived there in sympy, ~3 s per process, too slow
# for sweep workers); tests/numerics/adversarial/test_arc_certificate.py pins them to the derived values.
LIP_SIGMA = {"softplus": 1.0, "tanh": 1.0, "sigmoid": 0.25, "erf": 2 / math.sqrt(math.pi)}
LIP_DSIGMA = {"softplus": 0.25, "tanh": 4 / (3 * math.sqrt(3)), "sigmoid": 1 / (6 * math.sqrt(3)),
              "erf": 4 / math.sqrt(math.pi) * math.exp(-0.5) / math.sqrt(2)}
_CHUNK_ELEMENTS = 1 << 22  # samples × grid points × width evaluated at once (≈ 32 MiB per float64 buffer)


@dataclass
class ArcBounds(MeanBracket):
    """Per-sample sound bounds of L*_i, the best grid points, and the grid size."""

    lower: torch.Tensor
    upper: torch.Tensor
    points: torch.Tensor
    grid_points: int


def arc_robust_loss(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset: PerturbationSet,
                    loss: Loss | str, grid_points: int, weights: Sequence[torch.Tensor] | None = None) -> ArcBounds:
    """Sound per-sample bounds of max_{x'∈B(x_i)} ℓ(f(W, x'), y_i): d = 2 sphere caps, H = 1 (module docstring)."""
    loss = get_loss(loss) if isinstance(loss, str) else loss
    if pset.norm != "sphere-cap" or net.d != 2 or net.depth != 1:
        raise InputError("arc_robust_loss needs a sphere-cap set, d = 2 and a two-layer net (H = 1)")
    if net.activation not in LIP_DSIGMA:
        raise InputError(f"arc_robust_loss needs a smooth, globally Lipschitz σ ({', '.join(LIP_DSIGMA)}), "
                         f"got {net.activation!r}")
    if isinstance(grid_points, bool) or not isinstance(grid_points, int) or grid_points < 2:
        raise InputError(f"grid_points must be an integer ≥ 2, got {grid_points!r}")
    X = pset.check_centres(net.check_input(X))
    y = torch.as_tensor(y, dtype=X.dtype, device=X.device)
    weights = net.trained_parameters() if weights is None else check_weights(net, weights)
    with torch.no_grad():
        W = weights[0].detach()
        a = (weights[1] if net.train_output else net.output).detach()
        s, act, dact = net.scale, sigma(net.activation), sigma_prime(net.activation)
        wn = torch.linalg.norm(W, dim=1)
        M2 = s * float((a.abs() * (LIP_DSIGMA[net.activation] * wn ** 2 + LIP_SIGMA[net.activation] * wn)).sum())
        theta = pset.cap_angle
        h = 2 * theta / (grid_points - 1)
        offsets = torch.linspace(-theta, theta, grid_points, dtype=X.dtype, device=X.device)
        lower, upper, points = [], [], []
        chunk = max(1, _CHUNK_ELEMENTS // (grid_points * net.width))
        for start in range(0, X.shape[0], chunk):
            Xc, yc = X[start:start + chunk], y[start:start + chunk]
            phi = torch.atan2(Xc[:, 1], Xc[:, 0])[:, None] + offsets[None, :]    # (c, N)
            P = torch.stack([torch.cos(phi), torch.sin(phi)], dim=-1)            # (c, N, 2)
            Tg = torch.stack([-torch.sin(phi), torch.cos(phi)], dim=-1)
            U = P @ W.T                                                          # (c, N, m)
            F = s * (act(U) @ a)
            dF = s * ((dact(U) * (Tg @ W.T)) @ a)
            half = dF.abs() * (h / 2) + M2 * h * h / 8
            yb = yc[:, None].expand_as(F)
            vals = loss.value(F, yb)
            upper.append(torch.maximum(loss.value(F - half, yb), loss.value(F + half, yb)).amax(dim=1))
            best = vals.argmax(dim=1)
            rows = torch.arange(Xc.shape[0], device=X.device)
            lower.append(vals[rows, best])
            points.append(P[rows, best])
        return ArcBounds(lower=torch.cat(lower), upper=torch.cat(upper), points=torch.cat(points),
                         grid_points=grid_points)
