"""Closed-form first-order calculus of the network of docs/claims.md §2 at arbitrary weights.

With g^(h) = x^(h−1) W^(h)ᵀ, x^(h) = s·σ(g^(h)) (s = √(c_σ/m)) and f = x^(H)·a, backpropagation gives
δ^(H) = s·a ⊙ σ'(g^(H)), δ^(h) = s·σ'(g^(h)) ⊙ (δ^(h+1) W^(h+1)) and ∂f/∂W^(h) = δ^(h) ⊗ x^(h−1), a rank-one
matrix per input, so ‖∂f/∂W^(h)‖_F = ‖δ^(h)‖₂·‖x^(h−1)‖₂ for every input at once, without per-sample autograd.
The forward tangent of a parameter direction V gives ⟨∇_W f(W, x), V⟩ in one pass.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

from numerics.network.activations import sigma, sigma_prime
from numerics.network.nets import FullyConnected
from theory.errors import InputError


def check_weights(net: FullyConnected, weights: Sequence[torch.Tensor], *, name: str = "weights") -> list[torch.Tensor]:
    """Validate a list of tensors aligned with ``net.trained_parameters()`` (same count and shapes)."""
    ref = net.trained_parameters()
    weights = list(weights)
    if len(weights) != len(ref):
        raise InputError(f"{name} must hold {len(ref)} tensors (one per trained parameter), got {len(weights)}")
    for h, (w, p) in enumerate(zip(weights, ref)):
        if tuple(w.shape) != tuple(p.shape):
            raise InputError(f"{name}[{h}] must have shape {tuple(p.shape)}, got {tuple(w.shape)}")
    return [w.to(dtype=p.dtype, device=p.device) for w, p in zip(weights, ref)]


def _split(net: FullyConnected, weights: Sequence[torch.Tensor]) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Layer matrices and the output vector a for a weight list aligned with trained_parameters()."""
    layers = list(weights[:net.depth])
    a = weights[net.depth] if net.train_output else net.output
    return layers, a


def _forward_layers(net: FullyConnected, layers: Sequence[torch.Tensor], X: torch.Tensor
                    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    act = sigma(net.activation)
    acts, pre = [X], []
    for W in layers:
        g = acts[-1] @ W.T
        pre.append(g)
        acts.append(net.scale * act(g))
    return acts, pre


def forward_with(net: FullyConnected, weights: Sequence[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """f(W, X) of shape (n,) at the given weights (aligned with ``net.trained_parameters()``)."""
    layers, a = _split(net, check_weights(net, weights))
    acts, _ = _forward_layers(net, layers, net.check_input(X))
    return acts[-1] @ a


def per_sample_gradient_norms(net: FullyConnected, X: torch.Tensor,
                              weights: Sequence[torch.Tensor] | None = None) -> torch.Tensor:
    """‖∇_W f(W, x_i)‖_F over all trained parameters, for every row x_i of X; shape (n,)."""
    with torch.no_grad():
        weights = net.trained_parameters() if weights is None else check_weights(net, weights)
        layers, a = _split(net, [w.detach() for w in weights])
        acts, pre = _forward_layers(net, layers, net.check_input(X))
        dsig = sigma_prime(net.activation)
        sq = acts[-1].pow(2).sum(1) if net.train_output else torch.zeros_like(acts[0][:, 0])
        delta = net.scale * dsig(pre[-1]) * a
        for h in range(net.depth - 1, -1, -1):
            sq = sq + delta.pow(2).sum(1) * acts[h].pow(2).sum(1)
            if h > 0:
                delta = net.scale * dsig(pre[h - 1]) * (delta @ layers[h])
        return sq.sqrt()


def parameter_jvp(net: FullyConnected, X: torch.Tensor, weights: Sequence[torch.Tensor],
                  direction: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(f(W, X), ⟨∇_W f(W, x_i), V⟩ for every row) by forward-mode propagation of the direction V."""
    with torch.no_grad():
        layers, a = _split(net, [w.detach() for w in check_weights(net, weights)])
        dlayers, da = _split(net, [v.detach() for v in check_weights(net, direction, name="direction")])
        if not net.train_output:
            da = torch.zeros_like(a)
        act, dsig = sigma(net.activation), sigma_prime(net.activation)
        x, dx = net.check_input(X), torch.zeros_like(net.check_input(X))
        for W, dW in zip(layers, dlayers):
            g = x @ W.T
            dg = dx @ W.T + x @ dW.T
            x, dx = net.scale * act(g), net.scale * dsig(g) * dg
        return x @ a, dx @ a + x @ da
