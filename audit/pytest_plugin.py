"""pytest plugin (entry point ``pytest11``: advaudit): claim files in a project become test items, one per entry.

Collected: ``*.toml`` files inside a folder named ``claims/`` and files named ``*.claims.toml`` anywhere (the claim
files of ``advaudit audit``). Each ``[[claim]]`` entry is one item; its outcome follows its verdict:

    implied, consistent                       → passed
    violated, not implied, flagged, vacuous   → failed, the evidence summary as the message
    inconclusive                              → skipped with the reason (failed under --advaudit-strict)

A claim file that does not validate is a collection error whose message is the one line ``advaudit audit`` prints
(entry and field), and none of its entries runs. Options: ``--advaudit-tier``, ``--advaudit-seed``,
``--advaudit-workers``, ``--advaudit-strict``, ``--advaudit-allow-unsafe-load`` (network files that are pickled
modules or TorchScript — this runs code from the file). Each item records its verdict in ``user_properties``, so
pytest's own ``--junitxml`` carries it. Disable the plugin with ``-p no:advaudit``.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PASSING = frozenset({"implied", "consistent"})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("advaudit", "advaudit claim files (claims/*.toml, *.claims.toml)")
    group.addoption("--advaudit-tier", choices=("fast", "full"), default="fast",
                    help="budget of the measured claim kinds (default fast)")
    group.addoption("--advaudit-seed", type=int, default=0, help="master seed of the measured claim kinds (default 0)")
    group.addoption("--advaudit-workers", type=int, default=1, help="worker processes for sweeps (default 1)")
    group.addoption("--advaudit-strict", action="store_true", help="an inconclusive claim fails instead of skipping")
    group.addoption("--advaudit-allow-unsafe-load", action="store_true",
                    help="accept pickled or TorchScript network files (runs code from them: trusted files only)")


def is_claim_file(path: Path) -> bool:
    """A claim file: ``*.claims.toml`` anywhere, or ``*.toml`` directly inside a folder named ``claims``."""
    return path.suffix == ".toml" and (path.name.endswith(".claims.toml") or path.parent.name == "claims")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_claim_file(file_path):
        return ClaimFile.from_parent(parent, path=file_path)
    return None


def _context(config: pytest.Config, path: Path) -> Any:
    from audit.user_claims import ClaimContext
    from theory.errors import InputError

    workers = config.getoption("advaudit_workers")
    if workers < 1:
        raise InputError(f"--advaudit-workers must be ≥ 1, got {workers}")
    return ClaimContext(path, tier=config.getoption("advaudit_tier"), seed=config.getoption("advaudit_seed"),
                        workers=workers, allow_unsafe_load=config.getoption("advaudit_allow_unsafe_load"))


class ClaimFile(pytest.File):
    """One claim file: validated in full at collection; one ClaimItem per entry."""

    def collect(self) -> Iterator[pytest.Item]:
        from audit.user_claims import load_claims

        ctx = _context(self.config, self.path)
        for entry in load_claims(self.path, ctx):
            yield ClaimItem.from_parent(self, name=entry.name, entry=entry, claim_context=ctx)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from theory.errors import InputError

        if isinstance(excinfo.value, InputError):
            return f"advaudit: bad claim file: {excinfo.value}"
        return super().repr_failure(excinfo, style)


class ClaimFailed(Exception):
    """The entry's verdict fails the test; the message is its evidence summary."""


class ClaimItem(pytest.Item):
    """One entry of a claim file, answered by audit.user_claims.answer_entry."""

    def __init__(self, *, entry: Any, claim_context: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry
        self.claim_context = claim_context

    def runtest(self) -> None:
        from audit.user_claims import answer_entry

        answer = answer_entry(self.path, self.entry, self.claim_context)
        self.user_properties += [("advaudit_kind", self.entry.kind), ("advaudit_verdict", answer.verdict)]
        message = f"{self.entry.kind} '{self.entry.name}': {answer.verdict} (required: {answer.required})\n" \
                  f"{answer.detail}"
        if answer.verdict in PASSING:
            return
        if answer.verdict == "inconclusive" and not self.config.getoption("advaudit_strict"):
            pytest.skip(f"inconclusive: {answer.detail.splitlines()[0] if answer.detail else answer.required}")
        raise ClaimFailed(message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from theory.errors import InputError

        if isinstance(excinfo.value, (ClaimFailed, InputError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.entry.kind}: {self.entry.name}"
