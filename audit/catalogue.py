"""The claim catalogue ``docs/claims.md``: its §5 (the paper's claims) and §6 (later papers) are generated here
from the registry ``theory/claims.py``, so the statement a user reads and the one the suite checks cannot drift.

``python -m audit.catalogue`` rewrites the generated block in place; ``python -m audit.catalogue --check``
exits 1 when the file is out of date (the test suite runs the same comparison).
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp

from theory.claims import REGISTRY, Claim
from theory.hypothesis_space import HypothesisSpace

CATALOGUE = Path(__file__).resolve().parents[1] / "docs" / "claims.md"
BEGIN = "<!-- BEGIN GENERATED: python -m audit.catalogue -->"
END = "<!-- END GENERATED -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _check_path(target: str) -> str:
    module, function = target.split(":")
    return f"`{module.replace('.', '/')}.py` `{function}`"


def render_claim(claim: Claim) -> str:
    """One claim: statement, provenance, symbols, hypotheses, and where each check measures it."""
    short = claim.id.split("-")[0]
    lines = [f"### {short} — {claim.title}", "",
             f"`{claim.id}` · [{claim.provenance}] · {claim.relation_kind} · "
             f"research questions {', '.join(claim.research_questions)}", "",
             f"**Statement.** {claim.statement_text}", ""]
    if claim.statement is not None:
        lines += [f"Encoded as `{sp.sstr(claim.statement)}`.", ""]
    if claim.hypotheses:
        lines += ["**Hypotheses.**", ""] + [f"- {h}" for h in claim.hypotheses] + [""]
    if claim.space is not None:
        lines += render_space(claim.space)
    if claim.symbols:
        lines += ["| symbol | meaning |", "|---|---|"]
        lines += [f"| `{_cell(s)}` | {_cell(m)} |" for s, m in claim.symbols.items()] + [""]
    lines += ["| check | where measured | tiers | what it measures |", "|---|---|---|---|"]
    lines += [f"| `{c.id}` | {_check_path(c.target)} | {', '.join(c.tiers)} | "
              f"{'**encoding check** (not evidence): ' if c.encoding else ''}{_cell(c.description)} |"
              for c in claim.checks]
    if claim.depends_on:
        lines += ["", "**Depends on** " + ", ".join(f"`{dep}`" for dep in claim.depends_on)
                  + ": this claim's verdict is at most as strong as theirs (audit/judge.py)."]
    tolerances = [(c.id, t) for c in claim.checks for t in c.tolerances]
    if tolerances:
        lines += ["", "**Pre-registered tolerances** (`theory/tolerances.py`):", "",
                  "| check | tolerance | value | why | calibration |", "|---|---|---|---|---|"]
        lines += [f"| `{cid}` | `{t.name}` | {_cell(_value(t.value))} | {_cell(t.justification)} | "
                  f"{_cell(t.calibration or 'derived, not calibrated')} |" for cid, t in tolerances]
    lines += ["", f"Judged by `audit/judge.py`; `advaudit show {short}` prints this entry.", ""]
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_space(space: HypothesisSpace) -> list[str]:
    """The hypothesis space ``advaudit hunt`` searches: parameters, domains, the hypothesis each one encodes."""
    lines = ["**Hypothesis space** (searched by `advaudit hunt`).", "",
             "| parameter | values | hypothesis | note |", "|---|---|---|---|"]
    lines += [f"| `{p.name}` | {_cell(p.describe())} | {_cell(p.hypothesis or '—')} | {_cell(p.note)} |"
              for p in space.parameters]
    lines += [""] + [f"- constraint: {c.text}" + (f" ({c.hypothesis})" if c.hypothesis else "")
                     for c in space.constraints]
    if space.note:
        lines.append(f"- {space.note}")
    return lines + ([""] if space.constraints or space.note else [])


def render() -> str:
    """The generated block: §5 (claims of the paper, C0–C11) and §6 (later papers' claims, L1–L3)."""
    paper = [c for c in REGISTRY.values() if c.id.startswith("C")]
    later = [c for c in REGISTRY.values() if c.id.startswith("L")]
    parts = [BEGIN, "", "## §5. Claims of the paper", ""] + [render_claim(c) for c in paper]
    parts += ["## §6. Later papers' claims about it", ""] + [render_claim(c) for c in later]
    return "\n".join(parts).rstrip() + "\n" + END


def updated(text: str) -> str:
    """``text`` with its generated block replaced by :func:`render` (ValueError when the markers are missing)."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"{CATALOGUE} lacks the generated-block markers")
    head, rest = text.split(BEGIN, 1)
    return head + render() + rest.split(END, 1)[1]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = CATALOGUE.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print(f"{CATALOGUE} is out of date: run python -m audit.catalogue", file=sys.stderr)
            return 1
        return 0
    CATALOGUE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
