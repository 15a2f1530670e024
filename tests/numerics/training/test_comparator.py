"""Comparators W* ∈ B(R) with a certified robust loss (numerics.training.comparator)."""
import torch

from numerics.adversarial.attacks import PGD
from numerics.training.comparator import STANDIN_LABEL, ComparatorProblem, certify_robust_loss, stronger_attack_comparator
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet


def _problem(d, norm):
    g = torch.Generator().manual_seed(0)
    X = torch.nn.functional.normalize(torch.randn(6, d, generator=g, dtype=torch.float64), dim=1)
    y = torch.where(X[:, 0] >= 0, 1.0, -1.0).to(torch.float64)
    return ComparatorProblem(net=FullyConnected(d, 32, 1, "softplus", seed=0), X=X, y=y,
                             pset=PerturbationSet(norm, 0.3), loss=get_loss("logistic"), radius=0.8,
                             scaling="per-layer-R", step_size=0.5, iterations=10)


def test_standin_is_in_the_ball_and_certified_on_the_circle():
    p = _problem(2, "sphere-cap")
    comp = stronger_attack_comparator(p)
    assert comp.in_ball and comp.label == STANDIN_LABEL and "arc" in comp.certificate
    assert comp.robust_lower <= comp.robust_upper <= comp.robust_lower + 1e-2
    assert float(torch.dist(comp.weights[0], p.net.initial_weights[0])) <= 0.8 * (1 + 1e-12)


def test_certificate_off_the_circle_is_sound_against_a_strong_attack():
    p = _problem(3, "l2")
    lower, upper, method = certify_robust_loss(p.net, p.net.trained_parameters(), p.X, p.y, p.pset, p.loss)
    with torch.no_grad():
        attacked = PGD(p.pset, p.loss, 40, restarts=3)(p.net, p.X, p.y)
        value = p.loss.value(p.net(attacked), p.y)
    assert torch.all(lower <= upper) and torch.all(value <= upper + 1e-12) and "CROWN" in method
