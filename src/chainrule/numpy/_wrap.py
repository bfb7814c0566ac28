"""How NumPy functions become chainrule primitives, and the helpers rules share.

* :func:`defprim` wraps a NumPy function into a :class:`Primitive` and enters
  it in :data:`PRIMITIVES`, the registry that the rule-table test walks: a
  primitive without a test entry fails that test.
* :func:`nondiff` wraps a function whose output is not differentiable
  (comparisons, argmax, shape queries, floor...): traced arguments are
  unwrapped and the result is a plain constant. Entered in :data:`NONDIFF`.
* :func:`unbroadcast` and :func:`align` make rules of broadcasting operations
  correct with and without a leading batch axis of tangents/cotangents.

Rules use ``chainrule.numpy`` functions (not raw NumPy) so that they are
differentiable in turn (``grad(grad(f))``).
"""

import numpy as _np

from ..core.trace import Box, Primitive, getval
from .._jit._record import (TRACED, TRANSPARENT, JitArray, fresh_like, opaque, record_call,
                            write_into)

TRANSPARENT.add(Primitive.__call__.__code__)

#: The types a rule treats as a plain first-order NumPy array: ``ndarray`` and the
#: arrays ``chainrule.jit`` traces while recording, so that a recording takes the paths
#: of an eager call. Fast paths test ``type(g) in ARRAY_TYPES`` (as fast as ``is`` for
#: an ndarray, the first entry) where they used to test ``type(g) is numpy.ndarray``.
ARRAY_TYPES = (_np.ndarray, JitArray)

PRIMITIVES = {}  # public name -> Primitive, every differentiable numpy-level function
NONDIFF = {}  # public name -> wrapper, functions whose outputs are constants


def defprim(fun, name=None, needs_ans=True, needs_args=True, opaque_to_jit=False):
    """Wrap ``fun`` as a primitive named ``name`` (e.g. ``"numpy.sin"``) and register it.

    ``needs_ans=False`` / ``needs_args=False`` say that its VJP rules read
    neither the output nor more of the arguments than their shapes and dtypes,
    so the tape need not keep them (:class:`~chainrule.core.trace.Primitive`).
    ``opaque_to_jit=True``: ``fun`` calls code that ``chainrule.jit`` cannot trace
    through (see :func:`opaque`).
    """
    name = name or "numpy." + fun.__name__
    if opaque_to_jit:
        fun = opaque(fun)
    p = Primitive(fun, name=name, needs_ans=needs_ans, needs_args=needs_args)
    PRIMITIVES[name] = p
    return p


def _unbox_all(x):
    t = type(x)
    if t is Box:
        return getval(x)
    if t is list or t is tuple:
        return t(_unbox_all(v) for v in x)
    return x


def nondiff(fun, name=None):
    """Wrap a function whose result carries no derivative (an integer,
    boolean or piecewise-constant output): traced arguments are unwrapped."""
    name = name or "numpy." + getattr(fun, "__name__", str(fun))

    def wrapped(*args, **kwargs):
        return fun(*[_unbox_all(a) for a in args],
                   **{k: _unbox_all(v) for k, v in kwargs.items()})

    TRANSPARENT.add(wrapped.__code__)  # chainrule.jit: an escape through it is the caller's
    wrapped.__name__ = getattr(fun, "__name__", name)
    wrapped.__qualname__ = wrapped.__name__
    wrapped.__doc__ = getattr(fun, "__doc__", None)
    wrapped.__wrapped__ = fun
    NONDIFF[name] = wrapped
    return wrapped


# ----------------------------------------------------------------------------
# Shapes of plain and traced values
# ----------------------------------------------------------------------------

_SCALARS = (float, int, complex, bool)


def shape(x):
    if type(x) in _SCALARS:  # checked first: an AttributeError would cost more
        return ()
    try:
        return x.shape
    except AttributeError:
        return _np.shape(x)


def ndim(x):
    if type(x) in _SCALARS:
        return 0
    try:
        return x.ndim
    except AttributeError:
        return _np.ndim(x)


def dtype(x):
    x = getval(x)
    try:
        return x.dtype
    except AttributeError:
        return _np.result_type(x)


def iscomplex(x):
    return dtype(x).kind == "c"


def asarray(x, dtype=None):
    """``numpy.asarray(x, dtype)``, also for a value ``chainrule.jit`` traces (then the
    same call, recorded; ``numpy.asarray`` itself cannot be seen through)."""
    t = type(x)
    if t is _np.ndarray and dtype is None:
        return x
    if t in TRACED or (t is list or t is tuple) and _traced_inside(x):
        if t is JitArray and dtype is None:
            return x
        return record_call(_np.asarray, (x,), None if dtype is None else {"dtype": dtype})
    return _np.asarray(x, dtype=dtype)


def _traced_inside(x):
    for e in x:
        t = type(e)
        if t in TRACED or (t is list or t is tuple) and _traced_inside(e):
            return True
    return False


def traced_inside(x):
    """Whether a value traced by ``chainrule.jit`` is among ``x`` (nested lists, tuples)."""
    return _traced_inside(x) if type(x) in (list, tuple) else type(x) in TRACED


def setitem(a, idx, v):
    """``a[idx] = v`` into a rule's fresh buffer ``a``; returns the array to go on with:
    ``a`` itself, or, when ``v`` or ``idx`` is traced by ``chainrule.jit``, a traced copy
    of it holding the write (recorded)."""
    tv = type(v)
    if tv in DENSE_TYPES:  # a structured basis: write what it stands for
        v = v.dense()
        tv = type(v)
    if tv in TRACED or type(idx) in TRACED or (
            type(idx) is tuple and any(type(i) in TRACED for i in idx)):
        return write_into(a, idx, v)
    a[idx] = v
    return a


#: Array-likes that stand for a dense array (``chainrule.numpy.basis.ScaledBasis``
#: registers itself): ``setitem`` writes their ``dense()`` form.
DENSE_TYPES = []


def array_module(x):
    """The array module a value belongs to: ``numpy`` for NumPy arrays, NumPy
    scalars and Python numbers, else the array's ``__array_namespace__()``
    (CuPy, or any array library that implements the array API)."""
    if type(x) is _np.ndarray:  # the hot path
        return _np
    x = getval(x)
    if type(x) is _np.ndarray:
        return _np
    ns = getattr(type(x), "__array_namespace__", None)
    if ns is None:
        return _np
    mod = type(x).__module__.split(".")[0]
    if mod == "numpy":  # NumPy arrays' array-API namespace is numpy itself
        return _np
    return ns(x)


def like(a, x):
    """A host-built NumPy array ``a`` (a mask, ``eye``, ``ones`` computed from
    shapes) moved to the array module of ``x``; ``a`` itself for NumPy."""
    if type(x) is _np.ndarray:
        return a
    xp = array_module(x)
    return a if xp is _np else xp.asarray(a)


def leaf_module(obj):
    """The array module of the first non-NumPy array in nested lists/tuples."""
    if type(obj) in (list, tuple):
        for v in obj:
            xp = leaf_module(v)
            if xp is not _np:
                return xp
        return _np
    return array_module(obj)


def scatter_add(a, idx, v):
    """``a[idx] += v`` with repeated indices accumulated, on ``a`` in place.

    The one NumPy-only call rules need (``np.add.at``), behind one helper so
    another array module can supply its own: its ``add.at`` where it has one,
    else ``cupyx.scatter_add`` (CuPy).
    """
    if type(a) is _np.ndarray:
        a = fresh_like(a, idx, v)  # chainrule.jit: a buffer that receives traced values
        _np.add.at(a, idx, v)
        return a
    xp = array_module(a)
    at = getattr(getattr(xp, "add", None), "at", None)
    if at is not None:
        at(a, idx, v)
    else:  # pragma: no cover - needs a GPU
        import cupyx
        cupyx.scatter_add(a, idx, v)
    return a


# ----------------------------------------------------------------------------
# Broadcasting with optional leading batch axes
# ----------------------------------------------------------------------------

def unbroadcast(g, x, out_ndim):
    """Sum the cotangent ``g`` (``batch + out shape``) back to ``batch + x.shape``.

    ``out_ndim`` is the number of axes of the operation's output, so the
    batch axes are the first ``g.ndim - out_ndim``. Almost always a no-op:
    the shapes are compared first. A complex cotangent of a real input keeps
    its real part (autograd's convention).
    """
    gs = shape(g)
    xs = shape(x)
    if gs != xs:
        from . import sum as _sum
        nb = len(gs) - out_ndim
        target = gs[:nb] + tuple(xs)
        if gs != target:
            lead = len(gs) - nb - len(xs)
            axes = tuple(range(nb, nb + lead))
            axes += tuple(nb + lead + i for i, n in enumerate(xs)
                          if n == 1 and gs[nb + lead + i] != 1)
            if type(g) is Box:
                g = _sum(g, axis=axes, keepdims=True)
            else:  # first order: reduce in NumPy directly, no primitive call
                g = _np.add.reduce(g, axis=axes, keepdims=True)
            if lead:
                g = g.reshape(target)
    if dtype(g).kind == "c" and dtype(x).kind != "c":
        from . import real as _real
        g = _real(g)
    return g


def align(t, x, out_ndim):
    """Insert axes into a batched tangent of ``x`` so it broadcasts against an
    output of ``out_ndim`` axes: ``(B, *x.shape) -> (B, 1.., *x.shape)``."""
    xnd = ndim(x)
    if xnd < out_ndim:
        ts = shape(t)
        nb = len(ts) - xnd
        if nb:
            return t.reshape(ts[:nb] + (1,) * (out_ndim - xnd) + ts[nb:])
    return t


def broadcast_tangent(t, ans, batch_shape):
    """Forward mode: give a summed tangent the full ``batch + ans.shape``."""
    target = batch_shape + tuple(shape(ans)) if batch_shape else tuple(shape(ans))
    if shape(t) != target:
        from . import broadcast_to as _bt
        t = _bt(t, target)
    return t


def match_real(g, x):
    """Cotangent of a real input is real (drop the imaginary part)."""
    if dtype(g).kind == "c" and dtype(x).kind != "c":
        from . import real as _real
        return _real(g)
    return g


def batch_ndim(g, ans):
    """Number of leading batch axes of a cotangent ``g`` of output ``ans``."""
    return ndim(g) - ndim(ans)


def normalize_axis(axis, nd):
    """A tuple of non-negative axes; ``None`` means all."""
    if axis is None:
        return tuple(range(nd))
    if isinstance(axis, (int, _np.integer)):
        axis = (int(axis),)
    return tuple(sorted(a % nd if nd else 0 for a in axis))
