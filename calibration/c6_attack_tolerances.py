"""C6: the shortfalls behind ATTACK_TREND_REL_TOL and ATTACK_REACH_REL_TOL, measured on seeds the evaluation never uses.

For every calibration master seed (C6_CALIBRATION_SEEDS of theory/tolerances.py) this script runs the check's own
measurement (numerics.checks.c6_attack_strength, the tier's design) and collects, for every judged trend row
(random, FGSM, PGD(10) each against PGD(40, 8)) and every reach row (PGD(40, 8) against the grid-certified L*), the
shortfall as a fraction of the gain:

    shortfall = (mean L_A(weaker) − mean L_A(stronger)) / gain,   gain = mean L_A(weaker) − mean L_clean,

positive when the weaker attack ends above the stronger one. A tolerance τ passes a row iff shortfall ≤ τ. The
script prints the largest shortfall per row family and over all, with the configuration where it occurs; the
registered τ must exceed every calibration shortfall (it is not re-fitted to the evaluation). The hunt's
regression case (a fixed seed) is left out: it is part of every evaluation.

    PYTHONPATH=$PWD python calibration/c6_attack_tolerances.py [--tier fast] [--seeds 12]
"""
from __future__ import annotations

import argparse
import re

from numerics.checks.c6_attack_strength import check_attack_strength
from theory.evidence import RunContext
from theory.tolerances import C6_CALIBRATION_SEEDS


def shortfalls(tier: str, seed: int) -> list[tuple[str, float, str]]:
    """(row family, shortfall, row name) of every judged trend and reach row of one calibration run."""
    ev = check_attack_strength(RunContext(tier=tier, seed=seed))
    out = []
    for row in ev.comparisons:
        gain = row.detail.get("gain")
        if gain is None or "regression" in row.name or gain <= 0:
            continue
        family = re.sub(r"^\[[^\]]*\]\s*", "", row.name)
        out.append((family, (row.measured - row.bound) / gain, f"seed {seed}: {row.name}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="fast", choices=("fast", "full"))
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args()
    low, high = C6_CALIBRATION_SEEDS
    seeds = list(range(low, min(high, low + args.seeds - 1) + 1))
    rows = [r for seed in seeds for r in shortfalls(args.tier, seed)]
    print(f"C6 calibration, tier {args.tier}, master seeds {seeds[0]}…{seeds[-1]} ({len(seeds)}), {len(rows)} rows")
    for family in sorted({f for f, _, _ in rows}):
        worst = max((r for r in rows if r[0] == family), key=lambda r: r[1])
        print(f"  {family}: largest shortfall {worst[1]:+.4f} of the gain ({worst[2]})")
    worst = max(rows, key=lambda r: r[1])
    print(f"largest shortfall over all rows: {worst[1]:+.4f} ({worst[2]})")


if __name__ == "__main__":
    main()
