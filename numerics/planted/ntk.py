"""PLANTED FAULTS — a broken structured empirical NTK, handed to C5's check by the planted registry.

- :func:`structured_ntk_unscaled_recursion`  the closed-form backprop of numerics.ntk.empirical with the layer
  scale √(c_σ/m) dropped from the recursion b^(h) = scale·σ'(g^(h))·(b^(h+1) W^(h+1)) (depth ≥ 2): a one-line
  slip that the independent autograd re-verification must expose as an internal inconsistency.
"""
from __future__ import annotations

import numpy as np
import torch

from numerics.network.activations import sigma_prime
from numerics.network.nets import FullyConnected


def structured_ntk_unscaled_recursion(net: FullyConnected, X) -> np.ndarray:
    """PLANTED: Θ_m(X, X) by structured backprop without the layer scale in the recursion."""
    Xt = torch.as_tensor(np.asarray(X), dtype=net.weights[0].dtype, device=net.weights[0].device)
    with torch.no_grad():
        acts, pre = net.layers(Xt)
        dsig = sigma_prime(net.activation)
        b = net.scale * dsig(pre[-1]) * net.output
        theta = torch.zeros((len(Xt), len(Xt)), dtype=Xt.dtype, device=Xt.device)
        for h in range(net.depth - 1, -1, -1):
            theta = theta + (b @ b.T) * (acts[h] @ acts[h].T)
            if h > 0:
                b = dsig(pre[h - 1]) * (b @ net.weights[h])   # PLANTED: net.scale dropped
        if net.train_output:
            theta = theta + acts[-1] @ acts[-1].T
    return theta.to(device="cpu", dtype=torch.float64).numpy()
