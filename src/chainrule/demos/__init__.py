"""``chainrule demo``: the lecture's experiments, computed by chainrule, with figures and reports.

:data:`DEMOS` maps each demo's name to its module, imported on first use (so
``import chainrule.demos`` stays cheap and a missing or broken module only
affects its own demo). Each module has ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> dict`` (see :mod:`.common`).
A demo's module is its name with ``-`` written ``_`` (``critical-points``
lives in ``critical_points.py``).

>>> list(ORDER)
['iris', 'landscape', 'critical-points', 'depth', 'batchnorm', 'transfer', 'curriculum', 'modes']
>>> DEMOS["iris"].NAME
'iris'
>>> module_name("critical-points")
'critical_points'
"""

import ast
import hashlib
import importlib
import importlib.util
import pathlib
from collections.abc import Mapping

__all__ = ["ORDER", "DEMOS", "DemoUnavailable", "available", "missing", "load", "module_name",
           "source_files", "source_hash"]

#: every demo, in the order ``chainrule demo all`` runs them
ORDER = ("iris", "landscape", "critical-points", "depth", "batchnorm", "transfer", "curriculum",
         "modes")


class DemoUnavailable(ImportError):
    """A demo's module is missing, or fails to import; the message says which and why."""


def module_name(name):
    """The module of demo ``name``: hyphens (fine on the command line) become underscores."""
    return name.replace("-", "_")


def _exists(name):
    return importlib.util.find_spec(f"{__name__}.{module_name(name)}") is not None


def load(name):
    """Import and return the module of demo ``name``; :class:`DemoUnavailable` if it cannot."""
    if name not in ORDER:
        raise DemoUnavailable(f"no demo named {name!r}; demos: {', '.join(ORDER)}")
    if not _exists(name):
        raise DemoUnavailable(f"demo {name!r} is not part of this installation yet "
                              f"(chainrule/demos/{module_name(name)}.py is missing)")
    try:
        return importlib.import_module(f"{__name__}.{module_name(name)}")
    except Exception as e:  # noqa: BLE001 - one broken demo must not stop the others
        raise DemoUnavailable(f"demo {name!r} failed to import: {type(e).__name__}: {e}") from e


def available():
    """Names of the demos whose modules are present, in :data:`ORDER`."""
    return [n for n in ORDER if _exists(n)]


def missing():
    """Names of the demos whose modules are not present."""
    return [n for n in ORDER if not _exists(n)]


class _LazyDemos(Mapping):
    """``{name: module}`` for the present demos, each imported when first looked up."""

    def __getitem__(self, name):
        if name not in ORDER or not _exists(name):
            raise KeyError(name)
        return load(name)

    def __iter__(self):
        return iter(available())

    def __len__(self):
        return len(available())

    def __repr__(self):
        return f"DEMOS({', '.join(available())})"


#: name -> demo module (lazily imported; only demos whose module is present)
DEMOS = _LazyDemos()


# ---------------------------------------------------------------------------
# Provenance: which code produced a report
# ---------------------------------------------------------------------------

_HERE = pathlib.Path(__file__).resolve().parent


def _relative_imports(path):
    """Names of the sibling modules ``path`` imports (``from . import iris``,
    ``from .common import say``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(a.name for a in node.names)
    return names


def source_files(name):
    """The files of demo ``name``'s code: its module and, transitively, the sibling modules
    it imports (``common.py``, and ``iris.py`` for the demos that reuse the Iris network).

    >>> [p.name for p in source_files("landscape")]
    ['common.py', 'iris.py', 'landscape.py']
    """
    todo, seen = [module_name(name)], set()
    while todo:
        mod = todo.pop()
        path = _HERE / f"{mod}.py"
        if mod in seen or not path.is_file():
            continue
        seen.add(mod)
        todo.extend(_relative_imports(path))
    return sorted((_HERE / f"{m}.py" for m in seen), key=lambda p: p.name)


def source_hash(name):
    """SHA-256 of demo ``name``'s source files (names and contents, line endings made LF).

    A report stores it, so that a test can tell a committed report from an older version
    of its demo's code: content, unlike a file's modification time, survives git checkouts.
    The library itself (chainrule's engine, ``nn``, ``optim``) is not part of the hash.
    """
    h = hashlib.sha256()
    for path in source_files(name):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()
