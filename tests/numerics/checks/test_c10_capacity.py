"""C10 capacity trend: data, width search, interval fits, calibration, re-verification, and planted errors."""
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.judge import judge
from numerics.execution import recompute
from numerics.capacity.capacity_search import (cell_interval, doubling_grid, doubling_search, interval_fit, log2_interval,
                                      majority_index)
from numerics.checks import c10_capacity as c10
from numerics.adversarial.attacks import PGD
from numerics.execution.sweep import code_reference
from numerics.planted.attacks import CleanGradientPGD
from theory.errors import InputError
from theory.evidence import Evidence, RunContext

SMALL = dict(ns=(4, 8), ds=(4, 8), seeds=1, k_max=3, iterations=120)
MUST_HOLD = ("training attack calibration", "zero-error claims refuted")


# --- data ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, d", [(4, 4), (16, 4), (8, 16)])
def test_hypercube_dataset_is_unit_norm_equally_separated_and_two_labelled(n, d):
    X, y = c10.hypercube_dataset(n, d, seed=3)
    assert X.shape == (n, d) and np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-15)
    D = np.abs(X[:, None] - X[None]).max(-1)
    off = ~np.eye(n, dtype=bool)
    assert np.allclose(D[off], 2 / math.sqrt(d), rtol=0, atol=1e-15)  # distinct vertices, all 2/√d apart
    assert set(y) == {-1.0, 1.0}
    assert c10.linf_separation(X, y) == pytest.approx(2 / math.sqrt(d), abs=1e-15)


@pytest.mark.parametrize("n, d", [(17, 4), (1, 4), (4, 0)])
def test_hypercube_dataset_rejects_bad_sizes(n, d):
    with pytest.raises(InputError):
        c10.hypercube_dataset(n, d, seed=0)


# --- capacity_search ----------------------------------------------------------------------------------------------
def test_log2_interval_brackets_the_threshold():
    widths = doubling_grid(1, 4)
    assert widths == (2, 4, 8, 16)
    assert log2_interval(8, widths) == (2.0, 3.0)
    assert log2_interval(2, widths) == (-math.inf, 1.0)
    assert log2_interval(2, widths, known_failing_width=1) == (0.0, 1.0)
    assert log2_interval(None, widths) == (4.0, math.inf)


def test_majority_order_statistic():
    assert [majority_index(s) for s in (1, 2, 3, 4, 5)] == [0, 1, 1, 2, 2]
    assert cell_interval([(1, 2), (3, 4), (0, 1)]) == (1, 2)  # 2nd smallest of each end
    assert cell_interval([(1, 2), (5, math.inf)]) == (5, math.inf)  # 2 seeds: both must have succeeded


def _fake_run(config):
    """Succeeds from width config["threshold"] on (module level: run_sweep's contract)."""
    return {"success": config["width"] >= config["threshold"], "width": config["width"]}


def test_doubling_search_stops_at_first_success_and_censors():
    cells = [{"threshold": 4}, {"threshold": 64}]
    pairs = doubling_search(_fake_run, cells, [0, 1], (2, 4, 8, 16), lambda r: r["success"])
    assert [(p.cell, p.seed, p.first_success) for p in pairs] == [(0, 0, 4), (0, 1, 4), (1, 0, None), (1, 1, None)]
    assert [m for m, _ in pairs[0].attempts] == [2, 4]
    assert [m for m, _ in pairs[2].attempts] == [2, 4, 8, 16]


def test_interval_fit_recovers_an_exact_power_law():
    # log2 m = 1 + log2 n + 0.5·log2 d exactly, every seed identical: the point fit is exact, and the resolution
    # interval is (slope − 1/2, slope + 1/2] for a balanced 2×2 design (weights ±1/2 on unit-width intervals).
    ns, ds = (4, 8), (4, 16)
    cells = [(n, d) for n in ns for d in ds]
    A = np.array([[1.0, math.log2(n), math.log2(d)] for n, d in cells])
    y = A @ np.array([1.0, 1.0, 0.5])
    iv = [[(v - 1, v)] * 3 for v in y]
    fit = interval_fit(A, {"n": [0, 1, 0], "d": [0, 0, 1]}, iv, list(range(4)), point_values=y,
                       rng=np.random.default_rng(0), draws=200)
    assert fit.point["n"] == pytest.approx(1.0) and fit.point["d"] == pytest.approx(0.5)
    assert fit.resolution["n"] == pytest.approx((0.0, 2.0))
    assert fit.ci["d"][0] <= 0.5 <= fit.ci["d"][1]


@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(0, 2), st.floats(0, 1)), min_size=4, max_size=4))
@example([(0.0, 1.0, 0.0), (0.0, 1.0, 1.0), (0.0, 1.0, 0.5), (5.0, 0.0, 0.0)])
def test_interval_fit_bounds_every_consistent_slope(data):
    """Soundness of the resolution interval: any responses inside the cells' intervals give a slope inside it."""
    x = np.array([1.0, 2.0, 3.0, 4.0])
    A = np.column_stack([np.ones(4), x])
    iv = [[(lo, lo + w)] for lo, w, _ in data]
    y = np.array([lo + t * w for lo, w, t in data])
    fit = interval_fit(A, {"slope": [0, 1]}, iv, [0, 1, 2, 3], point_values=y, rng=np.random.default_rng(1),
                       draws=20)
    slope = np.polyfit(x, y, 1)[0]
    lo, hi = fit.resolution["slope"]
    assert lo - 1e-9 <= slope <= hi + 1e-9


def test_interval_fit_rejects_unidentified_design():
    A = np.ones((3, 2))
    with pytest.raises(InputError):
        interval_fit(A, {"s": [0, 1]}, [[(0, 1)]] * 3, [0, 1, 2], point_values=[0, 0, 0],
                     rng=np.random.default_rng(0))


# --- calibration and re-verification ----------------------------------------------------------------------------
@pytest.mark.parametrize("attack, caught", [(PGD, False), (CleanGradientPGD, True)])
def test_calibration_separates_pgd_from_the_clean_gradient_walk(attack, caught):
    ev = Evidence("C10", "calibration", "fast")
    for d in (4, 16):
        c10._calibrate(ev, attack, d, steps=5, seed=0)
    assert [c.holds for c in ev.comparisons] == [not caught] * 2
    assert len(ev.counterexamples) == (2 if caught else 0)
    assert all(c.reverified for c in ev.counterexamples)


def _claim(mode, **planted):
    config = {"mode": mode, "n": 4, "d": 4, "seed": 0, "width": 16, "rho": c10.ROBUSTNESS_RATIO, "iterations": 150,
              "step_size": 20.0, "pgd_steps": 5, "ref_steps": 10, "ref_restarts": 1, "master_seed": 0,
              "pgd": code_reference(PGD), "label_flip": False, "certify_sign": "correct", **planted}
    return config, c10._run(config)


def test_a_true_claim_survives_and_a_flipped_label_is_refuted_at_the_clean_point():
    config, res = _claim("plain")
    assert res["success"]
    assert c10._reverify_claim(config, res, np.random.default_rng(0)) is None
    config, res = _claim("plain", label_flip=True)
    assert res["success"]  # fits the flipped labels …
    found = c10._reverify_claim(config, res, np.random.default_rng(0))
    assert found["source"] == "clean point" and found["index"] == 0 and found["margin"] < 0  # … not the dataset's


def test_numpy_margin_search_finds_the_minimum_of_a_linear_margin():
    # a single neuron in its linear-looking regime is monotone along w: the box minimum of y·f is at x − δ·y·sign(w).
    rng = np.random.default_rng(0)
    W, a = rng.standard_normal((1, 3)), np.array([1.0])
    X, y = rng.standard_normal((2, 3)), np.array([1.0, -1.0])
    P, m = c10._numpy_margin_search(W, a, X, y, 0.1, rng)
    vertex = X - 0.1 * y[:, None] * np.sign(W)
    assert np.allclose(P, vertex) and np.allclose(m, y * recompute.forward([W], a, "softplus", vertex))


# --- the check ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def correct_run():
    return judge(c10.check_capacity_trend(RunContext(tier="fast"), **SMALL))


def test_correct_run_is_not_violated_and_its_instrument_comparisons_hold(correct_run):
    ev = correct_run
    assert ev.verdict in ("consistent", "inconclusive") and not ev.counterexamples
    must = [c for c in ev.comparisons if c.name.startswith(MUST_HOLD)]
    assert len(must) == 3 and all(c.holds for c in must)
    assert ev.measurements["claims"]["checked"] > 0  # the re-verification had something to refute
    control = ev.controls[0].evidence                  # … and refutes every claim against a flipped label
    assert control.verdict == "violated" and control.measurements["claims"]["refuted"] == \
        ev.measurements["claims"]["checked"]
    # inconclusive only through trends (which cannot be re-verified), never through the instrument
    assert all(c.holds for c in ev.comparisons if not c.name.startswith(c10.TREND_PREFIX))
    assert sum(c.name.startswith(c10.TREND_PREFIX) for c in ev.comparisons) == 4
    series = ev.measurements["series"]
    assert {s["group"] for s in series.values()} == {c10.GROUP}
    assert all(s["logx"] and s["logy"] and "fit" in s for s in series.values())
    assert ev.measurements["tables"]


@pytest.mark.parametrize("planted", [{"label_flip": True}, {"certify_sign": "wrong"}, {"pgd": CleanGradientPGD}])
def test_planted_errors_are_violated(planted):
    ev = judge(c10.check_capacity_trend(RunContext(tier="fast"), **SMALL, **planted))
    assert ev.verdict == "violated", ev.verdict_reason
    assert ev.counterexamples and all(c.reverified for c in ev.counterexamples)


@pytest.mark.parametrize("kwargs", [{"pgd": "fgsm"}, {"certify_sign": "flipped"}, {"ns": (4,)},
                                    {"ns": (4, 32), "ds": (4, 8)}, {"seeds": 0}])
def test_bad_arguments_raise_input_error(kwargs):
    with pytest.raises(InputError):
        c10.check_capacity_trend(RunContext(tier="fast"), **kwargs)
