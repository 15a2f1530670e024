"""Evidence records: what a check measured, against which bound, and how it was verified.

A check never returns a bare boolean. It returns an :class:`Evidence` holding
:class:`Comparison` rows (measured value, bound, relation, named tolerance),
re-verified :class:`Counterexample` s, seeds, configuration and solver statuses.
The verdict is assigned afterwards by ``audit.judge`` from these fields alone.

This module is pure Python (no numpy/torch) so that every layer can use it.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

# Verdicts on a claim (plus the registry's "not implemented"); audit/judge.py states when each applies.
CONSISTENT = "consistent"
VIOLATED = "violated"
INCONCLUSIVE = "inconclusive"
VACUOUS = "vacuous"
REFUTED_AS_STATED = "refuted-as-stated"
HOLDS_UNDER = "holds-under"
NOT_IMPLEMENTED = "not implemented"
VERDICTS = (CONSISTENT, VIOLATED, INCONCLUSIVE, VACUOUS, REFUTED_AS_STATED, HOLDS_UNDER, NOT_IMPLEMENTED)
# Not a verdict on the claim: the run failed (the check raised — a bug in it, or an environment fault such as
# a missing solver or a lost worker). Its own outcome, never success, exit status 2; traceback in the ledger.
ERROR = "error"
OUTCOMES = VERDICTS + (ERROR,)

# Relations a comparison can state between ``measured`` and ``bound``.
#   "<="        measured <= bound + tolerance                    (upper bounds)
#   ">="        measured >= bound - tolerance                    (lower bounds)
#   "=="        |measured - bound| <= tolerance                  (identities)
#   "contains"  interval[0] - tol <= bound <= interval[1] + tol   (rates: CI of a fitted slope)
RELATIONS = ("<=", ">=", "==", "contains")


@dataclass
class Comparison:
    """One measured quantity against the bound evaluated at the same parameters."""

    name: str
    measured: float
    bound: float
    relation: str
    tolerance: float = 0.0
    tolerance_name: str = "exact"
    interval: tuple[float, float] | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    # An *encoding* row compares the suite's own encoding with itself (e.g. a projected iterate against the
    # radius it was projected onto): shown, and a failure counts, but it is never evidence for the claim.
    encoding: bool = False

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.relation!r}")
        if self.relation == "contains" and self.interval is None:
            raise ValueError("relation 'contains' needs an interval")
        self.measured = float(self.measured)
        self.bound = float(self.bound)
        self.tolerance = float(self.tolerance)
        if self.interval is not None:
            self.interval = (float(self.interval[0]), float(self.interval[1]))

    @property
    def margin(self) -> float:
        """Signed slack: positive means the relation holds with room to spare (before tolerance)."""
        if self.relation == "<=":
            return self.bound - self.measured
        if self.relation == ">=":
            return self.measured - self.bound
        if self.relation == "==":
            return -abs(self.measured - self.bound)
        lo, hi = self.interval  # type: ignore[misc]
        return min(self.bound - lo, hi - self.bound)

    @property
    def slack(self) -> float | None:
        """How loose the bound is, as a ratio (1 = tight): bound/measured for "<=", measured/bound for ">=",
        interval width/|bound| for "contains" (a wide interval accepts much); None for identities and where the
        ratio has no meaning (a side ≤ 0, non-finite values)."""
        if not self.finite:
            return None
        if self.relation == "<=" and self.measured > 0 and self.bound > 0:
            return self.bound / self.measured
        if self.relation == ">=" and self.measured > 0 and self.bound > 0:
            return self.measured / self.bound
        if self.relation == "contains" and self.bound != 0:
            lo, hi = self.interval  # type: ignore[misc]
            return (hi - lo) / abs(self.bound)
        return None

    @property
    def finite(self) -> bool:
        values = [self.measured, self.bound] + (list(self.interval) if self.interval else [])
        return all(math.isfinite(v) for v in values)

    @property
    def holds(self) -> bool:
        """The relation holds within the named tolerance (False for non-finite values)."""
        return self.finite and self.margin >= -self.tolerance

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["margin"] = self.margin if self.finite else None
        out["slack"] = self.slack
        out["holds"] = self.holds
        return out


@dataclass
class Counterexample:
    """A failure of a comparison, re-computed independently before it is reported.

    ``reverified`` is True only when an independent computation (plain float64 numpy
    or exact rational arithmetic, named in ``method``) reproduced the failure.

    ``recorded_measured`` (optional) is the value the check recorded for the quantity that ``recomputed_measured``
    recomputes independently; when the two differ by more than ``agreement_rtol``·max(1, |recorded|) the
    re-verification itself disagrees with the measurement (:attr:`disagrees`): an internal inconsistency, which
    the judge counts as ``violated`` whatever the failing comparison says.
    """

    comparison: str
    description: str
    inputs: dict[str, Any]
    recomputed_measured: float
    recomputed_bound: float
    method: str
    reverified: bool
    recorded_measured: float | None = None
    agreement_rtol: float = 0.0

    @property
    def disagrees(self) -> bool:
        """The independent recomputation contradicts the recorded measurement (non-finite values count)."""
        if self.recorded_measured is None:
            return False
        rec, new = float(self.recorded_measured), float(self.recomputed_measured)
        if not (math.isfinite(rec) and math.isfinite(new)):
            return not (rec == new)
        return abs(new - rec) > self.agreement_rtol * max(1.0, abs(rec))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["disagrees"] = self.disagrees
        return out


@dataclass
class Control:
    """The same check run on an input that, by the claim's own logic, must be judged ``violated``.

    ``differs_in`` names the one thing changed from the real run (no training, one layer off, a rate off by the
    smallest amount the design should resolve): the real run passing and the control failing shows the check's
    resolution. A control that is not violated means the check cannot discriminate (the judge says vacuous).
    """

    name: str
    differs_in: str
    evidence: "Evidence"

    def to_dict(self) -> dict[str, Any]:
        ev = self.evidence
        return {"name": self.name, "differs_in": self.differs_in, "verdict": ev.verdict,
                "verdict_reason": ev.verdict_reason, "evidence": ev.to_dict()}


@dataclass
class RunContext:
    """What every check receives: tier, master seed, device and progress settings."""

    tier: str = "fast"
    seed: int = 0
    device: str = "cpu"
    quiet: bool = True
    workers: int = 1
    scheduler: str | None = None
    cache_dir: str | None = None  # on-disk sweep cache (numerics.execution.sweep); None = no caching
    data: str | None = None  # a built-in real data set (numerics.network.datasets) for the checks that take
    #                          data (CheckSpec.takes_data); None = the checks' synthetic points

    def __post_init__(self) -> None:
        if self.tier not in ("fast", "full"):
            raise ValueError(f"unknown tier {self.tier!r} (expected 'fast' or 'full')")


@dataclass
class Evidence:
    """Everything one check observed. ``verdict`` is filled in by the judge."""

    claim_id: str
    check_id: str
    tier: str
    comparisons: list[Comparison] = field(default_factory=list)
    counterexamples: list[Counterexample] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    measurements: dict[str, Any] = field(default_factory=dict)
    solver_statuses: list[str] = field(default_factory=list)
    inconclusive_reasons: list[str] = field(default_factory=list)
    vacuous_reason: str | None = None
    construction_verdict: str | None = None
    notes: list[str] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    error: str | None = None            # why the check could not run (one line); set by the runner
    error_traceback: str | None = None  # the traceback behind ``error``, kept for the ledger
    # A construction audit's exact label, shown with its verdict (e.g. "refuted as reconstructed (bias-free): …").
    construction_label: str | None = None
    wall_time_s: float = 0.0
    verdict: str | None = None
    verdict_reason: str = ""
    # Set by the judge: one-word flags on the verdict ("loose", "encoding") and the comparison summary
    # {"deciding": row | None, "tightest": row | None, "loosest": row | None} (audit.judge.summarize).
    flags: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def compare(self, name: str, measured: float, bound: float, relation: str, *,
                tolerance: float = 0.0, tolerance_name: str = "exact",
                interval: tuple[float, float] | None = None, encoding: bool = False, **detail: Any) -> Comparison:
        """Append and return a comparison row (``encoding``: see :class:`Comparison`)."""
        row = Comparison(name, measured, bound, relation, tolerance, tolerance_name, interval, dict(detail), encoding)
        self.comparisons.append(row)
        return row

    def add_control(self, name: str, differs_in: str, evidence: "Evidence") -> Control:
        """Attach a control run (see :class:`Control`); the judge judges it and requires ``violated``."""
        control = Control(name, differs_in, evidence)
        self.controls.append(control)
        return control

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (non-finite floats become the strings 'inf', '-inf', 'nan', everywhere)."""
        return _jsonable({
            "claim_id": self.claim_id,
            "check_id": self.check_id,
            "tier": self.tier,
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "flags": list(self.flags),
            "summary": self.summary,
            "construction_label": self.construction_label,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "counterexamples": [c.to_dict() for c in self.counterexamples],
            "seeds": list(self.seeds),
            "config": self.config,
            "measurements": self.measurements,
            "solver_statuses": list(self.solver_statuses),
            "inconclusive_reasons": list(self.inconclusive_reasons),
            "vacuous_reason": self.vacuous_reason,
            "construction_verdict": self.construction_verdict,
            "notes": list(self.notes),
            "controls": [c.to_dict() for c in self.controls],
            "error": self.error,
            "error_traceback": self.error_traceback,
            "wall_time_s": self.wall_time_s,
        })


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and non-finite floats into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def json_safe(value: Any) -> Any:
    """``value`` with numpy values, tuples and non-finite floats made JSON-safe, as in ``Evidence.to_dict``."""
    return _jsonable(value)
