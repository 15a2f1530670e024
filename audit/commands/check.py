"""`advaudit check`: run the claims' checks, judge them, print the table, write the ledger and JUnit."""
from __future__ import annotations

import argparse
import dataclasses

from audit.commands.common import add_data_option, add_run_options, context_from
from audit.ledger import build_ledger, ensure_writable, exit_status, junit_xml, write_atomic, write_json
from audit.runner import data_claims, run_claims, select_claims
from audit.terminal import console, detail_tables, progress_printer, results_table

VERB = "check"
HELP = "run the claims' checks; exit 0 (nothing violated), 1 (violated), 2 (bad input)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument("--json", metavar="PATH", help="write the JSON ledger here")
    parser.add_argument("--junit", metavar="PATH", help="write JUnit XML here (one test case per check)")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a check is inconclusive")
    add_data_option(parser)


def run(args: argparse.Namespace) -> int:
    ctx = dataclasses.replace(context_from(args), data=args.data)
    claims = data_claims(select_claims(args.only), ctx, explicit=bool(args.only))
    for path in (args.json, args.junit):
        if path:
            ensure_writable(path)
    results = run_claims(claims, ctx, on_check=progress_printer(args.quiet))
    out = console()
    if ctx.data is not None:
        from numerics.network.datasets import describe
        out.print(f"real data set {ctx.data}: {describe(ctx.data)['task']}")
    out.print(results_table(results, tier=ctx.tier))
    for table in detail_tables(results):
        out.print(table)
    if args.json:
        write_json(build_ledger(results, tier=ctx.tier, seed=ctx.seed, strict=args.strict, data=ctx.data), args.json)
    if args.junit:
        write_atomic(args.junit, junit_xml(results, tier=ctx.tier))
    return exit_status(results, strict=args.strict)
