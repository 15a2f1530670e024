"""Registering a new claim kind in a few lines: "the analytic NTK Gram matrix of these points is well conditioned".

NTK analyses assume λ_min(Θ) ≥ λ₀ > 0 on the training points. This kind states a λ₀ and lets the suite measure
λ_min of the analytic NTK Gram matrix on a built-in data set. Run from the repository root:

    PYTHONPATH=. python examples/register_kind.py        (prints the verdicts; exit 1: the second is violated)

A kind is a ClaimKind(name, description, validate, answer, measured=True): ``validate(fields, ctx)`` reads the
entry's fields (Fields records which were read, so unknown ones are refused; FieldError names the field at fault);
``answer(params, ctx)`` measures, and ``settle`` judges the evidence with its control (here: the same λ_min against
twice itself, which must come out violated), making an unearned consistent verdict vacuous.
"""
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.linalg

from audit.measured_kinds import settle, summary
from audit.user_claims import Answer, ClaimKind, Fields, check_file, register_kind
from numerics.network.datasets import load_dataset
from numerics.ntk.analytic import analytic_ntk
from theory.evidence import Counterexample, Evidence


def validate(raw, ctx):
    f = Fields(raw)
    p = {"data": f.get("data", str), "activation": f.get("activation", str), "depth": f.positive("depth", int),
         "n": f.positive("n", int), "at_least": f.positive("at_least")}
    f.finish()
    return p


def lambda_min_at_least(ev, gram, value, name):
    lam = float(np.linalg.eigvalsh(gram)[0])
    row = ev.compare(name, lam, value, ">=", tolerance=1e-9, tolerance_name="eigensolver round-off")
    if not row.holds:  # re-verify with another eigensolver
        again = float(scipy.linalg.eigh(gram, eigvals_only=True, driver="ev")[0])
        ev.counterexamples.append(Counterexample(name, "λ_min below the stated value", {}, again, value,
                                                 "scipy.linalg.eigh (driver 'ev')", reverified=again < value - 1e-9))
    return lam


def answer(p, ctx):
    X, _ = load_dataset(p["data"], n=p["n"], d=5, seed=ctx.seed)
    gram = analytic_ntk(X, depth=p["depth"], activation=p["activation"])
    main, control = Evidence("user", "user:ntk-conditioning", ctx.tier), Evidence("user", "control", ctx.tier)
    lam = lambda_min_at_least(main, gram, p["at_least"], f"λ_min(Θ) ≥ {p['at_least']:g}")
    lambda_min_at_least(control, gram, 2 * lam, f"control: λ_min(Θ) ≥ 2·λ_min = {2 * lam:.4g}")
    ev = settle(main, [control])
    return Answer(ev.verdict, f"λ_min(Θ) ≥ {p['at_least']:g}", summary(ev), {"lambda_min": lam}, evidence=ev)


register_kind(ClaimKind("ntk-conditioning", "λ_min of the analytic NTK Gram matrix", validate, answer, measured=True))

CLAIMS = """
[[claim]]
name = "relu NTK on 16 digits is well conditioned"
kind = "ntk-conditioning"
data = "digits"
activation = "relu"
depth = 1
n = 16
at_least = 0.01
# expected: consistent

[[claim]]
name = "an optimistic λ₀"
kind = "ntk-conditioning"
data = "digits"
activation = "relu"
depth = 1
n = 16
at_least = 5.0
# expected: violated
"""

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conditioning.claims.toml"
        path.write_text(CLAIMS)
        ledger = check_file(path)
    for record in ledger["claims"]:
        print(f"{record['name']}: {record['verdict']} — λ_min = {record['data']['lambda_min']:.4g}")
    sys.exit(ledger["exit_status"])
