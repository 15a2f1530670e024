"""Attacks: membership is always verified, bad input is refused, exact maximizers are exact, and the planted
faults (clean-point gradient, outside-ball, NaN, wrong-sign closed form) behave as the bugs they imitate."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from numerics.adversarial.attacks import (FGSM, PGD, AttackError, GridMaximizer, LinearMaximizer, RandomAttack,
                              surrogate_loss)
from numerics.planted.attacks import CleanGradientPGD, NaNAttack, OutsideBallAttack, WrongSignLinearMaximizer
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import NORMS, PerturbationSet
from theory.activations import ACTIVATIONS
from theory.errors import InputError
from tests.numerics.adversarial.conftest import labelled_points


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    yield


_data = labelled_points


def _closed_form(loss, norm, w, X, y, delta):
    """docs/claims.md §7: max over the ball of ℓ(wᵀx', y) for a linear model."""
    dual = np.abs(w).sum() if norm == "linf" else np.linalg.norm(w)
    f = X @ w
    if loss == "absolute":
        return np.abs(f - y) + delta * dual
    return get_loss(loss).value_numpy(y * (y * f - delta * dual), y)


@given(st.sampled_from(ACTIVATIONS), st.sampled_from(NORMS), st.floats(0.0, 0.8), st.integers(1, 4),
       st.sampled_from(["hinge", "logistic", "absolute", "squared"]), st.integers(0, 1000))
def test_every_attack_stays_inside(act, norm, radius, d, loss, seed):
    net = FullyConnected(d, 6, 2, act, seed=seed)
    X, y = _data(5, d, seed)
    pset = PerturbationSet(norm, radius)
    for attack in (FGSM(pset, loss), PGD(pset, loss, 3, restarts=2, seed=seed), RandomAttack(pset, loss, 4)):
        out = attack(net, X, y)
        assert out.shape == X.shape and pset.contains(X, out).all()


@pytest.mark.parametrize("make,match", [
    (lambda p: PGD(p, "hinge", 0), "steps"), (lambda p: PGD(p, "hinge", 3, restarts=0), "restarts"),
    (lambda p: PGD(p, "hinge", 3, step_size=-1.0), "step_size"), (lambda p: RandomAttack(p, "hinge", 0), "samples"),
    (lambda p: GridMaximizer(p, "hinge", 1), "points_per_axis"), (lambda p: FGSM(p, "cross"), "unknown loss"),
    (lambda p: GridMaximizer(p, "hinge", 5, lipschitz=-1.0), "lipschitz"),
])
def test_bad_attack_arguments(make, match):
    with pytest.raises(InputError, match=match):
        make(PerturbationSet("l2", 0.1))


def test_bad_batches_and_grids_are_refused():
    pset = PerturbationSet("linf", 0.1)
    net = FullyConnected(4, 4, 1, "relu")
    X, y = _data(3, 4, 0)
    with pytest.raises(InputError, match="y must have shape"):
        FGSM(pset, "hinge")(net, X, y[:2])
    with pytest.raises(InputError, match="finite"):
        FGSM(pset, "hinge")(net, X * np.nan, y)
    with pytest.raises(InputError, match="dimension ≤ 3"):
        GridMaximizer(pset, "hinge", 5)(net, X, y)
    with pytest.raises(InputError, match="affine"):
        LinearMaximizer(pset, "hinge")(net, X, y)


def test_nan_and_outside_results_raise_attack_error_with_indices():
    pset = PerturbationSet("l2", 0.2)
    net = FullyConnected(3, 8, 1, "tanh", seed=1)
    X, y = _data(4, 3, 1)
    with pytest.raises(AttackError) as err:
        NaNAttack(pset, "hinge")(net, X, y)
    assert err.value.kind == "nan" and err.value.indices == [0] and isinstance(err.value, RuntimeError)
    with pytest.raises(AttackError) as err:
        OutsideBallAttack(pset, "logistic")(net, X, y)
    assert err.value.kind == "outside" and err.value.indices == [0, 1, 2, 3]
    assert np.all(np.linalg.norm(err.value.points - X.numpy(), axis=1) > 0.2)
    nan_model = lambda Z: Z.sum(dim=1) * np.nan  # noqa: E731  a diverging model: gradients are NaN
    with pytest.raises(AttackError, match="not finite") as err:
        PGD(pset, "hinge", 2)(nan_model, X, y)
    assert err.value.kind == "nan" and err.value.attack == "pgd2x1"
    with pytest.raises(AttackError, match="not finite"):
        RandomAttack(pset, "hinge", 3)(nan_model, X, y)


@pytest.mark.parametrize("norm", ["l2", "linf"])
@pytest.mark.parametrize("loss", ["hinge", "logistic", "absolute"])
def test_linear_maximizer_is_the_closed_form_and_wrong_sign_is_not(norm, loss):
    X, y = _data(6, 5, 2)
    w = torch.tensor([0.5, -1.2, 0.3, 2.0, -0.1], dtype=torch.float64)
    model = lambda Z: Z @ w  # noqa: E731
    pset = PerturbationSet(norm, 0.3)
    want = _closed_form(loss, norm, w.numpy(), X.numpy(), y.numpy(), 0.3)
    got, _ = surrogate_loss(model, X, y, LinearMaximizer(pset, loss), loss)
    assert abs(float(got) - want.mean()) < 1e-12
    pts = LinearMaximizer(pset, loss)(model, X, y)
    assert np.allclose(get_loss(loss).value(model(pts), y).numpy(), want, atol=1e-12)
    bad, _ = surrogate_loss(model, X, y, WrongSignLinearMaximizer(pset, loss), loss)
    assert float(bad) < want.mean() - 0.1
    pgd, _ = surrogate_loss(model, X, y, PGD(pset, loss, 30, restarts=2), loss)
    # ℓ∞: sign steps reach the maximizing vertex exactly; ℓ2: projected steps only creep along the sphere
    assert float(pgd) <= want.mean() + 1e-12
    assert want.mean() - float(pgd) < (1e-9 if norm == "linf" else 1e-2 * want.mean())


def test_fgsm_is_exact_for_linear_margin_losses():
    X, y = _data(6, 4, 3)
    w = torch.tensor([1.0, -2.0, 0.5, 0.25], dtype=torch.float64)
    for norm in ("l2", "linf"):
        got, _ = surrogate_loss(lambda Z: Z @ w, X, y, FGSM(PerturbationSet(norm, 0.2), "hinge"), "hinge")
        assert abs(float(got) - _closed_form("hinge", norm, w.numpy(), X.numpy(), y.numpy(), 0.2).mean()) < 1e-12


def test_pgd_restarts_nest_pointwise_and_are_reproducible():
    net = FullyConnected(3, 16, 2, "tanh", seed=4)
    X, y = _data(16, 3, 4)
    pset, loss = PerturbationSet("linf", 0.3), get_loss("hinge")
    one = PGD(pset, loss, 15, restarts=1, seed=9)(net, X, y)
    many = PGD(pset, loss, 15, restarts=5, seed=9)(net, X, y)
    with torch.no_grad():
        assert (loss.value(net(many), y) >= loss.value(net(one), y)).all()
    assert torch.equal(many, PGD(pset, loss, 15, restarts=5, seed=9)(net, X, y))


def _grid_value(net, pset, loss, X, y):
    with torch.no_grad():
        return float(loss.value(net(GridMaximizer(pset, loss, 151)(net, X, y)), y).mean())


def test_clean_gradient_pgd_is_caught_short_of_the_maximum():
    """The planted PGD (gradient at the clean x) walks every restart to the FGSM corner (or stays at its random
    start where ∇ℓ(x) = 0); the real PGD reaches the grid maximum."""
    net = FullyConnected(2, 32, 2, "tanh", seed=1001)
    X, y = _data(24, 2, 1000)
    pset, loss = PerturbationSet("linf", 0.4), get_loss("hinge")
    with torch.no_grad():
        clean = float(loss.value(net(X), y).mean())
    top = _grid_value(net, pset, loss, X, y)
    with torch.no_grad():
        good = loss.value(net(PGD(pset, loss, 40, restarts=8)(net, X, y)), y).mean()
        bad = loss.value(net(CleanGradientPGD(pset, loss, 40, restarts=8)(net, X, y)), y).mean()
    assert top - float(good) < 0.02 * (top - clean)
    assert top - float(bad) > 0.1 * (top - clean)


def test_grid_certificate_brackets_every_sample():
    net = FullyConnected(2, 8, 1, "softplus", seed=2)
    X, y = _data(4, 2, 2)
    pset, loss = PerturbationSet("l2", 0.3), get_loss("logistic")
    res = GridMaximizer(pset, loss, 41, lipschitz=5.0).maximize(net, X, y)
    assert res.upper is not None and torch.allclose(res.upper - res.values,
                                                    torch.full((4,), 5.0 * res.covering_radius, dtype=torch.float64))
    assert GridMaximizer(pset, loss, 41).maximize(net, X, y).upper is None
    with torch.no_grad():
        S = pset.sample(X, 400, torch.Generator().manual_seed(0))
        vals = loss.value(net(S.reshape(-1, 2)).reshape(4, 400), y[:, None])
    assert (vals.amax(dim=1) <= res.values + 1e-3).all()  # the 41² grid is close to the true max


def test_surrogate_loss_is_differentiable_in_the_weights():
    net = FullyConnected(3, 8, 2, "softplus", seed=0)
    X, y = _data(5, 3, 0)
    value, X_adv = surrogate_loss(net, X, y, FGSM(PerturbationSet("l2", 0.1), "hinge"), "hinge")
    value.backward()
    assert not X_adv.requires_grad
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.trained_parameters())
