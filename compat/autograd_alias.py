"""``import autograd`` as chainrule: every ``autograd.X.Y`` is the very module
object ``chainrule.X.Y`` (so rule registries are shared, and
``autograd.numpy is chainrule.numpy``).

Three uses:

* a pytest plugin: ``python -m pytest -p autograd_alias`` (with this folder on
  ``PYTHONPATH``); with ``AUTOGRAD_COMPAT_REPORT=path`` set it also writes the
  outcome of every test to ``path`` as JSON (what ``compat/run.py`` reads);
* ``import autograd_alias`` before the code written for autograd;
* ``python compat/autograd_alias.py script.py [args]``: run a script written
  for autograd, unchanged.

No code of autograd is involved: only the names.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import runpy
import sys

SOURCE, TARGET = "autograd", "chainrule"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return None  # a placeholder module, replaced by exec_module

    def exec_module(self, module):
        # The import system returns what sys.modules holds once this returns:
        # the chainrule module itself, not the placeholder.
        sys.modules[module.__name__] = importlib.import_module(self.target)


class AutogradAlias(importlib.abc.MetaPathFinder):
    """Finds ``autograd`` and ``autograd.*`` as the chainrule modules of the same names."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != SOURCE and not fullname.startswith(SOURCE + "."):
            return None
        real = TARGET + fullname[len(SOURCE):]
        if real in sys.modules:
            found = True
        else:
            try:
                found = importlib.util.find_spec(real) is not None
            except ModuleNotFoundError:
                found = False
        if not found:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real), is_package=True)


def install():
    """Put the alias first on ``sys.meta_path`` (idempotent)."""
    if not any(isinstance(f, AutogradAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, AutogradAlias())


install()


# -- the pytest plugin: every test's outcome, for compat/run.py --------------

_OUTCOMES = {}


def pytest_collectreport(report):
    if report.failed:
        _OUTCOMES[report.nodeid] = {"outcome": "error", "when": "collect",
                                    "message": str(report.longrepr)[-2000:]}


def pytest_runtest_logreport(report):
    entry = _OUTCOMES.setdefault(report.nodeid, {"outcome": "passed"})
    if report.when == "call" and report.failed:
        entry.update(outcome="failed", message=str(report.longrepr)[-2000:])
    elif report.failed:  # setup or teardown
        entry.update(outcome="error", when=report.when, message=str(report.longrepr)[-2000:])
    elif report.when == "call" and report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
    elif report.when == "setup" and report.skipped:
        entry["outcome"] = "skipped"


def pytest_sessionfinish(session):
    path = os.environ.get("AUTOGRAD_COMPAT_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(_OUTCOMES, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python autograd_alias.py SCRIPT [ARGS...]")
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")
