"""C8's exponential width (symbolic growth rate) and C9's exact counts and parameter implications."""
import sympy as sp

from theory import capacity as cap
from theory import existence as ex


def test_growth_rates():
    rate = ex.growth_rate(ex.existence_width(ex.radius()))
    assert sp.simplify(sp.expand_log(rate - ex.exponential_rate_closed_form(), force=True)) == 0
    assert ex.growth_rate(ex.existence_width(ex.radius("polynomial"))) == 0
    cor = ex.growth_rate(ex.corollary_width(ex.radius()).subs(ex.b_R, 2))
    at = {ex.kappa: sp.Rational(1, 2), ex.C_R: 2, ex.delta_sep: sp.Rational(1, 2), ex.eps: sp.Rational(1, 10)}
    assert sp.simplify(cor.subs(at) - 2 * sp.log(40)) == 0   # C1's R⁴ dominates: rate 4κ·log(C_R/(δ_sep·ε))


def test_thresholds_and_counts():
    assert cap.rho_threshold(2) == 1 / sp.sqrt(2) and cap.k_of_rho(sp.Rational(9, 10)) == 5
    assert [cap.k_of_rho(cap.rho_threshold(k)) for k in range(2, 12)] == list(range(2, 12))
    assert cap.l2_count(100, 3, sp.Rational(99, 100)) == 150 and cap.linf_template_count(7, 4) == 12


def test_parameter_implications():
    assert cap.gj_min_params(500) == 23 and 22**2 < 500 <= 23**2
    P = cap.bartlett_min_params(50000, 3)
    assert P * 3 * __import__("math").log2(P) >= 50000 > (P - 1) * 3 * __import__("math").log2(P - 1)
    m = cap.min_width_for_params(10**6, 10, 2)
    assert cap.parameter_count(10, m, 2) >= 10**6 > cap.parameter_count(10, m - 1, 2)


def test_linf_template_geometry_is_exact():
    g = cap.linf_template(2, 3, sp.Rational(1, 2))[0]
    plus, minus = g["pair"]([1, -1, 1])
    assert cap.linf_dist(plus, minus) == 1 and cap.linf_dist(g["centre"], plus) == sp.Rational(1, 2)
