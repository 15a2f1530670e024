"""C3, empirically: the two-layer net trained WITHOUT projection stays within R' and reaches the C1 relation.

Setup of numerics.checks.shared.training_setup with H = 1 and the C3 schedule of the derived chain:
α = 2ε/(3L_ℓ²G²), T = ⌈9R²L_ℓ²G²/(4ε²)⌉, R' = α·T·L_ℓ·G (= (3/2)R²L_ℓG/ε up to the ceiling), G the derived
gradient bound. Per width (2^6…2^12 fast, 2^6…2^14 full):
- ‖W(t) − W(0)‖_F ≤ α·Σ_{s<t} ‖g_s‖ for every t (triangle inequality; exact up to round-off);
- ‖W(t) − W(0)‖_F ≤ α·t·L_ℓ·max_{s<t} G_s with G_s = max_i ‖∇_W f(W(s), x̃_i)‖_F measured (exact);
- the claim: max_t ‖W(t) − W(0)‖_F ≤ R';
- min_t L_A(W(t)) ≤ U(W*) + ε against a comparator W* ∈ B(R), and the finite-width assembly (C4 with K = all W).
The derived C3 width (∝ R'⁴/ε², from theory.requirements) is far beyond runnable widths: the evidence says so, and
the inequalities are measured as a finite-width test. Counterexamples are re-verified in numpy. As C1: the headline
min_t L_A − U(W*) against the budget B (gap_headline), the schedule (α, T, G, R') against theory/, and an
informative configuration whose untrained (α = 0) control must be violated.
"""
from __future__ import annotations

import numpy as np

from numerics.training.algorithm import AdversarialTrainer, check_trainer
from numerics.training.comparator import ComparatorFn
from theory.evidence import Counterexample, Evidence, RunContext

from numerics.adversarial.attacks import PGD
from numerics.checks.shared.gap_headline import budget, headline, informative_setup, initial_gap, untrained_control
from numerics.checks.shared.training_chain import assembly, numpy_replay
from numerics.checks.shared.training_setup import (Setup, comparator_for, schedule, schedule_rows,
                                                   train_against_comparator)
from numerics.execution.threads import single_thread

FAST_WIDTHS = (64, 256, 1024, 4096)
FULL_WIDTHS = tuple(2 ** k for k in range(6, 15))
PGD_STEPS = 5
# Distances and step sums are O(1)-sized sums of T float64 terms: 1e-12 relative is far above round-off.
MOVEMENT_RTOL_F64 = 1e-12
ASSEMBLY_RTOL_F64 = 1e-9


def _fail(ev: Evidence, name: str, description: str, inputs: dict, measured: float, bound: float, method: str) -> None:
    ev.counterexamples.append(Counterexample(name, description, inputs, measured, bound, method,
                                             reverified=bool(measured > bound)))


def _width(ev: Evidence, setup: Setup, trainer, comparator: ComparatorFn | None, G_factor: float,
           record_key: str = "runs") -> tuple | None:
    """All rows of one width; returns (terms, L_A(W(0)), U(W*), replay) for a control, or None."""
    tag = f"[m={setup.width}]" if record_key == "runs" else f"[m={setup.width}, informative ε = {setup.eps:.4g}]"
    sched = schedule(setup, G_factor)
    trained = train_against_comparator(ev, setup, trainer, comparator, sched, pgd_steps=PGD_STEPS, projection=False)
    if trained is None:
        return None
    comp, run = trained
    log, alpha, L = run.log, sched.alpha, sched.L
    moved = log.distance[:, 0]                                          # H = 1: one layer
    path = alpha * np.concatenate([[0.0], np.cumsum(log.grad_norm)])
    t = np.arange(len(moved))
    G_run = np.concatenate([[0.0], np.maximum.accumulate(log.feature_grad_norm)])
    traj = run.trajectory
    w0 = traj.weights[0][0]
    moved_np = np.array([float(np.linalg.norm(W[0] - w0)) for W in traj.weights])

    def movement_row(name: str, bound: np.ndarray, description: str) -> None:
        k = int(np.argmax(moved - bound))
        row = ev.compare(name, float(moved[k] - bound[k]), 0.0, "<=",
                         tolerance=MOVEMENT_RTOL_F64 * max(1.0, float(np.max(bound))),
                         tolerance_name="MOVEMENT_RTOL_F64 × max(1, bound)", t=k, movement=float(moved[k]),
                         movement_bound=float(bound[k]))
        if not row.holds:
            j = int(np.argmax(moved_np - bound))
            _fail(ev, row.name, description, {"t": j, "alpha": alpha, "T": sched.T}, float(moved_np[j] - bound[j]),
                  row.tolerance, "numpy ‖W(t) − W(0)‖_F from the stored iterates")

    movement_row(f"C3 {tag}: max_t [‖W(t) − W(0)‖_F − α·Σ_(s<t)‖g_s‖] ≤ 0", path, "movement exceeds the path length")
    movement_row(f"C3 {tag}: max_t [‖W(t) − W(0)‖_F − α·t·L·max_(s<t) G_s] ≤ 0", alpha * t * L * G_run,
                 "movement exceeds α·t·L·G with the measured gradient norms")
    movement_row(f"C3 {tag}: max_t ‖W(t) − W(0)‖_F − R' ≤ 0, R' = α·T·L·G", np.full_like(moved, sched.R_prime),
                 "the iterates left the radius R' of the theorem")
    terms = assembly(run, comp, L)
    replay: dict = {}

    def replayed() -> dict:
        if not replay:
            replay.update(numpy_replay(run, setup, comp, L))
        return replay

    L_A0 = float(log.surrogate_loss[0])
    row = headline(ev, f"C3 {tag}", terms, L_A0, comp.robust_upper)
    if not row.holds:
        r = replayed()
        _fail(ev, row.name, "training without projection did not close the gap the theory's budget demands", {},
              r["min_L_A"] - r["comparator_upper"], r["assembly_bound"] - r["comparator_upper"], r["method"])
    schedule_rows(ev, f"C3 {tag}", setup, sched)
    row = ev.compare(f"C3 {tag}: min_t L_A(W(t)) ≤ U(W*) + ε (no projection)", run.best_loss,
                     comp.robust_upper + setup.eps, "<=", tolerance_name="exact (certified comparator bound)")
    if not row.holds:
        replayed()
        _fail(ev, row.name, "surrogate loss never came within ε of the comparator", {},
              replay["min_L_A"], replay["comparator_upper"] + setup.eps, replay["method"])
    row = ev.compare(f"C3 {tag}: finite-width assembly (1/T)Σ L_A ≤ U(W*) + D²/(2αT) + (α/2T)Σ‖g‖² + L·max ε_t",
                     terms["average_L_A"], terms["bound"], "<=", tolerance=ASSEMBLY_RTOL_F64 * abs(terms["bound"]),
                     tolerance_name="ASSEMBLY_RTOL_F64 × bound")
    if not row.holds:
        replayed()
        _fail(ev, row.name, "the assembled chain fails without projection", {"terms": terms},
              replay["average_L_A"], replay["assembly_bound"] * (1 + ASSEMBLY_RTOL_F64), replay["method"])
    gap0 = L_A0 - comp.robust_upper
    record = {"setup": setup.to_dict(), "alpha": alpha, "T": sched.T, "G": sched.G, "G_source": sched.G_source,
              "R_prime": sched.R_prime, "m_star_C3": sched.m_star, "max_movement": float(moved.max()),
              "movement_over_R_prime": float(moved.max()) / sched.R_prime, "G_measured_max": float(G_run.max()),
              "L_A_initial": L_A0, "comparator_upper": comp.robust_upper, "initial_gap": gap0,
              "fraction_of_gap_closed": 1 - (terms["min_L_A"] - comp.robust_upper) / gap0 if gap0 > 0 else None,
              "budget_B": budget(terms), **terms}
    if record_key == "runs":
        ev.measurements.setdefault("runs", []).append(record)
    else:
        ev.measurements[record_key] = record
    return terms, L_A0, comp.robust_upper, replayed


def _informative(ev: Evidence, base: Setup, trainer, comparator: ComparatorFn | None, G_factor: float) -> None:
    """The informative configuration (ε from the initial gap, fixed before training) and its untrained control."""
    gap0 = initial_gap(base, lambda pset, loss: PGD(pset, loss, PGD_STEPS), comparator_for(base, comparator))
    setup = informative_setup(base, gap0)
    if setup is None:
        ev.notes.append(f"initial gap {gap0:.3g} < MIN_GAP at m = {base.width}: no informative configuration, so no "
                        "control")
        return
    out = _width(ev, setup, trainer, comparator, G_factor, record_key="informative_run")
    if out is None:
        return
    terms, L_A0, upper, replay = out
    ev.add_control("untrained", f"α = 0 (W(t) = W(0)) at the informative configuration m = {setup.width}, ε = "
                                f"{setup.eps:.4g}; the same budget B",
                   untrained_control(f"C3 [m={setup.width}]", ev.claim_id, ev.check_id, ev.tier, terms, L_A0, upper,
                                     replay))


def check_no_projection(ctx: RunContext, *, trainer: type[AdversarialTrainer] = AdversarialTrainer,
                        G_factor: float | None = None, comparator: ComparatorFn | None = None,
                        widths: tuple[int, ...] | None = None) -> Evidence:
    """C3 at finite width (module docstring). ``trainer``: the Algorithm 1 class; ``G_factor`` scales the
    gradient constant used for α, T and R' (planted: a wrong one). ``widths`` overrides the tier's."""
    ev = Evidence(claim_id="C3-two-layer-no-projection", check_id="C3-empirical-radius", tier=ctx.tier,
                  seeds=[ctx.seed])
    widths = widths or (FULL_WIDTHS if ctx.tier == "full" else FAST_WIDTHS)
    factor = 1.0 if G_factor is None else float(G_factor)
    cls = check_trainer(trainer)
    ev.config = {"widths": list(widths), "setup": Setup(width=widths[0], seed=ctx.seed, theorem="C3").to_dict(),
                 "projection": False, "attack": f"PGD {PGD_STEPS} steps", "G_factor": factor,
                 "trainer": cls.__name__}
    with single_thread():
        for m in widths:
            _width(ev, Setup(width=m, seed=ctx.seed, theorem="C3"), cls, comparator, factor)
        _informative(ev, Setup(width=min(widths), seed=ctx.seed, theorem="C3"), cls, comparator, factor)
    runs = ev.measurements.get("runs", [])
    if runs:
        ev.notes.append(f"derived C3 width m* = {runs[0]['m_star_C3']} (linearization controlled on R' = "
                        f"{runs[0]['R_prime']:.3g}): far beyond the widths run here, so the theorem guarantees "
                        "nothing at these sizes; the relations are measured as a finite-width test")
    return ev
