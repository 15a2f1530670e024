"""The network and its building blocks: the paper's depth-H network, its activations, losses, data, balls B(x).

- ``activations``   σ and σ' as float64-safe torch functions
- ``nets``          ``FullyConnected``: x^(h) = √(c_σ/m)·σ(W^(h) x^(h−1)), f = aᵀx^(H)
- ``gradients``     closed-form ∇_W f at arbitrary weights
- ``losses``        ``get_loss(name)``: hinge, logistic, absolute, … (value, derivative, Lipschitz constant)
- ``perturbations`` ``PerturbationSet(norm, radius)``: ℓ2 / ℓ∞ balls and sphere caps (project, contains, sample)
- ``data``          ``sphere_points``, ``check_inputs`` (synthetic data, validation of user data)
- ``separable_data`` C8's separable data on the sphere, separation verified in closed form

Modules are imported one by one (``from numerics.network.nets import FullyConnected``); this package
re-exports nothing, so importing one module never pulls in the others.
"""
