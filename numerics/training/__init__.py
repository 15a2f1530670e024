"""Algorithm 1 (adversarial training with projection onto B(R)) and what its analysis needs.

- ``algorithm``         ``adversarial_training``, ``AdversarialTrainer``, ``TrainingResult`` (per-iteration log)
- ``ball``              r_m(R), ``ball_radius``, ``project_to_ball`` (layer-wise Frobenius projection)
- ``linearization``     linearization error ε_lin of W ↦ f(W, x) on the ball (C4.2)
- ``online_gd``         projected online gradient descent and the regret lemma (C4.1)
- ``comparator``        comparators W* ∈ B(R) with a certified robust loss (C1/C2 right-hand side)
- ``kernel_comparator`` the robust-kernel comparator: RKHS solution mapped back to weights W* ∈ B(R)

No re-exports: import the module you need.
"""
