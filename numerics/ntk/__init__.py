"""Neural tangent kernels: the infinite-width kernel, the finite-width one, and the rate fits of C5.

- ``analytic``        ``analytic_ntk``, ``analytic_ntk_terms``, ``nngp_kernel`` (infinite width, closed forms
                      or kink-aware quadrature) and ``empirical_ntk`` (structured or autograd, finite width)
- ``dual_activations`` one layer of the infinite-width recursion, plain numpy, with a high-precision reference
- ``fluctuations``   ``diagonal_fluctuation_scale``: the leading-order √m·SD of Θ_m(x, x) (delta method), C5's scale
- ``rate_fit``        log-log rate fits y ≈ C·x^p with confidence intervals (also used by C4 and C7)

No re-exports: import the module you need.
"""
