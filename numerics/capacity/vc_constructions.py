"""The C9 constructions, checked in exact rational arithmetic under each reading of "robust interpolation".

Claim (docs/claims.md §5 C9): if F robustly interpolates every n-point dataset whose differently labelled points
are ≥ 2δ apart (sign f = y_i on all of B(x_i, δ)), then VCdim(sign ∘ F) ≥ ⌊n/2⌋·d.

* ℓ∞ template (the paper's): groups l with centres c_l = 4δ·l·e_1; shattered points q_{l,j} = c_l + δ·e_j;
  for labels s ∈ {±1}^d of group l the dataset holds (c_l + δs, +1) and (c_l − δs, −1).
* ℓ2 template (Kim, Moon, Yun 2025): k ≤ d points per group, q_{l,j} = c_l + e_j, data c_l ± Σ_j s_j e_j
  (distance 2√k); ratio ρ = radius / half-separation, so radius² = ρ²·k; every q lies in the closed ball of
  its label iff ρ² ≥ (k − 1)/k.

A :class:`Convention` fixes: closed or open balls; separation ≥ 2δ ('non-strict') or > 2δ ('strict');
arbitrary or continuous f; 'sign' (f > 0 on the balls of +1, f < 0 on those of −1; sign(0) realizes neither
label) or 'margin' (y·f ≥ 1 on the balls). What a convention does to a dataset reduces to one fact,
:attr:`Convention.closed_sets`: robust interpolation constrains f on the *closed* balls when the balls are
closed, or when f is continuous with a margin (f ≥ 1 on an open ball forces f ≥ 1 on its closure); otherwise
on the open balls. Then (exactly, for finitely many balls):
  - some f robustly interpolates the dataset iff no two constraint sets of opposite labels meet
    (for continuous f: disjoint compact sets are at positive distance, use a distance function; a closed set
    and an open ball of opposite labels never meet when the open balls are disjoint, since the centres are
    ≥ 2δ apart);
  - the sign of every robust interpolator at q is forced to y iff q lies in a constraint set of label y
    (outside the constraint sets f can be changed freely; on the boundary of an open ball a continuous f may
    vanish, and sign(0) realizes neither label).
Distances are compared in ℓ∞ directly and in ℓ2 squared, so every comparison is exact.
"""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np

from numerics.capacity.exact_rational import to_fraction
from numerics.capacity.shattering import REALIZABLE, UNREALIZABLE, Decision, Oracle
from theory.errors import InputError

BALLS = ("closed", "open")
SEPARATIONS = ("non-strict", "strict")
FUNCTIONS = ("arbitrary", "continuous")
OUTPUTS = ("sign", "margin")
NORMS = ("linf", "l2")

Point = tuple[Fraction, ...]
Dataset = tuple[tuple[Point, int], ...]


@dataclass(frozen=True)
class Convention:
    """One reading of 'F robustly interpolates every dataset whose differently labelled points are 2δ apart'."""

    ball: str
    separation: str
    functions: str
    output: str

    def __post_init__(self) -> None:
        for name, value, allowed in (("ball", self.ball, BALLS), ("separation", self.separation, SEPARATIONS),
                                     ("functions", self.functions, FUNCTIONS), ("output", self.output, OUTPUTS)):
            if value not in allowed:
                raise InputError(f"{name} must be one of {allowed}, got {value!r}")

    @property
    def closed_sets(self) -> bool:
        """Robust interpolation constrains f on closed sets (closed balls, or continuity + margin)."""
        return self.ball == "closed" or (self.functions == "continuous" and self.output == "margin")

    @property
    def strict(self) -> bool:
        return self.separation == "strict"

    @property
    def literal(self) -> bool:
        """The paper's literal reading: closed balls, separation ≥ 2δ, sign (any function class)."""
        return self.ball == "closed" and self.separation == "non-strict" and self.output == "sign"

    @property
    def label(self) -> str:
        sep = "> 2δ" if self.strict else "≥ 2δ"
        return f"{self.ball}, {sep}, {'any' if self.functions == 'arbitrary' else 'continuous'} f, {self.output}"


CONVENTIONS: tuple[Convention, ...] = tuple(Convention(*c) for c in product(BALLS, SEPARATIONS, FUNCTIONS, OUTPUTS))


@dataclass(frozen=True)
class Geometry:
    """Exact comparisons for balls of one radius: ℓ∞ on plain values, ℓ2 on squared values.

    ``radius`` is δ (ℓ∞) or δ² (ℓ2); ``separation`` is the required opposite-label distance D (ℓ∞) or D² (ℓ2)."""

    norm: str
    radius: Fraction
    separation: Fraction

    def __post_init__(self) -> None:
        if self.norm not in NORMS:
            raise InputError(f"norm must be one of {NORMS}, got {self.norm!r}")
        if self.radius < 0 or self.separation < 0:
            raise InputError(f"radius and separation must be ≥ 0, got {self.radius}, {self.separation}")

    def size(self, u: Sequence[Fraction]) -> Fraction:
        """‖u‖∞ (ℓ∞) or ‖u‖₂² (ℓ2)."""
        if self.norm == "linf":
            return max(abs(v) for v in u)
        return sum((v * v for v in u), Fraction(0))

    def distance(self, a: Point, b: Point) -> Fraction:
        return self.size([x - y for x, y in zip(a, b)])

    @property
    def diameter(self) -> Fraction:
        """Size of 2·radius: two balls meet iff their centres are within it (≤ closed, < open)."""
        return 2 * self.radius if self.norm == "linf" else 4 * self.radius

    def in_ball(self, q: Point, centre: Point, closed: bool) -> bool:
        r = self.distance(q, centre)
        return r <= self.radius if closed else r < self.radius

    def balls_meet(self, a: Point, b: Point, closed: bool) -> bool:
        r = self.distance(a, b)
        return r <= self.diameter if closed else r < self.diameter

    def separated(self, a: Point, b: Point, strict: bool) -> bool:
        r = self.distance(a, b)
        return r > self.separation if strict else r >= self.separation


def midpoint(a: Point, b: Point) -> Point:
    return tuple((x + y) / 2 for x, y in zip(a, b))


def opposite_pairs(dataset: Dataset) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(dataset)) for j in range(i + 1, len(dataset)) if dataset[i][1] != dataset[j][1]]


def inadmissible_pair(dataset: Dataset, geometry: Geometry, convention: Convention) -> tuple[int, int] | None:
    """First pair of opposite labels closer than the convention's separation, or None (admissible)."""
    return next(((i, j) for i, j in opposite_pairs(dataset)
                 if not geometry.separated(dataset[i][0], dataset[j][0], convention.strict)), None)


def interpolation_obstruction(dataset: Dataset, geometry: Geometry, convention: Convention
                              ) -> tuple[int, int, Point] | None:
    """A pair of opposite labels whose constraint sets meet, with a shared point (their midpoint), or None.

    None means some f (continuous, even) robustly interpolates the dataset under the convention."""
    for i, j in opposite_pairs(dataset):
        if geometry.balls_meet(dataset[i][0], dataset[j][0], convention.closed_sets):
            return i, j, midpoint(dataset[i][0], dataset[j][0])
    return None


def forced_labels(q: Point, dataset: Dataset, geometry: Geometry, convention: Convention) -> frozenset[int]:
    """Labels of the constraint sets containing q: {y} means every robust interpolator has sign y at q."""
    return frozenset(y for x, y in dataset if geometry.in_ball(q, x, convention.closed_sets))


def _rational(name: str, value: Any, *, sign: str = "positive") -> Fraction:
    """An exact rational; ``sign`` is "positive" (> 0), "nonnegative" (≥ 0) or "any"."""
    try:
        v = to_fraction(value)
    except InputError:
        raise InputError(f"{name} must be a finite number, got {value!r}") from None
    if (sign == "positive" and v <= 0) or (sign == "nonnegative" and v < 0):
        raise InputError(f"{name} must be {'> 0' if sign == 'positive' else '≥ 0'}, got {value!r}")
    return v


def _count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


class _Template(abc.ABC):
    """Shared layout: g groups, centres spaced along e_1, m points per group, a far padding point for odd n."""

    n: int
    d: int
    groups: int | None

    @property
    def n_groups(self) -> int:
        return self.n // 2 if self.groups is None else self.groups

    @property
    @abc.abstractmethod
    def per_group(self) -> int:
        """Template points per group."""

    @property
    @abc.abstractmethod
    def geometry(self) -> Geometry:
        """Norm, radius and required separation of the datasets."""

    @abc.abstractmethod
    def centre(self, l: int) -> Point:
        """Centre c_l of group l."""

    @abc.abstractmethod
    def offsets(self, signs: Sequence[int]) -> Point:
        """The vector u with data c_l + u (label +1) and c_l − u (label −1) for the group's labels."""

    @abc.abstractmethod
    def q_point(self, l: int, j: int) -> Point:
        """Template point j of group l."""

    def q_points(self) -> np.ndarray:
        """The template's shattered points as an object array of Fractions, ordered (group, j)."""
        return np.array([self.q_point(l, j) for l in range(self.n_groups) for j in range(self.per_group)],
                        dtype=object)

    def dataset(self, labels: Sequence[int]) -> Dataset:
        """The dataset D(s) built for labels s of the q-points; an odd n gets a far point (label +1)."""
        m = self.per_group
        if len(labels) != self.n_groups * m:
            raise InputError(f"labels must have {self.n_groups * m} entries, got {len(labels)}")
        data: list[tuple[Point, int]] = []
        for l in range(self.n_groups):
            c, u = self.centre(l), self.offsets([int(v) for v in labels[l * m:(l + 1) * m]])
            data += [(tuple(a + b for a, b in zip(c, u)), 1), (tuple(a - b for a, b in zip(c, u)), -1)]
        if len(data) < self.n:
            data.append((self.centre(self.n_groups), 1))
        return tuple(data)


@dataclass(frozen=True)
class LinfTemplate(_Template):
    """The paper's ℓ∞ template. ``q_offset`` t puts q_{l,j} at c_l + t·δ·e_j (t = 1 in the paper)."""

    n: int
    d: int
    delta: Fraction = Fraction(1)
    q_offset: Fraction = Fraction(1)
    groups: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", _count("n", self.n, 2))
        object.__setattr__(self, "d", _count("d", self.d, 1))
        object.__setattr__(self, "delta", _rational("delta", self.delta))
        object.__setattr__(self, "q_offset", _rational("q_offset", self.q_offset, sign="any"))
        if self.groups is not None:
            object.__setattr__(self, "groups", _count("groups", self.groups, 1))

    @property
    def per_group(self) -> int:
        return self.d

    @property
    def geometry(self) -> Geometry:
        return Geometry("linf", self.delta, 2 * self.delta)

    def centre(self, l: int) -> Point:
        return (4 * self.delta * l,) + (Fraction(0),) * (self.d - 1)

    def offsets(self, signs: Sequence[int]) -> Point:
        return tuple(self.delta * s for s in signs)

    def q_point(self, l: int, j: int) -> Point:
        c = self.centre(l)
        return tuple(c[i] + (self.q_offset * self.delta if i == j else 0) for i in range(self.d))


@dataclass(frozen=True)
class KimL2Template(_Template):
    """Kim–Moon–Yun ℓ2 template with k ≤ d points per group at robustness ratio ρ (given exactly as ρ²)."""

    n: int
    d: int
    k: int
    rho_sq: Fraction
    q_offset: Fraction = Fraction(1)
    groups: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", _count("n", self.n, 2))
        object.__setattr__(self, "d", _count("d", self.d, 1))
        object.__setattr__(self, "k", _count("k", self.k, 1))
        if self.k > self.d:
            raise InputError(f"k must be ≤ d, got k={self.k}, d={self.d}")
        object.__setattr__(self, "rho_sq", _rational("rho_sq", self.rho_sq, sign="nonnegative"))
        object.__setattr__(self, "q_offset", _rational("q_offset", self.q_offset, sign="any"))
        if self.groups is not None:
            object.__setattr__(self, "groups", _count("groups", self.groups, 1))

    @property
    def per_group(self) -> int:
        return self.k

    @property
    def geometry(self) -> Geometry:
        """Radius² = ρ²·k (half-separation √k); required separation² = (2√k)² = 4k."""
        return Geometry("l2", self.rho_sq * self.k, Fraction(4 * self.k))

    def centre(self, l: int) -> Point:
        return (Fraction(4 * self.k * l),) + (Fraction(0),) * (self.d - 1)

    def offsets(self, signs: Sequence[int]) -> Point:
        return tuple(Fraction(signs[i]) if i < self.k else Fraction(0) for i in range(self.d))

    def q_point(self, l: int, j: int) -> Point:
        c = self.centre(l)
        return tuple(c[i] + (self.q_offset if i == j else 0) for i in range(self.d))


def kim_threshold_rho_sq(k: int) -> Fraction:
    """Predicted threshold: every q_{l,j} lies in the closed ball of its label iff ρ² ≥ (k − 1)/k."""
    return Fraction(_count("k", k, 1) - 1, k)


def kim_max_k(rho_sq: Any, d: int) -> int:
    """Largest group size at ratio ρ < 1: k = min(d, ⌊1/(1 − ρ²)⌋)."""
    r = _rational("rho_sq", rho_sq, sign="nonnegative")
    if r >= 1:
        raise InputError(f"rho_sq must be < 1 (balls of opposite labels would meet), got {rho_sq!r}")
    return min(_count("d", d, 1), int(1 / (1 - r)))


def measured_threshold_rho_sq(template: KimL2Template) -> tuple[Fraction, dict[str, Any]]:
    """Smallest ρ² at which every q of group 0 lies in the closed ball of a same-label point, over all labelings
    (exact): max over (s, j) of min over same-label data x of ‖q_j − x‖²/k; returns it with the worst (s, j)."""
    worst, where = Fraction(-1), {}
    for signs in product((-1, 1), repeat=template.k):
        labels = list(signs) * template.n_groups
        data = template.dataset(labels)
        for j in range(template.k):
            q = template.q_point(0, j)
            need = min(sum(((a - b) ** 2 for a, b in zip(q, x)), Fraction(0)) for x, y in data if y == signs[j])
            if need / template.k > worst:
                worst, where = need / template.k, {"labels": signs, "j": j, "squared_distance": need}
    return worst, where


class ForcingOracle(Oracle):
    """The class of labelings s of a template's points that its dataset D(s) forces, checked exactly.

    s is 'realizable' when D(s) has ≤ n points, is admissible (opposite labels separated as the convention
    requires), can be robustly interpolated (when ``require_interpolable``), and every template point q lies
    in a constraint set of D(s) of label s_q and in none of the other label. Then every F meeting the claim's
    hypothesis realizes s on the template points, so a shattered set here is shattered by every such F.
    Witness: D(s). Certificate of the opposite: the first condition D(s) fails, re-checked exactly.
    """

    def __init__(self, template: _Template, convention: Convention, *, require_interpolable: bool = True) -> None:
        self.template, self.convention = template, convention
        self.require_interpolable = bool(require_interpolable)
        self.name = f"forced by the template ({convention.label})"

    def _failure(self, X: np.ndarray, y: np.ndarray, data: Dataset) -> dict[str, Any] | None:
        geo, conv = self.template.geometry, self.convention
        if len(data) > self.template.n:
            return {"reason": "too many points", "size": len(data), "n": self.template.n}
        pair = inadmissible_pair(data, geo, conv)
        if pair is not None:
            return {"reason": "not admissible", "pair": pair,
                    "distance": geo.distance(data[pair[0]][0], data[pair[1]][0])}
        if self.require_interpolable:
            obstruction = interpolation_obstruction(data, geo, conv)
            if obstruction is not None:
                return {"reason": "not robustly interpolable", "pair": obstruction[:2], "shared_point": obstruction[2]}
        for idx, (q, label) in enumerate(zip(X, y)):
            labels = forced_labels(tuple(q), data, geo, conv)
            if labels != {int(label)}:
                return {"reason": "not forced", "point": idx, "forced": sorted(labels), "wanted": int(label)}
        return None

    def decide(self, X: np.ndarray, y: np.ndarray) -> Decision:
        data = self.template.dataset(y)
        failure = self._failure(X, y, data)
        if failure is None:
            return Decision(REALIZABLE, witness=data, solver_status="exact")
        return Decision(UNREALIZABLE, certificate={**failure, "dataset": data}, solver_status="exact")

    def verify(self, X: np.ndarray, y: np.ndarray, decision: Decision) -> bool:
        if decision.status == REALIZABLE:
            return decision.witness is not None and self._failure(X, y, decision.witness) is None
        cert = decision.certificate
        if not isinstance(cert, dict) or cert.get("dataset") != self.template.dataset(y):
            return False
        failure = self._failure(X, y, cert["dataset"])
        return failure is not None and failure["reason"] == cert.get("reason")
