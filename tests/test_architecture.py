"""The layout rules of docs/architecture.md: floors, planted faults kept out of production, folder and module sizes."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "audit")
# The planted registry's consumers: selftest runs it, hunt --planted hunts it, show counts it. Nothing else may reach
# numerics.planted.
REGISTRY_CONSUMERS = {"audit/commands/selftest.py", "audit/commands/hunt.py", "audit/commands/show.py"}
MAX_MODULES_PER_FOLDER = 12
MAX_LINES_WITHOUT_REASON = 500


def _modules(package):
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("package", PACKAGES)
def test_production_code_never_imports_a_planted_fault(package):
    offenders = []
    for path in _modules(package):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("numerics/planted/"):
            continue
        for name in _imports(path):
            if name == "numerics.planted" or name.startswith("numerics.planted."):
                allowed = rel in REGISTRY_CONSUMERS and name.startswith("numerics.planted.registry")
                if not allowed:
                    offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_imports_flow_downwards_only():
    below = {"theory": ("numerics", "audit"), "numerics": ("audit",)}
    offenders = [f"{p.relative_to(ROOT)}: {name}" for package, forbidden in below.items() for p in _modules(package)
                 for name in _imports(p) if name.split(".")[0] in forbidden]
    assert offenders == []
    assert not [p for p in _modules("theory") if "torch" in {n.split(".")[0] for n in _imports(p)}]


def test_every_numerics_folder_holds_at_most_twelve_modules_and_says_what_it_is_for():
    for folder in [ROOT / "numerics", *sorted(p for p in (ROOT / "numerics").rglob("*") if p.is_dir()
                                              and p.name != "__pycache__")]:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= MAX_MODULES_PER_FOLDER, folder
        if modules:
            init = folder / "__init__.py"
            assert init.is_file() and ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), folder


def test_long_modules_state_why_in_their_docstring():
    for package in PACKAGES:
        for path in _modules(package):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > MAX_LINES_WITHOUT_REASON:
                doc = ast.get_docstring(ast.parse(text)) or ""
                assert "Length (" in doc, f"{path.relative_to(ROOT)} is long and does not say why"


def test_every_planted_error_names_a_registered_check():
    from numerics.planted.registry import PLANTED
    from theory.claims import REGISTRY
    check_ids = {spec.id for claim in REGISTRY.values() for spec in claim.checks}
    assert set(PLANTED) <= check_ids
