"""Robust-loss bounds: sound activation relaxations, the sandwich lower ≤ L* ≤ upper on random small nets
(Hypothesis), lower ≤ exact ≤ upper with the MILP on tiny ReLU nets, honest MILP statuses, local Lipschitz
constants, and the planted unsound IBP bound."""
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.network.activations import sigma
from numerics.adversarial.attacks import PGD, GridMaximizer
from numerics.adversarial.bounds import (local_lipschitz, output_bounds, robust_loss_bounds, robust_loss_upper)
from numerics.planted.bounds import ibp_upper_dropped_radius_term
from numerics.network.losses import LOSSES, get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import NORMS, PerturbationSet
from numerics.adversarial.relaxations import derivative_bound, linear_bounds
from theory.activations import ACTIVATIONS
from theory.errors import InputError
from tests.numerics.adversarial.conftest import labelled_points


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    yield


_data = labelled_points


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_relaxations_are_sound_on_dense_grids(act):
    gen = torch.Generator().manual_seed(0)
    centre = 4 * torch.randn(3000, generator=gen, dtype=torch.float64)
    width = 8 * torch.rand(3000, generator=gen, dtype=torch.float64) ** 3
    width[:50], width[50:100] = 0.0, 1e-10  # degenerate and tiny intervals
    l, u = centre - width, centre + width
    kL, bL, kU, bU = linear_bounds(act, l, u)
    Z = l[:, None] + (u - l)[:, None] * torch.linspace(0, 1, 1001, dtype=torch.float64)[None]
    S = sigma(act)(Z)
    assert (kL[:, None] * Z + bL[:, None] <= S).all()
    assert (S <= kU[:, None] * Z + bU[:, None]).all()
    wide = width > 1e-3  # difference quotients on tiny intervals are round-off
    D = derivative_bound(act, l, u)[wide]
    slopes = (S[wide, 1:] - S[wide, :-1]) / (Z[wide, 1:] - Z[wide, :-1])
    assert (slopes.abs() <= D[:, None] * (1 + 1e-6) + 1e-9).all()


def test_relaxations_are_tight_where_sigma_is_linear():
    l = torch.tensor([0.5, -3.0], dtype=torch.float64)
    u = torch.tensor([2.0, -1.0], dtype=torch.float64)
    kL, bL, kU, bU = linear_bounds("relu", l, u)  # stable neurons: exact
    assert torch.equal(kL, kU) and torch.equal(bL, bU)


@given(st.sampled_from(ACTIVATIONS), st.integers(1, 3), st.integers(1, 2), st.integers(2, 6),
       st.sampled_from(NORMS), st.floats(0.0, 0.6), st.sampled_from(LOSSES), st.sampled_from(["crown", "ibp"]),
       st.integers(0, 10_000))
@example("relu2", 3, 2, 6, "linf", 0.6, "squared", "crown", 0)  # relu2's growth with a non-Lipschitz loss
@example("tanh", 2, 2, 6, "sphere-cap", 0.0, "hinge", "crown", 3)  # zero radius: the bound is the clean loss
@example("relu", 2, 1, 2, "sphere-cap", 1e-6, "hinge", "crown", 0)  # found by Hypothesis: arccos(1 − δ²/2)
# lost precision at tiny δ and PGD's projected points left the cap; fixed by θ = 2·arcsin(δ/2)
def test_sampled_points_never_exceed_the_upper_bound(act, d, depth, width, norm, radius, loss, method, seed):
    net = FullyConnected(d, width, depth, act, seed=seed)
    X, y = _data(4, d, seed)
    pset = PerturbationSet(norm, radius)
    rb = robust_loss_bounds(net, X, y, pset, loss, attack=PGD(pset, loss, 5, restarts=2, seed=seed), method=method)
    S = pset.sample(X, 64, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        f = net(S.reshape(-1, d)).reshape(4, 64)
        vals = get_loss(loss).value(f, y[:, None])
    slack = 1e-9 * (1 + rb.upper.abs())
    assert (f >= rb.f_lower[:, None] - slack[:, None]).all() and (f <= rb.f_upper[:, None] + slack[:, None]).all()
    assert (vals <= rb.upper[:, None] + slack[:, None]).all()
    assert (rb.lower <= rb.upper + slack).all()
    assert pset.contains(X, rb.lower_points).all()
    if radius == 0:
        with torch.no_grad():
            clean = get_loss(loss).value(net(X), y)
        assert torch.allclose(rb.upper, clean, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("act", ["relu", "tanh", "softplus"])
def test_crown_is_tighter_than_ibp(act):
    net = FullyConnected(3, 32, 2, act, seed=1)
    X, _ = _data(6, 3, 1)
    pset = PerturbationSet("linf", 0.1)
    lo_c, hi_c = output_bounds(net, X, pset, "crown")
    lo_i, hi_i = output_bounds(net, X, pset, "ibp")
    assert (hi_c - lo_c <= hi_i - lo_i + 1e-12).all()
    assert float((hi_c - lo_c).mean()) < 0.8 * float((hi_i - lo_i).mean())


@pytest.mark.parametrize("loss", ["hinge", "absolute"])
def test_milp_exact_is_sandwiched_and_beats_the_grid(loss):
    net = FullyConnected(2, 8, 2, "relu", seed=3)
    X, y = _data(5, 2, 3)
    pset = PerturbationSet("linf", 0.2)
    rb = robust_loss_bounds(net, X, y, pset, loss, milp_time_limit=60)
    assert rb.exact_status == ["optimal"] * 5 and rb.mean_exact is not None
    tol = 1e-6
    assert (rb.lower <= rb.exact + tol).all() and (rb.exact <= rb.upper + tol).all()
    grid = GridMaximizer(pset, loss, 201, lipschitz=local_lipschitz(net, X, y, pset, loss)).maximize(net, X, y)
    assert (grid.values <= rb.exact + tol).all() and (rb.exact <= grid.upper + tol).all()
    assert pset.contains(X, rb.exact_points).all()


def test_milp_time_limit_is_a_status_never_a_number():
    net = FullyConnected(2, 8, 1, "relu", seed=0)
    X, y = _data(3, 2, 0)
    rb = robust_loss_bounds(net, X, y, PerturbationSet("linf", 0.2), "hinge", milp_time_limit=1e-9)
    assert rb.exact_status == ["time_limit"] * 3
    assert rb.mean_exact is None and torch.isnan(rb.exact).all()


def test_milp_process_is_killed_at_the_hard_limit(monkeypatch):
    """With no grace the solver process cannot even start in time: it is killed, every status is time_limit."""
    import numerics.adversarial.milp as bm
    monkeypatch.setattr(bm, "_PROCESS_GRACE_S", 0.0)
    net = FullyConnected(2, 8, 1, "relu", seed=0)
    X, y = _data(2, 2, 0)
    rb = robust_loss_bounds(net, X, y, PerturbationSet("linf", 0.2), "absolute", milp_time_limit=0.01)
    assert rb.exact_status == ["time_limit"] * 2 and rb.mean_exact is None


def test_milp_not_applicable_outside_relu_linf():
    X, y = _data(3, 2, 0)
    for act, norm in (("tanh", "linf"), ("relu", "l2")):
        rb = robust_loss_bounds(FullyConnected(2, 4, 1, act), X, y, PerturbationSet(norm, 0.1), "hinge",
                                milp_time_limit=10)
        assert rb.exact is None and rb.exact_status == ["not-applicable"] * 3 and rb.mean_exact is None


@given(st.sampled_from(ACTIVATIONS), st.sampled_from(["l2", "linf"]), st.floats(0.01, 0.5),
       st.sampled_from(LOSSES), st.integers(0, 1000))
def test_local_lipschitz_bounds_sampled_slopes(act, norm, radius, loss, seed):
    net = FullyConnected(2, 8, 2, act, seed=seed)
    X, y = _data(3, 2, seed)
    pset = PerturbationSet(norm, radius)
    L = local_lipschitz(net, X, y, pset, loss)
    S = pset.sample(X, 40, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        v = get_loss(loss).value(net(S.reshape(-1, 2)).reshape(3, 40), y[:, None])
    dv = (v[:, :, None] - v[:, None, :]).abs()
    dx = torch.cdist(S, S)
    assert (dv <= L[:, None, None] * dx * (1 + 1e-9) + 1e-12).all()


def test_planted_ibp_bound_is_unsound():
    net = FullyConnected(3, 16, 2, "tanh", seed=2)
    X, y = _data(6, 3, 2)
    pset, loss = PerturbationSet("l2", 0.2), get_loss("logistic")
    bad = ibp_upper_dropped_radius_term(net, X, y, pset, loss)
    good = robust_loss_upper(net, X, y, pset, loss, "ibp")
    with torch.no_grad():
        attacked = loss.value(net(PGD(pset, loss, 20)(net, X, y)), y)
    assert (attacked <= good).all() and (attacked > bad + 1e-3).any()


def test_bad_bound_arguments():
    net = FullyConnected(2, 4, 1, "relu")
    X, y = _data(3, 2, 0)
    pset = PerturbationSet("l2", 0.1)
    with pytest.raises(InputError, match="unknown bound method"):
        robust_loss_bounds(net, X, y, pset, "hinge", method="lp")
    with pytest.raises(InputError, match="FullyConnected"):
        robust_loss_bounds(lambda Z: Z.sum(1), X, y, pset, "hinge")
    with pytest.raises(InputError, match="milp_time_limit"):
        robust_loss_bounds(net, X, y, pset, "hinge", milp_time_limit=-1)
    with pytest.raises(InputError, match="shape"):
        robust_loss_bounds(net, X[:, :1], y, pset, "hinge")
