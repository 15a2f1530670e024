"""Second-order certificate: sound upper bounds of max_{x' ∈ B(x_i)} ℓ(f(x'), y_i) for a kernel expansion
f = Σ_b Σ_j β_bj k_b(z_j, ·) whose kernel supplies derivatives and a curvature bound, tight where f is smooth at the
scale of the ball.

Taylor with a Hessian-Lipschitz remainder. For m = σ·f (σ = y_i for margin losses, σ = ±1 otherwise), an expansion
point e and every p with ‖p − e‖ ≤ D on whose segment Lip(∇²f) ≤ L₃ (so |m − Taylor₂| ≤ L₃‖p − e‖³/6 ≤ L₃D‖p − e‖²/6):

    m(p) ≥ m(e) + ∇m(e)ᵀ(p − e) + ½(p − e)ᵀ(∇²m(e) − (L₃D/3)·I)(p − e) − ρ(D),

ρ(D) = r₀ + r₁D + r₂D²/2 the rounding allowance of the evaluated value, gradient and Hessian (the kernel's
``rounding_allowance``). L₃ = Σ_b Σ_j |β_bj|·Lip(∇²k_b(z_j, ·)) (the kernel's ``term_bounds`` on the chart's norm
range). The minimum of the quadratic over a ball or box is bounded by weak duality (numerics.robust_kernel.trust_region).
Expanded at the best point found — the local minimizer of m, usually on the boundary of B(x_i) — the bound is tight
whenever the trust-region multiplier ‖∇m‖/δ exceeds L₃D/3 plus the negative curvature: then no cells are needed.

Charts of B(x_i) (parameters p, region, point):
    l2          ‖p‖₂ ≤ δ, x = x_i + p;          linf  |p_a| ≤ δ, x = x_i + p      (segments keep ‖x‖ ≥ ‖x_i‖ − δ, − √d·δ)
    sphere-cap  ‖w‖₂ ≤ tan θ_δ (θ_δ < π/2), x = N(x_i + Bw), N(v) = v/‖v‖ (gnomonic; B a basis of x_i^⊥). Kernels
                homogeneous of degree 2: f(x) = f(x_i + Bw)/(1 + ‖w‖²), so with a level c (the incumbent value) and LB a
                lower bound of m(x_i + Bw) − c(1 + ‖w‖²) (the model shifted by −2c·I): min_cap m ≥ c + min(LB, LB/(1+τ²));
                the affine chart has norm ≥ 1, so L₃ is taken at norm 1. Other expansions (e.g. a two-layer net,
                numerics.robust_kernel.kernels.RidgeKernel): the composite F = f∘N(x_i + B·) with chain-rule derivatives and
                Lip(∇²F) ≤ Lip(∇²f) + 2√3·sup‖∇²f‖ + 3·sup‖∇f‖ (‖DN‖ ≤ 1, ‖D²N‖ ≤ 2/√3, ‖D³N‖ ≤ 3 for ‖v‖ ≥ 1).

Incumbents (admissible points, the lower end): trust-region Newton steps on the model over the region from the given
starts, the centre and the linear minimizer, each candidate projected into B(x_i) and evaluated exactly.
Refinement: when the mean gap exceeds ``tol`` the region's bounding box is cut into boxes (split in two along the
longest side); every cell is bounded with the incumbent's expansion and with its own (at its centre pulled into the
region), each against the region's ball, the cell's circumscribed ball and (linf) the box; cells within the water
level of their sample's incumbent close (numerics.robust_kernel.certificate.water_level). Sound at any stopping point.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics.network.losses import Loss
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.certificate import water_level
from numerics.robust_kernel.kernels import KernelModel
from numerics.robust_kernel.trust_region import ball_minimum, box_minimum, eigen
from theory.errors import InputError

DEFAULT_CURVATURE_CELLS = 200_000
# Newton steps of the incumbent search, and the backtracking fractions tried along each step.
INCUMBENT_STEPS = 8
BACKTRACK = (1.0, 0.5, 0.25)
# A unit keeps taking Newton steps while its value improves by more than this (relative to 1 + |value|).
STALL_REL = 1e-12
# Caps: the gnomonic chart needs θ_δ < π/2; beyond this angle tan θ (and the ratio's denominator) grows too fast.
MAX_CAP_ANGLE = 1.2
# Composite cap chart: relative rounding of the chain rule's products (≤ 10 terms of size ≤ sup‖∇f‖, sup‖∇²f‖).
COMPOSITE_ROUNDING_REL = 1e-12


@dataclass
class CurvatureCertificate:
    """Per-sample certified upper bound, the loss at the best admissible point found, and bookkeeping."""

    upper: np.ndarray
    lower: np.ndarray
    points: torch.Tensor
    cells_evaluated: int
    complete: bool
    hessian_lipschitz: np.ndarray


def curvature_unsupported(kernel: KernelModel, pset: PerturbationSet, X: torch.Tensor) -> str | None:
    """Why the second-order certificate cannot be used here (None when it can)."""
    if kernel.term_bounds(X[:1], torch.ones(1, dtype=X.dtype), torch.ones(1, dtype=X.dtype)) is None:
        return f"the kernel {kernel.name} has no derived curvature bound"
    if pset.norm == "sphere-cap":
        if pset.cap_angle >= MAX_CAP_ANGLE or X.shape[1] < 2:
            return f"cap angle {pset.cap_angle:.3g} ≥ {MAX_CAP_ANGLE} (or d < 2): no gnomonic chart"
        return None
    reach = pset.radius * (math.sqrt(X.shape[1]) if pset.norm == "linf" else 1.0)
    if float(torch.linalg.norm(X, dim=1).min()) <= reach:
        return "a perturbation set reaches the origin, where the kernel's curvature bound fails"
    return None


class _Chart:
    """Parameters of B(x_i) (module docstring): region, map to points, bounds on norms along segments."""

    def __init__(self, pset: PerturbationSet, X: torch.Tensor, homogeneity: int | None) -> None:
        self.pset, self.X = pset, X
        n, d = X.shape
        self.cap = pset.norm == "sphere-cap"
        self.ratio = self.cap and homogeneity == 2      # the ratio form f(x_i + Bw)/(1 + ‖w‖²); else the composite
        self.ball = pset.norm != "linf"
        if self.cap:
            eye = torch.eye(d, dtype=X.dtype).expand(n, d, d)
            Q, _ = torch.linalg.qr(torch.cat([X[:, :, None], eye], dim=2), mode="reduced")
            self.B = Q[:, :, 1:]
            self.dim, self.R = d - 1, math.tan(pset.cap_angle)
            self.min_norm = torch.ones(n, dtype=X.dtype)
            self.max_norm = torch.full((n,), math.sqrt(1 + self.R ** 2) if self.ratio else 1.0, dtype=X.dtype)
        else:
            self.dim, self.R = d, pset.radius
            reach = pset.radius * (math.sqrt(d) if pset.norm == "linf" else 1.0)
            norms = torch.linalg.norm(X, dim=1)
            self.min_norm, self.max_norm = norms - reach, norms + reach

    def affine(self, P: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        """Where f's derivatives are taken: x_i + p; caps x_i + Bw (ratio form) or its projection on the sphere."""
        if self.cap:
            Y = self.X[owner] + torch.einsum("ndk,nk->nd", self.B[owner], P)
            return Y if self.ratio else Y / torch.linalg.norm(Y, dim=1, keepdim=True)
        return self.X[owner] + P

    def points(self, P: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        """Admissible points of B(x_i) for parameters P (projected, so membership holds to rounding)."""
        Y = self.affine(P, owner)
        if self.cap:
            Y = Y / torch.linalg.norm(Y, dim=1, keepdim=True)
        return self.pset.project(self.X[owner], Y)

    def params(self, points: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        if self.cap:
            C = self.X[owner]
            dot = torch.clamp((points * C).sum(1, keepdim=True), min=1e-300)
            return self.pull_in(torch.einsum("ndk,nd->nk", self.B[owner], points) / dot)
        return self.pull_in(points - self.X[owner])

    def pull_in(self, P: torch.Tensor) -> torch.Tensor:
        if not self.ball:
            return torch.clamp(P, -self.R, self.R)
        norm = torch.linalg.norm(P, dim=1, keepdim=True)
        return P * torch.clamp(self.R / torch.clamp(norm, min=1e-300), max=1.0)

    def intersects(self, c: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        if not self.ball:
            return torch.ones(c.shape[0], dtype=torch.bool)
        return torch.linalg.norm(torch.clamp(c.abs() - h, min=0.0), dim=1) <= self.R

    def to_chart(self, g: torch.Tensor, H: torch.Tensor, owner: torch.Tensor, P: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        """Gradient and Hessian in chart coordinates. Composite cap chart F(w) = f(N(x_i + Bw)), N(v) = v/‖v‖, r = ‖v‖,
        x = N(v): DN[u] = (u − x xᵀu)/r and D²N[u, u'] = (3(xᵀu)(xᵀu')x − (xᵀu)u' − (xᵀu')u − (uᵀu')x)/r²."""
        if not self.cap:
            return g, H
        B = self.B[owner]
        if self.ratio:
            return torch.einsum("ndk,nd->nk", B, g), B.transpose(1, 2) @ H @ B
        r = torch.sqrt(1 + (P * P).sum(1))
        x = (self.X[owner] + torch.einsum("ndk,nk->nd", B, P)) / r[:, None]
        J = (B - x[:, :, None] * torch.einsum("nd,ndk->nk", x, B)[:, None, :]) / r[:, None, None]   # DN·B
        gw = torch.einsum("ndk,nd->nk", J, g)
        xb = torch.einsum("nd,ndk->nk", x, B)                                                     # xᵀb_a
        gb = torch.einsum("nd,ndk->nk", g, B)                                                     # gᵀb_a
        gx = (g * x).sum(1)
        eye = torch.eye(B.shape[2], dtype=B.dtype)
        curvature = (3 * gx[:, None, None] * xb[:, :, None] * xb[:, None, :] - xb[:, :, None] * gb[:, None, :]
                     - gb[:, :, None] * xb[:, None, :] - gx[:, None, None] * eye) / (r * r)[:, None, None]
        return gw, J.transpose(1, 2) @ H @ J + curvature


class _Units:
    """(sample, sign) pairs with their incumbents: the minimum found of m = σ·f (ratio form on caps)."""

    def __init__(self, loss: Loss, y: torch.Tensor) -> None:
        n = y.shape[0]
        if loss.margin_decreasing:
            self.sample, self.sigma = torch.arange(n), y.clone()
        else:
            self.sample = torch.arange(n).repeat(2)
            self.sigma = torch.cat([torch.ones(n, dtype=y.dtype), -torch.ones(n, dtype=y.dtype)])
        self.value = torch.full((self.sample.numel(),), math.inf, dtype=y.dtype)
        self.param: torch.Tensor | None = None


def certify_max_loss_curvature(kernel: KernelModel, Z: torch.Tensor, betas: list[torch.Tensor], X: torch.Tensor,
                               y: torch.Tensor, pset: PerturbationSet, loss: Loss, *, tol: float,
                               starts: torch.Tensor | None = None, cell_budget: int = DEFAULT_CURVATURE_CELLS,
                               refine: bool = True) -> CurvatureCertificate:
    """Per-sample sound upper bounds of max_{x' ∈ B(x_i)} ℓ(f(x'), y_i) for f = kernel expansion (module docstring).

    ``starts`` (n, d) or (n, k, d): admissible points that seed the incumbent search (e.g. the worst points of the
    finite set); ``tol``: mean certified gap at which refinement stops; ``cell_budget``: derivative evaluations
    allowed for refinement (≥ 1); ``refine=False`` returns the bound at the incumbents' expansions only.
    """
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive finite number, got {tol!r}")
    if isinstance(cell_budget, bool) or not isinstance(cell_budget, int) or cell_budget < 1:
        raise InputError(f"cell_budget must be an integer ≥ 1, got {cell_budget!r}")
    reason = curvature_unsupported(kernel, pset, X)
    if reason is not None:
        raise InputError(f"the second-order certificate does not apply: {reason}")
    return _Certifier(kernel, Z, betas, X, y, pset, loss, tol, cell_budget).run(starts, refine)


class _Certifier:
    def __init__(self, kernel, Z, betas, X, y, pset, loss, tol, budget) -> None:
        self.kernel, self.Z, self.betas = kernel, Z, [torch.as_tensor(b, dtype=X.dtype) for b in betas]
        self.X, self.y, self.pset, self.loss, self.tol, self.budget = X, y, pset, loss, tol, budget
        self.chart = _Chart(pset, X, kernel.homogeneity)
        self.units = _Units(loss, y)
        bounds = kernel.term_bounds(Z, self.chart.min_norm, self.chart.max_norm)
        absb = [b.abs() for b in self.betas]
        total = {key: sum(bd[key] @ a for bd, a in zip(bounds, absb)) for key in ("gradient", "hessian",
                                                                                 "hessian_lipschitz")}
        alw = kernel.rounding_allowance(Z, self.betas, bounds)
        self.r0, self.r1, self.r2 = alw["value"], alw["gradient"], alw["hessian"]         # (n,) each
        self.L3 = total["hessian_lipschitz"]                                                # (n,)
        if self.chart.cap and not self.chart.ratio:
            # composite chart: ‖DN‖ ≤ 1, ‖D²N‖ ≤ 2/√3, ‖D³N‖ ≤ 3 on ‖v‖ ≥ 1, so
            # ‖D³F‖ ≤ Lip(∇²f) + 3·(2/√3)·sup‖∇²f‖ + 3·sup‖∇f‖ (sups over the cap: points of norm 1)
            self.L3 = self.L3 + 2 * math.sqrt(3) * total["hessian"] + 3 * total["gradient"]
            self.r2 = self.r2 + 2 / math.sqrt(3) * self.r1 + COMPOSITE_ROUNDING_REL * (total["hessian"] +
                                                                                      total["gradient"])
            self.r1 = self.r1 + COMPOSITE_ROUNDING_REL * total["gradient"]
            self.r0 = self.r0 + COMPOSITE_ROUNDING_REL * total["gradient"]
        self.evaluated = 0

    # ---- evaluation
    def derivatives(self, P: torch.Tensor, owner: torch.Tensor):
        """(m, ∇m, ∇²m) in chart coordinates at the affine points of P; m = σ·f (un-normalized on caps)."""
        units = self.units
        s = units.sigma[owner]
        f, g, H = self.kernel.expansion_derivatives(self.chart.affine(P, units.sample[owner]), self.Z, self.betas)
        self.evaluated += P.shape[0]
        g, H = self.chart.to_chart(g, H, units.sample[owner], P)
        return s * f, s[:, None] * g, s[:, None, None] * H

    def true_values(self, P: torch.Tensor, owner: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(σ·f at the admissible point, the point) for parameters P of units ``owner``."""
        pts = self.chart.points(P, self.units.sample[owner])
        f, _, _ = self.kernel.expansion_derivatives(pts, self.Z, self.betas, order=0)
        return self.units.sigma[owner] * f, pts

    # ---- model bounds
    def _model(self, m, g, H, e, owner, D, level):
        """c₀, g, A of the certified quadratic lower model in s = p − e (cap: minus level·(1 + ‖p‖²))."""
        smp = self.units.sample[owner]
        rho = self.r0[smp] + self.r1[smp] * D + 0.5 * self.r2[smp] * D * D
        shift = self.L3[smp] * D / 3.0
        c0, g0, s = m - rho, g, shift
        if self.chart.ratio:
            c0 = c0 - level * (1 + (e * e).sum(1))
            g0 = g - 2 * level[:, None] * e
            s = shift + 2 * level
        return c0, g0, s

    def _bounds(self, m, g, H, e, owner, D, level, centres, halves, root):
        """Lower bound of min over the cells (centres, halves) ∩ region of m (ratio on caps)."""
        c0, g0, s = self._model(m, g, H, e, owner, D, level)
        lam, Q = eigen(H)
        lam = lam - s[:, None]
        eye = torch.eye(H.shape[1], dtype=H.dtype)
        A = H - s[:, None, None] * eye
        balls = []
        if self.chart.ball:      # the region's ball
            balls.append((torch.zeros_like(e), torch.full_like(c0, self.chart.R)))
        if not root:             # the cell's circumscribed ball
            balls.append((centres, torch.linalg.norm(halves, dim=1)))
        best = torch.full_like(c0, -math.inf)
        for centre, radius in balls:
            delta = e - centre
            Ad = (A @ delta[..., None])[..., 0]
            cc = c0 - (g0 * delta).sum(1) + 0.5 * (delta * Ad).sum(1)
            value, _ = ball_minimum(cc, g0 - Ad, lam, Q, radius)
            best = torch.maximum(best, value)
        if not self.chart.ball:
            delta = e - centres
            Ad = (A @ delta[..., None])[..., 0]
            cc = c0 - (g0 * delta).sum(1) + 0.5 * (delta * Ad).sum(1)
            value, _ = box_minimum(cc, g0 - Ad, A, halves)
            best = torch.maximum(best, value)
        if self.chart.ratio:
            wmax2 = torch.clamp(torch.linalg.norm(centres.abs() + halves, dim=1), max=self.chart.R) ** 2
            best = level + torch.where(best >= 0, best / (1 + wmax2), best)
        return best

    # ---- incumbents
    def _offer(self, values, P, owner):
        """Raise each unit's incumbent to the best candidate (values of σ·f at admissible points)."""
        units = self.units
        order = torch.argsort(values)
        order = order[torch.argsort(owner[order], stable=True)]     # by unit, best value first
        vals, P, owner = values[order], P[order], owner[order]
        first = torch.ones_like(owner, dtype=torch.bool)
        first[1:] = owner[1:] != owner[:-1]
        vals, P, owner = vals[first], P[first], owner[first]
        old = units.value[owner]
        better = vals < old
        units.value[owner[better]] = vals[better]
        units.param[owner[better]] = P[better]
        improved = torch.zeros_like(units.value, dtype=torch.bool)
        significant = better & ~(vals >= old - STALL_REL * (1 + old.abs()))
        improved[owner[significant]] = True
        return improved

    def search(self, starts: torch.Tensor | None) -> None:
        """Trust-region Newton on the model from the starts, the centre and the linear minimizer (batched)."""
        units, chart = self.units, self.chart
        U = units.sample.numel()
        units.param = torch.zeros(U, chart.dim, dtype=self.X.dtype)
        cands = [torch.zeros(U, chart.dim, dtype=self.X.dtype)]
        if starts is not None:
            S = starts if starts.ndim == 3 else starts[:, None, :]
            cands += [chart.params(S[units.sample, k], units.sample) for k in range(S.shape[1])]
        owner = torch.arange(U).repeat(len(cands))
        P = torch.cat(cands)
        m, g, _ = self.derivatives(P[:U], torch.arange(U))
        lin = chart.pull_in(-chart.R * g / torch.clamp(torch.linalg.norm(g, dim=1, keepdim=True), min=1e-300)) \
            if chart.ball else -chart.R * torch.sign(g)
        P, owner = torch.cat([P, lin]), torch.cat([owner, torch.arange(U)])
        values, _ = self.true_values(P, owner)
        self._offer(values, P, owner)
        active = torch.arange(U)
        for _ in range(INCUMBENT_STEPS):
            e = units.param[active]
            m, g, H = self.derivatives(e, active)
            step = self._newton(m, g, H, e, active) - e
            trial = torch.cat([chart.pull_in(e + a * step) for a in BACKTRACK])
            owner = active.repeat(len(BACKTRACK))
            values, _ = self.true_values(trial, owner)
            improved = self._offer(values, trial, owner)
            active = active[improved[active]]
            if not active.numel():
                break

    def _newton(self, m, g, H, e, owner):
        """Minimizer of the (unshifted) model over the region; caps: of m − c(1 + ‖w‖²) at the current value c."""
        level = self.units.value[owner]
        if self.chart.ratio:
            g = g - 2 * level[:, None] * e
            H = H - 2 * level[:, None, None] * torch.eye(H.shape[1], dtype=H.dtype)
        Ae = (H @ e[..., None])[..., 0]
        gc = g - Ae
        if self.chart.ball:
            lam, Q = torch.linalg.eigh(H)
            _, t = ball_minimum(torch.zeros_like(m), gc, lam, Q, torch.full_like(m, self.chart.R))
            return t
        _, t = box_minimum(torch.zeros_like(m), gc, H, torch.full_like(gc, self.chart.R))
        return t

    # ---- branch and bound
    def run(self, starts, refine: bool) -> CurvatureCertificate:
        units, chart = self.units, self.chart
        self.search(starts)
        n, U, Dm = self.X.shape[0], units.sample.numel(), chart.dim
        e = units.param.clone()
        m, g, H = self.derivatives(e, torch.arange(U))
        inc = (m, g, H, e, units.value.clone())
        span = torch.linalg.norm(e, dim=1) + chart.R if chart.ball else \
            torch.linalg.norm(e.abs() + chart.R, dim=1)
        centres = torch.zeros(U, Dm, dtype=self.X.dtype)
        halves = torch.full((U, Dm), chart.R, dtype=self.X.dtype)
        owner = torch.arange(U)
        bound = self._bounds(m, g, H, e, owner, span, units.value, centres, halves, root=True)
        closed = torch.full((n,), -math.inf, dtype=self.X.dtype)
        complete = True
        while True:
            contrib = self._contribution(bound, owner)
            best = self._sample_best()
            current = closed.scatter_reduce(0, units.sample[owner], contrib, reduce="amax")
            gaps = torch.clamp(torch.maximum(current, best) - best, min=0.0)
            if float(gaps.mean()) <= self.tol or not owner.numel():
                closed = current
                break
            tau = water_level(gaps, self.tol)
            done = contrib <= best[units.sample[owner]] + tau
            closed = closed.scatter_reduce(0, units.sample[owner][done], contrib[done], reduce="amax")
            owner, centres, halves, bound = owner[~done], centres[~done], halves[~done], bound[~done]
            if not owner.numel():
                break
            if not refine or self.evaluated + 2 * owner.numel() > self.budget:
                closed = closed.scatter_reduce(0, units.sample[owner], self._contribution(bound, owner),
                                               reduce="amax")
                complete = False
                break
            owner, centres, halves = self._split(owner, centres, halves)
            bound = self._cell_bounds(owner, centres, halves, inc)
        best = self._sample_best()
        upper = torch.maximum(closed, best)
        return CurvatureCertificate(upper=upper.numpy(), lower=best.numpy(), points=self._sample_points(),
                                    cells_evaluated=self.evaluated, complete=complete,
                                    hessian_lipschitz=self.L3.numpy())

    def _split(self, owner, centres, halves):
        axis = torch.argmax(halves, dim=1)
        rows = torch.arange(owner.numel())
        halves = halves.clone()
        halves[rows, axis] = halves[rows, axis] / 2
        step = torch.zeros_like(centres)
        step[rows, axis] = halves[rows, axis]
        centres = torch.cat([centres - step, centres + step])
        halves, owner = torch.cat([halves, halves]), torch.cat([owner, owner])
        keep = self.chart.intersects(centres, halves)
        return owner[keep], centres[keep], halves[keep]

    def _cell_bounds(self, owner, centres, halves, inc):
        chart = self.chart
        m_i, g_i, H_i, e_i, _ = inc
        level = self.units.value[owner]
        e = e_i[owner]
        D = torch.linalg.norm(e - centres, dim=1) + torch.linalg.norm(halves, dim=1)
        if chart.ball:
            D = torch.minimum(D, torch.linalg.norm(e, dim=1) + chart.R)
        via_incumbent = self._bounds(m_i[owner], g_i[owner], H_i[owner], e, owner, D, level, centres, halves,
                                     root=False)
        own = chart.pull_in(centres)
        m, g, H = self.derivatives(own, owner)
        D = torch.linalg.norm(own - centres, dim=1) + torch.linalg.norm(halves, dim=1)
        via_cell = self._bounds(m, g, H, own, owner, D, level, centres, halves, root=False)
        # the cell's own model also proposes a point (its minimizer over the region)
        trial = chart.pull_in(self._newton(m, g, H, own, owner))
        values, _ = self.true_values(trial, owner)
        self._offer(values, trial, owner)
        return torch.maximum(via_incumbent, via_cell)

    def _contribution(self, bound: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        """Loss at the bound's end of the range of f: ℓ(σ·lb, y) (module docstring)."""
        smp = self.units.sample[owner]
        return self.loss.value(self.units.sigma[owner] * bound, self.y[smp])

    def _sample_best(self) -> torch.Tensor:
        units = self.units
        losses = self.loss.value(units.sigma * units.value, self.y[units.sample])
        return torch.full((self.X.shape[0],), -math.inf, dtype=self.X.dtype).scatter_reduce(
            0, units.sample, losses, reduce="amax")

    def _sample_points(self) -> torch.Tensor:
        units = self.units
        losses = self.loss.value(units.sigma * units.value, self.y[units.sample])
        pts = self.chart.points(units.param, units.sample)
        n = self.X.shape[0]
        if units.sample.numel() == n:
            return pts
        pick = torch.where(losses[:n] >= losses[n:], torch.arange(n), torch.arange(n) + n)
        return pts[pick]
