"""The CLI: list/show/check, ledger + JUnit outputs, exit codes 0/1/2, one-line errors, no partial files."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from audit import cli
from audit.ledger import LEDGER_SCHEMA_VERSION, load_ledger
from theory import claims as claims_mod
from numerics.planted.registry import PLANTED
from theory.claims import Claim, CheckSpec
from theory.evidence import Counterexample, Evidence
from theory.errors import InputError


def run_cli(*argv):
    return subprocess.run([sys.executable, "-m", "audit.cli", *argv], capture_output=True, text=True, timeout=300)


def test_list_shows_every_claim_with_provenance():
    out = run_cli("list", "--json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    ids = [r["id"] for r in rows]
    for k in range(11):
        assert any(i.startswith(f"C{k}-") for i in ids), k
    assert {r["provenance"] for r in rows} <= {"[paper]", "[reconstructed]", "[derived]"}


def test_show_prints_statement_and_symbols(capsys):
    assert cli.main(["show", "C1"]) == 0
    text = capsys.readouterr().out
    assert "C1-convergence [reconstructed]" in text and "a_R" in text


@pytest.mark.parametrize("argv, needle", [
    (["show", "C99"], "unknown claim id"),
    (["check", "--only", "nope"], "unknown claim id"),
    (["check", "--tier", "medium"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_status_2(argv, needle):
    out = run_cli(*argv)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and needle in out.stderr and "Traceback" not in out.stderr


def test_unwritable_output_fails_before_work_and_writes_nothing(tmp_path):
    target = tmp_path / "missing-dir" / "out.json"
    out = run_cli("check", "--only", "C0", "--json", str(target), "--quiet")
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert not target.parent.exists()


def test_check_writes_ledger_and_junit(tmp_path, capsys):
    ledger_path, junit_path = tmp_path / "l.json", tmp_path / "j.xml"
    status = cli.main(["check", "--only", "C0", "L2", "--json", str(ledger_path), "--junit", str(junit_path),
                       "--quiet"])
    assert status == 0
    ledger = load_ledger(ledger_path)
    assert ledger["schema_version"] == LEDGER_SCHEMA_VERSION
    by_id = {c["id"]: c for c in ledger["claims"]}
    assert by_id["C0-surrogate-le-robust"]["verdict"] == "consistent"
    assert by_id["L2-kim2025-rho-range"]["verdict"] == "consistent"
    check = by_id["C0-surrogate-le-robust"]["checks"][0]
    assert check["comparisons"] and check["seeds"] and "margin" in check["comparisons"][0]
    suite = ET.parse(junit_path).getroot()
    assert suite.tag == "testsuite" and int(suite.get("failures")) == 0
    assert "consistent" in capsys.readouterr().out


def _planted_check(ctx):
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier)
    ev.compare("planted bound", 2.0, 1.0, "<=")
    ev.counterexamples.append(Counterexample("planted bound", "planted", {}, 2.0, 1.0, "float64", True))
    return ev


def _inconclusive_check(ctx):
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier, solver_statuses=["optimal_inaccurate"])
    ev.compare("x", 0.0, 1.0, "<=")
    return ev


def _crashing_check(ctx):
    raise RuntimeError("boom")


@pytest.fixture
def planted_registry(monkeypatch):
    def claim(cid, target):
        return Claim(cid, "planted", "derived", ("RQ1",), (), None, "planted", "upper", {},
                     (CheckSpec(f"{cid}-check", f"{__name__}:{target}", "planted"),))
    registry = {"P1-violated": claim("P1-violated", "_planted_check"),
                "P2-inconclusive": claim("P2-inconclusive", "_inconclusive_check"),
                "P3-crash": claim("P3-crash", "_crashing_check")}
    monkeypatch.setattr(claims_mod, "REGISTRY", registry)
    monkeypatch.setattr("audit.runner.REGISTRY", registry)
    return registry


def test_exit_codes_violated_strict_and_crash(planted_registry, tmp_path, capsys):
    assert cli.main(["check", "--only", "P1-violated", "--quiet"]) == 1
    assert cli.main(["check", "--only", "P2-inconclusive", "--quiet"]) == 0
    assert cli.main(["check", "--only", "P2-inconclusive", "--quiet", "--strict"]) == 1
    path = tmp_path / "l.json"
    assert cli.main(["check", "--only", "P3-crash", "--quiet", "--json", str(path)]) == 0
    crashed = json.loads(path.read_text())["claims"][0]["checks"][0]
    assert crashed["verdict"] == "inconclusive" and "boom" in crashed["verdict_reason"]
    junit = tmp_path / "j.xml"
    cli.main(["check", "--only", "P1-violated", "--quiet", "--junit", str(junit)])
    assert ET.parse(junit).getroot().find("testcase/failure") is not None


def test_load_ledger_rejects_other_files(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"schema": "other"}')
    with pytest.raises(InputError):
        load_ledger(bad)


def test_selftest_catches_planted_errors_and_flags_checks_without_any(planted_registry, capsys, monkeypatch):
    assert cli.main(["selftest", "--only", "P1-violated", "--quiet"]) == 1  # no planted error registered
    monkeypatch.setitem(PLANTED, "P1-violated-check", {"always violated": {}})
    assert cli.main(["selftest", "--only", "P1-violated", "--quiet"]) == 0
    monkeypatch.setitem(PLANTED, "P2-inconclusive-check", {"never caught": {}})
    assert cli.main(["selftest", "--only", "P2-inconclusive", "--quiet"]) == 1
    assert "NO" in capsys.readouterr().out


def test_selftest_catches_the_c0_planted_errors():
    assert cli.main(["selftest", "--only", "C0", "--quiet"]) == 0


@pytest.mark.parametrize("argv, needle", [
    (["check", "--data", "digits", "--only", "C9"], "--data: C9-vc-linf has no fast-tier check that runs on a "
                                                    "real data set (claims that do: C0, C1, C5, C7)"),
    (["check", "--data", "mnist"], "argument --data: invalid choice: 'mnist'"),
])
def test_data_option_bad_input(argv, needle):
    out = run_cli(*argv)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and needle in out.stderr, out.stderr


def test_checks_to_run_on_data_are_those_that_take_data():
    from audit.runner import checks_to_run, data_claims, select_claims
    from theory.evidence import RunContext

    ctx = RunContext(data="wine")
    able = data_claims(select_claims([]), ctx, explicit=False)
    assert [c.id.split("-")[0] for c in able] == ["C0", "C1", "C5", "C7"]
    assert [s.id for s in checks_to_run(able[0], ctx)] == ["C0-linear-closed-form", "C0-network-attacks"]
    assert len(checks_to_run(claims_mod.REGISTRY["C1-convergence"], RunContext())) == 1


def test_check_on_a_real_data_set_records_it(tmp_path, capsys):
    ledger_path = tmp_path / "l.json"
    status = cli.main(["check", "--data", "wine", "--only", "C0", "--json", str(ledger_path), "--quiet"])
    ledger = load_ledger(ledger_path)
    assert status == 0 and ledger["data"]["name"] == "wine" and "standardized" in ledger["data"]["transform"]
    checks = ledger["claims"][0]["checks"]
    assert [c["check_id"] for c in checks] == ["C0-linear-closed-form", "C0-network-attacks"]
    assert all(c["config"]["data"]["name"] == "wine" and c["verdict"] == "consistent" for c in checks)
