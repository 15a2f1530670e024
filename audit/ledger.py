"""The JSON ledger (versioned schema) and JUnit XML, both written atomically.

Ledger schema ``advaudit.ledger`` version 1::

    {"schema": "advaudit.ledger", "schema_version": 1, "created": ISO-8601, "tier": "fast"|"full",
     "seed": int, "provenance": {git_commit, python, packages{}, machine{}},
     "summary": {verdict: count, ...}, "exit_status": 0|1,
     "claims": [{"id", "title", "provenance", "relation_kind", "statement", "verdict",
                 "checks": [Evidence.to_dict(), ...]}, ...],
     "data": {name, source, task, transform, ...}                  (optional: the whole run is on a real data set)
     "real_data": [{"data": {...}, "summary": {...}, "claims": [...]}, ...]}   (optional: extra runs of the
                                                checks that take data, one per real data set; same claim records)
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
from pathlib import Path
from typing import Any

from audit.runner import ClaimResult
from theory.errors import InputError
from theory.evidence import INCONCLUSIVE, NOT_IMPLEMENTED, VIOLATED

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
    """0 when nothing is violated (and, with ``strict``, nothing inconclusive); else 1."""
    verdicts = [ev.verdict for r in results for ev in r.evidence]
    if VIOLATED in verdicts or (strict and INCONCLUSIVE in verdicts):
        return 1
    return 0


def _claim_records(results: list[ClaimResult]) -> list[dict[str, Any]]:
    claims = []
    for r in results:
        c = r.claim
        claims.append({"id": c.id, "title": c.title, "provenance": c.provenance, "relation_kind": c.relation_kind,
                       "statement": c.statement_text, "research_questions": list(c.research_questions),
                       "verdict": r.verdict, "checks": [ev.to_dict() for ev in r.evidence]})
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


def ensure_writable(path: str | os.PathLike) -> Path:
    """Fail early, before any work, if ``path`` cannot be written (InputError naming it)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InputError(f"output path {str(p)!r} is a directory")
    if not parent.is_dir():
        raise InputError(f"output directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"output directory {str(parent)!r} is not writable")
    return p


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see a partial file."""
    p = Path(path)
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
        ledger = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read ledger {str(path)!r}: {exc}") from None
    if ledger.get("schema") != LEDGER_SCHEMA or ledger.get("schema_version") != LEDGER_SCHEMA_VERSION:
        raise InputError(f"{str(path)!r} is not an advaudit ledger of schema version {LEDGER_SCHEMA_VERSION}")
    return ledger


def junit_xml(results: list[ClaimResult], *, tier: str) -> str:
    """JUnit XML, one test case per check: violated → failure; inconclusive/not implemented → skipped."""
    cases = [(r.claim, ev) for r in results for ev in r.evidence]
    suite = ET.Element("testsuite", name=f"advaudit-{tier}", tests=str(len(cases) + sum(not r.evidence for r in results)),
                       failures=str(sum(ev.verdict == VIOLATED for _, ev in cases)),
                       skipped=str(sum(ev.verdict == INCONCLUSIVE for _, ev in cases) +
                                   sum(not r.evidence for r in results)),
                       time=f"{sum(ev.wall_time_s for _, ev in cases):.3f}")
    for claim, ev in cases:
        case = ET.SubElement(suite, "testcase", classname=claim.id, name=ev.check_id, time=f"{ev.wall_time_s:.3f}")
        ET.SubElement(case, "system-out").text = f"verdict: {ev.verdict} — {ev.verdict_reason}"
        if ev.verdict == VIOLATED:
            ET.SubElement(case, "failure", message=ev.verdict_reason, type=VIOLATED)
        elif ev.verdict == INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {ev.verdict_reason}")
    for r in results:
        if not r.evidence:
            case = ET.SubElement(suite, "testcase", classname=r.claim.id, name=f"{r.claim.id} ({tier})", time="0")
            ET.SubElement(case, "skipped", message=NOT_IMPLEMENTED)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
