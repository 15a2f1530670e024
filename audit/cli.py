"""The ``advaudit`` command line. Each verb lives in ``audit/commands/<verb>.py``.

A verb module defines ``VERB``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
the modules listed in ``VERB_MODULES`` are the CLI. Bad input anywhere (InputError, argparse
errors) prints one line ``advaudit: error: …`` and exits 2; no traceback, no partial file.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from theory.errors import InputError

VERB_MODULES = ("list", "show", "check", "width", "audit_file", "report", "selftest", "hunt")


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"advaudit: error: {message} (see 'advaudit --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="advaudit", description="advaudit: check, report and audit the claims of Gao et al. (NeurIPS 2019).")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_OneLineParser)
    verbs.required = True
    for name in VERB_MODULES:
        module = importlib.import_module(f"audit.commands.{name}")
        sub = verbs.add_parser(module.VERB, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        sys.stderr.write(f"advaudit: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("advaudit: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
