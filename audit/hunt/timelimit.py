"""The per-example time limit: an interval timer (SIGALRM) that interrupts the measurement in the main thread.

:class:`ExampleTimeout` derives from BaseException so that a check's own ``except Exception`` cannot swallow it;
context managers inside the checks (thread pinning, solver processes run by ``subprocess.run``) unwind as on any
exception. Where no interval timer exists (another thread, another platform) the limit is soft: the example
runs to its end and is then reported as over the limit.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator


class ExampleTimeout(BaseException):
    """Raised inside a measurement that ran past its time limit."""


def _hard_limit_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`ExampleTimeout` in the block after ``seconds`` (soft limit where no timer is available)."""
    if seconds <= 0:
        raise ExampleTimeout()
    if not _hard_limit_available():
        start = time.perf_counter()
        yield
        if time.perf_counter() - start > seconds:
            raise ExampleTimeout()
        return

    def _expire(signum, frame):  # noqa: ANN001 - signal handler signature
        raise ExampleTimeout()

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
