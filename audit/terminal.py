"""Terminal output: one line per claim and a summary line (stdout), tables behind ``--verbose``, and one
progress display (stderr) shared by ``check``, ``report`` and ``selftest``.

Progress on a terminal is a live rich display — the run's bar, the running step with its elapsed time, the
bars of the sweeps inside it — and one line per finished step; elsewhere (CI logs, pipes) it is one line when
a step starts and one when it ends; with ``--quiet`` nothing.
"""
from __future__ import annotations

import contextlib
import math
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn,
                           TimeElapsedColumn)
from rich.table import Table
from rich.text import Text

from audit.judge import deciding_comparison
from audit.runner import ClaimResult
from theory.claims import CheckSpec, Claim
from theory.evidence import ERROR, Comparison, Evidence

STYLE = {"consistent": "green", "violated": "bold red", "inconclusive": "yellow", "vacuous": "cyan",
         "refuted-as-stated": "magenta", "holds-under": "blue", "not implemented": "dim", ERROR: "bold white on red",
         "caught": "green", "missed": "bold red"}
_REL = {"<=": "≤", ">=": "≥", "==": "="}
_MISS = {"<=": "over by", ">=": "under by", "==": "off by", "contains": "outside by"}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(file=stream, width=None if stream.isatty() else 160, highlight=False, soft_wrap=True)


def styled(outcome: str) -> str:
    """``outcome`` as rich markup in its colour."""
    style = STYLE.get(outcome, "")
    return f"[{style}]{escape(outcome)}[/{style}]" if style else escape(outcome)


def duration(seconds: float) -> str:
    """'0.4s', '41.2s', '2m14s', '1h03m'."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    s = int(round(seconds))
    return f"{s // 60}m{s % 60:02d}s" if s < 3600 else f"{s // 3600}h{s % 3600 // 60:02d}m"


def comparison_text(c: Comparison) -> str:
    """'name: measured ≤ bound (slack 1.8×)'; a pass that needs its tolerance, and a failure, say so."""
    if c.interval is not None:
        body = f"CI [{c.interval[0]:.4g}, {c.interval[1]:.4g}] ∋ {c.bound:.4g}"
    else:
        body = f"{c.measured:.4g} {_REL.get(c.relation, c.relation)} {c.bound:.4g}"
    if not c.finite:
        return f"{c.name}: {body} (not finite)"
    if c.relation == "==" and c.margin == 0:
        return f"{c.name}: {body} (exact)"
    if not c.holds:
        return f"{c.name}: {body} fails by {-c.margin:.3g} (tolerance {c.tolerance_name} = {c.tolerance:.2g})"
    if c.margin < 0:
        return (f"{c.name}: {body} holds within tolerance {c.tolerance_name} = {c.tolerance:.2g} "
                f"({_MISS.get(c.relation, 'off by')} {-c.margin:.3g})")
    slack = c.slack
    if slack is not None and math.isfinite(slack):
        kind = "CI width/|bound|" if c.relation == "contains" else "slack"
        return f"{c.name}: {body} ({kind} {slack:.3g}{'' if c.relation == 'contains' else '×'})"
    return f"{c.name}: {body} (margin {abs(c.margin) if c.margin == 0 else c.margin:.3g})"


def deciding_check(result: ClaimResult) -> Evidence | None:
    """The check that decided the claim (audit.judge.claim_judgement); None when none did (a dependency capped
    the claim, its evidence is encoding only, or no check ran)."""
    name = result.judgement.deciding_check
    return next((ev for ev in result.evidence if ev.check_id == name), None)


def _reason(ev: Evidence, limit: int = 140) -> str:
    row = deciding_comparison(ev)
    return _shorten(comparison_text(row) if row is not None else " ".join(ev.verdict_reason.split()), limit)


def claim_line(result: ClaimResult, id_width: int = 28, line_width: int = 160) -> str:
    """'C5-ntk-concentration  consistent  fitted slope: CI [...] ∋ -0.5 (…)  70.1s' as rich markup, at most
    ``line_width`` characters (the deciding comparison is shortened to fit)."""
    verdict = result.verdict
    pad = " " * max(0, 18 - len(verdict))
    seconds = sum(ev.wall_time_s for ev in result.evidence)
    if not result.evidence:
        return f"{escape(result.claim.id):<{id_width}}  {styled(verdict)}{pad}  [dim]no check at this tier[/dim]"
    judgement = result.judgement
    ev = deciding_check(result)
    flags = f"[{' '.join(judgement.flags)}] " if judgement.flags else ""
    if ev is None:
        text = " ".join(judgement.reason.split())
    else:
        text = (f"{ev.check_id}: " if len(result.evidence) > 1 else "") + _reason(ev, limit=10_000)
    time_text = duration(seconds)
    room = max(30, line_width - max(id_width, len(result.claim.id)) - 2 - len(verdict) - len(pad) - 2 - 2
               - len(time_text) - 1)
    reason = _shorten(flags + text, room)
    return f"{escape(result.claim.id):<{id_width}}  {styled(verdict)}{pad}  {escape(reason)}  [dim]{time_text}[/dim]"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def counts_text(outcomes: list[str]) -> str:
    """'8 consistent, 2 refuted-as-stated, 1 inconclusive' (most frequent first)."""
    counts = Counter(outcomes)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], outcomes.index(kv[0])))
    return ", ".join(f"{n} {styled(v)}" for v, n in ordered)


def summary_line(results: list[ClaimResult], seconds: float) -> str:
    """'11 claims: 8 consistent, 2 refuted-as-stated, 1 inconclusive — 2m14s'."""
    noun = "claim" if len(results) == 1 else "claims"
    return f"[bold]{len(results)} {noun}[/bold]: {counts_text([r.verdict for r in results])} — {duration(seconds)}"


def print_results(results: list[ClaimResult], *, tier: str, seconds: float, verbose: bool) -> None:
    """One line per claim, the per-check table and detail tables when ``verbose``, then the summary line."""
    out = console()
    if verbose:
        out.print(results_table(results, tier=tier))
        for table in detail_tables(results):
            out.print(table)
    width = max([len(r.claim.id) for r in results] + [10])
    for r in results:
        out.print(claim_line(r, width, out.width))
    out.print(summary_line(results, seconds))


def results_table(results: list[ClaimResult], *, tier: str) -> Table:
    """Every check with its verdict, deciding comparison (or reason) and time (``--verbose``)."""
    table = Table(title=f"advaudit check — tier {tier}")
    for col in ("claim", "prov.", "check", "verdict", "deciding comparison / reason", "time"):
        table.add_column(col, overflow="fold")
    for r in results:
        if not r.evidence:
            table.add_row(escape(r.claim.id), r.claim.provenance, "—", styled("not implemented"), "", "")
        for ev in r.evidence:
            table.add_row(escape(r.claim.id), r.claim.provenance, escape(ev.check_id), styled(ev.verdict or ""),
                          escape(_reason(ev, limit=400)), duration(ev.wall_time_s))
    return table


def detail_tables(results: list[ClaimResult]) -> list[Table]:
    """Tables a check published as ``measurements["tables"][title] = {"columns": [...], "rows": [[...]]}``."""
    out = []
    for r in results:
        for ev in r.evidence:
            tables: dict[str, Any] = ev.measurements.get("tables", {}) if isinstance(ev.measurements, dict) else {}
            for title, spec in tables.items():
                t = Table(title=escape(f"{ev.check_id}: {title}"))
                for col in spec["columns"]:
                    t.add_column(escape(str(col)), overflow="fold")
                for row in spec["rows"]:
                    t.add_row(*(escape(str(v)) for v in row))
                out.append(t)
    return out


class Steps:
    """The progress of a run of steps (checks, planted errors, figures); see the module docstring."""

    def __init__(self, progress: Progress, err: Console, *, live: bool, quiet: bool, title: str, total: int):
        self.progress, self._err, self._live, self._quiet, self._title = progress, err, live, quiet, title
        self._run = progress.add_task(title, total=total) if total else None
        self._step: TaskID | None = None

    def start(self, label: str) -> None:
        if self._quiet:
            return
        if self._live:
            self._step = self.progress.add_task(f"  {escape(label)}", total=None)
        else:
            self._err.print(f"[dim]… {escape(label)}[/dim]")

    def finish(self, label: str, outcome: str, seconds: float) -> None:
        if self._step is not None:
            self.progress.remove_task(self._step)
            self._step = None
        if self._run is not None:
            self.progress.advance(self._run)
        if not self._quiet:
            self._err.print(f"  {escape(label)}: {styled(outcome)} in {duration(seconds)}")

    def on_check(self, claim: Claim, spec: CheckSpec, ev: Evidence | None) -> None:
        """``run_claims``'s callback."""
        if ev is None:
            self.start(f"{spec.id} ({claim.id})")
        else:
            self.finish(spec.id, ev.verdict or "", ev.wall_time_s)

    def note(self, text: str) -> None:
        if not self._quiet:
            self._err.print(text)


class _Count(MofNCompleteColumn):
    """'3/11' for a task with a total; nothing for a running step (no total)."""

    def render(self, task: Any) -> Text:
        return super().render(task) if task.total is not None else Text("")


@contextlib.contextmanager
def run_progress(*, quiet: bool, title: str, total: int) -> Iterator[Steps]:
    """The progress display of a run on stderr, lent to the sweeps started inside it."""
    from numerics.execution.sweep import shared_progress

    err = console(stderr=True)
    live = err.is_terminal and not quiet
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _Count(),
                        TimeElapsedColumn(), console=err, transient=True, disable=not live)
    with progress, shared_progress(progress):
        yield Steps(progress, err, live=live, quiet=quiet, title=title, total=total)
