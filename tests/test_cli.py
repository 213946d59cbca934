"""The derivlab command: every command, --json read back, --trace, mistyped input."""

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("typer")
from typer.testing import CliRunner  # noqa: E402

from derivlab.cli import app  # noqa: E402

runner = CliRunner()


def run(*args):
    res = runner.invoke(app, list(args))
    assert "Traceback" not in res.output
    return res


def test_diff_json_matches_the_exact_value():
    res = run("diff", "3*x*exp(x)", "--at", "x=2", "--json")
    assert res.exit_code == 0
    out = json.loads(res.output)
    assert out["success"] and out["status"] == "OK"
    assert abs(out["value"] - 9 * np.exp(2)) <= out["error"]
    assert out["exact"] == pytest.approx(9 * np.exp(2), rel=1e-15)


@pytest.mark.parametrize("args,expected", [
    (("grad", "2*x + 3*x*y + y^3", "--at", "x=1,y=2"), [8.0, 15.0]),
    (("grad", "2*x + 3*x*y + y^3", "--at", "1,2", "--method", "symbolic"), [8.0, 15.0]),
    (("hessian", "x^2*y + exp(y)", "--at", "x=1,y=0"), [[0.0, 2.0], [2.0, 1.0]]),
    (("jacobian", "x*y", "y^2", "--at", "x=1,y=2"), [[2.0, 1.0], [0.0, 4.0]]),
    (("diff", "x^3", "--at", "x=2", "--order", "3"), 6.0),
    (("diff", "sin(x)", "--at", "x=pi/2", "--method", "forward", "--step", "1e-6"), 0.0),
])
def test_commands_give_the_right_numbers(args, expected):
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    err = np.asarray(out["error"], dtype=float)
    bar = np.where(np.isfinite(err), err, 1e-6)  # (a fixed step has no error estimate)
    assert np.all(np.abs(np.asarray(out["value"]) - expected) <= bar + 1e-12)


def test_text_output_shows_value_error_and_exact():
    res = run("grad", "(x**3 + 4*x)*exp(y)*sin(z)", "--at", "x=4,y=5,z=1")
    assert res.exit_code == 0
    for text in ("d/dx", "d/dz", "6494.03909172", "exact (SymPy)", "evaluations"):
        assert text in res.output


def test_trace_shows_every_evaluation():
    res = run("diff", "x^2", "--at", "x=3", "--trace", "--json")
    out = json.loads(res.output)
    assert len(out["trace"]) == out["nfev"] - 1  # every point but f(x) itself
    text = run("diff", "x^2", "--at", "x=3", "--trace").output
    assert "every evaluation of f" in text and "level" in text


def test_compare_and_check():
    res = run("compare", "(x**3 + 4*x)*exp(y)*sin(z)", "--at", "x=4,y=5,z=1", "--json")
    out = json.loads(res.output)
    assert res.exit_code == 0 and out["reference"] == "symbolic (exact)"
    assert run("check", "x^2*y", "-g", "2*x*y", "-g", "x^2", "--at", "x=1,y=2").exit_code == 0
    bad = run("check", "x^2*y", "-g", "2*x", "-g", "x^2", "--at", "x=1,y=2")
    assert bad.exit_code == 1 and "'x'" in bad.output and "1/2" in bad.output


@pytest.mark.parametrize("args,code,message", [
    (("diff", "sin(x", "--at", "x=1"), 2, "'(' is never closed"),
    (("diff", "sin(x)", "--at", "y=1"), 2, "--at misses x; has y"),
    (("grad", "x*y", "--at", "x=1"), 2, "--at misses y"),
    (("grad", "x*y", "--at", "1"), 2, "--at has 1 value(s) for the 2 variable(s)"),
    (("diff", "sin(x)", "--at", "x=1,x=2"), 2, "gives 'x' twice"),
    (("diff", "sin(x)", "--at", "x=abc"), 2, "a value in --at must be a number"),
    (("diff", "sin(x)", "--at", "x=1", "--step", "0"), 2, "step must be positive"),
    (("diff", "sin(x)", "--at", "x=1", "--method", "centrall"), 2, "method must be one of"),
    (("diff", "__import__('os')", "--at", "x=1"), 2, "not allowed"),
    (("diff", "x*y", "--at", "x=1,y=2"), 2, "diff needs one variable"),
    (("diff", "abs(x)", "--at", "x=0"), 1, "NOT_SMOOTH"),
    (("diff", "sqrt(x)", "--at", "x=-1"), 1, "NONFINITE"),
    (("diff", "sin(x)", "--at", "x=1", "--metod", "central"), 2, "No such option"),
    (("integrate", "sin(x)"), 2, "No such command"),
    (("diff", "sin(x)"), 2, "Missing option"),
])
def test_mistyped_input_one_message_and_exit_code(args, code, message):
    res = run(*args)
    assert res.exit_code == code, res.output
    assert message in res.output


def test_help_version_and_subprocess():
    for cmd in ("diff", "grad", "jacobian", "hessian", "compare", "check"):
        assert "Example" in run(cmd, "--help").output
    assert run("--version").output.startswith("derivlab ")
    proc = subprocess.run([sys.executable, "-m", "derivlab", "diff", "sin(x", "--at", "x=1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip() == "error: '(' is never closed (at column 4)"
    proc = subprocess.run([sys.executable, "-m", "derivlab", "grad", "x^2 + y^2", "--at", "3,4",
                           "--json"], capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["value"] == pytest.approx([6, 8])


def test_tour_is_the_main_job():
    res = run("tour")
    assert res.exit_code == 0 and "66.50150507518049" in res.output and "+/-" in res.output


@pytest.mark.parametrize("args", [
    ("plot", "tangent", "3*x*exp(x)", "--at", "x=1"),
    ("plot", "field", "x^2 + 3*y^2", "--xlim", "-1,1", "--ylim", "-1,1"),
    ("plot", "error-vs-step", "exp(x)", "--at", "x=0.5"),
    ("descent", "(x-1)^2 + 3*(y+2)^2", "--at", "x=0,y=0", "--tol", "1e-6"),
    ("plot", "contour", "sin(x)*y", "--workers", "2"),
])
def test_pictures_are_written(args, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "pic.png"
    res = run(*args, "-o", str(out))
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 5000 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_descent_json_and_divergence():
    out = json.loads(run("descent", "(x-1)^2 + 3*(y+2)^2", "--at", "x=0,y=0", "--tol", "1e-8",
                         "--json").output)
    assert out["status"] == "converged"
    assert np.allclose(np.asarray(out["path"])[-1], [1, -2], atol=1e-7)
    bad = run("descent", "(x-1)^2 + 3*(y+2)^2", "--at", "x=0,y=0", "--lr", "0.5")
    assert bad.exit_code == 1 and "lr = 0.5 too large" in bad.output


def test_explore_writes_a_page(tmp_path):
    pytest.importorskip("plotly")
    out = tmp_path / "page.html"
    res = run("explore", "3*x*exp(x)", "--at", "x=1", "-o", str(out))
    assert res.exit_code == 0 and "plotly" in out.read_text()[:200000].lower()
    assert run("explore", "x^2", "--at", "x=1", "-o", str(tmp_path / "p.txt")).exit_code == 2
    with_pool = tmp_path / "pool.html"
    res = run("explore", "3*x*exp(x)", "--at", "x=1", "-o", str(with_pool), "--workers", "2")
    assert res.exit_code == 0 and "plotly" in with_pool.read_text()[:200000].lower()


@pytest.mark.parametrize("args,message", [
    (("plot", "surfce", "x^2", "-o", "a.png"), "unknown plot 'surfce'"),
    (("plot", "tangent", "x^2", "-o", "a.png"), "needs --at"),
    (("plot", "surface", "x*y*z", "-o", "a.png"), "needs f of 2 variables"),
    (("plot", "contour", "x*y", "--xlim", "1", "-o", "a.png"), "--xlim must be two values"),
])
def test_plot_mistakes(args, message):
    pytest.importorskip("matplotlib")
    res = run(*args)
    assert res.exit_code == 2 and message in res.output
