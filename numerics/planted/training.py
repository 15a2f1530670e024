"""PLANTED FAULTS — deliberately broken variants of Algorithm 1, used only by tests and by the planted registry.

Each reproduces a bug the training checks must catch; none is used by a correct run. Both keep the
recorded configuration of the correct trainer (the nominal R and α), exactly as a buggy implementation would.

- :class:`WrongSignTrainer`   gradient ASCENT, W(t+1) = Π(W(t) + α·g_t): the loss goes up (C1, C3 and C4 must fail).
- :class:`WrongRadiusTrainer` projects onto the ball of radius 2·r_m(R) instead of r_m(R) (C7's
  absolute-movement comparison must fail when the unconstrained iterates would leave B(R)).

The planted registry hands them to the training checks' ``trainer`` parameter.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

from numerics.training.ball import project_to_ball
from numerics.training.algorithm import AdversarialTrainer

PLANTED_RADIUS_FACTOR = 2.0  # the wrong projection radius, as a multiple of r_m(R)


class WrongSignTrainer(AdversarialTrainer):
    """PLANTED: W + α·g instead of W − α·g."""

    def descent(self, params: Sequence[torch.Tensor], grads: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        return [torch.add(p, g, alpha=self.alpha) for p, g in zip(params, grads)]


class WrongRadiusTrainer(AdversarialTrainer):
    """PLANTED: projection onto ‖W^(h) − W^(h)(0)‖_F ≤ 2·r_m(R)."""

    def project(self, layers: Sequence[torch.Tensor], layers0: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        return project_to_ball(layers, layers0, PLANTED_RADIUS_FACTOR * self.radius_per_layer)
