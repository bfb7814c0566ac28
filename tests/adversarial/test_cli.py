"""``chainrule trace`` and ``chainrule demo`` as an adversary and an unlucky user use them:
huge literals, allocations beyond the size budget, input names that are trace's own
keywords, division by zero, formulas that look like options, closed pipes, graph files
that must not be overwritten or written through a link, demos that fail half-way."""

import os
import resource
import subprocess
import sys
import types

import pytest

from chainrule import cli, explain
from chainrule.explain import graph as graph_mod

LECTURE = "y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)"
AT = ["--at", "w0=0.5", "w1=2", "x=1.5"]
HUGE = "1" + "0" * 400


def run(capsys, *argv):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ---------------------------------------------------------------------------
# Numbers that are not 64-bit floats
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["trace", f"x * {HUGE}", "--at", "x=1"], "401-digit integer, too large"),
    (["trace", "x * 1e400", "--at", "x=1"], "beyond about 1.8e308"),
    (["trace", "x", "--at", f"x={HUGE}"], "too large for a 64-bit float"),
    (["trace", "x", "--at", f"x=1,{HUGE}"], "too large for a 64-bit float"),
    (["trace", "x", "--at", "x=1e999"], "too large for a 64-bit float"),
    (["trace", "x", "--at", "x=[[1, 2], [3]]"], "rectangular"),
])
def test_numbers_beyond_float64_are_errors_not_tracebacks(capsys, argv, message):
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == "" and message in err and "Traceback" not in err


# ---------------------------------------------------------------------------
# The size budget, checked from the shapes before computing
# ---------------------------------------------------------------------------

def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_broadcast_beyond_the_budget_is_refused_before_allocating(capsys):
    column = "[" + ",".join(["[1]"] * 20000) + "]"
    vector = ",".join(["1"] * 60000)
    before = _rss_mib()
    rc, out, err = run(capsys, "trace", "y = x * z", "--at", f"x={vector}", f"z={column}")
    assert rc == 2 and out == ""
    assert "(20000, 60000)" in err and "size budget of 1,000,000" in err
    assert "--max-elements" in err
    assert _rss_mib() - before < 500  # 9 GiB would have been tried
    rc, _, err = run(capsys, "trace", "x * z", "--at", "x=1,2,3", "z=1,2")
    assert rc == 2 and "do not fit together" in err


def test_the_jacobian_of_mode_all_is_in_the_budget(capsys):
    vector = ",".join(["0.5"] * 60000)
    rc, out, err = run(capsys, "trace", "y = sin(x)", "--at", f"x={vector}", "--mode", "all")
    assert rc == 2 and "would store 120,000,000 numbers" in err and "--mode both" in err
    rc, out, err = run(capsys, "trace", "y = sin(x)", "--at", f"x={vector}", "--mode", "both",
                       "--max-rows", "3")
    assert rc == 0, err  # the tables of a 60,000-vector are fine
    rc, out, err = run(capsys, "trace", "y = sin(x)", "--at", "x=1,2,3", "--mode", "all",
                       "--max-elements", "10")
    assert rc == 2 and "size budget of 10" in err
    with pytest.raises(SystemExit):
        cli.main(["trace", "y = sin(x)", "--at", "x=1", "--max-elements", "0"])
    assert "expected a positive integer" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Inputs named like trace's own keywords
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["f", "names", "output_names", "constants", "merge"])
def test_inputs_named_like_trace_keywords(capsys, name):
    rc, out, err = run(capsys, "trace", f"y = {name} * 2", "--at", f"{name}=3",
                       "--mode", "reverse")
    assert rc == 0, err
    assert f"∂y/∂{name} = ā1 = 2" in out


def test_explain_trace_routes_colliding_keywords_to_the_function():
    ex = explain.trace(lambda f, names, merge: f * names * merge, f=2.0, names=3.0, merge=4.0)
    assert ex.inputs == ["f", "names", "merge"] and ex.graph.outputs[0][2] == 24.0
    # given positionally, the parameter is filled: the keyword is the option again
    ex = explain.trace(lambda x, merge: x * merge + x * merge, 1.0, 2.0, merge=False)
    assert len(ex.nodes) == 5  # not merged: two multiplications
    # a parameter with a default keeps the option meaning
    ex = explain.trace(lambda x, output_names=None: x * 2.0, 1.0, output_names="z")
    assert ex.outputs == ["z"]


# ---------------------------------------------------------------------------
# Division by zero, options, pipes
# ---------------------------------------------------------------------------

def test_division_by_zero_says_where(capsys):
    # A Python-number divisor divides as NumPy does (inf), like an array divisor below,
    # not with Python's ZeroDivisionError.
    rc, out, err = run(capsys, "trace", "y = sin(x) / 0", "--at", "x=1")
    assert rc == 0 and "warning: not finite at this point: a3 = a2 / 0 is inf" in err
    assert "RuntimeWarning" not in err
    rc, out, err = run(capsys, "trace", "y = x / z", "--at", "x=1,2", "z=1,0")
    assert rc == 0 and "warning: not finite at this point: a3 = a1 / a2 is inf" in err


def test_a_formula_starting_with_a_minus_gets_a_hint(capsys):
    for argv in (["trace", "-x*x", "--at", "x=1"], ["trace", "--at", "x=1", "-x*x"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        assert "must come after '--'" in capsys.readouterr().err
    rc, out, _ = run(capsys, "trace", "--at", "x=1", "--", "-x*x")
    assert rc == 0 and "a2 = −a1" in out.replace("-", "−")


def test_a_closed_pipe_ends_quietly():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.join(os.path.dirname(__file__), "..", "..", "src"),
         os.environ.get("PYTHONPATH", "")]), PYTHONIOENCODING="utf-8")
    code = ("import sys; from chainrule import cli; "
            "sys.exit(cli.main(['trace', 'y = sum(sin(x))', '--at', 'x=' + ','.join(['1'] * 3000),"
            " '--max-rows', '100000']))")
    # A reader that is gone before the first write, as after `head -c 0`: the output (about
    # 2 KB) would fit in a pipe's buffer, so a reader that closes later could lose the race to
    # a child that has already written everything and exited 0.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        child = subprocess.Popen([sys.executable, "-c", code], stdout=write_end,
                                 stderr=subprocess.PIPE, env=env)
    finally:
        os.close(write_end)
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141
    assert "BrokenPipeError" not in err and "Traceback" not in err, err


# ---------------------------------------------------------------------------
# Graph files
# ---------------------------------------------------------------------------

def test_graph_fallback_never_overwrites_a_dot_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    mine = tmp_path / "g.dot"
    mine.write_text("my own graph")
    rc, out, err = run(capsys, "trace", LECTURE, *AT, "--graph", str(tmp_path / "g.svg"))
    assert rc == 1 and mine.read_text() == "my own graph"
    assert "Not writing the DOT text" in err and "that file exists" in err
    assert sorted(os.listdir(tmp_path)) == ["g.dot"]


def test_graph_through_a_link_is_refused(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "link.dot")
    rc, _, err = run(capsys, "trace", LECTURE, *AT, "--graph", str(tmp_path / "link.dot"))
    assert rc == 1 and "symbolic link" in err and victim.read_text() == "precious"


# ---------------------------------------------------------------------------
# Demos: a link among the figures, a failed rerun, an empty --out
# ---------------------------------------------------------------------------

def _fake_demo(fail=False):
    """A demo that draws one figure, cost.png, then fails or returns its report."""
    def run_demo(args):
        from matplotlib.figure import Figure

        from chainrule.demos.common import save_figure
        save_figure(Figure(figsize=(1, 1)), args.out / "cost.png", dpi=20)
        if fail:
            raise RuntimeError("failed half-way")
        return {"numbers": {"x": 1}, "figures": [{"file": "cost.png", "caption": "A cost."}]}
    return types.SimpleNamespace(NAME="fake", HELP="a fake demo", add_arguments=lambda p: None,
                                 run=run_demo)


def _args():
    return types.SimpleNamespace(seed=0, quick=True, progress=False)


def test_a_failed_rerun_leaves_the_previous_run_untouched(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "d"
    cli._run_one(_fake_demo(), _args(), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["cost.png", "report.json"]
    (out / "cost.png").write_bytes(b"the old figure")
    before["cost.png"] = b"the old figure"
    with pytest.raises(RuntimeError, match="half-way"):
        cli._run_one(_fake_demo(fail=True), _args(), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_link_among_the_figures_is_refused(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from chainrule.fileio import UnsafePathError
    victim = tmp_path / "outside.png"
    victim.write_bytes(b"precious")
    out = tmp_path / "d"
    out.mkdir()
    os.symlink(victim, out / "cost.png")
    with pytest.raises(UnsafePathError, match="symbolic link"):
        cli._run_one(_fake_demo(), _args(), out)
    assert victim.read_bytes() == b"precious" and sorted(os.listdir(out)) == ["cost.png"]


def test_an_empty_out_is_refused(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "iris", "--out", ""])
    assert "--out is empty" in capsys.readouterr().err
