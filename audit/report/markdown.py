"""GitHub-flavoured Markdown from the document model (relative image links, pipe tables, <details>)."""
from __future__ import annotations

import re

from audit.report.document import (Block, BulletList, Cell, Code, Details, Figure, Heading, Inline, Paragraph,
                                   Run, Table)

VERDICT_MARK = {"consistent": "✅", "violated": "❌", "inconclusive": "⚠️", "vacuous": "∅",
                "refuted-as-stated": "✗", "holds-under": "◐", "not implemented": "—",
                "error": "🛑"}

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def escape(text: str) -> str:
    """Escape Markdown syntax in plain text (and flatten newlines)."""
    return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def _code(text: str, in_table: bool) -> str:
    text = re.sub(r"\s+", " ", str(text)).strip()
    if in_table:
        text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _emphasis(mark: str, text: str) -> str:
    """Bold/italic with the surrounding spaces outside the markers (else GitHub does not emphasize)."""
    core = text.strip()
    if not core:
        return escape(text)
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{escape(lead)}{mark}{escape(core)}{mark}{escape(trail)}"


def inline(runs: Inline, *, in_table: bool = False) -> str:
    out = []
    for run in runs:
        if run.style == "code":
            out.append(_code(run.text, in_table))
        elif run.style in ("b", "i"):
            out.append(_emphasis("**" if run.style == "b" else "*", run.text))
        elif run.style == "verdict":
            out.append(f"{VERDICT_MARK.get(run.text, '')} **{escape(run.text)}**".strip())
        elif run.style == "link":
            out.append(f"[{escape(run.text)}]({run.target})")
        else:
            out.append(escape(run.text))
    return "".join(out)


def _cell(cell: Cell) -> str:
    return inline([Run("", cell)] if isinstance(cell, str) else cell, in_table=True) or " "


def _table(t: Table) -> str:
    lines = []
    if t.caption:
        lines.append(f"**{escape(t.caption)}**\n")
    lines.append("| " + " | ".join(_cell(c) for c in t.columns) + " |")
    lines.append("|" + "|".join("---" for _ in t.columns) + "|")
    for row in t.rows:
        cells = list(row) + [""] * (len(t.columns) - len(row))
        lines.append("| " + " | ".join(_cell(c) for c in cells[:len(t.columns)]) + " |")
    return "\n".join(lines)


def block(b: Block) -> str:
    if isinstance(b, Heading):
        return f"{'#' * b.level} {escape(b.text)}"
    if isinstance(b, Paragraph):
        text = inline(b.runs)
        return "\\" + text if re.match(r"^([-+]\s|\d+\.\s)", text) else text
    if isinstance(b, BulletList):
        return "\n".join(f"- {inline(item)}" for item in b.items)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Figure):
        return f"![{escape(b.caption)}]({b.path})\n\n*{escape(b.caption)}*"
    if isinstance(b, Code):
        fence = "````" if "```" in b.text else "```"
        return f"{fence}\n{b.text.rstrip()}\n{fence}"
    if isinstance(b, Details):
        inner = "\n\n".join(block(x) for x in b.blocks)
        return f"<details><summary>{_html_text(b.summary)}</summary>\n\n{inner}\n\n</details>"
    raise TypeError(f"unknown block {type(b).__name__}")


def _html_text(text: str) -> str:
    return " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(blocks: list[Block]) -> str:
    """The whole report as Markdown text."""
    return "\n\n".join(block(b) for b in blocks).rstrip() + "\n"
