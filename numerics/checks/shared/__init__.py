"""Pieces shared by several claim checks: attack comparisons (C0, C6) and the training setup and C4 assembly
(C1–C4, C7). Each claim's own check stays in ``numerics/checks/cN_*.py``."""
