"""C5 check: the correct code is consistent; every planted fault is violated with a re-verified counterexample.

The full fast tier (9 configurations × 7 widths × 8 replicates, ≈ 1 min) is run by `advaudit check`; these
tests use a reduced grid (relu and erf, depths 1–2, widths 2^6…2^10, 4 replicates).
"""
import math

import numpy as np
import pytest

from audit.judge import judge
from numerics.checks.c5_ntk import (TIER_CONFIGS, _fit, _refit_independently, check_ntk_concentration,
                                    fluctuation_scale)
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
    for row in rows.values():
        assert np.array(row["errors"]).shape == (5, 4)
        assert row["lambda_min_analytic_gram"] > 0
        assert row["fit"]["ci_low"] < -0.5 < row["fit"]["ci_high"]
    assert len(correct.comparisons) == 8


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


def test_fluctuation_scale_of_relu_is_sqrt5():
    # Θ_m(x, x) = (2/m)Σ a_r² 1[w_rᵀx > 0]: variance (1/m)(4·3·½ − 1) = 5/m.
    assert fluctuation_scale("relu") == pytest.approx(math.sqrt(5.0), rel=1e-12)


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
