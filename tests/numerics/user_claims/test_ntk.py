"""ntk-concentration on a user's points: the fitted rate and the error at a width, each with its control."""
import numpy as np
import pytest

from audit.judge import judge
from numerics.network.datasets import load_dataset
from numerics.user_claims.ntk import NtkDesign, error_evidence, measure, rate_evidence, refit
from numerics.ntk.rate_fit import fit_loglog_slope

X, _ = load_dataset("digits", n=6, d=4, seed=0)
DESIGN = NtkDesign(X, "relu", 1, (64, 128, 256, 512, 1024), tuple(range(6)))
IDS = {"claim_id": "user", "check_id": "user:ntk-concentration"}


@pytest.fixture(scope="module")
def errors():
    return measure(DESIGN)


def test_the_paper_rate_is_consistent_and_both_resolution_controls_are_violated():
    ev, controls = rate_evidence(DESIGN, -0.5, **IDS)
    assert judge(ev).verdict == "consistent", ev.verdict_reason
    assert [judge(c).verdict for c in controls] == ["violated", "violated"]
    assert all(c.counterexamples[0].reverified for c in controls)


def test_a_wrong_rate_is_violated_with_a_reverified_counterexample():
    ev, _ = rate_evidence(DESIGN, -1.0, **IDS)
    assert judge(ev).verdict == "violated"
    cex = ev.counterexamples[0]
    assert cex.reverified and cex.inputs["spot_check"]["agrees"]


def test_a_design_too_coarse_to_resolve_the_rate_makes_its_controls_fail():
    """Two widths a factor 2 apart and two seeds cannot tell −1/2 from −1/2 ± 1/4: a control comes out consistent."""
    coarse = NtkDesign(X, "relu", 1, (64, 128), (0, 1))
    ev, controls = rate_evidence(coarse, -0.5, **IDS)
    assert judge(ev).verdict == "consistent"
    assert any(judge(c).verdict != "violated" for c in controls)


def test_the_independent_refit_reproduces_the_fit(errors):
    widths = list(DESIGN.widths)
    fit = fit_loglog_slope(np.repeat(widths, len(DESIGN.seeds)), errors.errors.ravel(), level=0.99)
    slope, lo, hi = refit(widths, errors.errors.tolist(), 0.99)
    assert slope == pytest.approx(fit.slope, abs=1e-12) and (lo, hi) == pytest.approx(fit.ci, abs=1e-10)


def test_a_recorded_error_is_reproduced_by_autograd(errors):
    assert errors.recompute(0, 2) == pytest.approx(errors.errors[0][2], rel=1e-9)


def test_error_at_a_width_and_its_control():
    at = NtkDesign(X, "relu", 1, (1024,), tuple(range(6)))
    ev, (control,) = error_evidence(at, 0.5, **IDS)
    assert judge(ev).verdict == "consistent" and judge(control).verdict == "violated"
    ev, _ = error_evidence(at, 0.01, **IDS)
    assert judge(ev).verdict == "violated" and ev.counterexamples[0].reverified


def test_networks_are_seeded_by_master_seed_seed_and_width():
    a = NtkDesign(X, "relu", 1, (64,), (0, 1), master_seed=0)
    b = NtkDesign(X, "relu", 1, (64,), (0, 1), master_seed=1)
    seeds = {a.net_seed(64, 0), a.net_seed(64, 1), a.net_seed(128, 0), b.net_seed(64, 0)}
    assert len(seeds) == 4
