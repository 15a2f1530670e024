"""PLANTED FAULTS — deliberately broken robust-kernel parts, handed to C8's check by the planted registry.

- :class:`MissingLayerTermNTK`  the NTK without its h = 1 summand Σ^(0)·Π_h Σ̇^(h) (at depth 1: the zero
  kernel); the gatekeeping cross-check against numerics.ntk.analytic must fail.
- :func:`best_case_linear_inner_max`  the linear kernel's "worst case" taken at x + y·δ·dir(w), the BEST case
  for margin losses: the certified robust loss then misses the closed form of docs/claims.md §7.
- :class:`UnderestimatedCurvatureNTK`  the NTK whose curvature (Hessian-Lipschitz) bound is 100× too small: the
  second-order certificate then claims upper bounds that sampled points exceed.
"""
from __future__ import annotations

import torch

from numerics.robust_kernel.kernels import NTKKernel, ntk_torch_terms
from numerics.robust_kernel.program import RobustKernelProblem


class MissingLayerTermNTK(NTKKernel):
    """PLANTED: Θ without the h = 1 summand. It claims no certificate (no smoothness bounds)."""

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        terms, output = ntk_torch_terms(X, Z, depth=self.depth, activation=self.activation)
        theta = torch.zeros_like(terms[0])
        for term in terms[1:]:
            theta = theta + term
        return [theta + output if self.train_output else theta]

    def lipschitz_modulus(self, max_norm: float) -> list[float] | None:
        return None

    def taylor_remainder(self, r, centre_norm, max_norm):
        return None


def best_case_linear_inner_max(problem: RobustKernelProblem, model) -> tuple[torch.Tensor, torch.Tensor]:
    """PLANTED: evaluates only x + y·(direction of w) — the loss-minimizing extreme for margin losses."""
    X, y, pset, loss = problem.X, problem.y, problem.pset, problem.loss
    with torch.enable_grad():
        Xv = X.clone().requires_grad_(True)
        (w,) = torch.autograd.grad(model(Xv).sum(), Xv)
    points = pset.linear_argmax(X, y[:, None] * w)
    with torch.no_grad():
        return loss.value(model(points), y), points


# The second-order certificate's curvature bound shrunk by this factor (a dropped ‖z_j‖² or 1/s factor would do it).
CURVATURE_FACTOR = 0.01


class UnderestimatedCurvatureNTK(NTKKernel):
    """PLANTED: the two-layer relu2 NTK with its Hessian-Lipschitz (curvature) bound CURVATURE_FACTOR times too
    small, so the second-order certificate (numerics.robust_kernel.curvature) is no longer a proven bound."""

    def term_bounds(self, Z, min_norm, max_norm):
        bounds = super().term_bounds(Z, min_norm, max_norm)
        if bounds is None:
            return None
        return [{**b, "hessian_lipschitz": CURVATURE_FACTOR * b["hessian_lipschitz"]} for b in bounds]
