"""Closed-form expressions written by users (e.g. ``C * m**(-1/2) * H``), parsed without executing anything.

``sympy.sympify``/``parse_expr`` evaluate Python code, so they must never see text from a claim file. Here the text
is parsed by ``ast.parse(mode="eval")`` and only this grammar is turned into sympy objects, node by node:

    numbers (int → exact Integer, float → Float), names (from an allowed set), + − * / **, unary ±, and the
    calls sqrt(·), log(·), exp(·), abs(·), min(·, ·, …), max(·, ·, …).

``^`` is refused with a hint (in Python syntax it binds more loosely than +, so ``m^(1/2)+1`` would silently
mean m^(3/2)).

Anything else (attributes, subscripts, strings, keywords, comparisons, lambdas, other calls) is an
:class:`ExpressionError` naming what was found. Nothing is evaluated before the tree is accepted.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping

import sympy as sp

from theory.errors import InputError

MAX_EXPRESSION_CHARS = 500
MAX_EXPONENT = 64            # |integer exponent| above this is refused (no huge exact powers from a claim file)
_FUNCTIONS = {"sqrt": sp.sqrt, "log": sp.log, "exp": sp.exp, "abs": sp.Abs, "min": sp.Min, "max": sp.Max}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


class ExpressionError(InputError):
    """The text is not an expression of the accepted grammar, or names an unknown symbol."""


def parse_expression(text: str, allowed: Iterable[str]) -> sp.Expr:
    """The sympy expression of ``text`` over the names in ``allowed`` (module docstring); ExpressionError otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("must be a non-empty string")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not an expression ({exc.msg} at column {exc.offset})") from None
    names = {name: sp.Symbol(name, positive=True) for name in allowed}
    return _build(tree.body, names)


def _build(node: ast.AST, names: Mapping[str, sp.Symbol]) -> sp.Expr:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise ExpressionError(f"non-finite number {node.value!r}")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names:
            known = ", ".join(sorted(names)) or "none"
            raise ExpressionError(f"unknown symbol {node.id!r} (known: {known})")
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, names)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
        raise ExpressionError("'^' is not a power here: write ** (e.g. m**(-1/2))")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left, names), _build(node.right, names)
        if isinstance(node.op, ast.Pow) and right.is_Integer and abs(int(right)) > MAX_EXPONENT:
            raise ExpressionError(f"integer exponent {int(right)} is beyond ±{MAX_EXPONENT}")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{node.func.id}(…) takes plain positional arguments")
        args = [_build(a, names) for a in node.args]
        if node.func.id not in ("min", "max") and len(args) != 1:
            raise ExpressionError(f"{node.func.id}(…) takes one argument, got {len(args)}")
        return _FUNCTIONS[node.func.id](*args)
    what = type(node).__name__ if not isinstance(node, ast.Call) else f"call of {ast.unparse(node.func)!r}"
    raise ExpressionError(f"{what} is not allowed (numbers, names, + − * / **, sqrt, log, exp, abs, min, max)")


def evaluate(expr: sp.Expr, values: Mapping[str, float]) -> float:
    """The expression at these values of its symbols, as a float (nan when it is not a finite real number)."""
    missing = sorted(s.name for s in expr.free_symbols if s.name not in values)
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}")
    try:
        value = complex(expr.subs({s: sp.Float(values[s.name], 30) for s in expr.free_symbols}).evalf(30))
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):  # beyond float range, or not a number
        return math.nan
    if value.imag != 0 or not math.isfinite(value.real):
        return math.nan
    return value.real
