"""Width × seed × configuration sweeps through one executor, with an on-disk result cache.

``run_sweep(fn, configs)`` evaluates ``fn(config)`` for every configuration and returns the results in
the order of ``configs``. One executor runs them:

- ``workers=1`` (default): inline, in this process;
- ``workers=N > 1``: a local ``concurrent.futures`` process pool started with the *spawn* method
  (safe with torch and threads; each worker gets ``cpu_count // N`` BLAS/OpenMP threads);
- ``scheduler="tcp://host:8786"``: a Dask distributed cluster (extra ``[dask]``; dask is imported only
  then). A scheduler that cannot be reached, or that has no worker, is an ``InputError`` after at most
  ``SCHEDULER_TIMEOUT_S`` seconds — never a hang. ``check_scheduler`` (run by the CLI before any work)
  probes the address in a child process with a hard deadline, so an address that accepts TCP but does not
  speak Dask (or hangs in the handshake) is refused too.

Contract for ``fn``: a module-level function (importable by name, so that spawned processes and Dask
workers can unpickle it) taking one configuration — a dict of JSON values — whose randomness comes
**only** from that configuration (e.g. ``numpy.random.default_rng(config["seed"])``,
``torch.Generator().manual_seed(config["seed"])``). Results are normalized to plain JSON values
(numpy/torch arrays → lists, numpy scalars → floats/ints, tuples → lists, keys → str), so a result is
the same value whether it was computed inline, in a pool, on Dask, or read from the cache. Everything a
result depends on must be in its configuration — the seed, the sizes, and any planted-fault switch of
the check — or the cache would serve one variant's result to another.

Cache: with ``cache_dir`` set, each result is stored in ``cache_dir/<k[:2]>/<k>.json`` where ``k`` is the
sha256 of the canonical JSON (sorted keys, no spaces) of ``{"function": module.qualname, "config": config,
"code": code_version()}``. ``code_version()`` hashes every ``.py`` file of ``theory/`` and ``numerics/``
(and the module defining ``fn``) and the versions of Python and of the numerical packages, so editing
the code or upgrading numpy/torch/… invalidates old entries, and a re-run recomputes
only the configurations that changed. Entries are written atomically (temporary file + rename) as each
result arrives, so an interrupted sweep keeps what it finished. An entry that cannot be read back (bad
JSON, wrong key, checksum mismatch) is recomputed with a ``SweepCacheWarning``.

How a check uses it (``ctx`` is its ``RunContext``; ``--workers``/``--scheduler`` of the CLI arrive there)::

    from numerics.execution.sweep import run_sweep, sweep_options

    def _one_width(config):                       # module level
        net = FullyConnected(config["d"], config["width"], 1, "relu", seed=config["seed"])
        return {"error": float(...)}

    configs = [{"d": 5, "width": m, "seed": ctx.seed * 1000 + s} for m in widths for s in range(seeds)]
    results = run_sweep(_one_width, configs, **sweep_options(ctx))

``sweep_options(ctx)`` passes ``workers``, ``scheduler``, ``cache_dir`` (``ctx.cache_dir``) and
``progress`` (``not ctx.quiet``). While ``advaudit report`` shows its own progress display it lends it
through ``shared_progress``; a sweep then adds its bar there instead of opening a second live display.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import importlib
import importlib.util
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from theory.errors import EnvironmentFault, InputError

SCHEDULER_TIMEOUT_S = 10.0  # connect + first-worker wait; well inside the 30 s a user should wait for an error
CACHE_FORMAT = "advaudit.sweep-cache"
CACHE_FORMAT_VERSION = 1
_CODE_PACKAGES = ("theory", "numerics")
_SALT_PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "torch", "cvxpy", "clarabel", "highspy")

_shared: list[Any] = []  # the rich Progress lent by ``shared_progress`` (at most one)


class SweepCacheWarning(UserWarning):
    """A cache entry could not be used and was recomputed."""


class SchedulerUnavailable(InputError, EnvironmentFault):
    """The Dask scheduler cannot be used: bad input before a run, an environment fault during one."""


def run_sweep(fn: Callable[[dict[str, Any]], Any], configs: Sequence[Mapping[str, Any]], *, workers: int = 1,
              scheduler: str | None = None, cache_dir: str | os.PathLike | None = None,
              progress: bool = False, description: str | None = None) -> list[Any]:
    """Evaluate ``fn(config)`` for every config; results (normalized JSON values) in config order.

    Identical configurations are computed once. ``scheduler`` (a Dask address) takes precedence over
    ``workers``. See the module docstring for the contract on ``fn`` and the cache key.
    """
    configs = [dict(c) for c in configs]
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InputError(f"workers must be an integer ≥ 1, got {workers!r}")
    name = function_name(fn)
    if "<" in name and (workers > 1 or scheduler or cache_dir is not None):
        raise InputError(f"sweep function {name!r} must be defined at module level to run in workers or be cached")
    keys = [cache_key(fn, c, index=i) for i, c in enumerate(configs)]
    unique: dict[str, dict[str, Any]] = {}
    for key, config in zip(keys, configs):
        unique.setdefault(key, config)
    cache = Path(cache_dir) if cache_dir is not None else None
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cache directory {str(cache)!r} cannot be created: {exc.strerror or exc}") from None
    done: dict[str, Any] = {}
    if cache is not None:
        for key in unique:
            hit, value = _cache_read(cache, key)
            if hit:
                done[key] = value
    pending = [(key, unique[key]) for key in unique if key not in done]
    with _progress(progress, description or f"sweep {fn.__name__}", total=len(unique)) as advance:
        advance(len(done))
        for key, result in _execute(fn, pending, workers=workers, scheduler=scheduler):
            result = normalize(result)
            if cache is not None:
                _cache_write(cache, key, name, unique[key], result)
            done[key] = result
            advance(1)
    return [done[key] for key in keys]


def sweep_options(ctx: Any) -> dict[str, Any]:
    """``run_sweep`` keyword arguments from a ``RunContext``: workers, scheduler, cache_dir, progress."""
    return {"workers": ctx.workers, "scheduler": ctx.scheduler, "cache_dir": ctx.cache_dir,
            "progress": not ctx.quiet}


@contextlib.contextmanager
def shared_progress(progress: Any) -> Iterator[None]:
    """Lend a live ``rich.progress.Progress`` to sweeps started inside the block (their bars join it)."""
    _shared.append(progress)
    try:
        yield
    finally:
        _shared.remove(progress)


def function_name(fn: Callable[..., Any]) -> str:
    """``module.qualname`` of a sweep function (part of its cache key)."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if not module or not qualname:
        raise InputError(f"sweep function {fn!r} has no module-level name (use a plain def)")
    return f"{module}.{qualname}"


def code_reference(obj: Any) -> str:
    """``module:qualname`` of a module-level class or function: how a sweep config names code (plain JSON, part
    of the cache key, and resolvable in a worker process by :func:`resolve_reference`)."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise InputError(f"{obj!r} has no module-level name (use a class or def at module level)")
    return f"{module}:{qualname}"


def resolve_reference(reference: str) -> Any:
    """The object named by :func:`code_reference` (InputError when it does not resolve)."""
    module, _, qualname = reference.partition(":")
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InputError(f"cannot resolve code reference {reference!r}: {exc}") from None
    return obj


def cache_key(fn: Callable[..., Any], config: Mapping[str, Any], *, index: int | None = None) -> str:
    """sha256 of the canonical JSON of the function's name, the configuration and ``code_version()``."""
    try:
        text = canonical_json({"function": function_name(fn), "config": dict(config),
                               "code": code_version(_module_file(fn))})
    except (TypeError, ValueError) as exc:
        where = f"config #{index}" if index is not None else "config"
        raise InputError(f"sweep {where} is not JSON-serializable: {exc}") from None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace; numpy values converted; NaN/inf rejected."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_plain)


def normalize(value: Any) -> Any:
    """The plain-JSON form of a result (what the cache stores and every executor returns)."""
    return json.loads(json.dumps(value, default=_plain))


@lru_cache(maxsize=None)
def code_version(extra_module_file: str | None = None) -> str:
    """The cache's code salt: sha256 over every ``.py`` file of theory/ and numerics/ (plus ``extra_module_file``),
    the Python version and the versions of the numerical packages results depend on."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for package in _SALT_PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=absent;".encode())
    root = Path(__file__).resolve().parents[2]  # the repository root (numerics/execution/sweep.py)
    files = sorted(p for pkg in _CODE_PACKAGES for p in (root / pkg).rglob("*.py"))
    if extra_module_file:
        files.append(Path(extra_module_file))
    for path in files:
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
        digest.update(b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_PROBE = """
import sys
from distributed import Client
address, timeout = sys.argv[1], float(sys.argv[2])
try:
    client = Client(address, timeout=timeout, set_as_default=False)
except (OSError, TimeoutError) as exc:
    print("unreachable", " ".join(str(exc).split())[:200]); sys.exit(0)
except ValueError as exc:
    print("bad-address", " ".join(str(exc).split())[:200]); sys.exit(0)
except BaseException as exc:
    print("not-dask", type(exc).__name__, " ".join(str(exc).split())[:200]); sys.exit(0)
try:
    client.wait_for_workers(1, timeout=timeout)
    print("ok", len(client.scheduler_info().get("workers", {})))
except BaseException as exc:
    print("no-worker", type(exc).__name__, " ".join(str(exc).split())[:200])
finally:
    client.close()
"""


def _socket_probe(address: str, timeout: float) -> None:
    """For a tcp address: connect and read the greeting a Dask scheduler sends at once (its handshake names
    'compression' and 'python'); an unreachable, silent or foreign server is refused within ``timeout``."""
    scheme, _, rest = address.strip().rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls://, ucx://, …: left to the child's Client
    host, _, port_text = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SchedulerUnavailable(f"--scheduler {address!r} is not a scheduler address like 'tcp://host:8786'")
    try:
        with socket.create_connection((host, int(port_text)), timeout=timeout) as conn:
            conn.settimeout(timeout)
            greeting = b""
            try:
                while len(greeting) < 4096 and not (b"compression" in greeting and b"python" in greeting):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    greeting += chunk
            except TimeoutError:
                pass
    except (OSError, UnicodeError) as exc:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler {address!r} within {timeout:g} s: "
                                   f"{getattr(exc, 'strerror', None) or exc}") from None
    if not greeting:
        raise SchedulerUnavailable(f"{address!r} accepted the connection but did not answer as a Dask scheduler "
                                   f"within {timeout:g} s")
    if not (b"compression" in greeting and b"python" in greeting):
        raise SchedulerUnavailable(f"{address!r} answers, but not as a Dask scheduler")


def check_scheduler(address: str, *, timeout_s: float | None = None) -> int:
    """Probe a Dask scheduler in a child process (connect, then wait for a worker; ``SCHEDULER_TIMEOUT_S``
    each by default, killed after both): return the worker count, or raise ``SchedulerUnavailable`` with one
    line — unreachable, no worker, or an address that answers but not as a Dask scheduler."""
    timeout = SCHEDULER_TIMEOUT_S if timeout_s is None else timeout_s
    if not isinstance(address, str) or not address.strip():
        raise SchedulerUnavailable(f"scheduler address must be a non-empty string like 'tcp://host:8786', got {address!r}")
    if importlib.util.find_spec("distributed") is None:
        raise SchedulerUnavailable("--scheduler needs Dask: pip install 'advaudit[dask]'")
    if address.startswith("inproc://"):  # a scheduler inside this process: only this process can reach it
        client = _connect(address, timeout)
        try:
            return len(client.scheduler_info().get("workers", {}))
        finally:
            client.close()
    _socket_probe(address, timeout)
    deadline = 2 * timeout + 60  # two waits, plus the child's start and its import of distributed under load
    child = subprocess.Popen([sys.executable, "-c", _PROBE, address, repr(float(timeout))], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        out, _ = child.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise SchedulerUnavailable(f"{address!r} accepted the connection but did not answer as a Dask scheduler "
                                   f"within {deadline:g} s") from None
    status, _, detail = (out.strip().splitlines() or ["not-dask"])[-1].partition(" ")
    if status == "ok":
        return int(detail)
    if status == "unreachable":
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler {address!r} within {timeout:g} s: {detail}")
    if status == "bad-address":
        raise SchedulerUnavailable(f"--scheduler {address!r} is not a scheduler address like 'tcp://host:8786': {detail}")
    if status == "no-worker":
        raise SchedulerUnavailable(f"the Dask scheduler {address!r} has no worker after {timeout:g} s")
    raise SchedulerUnavailable(f"{address!r} is not a Dask scheduler (the handshake failed: {detail or 'no answer'})")


# --- executors -------------------------------------------------------------------------------------------

def _execute(fn: Callable[[dict[str, Any]], Any], pending: list[tuple[str, dict[str, Any]]], *, workers: int,
             scheduler: str | None) -> Iterator[tuple[str, Any]]:
    """Yield ``(key, raw result)`` as tasks finish, on the chosen executor."""
    if not pending:
        return
    if scheduler:
        yield from _execute_dask(fn, pending, scheduler)
    elif workers > 1 and len(pending) > 1:
        yield from _execute_pool(fn, pending, min(workers, len(pending)))
    else:
        for key, config in pending:
            yield key, fn(config)


def _init_worker(threads: int) -> None:
    """Pool initializer: bound BLAS/OpenMP threads so that N workers do not oversubscribe the cores."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def _execute_pool(fn: Callable[[dict[str, Any]], Any], pending: list[tuple[str, dict[str, Any]]],
                  workers: int) -> Iterator[tuple[str, Any]]:
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init_worker, initargs=(threads,))
    try:
        futures = {pool.submit(fn, config): key for key, config in pending}
        for future in cf.as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed task or an interrupt: do not wait for the rest
        raise
    pool.shutdown(wait=True)


def _connect(address: str, timeout_s: float) -> Any:
    if not isinstance(address, str) or not address.strip():
        raise SchedulerUnavailable(f"scheduler address must be a non-empty string like 'tcp://host:8786', got {address!r}")
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerUnavailable("--scheduler needs Dask: pip install 'advaudit[dask]'") from None
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler {address!r} within {timeout_s:g} s: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise SchedulerUnavailable(f"the Dask scheduler {address!r} has no worker after {timeout_s:g} s: {exc}") from None
    return client


def _execute_dask(fn: Callable[[dict[str, Any]], Any], pending: list[tuple[str, dict[str, Any]]],
                  address: str) -> Iterator[tuple[str, Any]]:
    from distributed import as_completed

    client = _connect(address, SCHEDULER_TIMEOUT_S)
    try:
        futures = client.map(fn, [config for _, config in pending], key=[f"advaudit-sweep-{k}" for k, _ in pending],
                             pure=False)
        by_key = {f.key: key for f, (key, _) in zip(futures, pending)}
        for future in as_completed(futures, loop=client.loop):
            yield by_key[future.key], future.result()
    finally:
        client.close()


# --- cache ----------------------------------------------------------------------------------------------

def _cache_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


def _checksum(result: Any) -> str:
    text = json.dumps(result, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_read(cache: Path, key: str) -> tuple[bool, Any]:
    """(True, result) for a valid entry; (False, None) when absent or corrupted (with a warning)."""
    path = _cache_path(cache, key)
    if not path.exists():
        return False, None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
            raise ValueError("not a sweep cache entry")
        if entry.get("version") != CACHE_FORMAT_VERSION or entry.get("key") != key:
            raise ValueError("entry does not belong to this key or format version")
        if entry.get("result_sha256") != _checksum(entry["result"]):
            raise ValueError("result checksum mismatch")
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        warnings.warn(f"sweep cache entry {path} is corrupted ({exc}); recomputing it", SweepCacheWarning,
                      stacklevel=3)
        return False, None
    return True, entry["result"]


def _cache_write(cache: Path, key: str, name: str, config: dict[str, Any], result: Any) -> None:
    path = _cache_path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"format": CACHE_FORMAT, "version": CACHE_FORMAT_VERSION, "key": key, "function": name,
             "config": normalize(config), "result": result, "result_sha256": _checksum(result)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- helpers --------------------------------------------------------------------------------------------

def _module_file(fn: Callable[..., Any]) -> str | None:
    """The source file of ``fn``'s module when it lies outside theory/ and numerics/ (else None)."""
    path = getattr(sys.modules.get(getattr(fn, "__module__", ""), None), "__file__", None)
    if path is None:
        return None
    root = Path(__file__).resolve().parents[2]  # the repository root (numerics/execution/sweep.py)
    resolved = Path(path).resolve()
    return None if any(resolved.is_relative_to(root / pkg) for pkg in _CODE_PACKAGES) else str(resolved)


def _plain(value: Any) -> Any:
    """``json`` fallback: numpy/torch arrays and scalars via ``tolist``; anything else is an error."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


@contextlib.contextmanager
def _progress(enabled: bool, description: str, *, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar (its own, or a task on the lent shared display); a no-op when disabled."""
    if not enabled or total == 0:
        yield lambda k: None
        return
    if _shared:
        bar = _shared[-1]
        task = bar.add_task(description, total=total)
        try:
            yield lambda k: bar.advance(task, k)
        finally:
            bar.remove_task(task)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda k: bar.advance(task, k)


__all__ = ["run_sweep", "sweep_options", "shared_progress", "cache_key", "code_version", "check_scheduler",
           "canonical_json", "normalize", "function_name", "SweepCacheWarning", "SchedulerUnavailable",
           "SCHEDULER_TIMEOUT_S"]
