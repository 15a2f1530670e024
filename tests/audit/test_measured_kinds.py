"""Measured claim kinds: every bad input is one line naming entry and field (exit 2, nothing runs); paths resolve
relative to the claim file; a claim file can never make the auditor's machine execute code; check_file's ledger."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from audit import cli
from audit.user_claims import USER_LEDGER_SCHEMA, check_file
from numerics.network.datasets import load_dataset
from numerics.network.nets import FullyConnected

ROOT = Path(__file__).resolve().parents[2]


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


ROBUST = '''[[claim]]
name = "r"
kind = "robust-loss"
network = "nets/net.pt"
activation = "relu"
width = 4
data = "data/points.npz"
norm = "linf"
radius = 0.05
loss = "hinge"
at_most = 5.0
'''
NTK = '''[[claim]]
name = "k"
kind = "ntk-concentration"
activation = "relu"
data = "data/points.npz"
widths = [64, 128, 256]
seeds = 3
rate = -0.5
'''
BOUND = '''[[claim]]
name = "b"
kind = "bound"
quantity = "ntk_deviation"
expression = "C / sqrt(m)"
constants = { C = 4.0 }
activation = "relu"
widths = [64, 128]
seeds = 3
data = "digits"
'''
CONV = '''[[claim]]
name = "c"
kind = "convergence"
data = "digits"
width = 64
activation = "softplus"
loss = "logistic"
R = 1.5
eps = 0.3
radius = 0.5
'''


@pytest.fixture
def project(tmp_path):
    """A claim folder with a data file and a network file in sub-folders (paths are relative to the claim file)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "nets").mkdir()
    X, y = load_dataset("wine", n=8, d=3, seed=0)
    np.savez(tmp_path / "data" / "points.npz", X=X, y=y)
    torch.save(FullyConnected(3, 4, 1, "relu", seed=0).state_dict(), tmp_path / "nets" / "net.pt")
    return tmp_path


def _audit(path, capsys, *extra):
    out = path.parent / "answers.json"
    status = cli.main(["audit", str(path), "--json", str(out), *extra])
    return status, capsys.readouterr(), out


def test_paths_resolve_relative_to_the_claim_file(project, capsys, monkeypatch):
    (project / "c.toml").write_text(ROBUST)
    monkeypatch.chdir(ROOT)   # the working directory is not the claim file's
    status, _, out = _audit(project / "c.toml", capsys)
    assert status == 0 and json.loads(out.read_text())["claims"][0]["verdict"] == "consistent"


@pytest.mark.parametrize("text, prepare, needle", [
    (ROBUST.replace("nets/net.pt", "nets/missing.pt"), None, "field 'network': file"),
    (ROBUST, lambda p: np.savez(p / "data" / "points.npz", X=np.ones(8), y=np.ones(8)),
     "field 'data': points must be a non-empty 2-D array"),
    (ROBUST, lambda p: np.savez(p / "data" / "points.npz", X=np.full((8, 3), np.nan), y=np.ones(8)),
     "field 'data': points contains NaN"),
    (ROBUST, lambda p: np.savez(p / "data" / "points.npz", X=np.eye(8, 3), y=np.arange(8.0)),
     "field 'labels': labels must be −1 or +1"),
    (ROBUST.replace('"linf"', '"sphere-cap"'),
     lambda p: np.savez(p / "data" / "points.npz", X=2 * np.eye(8, 3) + 0.1, y=np.ones(8)),
     "field 'data': points must lie on the unit sphere (max |‖x‖−1| = 1.1); set normalize = true"),
    (ROBUST.replace("width = 4", "width = 5"), None, "field 'network': entry 'initial_weight_1' has shape (4, 3), "
                                                      "the declared architecture needs (5, 3)"),
    (ROBUST.replace("at_most = 5.0", "at_most = 5.0\nat_least = 1.0"), None, "field 'at_most': give exactly one"),
    (ROBUST.replace('data = "data/points.npz"', 'data = "digits"\nd = 4'), None,
     "field 'd': must equal the network's input dimension 3"),
    (ROBUST.replace('data = "data/points.npz"', 'data = "data/points.npz"\nn = 4'), None,
     "field 'n': only for built-in data sets"),
    (ROBUST.replace('data = "data/points.npz"', 'data = "data/points.npz"\nlabels = "last-column"'), None,
     "field 'labels': 'last-column' is for .csv files"),
    (ROBUST.replace('data = "data/points.npz"', 'data = "digits"\nlabels = "y.npy"'), None,
     "field 'labels': not used with the built-in data set 'digits'"),
    (NTK.replace("rate = -0.5", "rate = -0.5\nerror = 0.1"), None, "field 'rate': give either rate"),
    (NTK.replace("[64, 128, 256]", "[64]"), None, "field 'widths': need at least 2 distinct widths"),
    (NTK.replace("seeds = 3", "seeds = 1"), None, "field 'seeds': a count must be in 2..256"),
    (NTK.replace('"relu"', '"swish"'), None, "field 'activation': unknown or unsupported activation 'swish'"),
    (BOUND.replace("C / sqrt(m)", "C / sqrt(m) * K"), None, "field 'expression': unknown symbol 'K' (known: C, H, "
                                                            "d, m, n)"),
    (BOUND.replace("C / sqrt(m)", "__import__('os').system('x')"), None, "field 'expression': call of"),
    (BOUND.replace("C / sqrt(m)", "C / (m - 64)"), None, "field 'expression': is not a finite real number at m = 64"),
    (BOUND.replace("{ C = 4.0 }", "{ m = 4.0 }"), None, "field 'constants': 'm' cannot name a constant"),
    (CONV.replace("eps = 0.3", "eps = 1.5"), None, "field 'eps': must be in (0, 1)"),
    (CONV.replace('"softplus"', '"relu"'), None, "field 'activation': unknown or unsupported activation 'relu'"),
    (CONV.replace("radius = 0.5", 'radius = 0.5\nattack = "exact-grid"\nd = 4'), None,
     "field 'attack': 'exact-grid' needs B(x) of dimension ≤ 2"),
    (CONV.replace('data = "digits"', 'data = "digits.png"'), None, "field 'data': 'digits.png' is neither"),
    (CONV + "colour = 1\n", None, "field 'colour': unknown field"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_runs(project, capsys, text, prepare, needle):
    if prepare:
        prepare(project)
    (project / "c.toml").write_text(text)
    status, captured, out = _audit(project / "c.toml", capsys)
    assert status == 2 and captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert needle in captured.err and "entry '" in captured.err
    assert not out.exists()


def test_a_malicious_pickle_in_a_claim_file_is_refused_without_being_executed(project, capsys):
    marker = project / "PWNED"
    torch.save({"weights.0": Payload(marker)}, project / "nets" / "net.pt")
    (project / "c.toml").write_text(ROBUST)
    status, captured, _ = _audit(project / "c.toml", capsys)
    assert status == 2 and "field 'network'" in captured.err and "never executed" in captured.err
    assert not marker.exists()


def test_a_pickled_module_is_read_only_with_the_flag_the_user_types(project, capsys):
    torch.save(FullyConnected(3, 4, 1, "relu", seed=0), project / "nets" / "net.pt")
    (project / "c.toml").write_text(ROBUST)
    status, captured, _ = _audit(project / "c.toml", capsys)
    assert status == 2 and "--allow-unsafe-load" in captured.err
    status, _, out = _audit(project / "c.toml", capsys, "--allow-unsafe-load")
    assert status == 0 and json.loads(out.read_text())["claims"][0]["verdict"] == "consistent"


def test_allow_unsafe_load_is_not_a_field_of_a_claim_file(project, capsys):
    (project / "c.toml").write_text(ROBUST + "allow_unsafe_load = true\n")
    status, captured, _ = _audit(project / "c.toml", capsys)
    assert status == 2 and "field 'allow_unsafe_load': unknown field" in captured.err


def test_check_file_returns_the_user_ledger(project):
    (project / "c.toml").write_text(NTK + "\n" + BOUND)
    ledger = check_file(project / "c.toml", seed=3)
    assert ledger["schema"] == USER_LEDGER_SCHEMA and ledger["seed"] == 3 and ledger["tier"] == "fast"
    assert [c["kind"] for c in ledger["claims"]] == ["ntk-concentration", "bound"]
    for record in ledger["claims"]:
        assert not any(k.startswith("_") for k in record["params"])
        assert record["evidence"]["verdict"] == record["verdict"] and record["wall_time_s"] > 0
    assert json.loads(json.dumps(ledger)) == ledger
    assert ledger["exit_status"] == int(any(c["verdict"] in ("violated", "vacuous") for c in ledger["claims"]))


def test_registering_a_kind_in_a_few_lines_example_runs():
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "register_kind.py")], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "well conditioned: consistent" in done.stdout and "optimistic λ₀: violated" in done.stdout
