"""Hunt plan of C10 (certified zero robust error vs width): one training run and its claim per example.

An example trains one net of numerics.checks.c10_capacity (robust: PGD training, CROWN certificate; plain: clean
training) at a drawn (mode, n, d, width, ρ, seed) and, when the run claims zero error, re-checks the claim in plain
numpy as the check does: the smallest y·f at the clean points, the reference PGD's points and an independent numpy
PGD's points must be > 0. The training attack's calibration on a convex problem runs at the drawn d.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from numerics.adversarial.attacks import PGD
from numerics.checks import c10_capacity as c10
from numerics.checks.hunts.plan import HuntPlan
from numerics.execution.sweep import code_reference
from theory.evidence import Evidence

def measure_claim(config: dict[str, Any], *, pgd: type[PGD] = PGD, label_flip: bool = False,
                  certify_sign: str = "correct") -> Evidence:
    """Calibration at d, one run at the drawn configuration and, if it claims zero error, the claim re-checked."""
    tier = c10._TIERS["fast"]
    seed = config["seed"]
    ev = Evidence(c10.CLAIM_ID, c10.CHECK_ID, "fast", seeds=[seed], config=dict(config))
    c10._calibrate(ev, pgd, config["d"], tier["pgd_steps"], seed)
    run = {**config, "master_seed": seed, "seed": 0, "iterations": tier["iterations"],
           "step_size": tier["step_size"], "pgd_steps": tier["pgd_steps"], "ref_steps": tier["ref_steps"],
           "ref_restarts": tier["ref_restarts"], "pgd": code_reference(pgd), "label_flip": bool(label_flip),
           "certify_sign": certify_sign}
    result = c10._run(run)
    ev.measurements["run"] = {k: result.get(k) for k in ("status", "success", "min_margin", "cert_errors",
                                                         "min_certified_margin", "min_pgd_margin")}
    if not result["success"]:
        return ev
    candidates = c10.claim_candidates(run, result, np.random.default_rng(c10._stream(seed, 5)))
    smallest = min(float(np.min(m)) for _, _, m in candidates)
    row = ev.compare(f"{config['mode']} zero-error claim: min y·f over the re-verification's points of B(x_i) ≥ 0",
                     smallest, 0.0, ">=", tolerance_name="exact (y·f ≤ 0 at a point of B(x_i) refutes the claim)")
    found = c10.refutation(run, candidates)
    if found is not None:
        ev.counterexamples.append(c10.refutation_counterexample(row.name, run, found))
    return ev


PLANS = {
    "C10-capacity-widths": HuntPlan(
        "C10-capacity-widths", measure_claim, ("mode", "d", "n", "width", "rho", "seed"),
        grid_examples=2 * 2 * 2 * c10._TIERS["fast"]["seeds"] * (c10._TIERS["fast"]["k_max"] -
                                                                  c10._TIERS["fast"]["k_min"] + 1),
        parts=("pgd", "label_flip", "certify_sign"), sizes=("ns", "ds", "seeds", "k_max", "iterations"),
        budget_s=40.0,
        not_hunted="the width trends (fits over cells of smallest widths: the check reports them as "
                   "inconclusive when unsupported, never violated)"),
}
