"""Attacks A(W, x, y) ∈ B(x) (docs/claims.md §1) and the surrogate loss L_A = (1/n) Σ ℓ(f(A(x_i)), y_i).

An attack is a callable object ``attack(model, X, y) -> X_adv``: ``model`` maps an (n, d) tensor to
(n,) outputs row by row, X is (n, d), y is (n,) (±1 labels, or reals for absolute/squared loss).
Every attack maximizes x' ↦ ℓ(f(x'), y) over B(x) and its output is VERIFIED to lie in B(x) (named
tolerance MEMBERSHIP_ATOL_F64) and to be finite; otherwise :class:`AttackError` is raised with the
offending indices, as it is when the model's loss or gradient is not finite where the attack looks.
Only membership is used by the theory, so this is the attack's whole contract.

- :class:`FGSM`            one full-radius steepest-ascent step: x + δ·sign(∇) (ℓ∞), x + δ·∇/‖∇‖ (ℓ2).
- :class:`PGD`             k projected steepest-ascent steps, gradient at the CURRENT iterate, best of
                           several restarts per point (Madry et al. 2018; default step 2.5·δ/k).
- :class:`RandomAttack`    best of k points sampled in B(x).
- :class:`GridMaximizer`   best point of a dense grid cover of B(x) (d ≤ 3); with a Lipschitz constant
                           L of x' ↦ ℓ(f(x'), y) it certifies max ≤ grid max + L·(covering radius).
- :class:`LinearMaximizer` exact for affine f: ℓ convex in f, so the maximum is at argmax or argmin
                           of wᵀx' over B(x) (closed forms of docs/claims.md §7).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from numerics.network.losses import Loss, get_loss
from numerics.network.perturbations import PerturbationSet
from theory.errors import InputError

Model = Callable[[torch.Tensor], torch.Tensor]

# Affine-model test of LinearMaximizer: |f(x') − f(x) − wᵀ(x' − x)| ≤ tol·(1 + |f(x)| + |f(x')|).
# float64 round-off of a dot product is ~1e-15 relative; a curved model fails this by many orders.
LINEARITY_RTOL_F64 = 1e-9
# Chunk size (grid points × samples) when a grid is evaluated, to bound memory.
_GRID_CHUNK = 1 << 18


class AttackError(RuntimeError):
    """An attack returned points outside B(x) (``kind="outside"``) or non-finite values (``kind="nan"``).

    ``indices`` are the offending rows; ``points`` the returned rows at those indices.
    """

    def __init__(self, message: str, *, attack: str, kind: str, indices: list[int],
                 points: np.ndarray | None = None) -> None:
        super().__init__(message)
        self.attack, self.kind, self.indices, self.points = attack, kind, list(indices), points


def _check_batch(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or X.shape[0] == 0:
        raise InputError(f"X must be a non-empty (n, d) tensor, got {getattr(X, 'shape', type(X))}")
    y = torch.as_tensor(y, dtype=X.dtype, device=X.device)
    if y.shape != (X.shape[0],):
        raise InputError(f"y must have shape ({X.shape[0]},), got {tuple(y.shape)}")
    if not bool(torch.isfinite(X).all()) or not bool(torch.isfinite(y).all()):
        raise InputError("X and y must be finite")
    return X.detach(), y


def verify_membership(pset: PerturbationSet, X: torch.Tensor, X_adv: torch.Tensor, attack: str) -> None:
    """Raise AttackError unless every row of X_adv is finite and lies in B(x) (MEMBERSHIP_ATOL_F64)."""
    if X_adv.shape != X.shape:
        raise AttackError(f"{attack} returned shape {tuple(X_adv.shape)}, expected {tuple(X.shape)}",
                          attack=attack, kind="outside", indices=list(range(X.shape[0])))
    bad_nan = (~torch.isfinite(X_adv)).any(dim=1)
    if bool(bad_nan.any()):
        idx = torch.nonzero(bad_nan).flatten().tolist()
        raise AttackError(f"{attack} returned non-finite points at rows {idx[:10]}", attack=attack, kind="nan",
                          indices=idx, points=X_adv[bad_nan].detach().cpu().numpy())
    outside = ~pset.contains(X, X_adv)
    if bool(outside.any()):
        idx = torch.nonzero(outside).flatten().tolist()
        dist = pset.distance(X, X_adv)[outside].max().item()
        raise AttackError(f"{attack} returned points outside B(x) ({pset.norm}, δ={pset.radius:g}) at rows "
                          f"{idx[:10]}; largest distance {dist:.6g}", attack=attack, kind="outside",
                          indices=idx, points=X_adv[outside].detach().cpu().numpy())


def _finite_or_raise(values: torch.Tensor, what: str) -> torch.Tensor:
    """Raise AttackError(kind="nan") naming the rows where the model's loss or its gradient is not finite."""
    bad = ~torch.isfinite(values.reshape(values.shape[0], -1)).all(dim=1)
    if bool(bad.any()):
        idx = torch.nonzero(bad).flatten().tolist()
        raise AttackError(f"the model's {what} is not finite at rows {idx[:10]}", attack="attack", kind="nan",
                          indices=idx)
    return values


def _values(model: Model, loss: Loss, Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ℓ(f(z), y) per row; Z may be (n, d) or (n, k, d) (then y broadcasts over k). Non-finite → AttackError."""
    with torch.no_grad():
        if Z.ndim == 2:
            return _finite_or_raise(loss.value(model(Z), y), "loss")
        n, k, d = Z.shape
        return _finite_or_raise(loss.value(model(Z.reshape(n * k, d)).reshape(n, k), y[:, None]), "loss")


def _loss_grad(model: Model, loss: Loss, Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∇_z ℓ(f(z), y) for every row (rows are independent, so the gradient of the sum is per row)."""
    with torch.enable_grad():
        Zv = Z.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss.value(model(Zv), y).sum(), Zv)
    return _finite_or_raise(g, "loss gradient")


def _ascent_direction(norm: str, g: torch.Tensor) -> torch.Tensor:
    """Steepest-ascent unit direction: sign(g) for ℓ∞, g/‖g‖₂ otherwise (0 where g = 0)."""
    if norm == "linf":
        return torch.sign(g)
    gn = torch.linalg.norm(g, dim=1, keepdim=True)
    return torch.where(gn > 0, g / torch.clamp(gn, min=1e-300), 0.0)


def _restart_generator(seed: int, restart: int) -> torch.Generator:
    """Independent stream per (seed, restart): restarts 0..r−1 are the same for any total count r."""
    state = int(np.random.SeedSequence([int(seed), int(restart)]).generate_state(1, dtype=np.uint64)[0])
    return torch.Generator().manual_seed(state % (2 ** 63))


class Attack(abc.ABC):
    """Base class: validates inputs, runs :meth:`_run`, verifies membership of the output."""

    name = "attack"

    def __init__(self, pset: PerturbationSet, loss: Loss | str) -> None:
        if not isinstance(pset, PerturbationSet):
            raise InputError(f"pset must be a PerturbationSet, got {type(pset).__name__}")
        self.pset = pset
        self.loss = get_loss(loss) if isinstance(loss, str) else loss

    def __call__(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        X, y = _check_batch(X, y)
        self.pset.check_centres(X)
        try:
            X_adv = self._run(model, X, y).detach()
        except AttackError as err:
            err.attack = self.name
            raise
        verify_membership(self.pset, X, X_adv, self.name)
        return X_adv

    @abc.abstractmethod
    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The attacked points (n, d); membership is verified by :meth:`__call__`."""

    def __repr__(self) -> str:
        return f"{self.name}({self.pset.norm}, δ={self.pset.radius:g}, {self.loss.name})"


class FGSM(Attack):
    """x' = Π_B(x + δ·dir(∇_x ℓ(f(x), y))), dir = sign (ℓ∞) or normalized gradient (ℓ2, sphere-cap)."""

    name = "fgsm"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        g = _loss_grad(model, self.loss, X, y)
        return self.pset.project(X, X + self.pset.radius * _ascent_direction(self.pset.norm, g))


class PGD(Attack):
    """k steps z ← Π_B(z + η·dir(∇_z ℓ(f(z), y))) from a random (or the clean) start; best restart per point.

    The gradient is taken at the CURRENT iterate z. The final iterate of each restart is kept and the
    best restart (largest loss) is returned per point; restart j uses the stream (seed, j), so
    PGD(restarts=r) is pointwise ≥ PGD(restarts=r') for r ≥ r' (same other settings).
    """

    name = "pgd"

    def __init__(self, pset: PerturbationSet, loss: Loss | str, steps: int, step_size: float | None = None,
                 restarts: int = 1, seed: int = 0, random_start: bool = True) -> None:
        super().__init__(pset, loss)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise InputError(f"PGD steps must be a positive integer, got {steps!r}")
        if isinstance(restarts, bool) or not isinstance(restarts, int) or restarts < 1:
            raise InputError(f"PGD restarts must be a positive integer, got {restarts!r}")
        if step_size is not None and not (isinstance(step_size, (int, float)) and np.isfinite(step_size)
                                          and step_size > 0):
            raise InputError(f"PGD step_size must be a finite positive number or None, got {step_size!r}")
        self.steps, self.restarts, self.seed, self.random_start = steps, restarts, int(seed), bool(random_start)
        self.step_size = float(step_size) if step_size is not None else 2.5 * pset.radius / steps
        self.name = f"pgd{steps}x{restarts}"

    def _gradient_point(self, Z: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Where the ascent direction is evaluated: the current iterate."""
        return Z

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        best, best_val = X.clone(), torch.full((X.shape[0],), -torch.inf, dtype=X.dtype, device=X.device)
        for r in range(self.restarts):
            Z = X.clone()
            if self.random_start:
                Z = self.pset.sample(X, 1, _restart_generator(self.seed, r))[:, 0, :]
            for _ in range(self.steps):
                g = _loss_grad(model, self.loss, self._gradient_point(Z, X), y)
                Z = self.pset.project(X, Z + self.step_size * _ascent_direction(self.pset.norm, g))
            val = _values(model, self.loss, Z, y)
            better = val > best_val
            best = torch.where(better[:, None], Z, best)
            best_val = torch.where(better, val, best_val)
        return best


class RandomAttack(Attack):
    """Best of ``samples`` points drawn in B(x) (PerturbationSet.sample) per point."""

    name = "random"

    def __init__(self, pset: PerturbationSet, loss: Loss | str, samples: int, seed: int = 0) -> None:
        super().__init__(pset, loss)
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise InputError(f"RandomAttack samples must be a positive integer, got {samples!r}")
        self.samples, self.seed = samples, int(seed)
        self.name = f"random{samples}"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        Z = self.pset.sample(X, self.samples, _restart_generator(self.seed, 0))
        idx = _values(model, self.loss, Z, y).argmax(dim=1)
        return Z[torch.arange(X.shape[0]), idx]


@dataclass
class GridResult:
    """Best grid point per sample, its loss, the covering radius r, and the certificate max + L·r."""

    points: torch.Tensor
    values: torch.Tensor
    covering_radius: float
    upper: torch.Tensor | None


class GridMaximizer(Attack):
    """Dense grid cover of B(x) (PerturbationSet.grid, grid dimension ≤ 3).

    With ``lipschitz`` = L (a float or a per-sample (n,) tensor) bounding the Lipschitz constant of
    x' ↦ ℓ(f(x'), y) on B(x) in ℓ2, max_{B(x)} ℓ ≤ max_grid ℓ + L·r, since every point of B(x) is
    within r of a grid point. :meth:`maximize` returns both the point and this certificate.
    """

    name = "grid"
    MAX_GRID_DIM = 3

    def __init__(self, pset: PerturbationSet, loss: Loss | str, points_per_axis: int,
                 lipschitz: float | torch.Tensor | None = None) -> None:
        super().__init__(pset, loss)
        if isinstance(points_per_axis, bool) or not isinstance(points_per_axis, int) or points_per_axis < 2:
            raise InputError(f"points_per_axis must be an integer ≥ 2, got {points_per_axis!r}")
        if lipschitz is not None:
            lip = torch.as_tensor(lipschitz, dtype=torch.float64)
            if not bool(torch.isfinite(lip).all()) or bool((lip < 0).any()):
                raise InputError(f"lipschitz must be finite and ≥ 0, got {lipschitz!r}")
        self.points_per_axis, self.lipschitz = points_per_axis, lipschitz
        self.name = f"grid{points_per_axis}"

    def maximize(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> GridResult:
        X, y = _check_batch(X, y)
        self.pset.check_centres(X)
        grid_dim = X.shape[1] - (1 if self.pset.norm == "sphere-cap" else 0)
        if grid_dim > self.MAX_GRID_DIM:
            raise InputError(f"GridMaximizer needs a grid of dimension ≤ {self.MAX_GRID_DIM}, got {grid_dim}")
        try:
            return self._maximize(model, X, y, grid_dim)
        except AttackError as err:
            err.attack = self.name
            raise

    def _maximize(self, model: Model, X: torch.Tensor, y: torch.Tensor, grid_dim: int) -> GridResult:
        points, values = [], []
        per_chunk = max(1, _GRID_CHUNK // self.points_per_axis ** max(grid_dim, 1))
        cover = 0.0
        for start in range(0, X.shape[0], per_chunk):
            Xc, yc = X[start:start + per_chunk], y[start:start + per_chunk]
            G, cover = self.pset.grid(Xc, self.points_per_axis)
            vals = _values(model, self.loss, G, yc)
            idx = vals.argmax(dim=1)
            rows = torch.arange(Xc.shape[0])
            points.append(G[rows, idx])
            values.append(vals[rows, idx])
        P, V = torch.cat(points), torch.cat(values)
        verify_membership(self.pset, X, P, self.name)
        upper = None
        if self.lipschitz is not None:
            upper = V + torch.as_tensor(self.lipschitz, dtype=V.dtype, device=V.device) * cover
        return GridResult(P, V, cover, upper)

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.maximize(model, X, y).points


class LinearMaximizer(Attack):
    """Exact maximizer for affine f(x) = wᵀx (+ b): ℓ is convex in f, so the max over B(x) is at
    argmax or argmin of wᵀx' (PerturbationSet.linear_argmax with ±w), whichever has the larger loss.
    w is read off by autograd at x; an InputError is raised if f is not affine on the candidates.
    """

    name = "linear-exact"

    def _run(self, model: Model, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            Xv = X.detach().requires_grad_(True)
            f0 = model(Xv)
            (w,) = torch.autograd.grad(f0.sum(), Xv)
        f0 = f0.detach()
        up, down = self.pset.linear_argmax(X, w), self.pset.linear_argmax(X, -w)
        with torch.no_grad():
            for Z in (up, down):
                fz = model(Z)
                err = (fz - f0 - ((Z - X) * w).sum(dim=1)).abs()
                if bool((err > LINEARITY_RTOL_F64 * (1 + f0.abs() + fz.abs())).any()):
                    raise InputError("LinearMaximizer needs an affine model f(x) = wᵀx + b; "
                                     f"the linear prediction is off by {float(err.max()):.3g}")
        choose_up = _values(model, self.loss, up, y) >= _values(model, self.loss, down, y)
        return torch.where(choose_up[:, None], up, down)


def surrogate_loss(model: Model, X: torch.Tensor, y: torch.Tensor, attack: Attack,
                   loss: Loss | str) -> tuple[torch.Tensor, torch.Tensor]:
    """L_A = (1/n) Σ ℓ(f(A(x_i)), y_i) and the attacked points; L_A is differentiable in the model's
    parameters (the attacked points are detached), as Algorithm 1's weight step needs."""
    loss = get_loss(loss) if isinstance(loss, str) else loss
    X, y = _check_batch(X, y)
    X_adv = attack(model, X, y)
    return loss.value(model(X_adv), y).mean(), X_adv
