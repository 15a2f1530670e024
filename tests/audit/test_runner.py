"""The runner: a check that raises is an error of the run, named as an environment fault or a bug in the check."""
import concurrent.futures.process as cfp

import pytest

from audit.runner import describe_failure
from numerics.execution.sweep import SchedulerUnavailable
from theory.errors import EnvironmentFault


@pytest.mark.parametrize("exc", [ModuleNotFoundError("No module named 'clarabel'"), MemoryError("3 EiB"),
                                 cfp.BrokenProcessPool("a worker died"), ConnectionResetError("peer"),
                                 SchedulerUnavailable("the Dask scheduler went away"), EnvironmentFault("no GPU")])
def test_environment_faults_are_named_as_such(exc):
    text = describe_failure(exc)
    assert text.startswith(f"environment fault: {type(exc).__name__}: ") and "\n" not in text


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyError("x"), ZeroDivisionError("division by zero"),
                                 ValueError("line one\nline two")])
def test_anything_else_is_a_bug_in_the_check(exc):
    text = describe_failure(exc)
    assert text.startswith(f"bug in the check: it raised {type(exc).__name__}") and "\n" not in text


def test_solver_errors_are_environment_faults_by_name():
    SolverError = type("SolverError", (Exception,), {})  # cvxpy.error.SolverError, without importing cvxpy
    assert describe_failure(SolverError("CLARABEL is not installed")).startswith("environment fault")
