"""The C4 chain: derived α, T*, m*, R' (both scalings, C3), the paper form, and the obligations."""
import pytest
import sympy as sp

from theory import proof_chain as pc
from theory.errors import InputError
from theory.obligations import discharge

eps, R, H, L, G, C, m = pc.eps, pc.R, pc.H, pc.L, pc.G, pc.C_H, pc.m


def test_per_layer_R_matches_claims_md():
    c = pc.derive("C1", "per-layer-R")
    assert sp.simplify(c.alpha - 2 * eps / (3 * L**2 * G**2)) == 0
    assert sp.simplify(c.T_star - 9 * H * R**2 * L**2 * G**2 / (4 * eps**2)) == 0
    assert sp.simplify(c.m_star - 36 * L**2 * C**2 * R**4 / eps**2) == 0
    f = c.derived_form()
    assert (f.a_R, f.a_eps) == (4, 2) and sp.simplify(f.coefficient - 36 * L**2 * C**2) == 0


def test_shrinking_ball_scaling():
    c = pc.derive("C1", "per-layer-R-over-sqrt-m")
    assert sp.simplify(c.m_star**3 - (6 * L * C * R**2 / eps) ** 2) == 0
    f = c.derived_form()
    assert (f.a_R, f.a_eps) == (sp.Rational(4, 3), sp.Rational(2, 3))
    assert any("shrinks" in n for n in c.notes)


def test_c3_radius_and_width():
    c = pc.derive("C3", "per-layer-R")
    assert sp.simplify(c.R_prime - sp.Rational(3, 2) * R**2 * L * G / eps) == 0
    assert (c.derived_form().a_R, c.derived_form().a_eps) == (8, 6)
    with pytest.raises(InputError):
        pc.derive("C3", "per-layer-R-over-sqrt-m")
    with pytest.raises(InputError):
        pc.derive("C1", "per-layer-2R")


@pytest.mark.parametrize("theorem, scaling", [("C1", "per-layer-R"), ("C1", "per-layer-R-over-sqrt-m"),
                                              ("C3", "per-layer-R")])
def test_every_obligation_holds(theorem, scaling):
    obs = pc.obligations(pc.derive(theorem, scaling)) + pc.lemma_obligations()
    results = [discharge(ob) for ob in obs]
    assert all(d.holds for d in results), [(d.name, d.result) for d in results if not d.holds]
    assert {d.method for d in results} == {"sympy", "interval"}


def test_exponent_obligations_flag_a_smaller_print():
    chain = pc.derive("C1", "per-layer-R")
    low = pc.PaperForm(chain.derived_form().coefficient, 2, 2)
    res = {d.name.split(": ")[1]: d.result for d in map(discharge, pc.exponent_obligations(chain, low))}
    assert res == {"a_R derived ≤ printed": "refuted", "a_ε derived ≤ printed": "proved"}
