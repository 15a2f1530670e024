"""Closed forms of the two-layer relu2 NTK (numerics.robust_kernel.relu2_ntk): values, derivatives, bounds."""
import math

import mpmath as mp
import numpy as np
import pytest
import torch

from numerics.ntk.analytic import analytic_ntk
from numerics.robust_kernel import relu2_ntk
from numerics.robust_kernel.kernels import NTKKernel


def _pairs(seed, m=12, p=9, d=5):
    rng = np.random.default_rng(seed)
    X = torch.as_tensor(rng.standard_normal((m, d)) * rng.uniform(0.5, 1.5, (m, 1)))
    Z = torch.as_tensor(rng.standard_normal((p, d)))
    X[1] = 2.0 * Z[0]                     # parallel
    X[2] = -0.7 * Z[1]                    # antiparallel
    X[3] = Z[2] + 1e-9                    # nearly parallel
    return X, Z, torch.as_tensor(rng.standard_normal(p))


@pytest.mark.parametrize("seed", [0, 1])
def test_closed_form_matches_the_analytic_ntk(seed):
    X, Z, _ = _pairs(seed)
    ref = analytic_ntk(X.numpy(), Z.numpy(), depth=1, activation="relu2")
    assert np.max(np.abs(relu2_ntk.gram(X, Z).numpy() - ref)) <= 1e-12 * np.max(np.abs(ref))


def _reference(x, Z, beta):
    """f, ∇f, ∇²f by autograd through an independent float64 transcription of k = C·a·(b + (π − φ)a)."""
    def f(v):
        a = Z @ v
        b = torch.sqrt(torch.clamp((v @ v) * (Z * Z).sum(1) - a * a, min=1e-300))
        return (relu2_ntk.C_RELU2 * a * (b + (math.pi - torch.atan2(b, a)) * a)) @ beta
    return f(x), torch.autograd.functional.jacobian(f, x), torch.autograd.functional.hessian(f, x)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_derivatives_match_autograd_away_from_the_kinks(seed):
    X, Z, beta = _pairs(seed)
    f, g, H = relu2_ntk.expansion_derivatives(X, Z, beta)
    for i in range(4, X.shape[0]):
        rf, rg, rH = _reference(X[i], Z, beta)
        scale = float(beta.abs().sum() * (Z * Z).sum(1).max()) * max(1.0, float(X[i] @ X[i]))
        assert abs(float(f[i] - rf)) <= 1e-13 * scale
        assert float((g[i] - rg).abs().max()) <= 1e-13 * scale
        assert float((H[i] - rH).abs().max()) <= 1e-13 * scale


def test_hessian_is_continuous_across_the_kinks():
    """At x ∥ ±z the Hessian exists (k is C^{2,1}): central differences of the closed-form gradient agree."""
    X, Z, beta = _pairs(3)
    _, _, H = relu2_ntk.expansion_derivatives(X[1:4], Z, beta)
    eps = 1e-5
    for k, x in enumerate(X[1:4]):
        cols = []
        for a in range(x.numel()):
            e = torch.zeros_like(x)
            e[a] = eps
            gp = relu2_ntk.expansion_derivatives((x + e)[None], Z, beta)[1][0]
            gm = relu2_ntk.expansion_derivatives((x - e)[None], Z, beta)[1][0]
            cols.append((gp - gm) / (2 * eps))
        assert float((torch.stack(cols) - H[k]).abs().max()) <= 1e-4


def test_term_bounds_hold_on_random_segments():
    """|k|, ‖∇k‖, ‖∇²k‖ below their bounds, and ‖∇²k(x) − ∇²k(x')‖ ≤ Lip·‖x − x'‖ on segments of norm ≥ s."""
    rng = np.random.default_rng(7)
    Z = torch.as_tensor(rng.standard_normal((1, 4)))
    one = torch.ones(1, dtype=torch.float64)
    worst = 0.0
    for _ in range(300):
        x = torch.as_tensor(rng.standard_normal(4))
        x = x / x.norm() * rng.uniform(0.8, 1.2)
        u = torch.as_tensor(rng.standard_normal(4)) * rng.uniform(1e-4, 0.3)
        if rng.uniform() < 0.3:              # segments through the kink x ∥ z
            x = Z[0] / Z[0].norm() - 0.5 * u
        P = torch.stack([x, x + u])
        s, t = float(P.norm(dim=1).min()) * 0.9, float(P.norm(dim=1).max())
        bounds = relu2_ntk.term_bounds(Z, s * one, t * one)
        f, g, H = relu2_ntk.expansion_derivatives(P, Z, torch.ones(1, dtype=torch.float64))
        assert float(f.abs().max()) <= float(bounds["value"][0, 0])
        assert float(g.norm(dim=1).max()) <= float(bounds["gradient"][0, 0])
        assert float(torch.linalg.matrix_norm(H, ord=2).max()) <= float(bounds["hessian"][0, 0])
        ratio = float(torch.linalg.matrix_norm(H[1] - H[0], ord=2)) / float(u.norm())
        worst = max(worst, ratio / float(bounds["hessian_lipschitz"][0, 0]))
    assert 0.3 < worst <= 1.0   # the constant is valid and not vacuous


def test_third_derivative_constant_is_certified():
    """sup |D³k[u³]| over unit x, u (unit z) ≤ THIRD_DERIVATIVE: the cubic form at x = (cos φ, sin φ, 0) in
    u = (r cos α, r sin α, √(1 − r²)) (module docstring: three coordinates suffice), maximized exactly over r
    (a cubic) on a midpoint grid in (φ, α), plus Lipschitz corrections with |∂/∂φ| ≤ 514, |∂/∂α| ≤ 378 (sums of
    |coefficient × exponent| of the polynomial in cos φ, sin φ, u below: every monomial is ≤ 1 in absolute value)."""
    N = M = 5000
    alpha = (np.arange(M) + 0.5) * 2 * math.pi / M
    u1, u2 = np.cos(alpha)[None, :], np.sin(alpha)[None, :]
    best = 0.0
    for phi in np.array_split((np.arange(N) + 0.5) * math.pi / N, 25):
        c, s = np.cos(phi)[:, None], np.sin(phi)[:, None]
        A = (8 * u1 ** 3 * s ** 5 - 2 * u1 ** 3 * s ** 3 - 24 * u1 ** 2 * u2 * s ** 4 * c + 6 * u1 ** 2 * u2 * s ** 2 * c
             - 24 * u1 * u2 ** 2 * s ** 5 + 30 * u1 * u2 ** 2 * s ** 3 - 6 * u1 * u2 ** 2 * s
             + 8 * u2 ** 3 * s ** 4 * c - 10 * u2 ** 3 * s ** 2 * c + 2 * u2 ** 3 * c)
        B = (6 * s ** 3 - 3 * s) * u1 + (-6 * s ** 2 * c + 3 * c) * u2     # coefficient of |u_⊥|²
        D = A - B
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = -B / (3 * D)
        inside = (r2 > 0) & (r2 < 1)
        interior = np.where(inside, (2 / 3) * np.abs(B) * np.sqrt(np.where(inside, r2, 0.0)), 0.0)
        best = max(best, float(np.maximum(np.abs(A), interior).max()))
    bound = best + 514 * math.pi / (2 * N) + 378 * 2 * math.pi / (2 * M) + 1e-9
    assert 5.99 < best and bound <= relu2_ntk.THIRD_DERIVATIVE


def test_the_cubic_form_is_the_third_derivative():
    """The polynomial of the previous test equals D³k[u³] (autograd, d = 5, |u_⊥|² spread over three axes)."""
    rng = np.random.default_rng(3)
    z = torch.zeros(5, dtype=torch.float64)
    z[0] = 1.0
    for _ in range(20):
        phi = rng.uniform(0.05, math.pi - 0.05)
        x = torch.tensor([math.cos(phi), math.sin(phi), 0, 0, 0], dtype=torch.float64)
        u = torch.as_tensor(rng.standard_normal(5))
        u = u / u.norm()
        line = lambda t: relu2_ntk.gram((x + t * u)[None], z[None])[0, 0] / relu2_ntk.C_RELU2  # noqa: E731
        t = torch.zeros((), dtype=torch.float64, requires_grad=True)
        (d1,) = torch.autograd.grad(_smooth_k(x + t * u, z), t, create_graph=True)
        (d2,) = torch.autograd.grad(d1, t, create_graph=True)
        (d3,) = torch.autograd.grad(d2, t)
        c, s = math.cos(phi), math.sin(phi)
        u1, u2, w = float(u[0]), float(u[1]), float((u[2:] ** 2).sum())
        poly = (8 * u1 ** 3 * s ** 5 - 2 * u1 ** 3 * s ** 3 - 24 * u1 ** 2 * u2 * s ** 4 * c + 6 * u1 ** 2 * u2 * s ** 2 * c
                - 24 * u1 * u2 ** 2 * s ** 5 + 30 * u1 * u2 ** 2 * s ** 3 - 6 * u1 * u2 ** 2 * s + 6 * u1 * w * s ** 3
                - 3 * u1 * w * s + 8 * u2 ** 3 * s ** 4 * c - 10 * u2 ** 3 * s ** 2 * c + 2 * u2 ** 3 * c
                - 6 * u2 * w * s ** 2 * c + 3 * u2 * w * c)
        assert abs(float(d3) - poly) <= 1e-10
        assert abs(float(line(0.0)) - float(_smooth_k(x, z))) <= 1e-12


def _smooth_k(x, z):
    """k/C = a·(b + (π − φ)a) by plain autograd-friendly ops (x away from ±z)."""
    a = x @ z
    b = torch.sqrt((x @ x) * (z @ z) - a * a)
    return a * (b + (math.pi - torch.atan2(b, a)) * a)


def test_rounding_allowance_covers_float64_against_50_digit_arithmetic():
    X, Z, beta = _pairs(5, m=5, p=6, d=3)
    f, g, H = relu2_ntk.expansion_derivatives(X, Z, beta)
    norms = X.norm(dim=1)
    bounds = relu2_ntk.term_bounds(Z, norms, norms)
    allowance = relu2_ntk.rounding_allowance(beta, bounds)
    mp.mp.dps = 50
    for i in range(X.shape[0]):
        x = mp.matrix(X[i].tolist())
        fv, gv, Hv = _mp_derivatives(x, Z, beta)
        assert abs(float(f[i]) - fv) <= float(allowance["value"][i])
        assert max(abs(float(g[i, a]) - gv[a]) for a in range(3)) <= float(allowance["gradient"][i])
        assert max(abs(float(H[i, a, b]) - Hv[a][b]) for a in range(3) for b in range(3)) <= \
            float(allowance["hessian"][i])


def _mp_derivatives(x, Z, beta):
    """f, ∇f, ∇²f at 50 digits by central differences of the exact value (step 1e-15, error ~1e-30·f''')."""
    def val(v):
        total = mp.mpf(0)
        for j in range(Z.shape[0]):
            z = mp.matrix(Z[j].tolist())
            a = sum(v[k] * z[k] for k in range(3))
            b = mp.sqrt(max(sum(v[k] ** 2 for k in range(3)) * sum(z[k] ** 2 for k in range(3)) - a * a, 0))
            total += mp.mpf(float(beta[j])) * a * (b + (mp.pi - mp.atan2(b, a)) * a)
        return total * 4 / (3 * mp.pi)
    h = mp.mpf("1e-15")
    e = [mp.matrix([1 if k == a else 0 for k in range(3)]) for a in range(3)]
    grad = [float((val(x + h * e[a]) - val(x - h * e[a])) / (2 * h)) for a in range(3)]
    hess = [[float((val(x + h * e[a] + h * e[b]) - val(x + h * e[a] - h * e[b]) - val(x - h * e[a] + h * e[b])
                    + val(x - h * e[a] - h * e[b])) / (4 * h * h)) for b in range(3)] for a in range(3)]
    return float(val(x)), grad, hess


def test_the_ntk_kernel_model_uses_the_closed_forms_only_for_its_own_kernel():
    from numerics.planted.robust_kernel import MissingLayerTermNTK
    X, Z, beta = _pairs(0)
    assert NTKKernel(1, "relu2").term_bounds(Z, torch.ones(1), torch.ones(1)) is not None
    assert MissingLayerTermNTK(1, "relu2").term_bounds(Z, torch.ones(1), torch.ones(1)) is None
    assert NTKKernel(1, "relu2", train_output=True).term_bounds(Z, torch.ones(1), torch.ones(1)) is None
    assert float(MissingLayerTermNTK(1, "relu2").values(X, Z, [beta]).abs().max()) == 0.0
