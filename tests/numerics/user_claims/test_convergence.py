"""convergence on a user's data: C1's comparisons on the user's problem, and the untrained-network control."""
import dataclasses

import numpy as np
import pytest

from audit.judge import judge
from numerics.checks.shared.training_setup import comparator_problem
from numerics.network.datasets import load_dataset
from numerics.user_claims.convergence import convergence_evidence, user_setup
from theory.evidence import RunContext

IDS = {"claim_id": "user", "check_id": "user:convergence"}


def _setup(d, **kw):
    X, y = load_dataset("breast_cancer", n=16, d=d, seed=0)
    return user_setup(X, y, data_label="breast_cancer", width=256, eps=0.3, **kw)


def test_the_user_problem_replaces_c1s_circle_everywhere():
    setup = _setup(3)
    X, y = setup.data()
    assert X.shape == (16, 3) and set(y.tolist()) == {-1.0, 1.0}
    assert dataclasses.replace(setup, width=64).data()[0].shape == (16, 3)      # the subclass survives replace
    assert comparator_problem(setup).X.shape == (16, 3)
    info = setup.to_dict()
    assert info["points"]["n"] == 16 and "labels" not in info and len(info["points"]["sha256"]) == 16


@pytest.fixture(scope="module")
def on_circle():
    ev, (control,) = convergence_evidence(_setup(2), attack="pgd", ctx=RunContext(), **IDS)
    return judge(ev), judge(control)


def test_training_beats_the_certified_comparator_and_the_untrained_net_does_not(on_circle):
    ev, control = on_circle
    assert ev.verdict == "consistent", ev.verdict_reason
    run = ev.measurements["runs"][0]
    assert run["min_L_A"] <= run["comparator"]["upper"] + 0.3
    assert control.verdict == "violated" and control.counterexamples[0].reverified
    assert control.counterexamples[0].recomputed_measured == pytest.approx(run["L_A_initial"], rel=1e-9)


def test_a_claim_that_holds_at_initialization_leaves_the_control_consistent():
    """eps so large that W(0) already meets min_t L_A ≤ U(W*) + ε: nothing is tested (vacuous at the audit level)."""
    _, (control,) = convergence_evidence(dataclasses.replace(_setup(2), eps=0.9), attack="fgsm", ctx=RunContext(),
                                         **IDS)
    assert judge(control).verdict == "consistent"
    assert np.isfinite(control.comparisons[0].margin) and control.comparisons[0].margin > 0
