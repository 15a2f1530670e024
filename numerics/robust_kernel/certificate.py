"""Certified upper bounds of  max_{x' ∈ B(x_i)} ℓ(f(x'), y_i)  for a function with known smoothness bounds.

Branch and bound over cubes of a parameter box that covers B(x_i) through a map P:

    l2          u ∈ [−δ, δ]^d,       P(u) = x_i + u,     admissible iff ‖u‖₂ ≤ δ
    linf        u ∈ [−δ, δ]^d,       P(u) = x_i + u,     always admissible
    sphere-cap  u ∈ [−θ_δ, θ_δ]^{d−1}, P(u) = exp_{x_i}(B u) = cos‖u‖·x_i + (sin‖u‖/‖u‖)·Bu (B an orthonormal
                basis of x_i^⊥), admissible iff ‖u‖₂ ≤ θ_δ.

P is 1-Lipschitz (the exponential map of the unit sphere is, and chords are shorter than arcs), so for a
cube with centre c and half-width h every u in it has ‖P(u) − P(c)‖ ≤ r := h·√D. Two enclosures of f on
the cube, the tighter one is used:

* zeroth order:  |f(P(u)) − f(P(c))| ≤ L_i·r,  L_i ≥ Lip(f) on the region (norm ≤ :func:`region_max_norm`);
* first order:   |f(P(u)) − f(P(c))| ≤ h·‖∇_u(f∘P)(c)‖₁ + ‖∇f(P(c))‖·C₂(c)·‖u − c‖² + ρ_i(r, ‖P(c)‖),
  with ρ_i a bound on the Taylor remainder |f(x) − f(x₀) − ∇f(x₀)ᵀ(x − x₀)| for ‖x − x₀‖ ≤ r (supplied by
  the kernel), and C₂ = 0 for the affine P, C₂ = (1 + (4/3)·t_max)/2 for the exponential map: its second
  derivative along any unit direction is (−cos t·t'² − sin t·t'', S''t'²γ + S't''γ + 2S't'v) with
  S(t) = sin t/t, |S'| ≤ t/3 and |S''| ≤ 1/3 (S(t) = ½∫_{−1}^{1} cos(ts)ds), hence of norm ≤ 1 + (4/3)t.

Then ℓ ≤ max(ℓ(f − spread), ℓ(f + spread)) (ℓ is convex), with a rounding allowance added to the spread.
The loop stops when the mean over samples of (max bound − incumbent) is ≤ ``tol``; otherwise cubes within a
water level τ ≥ tol of their sample's incumbent (the best value found at an admissible point) are closed —
τ is the largest level with mean_i min(gap_i, τ) ≤ tol, so samples already certified tightly leave slack to
the others — and the rest are split into 2^D children. The result is sound at any stopping point:
upper_i = max over closed and still-open cubes of their bounds.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from numerics.network.losses import Loss
from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError

# Cubes evaluated in one batch (bounds memory: each cube costs one evaluation of f).
_BATCH = 1 << 15
# Default total budget of cube evaluations per certificate.
DEFAULT_CELL_BUDGET = 400_000


@dataclass
class Certificate:
    """Per-sample certified upper bound, the best admissible point found (a lower bound) and bookkeeping."""

    upper: np.ndarray
    lower: np.ndarray
    points: torch.Tensor
    lipschitz: np.ndarray
    cells_evaluated: int
    complete: bool
    max_norm: np.ndarray

    @property
    def mean_upper(self) -> float:
        return float(self.upper.mean())

    @property
    def mean_lower(self) -> float:
        return float(self.lower.mean())


def region_max_norm(pset: PerturbationSet, X: torch.Tensor) -> torch.Tensor:
    """Bound s_i on ‖x‖ over the convex hull of every point the cubes can map to, per sample."""
    if pset.norm == "sphere-cap":
        return torch.ones(X.shape[0], dtype=X.dtype)
    return torch.linalg.norm(X, dim=1) + pset.radius * math.sqrt(X.shape[1])


def _complement_bases(X: torch.Tensor) -> torch.Tensor:
    """(n, d, d−1) orthonormal bases of x^⊥ for unit rows x (reduced QR of [x | I])."""
    n, d = X.shape
    eye = torch.eye(d, dtype=X.dtype).expand(n, d, d)
    Q, _ = torch.linalg.qr(torch.cat([X[:, :, None], eye], dim=2), mode="reduced")
    return Q[:, :, 1:]


class _Geometry:
    def __init__(self, pset: PerturbationSet, X: torch.Tensor) -> None:
        self.pset, self.X = pset, X
        self.sphere = pset.norm == "sphere-cap"
        self.dim = X.shape[1] - 1 if self.sphere else X.shape[1]
        self.half = pset.cap_angle if self.sphere else pset.radius
        self.bases = _complement_bases(X) if self.sphere and self.dim > 0 else None

    def admissible(self, U: torch.Tensor) -> torch.Tensor:
        if self.pset.norm == "linf":
            return torch.ones(U.shape[0], dtype=torch.bool)
        return torch.linalg.norm(U, dim=1) <= self.half

    def intersects(self, U: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        if self.pset.norm == "linf":
            return torch.ones(U.shape[0], dtype=torch.bool)
        gap = torch.clamp(U.abs() - h[:, None], min=0.0)
        return torch.linalg.norm(gap, dim=1) <= self.half

    def into_admissible(self, U: torch.Tensor) -> torch.Tensor:
        """Radial pull of parameter points into the admissible set (the box is always admissible for linf)."""
        if self.pset.norm == "linf":
            return torch.clamp(U, -self.half, self.half)
        norm = torch.linalg.norm(U, dim=1, keepdim=True)
        return U * torch.clamp(self.half / torch.clamp(norm, min=1e-300), max=1.0)

    def to_points(self, U: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        centre = self.X[owner]
        if not self.sphere:
            return centre + U
        if self.dim == 0:
            return centre.clone()
        # cos t and sin t / t as functions of t² (series below 1e-12), so that autograd is finite at u = 0
        t2 = (U * U).sum(1, keepdim=True)
        big = t2 > 1e-12
        ts = torch.sqrt(torch.where(big, t2, torch.ones_like(t2)))
        cos_t = torch.where(big, torch.cos(ts), 1 - t2 / 2 + t2 * t2 / 24)
        sinc_t = torch.where(big, torch.sin(ts) / ts, 1 - t2 / 6 + t2 * t2 / 120)
        P = cos_t * centre + sinc_t * torch.einsum("ndk,nk->nd", self.bases[owner], U)
        return P / torch.linalg.norm(P, dim=1, keepdim=True)


def _update_incumbents(geo: "_Geometry", best: torch.Tensor, best_pts: torch.Tensor, values: torch.Tensor,
                       U: torch.Tensor, admissible: torch.Tensor, owner: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """Raise each sample's incumbent to the best admissible candidate value (and keep its point)."""
    cand = torch.where(admissible, values, torch.full_like(values, -math.inf))
    top = torch.full_like(best, -math.inf).scatter_reduce(0, owner, cand, reduce="amax")
    improved = top > best
    if bool(improved.any()):
        rows = torch.nonzero(admissible & improved[owner] & (cand == top[owner])).flatten()
        best_pts = best_pts.clone()
        best_pts[owner[rows]] = geo.to_points(U[rows], owner[rows]).detach()
        best = torch.where(improved, top, best)
    return best, best_pts


def water_level(gaps: torch.Tensor, tol: float) -> float:
    """Largest τ ≥ tol with mean_i min(gap_i, τ) ≤ tol: cells within τ of their incumbent may be closed while
    the mean certified gap can still end ≤ tol (samples already certified tightly leave room to the others)."""
    g, _ = torch.sort(gaps)
    n = g.numel()
    prefix = torch.cat([torch.zeros(1, dtype=g.dtype), torch.cumsum(g, 0)])[:n]
    # τ in [g_(k−1), g_(k)]: Σ_{i<k} g_(i) + (n − k)·τ = n·tol; the first k with τ_k ≤ g_(k)
    tau = (n * tol - prefix) / (n - torch.arange(n, dtype=g.dtype))
    hit = torch.nonzero(tau <= g).flatten()
    return max(float(tau[hit[0]]), tol) if hit.numel() else math.inf


def _enclose(f, geo: _Geometry, U: torch.Tensor, h: torch.Tensor, owner: torch.Tensor, lip: torch.Tensor,
             remainder, rounding: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """f at the cube centres, the half-width of an enclosure of f on each cube (module docstring) and, for
    the first-order enclosure, ∇_u(f∘P) at the centres."""
    D = geo.dim
    r = h * math.sqrt(max(D, 0))
    vals = torch.empty(owner.numel(), dtype=U.dtype)
    spread = torch.empty(owner.numel(), dtype=U.dtype)
    grads = None if remainder is None or D == 0 else torch.empty_like(U)
    for s in range(0, owner.numel(), _BATCH):
        sl = slice(s, s + _BATCH)
        zero = lip[owner[sl]] * r[sl]
        if remainder is None or D == 0:
            with torch.no_grad():
                vals[sl] = f(geo.to_points(U[sl], owner[sl]))
            spread[sl] = zero + rounding
            continue
        with torch.enable_grad():
            Uc = U[sl].clone().requires_grad_(True)
            P = geo.to_points(Uc, owner[sl])
            P.retain_grad()
            out = f(P)
            out.sum().backward()
        gu, gx = Uc.grad, P.grad
        grads[sl] = gu
        with torch.no_grad():
            vals[sl] = out.detach()
            cn = torch.linalg.norm(P, dim=1).detach()
            linear = h[sl] * gu.abs().sum(1)
            if geo.sphere:
                tmax = torch.linalg.norm(U[sl], dim=1) + r[sl]
                linear = linear + torch.linalg.norm(gx, dim=1) * (1 + 4 * tmax / 3) / 2 * r[sl] ** 2
            rem = remainder(r[sl], cn, owner[sl])
            first = torch.where(cn > r[sl], linear + rem, torch.full_like(zero, math.inf))
            spread[sl] = torch.minimum(zero, first) + rounding
    return vals, spread, grads


def certify_max_loss(f: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor, y: torch.Tensor,
                     pset: PerturbationSet, loss: Loss, lipschitz: torch.Tensor, *, tol: float,
                     remainder: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
                     rounding: float = 0.0, incumbent_values: torch.Tensor | None = None,
                     incumbent_points: torch.Tensor | None = None,
                     cell_budget: int = DEFAULT_CELL_BUDGET) -> Certificate:
    """Sound per-sample upper bounds of max_{x'∈B(x_i)} ℓ(f(x'), y_i) by branch and bound.

    ``lipschitz`` (n,) must bound Lip(f) on the region of norm ≤ :func:`region_max_norm`;
    ``remainder(r, centre_norm, owner)`` (optional) bounds the first-order Taylor remainder of f for steps of
    length ≤ r from a point of norm ``centre_norm`` (per cube; owner = sample index); ``rounding`` bounds
    the absolute error of evaluating f and its first-order terms; ``tol`` is the closing slack per sample;
    incumbents (values and points in B(x_i), e.g. from an attack) seed the pruning.
    """
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive finite number, got {tol!r}")
    n = X.shape[0]
    geo = _Geometry(pset, X)
    D = geo.dim
    lip = torch.as_tensor(lipschitz, dtype=X.dtype).reshape(n)
    if not bool(torch.isfinite(lip).all()) or bool((lip < 0).any()):
        raise InputError("lipschitz must be finite and ≥ 0")
    best = torch.full((n,), -math.inf, dtype=X.dtype)
    best_pts = X.clone()
    if incumbent_values is not None:
        best = incumbent_values.clone().to(X.dtype)
        best_pts = incumbent_points.clone()
    closed = torch.full((n,), -math.inf, dtype=X.dtype)
    U = torch.zeros(n, max(D, 0), dtype=X.dtype)
    h = torch.full((n,), geo.half, dtype=X.dtype)
    owner = torch.arange(n)
    evaluated, complete = 0, True
    upper_open = torch.full((n,), -math.inf, dtype=X.dtype)
    while owner.numel():
        keep = geo.intersects(U, h)
        U, h, owner = U[keep], h[keep], owner[keep]
        if not owner.numel():
            break
        vals, spread, grads = _enclose(f, geo, U, h, owner, lip, remainder, rounding)
        evaluated += owner.numel()
        yo = y[owner]
        candidates = [(loss.value(vals, yo), U, geo.admissible(U))]
        if grads is not None:
            # the maximizers of the linear model on the cube (both signs: ℓ is convex in f), pulled into
            # the admissible set: real points of B(x_i) whose values sharpen the incumbent to O(remainder)
            for sign in (1.0, -1.0):
                Uc = geo.into_admissible(U + sign * h[:, None] * torch.sign(grads))
                with torch.no_grad():
                    fc = torch.cat([f(geo.to_points(Uc[s:s + _BATCH], owner[s:s + _BATCH]))
                                    for s in range(0, owner.numel(), _BATCH)])
                evaluated += owner.numel()
                candidates.append((loss.value(fc, yo), Uc, torch.ones_like(owner, dtype=torch.bool)))
        for cand_vals, cand_U, adm in candidates:
            best, best_pts = _update_incumbents(geo, best, best_pts, cand_vals, cand_U, adm, owner)
        bound = loss.max_over_interval(vals - spread, vals + spread, yo)
        current = closed.scatter_reduce(0, owner, bound, reduce="amax")
        gaps = torch.clamp(torch.maximum(current, best) - best, min=0.0)
        if float(gaps.mean()) <= tol:
            closed = current
            break
        threshold = water_level(gaps, tol)
        done = (bound <= best[owner] + threshold) | (h <= 0) | (D == 0)
        closed = closed.scatter_reduce(0, owner[done], bound[done], reduce="amax")
        U, h, owner, bound = U[~done], h[~done], owner[~done], bound[~done]
        if not owner.numel():
            break
        if evaluated + owner.numel() * 2 ** D > cell_budget:
            complete = False
            upper_open = upper_open.scatter_reduce(0, owner, bound, reduce="amax")
            break
        offsets = torch.cartesian_prod(*([torch.tensor([-0.5, 0.5], dtype=X.dtype)] * D)).reshape(-1, D)
        h = h / 2
        U = (U[:, None, :] + offsets[None] * (2 * h)[:, None, None]).reshape(-1, D)
        h = h.repeat_interleave(2 ** D)
        owner = owner.repeat_interleave(2 ** D)
    upper = torch.maximum(torch.maximum(closed, upper_open), best)
    return Certificate(upper=upper.numpy(), lower=best.numpy(), points=best_pts, lipschitz=lip.numpy(),
                       cells_evaluated=evaluated, complete=complete,
                       max_norm=region_max_norm(pset, X).numpy())
