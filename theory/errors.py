"""The one error type for bad input. The CLI turns it into one line and exit status 2."""
from __future__ import annotations

import math


class InputError(ValueError):
    """Bad input from a user: names the argument (or claim-file entry and field) at fault."""


def positive_number(name: str, value: object) -> float:
    """``value`` as a float if it is a finite number > 0, else InputError naming ``name``."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a positive number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive finite number, got {value!r}")
    return v


def positive_int(name: str, value: object) -> int:
    """``value`` if it is an int ≥ 1 (bools rejected), else InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return value


class EnvironmentFault(RuntimeError):
    """The machine failed a run that had started (a solver missing, a worker or scheduler lost): an error of the
    run, never a verdict on a claim. Raised where such a fault is recognized; the runner records it."""
