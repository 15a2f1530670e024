"""The bound-versus-empirics report: Markdown + self-contained HTML + PNG figures + the JSON ledger.

- ``builder``   — ``write_report(ledger, DIR)`` (atomic) and ``staged_directory``/``render_report``;
- ``content``   — what each claim's section says (and the ``requirements`` protocol);
- ``figures``   — the ``series`` protocol checks use to get figures, drawn with matplotlib (Agg);
- ``adapters``  — headline figures for checks that record data under their own keys;
- ``document``, ``markdown``, ``html`` — one document model, two renderers.
"""
from audit.report.builder import render_report, staged_directory, write_report

__all__ = ["render_report", "staged_directory", "write_report"]
