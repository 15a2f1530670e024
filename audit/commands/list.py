"""`advaudit list`: every claim with its provenance and checks."""
from __future__ import annotations

import argparse

from rich.markup import escape

from audit.terminal import console
from theory.claims import REGISTRY

VERB = "list"
HELP = "list the claims with provenance and checks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def run(args: argparse.Namespace) -> int:
    rows = [(c.id, f"[{c.provenance}]", c.relation_kind, ", ".join(s.id for s in c.checks) or "(not implemented)",
             c.title) for c in REGISTRY.values()]
    if args.json:
        import json
        keys = ("id", "provenance", "relation_kind", "checks", "title")
        print(json.dumps([dict(zip(keys, r)) for r in rows], indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table
    table = Table(title="advaudit claims (docs/claims.md)")
    for col in ("id", "provenance", "kind", "checks", "title"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(escape(v) for v in r))
    console().print(table)
    return 0
