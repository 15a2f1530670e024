"""User expressions are parsed by a fixed grammar into sympy, never evaluated as Python."""
import math
import re

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from theory.expressions import ExpressionError, evaluate, parse_expression


def test_a_bound_in_measured_quantities_and_constants():
    expr = parse_expression("C * m**(-1/2) * H", ["C", "m", "H"])
    m, C, H = sp.symbols("m C H", positive=True)
    assert sp.simplify(expr - C * H / sp.sqrt(m)) == 0
    assert evaluate(expr, {"C": 3, "m": 64, "H": 2}) == pytest.approx(0.75, rel=1e-15)
    assert evaluate(parse_expression("max(sqrt(m), log(exp(2)))", ["m"]), {"m": 1}) == pytest.approx(2)


@pytest.mark.parametrize("text, needle", [
    ("__import__('os').system('touch /tmp/x')", "call of"),
    ("m.real", "Attribute is not allowed"),
    ("m[0]", "Subscript is not allowed"),
    ("(lambda: 1)()", "call of"),
    ("'text'", "Constant is not allowed"),
    ("m if m else 1", "IfExp is not allowed"),
    ("K * m", "unknown symbol 'K'"),
    ("m**1000", "beyond ±64"),
    ("m^2", "write **"),
    ("sqrt(m, 2)", "takes one argument"),
    ("sqrt(x=m)", "plain positional"),
    ("m +", "not an expression"),
    ("", "non-empty"),
    ("m" * 600, "longer than"),
])
def test_anything_outside_the_grammar_is_refused_before_evaluation(text, needle):
    with pytest.raises(ExpressionError, match=re.escape(needle)):
        parse_expression(text, ["m", "C"])


@pytest.mark.parametrize("text", ["1/0", "log(-m)", "m**(m**m)", "exp(exp(exp(m)))", "sqrt(-m)"])
def test_values_that_are_not_finite_reals_evaluate_to_nan(text):
    assert math.isnan(evaluate(parse_expression(text, ["m"]), {"m": 4096}))


@given(st.floats(0.1, 10), st.integers(1, 2 ** 14))
def test_the_parsed_rate_bound_matches_its_closed_form(c, m):
    assert evaluate(parse_expression("c / sqrt(m)", ["c", "m"]), {"c": c, "m": m}) == pytest.approx(c / math.sqrt(m),
                                                                                                   rel=1e-12)
