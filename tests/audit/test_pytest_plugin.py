"""The pytest plugin in a user's project: claim files collected one item per entry, verdicts as outcomes.

pytest runs in a subprocess in a temporary project. The plugin is loaded explicitly (``-p audit.pytest_plugin``,
entry-point autoloading off), so the test exercises this checkout whatever package is installed.
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.audit.test_user_claims import EXPECTED

ROOT = Path(__file__).resolve().parents[2]
PASSING = {"implied", "consistent"}
INCONCLUSIVE = '''[[claim]]
name = "inside the sandwich, no exact value"
kind = "robust-loss"
network = "../networks/relu_d4_m8.pt"
activation = "relu"
width = 8
data = "../data/breast_cancer_d4.csv"
labels = "last-column"
norm = "linf"
radius = 0.05
loss = "hinge"
exact = false
at_most = 0.881
'''


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "audit.pytest_plugin", "-p", "no:cacheprovider",
                           "-q", "-rA", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def _cases(xml: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        outcome = next((c.tag for c in case if c.tag in ("failure", "skipped", "error")), "passed")
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        out[f"{case.get('classname')}::{case.get('name')}"] = (outcome, props.get("advaudit_verdict"))
    return out


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "examples" / "claims", project / "claims")
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")   # a TOML that is not a claim file
    done = _pytest(project, "--junitxml=report.xml")
    return project, done


def test_every_example_entry_is_an_item_with_its_verdict_as_outcome(examples_run):
    project, done = examples_run
    cases = _cases(project / "report.xml")
    expected = [(name, v) for name, verdicts in EXPECTED.items() for v in verdicts]
    assert len(cases) == len(expected), done.stdout[-3000:]
    by_file: dict[str, list[tuple[str, str]]] = {}
    for key, value in cases.items():
        by_file.setdefault(key.split("::")[0].replace("claims.", "", 1), []).append(value)
    for name, verdicts in EXPECTED.items():
        assert [v for _, v in by_file[name]] == verdicts, name
        assert [o for o, _ in by_file[name]] == ["passed" if v in PASSING else "failure" for v in verdicts], name
    assert done.returncode == 1   # the failing examples fail the run


def test_a_failing_claim_fails_with_a_readable_evidence_summary(examples_run):
    _, done = examples_run
    out = done.stdout
    assert "robust-loss 'the same net is claimed to be far more robust: at most 0.5': violated" in out
    assert "counterexample: attack points in B(x) reach a mean loss" in out
    assert "vacuous: control 'control: the untrained network meets the claim" in out
    assert "Traceback" not in out


def test_claims_toml_files_anywhere_are_collected_and_inconclusive_skips_unless_strict(tmp_path):
    shutil.copytree(ROOT / "examples" / "claims" / "networks", tmp_path / "networks")
    shutil.copytree(ROOT / "examples" / "claims" / "data", tmp_path / "data")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "mine.claims.toml").write_text(INCONCLUSIVE)
    done = _pytest(tmp_path)
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout[-2000:]
    assert "inconclusive: inconclusive: 0.881 lies inside the sandwich" in done.stdout
    strict = _pytest(tmp_path, "--advaudit-strict")
    assert strict.returncode == 1 and "1 failed" in strict.stdout


def test_a_bad_claim_file_is_a_collection_error_naming_entry_and_field(tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "bad.toml").write_text(INCONCLUSIVE.replace("../networks/relu_d4_m8.pt", "no.pt"))
    done = _pytest(tmp_path)
    assert done.returncode == 2 and "ERROR collecting claims/bad.toml" in done.stdout
    assert "advaudit: bad claim file:" in done.stdout and "field 'network': file" in done.stdout
    assert "Traceback" not in done.stdout


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    import tomllib

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    assert entry == {"advaudit": "audit.pytest_plugin"}
