"""Built-in real data sets: binary tasks on the unit sphere, balanced, seeded, offline; bad sizes are InputError."""
import numpy as np
import pytest

from numerics.network.datasets import DATASET_NAMES, DATASETS, TRANSFORM, describe, load_dataset
from theory.errors import InputError


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_points_lie_on_the_sphere_with_balanced_pm1_labels(name):
    X, y = load_dataset(name, n=17, d=5, seed=3)
    assert X.shape == (17, 5) and X.dtype == np.float64
    assert np.max(np.abs(np.linalg.norm(X, axis=1) - 1)) < 1e-12
    assert set(np.unique(y)) == {-1.0, 1.0} and (y > 0).sum() == 9 and (y < 0).sum() == 8
    assert len({tuple(r) for r in X}) == 17   # drawn without replacement


def test_same_seed_same_sample_other_seed_other_sample():
    a, ya = load_dataset("digits", n=16, d=2, seed=0)
    b, yb = load_dataset("digits", n=16, d=2, seed=0)
    c, _ = load_dataset("digits", n=16, d=2, seed=1)
    assert np.array_equal(a, b) and np.array_equal(ya, yb) and not np.array_equal(a, c)


def test_the_transform_is_standardize_project_normalize():
    """Each returned row is a standardized row of the table, projected on the principal directions (signs aside)
    and scaled to unit norm: with d = all features the projection is a rotation."""
    from sklearn.datasets import load_wine

    raw = load_wine().data
    Z = (raw - raw.mean(0)) / raw.std(0)
    Vt = np.linalg.svd(Z, full_matrices=False)[2]
    P = np.abs(Z @ Vt.T) / np.linalg.norm(Z, axis=1, keepdims=True)
    X, _ = load_dataset("wine", n=40, d=13, seed=0)
    nearest = np.min(np.abs(np.abs(X)[:, None, :] - P[None]).max(axis=2), axis=1)
    assert nearest.max() < 1e-9


def test_labels_follow_the_documented_class_split():
    from sklearn.datasets import load_breast_cancer

    target = load_breast_cancer().target
    X, y = load_dataset("breast_cancer", n=2 * int((target == 0).sum()), d=3, seed=0)
    assert (y < 0).sum() == (target == 0).sum()      # every malignant case (class 0) is −1
    assert DATASETS["breast_cancer"].positive == (1,) and "benign" in DATASETS["breast_cancer"].description


@pytest.mark.parametrize("kwargs, needle", [
    ({"name": "mnist", "n": 8, "d": 2}, "unknown data set 'mnist'"),
    ({"name": "wine", "n": 8, "d": 14}, "d: the 'wine' data set has 13 features"),
    ({"name": "wine", "n": 8, "d": 0}, "d must be in 1..13"),
    ({"name": "wine", "n": 1, "d": 2}, "n must be an integer in 2.."),
    ({"name": "wine", "n": 500, "d": 2}, "n: the 'wine' task has"),
    ({"name": "wine", "n": "8", "d": 2}, "got '8'"),
])
def test_bad_requests_are_input_errors(kwargs, needle):
    name = kwargs.pop("name")
    with pytest.raises(InputError, match=needle):
        load_dataset(name, **kwargs)


def test_describe_names_source_task_and_transform():
    info = describe("digits", n=8, d=5, seed=2)
    assert info["source"].startswith("sklearn.datasets.load_digits") and info["transform"] == TRANSFORM
    assert (info["n"], info["d"], info["seed"]) == (8, 5, 2) and "5–9" in info["task"]
