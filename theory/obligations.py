"""Proof obligations ``expr ≤ 0`` (or ``expr == 0``) and how each one is discharged.

Methods, tried in this order (a numeric spot check never counts as a proof):

1. **sympy** — the expression (after ``together``/``factor``/``simplify``) is ≤ 0 by sympy's assumption
   system on its symbols (all declared positive / nonnegative), e.g. −ε·w/(3(1+w)) with ε > 0, w ≥ 0; or
   it is ≤ 0 where every slack symbol is 0 and each ∂/∂slack is ≤ 0 by the same system (monotone in the
   slacks, so the maximum over the slack orthant is at its corner).
2. **interval** — mpmath ``iv`` arithmetic (outward rounding) over the obligation's finite parameter box,
   bisected up to a budget: certified when every sub-box has upper bound ≤ 0. The certificate covers the
   box only; the box is recorded with the result.
3. **refutation** — a rational point of the box where the expression is > 0, re-verified exactly: sympy
   substitution of Rationals (exact when the value is rational, else a 60-digit interval enclosing it
   that lies strictly above 0).

Anything else is ``undecided`` (never a pass).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp
from mpmath import iv

if TYPE_CHECKING:
    from theory.evidence import Evidence

# A sub-box counts as refuting only when its whole enclosure is above this (a strictly positive margin).
INTERVAL_DPS = 30          # working precision of interval certification (digits)
REVERIFY_DPS = 60          # precision of the interval that re-verifies an irrational counterexample value
GRID_POINTS_PER_SYMBOL = 5  # candidate rational values per symbol in the refutation search


@dataclass(frozen=True)
class Obligation:
    """Claim ``expr ≤ 0`` (``identity``: ``expr == 0``) for all parameters in the domain.

    ``box`` maps each free symbol to a finite rational range used by interval certification and the
    counterexample search; ``slacks`` are symbols ranging over [0, ∞) (e.g. m = m*·(1+w)^q) for the
    monotonicity argument.
    """

    name: str
    statement: str
    expr: sp.Expr
    domain: str
    box: dict[sp.Symbol, tuple[Any, Any]] = field(default_factory=dict)
    slacks: tuple[sp.Symbol, ...] = ()
    identity: bool = False


@dataclass
class Discharge:
    """How an obligation was settled: result ∈ {proved, certified, refuted, undecided}."""

    name: str
    statement: str
    domain: str
    method: str
    result: str
    sup_bound: float          # an upper bound of expr established by the method (value at the counterexample if refuted)
    detail: str = ""
    counterexample: dict[str, Any] | None = None

    @property
    def holds(self) -> bool:
        return self.result in ("proved", "certified")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "statement": self.statement, "domain": self.domain, "method": self.method,
                "result": self.result, "sup_bound": self.sup_bound, "detail": self.detail,
                "counterexample": self.counterexample}


# --- sympy ------------------------------------------------------------------------------------------------
def _forms(expr: sp.Expr) -> list[sp.Expr]:
    t = sp.together(expr)
    out = [expr, t, sp.factor(t)]
    num, den = sp.fraction(sp.factor(t))
    out.append(sp.expand(num) / den)
    return out


def sympy_sign(expr: sp.Expr) -> str | None:
    """'nonpositive', 'positive' or None, from sympy's assumptions on a few algebraic forms of ``expr``."""
    for form in _forms(expr):
        if form.is_nonpositive:
            return "nonpositive"
        if form.is_positive:
            return "positive"
        num, den = sp.fraction(form)
        if den.is_positive and sp.expand(num).is_nonpositive:
            return "nonpositive"
    return None


def _sympy_proof(ob: Obligation) -> tuple[str | None, str]:
    if ob.identity:
        return ("proved" if sp.simplify(ob.expr) == 0 else None), "simplify(expr) == 0"
    sign = sympy_sign(ob.expr)
    if sign == "nonpositive":
        return "proved", "sympy assumptions: expr ≤ 0 for the declared signs"
    if sign == "positive":
        return "positive", "sympy assumptions: expr > 0 everywhere"
    if ob.slacks:
        corner = ob.expr.subs({s: 0 for s in ob.slacks})
        if sympy_sign(corner) == "nonpositive" and all(
                sympy_sign(sp.diff(ob.expr, s)) == "nonpositive" for s in ob.slacks):
            return "proved", (f"sympy: expr ≤ 0 at {', '.join(map(str, ob.slacks))} = 0 and nonincreasing in "
                              "each slack on [0, ∞)")
    return None, "sympy could not decide the sign"


# --- interval arithmetic ----------------------------------------------------------------------------------
@contextmanager
def iv_dps(dps: int) -> Iterator[None]:
    """Temporarily set the working precision of mpmath's interval context (it has no ``workdps``)."""
    saved = iv.dps
    iv.dps = dps
    try:
        yield
    finally:
        iv.dps = saved


def _iv_const(value: sp.Expr) -> Any:
    if value.is_Integer:
        return iv.mpf(int(value))
    if value.is_Rational:
        return iv.mpf(int(value.p)) / int(value.q)
    if value is sp.pi:
        return iv.pi
    if value is sp.E:
        return iv.e
    if value.is_Float:
        return iv.mpf(str(value))
    raise ArithmeticError(f"no interval enclosure for constant {value}")


def iv_eval(expr: sp.Expr, env: dict[sp.Symbol, Any]) -> Any:
    """Outward-rounded enclosure of ``expr`` with symbols bound to mpmath ``iv`` intervals."""
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Number or expr in (sp.pi, sp.E):
        return _iv_const(expr)
    args = [iv_eval(a, env) for a in expr.args] if not expr.is_Pow else None
    if expr.is_Add:
        return sum(args[1:], args[0])
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if expr.is_Pow:
        base, ex = expr.args
        b = iv_eval(base, env)
        if ex.is_Integer:
            return b ** int(ex)
        if ex == sp.Rational(1, 2):
            return iv.sqrt(b)
        if ex == sp.Rational(-1, 2):
            return 1 / iv.sqrt(b)
        return iv.exp(iv_eval(ex, env) * iv.log(b))
    if isinstance(expr, sp.exp):
        return iv.exp(args[0])
    if isinstance(expr, sp.log):
        return iv.log(args[0])
    if isinstance(expr, sp.Abs):
        return abs(args[0])
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        return iv.mpf([pick((a.a for a in args), key=float), pick((a.b for a in args), key=float)])
    raise ArithmeticError(f"no interval rule for {expr.func.__name__}")


def iv_range(lo: Fraction, hi: Fraction) -> Any:
    """An interval containing the rationals [lo, hi] (outward rounding of both ends)."""
    a = iv.mpf(lo.numerator) / lo.denominator
    b = iv.mpf(hi.numerator) / hi.denominator
    return iv.mpf([a.a, b.b])


def ends(enc: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The exact endpoints of an ``iv`` interval as mpf (``float()`` would round, and underflow to 0)."""
    lo, hi = enc._mpi_
    return mpmath.mpf(lo), mpmath.mpf(hi)


def _enclose(expr: sp.Expr, grads: dict[sp.Symbol, sp.Expr], env: dict[sp.Symbol, Any]
             ) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(lower, upper) of expr on the box ``env``: natural interval extension, sharpened by monotonicity —
    where the enclosure of ∂expr/∂s on the whole box has one sign, s is pinned to the endpoint that
    maximizes (for the upper bound) or minimizes (for the lower bound) expr."""
    try:
        lower, upper = ends(iv_eval(expr, env))
    except (ArithmeticError, ValueError, ZeroDivisionError):
        lower, upper = mpmath.mpf("-inf"), mpmath.mpf("inf")
    if upper <= 0 or lower > 0:
        return lower, upper
    hi_env, lo_env = dict(env), dict(env)
    for s, g in grads.items():
        try:
            dg = iv_eval(g, env)
        except (ArithmeticError, ValueError, ZeroDivisionError):
            continue
        lo_end, hi_end = iv.mpf(env[s].a), iv.mpf(env[s].b)
        dg_lo, dg_hi = ends(dg)
        if dg_hi <= 0:
            hi_env[s], lo_env[s] = lo_end, hi_end
        elif dg_lo >= 0:
            hi_env[s], lo_env[s] = hi_end, lo_end
    try:
        upper = min(upper, ends(iv_eval(expr, hi_env))[1])
        lower = max(lower, ends(iv_eval(expr, lo_env))[0])
    except (ArithmeticError, ValueError, ZeroDivisionError):
        pass
    return lower, upper


def _split(lo: Fraction, hi: Fraction) -> Fraction:
    """Bisection point: geometric mean for positive ranges spanning more than a factor 4, else the midpoint."""
    if lo > 0 and hi / lo > 4:
        mid = Fraction(math.sqrt(float(lo) * float(hi))).limit_denominator(10**6)
        if lo < mid < hi:
            return mid
    return (lo + hi) / 2


def _interval_certify(expr: sp.Expr, box: dict[sp.Symbol, tuple[Fraction, Fraction]], max_boxes: int
                      ) -> tuple[str, float, dict[sp.Symbol, Fraction] | None, int]:
    """('certified', sup, None, n) | ('refuted', lower, point, n) | ('undecided', sup, None, n)."""
    syms = list(box)
    grads = {s: sp.diff(expr, s) for s in syms}
    queue = [dict(box)]
    worst = -math.inf
    done = 0
    with iv_dps(INTERVAL_DPS):
        while queue:
            if done >= max_boxes:
                return "undecided", math.inf, None, done
            b = queue.pop()
            done += 1
            env = {s: iv_range(lo, hi) for s, (lo, hi) in b.items()}
            lower, upper = _enclose(expr, grads, env)
            if upper <= 0:
                worst = max(worst, float(upper))
                continue
            if lower > 0:
                return "refuted", float(lower), {s: (lo + hi) / 2 for s, (lo, hi) in b.items()}, done
            splittable = [s for s in syms if b[s][1] > b[s][0]]
            if not splittable:
                return "undecided", math.inf, None, done
            s = splittable[done % len(splittable)]
            lo, hi = b[s]
            mid = _split(lo, hi)
            queue.append({**b, s: (lo, mid)})
            queue.append({**b, s: (mid, hi)})
    return "certified", worst, None, done


# --- refutation -------------------------------------------------------------------------------------------
def exact_value(expr: sp.Expr, point: dict[sp.Symbol, Any]) -> tuple[float, bool, str]:
    """(value, value > 0 re-verified?, method) at a rational point: exact when rational, else 60-digit interval."""
    sub = {s: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.nsimplify(v)
           for s, v in point.items()}
    val = expr.subs(sub)
    if val.is_Rational:
        return float(val), bool(val > 0), "exact rational arithmetic (sympy Rational substitution)"
    with iv_dps(REVERIFY_DPS):
        env = {s: _iv_const(v) for s, v in sub.items()}
        lower, _ = ends(iv_eval(expr, env))
        return (float(lower), bool(lower > 0),
                "sympy Rational substitution; irrational value enclosed by a 60-digit interval")


def _nice_values(lo: Fraction, hi: Fraction) -> list[Fraction]:
    """lo, hi and the 'round' numbers 1, 2, 5 × 10^k between them (evenly thinned), so that counterexamples
    read simply (ε = 1/10, R = 2, …)."""
    nice = sorted({Fraction(c) * Fraction(10) ** k for k in range(-6, 7) for c in (1, 2, 5)})
    inside = [x for x in nice if lo < x < hi]
    keep = GRID_POINTS_PER_SYMBOL - 2
    if len(inside) > keep:
        step = (len(inside) - 1) / max(keep - 1, 1)
        inside = [inside[round(i * step)] for i in range(keep)]
    return sorted({lo, hi, *inside})


def _grid(box: dict[sp.Symbol, tuple[Fraction, Fraction]]) -> list[dict[sp.Symbol, Fraction]]:
    axes = {s: _nice_values(lo, hi) for s, (lo, hi) in box.items()}
    syms = list(axes)
    total = math.prod(len(v) for v in axes.values())
    if total <= 4096:
        return [dict(zip(syms, combo)) for combo in itertools.product(*(axes[s] for s in syms))]
    centre = {s: axes[s][len(axes[s]) // 2] for s in syms}
    points = [centre]
    for s in syms:  # one-at-a-time variations, then pairs of extremes
        points += [{**centre, s: v} for v in axes[s]]
    for s, t in itertools.combinations(syms, 2):
        points += [{**centre, s: a, t: b} for a in (axes[s][0], axes[s][-1]) for b in (axes[t][0], axes[t][-1])]
    return points


def _search_counterexample(expr: sp.Expr, box: dict[sp.Symbol, tuple[Fraction, Fraction]]
                           ) -> dict[sp.Symbol, Fraction] | None:
    fn = sp.lambdify(list(box), expr, modules="mpmath")
    best, best_at = 0.0, None
    for point in _grid(box):
        try:
            with mpmath.workdps(30):
                value = float(fn(*[mpmath.mpf(v.numerator) / v.denominator for v in point.values()]))
        except (ArithmeticError, ValueError, TypeError, ZeroDivisionError):
            continue
        if math.isfinite(value) and value > best:
            best, best_at = value, point
    return best_at


def _refute(ob: Obligation, point: dict[sp.Symbol, Fraction], how: str) -> Discharge:
    value, reverified, method = exact_value(ob.expr, point)
    if not reverified:
        return Discharge(ob.name, ob.statement, ob.domain, how, "undecided", math.inf,
                         f"candidate point did not re-verify ({method})")
    inputs = {str(s): str(v) for s, v in point.items()}
    return Discharge(ob.name, ob.statement, ob.domain, how, "refuted", value,
                     f"expr = {value:.6g} > 0 at {inputs}",
                     {"point": inputs, "value": value, "method": method, "reverified": True})


def discharge(ob: Obligation, *, max_boxes: int = 4000) -> Discharge:
    """Settle one obligation: sympy proof, else interval certificate on ``ob.box``, else exact refutation."""
    free = ob.expr.free_symbols
    box = {s: (Fraction(str(lo)), Fraction(str(hi))) for s, (lo, hi) in ob.box.items() if s in free}
    missing = ob.expr.free_symbols - set(box)
    status, how = _sympy_proof(ob)
    if status == "proved":
        return Discharge(ob.name, ob.statement, ob.domain, "sympy", "proved", 0.0, how)
    if ob.identity:
        point = _search_counterexample(ob.expr**2, box) if not missing else None
        if point is not None:
            return _refute(Obligation(ob.name, ob.statement, sp.Abs(ob.expr), ob.domain), point,
                           "refutation (exact)")
        return Discharge(ob.name, ob.statement, ob.domain, "sympy", "undecided", math.inf, how)
    if missing:
        return Discharge(ob.name, ob.statement, ob.domain, "sympy", "undecided", math.inf,
                         f"{how}; no box for {sorted(map(str, missing))}")
    if status == "positive":
        return _refute(ob, {s: (lo + hi) / 2 for s, (lo, hi) in box.items()}, "sympy sign + refutation (exact)")
    point = _search_counterexample(ob.expr, box)
    if point is not None:
        return _refute(ob, point, "refutation (exact)")
    result, bound, point, n = _interval_certify(ob.expr, box, max_boxes)
    if result == "certified":
        return Discharge(ob.name, ob.statement, ob.domain, "interval", "certified", bound,
                         f"mpmath iv on {n} sub-boxes of {_box_text(box)}; {how}")
    if result == "refuted" and point is not None:
        return _refute(ob, point, "interval + refutation (exact)")
    return Discharge(ob.name, ob.statement, ob.domain, "interval", "undecided", math.inf,
                     f"{how}; interval budget of {max_boxes} sub-boxes exhausted on {_box_text(box)}")


def _box_text(box: dict[sp.Symbol, tuple[Fraction, Fraction]]) -> str:
    return ", ".join(f"{s} ∈ [{float(lo):.6g}, {float(hi):.6g}]" for s, (lo, hi) in box.items())


def record(ev: "Evidence", discharges: list[Discharge]) -> None:
    """Put discharged obligations into evidence: ``measurements["obligations"]``, one comparison each
    (measured = the upper bound of expr the method established, bound 0, relation ≤; identities: ==),
    a re-verified Counterexample for each refutation, and an inconclusive reason for each undecided one."""
    from theory.evidence import Counterexample

    ev.measurements.setdefault("obligations", []).extend(d.to_dict() for d in discharges)
    for d in discharges:
        name = f"obligation: {d.name}"
        ev.compare(name, d.sup_bound, 0.0, "<=", method=d.method, result=d.result, statement=d.statement)
        if d.result == "refuted" and d.counterexample:
            ev.counterexamples.append(Counterexample(
                name, f"{d.statement}: expr = {d.sup_bound:.6g} > 0", d.counterexample["point"],
                d.sup_bound, 0.0, d.counterexample["method"], bool(d.counterexample["reverified"])))
        elif d.result == "undecided":
            ev.inconclusive_reasons.append(f"{d.name}: {d.detail}")
