"""The hunt's score: encoding rows are never scored, and agreement rows do not hide the tightest inequality."""
import math

from audit.hunt.scoring import family, relative_margin, score
from theory.evidence import Evidence


def _evidence() -> Evidence:
    ev = Evidence("C0", "C0-x", "fast")
    ev.compare("[m=64] structured NTK = autograd NTK", 1.0, 1.0 + 1e-13, "==", tolerance=1e-9)
    ev.compare("[m=64] L_A ≤ upper bound", 0.8, 1.0, "<=")
    ev.compare("our encoding R(d) grows exponentially", 0.0, 1.0, ">=", encoding=True)
    return ev


def test_encoding_rows_are_not_scored():
    s = score(_evidence())
    assert all("encoding" not in name for name in s.families) and s.non_finite == 0


def test_the_headline_margin_is_the_tightest_inequality_not_an_agreement_row():
    s = score(_evidence())
    assert s.comparison == "[m=64] L_A ≤ upper bound" and math.isclose(s.value, 0.2)
    assert set(s.families) == {"structured NTK = autograd NTK", "L_A ≤ upper bound"}


def test_agreement_rows_are_the_headline_only_when_nothing_else_is_measured():
    ev = Evidence("C0", "C0-x", "fast")
    row = ev.compare("a = b", 1.0, 1.0, "==", tolerance=1e-9)
    s = score(ev)
    assert s.comparison == "a = b" and s.value == relative_margin(row)


def test_family_drops_configuration_tags():
    assert family("[relu m=8] d=2, trend fgsm ≤ pgd (n=4, d=3)") == "trend fgsm ≤ pgd"
