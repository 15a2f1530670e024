"""The hunt of one check: a Hypothesis search of its claim's hypothesis space for a re-verified counterexample.

Each example is a configuration drawn from the claim's space (restricted to the plan's parameters and narrowing),
measured by the check's own per-configuration code (numerics/checks/hunts/), judged by ``audit.judge`` and scored
by its smallest relative margin (audit/hunt/scoring.py). ``hypothesis.target`` steers the search toward small
margins, one target per relation. An example judged ``violated`` (a counterexample re-verified in float64 or
exact arithmetic by the check) fails the property; Hypothesis then shrinks it to a minimal configuration, which
is measured once more from scratch (the replay) before it is reported. Counterexamples pinned in the plan are
tried first (explicit examples), so a known one is re-confirmed by every hunt whatever the example database holds. Without a violation the result is the
number of examples, the smallest margin found and its configuration — a hunt alone never says ``consistent``.

Limits: ``max_examples`` examples generated (and at most twice that many measured, shrinking included),
``budget_s`` of wall time (the search stops at SEARCH_SHARE of it; the rest is for the replay), and
``example_limit_s`` per example (audit/hunt/timelimit.py). Examples over the time limit, not realizable (the
check rejects the configuration as input) or raising are discarded (``reject``), counted and never scored. Configurations are memoized: Hypothesis may propose one twice (its final
replay of the minimal example does), and each is measured once. Failing examples are saved in the Hypothesis
example database (``database_dir``) under a key per check (and per planted error) and replayed first next time.
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, example, given, reject, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Unsatisfiable

from audit.hunt.scoring import Score, score
from audit.hunt.strategies import config_strategy
from audit.hunt.timelimit import ExampleTimeout, time_limit
from audit.judge import judge
from numerics.checks.hunts.plan import HuntPlan
from theory.errors import InputError
from theory.evidence import VIOLATED, Evidence
from theory.hypothesis_space import HypothesisSpace

MEASURED, TIMED_OUT, NOT_REALIZABLE, ERROR = "measured", "timed out", "not realizable", "error"
CUT = "cut by the budget"   # the last example, interrupted when the budget ran out (not a discarded example)
DISCARDED = (TIMED_OUT, NOT_REALIZABLE, ERROR)
# No 'explain' phase: it re-runs the minimal counterexample with random variations (costly measurements that
# only say which parameters matter).
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
SEARCH_SHARE = 0.85       # of a check's budget spent searching and shrinking; the rest replays the violation
MEASURED_PER_GENERATED = 2  # measured examples (shrinking included) at most this many times max_examples


@dataclass
class Example:
    """One measured (or discarded) configuration."""

    index: int
    config: dict[str, Any]
    status: str
    phase: str = "search"
    verdict: str | None = None
    score: Score | None = None
    reason: str = ""
    seconds: float = 0.0
    evidence: Evidence | None = None

    def summary(self) -> dict[str, Any]:
        s = self.score
        return {"index": self.index, "config": self.config, "status": self.status, "phase": self.phase,
                "verdict": self.verdict, "relative_margin": None if s is None else s.value,
                "comparison": None if s is None else s.comparison, "reason": self.reason,
                "seconds": round(self.seconds, 3)}


@dataclass
class HuntResult:
    """What the hunt of one check found (``outcome``: violated, no counterexample, not reproducible, no example)."""

    claim_id: str
    check_id: str
    planted: str | None
    budget_s: float
    max_examples: int
    example_limit_s: float
    seed: int
    grid_examples: int
    examples: list[Example] = field(default_factory=list)
    violation: Example | None = None
    first_violation_at: int | None = None
    replay: dict[str, Any] | None = None
    stopped: str = ""
    wall_s: float = 0.0
    database_replayed: int = 0
    dropped_sizes: list[str] = field(default_factory=list)
    not_hunted: str = ""
    space: dict[str, str] = field(default_factory=dict)
    pinned: list[dict[str, Any]] = field(default_factory=list)

    @property
    def measured(self) -> list[Example]:
        return [e for e in self.examples if e.status == MEASURED]

    @property
    def worst(self) -> Example | None:
        """The measured example with the smallest relative margin (the violation's own, when there is one)."""
        scored = [e for e in self.measured if e.score is not None and e.score.value is not None]
        return min(scored, key=lambda e: e.score.value) if scored else None  # type: ignore[union-attr]

    @property
    def outcome(self) -> str:
        if self.violation is not None:
            return VIOLATED if self.replay is None or self.replay["reproduced"] else "not reproducible"
        return "no counterexample" if self.measured else "no example measured"

    def counts(self) -> dict[str, int]:
        out = {s: sum(e.status == s for e in self.examples) for s in (MEASURED, *DISCARDED, CUT)}
        out["inconclusive"] = sum(e.verdict == "inconclusive" for e in self.measured)
        out["shrinking"] = sum(e.phase == "shrink" for e in self.measured)
        return out


class _Violation(Exception):
    """The property 'no re-verified counterexample' failed at this configuration (Hypothesis shrinks it)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Stop(BaseException):
    """The budget or the cap on measured examples is spent: leave Hypothesis at once (not a failure)."""


def _key(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True, default=str)


def measure_example(plan: HuntPlan, space: HypothesisSpace, config: dict[str, Any], parts: dict[str, Any],
                    limit_s: float, family_size: int) -> Example:
    """Measure one configuration under the time limit; judge and score it (index and phase set by the caller)."""
    example = Example(0, dict(config), MEASURED)
    outside = space.violations(config)
    if outside:  # the strategies never do this; a failure here is a bug in the search, not evidence
        raise AssertionError(f"{plan.check_id}: example outside the hypothesis space: {outside}")
    kwargs = dict(parts, family_size=family_size) if plan.multiplicity else dict(parts)
    start = time.perf_counter()
    try:
        with time_limit(limit_s):
            ev = plan.measure(dict(config), **kwargs)
    except ExampleTimeout:
        example.status, example.reason = TIMED_OUT, f"over the {limit_s:.3g} s limit"
    except InputError as exc:
        example.status, example.reason = NOT_REALIZABLE, str(exc)
    except Exception as exc:  # noqa: BLE001 - a crash at one configuration is reported, never a verdict
        example.status, example.reason = ERROR, f"{type(exc).__name__}: {exc}"
    else:
        judge(ev)
        example.verdict, example.score, example.evidence = ev.verdict, score(ev), ev
    example.seconds = time.perf_counter() - start
    return example


def _database_key(test: Callable[..., Any]) -> bytes | None:
    try:  # Hypothesis' own key derivation (internal API): used only to count the saved examples it will replay
        from hypothesis.internal.reflection import function_digest
        return function_digest(test)
    except Exception:  # noqa: BLE001
        return None


def hunt(claim_id: str, claim_space: HypothesisSpace, plan: HuntPlan, *, budget_s: float, max_examples: int,
         example_limit_s: float, seed: int, database_dir: str | Path | None, parts: dict[str, Any] | None = None,
         planted: str | None = None, on_example: Callable[[HuntResult, Example], None] | None = None) -> HuntResult:
    """Search a claim's hypothesis space with ``plan`` (module docstring); ``parts`` go to the measurement."""
    space = claim_space.subspace(plan.draws, plan.narrow)
    parts, dropped = plan.split_parameters(dict(parts or {}))
    result = HuntResult(claim_id, plan.check_id, planted, budget_s, max_examples, example_limit_s, seed,
                        plan.grid_examples, dropped_sizes=dropped, not_hunted=plan.not_hunted,
                        space={p.name: p.describe() for p in space.parameters},
                        pinned=[] if planted is not None else [c for c in plan.pinned if not space.violations(c)])
    start = time.perf_counter()
    search_end = start + SEARCH_SHARE * budget_s
    cap = MEASURED_PER_GENERATED * max_examples
    memo: dict[str, Example] = {}

    def measure(config: dict[str, Any]) -> Example:
        key = _key(config)
        if key in memo:
            return memo[key]
        remaining = search_end - time.perf_counter()
        if remaining <= 0 or len(memo) >= cap:
            result.stopped = "budget" if remaining <= 0 else f"{cap} examples measured"
            raise _Stop()
        example = measure_example(plan, space, config, parts, min(example_limit_s, remaining), cap)
        if example.status == TIMED_OUT and remaining < example_limit_s:
            example.status, example.reason = CUT, f"the budget ran out after {example.seconds:.3g} s"
        example.index = len(result.examples) + 1
        example.phase = "shrink" if result.first_violation_at is not None else "search"
        if example.verdict == VIOLATED:
            result.first_violation_at = result.first_violation_at or example.index
            result.violation = example  # the shrinker only accepts smaller failing examples: the latest is the best
        memo[key] = example
        result.examples.append(example)
        if example.status == CUT:
            result.stopped = "budget"
            raise _Stop()
        worst = result.worst
        for other in result.examples:  # keep evidence only for violations and the current worst example
            if other.evidence is not None and other.verdict != VIOLATED and other is not worst:
                other.evidence = None
        if on_example is not None:
            on_example(result, example)
        return example

    def prop(config: dict[str, Any]) -> None:
        example = measure(config)
        if example.status != MEASURED:
            reject()
        if example.score is not None and example.score.value is not None:
            target(-example.score.value, label="smallest relative margin")
            for name, value in example.score.families.items():
                target(-value, label=name)
        if example.verdict == VIOLATED:
            raise _Violation(_key(config))

    prop._hypothesis_internal_add_digest = f"advaudit hunt|{plan.check_id}|{planted or ''}".encode()  # type: ignore[attr-defined]
    database = DirectoryBasedExampleDatabase(str(database_dir)) if database_dir is not None else None
    key = _database_key(prop)
    if database is not None and key is not None:
        result.database_replayed = len(list(database.fetch(key)))
    test = given(config_strategy(space))(prop)
    if planted is None:  # pinned counterexamples of the check come first (a planted hunt must find its own)
        for config in plan.pinned:
            if not space.violations(config):
                test = example(config)(test)
    test = settings(max_examples=max_examples, deadline=None, database=database, derandomize=False,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False,
                    verbosity=Verbosity.quiet, phases=PHASES)(hypothesis_seed(seed)(test))
    try:
        test()
        result.stopped = result.stopped or f"{max_examples} examples generated"
    except _Violation as exc:
        result.violation = memo[exc.key]
        result.stopped = ("pinned counterexample re-confirmed" if result.violation.config in result.pinned
                          else "violation shrunk")
    except _Stop:
        if result.violation is not None:
            result.stopped = f"shrinking cut short ({result.stopped})"
    except Unsatisfiable:
        result.stopped = "no configuration met the space's constraints"
    if result.violation is not None:
        result.replay = _replay(plan, space, result.violation, parts, example_limit_s,
                                start + budget_s - time.perf_counter(), cap)
    result.wall_s = time.perf_counter() - start
    return result


def _replay(plan: HuntPlan, space: HypothesisSpace, violation: Example, parts: dict[str, Any], limit_s: float,
            remaining_s: float, family_size: int) -> dict[str, Any] | None:
    """Measure the minimal violating configuration again from scratch: reproduced iff it is again ``violated``
    with a re-verified counterexample. None (not replayed) when the budget left is shorter than the example."""
    if remaining_s < violation.seconds:
        return None
    again = measure_example(plan, space, violation.config, parts, min(limit_s, max(remaining_s, 1.0)),
                            family_size)
    reverified = [c.comparison for c in (again.evidence.counterexamples if again.evidence else []) if c.reverified]
    return {"reproduced": again.verdict == VIOLATED, "verdict": again.verdict or again.status,
            "reverified_comparisons": reverified[:5], "seconds": round(again.seconds, 3)}


def allot(remaining_s: float, checks_left: int) -> float:
    """The share of the remaining budget for the next check (unused time rolls over to the checks after it)."""
    return remaining_s / max(checks_left, 1) if math.isfinite(remaining_s) else remaining_s
