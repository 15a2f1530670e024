"""The linear kernel's closed-form robust program (numerics.robust_kernel.linear_closed_form): any tolerance, and
the bracket contains an independently solved closed-form optimum."""
import cvxpy as cp
import numpy as np
import pytest

from numerics.network.perturbations import PerturbationSet
from numerics.planted.robust_kernel import best_case_linear_inner_max
from numerics.robust_kernel.cutting_planes import solve_robust
from numerics.robust_kernel.kernels import LinearKernel
from numerics.robust_kernel.linear_closed_form import dual_bound
from numerics.robust_kernel.program import robust_kernel_problem
from theory.errors import InputError


def _data(n=40, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, np.where(X[:, 0] + 0.3 * X[:, 1] * X[:, 2] >= 0, 1.0, -1.0)


@pytest.mark.parametrize("norm,order", [("l2", 2), ("linf", 1)])
@pytest.mark.parametrize("form", [{"radius": 3.0}, {"regularization": 0.02}])
def test_tolerance_1e_minus_6_is_reached_and_the_bracket_holds_the_scs_optimum(norm, order, form):
    X, y = _data()
    problem = robust_kernel_problem(X, y, LinearKernel(), PerturbationSet(norm, 0.1), "hinge", **form)
    res = solve_robust(problem, tol=1e-6)
    assert res.status == "converged" and res.upper - res.lower <= 1e-6
    assert res.certificate["method"] == "linear-closed-form"
    w = cp.Variable(X.shape[1])
    robust = cp.sum(cp.pos(1 - cp.multiply(y, X @ w) + 0.1 * cp.norm(w, order))) / len(y)
    if "radius" in form:
        independent = cp.Problem(cp.Minimize(robust), [cp.norm(w) <= 3.0])
    else:
        independent = cp.Problem(cp.Minimize(robust + 0.01 * cp.sum_squares(w)))
    independent.solve(solver="SCS", eps=1e-10, max_iters=200_000)
    assert res.lower - 1e-8 <= independent.value <= res.upper + 1e-8


def test_the_dual_bound_is_valid_for_any_multipliers():
    X, y = _data(n=12, d=3, seed=2)
    problem = robust_kernel_problem(X, y, LinearKernel(), PerturbationSet("linf", 0.2), "hinge", radius=2.0)
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4000, 3))
    W = 2.0 * W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 2.0 * rng.uniform(size=(4000, 1)) ** -0.5)
    values = np.maximum(0, 1 - y * (W @ X.T) + 0.2 * np.abs(W).sum(1, keepdims=True)).mean(1)
    for _ in range(20):
        alpha = rng.uniform(0, 1 / 12, 12)
        assert dual_bound(problem, alpha) <= values.min()
    with pytest.raises(InputError):
        dual_bound(problem, np.full(12, 1.0))


def test_planted_best_case_inner_max_understates_the_certified_loss():
    X, y = _data(n=10, d=3, seed=3)
    problem = robust_kernel_problem(X, y, LinearKernel(), PerturbationSet("l2", 0.2), "hinge", radius=2.0)
    res = solve_robust(problem, tol=1e-7, linear_inner_max=best_case_linear_inner_max)
    w = res.betas[0]
    closed = np.mean(np.maximum(0, 1 - y * (X @ w) + 0.2 * np.linalg.norm(w)))
    assert res.upper < closed - 1e-3
