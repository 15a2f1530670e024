"""Empirical (finite-width) neural tangent kernel Θ_m(x, x') = ⟨∇_θ f(x), ∇_θ f(x')⟩ of a FullyConnected net.

θ are the trained parameters (W^(1..H), plus a when ``train_output``). With the forward activations x^(h)
and the backpropagated signals b^(h) = ∂f/∂g^(h) (g^(h) = W^(h)x^(h−1)), ∂f/∂W^(h) = b^(h)x^(h−1)ᵀ, so

    Θ_m = Σ_h (B_h B_h'ᵀ) ⊙ (X_{h−1} X_{h−1}'ᵀ)  (+ X_H X_H'ᵀ),

which needs memory O(n² + n·m·H) beyond the weights; ``method="autograd"`` is the torch.func reference
that materializes every per-example Jacobian.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from numerics.network.activations import sigma_prime
from numerics.network.data import check_inputs
from numerics.network.nets import FullyConnected
from theory.errors import InputError

_AUTOGRAD_CHUNK = 64           # examples per vmap(jacrev) call in the autograd reference
EMPIRICAL_METHODS = ("structured", "autograd")


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
        raise InputError(f"net must be a numerics.network.nets.FullyConnected, got {type(net).__name__}")
    if method not in EMPIRICAL_METHODS:
        raise InputError(f"method must be one of {EMPIRICAL_METHODS}, got {method!r}")
    Xt = _as_tensor(net, X, "X")
    Yt = None if Y is None else _as_tensor(net, Y, "Y")
    theta = (_structured if method == "structured" else _autograd)(net, Xt, Yt)
    return theta.detach().to(device="cpu", dtype=torch.float64).numpy()
