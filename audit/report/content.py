"""What the report says: a ledger (``audit.ledger`` schema v1) turned into the document model.

Per claim: the statement with its provenance tag, hypotheses and source; per check: the verdict and its
reason, the symbolic requirement at the run's parameters (``measurements["requirements"]``, below), the
configuration and seeds, every comparison (measured ± interval, relation, bound, margin, named
tolerance), its controls (what each changes, its verdict, the row that decided it), the check's tables and
figures, counterexamples with their re-verification, and notes.
A claim with no check at the run's tier says "not implemented".

Requirement protocol (optional, for checks whose claim has a symbolic requirement)::

    measurements["requirements"] = {name: {"expression": "C_m·H^a_H·R^a_R·ε^(−a_ε)",   # as printed
                                           "parameters": {"epsilon": 0.1, "R": 1, ...},  # where evaluated
                                           "value": 3.2e9,                              # the requirement there
                                           "note": "exceeds every width the suite can run"}}  # optional

Keys other than ``series``, ``tables`` and ``requirements`` are shown as they are: scalars in one table,
a list of flat records (an obligations list, one row per width) as a table of its own, anything else as
JSON in a collapsible block.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from audit.report.document import (Block, BulletList, Code, Details, Figure, Heading, Inline, Paragraph, Run, Table,
                                   plain)
from audit.report.figures import FigureSpec

PROTOCOL_KEYS = ("series", "tables", "requirements")
MAX_COMPARISON_ROWS = 24  # beyond this, the tightest rows are shown and the full table is folded away
TIGHTEST_ROWS = 6
MAX_FOLDED_ROWS = 300  # the folded full table stops here; the ledger keeps every row
MAX_JSON_CHARS = 6000  # a folded JSON block is cut here (the ledger has everything)
MAX_INLINE_LIST = 12  # configuration lists longer than this are summarized
MAX_RECORDS = 500  # a list of flat records up to this length becomes a table (longer: JSON)
MAX_RECORD_ROWS = 20  # a records table longer than this is folded away


def fmt(value: Any) -> str:
    """A number to 4 significant digits (ints exactly), anything else as short text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_INLINE_LIST:
            return f"[{', '.join(fmt(v) for v in value[:4])}, … ({len(value)} values)]"
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 160 else text[:157] + "…"
    return str(value)


def _registry_claim(claim_id: str) -> Any:
    from theory.claims import REGISTRY

    return REGISTRY.get(claim_id)


def _registry_spec(claim: Any, check_id: str) -> Any:
    if claim is None:
        return None
    return next((s for s in claim.checks if s.id == check_id), None)


def anchor(claim_id: str) -> str:
    """The fragment id of a claim's section (what GitHub derives from the heading text)."""
    return claim_id.lower()


def header_blocks(ledger: dict[str, Any], run_info: dict[str, Any]) -> list[Block]:
    prov = ledger.get("provenance", {})
    packages = ", ".join(f"{k} {v}" for k, v in prov.get("packages", {}).items() if v)
    machine = prov.get("machine", {})
    checks = [c for claim in ledger.get("claims", []) for c in claim.get("checks", [])]
    seeds = sorted({s for c in checks for s in c.get("seeds", []) if isinstance(s, int)})
    rows = [["created", ledger.get("created", "")], ["tier", ledger.get("tier", "")],
            ["master seed (--seed)", fmt(ledger.get("seed"))],
            ["seeds used by checks", fmt(seeds) if seeds else "—"],
            ["git commit", [Run("code", str(prov.get("git_commit", "unknown")))]],
            ["python", str(prov.get("python", ""))], ["packages", packages],
            ["machine", f"{machine.get('platform', '')} ({machine.get('processor', '')}, "
                        f"{machine.get('cpu_count', '?')} CPUs)"],
            ["wall time of the checks", f"{sum(float(c.get('wall_time_s', 0.0)) for c in checks):.1f} s"]]
    if run_info.get("working_tree"):
        rows.insert(5, ["working tree at run time", str(run_info["working_tree"])])
    if prov.get("note"):
        rows.append(["note", str(prov["note"])])
    for key, label in (("workers", "sweep workers"), ("scheduler", "Dask scheduler"),
                       ("figures_s", "figure rendering"), ("ledger_source", "ledger")):
        if run_info.get(key) is not None:
            value = run_info[key]
            rows.append([label, f"{value:.1f} s" if key.endswith("_s") else str(value)])
    return [Heading(2, "Provenance"), Table(["item", "value"], rows)]


def row_text(row: dict[str, Any] | None) -> str:
    """A summary comparison as 'name: measured REL bound (slack s)', '—' when there is none."""
    if not row:
        return "—"
    if row.get("interval"):
        lo, hi = row["interval"]
        what = f"CI [{fmt(lo)}, {fmt(hi)}] ∋ {fmt(row.get('bound'))}"
    else:
        what = f"{fmt(row.get('measured'))} {row.get('relation', '')} {fmt(row.get('bound'))}"
    slack = f" (slack {fmt(row['slack'])})" if isinstance(row.get("slack"), (int, float)) else ""
    where = f"{row['check']}: " if row.get("check") else ""
    return f"{where}{row.get('name', '')}: {what}{slack}"


def _flags(item: dict[str, Any]) -> str:
    return ", ".join(str(f) for f in item.get("flags") or []) or "—"


def _claim_decider(claim: dict[str, Any]) -> str:
    """What decided a claim: its deciding comparison, else its label or verdict reason."""
    summary = claim.get("summary") or {}
    if summary.get("deciding"):
        return row_text(summary["deciding"])
    if summary.get("label"):
        return f"{summary.get('deciding_check') or ''}: {summary['label']}".lstrip(": ")
    return str(claim.get("verdict_reason", "")) or "—"


def _claim_controls(claim: dict[str, Any]) -> str:
    """The controls of a claim's checks: 'k of n violated (names)', or '—' when no check runs one."""
    controls = [c for check in claim.get("checks", []) for c in check.get("controls") or [] if isinstance(c, dict)]
    if not controls:
        return "—"
    violated = sum(str(c.get("verdict", "")) == "violated" for c in controls)
    names = ", ".join(dict.fromkeys(str(c.get("name", "")) for c in controls))
    return f"{violated} of {len(controls)} violated ({names})"


def summary_blocks(ledger: dict[str, Any]) -> list[Block]:
    claims = ledger.get("claims", [])
    counts = Counter(c.get("verdict", "") for c in claims)
    rows = []
    for claim in claims:
        checks = claim.get("checks", [])
        summary = claim.get("summary") or {}
        rows.append([[Run("link", claim["id"], "#" + anchor(claim["id"]))], f"[{claim.get('provenance', '')}]",
                     [Run("verdict", claim.get("verdict", ""))], _flags(claim), _claim_decider(claim),
                     _claim_controls(claim), row_text(summary.get("tightest")), row_text(summary.get("loosest")),
                     str(len(checks)),
                     f"{sum(float(c.get('wall_time_s', 0.0)) for c in checks):.1f} s" if checks else "—"])
    timing = []
    for claim in claims:
        spec_claim = _registry_claim(claim["id"])
        for c in claim.get("checks", []):
            spec = _registry_spec(spec_claim, c.get("check_id", ""))
            budget = spec.budget_s.get(ledger.get("tier", "")) if spec is not None else None
            timing.append([[Run("code", c.get("check_id", ""))], claim["id"], [Run("verdict", c.get("verdict", ""))],
                           f"{float(c.get('wall_time_s', 0.0)):.2f} s", f"{budget:.0f} s" if budget else "—"])
    blocks: list[Block] = [Heading(2, "Summary"),
                           Paragraph(plain(", ".join(f"{n} {v}" for v, n in sorted(counts.items())) + ".")),
                           Table(["claim", "provenance", "verdict", "flags", "deciding comparison (or label)",
                                  "controls (each must be violated)", "tightest comparison", "loosest comparison",
                                  "checks", "wall time"], rows),
                           Paragraph(plain("Slack: bound/measured for ≤, measured/bound for ≥, CI width/|bound| for "
                                           "a rate (1 = tight); flags: loose (a holding comparison with slack "
                                           "> 100), encoding (the suite's own encoding against itself: not "
                                           "evidence), depends-on:X (at most as strong as claim X). The tightest "
                                           "and loosest leave out encoding rows."))]
    if timing:
        blocks += [Heading(3, "Wall time per check"),
                   Table(["check", "claim", "verdict", "wall time", f"{ledger.get('tier', '')}-tier budget"], timing)]
    return blocks


def figure_key(check_id: str, data: str | None = None) -> str:
    """Key of a check's figures: its id, suffixed with the real data set it ran on (distinct file names)."""
    return check_id if data is None else f"{check_id}@{data}"


def real_data_blocks(ledger: dict[str, Any], figures: dict[str, list[FigureSpec]],
                     problems: dict[str, list[str]]) -> list[Block]:
    """The real-data section: per data set, the task and transform, a verdict table, then every check's blocks."""
    runs = ledger.get("real_data") or []
    if not runs:
        return []
    blocks: list[Block] = [
        Heading(2, "Real data", "real-data"),
        Paragraph(plain("The checks that take data, run again on real data sets bundled with scikit-learn (offline), "
                        "with the same configurations, controls and figures as on the synthetic points. "
                        f"Transform: {(runs[0].get('data') or {}).get('transform', '')}."))]
    for run in runs:
        info = run.get("data") or {}
        name = str(info.get("name", "?"))
        rows = [[[Run("link", claim["id"], "#" + anchor(claim["id"]))], [Run("code", c.get("check_id", ""))],
                 [Run("verdict", c.get("verdict", ""))], str(c.get("verdict_reason", "")),
                 f"{float(c.get('wall_time_s', 0.0)):.1f} s"]
                for claim in run.get("claims", []) for c in claim.get("checks", [])]
        blocks += [Heading(3, f"Real data: {name}", f"real-data-{name}"),
                   Paragraph(plain(f"{info.get('task', '')} — {info.get('source', '')}, {info.get('table_rows', '?')} "
                                   f"rows × {info.get('features', '?')} features.")),
                   Table(["claim", "check", "verdict", "reason", "wall time"], rows, f"Verdicts on {name}")]
        for claim in run.get("claims", []):
            reg = _registry_claim(claim["id"])
            for check in claim.get("checks", []):
                key = figure_key(check.get("check_id", ""), name)
                inner = check_blocks(check, _registry_spec(reg, check.get("check_id", "")), figures.get(key, []),
                                     problems.get(key, []))
                inner[0] = Heading(4, f"Check {check.get('check_id', '')} on {name}")
                blocks += inner
    return blocks


def claim_blocks(claim: dict[str, Any], tier: str, figures: dict[str, list[FigureSpec]],
                 problems: dict[str, list[str]]) -> list[Block]:
    reg = _registry_claim(claim["id"])
    blocks: list[Block] = [
        Heading(2, claim["id"], anchor(claim["id"])),
        Paragraph([Run("b", f"[{claim.get('provenance', '')}]"), Run("", " " + claim.get("title", ""))]),
        Paragraph([Run("", "Verdict: "), Run("verdict", claim.get("verdict", "")),
                   Run("", f" — {claim['verdict_reason']}" if claim.get("verdict_reason") else ""),
                   Run("i", f" (flags: {_flags(claim)})" if claim.get("flags") else "")]),
        Paragraph([Run("b", "Statement. "), Run("", claim.get("statement", ""))]),
    ]
    if reg is not None and reg.hypotheses:
        blocks += [Paragraph([Run("b", "Hypotheses.")]), BulletList([plain(h) for h in reg.hypotheses])]
    if reg is not None:
        rq = ", ".join(claim.get("research_questions", [])) or "—"
        blocks.append(Paragraph(plain(f"Relation kind: {claim.get('relation_kind', '')}; research questions: {rq}; "
                                      f"source: {reg.source}.")))
    if not claim.get("checks"):
        blocks.append(Paragraph([Run("verdict", "not implemented"),
                                 Run("", f" — no check of this claim runs at the {tier} tier.")]))
    for check in claim.get("checks", []):
        spec = _registry_spec(reg, check.get("check_id", ""))
        blocks += check_blocks(check, spec, figures.get(check.get("check_id", ""), []),
                               problems.get(check.get("check_id", ""), []))
    return blocks


def check_blocks(check: dict[str, Any], spec: Any, figures: list[FigureSpec], problems: list[str]) -> list[Block]:
    cid = check.get("check_id", "")
    blocks: list[Block] = [
        Heading(3, f"Check {cid}"),
        Paragraph([Run("verdict", check.get("verdict", "")), Run("", f" — {check.get('verdict_reason', '')} "),
                   Run("i", f"({float(check.get('wall_time_s', 0.0)):.2f} s)")]),
    ]
    summary = check.get("summary") or {}
    items = [[Run("b", f"{label}: "), Run("", row_text(summary.get(key)))]
             for key, label in (("deciding", "deciding comparison"), ("tightest", "tightest (slack)"),
                                ("loosest", "loosest (slack)")) if summary.get(key)]
    if check.get("flags"):
        items.insert(0, [Run("b", "flags: "), Run("", _flags(check))])
    if items:
        blocks.append(BulletList(items))
    if spec is not None:
        blocks.append(Paragraph([Run("i", spec.description)]))
    measurements = check.get("measurements") if isinstance(check.get("measurements"), dict) else {}
    blocks += _requirement_blocks(measurements.get("requirements"))
    for fig in figures:
        blocks.append(Figure(f"figures/{fig.filename}", f"{cid}: {fig.group}"))
    if problems:
        blocks += [Paragraph([Run("b", "Figures not drawn.")]), BulletList([plain(p) for p in problems])]
    blocks += _comparison_blocks(check.get("comparisons", []))
    blocks += _control_blocks(check.get("controls", []))
    blocks += _table_blocks(cid, measurements.get("tables"))
    blocks += _config_blocks(check.get("config", {}), check.get("seeds", []))
    blocks += _counterexample_blocks(check.get("counterexamples", []))
    blocks += _status_blocks(check)
    blocks += _other_measurement_blocks(measurements)
    return blocks


def _requirement_blocks(req: Any) -> list[Block]:
    if not req:
        return []
    if not isinstance(req, dict):
        return [Paragraph([Run("b", "Requirement at the run's parameters. "), Run("", fmt(req))])]
    rows = []
    for name, r in req.items():
        if isinstance(r, dict):
            params = ", ".join(f"{k} = {fmt(v)}" for k, v in (r.get("parameters") or {}).items())
            rows.append([str(name), [Run("code", str(r.get("expression", "")))] if r.get("expression") else "—",
                         params or "—", fmt(r.get("value")), str(r.get("note", ""))])
        else:
            rows.append([str(name), "—", "—", fmt(r), ""])
    return [Table(["requirement", "expression", "at", "value", "note"], rows, "Requirement at the run's parameters")]


def _config_blocks(config: Any, seeds: list[Any]) -> list[Block]:
    rows = [[str(k), fmt(v)] for k, v in config.items()] if isinstance(config, dict) else []
    if seeds:
        rows.append(["seeds", fmt(list(seeds))])
    return [Table(["setting", "value"], rows, "Configuration")] if rows else []


def _measured(c: dict[str, Any]) -> str:
    text = fmt(c.get("measured"))
    if c.get("interval"):
        lo, hi = c["interval"]
        text += f" (CI [{fmt(lo)}, {fmt(hi)}])"
    return text


def _comparison_rows(comparisons: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for c in comparisons:
        detail = c.get("detail") or {}
        name = c.get("name", "") + (" [encoding]" if c.get("encoding") else "")
        rows.append([name, _measured(c), [Run("code", c.get("relation", ""))], fmt(c.get("bound")),
                     fmt(c.get("margin")), fmt(c.get("slack")), f"{fmt(c.get('tolerance'))} ({c.get('tolerance_name', '')})",
                     "✓" if c.get("holds") else "✗",
                     "; ".join(f"{k} = {fmt(v)}" for k, v in detail.items()) if isinstance(detail, dict) else ""])
    return rows


def _comparison_blocks(comparisons: list[dict[str, Any]]) -> list[Block]:
    if not comparisons:
        return []
    cols = ["comparison", "measured", "relation", "bound", "margin", "slack", "tolerance", "holds", "detail"]
    if len(comparisons) <= MAX_COMPARISON_ROWS:
        return [Table(cols, _comparison_rows(comparisons), "Measured against the bound")]

    def key(c: dict[str, Any]) -> float:
        m = c.get("margin")
        return -math.inf if not isinstance(m, (int, float)) else float(m)

    tight = sorted(comparisons, key=key)[:TIGHTEST_ROWS]
    return [Table(cols, _comparison_rows(tight),
                  f"Measured against the bound: the {TIGHTEST_ROWS} tightest of {len(comparisons)} comparisons"),
            Details(f"All {len(comparisons)} comparisons" if len(comparisons) <= MAX_FOLDED_ROWS else
                    f"The first {MAX_FOLDED_ROWS} of {len(comparisons)} comparisons (all are in ledger.json)",
                    [Table(cols, _comparison_rows(comparisons[:MAX_FOLDED_ROWS]))])]


def _control_blocks(controls: Any) -> list[Block]:
    """Each control next to the real run: what it changes, its verdict (must be violated), and the row that
    decided it with its re-computed values."""
    if not isinstance(controls, list) or not controls:
        return []
    rows = []
    for c in controls:
        ev = c.get("evidence") if isinstance(c.get("evidence"), dict) else {}
        cex = next((x for x in ev.get("counterexamples", []) if x.get("reverified")), None)
        failing = [x for x in ev.get("comparisons", []) if not x.get("holds")]
        row = (f"{cex.get('comparison', '')}: re-computed {fmt(cex.get('recomputed_measured'))} vs "
               f"{fmt(cex.get('recomputed_bound'))}" if cex else
               (f"{failing[0].get('name', '')}: {_measured(failing[0])} vs {fmt(failing[0].get('bound'))}"
                if failing else "—"))
        rows.append([c.get("name", ""), c.get("differs_in", ""), [Run("verdict", str(c.get("verdict", "")))],
                     f"{len(failing)} of {len(ev.get('comparisons', []))}", row])
    return [Table(["control", "differs from the real run in", "verdict (must be violated)", "rows failing",
                   "deciding row"], rows, "Controls: the same check on inputs that must fail")]


def _table_blocks(check_id: str, tables: Any) -> list[Block]:
    if not isinstance(tables, dict):
        return []
    out: list[Block] = []
    for title, spec in tables.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("columns"), list) \
                or not isinstance(spec.get("rows"), list):
            out.append(Paragraph(plain(f"Table '{title}' of {check_id} is malformed (needs 'columns' and 'rows').")))
            continue
        rows = [[fmt(v) for v in row] if isinstance(row, list) else [fmt(row)] for row in spec["rows"]]
        out.append(Table([str(c) for c in spec["columns"]], rows, str(title)))
    return out


def _counterexample_blocks(cexs: list[dict[str, Any]]) -> list[Block]:
    if not cexs:
        return []
    rows = [[c.get("comparison", ""), c.get("description", ""), fmt(c.get("recomputed_measured")),
             fmt(c.get("recomputed_bound")), c.get("method", ""), "yes" if c.get("reverified") else "no"]
            for c in cexs]
    inputs = [Code(json.dumps(c.get("inputs", {}), ensure_ascii=False, default=str)[:MAX_JSON_CHARS]) for c in cexs]
    return [Table(["comparison", "what", "re-computed measured", "re-computed bound", "method", "re-verified"],
                  rows, "Counterexamples"),
            Details("Counterexample inputs", inputs)]


def _status_blocks(check: dict[str, Any]) -> list[Block]:
    items: list[Inline] = []
    if check.get("error"):
        items.append([Run("b", "error of the run: "), Run("", str(check["error"]))])
    for reason in check.get("inconclusive_reasons", []):
        items.append([Run("b", "inconclusive: "), Run("", str(reason))])
    if check.get("vacuous_reason"):
        items.append([Run("b", "vacuous: "), Run("", str(check["vacuous_reason"]))])
    if check.get("construction_verdict"):
        items.append([Run("b", "construction verdict: "), Run("verdict", str(check["construction_verdict"]))])
    statuses = Counter(check.get("solver_statuses", []))
    if statuses:
        items.append([Run("b", "solver statuses: "),
                      Run("", ", ".join(f"{s} ×{n}" for s, n in sorted(statuses.items())))])
    blocks: list[Block] = [BulletList(items)] if items else []
    notes = [str(n) for n in check.get("notes", [])]
    short, long_ = [n for n in notes if "\n" not in n], [n for n in notes if "\n" in n]
    if short:
        blocks += [Paragraph([Run("b", "Notes.")]), BulletList([plain(n) for n in short])]
    if long_:
        blocks.append(Details("Notes (tracebacks)", [Code(n) for n in long_]))
    if check.get("error_traceback"):
        blocks.append(Details("Traceback of the error", [Code(str(check["error_traceback"]))]))
    return blocks


def _is_records(value: Any) -> bool:
    """A non-empty list of flat dicts (scalars or short lists): shown as a table."""
    return (isinstance(value, list) and 0 < len(value) <= MAX_RECORDS and all(isinstance(r, dict) for r in value)
            and all(v is None or isinstance(v, (int, float, str, bool)) or
                    (isinstance(v, list) and len(v) <= MAX_INLINE_LIST) for r in value for v in r.values()))


def _other_measurement_blocks(measurements: dict[str, Any]) -> list[Block]:
    scalars = [[str(k), fmt(v)] for k, v in measurements.items()
               if k not in PROTOCOL_KEYS and (v is None or isinstance(v, (int, float, str, bool)))]
    rest = {k: v for k, v in measurements.items()
            if k not in PROTOCOL_KEYS and not (v is None or isinstance(v, (int, float, str, bool)))}
    blocks: list[Block] = []
    if scalars:
        blocks.append(Table(["measurement", "value"], scalars, "Measurements"))
    for key, value in rest.items():
        if _is_records(value):
            columns = list(dict.fromkeys(k for row in value for k in row))
            table = Table(columns, [[fmt(row.get(c)) for c in columns] for row in value], f"Measurement '{key}'")
            blocks.append(table if len(value) <= MAX_RECORD_ROWS else Details(f"Measurement '{key}' ({len(value)} rows)",
                                                                               [table]))
            continue
        text = json.dumps(value, indent=1, ensure_ascii=False, default=str)
        if len(text) > MAX_JSON_CHARS:
            text = text[:MAX_JSON_CHARS] + "\n… (cut; the full record is in ledger.json)"
        blocks.append(Details(f"Measurement '{key}'", [Code(text)]))
    return blocks


def report_blocks(ledger: dict[str, Any], figures: dict[str, list[FigureSpec]], problems: dict[str, list[str]],
                  run_info: dict[str, Any], sections: list[Block] | None = None) -> list[Block]:
    """The whole report: title, provenance header, summary, extra ``sections`` (the hunt's worst cases), then one
    section per claim."""
    tier = ledger.get("tier", "")
    blocks: list[Block] = [
        Heading(1, f"advaudit report — {tier} tier"),
        Paragraph(plain("Bound-versus-empirics evidence for the claims of Gao et al., \u201cConvergence of Adversarial "
                        "Training in Overparametrized Neural Networks\u201d (NeurIPS 2019), checked by advaudit. "
                        "Each claim shows its statement with its provenance tag, the requirement at the run's "
                        "parameters where it has one, the measurements with their intervals, and the verdict.")),
    ]
    blocks += header_blocks(ledger, run_info)
    blocks += summary_blocks(ledger)
    blocks += sections or []
    for claim in ledger.get("claims", []):
        blocks += claim_blocks(claim, tier, figures, problems)
    blocks += real_data_blocks(ledger, figures, problems)
    return blocks
