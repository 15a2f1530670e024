"""Hunt plans of C9 (robust interpolation needs VC dimension Ω(nd)): one exact construction per example.

- ``C9-linf-conventions``: the ℓ∞ template at the drawn (n, d): template size ≤ n, the ⌊n/2⌋·d q-points shattered
  by closed-box forcing, and every oracle answer re-checked exactly (numerics.checks.c9_vc's forcing case and
  witness audit).
- ``C9-l2-kim``: the ℓ2 template at the drawn (n, d, k): the exact threshold ρ*² = (k − 1)/k, k·⌊n/2⌋ points
  shattered at ρ*, fewer labelings forced just below, and the witness audit.
- ``C9-known-classes``: the exact oracles against the classes of known VC dimension at the drawn d
  (numerics.capacity.known_vc; the 2-D ReLU XOR case only at d = 2, as the check).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from numerics.capacity.known_vc import known_cases
from numerics.capacity.shattering import Oracle
from numerics.capacity.vc_constructions import LinfTemplate
from numerics.checks import c9_vc
from numerics.checks.hunts.plan import HuntPlan
from theory.evidence import Evidence


def _offset(q_offset: Any) -> Fraction:
    return Fraction(1) if q_offset is None else Fraction(q_offset)


def measure_linf(config: dict[str, Any], *, oracle: Oracle | None = None, q_offset: Any = None,
                 extra_groups: int = 0) -> Evidence:
    """The paper's forcing argument on the ℓ∞ template at one (n, d), exactly."""
    c9_vc._check_oracle(oracle)
    n, d = config["n"], config["d"]
    ev = Evidence(claim_id=c9_vc.CLAIM, check_id="C9-linf-conventions", tier="fast", config=dict(config))
    results: list = []
    template = LinfTemplate(n, d, c9_vc.DELTA, q_offset=_offset(q_offset), groups=n // 2 + extra_groups)
    c9_vc._forcing_case(ev, template, oracle, results)
    c9_vc._witness_audit(ev, results, c9_vc._reverify_witness)
    c9_vc._statuses(ev, [r for _, r, _ in results])
    return ev


def measure_kim(config: dict[str, Any], *, oracle: Oracle | None = None, q_offset: Any = None,
                extra_groups: int = 0) -> Evidence:
    """The ℓ2 template's threshold and shattering at one (n, d, k), exactly."""
    c9_vc._check_oracle(oracle)
    n, d, k = config["n"], config["d"], config["k"]
    ev = Evidence(claim_id=c9_vc.CLAIM, check_id="C9-l2-kim", tier="fast", config=dict(config))
    results: list = []
    c9_vc.kim_threshold(ev, k, _offset(q_offset))
    c9_vc.kim_shattering(ev, n, d, k, _offset(q_offset), extra_groups, oracle, results)
    c9_vc._witness_audit(ev, results, c9_vc._reverify_witness)
    c9_vc._statuses(ev, [r for _, r, _ in results])
    return ev


def measure_known(config: dict[str, Any], *, oracle: Oracle | None = None) -> Evidence:
    """Every known-VC case at one d, each oracle's answer against the expected one (re-verified exactly)."""
    c9_vc._check_oracle(oracle)
    d = config["d"]
    ev = Evidence(claim_id=c9_vc.CLAIM, check_id="C9-known-classes", tier="fast", config=dict(config))
    for case in known_cases(d):
        if d == 2 or "ReLU" not in case.name:
            c9_vc._known_row(ev, case, oracle)
    return ev


_PARTS = ("oracle", "q_offset", "extra_groups")
PLANS = {
    "C9-linf-conventions": HuntPlan(
        "C9-linf-conventions", measure_linf, ("n", "d"), grid_examples=2, parts=_PARTS,
        budget_s=20.0, not_hunted="the per-convention table (it compares conventions with each other at the grid's "
                                  "cases) and the strict-gap capacity per group"),
    "C9-l2-kim": HuntPlan(
        "C9-l2-kim", measure_kim, ("n", "d", "k"), grid_examples=3, parts=_PARTS, budget_s=20.0,
        not_hunted="the largest-k table over the ρ² grid (a function of the thresholds, each hunted)"),
    "C9-known-classes": HuntPlan(
        "C9-known-classes", measure_known, ("d",), grid_examples=len(c9_vc.KNOWN_VC_DIMS["fast"]),
        narrow={"d": (2, 4)}, parts=("oracle",), budget_s=20.0,
        not_hunted="d ≥ 5 (the exact oracles enumerate 2^(d+1) labelings of the simplex) and the threshold "
                   "control"),
}
