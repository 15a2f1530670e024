"""Counterexamples found by `advaudit hunt` on the checks as landed, pinned: each is still violated, with a
re-verified counterexample, at its configuration (inside the claim's hypothesis space). When a check or claim is
corrected, its pinned case fails here: move it to the check's fixed grid as a regression case, or drop it."""
import pytest

from audit.judge import judge
from numerics.checks.hunts.plan import plan_for
from theory.claims import REGISTRY

PINNED = [(claim, spec, config) for claim in REGISTRY.values() for spec in claim.checks
          if plan_for(spec) is not None for config in plan_for(spec).pinned]


@pytest.mark.parametrize("claim, spec, config", PINNED, ids=[f"{s.id}-{k}" for k, (_, s, _) in enumerate(PINNED)])
def test_a_pinned_counterexample_is_inside_the_space_and_still_violated(claim, spec, config):
    plan = plan_for(spec)
    assert claim.space.subspace(plan.draws, plan.narrow).violations(config) == []
    ev = judge(plan.measure(dict(config), **({"family_size": 2 * plan.max_examples} if plan.multiplicity else {})))
    assert ev.verdict == "violated" and any(c.reverified for c in ev.counterexamples)
