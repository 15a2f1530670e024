"""The judge's verdict rules (DESIGN.md): each rule is exercised by evidence built to trigger it."""
import math

import pytest

from audit.judge import claim_verdict, deciding_comparison, judge
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


def test_a_check_that_could_be_consistent_but_ran_no_control_is_vacuous():
    ev = _run(0.5)
    assert judge(ev).verdict == "vacuous" and ev.verdict_reason.startswith("no control")
    assert judge(_with_failing_control(_run(0.5))).verdict == "consistent"
    failing = _run(2.0)                                          # the rule concerns consistent verdicts only
    assert judge(failing).verdict == "violated"
    construction = _ev(construction_verdict="refuted-as-stated")
    construction.compare("count", 3.0, 3.0, "==")
    assert judge(construction).verdict == "refuted-as-stated"
