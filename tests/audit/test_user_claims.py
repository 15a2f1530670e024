"""`advaudit audit FILE.toml`: shipped examples get their verdicts; bad files → one line naming entry and field."""
import json
import re
from pathlib import Path

import pytest

from audit import cli
from audit.user_claims import FAILING_VERDICTS, KINDS, Answer, ClaimKind, load_claims, register_kind

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "claims"
EXPECTED = {
    "width.toml": ["implied", "not implied", "implied"],
    "exponents.toml": ["consistent", "consistent"],
    "exponents_flagged.toml": ["flagged"],
    "vc.toml": ["implied", "not implied", "not implied"],
    "ntk_concentration.toml": ["consistent", "violated", "consistent"],
    "robust_loss.toml": ["consistent", "violated", "consistent"],
    "convergence.toml": ["consistent", "vacuous"],
    "bound.toml": ["consistent", "violated"],
}


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("*.toml")) == sorted(EXPECTED)


def test_every_example_states_its_expected_verdicts_in_comments():
    for name, verdicts in EXPECTED.items():
        stated = re.findall(r"^# expected: ([a-z ]+?)(?: \(|$)", (EXAMPLES / name).read_text(), re.MULTILINE)
        assert stated == verdicts, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_get_their_expected_verdicts(name, capsys):
    status = cli.main(["audit", str(EXAMPLES / name), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in doc["claims"]] == EXPECTED[name]
    failing = any(v in FAILING_VERDICTS for v in EXPECTED[name])
    assert status == doc["exit_status"] == (1 if failing else 0)
    for record in doc["claims"]:   # measured kinds: judged evidence, and the controls that earned the verdict
        if record["evidence"] is not None:
            assert record["evidence"]["verdict"] == record["verdict"]
            controls = record["evidence"]["controls"]
            assert controls and (record["verdict"] != "consistent" or all(c["verdict"] == "violated"
                                                                            for c in controls))


def test_not_implied_reports_the_required_value(capsys):
    cli.main(["audit", str(EXAMPLES / "width.toml"), "--json"])
    second = json.loads(capsys.readouterr().out)["claims"][1]
    assert second["required"] == "m ≥ 230,400" and second["data"]["m_required"] == 230400


def test_table_and_json_file(tmp_path, capsys):
    out = tmp_path / "answers.json"
    assert cli.main(["audit", str(EXAMPLES / "exponents.toml"), "--json", str(out)]) == 0
    assert "consistent" in capsys.readouterr().out and json.loads(out.read_text())["exit_status"] == 0


WIDTH = '''[[claim]]
name = "w"
kind = "width"
m = 4096
eps = 0.05
R = 2
H = 2
loss = "hinge"
activation = "softplus"
C_H = 1.0
'''


@pytest.mark.parametrize("text, needle", [
    ("[[claim]\nkind = 1", "malformed TOML"),
    ('[[claim]]\nname = "x"\nkind = "ntk-magic"\n', "entry 'x' (#1) field 'kind': unknown claim kind 'ntk-magic'"),
    (WIDTH.replace("eps = 0.05", "eps = 0"), "entry 'w' (#1) field 'eps': must be in (0, 1)"),
    (WIDTH.replace("eps = 0.05", "eps = 1.5"), "field 'eps': must be in (0, 1)"),
    (WIDTH.replace("R = 2", "R = -1"), "field 'R': must be ≥ 0"),
    (WIDTH.replace("H = 2", "H = 0"), "field 'H': must be an integer ≥ 1"),
    (WIDTH.replace("m = 4096\n", ""), "field 'm': missing"),
    (WIDTH.replace('"softplus"', '"swish"'), "field 'activation': unknown activation 'swish'"),
    (WIDTH.replace('"softplus"', '"relu"'), "field 'activation': 'relu' is not smooth"),
    (WIDTH.replace("C_H = 1.0\n", ""), "field 'C_H': missing"),
    (WIDTH.replace("m = 4096", 'm = "big"'), "field 'm': must be an integer"),
    (WIDTH + "colour = 3\n", "field 'colour': unknown field"),
    ('[[claim]]\nkind = "vc-count"\nn = 10\nd = 3\nnorm = "l2"\nvc = 5\n', "entry '#1' (#1) field 'rho': missing"),
    ('title = "x"\n', "unknown top-level key 'title'"),
])
def test_bad_files_are_one_line_exit_2_and_write_nothing(text, needle, tmp_path, capsys):
    path = tmp_path / "claims.toml"
    path.write_text(text)
    out = tmp_path / "out.json"
    assert cli.main(["audit", str(path), "--json", str(out)]) == 2
    err = capsys.readouterr()
    assert err.out == "" and err.err.count("\n") == 1 and needle in err.err, err.err
    assert not out.exists()


def test_kinds_can_be_added(tmp_path):
    register_kind(ClaimKind("echo", "test kind", lambda raw: {"x": raw.get("x")}, lambda p: Answer("consistent", "-")))
    try:
        path = tmp_path / "c.toml"
        path.write_text('[[claim]]\nkind = "echo"\nx = 3\n')
        assert load_claims(path)[0].params == {"x": 3}
    finally:
        KINDS.pop("echo")
