"""`advaudit width`: evaluate C1's (and, for H = 1, C3's) requirements at concrete parameters.

Prints the required width m, step α, iterations T, the failure-probability term, the parameter count
d·m + (H−1)·m², the derived paper form m* = C_m·H^a_H·R^a_R·ε^(−a_ε), and every constant with its provenance.
Printed (paper) values given with --C-m/--a-H/--a-R/--a-eps are compared with the derived requirement.
Light on imports on purpose (no torch, numerics or rich): it answers in well under 2 s.
"""
from __future__ import annotations

import argparse
import json

from theory.errors import InputError

VERB = "width"
HELP = ("required width m, step α, iterations T, failure probability and parameter count of C1 (and C3 for "
        "H = 1) at given ε, R, H, loss, activation; each constant with its provenance; exit 2 on bad input")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--eps", type=float, required=True, help="target accuracy ε ∈ (0, 1)")
    parser.add_argument("--R", type=float, required=True, help="radius parameter R > 0 of the ball B(R)")
    parser.add_argument("--H", type=int, required=True, help="depth H ≥ 1 (trained layers)")
    parser.add_argument("--loss", required=True, help="hinge | logistic | absolute | squared (needs --output-bound)")
    parser.add_argument("--activation", required=True,
                        help="softplus | tanh | sigmoid | erf | relu2 (needs --preact-bound); relu is not smooth")
    parser.add_argument("--scaling", default="per-layer-R", help="per-layer-R (default) | per-layer-R-over-sqrt-m")
    parser.add_argument("--theorem", default="C1", help="C1 (with projection, default) or C3 (H = 1, no projection)")
    parser.add_argument("--d", type=int, default=10, help="input dimension, for the parameter count (default 10)")
    parser.add_argument("--preact-bound", type=float, help="relu2 only: pre-activation bound B (Lip σ = 2B)")
    parser.add_argument("--output-bound", type=float, help="squared loss only: |ŷ| ≤ B (L_ℓ = 2(B+1))")
    parser.add_argument("--C-H", dest="C_H", type=float,
                        help="linearization constant C_H, with ε_lin(r) ≤ C_H(2r)²/(2√m): required for H ≥ 2 (no "
                             "value is derived there; m scales as C_H²); for H = 1 derived unless given")
    parser.add_argument("--G", type=float, help="gradient bound G (default: derived)")
    parser.add_argument("--p-a", dest="p_a", type=float, default=0.01,
                        help="H = 1: failure probability allotted to max_r |a_r| ≤ A (default 0.01)")
    parser.add_argument("--C-m", dest="C_m", type=float, help="paper's printed width constant C_m")
    parser.add_argument("--a-H", dest="a_H", type=float, help="paper's printed depth exponent a_H")
    parser.add_argument("--a-R", dest="a_R", type=float, help="paper's printed radius exponent a_R (derived: 4)")
    parser.add_argument("--a-eps", dest="a_eps", type=float, help="paper's printed accuracy exponent a_ε (derived: 2)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _requirements(args: argparse.Namespace, theorem: str):
    from theory.requirements import ParameterError, width_requirements

    if args.H >= 2 and args.C_H is None:
        raise InputError(f"--C-H is required for H ≥ 2 (here H = {args.H}): no linearization constant is derived for "
                         f"deep networks and the width scales as C_H² (e.g. --C-H 1 for the numbers per unit C_H)")
    printed = {k: getattr(args, k) for k in ("C_m", "a_H", "a_R", "a_eps") if getattr(args, k) is not None}
    for key, value in printed.items():
        if not value > 0 and key != "a_H":
            raise InputError(f"--{key.replace('_', '-')}: must be > 0, got {value}")
    try:
        return width_requirements(args.eps, args.R, args.H, args.loss, args.activation, scaling=args.scaling,
                                  theorem=theorem, d=args.d, preact_bound=args.preact_bound,
                                  output_bound=args.output_bound, C_H=args.C_H, G=args.G, p_a=args.p_a,
                                  printed=printed or None)
    except ParameterError as exc:
        raise InputError(f"--{exc.field.replace('_', '-')}: {exc.reason}") from None


def _lines(req) -> list[str]:
    from theory.requirements import scientific

    i = req.inputs
    title = ("C1 — adversarial training with projection" if req.theorem == "C1"
             else "C3 — two-layer adversarial training without projection")
    out = [f"advaudit width: {title}; ball scaling {req.scaling}",
           f"  inputs: ε = {i['eps']:g}, R = {i['R']:g}, H = {i['H']}, d = {i['d']}, loss {i['loss']}, "
           f"activation {i['activation']}",
           f"  required width      m = {scientific(req.m)}   [derived]  least m with L_ℓ·C_H·(2ρ)²/(2√m) ≤ ε/3",
           f"                      paper form m* = {req.derived_form['m*']}  "
           f"(C_m·H^a_H ≡ {req.derived_form['C_m*H^a_H']}, a_R = {req.derived_form['a_R']}, "
           f"a_ε = {req.derived_form['a_epsilon']})  [derived]",
           f"  step size           α = {req.alpha_text}   [derived]  2ε/(3·L_ℓ²·G²)",
           f"  iterations          T = {scientific(req.T)}   [derived]  ⌈9·D²·L_ℓ²·G²/(4ε²)⌉, D² = H·r²"]
    if req.R_prime is not None:
        out.append(f"  iterate radius      R' = {req.R_prime_text}   [derived]  α·T·L_ℓ·G (no projection)")
    out += [f"  failure probability δ_fail ≤ {req.delta_fail_text}   [derived]  {req.delta_fail_formula}",
            f"  parameter count     P = d·m + (H−1)·m² = {scientific(req.parameter_count)}",
            "  constants:"]
    for c in req.constants:
        note = f"  ({c.note})" if c.note else ""
        out.append(f"    {c.name:<11} = {c.value:<12.6g} [{c.provenance}]  {c.formula}{note}")
    if req.printed:
        p = req.printed
        out.append(f"  printed form: m = {p['C_m*H^a_H']:.6g}·R^{p['a_R']:g}·ε^(−{p['a_epsilon']:g}) = "
                   f"{p['m_printed_text']}  [user; coefficient {p['C_m*H^a_H provenance']}] — {p['verdict']}"
                   + (f": {'; '.join(p['flags'])}" if p["flags"] else "")
                   + ("" if p["covers_derived_here"] else f"; below the derived m = {scientific(p['m_derived'])} here"))
    out += [f"  note: {n}" for n in req.notes]
    return out


def run(args: argparse.Namespace) -> int:
    theorem = args.theorem
    if theorem not in ("C1", "C3"):
        raise InputError(f"--theorem: must be C1 or C3, got {theorem!r}")
    reqs = [_requirements(args, theorem)]
    if theorem == "C1" and args.H == 1 and args.scaling == "per-layer-R":
        reqs.append(_requirements(args, "C3"))
    if args.json:
        from theory.evidence import json_safe
        print(json.dumps(json_safe([r.to_dict() for r in reqs]), indent=2, ensure_ascii=False))
        return 0
    for k, req in enumerate(reqs):
        if k:
            print()
        print("\n".join(_lines(req)))
    return 0
