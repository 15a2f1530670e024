"""C0-network-attacks: consistent on the fast tier; each planted fault is caught (violated), NaN is inconclusive."""
import pytest

from audit.judge import judge
from numerics.checks import c0_attacks
from numerics.checks.c0_attacks import check_network_attacks
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


@pytest.mark.parametrize("planted,needle", [
    ({"attack": "outside-ball"}, "membership"),
    ({"attack": "wrong-sign-linear"}, "linear-exact"),
    ({"bound": "ibp-dropped-term"}, "planted IBP bound"),
])
def test_planted_faults_are_violated(small_tier, planted, needle):
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0), **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert all(c.reverified for c in ev.counterexamples) and needle in ev.counterexamples[0].comparison


def test_small_tier_without_faults_is_consistent(small_tier):
    assert judge(check_network_attacks(RunContext(tier="fast", seed=0))).verdict == "consistent"


def test_nan_attack_is_inconclusive_never_a_pass(small_tier):
    ev = judge(check_network_attacks(RunContext(tier="fast", seed=0), attack="nan"))
    assert ev.verdict == "inconclusive" and "non-finite" in ev.inconclusive_reasons[0]


def test_unknown_planted_fault_is_input_error():
    with pytest.raises(InputError, match="planted attack"):
        check_network_attacks(RunContext(), attack="typo")
