"""Shattering by exhaustive enumeration: is every labeling of N points realized by a class?

A point set X (N×k) is shattered by a class H when all 2^N labelings y ∈ {±1}^N are realized by some
h ∈ H (here: strictly, y_i·f(x_i) > 0, so sign(0) realizes neither label). An :class:`Oracle` answers one
labeling with a :class:`Decision` — *realizable* with a witness, *unrealizable* with a certificate, or
*inconclusive* — and re-checks its own answers in exact arithmetic. :func:`shatter` enumerates every
labeling (in chunks, vectorized when the oracle is), keeps every witness/certificate, and accepts an answer
only when that exact re-check passes: a witness that fails it is *rejected*, never counted.

Labeling i (0 ≤ i < 2^N) gives point j the label +1 when bit j of i is set, −1 otherwise.
"""
from __future__ import annotations

import abc
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

from theory.errors import InputError

MAX_ENUMERATION_POINTS = 24  # 2^24 ≈ 1.7e7 labelings: the most an exhaustive enumeration is allowed to attempt
VECTOR_CHUNK = 2**15  # labelings per call of a vectorized oracle (bounds memory at N = 24 to a few hundred MB)
LOOP_CHUNK = 64  # labelings per call of a per-labeling oracle (progress granularity only)
KEPT_REJECTIONS = 5  # rejected answers kept verbatim in a result (all are counted)

# Per-labeling status codes.
REALIZABLE = 1  # realizable, witness re-verified exactly
UNREALIZABLE = 0  # unrealizable, certificate re-verified exactly
INCONCLUSIVE = -1  # the oracle could not decide (solver trouble, time limit, heuristic gave up)
REJECTED = -2  # the oracle answered, but its witness/certificate failed the exact re-check
UNCERTIFIED = -3  # 'unrealizable' without an exact certificate (e.g. MILP infeasible within a weight box)
NOT_EVALUATED = -4  # enumeration stopped early at a certified unrealizable labeling
STATUS_NAMES = {REALIZABLE: "realizable", UNREALIZABLE: "unrealizable", INCONCLUSIVE: "inconclusive",
                REJECTED: "rejected", UNCERTIFIED: "uncertified", NOT_EVALUATED: "not evaluated"}


@dataclass(frozen=True)
class Decision:
    """An oracle's answer for one labeling. ``exact`` says an unrealizable answer carries an exact certificate."""

    status: int
    witness: Any = None
    certificate: Any = None
    solver_status: str = "exact"
    exact: bool = True


@dataclass
class BatchDecision:
    """Answers for a block of labelings: per-labeling arrays/sequences, indexable by row of the block."""

    status: np.ndarray
    witnesses: Sequence[Any] | np.ndarray
    certificates: Sequence[Any] | np.ndarray
    exact: np.ndarray
    solver_statuses: dict[str, int] = field(default_factory=dict)


class Oracle(abc.ABC):
    """Decides whether a labeling of a point set is realizable by a class, with exactly checkable evidence.

    Subclasses implement :meth:`decide` and :meth:`verify` (per labeling); vectorized oracles also override
    :meth:`decide_many` / :meth:`verify_many` to treat a whole block of labelings at once.
    """

    name = "oracle"

    @abc.abstractmethod
    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        """Realizability of the labels y ∈ {±1}^N on the points X (N×k)."""

    @abc.abstractmethod
    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        """Exact re-check: the witness realizes y (realizable) or the certificate excludes it (unrealizable)."""

    def decide_many(self, X: np.ndarray, Y: np.ndarray) -> BatchDecision:
        decisions = [self.decide(X, y) for y in Y]
        return BatchDecision(status=np.array([d.status for d in decisions], dtype=np.int8),
                             witnesses=[d.witness for d in decisions],
                             certificates=[d.certificate for d in decisions],
                             exact=np.array([d.exact for d in decisions], dtype=bool),
                             solver_statuses=dict(Counter(d.solver_status for d in decisions)))

    def verify_many(self, X: np.ndarray, Y: np.ndarray, batch: BatchDecision) -> np.ndarray:
        ok = np.zeros(len(Y), dtype=bool)
        for i, y in enumerate(Y):
            if batch.status[i] in (REALIZABLE, UNREALIZABLE):
                decision = Decision(int(batch.status[i]), batch.witnesses[i], batch.certificates[i],
                                    exact=bool(batch.exact[i]))
                ok[i] = self.verify(X, y, decision)
        return ok

    @property
    def vectorized(self) -> bool:
        return type(self).decide_many is not Oracle.decide_many


@dataclass
class ShatterResult:
    """Every labeling's status, the oracle's witnesses/certificates, and the verdict on shattering."""

    n_points: int
    oracle: str
    status: np.ndarray
    chunks: list[tuple[int, BatchDecision]]
    solver_statuses: dict[str, int]
    rejected: list[dict[str, Any]]
    elapsed_s: float

    @property
    def shattered(self) -> bool | None:
        """True: every labeling realized with a verified witness; False: some labeling certified unrealizable;
        None: undecided (inconclusive, rejected or uncertified answers, and no certified failure)."""
        if np.any(self.status == UNREALIZABLE):
            return False
        if np.all(self.status == REALIZABLE):
            return True
        return None

    @property
    def counts(self) -> dict[str, int]:
        values, counts = np.unique(self.status, return_counts=True)
        return {STATUS_NAMES[int(v)]: int(c) for v, c in zip(values, counts)}

    @property
    def n_realizable(self) -> int:
        return int(np.sum(self.status == REALIZABLE))

    @property
    def n_rejected(self) -> int:
        return int(np.sum(self.status == REJECTED))

    def labels(self, index: int) -> np.ndarray:
        return labelings(self.n_points, index, index + 1)[0]

    def decision(self, index: int) -> tuple[int, Any, Any]:
        """(status, witness, certificate) of labeling ``index`` as the oracle returned them."""
        for start, batch in reversed(self.chunks):
            if start <= index < start + len(batch.status):
                return int(self.status[index]), batch.witnesses[index - start], batch.certificates[index - start]
        return int(self.status[index]), None, None

    def first(self, status: int) -> int | None:
        """Index of the first labeling with this status, or None."""
        hits = np.flatnonzero(self.status == status)
        return int(hits[0]) if hits.size else None


def labelings(n_points: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Labelings start..stop−1 of N points as an int8 array of ±1, shape (stop − start, N)."""
    stop = 2**n_points if stop is None else stop
    idx = np.arange(start, stop, dtype=np.int64)
    bits = (idx[:, None] >> np.arange(n_points, dtype=np.int64)[None, :]) & 1
    return (2 * bits - 1).astype(np.int8)


def validate_points(points: Any, *, name: str = "points", max_points: int = MAX_ENUMERATION_POINTS) -> np.ndarray:
    """Points as an (N, k) array (float64, or object array when given exact rationals); InputError on bad input.

    Rejects: not 2-D / empty, non-finite values, duplicate points (a set with a repeated point is never
    shattered, so the question is malformed), and N above ``max_points`` (2^N labelings)."""
    raw = np.asarray(points, dtype=object)
    if raw.ndim != 2 or raw.shape[0] == 0 or raw.shape[1] == 0:
        raise InputError(f"{name} must be a non-empty 2-D array (N, k), got shape {raw.shape}")
    if raw.shape[0] > max_points:
        raise InputError(f"{name}: N = {raw.shape[0]} points exceeds the enumeration cap of {max_points} "
                         f"(2^N labelings)")
    exact = any(isinstance(v, Rational) and not isinstance(v, (int, np.integer, bool)) for v in raw.flat)
    if exact:
        X = np.array([[Fraction(v) if isinstance(v, Rational) else _finite_fraction(v, name) for v in row]
                      for row in raw], dtype=object)
        keys = [tuple(row) for row in X]
    else:
        try:
            X = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name} must be numeric: {exc}") from None
        if not np.all(np.isfinite(X)):
            raise InputError(f"{name} contains NaN or infinite values")
        keys = [tuple(row) for row in X.tolist()]
    seen: dict[tuple, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            raise InputError(f"{name}: duplicate point at rows {seen[key]} and {i}")
        seen[key] = i
    return X


def _finite_fraction(value: Any, name: str) -> Fraction:
    x = float(value)
    if not np.isfinite(x):
        raise InputError(f"{name} contains NaN or infinite values")
    return Fraction(x)


def shatter(points: Any, oracle: Oracle, *, stop_at_unrealizable: bool = False,
            chunk_size: int | None = None) -> ShatterResult:
    """Enumerate all 2^N labelings of ``points`` and decide each with ``oracle``; verify every answer exactly.

    ``stop_at_unrealizable`` ends the enumeration at the first certified unrealizable labeling (enough to
    know the set is not shattered); the remaining labelings are marked NOT_EVALUATED.
    """
    if not isinstance(oracle, Oracle):
        raise InputError(f"oracle must be a numerics.capacity.shattering.Oracle, got {type(oracle).__name__}")
    X = validate_points(points)
    n = X.shape[0]
    total = 2**n
    chunk = chunk_size or (VECTOR_CHUNK if oracle.vectorized else LOOP_CHUNK)
    if chunk < 1:
        raise InputError(f"chunk_size must be ≥ 1, got {chunk_size}")
    status = np.full(total, NOT_EVALUATED, dtype=np.int8)
    chunks: list[tuple[int, BatchDecision]] = []
    solver: Counter[str] = Counter()
    rejected: list[dict[str, Any]] = []
    start_time = time.perf_counter()
    for start in range(0, total, chunk):
        Y = labelings(n, start, min(total, start + chunk))
        batch = oracle.decide_many(X, Y)
        ok = oracle.verify_many(X, Y, batch)
        claimed = batch.status.astype(np.int8)
        out = np.full(len(Y), INCONCLUSIVE, dtype=np.int8)
        out[(claimed == REALIZABLE) & ok] = REALIZABLE
        out[(claimed == UNREALIZABLE) & batch.exact & ok] = UNREALIZABLE
        out[(claimed == UNREALIZABLE) & ~batch.exact] = UNCERTIFIED
        bad = ((claimed == REALIZABLE) | ((claimed == UNREALIZABLE) & batch.exact)) & ~ok
        out[bad] = REJECTED
        for i in np.flatnonzero(bad)[:max(0, KEPT_REJECTIONS - len(rejected))]:
            rejected.append({"index": start + int(i), "labels": Y[i].tolist(),
                             "claimed": STATUS_NAMES[int(claimed[i])], "witness": batch.witnesses[i],
                             "certificate": batch.certificates[i]})
        status[start:start + len(Y)] = out
        chunks.append((start, batch))
        solver.update(batch.solver_statuses)
        if stop_at_unrealizable and np.any(out == UNREALIZABLE):
            break
    return ShatterResult(n_points=n, oracle=oracle.name, status=status, chunks=chunks,
                         solver_statuses=dict(solver), rejected=rejected,
                         elapsed_s=time.perf_counter() - start_time)
