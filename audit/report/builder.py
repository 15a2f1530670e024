"""Writes a report directory from a ledger, atomically.

Layout of ``DIR``::

    DIR/report.md      GitHub-flavoured Markdown; figures linked relatively (figures/…png)
    DIR/report.html    one self-contained page (figures embedded as data: URIs, inline CSS)
    DIR/figures/*.png  one PNG per series group (matplotlib, Agg backend)
    DIR/ledger.json    the JSON ledger the report was made from (audit.ledger schema)
    DIR/hunt.json      the hunt ledger of the "Worst cases found" section, when one was given

Atomicity: ``staged_directory(DIR)`` creates an empty staging directory next to ``DIR`` (same file
system) *before* any work, so an unwritable destination fails at once with an ``InputError``. Everything
is written there; only when the block finishes without an exception is the staging directory renamed
to ``DIR`` (the previous ``DIR`` is first renamed aside, then removed). An interrupted or failing run
removes its staging directory and leaves the previous report byte-for-byte intact. ``DIR`` belongs to
the report: an existing non-empty ``DIR`` that is not a previous report is refused, never replaced.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from audit.ledger import write_atomic, write_json
from audit.report import content, html, markdown
from audit.report.adapters import series_for
from audit.report.figures import FigureSpec, collect_figures, render_figure
from audit.report.hunt import hunt_blocks
from theory.errors import InputError

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
LEDGER_JSON = "ledger.json"
HUNT_JSON = "hunt.json"
FIGURES_DIR = "figures"


def plan_figures(ledger: dict[str, Any]) -> tuple[dict[str, list[FigureSpec]], dict[str, list[str]]]:
    """The figures each check yields (adapters + its own series), and the problems found on the way."""
    figures: dict[str, list[FigureSpec]] = {}
    problems: dict[str, list[str]] = {}
    for claim in ledger.get("claims", []):
        for check in claim.get("checks", []):
            cid = check.get("check_id", "")
            series, adapter_problems = series_for(check)
            figs, probs = collect_figures(cid, series)
            figures.setdefault(cid, []).extend(figs)
            problems.setdefault(cid, []).extend(adapter_problems + probs)
    return figures, problems


def render_report(ledger: dict[str, Any], directory: str | os.PathLike, *, run_info: dict[str, Any] | None = None,
                  on_figure: Callable[[int, int], None] | None = None,
                  hunt_ledger: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write report.md, report.html, figures/ and ledger.json into ``directory`` (not atomic by itself);
    with ``hunt_ledger`` (``advaudit hunt --json``) also the "Worst cases found" section and hunt.json.

    ``on_figure(done, total)`` is called after each figure. Returns {"figures": [paths relative to the directory], "figures_s": seconds spent drawing}.
    """
    root = Path(directory)
    (root / FIGURES_DIR).mkdir(parents=True, exist_ok=True)
    figures, problems = plan_figures(ledger)
    todo = [f for figs in figures.values() for f in figs]
    start = time.perf_counter()
    drawn = []
    for k, fig in enumerate(todo, 1):
        path = root / FIGURES_DIR / fig.filename
        try:
            render_figure(fig, path)
            drawn.append(f"{FIGURES_DIR}/{fig.filename}")
        except (TypeError, ValueError, OverflowError) as exc:  # data matplotlib cannot draw: say so, go on
            figures[fig.check_id].remove(fig)
            problems.setdefault(fig.check_id, []).append(f"figure '{fig.group}' could not be drawn: {exc}")
        if on_figure:
            on_figure(k, len(todo))
    info = {**(run_info or {}), "figures_s": time.perf_counter() - start}
    sections = hunt_blocks(hunt_ledger) if hunt_ledger is not None else None
    blocks = content.report_blocks(ledger, figures, problems, info, sections)
    write_atomic(root / REPORT_MD, markdown.render(blocks))
    title = f"advaudit report — {ledger.get('tier', '')} tier"
    write_atomic(root / REPORT_HTML, html.render(blocks, title=title, root=root))
    write_json(ledger, root / LEDGER_JSON)
    if hunt_ledger is not None:
        write_json(hunt_ledger, root / HUNT_JSON)
    _readable(root)
    return {"figures": drawn, "figures_s": info["figures_s"]}


def _readable(root: Path) -> None:
    """Give the written files the usual permissions (the atomic writer's temporary files are 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [root, *root.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _is_previous_report(path: Path) -> bool:
    return (path / LEDGER_JSON).is_file() and (path / REPORT_MD).is_file()


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@contextlib.contextmanager
def staged_directory(out: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging directory next to ``out``; on success it replaces ``out`` (see module doc)."""
    dest = Path(out).absolute()
    if dest.exists() and not dest.is_dir():
        raise InputError(f"output path {str(out)!r} exists and is not a directory")
    if dest.is_dir() and any(dest.iterdir()) and not _is_previous_report(dest):
        raise InputError(f"output directory {str(out)!r} is not empty and holds no previous report "
                         f"(no {REPORT_MD} + {LEDGER_JSON}); choose a new or empty directory")
    existing = _nearest_existing(dest.parent)
    if not existing.is_dir():
        raise InputError(f"cannot create output directory {str(out)!r}: {str(existing)!r} is not a directory")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.staging-"))
    except OSError as exc:
        raise InputError(f"output directory {str(out)!r} is not writable: {exc.strerror or exc}") from None
    try:
        yield stage
        _swap_in(stage, dest)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _swap_in(stage: Path, dest: Path) -> None:
    """Rename ``stage`` to ``dest``; a previous ``dest`` is moved aside first and removed afterwards."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.previous-"))
        os.rename(dest, old / "report")
    try:
        os.rename(stage, dest)
    except BaseException:
        if old is not None:
            os.rename(old / "report", dest)
            old.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_report(ledger: dict[str, Any], out: str | os.PathLike, *, run_info: dict[str, Any] | None = None,
                 on_figure: Callable[[int, int], None] | None = None,
                 hunt_ledger: dict[str, Any] | None = None) -> dict[str, Any]:
    """Render ``ledger`` (and a hunt ledger's worst cases) into ``out`` atomically (staging directory, then rename)."""
    with staged_directory(out) as stage:
        result = render_report(ledger, stage, run_info=run_info, on_figure=on_figure, hunt_ledger=hunt_ledger)
    return result
