"""Analytic (infinite-width) neural tangent kernel of the paper's network (docs/claims.md, network).

For inputs x, x' with Σ^(0)(x, x') = xᵀx':

    Σ^(h)  = c_σ·E[σ(u)σ(v)],  Σ̇^(h) = c_σ·E[σ'(u)σ'(v)],  (u, v) ~ N(0, Σ^(h−1) restricted to {x, x'}),
    Θ      = Σ_{h=1}^{H} Σ^(h−1)·Π_{h'=h}^{H} Σ̇^(h')   (+ Σ^(H) when the output layer a is trained).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from numerics.network.data import check_inputs
from numerics.ntk.dual_activations import layer_step, resolve_method
from theory.activations import c_sigma as default_c_sigma
from theory.activations import check_activation
from theory.errors import InputError

# Pairs whose cosine exceeds this get δ = 1 − cos recomputed as ‖x̂ − x̂'‖²/2, which keeps full relative
# precision near cos = 1 (where the relu duals have a square-root singularity: an absolute error ε in δ moves
# θ by ε/sin θ); below it, sin θ ≥ 0.43 and 1 − cos is accurate to a few ulps.
_NEAR_PARALLEL_COSINE = 0.9
_PAIR_CHUNK = 1 << 20          # pairs per chunk when recomputing near-parallel δ
_BLOCK_ENTRIES = 1 << 17       # matrix entries per row block for the closed forms (~1 MB arrays stay in cache)


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
    """Infinite-width NTK Θ(X, Y) (float64, shape (n_X, n_Y)) of the depth-H net of docs/claims.md §2.

    ``method``: "auto" (closed form for relu, relu2, erf; quadrature otherwise), "closed-form" or
    "quadrature" (kink-aware polar Gauss quadrature, any σ; see numerics.ntk.dual_activations).
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
