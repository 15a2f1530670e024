"""Pre-registered tolerances (theory/tolerances.py): every tolerance a check's verdict uses lives in the registry,
with a justification, and the check's copy equals the registered value."""
import importlib
import re

import pytest

from theory.claims import REGISTRY
from theory.errors import InputError
from theory.tolerances import TOLERANCES, tolerance

TOLERANCE_LIKE = re.compile(r"^[A-Z][A-Z0-9_]*(TOL|RTOL|ATOL|CONFIDENCE|MULTIPLE|LEVEL)(_[A-Z0-9]+)?$")
SPECS = {spec.id: spec for claim in REGISTRY.values() for spec in claim.checks}


def _module(spec):
    return importlib.import_module(spec.target.split(":")[0])


def test_every_registered_tolerance_names_a_check_and_says_why():
    assert set(TOLERANCES) <= set(SPECS)
    for check_id, entries in TOLERANCES.items():
        assert len({t.name for t in entries}) == len(entries), check_id
        for t in entries:
            assert t.justification and t.calibration, (check_id, t.name)
            assert t.value is not None, (check_id, t.name)


@pytest.mark.parametrize("check_id, name, source", [(c, t.name, t.source) for c, ts in TOLERANCES.items()
                                                     for t in ts if t.source])
def test_a_check_module_constant_equals_its_registered_value(check_id, name, source):
    module, attr = source.split(":")
    assert getattr(importlib.import_module(module), attr) == tolerance(check_id, name)


def test_every_tolerance_constant_of_a_check_module_is_registered():
    by_module: dict[str, list[str]] = {}
    for spec in SPECS.values():
        by_module.setdefault(spec.target.split(":")[0], []).append(spec.id)
    missing = []
    for module_name, check_ids in by_module.items():
        module = importlib.import_module(module_name)
        for attr in dir(module):
            value = getattr(module, attr)
            if not TOLERANCE_LIKE.match(attr) or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            registered = [t.value for c in check_ids for t in TOLERANCES.get(c, ()) if t.name == attr]
            if value not in registered:
                missing.append(f"{module_name}.{attr} = {value!r} (checks {check_ids})")
    assert missing == []


def test_c7_reads_its_slope_design_from_the_registry():
    from numerics.checks import c7_lazy
    assert c7_lazy.FAMILY_CONFIDENCE == tolerance("C7-lazy-movement", "FAMILY_CONFIDENCE")
    assert c7_lazy.MIN_WIDTH == tolerance("C7-lazy-movement", "MIN_WIDTH")
    assert not hasattr(c7_lazy, "ASYMPTOTIC_EXPONENT_TOL")      # no tolerance added to the slope intervals


def test_an_unregistered_tolerance_is_an_input_error():
    with pytest.raises(InputError):
        tolerance("C5-ntk-rate", "NO_SUCH_TOLERANCE")
