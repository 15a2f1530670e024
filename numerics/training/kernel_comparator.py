"""The robust-kernel comparator for C1/C2: the best robust loss of the linearized network, mapped back to weights.

Linearized model at W(0) (per-layer blocks, docs/claims.md §2–§3):

    f_lin(x) = f(W(0), x) + Σ_h ⟨∇_{W^(h)} f(W(0), x), ΔW^(h)⟩,
    ∇_{W^(h)} f(W(0), x) = b^(h)(x) a^(h−1)(x)ᵀ   (backpropagated signal ⊗ previous activation),
    k_h(x, x') = ⟨∇_{W^(h)} f(x), ∇_{W^(h)} f(x')⟩ = (b^(h)·b^(h)')·(a^(h−1)·a^(h−1)')   (+ a^(H)·a^(H)' for a),

so Θ_m = Σ_h k_h is the empirical NTK. For f_h = Σ_j β_hj k_h(z_j, ·),

    ΔW^(h) = Σ_j β_hj ∇_{W^(h)} f(W(0), z_j)   and   ‖ΔW^(h)‖_F² = β_hᵀ K_h β_h = ‖f_h‖²_{H_h}   (exact),

so the per-layer ball B(R) = {‖W^(h) − W^(h)(0)‖_F ≤ r_m(R)} is exactly the product of RKHS balls ‖f_h‖ ≤ r_m(R)
(r_m = R for ``per-layer-R``, R/√m for ``per-layer-R-over-sqrt-m``), and the robust kernel problem on these
blocks is the linearized model's robust problem over B(R). W* = W(0) + ΔW is in B(R) by construction (checked);
the REAL network at W* is then certified by numerics.training.comparator.certify_robust_loss (sound bounds), so
min_{W∈B(R)} L*(W) ≤ L*(W*) ≤ robust_upper whatever the linearization error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics.network.activations import sigma, sigma_prime
from numerics.training.ball import ball_radius, layer_distances, project_to_ball
from numerics.training.comparator import Comparator, ComparatorProblem, certify_robust_loss
from numerics.execution.threads import single_thread
from numerics.robust_kernel.kernels import KernelModel
from numerics.network.nets import FullyConnected
from numerics.robust_kernel.cutting_planes import RobustKernelResult, solve_robust
from numerics.robust_kernel.program import robust_kernel_problem
from numerics.training.algorithm import BALL_RTOL_F64
from theory.errors import InputError

KERNEL_COMPARATOR_LABEL = "comparator: robust kernel problem on the linearized net (per-layer RKHS balls)"
# ‖ΔW^(h)‖_F and ‖f_h‖_H are the same number computed two ways (a Frobenius norm and βᵀKβ); in float64 they
# agree to ~1e-12 relative for the sizes used here (cancellation in βᵀKβ with |β| up to ~1e4).
NORM_IDENTITY_RTOL = 1e-8


class LinearizedNetworkKernel(KernelModel):
    """Per-layer empirical NTK blocks of ``net`` at its initial weights, with offset f(W(0), x)."""

    def __init__(self, net: FullyConnected) -> None:
        if not isinstance(net, FullyConnected):
            raise InputError(f"net must be a numerics.network.nets.FullyConnected, got {type(net).__name__}")
        self.net = net
        self.layers0 = [w.detach() for w in net.initial_weights[:net.depth]]
        self.a0 = (net.initial_weights[net.depth] if net.train_output else net.output).detach()
        self.blocks = net.depth + (1 if net.train_output else 0)
        self.name = f"linearized-{net.activation}-H{net.depth}-m{net.width}"
        self._sigma, self._dsigma = sigma(net.activation), sigma_prime(net.activation)

    def signals(self, X: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor]:
        """(b^(1..H), a^(0..H), f(W(0), X)), differentiable in X."""
        s = self.net.scale
        acts, pre = [X], []
        for W in self.layers0:
            g = acts[-1] @ W.T
            pre.append(g)
            acts.append(s * self._sigma(g))
        b = s * self._dsigma(pre[-1]) * self.a0
        backs = [b]
        for h in range(self.net.depth - 1, 0, -1):
            b = s * self._dsigma(pre[h - 1]) * (b @ self.layers0[h])
            backs.insert(0, b)
        return backs, acts, acts[-1] @ self.a0

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        bx, ax, _ = self.signals(X)
        with torch.no_grad():
            bz, az, _ = self.signals(Z)
        out = [(bx[h] @ bz[h].T) * (ax[h] @ az[h].T) for h in range(self.net.depth)]
        if self.net.train_output:
            out.append(ax[-1] @ az[-1].T)
        return out

    def offset(self, X: torch.Tensor) -> torch.Tensor:
        return self.signals(X)[2]

    def weight_update(self, Z: torch.Tensor, betas: list[np.ndarray]) -> list[torch.Tensor]:
        """ΔW aligned with ``net.trained_parameters()``: ΔW^(h) = Σ_j β_hj b^(h)(z_j) a^(h−1)(z_j)ᵀ (and Δa)."""
        with torch.no_grad():
            bz, az, _ = self.signals(Z)
            out = [bz[h].T @ (torch.as_tensor(betas[h])[:, None] * az[h]) for h in range(self.net.depth)]
            if self.net.train_output:
                out.append(az[-1].T @ torch.as_tensor(betas[-1]))
        return out


@dataclass
class LinearizedSolution:
    """W* = W(0) + ΔW from the robust kernel problem, with the RKHS/weight-norm identity checked."""

    weights: list[torch.Tensor]
    distances: list[float]
    rkhs_norms: list[float]
    radius: float
    in_ball: bool
    result: RobustKernelResult


def linearized_solution(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset, loss, R: float,
                        scaling: str = "per-layer-R", *, tol: float = 1e-2, initial_samples: int = 8,
                        max_rounds: int = 15, seed: int = 0) -> LinearizedSolution:
    """Solve the linearized model's robust problem over B(R) (module docstring) and map it to weights."""
    r = ball_radius(R, net.width, scaling)
    kernel = LinearizedNetworkKernel(net)
    problem = robust_kernel_problem(X, y, kernel, pset, loss, radius=r)
    result = solve_robust(problem, tol=tol, initial_samples=initial_samples, max_rounds=max_rounds, seed=seed,
                          certify=False)
    delta = kernel.weight_update(result.points, result.betas)
    init = [w.detach() for w in net.initial_weights]
    weights = [w0 + dw for w0, dw in zip(init, delta)]
    dist = layer_distances(weights, init)
    in_ball = all(x <= r * (1 + BALL_RTOL_F64) for x in dist)
    if not in_ball and all(x <= r * (1 + NORM_IDENTITY_RTOL) for x in dist):
        weights = project_to_ball(weights, init, r)   # rounding only: pull back onto the sphere of radius r
        dist = layer_distances(weights, init)
        in_ball = all(x <= r * (1 + BALL_RTOL_F64) for x in dist)
    return LinearizedSolution(weights=weights, distances=dist, rkhs_norms=list(result.norms), radius=r,
                              in_ball=in_ball, result=result)


def kernel_comparator(problem: ComparatorProblem, *, tol: float = 1e-2, initial_samples: int = 8,
                      max_rounds: int = 15) -> Comparator:
    """ComparatorFn for numerics.checks (C1/C2): W* from the linearized robust kernel problem, certified.

    robust_lower/robust_upper are sound bounds of L*(W*) for the REAL network (certify_robust_loss);
    details hold the linearized problem's bracket, solver statuses and the per-layer norm identity.
    """
    with single_thread():
        return _kernel_comparator(problem, tol, initial_samples, max_rounds)


def _kernel_comparator(p: ComparatorProblem, tol: float, initial_samples: int, max_rounds: int) -> Comparator:
    sol = linearized_solution(p.net, p.X, p.y, p.pset, p.loss, p.radius, p.scaling, tol=tol,
                              initial_samples=initial_samples, max_rounds=max_rounds, seed=p.seed)
    lower, upper, method = certify_robust_loss(p.net, sol.weights, p.X, p.y, p.pset, p.loss)
    res = sol.result
    identity = max(abs(a - b) / max(b, 1e-300) for a, b in zip(sol.distances, sol.rkhs_norms)) \
        if sol.rkhs_norms else 0.0
    return Comparator(
        weights=[w.detach().clone() for w in sol.weights], robust_lower=float(lower.mean()),
        robust_upper=float(upper.mean()), label=KERNEL_COMPARATOR_LABEL, certificate=method, in_ball=sol.in_ball,
        details={"radius_per_layer": sol.radius, "scaling": p.scaling, "distance_per_layer": sol.distances,
                 "rkhs_norm_per_layer": sol.rkhs_norms, "norm_identity_rel_error": identity,
                 "linearized_lower": res.lower, "linearized_attack_value": res.attack_value,
                 "kernel_status": res.status, "solver_statuses": res.solver_statuses,
                 "rounds": res.iterations, "finite_points": int(res.points.shape[0]),
                 "linearized_is_lower_bound_of": "min over B(R) of the LINEARIZED model's robust loss",
                 "certified": not math.isnan(float(upper.mean()))})
