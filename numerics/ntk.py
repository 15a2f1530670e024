"""Neural tangent kernels of the network of CLAIMS.md §2: analytic (infinite width) and empirical.

Analytic (infinite width), for inputs x, x' with Σ^(0)(x, x') = xᵀx':

    Σ^(h)  = c_σ·E[σ(u)σ(v)],  Σ̇^(h) = c_σ·E[σ'(u)σ'(v)],  (u, v) ~ N(0, Σ^(h−1) restricted to {x, x'}),
    Θ      = Σ_{h=1}^{H} Σ^(h−1)·Π_{h'=h}^{H} Σ̇^(h')   (+ Σ^(H) when the output layer a is trained).

Empirical (finite width m): Θ_m(x, x') = ⟨∇_θ f(x), ∇_θ f(x')⟩ over the trained parameters θ
(W^(1..H), plus a when ``train_output``). With the forward activations x^(h) and the backpropagated
signals b^(h) = ∂f/∂g^(h) (g^(h) = W^(h)x^(h−1)), ∂f/∂W^(h) = b^(h)x^(h−1)ᵀ, so

    Θ_m = Σ_h (B_h B_h'ᵀ) ⊙ (X_{h−1} X_{h−1}'ᵀ)  (+ X_H X_H'ᵀ),

which needs memory O(n² + n·m·H) beyond the weights; ``method="autograd"`` is the torch.func reference
that materializes every per-example Jacobian.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from numerics.activations import sigma_prime
from numerics.data import check_inputs
from numerics.dual_activations import layer_step, resolve_method
from numerics.nets import FullyConnected
from theory.activations import c_sigma as default_c_sigma
from theory.activations import check_activation
from theory.errors import InputError

# Pairs whose cosine exceeds this get δ = 1 − cos recomputed as ‖x̂ − x̂'‖²/2, which keeps full relative
# precision near cos = 1 (where the relu duals have a square-root singularity: an absolute error ε in δ moves
# θ by ε/sin θ); below it, sin θ ≥ 0.43 and 1 − cos is accurate to a few ulps.
_NEAR_PARALLEL_COSINE = 0.9
_PAIR_CHUNK = 1 << 20          # pairs per chunk when recomputing near-parallel δ
_BLOCK_ENTRIES = 1 << 17       # matrix entries per row block for the closed forms (~1 MB arrays stay in cache)
_AUTOGRAD_CHUNK = 64           # examples per vmap(jacrev) call in the autograd reference
EMPIRICAL_METHODS = ("structured", "autograd")


def _check_depth(depth: int) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise InputError(f"depth must be a positive integer, got {depth!r}")
    return int(depth)


def _check_c_sigma(value: float | None, activation: str) -> float:
    if value is None:
        return default_c_sigma(activation)
    if not isinstance(value, (int, float, np.floating)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"c_sigma must be a positive finite number, got {value!r}")
    return float(value)


def _initial_delta(gram: np.ndarray, X: np.ndarray, Y: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    """δ = 1 − cos(x, y) for the block gram = XYᵀ (δ := 1 when an input is 0), accurate near cos = 1."""
    norm = np.multiply.outer(nx, ny)
    positive = norm > 0
    delta = np.divide(gram, norm, out=np.zeros_like(gram), where=positive)
    rows, cols = np.nonzero(delta > _NEAR_PARALLEL_COSINE)
    np.subtract(1.0, delta, out=delta)
    if len(rows):
        Xh = X / np.where(nx > 0, nx, 1.0)[:, None]
        Yh = Y / np.where(ny > 0, ny, 1.0)[:, None]
        for i in range(0, len(rows), _PAIR_CHUNK):
            r, c = rows[i:i + _PAIR_CHUNK], cols[i:i + _PAIR_CHUNK]
            diff = Xh[r] - Yh[c]
            delta[r, c] = 0.5 * np.einsum("ij,ij->i", diff, diff)
    if not positive.all():
        delta[~positive] = 1.0
    return np.clip(delta, 0.0, 2.0, out=delta)


def _evaluate(X, Y, depth: int, activation: str, method: str, c_sigma: float | None,
              reduce: Callable[[list[tuple[np.ndarray, np.ndarray, np.ndarray]]], list[np.ndarray]]
              ) -> list[np.ndarray]:
    """Validate inputs, run the recursion and return ``reduce([(Σ^(h−1), Σ̇^(h), Σ^(h)) for h = 1..H])``.

    Closed forms are elementwise in the pair, so they run over blocks of rows that stay in cache;
    quadrature runs on the whole matrix (it chunks pairs itself and uses the symmetry of a Gram).
    """
    X = check_inputs(X, name="X")
    symmetric = Y is None
    Y = X if symmetric else check_inputs(Y, name="Y", d=X.shape[1])
    depth = _check_depth(depth)
    method = resolve_method(check_activation(activation), method)
    c = _check_c_sigma(c_sigma, activation)
    a = np.einsum("ij,ij->i", X, X)
    b = a if symmetric else np.einsum("ij,ij->i", Y, Y)

    gram = X @ Y.T                  # X @ X.T is computed symmetric (BLAS syrk) for a Gram matrix
    nx, ny = np.sqrt(a), np.sqrt(b)

    def run(rows: slice, cols: slice, sym: bool) -> list[np.ndarray]:
        sig, aa, bb, layers = gram[rows, cols], a[rows], b[cols], []
        delta = _initial_delta(sig, X[rows], Y[cols], nx[rows], ny[cols])
        for _ in range(depth):
            step = layer_step(activation, aa, bb, delta, c_sigma=c, method=method, symmetric=sym)
            layers.append((sig, step.sigma_dot, step.sigma))
            sig, aa, bb, delta = step.sigma, step.a, step.b, step.delta
        return reduce(layers)

    every = slice(None)
    if method == "quadrature":
        return run(every, every, symmetric)
    (n, k), block = gram.shape, max(1, _BLOCK_ENTRIES // gram.shape[1])
    out: list[np.ndarray] = []
    for i in range(0, n, block):
        rows = slice(i, i + block)
        cols = slice(i, None) if symmetric else every   # a Gram: upper block-triangle only, mirrored below
        part = run(rows, cols, False)
        out = out or [np.empty((n, k)) for _ in part]
        for full, piece in zip(out, part):
            full[rows, cols] = piece
            if symmetric:
                full[i + block:, rows] = piece[:, block:].T
    return out


def _ntk_reduce(train_output: bool):
    def reduce(layers):
        theta = None
        for sig_prev, sig_dot, _ in layers:
            theta = sig_prev * sig_dot if theta is None else (theta + sig_prev) * sig_dot
        if train_output:
            theta += layers[-1][2]
        return [theta]
    return reduce


def _terms_reduce(train_output: bool):
    def reduce(layers):
        terms = []
        for h, (sig_prev, _, _) in enumerate(layers):
            term = sig_prev.copy()
            for _, sig_dot, _ in layers[h:]:
                term *= sig_dot
            terms.append(term)
        return terms + ([layers[-1][2]] if train_output else [])
    return reduce


def analytic_ntk(X: np.ndarray, Y: np.ndarray | None = None, *, depth: int, activation: str,
                 train_output: bool = False, method: str = "auto", c_sigma: float | None = None) -> np.ndarray:
    """Infinite-width NTK Θ(X, Y) (float64, shape (n_X, n_Y)) of the depth-H net of CLAIMS.md §2.

    ``method``: "auto" (closed form for relu, relu2, erf; quadrature otherwise), "closed-form" or
    "quadrature" (kink-aware polar Gauss quadrature, any σ; see numerics.dual_activations).
    ``c_sigma`` overrides the normalizing constant (default 1/E σ(z)²). Inputs need not be unit-norm.
    """
    return _evaluate(X, Y, depth, activation, method, c_sigma, _ntk_reduce(bool(train_output)))[0]


def analytic_ntk_terms(X: np.ndarray, Y: np.ndarray | None = None, *, depth: int, activation: str,
                       train_output: bool = False, method: str = "auto",
                       c_sigma: float | None = None) -> list[np.ndarray]:
    """The per-layer contributions to Θ: [Σ^(h−1)·Π_{h'≥h} Σ̇^(h') for h = 1..H] (+ [Σ^(H)]); they sum to Θ."""
    return _evaluate(X, Y, depth, activation, method, c_sigma, _terms_reduce(bool(train_output)))


def nngp_kernel(X: np.ndarray, Y: np.ndarray | None = None, *, depth: int, activation: str,
                method: str = "auto", c_sigma: float | None = None) -> np.ndarray:
    """Σ^(H)(X, Y): the limit of ⟨x^(H), x'^(H)⟩ = E_a f(x)f(x') at initialization."""
    return _evaluate(X, Y, depth, activation, method, c_sigma, lambda layers: [layers[-1][2]])[0]


# --- empirical NTK ---------------------------------------------------------------------------------

def _as_tensor(net: FullyConnected, X, name: str) -> torch.Tensor:
    """Validate X (numpy or tensor, (n, d), finite) and place it on the net's device and dtype."""
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    X = check_inputs(X, name=name, d=net.d)
    ref = net.weights[0]
    return torch.as_tensor(X, dtype=ref.dtype, device=ref.device)


def _signals(net: FullyConnected, X: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """[(b^(h), x^(h−1)) for h = H..1] plus (None, x^(H)) last; b^(h) = ∂f/∂g^(h), closed-form backprop."""
    acts, pre = net.layers(X)
    dsig = sigma_prime(net.activation)
    b = net.scale * dsig(pre[-1]) * net.output
    out = []
    for h in range(net.depth - 1, -1, -1):              # 0-based: weights[h] is W^(h+1)
        out.append((b, acts[h]))
        if h > 0:
            b = net.scale * dsig(pre[h - 1]) * (b @ net.weights[h])
    out.append((None, acts[-1]))
    return out


def _structured(net: FullyConnected, X: torch.Tensor, Y: torch.Tensor | None) -> torch.Tensor:
    with torch.no_grad():
        fx = _signals(net, X)
        fy = fx if Y is None else _signals(net, Y)
        theta = None
        for (bx, ax), (by, ay) in zip(fx[:-1], fy[:-1]):
            term = (bx @ by.T) * (ax @ ay.T)
            theta = term if theta is None else theta + term
        if net.train_output:
            theta = theta + fx[-1][1] @ fy[-1][1].T
        return theta


def _jacobians(net: FullyConnected, X: torch.Tensor) -> list[torch.Tensor]:
    """Per-example Jacobians of f w.r.t. each trained parameter, flattened to (n, numel)."""
    params = {name: p.detach() for name, p in net.named_parameters() if p.requires_grad}

    def f(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(net, p, (x.unsqueeze(0),)).squeeze(0)

    jac = vmap(jacrev(f), in_dims=(None, 0))
    n = X.shape[0]
    out = [torch.empty((n, p.numel()), dtype=p.dtype, device=p.device) for p in params.values()]
    for i in range(0, n, _AUTOGRAD_CHUNK):
        chunk = jac(params, X[i:i + _AUTOGRAD_CHUNK])
        for full, name in zip(out, params):
            full[i:i + _AUTOGRAD_CHUNK] = chunk[name].reshape(chunk[name].shape[0], -1)
    return out


def _autograd(net: FullyConnected, X: torch.Tensor, Y: torch.Tensor | None) -> torch.Tensor:
    jx = _jacobians(net, X)
    jy = jx if Y is None else _jacobians(net, Y)
    return sum(a @ b.T for a, b in zip(jx, jy))


def empirical_ntk(net: FullyConnected, X, Y=None, *, method: str = "structured") -> np.ndarray:
    """Θ_m(X, Y) = ⟨∇_θ f(X), ∇_θ f(Y)⟩ over the trained parameters of ``net``, as float64 numpy.

    Computed on the net's device and dtype. ``method``: "structured" (closed-form backprop, no
    per-example Jacobians) or "autograd" (torch.func reference).
    """
    if not isinstance(net, FullyConnected):
        raise InputError(f"net must be a numerics.nets.FullyConnected, got {type(net).__name__}")
    if method not in EMPIRICAL_METHODS:
        raise InputError(f"method must be one of {EMPIRICAL_METHODS}, got {method!r}")
    Xt = _as_tensor(net, X, "X")
    Yt = None if Y is None else _as_tensor(net, Y, "Y")
    theta = (_structured if method == "structured" else _autograd)(net, Xt, Yt)
    return theta.detach().to(device="cpu", dtype=torch.float64).numpy()
