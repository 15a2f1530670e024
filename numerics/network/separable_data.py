"""Separable synthetic data on the unit sphere for C8, with the separation verified in closed form.

Labels come from an odd nearest-anchor margin rule: ``anchors`` points a_k on S^{d−1} with seeded labels
s_k, mirrored (−a_k carries −s_k); x gets the label of the nearest of the 2K anchors, so y(−x) = −y(x).
Candidates are drawn uniformly on the sphere (with ``tight_pairs``, as pairs: x and a partner of the opposite
label at set distance exactly δ_sep, in a random tangent direction — the pairs pin the measured separation
to δ_sep) and kept greedily when

* (C8's hypothesis) dist(B(x_i), B(x_j)) ≥ δ_sep for every kept x_j with y_j ≠ y_i, and
* (``antipodal=True``) dist(B(x_i), −B(x_j)) ≥ δ_sep for every kept x_j with y_j = y_i.

The second condition matters for the bias-free two-layer quadratic-ReLU net of docs/claims.md §2: there
f(W, x) + f(W, −x) = (1/√m)·Σ_r a_r √c_σ (w_rᵀx)² is a quadratic form for EVERY W, so same-labelled sets
near antipodal positions can block robust classification at any radius and width (see
numerics.checks.c8_existence). The set distances are exact closed forms (B symmetric, so −B(x) = B(−x)):

    l2 balls      max(0, ‖x_i − x_j‖₂ − 2δ)
    linf boxes    ‖max(0, |x_i − x_j| − 2δ)‖₂            (coordinatewise gaps between the two boxes)
    sphere caps   2·sin(max(0, α_ij − 2θ_δ)/2),  α_ij = ∠(x_i, x_j), θ_δ the cap's angular radius
                  (the nearest points lie on the great circle through both centres).

l2 and linf separations are re-verified in exact rational arithmetic (squared distances of the float inputs).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError

# Generation keeps a candidate only when its separation beats δ_sep by this much, so that the float64 closed
# forms (accurate to ~1e-15) cannot flip a verdict.
SEPARATION_MARGIN = 1e-9
# Candidates drawn per requested point before giving up.
MAX_ATTEMPTS_PER_POINT = 500


@dataclass
class SeparableData:
    """Unit-norm points X (n, d), labels y ∈ {±1}, their perturbation set and the measured separations."""

    X: np.ndarray
    y: np.ndarray
    pset: PerturbationSet
    delta_sep: float
    separation: float
    antipodal_separation: float
    anchors: np.ndarray
    anchor_labels: np.ndarray
    seed: int
    attempts: int
    notes: list[str] = field(default_factory=list)


def _angles(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """∠(x, y) = 2·atan2(‖x − y‖, ‖x + y‖) for unit rows (accurate at every angle)."""
    diff = np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=2)
    summ = np.linalg.norm(X[:, None, :] + Y[None, :, :], axis=2)
    return 2.0 * np.arctan2(diff, summ)


def set_distances(pset: PerturbationSet, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Euclidean distance between B(x_i) and B(y_j) for all pairs (closed forms of the module docstring)."""
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    delta = pset.radius
    if pset.norm == "l2":
        return np.maximum(0.0, np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=2) - 2 * delta)
    if pset.norm == "linf":
        gaps = np.maximum(0.0, np.abs(X[:, None, :] - Y[None, :, :]) - 2 * delta)
        return np.linalg.norm(gaps, axis=2)
    return 2.0 * np.sin(np.maximum(0.0, _angles(X, Y) - 2 * pset.cap_angle) / 2.0)


def separations(pset: PerturbationSet, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(min over y_i ≠ y_j of dist(B(x_i), B(x_j)), min over y_i = y_j of dist(B(x_i), −B(x_j))); inf if none."""
    y = np.asarray(y)
    D = set_distances(pset, X, X)
    A = set_distances(pset, X, -np.asarray(X))
    opposite = y[:, None] != y[None, :]
    plain = float(D[opposite].min()) if opposite.any() else math.inf
    same = ~opposite
    anti = float(A[same].min()) if same.any() else math.inf
    return plain, anti


def verify_separation_exact(pset: PerturbationSet, X: np.ndarray, y: np.ndarray, delta_sep: float,
                            antipodal: bool = True) -> bool:
    """Exact rational check of the separation (l2 and linf sets; the cap's trigonometry is checked in float64
    by :func:`separations` instead): every relevant pair has squared set distance ≥ δ_sep²."""
    if pset.norm == "sphere-cap":
        raise InputError("exact rational verification covers l2 and linf sets only")
    Xq = [[Fraction(float(v)) for v in row] for row in np.asarray(X, dtype=np.float64)]
    two_delta, target = 2 * Fraction(pset.radius), Fraction(float(delta_sep)) ** 2
    n = len(Xq)
    for i in range(n):
        for j in range(n):
            opposite = y[i] != y[j]
            if not opposite and not (antipodal):
                continue
            other = Xq[j] if opposite else [-v for v in Xq[j]]
            diff = [a - b for a, b in zip(Xq[i], other)]
            if pset.norm == "linf":
                sq = sum(max(Fraction(0), abs(t) - two_delta) ** 2 for t in diff)
                if sq < target:
                    return False
            else:
                # ‖x_i − x_j‖ − 2δ ≥ δ_sep  ⟺  ‖x_i − x_j‖² ≥ (δ_sep + 2δ)²
                if sum(t * t for t in diff) < (Fraction(float(delta_sep)) + two_delta) ** 2:
                    return False
    return True


def _compatible(pset: PerturbationSet, C: np.ndarray, c_labels: np.ndarray, kept: list, labels: list,
                delta_sep: float, antipodal: bool) -> bool:
    """The candidates keep every required separation among themselves (tight pairs pass by construction,
    up to SEPARATION_MARGIN) and against the kept points."""
    need = delta_sep + SEPARATION_MARGIN
    if antipodal and np.any(np.diag(set_distances(pset, C, -C)) < need):
        return False
    if len(C) > 1 and antipodal and set_distances(pset, C[:1], -C[1:])[0, 0] < need:
        return False
    if not kept:
        return True
    K, L = np.asarray(kept), np.asarray(labels)
    plain = set_distances(pset, C, K)
    if np.any(plain[c_labels[:, None] != L[None, :]] < need):
        return False
    if antipodal:
        mirror = set_distances(pset, C, -K)
        if np.any(mirror[c_labels[:, None] == L[None, :]] < need):
            return False
    return True


def separable_sphere_data(n: int, d: int, *, radius: float, delta_sep: float, norm: str = "sphere-cap",
                          anchors: int = 4, antipodal: bool = True, tight_pairs: bool = False,
                          seed: int = 0) -> SeparableData:
    """n unit-norm points in R^d labelled by the odd nearest-anchor rule, greedily kept δ_sep-separated.

    Raises InputError on bad arguments or when n points cannot be placed (δ_sep or the radius too large
    for this n and d).
    """
    for name, value in (("n", n), ("d", d), ("anchors", anchors)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}")
    if d < 2:
        raise InputError(f"d must be ≥ 2 for points on S^(d−1) with two labels, got {d}")
    if not (isinstance(delta_sep, (int, float)) and math.isfinite(delta_sep) and delta_sep > 0):
        raise InputError(f"delta_sep must be a positive finite number, got {delta_sep!r}")
    pset = PerturbationSet(norm, radius)
    if tight_pairs and (norm == "linf" or n % 2):
        raise InputError("tight_pairs needs an even n and an l2 or sphere-cap set (the linf box distance is not a "
                         "function of the angle)")
    # angle between pair partners: caps at angular distance 2θ_δ + 2·asin(δ_sep/2); l2 balls at chord δ_sep + 2δ
    chord = delta_sep + 2 * radius if norm == "l2" else 2 * math.sin(min(math.pi, 2 * pset.cap_angle
                                                                          + 2 * math.asin(min(1.0, delta_sep / 2))) / 2)
    if tight_pairs and chord >= 2:
        raise InputError(f"delta_sep={delta_sep} and radius={radius} leave no room for a pair on the sphere")
    pair_angle = 2 * math.asin(chord / 2) if tight_pairs else 0.0
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((anchors, d))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    s = np.where(rng.random(anchors) < 0.5, -1.0, 1.0)
    s[0], s[-1] = 1.0, (-1.0 if anchors > 1 else s[-1])
    all_anchors = np.concatenate([A, -A])
    all_labels = np.concatenate([s, -s])
    kept: list[np.ndarray] = []
    labels: list[float] = []
    attempts = 0
    while len(kept) < n:
        if attempts >= MAX_ATTEMPTS_PER_POINT * n:
            raise InputError(f"could only place {len(kept)} of {n} points with delta_sep={delta_sep} and "
                             f"radius={radius} in d={d} (try a smaller delta_sep, radius or n)")
        attempts += 1
        x = rng.standard_normal(d)
        x /= np.linalg.norm(x)
        label = float(all_labels[np.argmin(np.linalg.norm(all_anchors - x, axis=1))])
        cand, cand_labels = [x], [label]
        if tight_pairs:
            v = rng.standard_normal(d)
            v -= (v @ x) * x
            v /= np.linalg.norm(v)
            cand.append(math.cos(pair_angle) * x + math.sin(pair_angle) * v)
            cand_labels.append(-label)
        if _compatible(pset, np.asarray(cand), np.asarray(cand_labels), kept, labels, delta_sep, antipodal):
            kept += cand
            labels += cand_labels
    X, y = np.asarray(kept), np.asarray(labels)
    plain, anti = separations(pset, X, y)
    return SeparableData(X=X, y=y, pset=pset, delta_sep=float(delta_sep), separation=plain,
                         antipodal_separation=anti, anchors=A, anchor_labels=s, seed=int(seed), attempts=attempts)
