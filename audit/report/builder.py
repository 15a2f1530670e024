"""Writes a report directory from a ledger, atomically.

Layout of ``DIR``::

    DIR/report.md      GitHub-flavoured Markdown; figures linked relatively (figures/…png)
    DIR/report.html    one self-contained page (figures embedded as data: URIs, inline CSS)
    DIR/figures/*.png  one PNG per series group (matplotlib, Agg backend)
    DIR/ledger.json    the JSON ledger the report was made from (audit.ledger schema)
    DIR/hunt.json      the hunt ledger of the "Worst cases found" section, when one was given
    DIR/.advaudit-report.json   the manifest: the files this report wrote

Which directory: ``check_output_dir`` validates ``DIR`` before any work and writes nothing. A new or empty
directory is fine; a non-empty one only with ``force`` (``--force``), and then only the previous report's
files (its manifest's, or for an older report report.md, report.html, ledger.json and the figures its
report.md links) are replaced — every other file is carried into the new directory (hard link, else copy).
Nothing the tool did not write is ever deleted. The CLI's default is a fresh ``advaudit-report-<time>``.

Atomicity: ``staged_directory(DIR)`` creates an empty staging directory next to ``DIR`` (same file
system); everything is written there, and only when the block finishes without an exception is it renamed
to ``DIR`` (the previous ``DIR`` is first renamed aside, then removed). An interrupted or failing run
removes its staging directory and leaves the previous report byte-for-byte intact. When the swap cannot be
made (a foreign file where the report writes, a rename the file system refuses), the finished report is
renamed to ``DIR.new-<time>`` instead and ``DIR`` is left as it was.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.ledger import write_atomic, write_json
from audit.report import content, html, markdown
from audit.report.adapters import series_for
from audit.report.content import figure_key
from audit.report.figures import FigureSpec, collect_figures, render_figure
from audit.report.hunt import hunt_blocks
from theory.errors import InputError

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
LEDGER_JSON = "ledger.json"
HUNT_JSON = "hunt.json"
FIGURES_DIR = "figures"
MANIFEST = ".advaudit-report.json"   # the files this report wrote: what a later --force may replace
MANIFEST_FORMAT = "advaudit.report-manifest"


def plan_figures(ledger: dict[str, Any]) -> tuple[dict[str, list[FigureSpec]], dict[str, list[str]]]:
    """The figures each check yields (adapters + its own series), and the problems found on the way."""
    figures: dict[str, list[FigureSpec]] = {}
    problems: dict[str, list[str]] = {}
    runs = [(None, ledger.get("claims", []))] + [((run.get("data") or {}).get("name", "?"), run.get("claims", []))
                                                 for run in ledger.get("real_data", [])]
    for data, claims in runs:
        for check in (check for claim in claims for check in claim.get("checks", [])):
            cid = figure_key(check.get("check_id", ""), data)
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


def default_out_dir(now: _dt.datetime | None = None) -> Path:
    """A fresh directory for a report: ``advaudit-report-YYYYmmdd-HHMMSS`` in the working directory (``-2``, ``-3``…
    appended if that name is taken)."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(f"advaudit-report-{stamp}")
    candidate, k = base, 1
    while os.path.lexists(candidate):
        k += 1
        candidate = Path(f"{base}-{k}")
    return candidate


def check_output_dir(out: str | os.PathLike, *, force: bool = False) -> Path:
    """Validate ``out`` as a report directory before any work, writing nothing; the absolute path, or InputError.

    Accepted: a new directory (its nearest existing ancestor must be a writable directory), an empty one, or — only
    with ``force`` — a non-empty one, whose report files are then replaced while every other file is kept."""
    if not str(out).strip():
        raise InputError("--out: empty path")
    if "\x00" in str(out):
        raise InputError(f"--out {str(out)!r}: a path cannot contain a NUL byte")
    try:
        dest = Path(out).absolute()
        exists, is_dir = os.path.lexists(dest), dest.is_dir()
    except (OSError, ValueError) as exc:
        raise InputError(f"--out {str(out)!r} is not a usable path: {exc}") from None
    if exists and not is_dir:
        raise InputError(f"output path {str(out)!r} exists and is not a directory")
    if is_dir and os.path.ismount(dest):
        raise InputError(f"output directory {str(out)!r} is a mount point (the report is swapped in by renaming, "
                         f"which a mount point refuses); choose a directory inside it")
    cwd = Path.cwd()
    if cwd == dest or dest in cwd.parents:
        raise InputError(f"output directory {str(out)!r} contains the working directory; choose a directory of its own")
    if is_dir and any(dest.iterdir()) and not force:
        raise InputError(f"output directory {str(out)!r} is not empty; choose a new directory, or add --force to "
                         f"replace the report in it (files advaudit did not write there are kept)")
    existing = _nearest_existing(dest.parent)
    if not existing.is_dir():
        raise InputError(f"cannot create output directory {str(out)!r}: {str(existing)!r} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"output directory {str(out)!r} is not writable (no write access to {str(existing)!r})")
    name_max = _name_max(existing)
    if any(len(part.encode()) > name_max - 32 for part in dest.relative_to(existing).parts):
        raise InputError(f"output directory {str(out)!r}: a name is too long for the file system")
    return dest


def _name_max(path: Path) -> int:
    try:
        return os.pathconf(path, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@dataclass
class Staged:
    """A report being written: ``path`` (the staging directory) becomes ``final`` when the block ends; ``note``
    says why ``final`` is not the requested directory when the swap could not be made safely."""

    path: Path
    dest: Path
    final: Path | None = None
    note: str = ""


@contextlib.contextmanager
def staged_directory(out: str | os.PathLike, *, force: bool = False) -> Iterator[Staged]:
    """Yield an empty staging directory next to ``out``; on success it replaces ``out`` (see module doc)."""
    dest = check_output_dir(out, force=force)
    created = [p for p in reversed(dest.parents) if not p.exists()]
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.staging-"))
    except OSError as exc:
        _remove_empty(created)
        raise InputError(f"output directory {str(out)!r} is not writable: {exc.strerror or exc}") from None
    staged = Staged(stage, dest)
    try:
        yield staged
        _write_manifest(stage)
        staged.final, staged.note = _swap_in(stage, dest)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
        if staged.final is None:
            _remove_empty(created)


def _remove_empty(dirs: list[Path]) -> None:
    """Remove the directories this run created (deepest first) while they are empty."""
    for d in reversed(dirs):
        try:
            d.rmdir()
        except OSError:
            return


def _write_manifest(stage: Path) -> None:
    files = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
    write_atomic(stage / MANIFEST, json.dumps({"format": MANIFEST_FORMAT, "version": 1, "files": files}, indent=1))


def report_files(directory: Path) -> set[Path]:
    """The files of ``directory`` that a previous report wrote: those its manifest lists, or — for a report
    written before manifests — report.md, report.html, ledger.json and the figures/*.png of its report.md."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["files"] if manifest.get("format") == MANIFEST_FORMAT else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        listed = None
    if isinstance(listed, list):
        return {directory / str(f) for f in listed} | {directory / MANIFEST}
    owned = {directory / REPORT_MD, directory / REPORT_HTML, directory / LEDGER_JSON}
    try:
        text = (directory / REPORT_MD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    owned |= {directory / FIGURES_DIR / name for name in re.findall(rf"{FIGURES_DIR}/([\w.+-]+\.png)", text)}
    return owned


def _carry_foreign(old: Path, stage: Path) -> None:
    """Link (or copy) into ``stage`` every entry of ``old`` that is not a previous report's file; on failure,
    remove what was carried and re-raise (``old`` is never touched)."""
    owned = report_files(old)
    added: list[Path] = []
    try:
        for root, dirs, files in os.walk(old):
            here = Path(root)
            for name in sorted(files) + sorted(d for d in dirs if (here / d).is_symlink()):
                src = here / name
                if src in owned:
                    continue
                dst = stage / src.relative_to(old)
                if os.path.lexists(dst):
                    raise FileExistsError(f"{src.relative_to(old)} is yours and the new report writes that name")
                dst.parent.mkdir(parents=True, exist_ok=True)
                added.append(dst)
                if src.is_symlink():
                    os.symlink(os.readlink(src), dst)
                elif src.is_file():
                    try:
                        os.link(src, dst)
                    except OSError:
                        shutil.copy2(src, dst)
                else:
                    raise OSError(f"{src.relative_to(old)} is not a regular file, link or directory")
            if not dirs and not files and here != old:  # an empty directory of the user's
                (stage / here.relative_to(old)).mkdir(parents=True, exist_ok=True)
    except BaseException:
        for dst in reversed(added):
            with contextlib.suppress(OSError):
                dst.unlink()
        raise


def _swap_in(stage: Path, dest: Path) -> tuple[Path, str]:
    """Rename ``stage`` to ``dest`` (the previous ``dest`` moved aside, its non-report files carried over, then
    removed). If that cannot be done safely, the report goes to a fresh sibling directory instead and nothing of
    ``dest`` changes: returns (where the report is, why not ``dest`` or "")."""
    try:
        if dest.exists() and any(dest.iterdir()):
            _carry_foreign(dest, stage)
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.previous-"))
            try:
                os.rename(dest, old / "report")
            except OSError:
                old.rmdir()
                raise
        try:
            os.rename(stage, dest)
        except BaseException:
            if old is not None:
                os.rename(old / "report", dest)
                old.rmdir()
            raise
    except OSError as exc:
        fallback = Path(f"{dest}.new-{_dt.datetime.now():%Y%m%d-%H%M%S}")
        os.rename(stage, fallback)
        return fallback, f"{str(dest)!r} was left as it was ({exc.strerror or exc})"
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dest, ""


def write_report(ledger: dict[str, Any], out: str | os.PathLike, *, force: bool = False,
                 run_info: dict[str, Any] | None = None,
                 on_figure: Callable[[int, int], None] | None = None,
                 hunt_ledger: dict[str, Any] | None = None) -> dict[str, Any]:
    """Render ``ledger`` (and a hunt ledger's worst cases) into ``out`` atomically (staging directory, then
    rename); ``force`` as for the CLI. The result also names the ``directory`` written and, if not ``out``, the
    ``note`` saying why."""
    with staged_directory(out, force=force) as staged:
        result = render_report(ledger, staged.path, run_info=run_info, on_figure=on_figure, hunt_ledger=hunt_ledger)
    return {**result, "directory": staged.final, "note": staged.note}
