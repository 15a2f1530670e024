"""C5: does the HC3 slope interval cover at its nominal level? Calibrated on seeds the evaluation never uses.

Simulates the fast tier's relu/H = 1 configuration (n = 8 points in d = 5, widths 2^6…2^12, 8 replicates) with
master seeds CALIBRATION_SEED_BASE + k (the evaluation uses the master seed, default 0), fits each by the check's
own ``_fit`` and prints: the mean and standard deviation of the slopes, the mean HC3 standard error, and the
fraction of intervals missing −1/2 at 95 %, 99 % and the check's per-configuration level. theory/tolerances.py
records the result under C5-ntk-rate FAMILY_CONFIDENCE.

    PYTHONPATH=$PWD python calibration/c5_family_level.py [--runs 200]
"""
from __future__ import annotations

import argparse

import numpy as np

from numerics.checks.c5_ntk import (CLAIMED_RATE, FAMILY_CONFIDENCE, TIER_CONFIGS, _claimed_terms, _fit, _net_seed,
                                    _widths)
from numerics.network.data import sphere_points
from numerics.network.nets import FullyConnected
from numerics.ntk.empirical import empirical_ntk

CALIBRATION_SEED_BASE = 900_000


def simulate(master: int, cfg: dict) -> np.ndarray:
    X = sphere_points(cfg["n"], cfg["d"], seed=master)
    theta = sum(_claimed_terms(X, "relu", 1, {}), np.zeros((len(X), len(X))))
    widths = _widths(cfg, 1)
    return np.array([[np.abs(empirical_ntk(FullyConnected(X.shape[1], m, 1, "relu",
                                                          seed=_net_seed(master, "relu", 1, m, r)), X) - theta).max()
                      for r in range(cfg["replicates"])] for m in widths]), widths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    cfg = TIER_CONFIGS["fast"]
    per_config = 1.0 - (1.0 - FAMILY_CONFIDENCE) / (len(cfg["activations"]) * len(cfg["depths"]))
    fits = {lvl: [] for lvl in (0.95, 0.99, per_config)}
    for k in range(args.runs):
        errors, widths = simulate(CALIBRATION_SEED_BASE + k, cfg)
        for lvl in fits:
            fits[lvl].append(_fit(widths, errors, lvl))
    slopes = np.array([f["slope"] for f in fits[0.95]])
    se = np.array([f["stderr_hc3"] for f in fits[0.95]])
    print(f"master seeds {CALIBRATION_SEED_BASE}…{CALIBRATION_SEED_BASE + args.runs - 1}: slope mean "
          f"{slopes.mean():.4f}, sd {slopes.std(ddof=1):.4f}, mean HC3 SE {se.mean():.4f} (ratio "
          f"{slopes.std(ddof=1) / se.mean():.2f})")
    for lvl, rows in fits.items():
        miss = np.mean([not (f["ci_low"] <= CLAIMED_RATE <= f["ci_high"]) for f in rows])
        print(f"level {lvl:.5f}: miss rate {miss:.4f} (nominal {1 - lvl:.4f})")


if __name__ == "__main__":
    main()
