"""C8 checks (numerics.checks.c8_existence): consistent run, planted errors caught, the antipodal audit."""
import numpy as np
import pytest

import numerics.checks.c8_existence as c8
from numerics.planted.robust_kernel import (MissingLayerTermNTK, UnderestimatedCurvatureNTK,
                                           best_case_linear_inner_max)
from audit.judge import judge
from theory.evidence import RunContext


@pytest.fixture
def small_tier(monkeypatch):
    """A lighter fast tier for the test suite (the check's own fast tier runs d = 2, …, 8)."""
    monkeypatch.setitem(c8.TIERS, "fast", {**c8.TIERS["fast"], "dims": (2, 3), "seps": (0.3,)})


def test_robust_loss_vs_R_is_consistent(small_tier):
    ev = judge(c8.check_robust_loss_vs_R(RunContext()))
    assert ev.verdict == "consistent", ev.verdict_reason
    table = ev.measurements["radius_table"]
    assert all(row["R_lower"] <= row["R_upper"] <= row["R_symbolic"] for row in table)
    curve = ev.measurements["curve"]
    assert curve[-1]["upper"] <= c8.TIERS["fast"]["eps"] < curve[0]["lower"]
    gate = ev.measurements["certificate_crosscheck"]
    assert all(u >= s for u, s in zip(gate["upper"], gate["sampled"]))


@pytest.mark.parametrize("planted", [{"kernel": MissingLayerTermNTK}, {"linear_inner_max": best_case_linear_inner_max},
                                     {"kernel": UnderestimatedCurvatureNTK}])
def test_planted_errors_are_violated(small_tier, planted):
    ev = judge(c8.check_robust_loss_vs_R(RunContext(), **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert any(c.reverified for c in ev.counterexamples)


def test_antipodal_obstruction_refutes_the_reconstructed_statement():
    ev = judge(c8.check_antipodal_obstruction(RunContext()))
    assert ev.verdict == "refuted-as-stated", ev.verdict_reason
    assert ev.measurements["kernel_lower"] >= 1 - c8.OBSTRUCTION_DUAL_ATOL


def test_obstruction_applied_to_a_softplus_net_is_violated():
    ev = judge(c8.check_antipodal_obstruction(RunContext(), obstruction_activation="softplus"))
    assert ev.verdict == "violated", ev.verdict_reason


def test_growth_fits_prefer_the_right_model():
    d = np.arange(2, 8, dtype=float)
    exp_fit = c8.growth_fits(d, 3.0 * np.exp(0.9 * d) * (1 + 0.01 * np.sin(d)))
    poly_fit = c8.growth_fits(d, 3.0 * d ** 2.5 * (1 + 0.01 * np.sin(d)))
    assert exp_fit["preferred"] == "exponential" and abs(exp_fit["exponential"]["slope"] - 0.9) < 0.02
    assert poly_fit["preferred"] == "polynomial" and abs(poly_fit["polynomial"]["slope"] - 2.5) < 0.05
    assert c8.growth_fits(d[:3], np.exp(d[:3]))["preferred"].startswith("undetermined")
