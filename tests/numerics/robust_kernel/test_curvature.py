"""The second-order certificate (numerics.robust_kernel.curvature): sound against dense sampling re-evaluated in
numpy, tight without cells where f is smooth at the scale of the ball, planted unsound curvature caught."""
import math

import numpy as np
import pytest
import torch

from numerics.network.losses import get_loss
from numerics.network.perturbations import PerturbationSet
from numerics.ntk.analytic import analytic_ntk
from numerics.planted.robust_kernel import UnderestimatedCurvatureNTK
from numerics.robust_kernel.curvature import certify_max_loss_curvature, curvature_unsupported
from numerics.robust_kernel.kernels import NTKKernel
from theory.errors import InputError


def _expansion(seed, n=5, d=4, p=10):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True))
    Z = torch.as_tensor(rng.standard_normal((p, d)))
    beta = torch.as_tensor(rng.standard_normal(p))
    y = torch.as_tensor(np.where(rng.uniform(size=n) > 0.5, 1.0, -1.0))
    return X, Z, beta, y


def _sampled(X, Z, beta, y, pset, loss, k=6000, seed=0):
    """max over k sampled points of every B(x_i) of ℓ(f), f evaluated by numerics.ntk.analytic (numpy)."""
    P = pset.sample(X, k, torch.Generator().manual_seed(seed)).numpy()
    n, _, d = P.shape
    f = (analytic_ntk(P.reshape(-1, d), Z.numpy(), depth=1, activation="relu2") @ beta.numpy()).reshape(n, k)
    return loss.value_numpy(f, y.numpy()[:, None]).max(1)


@pytest.mark.parametrize("norm,radius", [("l2", 0.3), ("linf", 0.1), ("sphere-cap", 0.4)])
@pytest.mark.parametrize("loss_name", ["hinge", "absolute"])
@pytest.mark.parametrize("seed", [0, 1])
def test_certificate_is_sound_against_dense_sampling(norm, radius, loss_name, seed):
    X, Z, beta, y = _expansion(seed)
    pset, loss = PerturbationSet(norm, radius), get_loss(loss_name)
    cert = certify_max_loss_curvature(NTKKernel(1, "relu2"), Z, [beta], X, y, pset, loss, tol=1e-3,
                                      cell_budget=5_000)
    sampled = _sampled(X, Z, beta, y, pset, loss)
    assert np.all(sampled <= cert.upper + 1e-12)
    assert np.all(cert.lower <= cert.upper)
    assert bool(pset.contains(X, cert.points).all())
    f = analytic_ntk(cert.points.numpy(), Z.numpy(), depth=1, activation="relu2") @ beta.numpy()
    assert np.allclose(loss.value_numpy(np.diag(f) if f.ndim == 2 else f, y.numpy()), cert.lower, atol=1e-10)


def test_tight_without_cells_where_f_is_smooth_at_the_scale_of_the_ball():
    """A benchmark-like expansion (β of a robust SVM, small ℓ2 balls): the bound at the incumbents' expansions
    closes to rounding — the trust-region multiplier dominates the curvature term."""
    from numerics.robust_kernel.cutting_planes import initial_points
    from numerics.robust_kernel.program import robust_kernel_problem, solve_finite
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 5))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.where(X[:, 0] + 0.3 * X[:, 1] * X[:, 2] >= 0, 1.0, -1.0)
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet("l2", 0.1), "hinge", radius=3.0)
    Z, owner = initial_points(problem, 8, 0)
    fin = solve_finite(problem, Z, owner, formulation="interior-point")
    cert = certify_max_loss_curvature(problem.kernel, Z[fin.active], [torch.as_tensor(fin.betas[0])], problem.X,
                                      problem.y, problem.pset, problem.loss, tol=1e-3, refine=False)
    assert cert.complete and float(np.mean(cert.upper - cert.lower)) <= 1e-6


def test_planted_underestimated_curvature_is_exceeded_by_a_verified_point():
    """The C8 gate's instance (caps of radius 0.6, where the quadratic model is far from exact)."""
    rng = np.random.default_rng(12)
    X = rng.standard_normal((4, 3))
    X = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True))
    Z, beta = torch.as_tensor(rng.standard_normal((8, 3))), torch.as_tensor(rng.standard_normal(8))
    y = torch.as_tensor(np.where(rng.uniform(size=4) > 0.5, 1.0, -1.0))
    pset, loss = PerturbationSet("sphere-cap", 0.6), get_loss("hinge")
    sampled = _sampled(X, Z, beta, y, pset, loss, k=4000)
    good = certify_max_loss_curvature(NTKKernel(1, "relu2"), Z, [beta], X, y, pset, loss, tol=1e-3,
                                      cell_budget=20_000)
    bad = certify_max_loss_curvature(UnderestimatedCurvatureNTK(1, "relu2"), Z, [beta], X, y, pset, loss,
                                     tol=1e-3, cell_budget=20_000)
    assert np.all(sampled <= good.upper + 1e-12)
    assert bad.complete and np.max(sampled - bad.upper) > 0.1


def test_exhausted_budget_is_reported_and_stays_sound():
    X, Z, beta, y = _expansion(4, p=14)
    Z = 3 * Z
    pset, loss = PerturbationSet("l2", 0.5), get_loss("hinge")
    cert = certify_max_loss_curvature(NTKKernel(1, "relu2"), Z, [beta], X, y, pset, loss, tol=1e-6, cell_budget=50)
    assert not cert.complete
    assert np.all(_sampled(X, Z, beta, y, pset, loss) <= cert.upper + 1e-12)


def test_bad_settings_raise_input_errors_naming_the_argument():
    X, Z, beta, y = _expansion(0)
    k, pset, loss = NTKKernel(1, "relu2"), PerturbationSet("l2", 0.1), get_loss("hinge")
    for tol in (0.0, -1e-3, math.nan, math.inf):
        with pytest.raises(InputError, match="tol"):
            certify_max_loss_curvature(k, Z, [beta], X, y, pset, loss, tol=tol)
    for budget in (0, -5, 2.5, True):
        with pytest.raises(InputError, match="cell_budget"):
            certify_max_loss_curvature(k, Z, [beta], X, y, pset, loss, tol=1e-3, cell_budget=budget)
    with pytest.raises(InputError, match="curvature bound"):
        certify_max_loss_curvature(NTKKernel(2, "relu2"), Z, [beta], X, y, pset, loss, tol=1e-3)
    with pytest.raises(InputError, match="origin"):
        certify_max_loss_curvature(k, Z, [beta], 0.05 * X, y, pset, loss, tol=1e-3)
    assert curvature_unsupported(k, PerturbationSet("sphere-cap", 1.9), X) is not None
    assert curvature_unsupported(NTKKernel(1, "relu2", train_output=True), pset, X) is not None
