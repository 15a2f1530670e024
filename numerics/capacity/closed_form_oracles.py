"""Closed-form, vectorized realizability oracles: closed axis-aligned boxes in R^k (intervals when k = 1).

h_{lo,hi}(x) = +1 if lo ≤ x ≤ hi coordinate-wise, −1 otherwise. A labeling is realizable iff the bounding
box of the positive points contains no negative point: the witness is that bounding box (empty when there
are no positives), the certificate is a negative point inside it (every box containing the positives
contains it). Witness and certificate involve only comparisons of the input coordinates, so the numpy
re-check is exact. All labelings of a block are decided at once (2^20 labelings of 20 points in seconds).
"""
from __future__ import annotations

import numpy as np

from numerics.capacity.shattering import REALIZABLE, UNREALIZABLE, BatchDecision, Decision, Oracle
from theory.errors import InputError


class BoxOracle(Oracle):
    """Closed axis-aligned boxes [lo, hi] ⊂ R^k; with k = 1 these are the closed intervals on the line."""

    name = "axis-aligned boxes (closed form)"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        batch = self.decide_many(X, np.asarray(y, dtype=np.int8)[None, :])
        return Decision(int(batch.status[0]), batch.witnesses[0], batch.certificates[0], "closed-form")

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        batch = BatchDecision(np.array([decision.status], dtype=np.int8), np.asarray([decision.witness]),
                              np.asarray([decision.certificate]), np.array([True]))
        return bool(self.verify_many(X, np.asarray(y, dtype=np.int8)[None, :], batch)[0])

    def decide_many(self, X: np.ndarray, Y: np.ndarray) -> BatchDecision:
        X = _float_points(X)
        pos = Y > 0
        B, N = pos.shape
        lo, hi = np.full((B, X.shape[1]), np.inf), np.full((B, X.shape[1]), -np.inf)
        inside = np.ones((B, N), dtype=bool)
        any_pos = pos.any(axis=1)
        for c in range(X.shape[1]):  # per coordinate: first/last positive in sorted order gives the box side
            order = np.argsort(X[:, c], kind="stable")
            ps = pos[:, order]
            first, last = np.argmax(ps, axis=1), N - 1 - np.argmax(ps[:, ::-1], axis=1)
            lo[:, c] = np.where(any_pos, X[order[first], c], np.inf)
            hi[:, c] = np.where(any_pos, X[order[last], c], -np.inf)
            inside &= (X[None, :, c] >= lo[:, c, None]) & (X[None, :, c] <= hi[:, c, None])
        intruder = inside & ~pos
        bad = intruder.any(axis=1)
        status = np.where(bad, UNREALIZABLE, REALIZABLE).astype(np.int8)
        certificate = np.where(bad, np.argmax(intruder, axis=1), -1)
        witness = np.stack([lo, hi], axis=1)  # (B, 2, k)
        return BatchDecision(status, witness, certificate, np.ones(B, dtype=bool), {"closed-form": B})

    def verify_many(self, X: np.ndarray, Y: np.ndarray, batch: BatchDecision) -> np.ndarray:
        X = _float_points(X)
        pos = Y > 0
        B = len(Y)
        witness = np.asarray(batch.witnesses, dtype=np.float64)
        j = np.asarray(batch.certificates, dtype=np.int64)
        has_j = (j >= 0) & (j < X.shape[0])
        jj = np.where(has_j, j, 0)
        inside = np.ones(pos.shape, dtype=bool)
        # certificate: a negative point j with min_{positives} x ≤ x_j ≤ max_{positives} x in every coordinate
        excluded = has_j & ~pos[np.arange(B), jj] & pos.any(axis=1)
        for c in range(X.shape[1]):
            inside &= (X[None, :, c] >= witness[:, 0, c, None]) & (X[None, :, c] <= witness[:, 1, c, None])
            plo = np.where(pos, X[None, :, c], np.inf).min(axis=1)
            phi = np.where(pos, X[None, :, c], -np.inf).max(axis=1)
            excluded &= (X[jj, c] >= plo) & (X[jj, c] <= phi)
        realized = np.all(inside == pos, axis=1)
        status = np.asarray(batch.status)
        return np.where(status == REALIZABLE, realized, np.where(status == UNREALIZABLE, excluded, False))


def _float_points(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X)
    if X.dtype == object:
        raise InputError("points: BoxOracle works on float64 coordinates (comparisons are exact there)")
    return X.astype(np.float64, copy=False)
