"""Algorithm 1 (numerics.training.algorithm): the log, the ball, the regret terms, divergence, bad input, planted trainers."""
import math

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from numerics.adversarial.attacks import FGSM, PGD
from numerics.training.ball import project_to_ball
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import DIVERGED, OK, AdversarialTrainer, adversarial_training, check_trainer, set_weights
from numerics.planted.training import WrongRadiusTrainer, WrongSignTrainer
from theory.errors import InputError

LOSS = get_loss("logistic")


def _problem(m=16, depth=1, n=8, seed=0, train_output=False):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g, dtype=torch.float64)
    X = X / torch.linalg.norm(X, dim=1, keepdim=True)
    y = torch.where(X[:, 0] >= 0, 1.0, -1.0).to(torch.float64)
    net = FullyConnected(2, m, depth, "softplus", seed=seed, train_output=train_output)
    return net, X, y, FGSM(PerturbationSet("sphere-cap", 0.3), LOSS)


def test_log_shapes_best_iterate_and_ball():
    net, X, y, attack = _problem(depth=2)
    res = adversarial_training(net, X, y, attack=attack, loss="logistic", step_size=0.5, iterations=12, radius=0.3)
    log = res.log
    assert res.status == OK and res.iterations_run == 12
    assert log.surrogate_loss.shape == (13,) and log.distance.shape == (13, 2) and log.grad_norm.shape == (12,)
    assert np.array_equal(log.round_loss, log.surrogate_loss[:12])  # full batch: ℓ_t(W(t)) = L_A(W(t))
    assert res.best_loss == log.surrogate_loss.min() and log.surrogate_loss[res.best_iteration] == res.best_loss
    assert log.distance.max() <= 0.3 * (1 + 1e-12) and log.distance[-1].max() == pytest.approx(0.3, rel=1e-12)
    assert res.config["scaling"] == "per-layer-R" and res.config["radius_per_layer"] == 0.3
    with torch.no_grad():
        again = LOSS.value(set_weights(net, res.best_weights)(res.best_attacked), y).mean()
    assert float(again) == pytest.approx(res.best_loss, rel=1e-14)


def test_input_net_is_untouched_and_runs_are_reproducible():
    net, X, y, _ = _problem()
    before = [p.detach().clone() for p in net.trained_parameters()]
    attack = PGD(PerturbationSet("sphere-cap", 0.3), LOSS, 3)
    kw = dict(attack=attack, loss=LOSS, step_size=0.3, iterations=5, radius=1.0, batch_size=4, seed=3)
    a, b = adversarial_training(net, X, y, **kw), adversarial_training(net, X, y, **kw)
    assert all(torch.equal(p, q) for p, q in zip(net.trained_parameters(), before))
    assert np.array_equal(a.log.surrogate_loss, b.log.surrogate_loss)
    assert all(torch.equal(p, q) for p, q in zip(a.final_weights, b.final_weights))


def test_scaling_over_sqrt_m_shrinks_the_ball():
    net, X, y, attack = _problem(m=64)
    res = adversarial_training(net, X, y, attack=attack, loss=LOSS, step_size=1.0, iterations=5, radius=2.0,
                               scaling="per-layer-R-over-sqrt-m")
    assert res.config["radius_per_layer"] == pytest.approx(0.25)
    assert res.log.distance.max() <= 0.25 * (1 + 1e-12)


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), alpha=st.floats(0.01, 3.0), batch=st.sampled_from([None, 3, 8]),
       R=st.floats(0.05, 3.0), comp_scale=st.floats(0.0, 1.0))
@example(seed=0, alpha=3.0, batch=None, R=0.05, comp_scale=1.0)
def test_regret_lemma_holds_on_every_prefix(seed, alpha, batch, R, comp_scale):
    """Σ_{s≤t}⟨g_s, W(s) − W*⟩ ≤ ‖W(0) − W*‖²/(2α) + (α/2)Σ‖g_s‖² for any W* ∈ B(R), full or mini-batch."""
    net, X, y, attack = _problem(seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    comp = project_to_ball([w + comp_scale * 3 * torch.randn(w.shape, generator=g, dtype=w.dtype)
                            for w in net.initial_weights], net.initial_weights, R)
    res = adversarial_training(net, X, y, attack=attack, loss=LOSS, step_size=alpha, iterations=10, radius=R,
                               batch_size=batch, comparator=comp, seed=seed)
    log = res.log
    assert res.comparator_in_ball
    scale = np.max(np.cumsum(np.abs(log.regret_term)) + log.regret_bound)
    assert np.all(log.cumulative_regret <= log.regret_bound + 1e-12 * scale)
    # approximate convexity at the measured pairs (exact for a convex L_ℓ-Lipschitz loss)
    defect = log.round_loss - log.regret_term - log.comparator_round_loss - LOSS.lipschitz * log.linearization_error
    assert np.all(defect <= 1e-12 * (1 + np.abs(log.regret_term).max()))


def test_no_projection_movement_is_bounded_by_the_path_and_the_gradient_bound():
    net, X, y, attack = _problem(m=32)
    res = adversarial_training(net, X, y, attack=attack, loss=LOSS, step_size=0.7, iterations=15, projection=False,
                               record_feature_gradients=True)
    log = res.log
    path = 0.7 * np.concatenate([[0.0], np.cumsum(log.grad_norm)])
    assert np.all(log.distance[:, 0] <= path + 1e-12) and res.config["projection"] is False
    assert np.all(log.grad_norm <= LOSS.lipschitz * log.feature_grad_norm + 1e-12)
    assert log.distance[-1, 0] > 0


def test_trained_output_layer_is_not_projected():
    net, X, y, attack = _problem(train_output=True)
    res = adversarial_training(net, X, y, attack=attack, loss=LOSS, step_size=1.0, iterations=6, radius=0.1)
    assert res.log.distance.shape == (7, 1) and res.log.distance.max() <= 0.1 * (1 + 1e-12)
    assert not torch.equal(res.final_weights[1], net.initial_output)


def test_divergence_is_a_status_not_a_crash():
    net, X, y, attack = _problem(m=8)
    res = adversarial_training(net, X, 1e6 * y, attack=FGSM(PerturbationSet("l2", 0.1), "squared"), loss="squared",
                               step_size=1e150, iterations=20, projection=False)
    assert res.status == DIVERGED and res.iterations_run < 20
    assert math.isfinite(res.best_loss)


@pytest.mark.parametrize("kw", [dict(step_size=-0.1), dict(step_size=0.0), dict(iterations=0), dict(iterations=2.5),
                                dict(radius=-1.0), dict(radius=None), dict(scaling="per-neuron"),
                                dict(batch_size=0), dict(batch_size=99), dict(loss="cosine")])
def test_bad_input_raises_input_error(kw):
    net, X, y, attack = _problem()
    args = dict(attack=attack, loss=LOSS, step_size=0.1, iterations=3, radius=1.0) | kw
    with pytest.raises(InputError):
        adversarial_training(net, X, y, **args)


def test_bad_comparator_and_data_raise_input_error():
    net, X, y, attack = _problem()
    kw = dict(attack=attack, loss=LOSS, step_size=0.1, iterations=3, radius=1.0)
    with pytest.raises(InputError):
        adversarial_training(net, X, y, comparator=[torch.zeros(3, 3)], **kw)
    with pytest.raises(InputError):
        adversarial_training(net, X[:, :1], y, **kw)
    with pytest.raises(InputError):
        adversarial_training(net, X, y[:3], **kw)
    with pytest.raises(InputError):
        check_trainer("wrong-sign")
    with pytest.raises(InputError):
        check_trainer(FGSM)
    assert check_trainer(WrongSignTrainer) is WrongSignTrainer


def test_planted_trainers_break_what_they_should():
    net, X, y, attack = _problem(m=32)
    kw = dict(attack=attack, loss=LOSS, step_size=1.0, iterations=15, radius=0.2)
    good = AdversarialTrainer(net, X, y, **kw).run()
    up = WrongSignTrainer(net, X, y, **kw).run()
    wide = WrongRadiusTrainer(net, X, y, **kw).run()
    assert up.log.surrogate_loss[-1] > up.log.surrogate_loss[0] > good.log.surrogate_loss[-1]
    assert good.log.distance.max() <= 0.2 * (1 + 1e-12) < wide.log.distance.max()
    assert wide.config["radius_per_layer"] == 0.2  # the fault is invisible in the recorded configuration


def test_trajectory_matches_the_log():
    net, X, y, attack = _problem()
    res = adversarial_training(net, X, y, attack=attack, loss=LOSS, step_size=0.5, iterations=4, radius=1.0,
                               keep_trajectory=True)
    traj = res.trajectory
    assert len(traj.weights) == 5 and len(traj.gradients) == 4
    w0 = net.initial_weights[0].numpy()
    dists = [np.linalg.norm(W[0] - w0) for W in traj.weights]
    assert np.allclose(dists, res.log.distance[:, 0], rtol=1e-13, atol=1e-15)
    assert np.allclose([np.sqrt(sum((g ** 2).sum() for g in G)) for G in traj.gradients], res.log.grad_norm, rtol=1e-13)
