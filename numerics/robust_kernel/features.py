"""Well-conditioned feature coordinates for a kernel Gram matrix on the current point set.

With K = U Λ Uᵀ (eigendecomposition, float64) keep the r eigenpairs with λ > EIGEN_REL_CUTOFF·λ_max and set

    Φ = U_r Λ_r^{1/2}  (N × r),   f = Φ w,   ‖f‖_H = ‖w‖₂,   β = U_r Λ_r^{−1/2} w   (f = Σ_j β_j k(z_j, ·)).

Every w gives an RKHS function with exactly these values and norm, so a solution in feature coordinates is
feasible for the untruncated problem. Conversely a function of norm ≤ R on the point set differs from its
projection onto the kept span by at most  R·√(K_jj − ‖Φ_j‖²)  at point j (Cauchy–Schwarz in the dropped
coordinates): :attr:`EigenFeatures.truncation_error` reports R·max_j of that, the truncation error bound on
function values. A Gram matrix with an eigenvalue below −PSD_REL_TOL·λ_max is rejected (:class:`KernelError`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics.execution.threads import single_thread
from theory.errors import InputError

# Negative eigenvalues allowed in a Gram matrix, relative to λ_max: rounding in a float64 Gram of N ≤ 10⁴
# points perturbs eigenvalues by ≲ N·2.2e-16·λ_max ≈ 2e-12·λ_max; 1e-9 leaves ample room and still rejects
# any genuinely indefinite "kernel".
PSD_REL_TOL = 1e-9
# Eigenvalues at or below this fraction of λ_max are dropped: their coordinates β = w/√λ would amplify
# rounding in f by 1/√(1e-13) ≈ 3e6 at most (f-values stay accurate to ~1e-9), and the dropped directions
# move values by ≤ R·√(residual diagonal), which is reported.
EIGEN_REL_CUTOFF = 1e-13
# Side of the square tiles in which a Gram matrix is compared with its transpose (2 × 512 KiB: fits the L2 cache).
SYMMETRY_TILE = 256


class KernelError(InputError):
    """A Gram matrix that is not symmetric, not finite, or not positive semidefinite beyond tolerance."""


@dataclass(frozen=True)
class EigenFeatures:
    """Φ = U_r Λ_r^{1/2} for one Gram matrix, with what was dropped."""

    phi: np.ndarray
    basis: np.ndarray
    eigenvalues: np.ndarray
    residual_diag: np.ndarray
    min_eigenvalue: float
    max_eigenvalue: float

    @property
    def rank(self) -> int:
        return int(self.eigenvalues.shape[0])

    def truncation_error(self, radius: float) -> float:
        """Bound on |f(z_j) − f_r(z_j)| for ‖f‖_H ≤ radius, f_r its projection onto the kept span."""
        return float(radius * np.sqrt(self.residual_diag.max(initial=0.0)))

    def coefficients(self, w: np.ndarray) -> np.ndarray:
        """β with f = Σ_j β_j k(z_j, ·) for feature coordinates w (β = U_r Λ_r^{−1/2} w)."""
        return self.basis @ (np.asarray(w, dtype=np.float64) / np.sqrt(self.eigenvalues))




def _eigh(K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric eigendecomposition via torch (MKL LAPACK) on one thread (see :func:`single_thread`)."""
    with single_thread():
        lam, U = torch.linalg.eigh(torch.as_tensor(K, dtype=torch.float64))
    return lam.numpy(), U.numpy()


def check_gram(K: np.ndarray, *, name: str = "kernel matrix") -> np.ndarray:
    """Return K as a float64 square array if finite and symmetric (to rounding), else raise KernelError."""
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] == 0:
        raise KernelError(f"{name} must be a non-empty square matrix, got shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise KernelError(f"{name} contains NaN or infinite entries")
    scale = max(float(np.abs(K).max()), np.finfo(np.float64).tiny)
    asym, sym = _symmetrized(K)
    if asym / scale > PSD_REL_TOL:
        raise KernelError(f"{name} is not symmetric (max |K − Kᵀ|/max|K| = {asym / scale:.3g})")
    return sym


def _symmetrized(K: np.ndarray, tile: int = SYMMETRY_TILE) -> tuple[float, np.ndarray]:
    """(max |K − Kᵀ|, (K + Kᵀ)/2), tile by tile: the transposed reads of a whole large matrix miss the cache."""
    p = K.shape[0]
    out, asym = np.empty(K.shape), 0.0
    for i in range(0, p, tile):
        for j in range(i, p, tile):
            upper, lower = K[i:i + tile, j:j + tile], K[j:j + tile, i:i + tile].T
            asym = max(asym, float(np.abs(upper - lower).max()))
            mean = 0.5 * (upper + lower)
            out[i:i + tile, j:j + tile] = mean
            out[j:j + tile, i:i + tile] = mean.T
    return asym, out


def eigen_features(K: np.ndarray, *, rel_cutoff: float = EIGEN_REL_CUTOFF, name: str = "kernel matrix"
                   ) -> EigenFeatures:
    """Truncated eigen-features of a PSD Gram matrix (KernelError when indefinite beyond PSD_REL_TOL)."""
    K = check_gram(K, name=name)
    lam, U = _eigh(K)
    lam_max = float(max(lam[-1], 0.0))
    lam_min = float(lam[0])
    if lam_min < -PSD_REL_TOL * max(lam_max, np.finfo(np.float64).tiny):
        raise KernelError(f"{name} is not positive semidefinite: smallest eigenvalue {lam_min:.3g} "
                          f"< −{PSD_REL_TOL:g}·λ_max (λ_max = {lam_max:.3g})")
    keep = lam > rel_cutoff * lam_max if lam_max > 0 else np.zeros_like(lam, dtype=bool)
    lam_r, U_r = lam[keep], U[:, keep]
    phi = U_r * np.sqrt(lam_r)
    residual = np.clip(np.diag(K) - np.einsum("ij,ij->i", phi, phi), 0.0, None)
    return EigenFeatures(phi=phi, basis=U_r, eigenvalues=lam_r, residual_diag=residual,
                         min_eigenvalue=lam_min, max_eigenvalue=lam_max)
