"""Achieved FLOP rate of adversarial training (Algorithm 1) as a fraction of a plain matmul, in the same run.

    python benchmarks/training.py [--widths 1024 2048] [--n 256] [--d 64] [--depth 2] [--steps 5] [--pairs 5]
                                  [--device cpu] [--threads 1]

Workload: n = 256 points in d = 64, depth-H = 2 softplus net, ℓ∞ ball δ = 0.1, logistic loss, PGD with k = 5 steps
(one restart), full batch, projection onto B(R), float64. FLOPs are counted analytically as 2·rows·in·out for every
matrix product the algorithm needs (elementwise work is not counted; it is overhead):
    forward F = 2·n·d·m + 2·(H−1)·n·m² + 2·n·m,   input gradient B_x = 2·(H−1)·n·m² + 2·n·m·d,
    one PGD step = F + B_x,   weight step = F (forward) + 2·n·d·m + 2·(H−1)·n·m² (weight gradients)
                                          + 2·(H−1)·n·m² (gradients of the hidden activations),
    a run of T iterations = T·(k·(F + B_x) + weight step) + k·(F + B_x)   (W(T) is attacked once more for L_A).
Extra forward passes an implementation makes (PGD's final restart evaluation, random starts, the log) are not
counted, so they lower the achieved rate. Reference: torch.matmul of an (n × m) by (m × m) float64 matrix, 2·n·m²
FLOPs, run back to back for about the same FLOP count right before each training run (one iteration, T = 1, plus
the attack on W(1)); the reported fraction is the median over paired measurements, robust to other load.
Target: achieved / reference ≥ 50 % for every width ≥ 1024; prints PASS/FAIL and exits 1 on FAIL.
Both sides run with the same number of threads (default 1: the fraction is then a per-core efficiency that other
load on a shared machine barely disturbs; ``--threads 0`` keeps torch's default, which on a busy 2-core machine
mostly measures contention of the multi-threaded matmul).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from numerics.adversarial.attacks import PGD
from numerics.network.data import sphere_points
from numerics.network.losses import get_loss
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import adversarial_training

TARGET_FRACTION = 0.5
MIN_TARGET_WIDTH = 1024


def iteration_flops(n: int, d: int, m: int, depth: int, steps: int) -> tuple[int, int]:
    """(FLOPs of one attack, FLOPs of one weight step) counted as in the module docstring."""
    forward = 2 * n * d * m + 2 * (depth - 1) * n * m * m + 2 * n * m
    input_grad = 2 * (depth - 1) * n * m * m + 2 * n * m * d
    weight_step = forward + (2 * n * d * m + 2 * (depth - 1) * n * m * m) + 2 * (depth - 1) * n * m * m
    return steps * (forward + input_grad), weight_step


def matmul_seconds(A: torch.Tensor, B: torch.Tensor, count: int, device: torch.device) -> float:
    """Wall time of ``count`` back-to-back torch.matmul(A, B)."""
    _sync(device)
    start = time.perf_counter()
    for _ in range(count):
        torch.matmul(A, B)
    _sync(device)
    return time.perf_counter() - start


def measure(n: int, d: int, m: int, depth: int, steps: int, device: torch.device, pairs: int = 5
            ) -> tuple[float, float, float]:
    """Median over ``pairs`` of (achieved rate / matmul rate), each pair measured back to back (sustained matmul
    work of about the same FLOP count as the training run, then the run), and the medians of both rates.

    Pairing and the median make the ratio robust to other load on the machine; one training run is one iteration
    of Algorithm 1 (T = 1) plus the attack on W(1) that gives L_A(W(1)).
    """
    X = torch.tensor(sphere_points(n, d, seed=0), device=device)
    y = torch.where(X[:, 0] >= 0, 1.0, -1.0).to(torch.float64)
    net = FullyConnected(d, m, depth, "softplus", seed=0, device=device)
    loss = get_loss("logistic")
    attack = PGD(PerturbationSet("linf", 0.1), loss, steps)
    attack_flops, step_flops = iteration_flops(n, d, m, depth, steps)
    run_flops = 2 * attack_flops + step_flops
    A = torch.randn(n, m, dtype=torch.float64, device=device)
    B = torch.randn(m, m, dtype=torch.float64, device=device)
    count = max(1, round(run_flops / (2 * n * m * m)))

    def run() -> float:
        _sync(device)
        start = time.perf_counter()
        adversarial_training(net, X, y, attack=attack, loss=loss, step_size=0.1, iterations=1, radius=1.0)
        _sync(device)
        return time.perf_counter() - start

    run()
    matmul_seconds(A, B, count, device)  # warm-up
    ratios, rates, refs = [], [], []
    for _ in range(pairs):
        ref = 2 * n * m * m * count / matmul_seconds(A, B, count, device)
        rate = run_flops / run()
        ratios.append(rate / ref)
        rates.append(rate)
        refs.append(ref)
    return statistics.median(ratios), statistics.median(rates), statistics.median(refs)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[1024, 2048])
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5, help="PGD steps per attack")
    parser.add_argument("--pairs", type=int, default=5, help="paired (matmul, training) measurements per width")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1,
                        help="intra-op threads for both measurements (0 = torch's default)")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(f"adversarial training: n={args.n}, d={args.d}, H={args.depth}, PGD {args.steps} steps, ℓ∞ δ=0.1, "
          f"float64, device {device}, {torch.get_num_threads()} threads; median of {args.pairs} paired measurements")
    ok = True
    for m in args.widths:
        fraction, rate, ref = measure(args.n, args.d, m, args.depth, args.steps, device, args.pairs)
        passed = fraction >= TARGET_FRACTION or m < MIN_TARGET_WIDTH
        ok &= passed
        print(f"m={m:5d}: {rate / 1e9:7.2f} GFLOP/s achieved, matmul {ref / 1e9:7.2f} GFLOP/s → "
              f"{fraction:6.1%} {'PASS' if passed else 'FAIL'}")
    print("PASS" if ok else f"FAIL (target ≥ {TARGET_FRACTION:.0%} for m ≥ {MIN_TARGET_WIDTH})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
