"""A claim's hypothesis space: the configurations its stated assumptions allow, as named parameter domains.

``advaudit hunt`` draws its examples from a claim's space (audit/hunt/strategies.py) and docs/claims.md prints
it, so what a claim assumes and where it is searched cannot drift apart. Each parameter names the hypothesis of
the claim it encodes — the exact text of an entry of ``Claim.hypotheses`` (tests/theory/test_spaces.py enforces
it) — or, with ``hypothesis=None``, says in its note why the claim leaves it free. Domains are the runnable part
of the space; where the claim allows more (every width m ≥ m*), the note says what the search leaves out.

A parameter may have a ``floor``: a lower bound computed from the parameters drawn before it (C1: m ≥ m*(ε, R,
ℓ, σ)), so that the search never leaves the space instead of filtering it. A :class:`Constraint` states a
relation between parameters that is filtered (an example violating it is discarded, never measured).

Pure Python: no numpy, torch or hypothesis here.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = ("integer", "power-of-two", "real", "choice")


@dataclass(frozen=True)
class Parameter:
    """One named coordinate of a hypothesis space.

    ``values``: integer → (low, high) inclusive; power-of-two → (low_exp, high_exp), the value is 2^k;
    real → (low, high) closed; choice → the options, simplest first (the search shrinks toward the first).
    """

    name: str
    kind: str
    values: tuple[Any, ...]
    hypothesis: str | None = None
    note: str = ""
    floor: Callable[[dict[str, Any]], float] | None = field(default=None, compare=False)
    floor_names: tuple[str, ...] = ()
    floor_text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice":
            if not self.values or len(set(self.values)) != len(self.values):
                raise ValueError(f"parameter {self.name!r}: choices must be distinct and non-empty")
        else:
            low, high = self.values
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise ValueError(f"parameter {self.name!r}: needs finite low ≤ high, got {self.values!r}")
            if self.kind in ("integer", "power-of-two") and not all(isinstance(v, int) for v in self.values):
                raise ValueError(f"parameter {self.name!r}: integer bounds expected, got {self.values!r}")

    def contains(self, value: Any) -> bool:
        """Is ``value`` in the domain (ignoring the floor, which depends on the other parameters)?"""
        if self.kind == "choice":
            return value in self.values
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        low, high = self.values
        if self.kind == "integer":
            return isinstance(value, int) and low <= value <= high
        if self.kind == "power-of-two":
            return isinstance(value, int) and value > 0 and value & (value - 1) == 0 and \
                2 ** low <= value <= 2 ** high
        return low <= value <= high

    def narrowed(self, values: tuple[Any, ...]) -> Parameter:
        """The same parameter on a sub-domain; ValueError if ``values`` reaches outside this domain."""
        sub = replace(self, values=tuple(values))
        if self.kind == "choice":
            outside = [v for v in sub.values if v not in self.values]
        else:
            ends = sub.values if self.kind != "power-of-two" else tuple(2 ** k for k in sub.values)
            outside = [v for v in ends if not self.contains(v)]
        if outside:
            raise ValueError(f"narrowing {self.name!r} to {values!r} leaves its domain {self.describe()}")
        return sub

    def describe(self) -> str:
        """The domain in words: '2^4 … 2^12', '[0.05, 0.9]', '1 … 8', 'relu, softplus'."""
        if self.kind == "choice":
            return ", ".join(str(v) for v in self.values)
        low, high = self.values
        if self.kind == "power-of-two":
            text = f"2^{low} … 2^{high}"
        elif self.kind == "integer":
            text = f"{low} … {high}"
        else:
            text = f"[{low:g}, {high:g}]"
        return text + (f", ≥ {self.floor_text}" if self.floor_text else "")


def integer(name: str, low: int, high: int, **kw: Any) -> Parameter:
    return Parameter(name, "integer", (low, high), **kw)


def power_of_two(name: str, low_exp: int, high_exp: int, **kw: Any) -> Parameter:
    return Parameter(name, "power-of-two", (low_exp, high_exp), **kw)


def real(name: str, low: float, high: float, **kw: Any) -> Parameter:
    return Parameter(name, "real", (float(low), float(high)), **kw)


def choice(name: str, options: tuple[Any, ...], **kw: Any) -> Parameter:
    return Parameter(name, "choice", tuple(options), **kw)


@dataclass(frozen=True)
class Constraint:
    """A relation between parameters that every configuration of the space satisfies (text for the catalogue)."""

    text: str
    names: tuple[str, ...]
    holds: Callable[[dict[str, Any]], bool] = field(compare=False)
    hypothesis: str | None = None


@dataclass(frozen=True)
class HypothesisSpace:
    """The named parameters of a claim's hypothesis space, in drawing order, and the constraints between them."""

    parameters: tuple[Parameter, ...]
    constraints: tuple[Constraint, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names in {names}")
        for k, p in enumerate(self.parameters):
            if p.floor is not None and not set(p.floor_names) <= set(names[:k]):
                raise ValueError(f"the floor of {p.name!r} needs {p.floor_names}, drawn before it")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r} in this space (has {', '.join(self.names)})")

    def subspace(self, names: tuple[str, ...], narrow: dict[str, tuple[Any, ...]] | None = None) -> HypothesisSpace:
        """The parameters ``names`` (in the space's order), some narrowed; constraints over them only.

        Narrowing can only shrink a domain (ValueError otherwise): a search built from a subspace stays inside
        the claim's hypothesis space.
        """
        narrow = dict(narrow or {})
        unknown = (set(names) | set(narrow)) - set(self.names)
        if unknown:
            raise ValueError(f"not parameters of this space: {sorted(unknown)}")
        if set(narrow) - set(names):
            raise ValueError(f"narrowed parameters must be drawn: {sorted(set(narrow) - set(names))}")
        params = tuple(p.narrowed(narrow[p.name]) if p.name in narrow else p
                       for p in self.parameters if p.name in names)
        return HypothesisSpace(params, tuple(c for c in self.constraints if set(c.names) <= set(names)), self.note)

    def violations(self, config: dict[str, Any]) -> list[str]:
        """Why ``config`` lies outside the space ([] when inside): domains, floors, constraints."""
        out = []
        for p in self.parameters:
            if p.name not in config:
                out.append(f"{p.name} missing")
                continue
            value = config[p.name]
            if not p.contains(value):
                out.append(f"{p.name} = {value!r} outside {p.describe()}")
            elif p.floor is not None and value < p.floor(config):
                out.append(f"{p.name} = {value!r} below {p.floor_text} = {p.floor(config):g}")
        for c in self.constraints:
            if all(n in config for n in c.names) and not c.holds(config):
                out.append(f"violates {c.text}")
        return out
