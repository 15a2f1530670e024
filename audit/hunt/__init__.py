"""``advaudit hunt``: Hypothesis searches each claim's hypothesis space for a counterexample and shrinks it.

- ``strategies``  a claim's hypothesis space (theory/spaces.py) → a Hypothesis strategy of configurations
- ``scoring``     one example's evidence → its verdict, smallest relative margin and per-relation targets
- ``timelimit``   the per-example time limit (an interval timer in the main thread)
- ``search``      the search of one check: budget, targets, shrinking, the example database, replay
- ``record``      hunt results → the JSON ledger (schema ``advaudit.ledger``) and the table rows
"""
