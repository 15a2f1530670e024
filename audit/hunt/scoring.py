"""How one example is scored: its verdict (audit.judge), its smallest relative margin, and one target per relation.

The relative margin of a comparison is (margin + tolerance) / max(1, |measured|, |bound|, interval width): ≥ 0
exactly when the relation holds within its named tolerance, relative for large quantities and absolute for
small ones, so that margins of one relation compare across configurations. Comparisons of the same relation
at different configurations share a family name — the name with its configuration tags ("[m=256, H=1]",
"(n=4, d=3)", "d=2,") removed — and the search targets the smallest margin of each family separately (a relation
that is tight everywhere by construction cannot hide the others). Encoding rows (the suite's own encoding
against itself) are not scored at all; the example's headline margin is the smallest over the rows
audit.judge.informative_rows keeps (inequality and interval rows; agreement rows only when there is nothing else),
as the judge picks a consistent check's deciding comparison.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from audit.judge import informative_rows
from theory.evidence import Comparison, Evidence

MAX_FAMILIES = 12  # targets per example: the tightest families (Hypothesis optimizes each label separately)
_TAGS = (re.compile(r"\[[^\]]*\]"), re.compile(r"\([^)]*=[^)]*\)"), re.compile(r"\S+=\S+"))


def relative_margin(c: Comparison) -> float | None:
    """(margin + tolerance) / scale (module docstring); None for a comparison with non-finite values."""
    if not c.finite:
        return None
    scale = max(1.0, abs(c.measured), abs(c.bound))
    if c.interval is not None:
        scale = max(scale, c.interval[1] - c.interval[0])
    return (c.margin + c.tolerance) / scale


def family(name: str) -> str:
    """The relation a comparison states, without the configuration it was measured at."""
    for pattern in _TAGS:
        name = pattern.sub(" ", name)
    return " ".join(name.split()).replace(" :", ":").strip(" :,")


@dataclass
class Score:
    """The smallest relative margin of an example, where it is attained, and the per-family minima."""

    value: float | None
    comparison: str | None
    margin: float | None
    tolerance: float | None
    families: dict[str, float]
    non_finite: int


def score(ev: Evidence) -> Score:
    values = [(relative_margin(c), c) for c in ev.comparisons if not c.encoding]
    finite = [(v, c) for v, c in values if v is not None]
    families: dict[str, float] = {}
    for v, c in finite:
        key = family(c.name)
        families[key] = min(v, families.get(key, math.inf))
    tightest = sorted(families.items(), key=lambda kv: kv[1])[:MAX_FAMILIES]
    if not finite:
        return Score(None, None, None, None, dict(tightest), len(values))
    c = min(informative_rows([c for _, c in finite]), key=relative_margin)
    v = relative_margin(c)
    return Score(v, c.name, c.margin, c.tolerance, dict(tightest), len(values) - len(finite))
