"""Attacks and certified bounds of the robust loss L*_i = max_{x' ∈ B(x_i)} ℓ(f(x'), y_i).

- ``attacks``          FGSM, PGD, RandomAttack, GridMaximizer, LinearMaximizer; every output verified in B(x)
- ``relaxations``      sound linear bounds of each activation on an interval (CROWN building block)
- ``bounds``           ``robust_loss_bounds``: lower (best attack) ≤ exact (MILP) ≤ upper (CROWN / IBP)
- ``milp``, ``milp_worker`` exact robust loss of tiny ReLU nets on ℓ∞ balls, in a separate solver process
- ``arc_certificate``  certified robust loss on the circle (sphere caps in d = 2), second-order grid bound

No re-exports (``milp_worker`` must start without torch): import the module you need.
"""
