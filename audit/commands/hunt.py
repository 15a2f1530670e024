"""`advaudit hunt`: search each claim's hypothesis space for a counterexample with Hypothesis (audit/hunt/).

Every argument is checked before any work (exit 2, one line). The total ``--budget-s`` is shared by the checks
in proportion to their plans' default budgets, and time a check leaves unused rolls over to the next. The
Hypothesis example database lives in ``CACHE_DIR/hunt-db`` (``.advaudit-cache/`` by default; ``--no-cache``: none),
so a counterexample found once is replayed first on the next run. ``--planted`` hunts every planted error of the
selected checks instead (numerics/planted/registry.py): each must be found (exit 0) within its plan's default
budget, and the table shows how many examples the hunt needed against the check's fixed grid.
Exit status: 0 nothing violated (planted: every planted error found), 1 violated (planted: one missed), 2 bad input.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from audit.commands.report import DEFAULT_CACHE_DIR
from audit.runner import select_claims
from audit.terminal import console
from theory.errors import InputError, positive_int, positive_number

VERB = "hunt"
HELP = ("search each claim's hypothesis space for a re-verified counterexample (Hypothesis, targeted and shrunk); "
        "exit 0 (none found), 1 (violated), 2 (bad input)")
DATABASE_DIR = "hunt-db"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", nargs="+", metavar="ID", help="claim ids or prefixes (e.g. C1 C5)")
    parser.add_argument("--budget-s", type=float, metavar="S",
                        help="total wall-time budget in seconds (default: the sum of the checks' default budgets)")
    parser.add_argument("--max-examples", type=int, metavar="N",
                        help="examples generated per check (default: each check's plan; shrinking adds up to N more)")
    parser.add_argument("--example-limit-s", type=float, metavar="S",
                        help="time limit of one example (default: each check's plan)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    parser.add_argument("--json", metavar="PATH", help="write the hunt ledger (JSON, schema advaudit.ledger) here")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help=f"where the example database lives (default {DEFAULT_CACHE_DIR}/)")
    parser.add_argument("--no-cache", action="store_true", help="no example database: nothing saved or replayed")
    parser.add_argument("--planted", action="store_true",
                        help="hunt every planted error of the selected checks; each must be found")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _jobs(args: argparse.Namespace) -> list[tuple[Any, Any, str | None, dict[str, Any]]]:
    """(claim, plan, planted description, check keyword arguments) for every hunt to run, in registry order."""
    from numerics.checks.hunts.plan import not_hunted_reason, plan_for

    jobs = []
    for claim in select_claims(args.only):
        plans = [(spec, plan_for(spec)) for spec in claim.checks]
        plans = [(spec, plan) for spec, plan in plans if plan is not None]
        if not plans and args.only:
            reasons = sorted({r for r in map(not_hunted_reason, claim.checks) if r})
            raise InputError(f"--only {claim.id}: no numerical check to hunt ("
                             + ("; ".join(reasons) if reasons else "its checks are symbolic and exact") + ")")
        for spec, plan in plans:
            if not args.planted:
                jobs.append((claim, plan, None, {}))
                continue
            from numerics.planted.registry import planted_errors
            for description, kwargs in planted_errors(spec.id).items():
                plan.split_parameters(kwargs)  # a planted argument the hunt does not know is a bug: fail before work
                jobs.append((claim, plan, description, kwargs))
    if not jobs:
        raise InputError("nothing to hunt: the selected claims have no numerical check"
                         + (" with planted errors" if args.planted else ""))
    return jobs


def _database(args: argparse.Namespace) -> Path | None:
    if args.no_cache:
        return None
    path = Path(args.cache_dir or DEFAULT_CACHE_DIR) / DATABASE_DIR
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--cache-dir {str(path.parent)!r} cannot be used: {exc.strerror or exc}") from None
    return path


def _validated(args: argparse.Namespace) -> dict[str, Any]:
    if args.budget_s is not None:
        positive_number("--budget-s", args.budget_s)
    if args.max_examples is not None:
        positive_int("--max-examples", args.max_examples)
    if args.example_limit_s is not None:
        positive_number("--example-limit-s", args.example_limit_s)
    if args.cache_dir and args.no_cache:
        raise InputError("--cache-dir and --no-cache exclude each other")
    jobs = _jobs(args)
    if args.json:
        from audit.ledger import ensure_writable
        ensure_writable(args.json)
    budget = args.budget_s if args.budget_s is not None else sum(plan.budget_s for _, plan, _, _ in jobs)
    return {"jobs": jobs, "budget_s": float(budget), "database": _database(args)}


def run(args: argparse.Namespace) -> int:
    checked = _validated(args)
    from audit.hunt.record import TABLE_COLUMNS, exit_status, hunt_ledger, table_row
    from audit.hunt.search import hunt

    jobs, budget, database = checked["jobs"], checked["budget_s"], checked["database"]
    weights = [plan.budget_s for _, plan, _, _ in jobs]
    start = time.perf_counter()
    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console(stderr=True), disable=args.quiet) as bar:
        for k, (claim, plan, planted, kwargs) in enumerate(jobs):
            remaining = budget - (time.perf_counter() - start)
            allotment = max(remaining, 0.0) * weights[k] / sum(weights[k:])
            label = plan.check_id + (f" [{planted}]" if planted else "")
            task = bar.add_task(escape(label), total=max(allotment, 1e-9))

            def on_example(result, example, task=task, label=label):  # noqa: ANN001 - search callback
                worst = result.worst
                margin = (f", smallest margin {worst.score.value:.3g}" if worst is not None and worst.score
                          and worst.score.value is not None else "")
                found = " — VIOLATED" if result.violation is not None else ""
                bar.update(task, completed=sum(e.seconds for e in result.examples),
                           description=escape(f"{label}: {len(result.measured)} examples{margin}{found}"))

            results.append(hunt(claim.id, claim.space, plan, budget_s=allotment,
                                max_examples=args.max_examples or plan.max_examples,
                                example_limit_s=args.example_limit_s or plan.example_limit_s, seed=args.seed,
                                database_dir=database, parts=kwargs, planted=planted, on_example=on_example))
            bar.update(task, completed=max(allotment, 1e-9))
    title = f"advaudit hunt — {'planted errors' if args.planted else 'hypothesis spaces'} " \
            f"(budget {budget:.0f} s, seed {args.seed}; a hunt alone never says consistent)"
    table = Table(title=title)
    for col in TABLE_COLUMNS:
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(*(escape(c) for c in table_row(r)))
    console().print(table)
    if args.json:
        from audit.ledger import write_json
        settings = {"budget_s": budget, "max_examples": args.max_examples, "example_limit_s": args.example_limit_s,
                    "seed": args.seed, "planted": bool(args.planted), "database": str(database) if database else None,
                    "wall_s": round(time.perf_counter() - start, 3)}
        write_json(hunt_ledger(results, settings, planted=args.planted), args.json)
    return exit_status(results, planted=args.planted)
