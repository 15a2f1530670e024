"""The judge's verdict rules (DESIGN.md): each rule is exercised by evidence built to trigger it."""
import math

import pytest

from audit.judge import claim_judgement, claim_verdict, deciding_comparison, flag_text, judge
from theory.evidence import Comparison, Counterexample, Evidence


def _ev(**kw):
    ev = Evidence(claim_id="C-test", check_id="c", tier="fast")
    for key, value in kw.items():
        setattr(ev, key, value)
    return ev


def _cx(reverified):
    return Counterexample("row", "planted", {}, 2.0, 1.0, "float64", reverified)


def _with_failing_control(ev):
    control = Evidence(claim_id="C-test", check_id="c", tier="fast")
    control.compare("a", 2.0, 1.0, "<=")
    control.counterexamples.append(_cx(True))
    ev.add_control("wrong input", "one constant", control)
    return ev


def test_all_comparisons_hold_is_consistent_and_reports_margin():
    ev = _with_failing_control(_ev())
    ev.compare("a", 0.5, 1.0, "<=")
    ev.compare("b", 2.0, 1.0, ">=")
    assert judge(ev).verdict == "consistent"
    assert "margin 0.5" in ev.verdict_reason


def test_reverified_counterexample_is_violated_even_with_other_reasons():
    ev = _ev(inconclusive_reasons=["budget"], counterexamples=[_cx(True)])
    ev.compare("a", 2.0, 1.0, "<=")
    assert judge(ev).verdict == "violated"


def test_failure_without_reverification_is_inconclusive_not_violated():
    ev = _ev(counterexamples=[_cx(False)])
    ev.compare("a", 2.0, 1.0, "<=")
    assert judge(ev).verdict == "inconclusive"


@pytest.mark.parametrize("status", ["optimal_inaccurate", "infeasible", "time_limit", "user_limit"])
def test_solver_trouble_is_inconclusive_never_a_pass(status):
    ev = _ev(solver_statuses=["optimal", status])
    ev.compare("a", 0.0, 1.0, "<=")
    assert judge(ev).verdict == "inconclusive"
    assert status in ev.verdict_reason


def test_nan_measurement_cannot_pass():
    ev = _ev()
    ev.compare("a", math.nan, 1.0, "<=")
    assert judge(ev).verdict == "inconclusive"


def test_no_comparison_is_inconclusive():
    assert judge(_ev()).verdict == "inconclusive"


def test_vacuous_and_construction_verdicts():
    ev = _ev(vacuous_reason="required width 1e30")
    ev.compare("trend", 1.0, 2.0, "<=")
    assert judge(ev).verdict == "vacuous"
    ev = _ev(construction_verdict="refuted-as-stated")
    ev.compare("count", 3.0, 3.0, "==")
    assert judge(ev).verdict == "refuted-as-stated"


def test_relations_and_tolerances():
    assert Comparison("x", 1.0 + 1e-13, 1.0, "<=", 1e-12).holds
    assert not Comparison("x", 1.0 + 1e-11, 1.0, "<=", 1e-12).holds
    assert Comparison("x", 1.0, 1.0 + 1e-13, "==", 1e-12).holds
    assert Comparison("rate", -0.45, -0.5, "contains", interval=(-0.55, -0.4)).holds
    assert not Comparison("rate", -0.9, -0.5, "contains", interval=(-1.0, -0.8)).holds
    with pytest.raises(ValueError):
        Comparison("x", 1.0, 1.0, "<")


def test_claim_verdict_is_the_most_severe():
    assert claim_verdict([]) == "not implemented"
    assert claim_verdict(["consistent", "vacuous"]) == "vacuous"
    assert claim_verdict(["consistent", "inconclusive", "violated"]) == "violated"
    assert claim_verdict(["consistent", "consistent"]) == "consistent"


def test_evidence_with_infinite_interval_serializes_to_strict_json():
    """A one-sided confidence interval (−∞, 0.5] must not break the ledger (json allow_nan=False)."""
    import json

    ev = _ev()
    ev.compare("one-sided CI", 0.2, 0.0, "contains", interval=(-math.inf, 0.5))
    ev.counterexamples.append(Counterexample("one-sided CI", "x", {"ci": (-math.inf, 0.5)}, math.nan, 0.0, "f64", False))
    judge(ev)
    text = json.dumps(ev.to_dict(), allow_nan=False)
    assert "-inf" in text and "nan" in text


def test_slack_is_the_ratio_of_bound_to_measurement_where_it_means_something():
    ev = Evidence("C", "c", "fast")
    assert ev.compare("upper", 2.0, 300.0, "<=").slack == 150.0
    assert ev.compare("lower", 6.0, 2.0, ">=").slack == 3.0
    assert ev.compare("ci", 0.0, -0.5, "contains", interval=(-0.6, -0.4)).slack == pytest.approx(0.4)
    assert ev.compare("identity", 1.0, 1.0, "==").slack is None
    assert ev.compare("sign change", -1e-3, 0.0, "<=").slack is None
    assert ev.comparisons[0].to_dict()["slack"] == 150.0


def test_the_deciding_comparison_is_the_one_behind_the_verdict():
    ev = _with_failing_control(Evidence("C", "c", "fast"))
    ev.compare("loose", 1.0, 100.0, "<=")
    ev.compare("tight", 1.0, 1.1, "<=")
    assert deciding_comparison(judge(ev)).name == "tight"
    ev.compare("broken", 2.0, 1.0, "<=")
    assert deciding_comparison(judge(ev)).name == "broken"            # inconclusive by an unconfirmed failure
    ev.counterexamples.append(_cx(True))
    ev.comparisons[2].name = "row"
    assert judge(ev).verdict == "violated" and deciding_comparison(ev).name == "row"
    ev2 = Evidence("C", "c", "fast", solver_statuses=["infeasible"])
    ev2.compare("broken", 2.0, 1.0, "<=")
    assert judge(ev2).verdict == "inconclusive" and deciding_comparison(ev2) is None


def _run(measured):
    ev = Evidence("C", "c", "fast")
    row = ev.compare("L ≤ bound", measured, 1.0, "<=")
    if not row.holds:
        ev.counterexamples.append(Counterexample(row.name, "control", {}, measured, 1.0, "float64", True))
    return ev


def test_a_consistent_check_whose_control_is_violated_stays_consistent():
    ev = _run(0.5)
    ev.add_control("untrained", "no training", _run(2.0))
    assert judge(ev).verdict == "consistent"
    assert ev.controls[0].evidence.verdict == "violated"
    assert ev.to_dict()["controls"][0]["verdict"] == "violated"


def test_a_control_that_is_not_violated_makes_the_check_vacuous():
    ev = _run(0.5)
    ev.add_control("untrained", "no training", _run(0.7))
    assert judge(ev).verdict == "vacuous"
    assert "untrained" in ev.verdict_reason and "cannot discriminate" in ev.verdict_reason


def test_a_check_that_did_not_finish_is_an_error_whatever_else_it_recorded():
    ev = _ev(error="bug in the check: it raised RuntimeError: boom", counterexamples=[_cx(True)])
    ev.compare("a", 0.5, 1.0, "<=")
    assert judge(ev).verdict == "error" and "boom" in ev.verdict_reason
    assert deciding_comparison(ev) is None


def test_claim_level_error_outranks_everything_but_a_reverified_violation():
    assert claim_verdict(["consistent", "error", "consistent"]) == "error"
    assert claim_verdict(["inconclusive", "error", "refuted-as-stated"]) == "error"
    assert claim_verdict(["error", "violated"]) == "violated"
# --- slack, encoding, dependency and re-verification rules (issue 15) ------------------------------------------

def test_a_holding_comparison_with_slack_above_100_flags_the_verdict_loose():
    ev = Evidence("C", "c", "fast")
    ev.compare("tight", 1.0, 2.0, "<=")
    ev.compare("loose", 1e-3, 0.45, "<=")                      # slack 450
    assert judge(_with_failing_control(ev)).verdict == "consistent" and ev.flags == ["loose"]
    assert "slack > 100" in ev.verdict_reason and "'loose'" in ev.verdict_reason
    assert flag_text(ev) == "loose"
    assert ev.summary["loosest"]["name"] == "loose" and ev.summary["tightest"]["name"] == "tight"
    assert ev.to_dict()["flags"] == ["loose"]
    ev2 = Evidence("C", "c", "fast")
    ev2.compare("tight", 1.0, 99.0, "<=")
    assert judge(ev2).flags == [] and flag_text(ev2) == ""


def test_the_summary_names_the_deciding_row_not_merely_the_tightest():
    ev = Evidence("C", "c", "fast")
    ev.compare("identity", 4.0, 4.0, "<=")
    ev.compare("loose", 1.0, 8.0, "<=")
    row = ev.compare("broken", 1.5, 1.0, "<=")
    ev.counterexamples.append(Counterexample(row.name, "x", {}, 1.5, 1.0, "float64", True))
    judge(ev)
    assert ev.summary["deciding"]["name"] == "broken" and ev.summary["loosest"]["name"] == "loose"
    audit = Evidence("C", "c", "fast", construction_verdict="refuted-as-stated",
                     construction_label="false at n = 2")
    audit.compare("count", 4.0, 4.0, "<=")                     # slack 1: the tightest, but it did not decide
    judge(audit)
    assert audit.summary["deciding"] is None and audit.summary["tightest"]["name"] == "count"
    assert audit.verdict_reason == "false at n = 2" and audit.summary["label"] == "false at n = 2"


def test_a_consistent_check_is_decided_by_its_tightest_bound_not_an_agreement_row():
    from tests.audit.support import with_violated_control
    ev = Evidence("C", "c", "fast")
    ev.compare("T derived = T used", 4000.0, 4000.0, "==", tolerance=0.0)       # margin 0 by construction
    ev.compare("min_t L_A − U ≤ budget", 0.05, 0.08, "<=")
    ev.compare("G measured ≤ G derived", 1.0, 3.0, "<=")
    judge(with_violated_control(ev))
    assert ev.verdict == "consistent" and deciding_comparison(ev).name == "min_t L_A − U ≤ budget"
    only = Evidence("C", "c", "fast")
    only.compare("structured = autograd", 1.0, 1.0, "==", tolerance=1e-12)
    judge(with_violated_control(only))
    assert deciding_comparison(only).name == "structured = autograd"


def test_an_encoding_check_is_shown_but_never_consistent():
    ev = Evidence("L1-zhang2020-width-exp-in-d", "L1-width-exponential", "fast")
    ev.compare("our encoding grows exponentially", 1.0, 1.0, "==")
    assert judge(ev).verdict == "vacuous" and ev.flags == ["encoding"]
    assert "encoding check" in ev.verdict_reason
    ev.compare("our encoding contradicts itself", 2.0, 1.0, "==")
    assert judge(ev).verdict == "inconclusive"                  # a failure still counts


def test_encoding_rows_do_not_count_as_evidence():
    ev = Evidence("C", "c", "fast")
    ev.compare("projection keeps the iterate in the ball", 1.0, 1.0, "<=", encoding=True)
    assert judge(ev).verdict == "vacuous" and ev.flags == ["encoding"]
    ev.compare("measured rate", -0.5, -0.5, "contains", interval=(-0.6, -0.4))
    assert judge(_with_failing_control(ev)).verdict == "consistent" and "1 encoding row(s) not counted" in ev.verdict_reason
    assert deciding_comparison(ev).name == "measured rate"
    ev.compare("projection broken", 2.0, 1.0, "<=", encoding=True)
    ev.counterexamples.append(Counterexample("projection broken", "x", {}, 2.0, 1.0, "numpy", True))
    assert judge(ev).verdict == "violated"


def _judged(verdict, check_id="c", flags=()):
    ev = Evidence("C", check_id, "fast")
    ev.verdict, ev.flags = verdict, list(flags)
    return ev


def test_a_claim_whose_evidence_is_encoding_only_is_vacuous():
    assert claim_judgement([_judged("vacuous", flags=["encoding"])]).verdict == "vacuous"
    mixed = claim_judgement([_judged("vacuous", "enc", flags=["encoding"]), _judged("consistent", "real")])
    assert mixed.verdict == "consistent" and mixed.deciding_check == "real"
    assert claim_judgement([_judged("vacuous", flags=["encoding"]), _judged("violated")]).verdict == "violated"


@pytest.mark.parametrize("basis, expected", [("consistent", "consistent"), ("holds-under", "holds-under"),
                                             ("vacuous", "vacuous"), ("refuted-as-stated", "vacuous"),
                                             ("inconclusive", "inconclusive"), ("violated", "inconclusive"),
                                             (None, "inconclusive")])
def test_a_claim_is_at_most_as_strong_as_the_claim_it_is_built_on(basis, expected):
    j = claim_judgement([_judged("consistent")], {"C9-vc-linf": basis})
    assert j.verdict == expected and "depends-on:C9" in j.flags
    if expected != "consistent":
        assert "built on C9-vc-linf" in j.reason
    assert claim_judgement([_judged("violated")], {"C9-vc-linf": "vacuous"}).verdict == "violated"


def test_l3_depends_on_c9_and_a_run_of_l3_runs_c9_first():
    from audit.runner import with_dependencies
    from theory.claims import REGISTRY
    assert REGISTRY["L3-li2022-param-bounds"].depends_on == ("C9-vc-linf",)
    assert [c.id for c in with_dependencies([REGISTRY["L3-li2022-param-bounds"]])] == \
        ["C9-vc-linf", "L3-li2022-param-bounds"]


def _mismatch(recomputed):
    ev = Evidence("C", "c", "fast")
    row = ev.compare("slope", -0.1, -0.5, "contains", interval=(-0.2, 0.0))
    ev.counterexamples.append(Counterexample(row.name, "re-verification", {}, recomputed, -0.5,
                                             "independent code path", reverified=False, recorded_measured=0.031,
                                             agreement_rtol=1e-6))
    return judge(ev)


def test_a_reverification_that_disagrees_with_the_recorded_value_is_violated():
    ev = _mismatch(0.0042)
    assert ev.verdict == "violated" and "internal inconsistency" in ev.verdict_reason
    assert "0.031" in ev.verdict_reason and "0.0042" in ev.verdict_reason
    assert ev.to_dict()["counterexamples"][0]["disagrees"] is True
    assert deciding_comparison(ev).name == "slope"
    assert _mismatch(0.031 + 1e-9).verdict == "inconclusive"  # agreement: an unconfirmed failure stays inconclusive


def test_a_check_that_could_be_consistent_but_ran_no_control_is_vacuous():
    ev = _run(0.5)
    assert judge(ev).verdict == "vacuous" and ev.verdict_reason.startswith("no control")
    assert judge(_with_failing_control(_run(0.5))).verdict == "consistent"
    failing = _run(2.0)                                          # the rule concerns consistent verdicts only
    assert judge(failing).verdict == "violated"
    construction = _ev(construction_verdict="refuted-as-stated")
    construction.compare("count", 3.0, 3.0, "==")
    assert judge(construction).verdict == "refuted-as-stated"
