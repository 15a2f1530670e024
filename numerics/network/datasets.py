"""Real data sets, offline: scikit-learn's bundled tables as binary tasks on the unit sphere S^{d−1}.

Nothing is downloaded: the loaders read the CSV files shipped inside scikit-learn. Each task is
turned into the paper's setting (inputs on the unit sphere, labels ±1) by one documented transform:

1. **labels** — a fixed binary split of the classes (``DATASETS[name].positive`` → +1, every other class → −1);
2. **standardize** — every feature to mean 0 and standard deviation 1 over the whole table (features that are
   constant, e.g. the always-blank border pixels of ``digits``, are left at 0);
3. **project** — onto the top-d principal directions of the standardized table (SVD; each direction's sign is
   fixed so that its largest-magnitude loading is positive, so the map does not depend on the LAPACK build);
4. **normalize** — every row to unit ℓ2 norm, x ↦ x/‖x‖₂ (rows whose projection has norm below
   ``DEGENERATE_NORM`` are dropped before sampling; none is in the shipped tables at d ≥ 2);
5. **subsample** — n rows without replacement, balanced (⌈n/2⌉ labelled +1, ⌊n/2⌋ labelled −1), drawn by
   ``numpy.random.default_rng(seed)``; the rows are returned in a seeded random order.

Steps 1–4 depend only on (name, d); the seed only chooses the rows, so two seeds give two independent
subsamples of the same task. ``load_dataset(name, n=, d=, seed=)`` returns float64 ``(X, y)`` numpy arrays.
scikit-learn is imported only here, and only when a data set is loaded.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from numerics.network.data import check_inputs
from theory.errors import InputError

DEGENERATE_NORM = 1e-9   # a projected row this short has no direction; it cannot be put on the sphere


@dataclass(frozen=True)
class DataSet:
    """One bundled table: its scikit-learn loader, the class mapped to +1, and a line of description."""

    loader: str
    positive: tuple[int, ...]
    features: int
    rows: int
    description: str


DATASETS: dict[str, DataSet] = {
    "digits": DataSet("load_digits", (5, 6, 7, 8, 9), 64, 1797,
                      "8×8 handwritten digits (UCI); +1 = digits 5–9, −1 = digits 0–4"),
    "breast_cancer": DataSet("load_breast_cancer", (1,), 30, 569,
                             "Wisconsin diagnostic breast cancer (UCI); +1 = benign, −1 = malignant"),
    "wine": DataSet("load_wine", (0,), 13, 178, "UCI wine recognition; +1 = cultivar 0, −1 = cultivars 1 and 2"),
}
DATASET_NAMES: tuple[str, ...] = tuple(DATASETS)
TRANSFORM = ("labels ±1 by a fixed class split; features standardized over the whole table; projected on the top-d "
             "principal directions (SVD, sign-fixed); rows scaled to unit ℓ2 norm; n rows drawn without "
             "replacement, balanced between the labels, by numpy.random.default_rng(seed)")


def check_dataset_name(name: str, *, field: str = "data") -> DataSet:
    """The DataSet called ``name``; InputError naming ``field`` otherwise."""
    if name not in DATASETS:
        raise InputError(f"{field}: unknown data set {name!r} (built-in: {', '.join(DATASET_NAMES)})")
    return DATASETS[name]


@lru_cache(maxsize=16)
def _sphere_table(name: str, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1–4 of the module docstring for the whole table (read-only arrays)."""
    spec = DATASETS[name]
    try:
        from sklearn import datasets as sk
    except ImportError:  # a broken environment, not bad input: say what to install
        raise RuntimeError("real data sets need scikit-learn (pip install scikit-learn)") from None
    bunch = getattr(sk, spec.loader)()
    raw = np.asarray(bunch.data, dtype=np.float64)
    y = np.where(np.isin(bunch.target, spec.positive), 1.0, -1.0)
    std = raw.std(axis=0)
    Z = (raw - raw.mean(axis=0)) / np.where(std > 0, std, 1.0)
    _, _, Vt = np.linalg.svd(Z, full_matrices=False)
    V = Vt[:d].T
    V = V * np.sign(V[np.argmax(np.abs(V), axis=0), np.arange(d)])
    P = Z @ V
    norms = np.linalg.norm(P, axis=1)
    keep = norms > DEGENERATE_NORM
    X = P[keep] / norms[keep, None]
    X.setflags(write=False)
    labels = y[keep]
    labels.setflags(write=False)
    return X, labels


def load_dataset(name: str, *, n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points of the named task on S^{d−1} and their ±1 labels (module docstring), float64 numpy arrays."""
    spec = check_dataset_name(name)
    if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= spec.features:
        raise InputError(f"d: the {name!r} data set has {spec.features} features; d must be in 1..{spec.features}, "
                         f"got {d!r}")
    X, y = _sphere_table(name, d)
    pos, neg = np.flatnonzero(y > 0), np.flatnonzero(y < 0)
    valid = not isinstance(n, bool) and isinstance(n, int) and n >= 2
    n_pos, n_neg = ((n + 1) // 2, n // 2) if valid else (0, 0)
    if not valid or n_pos > len(pos) or n_neg > len(neg):
        raise InputError(f"n: the {name!r} task has {len(pos)} points labelled +1 and {len(neg)} labelled −1; "
                         f"n must be an integer in 2..{2 * min(len(pos), len(neg))}, got {n!r}")
    rng = np.random.default_rng(seed)
    rows = np.concatenate([rng.choice(pos, n_pos, replace=False), rng.choice(neg, n_neg, replace=False)])
    rows = rows[rng.permutation(len(rows))]
    return check_inputs(X[rows], name=name, unit_norm=True), y[rows].copy()


def describe(name: str, *, n: int | None = None, d: int | list[int] | None = None, seed: int | None = None
             ) -> dict[str, object]:
    """What a check records about the data it ran on (its configuration's ``data`` entry); the sizes and the seed
    are included when given."""
    spec = check_dataset_name(name)
    out: dict[str, object] = {"name": name, "source": f"sklearn.datasets.{spec.loader} (bundled, offline)",
                              "task": spec.description, "table_rows": spec.rows, "features": spec.features}
    out.update({k: v for k, v in (("n", n), ("d", d), ("seed", seed)) if v is not None})
    out["transform"] = TRANSFORM
    return out
