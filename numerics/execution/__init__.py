"""How measurements run: sweeps with an on-disk cache, thread pinning, independent recomputation.

- ``sweep``     ``run_sweep(fn, configs, workers=, scheduler=, cache_dir=)``: inline, process pool or Dask
- ``threads``   ``single_thread()``: pin torch to one intra-op thread for small-tensor work
- ``recompute`` plain-numpy float64 forward passes and losses that re-verify counterexamples

No re-exports: import the module you need.
"""
