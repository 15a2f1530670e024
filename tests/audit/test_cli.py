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


def _solver_missing_check(ctx):
    raise ModuleNotFoundError("No module named 'clarabel'")


def _consistent_check(ctx):
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier)
    ev.compare("x", 0.5, 1.0, "<=")
    return ev


@pytest.fixture
def planted_registry(monkeypatch):
    def claim(cid, target):
        return Claim(cid, "planted", "derived", ("RQ1",), (), None, "planted", "upper", {},
                     (CheckSpec(f"{cid}-check", f"{__name__}:{target}", "planted"),))
    registry = {"P1-violated": claim("P1-violated", "_planted_check"),
                "P2-inconclusive": claim("P2-inconclusive", "_inconclusive_check"),
                "P3-crash": claim("P3-crash", "_crashing_check"),
                "P4-env": claim("P4-env", "_solver_missing_check"),
                "P5-mixed": Claim("P5-mixed", "planted", "derived", ("RQ1",), (), None, "planted", "upper", {},
                                  (CheckSpec("P5-ok", f"{__name__}:_consistent_check", "planted"),
                                   CheckSpec("P5-crash", f"{__name__}:_crashing_check", "planted")))}
    monkeypatch.setattr(claims_mod, "REGISTRY", registry)
    monkeypatch.setattr("audit.runner.REGISTRY", registry)
    return registry


def test_exit_codes_violated_and_strict(planted_registry, tmp_path, capsys):
    assert cli.main(["check", "--only", "P1-violated", "--quiet"]) == 1
    assert cli.main(["check", "--only", "P2-inconclusive", "--quiet"]) == 0
    assert cli.main(["check", "--only", "P2-inconclusive", "--quiet", "--strict"]) == 1
    junit = tmp_path / "j.xml"
    cli.main(["check", "--only", "P1-violated", "--quiet", "--junit", str(junit)])
    assert ET.parse(junit).getroot().find("testcase/failure") is not None


def test_a_check_that_raises_is_an_error_of_the_run_not_inconclusive(planted_registry, tmp_path, capsys):
    ledger, junit = tmp_path / "l.json", tmp_path / "j.xml"
    assert cli.main(["check", "--only", "P3", "--quiet", "--json", str(ledger), "--junit", str(junit)]) == 2
    claim = json.loads(ledger.read_text())["claims"][0]
    crashed = claim["checks"][0]
    assert claim["verdict"] == crashed["verdict"] == "error" and not crashed["inconclusive_reasons"]
    assert "bug in the check" in crashed["error"] and "RuntimeError: boom" in crashed["error"]
    assert "Traceback" in crashed["error_traceback"] and "_crashing_check" in crashed["error_traceback"]
    assert json.loads(ledger.read_text())["exit_status"] == 2
    error = ET.parse(junit).getroot().find("testcase/error")
    assert error is not None and "boom" in error.get("message") and "Traceback" in error.text
    assert ET.parse(junit).getroot().get("errors") == "1"
    out = capsys.readouterr().out
    assert "P3-crash" in out and "error" in out and "1 claim: 1 error" in out


def test_an_environment_fault_is_named_and_an_error_is_never_hidden_by_consistent_checks(planted_registry, tmp_path):
    ledger = tmp_path / "l.json"
    assert cli.main(["check", "--only", "P4", "P5", "P2", "--quiet", "--json", str(ledger)]) == 2
    by_id = {c["id"]: c for c in json.loads(ledger.read_text())["claims"]}
    assert by_id["P4-env"]["checks"][0]["error"].startswith("environment fault: ModuleNotFoundError")
    assert [c["verdict"] for c in by_id["P5-mixed"]["checks"]] == ["consistent", "error"]
    assert by_id["P5-mixed"]["verdict"] == "error"
    assert by_id["P2-inconclusive"]["verdict"] == "inconclusive"  # solver trouble stays a claim's inconclusive


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
    out = capsys.readouterr().out
    assert "no planted error registered" in out and "missed: never caught → inconclusive" in out
    assert "1 check, 1 planted error: 1 missed" in out


def test_selftest_a_variant_that_raises_is_an_error_not_a_miss(planted_registry, capsys, monkeypatch):
    monkeypatch.setitem(PLANTED, "P3-crash-check", {"raises": {}})
    assert cli.main(["selftest", "--only", "P3", "--quiet"]) == 2
    out = capsys.readouterr().out
    assert "error: raises" in out and "RuntimeError: boom" in out


def test_selftest_catches_the_c0_planted_errors():
    assert cli.main(["selftest", "--only", "C0", "--quiet"]) == 0


@pytest.mark.parametrize("path, needle", [("/proc/l.json", "cannot be written"), ("/dev/null", "not a regular file"),
                                          ("/", "is a directory"), ("mine.json", "not written by advaudit")])
def test_outputs_are_checked_before_any_work_and_foreign_files_never_overwritten(planted_registry, tmp_path,
                                                                                  monkeypatch, capsys, path, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.json").write_text('{"my": "data"}')
    ran = []
    monkeypatch.setattr("audit.commands.check.run_claims", lambda *a, **k: ran.append(1) or [])
    assert cli.main(["check", "--only", "P1", "--quiet", "--json", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and not ran
    assert (tmp_path / "mine.json").read_text() == '{"my": "data"}'


def test_an_earlier_ledger_may_be_overwritten(planted_registry, tmp_path):
    path = tmp_path / "l.json"
    assert cli.main(["check", "--only", "P2", "--quiet", "--json", str(path)]) == 0
    assert cli.main(["check", "--only", "P2", "--quiet", "--json", str(path), "--junit", str(tmp_path / "j.xml")]) == 0
    assert cli.main(["check", "--only", "P2", "--quiet", "--junit", str(tmp_path / "j.xml")]) == 0


@pytest.mark.parametrize("argv, needle", [
    (["check", "--workers", "0"], "argument --workers: must be an integer in [1, 1024], got 0"),
    (["selftest", "--workers", "-3"], "argument --workers"),
    (["report", "--seed", "-1"], "argument --seed"),
    (["check", "--device", "cuda", "--only", "P1"], "--device cuda"),
    (["check", "--scheduler", "not an address", "--only", "P1"], "not a scheduler address"),
])
def test_run_options_are_validated_before_any_work_for_every_verb(planted_registry, monkeypatch, capsys, argv, needle):
    if "cuda" in argv:
        torch = pytest.importorskip("torch")
        if torch.cuda.is_available():
            pytest.skip("a CUDA device is available here")
    ran = []
    for verb in ("check", "report"):
        monkeypatch.setattr(f"audit.commands.{verb}.run_claims", lambda *a, **k: ran.append(1) or [])
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and not ran


def test_version_and_broken_pipe(tmp_path):
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("advaudit ")
    piped = subprocess.run(f"{sys.executable} -m audit.cli width --eps 0.05 --R 2 --H 1 --loss hinge "
                           f"--activation softplus | head -1", shell=True, capture_output=True, text=True, timeout=120)
    assert piped.stdout.startswith("advaudit width") and piped.stderr == ""


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
