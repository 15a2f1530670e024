"""Sound linear bounds of every activation on a pre-activation interval, for CROWN-style bounding.

For z ∈ [l, u] (elementwise) return slopes and intercepts with

    k_L·z + b_L  ≤  σ(z)  ≤  k_U·z + b_U        for every z ∈ [l, u].

relu: the standard CROWN relaxation (upper = secant; lower slope 1 if u ≥ −l else 0), exact on
stable neurons.
Smooth σ: both lines get the secant slope k = (σ(u) − σ(l))/(u − l) and the optimal intercepts
b_U = max_{[l,u]} h, b_L = min_{[l,u]} h of h(z) = σ(z) − k·z, computed soundly from curvature:
relu2 and softplus are convex on ℝ; tanh, sigmoid and erf are convex on (−∞, 0] and concave on [0, ∞).
On a convex piece h is convex, so its max is at an endpoint and its min is bracketed by bisection on
h' (monotone there) with the sound bound h(a) + min(h'(a), 0)·(b − a) (h lies above its tangent at a);
symmetrically on a concave piece for the max. Any slope gives sound lines this way; the secant is the
tight choice on convex or concave intervals. Intercepts are padded by RELAXATION_PAD_F64 (relative)
against float64 round-off.
"""
from __future__ import annotations

import torch

from numerics.network.activations import sigma, sigma_prime
from theory.activations import check_activation

# Relative outward padding of the intercepts: covers float64 round-off in σ, h and the bisection
# (each ~1e-16 relative); 1e-12 is 10⁴× that and negligible against any bound width we report.
RELAXATION_PAD_F64 = 1e-12
_BISECTION_STEPS = 80  # halves the bracket to 2^-80 of its width (below float64 resolution)

# Curvature pieces: σ convex on (−∞, convex_up_to] and concave on [concave_from, ∞).
_CONVEX_UP_TO = {"relu2": float("inf"), "softplus": float("inf"), "tanh": 0.0, "sigmoid": 0.0, "erf": 0.0}
_CONCAVE_FROM = {"relu2": float("inf"), "softplus": float("inf"), "tanh": 0.0, "sigmoid": 0.0, "erf": 0.0}


def _bracket(dh, lo: torch.Tensor, hi: torch.Tensor, increasing: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Bracket [a, b] ⊂ [lo, hi] of the zero of a monotone h' (increasing or decreasing) by bisection.

    Where h' has no sign change on [lo, hi], a = b = the endpoint at which h is extremal.
    """
    sign = 1.0 if increasing else -1.0
    d_lo, d_hi = sign * dh(lo), sign * dh(hi)  # now increasing
    a, b = lo.clone(), hi.clone()
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (a + b)
        pos = sign * dh(mid) >= 0
        b = torch.where(pos, mid, b)
        a = torch.where(pos, a, mid)
    # No sign change: extremum of h (min for convex/increasing h', max for concave) at an endpoint.
    a = torch.where(d_lo >= 0, lo, torch.where(d_hi <= 0, hi, a))
    b = torch.where(d_lo >= 0, lo, torch.where(d_hi <= 0, hi, b))
    return a, b


def _smooth_bounds(name: str, l: torch.Tensor, u: torch.Tensor):
    s, ds = sigma(name), sigma_prime(name)
    width = u - l
    k = torch.where(width > 0, (s(u) - s(l)) / torch.where(width > 0, width, 1.0), ds(l))
    h = lambda z: s(z) - k * z  # noqa: E731
    dh = lambda z: ds(z) - k  # noqa: E731
    upper = torch.maximum(h(l), h(u))
    lower = torch.minimum(h(l), h(u))
    cvx_hi, ccv_lo = _CONVEX_UP_TO[name], _CONCAVE_FROM[name]
    # min over the convex piece [l, min(u, cvx_hi)]: h convex, h' increasing.
    hi = torch.clamp(u, max=cvx_hi)
    has = l < hi
    a, b = _bracket(dh, l, torch.where(has, hi, l), increasing=True)
    cand = h(a) + torch.clamp(dh(a), max=0.0) * (b - a)
    lower = torch.where(has, torch.minimum(lower, cand), lower)
    # max over the concave piece [max(l, ccv_lo), u]: h concave, h' decreasing.
    lo = torch.clamp(l, min=ccv_lo)
    has = lo < u
    a, b = _bracket(dh, torch.where(has, lo, u), u, increasing=False)
    cand = h(a) + torch.clamp(dh(a), min=0.0) * (b - a)
    upper = torch.where(has, torch.maximum(upper, cand), upper)
    pad = RELAXATION_PAD_F64 * (1 + s(l).abs() + s(u).abs() + k.abs() * (l.abs() + u.abs()))
    return k, lower - pad, k, upper + pad


def _relu_bounds(l: torch.Tensor, u: torch.Tensor):
    zero, one = torch.zeros_like(l), torch.ones_like(l)
    active, inactive = l >= 0, u <= 0
    slope_u = torch.where(active, one, torch.where(inactive, zero, u / torch.where(u > l, u - l, 1.0)))
    pad = RELAXATION_PAD_F64 * (1 + l.abs() + u.abs())
    icpt_u = torch.where(active | inactive, zero, -slope_u * l + pad)
    slope_l = torch.where(active, one, torch.where(inactive, zero, (u >= -l).to(l.dtype)))
    return slope_l, zero, slope_u, icpt_u


def linear_bounds(name: str, l: torch.Tensor, u: torch.Tensor):
    """(k_L, b_L, k_U, b_U) with k_L·z + b_L ≤ σ(z) ≤ k_U·z + b_U on [l, u] elementwise (l ≤ u)."""
    check_activation(name)
    if name == "relu":
        return _relu_bounds(l, u)
    return _smooth_bounds(name, l, u)


def interval_image(name: str, l: torch.Tensor, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """[σ(l), σ(u)]: the exact image of [l, u] (every activation here is non-decreasing)."""
    s = sigma(check_activation(name))
    return s(l), s(u)


def derivative_bound(name: str, l: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """max_{z ∈ [l, u]} |σ'(z)| elementwise (σ' ≥ 0 here; unimodal with peak at 0 for tanh/sigmoid/erf,
    non-decreasing for relu, relu2, softplus), used for local Lipschitz constants."""
    ds = sigma_prime(check_activation(name))
    if name in ("relu", "relu2", "softplus"):
        return ds(u)
    return torch.where((l <= 0) & (u >= 0), ds(torch.zeros_like(l)), torch.maximum(ds(l), ds(u)))
