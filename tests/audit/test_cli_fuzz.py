"""The CLI's promise, fuzzed in-process (audit.cli.main) with random and adversarial argv and claim files:
exit status 0, 1 or 2; on 2 at most one line on stderr and no file written; never a traceback, never an
internal error; the committed-style ``reports/`` survives every command that does not name it with --force.

The cheap verbs (list, show, width, audit) run for real. check/report/selftest run their real argument
and environment validation, then a stub stands in for the checks (a run of the suite is minutes).
"""
import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit import cli
from audit.judge import judge
from audit.runner import ClaimResult
from numerics.execution import sweep
from theory.claims import REGISTRY
from theory.evidence import Evidence

IDS = list(REGISTRY)
ID_TEXT = st.one_of(st.sampled_from(IDS), st.sampled_from(IDS).map(str.lower),
                    st.sampled_from(IDS).flatmap(lambda i: st.integers(1, len(i)).map(lambda k: i[:k])),
                    st.text(max_size=12))
NUMBER_TEXT = st.one_of(st.sampled_from(["0", "-1", "1", "2", "0.05", "1e-10", "1e-300", "5e-324", "1e14", "1e300",
                                         "1e309", "nan", "inf", "-inf", "", "abc", "0x10", "1_000", "10" * 30]),
                        st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.integers(-10, 10**6).map(str))
INT_TEXT = st.one_of(st.sampled_from(["0", "-3", "1", "2", "3", "1000", "1001", "2.5", "abc", "", str(10**40)]),
                     st.integers(-5, 40).map(str))
# Paths a user might pass: fine relative ones, and ones that must be refused (absolute ones only of that kind,
# so that a passing example never writes outside its temporary working directory).
PATH_TEXT = st.one_of(st.sampled_from(["out.json", "sub/out.json", "reports", "reports/ledger.json", "claims.toml",
                                       "new-dir", ".", "", "/proc/l.json", "/proc", "/dev/null", "/",
                                       "/nonexistent/x.json", "a\x00b", "x" * 300, "missing/deeper/x"]),
                      st.text(alphabet="abc/._-", min_size=1, max_size=12))
FREE = st.one_of(st.just([]), st.just([]), st.just([]), st.lists(st.text(max_size=10), min_size=1, max_size=3))


def _opt(flag, values):
    return st.one_of(st.just([]), st.just([]), st.just([]), values.map(lambda v: [flag, v]))


def _flag(flag):
    return st.sampled_from([[], [flag]])


def _concat(parts):
    return st.tuples(*parts).map(lambda ps: [t for p in ps for t in p])


WIDTH_FLAGS = {"--eps": NUMBER_TEXT, "--R": NUMBER_TEXT, "--H": INT_TEXT, "--d": INT_TEXT, "--C-H": NUMBER_TEXT,
               "--G": NUMBER_TEXT, "--preact-bound": NUMBER_TEXT, "--output-bound": NUMBER_TEXT, "--p-a": NUMBER_TEXT,
               "--a-R": NUMBER_TEXT, "--a-H": NUMBER_TEXT, "--a-eps": NUMBER_TEXT, "--C-m": NUMBER_TEXT,
               "--loss": st.sampled_from(["hinge", "logistic", "squared", "absolute", "l1", ""]),
               "--activation": st.sampled_from(["softplus", "tanh", "sigmoid", "erf", "relu", "relu2", "x"]),
               "--theorem": st.sampled_from(["C1", "C3", "c1", "C9"]),
               "--scaling": st.sampled_from(["per-layer-R", "per-layer-R-over-sqrt-m", "R"])}
SENSIBLE_WIDTH = st.fixed_dictionaries(
    {"--eps": st.sampled_from(["0.05", "0.1", "0.3", "1e-10", "1e-300"]), "--R": st.sampled_from(["2", "1", "0.5", "1e14"]),
     "--H": st.sampled_from(["1", "1", "2", "3"]), "--loss": st.sampled_from(["hinge", "logistic", "absolute"]),
     "--activation": st.sampled_from(["softplus", "tanh", "sigmoid", "erf"])},
    optional={"--C-H": st.sampled_from(["1", "2.5"]), "--d": st.sampled_from(["2", "10", "1000"]),
              "--theorem": st.sampled_from(["C1", "C3"]), "--a-R": st.sampled_from(["2", "4", "8"]),
              "--a-eps": st.sampled_from(["1", "2", "6"]), "--C-m": st.sampled_from(["1", "100"]),
              "--p-a": st.sampled_from(["0.01", "0.2"]), "--G": st.sampled_from(["1", "3"])})


@st.composite
def width_argv(draw):
    """Sensible width questions, each with at most one adversarial change (a value, a missing flag, a junk
    token), so that both answers (exit 0) and every kind of refusal (exit 2) are exercised."""
    flags = dict(draw(SENSIBLE_WIDTH))
    if flags["--H"] != "1" and draw(st.booleans()):
        flags["--C-H"] = "1"
    change = draw(st.sampled_from(["none", "none", "value", "drop", "junk"]))
    if change == "value":
        flag = draw(st.sampled_from(sorted(WIDTH_FLAGS)))
        flags[flag] = draw(WIDTH_FLAGS[flag])
    elif change == "drop":
        flags.pop(draw(st.sampled_from(sorted(flags))))
    argv = ["width"] + [t for kv in flags.items() for t in kv] + (["--json"] if draw(st.booleans()) else [])
    return argv + (draw(FREE) if change == "junk" else [])


WIDTH = width_argv()
SHOW_LIST = st.one_of(_concat([st.just(["show"]), ID_TEXT.map(lambda i: [i]), FREE]),
                      _concat([st.just(["list"]), _flag("--json"), FREE]),
                      _concat([st.sampled_from([["--version"], ["--help"], [], ["frobnicate"], ["show"]]), FREE]))
RUN_OPTIONS = [_opt("--tier", st.sampled_from(["fast", "full", "medium"])),
               _opt("--only", ID_TEXT), _opt("--seed", INT_TEXT), _opt("--workers", INT_TEXT),
               _opt("--device", st.sampled_from(["cpu", "cuda", "tpu"])), _flag("--quiet"), _flag("--verbose"),
               st.one_of(st.just([]), st.just([]), st.just([]), st.sampled_from(
                   [["--scheduler", "tcp://127.0.0.1:1"], ["--scheduler", "not an address"], ["--scheduler", ""]]))]
RUN_VERBS = st.one_of(
    _concat([st.just(["check"]), *RUN_OPTIONS, _opt("--json", PATH_TEXT), _opt("--junit", PATH_TEXT),
             _flag("--strict"), FREE]),
    _concat([st.just(["report"]), *RUN_OPTIONS, _opt("--out", PATH_TEXT), _flag("--force"),
             _opt("--from-ledger", PATH_TEXT), _opt("--cache-dir", PATH_TEXT), _flag("--no-cache"), FREE]),
    _concat([st.just(["selftest"]), *RUN_OPTIONS, FREE]))

TOML_VALUE = st.one_of(st.sampled_from(['0.05', '1e-300', '-1', '0', '2', '"hinge"', '"softplus"', '"C1"', '"C3"',
                                        'true', '[]', '{}', 'nan', 'inf', '10' * 30, '"l2"', '"linf"', '""', '1.5']),
                       st.integers(-10, 10**60).map(str), st.floats().map(repr).filter(lambda s: "e" not in s))
TEMPLATES = {
    "width": {"theorem": '"C1"', "m": "1000000", "eps": "0.05", "R": "2", "H": "1", "loss": '"hinge"',
              "activation": '"softplus"'},
    "exponents": {"theorem": '"C1"', "a_R": "4", "a_eps": "2"},
    "vc-count": {"n": "100", "d": "10", "norm": '"l2"', "rho": "0.9", "vc": "250"},
}
VALID_WIDTH = ('[[claim]]\nname = "w"\nkind = "width"\nm = {m}\neps = {eps}\nR = 2\nH = 1\nloss = "hinge"\n'
               'activation = "softplus"\n')


@st.composite
def claim_entry(draw, index):
    """One [[claim]] entry of a kind, with at most one field changed, dropped or added."""
    kind = draw(st.sampled_from(sorted(TEMPLATES)))
    fields = {"name": f'"entry {index}"', "kind": f'"{kind}"', **TEMPLATES[kind]}
    change = draw(st.sampled_from(["none", "value", "value", "drop", "extra"]))
    keys = sorted(fields) + ["H", "C_H", "scaling", "d", "rho", "a_R", "m", "eps", "extra"]
    if change == "value":
        fields[draw(st.sampled_from(keys))] = draw(TOML_VALUE)
    elif change == "drop":
        fields.pop(draw(st.sampled_from(sorted(fields))))
    elif change == "extra":
        fields["unexpected"] = draw(TOML_VALUE)
    return "[[claim]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())


TOML_TEXT = st.one_of(
    st.integers(1, 3).flatmap(lambda n: st.tuples(*[claim_entry(k) for k in range(n)])).map("\n".join),
    st.integers(1, 3).flatmap(lambda n: st.tuples(*[claim_entry(k) for k in range(n)])).map("\n".join),
    st.tuples(st.sampled_from(["1000000", "10" * 25]), st.sampled_from(["0.05", "1e-300", "1e-10"]))
    .map(lambda t: VALID_WIDTH.format(m=t[0], eps=t[1])),
    st.text(max_size=200), st.sampled_from(["", "[[claim]]", "x = [", "\x00\x01", "kind = 'width'"]))


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in sorted(root.rglob("*"))}


def _stub_run_claims(claims, ctx, on_check=None):
    results = []
    for claim in claims:
        ev = Evidence(claim_id=claim.id, check_id=f"{claim.id}-stub", tier=ctx.tier)
        ev.compare("stub", 0.0, 1.0, "<=")
        results.append(ClaimResult(claim, [judge(ev)]))
    return results


def _stub_run_check(claim, spec, ctx, **parameters):
    ev = Evidence(claim_id=claim.id, check_id=spec.id, tier=ctx.tier)
    ev.compare("stub", 2.0, 1.0, "<=")
    return judge(ev)


@contextlib.contextmanager
def _sandbox(toml_text: str | None = None):
    """A fresh working directory holding a committed-style reports/ and (optionally) claims.toml."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        (root / "reports" / "figures").mkdir(parents=True)
        (root / "reports" / "report.md").write_text("committed ![f](figures/f.png)")
        (root / "reports" / "figures" / "f.png").write_bytes(b"png")
        (root / "reports" / "my_notes.txt").write_text("mine")
        (root / "reports" / "ledger.json").write_text('{"schema": "advaudit.ledger", "schema_version": 1}')
        if toml_text is not None:
            (root / "claims.toml").write_text(toml_text, encoding="utf-8", errors="surrogatepass")
        mp.chdir(root)
        mp.setattr(sweep, "SCHEDULER_TIMEOUT_S", 1.0)
        mp.setattr("audit.commands.check.run_claims", _stub_run_claims)
        mp.setattr("audit.commands.report.run_claims", _stub_run_claims)
        mp.setattr("audit.commands.selftest.run_check", _stub_run_check)
        yield root


def _names_reports(argv, root: Path) -> bool:
    """Does argv name reports/ explicitly: --out reports with --force, or an output file inside it?"""
    named = [argv[k + 1] for k in range(len(argv) - 1) if argv[k] in ("--json", "--junit")]
    if "--force" in argv:
        named += [argv[k + 1] for k in range(len(argv) - 1) if argv[k] == "--out"]
    reports = (root / "reports").resolve()
    for path in named:
        try:
            target = (root / path).resolve()
        except (OSError, ValueError):
            continue
        if target == reports or reports in target.parents:
            return True
    return False


def _run_and_check(argv, root: Path) -> int:
    before, reports = _snapshot(root), _snapshot(root / "reports")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    text = out.getvalue() + err.getvalue()
    assert status in (0, 1, 2), (argv, status, text[-2000:])
    assert "Traceback" not in text and "internal error" not in err.getvalue(), (argv, text[-2000:])
    if status == 2:
        assert err.getvalue().count("\n") <= 1, (argv, err.getvalue())
        assert _snapshot(root) == before, (argv, "wrote files on exit 2")
    after = _snapshot(root / "reports")
    if _names_reports(argv, root):
        assert after.get("my_notes.txt") == b"mine", (argv, "deleted a user's file in reports/")
    else:
        assert all(after.get(k) == v for k, v in reports.items()), (argv, "touched reports/ without naming it")
    return status


FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(argv=st.one_of(SHOW_LIST, WIDTH))
@example(argv=["width", "--eps", "1e-10", "--R", "2", "--H", "1", "--loss", "hinge", "--activation", "softplus"])
@example(argv=["width", "--eps", "0.05", "--R", "1e14", "--H", "1", "--loss", "hinge", "--activation", "softplus"])
@example(argv=["width", "--eps", "0.05", "--R", "2", "--H", "2", "--loss", "hinge", "--activation", "softplus"])
@example(argv=["show", "c1"])
@example(argv=["show", "C1-conv"])
@example(argv=["show", "C0-surrogate"])
@example(argv=["show", "C"])
@example(argv=["--version"])
def test_list_show_width_keep_the_exit_status_promise(argv):
    with _sandbox() as root:
        _run_and_check(argv, root)


@FUZZ
@given(toml_text=TOML_TEXT, json_out=st.one_of(st.just([]), st.just(["--json"]), PATH_TEXT.map(lambda p: ["--json", p])))
@example(toml_text=VALID_WIDTH.format(m="1" + "0" * 50, eps="1e-300"), json_out=[])
@example(toml_text=VALID_WIDTH.format(m="1000000", eps="0.05"), json_out=["--json", "/proc/l.json"])
@example(toml_text=VALID_WIDTH.format(m="1000000", eps="0.05"), json_out=["--json", "claims.toml"])
def test_audit_keeps_the_exit_status_promise(toml_text, json_out):
    with _sandbox(toml_text) as root:
        _run_and_check(["audit", "claims.toml", *json_out], root)


@FUZZ
@given(argv=RUN_VERBS)
@example(argv=["check", "--workers", "0"])
@example(argv=["check", "--workers", "-3", "--only", "C10"])
@example(argv=["check", "--device", "cuda", "--only", "c5"])
@example(argv=["check", "--json", "/proc/l.json", "--quiet"])
@example(argv=["check", "--json", "/dev/null"])
@example(argv=["check", "--json", "out.json", "--junit", "./out.json"])
@example(argv=["report", "--only", "C9", "--quiet"])
@example(argv=["report", "--out", "reports", "--only", "C9"])
@example(argv=["report", "--out", "reports", "--force", "--only", "L1", "--quiet"])
@example(argv=["report", "--out", "/proc", "--force"])
@example(argv=["report", "--scheduler", "tcp://127.0.0.1:1"])
@example(argv=["selftest", "--workers", "0"])
@example(argv=["selftest", "--only", "C0", "--quiet"])
def test_check_report_selftest_validate_before_any_work(argv):
    with _sandbox() as root:
        _run_and_check(argv, root)
