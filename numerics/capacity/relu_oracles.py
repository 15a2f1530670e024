"""Realizability by tiny one-hidden-layer ReLU nets: an exact-ish MILP and a heuristic gradient fit.

Class: f(x) = Σ_{r=1..m} a_r·max(0, w_rᵀx + b_r) + c with a_r ∈ {−1, +1} and w_r, b_r, c ∈ [−1, 1]
(by positive homogeneity any net can be rescaled to output weights ±1; the box fixes the scale).
A labeling is realized when y_i f(x_i) > 0 for all i; every witness is re-checked by an exact rational
forward pass.

* :class:`ReluMilpOracle` — big-M MILP (HiGHS via scipy.optimize.milp) for y_i f(x_i) ≥ γ with a hard
  time limit. Feasible → witness. Infeasible → 'unrealizable' *without* an exact certificate: it says no
  net in the box reaches margin γ (within solver tolerances), so a shattering decided by it is marked
  uncertified. Time limit without a feasible point → inconclusive.
* :class:`GradientFitOracle` — Adam on the hinge loss from seeded restarts (torch, float64). It reports
  'realizable' only with an exactly verified witness and otherwise 'inconclusive', never 'unrealizable'.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
from scipy.optimize import Bounds, LinearConstraint, milp

from numerics.capacity.exact_rational import dot, fraction_rows
from numerics.capacity.shattering import INCONCLUSIVE, REALIZABLE, UNREALIZABLE, Decision, Oracle
from theory.errors import InputError

MILP_TIME_LIMIT_S = 10.0  # hard wall-clock limit per labeling; hitting it is inconclusive
MILP_MARGIN = 1e-3  # normalized margin γ asked of the MILP (weights in [−1, 1]); well above HiGHS's 1e-6 tolerances
FIT_STEPS = 400  # Adam steps per restart of the heuristic fit
FIT_RESTARTS = 4
FIT_LR = 0.05


def relu_net_margins(X: np.ndarray, y: np.ndarray, witness: tuple) -> list[Fraction]:
    """Exact y_i·f(x_i) for a witness (W, b, a, c) given as nested tuples of Fractions."""
    W, b, a, c = witness
    return [int(yi) * (sum((ar * max(Fraction(0), dot(wr, x) + br) for wr, br, ar in zip(W, b, a)), Fraction(0)) + c)
            for x, yi in zip(fraction_rows(X), y)]


def _witness(W: np.ndarray, b: np.ndarray, a: np.ndarray, c: float) -> tuple:
    return (tuple(tuple(Fraction(float(v)) for v in row) for row in W), tuple(Fraction(float(v)) for v in b),
            tuple(Fraction(float(v)) for v in a), Fraction(float(c)))


class _ReluOracle(Oracle):
    def __init__(self, width: int) -> None:
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise InputError(f"width must be a positive integer, got {width!r}")
        self.width = width

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        if decision.status != REALIZABLE or decision.witness is None:
            return False
        W, b, a, _ = decision.witness
        if not (len(W) == len(b) == len(a) == self.width and all(len(w) == np.asarray(X).shape[1] for w in W)):
            return False
        return all(m > 0 for m in relu_net_margins(X, y, decision.witness))


class ReluMilpOracle(_ReluOracle):
    """Big-M MILP for a width-m one-hidden-layer ReLU net with parameters in [−1, 1] and margin ≥ γ."""

    def __init__(self, width: int, *, margin: float = MILP_MARGIN, time_limit_s: float = MILP_TIME_LIMIT_S) -> None:
        super().__init__(width)
        if not np.isfinite(margin) or margin <= 0:
            raise InputError(f"margin must be a positive number, got {margin!r}")
        if not np.isfinite(time_limit_s) or time_limit_s <= 0:
            raise InputError(f"time_limit_s must be a positive number, got {time_limit_s!r}")
        self.margin, self.time_limit_s = float(margin), float(time_limit_s)
        self.name = f"ReLU nets of width {width} (MILP, margin {margin:g})"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, k = X.shape
        m = self.width
        M = np.abs(X).sum(axis=1) + 1.0  # |w_rᵀx_i + b_r| ≤ M_i when all parameters are in [−1, 1]
        # variable layout: W (m·k), b (m), c (1), s (m, a_r = 2s_r − 1), then per (i, r): h, u, p
        nW, nb = m * k, m
        iW, ib, ic, i_s = 0, nW, nW + nb, nW + nb + 1
        base = i_s + m
        nvar = base + 3 * n * m

        def h(i: int, r: int) -> int:
            return base + 3 * (i * m + r)

        rows, lo, hi = [], [], []

        def add(coeffs: dict[int, float], lower: float, upper: float) -> None:
            row = np.zeros(nvar)
            for j, v in coeffs.items():
                row[j] += v
            rows.append(row)
            lo.append(lower)
            hi.append(upper)

        for i in range(n):
            for r in range(m):
                z = {iW + r * k + c: X[i, c] for c in range(k)} | {ib + r: 1.0}
                hv, uv, pv = h(i, r), h(i, r) + 1, h(i, r) + 2
                add({hv: 1.0} | {j: -v for j, v in z.items()}, 0.0, np.inf)  # h ≥ z
                add({hv: 1.0, uv: M[i]} | {j: -v for j, v in z.items()}, -np.inf, M[i])  # h ≤ z + M(1 − u)
                add({hv: 1.0, uv: -M[i]}, -np.inf, 0.0)  # h ≤ M u
                add({pv: 1.0, i_s + r: -M[i]}, -np.inf, 0.0)  # p ≤ M s
                add({pv: 1.0, hv: -1.0}, -np.inf, 0.0)  # p ≤ h
                add({pv: 1.0, hv: -1.0, i_s + r: -M[i]}, -M[i], np.inf)  # p ≥ h − M(1 − s)
            out = {ic: y[i]}
            for r in range(m):
                out[h(i, r) + 2] = out.get(h(i, r) + 2, 0.0) + 2.0 * y[i]
                out[h(i, r)] = out.get(h(i, r), 0.0) - y[i]
            add(out, self.margin, np.inf)  # y_i (Σ_r (2 p_ir − h_ir) + c) ≥ γ
        for r in range(m - 1):  # symmetry breaking: output signs sorted, +1 units first
            add({i_s + r: 1.0, i_s + r + 1: -1.0}, 0.0, np.inf)
        lower, upper = np.full(nvar, -1.0), np.full(nvar, 1.0)
        integrality = np.zeros(nvar)
        lower[i_s:i_s + m], integrality[i_s:i_s + m] = 0.0, 1
        for i in range(n):
            for r in range(m):
                lower[h(i, r):h(i, r) + 3] = 0.0
                upper[h(i, r)], upper[h(i, r) + 2] = M[i], M[i]
                integrality[h(i, r) + 1] = 1
        res = milp(np.zeros(nvar), constraints=LinearConstraint(np.array(rows), lo, hi),
                   integrality=integrality, bounds=Bounds(lower, upper),
                   options={"time_limit": self.time_limit_s, "presolve": True})
        if res.x is not None:
            x = res.x
            W = x[iW:iW + nW].reshape(m, k)
            a = 2 * np.round(x[i_s:i_s + m]) - 1
            witness = _witness(W, x[ib:ib + nb], a, x[ic])
            if res.status == 0:
                return Decision(REALIZABLE, witness, solver_status="optimal")
            return Decision(REALIZABLE, witness, solver_status=f"milp status {res.status} with a feasible point")
        if res.status == 2:
            return Decision(UNREALIZABLE, solver_status="infeasible", exact=False,
                            certificate=f"MILP infeasible: no net in [−1,1] with margin ≥ {self.margin:g}")
        return Decision(INCONCLUSIVE, solver_status=f"milp status {res.status}: {res.message}")


class GradientFitOracle(_ReluOracle):
    """Heuristic: fit a width-m ReLU net by Adam on the hinge loss; realizable only with a verified witness."""

    def __init__(self, width: int, *, seed: int = 0, steps: int = FIT_STEPS, restarts: int = FIT_RESTARTS) -> None:
        super().__init__(width)
        self.seed, self.steps, self.restarts = int(seed), int(steps), int(restarts)
        self.name = f"ReLU nets of width {width} (gradient fit, heuristic)"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        Xt = torch.as_tensor(np.asarray(X, dtype=np.float64))
        yt = torch.as_tensor(np.asarray(y, dtype=np.float64))
        for restart in range(self.restarts):
            gen = torch.Generator().manual_seed(self.seed * 1000 + restart)
            W = torch.randn(self.width, Xt.shape[1], generator=gen, dtype=torch.float64).requires_grad_()
            b = torch.randn(self.width, generator=gen, dtype=torch.float64).requires_grad_()
            a = torch.randn(self.width, generator=gen, dtype=torch.float64).requires_grad_()
            c = torch.zeros((), dtype=torch.float64, requires_grad=True)
            opt = torch.optim.Adam([W, b, a, c], lr=FIT_LR)
            for _ in range(self.steps):
                opt.zero_grad()
                f = torch.relu(Xt @ W.T + b) @ a + c
                loss = torch.relu(1.0 - yt * f).mean()
                if loss.item() == 0.0:
                    break
                loss.backward()
                opt.step()
            with torch.no_grad():
                # push |a_r| into the hidden layer: a_r·relu(z) = sign(a_r)·relu(|a_r|·z)
                scale = a.abs().clamp_min(1e-300)
                witness = _witness((W * scale[:, None]).numpy(), (b * scale).numpy(), torch.sign(a).numpy(),
                                   float(c))
            decision = Decision(REALIZABLE, witness, solver_status="optimal")
            if self.verify(X, y, decision):
                return decision
        return Decision(INCONCLUSIVE, solver_status="heuristic fit did not realize the labeling")
