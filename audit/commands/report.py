"""`advaudit report`: run the claims' checks and write the report (Markdown, HTML, figures, ledger) atomically.

Where: ``--out DIR``, by default a fresh ``advaudit-report-<time>/`` in the working directory. An existing
non-empty DIR (the committed ``reports/`` included) is rewritten only with ``--force``, and even then only the
previous report's own files are replaced; nothing the tool did not write is deleted (audit/report/builder.py).
Every option is validated before any check runs (exit 2, one line, nothing written); an interrupted run
leaves DIR as it was. ``--from-ledger PATH`` re-renders a saved ledger without running anything;
``--hunt-ledger PATH`` adds the "Worst cases found" section of a hunt (``advaudit hunt --json``). Sweeps
inside checks run with ``--workers``/``--scheduler`` and cache their results under ``--cache-dir``
(``.advaudit-cache/`` in the working directory by default). ``--data NAME`` (repeatable) also runs the
checks that take data on that real data set; the report gains a "Real data" section with their verdicts,
comparisons and figures.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import time
from pathlib import Path

from rich.markup import escape

from audit.commands.common import add_data_option, add_run_options, check_device, prepare_run
from audit.ledger import build_ledger, load_ledger
from audit.runner import checks_to_run, data_claims, run_claims
from audit.terminal import console, counts_text, duration, print_results, run_progress
from theory.errors import InputError

VERB = "report"
HELP = ("run the checks and write report.md, report.html, figures/ and ledger.json into a fresh directory "
        "(or --out DIR), atomically; exit codes as for check")


DEFAULT_CACHE_DIR = ".advaudit-cache"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="report directory (default: a new advaudit-report-<time>/ here); an existing non-empty "
                             "one only with --force")
    parser.add_argument("--force", action="store_true",
                        help="replace the report in an existing --out DIR (e.g. --out reports --force); files "
                             "advaudit did not write there are kept")
    parser.add_argument("--from-ledger", metavar="PATH", help="render this saved ledger instead of running checks")
    parser.add_argument("--hunt-ledger", metavar="PATH",
                        help="add the 'Worst cases found' section from this hunt ledger (advaudit hunt --json)")
    parser.add_argument("--cache-dir", metavar="DIR", help=f"sweep result cache (default {DEFAULT_CACHE_DIR}/)")
    parser.add_argument("--no-cache", action="store_true", help="recompute every sweep point; cache nothing")
    add_data_option(parser, repeat=True)


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


def _cache_dir(args: argparse.Namespace) -> str | None:
    """The sweep cache directory, validated (not created: the first sweep creates it)."""
    if args.no_cache:
        return None
    if "\x00" in (args.cache_dir or ""):
        raise InputError(f"--cache-dir {args.cache_dir!r}: a path cannot contain a NUL byte")
    path = Path(args.cache_dir or DEFAULT_CACHE_DIR)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"--cache-dir {str(path)!r}: {str(existing)!r} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"--cache-dir {str(path)!r} is not writable")
    return str(path)


def run(args: argparse.Namespace) -> int:
    from audit.report.builder import (FIGURES_DIR, LEDGER_JSON, REPORT_HTML, REPORT_MD, check_output_dir,
                                      default_out_dir, render_report, staged_directory)  # matplotlib: only here
    from audit.report.hunt import check_hunt_ledger

    start = time.perf_counter()
    if args.from_ledger and (args.only or args.data):
        raise InputError(f"{'--only' if args.only else '--data'} cannot be combined with --from-ledger "
                         "(the ledger fixes the claims and data sets)")
    out = args.out if args.out is not None else str(default_out_dir())
    check_output_dir(out, force=args.force)
    hunt = check_hunt_ledger(load_ledger(args.hunt_ledger), args.hunt_ledger) if args.hunt_ledger else None
    if args.from_ledger:
        ledger, claims, ctx = load_ledger(args.from_ledger), [], None
        check_device(args.device)
    else:
        ledger = None
        cache_dir = _cache_dir(args)
        claims, ctx = prepare_run(args)
        ctx = dataclasses.replace(ctx, cache_dir=cache_dir)
    data_runs = {name: data_claims(claims, dataclasses.replace(ctx, data=name), explicit=False)
                 for name in dict.fromkeys(args.data or [])}
    if data_runs and not any(data_runs.values()):
        raise InputError("--data: none of the selected claims has a check that runs on a real data set "
                         "(claims that do: C0, C1, C5, C7)")
    results = None
    total = sum(len(c.checks_for(ctx.tier)) for c in claims) if ctx else 0
    total += sum(len(checks_to_run(c, dataclasses.replace(ctx, data=name)))
                 for name, cs in data_runs.items() for c in cs)
    with staged_directory(out, force=args.force) as staged, \
            run_progress(quiet=args.quiet, title=f"checks ({args.tier} tier)", total=total) as steps:
        if ledger is None:
            results = run_claims(claims, ctx, on_check=steps.on_check)
            real = {name: run_claims(cs, dataclasses.replace(ctx, data=name), on_check=steps.on_check)
                    for name, cs in data_runs.items()}
            ledger = build_ledger(results, tier=ctx.tier, seed=ctx.seed, real_data=real)
        run_info = ({"ledger_source": args.from_ledger} if args.from_ledger else
                    {"workers": ctx.workers, "scheduler": ctx.scheduler, "working_tree": working_tree_state()})
        figures: dict[str, object] = {}

        def on_figure(done: int, n: int) -> None:
            if "task" not in figures:
                figures["task"] = steps.progress.add_task("figures", total=n)
            steps.progress.update(figures["task"], completed=done)

        info = render_report(ledger, staged.path, run_info=run_info, on_figure=on_figure, hunt_ledger=hunt)
    seconds = time.perf_counter() - start
    out_console = console()
    if results is not None:
        print_results(results, tier=ctx.tier, seconds=seconds, verbose=args.verbose)
    else:
        verdicts = [c.get("verdict", "") for c in ledger.get("claims", [])]
        out_console.print(f"[bold]{len(verdicts)} claims[/bold] (from {escape(args.from_ledger)}): "
                          f"{counts_text(verdicts)}")
    where = Path(os.path.relpath(staged.final)) if staged.final and staged.final.is_relative_to(Path.cwd()) \
        else staged.final or Path(out)
    if staged.note:
        out_console.print(f"[bold yellow]note:[/bold yellow] {escape(staged.note)}")
    out_console.print(f"report written to {escape(str(where))}/: {REPORT_MD}, {REPORT_HTML}, {LEDGER_JSON}, "
                      f"{len(info['figures'])} figure(s) in {FIGURES_DIR}/ (figures {duration(info['figures_s'])}, "
                      f"total {duration(seconds)})")
    return int(ledger.get("exit_status", 0))
