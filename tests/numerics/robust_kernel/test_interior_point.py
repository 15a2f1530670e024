"""The dual interior point for the hinge finite program (numerics.robust_kernel.interior_point, formulation
"interior-point" of numerics.robust_kernel.program): same optimum as Clarabel, certified bracket, fallback."""
import numpy as np
import pytest
import torch

import numerics.robust_kernel.program as rk
from numerics.network.perturbations import PerturbationSet
from numerics.network.separable_data import separable_sphere_data
from numerics.robust_kernel.cutting_planes import initial_points
from numerics.robust_kernel.interior_point import InteriorPointFailure, solve_hinge_dual
from numerics.robust_kernel.kernels import NTKKernel
from numerics.robust_kernel.program import robust_kernel_problem, solve_finite
from theory.errors import InputError


def _problem(n=24, d=4, seed=0, **form):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.where(X[:, 0] + 0.3 * X[:, 1] * X[:, 2] >= 0, 1.0, -1.0)
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet("l2", 0.1), "hinge",
                                    **(form or {"radius": 2.0}))
    return (problem, *initial_points(problem, 6, seed))


@pytest.mark.parametrize("form", [{"radius": 2.0}, {"regularization": 0.05}])
def test_interior_point_and_clarabel_agree_and_bracket_the_optimum(form):
    problem, Z, owner = _problem(**form)
    a = solve_finite(problem, Z, owner, formulation="interior-point")
    b = solve_finite(problem, Z, owner, formulation="features")
    assert a.status == "optimal" and a.formulation == "interior-point"
    assert a.lower <= b.upper + 1e-9 and b.lower <= a.upper + 1e-9
    assert abs(a.upper - b.upper) <= 1e-6 and a.gap <= 1e-6


def test_interior_point_converges_in_few_iterations_and_returns_the_epigraph_duals():
    problem, Z, owner = _problem()
    S = np.arange(len(owner))
    K = problem.kernel.gram(Z)
    y = problem.y.numpy()[owner]
    res = solve_hinge_dual(K, y, owner, problem.n, np.zeros(len(S)), radius=[2.0], gap_tol=1e-9)
    assert res.status == "optimal" and res.iterations <= 20 and res.finite_gap <= 1e-9
    alpha, slack = res.duals
    assert alpha.min() > 0 and slack.min() > 0
    np.testing.assert_allclose(np.bincount(owner, weights=alpha, minlength=problem.n) + slack, 1 / problem.n)


def test_degenerate_duals_fall_back_to_clarabel():
    """Zero loss is reachable at a large radius: the dual weights vanish (‖v‖_K → 0), the interior point gives
    up and the same solve is done by Clarabel — the recorded status is Clarabel's, the bracket still certified."""
    data = separable_sphere_data(8, 3, radius=0.05, delta_sep=0.3, tight_pairs=True, antipodal=True, seed=0)
    problem = robust_kernel_problem(data.X, data.y, NTKKernel(1, "relu2"), data.pset, "hinge", radius=50.0)
    Z, owner = initial_points(problem, 8, 0)
    sol = solve_finite(problem, Z, owner, formulation="interior-point")
    assert sol.status == "optimal" and sol.lower <= sol.upper <= 1e-6


def test_vanishing_kernel_block_is_a_named_failure():
    y = np.array([1.0, -1.0])
    with pytest.raises(InteriorPointFailure):
        solve_hinge_dual([np.zeros((2, 2))], y, np.array([0, 1]), 2, np.zeros(2), radius=[1.0])


def test_no_pool_wide_gram_is_formed(monkeypatch):
    """Without ``grams`` the finite solve forms kernel blocks on active sets only (memory O(N + |S|²))."""
    problem, Z, owner = _problem()
    shapes = []
    original = problem.kernel.gram

    def recording(A, B=None):
        shapes.append((len(A), len(A) if B is None else len(B)))
        return original(A, B)

    monkeypatch.setattr(problem.kernel, "gram", recording)
    monkeypatch.setattr(rk, "grams_over", lambda *a: pytest.fail("N×N Gram formed"))
    sol = solve_finite(problem, Z, owner, formulation="interior-point")
    assert sol.status == "optimal" and sum(b for a, b in shapes) < len(Z) / 2   # columns of active points only
    reference = solve_finite(problem, Z, owner, formulation="interior-point", grams=problem.kernel.gram(Z))
    assert abs(sol.upper - reference.upper) <= 1e-12 and np.allclose(sol.values, reference.values, atol=1e-12)


def test_interior_point_only_for_the_hinge_loss():
    problem, Z, owner = _problem()
    logistic = robust_kernel_problem(problem.X, torch.sign(problem.y), problem.kernel, problem.pset, "logistic",
                                     radius=1.0)
    with pytest.raises(InputError, match="interior-point"):
        solve_finite(logistic, Z, owner, formulation="interior-point")
    with pytest.raises(InputError, match="gap_tol"):
        solve_finite(problem, Z, owner, formulation="interior-point", gap_tol=0.0)
    assert rk.resolve_formulation(logistic, "auto", None) == "features"
    assert rk.resolve_formulation(problem, "auto", None) == "interior-point"
    assert rk.resolve_formulation(problem, "auto", 0.1) == "features"


@pytest.mark.parametrize("p", [63, 64, 128, 129])
def test_bordered_factor_solves_the_original_system(p):
    """Orders that are multiples of ALIASING_ORDER are factorized bordered by a unit diagonal entry (a speed fix):
    the solve is still M⁻¹b, residual ≤ 1e-12 relative."""
    from numerics.robust_kernel.interior_point import ALIASING_ORDER, _cholesky_solve, _factor
    A = torch.as_tensor(np.random.default_rng(p).standard_normal((p, p)))
    M = A @ A.T + p * torch.eye(p, dtype=torch.float64)
    b = torch.as_tensor(np.random.default_rng(p + 1).standard_normal(p))
    L = _factor(M)
    assert L.shape[0] == p + (p % ALIASING_ORDER == 0)
    x = _cholesky_solve(L, b)
    assert x.shape == (p,)
    assert float(torch.linalg.norm(M @ x - b)) <= 1e-12 * float(torch.linalg.norm(b)) * float(torch.linalg.norm(M))


def test_violated_points_replace_a_samples_points_once_and_the_pool_optimum_is_kept(monkeypatch):
    """The interior point's constraint generation replaces a sample's active points by its first violated point
    (numerics.robust_kernel.program._solve_generated): the second active set lacks the first one's point of some
    sample (adding alone would keep every sample's only point), and the result is still the optimum over the
    whole pool — the direct formulation on all points."""
    from numerics.robust_kernel.columns import GramSource
    problem, Z, owner = _problem()
    active_sets = []
    original = GramSource.sub

    def recording(self, S):
        active_sets.append(np.array(S))
        return original(self, S)

    monkeypatch.setattr(GramSource, "sub", recording)
    a = solve_finite(problem, Z, owner, formulation="interior-point")
    monkeypatch.setattr(GramSource, "sub", original)
    b = solve_finite(problem, Z, owner, formulation="direct")
    assert a.status == "optimal" and abs(a.objective - b.objective) <= 1e-6
    assert a.lower <= b.upper + 1e-9 and b.lower <= a.upper + 1e-9
    first, second = active_sets[0], active_sets[1]
    assert np.array_equal(np.sort(owner[first]), np.arange(problem.n))      # the clean points, one per sample
    assert any(np.isin(first[owner[first] == i], second, invert=True).all() for i in range(problem.n))
