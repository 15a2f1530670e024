"""What ``advaudit hunt`` measures per claim: one :class:`~numerics.checks.hunts.plan.HuntPlan` per numerical check,
beside its check (``cN.py`` ↔ ``numerics/checks/cN_*.py``), exported as ``PLANS`` (check id → plan).

A plan names the parameters of the claim's hypothesis space (theory/spaces.py) the check needs, and a measurement
of ONE configuration that runs the check's own per-configuration code and returns its Evidence.

- ``plan``   the HuntPlan record and the lookups ``plan_for(spec)`` and ``not_hunted_reason(spec)``
- ``c0`` … ``c11``  the plans of C0 (two checks), C1 and C2, C3, C4, C5, C6, C7, C8 (three), C9 (three), C10,
  C11 (three); a numerical check without a plan must say why in its module's ``NOT_HUNTED`` (none does today)
"""
