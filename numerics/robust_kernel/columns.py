"""Kernel blocks on a point set Z without the N×N Gram matrix: the columns k_b(Z, z_j) of the points that were ever
active, cached, from which both K_b[S, S] and f = f0 + Σ_b K_b[:, S]·β_b on all of Z are read.

Constraint generation re-solves on active sets S that change by a few points, and after every solve needs f on all
N points of the pool: the cache turns each such evaluation into one matrix-vector product over the cached columns
(N × |cached|) instead of N·|S| kernel evaluations. Memory is N × |cached| per block (the budget is reserved as
address space, column-major, and mapped as columns are added), bounded by COLUMN_CACHE_BYTES;
beyond it the source evaluates blocks of rows on the fly (memory O(N + |S|²)). Given precomputed ``grams`` it slices
them instead.
"""
from __future__ import annotations

import mmap
import sys

import numpy as np
import torch

from numerics.robust_kernel.features import check_gram
from numerics.robust_kernel.kernels import KernelModel

COLUMN_CACHE_BYTES = 1 << 29    # 512 MiB of cached columns at most
# Rows of Z per kernel evaluation when columns are added (n = 1200 benchmark: adding 2,073 columns of 20,400 rows
# took 0.70 s in blocks of 512 rows, 0.78 s of 1,024, 1.73 s as one evaluation into a fresh array and one copy).
GRAM_ROWS = 512
# madvise(2) advice that maps a range of pages writable in one call (Linux ≥ 5.14). Writing 196 MB of new columns
# (n = 1200 benchmark) took 0.54 s page fault by page fault and 0.11 s mapped first.
MADV_POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23)


def _reserve(rows: int, columns: int) -> np.ndarray:
    """An uninitialized column-major float64 array, address space only until used: on Linux backed by an anonymous
    mapping that :func:`_populate` can map ahead of writes, elsewhere by numpy."""
    if sys.platform != "linux":
        return np.empty((rows, columns), order="F")
    buffer = mmap.mmap(-1, max(rows * columns * 8, 1), flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.ndarray((rows, columns), dtype=np.float64, buffer=buffer, order="F")


def _populate(C: np.ndarray, first: int, stop: int) -> None:
    """Map the pages of columns first…stop−1 of a :func:`_reserve` array in one call (Linux ≥ 5.14), instead of
    one page fault per 4 KiB on the first write; elsewhere the first write maps them."""
    if not isinstance(C.base, mmap.mmap):
        return
    page = mmap.PAGESIZE
    start = first * C.shape[0] * 8 // page * page
    end = min(-(-stop * C.shape[0] * 8 // page) * page, len(C.base))
    try:
        C.base.madvise(MADV_POPULATE_WRITE, start, end - start)
    except (OSError, ValueError):
        pass


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
            if not self._cols:
                # the whole budget at once, column-major: pages are mapped only when columns are added, so memory
                # follows the columns cached, and no column is ever copied to a larger array
                capacity = COLUMN_CACHE_BYTES // (N * 8 * blocks)
                self._cols = [_reserve(N, capacity) for _ in range(blocks)]
            for C in self._cols:
                _populate(C, self._count, need)
            Zm = self.Z[torch.as_tensor(missing)]
            # row blocks: the kernel's temporaries are reused and the row- to column-major copy stays in cache
            for row in range(0, N, GRAM_ROWS):
                for C, K in zip(self._cols, self.kernel.gram(self.Z[row:row + GRAM_ROWS], Zm)):
                    C[row:row + GRAM_ROWS, self._count:need] = K
            self._where[missing] = np.arange(self._count, need)
            self._count = need
        return self._where[S]

    def sub(self, S: np.ndarray) -> list[np.ndarray]:
        """[K_b[S, S]] (checked symmetric and finite)."""
        if self.grams is not None:
            return [K[np.ix_(S, S)] for K in self.grams]
        pos = self._positions(S)
        blocks = (self.kernel.gram(self.Z[torch.as_tensor(S)]) if pos is None
                  else [C.T[np.ix_(pos, S)].T for C in self._cols])   # gathered along the contiguous axis
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
