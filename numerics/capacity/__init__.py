"""Capacity: shattering by exhaustive enumeration, exact realizability oracles, the C9/C10 constructions.

- ``shattering``          ``shatter(points, oracle)``, the ``Oracle`` protocol, decisions with certificates
- ``separability``        exact LP/SOCP oracles for (robust) linear separability, certificates checked in Q
- ``closed_form_oracles`` boxes and intervals, vectorized
- ``relu_oracles``        tiny one-hidden-layer ReLU nets: MILP and gradient-fit oracles
- ``exact_rational``      float → Fraction, exact dot products and small solves
- ``vc_constructions``    the C9 templates under the 16 conventions, checked exactly
- ``strict_gap``          the strict-gap obstruction and the decision-stump refutation of ⌊n/2⌋·d
- ``known_vc``            classes of known VC dimension with independent exact arguments (oracle calibration)
- ``capacity_search``     smallest width reaching zero training error (doubling search, trend fits; C10)

No re-exports: import the module you need.
"""
