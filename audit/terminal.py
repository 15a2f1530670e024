"""Terminal output: the results table, any per-check tables, and progress lines."""
from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from audit.runner import ClaimResult
from theory.claims import Claim, CheckSpec
from theory.evidence import Evidence

_STYLE = {"consistent": "green", "violated": "bold red", "inconclusive": "yellow", "vacuous": "cyan",
          "refuted-as-stated": "magenta", "holds-under": "blue", "not implemented": "dim"}


def console(stderr: bool = False) -> Console:
    return Console(file=sys.stderr if stderr else sys.stdout, width=160 if not sys.stdout.isatty() else None)


def _headline(ev: Evidence) -> str:
    """The tightest comparison of a check, as 'measured REL bound (margin)'."""
    rows = [c for c in ev.comparisons if c.finite]
    if not rows:
        return ev.verdict_reason
    c = min(rows, key=lambda r: r.margin)
    rhs = f"[{c.interval[0]:.4g}, {c.interval[1]:.4g}] ∋ {c.bound:.4g}" if c.interval else f"{c.bound:.4g}"
    lhs = "CI" if c.interval else f"{c.measured:.4g}"
    rel = "" if c.interval else f" {c.relation} "
    return f"{c.name}: {lhs}{rel}{rhs} (margin {c.margin:.3g}, tol {c.tolerance:.2g})"


def results_table(results: list[ClaimResult], *, tier: str) -> Table:
    table = Table(title=f"advaudit check — tier {tier}")
    for col in ("claim", "prov.", "check", "verdict", "tightest comparison / reason", "time"):
        table.add_column(col, overflow="fold")
    for r in results:
        if not r.evidence:
            table.add_row(r.claim.id, r.claim.provenance, "—", "[dim]not implemented[/dim]", "", "")
        for ev in r.evidence:
            style = _STYLE.get(ev.verdict or "", "")
            table.add_row(r.claim.id, r.claim.provenance, ev.check_id, f"[{style}]{ev.verdict}[/{style}]",
                          _headline(ev), f"{ev.wall_time_s:.1f} s")
    return table


def detail_tables(results: list[ClaimResult]) -> list[Table]:
    """Tables a check published as ``measurements["tables"][title] = {"columns": [...], "rows": [[...]]}``."""
    out = []
    for r in results:
        for ev in r.evidence:
            tables: dict[str, Any] = ev.measurements.get("tables", {}) if isinstance(ev.measurements, dict) else {}
            for title, spec in tables.items():
                t = Table(title=f"{ev.check_id}: {title}")
                for col in spec["columns"]:
                    t.add_column(str(col), overflow="fold")
                for row in spec["rows"]:
                    t.add_row(*(str(v) for v in row))
                out.append(t)
    return out


def progress_printer(quiet: bool):
    """A callback for ``run_claims`` that prints one line per check to stderr (nothing when quiet)."""
    err = console(stderr=True)

    def on_check(claim: Claim, spec: CheckSpec, ev: Evidence | None) -> None:
        if quiet:
            return
        if ev is None:
            err.print(f"[dim]… {spec.id} ({claim.id})[/dim]")
        else:
            style = _STYLE.get(ev.verdict or "", "")
            err.print(f"  {spec.id}: [{style}]{ev.verdict}[/{style}] in {ev.wall_time_s:.1f} s")

    return on_check
