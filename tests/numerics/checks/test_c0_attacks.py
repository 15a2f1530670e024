"""C0-network-attacks: consistent on the fast tier; each planted fault is caught (violated), NaN is inconclusive."""
import pytest

from audit.judge import judge
from numerics.checks import c0_attacks
from numerics.adversarial.attacks import PGD
from numerics.checks.c0_attacks import check_network_attacks
from numerics.planted.attacks import NaNAttack, OutsideBallAttack, WrongSignLinearMaximizer
from numerics.planted.bounds import ibp_upper_dropped_radius_term
from theory.errors import InputError
from theory.evidence import RunContext

SMALL = dict(activations=("tanh",), norms=("linf", "l2"), nets=((2, 8, 2),), radii=(0.2,), n=4,
             grid_points=41, random_samples=16, pgd=(10, 2))


@pytest.fixture
def small_tier(monkeypatch):
    monkeypatch.setitem(c0_attacks._TIERS, "fast", SMALL)


def test_fast_tier_is_consistent():
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0)))
    assert ev.verdict == "consistent", ev.verdict_reason
    names = [c.name for c in ev.comparisons]
    assert any("L* (MILP)" in n for n in names) and any("grid certificate" in n for n in names)
    assert any("linear-exact" in n for n in names) and any("membership" in n for n in names)
    assert "optimal" in ev.solver_statuses and not ev.counterexamples
    control = ev.controls[0].evidence          # the 10 %-weaker bound is beaten in every case
    assert control.verdict == "violated" and all(not c.holds for c in control.comparisons)
    assert all(c.reverified for c in control.counterexamples)


@pytest.mark.parametrize("planted,needle", [
    ({"extra_attacks": (OutsideBallAttack,)}, "membership"),
    ({"linear_maximizer": WrongSignLinearMaximizer}, "linear-exact"),
    ({"upper_bound": ibp_upper_dropped_radius_term}, "upper bound ibp_upper_dropped_radius_term"),
])
def test_planted_faults_are_violated(small_tier, planted, needle):
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0), **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert all(c.reverified for c in ev.counterexamples) and needle in ev.counterexamples[0].comparison


def test_small_tier_without_faults_cannot_resolve_its_control_so_it_is_vacuous(small_tier):
    """On a width-8 tanh net CROWN is looser than the gain of the last 10 % of the radius: the weak-bound control
    is not violated, so the check cannot tell a sound bound from a weak one there and says so."""
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0)))
    assert ev.verdict == "vacuous" and "weak bound" in ev.verdict_reason
    assert all(c.holds for c in ev.comparisons) and ev.controls[0].evidence.verdict != "violated"


def test_nan_attack_is_inconclusive_never_a_pass(small_tier):
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0), extra_attacks=(NaNAttack,)))
    assert ev.verdict == "inconclusive" and "non-finite" in ev.inconclusive_reasons[0]


def test_parts_that_are_not_attacks_or_bounds_are_input_errors():
    with pytest.raises(InputError, match="extra_attacks"):
        check_network_attacks(RunContext(), extra_attacks=("outside-ball",))
    with pytest.raises(InputError, match="linear_maximizer"):
        check_network_attacks(RunContext(), linear_maximizer=PGD)
    with pytest.raises(InputError, match="upper_bound"):
        check_network_attacks(RunContext(), upper_bound=1.0)


def test_on_a_real_data_set_the_attacks_stay_below_the_certified_bound():
    """At the fast tier (the small test tier's one tanh net and four points are too few for the 0.9·δ control to
    catch anything on this data set: it would be vacuous, rightly)."""
    ev = judge(check_network_attacks(RunContext(data="breast_cancer")))
    assert ev.verdict == "consistent", ev.verdict_reason
    assert ev.config["data"]["name"] == "breast_cancer"


def test_fgsm_is_exact_on_linear_models_and_a_descending_fgsm_is_violated(small_tier, monkeypatch):
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0)))
    rows = [c for c in ev.comparisons if "FGSM exact on a linear model" in c.name]
    assert len(rows) == 2 * len(c0_attacks.FGSM_EXACT_LOSSES) and all(c.holds for c in rows)

    class DescendingFGSM(c0_attacks.FGSM):      # the one-sign bug: a step along −∇
        def _run(self, model, X, y):
            return 2 * X - super()._run(model, X, y)

    monkeypatch.setattr(c0_attacks, "FGSM", DescendingFGSM)
    bad = judge(check_network_attacks(RunContext(tier="fast", seed=0)))
    assert bad.verdict == "violated"
    assert any("FGSM exact" in c.comparison and c.reverified for c in bad.counterexamples)
