"""Discrimination of the fast tier: realistic single-line bugs in a scratch copy — does some verdict turn `violated`?

    python benchmarks/discrimination.py [--only ID ...] [--jobs 2] [--no-baseline] [--timeout 900]

Each mutant is one exact string replacement in one file that must match exactly once (otherwise the benchmark
stops: a mutant that does not apply is an error, never a kill or a survivor). Per mutant, the repository (without
.git, reports/, caches) is copied to a fresh temporary directory, the replacement applied, and the fast tier's checks
run there in a fresh Python process (PYTHONPATH = the copy, no sweep cache), claim by claim — the mutant's likely
detectors first, then every other claim in registry order — stopping at the first `violated` verdict. Nothing is
reused between mutants. At most ``--jobs`` (default 2: the reference machine has 2 cores) run at once.

A baseline first runs every fast check on an unmutated copy: a kill only means something when the correct code
has no `violated` verdict. Prints, per mutant, KILLED (the check, how many checks ran, seconds) or SURVIVED (the
verdicts seen and the reason recorded with the mutant), then the score; target ≥ 90 % killed: PASS/FAIL, exit 1
on FAIL. A survivor is never weakened into a kill: its explanation is printed instead.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.90
IGNORE = shutil.ignore_patterns(".git", "reports", ".advaudit-cache", "__pycache__", "*.pyc", ".pytest_cache",
                                ".hypothesis", "*.egg-info", "benchmarks")


@dataclass(frozen=True)
class Mutant:
    id: str
    description: str
    path: str
    old: str
    new: str
    order: tuple[str, ...]          # claims to run first (likely detectors)
    if_survives: str = ""           # why it can survive, stated before the run (printed only if it does)


MUTANTS: tuple[Mutant, ...] = (
    Mutant("c-sigma-relu", "c_σ(relu) = 2 read as 2.2 (E[relu(z)²] = 5/11 instead of 1/2)",
           "theory/activations.py", '"relu": sp.Rational(1, 2),', '"relu": sp.Rational(5, 11),', ("C11", "C5")),
    Mutant("c-sigma-softplus", "softplus normalization: 1/E σ² computed as 1/E σ (the square dropped)",
           "theory/activations.py", "return mpmath.quad(lambda z: fn(z) ** 2 * density(z)",
           "return mpmath.quad(lambda z: fn(z) * density(z)", ("C11", "C1")),
    Mutant("forward-missing-scale", "forward pass without √(c_σ/m) (the layers() path keeps it)",
           "numerics/network/nets.py", "            h = self.scale * self._sigma(h @ W.T)",
           "            h = self._sigma(h @ W.T)", ("C11", "C0")),
    Mutant("layers-missing-scale", "layers() without √(c_σ/m) (used by the structured NTK and the norms)",
           "numerics/network/nets.py", "acts.append(self.scale * self._sigma(g))", "acts.append(self._sigma(g))",
           ("C11", "C5")),
    Mutant("ntk-missing-output-term", "structured empirical NTK without the trained output layer's term",
           "numerics/ntk/empirical.py", "            theta = theta + fx[-1][1] @ fy[-1][1].T",
           "            theta = theta", ("C11",)),
    Mutant("analytic-ntk-recursion", "analytic NTK recursion Θ ← Θ·Σ̇ + Σ (the new layer's Σ not multiplied by Σ̇)",
           "numerics/ntk/analytic.py", "theta = sig_prev * sig_dot if theta is None else (theta + sig_prev) * sig_dot",
           "theta = sig_prev * sig_dot if theta is None else theta * sig_dot + sig_prev", ("C11", "C8")),
    Mutant("pgd-no-projection", "PGD step without the projection onto B(x)",
           "numerics/adversarial/attacks.py",
           "Z = self.pset.project(X, Z + self.step_size * _ascent_direction(self.pset.norm, g))",
           "Z = Z + self.step_size * _ascent_direction(self.pset.norm, g)", ("C0", "C6")),
    Mutant("pgd-descends", "PGD steps along −∇ (descending the loss)", "numerics/adversarial/attacks.py",
           "Z = self.pset.project(X, Z + self.step_size * _ascent_direction(self.pset.norm, g))",
           "Z = self.pset.project(X, Z - self.step_size * _ascent_direction(self.pset.norm, g))", ("C6", "C0")),
    Mutant("fgsm-descends", "FGSM steps along −∇", "numerics/adversarial/attacks.py",
           "return self.pset.project(X, X + self.pset.radius * _ascent_direction(self.pset.norm, g))",
           "return self.pset.project(X, X - self.pset.radius * _ascent_direction(self.pset.norm, g))", ("C0", "C6")),
    Mutant("pgd-keeps-worst-restart", "flipped comparison: PGD keeps a restart when its loss is SMALLER",
           "numerics/adversarial/attacks.py", "better = val > best_val", "better = val < best_val", ("C6", "C0")),
    Mutant("linf-projection-radius", "ℓ∞ projection onto the box of radius 2δ", "numerics/network/perturbations.py",
           "return C + diff.clamp(-self.radius, self.radius)",
           "return C + diff.clamp(-2 * self.radius, 2 * self.radius)", ("C0",)),
    Mutant("ball-projection-radius", "projection onto B(R) with radius 2·r_m(R)", "numerics/training/ball.py",
           "torch.lerp(p0, p.detach(), r / norm)", "torch.lerp(p0, p.detach(), 2 * r / norm)", ("C7", "C4")),
    Mutant("schedule-T-constant", "the checks' schedule T with its constant 9/4 read as 1",
           "numerics/checks/shared/training_setup.py",
           "T = max(1, math.ceil(9 * depth * r2 * L ** 2 * G ** 2 / (4 * setup.eps ** 2)))",
           "T = max(1, math.ceil(depth * r2 * L ** 2 * G ** 2 / setup.eps ** 2))", ("C1", "C3")),
    Mutant("requirements-T-constant", "theory.requirements' T with its constant 9/4 read as 1",
           "theory/requirements.py", "return max(1, math.ceil(9 * H * r2 * L_q**2 * G_q**2 / (4 * eps_q**2)))",
           "return max(1, math.ceil(H * r2 * L_q**2 * G_q**2 / eps_q**2))", ("C3", "C4")),
    Mutant("gradient-bound-sqrt2", "gradient bound G = √(2c_σ)·Lip σ losing its √2 (‖a‖² ≤ 2m read as ≤ m)",
           "theory/requirements.py", "B[H] = sp.sqrt(2) * root_c * lip", "B[H] = root_c * lip", ("C4",)),
    Mutant("requirements-alpha", "step α = 2ε/(3L²G²) printed as ε/(3L²G²)", "theory/requirements.py",
           "alpha_q = 2 * eps_q / (3 * L_q**2 * G_q**2)", "alpha_q = eps_q / (3 * L_q**2 * G_q**2)",
           ("C4", "C3")),
    Mutant("proof-chain-shares", "proof chain: the step term budgeted ε/2 instead of ε/3", "theory/proof_chain.py",
           "EQUAL_SHARES = (sp.Rational(1, 3), sp.Rational(1, 3), sp.Rational(1, 3))",
           "EQUAL_SHARES = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 3))", ("C4", "C3")),
    Mutant("proof-chain-R-prime", "proof chain: R' = α·T·L·G/2 (the iterates' radius halved)",
           "theory/proof_chain.py", "R_prime = _tidy(a * T_used * L * G)", "R_prime = _tidy(a * T_used * L * G / 2)",
           ("C3",)),
    Mutant("ibp-unsound", "unsound interval bound: IBP radius term halved", "numerics/adversarial/bounds.py",
           "return c @ W.T - r @ W.abs().T, c @ W.T + r @ W.abs().T",
           "return c @ W.T - r @ W.abs().T / 2, c @ W.T + r @ W.abs().T / 2", ("C0", "C6")),
    Mutant("grid-certificate", "grid maximizer's certificate max + L·r with the covering term dropped",
           "numerics/adversarial/attacks.py", "upper = V + torch.as_tensor(self.lipschitz, dtype=V.dtype, "
                                              "device=V.device) * cover",
           "upper = V + torch.as_tensor(self.lipschitz, dtype=V.dtype, device=V.device) * 0", ("C0", "C2")),
    Mutant("logged-regret-bound", "looser logged bound: the training log's regret bound with ‖W(0)−W*‖²/α",
           "numerics/training/algorithm.py", "regret_bound=(dist0_sq / (2 * alpha)",
           "regret_bound=(dist0_sq / alpha", ("C4",)),
    Mutant("lenient-judge", "lenient judge: a re-verified counterexample is ignored when any comparison holds",
           "audit/judge.py", "    elif reverified:\n", "    elif reverified and not any(c.holds for c in ev.comparisons):\n",
           ("C0", "C1"),
           if_survives="a judge that never says 'violated' cannot be killed by a 'violated' verdict: the controls are "
                       "then never violated either, so every check that could be consistent is reported vacuous — "
                       "detected, but not as 'violated'"),
)

# Runs inside the scratch copy: the fast tier's checks in the given order, stopping at the first `violated`.
DRIVER = r"""
import json, sys
from audit.runner import run_check
from theory.claims import REGISTRY
from theory.evidence import RunContext
first, stop = json.loads(sys.argv[1]), sys.argv[2] == "stop"
claims = list(REGISTRY.values())
ranked = [c for p in first for c in claims if c.id.split("-")[0] == p]
ctx = RunContext(tier="fast")
for claim in ranked + [c for c in claims if c not in ranked]:
    for spec in claim.checks_for("fast"):
        ev = run_check(claim, spec, ctx)
        print(json.dumps({"check": spec.id, "verdict": ev.verdict, "reason": ev.verdict_reason[:300],
                          "seconds": round(ev.wall_time_s, 1)}), flush=True)
        if stop and ev.verdict == "violated":
            sys.exit(0)
"""


@dataclass
class Outcome:
    mutant: Mutant | None
    checks: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    @property
    def killer(self) -> dict | None:
        return next((c for c in self.checks if c["verdict"] == "violated"), None)


def apply(tree: Path, mutant: Mutant) -> None:
    """The exact replacement; it must match exactly once in the copy."""
    path = tree / mutant.path
    text = path.read_text(encoding="utf-8")
    count = text.count(mutant.old)
    if count != 1:
        raise ValueError(f"mutant {mutant.id}: the string matches {count} times in {mutant.path} (must be 1)")
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def run(mutant: Mutant | None, timeout: float) -> Outcome:
    """A fresh copy (mutated unless baseline) and a fresh process running the fast tier's checks there."""
    out = Outcome(mutant)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="advaudit-mutant-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=IGNORE)
        if mutant is not None:
            apply(tree, mutant)
        env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
        order = json.dumps(list(mutant.order) if mutant else [])
        try:
            proc = subprocess.run([sys.executable, "-c", DRIVER, order, "stop" if mutant else "all"], cwd=tree,
                                  env=env, capture_output=True, text=True, timeout=timeout)
            stdout, code = proc.stdout, proc.returncode
            if code != 0:
                out.error = f"exit {code}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}"
        except subprocess.TimeoutExpired as exc:
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            out.error = f"timed out after {timeout:.0f} s"
        out.checks = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    out.seconds = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="mutant ids to run (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants at once (default 2)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant (default 900)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if args.only is None or m.id in args.only]
    unknown = set(args.only or []) - {m.id for m in MUTANTS}
    if unknown:
        print(f"unknown mutant id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for m in mutants:  # every mutant must apply before anything runs
        text = (ROOT / m.path).read_text(encoding="utf-8")
        if text.count(m.old) != 1:
            print(f"mutant {m.id}: the string matches {text.count(m.old)} times in {m.path} (must be 1)",
                  file=sys.stderr)
            return 2
    if not args.no_baseline:
        base = run(None, args.timeout * 2)
        violated = [c["check"] for c in base.checks if c["verdict"] == "violated"]
        print(f"baseline (unmutated): {len(base.checks)} checks in {base.seconds:.0f} s, violated: "
              f"{violated or 'none'}{'; ' + base.error if base.error else ''}", flush=True)
        if violated or base.error:
            print("FAIL: the unmutated code is not clean; kills would mean nothing")
            return 1
    killed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for out in pool.map(lambda m: run(m, args.timeout), mutants):
            m, k = out.mutant, out.killer
            if k is not None:
                killed += 1
                print(f"KILLED    {m.id:26s} by {k['check']} ({len(out.checks)} checks, {out.seconds:.0f} s) — "
                      f"{m.description}", flush=True)
            else:
                seen = ", ".join(f"{c['check']}: {c['verdict']}" for c in out.checks
                                 if c["verdict"] not in ("consistent", "refuted-as-stated"))
                print(f"SURVIVED  {m.id:26s} ({len(out.checks)} checks, {out.seconds:.0f} s) — {m.description}\n"
                      f"          non-consistent verdicts: {seen or 'none'}"
                      f"{'; ' + out.error if out.error else ''}\n"
                      f"          why: {m.if_survives or 'not anticipated (see the verdicts above)'}", flush=True)
    score = killed / len(mutants)
    print(f"score: {killed}/{len(mutants)} killed = {score:.0%} (target ≥ {TARGET:.0%}): "
          f"{'PASS' if score >= TARGET else 'FAIL'}")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
