"""The JSON ledger (versioned schema) and JUnit XML, both written atomically.

Ledger schema ``advaudit.ledger`` version 1::

    {"schema": "advaudit.ledger", "schema_version": 1, "created": ISO-8601, "tier": "fast"|"full",
     "seed": int, "provenance": {git_commit, python, packages{}, machine{}},
     "summary": {verdict: count, ...}, "exit_status": 0|1|2,
     "claims": [{"id", "title", "provenance", "relation_kind", "statement", "verdict", "verdict_reason",
                 "flags": [...], "depends_on": {claim id: verdict}, "summary": claim_summary(...),
                 "checks": [Evidence.to_dict(), ...]}, ...],
     "data": {name, source, task, transform, ...}                  (optional: the whole run is on a real data set)
     "real_data": [{"data": {...}, "summary": {...}, "claims": [...]}, ...]}   (optional: extra runs of the
                                                checks that take data, one per real data set; same claim records)

Each check carries its flags and its summary (audit.judge.summarize); the claim summary names the deciding
check and its deciding comparison, and the tightest and loosest comparison over the claim's checks.
A check that raised has outcome ``error`` with ``error`` (one line: environment fault or bug in the check) and
``error_traceback``; it makes ``exit_status`` 2 and is a JUnit ``<error>``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import metadata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audit.judge import ENCODING
from audit.runner import ClaimResult
from theory.errors import InputError
from theory.evidence import ERROR, INCONCLUSIVE, NOT_IMPLEMENTED, VIOLATED, json_safe

LEDGER_SCHEMA = "advaudit.ledger"
LEDGER_SCHEMA_VERSION = 1
_PACKAGES = ("advaudit", "numpy", "scipy", "sympy", "mpmath", "torch", "cvxpy", "clarabel", "highspy", "matplotlib")


def provenance() -> dict[str, Any]:
    """Git commit, Python and package versions, and machine facts for a ledger or report header."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                                cwd=Path(__file__).resolve().parent).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    packages = {}
    for name in _PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"git_commit": commit, "python": platform.python_version(), "packages": packages,
            "machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpu_count": os.cpu_count()}}


def exit_status(results: list[ClaimResult], *, strict: bool = False) -> int:
    """2 when a check could not run (an error of the run); else 1 when something is violated (with ``strict``,
    also inconclusive); else 0."""
    verdicts = [ev.verdict for r in results for ev in r.evidence]
    if ERROR in verdicts:
        return 2
    if VIOLATED in verdicts or (strict and INCONCLUSIVE in verdicts):
        return 1
    return 0


def claim_summary(result: ClaimResult) -> dict[str, Any]:
    """The deciding check and comparison of a claim, and its tightest and loosest comparison by slack."""
    j = result.judgement
    decider = next((ev for ev in result.evidence if ev.check_id == j.deciding_check), None)
    rows = [(ev.check_id, ev.summary.get(k)) for ev in result.evidence for k in ("tightest", "loosest")
            if ev.summary.get(k) and ENCODING not in ev.flags]

    def pick(fn):
        found = fn(rows, key=lambda r: r[1]["slack"]) if rows else None
        return None if found is None else {"check": found[0], **found[1]}

    return {"deciding_check": j.deciding_check,
            "deciding": None if decider is None or not decider.summary.get("deciding") else
            {"check": decider.check_id, **decider.summary["deciding"]},
            "label": None if decider is None else decider.construction_label,
            "tightest": pick(min), "loosest": pick(max)}


def _claim_records(results: list[ClaimResult]) -> list[dict[str, Any]]:
    claims = []
    for r in results:
        c = r.claim
        j = r.judgement
        claims.append({"id": c.id, "title": c.title, "provenance": c.provenance, "relation_kind": c.relation_kind,
                       "statement": c.statement_text, "research_questions": list(c.research_questions),
                       "verdict": j.verdict, "verdict_reason": j.reason, "flags": j.flags,
                       "depends_on": dict(r.dependencies), "summary": json_safe(claim_summary(r)),
                       "checks": [ev.to_dict() for ev in r.evidence]})
    return claims


def build_ledger(results: list[ClaimResult], *, tier: str, seed: int, strict: bool = False, data: str | None = None,
                 real_data: dict[str, list[ClaimResult]] | None = None) -> dict[str, Any]:
    """The ledger of one run; ``data``: the run was on that real data set; ``real_data``: extra runs per data set."""
    from numerics.network.datasets import describe

    everything = list(results) + [r for runs in (real_data or {}).values() for r in runs]
    ledger = {"schema": LEDGER_SCHEMA, "schema_version": LEDGER_SCHEMA_VERSION,
              "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "tier": tier, "seed": seed, "provenance": provenance(),
              "summary": dict(Counter(r.verdict for r in results)),
              "exit_status": exit_status(everything, strict=strict), "claims": _claim_records(results)}
    if data is not None:
        ledger["data"] = describe(data)
    if real_data:
        ledger["real_data"] = [{"data": describe(name), "summary": dict(Counter(r.verdict for r in runs)),
                                "claims": _claim_records(runs)} for name, runs in real_data.items()]
    return ledger


def ensure_writable(path: str | os.PathLike, what: str = "output path", *,
                    ours: Callable[[str], bool] | None = None) -> Path:
    """Fail early, before any work, if ``path`` cannot be written as a regular file (InputError naming ``what``):
    a directory, a device, pipe or socket, a missing or read-only directory, a pseudo file system, a name too
    long — or, with ``ours`` (a test on an existing file's text), a file advaudit did not write, which it never
    overwrites. The parent is probed by creating and removing a temporary file; nothing else is written."""
    text = str(path)
    if not text.strip():
        raise InputError(f"{what}: empty path")
    if "\x00" in text:
        raise InputError(f"{what} {text!r}: a path cannot contain a NUL byte")
    try:
        p = Path(path)
        if p.is_dir():
            raise InputError(f"{what} {text!r} is a directory")
        if os.path.lexists(p) and not p.resolve().is_file():
            raise InputError(f"{what} {text!r} exists and is not a regular file")
        if ours is not None and p.is_file() and not ours(_head(p)):
            raise InputError(f"{what} {text!r} exists and was not written by advaudit; it is never overwritten "
                             f"(remove it or choose another path)")
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.is_dir():
            raise InputError(f"{what}: output directory {str(parent)!r} does not exist")
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{p.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"{what} {text!r} cannot be written: {exc.strerror or exc}") from None
    except ValueError as exc:  # a path the OS layer rejects
        raise InputError(f"{what} {text!r} is not a usable path: {exc}") from None
    return p


def _head(path: Path, limit: int = 1 << 20) -> str:
    """The first ``limit`` bytes of a file as text ('' when unreadable)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def looks_like_ledger(text: str) -> bool:
    """An earlier ``check --json`` ledger (overwriting it is fine)."""
    return f'"schema": "{LEDGER_SCHEMA}"' in text


def looks_like_junit(text: str) -> bool:
    """An earlier ``check --junit`` file."""
    return '<testsuite name="advaudit-' in text


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see a partial file. A symbolic
    link is followed (the file it names is replaced, not the link)."""
    p = Path(path)
    if p.is_symlink():
        p = p.resolve()
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(ledger: dict[str, Any], path: str | os.PathLike) -> None:
    write_atomic(path, json.dumps(ledger, indent=2, allow_nan=False) + "\n")


def load_ledger(path: str | os.PathLike) -> dict[str, Any]:
    """Read a ledger, checking its schema name and version (InputError otherwise)."""
    try:
        if not Path(path).is_file():
            raise InputError(f"cannot read ledger {str(path)!r}: not a regular file")
        ledger = json.loads(Path(path).read_text(encoding="utf-8"))
    except InputError:
        raise
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON, a NUL in the path
        raise InputError(f"cannot read ledger {str(path)!r}: {exc}") from None
    if (not isinstance(ledger, dict) or ledger.get("schema") != LEDGER_SCHEMA
            or ledger.get("schema_version") != LEDGER_SCHEMA_VERSION):
        raise InputError(f"{str(path)!r} is not an advaudit ledger of schema version {LEDGER_SCHEMA_VERSION}")
    return ledger


def junit_xml(results: list[ClaimResult], *, tier: str) -> str:
    """JUnit XML, one test case per check: violated → failure; error → error (with the traceback);
    inconclusive/not implemented → skipped."""
    cases = [(r.claim, ev) for r in results for ev in r.evidence]
    suite = ET.Element("testsuite", name=f"advaudit-{tier}", tests=str(len(cases) + sum(not r.evidence for r in results)),
                       failures=str(sum(ev.verdict == VIOLATED for _, ev in cases)),
                       errors=str(sum(ev.verdict == ERROR for _, ev in cases)),
                       skipped=str(sum(ev.verdict == INCONCLUSIVE for _, ev in cases) +
                                   sum(not r.evidence for r in results)),
                       time=f"{sum(ev.wall_time_s for _, ev in cases):.3f}")
    for claim, ev in cases:
        case = ET.SubElement(suite, "testcase", classname=claim.id, name=ev.check_id, time=f"{ev.wall_time_s:.3f}")
        ET.SubElement(case, "system-out").text = f"verdict: {ev.verdict} — {ev.verdict_reason}"
        if ev.verdict == VIOLATED:
            ET.SubElement(case, "failure", message=ev.verdict_reason, type=VIOLATED)
        elif ev.verdict == ERROR:
            ET.SubElement(case, "error", message=ev.verdict_reason, type=ERROR).text = ev.error_traceback or ""
        elif ev.verdict == INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {ev.verdict_reason}")
    for r in results:
        if not r.evidence:
            case = ET.SubElement(suite, "testcase", classname=r.claim.id, name=f"{r.claim.id} ({tier})", time="0")
            ET.SubElement(case, "skipped", message=NOT_IMPLEMENTED)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
