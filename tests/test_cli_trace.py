"""``chainrule trace``: the command line, its formula whitelist and its graph output."""

import builtins
import os
import re
import shutil
import subprocess
import sys

import pytest

from chainrule import cli
from chainrule.explain import ExpressionError, compile_expression
from chainrule.explain import graph as graph_mod

LECTURE = "y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)"
AT = ["--at", "w0=0.5", "w1=2", "x=1.5"]


def run(capsys, *argv):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_lecture_from_the_command_line(capsys):
    rc, out, err = run(capsys, "trace", LECTURE, *AT, "--wrt", "w1", "--output", "y2",
                       "--mode", "both")
    assert rc == 0, err
    for line in ["a1 = w0", "a2 = w1", "a3 = x", "a4 = a2 × a3", "a5 = a4 + a1",
                 "a6 = sin(a5)", "a7 = cos(a5)", "ȧ6 = ȧ5 · cos(a5)", "ȧ7 = −ȧ5 · sin(a5)",
                 "ā5 = ā6 · cos(a5) − ā7 · sin(a5)", "∂y2/∂w1 = ȧ7 = 0.526175",
                 "∂y2/∂w1 = ā2 = 0.526175"]:
        assert line in out, line
    assert "a8" not in out  # w1*x + w0, written twice, is one node
    assert "Jacobian" not in out


def test_modes_and_formats(capsys):
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--mode", "trace")
    assert rc == 0 and "Evaluation trace" in out and "Forward mode" not in out
    assert "Reverse mode" not in out
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--mode", "forward")
    assert "Forward mode: ȧi = ∂ai/∂w0" in out and "Reverse mode" not in out
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--mode", "all")
    assert "2 backward passes instead of 3 forward passes" in out
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--mode", "reverse", "--cost")
    assert "Reverse mode wins" in out and "Forward mode:" not in out
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--format", "markdown")
    assert "| a4 = a2 × a3 | 3 |" in out
    rc, out, _ = run(capsys, "trace", LECTURE, *AT, "--format", "html")
    assert out.count("<table") == 3


def test_vectors_max_rows_and_unicode_operators(capsys):
    rc, out, _ = run(capsys, "trace", "y = sum(x × x) − mean(x)", "--at", "x=1,2,3",
                     "--mode", "reverse")
    assert rc == 0
    assert "a2 = a1 × a1" in out and "∂y/∂x = ā1 = 3 [1.66667, 3.66667, 5.66667]" in out
    rc, out, _ = run(capsys, "trace", "y = sin(sin(sin(sin(sin(sin(x))))))", "--at", "x=1",
                     "--max-rows", "4", "--mode", "trace")
    assert "3 rows not shown" in out


def test_intermediate_names_and_bare_formulas(capsys):
    rc, out, _ = run(capsys, "trace", "z = w1*x + w0; y1 = sin(z); y2 = cos(z)", *AT)
    assert rc == 0 and "a7 = cos(a5)" in out and "y2 = cos(w1 × x + w0)" in out
    assert compile_expression("z = w1*x + w0; y1 = sin(z); y2 = cos(z)").output_names == [
        "y1", "y2"]  # z is used, so it is not an output
    p = compile_expression("x * y")
    assert p.output_names == ["f"]  # "y" is an input already
    assert compile_expression("sin(x); cos(x)").output_names == ["y1", "y2"]


def test_python_dash_m(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.join(os.path.dirname(__file__), "..", "src"), os.environ.get("PYTHONPATH", "")]),
        PYTHONIOENCODING="utf-8")
    res = subprocess.run([sys.executable, "-m", "chainrule.cli", "trace", LECTURE, *AT,
                          "--mode", "trace"], capture_output=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr.decode()
    assert "a7 = cos(a5)" in res.stdout.decode("utf-8")


def test_docstring_examples():
    import doctest
    assert doctest.testmod(cli).failed == 0


def test_no_subcommand_prints_help(capsys):
    rc, out, _ = run(capsys)
    assert rc == 2 and "trace" in out


# ---------------------------------------------------------------------------
# The formula whitelist
# ---------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('touch pwned')", "attribute access"),
    ("__import__('os')", "names starting with '_'"),
    ("os.system('touch pwned')", "attribute access"),
    ("x.__class__.__bases__", "attribute access"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("import os", "import is not allowed"),
    ("from os import system", "import is not allowed"),
    ("(lambda: 1)()", "lambda is not allowed"),
    ("(1)(2)", "only allowed functions may be called"),
    ("lambda x: x", "lambda is not allowed"),
    ("[x for x in range(10)]", "comprehensions"),
    ("sum(x for x in range(10))", "comprehensions"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("eval('1+1')", "unknown function 'eval'"),
    ("exec('x=1')", "unknown function 'exec'"),
    ("getattr(x, 'real')", "unknown function 'getattr'"),
    ("__builtins__", "names starting with '_'"),
    ("x[0]", "indexing"),
    ("'abc' * 3", "only numbers are allowed"),
    ("f'{x}'", "f-strings"),
    ("sin(x=1)", "keyword arguments"),
    ("sin(*x)", r"'\*' unpacking"),
    ("x if x else 1", "conditional expressions"),
    ("(y := 3)", "':='"),
    ("x ^ 2", r"use \*\* for powers"),
    ("x @ x", "MatMult is not allowed"),
    ("x < 1", "comparisons"),
    ("def f(): pass", "function definitions"),
    ("x += 1", "augmented assignment"),
    ("sin = 3", "cannot assign to 'sin'"),
    ("sin + 1", "'sin' is a function"),
    ("a, b = 1, 2", "assign to one plain name"),
    ("x = 1; x = 2", "already has a value"),
    ("y = z + 1; z = 2", "already has a value"),
    ("sin(x, x)", "takes 1 argument"),
    ("1 +", "not a valid formula"),
    ("(" * 500 + "x" + ")" * 500, "not a valid formula|cannot be read"),
    ("-" * 100000 + "x", "longer than"),
    ("x" + "+x" * 6000, "longer than"),
    ("", "empty"),
]


@pytest.mark.parametrize("formula, message", HOSTILE, ids=[f[:40] for f, _ in HOSTILE])
def test_hostile_formulas_are_rejected(formula, message, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)

    def forbidden(*a, **k):
        raise AssertionError("eval/exec must never be called")
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    with pytest.raises(ExpressionError) as info:
        compile_expression(formula)
    assert re.search(message, str(info.value)), str(info.value)
    rc, out, err = run(capsys, "trace", "--at", "x=1", "--", formula)
    assert rc == 2 and out == ""
    assert err.startswith("chainrule trace: error:")
    assert not (tmp_path / "pwned").exists()


def test_rejections_say_where_and_what_is_allowed():
    with pytest.raises(ExpressionError, match=r"line 1, column 5.*Allowed: numbers"):
        compile_expression("1 + x.y")


def test_deeply_nested_but_valid_formula_is_fine():
    p = compile_expression("-" * 50 + "x")
    assert float(p(x=2.0)) == 2.0


def test_missing_and_bad_values(capsys):
    rc, _, err = run(capsys, "trace", LECTURE, "--at", "w0=1", "w1=2")
    assert rc == 2 and "'x' has no value: give it with --at x=VALUE" in err
    rc, _, err = run(capsys, "trace", "sin(x)", "--at", "x=__import__('os')")
    assert rc == 2 and "is not a number or a list of numbers" in err
    rc, _, err = run(capsys, "trace", "sin(x)", "--at", "x")
    assert rc == 2 and "NAME=VALUE" in err
    rc, _, err = run(capsys, "trace", "sin(x)", "--at", "x=1", "--wrt", "q")
    assert rc == 2 and "no input named 'q'" in err


def test_values_are_parsed_without_evaluating():
    assert cli.parse_value("1.5") == 1.5
    assert cli.parse_value("[[1, 2], [3, 4]]").shape == (2, 2)
    for bad in ["True", "'a'", "[1, 'a']", "1+1j", "(1).real", "2**10"]:
        with pytest.raises(ValueError):
            cli.parse_value(bad)


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------

def test_graph_as_dot_text(tmp_path, capsys):
    path = tmp_path / "g.dot"
    rc, _, err = run(capsys, "trace", LECTURE, *AT, "--graph", str(path), "--output", "y2")
    assert rc == 0, err
    dot = path.read_text(encoding="utf-8")
    assert "ā5 = 0.3508" in dot and "ȧ5" in dot  # mode both: tangents and adjoints


def test_graph_without_graphviz_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    path = tmp_path / "g.svg"
    rc, out, err = run(capsys, "trace", LECTURE, *AT, "--graph", str(path))
    assert rc == 1
    assert "a7 = cos(a5)" in out  # the tables are still printed
    assert "the Graphviz 'dot' program is not installed" in err
    assert "apt-get install graphviz" in err
    assert not path.exists() and (tmp_path / "g.dot").exists()
    assert f"Wrote the graph as DOT text to {tmp_path / 'g.dot'}" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_graph_svg(tmp_path, capsys):
    path = tmp_path / "g.svg"
    rc, _, err = run(capsys, "trace", LECTURE, *AT, "--wrt", "w1", "--mode", "both",
                     "--graph", str(path), "--show", "adjoint")
    assert rc == 0, err
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "a5 = a4 + a1" in svg and "ā5" in svg
