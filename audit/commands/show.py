"""`advaudit show ID`: one claim's statement, hypotheses, symbols and checks."""
from __future__ import annotations

import argparse

import sympy as sp

from audit.terminal import console
from theory.claims import get_claim

VERB = "show"
HELP = "show one claim: statement, symbols, hypotheses, checks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("claim_id", metavar="ID", help="claim id or prefix, e.g. C1-convergence or C1")


def run(args: argparse.Namespace) -> int:
    from numerics.planted.registry import planted_errors  # torch and cvxpy: loaded only when asked

    c = get_claim(args.claim_id)
    out = console()
    out.print(f"{c.id} [{c.provenance}] — {c.title}", markup=False, highlight=False)
    out.print(f"source: {c.source}; research questions: {', '.join(c.research_questions)}", highlight=False)
    out.print(f"relation kind: {c.relation_kind}", highlight=False)
    out.print(f"statement: {c.statement_text}", highlight=False)
    if c.statement is not None:
        out.print(f"sympy: {sp.sstr(c.statement)}", highlight=False, markup=False)
    out.print("hypotheses:", highlight=False)
    for h in c.hypotheses:
        out.print(f"  - {h}", highlight=False, markup=False)
    out.print("symbols:", highlight=False)
    for name, meaning in c.symbols.items():
        out.print(f"  {name}: {meaning}", highlight=False, markup=False)
    out.print("checks:" if c.checks else "checks: (not implemented)", highlight=False)
    for s in c.checks:
        budgets = ", ".join(f"{t} ≤ {s.budget_s.get(t, float('nan')):.0f} s" for t in s.tiers)
        out.print(f"  {s.id} [{'/'.join(s.tiers)}; {budgets}]: {s.description}", highlight=False, markup=False)
        out.print(f"    measured in {s.target}; planted errors: {len(planted_errors(s.id))}"
                  + ("; ENCODING check (shown, not evidence)" if s.encoding else ""), highlight=False, markup=False)
        if s.tolerances:
            out.print("    pre-registered tolerances (theory/tolerances.py): "
                      + ", ".join(t.name for t in s.tolerances), highlight=False, markup=False)
    if c.depends_on:
        out.print(f"depends on: {', '.join(c.depends_on)} (at most as strong as their verdicts)", highlight=False)
    return 0
