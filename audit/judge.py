"""The judge: assigns a verdict to a check's evidence, and to a claim from its checks.

Rules (DESIGN.md, "Verdicts"), applied in this order to one check's evidence:
0. the check did not run to the end (it raised; the runner set ``error``) → error (an error of the run,
   not a verdict on the claim; never success)
1. a re-verification that disagrees with the recorded measurement (``Counterexample.disagrees``: an
   independent recomputation of the same quantity gives another value, both kept in the evidence)
                                                                        → violated (internal inconsistency)
2. a counterexample that was re-verified independently                 → violated
3. any reason the check could not decide (solver status, budget)        → inconclusive
4. a comparison that fails but whose failure was not re-verified        → inconclusive
5. a construction audit (C8, C9) that states its own verdict            → that verdict (with its exact label)
6. hypotheses unreachable at any runnable size                          → vacuous
7. no comparison at all                                                 → inconclusive
8. an *encoding* check (``CheckSpec.encoding``: it compares the suite's own encoding with itself), or a check
   whose comparisons are all encoding rows (``Comparison.encoding``)   → vacuous, flagged ``encoding``
9. every comparison holds within its named tolerance                    → consistent
10. ... unless one of its controls (theory.evidence.Control, judged by these same rules) is not
    violated: the check cannot tell a right input from a wrong one                 → vacuous
11. ... or it ran no control at all: nothing shows it could have said otherwise    → vacuous ('no control')

Encoding rows and checks are shown and their *failures* count (rules 1–4: a broken encoding is a bug), but
they are never evidence: rules 8–9 and the summary below consider only the other rows.

Flags on a verdict (``Evidence.flags``, one word each; :func:`flag_text` for the console):
  ``loose``    — a consistent or holds-under verdict with a holding (non-encoding) comparison whose slack
                 (theory.evidence.Comparison.slack: bound/measured, measured/bound, CI width/|bound|) exceeds
                 LOOSE_SLACK: the bound is met, but so loosely that it says little;
  ``encoding`` — the verdict rests on encoding comparisons only (rule 8).

Summary (``Evidence.summary``, in the ledger and the report): the deciding comparison (:func:`deciding_comparison`),
the tightest and the loosest comparison by slack (non-encoding rows with a slack).

Claim level (:func:`claim_judgement`): the most severe verdict of the claim's checks, leaving out encoding
checks (a claim whose every check is an encoding check is vacuous: "evidence is encoding only"); then each
claim it depends on (``Claim.depends_on``) caps it: the claim is at most as strong as its basis —
consistent → no cap, holds-under → holds-under, vacuous or refuted-as-stated → vacuous (evidence built on a
vacuous or refuted claim supports nothing), inconclusive, violated, error or not run → inconclusive (the basis is
undecided or broken; the dependent claim is not thereby false). Severity, most severe first: violated,
error (an error of the run outranks every verdict but a re-verified violation), inconclusive,
refuted-as-stated, vacuous, holds-under, consistent.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from theory.evidence import (CONSISTENT, ERROR, HOLDS_UNDER, INCONCLUSIVE, NOT_IMPLEMENTED, REFUTED_AS_STATED,
                             VACUOUS, VIOLATED, Comparison, Evidence)

# Solver statuses that count as solved; anything else (optimal_inaccurate, infeasible, time limit…) cannot pass.
SOLVED_STATUSES = frozenset({"optimal", "solved", "exact", "closed-form", "not-applicable"})
# A holding comparison looser than this (slack = bound/measured or its analogue) flags its verdict "loose".
LOOSE_SLACK = 100.0
LOOSE, ENCODING = "loose", "encoding"

# Claim-level precedence: the worst check decides; an error outranks every verdict but a re-verified violation.
_SEVERITY = {VIOLATED: 7, ERROR: 6, INCONCLUSIVE: 5, REFUTED_AS_STATED: 4, VACUOUS: 3, HOLDS_UNDER: 2, CONSISTENT: 1}
# The cap a dependency's verdict puts on the dependent claim (module docstring); None = no cap.
DEPENDENCY_CAP = {CONSISTENT: None, HOLDS_UNDER: HOLDS_UNDER, VACUOUS: VACUOUS, REFUTED_AS_STATED: VACUOUS,
                  INCONCLUSIVE: INCONCLUSIVE, VIOLATED: INCONCLUSIVE, ERROR: INCONCLUSIVE,
                  NOT_IMPLEMENTED: INCONCLUSIVE}


def _unsolved(ev: Evidence) -> list[str]:
    return [s for s in ev.solver_statuses if s.lower() not in SOLVED_STATUSES]


def is_encoding_check(ev: Evidence) -> bool:
    """The registry marks this check as an encoding check (``CheckSpec.encoding``)."""
    from theory.claims import REGISTRY

    claim = REGISTRY.get(ev.claim_id)
    spec = next((s for s in claim.checks if s.id == ev.check_id), None) if claim is not None else None
    return bool(spec is not None and spec.encoding)


def _evidence_rows(ev: Evidence) -> list[Comparison]:
    return [c for c in ev.comparisons if not c.encoding]


def judge(ev: Evidence, *, needs_control: bool = True) -> Evidence:
    """Set ``ev.verdict``, ``ev.verdict_reason``, ``ev.flags`` and ``ev.summary``; return ``ev``. Controls are judged
    with ``needs_control=False``: a control that holds is ``consistent`` (and makes its check vacuous, rule 10)."""
    ev.flags = []
    inconsistent = [c for c in ev.counterexamples if c.disagrees]
    reverified = [c for c in ev.counterexamples if c.reverified]
    failing = [c for c in ev.comparisons if not c.holds]
    bad_status = _unsolved(ev)
    rows = _evidence_rows(ev)
    if ev.error:
        verdict, reason = ERROR, ev.error
    elif inconsistent:
        c = inconsistent[0]
        verdict, reason = VIOLATED, (f"internal inconsistency in '{c.comparison}': recorded {c.recorded_measured:.6g}, "
                                     f"independently recomputed {c.recomputed_measured:.6g} ({c.method})")
    elif reverified:
        verdict, reason = VIOLATED, f"{len(reverified)} re-verified counterexample(s): {reverified[0].comparison}"
    elif ev.inconclusive_reasons:
        verdict, reason = INCONCLUSIVE, "; ".join(ev.inconclusive_reasons)
    elif bad_status:
        verdict, reason = INCONCLUSIVE, f"solver status(es) not solved: {sorted(set(bad_status))}"
    elif failing:
        verdict, reason = INCONCLUSIVE, (f"{len(failing)} comparison(s) failed without a re-verified "
                                         f"counterexample: {failing[0].name}")
    elif ev.construction_verdict is not None:
        verdict = ev.construction_verdict
        reason = ev.construction_label or "construction audit (see the convention table)"
    elif ev.vacuous_reason:
        verdict, reason = VACUOUS, ev.vacuous_reason
    elif not ev.comparisons:
        verdict, reason = INCONCLUSIVE, "the check made no comparison"
    elif is_encoding_check(ev):
        verdict, reason = VACUOUS, (f"encoding check: its {len(ev.comparisons)} comparison(s) hold, but they compare "
                                    "the suite's own encoding with itself; shown, not evidence for the claim")
        ev.flags.append(ENCODING)
    elif not rows:
        verdict, reason = VACUOUS, (f"all {len(ev.comparisons)} comparison(s) are encoding rows (the suite's own "
                                    "encoding against itself): shown, not evidence for the claim")
        ev.flags.append(ENCODING)
    else:
        tightest = min(rows, key=lambda c: c.margin)
        encoded = len(ev.comparisons) - len(rows)
        verdict, reason = CONSISTENT, (f"{len(rows)} comparison(s) hold; tightest '{tightest.name}' "
                                       f"margin {tightest.margin:.3g} (tolerance {tightest.tolerance:.3g})"
                                       + (f"; {encoded} encoding row(s) not counted" if encoded else ""))
    for control in ev.controls:
        judge(control.evidence, needs_control=False)  # a control is judged by the rules above, not rule 11
    missed = [c for c in ev.controls if c.evidence.verdict != VIOLATED]
    if verdict == CONSISTENT and missed:
        c = missed[0]
        verdict, reason = VACUOUS, (f"control '{c.name}' (differs in {c.differs_in}) was judged "
                                    f"{c.evidence.verdict}, not violated: the check cannot discriminate")
    elif verdict == CONSISTENT and not ev.controls and needs_control:
        verdict, reason = VACUOUS, f"no control: {reason}, but no input that must fail was shown to fail"
    if verdict in (CONSISTENT, HOLDS_UNDER):
        loose = [c for c in rows if c.holds and c.slack is not None and c.slack > LOOSE_SLACK]
        if loose:
            worst = max(loose, key=lambda c: c.slack)  # type: ignore[arg-type,return-value]
            ev.flags.append(LOOSE)
            reason += (f"; loose: {len(loose)} holding comparison(s) with slack > {LOOSE_SLACK:g}, the loosest "
                       f"'{worst.name}' at {worst.slack:.3g}")
    ev.verdict, ev.verdict_reason = verdict, reason
    ev.summary = summarize(ev)
    return ev


def deciding_comparison(ev: Evidence) -> Comparison | None:
    """The comparison that decided a judged check: the one behind the first internal inconsistency or re-verified
    counterexample (violated), the first failing one (inconclusive by failure), the tightest non-encoding one
    (consistent; see :func:`informative_rows`); None when no single comparison decides (construction audits,
    vacuous, solver or budget trouble, no comparison)."""
    if ev.verdict == VIOLATED:
        names = [c.comparison for c in ev.counterexamples if c.disagrees] or \
                [c.comparison for c in ev.counterexamples if c.reverified]
        return next((c for c in ev.comparisons if c.name in names[:1]), None)
    failing = [c for c in ev.comparisons if not c.holds]
    if ev.verdict == INCONCLUSIVE and failing and not ev.inconclusive_reasons and not _unsolved(ev):
        return failing[0]
    rows = _evidence_rows(ev)
    if ev.verdict == CONSISTENT and rows:
        return min(informative_rows(rows), key=lambda c: c.margin)
    return None


def informative_rows(rows: list[Comparison]) -> list[Comparison]:
    """The inequality and interval rows, or all rows when there are none: an agreement row ("==": a derived
    constant against the one used, two code paths) holds with margin ≈ 0 by construction, so it would always be
    the tightest; the claim's bounds decide, unless a check has nothing else."""
    return [c for c in rows if c.relation != "=="] or rows


def _row(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"name": c.name, "measured": c.measured, "bound": c.bound, "relation": c.relation,
            "interval": list(c.interval) if c.interval else None, "margin": c.margin if c.finite else None,
            "slack": c.slack, "holds": c.holds, "encoding": c.encoding}


def summarize(ev: Evidence) -> dict[str, Any]:
    """The deciding comparison, and the tightest and loosest comparison by slack (non-encoding rows)."""
    ranked = [c for c in _evidence_rows(ev) if c.slack is not None]
    return {"deciding": _row(deciding_comparison(ev)),
            "tightest": _row(min(ranked, key=lambda c: c.slack) if ranked else None),  # type: ignore[arg-type]
            "loosest": _row(max(ranked, key=lambda c: c.slack) if ranked else None),  # type: ignore[arg-type]
            "label": ev.construction_label}


def flag_text(ev: Evidence) -> str:
    """The verdict's flags as short words for a console column ('' when none): 'loose', 'encoding', …"""
    return " ".join(ev.flags)


def claim_verdict(verdicts: Iterable[str]) -> str:
    """The most severe of some verdicts; no verdicts → not implemented."""
    verdicts = list(verdicts)
    if not verdicts:
        return NOT_IMPLEMENTED
    return max(verdicts, key=lambda v: _SEVERITY.get(v, 0))


@dataclass
class ClaimJudgement:
    """A claim's verdict, why, its flags, and the check that decided it (None when no check decided)."""

    verdict: str
    reason: str
    flags: list[str] = field(default_factory=list)
    deciding_check: str | None = None


def claim_judgement(evidence: Sequence[Evidence], dependencies: Mapping[str, str | None] | None = None
                    ) -> ClaimJudgement:
    """Judge a claim from its judged checks and the verdicts of the claims it depends on (module docstring);
    a dependency whose verdict is None was not run."""
    if not evidence:
        return ClaimJudgement(NOT_IMPLEMENTED, "no check of this claim ran")
    counted = [ev for ev in evidence if not (ev.verdict == VACUOUS and ENCODING in ev.flags)]
    flags: list[str] = []
    if not counted:
        verdict, deciding = VACUOUS, evidence[0].check_id
        reason = f"evidence is encoding only ({', '.join(ev.check_id for ev in evidence)}): nothing supports the claim"
        flags.append(ENCODING)
    else:
        verdict = claim_verdict(ev.verdict for ev in counted)  # type: ignore[misc]
        decider = next(ev for ev in counted if ev.verdict == verdict)
        deciding, reason = decider.check_id, f"{decider.check_id}: {decider.verdict_reason}"
        if any(LOOSE in ev.flags for ev in counted):
            flags.append(LOOSE)
    for dep, dep_verdict in (dependencies or {}).items():
        cap = DEPENDENCY_CAP.get(dep_verdict or NOT_IMPLEMENTED, INCONCLUSIVE)
        flags.append(f"depends-on:{dep.split('-')[0]}")
        if cap is not None and _SEVERITY[cap] > _SEVERITY.get(verdict, 0):
            verdict, deciding = cap, None
            reason = (f"built on {dep} ({dep_verdict or 'not run'}): at most as strong as its basis; "
                      f"own checks: {reason}")
    return ClaimJudgement(verdict, reason, flags, deciding)
