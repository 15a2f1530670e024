"""Test support: attach a control that is violated, so that a consistent test evidence is earned (judge rule 11)."""
from theory.evidence import Counterexample, Evidence


def with_violated_control(ev: Evidence) -> Evidence:
    control = Evidence(claim_id=ev.claim_id, check_id=ev.check_id, tier=ev.tier)
    row = control.compare("control: a wrong input", 2.0, 1.0, "<=")
    control.counterexamples.append(Counterexample(row.name, "control", {}, 2.0, 1.0, "float64", True))
    ev.add_control("wrong input", "one constant", control)
    return ev
