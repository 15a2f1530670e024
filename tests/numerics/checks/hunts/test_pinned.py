"""Counterexamples found by `advaudit hunt`, pinned. Each led to a correction of its check (C5's size scale, C6's
judged ladder rows, C8's encoded exponent) and is now a regression case of the check's fixed grid: every run of
the check measures it, and every hunt replays it first. Here each is inside the claim's hypothesis space and,
replayed by the hunt's measurement, holds: it is no longer violated."""
import importlib

import pytest

from audit.judge import judge
from numerics.checks.hunts.plan import plan_for
from theory.claims import REGISTRY

PINNED = [(claim, spec, config) for claim in REGISTRY.values() for spec in claim.checks
          if plan_for(spec) is not None for config in plan_for(spec).pinned]


def test_three_counterexamples_are_pinned():
    assert sorted({spec.id for _, spec, _ in PINNED}) == ["C5-ntk-rate", "C6-attack-strength", "C8-robust-loss-vs-R"]


@pytest.mark.parametrize("claim, spec, config", PINNED, ids=[f"{s.id}-{k}" for k, (_, s, _) in enumerate(PINNED)])
def test_a_pinned_counterexample_is_a_regression_case_of_the_fixed_grid_and_now_holds(claim, spec, config):
    plan = plan_for(spec)
    assert claim.space.subspace(plan.draws, plan.narrow).violations(config) == []
    check_module = importlib.import_module(spec.target.split(":")[0])
    assert config in [dict(case) for case in check_module.REGRESSION_CASES]
    ev = judge(plan.measure(dict(config), **({"family_size": 2 * plan.max_examples} if plan.multiplicity else {})))
    assert ev.verdict != "violated", ev.verdict_reason
    assert not ev.counterexamples
