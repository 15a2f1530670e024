"""`advaudit selftest`: run every registered planted error; each must be judged `violated`."""
from __future__ import annotations

import argparse
import time

from rich.markup import escape
from rich.table import Table

from audit.commands.common import add_run_options, context_from
from audit.judge import judge
from audit.runner import resolve, select_claims
from audit.terminal import console
from numerics.planted.registry import planted_errors

VERB = "selftest"
HELP = "run the planted-error variants of every check; exit 0 only if every one is caught (violated)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    table = Table(title=f"advaudit selftest — planted errors (tier {ctx.tier})")
    for col in ("check", "planted error", "verdict", "caught", "time"):
        table.add_column(col, overflow="fold")
    missed = 0
    for claim in select_claims(args.only):
        for spec in claim.checks_for(ctx.tier):
            planted = planted_errors(spec.id)
            if not planted:
                missed += 1
                table.add_row(spec.id, "(none registered: this check is not shown able to fail)", "—", "NO", "")
            for description, kwargs in planted.items():
                if not args.quiet:
                    console(stderr=True).print(f"[dim]… {spec.id}: {escape(description)}[/dim]")
                start = time.perf_counter()
                try:
                    verdict = judge(resolve(spec.target)(ctx, **kwargs)).verdict
                except Exception as exc:  # noqa: BLE001 - a crash is a missed catch, reported as such
                    verdict = f"crashed: {type(exc).__name__}: {exc}"
                caught = verdict == "violated"
                missed += not caught
                table.add_row(spec.id, escape(description), escape(str(verdict)), "yes" if caught else "NO",
                              f"{time.perf_counter() - start:.1f} s")
    console().print(table)
    return 1 if missed else 0
