"""Options shared by the verbs that run checks (check, report, selftest), validated before any work.

``prepare_run`` checks everything a run depends on — the claim ids, the output files, the device, the Dask
scheduler — and raises ``InputError`` (one line, exit 2) before the first check starts.
"""
from __future__ import annotations

import argparse
import os

from audit.ledger import ensure_writable, looks_like_junit, looks_like_ledger
from audit.runner import select_claims
from theory.claims import Claim
from theory.errors import InputError
from theory.evidence import RunContext

MAX_WORKERS = 1024
OUTPUT_KINDS = {"--json": looks_like_ledger, "--junit": looks_like_junit}  # what an existing output must be
MAX_SEED = 2**32 - 1  # checks derive seeds as seed·1000 + k; torch generators take < 2^64


def _bounded_int(name: str, low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in [{low}, {high}], got {value}")
        return value

    parse.__name__ = name
    return parse


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier", choices=("fast", "full"), default="fast", help="fast (CI, ≤ 5 min) or full")
    parser.add_argument("--only", nargs="+", metavar="ID",
                        help="claim ids, any case, or unique prefixes of them (e.g. C5 c0 C1-conv)")
    parser.add_argument("--seed", type=_bounded_int("seed", 0, MAX_SEED), default=0,
                        help="master seed fixing all randomness (default 0)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="torch device (default cpu); cuda must be available to torch, else exit 2")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--verbose", action="store_true", help="also print every check and its detail tables")
    parser.add_argument("--workers", type=_bounded_int("workers", 1, MAX_WORKERS), default=1,
                        help="local worker processes for sweeps (default 1)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address for sweeps, e.g. tcp://host:8786 (probed before any work)")


def check_device(device: str) -> None:
    """InputError unless torch can use ``device`` (torch is imported only for a non-CPU device)."""
    if device == "cpu":
        return
    import torch

    if not torch.cuda.is_available():
        why = "it was built without CUDA" if torch.version.cuda is None else "it sees no CUDA device"
        raise InputError(f"--device {device}: torch {torch.__version__} cannot use it ({why}); use --device cpu")


def prepare_run(args: argparse.Namespace, *, outputs: dict[str, str | None] | None = None,
                ids: list[str] | None = None) -> tuple[list[Claim], RunContext]:
    """The claims and run context of a verb, after validating ids, output files, device and scheduler."""
    claims = select_claims(args.only if ids is None else ids)
    named = {flag: path for flag, path in (outputs or {}).items() if path}
    if len({os.path.abspath(path) for path in named.values()}) < len(named):
        raise InputError(f"{' and '.join(named)} name the same file")
    for flag, path in named.items():
        ensure_writable(path, flag, ours=OUTPUT_KINDS.get(flag))
    check_device(args.device)
    if args.scheduler:
        from numerics.execution.sweep import check_scheduler
        check_scheduler(args.scheduler)
    return claims, context_from(args)


def add_data_option(parser: argparse.ArgumentParser, *, repeat: bool = False) -> None:
    """``--data NAME``: run the checks that take data on a built-in real data set (numerics.network.datasets)."""
    from numerics.network.datasets import DATASET_NAMES

    what = ("also run the checks that take data on this built-in real data set (repeatable)" if repeat else
            "run only the checks that take data (C0, C1, C5, C7), on this built-in real data set")
    parser.add_argument("--data", choices=DATASET_NAMES, action="append" if repeat else "store", metavar="NAME",
                        help=f"{what}: {', '.join(DATASET_NAMES)} (scikit-learn's bundled tables, offline)")


def context_from(args: argparse.Namespace) -> RunContext:
    return RunContext(tier=args.tier, seed=args.seed, device=args.device, quiet=args.quiet,
                      workers=args.workers, scheduler=args.scheduler)
