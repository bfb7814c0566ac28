"""Dask arrays: what chainrule needs to keep a differentiation lazy.

Dask evaluates a graph only when asked (``dask.compute``), so a gradient of
code on Dask arrays is itself a graph: forward and backward pass evaluated
together, on whatever scheduler the user runs. Two things would break that
silently, and this module makes them loud:

* a NumPy function that ``dask.array`` does not implement: Dask then warns,
  computes its arguments and calls NumPy (a hidden ``compute()``, the whole
  array on one machine);
* a rule branching on the data (``float(x)``, ``if np.any(x == 0)``).

While a transform runs on Dask inputs, :func:`lazy_guard` installs a
scheduler that refuses to compute in the tracing thread (other threads go on
to the scheduler they would have used) and turns Dask's fallback warning into
that error: :class:`~chainrule.core.errors.ArrayLibraryError`, naming the
chainrule function on the stack.
"""

import contextlib
import sys
import threading
import warnings

from ..core.errors import ArrayLibraryError

_local = threading.local()
_DASK_TYPES = set()
_OTHER_TYPES = set()


def is_dask_type(t):
    if t in _OTHER_TYPES:
        return False
    if t in _DASK_TYPES:
        return True
    if t.__module__.startswith("dask.") and hasattr(t, "__dask_graph__"):
        _DASK_TYPES.add(t)
        if hasattr(t, "chunks"):
            from ..core.engine import CHUNKED_TYPES
            CHUNKED_TYPES.add(t)
        return True
    _OTHER_TYPES.add(t)
    return False


def any_dask(values):
    """Whether any of ``values`` (flat, or one level of tuples/lists/dicts) is a Dask array."""
    for v in values:
        t = type(v)
        if t in _OTHER_TYPES:
            continue
        if t in (tuple, list):
            if any_dask(v):
                return True
        elif t is dict:
            if any_dask(v.values()):
                return True
        elif is_dask_type(t):
            return True
    return False


def _current_function():
    """The name of the innermost chainrule primitive being applied (from the stack)."""
    from ..core.engine import Primitive
    f = sys._getframe(1)
    while f is not None:
        for name in ("prim", "self"):
            p = f.f_locals.get(name)
            if isinstance(p, Primitive):
                return p.name
        f = f.f_back
    return "a function"


class _Refuse:
    """A Dask scheduler that refuses to run in a thread that is tracing."""

    def __init__(self, previous):
        self.previous = previous

    def __call__(self, dsk, keys, **kwargs):
        if getattr(_local, "depth", 0):
            raise ArrayLibraryError(
                _current_function(), "dask.array",
                "it would compute a Dask array while differentiating (a data-dependent "
                "step, or a NumPy function that dask.array lacks): not lazy")
        return _scheduler(self.previous)(dsk, keys, **kwargs)


def _scheduler(previous):
    """The scheduler Dask would have used (the configured one, else the default client's,
    else the threaded one for arrays)."""
    import dask.base
    if previous is not None:
        return dask.base.get_scheduler(scheduler=previous)
    try:
        from distributed import default_client
        return default_client().get
    except (ImportError, ValueError):
        import dask.threaded
        return dask.threaded.get


@contextlib.contextmanager
def lazy_guard():
    """No computation of Dask arrays in this thread while the block runs."""
    import dask
    depth = getattr(_local, "depth", 0)
    if depth:
        _local.depth = depth + 1
        try:
            yield
        finally:
            _local.depth = depth
        return
    previous = dask.config.get("scheduler", None)
    if isinstance(previous, _Refuse):
        previous = previous.previous
    _local.depth = 1
    try:
        with dask.config.set(scheduler=_Refuse(previous)), warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*is not implemented by Dask array",
                                    category=FutureWarning)
            try:
                yield
            except FutureWarning as e:
                name = str(e).split("`")[1] if "`" in str(e) else _current_function()
                raise ArrayLibraryError(name, "dask.array", "dask.array does not implement "
                                        "it (Dask would compute the whole array)") from e
    finally:
        _local.depth = 0


def guard_for(*groups):
    """:func:`lazy_guard` if any value in ``groups`` is a Dask array, else a no-op."""
    for g in groups:
        if any_dask(g):
            return lazy_guard()
    return contextlib.nullcontext()
