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

import functools

import numpy as _np

from .._jit._record import (TRACED, TRANSPARENT, JitArray, fresh_like, opaque, record_call,
                            write_into)
from ..core.engine import Box, Primitive, escaped, getval
from ..core.errors import TracedWriteError

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

TRANSPARENT.add(Primitive.__call__.__code__)

#: The types a rule treats as a plain first-order NumPy array: ``ndarray`` and the
#: arrays ``chainrule.jit`` traces while recording, so that a recording takes the paths
#: of an eager call. Fast paths test ``type(g) in ARRAY_TYPES`` (as fast as ``is`` for
#: an ndarray, the first entry) where they used to test ``type(g) is numpy.ndarray``.
ARRAY_TYPES = (_np.ndarray, JitArray)

PRIMITIVES = {}  # public name -> Primitive, every differentiable numpy-level function
NONDIFF = {}  # public name -> wrapper, functions whose outputs are constants


class _Defers(dict):
    """``{type: bool}``: whether an operand of that type handles NumPy's ufuncs itself
    (its own ``__array_ufunc__``: ``xarray.DataArray``, ``pandas.Series``...), filled
    on first sight of each type; :attr:`Primitive.defer` of the ufunc primitives."""

    def __missing__(self, t):
        own = getattr(t, "__array_ufunc__", None)
        # Arrays of another array module (CuPy: __array_namespace__; Dask) and the values
        # chainrule.jit records are chainrule's own business (array_module, the recorder),
        # not containers to defer to.
        self[t] = d = own is not None and own is not _np.ndarray.__array_ufunc__ \
            and t is not Box and not issubclass(t, _np.ndarray) and t not in TRACED \
            and not hasattr(t, "__array_namespace__") and not _is_dask(t)
        return d


DEFERS = _Defers()


def as_ndarray_operand(x):
    """``x`` as a NumPy function that is not a ufunc (``np.dot``) takes it: a container
    with its own ``__array_ufunc__`` but no ``__array_function__`` (a pandas ``Series``
    or ``DataFrame``, an xarray ``DataArray``) as its NumPy array, as NumPy's
    ``asarray`` makes it; anything else (traced values, arrays, numbers) as it is.
    ``np.dot(frame, w)`` is an ndarray where ``np.matmul(frame, w)`` is a pandas
    object, and autograd's ``dot`` wraps ``np.dot``."""
    t = type(x)
    if t in ARRAY_TYPES or t is Box or not DEFERS[t] or hasattr(t, "__array_function__"):
        return x
    return _np.asarray(x)


def defprim(fun, name=None, needs_ans=True, needs_args=True, opaque_to_jit=False):
    """Wrap ``fun`` as a primitive named ``name`` (e.g. ``"numpy.sin"``) and register it.

    ``needs_ans=False`` / ``needs_args=False`` say that its VJP rules read
    neither the output nor more of the arguments than their shapes and dtypes,
    so the tape need not keep them (:class:`~chainrule.core.engine.Primitive`).
    ``opaque_to_jit=True``: ``fun`` calls code that ``chainrule.jit`` cannot trace
    through (see :func:`opaque`).
    A NumPy ufunc lets an operand with its own ``__array_ufunc__`` handle a call
    with a traced value (``Primitive.defer``), as NumPy does.
    """
    name = name or "numpy." + fun.__name__
    if opaque_to_jit:
        fun = opaque(fun)
    p = Primitive(fun, name=name, needs_ans=needs_ans, needs_args=needs_args)
    if isinstance(fun, _np.ufunc):
        p.defer = DEFERS
        # Real in, real out, and rules in real arithmetic (Primitive.keeps_real);
        # the ufuncs that make complex values of real ones (none of NumPy's do
        # without a dtype keyword) would have to say otherwise.
        p.keeps_real = True
    PRIMITIVES[name] = p
    return p


def _unbox_all(x, name="numpy"):
    """``x`` with every traced value replaced by its plain value (also in lists and
    tuples); :class:`EscapedTraceError` for one whose trace has ended (used in the
    function ``name``)."""
    t = type(x)
    if t is Box:
        if x._trace.ended:
            raise escaped(x._trace, f"in {name}")
        return getval(x)
    if t is list or t is tuple:
        return t(_unbox_all(v, name) for v in x)
    return x


def nondiff(fun, name=None):
    """Wrap a function whose result carries no derivative (an integer,
    boolean or piecewise-constant output): traced arguments are unwrapped."""
    name = name or "numpy." + getattr(fun, "__name__", str(fun))

    def wrapped(*args, **kwargs):
        return fun(*[_unbox_all(a, name) for a in args],
                   **{k: _unbox_all(v, name) for k, v in kwargs.items()})

    TRANSPARENT.add(wrapped.__code__)  # chainrule.jit: an escape through it is the caller's
    wrapped.__name__ = getattr(fun, "__name__", name)
    wrapped.__qualname__ = wrapped.__name__
    wrapped.__doc__ = getattr(fun, "__doc__", None)
    wrapped.__wrapped__ = fun
    NONDIFF[name] = wrapped
    return wrapped


# ----------------------------------------------------------------------------
# Array-likes holding traced values: np.mean([a, b]), np.append([x, 1.0], y)
# ----------------------------------------------------------------------------

def holds_box(obj):
    """Whether a list or tuple ``obj`` holds a traced value, at any depth."""
    stack = [obj]
    while stack:
        o = stack.pop()
        for v in o:
            t = type(v)
            if t is Box:
                return True
            if t is list or t is tuple:
                stack.append(v)
    return False


def _to_array(obj):
    """A list or tuple holding traced values as one traced array (``np.array``);
    a ragged one (``[vector, [a, b]]``: a sequence of arrays, not an array)
    element by element."""
    try:
        return cnp.array(obj)
    except ValueError:
        return type(obj)(_to_array(v) if (type(v) is list or type(v) is tuple) and holds_box(v)
                         else v for v in obj)


def sequences_to_arrays(args, kwargs):
    """``(args, kwargs)`` with each list or tuple argument that holds a traced
    value made one traced array; ``None`` when there is no such argument.

    What NumPy does with an array-like, done where NumPy cannot: a traced
    value refuses to become a plain array, so ``numpy.mean([a, b])`` fails
    where ``np.mean(np.array([a, b]))`` works.
    """
    found = False
    new_args = list(args)
    for i, a in enumerate(args):
        if (type(a) is list or type(a) is tuple) and holds_box(a):
            new_args[i] = _to_array(a)
            found = True
    new_kwargs = kwargs
    for k, v in kwargs.items():
        if (type(v) is list or type(v) is tuple) and holds_box(v):
            if new_kwargs is kwargs:
                new_kwargs = dict(kwargs)
            new_kwargs[k] = _to_array(v)
            found = True
    return (new_args, new_kwargs) if found else None


def accept_sequences(f):
    """``f`` (a function built from primitives) that also takes lists and tuples
    holding traced values wherever it takes an array: on the error such an
    argument raises, it is made one traced array and ``f`` called again (so a
    call without one pays a single frame)."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except TracedWriteError:
            fixed = sequences_to_arrays(args, kwargs)
            if fixed is None:
                raise
            return f(*fixed[0], **fixed[1])
    return wrapper


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
        if (type(x) is list or type(x) is tuple) and x and holds_box(x):
            return (len(x),) + tuple(shape(x[0]))  # NumPy's shape, without NumPy's array
        return _np.shape(x)


def ndim(x):
    if type(x) in _SCALARS:
        return 0
    try:
        return x.ndim
    except AttributeError:
        if (type(x) is list or type(x) is tuple) and x and holds_box(x):
            return len(shape(x))
        return _np.ndim(x)


def dtype(x):
    x = getval(x)
    try:
        return x.dtype
    except AttributeError:
        if type(x) is list or type(x) is tuple:  # an array-like, not a dtype specification
            return _np.asarray(x).dtype if not holds_box(x) else _np.result_type(
                *[dtype(v) for v in x])
        return _np.result_type(x)


def kind(dt):
    """NumPy's one-letter kind of a dtype ('f', 'c', 'i', 'u', 'b'...), for NumPy's
    dtypes (which CuPy and Dask use too) and for the dtypes of array API libraries
    (``array_api_strict.float64`` has no ``.kind``)."""
    try:
        return dt.kind
    except AttributeError:
        from ._array_api import dtype_kind
        return dtype_kind(dt)


def iscomplex(x):
    return kind(dtype(x)) == "c"


def _is_dask(t):
    return t.__module__.startswith("dask.")


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
    scalars and Python numbers, ``dask.array`` for Dask arrays, else the
    array's ``__array_namespace__()`` (CuPy, chainrule's wrapper of a strict
    array API library, or any array library that implements the array API)."""
    if type(x) is _np.ndarray:  # the hot path
        return _np
    x = getval(x)
    t = type(x)
    if t is _np.ndarray:
        return _np
    ns = getattr(t, "__array_namespace__", None)
    if ns is None:
        if _is_dask(t) and hasattr(x, "dask"):
            import dask.array
            return dask.array
        return _np
    mod = t.__module__.split(".")[0]
    if mod == "numpy":  # NumPy arrays' array-API namespace is numpy itself
        return _np
    return ns(x)


def library_name(x):
    """A name for the array library of ``x``, for error messages."""
    xp = array_module(x)
    name = getattr(xp, "__name__", None) or type(xp).__name__
    return getattr(xp, "library_name", name)


class _Submodule:
    """``linalg`` / ``fft`` of another array module, whose missing functions raise
    :class:`~chainrule.core.errors.ArrayLibraryError` naming NumPy's function
    and the library (not an ``AttributeError`` from deep inside a rule)."""

    def __init__(self, mod, sub, library):
        self._mod, self._sub, self._library = mod, sub, library

    def __getattr__(self, name):
        try:
            return getattr(self._mod, name)
        except AttributeError:
            from ..core.errors import ArrayLibraryError
            raise ArrayLibraryError(f"numpy.{self._sub}.{name}", self._library,
                                    f"{self._library}.{self._sub} has no {name}") from None


def submodule(x, sub):
    """``numpy.linalg`` / ``numpy.fft``, or that submodule of ``x``'s array module."""
    xp = array_module(x)
    if xp is _np:
        return getattr(_np, sub)
    mod = getattr(xp, sub, None)
    library = getattr(xp, "library_name", None) or getattr(xp, "__name__", str(xp))
    if mod is None:
        from ..core.errors import ArrayLibraryError
        raise ArrayLibraryError(f"numpy.{sub}", library, f"it has no {sub} module")
    return _Submodule(mod, sub, library)


def is_lazy(x):
    """Whether ``x`` is an array whose values are not at hand (a Dask array):
    rules must not branch on its data."""
    return type(getval(x)).__module__.startswith("dask.")


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
    """``a[idx] += v`` with repeated indices accumulated; returns the result
    (``a`` itself, updated in place, except for Dask: a new lazy array).

    The one NumPy-only call rules need (``np.add.at``), behind one helper so
    that each array module supplies its own: ``cupyx.scatter_add`` on CuPy
    (float16/32/64, complex64/128 and 32/64-bit integers), a lazy ``bincount``
    over the flat positions of ``idx`` on Dask (index arrays must be NumPy's),
    and the wrapped library's own on strict array API libraries (which have
    none: an error naming the library).
    """
    if type(a) is _np.ndarray:
        a = fresh_like(a, idx, v)  # chainrule.jit: a buffer that receives traced values
        _np.add.at(a, idx, v)
        return a
    if is_lazy(a) or is_lazy(v):
        return _dask_scatter_add(a, idx, v)
    xp = array_module(a)
    if xp is _np:
        _np.add.at(a, idx, v)
        return a
    own = getattr(xp, "scatter_add", None)  # chainrule's array API wrapper
    if own is not None:
        return own(a, idx, v)
    at = getattr(getattr(xp, "add", None), "at", None)
    if at is not None:  # fakecupy's ufuncs
        at(a, idx, v)
        return a
    if getattr(xp, "__name__", "") == "cupy":  # pragma: no cover - needs a GPU
        import cupyx
        try:
            cupyx.scatter_add(a, idx, v)
        except TypeError as e:  # no atomic add for this dtype (bool, int8/16, ...)
            raise TypeError(f"chainrule: the derivative of indexing needs a scatter-add, and "
                            f"cupyx.scatter_add refuses dtype {a.dtype}: {e}") from e
        return a
    raise TypeError(f"chainrule: {library_name(a)} has no scatter-add (a[idx] += v with "
                    "repeated indices), which the derivative of integer-array indexing needs")


def _flat_positions(xshape, idx):
    """The flat positions in an array of ``xshape`` of the elements of
    ``x[idx]`` (NumPy index ``idx``), without allocating ``xshape``: the
    position is the sum over axes of coordinate times stride, and indexing a
    broadcast view of each axis's coordinates costs only the region's size."""
    strides = [1] * len(xshape)
    for k in range(len(xshape) - 2, -1, -1):
        strides[k] = strides[k + 1] * xshape[k + 1]
    pos = None
    for k, n in enumerate(xshape):
        axes = (1,) * k + (n,) + (1,) * (len(xshape) - k - 1)
        coord = _np.arange(n, dtype=_np.intp).reshape(axes)
        part = _np.broadcast_to(coord * strides[k], xshape)[idx]
        pos = part if pos is None else pos + part
    if pos is None:  # a 0-d array
        pos = _np.zeros((), dtype=_np.intp)[idx]
    return pos


def _dask_scatter_add(a, idx, v):
    import dask.array as da
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if is_lazy(i):
            raise TypeError("chainrule: the derivative of indexing a Dask array needs index "
                            "arrays that are NumPy arrays (known positions), not Dask arrays")
    xshape = tuple(a.shape)
    pos = _flat_positions(xshape, idx)
    n = int(_np.prod(xshape, dtype=_np.int64))
    v = da.broadcast_to(v, pos.shape).ravel() if pos.shape else da.reshape(v, (1,))
    pos = da.from_array(pos.ravel(), chunks=v.chunks)
    dt = _np.result_type(a.dtype, v.dtype)

    def summed(w):
        return da.bincount(pos, weights=w, minlength=n)
    if kind(dt) == "c":
        flat = summed(v.real) + 1j * summed(v.imag)
    else:
        flat = summed(v)
    return a + flat.astype(dt).reshape(xshape)


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
        _sum = cnp.sum
        nb = len(gs) - out_ndim
        target = gs[:nb] + tuple(xs)
        if gs != target:
            lead = len(gs) - nb - len(xs)
            axes = tuple(range(nb, nb + lead))
            axes += tuple(nb + lead + i for i, n in enumerate(xs)
                          if n == 1 and gs[nb + lead + i] != 1)
            if type(g) is _np.ndarray:  # first order: reduce in NumPy directly
                g = _np.add.reduce(g, axis=axes, keepdims=True)
            else:  # traced (higher order), or another array module's array
                g = _sum(g, axis=axes, keepdims=True)
            if lead:
                _reshape = cnp.reshape
                g = g.reshape(target) if type(g) is _np.ndarray else _reshape(g, target)
    dg = dtype(g)
    if (dg.kind if type(g) is _np.ndarray else kind(dg)) == "c" and kind(dtype(x)) != "c":
        _real = cnp.real
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
        _bt = cnp.broadcast_to
        t = _bt(t, target)
    # A real argument's tangent through a complex output (x + 0.5j) is the output's
    # dtype: an exact cast, not t * (1 + 0j), which makes inf * 0j a NaN imaginary part.
    # (ans.dtype read directly for NumPy arrays: this runs for every forward +, - and ×.)
    if (ans.dtype.kind if type(ans) is _np.ndarray else kind(dtype(ans))) == "c" \
            and kind(dtype(t)) != "c" and isinstance(dtype(ans), _np.dtype):
        t = cnp._astype(t, dtype(ans))  # a primitive: a traced tangent keeps its derivative
    return t


def match_real(g, x):
    """Cotangent of a real input is real (drop the imaginary part)."""
    if kind(dtype(g)) == "c" and kind(dtype(x)) != "c":
        _real = cnp.real
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


def is_complex(v):
    """Whether a value (an input, a constant, a cotangent, a tangent) is complex:
    the engine's ``is_complex`` hook (``set_complex_hooks``), which the traces call
    on their inputs and on constant arguments that are not Python floats, and the
    backward sweep on each cotangent of a trace that holds complex arithmetic. A
    first-order float64 array costs one type test, one dtype read, one identity test."""
    t = type(v)
    if t is _np.ndarray:
        dt = v.dtype
        return dt is not _F64 and dt.kind == "c"
    if t is float or t is int or t is bool:
        return False
    v = getval(v)
    t = type(v)
    if t is complex:
        return True
    if t is float or t is int or t is bool or v is None:
        return False
    try:
        dt = v.dtype
    except AttributeError:
        return False
    return kind(dt) == "c"


_F64 = _np.dtype(_np.float64)


def real_part(v, value):
    """``v`` (a complex cotangent or tangent) on the vector space of ``value``: its
    real part when ``value`` is real (the engine's ``real_part`` hook). ``value`` is what
    the tape keeps of an argument (an array, an :class:`ArrayMeta`, a Python number,
    an outer trace's box) or an output; the real part is taken with
    ``chainrule.numpy.real``, so that it is differentiable in turn."""
    value = getval(value)
    if type(value) is complex:
        return v
    try:
        dt = value.dtype
    except AttributeError:
        if value is None:  # nothing known of the value: leave it
            return v
        dt = _np.result_type(value)
    if kind(dt) == "c":
        return v
    _real = cnp.real
    return _real(v)
