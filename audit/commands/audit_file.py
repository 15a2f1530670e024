"""`advaudit audit FILE.toml`: answer the claims written in a user's TOML file (kinds in audit/user_claims.py)."""
from __future__ import annotations

import argparse
import json
import os
import stat

from theory.errors import InputError

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

    _check_claim_file(args.file)
    if args.json not in (None, "-"):
        from audit.ledger import ensure_writable
        ensure_writable(args.json, "--json", ours=lambda text: '"claims"' in text and '"exit_status"' in text)
        if os.path.lexists(args.json) and os.path.samefile(args.json, args.file):
            raise InputError(f"--json {args.json!r} is the claim file itself")
    entries = load_claims(args.file)
    answers = answer_all(args.file, entries)
    records = [{"index": e.index, "name": e.name, "kind": e.kind, "params": e.params, "verdict": a.verdict,
                "required": a.required, "detail": a.detail, "data": a.data} for e, a in answers]
    status = 1 if any(a.verdict in FAILING_VERDICTS for _, a in answers) else 0
    if args.json == "-":
        print(_json(args.file, status, records))
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
        write_atomic(args.json, _json(args.file, status, records) + "\n")
    return status


MAX_CLAIM_FILE_BYTES = 1 << 20  # a claim file is a few tables; refuse to read a device or a huge file


def _check_claim_file(path: str) -> None:
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    if info.st_size > MAX_CLAIM_FILE_BYTES:
        raise InputError(f"{path}: {info.st_size} bytes; a claim file is at most {MAX_CLAIM_FILE_BYTES} bytes")


def _json(path: str, status: int, records: list[dict]) -> str:
    from theory.evidence import json_safe

    return json.dumps(json_safe({"file": path, "exit_status": status, "claims": records}), indent=2,
                      ensure_ascii=False)
