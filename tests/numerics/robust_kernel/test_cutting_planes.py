"""solve_robust (numerics.robust_kernel.cutting_planes): certified brackets that reach their tolerance with the
second-order oracle and certificate; honest statuses where no certificate applies; bad settings rejected."""
import math

import numpy as np
import pytest

from numerics.network.perturbations import PerturbationSet
from numerics.ntk.analytic import analytic_ntk
from numerics.robust_kernel.cutting_planes import solve_robust
from numerics.robust_kernel.kernels import NTKKernel
from numerics.robust_kernel.program import robust_kernel_problem
from theory.errors import InputError


def _benchmark_like(n=32, d=5, norm="l2", delta=0.1, seed=0, **kw):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.where(X[:, 0] + 0.3 * X[:, 1] * X[:, 2] >= 0, 1.0, -1.0)
    return robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet(norm, delta), "hinge",
                                 **(kw or {"radius": 3.0}))


@pytest.mark.parametrize("norm", ["l2", "sphere-cap"])
def test_converges_at_tol_1e_minus_3_and_the_upper_end_is_a_verified_bound(norm):
    problem = _benchmark_like(norm=norm)
    res = solve_robust(problem, tol=1e-3, initial_samples=4)
    assert res.status == "converged" and res.upper - res.lower <= 1e-3
    assert res.certificate["method"] == "second-order-branch-and-bound" and res.certificate["complete"]
    assert res.lower <= res.attack_value + 1e-9 <= res.upper + 2e-9
    # dense sampling of the returned f, evaluated in numpy, never beats the certified robust loss
    X, y = problem.X, problem.y.numpy()
    P = problem.pset.sample(X, 2000, __import__("torch").Generator().manual_seed(5)).numpy()
    f = analytic_ntk(P.reshape(-1, X.shape[1]), res.points.numpy(), depth=1, activation="relu2") @ res.betas[0]
    sampled = np.maximum(0, 1 - y[:, None] * f.reshape(X.shape[0], -1)).max(1).mean()
    assert sampled <= res.upper


def test_regularized_form_converges():
    res = solve_robust(_benchmark_like(n=16, regularization=0.01), tol=1e-3)
    assert res.status == "converged" and res.upper - res.lower <= 1e-3


def test_kernels_without_derivative_bounds_end_uncertified():
    """Depth-2 NTK: no curvature or Lipschitz bound is derived — the honest status, never 'converged'."""
    base = _benchmark_like(n=8)
    problem = robust_kernel_problem(base.X, base.y, NTKKernel(2, "relu2"), base.pset, "hinge", radius=3.0)
    res = solve_robust(problem, tol=1e-2, initial_samples=2, max_rounds=3)
    assert res.status == "uncertified" and res.upper is None and math.isfinite(res.lower)


def test_certify_false_ends_uncertified():
    res = solve_robust(_benchmark_like(n=8), tol=1e-2, certify=False, max_rounds=3)
    assert res.status == "uncertified" and res.upper is None


def test_trained_output_kernel_keeps_the_first_order_certificate():
    base = _benchmark_like(n=6, d=3)
    problem = robust_kernel_problem(base.X, base.y, NTKKernel(1, "relu2", train_output=True), base.pset, "hinge",
                                    radius=2.0)
    res = solve_robust(problem, tol=5e-2, initial_samples=2, cell_budget=200_000)
    assert res.certificate["method"] == "lipschitz-branch-and-bound"
    assert res.status in ("converged", "gap-above-tolerance") and res.upper >= res.lower


@pytest.mark.parametrize("kwargs,name", [({"tol": 0.0}, "tol"), ({"tol": -1.0}, "tol"), ({"tol": math.nan}, "tol"),
                                         ({"max_rounds": 0}, "max_rounds"), ({"cell_budget": 0}, "cell_budget"),
                                         ({"cell_budget": 1.5}, "cell_budget"),
                                         ({"initial_samples": -1}, "initial samples"),
                                         ({"formulation": "simplex"}, "formulation")])
def test_bad_settings_raise_input_errors_naming_the_argument(kwargs, name):
    with pytest.raises(InputError, match=name):
        solve_robust(_benchmark_like(n=4), **kwargs)


def test_tiny_budgets_never_claim_convergence():
    """One round and one certificate cell: the bracket is whatever was certified, the status says so."""
    res = solve_robust(_benchmark_like(n=16, delta=0.3), tol=1e-6, max_rounds=1, cell_budget=1)
    assert res.status in ("max-rounds", "gap-above-tolerance")
    assert res.upper is None or res.upper - res.lower > 1e-6
