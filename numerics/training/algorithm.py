"""Algorithm 1 of docs/claims.md §4: adversarial training with projection onto B(R).

    for t = 0 .. T−1:
        x̃_i(t) = A(W(t), x_i, y_i) for every i                    (attack step, at the current W(t))
        g_t    = ∇_W ℓ_t(W(t)),  ℓ_t(W) = (1/|S_t|) Σ_{i∈S_t} ℓ(f(W, x̃_i(t)), y_i)
        W(t+1) = Π_{B(R)}(W(t) − α·g_t)                            (layer-wise radial shrinkage)

Training starts at the network's stored initialization W(0) and works on a copy (the caller's net is
not modified). S_t is the whole data set (full batch, the theory) or a seeded random mini-batch; in both
cases every point is attacked at W(t), so L_A(W(t)) is the full-data surrogate loss. ``projection=False``
is the no-projection variant of C3. With a comparator W* the log also holds the online-learning terms of
C4: ℓ_t(W*), ⟨g_t, W(t) − W*⟩, the running regret bound ‖W(0) − W*‖²/(2α) + (α/2)·Σ_{s≤t}‖g_s‖², and the
linearization error max_i |f(W*, x̃_i) − f(W(t), x̃_i) − ⟨∇f(W(t), x̃_i), W* − W(t)⟩| of the round.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from numerics.adversarial.attacks import AttackError
from numerics.training.ball import ball_radius, check_scaling, project_to_ball
from numerics.network.gradients import check_weights, forward_with, parameter_jvp, per_sample_gradient_norms
from numerics.network.losses import Loss, get_loss
from numerics.network.nets import FullyConnected
from theory.errors import InputError, positive_int, positive_number

Attack = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

OK, DIVERGED = "ok", "diverged"
# Relative slack for "W* lies in B(R)": the comparator may sit on the sphere up to float64 round-off.
BALL_RTOL_F64 = 1e-12


@dataclass
class TrainingLog:
    """Per-iteration record (numpy float64). Index t = 0..T−1 for round quantities; L_A and the
    distances also hold t = T. Comparator columns are None without a comparator."""

    surrogate_loss: np.ndarray          # L_A(W(t)), t = 0..T (full data)
    round_loss: np.ndarray              # ℓ_t(W(t)) on the round's batch (= L_A(W(t)) in full batch)
    distance: np.ndarray                # (T+1, H) ‖W^(h)(t) − W^(h)(0)‖_F
    grad_norm: np.ndarray               # ‖g_t‖ over all trained parameters
    step_norm: np.ndarray               # ‖W(t+1) − W(t)‖ over all trained parameters
    feature_grad_norm: np.ndarray | None = None    # max_i ‖∇_W f(W(t), x̃_i)‖_F (measured G)
    comparator_round_loss: np.ndarray | None = None  # ℓ_t(W*)
    regret_term: np.ndarray | None = None            # ⟨g_t, W(t) − W*⟩
    regret_bound: np.ndarray | None = None           # ‖W(0)−W*‖²/(2α) + (α/2)Σ_{s≤t}‖g_s‖²
    linearization_error: np.ndarray | None = None    # max_i |f(W*) − f(W(t)) − ⟨∇f(W(t)), W*−W(t)⟩| on x̃(t)

    @property
    def cumulative_regret(self) -> np.ndarray | None:
        """Σ_{s≤t} ⟨g_s, W(s) − W*⟩."""
        return None if self.regret_term is None else np.cumsum(self.regret_term)


@dataclass
class Trajectory:
    """Every iterate and round (numpy float64), kept on request for independent re-verification."""

    weights: list[list[np.ndarray]] = field(default_factory=list)   # W(t), t = 0..T
    attacked: list[np.ndarray] = field(default_factory=list)        # x̃(t) for all n points, t = 0..T
    batches: list[np.ndarray] = field(default_factory=list)         # indices of S_t, t = 0..T−1
    gradients: list[list[np.ndarray]] = field(default_factory=list)  # g_t, t = 0..T−1


@dataclass
class TrainingResult:
    """The iterate with the smallest L_A, the final iterate, W(0), the log and the configuration."""

    best_weights: list[torch.Tensor]
    best_iteration: int
    best_loss: float
    best_attacked: torch.Tensor
    final_weights: list[torch.Tensor]
    initial_weights: list[torch.Tensor]
    log: TrainingLog
    status: str
    config: dict[str, Any]
    comparator_in_ball: bool | None = None
    trajectory: Trajectory | None = None

    @property
    def iterations_run(self) -> int:
        return len(self.log.grad_norm)




def _flat_dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> float:
    return float(sum((x * z).sum() for x, z in zip(a, b)))


def _to_numpy(ts: Sequence[torch.Tensor]) -> list[np.ndarray]:
    return [t.detach().cpu().numpy().astype(np.float64, copy=True) for t in ts]


class AdversarialTrainer:
    """Algorithm 1 as an object: :meth:`run` executes it; :meth:`descent` and :meth:`project` are the two
    update rules (overridden only by the planted faults of ``numerics.planted.training``).

    Arguments are those of :func:`adversarial_training`, validated here.
    """

    def __init__(self, net: FullyConnected, X: torch.Tensor, y: torch.Tensor, *, attack: Attack,
                 loss: Loss | str, step_size: float, iterations: int, radius: float | None = None,
                 scaling: str = "per-layer-R", projection: bool = True, batch_size: int | None = None,
                 comparator: Sequence[torch.Tensor] | None = None, seed: int = 0,
                 record_feature_gradients: bool = False, keep_trajectory: bool = False) -> None:
        if not isinstance(net, FullyConnected):
            raise InputError(f"net must be a numerics.network.nets.FullyConnected, got {type(net).__name__}")
        if not callable(attack):
            raise InputError("attack must be a callable attack(model, X, y) -> X_adv")
        loss = get_loss(loss) if isinstance(loss, str) else loss
        if not isinstance(loss, Loss):
            raise InputError(f"loss must be a numerics.network.losses.Loss or a loss name, got {type(loss).__name__}")
        self.alpha = positive_number("step_size", step_size)
        self.iterations = positive_int("iterations", iterations)
        self.scaling = check_scaling(scaling)
        self.projection = bool(projection)
        if self.projection:
            if radius is None:
                raise InputError("radius R is required when projection is on")
            self.radius_per_layer: float | None = ball_radius(radius, net.width, self.scaling)
        else:
            self.radius_per_layer = None
            if radius is not None:
                positive_number("radius", radius)
        self.R = radius
        self.X = net.check_input(X)
        n = self.X.shape[0]
        self.y = torch.as_tensor(y, dtype=self.X.dtype, device=self.X.device)
        if self.y.shape != (n,):
            raise InputError(f"y must have shape ({n},), got {tuple(self.y.shape)}")
        if batch_size is not None:
            positive_int("batch_size", batch_size)
            if batch_size > n:
                raise InputError(f"batch_size must be at most n = {n}, got {batch_size}")
        self.batch_size = batch_size
        self.net, self.attack, self.loss, self.seed = net, attack, loss, int(seed)
        self.comparator = (None if comparator is None
                           else [c.detach() for c in check_weights(net, comparator, name="comparator")])
        self.record_feature_gradients, self.keep_trajectory = bool(record_feature_gradients), bool(keep_trajectory)

    def descent(self, params: Sequence[torch.Tensor], grads: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """W − α·g."""
        return [torch.add(p, g, alpha=-self.alpha) for p, g in zip(params, grads)]

    def project(self, layers: Sequence[torch.Tensor], layers0: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """Π_{B(R)}: layer-wise radial shrinkage onto ‖W^(h) − W^(h)(0)‖_F ≤ r_m(R)."""
        return project_to_ball(layers, layers0, self.radius_per_layer)

    def run(self) -> TrainingResult:
        """Execute Algorithm 1 from W(0) on a copy of the net."""
        work = copy.deepcopy(self.net)
        X, y, loss, attack, alpha = self.X, self.y, self.loss, self.attack, self.alpha
        n, H, T, r = X.shape[0], work.depth, self.iterations, self.radius_per_layer
        params = work.trained_parameters()
        params0 = [p.detach().clone() for p in work.initial_weights]
        with torch.no_grad():
            for p, p0 in zip(params, params0):
                p.copy_(p0)
        comp = self.comparator
        comparator_in_ball = None
        dist0_sq = 0.0
        if comp is not None:
            dist0_sq = _flat_dot([c - p0 for c, p0 in zip(comp, params0)], [c - p0 for c, p0 in zip(comp, params0)])
            if r is not None:
                comp_dist = [float(torch.linalg.norm(c - p0)) for c, p0 in zip(comp[:H], params0[:H])]
                comparator_in_ball = all(dd <= r * (1 + BALL_RTOL_F64) for dd in comp_dist)
        gen = torch.Generator().manual_seed(self.seed)

        cols: dict[str, list] = {k: [] for k in ("L_A", "round", "dist", "grad", "step", "G", "comp", "regret", "lin")}
        traj = Trajectory() if self.keep_trajectory else None
        best: tuple[float, int, list[torch.Tensor] | None, torch.Tensor | None] = (math.inf, -1, None, None)
        status = OK

        def record_iterate(t: int) -> tuple[torch.Tensor, torch.Tensor, float]:
            """Attack all points at W(t), log L_A(W(t)) and the distances; keep the best iterate.

            The forward pass f(W(t), x̃) is kept with its graph when a step follows (t < T): the weight step
            reuses it instead of recomputing it.
            """
            nonlocal best
            try:
                X_adv = attack(work, X, y).detach()
            except AttackError as exc:
                if exc.kind == "nan" and _model_not_finite(work, X, y, loss):
                    return X, None, math.nan  # the weights diverged; the attack only reported it
                raise
            with torch.set_grad_enabled(t < T):
                out = work(X_adv)
            with torch.no_grad():
                L_A = float(loss.value(out.detach(), y).mean())
                cols["dist"].append([float(torch.dist(p, p0)) for p, p0 in zip(params[:H], params0[:H])])
            cols["L_A"].append(L_A)
            if math.isfinite(L_A) and L_A < best[0]:
                best = (L_A, t, [p.detach().clone() for p in params], X_adv.clone())
            if traj is not None:
                traj.weights.append(_to_numpy(params))
                traj.attacked.append(X_adv.cpu().numpy().copy())
            return X_adv, out, L_A

        X_adv, out, L_A = record_iterate(0)
        for t in range(T):
            if not math.isfinite(L_A):
                status = DIVERGED
                break
            idx = (torch.arange(n) if self.batch_size is None
                   else torch.randperm(n, generator=gen)[:self.batch_size].sort().values).to(X.device)
            Xb, yb = X_adv[idx], y[idx]
            round_loss = loss.value(out[idx], yb).mean()
            grads = [g.detach() for g in torch.autograd.grad(round_loss, params)]
            round_value, g_sq = float(round_loss.detach()), _flat_dot(grads, grads)
            if not (math.isfinite(g_sq) and math.isfinite(round_value)):
                status = DIVERGED
                break
            cols["round"].append(round_value)
            cols["grad"].append(math.sqrt(g_sq))
            if self.record_feature_gradients:
                cols["G"].append(float(per_sample_gradient_norms(work, Xb).max()))
            if comp is not None:
                with torch.no_grad():
                    diff = [p.detach() - c for p, c in zip(params, comp)]
                    cols["comp"].append(float(loss.value(forward_with(work, comp, Xb), yb).mean()))
                    cols["regret"].append(_flat_dot(grads, diff))
                    cols["lin"].append(_linearization_error(work, Xb, params, comp, diff))
            if traj is not None:
                traj.batches.append(idx.cpu().numpy().copy())
                traj.gradients.append(_to_numpy(grads))
            with torch.no_grad():
                stepped = self.descent([p.detach() for p in params], grads)
                if r is not None:
                    stepped[:H] = self.project(stepped[:H], params0[:H])
                cols["step"].append(math.sqrt(sum(float(torch.dist(s, p)) ** 2 for s, p in zip(stepped, params))))
                for p, s in zip(params, stepped):
                    p.copy_(s)
            X_adv, out, L_A = record_iterate(t + 1)
        if status == OK and not math.isfinite(L_A):
            status = DIVERGED

        arr = lambda key: np.asarray(cols[key], dtype=np.float64)  # noqa: E731
        log = TrainingLog(surrogate_loss=arr("L_A"), round_loss=arr("round"),
                          distance=np.asarray(cols["dist"], dtype=np.float64).reshape(-1, H),
                          grad_norm=arr("grad"), step_norm=arr("step"),
                          feature_grad_norm=arr("G") if self.record_feature_gradients else None,
                          comparator_round_loss=arr("comp") if comp is not None else None,
                          regret_term=arr("regret") if comp is not None else None,
                          regret_bound=(dist0_sq / (2 * alpha) + (alpha / 2) * np.cumsum(arr("grad") ** 2)
                                        if comp is not None else None),
                          linearization_error=arr("lin") if comp is not None else None)
        config = {"algorithm": "Algorithm 1 (docs/claims.md §4)", "attack": repr(attack), "loss": loss.name,
                  "step_size": alpha, "iterations": T, "R": self.R,
                  "scaling": self.scaling if self.projection else None, "radius_per_layer": r,
                  "projection": self.projection, "batch_size": self.batch_size, "seed": self.seed,
                  "width": work.width, "depth": H, "d": work.d, "activation": work.activation, "n": n,
                  "train_output": work.train_output, "device": str(X.device), "dtype": str(X.dtype),
                  "trainer": type(self).__name__}
        best_loss, best_t, best_w, best_x = best
        if best_w is None:  # L_A(W(0)) was not finite
            best_w, best_x = params0, X_adv
        return TrainingResult(best_weights=best_w, best_iteration=best_t, best_loss=best_loss, best_attacked=best_x,
                              final_weights=[p.detach().clone() for p in params], initial_weights=params0, log=log,
                              status=status, config=config, comparator_in_ball=comparator_in_ball, trajectory=traj)


def check_trainer(trainer: Any) -> type[AdversarialTrainer]:
    """``trainer`` when it is :class:`AdversarialTrainer` or a subclass of it (InputError otherwise)."""
    if not (isinstance(trainer, type) and issubclass(trainer, AdversarialTrainer)):
        raise InputError(f"trainer must be AdversarialTrainer or a subclass, got {trainer!r}")
    return trainer


def adversarial_training(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, *, attack: Attack,
                         loss: Loss | str, step_size: float, iterations: int, radius: float | None = None,
                         scaling: str = "per-layer-R", projection: bool = True, batch_size: int | None = None,
                         comparator: Sequence[torch.Tensor] | None = None, seed: int = 0,
                         record_feature_gradients: bool = False, keep_trajectory: bool = False,
                         ) -> TrainingResult:
    """Run Algorithm 1 (docs/claims.md §4) from the net's initialization W(0); see the module docstring.

    ``radius`` is R; the per-layer radius is ``ball_radius(R, m, scaling)`` (recorded in ``config``).
    ``comparator`` is W* aligned with ``net.trained_parameters()``. A NaN/inf loss or gradient stops the
    run with ``status == "diverged"`` (the log is truncated there). The output layer a, when trained, is
    not constrained by B(R) (the ball constrains the layer weights W only). ``record_feature_gradients``
    logs G_t = max_i ‖∇_W f(W(t), x̃_i)‖_F; ``keep_trajectory`` keeps every iterate, attacked batch and
    gradient as numpy arrays (for independent re-verification; memory T × #parameters).
    """
    return AdversarialTrainer(net, X, y, attack=attack, loss=loss, step_size=step_size, iterations=iterations,
                              radius=radius, scaling=scaling, projection=projection, batch_size=batch_size,
                              comparator=comparator, seed=seed, record_feature_gradients=record_feature_gradients,
                              keep_trajectory=keep_trajectory).run()


def _linearization_error(net: FullyConnected, Xb: torch.Tensor, params: Sequence[torch.Tensor],
                         comp: Sequence[torch.Tensor], diff: Sequence[torch.Tensor]) -> float:
    """max_i |f(W*, x̃_i) − f(W, x̃_i) − ⟨∇f(W, x̃_i), W* − W⟩| with diff = W − W*."""
    f_w, lin = parameter_jvp(net, Xb, params, [-v for v in diff])
    f_star = forward_with(net, comp, Xb)
    return float((f_star - f_w - lin).abs().max())


def _model_not_finite(net: FullyConnected, X: torch.Tensor, y: torch.Tensor, loss: Loss) -> bool:
    """True when ℓ(f(W, x), y) or its input gradient is not finite at the clean points (divergence of W,
    as opposed to an attack that returns NaN on a finite model, which is an attack bug and re-raised)."""
    with torch.enable_grad():
        Xv = X.detach().clone().requires_grad_(True)
        values = loss.value(net(Xv), y)
        if not bool(torch.isfinite(values).all()):
            return True
        (g,) = torch.autograd.grad(values.sum(), Xv)
    return not bool(torch.isfinite(g).all())


def set_weights(net: FullyConnected, weights: Sequence[torch.Tensor]) -> FullyConnected:
    """A copy of ``net`` whose trained parameters are ``weights`` (initialization W(0) kept)."""
    out = copy.deepcopy(net)
    with torch.no_grad():
        for p, w in zip(out.trained_parameters(), check_weights(out, weights)):
            p.copy_(w)
    return out
