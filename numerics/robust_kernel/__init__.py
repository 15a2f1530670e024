"""Robust kernel problems: the best robust loss of a function in an RKHS, with a certified bracket (C8, C1).

- ``kernels``     kernel models f = f0 + Σ_b Σ_j β_bj k_b(z_j, ·) (linear, NTK blocks) and their smoothness
- ``features``    well-conditioned eigen-feature coordinates of a Gram matrix
- ``program``     the problem, loss conjugates and the dual lower bound, the finite-set program
                  (``solve_finite``) and cutting planes (``solve_robust``)
- ``certificate`` branch-and-bound upper bound of max_{x' ∈ B(x)} ℓ(f(x'), y) from smoothness bounds

No re-exports: import the module you need.
"""
