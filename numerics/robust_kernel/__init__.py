"""Robust kernel problems: the best robust loss of a function in an RKHS, with a certified bracket (C8, C1).

- ``kernels``            kernel models f = f0 + Σ_b Σ_j β_bj k_b(z_j, ·) (linear, NTK blocks; a two-layer net as the
                         ridge expansion Σ_r β_r σ(z_rᵀx)), their smoothness and (where derived) closed-form
                         derivatives and curvature bounds
- ``relu2_ntk``          closed forms of the two-layer relu2 NTK: values, ∇, ∇², certified third-derivative constant
- ``features``           well-conditioned eigen-feature coordinates of a Gram matrix
- ``columns``            kernel columns of active points on a pool, cached (no N×N Gram)
- ``program``            the problem and the finite-set program (``solve_finite``: Clarabel or the interior point)
- ``interior_point``     dense primal-dual interior point for the hinge loss's dual
- ``duality``            loss conjugates and the weak-duality lower bound
- ``linear_closed_form`` the linear kernel's robust hinge problem on ℓ2/ℓ∞ balls as one convex program
- ``cutting_planes``     ``solve_robust``: cutting planes over the whole sets B(x_i) with a certified bracket
- ``trust_region``       certified lower bounds of quadratics over balls and boxes (Lagrangian duality)
- ``curvature``          second-order certificate of max_{x' ∈ B(x)} ℓ(f(x'), y) (Taylor + Hessian-Lipschitz bound)
- ``certificate``        first-order (Lipschitz/Taylor) branch and bound, for kernels without curvature bounds

No re-exports: import the module you need.
"""
