"""Kernel blocks on a point set Z without the N×N Gram matrix: the columns k_b(Z, z_j) of the points that were ever
active, cached, from which both K_b[S, S] and f = f0 + Σ_b K_b[:, S]·β_b on all of Z are read.

Constraint generation re-solves on active sets S that change by a few points, and after every solve needs f on all
N points of the pool: the cache turns each such evaluation into one matrix-vector product over the cached columns
(N × |cached|) instead of N·|S| kernel evaluations. Memory is N × |cached| per block (the budget is reserved as
address space, column-major, and mapped as columns are written), bounded by COLUMN_CACHE_BYTES;
beyond it the source evaluates blocks of rows on the fly (memory O(N + |S|²)). Given precomputed ``grams`` it slices
them instead.
"""
from __future__ import annotations

import numpy as np
import torch

from numerics.robust_kernel.features import check_gram
from numerics.robust_kernel.kernels import KernelModel

COLUMN_CACHE_BYTES = 1 << 29    # 512 MiB of cached columns at most


class GramSource:
    """K_b[S, S] and f on all of Z for active sets S of a fixed point set Z (module docstring)."""

    def __init__(self, kernel: KernelModel, Z: torch.Tensor | None, grams: list[np.ndarray] | None = None) -> None:
        self.kernel, self.Z, self.grams = kernel, Z, grams
        self._where = None if Z is None else np.full(Z.shape[0], -1)
        self._cols: list[np.ndarray] = []
        self._count = 0

    def _positions(self, S: np.ndarray) -> np.ndarray | None:
        """Cache columns of the points of S (computing the missing ones); their positions, or None when the cache
        would exceed COLUMN_CACHE_BYTES."""
        missing = S[self._where[S] < 0]
        N, blocks = self.Z.shape[0], self.kernel.blocks
        need = self._count + len(missing)
        if need * N * 8 * blocks > COLUMN_CACHE_BYTES:
            return None
        if len(missing):
            new = self.kernel.gram(self.Z, self.Z[torch.as_tensor(missing)])
            if not self._cols:
                # the whole budget at once, column-major: pages are mapped only when a column is first written, so
                # memory follows the columns cached, and no column is ever copied to a larger array
                capacity = COLUMN_CACHE_BYTES // (N * 8 * blocks)
                self._cols = [np.empty((N, capacity), order="F") for _ in range(blocks)]
            for C, K in zip(self._cols, new):
                C[:, self._count:need] = K
            self._where[missing] = np.arange(self._count, need)
            self._count = need
        return self._where[S]

    def sub(self, S: np.ndarray) -> list[np.ndarray]:
        """[K_b[S, S]] (checked symmetric and finite)."""
        if self.grams is not None:
            return [K[np.ix_(S, S)] for K in self.grams]
        pos = self._positions(S)
        blocks = (self.kernel.gram(self.Z[torch.as_tensor(S)]) if pos is None
                  else [C[np.ix_(S, pos)] for C in self._cols])
        return [check_gram(K, name=f"Gram block {b} on the active set") for b, K in enumerate(blocks)]

    def values(self, S: np.ndarray, betas: list[np.ndarray], offset: np.ndarray) -> np.ndarray:
        """f0 + Σ_b K_b[:, S]·β_b on every point of Z."""
        if self.grams is not None:
            return offset + sum(K[:, S] @ b for K, b in zip(self.grams, betas))
        pos = self._positions(S)
        if pos is None:
            bt = [torch.as_tensor(b, dtype=torch.float64) for b in betas]
            return offset + self.kernel.values(self.Z, self.Z[torch.as_tensor(S)], bt).numpy()
        out = offset.copy()
        for C, b in zip(self._cols, betas):
            coef = np.zeros(self._count)
            coef[pos] = b
            out += C[:, :self._count] @ coef
        return out
