"""`advaudit audit FILE.toml`: answer the claims written in a user's TOML file (kinds in audit/user_claims.py)."""
from __future__ import annotations

import argparse
import json

VERB = "audit"
HELP = ("audit the claims of a TOML file ([[claim]] tables; kinds: width, exponents, vc-count). Exit 0 when every "
        "entry is implied/consistent, 1 when one is 'not implied' or 'flagged', 2 on bad input (one line naming the "
        "entry and field; nothing is written)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.toml", help="claim file, e.g. examples/claims/width.toml")
    parser.add_argument("--json", metavar="PATH", nargs="?", const="-",
                        help="also write the answers as JSON to PATH ('-' or no PATH: standard output, no table)")


def run(args: argparse.Namespace) -> int:
    from audit.user_claims import FAILING_VERDICTS, answer_all, load_claims

    if args.json not in (None, "-"):
        from audit.ledger import ensure_writable
        ensure_writable(args.json)
    entries = load_claims(args.file)
    answers = answer_all(args.file, entries)
    records = [{"index": e.index, "name": e.name, "kind": e.kind, "params": e.params, "verdict": a.verdict,
                "required": a.required, "detail": a.detail, "data": a.data} for e, a in answers]
    status = 1 if any(a.verdict in FAILING_VERDICTS for _, a in answers) else 0
    if args.json == "-":
        print(json.dumps({"file": args.file, "exit_status": status, "claims": records}, indent=2, default=str))
        return status
    from rich.markup import escape
    from rich.table import Table

    from audit.terminal import console

    style = {"implied": "green", "consistent": "green", "not implied": "bold red", "flagged": "bold red"}
    table = Table(title=f"advaudit audit — {args.file}")
    for col in ("#", "name", "kind", "verdict", "required", "detail"):
        table.add_column(col, overflow="fold")
    for e, a in answers:
        s = style.get(a.verdict, "yellow")
        table.add_row(str(e.index), escape(e.name), e.kind, f"[{s}]{a.verdict}[/{s}]", escape(a.required),
                      escape(a.detail))
    console().print(table)
    if args.json:
        from audit.ledger import write_atomic
        write_atomic(args.json, json.dumps({"file": args.file, "exit_status": status, "claims": records}, indent=2,
                                           default=str))
    return status

