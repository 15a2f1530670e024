"""Measurements for claims written by users (audit/measured_kinds.py): their data, their networks, their bounds.

- ``inputs``       read a user's points, labels and network files safely (no pickle, no TorchScript by default)
- ``ntk``          NTK error of a user's architecture on a user's data: fitted rate or error at a width
- ``robust_loss``  per-sample certified sandwich of a user's network's robust loss against a stated value
- ``convergence``  Algorithm 1 on a user's problem, judged like C1, with the untrained-network control
- ``bound``        a user's closed-form bound (theory.expressions) against a measured quantity over a grid

Every measurement returns the main ``Evidence`` and its controls (evidence that must come out ``violated``);
the audit layer judges both. Modules are imported one by one; this package re-exports nothing.
"""
