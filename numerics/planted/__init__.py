"""PLANTED FAULTS — deliberately broken variants that ``advaudit selftest`` feeds to the checks.

Nothing in production imports this package: a check that can be given a broken part takes it as a
parameter (an attack class, a trainer class, an oracle, a kernel), and the registry here passes the
broken one. Every entry must be judged ``violated``.

- ``attacks``   attacks that leave B(x), return NaN, or follow the wrong gradient
- ``bounds``    an unsound IBP upper bound
- ``training``  Algorithm 1 with gradient ascent or the wrong projection radius
- ``oracles``   a shattering oracle that always answers 'realizable'
- ``ntk``       a structured empirical NTK with the layer scale dropped from its recursion
- ``networks``  networks with c_σ read 10 % too large or without the last layer's scale
"""
