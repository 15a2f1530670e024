"""Calibration of pre-registered tolerances and design constants (theory/tolerances.py records the results).

Each script runs the check's own measurement on seeds that the evaluation never uses, prints the numbers the
registry records, and says which seeds it used. They are run by hand, before an evaluation, never by a check.
"""
