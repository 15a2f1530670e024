"""The hunt of one check, on a synthetic claim whose violations and margins are known exactly.

The synthetic measurement is violated (with a re-verified counterexample) iff x ≥ THRESHOLD, and its margin is
THRESHOLD − x; the hunt must find it, shrink it to the threshold, replay it, save it in the example database and
replay it first next time; it must respect its budget and the per-example limit, discard what cannot be measured,
and never call a claim consistent.
"""
import time

import pytest
from audit.hunt.record import check_evidence, hunt_ledger
from audit.hunt.search import CUT, ERROR, NOT_REALIZABLE, TIMED_OUT, hunt
from numerics.checks.hunts.plan import HuntPlan
from theory.errors import InputError
from theory.evidence import Counterexample, Evidence
from theory.hypothesis_space import HypothesisSpace, choice, integer, real

THRESHOLD = 37
SPACE = HypothesisSpace((integer("x", 0, 100), choice("kind", ("plain", "slow", "bad-input", "crash")),
                         real("y", 0.0, 1.0)))


def _measure(config, *, planted_shift=0, sleep_s=0.0):
    if config["kind"] == "slow":
        time.sleep(sleep_s)
    if config["kind"] == "bad-input":
        raise InputError("x cannot be realized here")
    if config["kind"] == "crash":
        raise RuntimeError("a bug in the measurement")
    ev = Evidence("C0-surrogate-le-robust", "synthetic", "fast", config=dict(config))
    x = config["x"] + planted_shift
    row = ev.compare(f"[x={x}] x < {THRESHOLD}", x, THRESHOLD - 1, "<=")
    if not row.holds:
        ev.counterexamples.append(Counterexample(row.name, "x too large", dict(config), x, THRESHOLD - 1,
                                                 "recount", reverified=True))
    return ev


def _plan(**kw):
    defaults = dict(check_id="synthetic", measure=_measure, draws=("x", "kind", "y"), grid_examples=5,
                    narrow={"kind": ("plain",)}, parts=("planted_shift", "sleep_s"), sizes=("widths",))
    return HuntPlan(**{**defaults, **kw})


def _hunt(plan=None, **kw):
    args = dict(budget_s=30.0, max_examples=200, example_limit_s=5.0, seed=0, database_dir=None)
    return hunt("C0-surrogate-le-robust", SPACE, plan or _plan(), **{**args, **kw})


def test_a_violation_is_found_shrunk_to_the_threshold_and_replayed():
    result = _hunt()
    assert result.outcome == "violated"
    assert result.violation.config["x"] == THRESHOLD and result.violation.config["y"] == 0.0
    assert result.replay["reproduced"] and result.first_violation_at is not None
    ev = check_evidence(result)
    assert ev.verdict == "violated" and ev.measurements["hunt"]["violation"]["config"]["x"] == THRESHOLD


def test_without_a_violation_the_hunt_reports_its_smallest_margin_and_never_says_consistent():
    result = _hunt(_plan(narrow={"kind": ("plain",), "x": (0, 30)}), max_examples=50)
    assert result.outcome == "no counterexample" and len(result.measured) > 1
    assert result.worst.config["x"] == 30 and result.worst.score.value == pytest.approx(6.0 / 36.0)
    ev = check_evidence(result)
    assert ev.verdict == "inconclusive" and "never says consistent" in ev.verdict_reason
    ledger = hunt_ledger([result], {"seed": 0})
    assert ledger["kind"] == "hunt" and ledger["claims"][0]["verdict"] == "inconclusive"


def test_planted_parts_reach_the_measurement_and_sizes_are_dropped():
    result = _hunt(parts={"planted_shift": 100, "widths": (64,)}, planted="shift")
    assert result.outcome == "violated" and result.violation.config["x"] == 0
    assert result.dropped_sizes == ["widths"]
    with pytest.raises(KeyError, match="does not know"):
        _hunt(parts={"trainer": object})


def test_the_example_database_replays_a_saved_counterexample_first(tmp_path):
    first = _hunt(database_dir=tmp_path)
    second = _hunt(database_dir=tmp_path)
    assert second.database_replayed >= 1
    assert second.first_violation_at == 1 and second.violation.config == first.violation.config


def test_the_budget_is_respected():
    plan = _plan(narrow={"kind": ("slow",), "x": (0, 30)})
    start = time.perf_counter()
    result = _hunt(plan, parts={"sleep_s": 0.1}, budget_s=1.0, max_examples=1000)
    assert time.perf_counter() - start < 1.0 + 0.5
    assert result.stopped == "budget" and 3 <= len(result.examples) <= 12


def test_an_example_over_its_time_limit_is_discarded_not_judged():
    plan = _plan(narrow={"kind": ("plain", "slow")})
    result = _hunt(plan, parts={"sleep_s": 2.0}, example_limit_s=0.2, max_examples=30)
    timed_out = [e for e in result.examples if e.status == TIMED_OUT]
    assert timed_out and all(e.seconds < 1.0 and e.verdict is None for e in timed_out)
    assert all(e.config["kind"] == "plain" for e in result.measured)
    assert result.outcome == "violated" and result.violation.config["kind"] == "plain"


def test_unrealizable_and_crashing_examples_are_counted_never_scored():
    result = _hunt(_plan(narrow={"kind": ("bad-input", "crash")}), max_examples=10)
    statuses = {e.status for e in result.examples}
    assert statuses <= {NOT_REALIZABLE, ERROR} and statuses
    assert result.outcome == "no example measured" and not result.measured
    assert check_evidence(result).verdict == "inconclusive"


def test_pinned_counterexamples_are_replayed_first_but_not_in_planted_hunts():
    pinned = {"x": 90, "kind": "plain", "y": 0.5}
    result = _hunt(_plan(pinned=(pinned,)))
    assert result.first_violation_at == 1 and result.violation.config == pinned
    assert result.stopped == "pinned counterexample re-confirmed"
    planted = _hunt(_plan(pinned=(pinned,)), parts={"planted_shift": 0}, planted="none")
    assert planted.examples[0].config != pinned


def test_the_statistical_family_size_reaches_the_measurement():
    seen = []

    def measure(config, *, family_size):
        seen.append(family_size)
        return _measure(config)

    _hunt(_plan(measure=measure, multiplicity=True, parts=()), max_examples=7)
    assert set(seen) == {14}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_budget_cut_ends_the_search_without_a_verdict(k):
    plan = _plan(narrow={"kind": ("slow",), "x": (0, 30)})
    result = _hunt(plan, parts={"sleep_s": 0.3}, budget_s=0.15 * k, example_limit_s=5.0)
    assert result.stopped == "budget" and result.outcome in ("no counterexample", "no example measured")
    assert [e.status for e in result.examples][-1:] in ([CUT], ["measured"])
