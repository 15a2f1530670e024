"""A small document model shared by the Markdown and HTML renderers, so both say the same thing.

Inline text is a list of ``Run(style, text)`` with style ``""`` (plain), ``"b"`` (bold), ``"i"``
(italic), ``"code"``, ``"verdict"`` (a verdict badge) or ``"link"`` (``text`` shown, ``target`` a
fragment ``#id`` inside the report). Renderers escape every run themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Run:
    style: str
    text: str
    target: str = ""


Inline = list[Run]
Cell = Union[str, Inline]


def plain(text: str) -> Inline:
    return [Run("", text)]


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Paragraph:
    runs: Inline


@dataclass
class BulletList:
    items: list[Inline]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""


@dataclass
class Figure:
    path: str  # relative to the report directory, e.g. "figures/x.png"
    caption: str


@dataclass
class Code:
    text: str


@dataclass
class Details:
    summary: str
    blocks: list["Block"] = field(default_factory=list)


Block = Union[Heading, Paragraph, BulletList, Table, Figure, Code, Details]
