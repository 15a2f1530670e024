"""Hunt results in the JSON ledger format (schema ``advaudit.ledger``, audit/ledger.py) and as table rows.

A hunt ledger is a ledger with ``"kind": "hunt"``, ``"tier": "hunt"`` and the hunt's settings under ``"hunt"``.
Each check entry is an Evidence record: the minimal counterexample's own evidence, judged ``violated``, when the
hunt found one; otherwise the evidence of the example with the smallest margin, judged ``inconclusive`` with the
reason "hunt: no counterexample in N examples" — a hunt alone never says ``consistent``. Either way
``measurements["hunt"]`` holds the summary: outcome, examples tried (and why any were discarded), the example at
which the first violation appeared, the fixed grid's size, the smallest relative margin with its comparison and
configuration, the smallest margin of every relation, the replay of the counterexample, and every example's
configuration and score.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

from audit.hunt.search import DISCARDED, HuntResult
from audit.judge import claim_verdict, judge
from audit.ledger import LEDGER_SCHEMA, LEDGER_SCHEMA_VERSION, provenance
from theory.claims import REGISTRY
from theory.evidence import VIOLATED, Evidence


def summary(result: HuntResult) -> dict[str, Any]:
    """The JSON-safe record of one check's hunt (module docstring)."""
    worst = result.worst
    families: dict[str, float] = {}
    for e in result.measured:
        for name, value in (e.score.families if e.score else {}).items():
            families[name] = min(value, families.get(name, math.inf))
    out: dict[str, Any] = {
        "outcome": result.outcome, "planted": result.planted, "examples": len(result.measured),
        "counts": result.counts(), "examples_to_first_violation": result.first_violation_at,
        "grid_examples": result.grid_examples, "stopped": result.stopped, "budget_s": result.budget_s,
        "wall_s": round(result.wall_s, 3), "max_examples": result.max_examples,
        "example_limit_s": result.example_limit_s, "seed": result.seed,
        "database_replayed": result.database_replayed, "dropped_sizes": result.dropped_sizes,
        "not_hunted": result.not_hunted, "space": result.space,
        "smallest": None if worst is None or worst.score is None else {
            "relative_margin": worst.score.value, "comparison": worst.score.comparison,
            "margin": worst.score.margin, "tolerance": worst.score.tolerance, "config": worst.config,
            "verdict": worst.verdict},
        "relations": dict(sorted(families.items(), key=lambda kv: kv[1])),
        "violation": None, "examples_log": [e.summary() for e in result.examples]}
    v = result.violation
    if v is not None:
        reverified = [c.comparison for c in (v.evidence.counterexamples if v.evidence else []) if c.reverified]
        out["violation"] = {"config": v.config, "index": v.index, "reverified_comparisons": reverified[:5],
                            "relative_margin": v.score.value if v.score else None,
                            "comparison": v.score.comparison if v.score else None,
                            "replay": result.replay, "pinned": v.config in result.pinned}
    discarded = {k: n for k, n in result.counts().items() if k in DISCARDED and n}
    reasons = {}
    for e in result.examples:
        if e.status in discarded and e.status not in reasons:
            reasons[e.status] = e.reason
    out["first_reasons"] = reasons
    return out


def hunt_reason(result: HuntResult) -> str:
    """One line for a hunt that did not end in a reproduced violation."""
    worst = result.worst
    if result.outcome == "not reproducible":
        return (f"hunt: the minimal counterexample {result.violation.config} was not violated again when "  # type: ignore[union-attr]
                "measured from scratch")
    if worst is None or worst.score is None or worst.score.value is None:
        return f"hunt: no example measured ({result.stopped}); a hunt alone never says consistent"
    return (f"hunt: no counterexample in {len(result.measured)} examples ({result.stopped}); smallest relative "
            f"margin {worst.score.value:.3g} ('{worst.score.comparison}') at {worst.config}; a hunt alone never "
            "says consistent")


def check_evidence(result: HuntResult) -> Evidence:
    """The check's entry in the ledger: the counterexample's evidence, or the tightest example's, re-judged."""
    chosen = result.violation if result.outcome == VIOLATED else result.worst
    ev = chosen.evidence if chosen is not None and chosen.evidence is not None else Evidence(
        result.claim_id, result.check_id, "hunt")
    ev.claim_id, ev.check_id, ev.tier = result.claim_id, result.check_id, "hunt"
    if result.outcome != VIOLATED:
        ev.inconclusive_reasons.append(hunt_reason(result))
    else:
        ev.notes.append(f"hunt: minimal counterexample after shrinking ({result.stopped}); first violation at "
                        f"example {result.first_violation_at} of {len(result.measured)}; fixed grid: "
                        f"{result.grid_examples} configurations")
    ev.wall_time_s = result.wall_s
    judge(ev)
    ev.measurements = {**(ev.measurements if isinstance(ev.measurements, dict) else {}), "hunt": summary(result)}
    return ev


def exit_status(results: list[HuntResult], *, planted: bool = False) -> int:
    """0/1: a hunt exits 1 when a violation was found; a planted hunt exits 1 when a planted error was missed."""
    if planted:
        return int(any(r.outcome != VIOLATED for r in results))
    return int(any(r.outcome == VIOLATED for r in results))


def hunt_ledger(results: list[HuntResult], settings: dict[str, Any], *, planted: bool = False) -> dict[str, Any]:
    """The ledger of a hunt (module docstring); claims in registry order, one check entry per hunt."""
    import datetime as _dt

    by_claim: dict[str, list[Evidence]] = {}
    for r in results:
        by_claim.setdefault(r.claim_id, []).append(check_evidence(r))
    claims = []
    for claim_id, evidence in by_claim.items():
        c = REGISTRY[claim_id]
        claims.append({"id": c.id, "title": c.title, "provenance": c.provenance, "relation_kind": c.relation_kind,
                       "statement": c.statement_text, "research_questions": list(c.research_questions),
                       "verdict": claim_verdict(ev.verdict for ev in evidence),
                       "checks": [ev.to_dict() for ev in evidence]})
    return {"schema": LEDGER_SCHEMA, "schema_version": LEDGER_SCHEMA_VERSION, "kind": "hunt",
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "tier": "hunt",
            "seed": settings.get("seed"), "provenance": provenance(), "hunt": settings,
            "summary": dict(Counter(c["verdict"] for c in claims)),
            "exit_status": exit_status(results, planted=planted), "claims": claims}


def table_row(result: HuntResult) -> list[str]:
    """check, planted error, outcome, examples (first violation) / grid, smallest margin, configuration, time."""
    worst = result.violation if result.violation is not None else result.worst
    margin = "—"
    if worst is not None and worst.score is not None and worst.score.value is not None:
        margin = f"{worst.score.value:.3g} ({worst.score.comparison})"
    examples = f"{len(result.measured)}"
    if result.first_violation_at is not None:
        examples += f" (violated at #{result.first_violation_at})"
    discarded = sum(n for k, n in result.counts().items() if k in DISCARDED)
    if discarded:
        examples += f", {discarded} discarded"
    return [result.check_id, result.planted or "", result.outcome, examples, str(result.grid_examples), margin,
            _config_text(worst.config) if worst is not None else "—", f"{result.wall_s:.1f} s"]


def _config_text(config: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in config.items())


TABLE_COLUMNS = ("check", "planted error", "outcome", "examples", "fixed grid", "smallest relative margin (where)",
                 "configuration (minimal counterexample, or smallest margin)", "time")
