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

import importlib
import importlib.util
from collections.abc import Mapping

__all__ = ["ORDER", "DEMOS", "DemoUnavailable", "available", "missing", "load", "module_name"]

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

