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
    control = ev.controls[0].evidence       # at 0.8·R_lower the '→ ε' comparison must fail, certified
    assert control.verdict == "violated" and control.counterexamples[0].reverified
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
    assert ev.verdict_reason == ("refuted as reconstructed (bias-free): an expressiveness gap, present for the "
                                 "clean loss")
    assert ev.measurements["kernel_lower"] >= 1 - c8.OBSTRUCTION_DUAL_ATOL
    assert any(c.name.endswith("clean hinge loss ≥ 1 (hence L*(W) ≥ 1)") and c.holds for c in ev.comparisons)


def test_with_a_bias_coordinate_the_same_data_admit_a_robust_net_at_a_measured_radius():
    ev = judge(c8.check_bias_variant(RunContext()))
    assert ev.verdict == "holds-under" and ev.verdict_reason.startswith("holds under a bias"), ev.verdict_reason
    rows = ev.measurements["radius_table"]
    assert [r["d"] for r in rows] == [2, 3]
    assert all(0 < r["R_lower"] <= r["R_upper"] <= r["R_symbolic"] for r in rows)
    assert rows[0]["bias_free_lower_at_R100"] >= 1 - c8.OBSTRUCTION_DUAL_ATOL   # the gap, on the same data
    assert all(c.holds for c in ev.comparisons)


def test_a_broken_kernel_is_caught_by_the_bias_variant_too():
    ev = judge(c8.check_bias_variant(RunContext(), kernel=MissingLayerTermNTK))
    assert ev.verdict == "violated", ev.verdict_reason


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
