"""The machinery of ``make compat`` (compat/), without the network: the import alias, the
README's list of deliberate differences, the verdict, and the comparison of printed output."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"chainrule_compat_{name}",
                                                  ROOT / "compat" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load("run")
examples_check = _load("examples_check")


def test_the_alias_maps_every_autograd_module_to_chainrules_own():
    code = ("import autograd_alias, chainrule, chainrule.numpy.linalg, chainrule.extend\n"
            "import autograd, autograd.numpy as anp, autograd.numpy.linalg as alg\n"
            "from autograd.extend import primitive\n"
            "from autograd.numpy.numpy_vjps import unbroadcast_f\n"
            "assert autograd is chainrule and anp is chainrule.numpy\n"
            "assert alg is chainrule.numpy.linalg and primitive is chainrule.extend.primitive\n"
            "import chainrule.numpy.numpy_vjps as v; assert unbroadcast_f is v.unbroadcast_f\n"
            "try:\n    import autograd.no_such_module\nexcept ModuleNotFoundError:\n    pass\n"
            "else:\n    raise AssertionError('a missing module imported')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={"PYTHONPATH": str(ROOT / "compat"),
                                           "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr


def test_the_readme_lists_each_difference_on_one_line_with_its_reason():
    diffs = run.deliberate_differences()
    assert diffs and all("::" in k and len(v) > 20 for k, v in diffs.items())
    assert "test_fft.py::test_rfftn_odd_not_implemented" in diffs


def _outcomes(**kw):
    return {k: {"outcome": v} for k, v in kw.items()}


def test_the_verdict(capsys, monkeypatch):
    monkeypatch.setattr(run, "N_TESTS", 3)
    listed = {"t.py::b": "a reason"}
    assert run.summarize({"t.py::a": {"outcome": "passed"}, "t.py::b": {"outcome": "failed"},
                          "t.py::c": {"outcome": "passed"}}, listed) == 0
    assert "2 passed / 1 failed / 0 errors of 3" in capsys.readouterr().out
    # a failure not listed, a listed test that passes, a test that did not run: each fails
    assert run.summarize({"t.py::a": {"outcome": "failed"}, "t.py::b": {"outcome": "failed"},
                          "t.py::c": {"outcome": "passed"}}, listed) == 1
    assert run.summarize({"t.py::a": {"outcome": "passed"}, "t.py::b": {"outcome": "passed"},
                          "t.py::c": {"outcome": "passed"}}, listed) == 1
    assert run.summarize({"t.py::a": {"outcome": "passed"}, "t.py::b": {"outcome": "failed"}},
                         listed) == 1


@pytest.mark.parametrize("want, got, same", [
    ("x = 1.0000000001\n", "x = 1.0000000002\n", True),
    ("x = 1.0\n", "x = 1.1\n", False),
    ("x = 1.0\n", "y = 1.0\n", False),
    ("a\nb\n", "a\n", False),
])
def test_printed_output_is_compared_text_and_numbers(want, got, same):
    assert (examples_check.compare(want, got) is None) is same
