"""Runs claims' checks for a tier: resolves each check's target, times it, and has it judged."""
from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from audit.judge import ClaimJudgement, claim_judgement, judge
from theory.claims import REGISTRY, Claim, CheckSpec, get_claim
from theory.errors import InputError
from theory.evidence import Evidence, RunContext

CheckFn = Callable[..., Evidence]


@dataclass
class ClaimResult:
    """A claim, the judged evidence of each of its checks at one tier, and the verdicts of the claims it depends
    on (``Claim.depends_on``; None = not run)."""

    claim: Claim
    evidence: list[Evidence] = field(default_factory=list)
    dependencies: dict[str, str | None] = field(default_factory=dict)

    @property
    def judgement(self) -> ClaimJudgement:
        return claim_judgement(self.evidence, self.dependencies)

    @property
    def verdict(self) -> str:
        return self.judgement.verdict


def resolve(target: str) -> CheckFn:
    """Import ``"package.module:function"``."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def select_claims(ids: Iterable[str] | None) -> list[Claim]:
    """Claims named by id, short id or unique prefix, in any case (all claims when ``ids`` is empty); an unknown
    or ambiguous id raises InputError listing the ids (``theory.claims.get_claim``)."""
    ids = list(ids or [])
    if not ids:
        return list(REGISTRY.values())
    selected: list[Claim] = []
    for claim_id in ids:
        claim = get_claim(claim_id)
        if claim not in selected:
            selected.append(claim)
    return selected


def checks_to_run(claim: Claim, ctx: RunContext) -> tuple[CheckSpec, ...]:
    """The claim's checks at ``ctx.tier``; with ``ctx.data`` (a real data set) only those that take data."""
    specs = claim.checks_for(ctx.tier)
    return tuple(s for s in specs if s.takes_data) if ctx.data is not None else specs


def data_claims(claims: list[Claim], ctx: RunContext, *, explicit: bool) -> list[Claim]:
    """The claims that have a check to run on ``ctx.data``; InputError for an ``explicit`` (--only) one without."""
    if ctx.data is None:
        return claims
    able = [c for c in claims if checks_to_run(c, ctx)]
    if explicit and len(able) < len(claims):
        without = next(c.id for c in claims if c not in able)
        names = ", ".join(c.id.split("-")[0] for c in REGISTRY.values() if checks_to_run(c, ctx))
        raise InputError(f"--data: {without} has no {ctx.tier}-tier check that runs on a real data set "
                         f"(claims that do: {names})")
    return able


# Exception classes (by name, anywhere in the MRO, so that no solver or cluster package need be imported here)
# that mean the machine failed the run rather than the check's code: a missing module or solver, memory, I/O
# and connections, a broken process pool, a lost Dask worker, a GPU out of memory.
ENVIRONMENT_FAULTS = frozenset({"EnvironmentFault", "ImportError", "MemoryError", "OSError", "BrokenExecutor",
                                "SolverError", "KilledWorker", "CommClosedError", "OutOfMemoryError"})


def describe_failure(exc: BaseException) -> str:
    """One line for a check that raised: an environment fault or a bug in the check (both errors of the run)."""
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 300:
        text = text[:297] + "…"
    if ENVIRONMENT_FAULTS & {cls.__name__ for cls in type(exc).__mro__}:
        return f"environment fault: {type(exc).__name__}: {text}"
    return f"bug in the check: it raised {type(exc).__name__}: {text} (traceback in the ledger)"


def run_check(claim: Claim, spec: CheckSpec, ctx: RunContext, **parameters: object) -> Evidence:
    """Run one check (with ``parameters``, e.g. a planted error's) and judge it. A check that raises is an
    error of the run — outcome ``error``, message and traceback kept — never a verdict, never a pass."""
    start = time.perf_counter()
    try:
        ev = resolve(spec.target)(ctx, **parameters)
    except Exception as exc:  # noqa: BLE001 - a failing check must become a recorded error, not a crash mid-run
        ev = Evidence(claim_id=claim.id, check_id=spec.id, tier=ctx.tier)
        ev.error = describe_failure(exc)
        ev.error_traceback = traceback.format_exc(limit=12)
    ev.claim_id, ev.check_id, ev.tier = claim.id, spec.id, ctx.tier
    ev.wall_time_s = time.perf_counter() - start
    budget = spec.budget_s.get(ctx.tier)
    if budget is not None and ev.wall_time_s > budget:
        ev.notes.append(f"over the {ctx.tier}-tier budget: {ev.wall_time_s:.1f} s > {budget:.0f} s")
    return judge(ev)


def with_dependencies(claims: list[Claim]) -> list[Claim]:
    """``claims`` with every claim they depend on (transitively) placed before its first dependent."""
    out: list[Claim] = []

    def add(claim: Claim) -> None:
        if any(c.id == claim.id for c in out):
            return
        for dep in claim.depends_on:
            add(REGISTRY[dep])
        out.append(claim)

    for claim in claims:
        add(claim)
    return out


def run_claims(claims: list[Claim], ctx: RunContext,
               on_check: Callable[[Claim, CheckSpec, Evidence | None], None] | None = None) -> list[ClaimResult]:
    """Run every check of every claim at ``ctx.tier``, and of the claims they depend on (a dependent claim's
    verdict needs its basis); ``on_check`` is called before (ev=None) and after each."""
    results: list[ClaimResult] = []
    for claim in with_dependencies(claims):
        result = ClaimResult(claim)
        for spec in checks_to_run(claim, ctx):
            if on_check:
                on_check(claim, spec, None)
            ev = run_check(claim, spec, ctx)
            result.evidence.append(ev)
            if on_check:
                on_check(claim, spec, ev)
        result.dependencies = {dep: next((r.verdict for r in results if r.claim.id == dep), None)
                               for dep in claim.depends_on}
        results.append(result)
    return results
