"""What the ``chainrule.scipy`` modules share: lazy SciPy imports and registration.

NumPy is chainrule's only required dependency; SciPy is the optional extra
``chainrule[scipy]``. Every module here therefore imports without SciPy, and
a function that needs it imports it on first call (:func:`require`), failing
with an ImportError that names the function and the fix.
"""

import importlib

import numpy as _np

from .._jit._record import record_call
from ..core.engine import getval
from ..numpy._wrap import accept_sequences, asarray, ndim
from ..numpy.reductions import COMPOSITES

_MODULES = {}


def require(module, public):
    """Import ``module`` (e.g. ``"scipy.special"``) for the function ``public``.

    >>> require("scipy.special", "chainrule.scipy.special.gamma").__name__
    'scipy.special'
    """
    mod = _MODULES.get(module)
    if mod is None:
        try:
            mod = importlib.import_module(module)
        except ImportError as e:
            raise ImportError(
                f"{public} needs SciPy: pip install 'chainrule[scipy]'") from e
        _MODULES[module] = mod
    return mod


def lazy(module, attr, public):
    """A plain function calling ``module.attr`` (imported on first call)."""
    cache = []

    def f(*args, **kwargs):
        if not cache:
            cache.append(getattr(require(module, public), attr))
        # SciPy's Python functions convert their arguments: chainrule.jit records the call
        return record_call(cache[0], args, kwargs)

    f.__name__ = f.__qualname__ = attr
    return f


def composite(name):
    """Register a function built from primitives under ``name`` (e.g.
    ``"scipy.stats.norm.pdf"``), so that the rule-table test requires an entry."""
    def deco(f):
        f = accept_sequences(f)
        COMPOSITES[name] = f
        return f
    return deco


def _out_ndim(args):
    return max(ndim(a) for a in args)


def defelementwise(name, fun, *derivs, doc=None, needs_ans=True):
    """An elementwise primitive ``name`` (e.g. ``"scipy.special.gamma"``) from
    partial derivatives ``d(ans, *args)``: :func:`chainrule.numpy.elementwise.defelementwise`
    under a SciPy name, with SciPy's docstring."""
    from ..numpy.elementwise import defelementwise as _defelementwise
    p = _defelementwise(fun, *derivs, needs_ans=needs_ans, fullname=name)
    if doc is not None:
        p.__doc__ = doc
    return p


def expand_reduced(g, xshape, axis, keepdims, nb):
    """Broadcast ``g`` (``batch + reduced shape``) back to ``batch + xshape``."""
    from ..numpy.reductions import _expand
    return _expand(g, xshape, axis, keepdims, nb)


def plain(x):
    """The plain value of ``x`` as an ndarray (for masks and other constants)."""
    return asarray(getval(x))


def mask_where(out, bad, fill):
    """``out`` with ``fill`` where the plain boolean ``bad`` holds (a no-op if nowhere)."""
    from .. import numpy as cnp
    bad = asarray(bad)
    if not bad.any():
        return out
    return cnp.where(bad, fill, out)


def safe(x, bad, value=1.0):
    """``x`` with ``value`` where ``bad``: keeps rules finite on masked-out entries."""
    return mask_where(x, bad, value)


def positive(*params):
    """Parameters that must be positive (scales, shapes, degrees of freedom):
    returns them with 1 where they are not, so that nothing divides by zero, and
    the mask of invalid entries (SciPy answers nan there)."""
    bad = False
    out = []
    for p in params:
        b = plain(p) <= 0
        bad = bad | b
        out.append(safe(p, b))
    return out, asarray(bad)


def number(v, *params):
    """``v``, computed from ``params`` alone, as a Python float when they are all Python
    numbers (``log(scale)`` of the default ``scale=1.0``): NumPy's float64 scalar would make
    a float32 result float64 (NumPy 2 promotes Python numbers weakly, its own scalars not)."""
    for p in params:
        if type(p) not in (float, int):
            return v
    return float(v)


def log(p):
    """``log p`` of a parameter: a Python float for a Python number (see :func:`number`)."""
    if type(p) in (float, int):
        return float(_np.log(p))
    from .. import numpy as cnp
    return cnp.log(p)
