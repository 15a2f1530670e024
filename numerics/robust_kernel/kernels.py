"""Kernel models for robust kernel problems:  f(x) = f0(x) + Σ_b Σ_j β_bj · k_b(z_j, x).

A model has one or more *blocks* (one RKHS H_b per block; the constraint ‖f_b‖_{H_b} ≤ R_b per block is
the image of a per-layer Frobenius ball, see numerics.training.comparator), an offset f0 (zero for the analytic
kernels) and, where derived, a Lipschitz modulus μ_b(s) with

    |f_b(x) − f_b(x')| ≤ ‖f_b‖_{H_b} · μ_b(s) · ‖x − x'‖₂     whenever every point of [x, x'] has norm ≤ s.

Derivation: ∂_u f(x) = ⟨f, ∂_u k(x, ·)⟩ ≤ ‖f‖·(uᵀ M(x) u)^{1/2} with M(x) = ∇_x ∇_{x'}ᵀ k(x, x')|_{x'=x}.
For the two-layer (H = 1) quadratic-ReLU NTK, k(x, x') = E_w[φ_w(x)ᵀφ_w(x')] with φ_w(x) = √(8/3)·relu(wᵀx)·x,
w ~ N(0, I), and Gaussian moments (E 1(g>0)wwᵀ = I/2, E relu(g)w = x/2, E relu(g)² = ‖x‖²/2, g = wᵀx) give
M(x) = (8/3)(‖x‖²I + xxᵀ), so μ(s) = 4s/√3; a trained output layer adds c_σ·E[σ'(g)²wwᵀ] = (4/3)(‖x‖²I + 2xxᵀ),
so μ(s) = √(28/3)·s. The linear kernel has M = I, μ = 1. The same feature map gives a first-order Taylor
remainder bound |f(x) − f(c) − ∇f(c)ᵀ(x − c)| ≤ ‖f‖·e(r) = O(r^{3/2}) (:meth:`NTKKernel.taylor_remainder`).
Other kernels have neither (None): their robust losses are not certified by numerics.robust_kernel.certificate.

The NTK is evaluated in torch (differentiable in x, for attacks) from the closed forms of docs/claims.md §2
(relu, relu2, erf; any depth), carrying δ = 1 − correlation through the layers as numerics.ntk.dual_activations
does, so that the kinked duals keep full precision near the diagonal. numerics.ntk.analytic.analytic_ntk is the
independent reference it is tested against.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from numerics.network.activations import sigma, sigma_prime
from numerics.robust_kernel import relu2_ntk
from theory.activations import c_sigma, check_activation
from theory.errors import InputError

TORCH_NTK_ACTIVATIONS: tuple[str, ...] = ("relu", "relu2", "erf")
# Square roots of quantities that vanish on the diagonal are taken of max(x, _SQRT_FLOOR): the value
# changes by ≤ 1e-150 and the gradient stays finite (torch.clamp passes a zero gradient below the floor).
_SQRT_FLOOR = 1e-300
_EVAL_CHUNK = 1 << 21  # kernel entries evaluated at once (bounds memory of the pairwise tensors)


def _sqrt(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.clamp(x, min=_SQRT_FLOOR))


def _initial_delta(X: torch.Tensor, Z: torch.Tensor, a: torch.Tensor, b: torch.Tensor
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Σ^(0) = XZᵀ and δ = 1 − cos(x, z), with δ = ‖x̂ − ẑ‖²/2 computed directly (no cancellation)."""
    gram = X @ Z.T
    na, nb = _sqrt(a), _sqrt(b)
    Xh, Zh = X / na[:, None], Z / nb[:, None]
    dist = torch.cdist(Xh[None], Zh[None], compute_mode="donot_use_mm_for_euclid_dist")[0]
    return gram, torch.clamp(0.5 * dist * dist, 0.0, 2.0)


def _relu_step(a, b, delta, c):
    half = 0.5 * c
    theta = 2.0 * torch.atan(_sqrt(delta / (2.0 - delta).clamp(min=1e-300)))
    s = _sqrt(delta * (2.0 - delta))
    new_delta = torch.clamp(delta - (s - theta * (1.0 - delta)) / math.pi, 0.0, 2.0)
    sigma = half * _sqrt(torch.outer(a, b)) * (1.0 - new_delta)
    sigma_dot = half * (1.0 - theta / math.pi)
    return half * a, half * b, sigma, sigma_dot, new_delta


def _relu2_step(a, b, delta, c):
    rho = 1.0 - delta
    s = _sqrt(delta * (2.0 - delta))
    theta = torch.atan2(s, rho)
    new_delta = torch.clamp((2.0 * math.pi * s * s + theta * (1.0 + 2.0 * rho * rho) - 3.0 * s * rho)
                            / (3.0 * math.pi), 0.0, 2.0)
    ab = torch.outer(a, b)
    sigma = 1.5 * c * ab * (1.0 - new_delta)
    sigma_dot = (2.0 * c / math.pi) * _sqrt(ab) * (s + (math.pi - theta) * rho)
    return 1.5 * c * a * a, 1.5 * c * b * b, sigma, sigma_dot, new_delta


def _erf_step(a, b, delta, c):
    cov = _sqrt(torch.outer(a, b)) * (1.0 - delta)
    pa, pb = 1.0 + 2.0 * a, 1.0 + 2.0 * b
    prod = torch.outer(pa, pb)
    k = 2.0 * c / math.pi
    new_a, new_b = k * torch.asin(2.0 * a / pa), k * torch.asin(2.0 * b / pb)
    sigma = k * torch.asin(torch.clamp(2.0 * cov / torch.sqrt(prod), -1.0, 1.0))
    sigma_dot = (4.0 * c / math.pi) / torch.sqrt(prod - 4.0 * cov * cov)
    new_delta = torch.clamp(1.0 - sigma / _sqrt(torch.outer(new_a, new_b)), 0.0, 2.0)
    return new_a, new_b, sigma, sigma_dot, new_delta


_STEPS = {"relu": _relu_step, "relu2": _relu2_step, "erf": _erf_step}


def ntk_torch_terms(X: torch.Tensor, Z: torch.Tensor, *, depth: int,
                    activation: str) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The summands of Θ(X, Z) by the closed-form recursion of docs/claims.md §2, differentiable in X and Z.

    Returns ([Σ^(h−1)·Π_{h'≥h} Σ̇^(h') for h = 1..H], Σ^(H)); :func:`ntk_torch` adds them up.
    """
    if activation not in TORCH_NTK_ACTIVATIONS:
        raise InputError(f"the torch NTK has closed forms for {', '.join(TORCH_NTK_ACTIVATIONS)} only, got "
                         f"{activation!r}")
    c, step = c_sigma(activation), _STEPS[activation]
    a, b = (X * X).sum(1), (Z * Z).sum(1)
    sig, delta = _initial_delta(X, Z, a, b)
    layers = []
    for _ in range(depth):
        a, b, sig_next, sig_dot, delta = step(a, b, delta, c)
        layers.append((sig, sig_dot, sig_next))
        sig = sig_next
    terms = []
    for h in range(depth):
        term = layers[h][0]
        for _, sig_dot, _ in layers[h:]:
            term = term * sig_dot
        terms.append(term)
    return terms, layers[-1][2]


def ntk_torch(X: torch.Tensor, Z: torch.Tensor, *, depth: int, activation: str,
              train_output: bool = False) -> torch.Tensor:
    """Θ(X, Z) (shape (n_X, n_Z)): Θ = Σ_{h=1}^{H} Σ^(h−1)·Π_{h'≥h} Σ̇^(h')  (+ Σ^(H) when ``train_output``)."""
    terms, output = ntk_torch_terms(X, Z, depth=depth, activation=activation)
    theta = terms[0]
    for term in terms[1:]:
        theta = theta + term
    return theta + output if train_output else theta


class KernelModel:
    """Base class: ``gram`` (float64 numpy, one matrix per block), ``evaluate`` (torch, differentiable)."""

    name = "kernel"
    blocks = 1
    # degree p with k(z, t·x) = t^p·k(z, x) for t > 0 (None: not homogeneous, or not declared)
    homogeneity: int | None = None

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        """[k_b(X, Z) for each block], each of shape (n_X, n_Z)."""
        raise NotImplementedError

    def offset(self, X: torch.Tensor) -> torch.Tensor:
        """f0(X), shape (n_X,): zero unless the model is a linearized network."""
        return torch.zeros(X.shape[0], dtype=X.dtype, device=X.device)

    def lipschitz_modulus(self, max_norm: float) -> list[float] | None:
        """[μ_b(s)] for points of norm ≤ s = ``max_norm`` (see the module docstring), or None if not derived."""
        return None

    def taylor_remainder(self, r: torch.Tensor, centre_norm: torch.Tensor, max_norm: torch.Tensor
                         ) -> list[torch.Tensor] | None:
        """[e_b]: |f_b(x) − f_b(c) − ∇f_b(c)ᵀ(x − c)| ≤ ‖f_b‖·e_b for ‖x − c‖ ≤ r < ‖c‖ = centre_norm and ‖x‖ ≤
        max_norm (elementwise over cubes), or None if not derived for this kernel."""
        return None

    def expansion_derivatives(self, X: torch.Tensor, Z: torch.Tensor, betas: Sequence[torch.Tensor], order: int = 2
                              ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """Closed-form f(X), ∇f(X) (m, d) and ∇²f(X) (m, d, d) (up to ``order``) of f = Σ_b k_b(·, Z)β_b; only for
        kernels whose :meth:`term_bounds` is not None."""
        raise NotImplementedError(f"{self.name} has no closed-form derivatives")

    def term_bounds(self, Z: torch.Tensor, min_norm: torch.Tensor, max_norm: torch.Tensor
                    ) -> list[dict[str, torch.Tensor]] | None:
        """Per block, bounds (regions × terms) for k_b(z_j, ·) over points of norm in [min_norm_r, max_norm_r]:
        ``value``, ``gradient``, ``hessian`` (|k|, ‖∇k‖, ‖∇²k‖) and ``hessian_lipschitz`` (Lip(∇²k) along segments
        of norm ≥ min_norm), or None when not derived (then the second-order certificate does not apply)."""
        return None

    def rounding_allowance(self, Z: torch.Tensor, betas: Sequence[torch.Tensor],
                           bounds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        """Absolute bounds (per region) on the float64 rounding of :meth:`expansion_derivatives`' value, gradient
        and Hessian, from the :meth:`term_bounds` of the same regions."""
        raise NotImplementedError(f"{self.name} has no closed-form derivatives")

    def gram(self, Z: np.ndarray | torch.Tensor, Y: np.ndarray | torch.Tensor | None = None) -> list[np.ndarray]:
        """[k_b(Z, Y)] as float64 numpy arrays (Y = Z when omitted)."""
        Zt = _as_tensor(Z)
        Yt = Zt if Y is None else _as_tensor(Y)
        with torch.no_grad():
            return [k.cpu().numpy() for k in _chunked(self.block_kernels, Zt, Yt)]

    def values(self, X: torch.Tensor, Z: torch.Tensor, betas: Sequence[torch.Tensor]) -> torch.Tensor:
        """Σ_b k_b(X, Z)·β_b WITHOUT the offset and without autograd (closed-form kernels override it)."""
        with torch.no_grad():
            return self._expansion(X, Z, betas)

    def evaluate(self, X: torch.Tensor, Z: torch.Tensor, betas: Sequence[torch.Tensor]) -> torch.Tensor:
        """f(X) = f0(X) + Σ_b k_b(X, Z)·β_b, shape (n_X,); differentiable in X."""
        return self.offset(X) + self._expansion(X, Z, betas)

    def _expansion(self, X, Z, betas):
        rows = max(1, _EVAL_CHUNK // max(Z.shape[0], 1))
        parts = [sum(k @ beta for k, beta in zip(self.block_kernels(X[i:i + rows], Z), betas))
                 for i in range(0, X.shape[0], rows)]
        return torch.cat(parts) if parts else torch.zeros(0, dtype=X.dtype)


def _as_tensor(Z) -> torch.Tensor:
    if isinstance(Z, torch.Tensor):
        return Z.detach().to(torch.float64)
    return torch.as_tensor(np.asarray(Z, dtype=np.float64))


def _chunked(fn, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
    rows = max(1, _EVAL_CHUNK // max(Z.shape[0], 1))
    parts = [fn(X[i:i + rows], Z) for i in range(0, X.shape[0], rows)]
    return [torch.cat([p[b] for p in parts]) for b in range(len(parts[0]))]


class NTKKernel(KernelModel):
    """The infinite-width NTK of the depth-H network of docs/claims.md §2 (one block)."""

    def __init__(self, depth: int, activation: str, *, train_output: bool = False) -> None:
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise InputError(f"depth must be a positive integer, got {depth!r}")
        check_activation(activation)
        if activation not in TORCH_NTK_ACTIVATIONS:
            raise InputError(f"NTKKernel needs a closed-form activation ({', '.join(TORCH_NTK_ACTIVATIONS)}), "
                             f"got {activation!r}")
        self.depth, self.activation, self.train_output = depth, activation, bool(train_output)
        self.name = f"ntk-{activation}-H{depth}" + ("-a" if train_output else "")
        self.homogeneity = 2 if (depth == 1 and activation == "relu2") else None
        # closed forms (fast values, derivatives, curvature bounds; numerics.robust_kernel.relu2_ntk): two-layer relu2
        # with the output fixed, and only while block_kernels is this class's (a subclass that changes the kernel
        # gets the generic paths, which go through its block_kernels)
        self._closed_form = (depth == 1 and activation == "relu2" and not self.train_output
                             and type(self).block_kernels is NTKKernel.block_kernels)

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        return [ntk_torch(X, Z, depth=self.depth, activation=self.activation, train_output=self.train_output)]

    def gram(self, Z, Y=None):
        if not self._closed_form:
            return super().gram(Z, Y)
        Zt = _as_tensor(Z)
        return [relu2_ntk.gram(Zt, Zt if Y is None else _as_tensor(Y)).numpy()]

    def values(self, X, Z, betas):
        if not self._closed_form:
            return super().values(X, Z, betas)
        return relu2_ntk.expansion_derivatives(X, Z, betas[0], order=0)[0]

    def expansion_derivatives(self, X, Z, betas, order=2):
        if not self._closed_form:
            return super().expansion_derivatives(X, Z, betas, order)
        return relu2_ntk.expansion_derivatives(X, Z, betas[0], order)

    def term_bounds(self, Z, min_norm, max_norm):
        return [relu2_ntk.term_bounds(Z, min_norm, max_norm)] if self._closed_form else None

    def rounding_allowance(self, Z, betas, bounds):
        return relu2_ntk.rounding_allowance(betas[0], bounds[0])

    def lipschitz_modulus(self, max_norm: float) -> list[float] | None:
        if self.depth == 1 and self.activation == "relu2":
            factor = math.sqrt(28.0 / 3.0) if self.train_output else 4.0 / math.sqrt(3.0)
            return [factor * float(max_norm)]
        return None

    def taylor_remainder(self, r, centre_norm, max_norm):
        """Two-layer relu2 NTK (module docstring for the features φ_w): with a = wᵀc, b = wᵀu, u = x − c,

            φ_w(x) − φ_w(c) − J_w(c)u = √(8/3)·[q·x + 1(a>0)·b·u],   q = relu(a+b) − relu(a) − 1(a>0)·b,

        and |q| ≤ |b|·1(|a| < |b|). In the plane of (c, u) (w₁ along c), |b| ≤ r(|w₁| + |w₂|) and the event
        implies |w₁| < κ|w₂| with κ = r/(‖c‖ − r), so T := E[q²] ≤ r²·E[‖w₁₂‖²·1(|w₁| < κ|w₂|)] = (4/π)·r²·atan κ
        (tight to first order when u ⊥ c). With E[b²·1(a>0)] = r²/2 and Cauchy–Schwarz on the cross term,
        e ≤ √(8/3)·(s·√T + r²/√2). A trained output adds ψ_w = √(2/3)·relu(a)², whose remainder
        relu(a+b)² − relu(a)² − 2relu(a)b is at most 2b² in absolute value: E ≤ (2/3)·4·3r⁴ = 8r⁴ in e²
        (orthogonal feature coordinates, so the squares add)."""
        if not (self.depth == 1 and self.activation == "relu2"):
            return None
        kappa = r / torch.clamp(centre_norm - r, min=1e-300)
        T = (4.0 / math.pi) * r ** 2 * torch.atan(kappa)
        e = math.sqrt(8.0 / 3.0) * (max_norm * torch.sqrt(T) + r ** 2 / math.sqrt(2.0))
        if self.train_output:
            e = torch.sqrt(e ** 2 + 8.0 * r ** 4)
        return [e]


class LinearKernel(KernelModel):
    """k(x, x') = xᵀx': f(x) = wᵀx with w = Σ_j β_j z_j and ‖f‖_H = ‖w‖₂ (μ = 1)."""

    name = "linear"
    homogeneity = 1

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        return [X @ Z.T]

    def expansion_derivatives(self, X, Z, betas, order=2):
        w = Z.T @ betas[0]
        g = w.expand_as(X) if order >= 1 else None
        H = torch.zeros(X.shape[0], X.shape[1], X.shape[1], dtype=X.dtype) if order >= 2 else None
        return X @ w, g, H

    def term_bounds(self, Z, min_norm, max_norm):
        nz = torch.linalg.norm(Z, dim=1)[None, :]
        zero = torch.zeros(max_norm.shape[0], Z.shape[0], dtype=Z.dtype)
        return [{"value": nz * max_norm[:, None], "gradient": nz + zero, "hessian": zero,
                 "hessian_lipschitz": zero}]

    def rounding_allowance(self, Z, betas, bounds):
        """w = Zᵀβ and wᵀx in float64: ≤ (p + d)·2⁻⁵³ relative to Σ|β_j|‖z_j‖·‖x‖; 1e-13·(1 + p·10⁻³) covers it."""
        scale = 1e-13 * (1.0 + 1e-3 * Z.shape[0])
        absb = betas[0].abs()
        zero = torch.zeros(bounds[0]["value"].shape[0], dtype=Z.dtype)
        return {"value": scale * (bounds[0]["value"] @ absb), "gradient": scale * (bounds[0]["gradient"] @ absb),
                "hessian": zero}

    def lipschitz_modulus(self, max_norm: float) -> list[float] | None:
        return [1.0]

    def taylor_remainder(self, r, centre_norm, max_norm):
        """f is linear: the first-order Taylor expansion is exact."""
        return [torch.zeros_like(r)]


# --- a two-layer network as a ridge expansion ---------------------------------------------------------------------
# For the bias-free two-layer net of docs/claims.md §2 (numerics.network.nets.FullyConnected, H = 1),
# f(W, x) = s·Σ_r a_r σ(w_rᵀx): terms z_r = w_r, coefficients β_r = s·a_r, "kernel" k(z, x) = σ(zᵀx) — a ridge
# function, not positive definite; only the second-order certificate (numerics.robust_kernel.curvature) uses it.
# With u = zᵀx: ∇k = σ'(u)·z, ∇²k = σ''(u)·zzᵀ, ∇³k = σ'''(u)·z⊗z⊗z, so ‖∇k‖ ≤ D1‖z‖, ‖∇²k‖ ≤ D2‖z‖²,
# Lip(∇²k) ≤ D3‖z‖³ and |k| ≤ |σ(0)| + D1‖z‖‖x‖ with D_k = sup|σ^(k)| (smooth activations): softplus 1, 1/4,
# 1/(6√3); tanh 1, 4/(3√3), 2; sigmoid 1/4, 1/(6√3), 1/8; erf 2/√π, √(8/(eπ)), 4/√π (each attained at a
# stationary point of the next derivative; tests/numerics/robust_kernel/test_ridge.py checks them on a grid).

# (sup|σ'|, sup|σ''|, sup|σ'''|, |σ(0)|)
DERIVATIVE_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "softplus": (1.0, 0.25, 1 / (6 * math.sqrt(3)), math.log(2.0)),
    "tanh": (1.0, 4 / (3 * math.sqrt(3)), 2.0, 0.0),
    "sigmoid": (0.25, 1 / (6 * math.sqrt(3)), 0.125, 0.5),
    "erf": (2 / math.sqrt(math.pi), math.sqrt(8 / (math.e * math.pi)), 4 / math.sqrt(math.pi), 0.0),
}
# Relative rounding of one evaluated expansion against Σ_r |β_r|·(term bound), as in numerics.robust_kernel.relu2_ntk.
RIDGE_ROUNDING_REL = 1e-10


def _second(name: str, u: torch.Tensor) -> torch.Tensor:
    if name == "softplus":
        s = torch.sigmoid(u)
        return s * (1 - s)
    if name == "tanh":
        t = torch.tanh(u)
        return -2 * t * (1 - t * t)
    if name == "sigmoid":
        s = torch.sigmoid(u)
        return s * (1 - s) * (1 - 2 * s)
    return -2 * u * (2 / math.sqrt(math.pi)) * torch.exp(-u * u)


class RidgeKernel(KernelModel):
    """k(z, x) = σ(zᵀx) for a smooth activation (module docstring); one block, not homogeneous."""

    def __init__(self, activation: str) -> None:
        if activation not in DERIVATIVE_BOUNDS:
            raise InputError(f"the ridge expansion needs a smooth activation ({', '.join(DERIVATIVE_BOUNDS)}), "
                             f"got {activation!r}")
        self.activation = activation
        self.name = f"ridge-{activation}"
        self._sigma, self._dsigma = sigma(activation), sigma_prime(activation)

    def block_kernels(self, X: torch.Tensor, Z: torch.Tensor) -> list[torch.Tensor]:
        return [self._sigma(X @ Z.T)]

    def expansion_derivatives(self, X, Z, betas, order=2):
        u = X @ Z.T
        beta = betas[0]
        f = self._sigma(u) @ beta
        g = (self._dsigma(u) * beta) @ Z if order >= 1 else None
        H = torch.einsum("mp,pd,pe->mde", _second(self.activation, u) * beta, Z, Z) if order >= 2 else None
        return f, g, H

    def term_bounds(self, Z, min_norm, max_norm):
        d1, d2, d3, s0 = DERIVATIVE_BOUNDS[self.activation]
        nz = torch.linalg.norm(Z, dim=1)[None, :]
        ones = torch.ones(max_norm.shape[0], 1, dtype=Z.dtype)
        return [{"value": s0 + d1 * nz * max_norm[:, None], "gradient": d1 * nz * ones,
                 "hessian": d2 * nz ** 2 * ones, "hessian_lipschitz": d3 * nz ** 3 * ones}]

    def rounding_allowance(self, Z, betas, bounds):
        absb = betas[0].abs()
        scale = RIDGE_ROUNDING_REL * (1.0 + Z.shape[0] * 2.0 ** -53 * 1e4)
        return {key: scale * (bounds[0][key] @ absb) for key in ("value", "gradient", "hessian")}
