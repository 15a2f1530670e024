"""The claims' hypothesis spaces quote the registry's hypotheses, so the two cannot drift apart."""
import pytest

from numerics.checks.hunts.plan import not_hunted_reason
from theory.claims import REGISTRY
from theory.requirements import width_requirements
from theory.spaces import MAX_AFFORDABLE_T, SPACES, derived_width

# Claims with a numerical check that advaudit hunt searches (a check without a plan says why: NOT_HUNTED).
NUMERICAL = [c for c in REGISTRY.values()
             if any(s.target.startswith("numerics.") and not_hunted_reason(s) is None for s in c.checks)]


def test_every_claim_with_a_numerical_check_has_a_space_and_only_those():
    assert {c.id for c in NUMERICAL} == set(SPACES)
    assert all(c.space is SPACES[c.id] for c in NUMERICAL)
    assert all(c.space is None for c in REGISTRY.values() if c not in NUMERICAL)


@pytest.mark.parametrize("claim", NUMERICAL, ids=lambda c: c.id)
def test_each_parameter_quotes_a_hypothesis_of_its_claim_or_says_why_it_is_free(claim):
    for p in claim.space.parameters:
        if p.hypothesis is None:
            assert p.note, f"{claim.id}:{p.name} encodes no hypothesis and says nothing about why"
        else:
            assert p.hypothesis in claim.hypotheses, f"{claim.id}:{p.name} quotes {p.hypothesis!r}"
    for c in claim.space.constraints:
        assert c.hypothesis is None or c.hypothesis in claim.hypotheses


def test_c1_searches_only_widths_above_the_derived_requirement():
    width = SPACES["C1-convergence"].parameter("width")
    config = {"eps": 0.3, "R": 1.5, "depth": 1, "loss": "logistic", "activation": "softplus"}
    required = width_requirements(0.3, 1.5, 1, "logistic", "softplus", d=2, theorem="C1").m
    assert width.floor(config) == derived_width(config) == required
    assert SPACES["C1-convergence"].violations({**config, "delta": 0.5, "n": 16, "width": 2048, "seed": 0}) \
        == [f"width = 2048 below m*(ε, R, H, ℓ, σ) = {required}"]


def test_the_runnable_iteration_limit_is_the_training_checks_own():
    from numerics.checks.shared.training_setup import MAX_AFFORDABLE_T as CHECKS_LIMIT
    assert MAX_AFFORDABLE_T == CHECKS_LIMIT
