"""C8, symbolically: the width forced by R(d, δ_sep, ε) = (C_R/(δ_sep·ε))^(κ(d+1)) grows exponentially in d.

The growth rate lim_{d→∞} log m(d)/d of the encoded width is computed by sympy and must equal the rate
b_R·κ·log(C_R/(δ_sep·ε)) that the statement implies; that rate is proved positive on the whole domain
(δ_sep ≤ 2 on the unit sphere, ε < 1, C_R ≥ 2) by sympy; and log m(d)/d is evaluated independently in
mpmath (50 digits) at d = 10⁶ to confirm the limit. A failure is re-verified at d = 10⁹.
Planted error: ``growth="polynomial"`` encodes R = (C_R/(δ_sep·ε))^κ·d^κ.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from theory import existence as ex
from theory.evidence import Counterexample, Evidence, RunContext
from theory.obligations import Obligation, discharge, record

RATE_REL_TOL = 1e-3     # log m(d)/d at d = 10⁶ exceeds the limit by O(log d / d) ≈ 2e-5 relative; 1e-3 is ample
PROBE_D = 10**6         # where log m(d)/d is evaluated independently
REVERIFY_D = 10**9      # where a failing rate is re-evaluated
POINT = {ex.delta_sep: sp.Rational(1, 2), ex.eps: sp.Rational(1, 10), ex.ell_p: sp.log(100),
         ex.L_ell: sp.Integer(1), ex.C_H: sp.Integer(1)}   # δ_sep = 1/2, ε = 1/10, p = 1/100


def _log_width_over_d(width: sp.Expr, d_value: int) -> mpmath.mpf:
    """log m(d)/d at one d, from the formula with mpmath (independent of sympy's limit)."""
    fn = sp.lambdify(ex.d, sp.log(width.subs({**ex.DEFAULTS, **POINT})), modules="mpmath")
    with mpmath.workdps(50):
        return fn(mpmath.mpf(d_value)) / d_value


def growth_evidence(ev: Evidence, label: str, width: sp.Expr, expected_rate: sp.Expr) -> sp.Expr:
    """Compare a width's growth rate with the expected one (symbolic identity + independent probe)."""
    rate = ex.growth_rate(width)
    gap = sp.expand_log(rate - expected_rate, force=True)
    box = {s: ("1/10", "2") for s in (ex.delta_sep, ex.eps)} | {ex.kappa: ("1/10", "2"), ex.C_R: ("2", "10"),
                                                               ex.b_R: ("1", "4")}
    box[ex.eps] = ("1/100", "1/2")
    record(ev, [discharge(Obligation(f"{label}: lim log m(d)/d equals the implied rate",
                                     f"lim_(d→∞) log m(d)/d = {sp.sstr(expected_rate)}", gap,
                                     "δ_sep ∈ (0, 2], ε ∈ (0, 1), C_R ≥ 2, κ, b_R > 0", box, identity=True))])
    expected_val = float(expected_rate.subs({**ex.DEFAULTS, **POINT}))
    probe = float(_log_width_over_d(width, PROBE_D))
    name = f"{label}: log m(d)/d at d = 10⁶ (mpmath) vs the implied rate"
    row = ev.compare(name, probe, expected_val * (1 - RATE_REL_TOL), ">=", tolerance_name="RATE_REL_TOL")
    if not row.holds:
        again = float(_log_width_over_d(width, REVERIFY_D))
        ev.counterexamples.append(Counterexample(
            name, "the encoded width grows slower than exp(rate·d)", {"d": REVERIFY_D, "delta_sep": "1/2",
                                                                       "eps": "1/10"},
            again, expected_val, "mpmath 50 digits at d = 10⁹", again < expected_val * (1 - RATE_REL_TOL)))
    ev.measurements.setdefault("rates", {})[label] = {"limit": sp.sstr(rate), "expected": sp.sstr(expected_rate),
                                                      "probe_d=1e6": probe, "expected_at_point": expected_val}
    return rate


def positivity_obligation() -> Obligation:
    """C_R/(δ_sep·ε) > 1 on the domain, i.e. δ_sep·ε − C_R ≤ 0 with δ_sep = 2/(1+a), ε = 1/(1+e), C_R = 2 + c."""
    a, e, c = sp.symbols("a e c", nonnegative=True)
    return Obligation("the implied rate is positive", "δ_sep·ε < C_R (so log(C_R/(δ_sep·ε)) > 0)",
                      (ex.delta_sep * ex.eps - ex.C_R).subs({ex.delta_sep: 2 / (1 + a), ex.eps: 1 / (1 + e),
                                                            ex.C_R: 2 + c}),
                      "δ_sep ∈ (0, 2], ε ∈ (0, 1), C_R ≥ 2", {a: ("0", "10"), e: ("0", "10"), c: ("0", "10")})


def width_table(R_expr: sp.Expr) -> dict:
    rows = []
    for dd in (2, 5, 10, 20, 50, 100):
        vals = {**ex.DEFAULTS, **POINT, ex.d: dd}
        rows.append([dd, f"{float(sp.log(R_expr.subs(vals), 10)):.4g}",
                     f"{float(sp.log(ex.existence_width(R_expr).subs(vals), 10)):.4g}",
                     f"{float(sp.log(36 * R_expr.subs(vals) ** 4 / sp.Rational(1, 100), 10)):.4g}"])
    return {"columns": ["d", "log10 R(d)", "log10 m_exist", "log10 m*_C1(R(d))"], "rows": rows}


def check_c8_width_growth(ctx: RunContext, *, growth: str | None = None) -> Evidence:
    """The encoded C8 width is exp(Θ(d)); planted ``growth="polynomial"`` must be reported violated. Control: the
    same check with R(d) misread as polynomial in d."""
    ev = _c8_width_growth(ctx, growth)
    ev.add_control("misread growth", "R(d) = (C_R/(δ_sep·ε))^(κ(d+1)) misread as polynomial in d",
                   _c8_width_growth(ctx, "polynomial"))
    return ev

def _c8_width_growth(ctx: RunContext, growth: str | None) -> Evidence:
    ev = Evidence(claim_id="C8-robust-net-exists", check_id="C8-width-exponential-in-d", tier=ctx.tier)
    R_expr = ex.radius(growth or "exponential")
    ev.config = {"R(d)": sp.sstr(R_expr), "defaults": {str(k): str(v) for k, v in ex.DEFAULTS.items()},
                 "defaults_provenance": ex.DEFAULTS_PROVENANCE, "point": {str(k): str(v) for k, v in POINT.items()},
                 "planted": {"growth": growth}}
    growth_evidence(ev, "m_exist", ex.existence_width(R_expr), ex.exponential_rate_closed_form())
    record(ev, [discharge(positivity_obligation())])
    ev.measurements.setdefault("tables", {})["C8 width against d (δ_sep = 1/2, ε = 1/10, defaults)"] = \
        width_table(R_expr)
    ev.solver_statuses.append("exact")
    return ev
