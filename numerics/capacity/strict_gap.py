"""The strict-gap obstruction for ℓ∞ templates, and the decision-stump class that refutes ⌊n/2⌋·d.

Two closed ℓ∞ boxes B̄(a, δ), B̄(b, δ) at positive gap (‖a − b‖∞ > 2δ) are split along one coordinate j:
|a_j − b_j| > 2δ. So a labeling of a point set P is forced by one admissible pair {(a, +1), (b, −1)} iff
P₊ and P₋ each fit in a δ-box (coordinate ranges ≤ 2δ) and some coordinate strictly separates them
(min P₊_j > max P₋_j or the reverse); with one side empty the other pair point is put far away. Such
labelings are decision stumps, so a group shatters at most VC(stumps on R^d) points, which is
≤ max{N : 2^N ≤ 2 + 2d(N − 1)} = O(log d) (each coordinate cuts N sorted points in N − 1 places, two
orientations, plus the two constant labelings).

Stumps also *meet* the hypothesis for n = 2 wherever it can be met: a pair of opposite labels at ℓ∞
distance ≥ 2δ (> 2δ under strict separation) differs by that much in some coordinate j, and
f(x) = σ·s·(x_j − t) with t the midpoint separates the two balls (a step function replaces it when the
constraint sets are open, the gap is exactly 2δ and a margin is asked). With VC ≤ 5 < 6 = ⌊2/2⌋·6 at d = 6
(2 + 2·6·5 = 62 < 64 = 2^6) this refutes the exact bound for n = 2, d ≥ 6.

n = 3: the maximum or minimum of two stumps ("two-stump class") meets the hypothesis for every admissible
dataset of ≤ 3 points: one label is carried by a single point b, each other point a_i differs from b by the
separation in some coordinate, the stump s_i of the pair (a_i, b) separates their balls, and f = max(s_1, s_2)
(b labelled −1) or min(s_1, s_2) (b labelled +1) is right on every ball because each s_i is. It induces at most
2·(2 + 2d(N − 1))² labelings of N points, so its VC dimension is ≤ max{N : 2^N ≤ 2(2 + 2d(N − 1))²} = O(log d),
below ⌊3/2⌋·d = d from some d₃ on (:func:`two_stump_refutation_d`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import permutations
from typing import Any

import numpy as np

from numerics.capacity.exact_rational import fraction_rows, to_fraction
from numerics.capacity.shattering import REALIZABLE, UNREALIZABLE, Decision, Oracle, ShatterResult, shatter
from numerics.capacity.vc_constructions import Convention, Dataset, Geometry
from theory.errors import InputError

MAX_SEARCH_POINTS = 7  # exhaustive ordering search: (7!/2) = 2520 orderings per coordinate at most


def stump_labeling_bound(n_points: int, d: int) -> int:
    """Most labelings decision stumps (both orientations, constants included) induce on N points in R^d."""
    return 2 if n_points <= 1 else 2 + 2 * d * (n_points - 1)


def counting_vc_upper_bound(labeling_bound: Callable[[int, int], int], d: int) -> int:
    """max{N : 2^N ≤ labeling_bound(N, d)}: no larger set is shattered by a class inducing at most that many
    labelings of N points in R^d (exact integers; the bound grows polynomially in N)."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InputError(f"d must be a positive integer, got {d!r}")
    n = 1
    while 2 ** (n + 1) <= labeling_bound(n + 1, d):
        n += 1
    return n


def stump_vc_upper_bound(d: int) -> int:
    """max{N : 2^N ≤ 2 + 2d(N − 1)}: no larger set is shattered by stumps in R^d (exact integers)."""
    return counting_vc_upper_bound(stump_labeling_bound, d)


class BoxPairOracle(Oracle):
    """Labelings of P forced by one pair {(a, +1), (b, −1)} of closed ℓ∞ δ-boxes with ‖a − b‖∞ > 2δ."""

    def __init__(self, delta: Any) -> None:
        self.delta = to_fraction(delta)
        if self.delta <= 0:
            raise InputError(f"delta must be > 0, got {delta!r}")
        self.name = f"pairs of closed ℓ∞ boxes of radius {self.delta} at positive gap"

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        P = fraction_rows(X)
        k = len(P[0])
        sides = {s: [p for p, v in zip(P, y) if v == s] for s in (1, -1)}
        for s, pts in sides.items():
            for c in range(k):
                if pts and max(p[c] for p in pts) - min(p[c] for p in pts) > 2 * self.delta:
                    return Decision(UNREALIZABLE, certificate=("range", s, c), solver_status="exact")
        if not sides[1] or not sides[-1]:
            s = 1 if sides[1] else -1
            a = self._fit(sides[s], k, None)
            b = (a[0] + 3 * self.delta,) + a[1:]  # the other pair point: far, no point to cover
            return Decision(REALIZABLE, witness=(a, b) if s == 1 else (b, a), solver_status="exact")
        for c in range(k):
            for s in (1, -1):
                hi, lo = sides[s], sides[-s]
                if min(p[c] for p in hi) > max(p[c] for p in lo):
                    a = self._fit(hi, k, (c, min(p[c] for p in hi) + self.delta))
                    b = self._fit(lo, k, (c, max(p[c] for p in lo) - self.delta))
                    return Decision(REALIZABLE, witness=(a, b) if s == 1 else (b, a), solver_status="exact")
        return Decision(UNREALIZABLE, certificate=("no splitting coordinate",), solver_status="exact")

    @staticmethod
    def _fit(pts: list[list[Fraction]], k: int, pinned: tuple[int, Fraction] | None) -> tuple[Fraction, ...]:
        """A box centre covering pts: the midpoint of their range, except one pinned coordinate."""
        centre = [(min(p[c] for p in pts) + max(p[c] for p in pts)) / 2 for c in range(k)]
        if pinned is not None:
            centre[pinned[0]] = pinned[1]
        return tuple(centre)

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        P = fraction_rows(X)
        k = len(P[0])
        if decision.status == REALIZABLE:
            if decision.witness is None or len(decision.witness) != 2:
                return False
            a, b = decision.witness
            if max(abs(u - v) for u, v in zip(a, b)) <= 2 * self.delta:
                return False
            return all(max(abs(pc - cc) for pc, cc in zip(p, a if v == 1 else b)) <= self.delta
                       for p, v in zip(P, y))
        cert = decision.certificate
        pos = [p for p, v in zip(P, y) if v == 1]
        neg = [p for p, v in zip(P, y) if v == -1]
        if cert and cert[0] == "range":
            pts = pos if cert[1] == 1 else neg
            c = cert[2]
            return bool(pts) and max(p[c] for p in pts) - min(p[c] for p in pts) > 2 * self.delta
        if cert == ("no splitting coordinate",):
            # every coordinate's ranges overlap, so |a_j − b_j| ≤ 2δ for all j whenever P± ⊂ B̄(a|b, δ)
            return bool(pos) and bool(neg) and all(
                min(p[c] for p in pos) <= max(p[c] for p in neg) and min(p[c] for p in neg) <= max(p[c] for p in pos)
                for c in range(k))
        return False


def _cut_mask(order: tuple[int, ...], n_points: int) -> int:
    """Bitmask of the bipartitions {prefix, suffix} of an ordering (each normalized to omit the last point)."""
    full, mask, prefix = (1 << n_points) - 1, 0, 0
    for p in order[:-1]:
        prefix |= 1 << p
        side = full ^ prefix if prefix >> (n_points - 1) & 1 else prefix
        mask |= 1 << (side - 1)
    return mask


def covering_orderings(n_points: int, d: int) -> list[tuple[int, ...]] | None:
    """d orderings of N points whose cuts give every bipartition (= N points shattered by stumps in R^d), or None.

    Exhaustive: the first ordering is the identity (relabel the points), orderings count up to reversal,
    and a depth-first search branches on the orderings that cover the first uncovered bipartition, pruning
    when the remaining N − 1 cuts per coordinate cannot cover what is left. None is a proof of impossibility."""
    if not 1 <= n_points <= MAX_SEARCH_POINTS:
        raise InputError(f"n_points must be in 1..{MAX_SEARCH_POINTS} for the exhaustive search, got {n_points}")
    if n_points == 1:
        return [(0,)] * d
    need = (1 << (2 ** (n_points - 1) - 1)) - 1
    classes: dict[int, tuple[int, ...]] = {}
    for order in permutations(range(n_points)):
        if order[0] < order[-1]:
            classes.setdefault(_cut_mask(order, n_points), order)
    masks = sorted(classes, key=lambda m: -bin(m).count("1"))
    by_cut = {bit: [m for m in masks if m >> bit & 1] for bit in range(need.bit_length())}
    failed: set[tuple[int, int]] = set()

    def search(covered: int, left: int) -> list[int] | None:
        if covered == need:
            return []
        missing = need & ~covered
        if left == 0 or bin(missing).count("1") > left * (n_points - 1) or (covered, left) in failed:
            return None
        bit = (missing & -missing).bit_length() - 1
        for m in by_cut[bit]:
            rest = search(covered | m, left - 1)
            if rest is not None:
                return [m] + rest
        failed.add((covered, left))
        return None

    identity = tuple(range(n_points))
    found = search(_cut_mask(identity, n_points), d - 1)
    if found is None:
        return None
    chosen = [identity] + [classes[m] for m in found]
    return chosen + [identity] * (d - len(chosen))


def points_from_orderings(orderings: list[tuple[int, ...]]) -> np.ndarray:
    """Integer points whose coordinate c sorts them in orderings[c]: X[p, c] = position of p (exact in float64)."""
    n = len(orderings[0])
    X = np.zeros((n, len(orderings)))
    for c, order in enumerate(orderings):
        for pos, p in enumerate(order):
            X[p, c] = pos
    return X


@dataclass(frozen=True)
class GroupCapacity:
    """Most points one group can shatter under strict separation in R^d, and how each side is proven."""

    d: int
    verified: int  # largest N with a point set whose shattering was verified with exact witnesses
    upper_bound: int  # no larger set is shattered
    upper_proof: str  # "counting" (2^N > 2 + 2d(N − 1)) or "exhaustive search" (no covering orderings)
    points: np.ndarray
    shatterings: tuple[tuple[np.ndarray, Fraction, ShatterResult], ...]  # (points, box radius, result) per N tried


def strict_gap_capacity(d: int, *, oracle: Oracle | None = None) -> GroupCapacity:
    """Exact per-group capacity of 2-point templates under strict separation: verified lower bound by
    enumerating all labelings of a constructed set (``oracle`` defaults to :class:`BoxPairOracle`), upper
    bound by counting or by exhaustive ordering search."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InputError(f"d must be a positive integer, got {d!r}")
    counting = stump_vc_upper_bound(d)
    best, best_points, runs = 0, np.zeros((0, d)), []
    upper, proof = counting, "counting"
    for n in range(1, counting + 1):
        orderings = covering_orderings(n, d)
        if orderings is None:
            upper, proof = n - 1, "exhaustive search"
            break
        X = points_from_orderings(orderings)
        delta = Fraction(max(1, n))  # coordinates are 0..n−1: one box of this radius holds all of X
        result = shatter(X, oracle if oracle is not None else BoxPairOracle(delta))
        runs.append((X, delta, result))
        if result.shattered is not True:
            break
        best, best_points = n, X
    return GroupCapacity(d, best, upper, proof, best_points, tuple(runs))


@dataclass(frozen=True)
class Stump:
    """f(x) = scale·orientation·(x_j − t) + offset ('linear'), or ±1 by the side of x_j vs t ('step')."""

    kind: str
    j: int
    orientation: int
    t: Fraction
    scale: Fraction
    offset: Fraction = Fraction(0)


def stump_interpolator(dataset: Dataset, geometry: Geometry, convention: Convention) -> Stump | None:
    """A stump robustly interpolating a dataset of ≤ 2 points under the convention, or None if stumps cannot
    (only when the convention's hypothesis is unmeetable: constraint sets of the pair meet)."""
    if geometry.norm != "linf":
        raise InputError("stump interpolators are for ℓ∞ balls")
    labels = {y for _, y in dataset}
    if len(dataset) > 2:
        raise InputError(f"dataset must have at most 2 points, got {len(dataset)}")
    if len(labels) == 1:
        return Stump("linear", 0, 1, Fraction(0), Fraction(0), Fraction(next(iter(labels))))
    (a, ya), (b, _) = dataset
    plus, minus = (a, b) if ya == 1 else (b, a)
    j = max(range(len(plus)), key=lambda c: abs(plus[c] - minus[c]))
    diff = plus[j] - minus[j]
    orientation = 1 if diff > 0 else -1
    t = (plus[j] + minus[j]) / 2
    half_gap = abs(diff) / 2 - geometry.radius  # inf over a constraint set of y·σ·(x_j − t)
    if convention.output == "sign":
        return Stump("linear", j, orientation, t, Fraction(1))
    if half_gap > 0:
        return Stump("linear", j, orientation, t, 1 / half_gap)
    if convention.functions == "arbitrary" and not convention.closed_sets and half_gap == 0:
        return Stump("step", j, orientation, t, Fraction(1))
    return None


def stump_robustly_interpolates(dataset: Dataset, geometry: Geometry, convention: Convention, stump: Stump) -> bool:
    """Exact check that the stump is correct (sign) or ≥ 1 in margin on every constraint set of the dataset."""
    for x, y in dataset:
        if stump.kind == "linear":
            # y·f over the box: y·f(x) ± scale·δ; the infimum m = y·f(x) − scale·δ (attained iff the box is closed)
            fx = stump.scale * stump.orientation * (x[stump.j] - stump.t) + stump.offset
            m = y * fx - stump.scale * geometry.radius
            attained = convention.closed_sets or stump.scale == 0
            ok = m >= 1 if convention.output == "margin" else (m > 0 if attained else m >= 0)
        else:
            # step: every point of the box must lie strictly on the y side of t (the value at t is +orientation)
            side = y * stump.orientation * (x[stump.j] - stump.t)
            ok = side > geometry.radius if convention.closed_sets else side >= geometry.radius
        if not ok:
            return False
    return True


# ---------------------------------------------------------------- n = 3: maxima and minima of two stumps
def two_stump_labeling_bound(n_points: int, d: int) -> int:
    """Most labelings max/min of two stumps induce on N points in R^d: 2·(stump labelings)²."""
    return 2 * stump_labeling_bound(n_points, d) ** 2


def two_stump_vc_upper_bound(d: int) -> int:
    """max{N : 2^N ≤ 2·(2 + 2d(N − 1))²}: no larger set is shattered by the two-stump class (exact integers)."""
    return counting_vc_upper_bound(two_stump_labeling_bound, d)


def two_stump_refutation_d() -> int:
    """The smallest d whose two-stump VC bound is below ⌊3/2⌋·d = d (the bound is nondecreasing in d)."""
    d = 1
    while two_stump_vc_upper_bound(d) >= d:
        d += 1
    return d


@dataclass(frozen=True)
class TwoStumps:
    """f = max(s_1, s_2) ("max"), min(s_1, s_2) ("min"), or one stump ("one"); ``pairs`` are the 2-point
    datasets each stump was built for (its correctness on them implies f's on the whole dataset)."""

    combine: str
    stumps: tuple[Stump, ...]
    pairs: tuple[Dataset, ...]


def two_stump_interpolator(dataset: Dataset, geometry: Geometry, convention: Convention) -> TwoStumps | None:
    """A two-stump function robustly interpolating a dataset of ≤ 3 points (module docstring), or None when
    some pair's stump does not exist (only when the convention's hypothesis is unmeetable)."""
    if len(dataset) > 3:
        raise InputError(f"dataset must have at most 3 points, got {len(dataset)}")
    labels = [y for _, y in dataset]
    if len(dataset) <= 2 or len(set(labels)) == 1:
        stump = stump_interpolator(dataset[:2] if len(set(labels)) > 1 else dataset[:1], geometry, convention)
        return None if stump is None else TwoStumps("one", (stump,), (dataset[:2] if len(set(labels)) > 1
                                                                     else dataset[:1],))
    lone = next(y for y in labels if labels.count(y) == 1)
    b = next(point for point in dataset if point[1] == lone)
    pairs = tuple((a, b) for a in dataset if a[1] != lone)
    stumps = tuple(stump_interpolator(pair, geometry, convention) for pair in pairs)
    if any(s is None for s in stumps):
        return None
    return TwoStumps("max" if lone == -1 else "min", stumps, pairs)  # type: ignore[arg-type]


def two_stumps_robustly_interpolate(dataset: Dataset, geometry: Geometry, convention: Convention,
                                    f: TwoStumps) -> bool:
    """Exact check: every point of the dataset is covered by the pairs, and each stump is right on its pair."""
    covered = {point for pair in f.pairs for point in pair}
    return set(dataset) <= covered and all(stump_robustly_interpolates(pair, geometry, convention, s)
                                           for pair, s in zip(f.pairs, f.stumps))


def two_stump_labelings(X: np.ndarray) -> set[frozenset[int]]:
    """Positive sets the two-stump class induces on the rows of X (exact: stumps cut sorted coordinates)."""
    P = fraction_rows(X)
    n = len(P)
    single: set[frozenset[int]] = {frozenset(), frozenset(range(n))}
    for c in range(len(P[0])):
        values = sorted({p[c] for p in P})
        for t in values[:-1]:
            upper = frozenset(i for i, p in enumerate(P) if p[c] > t)
            single |= {upper, frozenset(range(n)) - upper}
    return {a | b for a in single for b in single} | {a & b for a in single for b in single}
