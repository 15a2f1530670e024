"""Robust kernel problems: numerics.robust_kernel.program, duality, cutting_planes, kernels, features, certificate."""
import math

import cvxpy as cp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import numerics.robust_kernel.program as rk
from numerics.robust_kernel.certificate import certify_max_loss, region_max_norm
from numerics.robust_kernel.features import KernelError, eigen_features
from numerics.robust_kernel.kernels import LinearKernel, NTKKernel
from numerics.ntk.analytic import analytic_ntk
from numerics.network.perturbations import PerturbationSet
from numerics.robust_kernel.cutting_planes import initial_points, solve_robust
from numerics.robust_kernel.duality import dual_lower_bound, dual_variables
from numerics.planted.robust_kernel import MissingLayerTermNTK, best_case_linear_inner_max
from numerics.robust_kernel.program import RobustKernelSolverError, robust_kernel_problem, solve_finite
from theory.errors import InputError


def _sphere(n, d, seed):
    X = np.random.default_rng(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _labels(X):
    return np.where(X[:, 0] + 0.5 * X[:, 1] ** 2 - 0.2 >= 0, 1.0, -1.0)


# ---------------------------------------------------------------- kernels
@pytest.mark.parametrize("activation", ["relu", "relu2", "erf"])
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("train_output", [False, True])
def test_torch_ntk_matches_analytic_ntk_on_and_off_the_sphere(activation, depth, train_output):
    rng = np.random.default_rng(depth)
    X = rng.standard_normal((20, 4)) * rng.uniform(0.5, 1.5, (20, 1))
    X[1] = X[0] + 1e-9          # nearly parallel pair: the kinked duals' sensitive spot
    mine = NTKKernel(depth, activation, train_output=train_output).gram(X)[0]
    ref = analytic_ntk(X, depth=depth, activation=activation, train_output=train_output)
    assert np.max(np.abs(mine - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_planted_missing_layer_term_changes_the_kernel():
    X = _sphere(6, 3, 0)
    good = NTKKernel(2, "relu2").gram(X)[0]
    bad = MissingLayerTermNTK(2, "relu2").gram(X)[0]
    assert np.max(np.abs(good - bad)) > 0.1 * np.max(np.abs(good))


def test_kernel_gradients_are_finite_at_the_expansion_points():
    Z = torch.as_tensor(_sphere(4, 3, 1))
    X = Z.clone().requires_grad_(True)
    f = NTKKernel(1, "relu2").evaluate(X, Z, [torch.ones(4, dtype=torch.float64)])
    (g,) = torch.autograd.grad(f.sum(), X)
    assert torch.isfinite(g).all()


def _random_expansion(seed, d=3):
    g = torch.Generator().manual_seed(seed)
    Z = torch.randn(5, d, generator=g, dtype=torch.float64)
    beta = torch.randn(5, generator=g, dtype=torch.float64)
    return Z, beta


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), train_output=st.booleans(), scale=st.floats(0.2, 1.5))
def test_lipschitz_modulus_bounds_the_gradient(seed, train_output, scale):
    """|∇f(x)| ≤ ‖f‖_H·μ(‖x‖) for random kernel expansions (the modulus is sup over unit directions)."""
    kernel = NTKKernel(1, "relu2", train_output=train_output)
    Z, beta = _random_expansion(seed)
    norm = math.sqrt(float(beta @ torch.as_tensor(kernel.gram(Z)[0]) @ beta))
    x = torch.randn(1, 3, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    x = (x / x.norm() * scale).requires_grad_(True)
    (grad,) = torch.autograd.grad(kernel.evaluate(x, Z, [beta]).sum(), x)
    assert float(grad.norm()) <= norm * kernel.lipschitz_modulus(scale)[0] * (1 + 1e-12)


def test_lipschitz_modulus_matches_the_feature_second_moment():
    """M(x) = c_σ·E[J_wᵀJ_w] by Monte Carlo over w: its top eigenvalue is μ(1)² = 16/3 (no output)."""
    g = torch.Generator().manual_seed(0)
    W = torch.randn(400_000, 3, generator=g, dtype=torch.float64)
    x = torch.tensor([0.6, 0.8, 0.0], dtype=torch.float64)
    a = W @ x
    A, B = 2.0 * (a > 0).double(), 2.0 * torch.relu(a)
    v = (W.T * (A * B)).mean(1)
    M = (2 / 3) * ((W.T * A ** 2) @ W / W.shape[0] + torch.outer(v, x) + torch.outer(x, v)
                   + (B ** 2).mean() * torch.eye(3, dtype=torch.float64))
    top = float(torch.linalg.eigvalsh(M)[-1])
    assert abs(top - NTKKernel(1, "relu2").lipschitz_modulus(1.0)[0] ** 2) < 0.05


@settings(max_examples=60)
@given(seed=st.integers(0, 10_000), r=st.floats(1e-3, 0.3), train_output=st.booleans())
def test_taylor_remainder_bound_is_sound(seed, r, train_output):
    kernel = NTKKernel(1, "relu2", train_output=train_output)
    Z, beta = _random_expansion(seed)
    norm = math.sqrt(max(float(beta @ torch.as_tensor(kernel.gram(Z)[0]) @ beta), 0.0))
    g = torch.Generator().manual_seed(seed + 7)
    c = torch.randn(1, 3, generator=g, dtype=torch.float64)
    c = c / c.norm() * (0.8 + 0.4 * torch.rand(1, generator=g, dtype=torch.float64))
    u = torch.randn(1, 3, generator=g, dtype=torch.float64)
    u = u / u.norm() * r
    cg = c.clone().requires_grad_(True)
    fc = kernel.evaluate(cg, Z, [beta])
    (grad,) = torch.autograd.grad(fc.sum(), cg)
    with torch.no_grad():
        fx = kernel.evaluate(c + u, Z, [beta])
    remainder = abs(float(fx - fc.detach() - (grad * u).sum()))
    s = torch.tensor([max(float((c + u).norm()), float(c.norm()))], dtype=torch.float64)
    bound = norm * float(kernel.taylor_remainder(torch.tensor([r]), c.norm().reshape(1), s)[0][0])
    assert remainder <= bound + 1e-12 * (1 + norm)


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), h=st.floats(1e-3, 0.2))
def test_exponential_map_second_order_constant(seed, h):
    """‖P(u) − P(c) − dP_c(u − c)‖ ≤ ((1 + 4t/3)/2)·‖u − c‖² for the cap parametrization (t = max ‖u‖)."""
    from numerics.robust_kernel.certificate import _Geometry
    X = torch.as_tensor(_sphere(1, 4, seed))
    geo = _Geometry(PerturbationSet("sphere-cap", 0.6), X)
    g = torch.Generator().manual_seed(seed)
    c = 0.3 * torch.randn(1, 3, generator=g, dtype=torch.float64)
    u = c + h * torch.randn(1, 3, generator=g, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: geo.to_points(v, torch.zeros(1, dtype=torch.long)), c)
    lin = jac.reshape(4, 3) @ (u - c)[0]
    err = float(torch.linalg.norm(geo.to_points(u, torch.zeros(1, dtype=torch.long))[0]
                                  - geo.to_points(c, torch.zeros(1, dtype=torch.long))[0] - lin))
    tmax = max(float(c.norm()), float(u.norm()))
    assert err <= (1 + 4 * tmax / 3) / 2 * float((u - c).norm()) ** 2 + 1e-14


# ---------------------------------------------------------------- features
def test_eigen_features_reproduce_the_kernel_and_bound_the_truncation():
    Z = torch.as_tensor(_sphere(40, 3, 2))
    K = NTKKernel(1, "relu2").gram(Z)[0]
    F = eigen_features(K, rel_cutoff=1e-4)
    assert F.rank < 40
    w = np.random.default_rng(0).standard_normal(40)
    # f = K b with ‖f‖ = 1: its values differ from their projection on the kept span by ≤ truncation_error(1)
    b = w / math.sqrt(w @ K @ w)
    values = K @ b
    projected = F.phi @ (F.phi.T @ b)
    assert np.max(np.abs(values - projected)) <= F.truncation_error(1.0) + 1e-12
    # and a feature vector w is realized exactly: f = Φw = K β with β = U Λ^{-1/2} w and ‖f‖ = ‖w‖
    wf = np.random.default_rng(1).standard_normal(F.rank)
    beta = F.coefficients(wf)
    np.testing.assert_allclose(K @ beta, F.phi @ wf, atol=1e-9 * np.abs(F.phi @ wf).max())
    assert abs(math.sqrt(beta @ K @ beta) - np.linalg.norm(wf)) <= 1e-9 * np.linalg.norm(wf)


def test_indefinite_or_nan_gram_raises_kernel_error():
    with pytest.raises(KernelError):
        eigen_features(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(KernelError):
        eigen_features(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_symmetry_check_works_tile_by_tile():
    """check_gram compares K with Kᵀ in tiles: the symmetrized matrix and max |K − Kᵀ| equal the whole-matrix ones
    (several tiles, a ragged last one), and an asymmetry in a far tile is rejected."""
    from numerics.robust_kernel.features import _symmetrized, check_gram
    A = np.random.default_rng(0).standard_normal((300, 300))
    asym, sym = _symmetrized(A, tile=64)
    assert asym == np.abs(A - A.T).max() and np.array_equal(sym, 0.5 * (A + A.T))
    K = A @ A.T
    np.testing.assert_array_equal(check_gram(K), 0.5 * (K + K.T))
    K[290, 5] += 1e-6 * np.abs(K).max()
    with pytest.raises(KernelError, match="not symmetric"):
        check_gram(K)


# ---------------------------------------------------------------- finite problems and duality
def _finite(loss, n=8, d=3, k=4, seed=0, **form):
    X = _sphere(n, d, seed)
    y = _labels(X) if loss in ("hinge", "logistic") else X[:, 0]
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet("l2", 0.2), loss,
                                    **(form or {"radius": 1.5}))
    Z, owner = initial_points(problem, k, seed)
    return problem, Z, owner


@pytest.mark.parametrize("loss", ["hinge", "logistic", "absolute", "squared"])
def test_features_and_direct_agree_and_bracket_their_optimum(loss):
    problem, Z, owner = _finite(loss)
    a = solve_finite(problem, Z, owner, formulation="features")
    b = solve_finite(problem, Z, owner, formulation="direct")
    # the well-conditioned formulation is solved to "optimal"; the direct one (dense K, Cholesky factor) may
    # end "optimal_inaccurate" (seen with the logistic loss's exponential cones) — recorded, never hidden
    assert a.status == "optimal" and b.status in ("optimal", "optimal_inaccurate")
    assert abs(a.objective - b.objective) <= 1e-6
    for sol in (a, b):
        assert sol.lower <= sol.objective + 1e-7 and sol.objective <= sol.upper + 1e-7
        assert sol.gap <= 1e-6


@pytest.mark.parametrize("loss", ["hinge", "squared"])
def test_regularized_form_agrees_between_formulations(loss):
    problem, Z, owner = _finite(loss, regularization=0.1)
    a = solve_finite(problem, Z, owner, formulation="features")
    b = solve_finite(problem, Z, owner, formulation="direct")
    assert abs(a.objective - b.objective) <= 1e-6 and a.gap <= 1e-6 and b.gap <= 1e-6


def test_kkt_conditions_of_the_hinge_program():
    """Dual feasibility, stationarity in t, complementary slackness and a closed duality gap (cvxpy-test style)."""
    problem, Z, owner = _finite("hinge")
    grams = problem.kernel.gram(Z)
    y = problem.y.numpy()[owner]
    K = grams[0]
    w = cp.Variable(len(Z))
    t = cp.Variable(problem.n)
    f = K @ w
    E = np.eye(problem.n)[owner]
    margin = E @ t >= 1 - cp.multiply(y, f)
    nonneg = t >= 0
    L = np.linalg.cholesky(K + 1e-12 * np.eye(len(Z)))
    ball = cp.norm(L.T @ w) <= 1.5
    prob = cp.Problem(cp.Minimize(cp.sum(t) / problem.n), [margin, nonneg, ball])
    prob.solve(solver="CLARABEL")
    alpha, mu = margin.dual_value, nonneg.dual_value
    assert prob.status == "optimal"
    assert alpha.min() >= -1e-9 and mu.min() >= -1e-9
    np.testing.assert_allclose(np.bincount(owner, weights=alpha, minlength=problem.n) + mu, 1 / problem.n, atol=1e-8)
    slack = E @ t.value - (1 - y * (K @ w.value))
    assert np.max(np.abs(alpha * slack)) <= 1e-8
    assert np.max(np.abs(mu * t.value)) <= 1e-8
    # our independent weak-duality bound from these multipliers closes the gap
    sol = solve_finite(problem, Z, owner, formulation="direct")
    a, s = dual_variables("hinge", [alpha, mu], K @ w.value, y, owner, problem.n, 1.0)
    bound = dual_lower_bound("hinge", y, owner, problem.n, grams, np.zeros(len(Z)), a, s, radius=[1.5])
    assert abs(bound - prob.value) <= 1e-6 and bound <= sol.upper + 1e-9


def test_dual_bound_rejects_inadmissible_dual_variables():
    y, owner = np.array([1.0, -1.0]), np.array([0, 1])
    K = np.eye(2)
    with pytest.raises(InputError):
        dual_lower_bound("hinge", y, owner, 2, [K], np.zeros(2), np.array([0.5, 0.4]), np.zeros(2), radius=[1.0])
    with pytest.raises(InputError):
        dual_lower_bound("hinge", y, owner, 2, [K], np.zeros(2), np.array([0.5, 0.5]), np.array([0.5, 0.0]),
                         radius=[1.0])


# ---------------------------------------------------------------- the linear kernel: closed forms (docs/claims.md §7)
def _linear_problem(norm, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((10, 3))
    y = np.where(X[:, 0] + 0.5 * rng.standard_normal(10) >= 0, 1.0, -1.0)
    return X, y, robust_kernel_problem(X, y, LinearKernel(), PerturbationSet(norm, 0.2), "hinge", radius=2.0)


@pytest.mark.parametrize("norm,dual", [("l2", 2), ("linf", 1)])
def test_linear_kernel_matches_the_closed_form(norm, dual):
    X, y, problem = _linear_problem(norm)
    res = solve_robust(problem, tol=1e-7, initial_samples=2)
    w = sum(res.points.numpy().T @ b for b in res.betas)
    closed = np.mean(np.maximum(0, 1 - y * (X @ w) + 0.2 * np.linalg.norm(w, ord=dual)))
    assert res.status == "converged" and abs(res.upper - closed) <= 1e-9
    v = cp.Variable(3)
    pen = cp.norm(v, 2) if dual == 2 else cp.norm(v, 1)
    opt = cp.Problem(cp.Minimize(cp.sum(cp.pos(1 - cp.multiply(y, X @ v) + 0.2 * pen)) / 10), [cp.norm(v) <= 2.0])
    opt.solve(solver="CLARABEL")
    assert res.lower - 1e-6 <= opt.value <= res.upper + 1e-6


def test_planted_wrong_perturbation_sign_understates_the_robust_loss():
    X, y, problem = _linear_problem("l2")
    res = solve_robust(problem, tol=1e-7, initial_samples=2, linear_inner_max=best_case_linear_inner_max)
    w = sum(res.points.numpy().T @ b for b in res.betas)
    closed = np.mean(np.maximum(0, 1 - y * (X @ w) + 0.2 * np.linalg.norm(w)))
    assert res.upper < closed - 1e-3


# ---------------------------------------------------------------- certificates and cutting planes
@pytest.mark.parametrize("norm", ["l2", "linf", "sphere-cap"])
def test_certificate_is_sound_against_dense_sampling(norm):
    X = torch.as_tensor(_sphere(4, 3, 5))
    y = torch.as_tensor(_labels(X.numpy()))
    pset = PerturbationSet(norm, 0.15)
    kernel = NTKKernel(1, "relu2")
    Z = torch.as_tensor(_sphere(12, 3, 6))
    beta = torch.as_tensor(np.random.default_rng(0).standard_normal(12))
    norm_f = math.sqrt(float(beta @ torch.as_tensor(kernel.gram(Z)[0]) @ beta))
    model = lambda P: kernel.evaluate(P, Z, [beta])  # noqa: E731
    s = region_max_norm(pset, X)
    lip = torch.tensor([norm_f * kernel.lipschitz_modulus(float(v))[0] for v in s])
    rem = lambda r, cn, o: norm_f * kernel.taylor_remainder(r, cn, s[o])[0]  # noqa: E731
    cert = certify_max_loss(model, X, y, pset, rk.get_loss("hinge"), lip, tol=1e-3, remainder=rem,
                            cell_budget=2_000_000)
    samples = pset.sample(X, 4000, torch.Generator().manual_seed(1))
    with torch.no_grad():
        sampled = rk.get_loss("hinge").value(model(samples.reshape(-1, 3)).reshape(4, -1), y[:, None]).max(1).values
    assert cert.complete
    assert np.all(cert.upper >= sampled.numpy() - 1e-12)
    assert np.all(cert.lower <= cert.upper) and np.all(cert.upper - cert.lower <= 4e-3)
    assert bool(pset.contains(X, cert.points).all())


def test_solve_robust_brackets_and_converges_on_caps():
    X = _sphere(10, 3, 0)
    problem = robust_kernel_problem(X, _labels(X), NTKKernel(1, "relu2"), PerturbationSet("sphere-cap", 0.1),
                                    "hinge", radius=4.0)
    res = solve_robust(problem, tol=0.02)
    assert res.status == "converged" and set(res.solver_statuses) == {"optimal"}
    assert res.lower <= res.attack_value + 1e-9 <= res.upper + 2e-9 and res.upper - res.lower <= 0.02


def test_min_norm_form_brackets_the_radius():
    X = _sphere(8, 2, 1)
    problem = robust_kernel_problem(X, _labels(X), NTKKernel(1, "relu2"), PerturbationSet("sphere-cap", 0.05),
                                    "hinge", radius=1.0)
    res = solve_robust(problem, tol=0.02, target=0.1)
    assert res.status == "converged" and 0 < res.lower <= res.upper
    inner = robust_kernel_problem(X, _labels(X), problem.kernel, problem.pset, "hinge", radius=0.9 * res.lower)
    assert solve_robust(inner, tol=0.02).lower > 0.1   # below R_lower the optimum exceeds ε (certified)


# ---------------------------------------------------------------- bad input and solver trouble
def test_bad_input_is_rejected_with_input_error():
    X = _sphere(4, 3, 0)
    k, pset = NTKKernel(1, "relu2"), PerturbationSet("l2", 0.1)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError):
        robust_kernel_problem(bad, np.ones(4), k, pset, "hinge", radius=1.0)
    with pytest.raises(InputError):
        robust_kernel_problem(X, np.array([1.0, 0.5, -1.0, 1.0]), k, pset, "hinge", radius=1.0)
    with pytest.raises(InputError):
        robust_kernel_problem(X, np.ones(4), k, pset, "hinge", radius=-1.0)
    with pytest.raises(InputError):
        robust_kernel_problem(X, np.ones(4), k, pset, "hinge")
    with pytest.raises(InputError):
        robust_kernel_problem(X, np.ones(4), k, pset, "hinge", radius=1.0, regularization=0.1)
    with pytest.raises(InputError):
        robust_kernel_problem(2 * X, np.ones(4), k, PerturbationSet("sphere-cap", 0.1), "hinge", radius=1.0)


def test_infeasible_target_raises_a_named_solver_error():
    """A zero kernel (the planted fault at depth 1) cannot reach a mean hinge loss below 1: the min-norm
    program is infeasible and the solver status is carried by the error, never a silent number."""
    X = _sphere(4, 3, 0)
    problem = robust_kernel_problem(X, _labels(X), MissingLayerTermNTK(1, "relu2"),
                                    PerturbationSet("l2", 0.1), "hinge", radius=1.0)
    Z, owner = initial_points(problem, 2, 0)
    with pytest.raises(RobustKernelSolverError) as info:
        solve_finite(problem, Z, owner, target=0.5)
    assert "infeasible" in info.value.status


def test_inaccurate_solver_status_is_recorded(monkeypatch):
    original = rk._Program.solve

    def inaccurate(self, solver):
        status, value = original(self, solver)
        return "optimal_inaccurate", value

    monkeypatch.setattr(rk._Program, "solve", inaccurate)
    problem, Z, owner = _finite("hinge")
    sol = solve_finite(problem, Z, owner)
    assert sol.status == "optimal_inaccurate" and "optimal_inaccurate" in sol.solver_statuses


def test_compiled_program_is_reused_with_new_parameter_values():
    """A second solve on the same active set re-solves the compiled cvxpy program (radius is a Parameter)."""
    problem, Z, owner = _finite("hinge")
    first = solve_finite(problem, Z, owner)
    wider = robust_kernel_problem(problem.X, problem.y, problem.kernel, problem.pset, "hinge", radius=3.0)
    fresh = solve_finite(wider, Z, owner)
    again = solve_finite(wider, Z, owner, active=first.active, reuse=first.compiled)
    assert abs(again.objective - fresh.objective) <= 1e-7 and again.gap <= 1e-6
    same = solve_finite(problem, Z, owner, active=first.active, reuse=first.compiled)
    assert same.compiled.program is first.compiled.program and same.solves == 1
