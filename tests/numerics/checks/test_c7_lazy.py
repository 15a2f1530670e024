"""C7 (lazy regime): consistent on correct runs; projecting onto 2R is caught as violated."""
from audit.judge import judge
from numerics.checks.c7_lazy import check_lazy, predicted_exponent
from numerics.planted.training import WrongRadiusTrainer
from theory.evidence import RunContext

CONFIGS = ((64, 1), (128, 1), (256, 1), (512, 1))


def test_predicted_exponents():
    assert predicted_exponent("per-layer-R", 1) == -0.5 and predicted_exponent("per-layer-R", 2) == -1.0
    assert predicted_exponent("per-layer-R-over-sqrt-m", 1) == -1.0
    assert predicted_exponent("per-layer-R-over-sqrt-m", 3) == -1.5 and predicted_exponent(None, 1) == -0.5


def test_correct_runs_are_consistent():
    ev = judge(check_lazy(RunContext(), configs=CONFIGS, seeds=2))
    assert ev.verdict == "consistent", ev.verdict_reason
    assert sum("contains" in c.name for c in ev.comparisons) == 5
    control = ev.controls[0].evidence       # the other scaling's exponent (1/2 lower) is excluded
    assert control.verdict == "violated" and control.counterexamples[0].reverified


def test_wrong_radius_is_violated():
    ev = judge(check_lazy(RunContext(), trainer=WrongRadiusTrainer, configs=((64, 1), (256, 1)), seeds=1))
    assert ev.verdict == "violated", ev.verdict_reason
    assert all(c.reverified for c in ev.counterexamples) and len(ev.counterexamples) == 2
