"""`advaudit audit FILE.toml`: answer the claims written in a user's TOML file (kinds in audit/user_claims.py and
audit/measured_kinds.py) through ``audit.user_claims.check_file``."""
from __future__ import annotations

import argparse
import json
import os
import stat

from theory.errors import InputError

VERB = "audit"
HELP = ("audit the claims of a TOML file ([[claim]] tables; kinds: width, exponents, vc-count, ntk-concentration, "
        "robust-loss, convergence, bound). Exit 0 when every entry is implied/consistent, 1 when one is 'not "
        "implied', 'flagged', 'violated' or 'vacuous' (with --strict also 'inconclusive'), 2 on bad input (one line "
        "naming the entry and field; nothing runs, nothing is written)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.toml", help="claim file, e.g. examples/claims/width.toml")
    parser.add_argument("--json", metavar="PATH", nargs="?", const="-",
                        help="also write the user ledger as JSON to PATH ('-' or no PATH: standard output, no table)")
    parser.add_argument("--tier", choices=("fast", "full"), default="fast",
                        help="budget of the measured kinds' attacks (default fast)")
    parser.add_argument("--seed", type=int, default=0, help="master seed of the measured kinds (default 0)")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes for NTK sweeps")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when an entry is inconclusive")
    parser.add_argument("--allow-unsafe-load", action="store_true",
                        help="accept network files that are pickled modules or TorchScript (this RUNS CODE from the "
                             "file: only for files you trust); by default only plain tensor state dicts are read")


def run(args: argparse.Namespace) -> int:
    from audit.user_claims import check_file

    _check_claim_file(args.file)
    if args.json not in (None, "-"):
        from audit.ledger import ensure_writable
        ensure_writable(args.json, "--json", ours=lambda text: '"claims"' in text and '"exit_status"' in text)
        if os.path.lexists(args.json) and os.path.samefile(args.json, args.file):
            raise InputError(f"--json {args.json!r} is the claim file itself")
    ledger = check_file(args.file, tier=args.tier, seed=args.seed, workers=args.workers,
                        allow_unsafe_load=args.allow_unsafe_load, strict=args.strict)
    status = ledger["exit_status"]
    if args.json == "-":
        print(_json(ledger))
        return status
    from rich.markup import escape
    from rich.table import Table

    from audit.terminal import console

    style = {"implied": "green", "consistent": "green", "not implied": "bold red", "flagged": "bold red",
             "violated": "bold red", "vacuous": "cyan"}
    table = Table(title=f"advaudit audit — {escape(args.file)}")
    for col in ("#", "name", "kind", "verdict", "required", "detail"):
        table.add_column(col, overflow="fold")
    for r in ledger["claims"]:
        s = style.get(r["verdict"], "yellow")
        table.add_row(str(r["index"]), escape(r["name"]), r["kind"], f"[{s}]{r['verdict']}[/{s}]",
                      escape(r["required"]), escape(r["detail"]))
    console().print(table)
    if args.json:
        from audit.ledger import write_atomic
        write_atomic(args.json, _json(ledger) + "\n")
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


def _json(ledger: dict) -> str:
    from theory.evidence import json_safe

    return json.dumps(json_safe(ledger), indent=2, ensure_ascii=False)
