"""Shared by the attack and bound tests: seeded labelled points on the sphere, one torch thread per test."""
import numpy as np
import pytest
import torch

from numerics.execution.threads import single_thread
from numerics.network.data import sphere_points


@pytest.fixture
def one_thread():
    with single_thread():
        yield


def labelled_points(n, d, seed):
    """n points on S^{d−1} (seeded) and uniform ±1 labels from the same seed."""
    rng = np.random.default_rng(seed)
    return torch.tensor(sphere_points(n, d, seed=seed)), torch.tensor(rng.choice([-1.0, 1.0], size=n))
