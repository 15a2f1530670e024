"""Options shared by the verbs that run checks."""
from __future__ import annotations

import argparse

from theory.evidence import RunContext


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier", choices=("fast", "full"), default="fast", help="fast (CI, ≤ 5 min) or full")
    parser.add_argument("--only", nargs="+", metavar="ID", help="claim ids or prefixes (e.g. C5 C0)")
    parser.add_argument("--seed", type=int, default=0, help="master seed fixing all randomness (default 0)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="torch device (default cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes for sweeps")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address for sweeps")


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
