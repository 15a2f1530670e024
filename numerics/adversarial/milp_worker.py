"""Solver process for numerics.adversarial.milp: reads pickled MILPs on stdin, writes results on stdout.

Imports only numpy and scipy (no torch), so it starts fast; run as
``python -m numerics.adversarial.milp_worker`` with a hard wall-clock limit enforced by the parent.
"""
from __future__ import annotations

import pickle
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def solve_all(problems: list[tuple], time_limit: float, rel_gap: float) -> list[tuple[str, np.ndarray | None]]:
    """Solve (c, A, row_lo, row_hi, var_lo, var_hi, integrality) problems in order within ``time_limit`` s.

    Status per problem: "optimal", "time_limit" (HiGHS limit or no time left), or "error: <message>".
    """
    deadline = time.monotonic() + time_limit
    results: list[tuple[str, np.ndarray | None]] = []
    for c, A, rlo, rhi, lo, hi, integ in problems:
        left = deadline - time.monotonic()
        if left <= 0:
            results.append(("time_limit", None))
            continue
        res = milp(c, integrality=integ, bounds=Bounds(lo, hi), constraints=LinearConstraint(A, rlo, rhi),
                   options={"time_limit": left, "mip_rel_gap": rel_gap, "presolve": True})
        if res.status == 0:
            results.append(("optimal", np.asarray(res.x)))
        elif res.status == 1:
            results.append(("time_limit", None))
        else:
            results.append((f"error: {res.message}", None))
    return results


if __name__ == "__main__":
    problems, limit, gap = pickle.load(sys.stdin.buffer)
    pickle.dump(solve_all(problems, limit, gap), sys.stdout.buffer)
