"""Per-sample sandwich of the robust loss  L*_i = max_{x' ∈ B(x_i)} ℓ(f(W, x'), y_i)  for FullyConnected nets.

    lower_i  = ℓ at the best verified point found (clean x, the attack's point, the MILP point)
    upper_i  = max(ℓ(f_lo, y), ℓ(f_hi, y))  with  f(B(x_i)) ⊂ [f_lo, f_hi]  (ℓ is convex in f, so its max
               over an interval is at an endpoint) — a SOUND bound
    exact_i  = the MILP optimum (relu nets, ℓ∞ sets, HiGHS under a hard time limit; see bounds_milp)

[f_lo, f_hi] comes from interval bound propagation ("ibp") or a CROWN-style backward linear relaxation
("crown", Zhang et al. 2018) using the sound per-neuron lines of numerics.adversarial.relaxations, with every
layer's pre-activation bounds intersected with IBP's. Input sets: ℓ∞ ball (min of cᵀx' is cᵀx0 − δ‖c‖₁)
and ℓ2 ball (cᵀx0 − δ‖c‖₂); the sphere cap is bounded through its enclosing ℓ2 ball of radius δ.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import torch

from numerics.adversarial.attacks import PGD, Attack, verify_membership
from numerics.adversarial.milp import MILP_STATUS_NOT_APPLICABLE, relu_milp_extremes
from numerics.network.losses import Loss, get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.adversarial.relaxations import derivative_bound, interval_image, linear_bounds
from theory.errors import InputError

METHODS: tuple[str, ...] = ("crown", "ibp")
# Default attack for the lower bound: PGD with 50 steps and 4 restarts.
DEFAULT_PGD_STEPS, DEFAULT_PGD_RESTARTS = 50, 4


class MeanBracket:
    """Means of per-sample ``lower`` and ``upper`` bounds (arrays or tensors): the bracket of a mean loss."""

    lower: Any
    upper: Any

    @property
    def mean_lower(self) -> float:
        return float(self.lower.mean())

    @property
    def mean_upper(self) -> float:
        return float(self.upper.mean())


@dataclass
class RobustLossBounds(MeanBracket):
    """Per-sample sandwich lower ≤ L*_i ≤ upper (and exact where solved), with the means.

    ``exact_status`` holds one status per sample: "optimal", "time_limit", "error", or "not-applicable"
    (no MILP asked for, or a net/set the MILP does not cover); ``exact`` is None when none is optimal.
    """

    lower: torch.Tensor
    lower_points: torch.Tensor
    upper: torch.Tensor
    f_lower: torch.Tensor
    f_upper: torch.Tensor
    method: str
    attack: str
    exact: torch.Tensor | None = None
    exact_points: torch.Tensor | None = None
    exact_status: list[str] = field(default_factory=list)
    milp_time_s: float = 0.0


    @property
    def mean_exact(self) -> float | None:
        """Mean exact robust loss, only when every sample's MILP was solved to optimality."""
        if self.exact is None or any(s != "optimal" for s in self.exact_status):
            return None
        return float(self.exact.mean())

    @property
    def width(self) -> torch.Tensor:
        """upper − lower per sample (how loose the sandwich is)."""
        return self.upper - self.lower


def _weights(net: FullyConnected) -> list[torch.Tensor]:
    return [W.detach() for W in net.weights]


def _input_radius(pset: PerturbationSet) -> str:
    """The ball used for the input concretization: ℓ∞ for linf; ℓ2 for l2 and the sphere cap."""
    return "linf" if pset.norm == "linf" else "l2"


def _concretize(coef: torch.Tensor, X0: torch.Tensor, pset: PerturbationSet) -> tuple[torch.Tensor, torch.Tensor]:
    """min and max of coef·x' over the input ball, coef (n, q, d): coef·x0 ∓ δ‖coef‖_*."""
    centre = torch.einsum("nqd,nd->nq", coef, X0)
    dual = coef.abs().sum(-1) if _input_radius(pset) == "linf" else torch.linalg.norm(coef, dim=-1)
    return centre - pset.radius * dual, centre + pset.radius * dual


def _ibp_layer(W: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Interval of W·v for v ∈ [lo, hi]: W·c ± |W|·r (centre c, radius r)."""
    c, r = (lo + hi) / 2, (hi - lo) / 2
    return c @ W.T - r @ W.abs().T, c @ W.T + r @ W.abs().T


def _backward_lower(coef: torch.Tensor, depth: int, weights: list[torch.Tensor], scale: float,
                    relax: list[tuple[torch.Tensor, ...]], X0: torch.Tensor, pset: PerturbationSet) -> torch.Tensor:
    """Lower bound of coef·x^(depth) over the input set (coef (n, q, m_depth)) by CROWN back-substitution.

    x^(j) = s·σ(g^(j)) is replaced by s·(k·g + b) with the lower line where the coefficient is ≥ 0 and
    the upper line where it is < 0; then g^(j) = W_j x^(j−1), down to the input.
    """
    const = torch.zeros(coef.shape[:2], dtype=coef.dtype, device=coef.device)
    for j in range(depth, 0, -1):
        c = coef * scale
        kL, bL, kU, bU = relax[j - 1]
        pos = c >= 0
        slope = torch.where(pos, kL[:, None, :], kU[:, None, :])
        icpt = torch.where(pos, bL[:, None, :], bU[:, None, :])
        const = const + (c * icpt).sum(-1)
        coef = (c * slope) @ weights[j - 1]
    return const + _concretize(coef, X0, pset)[0]


def preactivation_bounds(net: FullyConnected, X: torch.Tensor, pset: PerturbationSet,
                         method: str = "crown") -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Sound [l_h, u_h] of every pre-activation g^(h) = W^(h) x^(h−1) over B(x), each of shape (n, m)."""
    weights, s, act = _weights(net), net.scale, net.activation
    l, u = _concretize(weights[0][None].expand(X.shape[0], -1, -1), X, pset)
    bounds, relax = [(l, u)], []
    for h in range(1, net.depth):
        lo, hi = interval_image(act, *bounds[-1])
        l, u = _ibp_layer(weights[h], s * lo, s * hi)
        if method == "crown":
            relax.append(linear_bounds(act, *bounds[-1]))
            coef = weights[h][None].expand(X.shape[0], -1, -1)
            l = torch.maximum(l, _backward_lower(coef, h, weights, s, relax, X, pset))
            u = torch.minimum(u, -_backward_lower(-coef, h, weights, s, relax, X, pset))
        bounds.append((l, u))
    return bounds


def output_bounds(net: FullyConnected, X: torch.Tensor, pset: PerturbationSet, method: str = "crown",
                  pre: list[tuple[torch.Tensor, torch.Tensor]] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sound [f_lo, f_hi] of f(W, x') over x' ∈ B(x) per sample."""
    pre = preactivation_bounds(net, X, pset, method) if pre is None else pre
    a, s, act = net.output.detach(), net.scale, net.activation
    lo, hi = interval_image(act, *pre[-1])
    f_lo, f_hi = _ibp_layer(a[None], s * lo, s * hi)
    f_lo, f_hi = f_lo[:, 0], f_hi[:, 0]
    if method == "crown":
        relax = [linear_bounds(act, l, u) for l, u in pre]
        coef = a[None, None, :].expand(X.shape[0], 1, -1)
        weights = _weights(net)
        f_lo = torch.maximum(f_lo, _backward_lower(coef, net.depth, weights, s, relax, X, pset)[:, 0])
        f_hi = torch.minimum(f_hi, -_backward_lower(-coef, net.depth, weights, s, relax, X, pset)[:, 0])
    return f_lo, f_hi


def local_lipschitz(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset: PerturbationSet,
                    loss: Loss | str, method: str = "crown") -> torch.Tensor:
    """Per-sample Lipschitz constant (ℓ2) of x' ↦ ℓ(f(W, x'), y) on the convex hull of B(x).

    ∇f = aᵀ Π_h s·diag(σ'(g^(h)))·W^(h) and |σ'(g)| ≤ D_h = max_{[l_h, u_h]} |σ'|, so
    Lip(f) ≤ ‖a‖₂ · Π_h s·‖diag(D_h) W^(h)‖₂; times the loss's Lipschitz constant on [f_lo, f_hi]
    (1 for hinge/logistic/absolute; 2·max|f − y| there for squared).
    """
    net, X, y, pset, loss, method = _validate(net, X, y, pset, loss, method)
    pre = preactivation_bounds(net, X, pset, method)
    lip = torch.linalg.norm(net.output.detach()).expand(X.shape[0]).clone()
    for W, (l, u) in zip(_weights(net), pre):
        D = derivative_bound(net.activation, l, u)
        lip = lip * net.scale * torch.linalg.matrix_norm(D[:, :, None] * W[None], ord=2)
    if loss.lipschitz is not None:
        return lip * loss.lipschitz
    f_lo, f_hi = output_bounds(net, X, pset, method, pre)
    return lip * 2 * torch.maximum((f_lo - y).abs(), (f_hi - y).abs())


def robust_loss_upper(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset: PerturbationSet,
                      loss: Loss | str, method: str = "crown") -> torch.Tensor:
    """Sound per-sample upper bound max(ℓ(f_lo, y), ℓ(f_hi, y)) ≥ max_{x'∈B(x)} ℓ(f(x'), y), no attack run."""
    net, X, y, pset, loss, method = _validate(net, X, y, pset, loss, method)
    return loss.max_over_interval(*output_bounds(net, X, pset, method), y)


def _validate(net, X, y, pset, loss, method):
    if not isinstance(net, FullyConnected):
        raise InputError(f"net must be a numerics.network.nets.FullyConnected, got {type(net).__name__}")
    if not isinstance(pset, PerturbationSet):
        raise InputError(f"pset must be a PerturbationSet, got {type(pset).__name__}")
    if method not in METHODS:
        raise InputError(f"unknown bound method {method!r} (expected one of {', '.join(METHODS)})")
    loss = get_loss(loss) if isinstance(loss, str) else loss
    X = pset.check_centres(net.check_input(X.detach()))
    y = torch.as_tensor(y, dtype=X.dtype, device=X.device)
    if y.shape != (X.shape[0],) or not bool(torch.isfinite(y).all()):
        raise InputError(f"y must be a finite tensor of shape ({X.shape[0]},), got shape {tuple(y.shape)}")
    return net, X, y, pset, loss, method


def robust_loss_bounds(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, pset: PerturbationSet,
                       loss: Loss | str, *, attack: Attack | None = None, method: str = "crown",
                       milp_time_limit: float | None = None) -> RobustLossBounds:
    """lower ≤ max_{x'∈B(x_i)} ℓ(f(x'), y_i) ≤ upper per sample (and the MILP exact value when asked).

    ``attack`` (default PGD, 50 steps, 4 restarts) gives the lower bound at a verified point;
    ``milp_time_limit`` (seconds, total) asks for the exact value on relu nets with ℓ∞ sets.
    """
    net, X, y, pset, loss, method = _validate(net, X, y, pset, loss, method)
    if milp_time_limit is not None and not (isinstance(milp_time_limit, (int, float)) and milp_time_limit > 0):
        raise InputError(f"milp_time_limit must be a positive number of seconds or None, got {milp_time_limit!r}")
    attack = attack or PGD(pset, loss, steps=DEFAULT_PGD_STEPS, restarts=DEFAULT_PGD_RESTARTS, seed=0)
    pre = preactivation_bounds(net, X, pset, method)
    f_lo, f_hi = output_bounds(net, X, pset, method, pre)
    upper = loss.max_over_interval(f_lo, f_hi, y)

    with torch.no_grad():
        candidates = [X, attack(net, X, y)]
    out = RobustLossBounds(lower=torch.empty(0), lower_points=torch.empty(0), upper=upper, f_lower=f_lo,
                           f_upper=f_hi, method=method, attack=attack.name,
                           exact_status=[MILP_STATUS_NOT_APPLICABLE] * X.shape[0])
    if milp_time_limit is not None and net.activation == "relu" and pset.norm == "linf":
        start = time.perf_counter()
        points, status = relu_milp_extremes(net, X, y, pset, loss, pre, time_limit=float(milp_time_limit))
        out.milp_time_s = time.perf_counter() - start
        solved = torch.tensor([s == "optimal" for s in status])
        points = torch.where(solved[:, None], points, X)
        verify_membership(pset, X, points, "milp")
        with torch.no_grad():
            out.exact = torch.where(solved, loss.value(net(points), y), torch.nan)
        out.exact_points, out.exact_status = points, status
        candidates.append(points)
    with torch.no_grad():
        vals = torch.stack([loss.value(net(P), y) for P in candidates])
    best = vals.argmax(dim=0)
    out.lower = vals[best, torch.arange(X.shape[0])]
    out.lower_points = torch.stack(candidates)[best, torch.arange(X.shape[0])]
    return out
