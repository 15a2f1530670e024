"""Where `advaudit report` writes: a fresh directory by default; an existing one only with --force, and then
only the previous report's own files are replaced — a user's files survive, committed evidence survives every
command that does not name it with --force, unusable directories are exit 2 before any work."""
import json
import os

import pytest

from audit import cli
from audit.report import builder
from tests.audit.test_report import RAN, _snapshot, planted  # noqa: F401 - the fixture is used by name


def _report(*argv):
    return cli.main(["report", "--only", "P1", "--quiet", "--no-cache", *argv])


def test_default_is_a_fresh_directory_and_committed_reports_survive(planted, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    committed = tmp_path / "reports"
    (committed / "figures").mkdir(parents=True)
    (committed / "report.md").write_text("committed ![f](figures/c1.png)")
    (committed / "ledger.json").write_text("{}")
    (committed / "figures" / "c1.png").write_bytes(b"png")
    before = _snapshot(committed)
    assert _report() == 0
    assert _report() == 0
    made = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("advaudit-report-"))
    assert len(made) == 2  # the second run did not reuse the first's directory
    assert (tmp_path / made[0] / "report.md").is_file()
    assert _report("--out", "reports") == 2  # named, but without --force
    assert "add --force" in capsys.readouterr().err
    assert _snapshot(committed) == before


def test_force_replaces_the_report_and_keeps_the_users_files(planted, tmp_path):
    out = tmp_path / "r"
    assert _report("--out", str(out)) == 0
    (out / "my_notes.txt").write_text("mine")
    (out / "drafts").mkdir()
    (out / "drafts" / "a.txt").write_text("draft")
    (out / "figures" / "my_plot.png").write_bytes(b"my png")
    os.symlink("my_notes.txt", out / "link")
    old_ledger = json.loads((out / "ledger.json").read_text())
    assert _report("--out", str(out)) == 2 and not RAN[1:]  # refused before any work
    assert _report("--out", str(out), "--force") == 0
    assert (out / "my_notes.txt").read_text() == "mine" and (out / "drafts" / "a.txt").read_text() == "draft"
    assert (out / "figures" / "my_plot.png").read_bytes() == b"my png" and os.readlink(out / "link") == "my_notes.txt"
    assert json.loads((out / "ledger.json").read_text())["created"] >= old_ledger["created"]
    manifest = json.loads((out / builder.MANIFEST).read_text())["files"]
    assert "my_notes.txt" not in manifest and "report.md" in manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging or previous-* directory left


def test_force_on_a_report_without_manifest_replaces_only_what_its_report_links(planted, tmp_path):
    out = tmp_path / "legacy"
    (out / "figures").mkdir(parents=True)
    (out / "report.md").write_text("OLD-REPORT ![a](figures/old_a.png)")
    (out / "figures" / "old_a.png").write_bytes(b"old figure")
    (out / "figures" / "unlinked.png").write_bytes(b"not the report's")
    assert _report("--out", str(out), "--force") == 0
    assert not (out / "figures" / "old_a.png").exists()  # the old report's own figure
    assert (out / "figures" / "unlinked.png").read_bytes() == b"not the report's"
    assert "OLD-REPORT" not in (out / "report.md").read_text()


def test_a_users_file_where_the_report_writes_is_never_overwritten(planted, tmp_path, capsys):
    probe = tmp_path / "probe"
    assert _report("--out", str(probe)) == 0
    figure = next((probe / "figures").iterdir()).name
    out = tmp_path / "mine"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / figure).write_bytes(b"the user's own")
    before = _snapshot(out)
    capsys.readouterr()
    assert _report("--out", str(out), "--force") == 0
    assert _snapshot(out) == before
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("mine.new-")]
    assert len(moved) == 1 and (moved[0] / "report.md").is_file()
    text = capsys.readouterr().out
    assert "was left as it was" in text and moved[0].name in text


@pytest.mark.parametrize("out, needle", [
    ("/proc", "mount point"),
    ("/proc/advaudit-report", "not writable"),
    (".", "contains the working directory"),
    ("", "empty path"),
])
def test_unusable_directories_are_exit_2_before_any_work(planted, tmp_path, monkeypatch, capsys, out, needle):
    monkeypatch.chdir(tmp_path)
    assert _report("--out", out, "--force") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and not RAN
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_run_removes_the_parents_it_created(planted, tmp_path):
    out = tmp_path / "a" / "b" / "report"
    assert cli.main(["report", "--only", "P2", "--quiet", "--no-cache", "--out", str(out)]) == 130
    assert list(tmp_path.iterdir()) == []
