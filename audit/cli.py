"""The ``advaudit`` command line. Each verb lives in ``audit/commands/<verb>.py``.

A verb module defines ``VERB``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
the modules listed in ``VERB_MODULES`` are the CLI.

Exit status: 0 — answered, nothing violated; 1 — something is ``violated`` / ``not implied`` / ``flagged``
(``check --strict``: also ``inconclusive``; ``selftest``: a planted error missed); 2 — bad input (argparse
errors, ``InputError``, an unusable path, device or scheduler: one line ``advaudit: error: …``, nothing
written) or an error of the run (a check raised). No verb prints a traceback: an unexpected exception is one
line ``advaudit: internal error: …`` and exit 2 (``ADVAUDIT_TRACEBACK=1`` prints it). A closed stdout
(``advaudit … | head``) ends the output quietly, with the verb's own status.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from importlib import metadata

from theory.errors import InputError

VERB_MODULES = ("list", "show", "check", "width", "audit_file", "report", "selftest", "hunt")


def version() -> str:
    try:
        return metadata.version("advaudit")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def one_line(text: object) -> str:
    """``text`` on one line (whitespace runs collapsed), at most 400 characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= 400 else flat[:399] + "…"


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"advaudit: error: {one_line(message)} (see 'advaudit --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="advaudit", description="advaudit: check, report and audit the claims of Gao et al. "
                            "(NeurIPS 2019). Exit status: 0 nothing violated, 1 violated / not implied / flagged, "
                            "2 bad input or an error of the run.")
    parser.add_argument("--version", action="version", version=f"advaudit {version()}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_OneLineParser)
    verbs.required = True
    for name in VERB_MODULES:
        module = importlib.import_module(f"audit.commands.{name}")
        sub = verbs.add_parser(module.VERB, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


class _PipeSafeStream(io.TextIOBase):
    """A text stream that stops writing, silently, once its reader has gone (BrokenPipeError)."""

    def __init__(self, stream: io.TextIOBase) -> None:
        super().__init__()
        self._stream, self.broken = stream, False

    def write(self, text: str) -> int:  # type: ignore[override]
        if not self.broken:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._close_pipe()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close_pipe()

    def _close_pipe(self) -> None:
        self.broken = True
        with contextlib.suppress(OSError, ValueError, AttributeError):  # no file descriptor under capture
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())  # the interpreter's final flush goes nowhere, quietly

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def _pipe_safe_stdout() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = _PipeSafeStream(original)  # type: ignore[assignment]
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = original


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; the exit status (see the module docstring). Never raises, never prints a traceback."""
    with _pipe_safe_stdout():
        try:
            args = build_parser().parse_args(argv)
            return int(args.run(args))
        except SystemExit as exc:  # argparse: --help / --version (0) and usage errors (2, already printed)
            return exc.code if isinstance(exc.code, int) else 2
        except InputError as exc:
            sys.stderr.write(f"advaudit: error: {one_line(exc)}\n")
            return 2
        except KeyboardInterrupt:
            sys.stderr.write("advaudit: interrupted\n")
            return 130
        except OSError as exc:  # the machine refused (disk full, a path gone since it was checked)
            where = f": {exc.filename}" if exc.filename else ""
            sys.stderr.write(f"advaudit: error: {one_line(exc.strerror or exc)}{one_line(where)}\n")
            return 2
        except Exception as exc:  # noqa: BLE001 - the promise is: no traceback, one line, exit 2
            if os.environ.get("ADVAUDIT_TRACEBACK"):
                traceback.print_exc()
            sys.stderr.write(f"advaudit: internal error: {type(exc).__name__}: {one_line(exc)} (a bug in advaudit; "
                             f"ADVAUDIT_TRACEBACK=1 shows where)\n")
            return 2


if __name__ == "__main__":
    raise SystemExit(main())
