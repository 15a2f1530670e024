"""PLANTED FAULT — a deliberately UNSOUND robust-loss upper bound, used only by tests and by the planted registry.

:func:`ibp_upper_dropped_radius_term` is interval bound propagation with the input-radius term δ·‖W^(1)‖_*
dropped from the first layer (a plausible one-line bug): the interval collapses to the clean output, so
the "upper bound" is the clean loss ℓ(f(x), y) and any successful attack exceeds it.
"""
from __future__ import annotations

import torch

from numerics.network.losses import Loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.adversarial.relaxations import interval_image


def ibp_upper_dropped_radius_term(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset: PerturbationSet,
                                  loss: Loss) -> torch.Tensor:
    """PLANTED: per-sample 'upper bound' from IBP without the first layer's δ·‖W^(1)‖_* term."""
    with torch.no_grad():
        lo = hi = X @ net.weights[0].detach().T  # BUG: should be W x0 ∓ δ‖W‖_* per row
        for W in list(net.weights)[1:]:
            a, b = interval_image(net.activation, lo, hi)
            c, r = net.scale * (a + b) / 2, net.scale * (b - a) / 2
            lo, hi = c @ W.detach().T - r @ W.detach().abs().T, c @ W.detach().T + r @ W.detach().abs().T
        a, b = interval_image(net.activation, lo, hi)
        out = net.output.detach()
        c, r = net.scale * (a + b) / 2, net.scale * (b - a) / 2
        f_lo, f_hi = c @ out - r @ out.abs(), c @ out + r @ out.abs()
        return loss.max_over_interval(f_lo, f_hi, y)
