"""`advaudit report`: run the claims' checks and write the report (Markdown, HTML, figures, ledger) atomically.

``--out DIR`` is prepared before any check runs (an unwritable or foreign directory is exit 2 at once);
an interrupted run leaves the previous report in DIR as it was. ``--from-ledger PATH`` re-renders a
saved ledger without running anything; ``--hunt-ledger PATH`` adds the "Worst cases found" section of a
hunt (``advaudit hunt --json``). Sweeps inside checks run with ``--workers``/``--scheduler`` and
cache their results under ``--cache-dir`` (``.advaudit-cache/`` in the working directory by default).
"""
from __future__ import annotations

import argparse
import dataclasses
import subprocess
import time
from pathlib import Path

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from audit.commands.common import add_run_options, context_from
from audit.ledger import build_ledger, load_ledger
from audit.runner import run_claims, select_claims
from audit.terminal import console, results_table
from numerics.execution.sweep import check_scheduler, shared_progress
from theory.errors import InputError

VERB = "report"
HELP = "run the checks and write report.md, report.html, figures/ and ledger.json into --out (atomically)"


DEFAULT_CACHE_DIR = ".advaudit-cache"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument("--out", metavar="DIR", default="reports", help="report directory (default reports/)")
    parser.add_argument("--from-ledger", metavar="PATH", help="render this saved ledger instead of running checks")
    parser.add_argument("--hunt-ledger", metavar="PATH",
                        help="add the 'Worst cases found' section from this hunt ledger (advaudit hunt --json)")
    parser.add_argument("--cache-dir", metavar="DIR", help=f"sweep result cache (default {DEFAULT_CACHE_DIR}/)")
    parser.add_argument("--no-cache", action="store_true", help="recompute every sweep point; cache nothing")


def working_tree_state() -> str:
    """'clean', 'N modified tracked file(s)', or 'unknown' (not a git checkout): is the commit the whole story?"""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                             text=True, timeout=10, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    changed = [line for line in out.stdout.splitlines() if line.strip()]
    return f"{len(changed)} modified tracked file(s)" if changed else "clean"


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console(stderr=True), disable=quiet)


def _cache_dir(args: argparse.Namespace) -> str | None:
    if args.no_cache:
        return None
    path = Path(args.cache_dir or DEFAULT_CACHE_DIR)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--cache-dir {str(path)!r} cannot be created: {exc.strerror or exc}") from None
    return str(path)


def run(args: argparse.Namespace) -> int:
    from audit.report.builder import (FIGURES_DIR, LEDGER_JSON, REPORT_HTML, REPORT_MD, render_report,
                                      staged_directory)  # matplotlib: loaded only when a report is made
    from audit.report.hunt import check_hunt_ledger

    start = time.perf_counter()
    if args.workers < 1:
        raise InputError(f"--workers must be ≥ 1, got {args.workers}")
    if args.from_ledger and args.only:
        raise InputError("--only cannot be combined with --from-ledger (the ledger fixes the claims)")
    ledger = load_ledger(args.from_ledger) if args.from_ledger else None
    hunt = check_hunt_ledger(load_ledger(args.hunt_ledger), args.hunt_ledger) if args.hunt_ledger else None
    claims = select_claims(args.only) if ledger is None else []
    if args.scheduler and ledger is None:
        check_scheduler(args.scheduler)
    ctx = dataclasses.replace(context_from(args), cache_dir=_cache_dir(args) if ledger is None else None)
    results = None
    with staged_directory(args.out) as stage, _progress(args.quiet) as bar:
        if ledger is None:
            total = sum(len(c.checks_for(ctx.tier)) for c in claims)
            task = bar.add_task(f"checks ({ctx.tier} tier)", total=total)

            def on_check(claim, spec, ev):  # noqa: ANN001 - the runner's callback signature
                if ev is None:
                    bar.update(task, description=f"checks: {escape(spec.id)}")
                else:
                    bar.advance(task)

            with shared_progress(bar):
                results = run_claims(claims, ctx, on_check=on_check)
            bar.update(task, description=f"checks ({ctx.tier} tier)")
            ledger = build_ledger(results, tier=ctx.tier, seed=ctx.seed)
        fig_task = bar.add_task("figures", total=None)
        run_info = ({"ledger_source": args.from_ledger} if args.from_ledger else
                    {"workers": ctx.workers, "scheduler": ctx.scheduler, "working_tree": working_tree_state()})
        info = render_report(ledger, stage, run_info=run_info, hunt_ledger=hunt,
                             on_figure=lambda done, n: bar.update(fig_task, completed=done, total=n))
        bar.update(fig_task, total=max(len(info["figures"]), 1), completed=max(len(info["figures"]), 1))
    out = console()
    if results is not None:
        out.print(results_table(results, tier=ctx.tier))
    out.print(f"report written to {escape(str(args.out))}/: {REPORT_MD}, {REPORT_HTML}, {LEDGER_JSON}, "
              f"{len(info['figures'])} figure(s) in {FIGURES_DIR}/ (figures {info['figures_s']:.1f} s, "
              f"total {time.perf_counter() - start:.1f} s)")
    return int(ledger.get("exit_status", 0))

