"""C3 (two-layer, no projection) at finite width: consistent, and planted faults are violated."""
import pytest

from audit.judge import judge
from numerics.checks.c3_no_projection import check_no_projection
from numerics.planted.training import WrongSignTrainer
from theory.evidence import RunContext


def test_correct_run_is_consistent_and_stays_within_R_prime():
    ev = judge(check_no_projection(RunContext(), widths=(64,)))
    assert ev.verdict == "consistent", ev.verdict_reason
    run = ev.measurements["runs"][0]
    assert 0 < run["max_movement"] <= run["R_prime"] and run["m_star_C3"] > 10 ** 6
    assert run["fraction_of_gap_closed"] > 0 and "informative_run" in ev.measurements
    assert [c.name for c in ev.controls] == ["untrained"] and ev.controls[0].evidence.verdict == "violated"


@pytest.mark.parametrize("planted", [{"G_factor": 0.02}, {"trainer": WrongSignTrainer}])
def test_planted_faults_are_violated(planted):
    ev = judge(check_no_projection(RunContext(), widths=(64,), **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert ev.counterexamples and all(c.reverified for c in ev.counterexamples)
