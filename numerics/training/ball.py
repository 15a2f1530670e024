"""The ball B(R) around initialization and the projection onto it (docs/claims.md §3).

    B(R) = {W : ‖W^(h) − W^(h)(0)‖_F ≤ r_m(R) for every layer h},

a product of Frobenius balls, so the Euclidean projection acts layer by layer as radial
shrinkage: Π(W)^(h) = W^(h)(0) + (W^(h) − W^(h)(0))·min(1, r / ‖W^(h) − W^(h)(0)‖_F).
Two radius scalings are supported and always recorded by name:
``per-layer-R`` (r = R, the default, matched to ‖∂f/∂W^(h)‖_F = Θ(1) in this parametrization) and
``per-layer-R-over-sqrt-m`` (r = R/√m).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from theory.errors import InputError, positive_number

SCALINGS: tuple[str, ...] = ("per-layer-R", "per-layer-R-over-sqrt-m")


def check_scaling(scaling: str) -> str:
    """Return ``scaling`` if it is a known radius scaling, else raise InputError."""
    if scaling not in SCALINGS:
        raise InputError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
    return scaling


def check_radius(R: float, *, name: str = "radius") -> float:
    """Return R as a float if it is finite and > 0, else raise InputError naming ``name``."""
    return positive_number(name, R)


def ball_radius(R: float, m: int, scaling: str = "per-layer-R") -> float:
    """Per-layer radius r_m(R): R under ``per-layer-R``, R/√m under ``per-layer-R-over-sqrt-m``."""
    R = check_radius(R, name="R")
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise InputError(f"m must be a positive integer width, got {m!r}")
    return R if check_scaling(scaling) == "per-layer-R" else R / math.sqrt(m)


def layer_distances(params: Sequence[torch.Tensor], params0: Sequence[torch.Tensor]) -> list[float]:
    """‖W^(h) − W^(h)(0)‖_F for each layer."""
    with torch.no_grad():
        return [float(torch.dist(p, p0)) for p, p0 in zip(params, params0)]


def project_to_ball(params: Sequence[torch.Tensor], params0: Sequence[torch.Tensor],
                    radius_per_layer: float | Sequence[float]) -> list[torch.Tensor]:
    """Euclidean projection onto the product of Frobenius balls {‖W^(h) − W^(h)(0)‖_F ≤ r_h}.

    Inputs are not modified: a layer already inside its ball is returned as the same tensor, the others as new ones.
    """
    if len(params) != len(params0):
        raise InputError(f"params and params0 must have the same number of layers, got {len(params)} and "
                         f"{len(params0)}")
    radii = ([radius_per_layer] * len(params) if isinstance(radius_per_layer, (int, float))
             else list(radius_per_layer))
    if len(radii) != len(params):
        raise InputError(f"radius_per_layer needs one radius per layer ({len(params)}), got {len(radii)}")
    radii = [check_radius(r, name="radius_per_layer") for r in radii]
    out = []
    with torch.no_grad():
        for p, p0, r in zip(params, params0, radii):
            if p.shape != p0.shape:
                raise InputError(f"parameter shape {tuple(p.shape)} does not match initial shape {tuple(p0.shape)}")
            norm = float(torch.dist(p, p0))
            out.append(p.detach() if norm <= r else torch.lerp(p0, p.detach(), r / norm))
    return out
