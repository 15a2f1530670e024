"""C0 on linear models f(x) = wᵀx, where the robust loss has a closed form (docs/claims.md §7).

For a margin-decreasing loss (hinge, logistic) the worst point of B(x) = {x + u : ‖u‖ ≤ δ} minimizes
the margin: max_u ℓ(y·wᵀ(x+u)) = ℓ(y·wᵀx − δ‖w‖_*), with ‖·‖_* the dual norm (ℓ2 → ℓ2, ℓ∞ → ℓ1).
For the absolute loss, max_u |wᵀ(x+u) − y| = |wᵀx − y| + δ‖w‖_*. C0 says every attack's point gives
ℓ ≤ that value (per sample), with equality at the closed-form maximizer.
Failures are re-verified at 50 significant digits from the exact binary values of the inputs. Control: the closed
form at radius (1 − 10⁻⁶)·δ — a bound weaker by one part in a million — must be beaten by the exact maximizer.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from numerics.network.data import sphere_points
from numerics.network.datasets import describe, load_dataset
from theory.evidence import Counterexample, Evidence, RunContext

LOSS_ATOL_F64 = 1e-12  # per-sample loss agreement: a few ulps of O(1) losses computed in float64
MEMBERSHIP_ATOL_F64 = 1e-12  # ‖x' − x‖ ≤ δ up to float64 round-off of the perturbation
# The control's weak bound: the closed form at radius (1 − WEAK_BOUND_REL)·δ. The exact maximizer attains the
# closed form to LOSS_ATOL_F64, so a bound lower by ~WEAK_BOUND_REL·δ‖w‖_*·|ℓ'| ≈ 1e-7 ≫ 1e-12 must be caught.
WEAK_BOUND_REL = 1e-6
NORMS = ("l2", "linf")
LOSSES = ("hinge", "logistic", "absolute")


def _loss(name: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    if name == "hinge":
        return np.maximum(0.0, 1.0 - y * f)
    if name == "logistic":
        return np.logaddexp(0.0, -y * f)
    return np.abs(f - y)


def _dual_norm(norm: str, w: np.ndarray) -> float:
    return float(np.linalg.norm(w, 2) if norm == "l2" else np.linalg.norm(w, 1))


def closed_form_robust_loss(loss: str, norm: str, w: np.ndarray, X: np.ndarray, y: np.ndarray, delta: float,
                            *, drop_radius_term: bool = False) -> np.ndarray:
    """Per-sample max over B(x_i) of ℓ(wᵀx', y_i) in closed form."""
    penalty = 0.0 if drop_radius_term else delta * _dual_norm(norm, w)
    f = X @ w
    if loss == "absolute":
        return np.abs(f - y) + penalty
    return _loss(loss, y * (y * f - penalty), y)  # ℓ evaluated at margin y·wᵀx − δ‖w‖_*


def _unit_direction(norm: str, w: np.ndarray) -> np.ndarray:
    """The u with ‖u‖ = 1 maximizing wᵀu (ℓ2: w/‖w‖₂; ℓ∞: sign(w))."""
    return w / np.linalg.norm(w) if norm == "l2" else np.sign(w)


def _attacks(loss: str, norm: str, w: np.ndarray, X: np.ndarray, y: np.ndarray, delta: float,
             rng: np.random.Generator, radius_factor: float) -> dict[str, np.ndarray]:
    """Attack points for a linear model: random points in the ball, a gradient step, and the exact maximizer."""
    n, d = X.shape
    r = radius_factor * delta
    if norm == "l2":
        dirs = rng.standard_normal((n, d))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        random = X + r * rng.uniform(0, 1, (n, 1)) ** (1 / d) * dirs
    else:
        random = X + r * rng.uniform(-1, 1, (n, d))
    f = X @ w
    # ascent direction of the loss in x: −y·w for margin losses; sign(f − y)·w for the absolute loss
    s = np.where(f - y >= 0, 1.0, -1.0) if loss == "absolute" else -y
    exact = X + r * s[:, None] * _unit_direction(norm, w)[None, :]
    half_step = X + 0.5 * r * s[:, None] * _unit_direction(norm, w)[None, :]
    return {"random": random, "half-step gradient": half_step, "exact maximizer": exact}


def _reverify(loss: str, norm: str, w: np.ndarray, x: np.ndarray, x_adv: np.ndarray, y: float, delta: float,
              *, drop_radius_term: bool) -> tuple[bool, float]:
    """Re-check at 50 digits, from the exact binary values of the floats, that ℓ(wᵀx_adv, y) exceeds the
    stated closed-form robust loss at x by more than LOSS_ATOL_F64. Returns (reproduced, excess)."""
    with mpmath.workdps(50):
        W, Xq, Aq = ([mpmath.mpf(float(t)) for t in v] for v in (w, x, x_adv))
        Y, D = mpmath.mpf(float(y)), mpmath.mpf(float(delta))
        dual = mpmath.sqrt(sum(a * a for a in W)) if norm == "l2" else sum(abs(a) for a in W)
        penalty = 0 if drop_radius_term else D * dual
        fx, fa = mpmath.fdot(W, Xq), mpmath.fdot(W, Aq)
        if loss == "absolute":
            attacked, stated = abs(fa - Y), abs(fx - Y) + penalty
        else:
            ell = (lambda z: max(0, 1 - z)) if loss == "hinge" else (lambda z: mpmath.log1p(mpmath.exp(-z)))
            attacked, stated = ell(Y * fa), ell(Y * fx - penalty)
        excess = attacked - stated
        return bool(excess > LOSS_ATOL_F64), float(excess)


def _reverify_outside(norm: str, x: np.ndarray, x_adv: np.ndarray, delta: float) -> tuple[bool, float]:
    """Exact-rational re-check that ‖x_adv − x‖ > δ·(1 + MEMBERSHIP_ATOL_F64); returns (reproduced, ratio)."""
    diff = [Fraction(float(a)) - Fraction(float(b)) for a, b in zip(x_adv, x)]
    limit = Fraction(float(delta)) * (1 + Fraction(MEMBERSHIP_ATOL_F64))
    if norm == "l2":
        sq = sum(t * t for t in diff)
        return sq > limit * limit, float(sq) ** 0.5 / delta
    top = max(abs(t) for t in diff)
    return top > limit, float(top) / delta


def trial_rows(trial: int, seed: int, n: int, d: int, deltas: tuple[float, ...], norms: tuple[str, ...],
               losses: tuple[str, ...], attack_radius_factor: float, drop_radius_term: bool, *,
               bound_radius_factor: float = 1.0, data: str | None = None) -> list[tuple]:
    """One trial (data, labels, w from ``seed``): every attack's points and the closed form at radius
    ``bound_radius_factor``·δ, per δ, norm and loss; ``data`` names a real data set replacing the sphere points."""
    rows = []
    rng = np.random.default_rng(seed)
    X = sphere_points(n, d, seed=seed)
    y = rng.choice([-1.0, 1.0], size=n)
    if data is not None:  # a real data set replaces the synthetic points (the rng stream is unchanged)
        X, y = load_dataset(data, n=n, d=d, seed=seed)
    w = rng.standard_normal(d) / np.sqrt(d)
    for delta in deltas:
        for norm in norms:
            for loss in losses:
                star = closed_form_robust_loss(loss, norm, w, X, y, bound_radius_factor * delta,
                                               drop_radius_term=drop_radius_term)
                for attack, X_adv in _attacks(loss, norm, w, X, y, delta, rng, attack_radius_factor).items():
                    rows.append((trial, delta, norm, loss, attack, w, X, y, X_adv, star))
    return rows


def compare_rows(ev: Evidence, rows: list[tuple], norms: tuple[str, ...], losses: tuple[str, ...],
                 drop_radius_term: bool, *, bound_radius_factor: float = 1.0) -> None:
    """Per (attack, norm, loss): max_i (ℓ_A,i − ℓ*_i) against 0 and max_i ‖x'_i − x_i‖/δ against 1 over ``rows``;
    failures re-verified at 50 digits (losses) or in exact rationals (membership)."""
    for attack in ("random", "half-step gradient", "exact maximizer"):
        for norm in norms:
            for loss in losses:
                sel = [r for r in rows if r[4] == attack and r[2] == norm and r[3] == loss]
                worst, worst_at, dist, dist_at, mean_a, mean_s = -np.inf, None, 0.0, None, [], []
                for trial, delta, _, _, _, w, X, y, X_adv, star in sel:
                    excess = _loss(loss, X_adv @ w, y) - star
                    i = int(np.argmax(excess))
                    if excess[i] > worst:
                        worst, worst_at = float(excess[i]), (trial, delta, w, X[i], X_adv[i], y[i])
                    ord_ = 2 if norm == "l2" else np.inf
                    ratios = np.linalg.norm(X_adv - X, ord=ord_, axis=1) / delta
                    j = int(np.argmax(ratios))
                    if ratios[j] > dist:
                        dist, dist_at = float(ratios[j]), (delta, X[j], X_adv[j])
                    mean_a.append(float(np.mean(_loss(loss, X_adv @ w, y))))
                    mean_s.append(float(np.mean(star)))
                name = f"{attack}, {norm}, {loss}: max_i (ℓ_A,i − ℓ*_i)"
                row = ev.compare(name, worst, 0.0, "==" if attack == "exact maximizer" else "<=",
                                 tolerance=LOSS_ATOL_F64, tolerance_name="LOSS_ATOL_F64",
                                 mean_L_A=float(np.mean(mean_a)), mean_L_star=float(np.mean(mean_s)))
                member = ev.compare(f"{attack}, {norm}, {loss}: max_i ‖x'_i − x_i‖/δ", dist, 1.0, "<=",
                                    tolerance=MEMBERSHIP_ATOL_F64, tolerance_name="MEMBERSHIP_ATOL_F64")
                if not row.holds and worst > 0 and worst_at is not None:
                    trial, delta, w, x, xa, yi = worst_at
                    ok, excess = _reverify(loss, norm, w, x, xa, yi, bound_radius_factor * delta,
                                           drop_radius_term=drop_radius_term)
                    ev.counterexamples.append(Counterexample(
                        name, f"attack point beats the closed-form robust loss (trial {trial}, δ={delta})",
                        {"w": w, "x": x, "x_adv": xa, "y": yi, "delta": delta}, excess, 0.0,
                        "mpmath, 50 digits, from the exact binary inputs", ok))
                if not member.holds and dist_at is not None:
                    delta, x, xa = dist_at
                    ok, ratio = _reverify_outside(norm, x, xa, delta)
                    ev.counterexamples.append(Counterexample(
                        member.name, f"{attack} returned a point outside B(x) (δ={delta})",
                        {"x": x, "x_adv": xa, "delta": delta}, ratio, 1.0, "exact rational arithmetic", ok))


def check_linear_closed_form(ctx: RunContext, *, attack_radius_factor: float = 1.0,
                             drop_radius_term: bool = False) -> Evidence:
    """C0 for linear models: every attack's per-sample loss ≤ the closed-form robust loss; = for the maximizer.

    Planted errors: ``attack_radius_factor`` > 1 lets attacks leave B(x); ``drop_radius_term`` uses a
    'robust' loss without the δ‖w‖_* term. Both must be reported as violated. The control (a deliberately weak
    bound: the closed form at radius (1 − WEAK_BOUND_REL)·δ) must be violated too.
    """
    ev = _measure(ctx, attack_radius_factor, drop_radius_term, bound_radius_factor=1.0)
    ev.add_control("weak bound", f"the closed form evaluated at radius (1 − {WEAK_BOUND_REL:g})·δ (a bound weaker by "
                                 f"one part in {1 / WEAK_BOUND_REL:.0e}); attacks unchanged",
                   _measure(ctx, attack_radius_factor, drop_radius_term, bound_radius_factor=1.0 - WEAK_BOUND_REL))
    return ev


def _measure(ctx: RunContext, attack_radius_factor: float, drop_radius_term: bool,
             bound_radius_factor: float) -> Evidence:
    ev = Evidence(claim_id="C0-surrogate-le-robust", check_id="C0-linear-closed-form", tier=ctx.tier)
    n, d, trials = (32, 5, 4) if ctx.tier == "fast" else (256, 10, 16)
    deltas = (0.05, 0.3)
    ev.config = {"n": n, "d": d, "trials": trials, "deltas": deltas, "losses": LOSSES, "norms": NORMS,
                 "bound_radius_factor": bound_radius_factor,
                 "model": "linear f(x) = wᵀx, w ~ N(0, I/d)", "data": "uniform on the unit sphere, labels ±1"}
    if ctx.data is not None:
        ev.config["data"] = describe(ctx.data, n=n, d=d, seed=ctx.seed * 1000)
        ev.config["data"]["seed"] = "ctx.seed·1000 + trial (one subsample per trial)"
    rows = []
    for trial in range(trials):
        seed = ctx.seed * 1000 + trial
        ev.seeds.append(seed)
        rows += trial_rows(trial, seed, n, d, deltas, NORMS, LOSSES, attack_radius_factor, drop_radius_term,
                           bound_radius_factor=bound_radius_factor, data=ctx.data)
    compare_rows(ev, rows, NORMS, LOSSES, drop_radius_term, bound_radius_factor=bound_radius_factor)
    ev.measurements["surrogate_vs_robust"] = [
        {"comparison": c.name, "max_excess": c.measured, **c.detail} for c in ev.comparisons if "ℓ_A" in c.name]
    ev.solver_statuses.append("closed-form")
    return ev
