"""Independent plain-numpy float64 recomputations, used to re-verify counterexamples of the training checks.

Nothing here calls torch: weights arrive as numpy arrays, and the network of docs/claims.md §2 is re-implemented
from its definition, x^(h) = √(c_σ/m)·σ(W^(h) x^(h−1)), f = aᵀx^(H), with σ written with numpy/scipy.
The robust loss on a circle (d = 2, sphere-cap) gets a SOUND two-sided bound from a dense arc grid:
lower = best grid point; upper = lower + Lip·(covering radius), with a global Lipschitz constant of
x ↦ ℓ(f(x), y) computed from the weights alone (:func:`input_lipschitz_bound`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import erf, expit

from theory.activations import c_sigma
from theory.errors import InputError

_SIGMA: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "relu2": lambda z: np.maximum(z, 0.0) ** 2,
    "softplus": lambda z: np.logaddexp(0.0, z),
    "tanh": np.tanh,
    "sigmoid": expit,
    "erf": erf,
}
_DSIGMA: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: (z > 0).astype(np.float64),
    "relu2": lambda z: 2 * np.maximum(z, 0.0),
    "softplus": expit,
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "sigmoid": lambda z: expit(z) * (1 - expit(z)),
    "erf": lambda z: 2 / math.sqrt(math.pi) * np.exp(-z * z),
}
# sup |σ'| over ℝ (global Lipschitz constants of σ); relu2 has none.
_LIP_SIGMA = {"relu": 1.0, "softplus": 1.0, "tanh": 1.0, "sigmoid": 0.25, "erf": 2 / math.sqrt(math.pi)}

# Loss derivatives ∂ℓ/∂f matching torch autograd's choice at kinks (relu'(0) = 0, sign(0) = 0).
_DLOSS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "hinge": lambda f, y: -y * (1 - y * f > 0),
    "logistic": lambda f, y: -y * expit(-y * f),
    "absolute": lambda f, y: np.sign(f - y),
    "squared": lambda f, y: 2 * (f - y),
}
_LOSS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "hinge": lambda f, y: np.maximum(0.0, 1 - y * f),
    "logistic": lambda f, y: np.logaddexp(0.0, -y * f),
    "absolute": lambda f, y: np.abs(f - y),
    "squared": lambda f, y: (f - y) ** 2,
}


def loss_values(loss: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementwise ℓ(f, y) in numpy."""
    return _LOSS[loss](np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64))


def forward(layers: Sequence[np.ndarray], a: np.ndarray, activation: str, X: np.ndarray) -> np.ndarray:
    """f(W, X) of shape (n,) (or X.shape[:-1] for stacked inputs) from the definition."""
    s = math.sqrt(c_sigma(activation) / layers[0].shape[0])
    h = np.asarray(X, dtype=np.float64)
    for W in layers:
        h = s * _SIGMA[activation](h @ np.asarray(W, dtype=np.float64).T)
    return h @ np.asarray(a, dtype=np.float64)


def mean_loss(layers: Sequence[np.ndarray], a: np.ndarray, activation: str, loss: str, X: np.ndarray,
              y: np.ndarray) -> float:
    """(1/n) Σ ℓ(f(W, x_i), y_i)."""
    return float(loss_values(loss, forward(layers, a, activation, X), y).mean())


def parameter_jvp(layers: Sequence[np.ndarray], a: np.ndarray, activation: str, X: np.ndarray,
                  dlayers: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(f(W, X), ⟨∇_W f(W, x_i), V⟩ per row) for a direction V in the layer weights (a fixed), forward mode."""
    s = math.sqrt(c_sigma(activation) / layers[0].shape[0])
    x = np.asarray(X, dtype=np.float64)
    dx = np.zeros_like(x)
    for W, dW in zip(layers, dlayers):
        g = x @ W.T
        dg = dx @ W.T + x @ dW.T
        x, dx = s * _SIGMA[activation](g), s * _DSIGMA[activation](g) * dg
    return x @ a, dx @ a


def round_gradient(layers: Sequence[np.ndarray], a: np.ndarray, activation: str, loss: str, X: np.ndarray,
                   y: np.ndarray, *, train_output: bool = False) -> list[np.ndarray]:
    """∇_W (1/n) Σ ℓ(f(W, x_i), y_i) by hand-written backpropagation (layers, then a when trained)."""
    s = math.sqrt(c_sigma(activation) / layers[0].shape[0])
    acts, pre = [np.asarray(X, dtype=np.float64)], []
    for W in layers:
        g = acts[-1] @ np.asarray(W, dtype=np.float64).T
        pre.append(g)
        acts.append(s * _SIGMA[activation](g))
    f = acts[-1] @ a
    coef = _DLOSS[loss](f, np.asarray(y, dtype=np.float64)) / len(f)   # (n,)
    grads: list[np.ndarray] = [np.empty(0)] * len(layers)
    delta = coef[:, None] * s * _DSIGMA[activation](pre[-1]) * a[None, :]
    for h in range(len(layers) - 1, -1, -1):
        grads[h] = delta.T @ acts[h]
        if h > 0:
            delta = s * _DSIGMA[activation](pre[h - 1]) * (delta @ layers[h])
    if train_output:
        grads.append(acts[-1].T @ coef)
    return grads


def input_lipschitz_bound(layers: Sequence[np.ndarray], a: np.ndarray, activation: str,
                          loss_lipschitz: float) -> float:
    """A global Lipschitz constant (ℓ2) of x ↦ ℓ(f(W, x), y).

    H = 1: L_ℓ·s·Σ_r |a_r|·Lip σ·‖w_r‖₂ (triangle inequality over neurons); H ≥ 2: L_ℓ·‖a‖₂·Π_h s·Lip σ·‖W^(h)‖₂.
    """
    if activation not in _LIP_SIGMA:
        raise InputError(f"activation {activation!r} has no global Lipschitz constant")
    s = math.sqrt(c_sigma(activation) / layers[0].shape[0])
    lip = _LIP_SIGMA[activation]
    if len(layers) == 1:
        return float(loss_lipschitz * s * lip * np.sum(np.abs(a) * np.linalg.norm(layers[0], axis=1)))
    out = loss_lipschitz * float(np.linalg.norm(a))
    for W in layers:
        out *= s * lip * float(np.linalg.norm(W, ord=2))
    return out


def circle_robust_loss(layers: Sequence[np.ndarray], a: np.ndarray, activation: str, loss: str,
                       loss_lipschitz: float, X: np.ndarray, y: np.ndarray, delta: float, *,
                       target_slack: float = 1e-3, max_points: int = 20001) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-sample lower and upper bounds of max over the sphere cap B(x_i) (d = 2: an arc) of ℓ(f(x'), y_i).

    The cap {x' ∈ S¹ : ‖x' − x‖₂ ≤ δ} is the arc of half-angle θ = arccos(1 − δ²/2) around x. It is covered by
    N equispaced angles, spacing h = 2θ/(N − 1); every arc point is within chord distance ≤ h/2 of one of them,
    so upper = lower + Lip·h/2 is sound. N is chosen so that Lip·h/2 ≤ ``target_slack`` (at most ``max_points``).
    Returns (lower, upper, Lip·h/2).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise InputError(f"circle_robust_loss needs inputs of shape (n, 2), got {X.shape}")
    theta = math.acos(max(-1.0, 1.0 - delta ** 2 / 2))
    lip = input_lipschitz_bound(layers, a, activation, loss_lipschitz)
    N = int(min(max_points, max(3, math.ceil(lip * theta / target_slack) + 1)))
    offsets = np.linspace(-theta, theta, N)
    angles = np.arctan2(X[:, 1], X[:, 0])[:, None] + offsets[None, :]
    lower = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        pts = np.stack([np.cos(angles[i]), np.sin(angles[i])], axis=1)
        lower[i] = loss_values(loss, forward(layers, a, activation, pts), np.full(N, y[i])).max()
    slack = lip * (2 * theta / (N - 1)) / 2
    return lower, lower + slack, slack
