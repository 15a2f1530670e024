"""C11 (the parametrization's consequences at finite width) has no hunt plan yet.

Its three checks landed after ``advaudit hunt``: each loops over every activation and depth inside one Monte-Carlo
family (Bonferroni over the whole run), and C11-parametrization has no hypothesis space in theory/spaces.py. A hunt
needs a per-configuration measurement factored out of numerics.checks.c11_parametrization and a space (σ, H, m,
number of networks, d, n, seed) first; until then ``advaudit hunt`` says so instead of searching.
"""
from __future__ import annotations

from numerics.checks.hunts.plan import HuntPlan

_WHY = ("not hunted yet: C11 landed after advaudit hunt; it needs a hypothesis space in theory/spaces.py and a "
        "per-(σ, H) measurement factored out of numerics.checks.c11_parametrization")
PLANS: dict[str, HuntPlan] = {}
NOT_HUNTED = {"C11-layer-normalization": _WHY, "C11-ntk-diagonal": _WHY, "C11-nngp-variance": _WHY}
