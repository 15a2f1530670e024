"""Pinning torch to one intra-op thread for small-tensor work."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one intra-op thread, restoring the previous count afterwards.

    The suite's tensors are small (tiny nets, hundreds of points); on a loaded 2-core machine thread
    hand-offs cost 10–50× the work (measured: a tiny net's forward/backward 60 ms vs 1.2 ms; a 200×200
    eigh ~1 s vs 3 ms)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)
