"""Classes whose VC dimension is known in closed form: exact calibration cases for the shattering oracles.

Each case is a point set, an oracle, the expected answer (shattered or not) and ``truth``: the answer established
by an independent exact argument (True/False; None when the argument does not decide), written here:

- halfspaces with offset in R^d (VC = d + 1): the simplex vertices {0, e_1, …, e_d} are shattered — for labels
  y, w_j = y_j − y_0/2 and b = y_0/2 give margins 1/2 and 1; adding 1 = Σ e_j is not — the Radon partition
  {0, 1} | {e_j}: (1 − 1/d)·0 + (1/d)·1 = Σ_j (1/d)·e_j;
- closed axis-aligned boxes in R^d (VC = 2d): ±e_1, …, ±e_d are shattered (the bounding box of the positives
  never contains a negative), with 0 added they are not (every box containing all ±e_j contains 0);
- robust halfspaces, closed ℓ∞ balls of radius δ, on the simplex: the separator above has y_i f(x_i) ≥ 1/2 >
  δ‖w‖₁ (≤ 3d/2·δ) for δ = 1/(4d), so the vertices are robustly shattered; at δ = 1/(2d) the labeling 0 | {e_j}
  fails: the ℓ∞ distance from 0 to the face conv{e_j} is exactly 1/d = 2δ (robustness costs capacity — C9's theme);
- one-hidden-layer ReLU nets (width 2 by MILP, width 4 by the heuristic fit) shatter the XOR square, which
  halfspaces cannot; the independent argument is an exhaustive search over width-2 nets with parameters in
  {0, ±1/2, ±1} (dyadic, so float64 is exact).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from numerics.capacity.closed_form_oracles import BoxOracle
from numerics.capacity.relu_oracles import GradientFitOracle, ReluMilpOracle
from numerics.capacity.separability import HalfspaceOracle, RobustHalfspaceOracle
from numerics.capacity.shattering import Oracle, labelings


@dataclass
class KnownCase:
    """A point set, the oracle deciding it, the expected answer, and the independently established one."""

    name: str
    points: np.ndarray
    oracle: Oracle
    shattered: bool
    fact: str
    truth: Callable[[], bool | None]


XOR = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])


def _simplex(d: int) -> np.ndarray:
    return np.vstack([np.zeros(d), np.eye(d)])


def _simplex_separators(d: int, delta: Fraction) -> bool | None:
    """True when, for every labeling of the simplex, the closed-form separator has margin > δ‖w‖₁ (exact
    Fractions); None otherwise (the separator is sufficient, not necessary)."""
    X = [[Fraction(int(v)) for v in row] for row in _simplex(d)]
    for y in labelings(d + 1):
        w = [Fraction(int(y[j + 1])) - Fraction(int(y[0]), 2) for j in range(d)]
        b = Fraction(int(y[0]), 2)
        margins = [int(yi) * (sum(wj * xj for wj, xj in zip(w, x)) + b) for x, yi in zip(X, y)]
        if not all(m > delta * sum(abs(v) for v in w) for m in margins):
            return None
    return True


def _radon(d: int) -> bool | None:
    """False (not shattered) when (1 − 1/d)·0 + (1/d)·1 equals Σ_j (1/d)·e_j exactly: conv{0, 1} meets conv{e_j}."""
    left = [Fraction(1, d)] * d
    right = [sum((Fraction(1, d) * (1 if i == j else 0) for i in range(d)), Fraction(0)) for j in range(d)]
    return False if left == right else None


def _boxes_shatter(X: np.ndarray) -> bool:
    """Boxes realize y iff the bounding box of the positives holds no negative point (integers: exact)."""
    for y in labelings(len(X)):
        pos = X[y > 0]
        if len(pos) and any(np.all((pos.min(axis=0) <= x) & (x <= pos.max(axis=0))) for x in X[y < 0]):
            return False
    return True


def _face_distance(d: int, delta: Fraction) -> bool | None:
    """False (not shattered) when ‖0 − (1/d)Σ_j e_j‖_∞ = 1/d ≤ 2δ: the closed δ-balls of 0 and of conv{e_j} meet."""
    return False if max(abs(Fraction(0) - Fraction(1, d)) for _ in range(d)) <= 2 * delta else None


def _xor_grid() -> bool | None:
    """True when every XOR labeling is realized by a width-2 ReLU net with parameters on the grid {0, ±1/2, ±1}
    (a_r = ±1): an exhaustive search in dyadic rationals, which float64 evaluates exactly. Width 2 embeds in any
    larger width (w = b = 0 units add 0)."""
    grid = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    units = np.array(np.meshgrid(grid, grid, grid, indexing="ij")).reshape(3, -1).T       # (w1, w2, b)
    H = np.maximum(0.0, XOR @ units[:, :2].T + units[:, 2])                              # (4 points, 125 units)
    signs = np.array([-1.0, 1.0])[None, None, :, None]
    F = np.concatenate([(H[:, :, None, None] * signs + a2 * H[:, None, None, :] + c).reshape(4, -1)
                        for a2 in (-1.0, 1.0) for c in grid], axis=1)                    # (4, every net)
    for y in labelings(4):
        if not np.any(np.all(y[:, None] * F > 0, axis=0)):
            return None
    return True


def known_cases(d: int) -> list[KnownCase]:
    """The calibration cases in dimension d (module docstring)."""
    simplex = _simplex(d)
    box = np.vstack([np.eye(d, dtype=int), -np.eye(d, dtype=int)])
    box0 = np.vstack([box, np.zeros((1, d), dtype=int)])
    return [
        KnownCase(f"halfspaces in R^{d}: the {d + 1} simplex vertices", simplex, HalfspaceOracle(), True,
                  "VC = d + 1 (closed-form separator)", lambda: _simplex_separators(d, Fraction(0))),
        KnownCase(f"halfspaces in R^{d}: {d + 2} points (simplex and 1)", np.vstack([simplex, np.ones(d)]),
                  HalfspaceOracle(), False, "Radon: conv{0, 1} meets conv{e_j}", lambda: _radon(d)),
        KnownCase(f"boxes in R^{d}: the {2 * d} points ±e_j", box.astype(float), BoxOracle(), True,
                  "VC(boxes) = 2d", lambda: _boxes_shatter(box)),
        KnownCase(f"boxes in R^{d}: ±e_j and 0", box0.astype(float), BoxOracle(), False,
                  "every box holding all ±e_j holds 0", lambda: _boxes_shatter(box0)),
        KnownCase(f"robust halfspaces (ℓ∞, δ = 1/(4d)) in R^{d}: the simplex", simplex,
                  RobustHalfspaceOracle(Fraction(1, 4 * d), norm="linf"), True,
                  "closed-form separator has margin 1/2 > δ‖w‖₁", lambda: _simplex_separators(d, Fraction(1, 4 * d))),
        KnownCase("ReLU nets of width 2 (MILP): the XOR square", XOR, ReluMilpOracle(2), True,
                  "halfspaces cannot, a hidden layer can", _xor_grid),
        KnownCase("ReLU nets of width 4 (gradient fit, verified witnesses): the XOR square", XOR, GradientFitOracle(4),
                  True, "halfspaces cannot, a hidden layer can", _xor_grid),
    ]


def threshold_case(d: int) -> KnownCase:
    """The control: robust halfspaces at δ = 1/(2d) on the simplex, claimed shattered (it is not)."""
    delta = Fraction(1, 2 * d)
    return KnownCase(f"robust halfspaces (ℓ∞, δ = 1/(2d)) in R^{d}: the simplex", _simplex(d),
                     RobustHalfspaceOracle(delta, norm="linf"), True,
                     "claimed shattered at the threshold; ‖0 − face‖_∞ = 1/d = 2δ refutes it",
                     lambda: _face_distance(d, delta))


def describe(case: KnownCase) -> dict[str, Any]:
    return {"case": case.name, "oracle": case.oracle.name, "points": len(case.points), "known": case.fact}
