"""Separable data on the sphere (numerics.network.separable_data): closed-form set distances and exact verification."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.network.perturbations import PerturbationSet
from numerics.network.separable_data import (separable_sphere_data, separations, set_distances,
                                     verify_separation_exact)
from theory.errors import InputError


@pytest.mark.parametrize("norm", ["sphere-cap", "l2"])
@pytest.mark.parametrize("d", [2, 3, 5])
def test_tight_pairs_pin_the_separation_and_keep_antipodes_apart(norm, d):
    data = separable_sphere_data(8, d, radius=0.05, delta_sep=0.2, norm=norm, tight_pairs=True, seed=d)
    assert abs(data.separation - 0.2) <= 1e-12
    assert data.antipodal_separation >= 0.2 - 1e-12
    assert np.allclose(np.linalg.norm(data.X, axis=1), 1.0)
    assert set(np.unique(data.y)) == {-1.0, 1.0}


def test_labels_follow_the_odd_nearest_anchor_rule():
    data = separable_sphere_data(12, 3, radius=0.05, delta_sep=0.1, seed=4)
    anchors = np.concatenate([data.anchors, -data.anchors])
    labels = np.concatenate([data.anchor_labels, -data.anchor_labels])
    nearest = labels[np.argmin(np.linalg.norm(data.X[:, None] - anchors[None], axis=2), axis=1)]
    assert np.array_equal(nearest, data.y)


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_exact_rational_verification_agrees_with_the_closed_forms(norm):
    data = separable_sphere_data(10, 3, radius=0.05, delta_sep=0.25, norm=norm, seed=1)
    plain, anti = separations(data.pset, data.X, data.y)
    sep = min(plain, anti)
    assert verify_separation_exact(data.pset, data.X, data.y, sep * (1 - 1e-9))
    assert not verify_separation_exact(data.pset, data.X, data.y, sep * (1 + 1e-9))


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), norm=st.sampled_from(["l2", "linf", "sphere-cap"]),
       radius=st.floats(0.02, 0.4))
def test_set_distance_is_a_lower_bound_attained_by_sampling(seed, norm, radius):
    """dist(B(x), B(x')) ≤ ‖p − q‖ for every sampled p ∈ B(x), q ∈ B(x'), and sampling gets close to it."""
    pset = PerturbationSet(norm, radius)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    closed = set_distances(pset, X[:1], X[1:])[0, 0]
    P = pset.sample(torch.as_tensor(X), 1200, torch.Generator().manual_seed(seed)).numpy()
    sampled = np.linalg.norm(P[0][:, None] - P[1][None], axis=2).min()
    assert closed <= sampled + 1e-12
    assert sampled <= closed + radius + 1e-9   # coarse: 1200 samples per set in 2–3 dimensions


def test_impossible_requests_raise_input_error():
    with pytest.raises(InputError):
        separable_sphere_data(16, 2, radius=0.1, delta_sep=0.5, tight_pairs=True, seed=0)
    with pytest.raises(InputError):
        separable_sphere_data(8, 3, radius=0.05, delta_sep=0.2, norm="linf", tight_pairs=True)
    with pytest.raises(InputError):
        separable_sphere_data(8, 1, radius=0.05, delta_sep=0.2)
    with pytest.raises(InputError):
        separable_sphere_data(8, 3, radius=0.05, delta_sep=0.0)
