"""The report's "Worst cases found" section from a hunt ledger (`advaudit report --hunt-ledger`)."""
import json

from audit import cli
from audit.hunt.record import hunt_ledger
from audit.hunt.search import hunt
from audit.ledger import write_json
from audit.report.hunt import hunt_blocks
from audit.report.markdown import render
from tests.audit.hunt.test_search import SPACE, _plan
from tests.audit.test_report import synthetic_ledger


def _hunt_ledger():
    args = dict(budget_s=20.0, max_examples=40, example_limit_s=5.0, seed=0, database_dir=None)
    found = hunt("C0-surrogate-le-robust", SPACE, _plan(), **args)
    clean = hunt("C0-surrogate-le-robust", SPACE, _plan(check_id="synthetic-clean", narrow={"kind": ("plain",),
                                                                                         "x": (0, 30)}), **args)
    return hunt_ledger([found, clean], {"budget_s": 40.0, "seed": 0})


def test_the_section_lists_each_hunt_with_examples_margin_and_configuration():
    text = render(hunt_blocks(_hunt_ledger()))
    assert "## Worst cases found" in text and "a hunt alone never says consistent" in text
    assert "`synthetic`" in text and "**violated**" in text and "x=37" in text
    assert "`synthetic-clean`" in text and "no counterexample" in text and "x=30" in text
    assert "0.1667" in text  # smallest relative margin (36 − 30)/36 of the clean hunt


def test_report_adds_the_section_and_keeps_the_hunt_ledger(tmp_path, capsys):
    ledger, hunt_path, out = tmp_path / "ledger.json", tmp_path / "hunt.json", tmp_path / "report"
    write_json(synthetic_ledger(), ledger)
    write_json(_hunt_ledger(), hunt_path)
    status = cli.main(["report", "--from-ledger", str(ledger), "--hunt-ledger", str(hunt_path), "--out", str(out),
                       "--quiet"])
    assert status in (0, 1)
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.index("## Summary") < text.index("## Worst cases found") < text.index("## C1-convergence")
    assert json.loads((out / "hunt.json").read_text())["kind"] == "hunt"
    assert "Worst cases found" in (out / "report.html").read_text(encoding="utf-8")


def test_a_ledger_of_checks_is_not_a_hunt_ledger(tmp_path, capsys):
    ledger = tmp_path / "ledger.json"
    write_json(synthetic_ledger(), ledger)
    status = cli.main(["report", "--from-ledger", str(ledger), "--hunt-ledger", str(ledger), "--out",
                       str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "not of a hunt" in err
    assert not (tmp_path / "out").exists()
