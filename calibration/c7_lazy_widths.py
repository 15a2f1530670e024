"""C7: the smallest width of each slope fit, calibrated on seeds the evaluation never uses.

The predicted exponents of numerics/checks/c7_lazy.py are asymptotic; at small widths the log-log slope is biased
by finite-width corrections. For every slope row (5 per depth), every tier's design (fast: H = 1, widths 2^6…2^12,
3 seeds; full: H = 1 to 2^14, H = 2 to 2^10, H = 3 to 2^9, 4 seeds) and every candidate smallest width m_min
(≥ 3 widths left), this script measures on CALIBRATION_SEEDS:

- bias(m_min): the pooled OLS slope over [m_min, m_max] minus the pooled slope over the three largest widths
  (the most asymptotic reference the design has; the claimed exponent is NOT used, so a wrong claim cannot
  be calibrated away);
- half(m_min): the mean HC3 half-width of the evaluation's interval (seed groups of the tier's size, per-row
  level 1 − (1 − FAMILY_CONFIDENCE)/K, K = the tier's number of slope rows);

and picks the smallest m_min with |bias| ≤ BIAS_FRACTION·half. It prints the chosen widths (recorded in
theory/tolerances.py), the bias and half-width there, and the per-row false-alarm bound implied by that bias.

    PYTHONPATH=$PWD python calibration/c7_lazy_widths.py [--seeds 24] [--cache /tmp/c7_calibration.json]
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from scipy import stats

from numerics.checks.c7_lazy import (CHECK_ID, FAMILY_CONFIDENCE, FULL, ROW_KEYS, _lazy_point, design,
                                     predicted_row_exponent, row_values)
from numerics.execution.sweep import code_reference, run_sweep
from numerics.ntk.rate_fit import fit_loglog_slope
from numerics.training.algorithm import AdversarialTrainer
from theory.tolerances import C7_CALIBRATION_SEEDS, tolerance

BIAS_FRACTION = tolerance(CHECK_ID, "BIAS_FRACTION")
SEED_BASE = C7_CALIBRATION_SEEDS[0]


def collect(n_seeds: int, cache: Path, workers: int) -> list[dict]:
    if cache.is_file():
        data = json.loads(cache.read_text())
        if data["seeds"] == n_seeds:
            return data["points"]
    ref = code_reference(AdversarialTrainer)
    points = [{"width": m, "depth": H, "seed": SEED_BASE + s, "trainer": ref}
              for m, H in FULL["configs"] for s in range(n_seeds)]
    res = run_sweep(_lazy_point, points, workers=workers, progress=True, description="C7 calibration")
    cache.write_text(json.dumps({"seeds": n_seeds, "points": res}))
    return res


def analyse(res: list[dict]) -> dict:
    seeds = sorted({p["seed"] for p in res})
    out = {}
    for tier in ("fast", "full"):
        spec = design(tier)
        k = len(ROW_KEYS) * len(spec["max_width"])
        level = 1.0 - (1.0 - FAMILY_CONFIDENCE) / k
        size = spec["seeds"]
        groups = [seeds[i:i + size] for i in range(0, len(seeds) - size + 1, size)]
        for H, top in spec["max_width"].items():
            sub = [p for p in res if p["depth"] == H and p["width"] <= top]
            widths = sorted({p["width"] for p in sub})
            for key in ROW_KEYS:
                pred = predicted_row_exponent(key, H)
                m_all = np.array([p["width"] for p in sub], float)
                v_all = row_values(sub, key)
                ref = fit_loglog_slope(m_all[m_all >= widths[-3]], v_all[m_all >= widths[-3]]).slope
                rows = []
                for m_min in widths[:-2]:
                    keep = m_all >= m_min
                    pooled = fit_loglog_slope(m_all[keep], v_all[keep]).slope
                    halves, misses = [], 0
                    for g in groups:
                        sel = keep & np.isin([p["seed"] for p in sub], g)
                        fit = fit_loglog_slope(m_all[sel], v_all[sel], level=level, robust=True)
                        halves.append(fit.half_width)
                        misses += not (fit.ci[0] <= pred <= fit.ci[1])
                    rows.append({"m_min": m_min, "bias": pooled - ref, "half": float(np.mean(halves)),
                                 "pooled_slope": pooled, "group_misses": misses, "groups": len(groups)})
                chosen = next((r for r in rows if abs(r["bias"]) <= BIAS_FRACTION * r["half"]), rows[-1])
                q = float(stats.norm.isf((1.0 - level) / 2.0))
                f = abs(chosen["bias"]) / chosen["half"] if chosen["half"] > 0 else 0.0
                chosen["false_alarm_bound"] = float(stats.norm.sf(q * (1 - f)) + stats.norm.sf(q * (1 + f)))
                chosen["nominal"] = 1.0 - level
                out[f"{tier}|{H}|{key}"] = {"reference_slope_top3": ref, "predicted": pred, "chosen": chosen,
                                           "candidates": rows}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/c7_calibration.json"))
    args = parser.parse_args()
    res = collect(args.seeds, args.cache, args.workers)
    print(f"calibration seeds {SEED_BASE}…{SEED_BASE + args.seeds - 1}; "
          f"family confidence {FAMILY_CONFIDENCE}, bias fraction {BIAS_FRACTION}")
    for name, r in analyse(res).items():
        c = r["chosen"]
        print(f"{name:45s} m_min={c['m_min']:6d} bias={c['bias']:+.4f} half={c['half']:.4f} "
              f"ref={r['reference_slope_top3']:+.3f} pred={r['predicted']:+.2f} misses={c['group_misses']}/{c['groups']} "
              f"row false-alarm ≤ {c['false_alarm_bound']:.2g} (nominal {c['nominal']:.2g})  all: "
              + " ".join(f"{x['m_min']}:{x['bias']:+.3f}/{x['half']:.3f}" for x in r["candidates"]))


if __name__ == "__main__":
    main()
