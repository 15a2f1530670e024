"""The numerical checks: one module per claim, each ``check_*(ctx, **parameters) -> Evidence`` named by a
CheckSpec of theory/claims.py (``advaudit show ID`` prints which).

- ``c0_surrogate``, ``c0_attacks`` C0: L_A ≤ L* (linear closed forms; networks with CROWN, MILP, grid)
- ``c1_convergence``               C1/C2: Algorithm 1 against a certified comparator (PGD; exact attack)
- ``c3_no_projection``             C3: two-layer runs without projection stay within R'
- ``c4_regret``                    C4: regret, approximate convexity and the assembly on runs; ε_lin rate
- ``c5_ntk``                       C5: empirical NTK → analytic NTK at rate m^(−1/2)
- ``c6_attack_strength``           C6: stronger attacks reach higher L_A, gaps to the certified L*
- ``c7_lazy``                      C7: iterates stay near initialization, relative movement → 0
- ``c8_existence``                 C8: robust kernel values vs R and d; the antipodal obstruction
- ``c9_vc``                        C9: the ℓ∞ and ℓ2 VC constructions, exactly; the oracles on known VC classes
- ``c10_capacity``                 C10: certified robust vs plain memorization widths
- ``c11_parametrization``          C11: layer norms, NTK diagonal, output covariance against independent constants
- ``shared/``                      what several of them share (attack evidence, training setup, C4 assembly)
"""
