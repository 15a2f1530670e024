"""numerics.execution.sweep: one executor (inline, spawn pool, Dask), identical ordered results, the on-disk cache."""
import json
import socket
import threading
import time
import warnings

import numpy as np
import pytest

from numerics.execution import sweep
from numerics.execution.sweep import SweepCacheWarning, cache_key, run_sweep, sweep_options
from theory.errors import InputError
from theory.evidence import RunContext

CALLS: list[dict] = []
THREADS: list[str] = []


def noisy_width(config):
    """A sweep task whose randomness comes only from its config's seed."""
    CALLS.append(config)
    THREADS.append(threading.current_thread().name)
    rng = np.random.default_rng(config["seed"])
    z = rng.standard_normal(3)
    return {"width": config["width"], "value": float(z[0] * config["width"]), "vector": z, "n": np.int64(3)}


def failing(config):
    raise RuntimeError(f"task {config['seed']} failed")


CONFIGS = [{"width": w, "seed": s} for w in (16, 4, 64) for s in (2, 0, 1)]


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()
    THREADS.clear()


def _reference():
    return [noisy_width({**c}) for c in CONFIGS]


def test_inline_results_are_normalized_and_in_config_order():
    out = run_sweep(noisy_width, CONFIGS)
    assert [r["width"] for r in out] == [c["width"] for c in CONFIGS]
    assert out == json.loads(json.dumps(out))  # plain JSON values: lists, floats, ints
    assert isinstance(out[0]["vector"], list) and out[0]["n"] == 3
    direct = np.random.default_rng(CONFIGS[4]["seed"]).standard_normal(3)
    assert out[4]["vector"] == direct.tolist()


def test_process_pool_gives_identical_results():
    inline = run_sweep(noisy_width, CONFIGS)
    pooled = run_sweep(noisy_width, CONFIGS, workers=2)
    assert pooled == inline


def test_task_error_propagates_from_the_pool():
    with pytest.raises(RuntimeError, match="failed"):
        run_sweep(failing, [{"seed": 1}, {"seed": 2}], workers=2)


def test_cache_recomputes_only_new_configs(tmp_path):
    first = run_sweep(noisy_width, CONFIGS, cache_dir=tmp_path)
    assert len(CALLS) == len(CONFIGS)
    CALLS.clear()
    extra = {"width": 128, "seed": 5}
    second = run_sweep(noisy_width, CONFIGS + [extra], cache_dir=tmp_path)
    assert CALLS == [extra]
    assert second[:-1] == first
    assert not list(tmp_path.rglob("*.tmp"))


def test_duplicate_configs_are_computed_once():
    out = run_sweep(noisy_width, [CONFIGS[0], dict(reversed(list(CONFIGS[0].items())))])
    assert len(CALLS) == 1 and out[0] == out[1]


def test_corrupted_cache_entry_is_recomputed_with_a_warning(tmp_path):
    good = run_sweep(noisy_width, CONFIGS[:2], cache_dir=tmp_path)
    entry = next(tmp_path.rglob(f"{cache_key(noisy_width, CONFIGS[1])}.json"))
    entry.write_text(entry.read_text()[:40])  # truncated file
    CALLS.clear()
    with pytest.warns(SweepCacheWarning, match="corrupted"):
        again = run_sweep(noisy_width, CONFIGS[:2], cache_dir=tmp_path)
    assert again == good and CALLS == [CONFIGS[1]]
    data = json.loads(entry.read_text())
    data["result"]["value"] += 1.0  # tampered value: the checksum no longer matches
    entry.write_text(json.dumps(data))
    with pytest.warns(SweepCacheWarning, match="checksum"):
        assert run_sweep(noisy_width, CONFIGS[:2], cache_dir=tmp_path) == good
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_sweep(noisy_width, CONFIGS[:2], cache_dir=tmp_path) == good  # repaired: no warning


def test_cache_key_is_canonical_and_depends_on_config_function_and_code(monkeypatch):
    a = cache_key(noisy_width, {"width": 4, "seed": 1})
    assert a == cache_key(noisy_width, {"seed": 1, "width": 4})
    assert a != cache_key(noisy_width, {"width": 4, "seed": 2})
    assert a != cache_key(failing, {"width": 4, "seed": 1})
    monkeypatch.setattr(sweep, "code_version", lambda extra=None: "edited")
    assert a != cache_key(noisy_width, {"width": 4, "seed": 1})


@pytest.mark.parametrize("kwargs, configs, needle", [
    ({"workers": 0}, CONFIGS, "workers"),
    ({}, [{"width": object()}], "JSON"),
    ({}, [{"width": float("nan")}], "JSON"),
])
def test_bad_input_is_an_input_error(kwargs, configs, needle):
    with pytest.raises(InputError, match=needle):
        run_sweep(noisy_width, configs, **kwargs)


def test_local_function_cannot_be_cached(tmp_path):
    with pytest.raises(InputError, match="module level"):
        run_sweep(lambda c: c, [{"seed": 0}], cache_dir=tmp_path)


def test_sweep_options_come_from_the_run_context(tmp_path):
    ctx = RunContext(quiet=False, workers=3, scheduler="tcp://h:1", cache_dir=str(tmp_path))
    assert sweep_options(ctx) == {"workers": 3, "scheduler": "tcp://h:1", "cache_dir": str(tmp_path),
                                  "progress": True}


def test_unreachable_scheduler_is_a_clear_error_within_30_s(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the socket is: nothing listens there
    monkeypatch.setattr(sweep, "SCHEDULER_TIMEOUT_S", 2.0)
    start = time.monotonic()
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        run_sweep(noisy_width, CONFIGS, scheduler=f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 30
    assert not CALLS


def test_dask_local_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    inline = run_sweep(noisy_width, CONFIGS)
    THREADS.clear()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        assert sweep.check_scheduler(cluster.scheduler_address) == 1
        on_dask = run_sweep(noisy_width, CONFIGS, scheduler=cluster.scheduler_address, cache_dir=tmp_path)
    assert on_dask == inline
    assert THREADS and threading.main_thread().name not in THREADS  # ran on the Dask worker's threads
    assert run_sweep(noisy_width, CONFIGS, cache_dir=tmp_path) == inline  # Dask's results were cached


@pytest.mark.parametrize("greeting, needle", [(None, "did not answer as a Dask scheduler"),
                                              (b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64, "not as a Dask scheduler")])
def test_a_server_that_is_no_dask_scheduler_is_refused_quickly(greeting, needle, monkeypatch):
    """An address that accepts TCP but stays silent (Dask's client once hung there for minutes) or answers
    something else (Dask's client once died with a 3 EiB MemoryError) is one InputError within the timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []

    def serve():
        conn, _ = server.accept()
        accepted.append(conn)
        if greeting:
            conn.sendall(greeting)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        with pytest.raises(InputError, match=needle):
            sweep.check_scheduler(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout_s=1.0)
    finally:
        server.close()
        for conn in accepted:
            conn.close()
    assert time.monotonic() - start < 10
