"""C9 checks: the ℓ∞ audit is vacuous under the literal reading and false at n = 2 (per-convention table), n = 3
is measured, the ℓ2 check is consistent, and every planted error (lying oracle, wrong offset, wrong group
count) is caught as violated."""
from fractions import Fraction

import pytest

from audit.judge import judge
from numerics.checks.c9_vc import check_l2_kim, check_linf_conventions
from numerics.capacity.shattering import REALIZABLE, Decision, Oracle
from numerics.capacity.vc_constructions import CONVENTIONS
from numerics.planted.oracles import AlwaysRealizableOracle
from numerics.planted.registry import planted_errors
from theory.claims import REGISTRY
from theory.errors import InputError
from theory.evidence import RunContext


class AlwaysRealizable(Oracle):
    """Says every labeling is realizable; ``own_check`` is what it claims its own exact check returns."""
    name = "always realizable"

    def __init__(self, own_check: bool) -> None:
        self.own_check = own_check

    def decide(self, X, y):
        return Decision(REALIZABLE, witness=None, solver_status="optimal")

    def verify(self, X, y, decision):
        return self.own_check


@pytest.fixture(scope="module")
def linf():
    return judge(check_linf_conventions(RunContext(seed=1)))


def test_linf_audit_is_vacuous_under_the_literal_reading_and_false_at_n_2(linf):
    assert linf.verdict == "vacuous" and linf.construction_verdict == "vacuous"
    assert linf.construction_label == ("vacuous under the literal reading; false at n = 2 (VC(stumps on R⁶) = 5 "
                                       "< 6)")
    assert linf.verdict_reason == linf.construction_label and linf.summary["deciding"] is None
    assert all(c.holds for c in linf.comparisons) and not linf.counterexamples
    assert set(linf.solver_statuses) == {"exact"}
    assert any("No bound uniform over n ≥ 2" in n and "Θ(log d)" in n for n in linf.notes)


def test_n_3_is_measured_two_stumps_meet_the_hypothesis_and_fail_the_count_from_d_21(linf):
    rows = linf.measurements["tables"]["C9 at n = 3 (two-stump class: max/min of two stumps)"]["rows"]
    assert [r[2] for r in rows[:4]] == ["4/4", "8/8", "16/16", "32/32"]      # d = 2..5: no refutation there
    assert rows[-1][0] == 21 and rows[-1][3] == 20 and rows[-1][4].startswith("fails")
    n3 = linf.measurements["n3"]
    assert n3["failures"] == 0 and n3["datasets_checked"] > 100 and n3["refutation_d"] == 21


def test_linf_convention_table(linf):
    by_conv = linf.measurements["statement_by_convention"]
    vacuous = {c.label for c in CONVENTIONS if c.closed_sets and not c.strict}
    assert {k for k, v in by_conv.items() if v == "vacuous"} == vacuous and len(vacuous) == 5
    assert {k for k, v in by_conv.items() if v == "fails"} == {c.label for c in CONVENTIONS} - vacuous
    assert all(by_conv[c.label] == "vacuous" for c in CONVENTIONS if c.literal)
    table = linf.measurements["tables"]["C9 conventions (ℓ∞ template)"]
    assert len(table["rows"]) == 16 and all(len(r) == len(table["columns"]) for r in table["rows"])
    capacity = linf.measurements["tables"]["C9 strict-gap capacity per group"]["rows"]
    assert [(r[0], r[2], r[3]) for r in capacity] == [(2, 2, 3), (3, 3, 4), (4, 3, 4), (5, 3, 5), (6, 3, 5)]


def test_l2_kim_check_is_consistent():
    ev = judge(check_l2_kim(RunContext()))
    assert ev.verdict == "consistent", ev.verdict_reason
    rows = ev.measurements["tables"]["C9 ℓ2 thresholds (Kim, Moon, Yun)"]["rows"]
    assert rows[1][:4] == [2, "0.7071", "1/2", "4/4"] and rows[2][:4] == [3, "0.8165", "2/3", "6/6"]
    control = ev.controls[0].evidence       # 1/1000 below ρ*² the same shattering comparison fails, exactly
    assert control.verdict == "violated" and len(control.counterexamples) == 2
    below = ev.measurements["below_threshold_counterexamples"]
    assert below and all(b["reverified_exact"] and b["reason"] == "not forced" for b in below)


# (planted kwargs, the comparison whose re-verified counterexample must appear: ℓ∞ check, ℓ2 check)
PLANTED = [
    pytest.param({"oracle": AlwaysRealizableOracle()}, "oracle answers", "oracle answers",
                 id="oracle-lies-in-its-own-check-too"),
    pytest.param({"oracle": AlwaysRealizable(own_check=False)}, "oracle answers", "oracle answers",
                 id="oracle-always-realizable"),
    pytest.param({"q_offset": 3}, "closed-box forcing", "threshold", id="offset-3: q outside both sets"),
    pytest.param({"q_offset": -1}, "closed-box forcing", "threshold", id="offset-minus-1: wrong sign"),
    pytest.param({"q_offset": 2}, "closed-box forcing", "threshold", id="offset-2: next group / threshold 1"),
    pytest.param({"extra_groups": 1}, "size ≤ n", "shattered at ρ*", id="groups-floor(n/2)+1"),
    pytest.param({"extra_groups": -1}, "closed-box forcing", "shattered at ρ*", id="groups-floor(n/2)-1"),
]


@pytest.mark.parametrize("planted, linf_row, l2_row", PLANTED)
@pytest.mark.parametrize("check", [check_linf_conventions, check_l2_kim], ids=["linf", "l2"])
def test_planted_error_is_violated_with_a_reverified_counterexample(check, planted, linf_row, l2_row):
    ev = judge(check(RunContext(), **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    expected = linf_row if check is check_linf_conventions else l2_row
    assert any(c.reverified and expected in c.comparison for c in ev.counterexamples), \
        [(c.comparison, c.reverified) for c in ev.counterexamples]


def test_a_harmless_offset_keeps_the_linf_verdict():
    """q = c + δ/2·e_j is still inside the right closed box and far from the next group."""
    assert judge(check_linf_conventions(RunContext(), q_offset=Fraction(1, 2))).verdict == "vacuous"


def test_checks_are_registered_on_the_claim_with_their_planted_errors():
    specs = {s.id: s for s in REGISTRY["C9-vc-linf"].checks}
    assert specs["C9-linf-conventions"].target == "numerics.checks.c9_vc:check_linf_conventions"
    assert specs["C9-l2-kim"].target == "numerics.checks.c9_vc:check_l2_kim"
    for check_id in ("C9-linf-conventions", "C9-l2-kim"):
        planted_kwargs = {k for kw in planted_errors(check_id).values() for k in kw}
        assert {"oracle", "q_offset", "extra_groups"} <= planted_kwargs


def test_an_oracle_that_is_not_an_oracle_is_bad_input():
    with pytest.raises(InputError, match="oracle"):
        check_l2_kim(RunContext(), oracle="always-realizable")
    with pytest.raises(InputError, match="oracle"):
        check_linf_conventions(RunContext(), oracle=AlwaysRealizableOracle)


def test_known_classes_calibrate_the_oracles_and_the_threshold_control_fails():
    from numerics.checks.c9_vc import check_known_classes
    ev = judge(check_known_classes(RunContext()))
    assert ev.verdict == "consistent", ev.verdict_reason
    oracles = {c.detail["oracle"].split(" (")[0].split(",")[0] for c in ev.comparisons}
    assert {"halfspaces with offset", "axis-aligned boxes", "robust halfspaces"} <= oracles
    assert any("MILP" in c.detail["oracle"] for c in ev.comparisons)
    assert any("gradient" in c.name for c in ev.comparisons)
    control = ev.controls[0].evidence
    assert control.verdict == "violated" and all(c.reverified for c in control.counterexamples)
    planted = judge(check_known_classes(RunContext(), oracle=AlwaysRealizableOracle()))
    assert planted.verdict == "violated" and "Radon" in planted.counterexamples[0].comparison
