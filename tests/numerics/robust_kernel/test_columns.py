"""numerics.robust_kernel.columns.GramSource: cached kernel columns give the same K[S, S] and f on all of Z as direct
kernel evaluation, across several row blocks, a growing cache, and past the cache budget."""
import mmap
import sys

import numpy as np
import pytest
import torch

import numerics.robust_kernel.columns as columns
from numerics.robust_kernel.columns import GramSource
from numerics.robust_kernel.kernels import NTKKernel


def _points(N=1300, d=4, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).standard_normal((N, d)))


@pytest.mark.parametrize("budget", [None, 1 << 16])
def test_cached_columns_match_direct_kernel_evaluation(monkeypatch, budget):
    """N = 1300 > 2·GRAM_ROWS rows (three row blocks per added column batch); S grows, shrinks and regrows; with a
    64 KiB budget the source evaluates blocks on the fly instead. Agreement to 1e-12 relative (same float64
    kernel, different blocking)."""
    if budget is not None:
        monkeypatch.setattr(columns, "COLUMN_CACHE_BYTES", budget)
    kernel = NTKKernel(1, "relu2")
    Z = _points()
    assert Z.shape[0] > 2 * columns.GRAM_ROWS
    source = GramSource(kernel, Z)
    rng = np.random.default_rng(1)
    offset = rng.standard_normal(Z.shape[0])
    first = np.sort(rng.choice(Z.shape[0], 40, replace=False))
    for S in (first, np.union1d(first[::2], np.arange(5)), np.union1d(first, [7, 600, 1299])):
        K = kernel.gram(Z[torch.as_tensor(S)])[0]
        scale = np.abs(K).max()
        np.testing.assert_allclose(source.sub(S)[0], K, rtol=0, atol=1e-12 * scale)
        beta = rng.standard_normal(len(S))
        direct = offset + kernel.gram(Z, Z[torch.as_tensor(S)])[0] @ beta
        np.testing.assert_allclose(source.values(S, [beta], offset), direct, rtol=0,
                                   atol=1e-12 * scale * np.abs(beta).sum())
    if budget is None:
        assert source._count == len(np.union1d(first, [0, 1, 2, 3, 4, 7, 600, 1299]))   # each column once


def test_populated_pages_hold_exactly_what_is_written():
    """_reserve + _populate (madvise on Linux, a no-op elsewhere) is ordinary writable memory."""
    C = columns._reserve(1000, 50)
    if sys.platform == "linux":
        assert isinstance(C.base, mmap.mmap)      # the mapping that _populate maps ahead of writes
    columns._populate(C, 3, 17)
    C[:, 3:17] = np.arange(14.0)
    assert C.flags.f_contiguous and np.array_equal(C[:, 3:17], np.broadcast_to(np.arange(14.0), (1000, 14)))


def test_reserve_falls_back_to_numpy_off_linux(monkeypatch):
    """Off Linux (no MAP_PRIVATE flags on Windows) the cache is a plain numpy array and populating is a no-op."""
    monkeypatch.setattr(columns.sys, "platform", "win32")
    C = columns._reserve(100, 7)
    columns._populate(C, 0, 7)
    C[:] = 2.0
    assert C.flags.f_contiguous and C.shape == (100, 7) and float(C.sum()) == 1400.0
