"""The schedule a training check uses is compared with what theory/ derives; a disagreement is violated."""
from dataclasses import replace

import pytest

from audit.judge import judge
from numerics.checks.shared.gap_headline import GAP_EPS_FACTOR, budget, informative_setup
from numerics.checks.shared.training_setup import Setup, schedule, schedule_rows
from theory.evidence import Evidence


def _rows(setup, sched):
    ev = Evidence("C", "c", "fast")
    ev.compare("placeholder", 0.0, 1.0, "<=")
    schedule_rows(ev, "[test]", setup, sched)
    return judge(ev)


def test_the_derived_schedule_agrees_with_theory():
    setup = Setup(width=64)
    ev = _rows(setup, schedule(setup))
    names = [c.name for c in ev.comparisons]
    assert all(c.holds for c in ev.comparisons) and sum("used" in n for n in names) == 5


@pytest.mark.parametrize("change", [{"T": 55}, {"alpha": 0.1}, {"G": 1.4734222090007625 / 2 ** 0.5}])
def test_a_schedule_off_theory_is_violated(change):
    setup = Setup(width=64)
    ev = _rows(setup, replace(schedule(setup), **change))
    assert ev.verdict == "violated" and all(c.reverified for c in ev.counterexamples)


def test_the_informative_epsilon_puts_the_regret_budget_at_half_the_gap():
    setup = informative_setup(Setup(width=64), 0.1)
    assert setup.eps == pytest.approx(GAP_EPS_FACTOR * 0.1)
    assert informative_setup(Setup(width=64), 0.001) is None
    assert budget({"regret_term": 0.05, "step_term": 0.001, "linearization_term": 0.01}) == pytest.approx(0.061)
