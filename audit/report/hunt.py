"""The report's "Worst cases found" section, from a hunt ledger (``advaudit hunt --json``; audit/hunt/record.py).

One row per hunted check: the outcome (``violated`` with the minimal counterexample — "(pinned)" when it is one a
previous hunt found — else "no counterexample": a hunt alone never says consistent), the examples tried against
the fixed grid's size, the relative margin with the relation and configuration of the counterexample or, without
one, of the example with the smallest margin; then, folded, the smallest margin of every
relation and what each hunt left to the fixed grid.
"""
from __future__ import annotations

from typing import Any

from audit.report.content import anchor, fmt
from audit.report.document import Block, BulletList, Details, Heading, Paragraph, Run, Table, plain
from theory.errors import InputError

HUNT_KIND = "hunt"
MAX_RELATIONS = 8  # per check in the folded table: the tightest relations


def check_hunt_ledger(ledger: dict[str, Any], path: str) -> dict[str, Any]:
    """``ledger`` if it is a hunt ledger, else InputError naming ``path``."""
    if ledger.get("kind") != HUNT_KIND:
        raise InputError(f"{path!r} is a ledger of checks, not of a hunt (write one with 'advaudit hunt --json')")
    return ledger


def _hunts(ledger: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    out = []
    for claim in ledger.get("claims", []):
        for check in claim.get("checks", []):
            h = (check.get("measurements") or {}).get("hunt")
            if isinstance(h, dict):
                out.append((claim, check, h))
    return out


def _config(config: Any) -> str:
    if not isinstance(config, dict):
        return "—"
    return ", ".join(f"{k}={fmt(v)}" for k, v in config.items())


def _examples(h: dict[str, Any]) -> str:
    text = str(h.get("examples", 0))
    if h.get("examples_to_first_violation") is not None:
        text += f" (violated at #{h['examples_to_first_violation']})"
    counts = h.get("counts") or {}
    discarded = sum(n for k, n in counts.items() if k in ("timed out", "not realizable", "error"))
    return text + (f", {discarded} discarded" if discarded else "")


def hunt_blocks(ledger: dict[str, Any]) -> list[Block]:
    """The section (module docstring)."""
    settings = ledger.get("hunt") or {}
    prov = ledger.get("provenance") or {}
    rows, details = [], []
    for claim, check, h in _hunts(ledger):
        violation = h.get("violation")
        shown = violation or h.get("smallest") or {}  # a violation is shown with its own tightest relation
        outcome = h.get("outcome", "")
        if outcome == "violated":
            outcome_cell = [Run("verdict", "violated")] + ([Run("", " (pinned)")] if violation.get("pinned") else [])
        else:
            outcome_cell = outcome
        rows.append([[Run("link", claim["id"], "#" + anchor(claim["id"]))], [Run("code", check.get("check_id", ""))],
                     outcome_cell, _examples(h), str(h.get("grid_examples", "—")),
                     fmt(shown.get("relative_margin")) if shown else "—", shown.get("comparison") or "—",
                     _config(shown.get("config"))])
        relations = list((h.get("relations") or {}).items())[:MAX_RELATIONS]
        items = [plain(f"{name}: {fmt(value)}") for name, value in relations]
        if h.get("not_hunted"):
            items.append([Run("b", "left to the fixed grid: "), Run("", h["not_hunted"])])
        if h.get("first_reasons"):
            items.append([Run("b", "discarded: "), Run("", "; ".join(f"{k} ({v})" for k, v in h["first_reasons"].items()))])
        if violation and violation.get("replay"):
            replay = violation["replay"]
            items.append([Run("b", "replay from scratch: "),
                          Run("", f"{replay.get('verdict')} ({'reproduced' if replay.get('reproduced') else 'NOT reproduced'})")])
        details.append(Paragraph([Run("code", check.get("check_id", "")), Run("", f" — {h.get('stopped', '')}, "
                                  f"{fmt(h.get('wall_s'))} s of {fmt(h.get('budget_s'))} s")]))
        details.append(BulletList(items) if items else Paragraph(plain("no relation measured")))
    if not rows:
        return [Heading(2, "Worst cases found"), Paragraph(plain("The hunt ledger holds no hunted check."))]
    intro = (f"advaudit hunt searched each claim's hypothesis space (docs/claims.md) with Hypothesis: "
             f"budget {fmt(settings.get('budget_s'))} s, seed {fmt(settings.get('seed'))}, created "
             f"{ledger.get('created', '')} at commit {prov.get('git_commit', 'unknown')}. A violation is a "
             "re-verified counterexample, shrunk to a minimal configuration and measured again from scratch; "
             "without one the hunt reports the smallest relative margin (margin + tolerance over the scale of the "
             "compared values; ≥ 0 means the relation holds) — a hunt alone never says consistent.")
    return [Heading(2, "Worst cases found"), Paragraph(plain(intro)),
            Table(["claim", "check", "outcome", "examples tried", "fixed grid", "smallest relative margin",
                   "relation", "configuration"], rows, "Hunt results"),
            Details("Smallest margin of every relation, per check", details)]
