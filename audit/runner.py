"""Runs claims' checks for a tier: resolves each check's target, times it, and has it judged."""
from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from audit.judge import claim_verdict, judge
from theory.claims import REGISTRY, Claim, CheckSpec, get_claim
from theory.errors import InputError
from theory.evidence import INCONCLUSIVE, Evidence, RunContext

CheckFn = Callable[..., Evidence]


@dataclass
class ClaimResult:
    """A claim and the judged evidence of each of its checks at one tier."""

    claim: Claim
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return claim_verdict(ev.verdict for ev in self.evidence)


def resolve(target: str) -> CheckFn:
    """Import ``"package.module:function"``."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def select_claims(ids: Iterable[str] | None) -> list[Claim]:
    """Claims named by id or short prefix (all claims when ``ids`` is empty); unknown ids raise InputError."""
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


def run_check(claim: Claim, spec: CheckSpec, ctx: RunContext) -> Evidence:
    """Run one check and judge it. A crash inside a check is recorded as inconclusive, never a pass."""
    start = time.perf_counter()
    try:
        ev = resolve(spec.target)(ctx)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a failing check must become evidence, not a crash mid-report
        ev = Evidence(claim_id=claim.id, check_id=spec.id, tier=ctx.tier)
        ev.inconclusive_reasons.append(f"check raised {type(exc).__name__}: {exc}")
        ev.notes.append(traceback.format_exc(limit=8))
    ev.claim_id, ev.check_id, ev.tier = claim.id, spec.id, ctx.tier
    ev.wall_time_s = time.perf_counter() - start
    budget = spec.budget_s.get(ctx.tier)
    if budget is not None and ev.wall_time_s > budget:
        ev.notes.append(f"over the {ctx.tier}-tier budget: {ev.wall_time_s:.1f} s > {budget:.0f} s")
    judge(ev)
    if ev.verdict == INCONCLUSIVE and not ev.inconclusive_reasons:
        ev.inconclusive_reasons.append(ev.verdict_reason)
    return ev


def run_claims(claims: list[Claim], ctx: RunContext,
               on_check: Callable[[Claim, CheckSpec, Evidence | None], None] | None = None) -> list[ClaimResult]:
    """Run every check of every claim at ``ctx.tier``; ``on_check`` is called before (ev=None) and after each."""
    results = []
    for claim in claims:
        result = ClaimResult(claim)
        for spec in checks_to_run(claim, ctx):
            if on_check:
                on_check(claim, spec, None)
            ev = run_check(claim, spec, ctx)
            result.evidence.append(ev)
            if on_check:
                on_check(claim, spec, ev)
        results.append(result)
    return results
