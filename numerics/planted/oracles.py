"""PLANTED FAULTS — deliberately broken shattering oracles, used only by tests and by checks' ``planted`` kwargs.

- :class:`AlwaysRealizableOracle` answers 'realizable' for every labeling, with no witness, and its own
  ``verify`` vouches for it: only an independent re-check of the witnesses can catch it.
"""
from __future__ import annotations

import numpy as np

from numerics.capacity.shattering import REALIZABLE, Decision, Oracle
from theory.errors import InputError


class AlwaysRealizableOracle(Oracle):
    """PLANTED: every labeling 'realizable', no witness, and a self-check that always passes."""

    name = "planted-always-realizable"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        return Decision(REALIZABLE, witness=None, solver_status="optimal")

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        return True


PLANTED_ORACLES = {"always-realizable": AlwaysRealizableOracle}


def planted_oracle(name: str) -> Oracle:
    """The planted oracle registered under ``name``."""
    if name not in PLANTED_ORACLES:
        raise InputError(f"oracle must be an Oracle or one of {sorted(PLANTED_ORACLES)}, got {name!r}")
    return PLANTED_ORACLES[name]()
