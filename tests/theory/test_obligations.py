"""The obligation prover: sympy proofs, interval certificates, exact refutations, and 'undecided' (never a pass)."""
import sympy as sp

from theory.evidence import Evidence
from theory.obligations import Obligation, discharge, record
from audit.judge import judge

e, w, R, a, b, x = sp.symbols("epsilon w R a b x", nonnegative=True)


def test_sympy_proves_sign_and_monotone_forms():
    assert discharge(Obligation("o", "s", -e * w / (3 * (1 + w)), "d", {e: (0, 1), w: (0, 9)})).method == "sympy"
    d = discharge(Obligation("o", "s", e / 3 * ((1 + w) ** sp.Rational(-3, 2) - 1), "d", {e: (0, 1), w: (0, 9)},
                             (w,)))
    assert d.result == "proved" and "nonincreasing" in d.detail


def test_interval_certificates_need_the_box():
    d = discharge(Obligation("o", "s", -(1 + (2 * a - 1) * (2 * b - 1)), "d", {a: (0, 1), b: (0, 1)}))
    assert (d.method, d.result) == ("interval", "certified") and d.sup_bound <= 0
    d = discharge(Obligation("o", "s", sp.log(1 + x) - x, "d", {x: (0, 10)}))   # touches 0 at x = 0
    assert d.result == "certified"
    assert discharge(Obligation("o", "s", sp.log(1 + x) - x, "d")).result == "undecided"


def test_refutations_are_exact_and_become_violated_evidence():
    d = discharge(Obligation("o", "s", e * R / 3 - e / 3, "d", {e: ("1/100", 1), R: ("1/10", 100)}))
    assert d.result == "refuted" and d.counterexample["method"].startswith("exact rational")
    assert d.sup_bound > 0
    d2 = discharge(Obligation("o", "s", sp.sqrt(x) - 2, "d", {x: (0, 10)}))
    assert d2.result == "refuted" and "60-digit" in d2.counterexample["method"]
    ev = Evidence("X", "x", "fast")
    record(ev, [d])
    assert judge(ev).verdict == "violated" and ev.measurements["obligations"][0]["result"] == "refuted"


def test_undecided_is_inconclusive_never_consistent():
    ev = Evidence("X", "x", "fast")
    record(ev, [discharge(Obligation("o", "s", sp.log(1 + x) - x, "d"))])
    assert judge(ev).verdict == "inconclusive"


def test_identities():
    assert discharge(Obligation("i", "s", (x + 1) ** 2 - x**2 - 2 * x - 1, "d", identity=True)).result == "proved"
    assert discharge(Obligation("i", "s", (x + 1) ** 2 - x**2 - 2 * x, "d", {x: (0, 1)},
                                identity=True)).result == "refuted"
