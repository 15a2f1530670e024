"""`advaudit check`: run the claims' checks, judge them, print one line per claim, write the ledger and JUnit."""
from __future__ import annotations

import argparse
import dataclasses
import time

from audit.commands.common import add_data_option, add_run_options, prepare_run
from audit.ledger import build_ledger, exit_status, junit_xml, write_atomic, write_json
from audit.runner import checks_to_run, data_claims, run_claims
from audit.terminal import console, print_results, run_progress

VERB = "check"
HELP = ("run the claims' checks; exit 0 (nothing violated), 1 (violated; with --strict also inconclusive), "
        "2 (bad input, or an error of the run: a check that raised, an environment fault)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument("--json", metavar="PATH", help="write the JSON ledger here")
    parser.add_argument("--junit", metavar="PATH", help="write JUnit XML here (one test case per check)")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a check is inconclusive")
    add_data_option(parser)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    claims, ctx = prepare_run(args, outputs={"--json": args.json, "--junit": args.junit})
    ctx = dataclasses.replace(ctx, data=args.data)
    claims = data_claims(claims, ctx, explicit=bool(args.only))
    if ctx.data is not None and not args.quiet:
        from numerics.network.datasets import describe
        console(stderr=True).print(f"real data set {ctx.data}: {describe(ctx.data)['task']}", markup=False)
    total = sum(len(checks_to_run(c, ctx)) for c in claims)
    with run_progress(quiet=args.quiet, title=f"checks ({ctx.tier} tier)", total=total) as steps:
        results = run_claims(claims, ctx, on_check=steps.on_check)
    print_results(results, tier=ctx.tier, seconds=time.perf_counter() - start, verbose=args.verbose)
    if args.json:
        write_json(build_ledger(results, tier=ctx.tier, seed=ctx.seed, strict=args.strict, data=ctx.data),
                   args.json)
    if args.junit:
        write_atomic(args.junit, junit_xml(results, tier=ctx.tier))
    return exit_status(results, strict=args.strict)
