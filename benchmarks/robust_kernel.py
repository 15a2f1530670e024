"""Robust kernel problem performance targets (run as a script: `python benchmarks/robust_kernel.py`; exit 1 on FAIL).

Problem family (the issue-12 generator): n points on S^{d−1}, labels sign(x₁ + 0.3·x₂x₃), two-layer relu2 NTK, hinge
loss, ℓ2 balls δ = 0.1, RKHS ball R = 3; 16 seeded perturbations per point plus the point itself form the
initial pool (n = 64 → 1,088 constraint points).

1. Finite program (numerics.robust_kernel.program.solve_finite) at n = 64, d = 5, both Clarabel formulations on
   the same Gram matrix: "features" status `optimal` with median ≤ 2 s, ≥ 4× faster than "direct", objectives agree
   to 1e-6; the dense dual interior point ("interior-point", the default of solve_robust) is reported beside them.
2. Certified robust solve (numerics.robust_kernel.cutting_planes.solve_robust), one case per subprocess (own peak
   RSS), n = 64, 128, 256, 512, 1024 at d = 5 (tol 1e-2) and n = 64 at d = 10, plus n = 64 at tol 1e-3: wall time,
   CPU time, peak RSS, rounds, certificate evaluations ("cells"), bracket and status; the fitted cost exponent in n.
   Targets: n = 64 converged at 1e-2 in ≤ 5 s and at 1e-3 in ≤ 60 s; n = 256 converged in ≤ 30 s; n = 1024
   converged in ≤ 120 s with peak RSS ≤ 2 GB (wall times); n = 64, d = 10 converged; cost exponent ≤ 2, fitted by
   least squares to log CPU seconds over n = 256, 512, 1024 (the solve is single-threaded, so CPU time is its cost;
   wall time on a shared 2-core machine also carries the other processes' load — its exponent is printed beside).
   The same fit over n = 300, 600, 1200 is printed for information (sizes off powers of two).
3. Baseline: today's (pre-issue-12) certificate — the first-order Lipschitz branch and bound of
   numerics.robust_kernel.certificate at its default budget — on the final f of the small cases, beside the
   second-order certificate on the same f (upper bound, gap to the best point found, cells, time).
4. Linear kernel, ℓ2 and ℓ∞ balls: solve_robust at tol 1e-6 converges and its bracket contains the closed-form
   robust SVM optimum solved independently (cvxpy + SCS at eps 1e-10).
Times are single measurements (medians for part 1) on one thread; on a shared machine they are noisy. BLAS and torch
run single-threaded (set before numpy is imported): on a loaded 2-core machine OpenBLAS threads spin and make small
dense factorizations far slower.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from numerics.network.perturbations import PerturbationSet  # noqa: E402
from numerics.robust_kernel.kernels import LinearKernel, NTKKernel  # noqa: E402
from numerics.robust_kernel.cutting_planes import initial_points, solve_robust  # noqa: E402
from numerics.robust_kernel.program import RobustKernelSolverError, robust_kernel_problem, solve_finite  # noqa: E402

PROBLEM = dict(n=64, d=5, perturbations=16, norm="l2", radius=0.1, R=3.0)
MAX_MEDIAN_SECONDS = 2.0
MIN_SPEEDUP = 4.0
MAX_OBJECTIVE_GAP = 1e-6
# (n, d, tol) of the certified solves; the wall-time targets of the issue per case
SCALING = [(64, 5, 1e-2), (128, 5, 1e-2), (256, 5, 1e-2), (512, 5, 1e-2), (1024, 5, 1e-2), (64, 10, 1e-2),
           (64, 5, 1e-3), (300, 5, 1e-2), (600, 5, 1e-2), (1200, 5, 1e-2)]
WALL_TARGETS = {(64, 5, 1e-2): 5.0, (64, 5, 1e-3): 60.0, (256, 5, 1e-2): 30.0, (1024, 5, 1e-2): 120.0}
MAX_RSS_GB_1024 = 2.0
MAX_EXPONENT = 2.0
EXPONENT_NS = (256, 512, 1024)
# the same fit off powers of two (information, not a target): dense factorizations of order 2^k are slow in MKL,
# which numerics.robust_kernel.interior_point avoids; this row shows the exponent does not rest on those sizes
OFF_GRID_NS = (300, 600, 1200)
BASELINE_CASES = [(64, 5, 1e-2), (128, 5, 1e-2)]
LINEAR_TOL = 1e-6


def _data(seed: int, n: int = PROBLEM["n"], d: int = PROBLEM["d"]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.where(X[:, 0] + 0.3 * X[:, 1] * X[:, 2] >= 0, 1.0, -1.0)
    return X, y


def _timed(fn, repeats: int) -> tuple[float, list]:
    times, outs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        outs.append(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), outs


def _line(text: str, ok: bool) -> tuple[str, bool]:
    print(("PASS  " if ok else "FAIL  ") + text)
    return text, ok


# ---------------------------------------------------------------- 1. the finite program
def finite_program(args) -> tuple[list[tuple[str, bool]], dict]:
    X, y = _data(args.seed)
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet(PROBLEM["norm"], PROBLEM["radius"]),
                                    args.loss, radius=PROBLEM["R"])
    Z, owner = initial_points(problem, PROBLEM["perturbations"], args.seed)
    start = time.perf_counter()
    grams = problem.kernel.gram(Z)
    t_gram = time.perf_counter() - start
    offset = np.zeros(Z.shape[0])
    print(f"[1] finite program: n={PROBLEM['n']}, d={PROBLEM['d']}, {Z.shape[0]} constraint points, {args.loss} "
          f"loss, R={PROBLEM['R']}; Gram matrix {t_gram:.2f} s")

    def run(formulation: str):
        return solve_finite(problem, Z, owner, formulation=formulation, grams=grams, offset=offset)

    t_feat, feats = _timed(lambda: run("features"), args.repeats)
    f = feats[-1]
    try:
        t_direct, directs = _timed(lambda: run("direct"), args.direct_repeats)
    except RobustKernelSolverError as exc:   # the ill-conditioned direct program can defeat the solver
        return [_line(f"direct formulation: no solution ({exc.status}); features: {f.status}, objective "
                      f"{f.objective:.12f}, median {t_feat:.3f} s", False)], {}
    dsol = directs[-1]
    extra = ""
    if args.loss == "hinge":
        t_ip, ips = _timed(lambda: run("interior-point"), args.repeats)
        extra = (f"; interior-point median {t_ip:.3f} s, bracket [{ips[-1].lower:.10f}, {ips[-1].upper:.10f}], "
                 f"status {ips[-1].status}")
    gap = abs(f.objective - dsol.objective)
    speedup = t_direct / t_feat
    statuses = sorted({s for sol in feats for s in sol.solver_statuses})
    print(f"    certified brackets: features [{f.lower:.10f}, {f.upper:.10f}] (gap {f.gap:.1e}), "
          f"direct [{dsol.lower:.10f}, {dsol.upper:.10f}] (gap {dsol.gap:.1e}){extra}")
    lines = [
        _line(f"features status {statuses} (target: every solve 'optimal')", statuses == ["optimal"]),
        _line(f"features median {t_feat:.3f} s over {args.repeats} runs (target <= {MAX_MEDIAN_SECONDS:g} s); "
              f"{f.solves} conic solves, active set {len(f.active)} of {Z.shape[0]} points, rank {f.rank}, "
              f"truncation error bound {f.truncation_error:.2e}", t_feat <= MAX_MEDIAN_SECONDS),
        _line(f"direct median {t_direct:.2f} s (status {dsol.status}, Cholesky jitter {dsol.jitter:.1e}): speed-up "
              f"{speedup:.1f}x (target >= {MIN_SPEEDUP:g}x)", speedup >= MIN_SPEEDUP and dsol.status == "optimal"),
        _line(f"objectives features {f.objective:.12f} vs direct {dsol.objective:.12f}: |diff| {gap:.2e} "
              f"(target <= {MAX_OBJECTIVE_GAP:g})", gap <= MAX_OBJECTIVE_GAP),
    ]
    numbers = {"features_median_s": t_feat, "direct_median_s": t_direct, "speedup": speedup, "objective_gap": gap,
               "gram_s": t_gram, "features_bracket": [f.lower, f.upper], "direct_bracket": [dsol.lower, dsol.upper]}
    return lines, numbers


# ---------------------------------------------------------------- 2./3. one certified solve (run in a subprocess)
def one_case(n: int, d: int, tol: float, seed: int, baseline: bool) -> dict:
    torch.set_num_threads(1)
    X, y = _data(seed, n, d)
    problem = robust_kernel_problem(X, y, NTKKernel(1, "relu2"), PerturbationSet("l2", PROBLEM["radius"]), "hinge",
                                    radius=PROBLEM["R"])
    start, cpu = time.perf_counter(), time.process_time()
    res = solve_robust(problem, tol=tol, initial_samples=PROBLEM["perturbations"], seed=seed)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    out = {"n": n, "d": d, "tol": tol, "points": n * (PROBLEM["perturbations"] + 1), "wall_s": wall, "cpu_s": cpu,
           "status": res.status, "lower": res.lower, "upper": res.upper, "rounds": res.iterations,
           "cells": res.certificate.get("cells"), "active": int(res.points.shape[0]),
           "finite_solves": res.finite_solves, "method": res.certificate.get("method"),
           "peak_rss_gb": _peak_rss_gb()}
    if baseline:
        out["baseline"] = _baseline(problem, res, tol)
    return out


def _peak_rss_gb() -> float:
    """This process's peak resident set: VmHWM (Linux; reset by exec, unlike ru_maxrss, which keeps the parent's
    peak across fork + exec), else ru_maxrss."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2 ** 20
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20


def _baseline(problem, res, tol: float) -> dict:
    """Today's first-order Lipschitz certificate and the second-order one on the same final f."""
    from numerics.robust_kernel.certificate import DEFAULT_CELL_BUDGET
    from numerics.robust_kernel.curvature import certify_max_loss_curvature
    from numerics.robust_kernel.cutting_planes import _certify
    from numerics.robust_kernel.columns import GramSource
    Zs = res.points
    betas = [torch.as_tensor(b) for b in res.betas]
    model = res.model(problem.kernel)
    start = time.perf_counter()
    second = certify_max_loss_curvature(problem.kernel, Zs, betas, problem.X, problem.y, problem.pset, problem.loss,
                                        tol=tol / 2)
    t_second = time.perf_counter() - start

    grams = GramSource(problem.kernel, Zs).sub(np.arange(Zs.shape[0]))
    # the two fields of a finite solution that the Lipschitz certificate reads
    fin = SimpleNamespace(betas=res.betas, norms=[math.sqrt(float(b @ K @ b)) for b, K in zip(res.betas, grams)])
    start = time.perf_counter()
    first = _certify(problem, model, fin, Zs, torch.as_tensor(second.lower), second.points, tol / 2,
                     DEFAULT_CELL_BUDGET)
    t_first = time.perf_counter() - start
    return {"lipschitz_upper": first.mean_upper, "lipschitz_gap": first.mean_upper - float(second.lower.mean()),
            "lipschitz_cells": first.cells_evaluated, "lipschitz_s": t_first, "lipschitz_complete": first.complete,
            "second_order_upper": float(second.upper.mean()),
            "second_order_gap": float((second.upper - second.lower).mean()), "second_order_s": t_second,
            "second_order_cells": second.cells_evaluated}


def _run_case(n: int, d: int, tol: float, seed: int, baseline: bool, timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--case", str(n), str(d), repr(tol), "--seed", str(seed)]
    if baseline:
        cmd.append("--baseline")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return {"n": n, "d": d, "tol": tol, "status": f"timeout after {timeout:g} s", "wall_s": math.inf}
    if done.returncode != 0:
        return {"n": n, "d": d, "tol": tol, "status": "error: " + done.stderr.strip().splitlines()[-1][:200],
                "wall_s": math.inf}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _exponent(rows: list[dict], key: str) -> float:
    """Least-squares slope of log rows[key] against log n."""
    return float(np.polyfit(np.log([r["n"] for r in rows]), np.log([r[key] for r in rows]), 1)[0])


def scaling(args) -> tuple[list[tuple[str, bool]], dict]:
    cases = [c for c in SCALING if c[0] <= args.max_n]
    rows = []
    print(f"[2] certified solves (solve_robust, one subprocess each, tol as listed, {PROBLEM['perturbations']} "
          "perturbations per point in the initial pool)")
    print(f"    {'n':>5} {'d':>3} {'tol':>6} {'points':>7} {'wall s':>8} {'cpu s':>7} {'peak GB':>8} {'rounds':>6} "
          f"{'cells':>6} {'active':>6}  {'bracket':<27} {'gap':>8}  status")
    for n, d, tol in cases:
        row = _run_case(n, d, tol, args.seed, (n, d, tol) in BASELINE_CASES, args.case_timeout)
        rows.append(row)
        if "lower" in row:
            upper = row["upper"] if row["upper"] is not None else math.nan
            print(f"    {n:>5} {d:>3} {tol:>6.0e} {row['points']:>7} {row['wall_s']:>8.2f} {row['cpu_s']:>7.2f} "
                  f"{row['peak_rss_gb']:>8.2f} {row['rounds']:>6} {row['cells'] or 0:>6} {row['active']:>6}  "
                  f"[{row['lower']:.6f}, {upper:.6f}]  {upper - row['lower']:>8.1e}  {row['status']}")
        else:
            print(f"    {n:>5} {d:>3} {tol:>6.0e}  {row['status']}")
    by = {(r["n"], r["d"], r["tol"]): r for r in rows}
    lines = []
    for key, limit in WALL_TARGETS.items():
        if key in by:
            r = by[key]
            extra = ""
            ok = r["status"] == "converged" and r["wall_s"] <= limit
            if key[0] == 1024:
                extra = f", peak RSS {r.get('peak_rss_gb', math.inf):.2f} GB (target <= {MAX_RSS_GB_1024:g} GB)"
                ok = ok and r.get("peak_rss_gb", math.inf) <= MAX_RSS_GB_1024
            lines.append(_line(f"n={key[0]}, d={key[1]}, tol {key[2]:g}: {r['status']} in {r['wall_s']:.2f} s "
                               f"(target: converged in <= {limit:g} s){extra}", ok))
    if (64, 10, 1e-2) in by:
        r = by[(64, 10, 1e-2)]
        lines.append(_line(f"n=64, d=10, tol 0.01: {r['status']} in {r['wall_s']:.2f} s (target: converged)",
                           r["status"] == "converged"))
    fit_rows = [by[(n, 5, 1e-2)] for n in EXPONENT_NS if (n, 5, 1e-2) in by]
    exponents = {}
    if len(fit_rows) >= 2 and all("cpu_s" in r for r in fit_rows):
        exponents["cpu_s"], exponents["wall_s"] = _exponent(fit_rows, "cpu_s"), _exponent(fit_rows, "wall_s")
        lines.append(_line(f"cost exponent in n (least squares of log CPU seconds over n = "
                           f"{[r['n'] for r in fit_rows]}): {exponents['cpu_s']:.2f} (target <= {MAX_EXPONENT:g}); "
                           f"of wall time {exponents['wall_s']:.2f}", exponents["cpu_s"] <= MAX_EXPONENT))
    every = [by[(n, 5, 1e-2)] for n in (64, 128, 256, 512, 1024) if "cpu_s" in by.get((n, 5, 1e-2), {})]
    if len(every) >= 2:
        exponents["cpu_s_all"] = _exponent(every, "cpu_s")
        print(f"    (CPU exponent over all n at d = 5: {exponents['cpu_s_all']:.2f}; per round the finite program "
              "costs O(N·|S|) kernel columns and O(|S|³) per interior-point step, |S| ≈ n)")
    off = [by[(n, 5, 1e-2)] for n in OFF_GRID_NS if "cpu_s" in by.get((n, 5, 1e-2), {})]
    if len(off) >= 2:
        exponents["cpu_s_off_grid"] = _exponent(off, "cpu_s")
        print(f"    (CPU exponent over n = {[r['n'] for r in off]}, off powers of two: "
              f"{exponents['cpu_s_off_grid']:.2f}; information, not a target)")
    print("[3] baseline: today's first-order Lipschitz certificate (default budget) vs the second-order one, same f")
    for key in BASELINE_CASES:
        b = by.get(key, {}).get("baseline")
        if b:
            print(f"    n={key[0]}, d={key[1]}: Lipschitz upper {b['lipschitz_upper']:.6f} (gap {b['lipschitz_gap']:.3g}, "
                  f"{b['lipschitz_cells']} cells, {b['lipschitz_s']:.2f} s, complete {b['lipschitz_complete']}) | "
                  f"second-order upper {b['second_order_upper']:.6f} (gap {b['second_order_gap']:.2g}, "
                  f"{b['second_order_cells']} evaluations, {b['second_order_s']:.2f} s)")
    return lines, {"cases": rows, "exponents": exponents}


# ---------------------------------------------------------------- 4. the linear kernel
def linear(args) -> tuple[list[tuple[str, bool]], dict]:
    import cvxpy as cp
    X, y = _data(args.seed)
    lines, out = [], {}
    print(f"[4] linear kernel, hinge, R = {PROBLEM['R']}, δ = {PROBLEM['radius']}, tol {LINEAR_TOL:g}")
    for norm, order in (("l2", 2), ("linf", 1)):
        problem = robust_kernel_problem(X, y, LinearKernel(), PerturbationSet(norm, PROBLEM["radius"]), "hinge",
                                        radius=PROBLEM["R"])
        start = time.perf_counter()
        res = solve_robust(problem, tol=LINEAR_TOL)
        wall = time.perf_counter() - start
        w = cp.Variable(X.shape[1])
        robust = cp.sum(cp.pos(1 - cp.multiply(y, X @ w) + PROBLEM["radius"] * cp.norm(w, order))) / len(y)
        independent = cp.Problem(cp.Minimize(robust), [cp.norm(w) <= PROBLEM["R"]])
        independent.solve(solver="SCS", eps=1e-10, max_iters=200_000)
        inside = res.lower <= independent.value <= res.upper
        out[norm] = {"lower": res.lower, "upper": res.upper, "scs_optimum": independent.value, "wall_s": wall}
        lines.append(_line(f"linear {norm}: {res.status}, bracket [{res.lower:.10f}, {res.upper:.10f}] (width "
                           f"{res.upper - res.lower:.1e}, target <= {LINEAR_TOL:g}) contains the SCS closed-form "
                           f"optimum {independent.value:.10f}: {inside}; {wall:.2f} s",
                           res.status == "converged" and res.upper - res.lower <= LINEAR_TOL and inside))
    return lines, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loss", default="hinge", choices=("hinge", "logistic", "absolute", "squared"))
    ap.add_argument("--repeats", type=int, default=5, help="timed solves of the features formulation")
    ap.add_argument("--direct-repeats", type=int, default=1, help="timed solves of the direct formulation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-n", type=int, default=1200, help="largest n of the scaling table")
    ap.add_argument("--case-timeout", type=float, default=900.0, help="seconds before a certified solve is cut off")
    ap.add_argument("--json", default=None, help="write the numbers to this file")
    ap.add_argument("--case", nargs=3, metavar=("N", "D", "TOL"), help=argparse.SUPPRESS)
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.case:
        print(json.dumps(one_case(int(args.case[0]), int(args.case[1]), float(args.case[2]), args.seed,
                                  args.baseline)))
        return 0
    print(f"torch {torch.__version__}, 1 thread, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          "timings are noisy on a shared machine")
    results, numbers = [], {}
    for name, part in (("finite", finite_program), ("scaling", scaling), ("linear", linear)):
        lines, numbers[name] = part(args)
        results += lines
    passed = all(ok for _, ok in results)
    print(f"{sum(ok for _, ok in results)}/{len(results)} targets PASS")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({**numbers, "targets": [{"text": t, "passed": ok} for t, ok in results], "passed": passed},
                      fh, indent=2, default=float)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
