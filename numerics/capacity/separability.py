"""Exact LP/SOCP oracles for (robust) linear separability, with witnesses and certificates checked in Q.

Class: h(x) = sign(wᵀx + b) (``offset=True``) or sign(wᵀx); a labeling y is realized when
y_i(wᵀx_i + b) > 0 for every i (sign(0) realizes neither label). The LP is margin-normalized,
y_i(wᵀx_i + b) ≥ 1 (HiGHS); its solution is converted exactly to rationals and re-checked. Infeasibility is
certified by Farkas weights α ≥ 0, Σα = 1, Σ α_i y_i x_i = 0 (and Σ α_i y_i = 0 with offset), solved exactly
on the support of a vertex solution: then Σ α_i y_i(wᵀx_i + b) = 0 for every (w, b), so not all terms are > 0.

Robust version (closed balls B_p(x_i, δ), with offset): y_i(wᵀx_i + b) > δ‖w‖_q for all i, q the dual norm
(ℓ2 → ℓ2 via a cvxpy SOCP with Clarabel; ℓ∞ → ℓ1, an LP). Unrealizable iff the convex hulls of the two
classes are within 2δ in ℓ_p; the certificate is a pair of convex combinations at ℓ_p distance ≤ 2δ,
checked exactly (squared for ℓ2). Solver outcomes other than a clean optimum or a clean infeasibility, and
certificates that do not survive the exact check, are inconclusive.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import cvxpy as cp
import numpy as np
from scipy.optimize import linprog

from numerics.capacity.exact_rational import dot, fraction_rows, solve_rational, to_fraction
from numerics.capacity.shattering import INCONCLUSIVE, REALIZABLE, UNREALIZABLE, Decision, Oracle
from theory.errors import InputError, positive_number

NORMS = ("l2", "linf")
LP_TIME_LIMIT_S = 10.0  # per LP; a time-out is reported inconclusive
SUPPORT_REL_TOL = 1e-9  # Farkas weights below this fraction of the largest are treated as off the support
# Rationalization of robust certificates: convex weights are rounded with these denominator caps in turn,
# small first (hull distances attained at simple rational weights, e.g. exactly 2δ, survive), then fine ones.
CERT_DENOMINATORS = (10, 100, 10**3, 10**4, 10**6, 10**9, 10**12)


class HalfspaceOracle(Oracle):
    """Strict linear separability by sign(wᵀx + b) (offset) or sign(wᵀx) (homogeneous), decided by LP."""

    def __init__(self, *, offset: bool = True, time_limit_s: float = LP_TIME_LIMIT_S) -> None:
        self.offset = bool(offset)
        self.time_limit_s = positive_number("time_limit_s", time_limit_s)
        self.name = "halfspaces with offset (LP)" if self.offset else "homogeneous halfspaces (LP)"

    def _design(self, X: np.ndarray) -> np.ndarray:
        Xf = np.asarray(X, dtype=np.float64)
        return np.hstack([Xf, np.ones((len(Xf), 1))]) if self.offset else Xf

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        Z = self._design(X) * np.asarray(y, dtype=np.float64)[:, None]  # rows y_i·(x_i, 1)
        res = linprog(np.zeros(Z.shape[1]), A_ub=-Z, b_ub=-np.ones(len(Z)), bounds=(None, None), method="highs",
                      options={"time_limit": self.time_limit_s})
        if res.status == 0:
            return Decision(REALIZABLE, tuple(Fraction(float(v)) for v in res.x), solver_status="optimal")
        if res.status != 2:
            return Decision(INCONCLUSIVE, solver_status=f"linprog status {res.status}: {res.message}")
        alpha = self._farkas(X, y, Z)
        if alpha is None:
            return Decision(INCONCLUSIVE, solver_status="infeasible, but no exact Farkas certificate")
        return Decision(UNREALIZABLE, certificate=alpha, solver_status="exact")

    def _farkas(self, X: np.ndarray, y: np.ndarray, Z: np.ndarray) -> tuple[Fraction, ...] | None:
        """α ≥ 0 with Σα = 1 and Σ α_i y_i (x_i, 1) = 0, solved exactly on a vertex's support."""
        A_eq = np.vstack([Z.T, np.ones((1, len(Z)))])
        b_eq = np.r_[np.zeros(Z.shape[1]), 1.0]
        res = linprog(np.zeros(len(Z)), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds",
                      options={"time_limit": self.time_limit_s})
        if res.status != 0:
            return None
        rows = self._exact_rows(X, y)
        support = [i for i in range(len(Z)) if res.x[i] > SUPPORT_REL_TOL * max(res.x)]
        for cols in (support, list(range(len(Z)))):
            A = [[rows[i][r] for i in cols] for r in range(len(rows[0]))] + [[Fraction(1)] * len(cols)]
            b = [Fraction(0)] * len(rows[0]) + [Fraction(1)]
            z = solve_rational(A, b, [res.x[i] for i in cols])
            if z is not None and all(v >= 0 for v in z):
                alpha = [Fraction(0)] * len(Z)
                for i, v in zip(cols, z):
                    alpha[i] = v
                return tuple(alpha)
        return None

    def _exact_rows(self, X: np.ndarray, y: np.ndarray) -> list[list[Fraction]]:
        Xq = fraction_rows(X)
        return [[int(yi) * v for v in (row + [Fraction(1)] if self.offset else row)] for row, yi in zip(Xq, y)]

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        rows = self._exact_rows(X, y)
        if decision.status == REALIZABLE:
            w = decision.witness
            return w is not None and len(w) == len(rows[0]) and all(dot(r, w) > 0 for r in rows)
        alpha = decision.certificate
        if alpha is None or len(alpha) != len(rows) or any(a < 0 for a in alpha) or sum(alpha) != 1:
            return False
        return all(sum((a * r[c] for a, r in zip(alpha, rows)), Fraction(0)) == 0 for c in range(len(rows[0])))


class RobustHalfspaceOracle(Oracle):
    """sign(wᵀx + b) correct on every closed ball B_p(x_i, δ): y_i(wᵀx_i + b) > δ‖w‖_q (q dual to p)."""

    def __init__(self, radius: Any, *, norm: str = "l2", time_limit_s: float = LP_TIME_LIMIT_S) -> None:
        if norm not in NORMS:
            raise InputError(f"norm must be one of {NORMS}, got {norm!r}")
        try:
            self.radius = to_fraction(radius)
        except InputError:
            raise InputError(f"radius must be a finite number ≥ 0, got {radius!r}") from None
        if self.radius < 0:
            raise InputError(f"radius must be ≥ 0, got {radius!r}")
        self.norm = norm
        self.time_limit_s = positive_number("time_limit_s", time_limit_s)
        self.name = f"robust halfspaces, closed {norm} balls of radius {float(self.radius):g}"
        self._plain = HalfspaceOracle(offset=True, time_limit_s=time_limit_s)

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        y = np.asarray(y)
        k = np.asarray(X).shape[1]
        if np.all(y == y[0]):  # w = 0, b = y_0: margin 1 on every ball
            return Decision(REALIZABLE, (Fraction(0),) * k + (Fraction(int(y[0])),), solver_status="closed-form")
        if self.radius == 0:
            plain = self._plain.decide(X, y)
            if plain.status != UNREALIZABLE:
                return plain
            # Farkas α with Σ α_i y_i = 0 splits its mass 1/2 : 1/2 between the classes → convex weights 2α
            return Decision(UNREALIZABLE, certificate=tuple(2 * a for a in plain.certificate), solver_status="exact")
        Xf = np.asarray(X, dtype=np.float64)
        yf = y.astype(np.float64)
        delta = float(self.radius)
        if self.norm == "linf":  # variables (w, b, t) with t ≥ |w|: y_i(wᵀx_i + b) − δ Σ t ≥ 1
            n = len(Xf)
            A = np.zeros((n + 2 * k, 2 * k + 1))
            A[:n, :k] = -yf[:, None] * Xf
            A[:n, k] = -yf
            A[:n, k + 1:] = delta
            A[n:n + k, :k], A[n:n + k, k + 1:] = np.eye(k), -np.eye(k)
            A[n + k:, :k], A[n + k:, k + 1:] = -np.eye(k), -np.eye(k)
            b = np.r_[-np.ones(n), np.zeros(2 * k)]
            res = linprog(np.zeros(2 * k + 1), A_ub=A, b_ub=b, bounds=(None, None), method="highs",
                          options={"time_limit": self.time_limit_s})
            status, x = {0: "optimal", 2: "infeasible"}.get(res.status, f"linprog status {res.status}"), res.x
            w_b = None if x is None else x[:k + 1]
        else:
            w, bb = cp.Variable(k), cp.Variable()
            prob = cp.Problem(cp.Minimize(0), [cp.multiply(yf, Xf @ w + bb) >= delta * cp.norm(w, 2) + 1])
            try:
                prob.solve(solver=cp.CLARABEL, time_limit=self.time_limit_s)
                status = prob.status
            except cp.error.SolverError as exc:
                status = f"solver error: {exc}"
            w_b = None if w.value is None else np.r_[w.value, bb.value]
        if status == "optimal" and w_b is not None:
            return Decision(REALIZABLE, tuple(Fraction(float(v)) for v in w_b), solver_status="optimal")
        if status != "infeasible":
            return Decision(INCONCLUSIVE, solver_status=str(status))
        cert = self._hull_certificate(Xf, y)
        if cert is None:
            return Decision(INCONCLUSIVE, solver_status="infeasible, but no exact hull-distance certificate")
        return Decision(UNREALIZABLE, certificate=cert, solver_status="exact")

    def _hull_certificate(self, Xf: np.ndarray, y: np.ndarray) -> tuple[Fraction, ...] | None:
        """Convex weights λ (each class sums to 1) whose combinations are ≤ 2δ apart in ℓ_p, exactly."""
        pos, neg = np.flatnonzero(y > 0), np.flatnonzero(y < 0)
        lam = cp.Variable(len(Xf), nonneg=True)
        gap = Xf[pos].T @ lam[pos] - Xf[neg].T @ lam[neg]
        objective = cp.norm(gap, "inf") if self.norm == "linf" else cp.sum_squares(gap)
        prob = cp.Problem(cp.Minimize(objective), [cp.sum(lam[pos]) == 1, cp.sum(lam[neg]) == 1])
        try:
            prob.solve(solver=cp.CLARABEL)
        except cp.error.SolverError:
            return None
        if lam.value is None:
            return None
        for denominator in CERT_DENOMINATORS:  # small denominators first: boundary cases often have simple weights
            q = [Fraction(max(float(v), 0.0)).limit_denominator(denominator) for v in lam.value]
            totals = [sum((q[i] for i in idx), Fraction(0)) for idx in (pos, neg)]
            if 0 in totals:
                continue
            for idx, total in zip((pos, neg), totals):
                for i in idx:
                    q[i] /= total
            if self.verify(Xf, y, Decision(UNREALIZABLE, certificate=tuple(q))):
                return tuple(q)
        return None

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        Xq = fraction_rows(X)
        k = len(Xq[0])
        if decision.status == REALIZABLE:
            wb = decision.witness
            if wb is None or len(wb) != k + 1:
                return False
            w, b = wb[:k], wb[k]
            margins = [int(yi) * (dot(w, x) + b) for x, yi in zip(Xq, y)]
            if self.norm == "linf":
                return all(m > self.radius * sum(abs(v) for v in w) for m in margins)
            return all(m > 0 and m * m > self.radius**2 * dot(w, w) for m in margins)
        lam = decision.certificate
        if lam is None or len(lam) != len(Xq) or any(v < 0 for v in lam):
            return False
        pos = [i for i in range(len(Xq)) if y[i] > 0]
        neg = [i for i in range(len(Xq)) if y[i] < 0]
        if sum((lam[i] for i in pos), Fraction(0)) != 1 or sum((lam[i] for i in neg), Fraction(0)) != 1:
            return False
        gap = [sum((lam[i] * Xq[i][c] for i in pos), Fraction(0)) - sum((lam[i] * Xq[i][c] for i in neg), Fraction(0))
               for c in range(k)]
        if self.norm == "linf":
            return max(abs(v) for v in gap) <= 2 * self.radius
        return dot(gap, gap) <= 4 * self.radius**2

