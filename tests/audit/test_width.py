"""`advaudit width`: numbers with provenance, JSON, printed exponents, light imports, bad input → one line, exit 2."""
import json
import subprocess
import sys

import pytest

from audit import cli

BASE = ["width", "--eps", "0.05", "--R", "2", "--H", "2", "--loss", "hinge", "--activation", "softplus", "--C-H", "1"]


def test_prints_requirements_with_provenance(capsys):
    assert cli.main(BASE) == 0
    out = capsys.readouterr().out
    for needle in ("m = 230,400", "α = 0.000371983", "T = 645,191", "δ_fail ≤", "H·exp(−m/2) + exp(−m/8)",
                   "P = d·m + (H−1)·m² = 53,086,464,000", "[derived]", "[user]", "a_R = 4", "a_ε = 2"):
        assert needle in out, needle


def test_two_layer_also_prints_c3_and_json_is_parseable(capsys):
    assert cli.main(["width", "--eps", "0.1", "--R", "1", "--H", "1", "--loss", "logistic", "--activation", "tanh",
                     "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["theorem"] for r in rows] == ["C1", "C3"]
    assert rows[1]["m"] > rows[0]["m"] and rows[1]["R_prime"] > 0
    assert {c["name"]: c["provenance"] for c in rows[0]["constants"]}["C_H"] == "derived"


def test_user_values_and_printed_exponents(capsys):
    assert cli.main(BASE[:-2] + ["--C-H", "2", "--a-R", "2", "--scaling", "per-layer-R-over-sqrt-m"]) == 0
    out = capsys.readouterr().out
    assert "[user]" in out and "ball scaling per-layer-R-over-sqrt-m" in out and "flagged" not in out
    assert cli.main(BASE + ["--a-R", "2"]) == 0
    assert "flagged: a_R: derived requirement 4 > printed 2" in capsys.readouterr().out


@pytest.mark.parametrize("extra, needle", [
    (["--eps", "0"], "--eps: must be in (0, 1)"), (["--eps", "1"], "--eps: must be in (0, 1)"),
    (["--R", "-1"], "--R: must be > 0"), (["--H", "0"], "--H: must be an integer ≥ 1"),
    (["--activation", "relu"], "--activation: activation 'relu' is not smooth"),
    (["--activation", "swish"], "--activation: unknown activation"), (["--loss", "l1"], "--loss: unknown loss"),
    (["--activation", "relu2"], "--preact-bound"), (["--scaling", "R"], "--scaling: unknown ball scaling"),
    (["--eps", "x"], "invalid float value"),
    (["--theorem", "C3", "--H", "1", "--scaling", "per-layer-R-over-sqrt-m"], "--scaling: C3 (no projection)"),
    (["--theorem", "C3"], "--H: C3 is the two-layer theorem"),
])
def test_bad_input_is_one_line_exit_2(extra, needle, capsys):
    argv = list(BASE)
    for flag, value in zip(extra[::2], extra[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    try:
        status = cli.main(argv)
    except SystemExit as exc:   # argparse type errors
        status = exc.code
    err = capsys.readouterr()
    assert status == 2 and err.out == ""
    assert err.err.count("\n") == 1 and needle in err.err and "Traceback" not in err.err


def test_deep_networks_need_c_h_instead_of_a_silent_placeholder(capsys):
    assert cli.main(BASE[:-2]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--C-H is required for H ≥ 2" in err


@pytest.mark.parametrize("extra, needles", [
    (["--eps", "1e-10", "--H", "1"], ["m = 4.67365e+23", "T = 1.95388e+21", "R' = 8.84053e+10"]),
    (["--R", "1e14", "--H", "1"], ["m = ", "e+"]),
    (["--eps", "1e-300", "--R", "1e300"], ["m = ", "e+", "δ_fail ≤ 10^(-"]),
])
def test_huge_requirements_are_answered_in_scientific_notation(extra, needles, capsys):
    argv = BASE[:-2]
    for flag, value in zip(extra[::2], extra[1::2]):
        argv[argv.index(flag) + 1] = value
    argv += ["--C-H", "1"] if argv[argv.index("--H") + 1] != "1" else []
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in needles), out
    assert cli.main(argv + ["--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(isinstance(r["m"], int) and r["m"] > 10**20 for r in rows)


def test_json_keeps_unicode(capsys):
    assert cli.main(BASE + ["--json"]) == 0
    out = capsys.readouterr().out
    assert "‖" in out and "\\u" not in out


def test_command_path_avoids_heavy_imports():
    code = ("import sys, argparse; from audit.commands import width; p = argparse.ArgumentParser(); "
            "width.add_arguments(p); width.run(p.parse_args(sys.argv[1:])); "
            "print(sorted(m for m in ('torch', 'numerics', 'cvxpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *BASE[1:]], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("[]"), out.stderr
