"""`advaudit selftest`: run every registered planted error; each must be judged `violated`.

One line per check (how many of its planted errors were caught, and which were not), one summary line; the
full table with ``--verbose``. A planted variant whose check raises is an error of the run (exit 2), not a
miss; a check with no planted error registered is a miss (it is not shown able to fail).
"""
from __future__ import annotations

import argparse
import time

from rich.markup import escape
from rich.table import Table

from audit.commands.common import add_run_options, prepare_run
from audit.runner import run_check
from audit.terminal import console, counts_text, duration, run_progress, styled
from theory.evidence import ERROR, VIOLATED

VERB = "selftest"
HELP = ("run the planted-error variants of every check; exit 0 if every one is caught (violated), 1 if one is "
        "missed, 2 on bad input or when a variant raises (an error of the run)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)


def _outcome(verdict: str | None) -> str:
    return "caught" if verdict == VIOLATED else ERROR if verdict == ERROR else "missed"


def run(args: argparse.Namespace) -> int:
    from numerics.planted.registry import planted_errors  # torch and cvxpy: loaded only when a selftest runs

    start = time.perf_counter()
    claims, ctx = prepare_run(args)
    specs = [(claim, spec) for claim in claims for spec in claim.checks_for(ctx.tier)]
    rows: list[tuple[str, str, str, str, float]] = []  # check, planted error, outcome, verdict/reason, seconds
    total = sum(len(planted_errors(spec.id)) for _, spec in specs)
    with run_progress(quiet=args.quiet, title=f"planted errors ({ctx.tier} tier)", total=total) as steps:
        for claim, spec in specs:
            planted = planted_errors(spec.id)
            for description, kwargs in planted.items():
                steps.start(f"{spec.id}: {description}")
                ev = run_check(claim, spec, ctx, **kwargs)
                outcome = _outcome(ev.verdict)
                steps.finish(f"{spec.id}: {description}", outcome, ev.wall_time_s)
                rows.append((spec.id, description, outcome, f"{ev.verdict}: {ev.verdict_reason}", ev.wall_time_s))
    out = console()
    if args.verbose:
        table = Table(title=f"advaudit selftest — planted errors (tier {ctx.tier})")
        for col in ("check", "planted error", "outcome", "verdict", "time"):
            table.add_column(col, overflow="fold")
        for check, description, outcome, verdict, seconds in rows:
            table.add_row(escape(check), escape(description), styled(outcome), escape(verdict), duration(seconds))
        out.print(table)
    width = max([len(spec.id) for _, spec in specs] + [10])
    unshown = [spec.id for _, spec in specs if not planted_errors(spec.id)]
    for _, spec in specs:
        mine = [r for r in rows if r[0] == spec.id]
        if not mine:
            out.print(f"{escape(spec.id):<{width}}  {styled('missed')}   no planted error registered: this check is "
                      f"not shown able to fail")
            continue
        caught = sum(r[2] == "caught" for r in mine)
        state = next((o for o in (ERROR, "missed") if any(r[2] == o for r in mine)), "caught")
        out.print(f"{escape(spec.id):<{width}}  {styled(state)}{' ' * (7 - len(state))}  {caught}/{len(mine)} "
                  f"planted error(s) caught  [dim]{duration(sum(r[4] for r in mine))}[/dim]")
        for _, description, outcome, verdict, _ in mine:
            if outcome != "caught":
                out.print(f"    {styled(outcome)}: {escape(description)} → {escape(_short(verdict))}")
    outcomes = [r[2] for r in rows]
    without = f"; {_count(len(unshown), 'check')} without one" if unshown else ""
    out.print(f"[bold]{_count(len(specs), 'check')}, {_count(len(rows), 'planted error')}[/bold]: "
              f"{counts_text(outcomes) or 'none run'}{without} — {duration(time.perf_counter() - start)}")
    return 2 if ERROR in outcomes else 1 if "missed" in outcomes or unshown else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
