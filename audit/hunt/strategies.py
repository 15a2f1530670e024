"""A claim's hypothesis space as a Hypothesis strategy of configurations (dicts keyed by parameter name).

Parameters are drawn in the space's order, each inside its domain: a floor computed from the parameters drawn
before it raises the lower end (C1: m ≥ m*), and a configuration that breaks a constraint of the space is
rejected (``assume``), so every example lies in the claim's hypothesis space. Cheap first: half of the draws of a
power-of-two parameter (a width) come from its three smallest admissible values, and every parameter shrinks
toward the simplest value (the lowest number, the first option). Reals are rounded to 4 significant digits so
that reported configurations read cleanly.
"""
from __future__ import annotations

import math
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from theory.hypothesis_space import HypothesisSpace, Parameter

CHEAP_POWERS = 3  # a width is drawn from its 3 smallest admissible values half of the time


def _round(value: float, low: float, high: float) -> float:
    return min(high, max(low, float(f"{value:.4g}")))


def parameter_strategy(p: Parameter, drawn: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The values of one parameter given the parameters drawn before it."""
    if p.kind == "choice":
        return st.sampled_from(p.values)
    low, high = p.values
    if p.floor is not None:
        floor = p.floor(drawn)
        if p.kind == "power-of-two":
            low = max(low, math.ceil(math.log2(floor)) if floor > 1 else low)
        else:
            low = max(low, math.ceil(floor) if p.kind == "integer" else floor)
        assume(low <= high)
    if p.kind == "real":
        return st.floats(low, high, allow_nan=False, allow_infinity=False).map(lambda v: _round(v, low, high))
    if p.kind == "integer":
        return st.integers(low, high)
    cheap = st.integers(low, min(high, low + CHEAP_POWERS - 1))
    return st.one_of(cheap, st.integers(low, high)).map(lambda k: 2 ** k)


def config_strategy(space: HypothesisSpace) -> st.SearchStrategy[dict[str, Any]]:
    """Configurations of ``space``: every parameter in its domain and above its floor, every constraint met."""

    @st.composite
    def configs(draw: st.DrawFn) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for p in space.parameters:
            config[p.name] = draw(parameter_strategy(p, config))
        for c in space.constraints:
            assume(c.holds(config))
        return config

    return configs()
