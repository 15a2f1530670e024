"""numerics.ntk.analytic: analytic NTK (closed forms, quadrature, an mpmath reference)."""
import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.network.data import sphere_points
from numerics.ntk.dual_activations import reference_pair_terms
from numerics.ntk.analytic import analytic_ntk, analytic_ntk_terms, nngp_kernel
from theory.activations import ACTIVATIONS, c_sigma
from theory.errors import InputError

# Agreement required between quadrature and closed forms (relative to the largest entry): both are float64
# computations of the same quantity, far above round-off.
NTK_REL_TOL_F64 = 1e-10
# The mpmath arc-cosine recursion is exact to 40 digits; the float64 closed form loses a few ulps (measured 2e-16).
MPMATH_REL_TOL = 1e-15
# Nested adaptive scipy quadrature (reference_pair_terms) is accurate to ~1e-11 on these inputs.
REFERENCE_ABS_TOL = 1e-9


def _rel_err(a, b):
    return float(np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b))))


# --- ReLU against an independent 40-digit implementation of the arc-cosine recursion -------------------

def _mp_relu_ntk(X, depth, train_output):
    """Θ for relu from docs/claims.md §2 with mpmath: Σ^(h) = √(ab)(sin θ + (π − θ)cos θ)/π, Σ̇ = (π − θ)/π."""
    with mpmath.workdps(40):
        P = [[mpmath.mpf(float(v)) for v in row] for row in X]
        n = len(P)
        out = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                a = mpmath.fsum(v * v for v in P[i])
                b = mpmath.fsum(v * v for v in P[j])
                c = mpmath.fsum(u * v for u, v in zip(P[i], P[j]))
                covs, dots = [], []
                for _ in range(depth):
                    covs.append(c)
                    if a == 0 or b == 0:
                        dots.append(mpmath.mpf(0))
                        c = mpmath.mpf(0)
                        continue
                    theta = mpmath.acos(max(-1, min(1, c / mpmath.sqrt(a * b))))
                    dots.append((mpmath.pi - theta) / mpmath.pi)
                    c = mpmath.sqrt(a * b) * (mpmath.sin(theta) + (mpmath.pi - theta) * mpmath.cos(theta)) / mpmath.pi
                theta_ij = mpmath.fsum(covs[h] * mpmath.fprod(dots[h:]) for h in range(depth))
                out[i, j] = float(theta_ij + (c if train_output else 0))
        return out


def _awkward_points():
    """Sphere points plus a near-parallel pair, an antipodal pair, an off-sphere point and the origin."""
    X = sphere_points(5, 4, seed=3)
    near = X[0] + 1e-7 * np.array([0.3, -0.2, 0.5, 0.1])
    return np.vstack([X, near / np.linalg.norm(near), -X[1], 2.5 * X[2], 0.3 * X[3], np.zeros(4)])


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("train_output", [False, True])
def test_relu_closed_form_matches_mpmath_recursion(depth, train_output):
    X = _awkward_points()
    got = analytic_ntk(X, depth=depth, activation="relu", train_output=train_output)
    ref = _mp_relu_ntk(X, depth, train_output)
    assert _rel_err(got, ref) <= MPMATH_REL_TOL


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_relu_diagonal_is_depth_on_unit_inputs(depth):
    X = sphere_points(6, 7, seed=1)
    np.testing.assert_allclose(np.diag(analytic_ntk(X, depth=depth, activation="relu")), depth, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.diag(analytic_ntk(X, depth=depth, activation="relu", train_output=True)),
                               depth + 1, rtol=0, atol=1e-14)


# --- quadrature against the closed forms -------------------------------------------------------------

_NEAR_ONE = [1.0 - 10.0 ** -k for k in range(1, 16)] + [1.0]
correlations = st.one_of(st.floats(-1.0, 1.0), st.sampled_from(_NEAR_ONE), st.sampled_from([-r for r in _NEAR_ONE]))


def _pair(r1, r2, rho):
    """Two points in R^3 with norms r1, r2 and cosine rho."""
    return np.array([[r1, 0.0, 0.0], [r2 * rho, r2 * math.sqrt(max(0.0, 1.0 - rho * rho)), 0.0]])


@pytest.mark.parametrize("activation", ["relu", "relu2", "erf"])
@given(r1=st.floats(0.1, 1.5), r2=st.floats(0.1, 1.5), rho=correlations, depth=st.integers(1, 3),
       train_output=st.booleans())
@example(r1=1.0, r2=1.0, rho=1.0, depth=3, train_output=True)
@example(r1=1.0, r2=1.0, rho=-1.0, depth=3, train_output=False)
@example(r1=1.5, r2=0.1, rho=1.0 - 1e-15, depth=2, train_output=False)
def test_quadrature_matches_closed_form(activation, r1, r2, rho, depth, train_output):
    X = _pair(r1, r2, rho)
    kw = dict(depth=depth, activation=activation, train_output=train_output)
    exact = analytic_ntk(X, method="closed-form", **kw)
    quad = analytic_ntk(X, method="quadrature", **kw)
    assert _rel_err(quad, exact) <= NTK_REL_TOL_F64


@pytest.mark.parametrize("activation", ["relu", "relu2", "erf"])
def test_quadrature_matches_closed_form_with_a_zero_input(activation):
    X = np.vstack([sphere_points(3, 3, seed=5), np.zeros(3)])
    kw = dict(depth=2, activation=activation, train_output=True)
    assert _rel_err(analytic_ntk(X, method="quadrature", **kw), analytic_ntk(X, method="closed-form", **kw)) \
        <= NTK_REL_TOL_F64


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_vectorized_kernel_matches_independent_scalar_reference(activation):
    """analytic_ntk_terms vs nested adaptive scipy quadrature on (a, b, cov), on and off the sphere."""
    X = sphere_points(2, 4, seed=8) * np.array([[1.0], [1.3]])
    terms = analytic_ntk_terms(X, depth=2, activation=activation, train_output=True)
    for i, j in ((0, 1), (1, 1)):
        ref = reference_pair_terms(X[i], X[j], depth=2, activation=activation, c_sigma=c_sigma(activation),
                                   train_output=True)
        np.testing.assert_allclose([t[i, j] for t in terms], ref, rtol=0, atol=REFERENCE_ABS_TOL)


# --- structure of the analytic kernel ----------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gram_is_symmetric_psd_and_consistent_with_cross_kernel(activation):
    X = np.vstack([sphere_points(8, 5, seed=2), 1.4 * sphere_points(2, 5, seed=9)])
    G = analytic_ntk(X, depth=2, activation=activation, train_output=True)
    assert np.array_equal(G, G.T)
    eig = np.linalg.eigvalsh(G)
    assert eig[0] >= -1e-12 * eig[-1]
    K = analytic_ntk(X[:6], X[6:], depth=2, activation=activation, train_output=True)
    assert _rel_err(K, G[:6, 6:]) <= 1e-13
    assert _rel_err(analytic_ntk(X[6:], X[:6], depth=2, activation=activation, train_output=True), K.T) <= 1e-13


@pytest.mark.parametrize("activation", ["relu", "softplus"])
def test_terms_sum_to_kernel_and_nngp_is_one_on_the_sphere(activation):
    X = sphere_points(5, 3, seed=4)
    kw = dict(depth=3, activation=activation)
    terms = analytic_ntk_terms(X, train_output=True, **kw)
    assert len(terms) == 4
    assert _rel_err(sum(terms), analytic_ntk(X, train_output=True, **kw)) <= 1e-14
    np.testing.assert_allclose(np.diag(nngp_kernel(X, **kw)), 1.0, atol=1e-12)
    np.testing.assert_array_equal(analytic_ntk(X, c_sigma=c_sigma(activation), **kw), analytic_ntk(X, **kw))
    assert _rel_err(analytic_ntk(X, c_sigma=1.5 * c_sigma(activation), **kw), analytic_ntk(X, **kw)) > 0.1


# --- empirical NTK -------------------------------------------------------------------------------------

# --- bad input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    dict(X=np.array([[np.nan, 1.0]])),
    dict(X=np.array([[np.inf, 1.0]])),
    dict(X=np.ones(3)),
    dict(Y=np.ones((2, 3))),
    dict(depth=0), dict(depth=1.5), dict(depth=True),
    dict(activation="gelu"),
    dict(activation="softplus", method="closed-form"),
    dict(method="bogus"),
    dict(c_sigma=-1.0), dict(c_sigma=float("nan")),
])
def test_analytic_bad_input_raises_input_error(bad):
    kw = dict(X=np.ones((2, 2)), Y=None, depth=2, activation="relu") | bad
    with pytest.raises(InputError):
        analytic_ntk(kw.pop("X"), kw.pop("Y"), **kw)
