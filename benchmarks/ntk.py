"""NTK performance targets (run as a script: `python benchmarks/ntk.py`; exits 1 when a target fails).

1. structured vs autograd empirical NTK, n=256, d=10, m=1024, H=2, float64: time ratio ≥ 100×,
   max relative disagreement ≤ 1e-10;
2. analytic_ntk, relu, n=2000, H=3: < 0.5 s.

Times are medians of a few repeats; on a shared machine they are noisy. Both empirical methods run on one
torch thread by default (equal resources; an oversubscribed machine stalls multi-threaded small kernels and
distorts the ratio); `--threads N` changes that, `--threads 0` keeps torch's default.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import torch

from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.ntk.analytic import analytic_ntk
from numerics.ntk.empirical import empirical_ntk

EMPIRICAL = dict(n=256, d=10, width=1024, depth=2, activation="softplus")
ANALYTIC = dict(n=2000, d=10, depth=3, activation="relu")
MIN_SPEEDUP = 100.0
MAX_REL_DISAGREEMENT = 1e-10
MAX_ANALYTIC_SECONDS = 0.5


def median_time(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); timings are medians, "
          "noisy on a shared machine")
    cfg = EMPIRICAL
    X = sphere_points(cfg["n"], cfg["d"], seed=0)
    net = FullyConnected(cfg["d"], cfg["width"], cfg["depth"], cfg["activation"], seed=0)
    empirical_ntk(net, X[:8])                                    # warm up both code paths
    empirical_ntk(net, X[:8], method="autograd")
    t_fast, fast = median_time(lambda: empirical_ntk(net, X), 7)
    t_ref, ref = median_time(lambda: empirical_ntk(net, X, method="autograd"), 3)
    speedup = t_ref / t_fast
    disagreement = float(np.max(np.abs(fast - ref)) / np.max(np.abs(ref)))

    a = ANALYTIC
    Xa = sphere_points(a["n"], a["d"], seed=1)
    analytic_ntk(Xa[:50], depth=a["depth"], activation=a["activation"])
    t_analytic, _ = median_time(lambda: analytic_ntk(Xa, depth=a["depth"], activation=a["activation"]), 5)

    results = [
        (f"empirical NTK structured {t_fast * 1e3:.1f} ms vs autograd {t_ref * 1e3:.0f} ms "
         f"(n={cfg['n']}, d={cfg['d']}, m={cfg['width']}, H={cfg['depth']}, {cfg['activation']}, float64): "
         f"speed-up {speedup:.0f}x (target >= {MIN_SPEEDUP:g}x)", speedup >= MIN_SPEEDUP),
        (f"structured vs autograd max relative disagreement {disagreement:.2e} (target <= {MAX_REL_DISAGREEMENT:g})",
         disagreement <= MAX_REL_DISAGREEMENT),
        (f"analytic_ntk relu n={a['n']}, H={a['depth']}: {t_analytic * 1e3:.0f} ms "
         f"(target < {MAX_ANALYTIC_SECONDS * 1e3:.0f} ms)", t_analytic < MAX_ANALYTIC_SECONDS),
    ]
    for text, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
