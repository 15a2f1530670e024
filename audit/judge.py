"""The judge: assigns a verdict to a check's evidence, and to a claim from its checks.

Rules (DESIGN.md, "Verdicts"), applied in this order to one check's evidence:
1. a counterexample that was re-verified independently                 → violated
2. any reason the check could not decide (solver status, budget, error) → inconclusive
3. a comparison that fails but whose failure was not re-verified        → inconclusive
4. a construction audit (C9) that states its own convention verdict     → that verdict
5. hypotheses unreachable at any runnable size                          → vacuous
6. no comparison at all                                                 → inconclusive
7. every comparison holds within its named tolerance                    → consistent
8. ... unless one of its controls (theory.evidence.Control, judged by these same rules) is not
   violated: the check cannot tell a right input from a wrong one                  → vacuous
9. ... or it ran no control at all: nothing shows it could have said otherwise     → vacuous ('no control')
"""
from __future__ import annotations

from collections.abc import Iterable

from theory.evidence import (CONSISTENT, HOLDS_UNDER, INCONCLUSIVE, NOT_IMPLEMENTED, REFUTED_AS_STATED, VACUOUS,
                             VIOLATED, Comparison, Evidence)

# Solver statuses that count as solved; anything else (optimal_inaccurate, infeasible, time limit…) cannot pass.
SOLVED_STATUSES = frozenset({"optimal", "solved", "exact", "closed-form", "not-applicable"})

# Claim-level precedence: the worst check decides.
_SEVERITY = {VIOLATED: 6, INCONCLUSIVE: 5, REFUTED_AS_STATED: 4, VACUOUS: 3, HOLDS_UNDER: 2, CONSISTENT: 1}


def _unsolved(ev: Evidence) -> list[str]:
    return [s for s in ev.solver_statuses if s.lower() not in SOLVED_STATUSES]


def judge(ev: Evidence) -> Evidence:
    """Set ``ev.verdict`` and ``ev.verdict_reason`` from the evidence fields; return ``ev``."""
    reverified = [c for c in ev.counterexamples if c.reverified]
    failing = [c for c in ev.comparisons if not c.holds]
    bad_status = _unsolved(ev)
    if reverified:
        verdict, reason = VIOLATED, f"{len(reverified)} re-verified counterexample(s): {reverified[0].comparison}"
    elif ev.inconclusive_reasons:
        verdict, reason = INCONCLUSIVE, "; ".join(ev.inconclusive_reasons)
    elif bad_status:
        verdict, reason = INCONCLUSIVE, f"solver status(es) not solved: {sorted(set(bad_status))}"
    elif failing:
        verdict, reason = INCONCLUSIVE, (f"{len(failing)} comparison(s) failed without a re-verified "
                                         f"counterexample: {failing[0].name}")
    elif ev.construction_verdict is not None:
        verdict, reason = ev.construction_verdict, "construction audit (see the convention table)"
    elif ev.vacuous_reason:
        verdict, reason = VACUOUS, ev.vacuous_reason
    elif not ev.comparisons:
        verdict, reason = INCONCLUSIVE, "the check made no comparison"
    else:
        tightest = min(ev.comparisons, key=lambda c: c.margin)
        verdict, reason = CONSISTENT, (f"{len(ev.comparisons)} comparison(s) hold; tightest '{tightest.name}' "
                                       f"margin {tightest.margin:.3g} (tolerance {tightest.tolerance:.3g})")
    for control in ev.controls:
        judge(control.evidence)
    missed = [c for c in ev.controls if c.evidence.verdict != VIOLATED]
    if verdict == CONSISTENT and missed:
        c = missed[0]
        verdict, reason = VACUOUS, (f"control '{c.name}' (differs in {c.differs_in}) was judged "
                                    f"{c.evidence.verdict}, not violated: the check cannot discriminate")
    elif verdict == CONSISTENT and not ev.controls:
        verdict, reason = VACUOUS, f"no control: {reason}, but no input that must fail was shown to fail"
    ev.verdict, ev.verdict_reason = verdict, reason
    return ev


def deciding_comparison(ev: Evidence) -> Comparison | None:
    """The comparison that decided a judged check: the one behind the first re-verified counterexample
    (violated), the first failing one (inconclusive by failure), the tightest one (consistent); None when no
    single comparison decides (construction audits, vacuous, solver or budget trouble, no comparison)."""
    if ev.verdict == VIOLATED:
        names = [c.comparison for c in ev.counterexamples if c.reverified]
        return next((c for c in ev.comparisons if c.name in names[:1]), None)
    failing = [c for c in ev.comparisons if not c.holds]
    if ev.verdict == INCONCLUSIVE and failing and not ev.inconclusive_reasons and not _unsolved(ev):
        return failing[0]
    if ev.verdict == CONSISTENT:
        return min(ev.comparisons, key=lambda c: c.margin)
    return None


def claim_verdict(verdicts: Iterable[str]) -> str:
    """The verdict of a claim: the most severe of its checks' verdicts; no checks → not implemented."""
    verdicts = list(verdicts)
    if not verdicts:
        return NOT_IMPLEMENTED
    return max(verdicts, key=lambda v: _SEVERITY.get(v, 0))
