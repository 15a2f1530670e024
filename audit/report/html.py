"""A self-contained HTML page from the document model.

Everything is inline: the style sheet, the figures (``data:image/png;base64`` URIs) and one small script
that marks ``<body data-figures="loaded">`` once every image has decoded (``"broken"`` and a visible
warning otherwise). No fonts, scripts, styles or images are fetched from anywhere.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from audit.report.document import (Block, BulletList, Cell, Code, Details, Figure, Heading, Inline, Paragraph,
                                   Run, Table)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;line-height:1.45;color:#1f2328;background:#fff}
h1,h2,h3{line-height:1.2}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f6f8fa}
caption{font-weight:600;text-align:left;padding:.3em 0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.88em;background:#f6f8fa}
pre{padding:.6em;overflow-x:auto;white-space:pre-wrap}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de}
figcaption{font-size:.88em;color:#57606a}
.v{font-weight:600;padding:.05em .45em;border-radius:.8em;white-space:nowrap}
.v-consistent{background:#dafbe1;color:#116329}.v-violated{background:#ffebe9;color:#a40e26}
.v-inconclusive{background:#fff8c5;color:#7d4e00}.v-vacuous{background:#ddf4ff;color:#0a3069}
.v-refuted-as-stated{background:#fbefff;color:#6e40c9}.v-holds-under{background:#ddf4ff;color:#0550ae}
.v-not-implemented{background:#eaeef2;color:#57606a}.v-error{background:#a40e26;color:#fff}
#figure-warning{display:none;background:#ffebe9;border:1px solid #a40e26;padding:.5em}
body[data-figures=broken] #figure-warning{display:block}
"""

_SCRIPT = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var broken = imgs.filter(function (im) { return !(im.complete && im.naturalWidth > 0); });
  document.body.setAttribute("data-figures-total", String(imgs.length));
  document.body.setAttribute("data-figures-broken", String(broken.length));
  document.body.setAttribute("data-figures", broken.length ? "broken" : "loaded");
});
"""


def _inline(runs: Inline) -> str:
    out = []
    for run in runs:
        text = escape(run.text)
        if run.style == "code":
            out.append(f"<code>{text}</code>")
        elif run.style == "b":
            out.append(f"<strong>{text}</strong>")
        elif run.style == "i":
            out.append(f"<em>{text}</em>")
        elif run.style == "verdict":
            out.append(f'<span class="v v-{escape(run.text.replace(" ", "-"))}">{text}</span>')
        elif run.style == "link":
            out.append(f'<a href="{escape(run.target)}">{text}</a>')
        else:
            out.append(text)
    return "".join(out)


def _cell(cell: Cell) -> str:
    return _inline([Run("", cell)] if isinstance(cell, str) else cell)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _block(b: Block, root: Path) -> str:
    if isinstance(b, Heading):
        anchor = f' id="{escape(b.anchor)}"' if b.anchor else ""
        return f"<h{b.level}{anchor}>{escape(b.text)}</h{b.level}>"
    if isinstance(b, Paragraph):
        return f"<p>{_inline(b.runs)}</p>"
    if isinstance(b, BulletList):
        return "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in b.items) + "</ul>"
    if isinstance(b, Table):
        caption = f"<caption>{escape(b.caption)}</caption>" if b.caption else ""
        head = "".join(f"<th>{_cell(c)}</th>" for c in b.columns)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in b.rows)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(b, Figure):
        return (f'<figure><img src="{_data_uri(root / b.path)}" alt="{escape(b.caption)}">'
                f"<figcaption>{escape(b.caption)}</figcaption></figure>")
    if isinstance(b, Code):
        return f"<pre><code>{escape(b.text)}</code></pre>"
    if isinstance(b, Details):
        inner = "\n".join(_block(x, root) for x in b.blocks)
        return f"<details><summary>{escape(b.summary)}</summary>\n{inner}\n</details>"
    raise TypeError(f"unknown block {type(b).__name__}")


def render(blocks: list[Block], *, title: str, root: Path) -> str:
    """The whole report as one HTML page; figure files are read from ``root`` and embedded."""
    body = "\n".join(_block(b, root) for b in blocks)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n<script>{_SCRIPT}</script>\n</head>\n"
            f'<body data-figures="pending">\n<p id="figure-warning">Some figures failed to load.</p>\n'
            f"{body}\n</body>\n</html>\n")
