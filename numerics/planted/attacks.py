"""PLANTED FAULTS — deliberately broken attacks, used only by tests and by the planted registry.

Each reproduces a bug the checks must catch; none is used by a correct run.

- :class:`CleanGradientPGD`  PGD whose ascent direction is the gradient at the CLEAN point x at every
  step (a bug seen in public code): it walks to the FGSM point and never follows the loss surface.
- :class:`OutsideBallAttack` FGSM that steps 1.5·δ, leaving B(x): membership verification must fire.
- :class:`NaNAttack`         returns NaN rows: the attack verification must raise, checks must be
  inconclusive, never pass.
- :class:`WrongSignLinearMaximizer` the closed-form maximizer with the sign flipped (a minimizer).
"""
from __future__ import annotations

import torch

from numerics.adversarial.attacks import FGSM, PGD, Attack, LinearMaximizer, Model

PLANTED_OUTSIDE_FACTOR = 1.5  # how far beyond δ the planted outside-ball attack steps


class CleanGradientPGD(PGD):
    """PLANTED: PGD with ∇ℓ taken at the clean x instead of the current iterate."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = f"planted-clean-gradient-{self.name}"

    def _gradient_point(self, Z: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        return X


class TinyStepPGD(PGD):
    """PLANTED: PGD with its step size 100× too small (2.5e-2·δ/k instead of 2.5·δ/k): it barely leaves its
    random start."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.step_size /= 100.0
        self.name = f"planted-tiny-step-{self.name}"


class OutsideBallAttack(FGSM):
    """PLANTED: x + 1.5·δ·dir(∇) with no projection — outside B(x) whenever the gradient is non-zero."""

    name = "planted-outside-ball"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        inside = super()._run(model, X, y)
        return X + PLANTED_OUTSIDE_FACTOR * (inside - X)


class NaNAttack(Attack):
    """PLANTED: returns NaN in the first row (as a diverging attack would)."""

    name = "planted-nan"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = X.clone()
        out[0] = torch.nan
        return out


class WrongSignLinearMaximizer(LinearMaximizer):
    """PLANTED: the closed form with the wrong sign — returns the loss-MINIMIZING endpoint for affine f."""

    name = "planted-wrong-sign-linear"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        best = super()._run(model, X, y)
        with torch.enable_grad():
            Xv = X.detach().requires_grad_(True)
            (w,) = torch.autograd.grad(model(Xv).sum(), Xv)
        up, down = self.pset.linear_argmax(X, w), self.pset.linear_argmax(X, -w)
        is_up = (best - up).abs().amax(dim=1) == 0
        return torch.where(is_up[:, None], down, up)
