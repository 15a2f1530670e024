"""One layer of the infinite-width recursion ("dual activation"), in plain numpy (no torch).

For a pair of inputs whose previous-layer covariance is Λ = [[a, c], [c, b]], (u, v) ~ N(0, Λ):

    A  = c_σ·E σ(u)²,   B = c_σ·E σ(v)²,   Σ = c_σ·E σ(u)σ(v),   Σ̇ = c_σ·E σ'(u)σ'(v).

A pair is stored as (a, b, δ) with δ = 1 − c/√(ab) ∈ [0, 2] (one minus the correlation), because the
kinked duals (relu, relu2) have a square-root singularity at correlation 1: θ = arccos(1 − δ) ≈ √(2δ),
so an absolute error 1e-16 in the correlation would become an error 1e-8 in Σ̇. Every layer therefore
returns the next δ computed without cancellation (closed forms: trigonometric identities; quadrature:
δ' = ½·E(σ(u)/‖σ(u)‖ − σ(v)/‖σ(v)‖)², a sum of squares of small differences, exactly 0 for identical inputs).

Two evaluation methods:

* ``"closed-form"`` (relu, relu2, erf): arc-cosine kernels of order 1 and 2 (Cho & Saul 2009),
  E[relu(u)relu(v)] = √(ab)(sin θ + (π − θ)cos θ)/(2π), E[1(u>0)1(v>0)] = (π − θ)/(2π),
  E[relu(u)²relu(v)²] = ab(3 sin θ cos θ + (π − θ)(1 + 2cos²θ))/(2π), relu2' = 2·relu;
  erf: E[erf u erf v] = (2/π)·asin(2c/√((1+2a)(1+2b))), E[erf' u erf' v] = (4/π)/√((1+2a)(1+2b) − 4c²).
* ``"quadrature"`` (any σ): polar coordinates. With (u, v) = (√a·r cos φ, √b·r cos(φ − θ)) for
  z = r(cos φ, sin φ) ~ N(0, I), folding φ and φ + π gives

      E F(u, v) = (1/2π) ∫_0^π dφ ∫_0^∞ [F(√(2t)·p(φ)) + F(−√(2t)·p(φ))] e^{−t} dt,
      p(φ) = (√a cos φ, √b cos(φ − θ)).

  The kinks of relu/relu2 (u = 0 or v = 0) sit at fixed angles φ = π/2 and φ = θ ± π/2, so the
  φ-integral is split there and each piece is integrated by Gauss–Legendre (smooth, in fact analytic,
  on each piece); the t-integral uses Gauss–Laguerre. For positively homogeneous σ (relu, relu2 and
  their derivatives) the folded t-integrand is a polynomial in t, integrated exactly; for smooth σ it
  is an even function of r, hence analytic in t = r²/2, and Gauss–Laguerre converges geometrically.
  The 1-D diagonal E σ(u)² uses the matching generalized Gauss–Laguerre rule (weight t^(−1/2) e^(−t)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
from scipy import integrate, special

from theory.activations import check_activation
from theory.errors import InputError

CLOSED_FORM_ACTIVATIONS: tuple[str, ...] = ("relu", "relu2", "erf")
METHODS: tuple[str, ...] = ("auto", "closed-form", "quadrature")

# Quadrature sizes. A steep σ(√a·z) (large variance a) needs more radial nodes: Gauss–Laguerre must
# resolve structure on the scale set by the complex singularities of σ (tanh: poles at ±iπ/2; sigmoid,
# softplus: ±iπ; erf: entire but e^(−u²) in σ'), i.e. on t ~ 1/(κ_σ·a). The effective variance κ_σ·max(a, b)
# picks the rule; thresholds were measured against adaptive scipy quadrature (E σ², E σ'²) and keep the
# error ≤ 1e-11 up to an effective variance 13; beyond, 256 nodes are used and accuracy degrades (~1e-8 at
# twice that). Homogeneous σ (relu, relu2: κ = 0) give polynomial t-integrands, exact with any rule.
# Unit-norm data has variance 1 at every layer (c_σ normalizes it).
STEEPNESS: dict[str, float] = {"relu": 0.0, "relu2": 0.0, "softplus": 1.0, "sigmoid": 1.0, "erf": 2.5, "tanh": 4.0}
RADIAL_NODES_BY_VARIANCE: tuple[tuple[float, int], ...] = ((4.0, 64), (8.0, 128), (math.inf, 256))
ANGULAR_NODES = 32       # Gauss–Legendre nodes on each of the 3 angular pieces of [0, π]
_CHUNK_POINTS = 1 << 22  # quadrature points held in memory at once (pairs × angles × radii)

Fn = Callable[[np.ndarray], np.ndarray]

_SIGMA: dict[str, Fn] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "relu2": lambda z: np.maximum(z, 0.0) ** 2,
    "softplus": lambda z: np.logaddexp(0.0, z),
    "tanh": np.tanh,
    "sigmoid": special.expit,
    "erf": special.erf,
}

_SIGMA_PRIME: dict[str, Fn] = {
    "relu": lambda z: (z > 0).astype(np.float64),
    "relu2": lambda z: 2.0 * np.maximum(z, 0.0),
    "softplus": special.expit,
    "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "sigmoid": lambda z: special.expit(z) * special.expit(-z),
    "erf": lambda z: (2.0 / math.sqrt(math.pi)) * np.exp(-z * z),
}


def np_sigma(name: str) -> Fn:
    """σ as a numpy function."""
    return _SIGMA[check_activation(name)]


def np_sigma_prime(name: str) -> Fn:
    """σ' as a numpy function (relu: 1[z > 0], the convention of numerics.network.activations)."""
    return _SIGMA_PRIME[check_activation(name)]


@dataclass(frozen=True)
class LayerStep:
    """Next-layer quantities for pairs (x_i, y_j): A (n,), B (k,), Σ, Σ̇ and δ' (n, k)."""

    a: np.ndarray
    b: np.ndarray
    sigma: np.ndarray
    sigma_dot: np.ndarray
    delta: np.ndarray


def resolve_method(activation: str, method: str) -> str:
    """'auto' → 'closed-form' where one exists, else 'quadrature'; reject closed-form for other σ."""
    check_activation(activation)
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    if method == "auto":
        return "closed-form" if activation in CLOSED_FORM_ACTIVATIONS else "quadrature"
    if method == "closed-form" and activation not in CLOSED_FORM_ACTIVATIONS:
        raise InputError(f"no closed form for activation {activation!r} (closed forms: "
                         f"{', '.join(CLOSED_FORM_ACTIVATIONS)}); use method='quadrature'")
    return method


def layer_step(activation: str, a: np.ndarray, b: np.ndarray, delta: np.ndarray, *, c_sigma: float,
               method: str, symmetric: bool = False) -> LayerStep:
    """Apply one layer of the recursion to variances a (n,), b (k,) and decorrelations δ (n, k).

    ``symmetric=True`` promises b is a and δ is symmetric (a Gram matrix): quadrature then evaluates
    only the pairs i ≤ j.
    """
    if resolve_method(activation, method) == "closed-form":
        return _CLOSED_FORMS[activation](a, b, delta, c_sigma)
    return _quadrature_step(activation, a, b, delta, c_sigma, symmetric)


def angle(delta: np.ndarray) -> np.ndarray:
    """θ = arccos(1 − δ) = 2·atan(√(δ/(2 − δ))), accurate to full relative precision for small δ."""
    with np.errstate(divide="ignore"):
        return 2.0 * np.arctan(np.sqrt(delta / (2.0 - delta)))


# --- closed forms ----------------------------------------------------------------------------------

def _relu(a: np.ndarray, b: np.ndarray, delta: np.ndarray, c: float) -> LayerStep:
    half = 0.5 * c
    two_minus = 2.0 - delta
    with np.errstate(divide="ignore"):               # δ = 2 (antipodal): tan²(θ/2) = inf, θ = π
        theta = delta / two_minus                    # tan²(θ/2); θ = 2·atan(√·) is accurate for all δ
    np.sqrt(theta, out=theta)
    np.arctan(theta, out=theta)
    theta *= 2.0
    s = delta * two_minus                            # sin²θ
    np.sqrt(s, out=s)
    # 1 − J1(θ)/π with J1 = sin θ + (π − θ)cos θ, written as δ − (sin θ − θ cos θ)/π (no cancellation at θ → 0).
    rho = np.subtract(1.0, delta, out=two_minus)
    rho *= theta
    s -= rho
    s *= -1.0 / math.pi
    s += delta
    new_delta = np.clip(s, 0.0, 2.0, out=s)
    sigma = np.multiply.outer(half * np.sqrt(a), np.sqrt(b))
    sigma *= np.subtract(1.0, new_delta, out=rho)
    theta *= -half / math.pi
    theta += half                                    # Σ̇ = c(π − θ)/(2π)
    if not (np.all(a > 0) and np.all(b > 0)):        # an input that is 0: σ'(0) = 0, correlation undefined
        zero = np.logical_not(np.multiply.outer(a > 0, b > 0))
        theta[zero] = 0.0
        new_delta[zero] = 1.0
    return LayerStep(half * a, half * b, sigma, theta, new_delta)


def _relu2(a: np.ndarray, b: np.ndarray, delta: np.ndarray, c: float) -> LayerStep:
    rho = 1.0 - delta
    s = np.sqrt(delta * (2.0 - delta))
    theta = np.arctan2(s, rho)
    # 1 − J2(θ)/(3π) with J2 = 3 sin θ cos θ + (π − θ)(1 + 2cos²θ) = 3π − [2π sin²θ + θ(1 + 2cos²θ) − 3 sin θ cos θ].
    new_delta = (2.0 * math.pi * s * s + theta * (1.0 + 2.0 * rho * rho) - 3.0 * s * rho) / (3.0 * math.pi)
    np.clip(new_delta, 0.0, 2.0, out=new_delta)
    ab = np.multiply.outer(a, b)
    root = np.sqrt(ab)
    sigma = (1.5 * c) * ab * (1.0 - new_delta)
    sigma_dot = (2.0 * c / math.pi) * root * (s + (math.pi - theta) * rho)   # c·4·E[relu(u)relu(v)]
    return LayerStep(1.5 * c * a * a, 1.5 * c * b * b, sigma, sigma_dot, np.where(ab > 0, new_delta, 1.0))


def _erf(a: np.ndarray, b: np.ndarray, delta: np.ndarray, c: float) -> LayerStep:
    cov = np.sqrt(np.multiply.outer(a, b)) * (1.0 - delta)
    pa, pb = 1.0 + 2.0 * a, 1.0 + 2.0 * b
    prod = np.multiply.outer(pa, pb)
    k = 2.0 * c / math.pi
    new_a, new_b = k * np.arcsin(2.0 * a / pa), k * np.arcsin(2.0 * b / pb)
    sigma = k * np.arcsin(np.clip(2.0 * cov / np.sqrt(prod), -1.0, 1.0))
    sigma_dot = (4.0 * c / math.pi) / np.sqrt(prod - 4.0 * cov * cov)
    norm = np.sqrt(np.multiply.outer(new_a, new_b))
    new_delta = np.where(norm > 0, 1.0 - sigma / np.where(norm > 0, norm, 1.0), 1.0)
    return LayerStep(new_a, new_b, sigma, sigma_dot, np.clip(new_delta, 0.0, 2.0))


_CLOSED_FORMS = {"relu": _relu, "relu2": _relu2, "erf": _erf}


# --- quadrature ------------------------------------------------------------------------------------

def radial_nodes(activation: str, max_variance: float) -> int:
    """Number of Gauss–Laguerre nodes used for σ when the largest variance in a call is ``max_variance``."""
    effective = STEEPNESS[activation] * max_variance
    return next(k for bound, k in RADIAL_NODES_BY_VARIANCE if effective <= bound)


@lru_cache(maxsize=None)
def _radial_rule(nodes: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(r, w) with r = √(2t) for the Gauss–(generalized) Laguerre rule of weight t^α e^(−t)."""
    t, w = special.roots_genlaguerre(nodes, alpha) if alpha else special.roots_laguerre(nodes)
    return np.sqrt(2.0 * t), w


@lru_cache(maxsize=None)
def _angular_rule() -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(ANGULAR_NODES)
    return 0.5 * (x + 1.0), 0.5 * w


def gaussian_second_moment(activation: str, a: np.ndarray, *, nodes: int | None = None) -> np.ndarray:
    """E σ(u)² for u ~ N(0, a), by the folded 1-D rule (1/(2√π)) Σ_k w_k [σ(r_k√a)² + σ(−r_k√a)²]."""
    sig = np_sigma(activation)
    a = np.asarray(a, dtype=np.float64)
    r, w = _radial_rule(nodes or radial_nodes(activation, float(np.max(a, initial=0.0))), -0.5)
    z = np.multiply.outer(np.sqrt(a), r)
    return (sig(z) ** 2 + sig(-z) ** 2) @ w / (2.0 * math.sqrt(math.pi))


def _angular_nodes(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angles (P, 3Q) and weights (P, 3Q) for [0, π] split at π/2 (u = 0) and at θ ± π/2 (v = 0)."""
    x, wx = _angular_rule()
    kink = np.where(theta <= 0.5 * math.pi, theta + 0.5 * math.pi, theta - 0.5 * math.pi)
    lo, hi = np.minimum(kink, 0.5 * math.pi), np.maximum(kink, 0.5 * math.pi)
    edges = np.stack([np.zeros_like(theta), lo, hi, np.full_like(theta, math.pi)], axis=1)  # (P, 4)
    length = edges[:, 1:] - edges[:, :-1]                                                   # (P, 3)
    phi = edges[:, :-1, None] + length[:, :, None] * x                                      # (P, 3, Q)
    weight = length[:, :, None] * wx                                                        # (P, 3, Q)
    return phi.reshape(len(theta), -1), weight.reshape(len(theta), -1)


def gaussian_pair_moments(activation: str, a: np.ndarray, b: np.ndarray, delta: np.ndarray, *,
                          nodes: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E σ(u)σ(v), E σ'(u)σ'(v) and δ' = ½·E(σ(u)/‖σ(u)‖ − σ(v)/‖σ(v)‖)² by polar quadrature, for flat
    arrays of pairs (‖·‖ = the L² norm under the same rule; δ' := 1 when either norm is 0).

    δ' = 1 − E σ(u)σ(v)/√(E σ(u)² E σ(v)²) exactly for the discrete rule, but summed as squares of small
    differences, so it keeps full relative precision for nearly parallel inputs even when a ≠ b.
    """
    sig, dsig = np_sigma(activation), np_sigma_prime(activation)
    nodes = nodes or radial_nodes(activation, max(np.max(a, initial=0.0), np.max(b, initial=0.0)))
    r, w = _radial_rule(nodes, 0.0)
    theta = angle(delta)
    phi, wphi = _angular_nodes(theta)
    wphi *= 1.0 / (2.0 * math.pi)

    def expect(f: np.ndarray) -> np.ndarray:
        return np.einsum("pq,pq->p", f @ w, wphi)

    u = (np.sqrt(a)[:, None] * np.cos(phi))[:, :, None] * r                   # (P, 3Q, K)
    v = (np.sqrt(b)[:, None] * np.cos(phi - theta[:, None]))[:, :, None] * r
    su, sv, smu, smv = sig(u), sig(v), sig(-u), sig(-v)
    prod = expect(su * sv + smu * smv)
    dprod = expect(dsig(u) * dsig(v) + dsig(-u) * dsig(-v))
    norm_u, norm_v = np.sqrt(expect(su * su + smu * smu)), np.sqrt(expect(sv * sv + smv * smv))
    ok = (norm_u > 0) & (norm_v > 0)
    iu = (1.0 / np.where(ok, norm_u, 1.0))[:, None, None]
    iv = (1.0 / np.where(ok, norm_v, 1.0))[:, None, None]
    new_delta = np.where(ok, 0.5 * expect((su * iu - sv * iv) ** 2 + (smu * iu - smv * iv) ** 2), 1.0)
    return prod, dprod, new_delta


def _quadrature_step(activation: str, a: np.ndarray, b: np.ndarray, delta: np.ndarray, c: float,
                     symmetric: bool) -> LayerStep:
    nodes = radial_nodes(activation, max(np.max(a, initial=0.0), np.max(b, initial=0.0)))
    new_a = c * gaussian_second_moment(activation, a, nodes=nodes)
    new_b = new_a if symmetric else c * gaussian_second_moment(activation, b, nodes=nodes)
    n, k = delta.shape
    rows, cols = np.triu_indices(n) if symmetric else np.indices((n, k)).reshape(2, -1)
    step = max(1, _CHUNK_POINTS // (3 * ANGULAR_NODES * nodes))
    parts = [gaussian_pair_moments(activation, a[rows[i:i + step]], b[cols[i:i + step]],
                                   delta[rows[i:i + step], cols[i:i + step]], nodes=nodes)
             for i in range(0, len(rows), step)]
    prod, dprod, new_delta = (np.empty((n, k)) for _ in range(3))
    for out, j in ((prod, 0), (dprod, 1), (new_delta, 2)):
        flat = np.concatenate([p[j] for p in parts])
        out[rows, cols] = flat
        if symmetric:
            out[cols, rows] = flat
    return LayerStep(new_a, new_b, c * prod, c * dprod, np.clip(new_delta, 0.0, 2.0, out=new_delta))


# --- independent scalar reference ------------------------------------------------------------------

_REF_LIMIT = 12.0   # |z| ≤ 12 carries all but e^(−72) of the Gaussian mass
_REF_TOL = 1e-12    # absolute/relative tolerance of each adaptive scipy quad


def _ref_expectation_1d(fn: Callable[[float], float], a: float) -> float:
    """E fn(√a·z) for z ~ N(0, 1) by adaptive quadrature, split at z = 0."""
    root = math.sqrt(a)
    g = lambda z: fn(root * z) * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)  # noqa: E731
    return sum(integrate.quad(g, lo, hi, epsabs=_REF_TOL, epsrel=_REF_TOL, limit=200)[0]
               for lo, hi in ((-_REF_LIMIT, 0.0), (0.0, _REF_LIMIT)))


def _ref_expectation_2d(f: Callable[[float], float], g: Callable[[float], float], a: float, b: float,
                        cov: float) -> float:
    """E f(u)g(v) for (u, v) ~ N(0, [[a, cov], [cov, b]]) by nested adaptive quadrature (kinks at u, v = 0)."""
    if a == 0.0 or b == 0.0:
        if a == b == 0.0:
            return f(0.0) * g(0.0)
        return f(0.0) * _ref_expectation_1d(g, b) if a == 0.0 else _ref_expectation_1d(f, a) * g(0.0)
    ra, rb = math.sqrt(a), math.sqrt(b)
    rho = max(-1.0, min(1.0, cov / (ra * rb)))
    s = math.sqrt(max(0.0, 1.0 - rho * rho))
    density = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)  # noqa: E731
    if s == 0.0:
        return _ref_expectation_1d(lambda z: f(z) * g(rho * rb / ra * z), a)

    def inner(z1: float) -> float:
        h = lambda z2: g(rb * (rho * z1 + s * z2)) * density(z2)  # noqa: E731
        kink = -rho * z1 / s
        cuts = [-_REF_LIMIT] + ([kink] if abs(kink) < _REF_LIMIT else []) + [_REF_LIMIT]
        total = sum(integrate.quad(h, lo, hi, epsabs=_REF_TOL, epsrel=_REF_TOL, limit=200)[0]
                    for lo, hi in zip(cuts[:-1], cuts[1:]))
        return f(ra * z1) * density(z1) * total

    return sum(integrate.quad(inner, lo, hi, epsabs=_REF_TOL, epsrel=_REF_TOL, limit=200)[0]
               for lo, hi in ((-_REF_LIMIT, 0.0), (0.0, _REF_LIMIT)))


def reference_pair_terms(x: np.ndarray, y: np.ndarray, *, depth: int, activation: str, c_sigma: float,
                         train_output: bool = False) -> list[float]:
    """Per-layer NTK terms for ONE pair (x, y), by nested adaptive scipy quadrature on (a, b, cov).

    An independent implementation (scalar, covariance-based, no shared quadrature rules) used to
    re-verify counterexamples and to test the vectorized paths; accurate to ~1e-9, slow (~0.1 s/layer).
    Returns [Σ^(h−1)(x,y)·Π_{h'≥h} Σ̇^(h')(x,y) for h = 1..H] (+ [Σ^(H)(x,y)] when ``train_output``).
    """
    sig_np, dsig_np = np_sigma(activation), np_sigma_prime(activation)
    sig = lambda z: float(sig_np(np.float64(z)))  # noqa: E731
    dsig = lambda z: float(dsig_np(np.float64(z)))  # noqa: E731
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    a, b, cov = math.fsum(x * x), math.fsum(y * y), math.fsum(x * y)
    covs, dots = [], []
    for _ in range(depth):
        covs.append(cov)
        dots.append(c_sigma * _ref_expectation_2d(dsig, dsig, a, b, cov))
        a, b, cov = (c_sigma * _ref_expectation_1d(lambda z: sig(z) ** 2, a),
                     c_sigma * _ref_expectation_1d(lambda z: sig(z) ** 2, b),
                     c_sigma * _ref_expectation_2d(sig, sig, a, b, cov))
    terms = [covs[h] * math.prod(dots[h:]) for h in range(depth)]
    return terms + ([cov] if train_output else [])
