"""C5 check: the correct code is consistent; every planted fault is violated with a re-verified counterexample.

The full fast tier (9 configurations × 7 widths × 8 replicates, ≈ 1 min) is run by `advaudit check`; these
tests use a reduced grid (relu and erf, depths 1–2, widths 2^6…2^10, 4 replicates).
"""
import math

import numpy as np
import pytest

from audit.judge import judge
from numerics.checks.c5_ntk import REGRESSION_CASES, TIER_CONFIGS, _fit, _refit_independently, check_ntk_concentration
from theory.errors import InputError
from theory.evidence import RunContext

SMALL = {"replicates": 4, "activations": ("relu", "erf"), "depths": (1, 2), "log2_width_max": 10,
         "log2_width_max_deep": 10}


@pytest.fixture(scope="module")
def correct():
    return judge(check_ntk_concentration(RunContext(tier="fast", seed=0), config=SMALL))


def test_correct_check_is_consistent(correct):
    assert correct.verdict == "consistent", correct.verdict_reason
    assert not correct.counterexamples
    rows = correct.measurements["configs"]
    assert set(rows) == {"relu/H=1", "relu/H=2", "erf/H=1", "erf/H=2"}
    # the hunt's counterexample (relu2, H = 2, above the old scale H·s₁) is measured and holds under s_H
    assert len(correct.measurements["regression_cases"]) == len(REGRESSION_CASES) >= 1
    for row in rows.values():
        assert np.array(row["errors"]).shape == (5, 4)
        assert row["lambda_min_analytic_gram"] > 0
        assert row["fit"]["ci_low"] < -0.5 < row["fit"]["ci_high"]
    assert len(correct.comparisons) == 2 * (len(rows) + len(REGRESSION_CASES))


def test_control_one_layer_off_is_violated_in_every_configuration(correct):
    control = correct.controls[0]
    assert control.name == "one layer off" and control.evidence.verdict == "violated"
    assert all(not c.holds for c in control.evidence.comparisons)   # slope and size rows of every (σ, H) fail
    assert control.evidence.counterexamples and all(c.reverified for c in control.evidence.counterexamples)


def test_recorded_errors_refit_to_the_reported_slope(correct):
    """A reader can refit from the ledger: the independent regression reproduces the reported interval."""
    conf = correct.config["per_config_confidence"]
    for row in correct.measurements["configs"].values():
        slope, lo, hi = _refit_independently(row["widths"], row["errors"], conf)
        assert math.isclose(slope, row["fit"]["slope"], rel_tol=1e-12)
        assert math.isclose(lo, row["fit"]["ci_low"], rel_tol=1e-10)
        assert math.isclose(hi, row["fit"]["ci_high"], rel_tol=1e-10)


def test_fit_recovers_a_known_slope():
    rng = np.random.default_rng(0)
    widths = [2 ** k for k in range(6, 13)]
    errors = np.exp(1.0 - 0.5 * np.log(widths)[:, None] + 0.3 * rng.standard_normal((7, 50)))
    fit = _fit(widths, errors, 0.99)
    assert fit["ci_low"] < -0.5 < fit["ci_high"] and fit["ci_high"] - fit["ci_low"] < 0.15


@pytest.mark.parametrize("planted", [{"c_sigma_override": 1.0}, {"drop_layer_term": 1}, {"expected_rate": -1.0}])
def test_planted_fault_is_violated_with_reverified_counterexample(planted):
    config = SMALL | {"activations": ("relu",)}
    ev = judge(check_ntk_concentration(RunContext(tier="fast", seed=0), config=config, **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert ev.counterexamples and all(c.reverified for c in ev.counterexamples)
    failing = {c.name for c in ev.comparisons if not c.holds}
    assert {c.comparison for c in ev.counterexamples} == failing
    for c in ev.counterexamples:
        spot = c.inputs["spot_check"]
        assert spot["recomputed_error"] == pytest.approx(spot["recorded_error"], rel=1e-6)


def test_dropping_a_deeper_term_spares_shallower_nets():
    config = SMALL | {"activations": ("relu",)}
    ev = judge(check_ntk_concentration(RunContext(tier="fast", seed=0), config=config, drop_layer_term=2))
    assert ev.verdict == "violated"
    assert all(c.holds for c in ev.comparisons if c.name.startswith("relu/H=1"))
    assert not all(c.holds for c in ev.comparisons if c.name.startswith("relu/H=2"))


def test_bad_arguments_raise_input_error():
    with pytest.raises(InputError):
        check_ntk_concentration(RunContext(), config={"widths": 3})
    with pytest.raises(InputError):
        check_ntk_concentration(RunContext(), bogus=1)


def test_tier_configs_meet_the_claimed_grid():
    fast, full = TIER_CONFIGS["fast"], TIER_CONFIGS["full"]
    assert fast["replicates"] >= 8 and full["replicates"] >= 16
    assert (fast["log2_width_min"], fast["log2_width_max"], fast["log2_width_max_deep"]) == (6, 12, 12)
    assert full["log2_width_max"] == 14
    assert set(fast["activations"]) == {"relu", "softplus", "erf"} and tuple(fast["depths"]) == (1, 2, 3)


def test_every_slope_row_states_its_estimate_width_and_power(correct):
    for row in correct.comparisons[:8:2]:   # the grid's rows (regression cases follow; not in the power design)
        assert row.relation == "contains"
        assert row.detail["point_estimate"] == row.measured
        assert row.detail["interval_width"] == pytest.approx(row.interval[1] - row.interval[0])
        assert 0 < row.detail["detectable_error_80"] < 1
        # the power exceeds the half-width: a slope error equal to the half-width is detected only half the time
        assert row.detail["detectable_error_80"] > row.detail["interval_width"] / 2
    table = correct.measurements["power"]
    assert len(table["rows"]) == 4 and "detectable error (80 %)" in table["columns"]
    assert any("Power:" in n for n in correct.notes)


def test_a_bug_in_the_structured_ntk_is_confirmed_as_an_internal_inconsistency():
    """The autograd re-verification disagrees with the recorded error: that is the finding (violated), with both
    values and the faulty code path in the evidence — not an unconfirmed failure (inconclusive)."""
    from numerics.planted.ntk import structured_ntk_unscaled_recursion
    config = SMALL | {"activations": ("relu",), "depths": (2,), "log2_width_max_deep": 9, "regression_cases": ()}
    ev = judge(check_ntk_concentration(RunContext(tier="fast", seed=0), config=config,
                                       empirical=structured_ntk_unscaled_recursion))
    assert ev.verdict == "violated" and "internal inconsistency" in ev.verdict_reason, ev.verdict_reason
    (bad,) = [c for c in ev.counterexamples if c.disagrees]
    spot = bad.inputs["spot_check"]
    assert bad.recorded_measured == spot["recorded_error"] and bad.recomputed_measured == spot["recomputed_error"]
    assert "empirical NTK under test" in bad.description and "reproduces on its own code path" in bad.description
    assert abs(spot["empirical_recorded_path"] - spot["empirical_autograd"]) > 1.0
    assert spot["claimed_closed_form"] == pytest.approx(spot["claimed_scipy"], rel=1e-8)


@pytest.mark.parametrize("planted, verdict", [({}, "consistent"), ({"c_sigma_override": 1.0}, "violated")])
def test_on_a_real_data_set_the_check_keeps_its_power(planted, verdict):
    config = SMALL | {"activations": ("relu",), "depths": (1,)}
    ev = judge(check_ntk_concentration(RunContext(data="digits"), config=config, **planted))
    assert ev.verdict == verdict, ev.verdict_reason
    assert ev.config["data"]["name"] == "digits" and ev.config["data"]["d"] == TIER_CONFIGS["fast"]["d"]
