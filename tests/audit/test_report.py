"""`advaudit report`: content from the evidence, the series protocol, atomic output, bad input."""
import base64
import json
import os
import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit import cli
from audit.judge import judge
from audit.ledger import build_ledger, load_ledger
from audit.report import builder, write_report
from audit.report.adapters import series_for
from audit.report.figures import collect_figures, parse_series
from audit.report.markdown import inline
from audit.report.document import Run
from audit.runner import ClaimResult
from numerics.execution import sweep
from numerics.execution.sweep import run_sweep, sweep_options
from theory import claims as claims_mod
from theory.claims import REGISTRY, CheckSpec, Claim
from tests.numerics.execution.test_sweep import noisy_width
from theory.evidence import Counterexample, Evidence
from tests.audit.support import with_violated_control

WIDTHS = [64, 128, 256, 512, 1024]


def _evidence(claim_id, check_id, **fields):
    ev = Evidence(claim_id=claim_id, check_id=check_id, tier="fast", seeds=[0, 1], wall_time_s=0.5)
    for key, value in fields.items():
        setattr(ev, key, value)
    return ev


def synthetic_ledger():
    """A small ledger exercising every part of the report: series (fit, band, off-axis line, error bars),
    tables, requirements, a re-verified counterexample, notes, and a claim without checks."""
    ntk = _evidence("C5-ntk-concentration", "C5-ntk-rate", config={"widths": WIDTHS, "activation": "relu"})
    ntk.compare("fitted slope", -0.51, -0.5, "contains", interval=(-0.56, -0.46), tolerance=0.02,
                tolerance_name="SLOPE_TOL")
    ntk.measurements = {"series": {
        "relu": {"x": WIDTHS, "y": [0.2 * m ** -0.5 for m in WIDTHS], "yerr": [0.002] * 5, "logx": True,
                 "logy": True, "group": "NTK error vs width", "xlabel": "width m", "ylabel": "max |Θ_m − Θ|",
                 "fit": {"slope": -0.51, "ci": [-0.56, -0.46], "intercept": -1.6, "expected": -0.5}},
        "erf": {"x": WIDTHS, "y": [0.3 * m ** -0.5 for m in WIDTHS], "group": "NTK error vs width"},
        "broken | one": {"x": [1, 2, 3], "y": [1, 2]},
    }, "tables": {"per width": {"columns": ["m", "error"], "rows": [[m, 0.2 * m ** -0.5] for m in WIDTHS]}},
        "mean_error": 0.01}
    off = _evidence("C5-ntk-concentration", "C5-ntk-rate")
    off.compare("fitted slope vs Θ of depth H + 1", -0.02, -0.5, "contains", interval=(-0.07, 0.03))
    off.counterexamples.append(Counterexample("fitted slope vs Θ of depth H + 1", "plateau", {}, -0.021, -0.5,
                                              "refit", True))
    ntk.add_control("one layer off", "the analytic NTK of depth H + 1", off)
    conv = _evidence("C1-convergence", "C1-train", vacuous_reason="the required width 3.2e9 exceeds 2^14")
    conv.compare("min_t L_A − (L* + ε)", -0.02, 0.0, "<=")
    conv.measurements = {
        "requirements": {"m*": {"expression": "C_m·H^a_H·R^a_R·ε^(−a_ε)", "parameters": {"epsilon": 0.1, "R": 1},
                                "value": 3.2e9, "note": "beyond every runnable width"}},
        "obligations": [{"step": "regret", "holds": True}, {"step": "assembly", "holds": True}],
        "series": {"surrogate": {"x": WIDTHS, "y": [0.3, 0.25, 0.22, 0.21, 0.2], "logx": True, "group": "losses",
                                 "hline": {"y": 0.2, "y2": 0.3, "label": "ε band"},
                                 "vline": {"x": 3.2e9, "label": "required width m*"}},
                   "robust": {"x": WIDTHS, "y": ["nan", 0.3, 0.27, 0.25, 0.24], "group": "losses"}}}
    bad = _evidence("C0-surrogate-le-robust", "C0-planted", notes=["Traceback (most recent call last):\n  boom"])
    bad.compare("L_A − L* | planted", 0.5, 0.0, "<=")
    bad.counterexamples.append(Counterexample("L_A − L* | planted", "planted", {"x": [1.0, 2.0]}, 0.5, 0.0,
                                              "float64 numpy", True))
    results = []
    for claim_id, evs in (("C0-surrogate-le-robust", [bad]), ("C1-convergence", [conv]),
                          ("C5-ntk-concentration", [ntk]), ("C10-capacity-trend", [])):
        for ev in evs:
            judge(ev)
        results.append(ClaimResult(REGISTRY[claim_id], evs))
    return build_ledger(results, tier="fast", seed=0)


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.imgs = [], []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("src", "href", "srcset", "poster", "data", "action"):
                self.refs.append(value or "")
            if tag == "img" and key == "src":
                self.imgs.append(value or "")


def html_references(text):
    """(every src/href-like attribute value, the img sources) of an HTML page."""
    parser = _Refs()
    parser.feed(text)
    return parser.refs, parser.imgs


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "report"
    write_report(synthetic_ledger(), out, run_info={"workers": 1})
    return out


def test_markdown_states_every_claim_and_links_existing_figures(report_dir):
    md = (report_dir / "report.md").read_text()
    for claim_id, tag in (("C0-surrogate-le-robust", "derived"), ("C1-convergence", "reconstructed"),
                          ("C5-ntk-concentration", "derived"), ("C10-capacity-trend", "derived")):
        assert f"\n## {claim_id}\n" in md and f"(#{claim_id.lower()})" in md
    assert md.count("\\[reconstructed\\]") >= 2  # summary row + section
    assert "not implemented" in md.split("## C10-capacity-trend")[1]
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", md)
    assert len(links) == 2  # C1 "losses", C5 "NTK error vs width"; C0 has no series; "broken | one" is refused
    for link in links:
        assert (report_dir / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (report_dir / "figures").iterdir()) == sorted(Path(x).name for x in links)
    assert "series 'broken | one' of C5-ntk-rate not drawn: 'x' has 3 values but 'y' has 2" in md.replace("\\", "")


def test_markdown_shows_requirement_measurement_and_verdict(report_dir):
    md = (report_dir / "report.md").read_text().replace("\\", "")
    c1 = md.split("## C1-convergence")[1].split("\n## ")[0]
    assert "Requirement at the run's parameters" in c1 and "3.2e+09" in c1 and "epsilon = 0.1" in c1
    assert "vacuous" in c1 and "obligations" in c1
    c5 = md.split("## C5-ntk-concentration")[1].split("\n## ")[0]
    assert "CI [-0.56, -0.46]" in c5 and "SLOPE_TOL" in c5 and "per width" in c5
    controls = c5.split("Controls: the same check on inputs that must fail")[1]   # shown next to the real run
    assert "one layer off" in controls and "depth H + 1" in controls and "violated" in controls
    assert "re-computed -0.021 vs -0.5" in controls
    c0 = md.split("## C0-surrogate-le-robust")[1].split("\n## ")[0]
    assert "violated" in c0 and "Counterexamples" in c0 and "float64 numpy" in c0


def test_markdown_tables_keep_their_columns_with_pipes_in_cells(report_dir):
    md = (report_dir / "report.md").read_text()
    for table in re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.strip().splitlines()}
        assert len(widths) == 1, table


def test_html_is_self_contained_with_embedded_figures(report_dir):
    text = (report_dir / "report.html").read_text()
    refs, imgs = html_references(text)
    assert len(imgs) == 2
    assert all(r.startswith("data:") or r.startswith("#") for r in refs), refs
    for src in imgs:
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"(https?:)?//[\w.-]+\.\w+/", re.sub(r'src="data:[^"]*"', "", text))
    assert "@import" not in text and "url(" not in text
    assert 'id="c10-capacity-trend"' in text and "not implemented" in text


def test_provenance_header_and_ledger(report_dir):
    md = (report_dir / "report.md").read_text()
    header = md.split("## Summary")[0]
    for needle in ("git commit", "numpy", "machine", "seeds used by checks", "wall time of the checks"):
        assert needle in header
    assert "Wall time per check" in md and "C5-ntk-rate" in md.split("Wall time per check")[1]
    ledger = load_ledger(report_dir / "ledger.json")
    assert {c["id"] for c in ledger["claims"]} >= {"C1-convergence", "C10-capacity-trend"}


def test_series_protocol_validation():
    s = parse_series("t", {"x": [1, 2], "y": ["nan", 3], "yerr": [[0.1, 0.1], [0.2, 0.3]]})
    assert s.y[1] == 3.0 and s.y[0] != s.y[0] and s.yerr[1] == [0.2, 0.3] and s.group == "t"
    for bad, reason in (({"x": [1]}, "both"), ({"x": [1, 2], "y": [1]}, "2 values"), ({"x": ["a"], "y": [1]}, "number"),
                        ({"x": [1], "y": [1], "yerr": [1, 2]}, "yerr"), ({"x": [1], "y": [1], "fit": 3}, "fit"),
                        ({"x": [1], "y": [1], "vline": {"y": 1}}, "vline"), ({"x": [], "y": []}, "empty")):
        with pytest.raises(ValueError, match=reason):
            parse_series("t", bad)
    figs, problems = collect_figures("chk", {"a": {"x": [1], "y": [1], "group": "g"}, "b": {"x": [2], "y": [2],
                                                                                          "group": "g"}, "c": 5})
    assert [len(f.series) for f in figs] == [2] and len(problems) == 1


def test_markdown_emphasis_keeps_spaces_outside_markers():
    assert inline([Run("b", "Statement. "), Run("", "x_1 * y")]) == "**Statement.** x\\_1 \\* y"


def test_interrupted_render_leaves_previous_report_byte_identical(tmp_path, monkeypatch):
    out = tmp_path / "report"
    write_report(synthetic_ledger(), out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def render_then_fail(fig, path):
        calls.append(fig)
        if len(calls) == 2:
            raise KeyboardInterrupt  # an interrupt in the middle of drawing the figures
        path.write_bytes(b"partial")

    monkeypatch.setattr(builder, "render_figure", render_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_report(synthetic_ledger(), out, force=True)
    assert len(calls) == 2
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging directory left behind


# --- the command line -----------------------------------------------------------------------------------

RAN: list[str] = []


def _recording_check(ctx):
    RAN.append("ran")
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier)
    ev.compare("x", 0.0, 1.0, "<=")
    ev.measurements["series"] = {"s": {"x": [1, 2], "y": [1, 4]}}
    return with_violated_control(ev)


def _interrupted_check(ctx):
    raise KeyboardInterrupt


def _data_check(ctx):
    RAN.append(ctx.data or "synthetic")
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier, config={"data_seen": ctx.data})
    ev.compare("x", 0.0, 1.0, "<=")
    ev.measurements["series"] = {"s": {"x": [1, 2], "y": [1, 4]}}
    return ev


def _sweeping_check(ctx):
    configs = [{"width": m, "seed": s} for m in (8, 32, 128) for s in (0, 1)]
    points = run_sweep(noisy_width, configs, **sweep_options(ctx))  # a light module: quick to spawn
    ev = Evidence(claim_id="", check_id="", tier=ctx.tier)
    ev.compare("max |value|", max(abs(p["value"]) for p in points), 1e3, "<=")
    ev.measurements["series"] = {"value": {"x": [p["width"] for p in points], "y": [p["value"] for p in points],
                                           "logx": True, "style": "points"}}
    return ev


@pytest.fixture
def planted(monkeypatch):
    def claim(cid, target):
        return Claim(cid, "planted", "derived", ("RQ1",), (), None, "planted", "upper", {},
                     (CheckSpec(f"{cid}-check", f"{__name__}:{target}", "planted"),))
    registry = {"P1-ok": claim("P1-ok", "_recording_check"),
                "P2-interrupt": claim("P2-interrupt", "_interrupted_check"),
                "P3-sweep": claim("P3-sweep", "_sweeping_check"),
                "P4-data": Claim("P4-data", "planted", "derived", ("RQ1",), (), None, "planted", "upper", {},
                                 (CheckSpec("P4-data-check", f"{__name__}:_data_check", "planted", takes_data=True),))}
    monkeypatch.setattr(claims_mod, "REGISTRY", registry)
    monkeypatch.setattr("audit.runner.REGISTRY", registry)
    RAN.clear()
    return registry


def _snapshot(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_cli_report_writes_everything_and_interrupt_keeps_the_old_one(planted, tmp_path, capsys):
    out = tmp_path / "deep" / "report"  # parents are created
    assert cli.main(["report", "--only", "P1", "--out", str(out), "--no-cache"]) == 0
    assert {p.name for p in out.iterdir()} == {"report.md", "report.html", "ledger.json", "figures",
                                               ".advaudit-report.json"}
    assert len(list((out / "figures").iterdir())) == 1
    captured = capsys.readouterr()
    assert "P1-ok-check: consistent" in captured.err and "report written" in captured.out  # progress on stderr
    assert "1 claim: 1 consistent" in captured.out
    before = _snapshot(out)
    assert cli.main(["report", "--only", "P1", "P2", "--out", str(out), "--quiet", "--no-cache", "--force"]) == 130
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]
    assert capsys.readouterr().err.strip() == "advaudit: interrupted"  # --quiet: no progress output


def test_cli_quiet_and_from_ledger(planted, tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli.main(["report", "--only", "P1", "--out", str(first), "--quiet", "--no-cache"]) == 0
    assert capsys.readouterr().err == ""
    RAN.clear()
    assert cli.main(["report", "--from-ledger", str(first / "ledger.json"), "--out", str(second), "--quiet"]) == 0
    assert not RAN
    assert json.loads((second / "ledger.json").read_text()) == json.loads((first / "ledger.json").read_text())


@pytest.mark.parametrize("make_out, needle", [
    (lambda tmp: tmp / "file.txt" / "report", "is not a directory"),
    (lambda tmp: tmp / "file.txt", "is not a directory"),
    (lambda tmp: tmp / "foreign", "not empty; choose a new directory, or add --force"),
])
def test_unusable_output_is_exit_2_before_any_work(planted, tmp_path, capsys, make_out, needle):
    (tmp_path / "file.txt").write_text("keep me")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    assert cli.main(["report", "--only", "P1", "--out", str(make_out(tmp_path)), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err
    assert not RAN and _snapshot(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_parent_is_exit_2_before_any_work(planted, tmp_path, capsys):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        assert cli.main(["report", "--only", "P1", "--out", str(parent / "r"), "--no-cache"]) == 2
    finally:
        parent.chmod(0o700)
    assert "not writable" in capsys.readouterr().err and not RAN and not list(parent.iterdir())


def test_unreachable_scheduler_is_exit_2_before_any_work(planted, tmp_path, capsys, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(sweep, "SCHEDULER_TIMEOUT_S", 1.0)
    out = tmp_path / "r"
    assert cli.main(["report", "--only", "P1", "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not RAN and not out.exists()


def test_cli_sweeps_run_on_workers_and_reuse_the_cache(planted, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "report"
    argv = ["report", "--only", "P3", "--out", str(out), "--quiet", "--workers", "2", "--cache-dir", str(cache)]
    assert cli.main(argv) == 0
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) == 6
    stamps = [p.stat().st_mtime_ns for p in entries]
    first = json.loads((out / "ledger.json").read_text())["claims"][0]["checks"][0]["measurements"]
    assert cli.main(argv[:-2] + ["--workers", "1", "--cache-dir", str(cache), "--force"]) == 0
    assert [p.stat().st_mtime_ns for p in sorted(cache.rglob("*.json"))] == stamps  # served from the cache
    assert json.loads((out / "ledger.json").read_text())["claims"][0]["checks"][0]["measurements"] == first
    assert len(list((out / "figures").iterdir())) == 1


def test_from_ledger_with_only_is_bad_input(tmp_path, capsys):
    assert cli.main(["report", "--from-ledger", str(tmp_path / "l.json"), "--only", "C0", "--out",
                     str(tmp_path / "r")]) == 2
    assert "--only cannot be combined" in capsys.readouterr().err


def test_headline_adapters_read_what_the_checks_record():
    runs = [{"setup": {"width": m, "depth": 1, "eps": 0.3}, "min_L_A": 0.7, "comparator_upper": 0.65,
             "m_star": 3700.0, "L_A_initial": 0.8, "budget_B": 0.1} for m in (64, 256)]
    cases = {"[relu d=2 m=16 H=2 linf δ=0.15 hinge]": {"mean_upper_used": 1.2, "L_A": {"pgd": 1.1, "fgsm": 1.0},
                                                       "mean_exact": 1.15},
             "[relu d=2 m=16 H=2 l2 δ=0.15 hinge]": {"mean_upper_used": 0.9, "L_A": {"pgd": 0.85}, "mean_exact": None}}
    c8 = {"columns": ["d", "log10 R(d)"], "rows": [[2, "3.1"], [5, "7.9"]]}
    ntk = {"relu/H=1": {"depth": 1, "widths": [64, 256], "errors": [[0.2, 0.2], [0.1, 0.1]],
                        "fit": {"slope": -0.5, "intercept": 0.47, "ci_low": -0.6, "ci_high": -0.4}}}
    check = {"check_id": "X", "config": {"claimed_rate": -0.5}, "measurements": {
        "runs": runs, "network_cases": cases, "tables": {"C8 width against d (defaults)": c8}, "configs": ntk,
        "surrogate_vs_robust": [{"comparison": "random, l2, hinge: …", "mean_L_A": 0.5, "mean_L_star": 0.6}],
        "series": {"own": {"x": [1], "y": [2]}}}}
    series, problems = series_for(check)
    assert not problems
    figs, bad = collect_figures("X", series)
    groups = {f.group for f in figs}
    assert not bad and len(groups) == 6 and "own" in groups
    c5 = series["C5 relu/H=1"]
    assert c5["y"] == pytest.approx([0.2, 0.1]) and c5["yerr"] == [[0.0, 0.0], [0.0, 0.0]]
    assert c5["fit"] == {"slope": -0.5, "intercept": 0.47, "ci": [-0.6, -0.4], "expected": -0.5, "label": "relu/H=1 fit"}
    bound = series["X: losses against width (H = 1): bound"]
    assert bound["vline"] == {"x": 3700.0, "label": "derived width m*"} and bound["y"] == [0.95, 0.95]
    assert series["X: losses against width (H = 1): initial"]["y"] == [0.8, 0.8]          # L_A(W(0)) is plotted
    assert series["X: losses against width (H = 1): budget"]["y"] == pytest.approx([0.75, 0.75])
    reference = series["C5 relu/H=1: m^(−1/2) reference"]                                 # the claimed rate drawn
    assert reference["y"] == pytest.approx([0.2, 0.1]) and reference["style"] == "curve"
    assert series["sandwich: linf"]["x"] == [1.1] and series["sandwich: MILP"]["x"] == [1.15]
    assert series["C8: R needed against d (defaults): log10 R(d)"]["y"] == [3.1, 7.9]


def test_an_adapter_that_cannot_read_the_data_is_named_not_fatal():
    check = {"check_id": "X", "measurements": {"runs": [{"setup": {"width": 4}, "min_L_A": "abc",
                                                         "comparator_upper": 1.0}],
                                               "series": {"own": {"x": [1], "y": [2]}}}}
    series, problems = series_for(check)
    assert list(series) == ["own"] and "finite_width_losses" in problems[0]


def test_the_headline_shows_the_deciding_comparison_its_slack_and_the_flags_not_merely_the_tightest():
    from audit.report import content, markdown
    audit = _evidence("C9-vc-linf", "C9-linf-conventions", construction_verdict="vacuous",
                      construction_label="vacuous under the literal reading; false at n = 2")
    audit.compare("(n=4, d=3) template dataset size ≤ n", 4, 4, "<=")          # tight, but it decides nothing
    audit.compare("VC bound", 5, 5.0 * 1000, "<=")                            # slack 1000: loose
    rate = _evidence("C5-ntk-concentration", "C5-ntk-rate")
    rate.compare("identity", 1.0, 1.0, "<=")
    row = rate.compare("slope", -0.1, -0.5, "contains", interval=(-0.2, 0.0))
    rate.counterexamples.append(Counterexample(row.name, "spot check", {}, 0.0042, -0.5, "autograd", False,
                                               recorded_measured=0.031, agreement_rtol=1e-6))
    results = []
    for claim_id, ev in (("C9-vc-linf", audit), ("C5-ntk-concentration", rate)):
        judge(ev)
        results.append(ClaimResult(REGISTRY[claim_id], [ev]))
    ledger = build_ledger(results, tier="fast", seed=0)
    c9, c5 = ledger["claims"]
    assert c9["summary"]["deciding"] is None and c9["summary"]["label"].startswith("vacuous under the literal")
    assert c9["summary"]["tightest"]["name"].startswith("(n=4, d=3)") and c9["summary"]["loosest"]["slack"] == 1000
    assert c9["flags"] == [] and audit.flags == []                           # loose only flags consistent verdicts
    assert c5["verdict"] == "violated" and c5["summary"]["deciding"]["name"] == "slope"
    md = markdown.render(content.summary_blocks(ledger)).replace("\\", "")
    c9_line = next(line for line in md.splitlines() if line.startswith("| [C9-vc-linf]"))
    assert "vacuous under the literal reading" in c9_line and "(slack 1)" in c9_line and "(slack 1000)" in c9_line
    c5_line = next(line for line in md.splitlines() if line.startswith("| [C5-ntk-concentration]"))
    assert "C5-ntk-rate: slope: CI [-0.2, 0] ∋ -0.5" in c5_line


def test_the_headline_shows_each_claims_controls_and_whether_they_failed():
    from audit.report import content, markdown
    from tests.audit.support import with_violated_control
    real = _evidence("C5-ntk-concentration", "C5-ntk-rate")
    real.compare("slope", -0.5, -0.5, "contains", interval=(-0.6, -0.4))
    with_violated_control(real)
    control = _evidence("C5-ntk-concentration", "C5-ntk-rate")        # holds: not violated, so the check is vacuous
    control.compare("slope", -0.45, -0.5, "contains", interval=(-0.55, -0.35))
    real.add_control("rate off", "test", control)
    judge(real)
    ledger = build_ledger([ClaimResult(REGISTRY["C5-ntk-concentration"], [real])], tier="fast", seed=0)
    md = markdown.render(content.summary_blocks(ledger)).replace("\\", "")
    line = next(line for line in md.splitlines() if line.startswith("| [C5-ntk-concentration]"))
    assert "1 of 2 violated (wrong input, rate off)" in line and ledger["claims"][0]["verdict"] == "vacuous"
    assert "controls (each must be violated)" in md


def test_claim_flags_and_dependency_reach_the_ledger():
    basis = _evidence("C9-vc-linf", "C9-linf-conventions", construction_verdict="vacuous",
                      construction_label="vacuous under the literal reading")
    basis.compare("count", 4, 4, "<=")
    built = _evidence("L3-li2022-param-bounds", "L3-bounds-consistent")
    built.compare("lower ≤ upper", 1e-3, 1.0, "<=")                         # slack 1000: loose
    for ev in (basis, with_violated_control(built)):
        judge(ev)
    results = [ClaimResult(REGISTRY["C9-vc-linf"], [basis]),
               ClaimResult(REGISTRY["L3-li2022-param-bounds"], [built], {"C9-vc-linf": "vacuous"})]
    l3 = build_ledger(results, tier="fast", seed=0)["claims"][1]
    assert l3["verdict"] == "vacuous" and l3["depends_on"] == {"C9-vc-linf": "vacuous"}
    assert l3["flags"] == ["loose", "depends-on:C9"] and "built on C9-vc-linf (vacuous)" in l3["verdict_reason"]
    assert l3["checks"][0]["flags"] == ["loose"]


def test_real_data_runs_get_their_own_section_and_figures(planted, tmp_path):
    out = tmp_path / "report"
    assert cli.main(["report", "--only", "P1", "P4", "--data", "wine", "--data", "digits", "--out", str(out),
                     "--quiet", "--no-cache"]) == 0
    assert RAN == ["ran", "synthetic", "wine", "digits"]      # P1 takes no data: it ran once
    ledger = load_ledger(out / "ledger.json")
    assert [r["data"]["name"] for r in ledger["real_data"]] == ["wine", "digits"]
    assert [c["id"] for c in ledger["real_data"][0]["claims"]] == ["P4-data"]
    assert ledger["real_data"][1]["claims"][0]["checks"][0]["config"]["data_seen"] == "digits"
    md = (out / "report.md").read_text()
    assert "## Real data" in md and "### Real data: wine" in md and "#### Check P4-data-check on digits" in md
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert len(figures) == 4 and any("wine" in f for f in figures) and any("digits" in f for f in figures)
    for name in figures:
        assert f"figures/{name}" in md


def test_a_violation_on_real_data_sets_the_exit_status():
    bad = Evidence("C5-ntk-concentration", "C5-ntk-rate", "fast")
    bad.compare("x", 2.0, 1.0, "<=")
    bad.counterexamples.append(Counterexample("x", "planted", {}, 2.0, 1.0, "numpy", True))
    ledger = build_ledger([], tier="fast", seed=0, real_data={"digits": [ClaimResult(REGISTRY["C5-ntk-concentration"],
                                                                                     [judge(bad)])]})
    assert ledger["exit_status"] == 1 and ledger["real_data"][0]["summary"] == {"violated": 1}


def test_from_ledger_with_data_is_bad_input(tmp_path, capsys):
    assert cli.main(["report", "--from-ledger", str(tmp_path / "l.json"), "--data", "wine", "--out",
                     str(tmp_path / "r")]) == 2
    assert "--data cannot be combined with --from-ledger" in capsys.readouterr().err


def test_data_for_claims_without_data_checks_is_bad_input(planted, tmp_path, capsys):
    assert cli.main(["report", "--only", "P1", "--data", "wine", "--out", str(tmp_path / "r"), "--no-cache"]) == 2
    assert "none of the selected claims has a check that runs on a real data set" in capsys.readouterr().err
    assert not RAN and not (tmp_path / "r").exists()
