"""Perturbation sets B(x) of docs/claims.md §1, row-wise around centres X0 of shape (n, d).

    l2          {x' : ‖x' − x0‖₂ ≤ δ}
    linf        {x' : ‖x' − x0‖_∞ ≤ δ}
    sphere-cap  {x' ∈ S^{d−1} : ‖x' − x0‖₂ ≤ δ}   (x0 on the unit sphere)

On the sphere ‖x' − x0‖₂² = 2 − 2·x'ᵀx0, so the cap is the set of unit vectors at angle
≤ θ_δ = arccos(1 − δ²/2) = 2·arcsin(δ/2) from x0 (the whole sphere when δ ≥ 2). Every projection below is the
exact Euclidean projection (nearest point of the set); results are verified by :meth:`contains`
with the named tolerance :data:`MEMBERSHIP_ATOL_F64`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from numerics.network.data import UNIT_NORM_TOL
from theory.errors import InputError

NORMS: tuple[str, ...] = ("l2", "linf", "sphere-cap")

# Membership slack for float64: projections and closed-form maximizers land on the boundary up to
# a few ulps of the radius (≲ 1e-15 for radii ≤ 10); 1e-12 is far above that and far below any
# perturbation that could change a loss visibly.
MEMBERSHIP_ATOL_F64 = 1e-12


def _as_batch(X0: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """X0 (n, d) broadcast against X of shape (n, d) or (n, k, d)."""
    if X0.ndim != 2:
        raise InputError(f"centres X0 must have shape (n, d), got {tuple(X0.shape)}")
    if X.ndim == 2 and X.shape == X0.shape:
        return X0
    if X.ndim == 3 and X.shape[0] == X0.shape[0] and X.shape[2] == X0.shape[1]:
        return X0[:, None, :]
    raise InputError(f"points must have shape {tuple(X0.shape)} or (n, k, d) matching X0, got {tuple(X.shape)}")


def _orthonormal_complement(X0: torch.Tensor) -> torch.Tensor:
    """(n, d, d−1) orthonormal bases of x0^⊥ for unit rows x0 (reduced QR of [x0 | I])."""
    n, d = X0.shape
    eye = torch.eye(d, dtype=X0.dtype, device=X0.device).expand(n, d, d)
    Q, _ = torch.linalg.qr(torch.cat([X0[:, :, None], eye], dim=2), mode="reduced")
    return Q[:, :, 1:]


@dataclass(frozen=True)
class PerturbationSet:
    """B(x) of one kind (``norm`` in :data:`NORMS`) and radius δ ≥ 0."""

    norm: str
    radius: float

    def __post_init__(self) -> None:
        if self.norm not in NORMS:
            raise InputError(f"unknown norm {self.norm!r} (expected one of {', '.join(NORMS)})")
        r = self.radius
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not math.isfinite(r) or r < 0:
            raise InputError(f"radius must be a finite number ≥ 0, got {r!r}")
        object.__setattr__(self, "radius", float(r))

    # --- geometry ------------------------------------------------------------------------------
    @property
    def cap_angle(self) -> float:
        """θ_δ = arccos(1 − δ²/2) = 2·arcsin(δ/2): the cap's angular radius (π when δ ≥ 2).

        Computed as 2·arcsin(δ/2): the arccos form cancels catastrophically for small δ (at δ = 1e-6
        it overshoots by 4e-5 relative, putting projected points outside the cap).
        """
        return math.pi if self.radius >= 2 else 2 * math.asin(self.radius / 2)

    def check_centres(self, X0: torch.Tensor) -> torch.Tensor:
        """Validate centres: finite (n, d); unit rows for sphere-cap."""
        if X0.ndim != 2 or X0.shape[0] == 0:
            raise InputError(f"centres X0 must be a non-empty (n, d) tensor, got shape {tuple(X0.shape)}")
        if not bool(torch.isfinite(X0).all()):
            raise InputError("centres X0 contain NaN or infinite values")
        if self.norm == "sphere-cap":
            dev = float((torch.linalg.norm(X0, dim=1) - 1).abs().max())
            if dev > UNIT_NORM_TOL:
                raise InputError(f"sphere-cap centres must be unit vectors (max |‖x0‖−1| = {dev:.3g})")
        return X0

    def distance(self, X0: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """‖x' − x0‖ in the set's norm (ℓ2 for l2 and sphere-cap, ℓ∞ for linf), shape X.shape[:-1]."""
        diff = X - _as_batch(X0, X)
        if self.norm == "linf":
            return diff.abs().amax(dim=-1)
        return torch.linalg.norm(diff, dim=-1)

    def contains(self, X0: torch.Tensor, X: torch.Tensor, *, atol: float = MEMBERSHIP_ATOL_F64) -> torch.Tensor:
        """Boolean tensor (shape X.shape[:-1]): x' ∈ B(x0) up to ``atol`` (False for NaN)."""
        inside = self.distance(X0, X) <= self.radius + atol
        if self.norm == "sphere-cap":
            inside = inside & ((torch.linalg.norm(X, dim=-1) - 1).abs() <= atol)
        return inside

    def project(self, X0: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Euclidean projection of each point onto B(x0) (exact for all three sets)."""
        C = _as_batch(X0, X)
        diff = X - C
        if self.norm == "linf":
            return C + diff.clamp(-self.radius, self.radius)
        if self.norm == "l2":
            norm = torch.linalg.norm(diff, dim=-1, keepdim=True)
            shrink = torch.clamp(self.radius / torch.clamp(norm, min=torch.finfo(X.dtype).tiny), max=1.0)
            return C + diff * shrink
        return self._project_cap(C.expand_as(X), X)

    def _project_cap(self, C: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Nearest point of the cap: maximize xᵀx' over unit x' at angle ≤ θ_δ from x0.

        Write x = a·x0 + b·u (u ⊥ x0 unit, b ≥ 0); for x' = cos φ·x0 + sin φ·v the objective is at most
        a cos φ + b sin φ (v = u attains it) = ‖x‖·cos(φ − φ*), φ* = atan2(b, a): so x' = x/‖x‖ when
        φ* ≤ θ_δ and the boundary point at φ = θ_δ in the (x0, u) plane otherwise.
        """
        theta = self.cap_angle
        d = X.shape[-1]
        norm = torch.linalg.norm(X, dim=-1, keepdim=True)
        a = (X * C).sum(dim=-1, keepdim=True)
        P = X - a * C
        b = torch.linalg.norm(P, dim=-1, keepdim=True)
        phi = torch.atan2(b, a)
        on_sphere = torch.where(norm > 0, X / torch.clamp(norm, min=torch.finfo(X.dtype).tiny), C)
        inside = (phi <= theta) | (norm == 0)
        if d == 1:  # S^0 = {±1}: the cap is {x0} unless δ ≥ 2
            return torch.where(inside, on_sphere, C)
        flat_C = C.reshape(-1, d)
        fallback = torch.zeros_like(flat_C)
        fallback[torch.arange(flat_C.shape[0]), flat_C.abs().argmin(dim=1)] = 1.0
        fallback = fallback - (fallback * flat_C).sum(dim=1, keepdim=True) * flat_C
        fallback = (fallback / torch.linalg.norm(fallback, dim=1, keepdim=True)).reshape(X.shape)
        # b below ~1e-150 has no usable direction: any u ⊥ x0 is then optimal (x is ± parallel to x0).
        u = torch.where(b > 1e-150, P / torch.clamp(b, min=1e-150), fallback)
        boundary = math.cos(theta) * C + math.sin(theta) * u
        out = torch.where(inside, on_sphere, boundary)
        return out / torch.linalg.norm(out, dim=-1, keepdim=True)

    # --- sampling and closed forms --------------------------------------------------------------
    def sample(self, X0: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
        """k points per centre inside B(x0), shape (n, k, d).

        l2: uniform in the ball (Gaussian direction, radius δ·U^{1/d}); linf: uniform in the box;
        sphere-cap: uniform tangent direction and angle θ_δ·U^{1/(d−1)} (uniform-ish on the cap).
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InputError(f"number of samples k must be a positive integer, got {k!r}")
        n, d = X0.shape
        kw = dict(generator=generator, dtype=X0.dtype)
        C = X0[:, None, :].expand(n, k, d)
        if self.norm == "linf":
            return C + self.radius * (2 * torch.rand(n, k, d, **kw).to(X0.device) - 1)
        if self.norm == "l2":
            g = torch.randn(n, k, d, **kw).to(X0.device)
            g = g / torch.linalg.norm(g, dim=-1, keepdim=True)
            r = self.radius * torch.rand(n, k, 1, **kw).to(X0.device) ** (1.0 / d)
            return C + r * g
        if d == 1:
            signs = torch.ones(n, k, 1, dtype=X0.dtype, device=X0.device)
            if self.radius >= 2:
                signs = torch.where(torch.rand(n, k, 1, **kw).to(X0.device) < 0.5, -signs, signs)
            return signs * C
        g = torch.randn(n, k, d, **kw).to(X0.device)
        g = g - (g * C).sum(-1, keepdim=True) * C
        v = g / torch.linalg.norm(g, dim=-1, keepdim=True)
        phi = self.cap_angle * torch.rand(n, k, 1, **kw).to(X0.device) ** (1.0 / (d - 1))
        return self.project(X0, torch.cos(phi) * C + torch.sin(phi) * v)

    def dual_norm(self, w: torch.Tensor) -> torch.Tensor:
        """‖w‖_* over the last axis: max_{‖u‖ ≤ 1} wᵀu (ℓ2 → ‖w‖₂, ℓ∞ → ‖w‖₁); not for sphere-cap."""
        if self.norm == "l2":
            return torch.linalg.norm(w, dim=-1)
        if self.norm == "linf":
            return w.abs().sum(dim=-1)
        raise InputError("dual_norm is defined for the l2 and linf balls only (the cap is not a ball)")

    def linear_argmax(self, X0: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """argmax_{x' ∈ B(x0)} wᵀx' row-wise (w of shape (d,) or (n, d)); x0 itself where w = 0.

        l2: x0 + δ·w/‖w‖₂;  linf: x0 + δ·sign(w);  sphere-cap: the projection of w onto the cap
        (maximizing wᵀx' over the cap is the problem the cap projection solves).
        """
        W = w.expand_as(X0)
        if self.norm == "linf":
            return X0 + self.radius * torch.sign(W)
        norm = torch.linalg.norm(W, dim=-1, keepdim=True)
        if self.norm == "l2":
            return X0 + torch.where(norm > 0, self.radius * W / torch.clamp(norm, min=1e-300), 0.0)
        return torch.where(norm > 0, self.project(X0, W), X0)

    def grid(self, X0: torch.Tensor, points_per_axis: int) -> tuple[torch.Tensor, float]:
        """A finite cover of each B(x0): points (n, k, d) inside the set and the covering radius r.

        Every x' ∈ B(x0) is within Euclidean distance r of a grid point. l2/linf: the box grid with
        spacing h = 2δ/(p−1) has r = h√d/2; the l2 grid is radially projected onto the ball, which is
        non-expansive, so r is kept. sphere-cap: the same grid on the (d−1)-dim tangent disc of radius
        θ_δ, projected onto the disc and mapped by the exponential map, which is 1-Lipschitz on the
        unit sphere (curvature > 0, Rauch), and chords are shorter than arcs: r = h√(d−1)/2.
        """
        p = points_per_axis
        if isinstance(p, bool) or not isinstance(p, int) or p < 2:
            raise InputError(f"points_per_axis must be an integer ≥ 2, got {p!r}")
        n, d = X0.shape
        if self.norm == "sphere-cap" and d == 1:
            pts = X0[:, None, :] if self.radius < 2 else torch.stack([X0, -X0], dim=1)
            return pts, 0.0
        k = d if self.norm != "sphere-cap" else d - 1
        half = self.radius if self.norm != "sphere-cap" else self.cap_angle
        axis = torch.linspace(-half, half, p, dtype=X0.dtype, device=X0.device)
        T = torch.cartesian_prod(*([axis] * k)).reshape(-1, k)
        cover = (2 * half / (p - 1)) * math.sqrt(k) / 2
        if self.norm == "linf":
            return X0[:, None, :] + T[None], cover
        tn = torch.linalg.norm(T, dim=1, keepdim=True)
        T = T * torch.clamp(half / torch.clamp(tn, min=1e-300), max=1.0)
        if self.norm == "l2":
            return X0[:, None, :] + T[None], cover
        B = _orthonormal_complement(X0)  # (n, d, d−1)
        t = torch.linalg.norm(T, dim=1)  # (k,)
        direction = torch.einsum("ndj,kj->nkd", B, T / torch.clamp(t, min=1e-300)[:, None])
        pts = torch.cos(t)[None, :, None] * X0[:, None, :] + torch.sin(t)[None, :, None] * direction
        return self.project(X0, pts), cover
