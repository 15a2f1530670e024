"""robust-loss on a user's network: the certified sandwich decides, attack points are re-verified in numpy."""
import pytest
import torch

from audit.judge import judge
from numerics.network.datasets import load_dataset
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.user_claims.robust_loss import robust_loss_evidence

X, Y = load_dataset("breast_cancer", n=16, d=3, seed=0)
IDS = {"claim_id": "user", "check_id": "user:robust-loss"}


def _run(net, pset, relation, value, **kw):
    ev, controls = robust_loss_evidence(net, X, Y, pset, "hinge", relation, value, **IDS, **kw)
    return judge(ev), [judge(c) for c in controls]


@pytest.fixture(scope="module")
def relu():
    return FullyConnected(3, 6, 1, "relu", seed=1)


@pytest.fixture(scope="module")
def smooth():
    return FullyConnected(3, 6, 2, "softplus", seed=1)


def test_relu_linf_uses_the_milp_exact_value(relu):
    ev, (control,) = _run(relu, PerturbationSet("linf", 0.1), "at most", 10.0)
    assert ev.verdict == "consistent" and control.verdict == "violated"
    m = ev.measurements
    assert m["mean_lower_best_attack"] <= m["mean_exact_milp"] + 1e-6 <= m["mean_upper_crown"] + 2e-6
    assert any("MILP" in c.name for c in ev.comparisons) and ev.solver_statuses == ["optimal"]


@pytest.mark.parametrize("relation, offset, verdict", [
    ("at most", -0.2, "violated"),     # below the best attack: refuted by verified points
    ("at least", +0.2, "violated"),    # above the certified upper end: refuted by CROWN, confirmed by IBP
    ("at least", -0.2, "consistent"),  # below the best attack: witnessed
    ("at most", +0.2, "consistent"),   # above the certified upper end
])
def test_values_outside_the_sandwich_are_decided(smooth, relation, offset, verdict):
    pset = PerturbationSet("l2", 0.1)
    probe, _ = _run(smooth, pset, "at most", 100.0)
    m = probe.measurements
    value = (m["mean_lower_best_attack"] if offset < 0 else max(m["mean_upper_crown"], m["mean_upper_ibp"])) + offset
    ev, (control,) = _run(smooth, pset, relation, value)
    assert ev.verdict == verdict, ev.verdict_reason
    assert control.verdict == "violated"
    if verdict == "violated":
        assert ev.counterexamples[0].reverified


def test_a_value_inside_the_sandwich_is_inconclusive(smooth):
    pset = PerturbationSet("l2", 0.3)
    probe, _ = _run(smooth, pset, "at most", 100.0)
    m = probe.measurements
    assert m["mean_upper_crown"] - m["mean_lower_best_attack"] > 1e-3
    middle = (m["mean_upper_crown"] + m["mean_lower_best_attack"]) / 2
    ev, _ = _run(smooth, pset, "at most", middle)
    assert ev.verdict == "inconclusive" and "inside the sandwich" in ev.verdict_reason


def test_an_attack_violation_is_recomputed_from_the_weights(smooth):
    ev, _ = _run(smooth, PerturbationSet("linf", 0.1), "at most", 0.0)
    cex = ev.counterexamples[0]
    points = torch.tensor(cex.inputs["points"], dtype=torch.float64)
    assert cex.reverified and (points - torch.tensor(X)).abs().max() <= 0.1 + 1e-12
