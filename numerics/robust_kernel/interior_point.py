"""Primal-dual interior point for the hinge-loss finite program, through its dual, with dense LAPACK linear algebra.

The finite program on the active points S (owner(j) = sample),  min_f (1/n)·Σ_i max_{j∈S_i} (1 − y_j f(z_j))_+  with
f = f0 + Σ_b f_b and ‖f_b‖ ≤ R_b (ball) or + (λ/2)·Σ_b ‖f_b‖² (regularized), has the dual (x_j = n·α_j, v = x ⊙ y)

    max_x  φ(x)/n,  φ(x) = Σ_j x_j(1 − y_j f0_j) − Σ_b R_b·‖v‖_{K_b}     (regularized: − Σ_b ‖v‖²_{K_b}/(2λn))
    s.t.   x ≥ 0,  s = 1 − Gx ≥ 0   (G sums over the points of a sample),

and the optimal x gives β_b = R_b·v/‖v‖_{K_b} (regularized: v/(λn)). With F = −φ, multipliers z ≥ 0 (of x ≥ 0) and
w ≥ 0 (of s ≥ 0), Mehrotra's predictor-corrector follows the central path ∇F − z + Gᵀw = 0, x⊙z = s⊙w = σμ: each
iteration factorizes (Cholesky) the dense matrix

    M = ∇²F + diag(z/x) + Gᵀdiag(w/s)G,   ∇²F = Σ_b R_b·(K̃_b/‖v‖_b − K̃_b x xᵀK̃_b/‖v‖_b³),  K̃_b = Y K_b Y,

and solves it twice (affine predictor, then corrector with σ = (μ_aff/μ)³). It stops when the finite gap — primal
value of β on S minus the dual value — is below ``gap_tol`` (typically 8–12 iterations). Only (β, x) leave this
module: the certified bracket is recomputed from them by numerics.robust_kernel.program (weak duality with the
exact Gram, primal value in float64), so the solver's accuracy affects tightness only.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

# Typical solves take 8–12 iterations; one that needs more is struggling (degenerate duals) and is handed back.
MAX_ITERATIONS = 40
FRACTION_TO_BOUNDARY = 0.99
# MKL's Cholesky (torch 2.13, one thread) is 1.2–3.2× slower per p³ when the order p is a multiple of 64 (cache-set
# aliasing of the columns: 3.25 ms at p = 512 vs 1.01 ms at 513; 20.6 vs 7.6 ms at 1024 vs 1025): such systems are
# factorized bordered by one unit diagonal entry.
ALIASING_ORDER = 64


class InteriorPointFailure(RuntimeError):
    """The Newton matrix could not be factorized or the iterates became non-finite."""


@dataclass
class InteriorPointResult:
    x: np.ndarray
    betas: list[np.ndarray]
    duals: list[np.ndarray]
    iterations: int
    finite_gap: float
    status: str


def solve_hinge_dual(grams: Sequence[np.ndarray], y: np.ndarray, owner: np.ndarray, n: int, offset: np.ndarray,
                     *, radius: Sequence[float] | None = None, regularization: float | None = None,
                     gap_tol: float = 1e-8) -> InteriorPointResult:
    """Solve the dual above on the active points (``grams`` = K_b[S, S]); ``duals`` = [α = x/n, 1/n − Σ_{S_i} α] in
    the layout of the epigraph constraints (numerics.robust_kernel.duality.dual_variables). Linear algebra in torch
    (its LAPACK honours numerics.execution.threads.single_thread)."""
    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    yt, own = t(y), torch.as_tensor(np.asarray(owner, dtype=np.int64))
    grams_t = [t(K) for K in grams]
    Kt = [yt[:, None] * K * yt[None, :] for K in grams_t]
    c = 1.0 - yt * t(offset)
    p = yt.numel()
    pairs = _same_sample_pairs(np.asarray(owner, dtype=np.int64))
    count = torch.bincount(own, minlength=n).to(torch.float64)
    x = 0.5 / count[own]
    group = lambda v: torch.zeros(n, dtype=torch.float64).index_add_(0, own, v)  # noqa: E731
    s = 1.0 - group(x)
    z, w = torch.ones(p, dtype=torch.float64), torch.ones(n, dtype=torch.float64)
    status, gap, betas = "optimal_inaccurate", math.inf, []
    for iteration in range(1, MAX_ITERATIONS + 1):
        Kx = [K @ x for K in Kt]
        q = [math.sqrt(max(float(x @ k), 0.0)) for k in Kx]
        if radius is not None and min(q) < 1e-100:
            raise InteriorPointFailure("‖v‖_K vanished (the dual weights annihilate a kernel block)")
        betas = _primal(x, yt, q, radius, regularization, n)
        gap = _finite_gap(x, c, betas, grams_t, yt, own, n, t(offset), q, radius, regularization)
        if not math.isfinite(gap):
            raise InteriorPointFailure("non-finite iterate")
        if gap <= gap_tol:
            status = "optimal"
            break
        grad, M = -c, None
        for b, (K, k, qb) in enumerate(zip(Kt, Kx, q)):
            weight = radius[b] / qb if radius is not None else 1.0 / (regularization * n)
            grad = grad + weight * k
            M = K * weight if M is None else M.add_(K, alpha=weight)
            if radius is not None:
                M.addr_(k, k, alpha=-radius[b] / qb ** 3)
        M.diagonal().add_(z / x)
        M.index_put_(pairs, (w / s)[own[pairs[0]]], accumulate=True)
        L = _factor(M)
        mu = float(x @ z + s @ w) / (p + n)

        def direction(sigma, corr_z, corr_w):
            rhs = -(grad - sigma * mu / x + (sigma * mu / s)[own]) - corr_z / x + (corr_w / s)[own]
            dx = _cholesky_solve(L, rhs)
            Gdx = group(dx)
            dz = sigma * mu / x - z - (z / x) * dx - corr_z / x
            dw = sigma * mu / s - w + (w / s) * Gdx - corr_w / s
            return dx, dz, dw, -Gdx

        dx, dz, dw, ds = direction(0.0, 0.0, 0.0)
        a = min(_step(x, dx), _step(s, ds), _step(z, dz), _step(w, dw))
        mu_aff = float((x + a * dx) @ (z + a * dz) + (s + a * ds) @ (w + a * dw)) / (p + n)
        dx, dz, dw, ds = direction((mu_aff / mu) ** 3, dx * dz, ds * dw)
        a = FRACTION_TO_BOUNDARY * min(_step(x, dx), _step(s, ds), _step(z, dz), _step(w, dw))
        x, z, w = x + a * dx, z + a * dz, w + a * dw
        s = 1.0 - group(x)
        if bool((x <= 0).any()) or bool((s <= 0).any()):
            raise InteriorPointFailure("iterate left the domain")
    alpha = (x / n).numpy()
    slack = 1.0 / n - np.bincount(owner, weights=alpha, minlength=n)
    return InteriorPointResult(x=x.numpy(), betas=[b.numpy() for b in betas], duals=[alpha, slack],
                               iterations=iteration, finite_gap=gap, status=status)


def _same_sample_pairs(owner: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, cols) of all pairs of points of the same sample: the support of GᵀDG."""
    order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rows, cols = [], []
    for start, count in zip(starts, counts):
        idx = order[start:start + count]
        rows.append(np.repeat(idx, count))
        cols.append(np.tile(idx, count))
    return torch.as_tensor(np.concatenate(rows)), torch.as_tensor(np.concatenate(cols))


def _factor(M: torch.Tensor) -> torch.Tensor:
    """Cholesky factor of M, of order p + 1 when p is a multiple of ALIASING_ORDER (M bordered by a unit diagonal
    entry: :func:`_cholesky_solve` pads and truncates accordingly)."""
    p = M.shape[0]
    if p % ALIASING_ORDER == 0:
        M = torch.nn.functional.pad(M, (0, 1, 0, 1))
        M[p, p] = 1.0
    L, info = torch.linalg.cholesky_ex(M)
    if int(info) != 0:
        jitter = 1e-12 * float(torch.trace(M)) / M.shape[0]
        L, info = torch.linalg.cholesky_ex(M + jitter * torch.eye(M.shape[0], dtype=M.dtype))
        if int(info) != 0:
            raise InteriorPointFailure("Newton matrix not positive definite")
    return L


def _cholesky_solve(L: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """(LLᵀ)⁻¹·rhs by two triangular solves (a third of torch.cholesky_solve's time on one vector); rhs is padded
    with zeros to the order of a bordered factor (:func:`_factor`) and the solution truncated."""
    p = rhs.numel()
    padded = torch.nn.functional.pad(rhs, (0, L.shape[0] - p))[:, None]
    half = torch.linalg.solve_triangular(L, padded, upper=False)
    return torch.linalg.solve_triangular(L.mT, half, upper=True)[:p, 0]


def _step(v: torch.Tensor, dv: torch.Tensor) -> float:
    """Largest a ≤ 1 with v + a·dv ≥ 0."""
    neg = dv < 0
    return min(1.0, float((-v[neg] / dv[neg]).min())) if bool(neg.any()) else 1.0


def _primal(x, y, q, radius, regularization, n):
    v = x * y
    if radius is not None:
        return [R * v / qb for R, qb in zip(radius, q)]
    return [v / (regularization * n) for _ in q]


def _finite_gap(x, c, betas, grams, y, owner, n, offset, q, radius, regularization) -> float:
    """Primal objective of β on S minus the dual value φ(x)/n (both on the active set only)."""
    Kb = [K @ b for K, b in zip(grams, betas)]
    hinge = torch.clamp(1.0 - y * (offset + sum(Kb)), min=0.0)
    per = torch.full((n,), -math.inf, dtype=torch.float64).scatter_reduce(0, owner, hinge, reduce="amax")
    primal = float(per.mean())
    if radius is not None:
        phi = float(c @ x) - sum(R * qb for R, qb in zip(radius, q))
    else:
        phi = float(c @ x) - sum(qb * qb for qb in q) / (2.0 * regularization * n)
        primal += regularization / 2 * sum(float(b @ k) for b, k in zip(betas, Kb))
    return primal - phi / n
