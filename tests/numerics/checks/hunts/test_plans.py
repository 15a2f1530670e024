"""Every numerical check has a hunt plan that draws from its claim's space and passes the check's own parts."""
import inspect

import pytest
from hypothesis import Phase, find, settings

from audit.hunt.strategies import config_strategy
from audit.judge import judge
from audit.runner import resolve
from numerics.checks.hunts.plan import not_hunted_reason, plan_for
from numerics.planted.registry import planted_errors
from theory.claims import REGISTRY

ALL_NUMERICAL = [(claim, spec) for claim in REGISTRY.values() for spec in claim.checks
                 if spec.target.startswith("numerics.checks.")]
NUMERICAL = [(claim, spec) for claim, spec in ALL_NUMERICAL if not_hunted_reason(spec) is None]
IDS = [spec.id for _, spec in NUMERICAL]


@pytest.mark.parametrize("claim, spec", ALL_NUMERICAL, ids=[spec.id for _, spec in ALL_NUMERICAL])
def test_a_numerical_check_has_a_plan_or_says_why_not(claim, spec):
    reason = not_hunted_reason(spec)
    assert (plan_for(spec) is None) == (reason is not None)
    assert reason is None or reason.startswith("not hunted yet: ")


@pytest.mark.parametrize("claim, spec", NUMERICAL, ids=IDS)
def test_each_numerical_check_has_a_plan_inside_its_claims_space(claim, spec):
    plan = plan_for(spec)
    assert plan is not None and plan.check_id == spec.id
    space = claim.space.subspace(plan.draws, plan.narrow)  # narrowing outside the space raises
    assert set(space.names) == set(plan.draws)
    assert plan.grid_examples >= 1 and plan.budget_s > 0 and plan.example_limit_s > 0


@pytest.mark.parametrize("claim, spec", NUMERICAL, ids=IDS)
def test_the_plan_knows_every_argument_of_the_check_and_every_planted_error(claim, spec):
    plan = plan_for(spec)
    params = inspect.signature(resolve(spec.target)).parameters.values()
    keywords = {p.name for p in params if p.kind == p.KEYWORD_ONLY}
    if any(p.kind == p.VAR_KEYWORD for p in params):  # C5 takes its planted faults (and sizes) as **planted
        keywords |= {k for kwargs in planted_errors(spec.id).values() for k in kwargs}
        assert keywords <= set(plan.parts) | set(plan.sizes)
    else:
        assert keywords == set(plan.parts) | set(plan.sizes)
    measure = inspect.signature(plan.measure).parameters.values()
    accepted = {p.name for p in measure} if all(p.kind != p.VAR_KEYWORD for p in measure) else set(plan.parts)
    for kwargs in planted_errors(spec.id).values():
        parts, _ = plan.split_parameters(kwargs)
        assert set(parts) <= accepted


@pytest.mark.parametrize("claim, spec", NUMERICAL, ids=IDS)
def test_the_simplest_configuration_is_measured_and_not_violated(claim, spec):
    plan = plan_for(spec)
    config = find(config_strategy(claim.space.subspace(plan.draws, plan.narrow)), lambda c: True,
                  settings=settings(phases=[Phase.generate], database=None, derandomize=True))  # the first example
    kwargs = {"family_size": 10} if plan.multiplicity else {}
    ev = judge(plan.measure(config, **kwargs))
    assert ev.comparisons and ev.verdict != "violated", (config, ev.verdict_reason)
    assert ev.check_id == spec.id and ev.claim_id == claim.id
