"""benchmarks/discrimination.py's mutants still apply: each replacement matches its file exactly once.

The benchmark stops on a mutant that does not apply (an error, never a kill or a survivor); this test says so in CI,
when a refactoring moves the line a mutant edits, instead of at the next benchmark run."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("discrimination", ROOT / "benchmarks" / "discrimination.py")
discrimination = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("discrimination", discrimination)   # its dataclasses look their module up there
_spec.loader.exec_module(discrimination)


@pytest.mark.parametrize("mutant", discrimination.MUTANTS, ids=[m.id for m in discrimination.MUTANTS])
def test_the_mutant_applies_exactly_once(mutant):
    assert (ROOT / mutant.path).read_text().count(mutant.old) == 1
    assert mutant.old != mutant.new
