"""The console at a glance: one line per claim (verdict, deciding comparison with its slack, time), one summary
line, passes that need their tolerance and failures said in words, lines that fit the terminal."""
import pytest
from rich.text import Text

from audit.judge import judge
from audit.runner import ClaimResult
from audit.terminal import claim_line, comparison_text, duration, summary_line
from theory.claims import REGISTRY
from theory.evidence import Comparison, Evidence

CLAIMS = list(REGISTRY.values())


def plain(markup: str) -> str:
    return Text.from_markup(markup).plain


def _result(claim, *rows, wall=1.0, **fields):
    ev = Evidence(claim_id=claim.id, check_id=f"{claim.id}-c", tier="fast", wall_time_s=wall)
    for key, value in fields.items():
        setattr(ev, key, value)
    for row in rows:
        ev.comparisons.append(row)
    return ClaimResult(claim, [judge(ev)])


@pytest.mark.parametrize("row, text", [
    (Comparison("bound", 0.5, 1.0, "<="), "bound: 0.5 ≤ 1 (slack 2×)"),
    (Comparison("lower", 3.0, 1.5, ">="), "lower: 3 ≥ 1.5 (slack 2×)"),
    (Comparison("edge", 3.007, 2.996, "<=", 0.05, "EDGE_TOL"),
     "edge: 3.007 ≤ 2.996 holds within tolerance EDGE_TOL = 0.05 (over by 0.011)"),
    (Comparison("bad", 2.0, 1.0, "<="), "bad: 2 ≤ 1 fails by 1 (tolerance exact = 0)"),
    (Comparison("rate", -0.51, -0.5, "contains", interval=(-0.56, -0.46)),
     "rate: CI [-0.56, -0.46] ∋ -0.5 (CI width/|bound| 0.2)"),
    (Comparison("same", 2.0, 2.0, "=="), "same: 2 = 2 (exact)"),
    (Comparison("zero", 0.0, 0.0, "<="), "zero: 0 ≤ 0 (margin 0)"),
])
def test_a_comparison_reads_as_a_sentence(row, text):
    assert comparison_text(row) == text


def test_one_line_per_claim_names_verdict_deciding_comparison_and_time():
    r = _result(CLAIMS[0], Comparison("tight", 0.9, 1.0, "<="), Comparison("loose", 0.1, 1.0, "<="), wall=70.1)
    line = plain(claim_line(r, 28, 160))
    assert line.startswith(CLAIMS[0].id) and "consistent" in line
    assert "tight: 0.9 ≤ 1 (slack 1.11×)" in line and line.endswith("1m10s")
    assert "\n" not in line


def test_a_long_reason_is_shortened_to_the_line_width():
    r = _result(CLAIMS[1], Comparison("x" * 300, 0.5, 1.0, "<="))
    line = plain(claim_line(r, 28, 100))
    assert len(line) <= 100 and "…" in line


def test_an_error_shows_what_went_wrong():
    r = _result(CLAIMS[2], error="environment fault: ModuleNotFoundError: No module named 'clarabel'")
    line = plain(claim_line(r, 28, 160))
    assert "error" in line and "environment fault: ModuleNotFoundError" in line


def test_summary_line_counts_outcomes_most_frequent_first():
    results = [_result(c, Comparison("ok", 0.5, 1.0, "<=")) for c in CLAIMS[:8]]
    results += [_result(c, construction_verdict="refuted-as-stated") for c in CLAIMS[8:10]]
    results += [_result(CLAIMS[10], solver_statuses=["optimal_inaccurate"])]
    assert plain(summary_line(results, 134.0)) == "11 claims: 8 consistent, 2 refuted-as-stated, 1 inconclusive — 2m14s"


@pytest.mark.parametrize("seconds, text", [(0.42, "0.4s"), (41.25, "41.2s"), (134, "2m14s"), (3780, "1h03m")])
def test_durations(seconds, text):
    assert duration(seconds) == text


def test_a_claim_capped_by_its_dependency_shows_why_and_its_flags():
    from audit.runner import ClaimResult
    from audit.judge import judge
    from theory.claims import get_claim
    from theory.evidence import Evidence
    ev = Evidence("L3-li2022-param-bounds", "L3-bounds-consistent", "fast")
    ev.compare("lower ≤ upper", 1.0, 2.0, "<=")
    judge(ev)
    r = ClaimResult(get_claim("L3"), [ev], {"C9-vc-linf": "vacuous"})
    line = plain(claim_line(r, 28, 200))
    assert r.verdict == "vacuous" and "built on C9-vc-linf" in line and "[depends-on:C9]" in line
    assert "no check at this tier" not in line
