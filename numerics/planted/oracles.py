"""PLANTED FAULTS — deliberately broken shattering oracles, used only by tests and by the planted registry.

- :class:`AlwaysRealizableOracle` answers 'realizable' for every labeling, with no witness, and its own
  ``verify`` vouches for it: only an independent re-check of the witnesses can catch it.
"""
from __future__ import annotations

import numpy as np

from numerics.capacity.shattering import REALIZABLE, Decision, Oracle


class AlwaysRealizableOracle(Oracle):
    """PLANTED: every labeling 'realizable', no witness, and a self-check that always passes."""

    name = "planted-always-realizable"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        return Decision(REALIZABLE, witness=None, solver_status="optimal")

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        return True
