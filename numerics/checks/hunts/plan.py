"""A hunt plan: how ``advaudit hunt`` measures one check at one configuration of its claim's hypothesis space.

``measure(config, **parts) -> Evidence`` runs the check's own per-configuration code at ``config`` (the drawn
parameters, by name) and returns the evidence of that one configuration; ``parts`` are the check's keyword
arguments that change the code under test (a trainer class, an attack, a flag) — the planted registry's broken
parts reach a hunt through them. ``sizes`` are the check's keyword arguments that only size its fixed grid
(``widths``, ``seeds``…): a hunt draws those itself and drops them.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from theory.claims import CheckSpec
from theory.evidence import Evidence

Measure = Callable[..., Evidence]


@dataclass(frozen=True)
class HuntPlan:
    """One check's hunt: the parameters it draws from the claim's space (narrowed only inside it), its measurement,
    the check's grid size at the fast tier (to compare with the examples a hunt needs) and its default limits.

    ``pinned``: counterexamples a hunt found, replayed first by every hunt of the check (Hypothesis explicit
    examples) and by tests/numerics/checks/hunts/test_pinned.py; ``multiplicity``: the measurement takes
    ``family_size`` (the most examples a hunt may measure) to adjust statistical intervals for the search."""

    check_id: str
    measure: Measure
    draws: tuple[str, ...]
    grid_examples: int
    narrow: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    budget_s: float = 40.0
    example_limit_s: float = 30.0
    max_examples: int = 300
    multiplicity: bool = False
    not_hunted: str = ""
    pinned: tuple[dict[str, Any], ...] = ()

    def split_parameters(self, parameters: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The check keyword arguments a hunt passes on (parts) and the names it drops (sizes); KeyError for any
        other name, so that a planted part is never dropped by mistake."""
        unknown = set(parameters) - set(self.parts) - set(self.sizes)
        if unknown:
            raise KeyError(f"{self.check_id}: the hunt does not know the check argument(s) {sorted(unknown)}")
        return ({k: v for k, v in parameters.items() if k in self.parts},
                sorted(k for k in parameters if k in self.sizes))


def _plans_module(spec: CheckSpec):
    module = spec.target.split(":")[0]
    if not module.startswith("numerics.checks."):
        return None
    return importlib.import_module(f"numerics.checks.hunts.{module.rsplit('.', 1)[1].split('_')[0]}")


def plan_for(spec: CheckSpec) -> HuntPlan | None:
    """The plan of a numerical check: ``numerics.checks.cN_x:check`` → ``numerics.checks.hunts.cN.PLANS[spec.id]``;
    None for symbolic checks (theory/checks/) and for a numerical check its module lists in ``NOT_HUNTED``."""
    plans = _plans_module(spec)
    return None if plans is None else plans.PLANS.get(spec.id)


def not_hunted_reason(spec: CheckSpec) -> str | None:
    """Why a numerical check has no plan (``NOT_HUNTED`` of its hunts module), or None."""
    plans = _plans_module(spec)
    return None if plans is None else getattr(plans, "NOT_HUNTED", {}).get(spec.id)
