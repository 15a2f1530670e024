"""bound: a user's closed form against the measured NTK deviation at every grid point, with slack and control."""
import pytest

from audit.judge import judge
from numerics.network.datasets import load_dataset
from numerics.user_claims.bound import bound_evidence, bound_values
from theory.expressions import parse_expression

X, _ = load_dataset("digits", n=6, d=4, seed=0)
GRID = {"widths": (64, 256, 1024), "depths": (1, 2), "seeds": tuple(range(6))}


def _run(expression, constants, relation="upper"):
    expr = parse_expression(expression, ("m", "H", "n", "d", *constants))
    ev, controls = bound_evidence(expression, expr, constants, relation, X, "relu", GRID["widths"], GRID["depths"],
                                  GRID["seeds"], level=0.99, master_seed=0, claim_id="user", check_id="user:bound")
    return judge(ev), [judge(c) for c in controls]


def test_a_loose_upper_bound_holds_with_its_slack_and_its_control_is_violated():
    ev, (control,) = _run("C * H / sqrt(m)", {"C": 20.0})
    assert ev.verdict == "consistent" and control.verdict == "violated"
    assert len(ev.comparisons) == 6 and all(c.slack > 1 for c in ev.comparisons)
    rows = ev.measurements["tables"]["measured against the bound"]["rows"]
    assert [(r[0], r[1]) for r in rows] == [(m, H) for H in (1, 2) for m in (64, 256, 1024)]


def test_a_constant_too_small_is_violated_at_a_resolved_grid_point():
    ev, _ = _run("C * H / sqrt(m)", {"C": 0.5})
    assert ev.verdict == "violated"
    assert all(c.reverified for c in ev.counterexamples)


def test_lower_bounds_use_the_upper_confidence_end():
    ev, (control,) = _run("c / m", {"c": 1.0}, relation="lower")
    assert ev.verdict == "consistent" and control.verdict == "violated"
    assert all(c.relation == ">=" for c in ev.comparisons)


def test_the_bound_is_evaluated_with_the_data_size_symbols():
    values = bound_values(parse_expression("n * d / m", ["m", "n", "d"]), {}, X, (64,), (1,))
    assert values[(64, 1)] == pytest.approx(6 * 4 / 64)
