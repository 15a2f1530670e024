"""The paper's depth-H fully connected network without biases (docs/claims.md §2).

    x^(0) = x,   x^(h) = sqrt(c_σ/m) · σ(W^(h) x^(h-1))  (h = 1..H),   f(W, x) = aᵀ x^(H),

with W^(1) ∈ R^{m×d}, W^(h) ∈ R^{m×m}, a ∈ R^m and every entry of W(0), a drawn i.i.d. N(0, 1).
``a`` is fixed unless ``train_output=True``; the initial weights W(0) are kept as buffers.
"""
from __future__ import annotations

import math
import os

import torch
from torch import nn

from numerics.network.activations import sigma
from theory.activations import c_sigma, check_activation
from theory.errors import InputError, positive_int


def physical_memory_bytes() -> int | None:
    """The machine's physical memory (None where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def check_size(d: int, width: int, depth: int, dtype: torch.dtype) -> None:
    """InputError naming d, width and depth when the network's two copies (weights and W(0)) of d·m + (H−1)·m² + m entries
    cannot fit in this machine's memory (rather than a raw allocator error from torch)."""
    entries = d * width + (depth - 1) * width**2 + width
    need = 2 * entries * torch.empty((), dtype=dtype).element_size()
    have = physical_memory_bytes()
    if have is not None and need > have:
        raise InputError(f"d={d}, width={width}, depth={depth}: the network needs {need / 2**30:.3g} GiB (weights "
                         f"and W(0): 2 × (d·m + (H−1)·m² + m) entries), more than this machine's {have / 2**30:.3g} GiB")


class FullyConnected(nn.Module):
    """f(W, x) = aᵀ x^(H) in the NTK parametrization of docs/claims.md §2; ``net(X)`` has shape (n,)."""

    def __init__(self, d: int, width: int, depth: int, activation: str, *, train_output: bool = False,
                 seed: int = 0, dtype: torch.dtype = torch.float64, device: str | torch.device = "cpu") -> None:
        super().__init__()
        self.d = positive_int("d", d)
        self.width = positive_int("width", width)
        self.depth = positive_int("depth", depth)
        self.activation = check_activation(activation)
        self.train_output = bool(train_output)
        self.seed = int(seed)
        check_size(self.d, self.width, self.depth, dtype)
        self.scale = math.sqrt(c_sigma(activation) / width)
        self._sigma = sigma(activation)

        gen = torch.Generator().manual_seed(self.seed)
        shapes = [(width, d)] + [(width, width)] * (depth - 1)
        try:
            init = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
            a = torch.randn(width, generator=gen, dtype=dtype)
        except (MemoryError, torch.OutOfMemoryError) as exc:  # below the machine's memory, above what is free
            raise InputError(f"width={width}: not enough free memory for the initial weights ({exc})") from None

        self.weights = nn.ParameterList([nn.Parameter(w.clone().to(device)) for w in init])
        for h, w in enumerate(init, start=1):
            self.register_buffer(f"initial_weight_{h}", w.to(device))
        if self.train_output:
            self.output = nn.Parameter(a.clone().to(device))
            self.register_buffer("initial_output", a.to(device))
        else:
            self.register_buffer("output", a.to(device))

    @property
    def initial_weights(self) -> list[torch.Tensor]:
        """W^(1)(0), …, W^(H)(0) (and a(0) last when the output layer is trained)."""
        out = [getattr(self, f"initial_weight_{h}") for h in range(1, self.depth + 1)]
        return out + ([self.initial_output] if self.train_output else [])

    def trained_parameters(self) -> list[torch.Tensor]:
        """W^(1), …, W^(H) (and a last when ``train_output``), aligned with ``initial_weights``."""
        return list(self.weights) + ([self.output] if self.train_output else [])

    def check_input(self, X: torch.Tensor) -> torch.Tensor:
        """Validate X of shape (n, d) and move it to the network's dtype and device."""
        if X.ndim != 2 or X.shape[1] != self.d:
            raise InputError(f"inputs must have shape (n, {self.d}), got {tuple(X.shape)}")
        ref = self.weights[0]
        return X.to(dtype=ref.dtype, device=ref.device)

    def layers(self, X: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Forward pass keeping everything: activations [x^(0), …, x^(H)] and pre-activations [g^(1), …, g^(H)]."""
        acts, pre = [X], []
        for W in self.weights:
            g = acts[-1] @ W.T
            pre.append(g)
            acts.append(self.scale * self._sigma(g))
        return acts, pre

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        h = X
        for W in self.weights:
            h = self.scale * self._sigma(h @ W.T)
        return h @ self.output

    def distance_from_init(self) -> list[float]:
        """‖W^(h) − W^(h)(0)‖_F for each trained tensor (layers first, then a when trained)."""
        with torch.no_grad():
            return [float(torch.linalg.norm(p - p0)) for p, p0 in zip(self.trained_parameters(), self.initial_weights)]

    def parameter_count(self) -> int:
        """Number of trained parameters: d·m + (H−1)·m² (+ m when a is trained)."""
        return sum(p.numel() for p in self.trained_parameters())
