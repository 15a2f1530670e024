"""C0 on linear models: the correct check is consistent; each planted error is caught as violated."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from audit.judge import judge
from numerics.checks.c0_surrogate import LOSSES, NORMS, check_linear_closed_form, closed_form_robust_loss
from theory.evidence import RunContext


def test_correct_check_is_consistent_with_equality_at_the_maximizer():
    ev = judge(check_linear_closed_form(RunContext(seed=3)))
    assert ev.verdict == "consistent", ev.verdict_reason
    exact = [c for c in ev.comparisons if c.name.startswith("exact maximizer") and "ℓ_A" in c.name]
    assert len(exact) == len(LOSSES) * len(NORMS) and all(abs(c.measured) <= 1e-12 for c in exact)
    control = ev.controls[0].evidence                          # a bound weaker by one part in 10⁶ is caught
    assert control.verdict == "violated" and all(c.reverified for c in control.counterexamples)
    assert control.config["bound_radius_factor"] == 1 - 1e-6


@pytest.mark.parametrize("planted", [{"attack_radius_factor": 2.0}, {"attack_radius_factor": 1.0 + 1e-9},
                                     {"drop_radius_term": True}])
def test_planted_error_is_violated_with_reverified_counterexample(planted):
    ev = judge(check_linear_closed_form(RunContext(), **planted))
    assert ev.verdict == "violated"
    assert ev.counterexamples and all(c.reverified for c in ev.counterexamples)


@given(seed=st.integers(0, 2**31 - 1), delta=st.floats(0.0, 2.0), norm=st.sampled_from(NORMS),
       loss=st.sampled_from(LOSSES))
def test_closed_form_dominates_dense_sampling_of_the_ball(seed, delta, norm, loss):
    """No sampled point of B(x) (including vertices of the ℓ∞ box) beats the closed-form robust loss."""
    rng = np.random.default_rng(seed)
    d = 3
    w, x, y = rng.standard_normal(d), rng.standard_normal((1, d)), np.array([rng.choice([-1.0, 1.0])])
    star = closed_form_robust_loss(loss, norm, w, x, y, delta)[0]
    u = rng.standard_normal((4000, d))
    if norm == "l2":
        u = delta * u / np.linalg.norm(u, axis=1, keepdims=True)
    else:
        u = delta * np.sign(u)
    f = (x + u) @ w
    sampled = {"hinge": np.maximum(0, 1 - y * f), "logistic": np.logaddexp(0, -y * f), "absolute": np.abs(f - y)}[loss]
    assert sampled.max() <= star + 1e-12 * max(1.0, abs(star))


@pytest.mark.parametrize("planted, verdict", [({}, "consistent"), ({"drop_radius_term": True}, "violated")])
def test_on_a_real_data_set_the_check_keeps_its_power(planted, verdict):
    ev = judge(check_linear_closed_form(RunContext(data="wine"), **planted))
    assert ev.verdict == verdict, ev.verdict_reason
    assert ev.config["data"]["name"] == "wine" and ev.config["data"]["d"] == ev.config["d"]
