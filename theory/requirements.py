"""Numbers for C1/C3 at concrete parameters: width m, step α, iterations T, failure probability, parameter count,
each constant with its provenance ([derived] / [user] / [paper] / [reconstructed]).

The formulas come from ``theory.proof_chain`` (α = 2ε/(3L²G²), T = ⌈9·D²·L²G²/(4ε²)⌉ with D² = H·r², and the
smallest integer m with L_ℓ·ε_lin(ρ) ≤ ε/3). The constants they need are derived here on an explicit
high-probability event E over the initialization (Gaussian tail bounds, named constants):

- ‖a‖₂ ≤ √(2m)                          P ≥ 1 − exp(−m/8)      (Laurent–Massart, x = m/8)
- ‖W^(1)(0)‖_op ≤ (2 + √(d/m))·√m,  ‖W^(h)(0)‖_op ≤ 3√m (h ≥ 2)   P ≥ 1 − exp(−m/2) each (Gordon, t = √m)
- max_r |a_r| ≤ A = √(2·ln(2m/p_a))     P ≥ 1 − p_a            (union bound; H = 1 only)

G (gradient bound on the ball, unit inputs): for H = 1, ‖∇_W f‖_F = √(c_σ/m)·‖a ⊙ σ'(Wx)‖ ≤ √(2c_σ)·Lip σ on E,
anywhere in weight space. For H ≥ 2, with m ≥ max(d, r²) so that every layer's operator norm is ≤ 4√m on the
ball: X_0 = 1, X_h = √c_σ·(|σ(0)| + 4·Lip σ·X_{h−1}), B_H = √(2c_σ)·Lip σ, B_h = 4·√c_σ·Lip σ·B_{h+1},
G² = Σ_h B_h²·X_{h−1}² (exponential in H — a worst-case bound, looser than the O(√H) of docs/claims.md §5 C4.5).
C_H (linearization constant, ε_lin(r) ≤ C_H(2r)²/(2√m)): for H = 1 the Hessian of W ↦ f is block diagonal with
blocks √(c_σ/m)·a_r·σ''(w_rᵀx)·xxᵀ, so C_1 = √c_σ·Lip σ'·A (depends on m through A; m is the least fixed
point, found by bisection, valid because C_1(m)/√m decreases for 2m/p_a ≥ e). For H ≥ 2 no constant is
derived here: C_H is a named symbol the user supplies; without it the numbers use the placeholder C_H = 1,
labelled [reconstructed].
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from theory import proof_chain as pc
from theory.activations import c_sigma, c_sigma_exact, check_activation
from theory.errors import InputError
from theory.losses import check_loss, loss_lipschitz
from theory.smoothness import smoothness_constants

DEFAULT_P_A = 0.01        # failure probability allotted to max_r |a_r| ≤ A (H = 1); user-adjustable
OP_NORM_EXPONENT = sp.Rational(1, 2)   # P(‖W^(h)(0)‖_op > 3√m) ≤ exp(−m/2)
A_NORM_EXPONENT = sp.Rational(1, 8)    # P(‖a‖² > 2m) ≤ exp(−m/8)
LAYER_OP_FACTOR = 4                    # ‖W^(h)‖_op ≤ (3 + r/√m)·√m ≤ 4√m on the ball when m ≥ max(d, r²)
WIDTH_SEARCH_DPS = 30                  # precision of the first, log-space location of the least width
MAX_DEPTH = 1000                       # G is exponential in H (≈ 4^H); the exact recursion takes ~2 s at H = 1000


class ParameterError(InputError):
    """A bad parameter: ``field`` names it (the CLI prints --field, a claim file prints entry and field)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


@dataclass
class Constant:
    name: str
    value: float
    formula: str
    provenance: str   # derived | user | paper | reconstructed
    note: str = ""


@dataclass
class WidthRequirement:
    theorem: str
    scaling: str
    inputs: dict[str, Any]
    constants: list[Constant]
    m: int
    alpha: float
    T: int
    delta_fail: float          # may underflow to 0.0; delta_fail_text keeps the exponent
    delta_fail_text: str
    delta_fail_formula: str
    parameter_count: int
    derived_form: dict[str, str]
    R_prime: float | None = None
    printed: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    alpha_text: str = ""              # α and R' to 6 digits from their exact values (the floats may under/overflow)
    R_prime_text: str | None = None

    def constant(self, name: str) -> Constant:
        return next(c for c in self.constants if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate(eps: float, R: float, H: int, *, d: int = 10) -> None:
    """Range checks shared by the CLI and claim files (ParameterError names the field)."""
    if not isinstance(eps, (int, float)) or not math.isfinite(eps) or not 0 < eps < 1:
        raise ParameterError("eps", f"must be in (0, 1), got {eps}")
    if not isinstance(R, (int, float)) or not math.isfinite(R) or R <= 0:
        raise ParameterError("R", f"must be > 0, got {R}")
    if isinstance(H, bool) or not isinstance(H, int) or H < 1:
        raise ParameterError("H", f"must be an integer ≥ 1, got {H}")
    if H > MAX_DEPTH:
        raise ParameterError("H", f"must be ≤ {MAX_DEPTH} (the derived constants grow like 4^H), got {H}")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ParameterError("d", f"must be an integer ≥ 1, got {d}")


def gradient_bound(H: int, activation: str, preact_bound: float | None = None) -> sp.Expr:
    """Exact G (see the module docstring) for depth H; hypotheses m ≥ max(d, r²) when H ≥ 2."""
    sc = smoothness_constants(activation, preact_bound)
    c = c_sigma_exact(activation)
    root_c = sp.sqrt(c) if c is not None else sp.sqrt(sp.Float(c_sigma(activation), 30))
    lip, s0 = sc.lip_sigma, sp.Abs(sc.sigma0)
    X = [sp.Integer(1)]
    for _ in range(1, H):
        X.append(root_c * (s0 + LAYER_OP_FACTOR * lip * X[-1]))
    B = [sp.Integer(0)] * (H + 1)
    B[H] = sp.sqrt(2) * root_c * lip
    for h in range(H - 1, 0, -1):
        B[h] = LAYER_OP_FACTOR * root_c * lip * B[h + 1]
    return sp.sqrt(sum(B[h] ** 2 * X[h - 1] ** 2 for h in range(1, H + 1)))


def least_width(ratio: Callable[[mpmath.mpf], mpmath.mpf], start: int = 1) -> int:
    """The least integer m ≥ start with ratio(m) ≤ 1, for a ratio that is continuous and decreasing in m (exact at
    any size: the crossing is located in log m at low precision, refined by the secant method at a precision
    above the digits of m, and the integer is confirmed — ratio(m) ≤ 1 < ratio(m − 1) — at that precision)."""
    with mpmath.workdps(WIDTH_SEARCH_DPS):
        if ratio(start) <= 1:
            return start
        lo = mpmath.log(start)  # ratio(e^lo) > 1
        step = mpmath.mpf(1)
        while ratio(mpmath.exp(lo + step)) > 1:
            lo, step = lo + step, 2 * step
        hi = lo + step
        for _ in range(80):  # relative precision 2^-80 in log m
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if ratio(mpmath.exp(mid)) <= 1 else (mid, hi)
        digits = int(hi / mpmath.log(10)) + 1
    with mpmath.workdps(max(WIDTH_SEARCH_DPS, digits + 20)):
        try:
            x = mpmath.findroot(lambda t: mpmath.log(ratio(mpmath.exp(t))), (lo, hi), solver="secant")
        except (ValueError, ZeroDivisionError):  # no convergence: the bracket's upper end is within 2^-80
            x = hi
        m = max(start, int(mpmath.ceil(mpmath.exp(x))))

        def ok(k: int) -> bool:
            return k >= start and ratio(k) <= 1

        step_k = 1
        while not ok(m):  # gallop up to a width that suffices …
            m, step_k = m + step_k, 2 * step_k
        lo_k, step_k = m - 1, 1
        while ok(lo_k):  # … and down to one that does not
            m, lo_k, step_k = lo_k, lo_k - 2 * step_k, 2 * step_k
        while m - lo_k > 1:  # then bisect between them
            mid = (lo_k + m) // 2
            lo_k, m = (lo_k, mid) if ok(mid) else (mid, m)
        return m


def _q(x: float) -> Fraction:
    """A float as the rational its shortest decimal form names (0.05 → 1/20: what the user wrote)."""
    return Fraction(repr(float(x)))


def _mp(q: Fraction) -> mpmath.mpf:
    """A rational as an mpf at the working precision."""
    return mpmath.mpf(q.numerator) / q.denominator


def _float(q: Fraction) -> float:
    """A rational as a float; ±inf beyond the float range (no OverflowError)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf


def scientific(n: int | float | mpmath.mpf, exact_digits: int = 15) -> str:
    """A number for people: an integer of up to ``exact_digits`` digits exactly, with thousands separators
    ('230,400'); a larger integer in scientific notation rounded up, so that a requirement stays sufficient
    ('4.30736e+21'); anything else to 6 significant digits."""
    if isinstance(n, int) and abs(n) < 10**exact_digits:
        return f"{n:,}"
    digits = len(str(abs(n))) if isinstance(n, int) else 0
    with mpmath.workdps(max(30, digits + 10)):
        x = mpmath.mpf(n)
        if isinstance(n, int) and x > 0:
            scale = mpmath.mpf(10) ** (int(mpmath.floor(mpmath.log10(x))) - 5)
            x = mpmath.ceil(x / scale) * scale
        return mpmath.nstr(x, 6, min_fixed=0 if isinstance(n, int) else -6, max_fixed=0 if isinstance(n, int) else 5)


@lru_cache(maxsize=None)
def _chain(theorem: str, scaling: str) -> tuple[pc.Chain, pc.PaperForm]:
    """The symbolic chain and its paper form (sympy, ~0.1 s): they depend on the theorem and scaling only."""
    chain = pc.derive(theorem, scaling)
    return chain, chain.derived_form()


def width_requirements(eps: float, R: float, H: int, loss: str, activation: str, *,
                       scaling: str = "per-layer-R", theorem: str = "C1", d: int = 10,
                       preact_bound: float | None = None, output_bound: float | None = None,
                       C_H: float | None = None, G: float | None = None, p_a: float = DEFAULT_P_A,
                       printed: dict[str, float] | None = None) -> WidthRequirement:
    """Evaluate C1 (or C3: H = 1, no projection) at concrete parameters; see the module docstring."""
    validate(eps, R, H, d=d)
    try:
        check_activation(activation)
    except InputError as exc:
        raise ParameterError("activation", str(exc)) from None
    try:
        check_loss(loss)
    except InputError as exc:
        raise ParameterError("loss", str(exc)) from None
    if scaling not in pc.SCALINGS:
        raise ParameterError("scaling", f"unknown ball scaling {scaling!r} (expected one of {', '.join(pc.SCALINGS)})")
    if theorem not in ("C1", "C3"):
        raise ParameterError("theorem", f"must be C1 or C3, got {theorem!r}")
    if theorem == "C3" and H != 1:
        raise ParameterError("H", f"C3 is the two-layer theorem: H must be 1, got {H}")
    if theorem == "C3" and scaling != "per-layer-R":
        raise ParameterError("scaling", "C3 (no projection) is derived for scaling 'per-layer-R'")
    if not 0 < p_a < 1:
        raise ParameterError("p_a", f"must be in (0, 1), got {p_a}")
    for name, value in (("C_H", C_H), ("G", G), ("preact_bound", preact_bound), ("output_bound", output_bound)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ParameterError(name, f"must be > 0, got {value}")
    try:
        sc = smoothness_constants(activation, preact_bound)
    except InputError as exc:
        raise ParameterError("preact_bound" if activation == "relu2" else "activation", str(exc)) from None
    try:
        L_val = float(loss_lipschitz(loss, output_bound))
    except InputError as exc:
        raise ParameterError("output_bound", str(exc)) from None

    chain, form = _chain(theorem, scaling)
    consts: list[Constant] = [
        Constant("L_ell", L_val, f"Lipschitz constant of the {loss} loss in ŷ",
                 "user" if loss == "squared" else "derived", "2(B+1) on |ŷ| ≤ B" if loss == "squared" else ""),
        Constant("c_sigma", c_sigma(activation), "1/E[σ(z)²]", "derived"),
        Constant("|sigma(0)|", float(sp.Abs(sc.sigma0)), sp.sstr(sc.sigma0), "derived", sc.range),
        Constant("Lip sigma", float(sc.lip_sigma), sp.sstr(sc.lip_sigma), "derived", sc.range),
        Constant("Lip sigma'", float(sc.lip_dsigma), sp.sstr(sc.lip_dsigma), "derived", sc.range),
        Constant("C_sigma", float(sc.C_sigma), "max(|σ(0)|, Lip σ, Lip σ')", "derived", sc.range),
    ]
    G_val = float(G) if G is not None else float(gradient_bound(H, activation, preact_bound))
    consts.append(Constant("G", G_val, "gradient bound ‖∇_W f‖_F on the ball",
                           "user" if G is not None else "derived",
                           "" if G is not None else ("√(2c_σ)·Lip σ on E" if H == 1 else
                                                     "operator-norm recursion on E; needs m ≥ max(d, r²)")))
    if not math.isfinite(G_val):
        raise ParameterError("H" if G is None else "G", f"the gradient bound G exceeds the float range at H = {H}; "
                             f"supply a finite G")
    root_c, lip_d = mpmath.sqrt(c_sigma(activation)), mpmath.mpf(float(sc.lip_dsigma))
    notes = list(chain.notes)
    # α, T and R' are exact rationals of the inputs as written (0.05 is 1/20): no overflow or underflow anywhere.
    L_q, G_q, R_q, eps_q = _q(L_val), _q(G_val), _q(R), _q(eps)
    C_q = _q(C_H) if C_H is not None else None
    alpha_q = 2 * eps_q / (3 * L_q**2 * G_q**2)

    def T_of(mm: int) -> int:
        r2 = R_q**2 if scaling == "per-layer-R" else R_q**2 / mm
        return max(1, math.ceil(9 * H * r2 * L_q**2 * G_q**2 / (4 * eps_q**2)))

    def C_of(mm: int | mpmath.mpf) -> mpmath.mpf:
        if C_q is not None:
            return _mp(C_q)
        if H == 1:
            return root_c * lip_d * mpmath.sqrt(2 * mpmath.log(2 * mm / mpmath.mpf(p_a)))
        return mpmath.mpf(1)

    def lhs_over_target(mm: int | mpmath.mpf) -> mpmath.mpf:
        """L_ℓ·C_H(m)·(2ρ)²/(2√m) ÷ (ε/3), at the working precision; ≤ 1 iff width m suffices."""
        m_mp = mpmath.mpf(mm)
        rho = _mp(R_q) if scaling == "per-layer-R" else _mp(R_q) / mpmath.sqrt(m_mp)
        if theorem == "C3":
            rho = max(rho, _mp(alpha_q * T_of(int(mm)) * L_q * G_q))
        return _mp(L_q) * C_of(m_mp) * (2 * rho) ** 2 / (2 * mpmath.sqrt(m_mp)) / (_mp(eps_q) / 3)

    start = 1
    if H >= 2:
        r2_min = math.ceil(R_q**2) if scaling == "per-layer-R" else math.ceil(R_q)
        start = max(d, r2_min, 1)
    if H == 1 and C_H is None:
        start = max(start, math.ceil(math.e * p_a / 2))
    m_req = least_width(lhs_over_target, start)
    alpha_val = _float(alpha_q)

    if C_H is not None:
        consts.append(Constant("C_H", float(C_H), "linearization constant: ε_lin(r) ≤ C_H(2r)²/(2√m)", "user"))
    elif H == 1:
        A = float(mpmath.sqrt(2 * mpmath.log(2 * m_req / mpmath.mpf(p_a))))
        consts.append(Constant("A", A, "√(2 ln(2m/p_a)) ≥ max_r |a_r| with probability ≥ 1 − p_a", "derived"))
        consts.append(Constant("p_a", p_a, "failure probability allotted to max_r |a_r| ≤ A",
                               "user" if p_a != DEFAULT_P_A else "derived", "default 0.01"))
        consts.append(Constant("C_H", float(C_of(m_req)), "C_1 = √c_σ·Lip σ'·A", "derived"))
    else:
        consts.append(Constant("C_H", 1.0, "linearization constant for H ≥ 2", "reconstructed",
                               "placeholder: no derived value for H ≥ 2; m scales as C_H² — supply --C-H"))
        notes.append("C_H = 1 is a placeholder (no derived constant for H ≥ 2): the width scales as C_H²")

    T_val = T_of(m_req)
    R_prime = _float(alpha_q * T_val * L_q * G_q) if theorem == "C3" else None
    with mpmath.workdps(20):
        if H == 1:
            df_formula = "exp(−m/8) + p_a" if C_H is None else "exp(−m/8)"
            delta = mpmath.exp(-mpmath.mpf(m_req) / 8) + (mpmath.mpf(p_a) if C_H is None else 0)
        else:
            df_formula = "H·exp(−m/2) + exp(−m/8)  [+ the event behind C_H, not derived for H ≥ 2]"
            delta = H * mpmath.exp(-mpmath.mpf(m_req) / 2) + mpmath.exp(-mpmath.mpf(m_req) / 8)
        log10_delta = mpmath.log10(delta)
        delta_text = mpmath.nstr(delta, 3) if log10_delta > -10**6 else f"10^({mpmath.nstr(log10_delta, 6)})"
    derived_form = {"m*": sp.sstr(chain.m_star), "C_m*H^a_H": sp.sstr(form.coefficient),
                    "a_R": sp.sstr(form.a_R), "a_epsilon": sp.sstr(form.a_eps), "provenance": "derived"}
    printed_out = _printed(printed, form, eps, R, H, m_req, float(C_of(m_req)), L_val, G_val) if printed else None
    return WidthRequirement(theorem, scaling,
                            {"eps": eps, "R": R, "H": H, "d": d, "loss": loss, "activation": activation,
                             "preact_bound": preact_bound, "output_bound": output_bound},
                            consts, m_req, alpha_val, T_val, float(delta), delta_text, df_formula,
                            d * m_req + (H - 1) * m_req**2, derived_form, R_prime, printed_out, notes,
                            scientific(_mp(alpha_q)),
                            scientific(_mp(alpha_q * T_val * L_q * G_q)) if theorem == "C3" else None)


def _printed(printed: dict[str, float], form: pc.PaperForm, eps: float, R: float, H: int, m_req: int,
             C_val: float, L_val: float, G_val: float) -> dict[str, Any]:
    """The user's printed m* = C_m·H^a_H·R^a_R·ε^(−a_ε) against the derived requirement."""
    a_R_d, a_e_d = float(form.a_R), float(form.a_eps)
    a_R_p = float(printed.get("a_R", a_R_d))
    a_e_p = float(printed.get("a_eps", a_e_d))
    if "C_m" in printed:
        coef = mpmath.mpf(printed["C_m"]) * mpmath.mpf(H) ** mpmath.mpf(printed.get("a_H", 0.0))
        coef_prov = "user"
    else:
        coef = mpmath.mpf(str(sp.N(form.coefficient.subs({pc.L: L_val, pc.C_H: C_val, pc.G: G_val}), 30)))
        coef_prov = "derived"
    m_printed = coef * mpmath.mpf(R) ** a_R_p * mpmath.mpf(eps) ** (-a_e_p)
    flags = []
    if a_R_p < a_R_d:
        flags.append(f"a_R: derived requirement {a_R_d:g} > printed {a_R_p:g}")
    if a_e_p < a_e_d:
        flags.append(f"a_epsilon: derived requirement {a_e_d:g} > printed {a_e_p:g}")
    return {"C_m*H^a_H": float(coef), "C_m*H^a_H provenance": coef_prov, "a_R": a_R_p, "a_epsilon": a_e_p,
            "m_printed": float(m_printed), "m_printed_text": scientific(m_printed), "m_derived": m_req, "covers_derived_here": m_printed >= m_req,
            "flags": flags, "verdict": "flagged" if flags else "consistent"}
