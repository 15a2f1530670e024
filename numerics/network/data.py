"""Synthetic data generated in-process, and validation of user-supplied inputs."""
from __future__ import annotations

import numpy as np

from theory.errors import InputError

UNIT_NORM_TOL = 1e-10  # |‖x‖₂ − 1| allowed for inputs that must lie on the unit sphere (float64 round-off)


def sphere_points(n: int, d: int, *, seed: int = 0) -> np.ndarray:
    """n points drawn uniformly from the unit sphere S^{d−1} ⊂ R^d (float64, shape (n, d))."""
    if n < 1 or d < 1:
        raise InputError(f"need n ≥ 1 and d ≥ 1, got n={n}, d={d}")
    Z = np.random.default_rng(seed).standard_normal((n, d))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def check_inputs(X: np.ndarray, *, name: str = "X", unit_norm: bool = False, d: int | None = None) -> np.ndarray:
    """Return X as a float64 (n, d) array; raise InputError on NaN/inf, wrong shape or (if asked) non-unit rows."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise InputError(f"{name} must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise InputError(f"{name} must have {d} columns, got {X.shape[1]}")
    if not np.all(np.isfinite(X)):
        raise InputError(f"{name} contains NaN or infinite values")
    if unit_norm:
        dev = np.max(np.abs(np.linalg.norm(X, axis=1) - 1.0))
        if dev > UNIT_NORM_TOL:
            raise InputError(f"{name} must have unit-norm rows (max |‖x‖−1| = {dev:.3g} > {UNIT_NORM_TOL:g})")
    return X
