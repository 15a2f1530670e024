"""`advaudit hunt`: bad arguments are one line and exit 2 before any work; a run writes a hunt ledger whose
checks are never 'consistent', and `--planted` exits 0 only when every planted error is found."""
import json
import subprocess
import sys

import pytest

from audit import cli
from audit.ledger import load_ledger


def run_cli(*argv):
    return subprocess.run([sys.executable, "-m", "audit.cli", *argv], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("argv, needle", [
    (["--budget-s", "-1"], "--budget-s must be a positive finite number"),
    (["--budget-s", "nan"], "--budget-s must be a positive finite number"),
    (["--max-examples", "0"], "--max-examples must be a positive integer"),
    (["--example-limit-s", "0"], "--example-limit-s must be a positive finite number"),
    (["--only", "L1"], "no numerical check to hunt"),
    (["--only", "C99"], "unknown claim id"),
    (["--only", "C9", "--no-cache"], "exclude each other"),
    (["--only", "C9", "--json", "/nonexistent-dir/hunt.json"], "does not exist"),
])
def test_bad_arguments_are_one_line_and_exit_2_before_any_work(argv, needle, tmp_path, capsys):
    assert cli.main(["hunt", "--cache-dir", str(tmp_path / "cache"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not (tmp_path / "cache").exists()


def test_a_malformed_number_is_a_usage_error():
    out = run_cli("hunt", "--max-examples", "many")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "invalid int value" in out.stderr


def test_a_hunt_writes_a_ledger_that_never_says_consistent(tmp_path, capsys):
    path = tmp_path / "hunt.json"
    status = cli.main(["hunt", "--only", "C9", "--budget-s", "6", "--max-examples", "8", "--cache-dir",
                       str(tmp_path / "cache"), "--json", str(path), "--quiet"])
    ledger = load_ledger(path)
    assert ledger["kind"] == "hunt" and ledger["hunt"]["budget_s"] == 6.0
    checks = [c for claim in ledger["claims"] for c in claim["checks"]]
    assert {c["check_id"] for c in checks} == {"C9-linf-conventions", "C9-l2-kim", "C9-known-classes"}
    assert all(c["verdict"] in ("violated", "inconclusive") for c in checks)
    assert status == int(any(c["verdict"] == "violated" for c in checks))
    hunt = checks[0]["measurements"]["hunt"]
    assert hunt["examples"] >= 1 and hunt["smallest"]["config"] and hunt["grid_examples"] == 2
    assert (tmp_path / "cache" / "hunt-db").is_dir()
    assert "C9-linf-conventions" in capsys.readouterr().out


def test_planted_errors_are_found_and_the_exit_status_says_so(tmp_path, capsys):
    # every planted error of C8's checks (numerics/planted/registry.py; issue 12 added the unsound curvature bound)
    path = tmp_path / "planted.json"
    status = cli.main(["hunt", "--planted", "--only", "C8", "--no-cache", "--json", str(path), "--quiet"])
    checks = [c for claim in json.loads(path.read_text())["claims"] for c in claim["checks"]]
    assert status == 0 and len(checks) == 5 and all(c["verdict"] == "violated" for c in checks)
    assert all(c["measurements"]["hunt"]["planted"] for c in checks)


def test_the_verb_is_listed_in_the_help():
    out = run_cli("hunt", "--help")
    assert out.returncode == 0 and "--budget-s" in out.stdout and "--planted" in out.stdout
