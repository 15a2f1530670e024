"""The yardstick: a hunt finds planted errors within its plan's default budget (a cheap subset; all of them:
`advaudit hunt --planted`). Each must end in a violation that was shrunk and reproduced from scratch."""
import pytest

from audit.hunt.search import hunt
from numerics.checks.hunts.plan import plan_for
from numerics.planted.registry import planted_errors
from theory.claims import REGISTRY

CHEAP = {
    "C0-linear-closed-form": ("attack returns points at twice the radius", "closed form without the δ‖w‖_* term"),
    "C0-network-attacks": ("closed-form maximizer with the wrong sign",),
    "C1-finite-width": ("gradient ascent instead of descent",),
    "C2-finite-width": ("PGD with the gradient at the clean point posing as exact",),
    "C3-empirical-radius": ("gradient bound G underestimated 50×",),
    "C5-ntk-rate": ("analytic kernel with a wrong c_σ (1.0)", "analytic recursion missing the h = 1 term"),
    "C7-lazy-movement": ("projection onto 2R instead of R",),
    "C8-robust-loss-vs-R": ("solver kernel misses a layer term", "perturbation moved along +y·w (best case)"),
    "C8-antipodal-obstruction": ("obstruction applied to a softplus net",),
    "C9-linf-conventions": tuple(planted_errors("C9-linf-conventions")),
    "C9-l2-kim": tuple(planted_errors("C9-l2-kim")),
    "C10-capacity-widths": ("training PGD with the gradient at the clean point",),
    "C11-layer-normalization": tuple(planted_errors("C11-layer-normalization")),
    "C11-nngp-variance": tuple(planted_errors("C11-nngp-variance")),
}
SPECS = {spec.id: (claim, spec) for claim in REGISTRY.values() for spec in claim.checks}
CASES = [(check_id, description) for check_id, descriptions in CHEAP.items() for description in descriptions]


@pytest.mark.parametrize("check_id, description", CASES, ids=[f"{c}: {d}" for c, d in CASES])
def test_the_hunt_finds_a_cheap_planted_error_within_its_default_budget(check_id, description):
    claim, spec = SPECS[check_id]
    plan = plan_for(spec)
    result = hunt(claim.id, claim.space, plan, budget_s=plan.budget_s, max_examples=plan.max_examples,
                  example_limit_s=plan.example_limit_s, seed=0, database_dir=None,
                  parts=planted_errors(check_id)[description], planted=description)
    assert result.outcome == "violated", (result.stopped, result.worst and result.worst.config)
    assert result.replay is not None and result.replay["reproduced"]
    assert claim.space.subspace(plan.draws, plan.narrow).violations(result.violation.config) == []
