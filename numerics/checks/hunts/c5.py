"""Hunt plan of C5 (NTK concentration at rate m^(−1/2)): one (σ, H, data) rate fit per example.

An example draws the activation, depth, input dimension d, number n of points on S^(d−1), the largest width and
the replicates per width, and runs numerics.checks.c5_ntk's per-configuration measurement: the fitted slope of the
max-entry error against log m, whose interval must contain −1/2, and the largest-width error against
ERROR_SD_MULTIPLE·s_H(σ)/√m. The interval is Bonferroni-adjusted over ``family_size`` — every example a hunt may
measure — so that searching many configurations does not turn chance misses into violations.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from numerics.checks import c5_ntk
from numerics.checks.hunts.plan import HuntPlan
from theory.evidence import Evidence

LOG2_WIDTH_MIN = c5_ntk.TIER_CONFIGS["fast"]["log2_width_min"]


def measure_rate(config: dict[str, Any], *, family_size: int, **planted: Any) -> Evidence:
    """One rate fit at the drawn configuration; ``planted`` as for check_ntk_concentration."""
    c5_ntk._validate_planted(planted)
    rate = float(planted["expected_rate"]) if planted.get("expected_rate") is not None else c5_ntk.CLAIMED_RATE
    confidence = 1.0 - (1.0 - c5_ntk.FAMILY_CONFIDENCE) / family_size
    seed = config["seed"]
    ev = Evidence(c5_ntk.CLAIM_ID, c5_ntk.CHECK_ID, "fast", seeds=[seed], solver_statuses=["not-applicable"],
                  config={**config, "per_config_confidence": confidence, "family_size": family_size})
    pool = ThreadPoolExecutor(max_workers=c5_ntk.NETWORK_THREADS)
    try:
        ev.measurements["fit"] = c5_ntk.measure_case(ev, pool, config, LOG2_WIDTH_MIN, confidence, rate, planted,
                                                     "cpu")["fit"]
    finally:  # interrupted by the hunt's time limit: drop the queued networks instead of waiting for them
        pool.shutdown(wait=True, cancel_futures=True)
    return ev


PLANS = {
    "C5-ntk-rate": HuntPlan("C5-ntk-rate", measure_rate,
                            ("activation", "depth", "d", "n", "log2_width_max", "replicates", "seed"),
                            grid_examples=len(c5_ntk.TIER_CONFIGS["fast"]["activations"])
                            * len(c5_ntk.TIER_CONFIGS["fast"]["depths"]),
                            parts=("c_sigma_override", "drop_layer_term", "expected_rate", "empirical"),
                            sizes=("config",),
                            multiplicity=True, budget_s=50.0, example_limit_s=30.0, max_examples=150,
                            pinned=c5_ntk.REGRESSION_CASES),
}
