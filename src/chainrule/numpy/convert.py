"""Building arrays from traced values, and dtype conversions.

``np.array([x, y])`` with traced scalars is a stack; ``asarray`` of a traced
value is the value itself; ``astype`` is differentiable between float and
complex types.
"""

import numpy as _np

from .._jit._record import TRACED as _TRACED, record_call as _record_call
from ..core.engine import Box, getval
from ._wrap import array_module, defprim, dtype, is_lazy, leaf_module, like, shape
from ._wrap import asarray as _asarray_traced
from ._wrap import dtype as _dtype
from .reductions import composite, composite_raw

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None


def _contains_box(*objs):
    """Whether a traced value hides anywhere in ``objs`` (lists and tuples included)."""
    stack = list(objs)
    while stack:
        o = stack.pop()
        if type(o) is Box:
            return True
        if isinstance(o, (list, tuple)):
            stack.extend(o)
    return False


def _contains_traced(obj):
    """Whether a value ``chainrule.jit`` traces hides in nested lists and tuples."""
    if isinstance(obj, (list, tuple)):
        return any(type(o) in _TRACED or _contains_traced(o) for o in obj)
    return False


def _build(obj):
    stack = cnp.stack
    if isinstance(obj, (list, tuple)):
        return stack([_build(o) for o in obj])
    return obj


def is_lazy_leaf(obj):
    """Whether nested lists/tuples hold a Dask array."""
    if type(obj) in (list, tuple):
        return any(is_lazy_leaf(v) for v in obj)
    return is_lazy(obj)


@composite_raw
def array(object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None):
    """``numpy.array``; nested lists holding traced values are stacked."""
    if type(object) is Box:
        out = object if dtype is None else _astype(object, dtype)
    elif _contains_box(object):
        out = _build(object)
        if dtype is not None:
            out = _astype(out, dtype)
    elif type(object) in _TRACED or _contains_traced(object):  # chainrule.jit records it
        return _record_call(_np.array, (object,), dict(dtype=dtype, copy=copy, order=order,
                                                        subok=subok, ndmin=ndmin))
    else:
        xp = array_module(object)
        if xp is _np and type(object) in (list, tuple) and is_lazy_leaf(object):
            import dask.array as da  # Dask arrays in a list: stacked lazily
            out = da.stack([asarray(o) for o in object]) if object else _np.array(object)
            return out if dtype is None else _astype(out, dtype)
        if xp is _np:
            try:
                return _np.array(object, dtype=dtype, copy=copy, order=order, subok=subok,
                                 ndmin=ndmin)
            except TypeError:  # a list of another module's arrays (CuPy's refuse NumPy)
                xp = leaf_module(object)
                if xp is _np:
                    raise
        return xp.array(object, dtype=dtype, copy=copy, order=order, ndmin=ndmin)
    if ndmin and len(shape(out)) < ndmin:
        reshape = cnp.reshape
        out = reshape(out, (1,) * (ndmin - len(shape(out))) + tuple(shape(out)))
    return out


@composite_raw
def asarray(a, dtype=None, order=None, **kw):
    """``numpy.asarray``; a traced value is returned as it is."""
    if type(a) is Box or _contains_box(a):
        return array(a, dtype=dtype)
    if type(a) in _TRACED or _contains_traced(a):  # chainrule.jit records it
        return _record_call(_np.asarray, (a,), dict(dtype=dtype, order=order, **kw))
    xp = array_module(a)
    if xp is _np and type(a) in (list, tuple) and is_lazy_leaf(a):
        return array(a, dtype=dtype)
    if xp is _np:
        try:
            return _np.asarray(a, dtype=dtype, order=order, **kw)
        except TypeError:  # a list of another module's arrays
            xp = leaf_module(a)
            if xp is _np:
                raise
    return xp.asarray(a, dtype=dtype)


asanyarray = asarray
ascontiguousarray = asarray
asfortranarray = asarray


def _astype_raw(x, dt):
    if type(x) is not _np.ndarray and array_module(x) is not _np:
        return x.astype(dt)  # another module's array stays there
    return _asarray_traced(x).astype(dt)


def _astype_vjp(g, ans, x, dt):
    # Back to the input's dtype; the imaginary part of a real input's cotangent is dropped.
    real = cnp.real
    if dtype(g).kind == "c" and dtype(x).kind != "c":
        g = real(g)
    return _astype(g, dtype(x))


def _check_float(dt):
    if _np.dtype(dt).kind not in "fc":
        raise TypeError(f"chainrule: astype({_np.dtype(dt)}) of a traced value has no derivative; "
                        "cast a plain value instead (the result would be piecewise constant)")


astype_p = defprim(_astype_raw, "numpy.astype", needs_ans=False, needs_args=False)
astype_p.defvjp(_astype_vjp)
astype_p.defjvp(lambda t, ans, x, dt: _astype(t, dt))


def _astype(x, dt):
    dt = _np.dtype(dt)
    if dtype(x) == dt:
        return x
    if type(x) is Box:
        if dt.kind not in "fc":
            return getval(x).astype(dt)  # integer/bool cast: a constant (like floor)
        _check_float(dt)
    return astype_p(x, dt)


def in_dtype(r, dt):
    """A derivative ``r`` (a tangent or a cotangent) in the floating dtype ``dt`` of the
    value it belongs to, cast only where mixed precisions made them differ (a float32
    input met a float64 constant, or a SciPy loop computed in double); by the primitive
    cast, so a traced ``r`` keeps its derivative. Never between real and complex.

    >>> import numpy
    >>> in_dtype(numpy.ones(2), numpy.dtype(numpy.float32)).dtype
    dtype('float32')
    """
    rdt = _dtype(r)
    if rdt == dt or not isinstance(dt, _np.dtype) or not isinstance(rdt, _np.dtype) \
            or dt.kind not in "fc" or rdt.kind != dt.kind:
        return r
    if isinstance(r, (float, complex)):  # a Python number: a NumPy scalar of that dtype
        return dt.type(r)
    return _astype(r, dt)


@composite
def astype(x, dtype, copy=True, device=None):
    """Cast to ``dtype``; differentiable between float/complex types."""
    return _astype(x, dtype)


def _copy(x):
    positive = cnp.positive
    if type(x) is Box:
        return positive(x)
    if type(x) is not _np.ndarray and hasattr(x, "copy"):  # Dask has no numpy.copy
        return x.copy()
    return _np.copy(x)


@composite
def copy(a, order="K", subok=False):
    """A copy (traced values are immutable, so a traced copy is cheap)."""
    return _copy(a)


@composite
def full(shape_, fill_value, dtype=None, order="C", **kw):
    """Array of ``shape_`` filled with ``fill_value`` (differentiable in it)."""
    broadcast_to = cnp.broadcast_to
    if type(fill_value) is Box:
        if isinstance(shape_, (int, _np.integer)):
            shape_ = (int(shape_),)
        out = broadcast_to(fill_value, tuple(shape_))
        return out if dtype is None else _astype(out, dtype)
    xp = array_module(fill_value)  # a fill value on CuPy makes a CuPy array
    if xp is not _np:
        return xp.full(shape_, fill_value, dtype=dtype)
    return _record_call(_np.full, (shape_, fill_value), {"dtype": dtype, "order": order})


@composite
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """Array like ``a`` filled with ``fill_value`` (differentiable in it)."""
    s = _np.shape(getval(a)) if shape is None else shape
    return full(s, fill_value, dtype=dtype or _dtype(a))


@composite
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Evenly spaced numbers; differentiable in ``start`` and ``stop``."""
    if type(start) is not Box and type(stop) is not Box:
        return _np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    moveaxis = cnp.moveaxis
    div = (num - 1) if endpoint else num
    nd = max(_np.ndim(getval(start)), _np.ndim(getval(stop)))
    # Samples along a new first axis, in front of the (broadcast) shape of start/stop.
    frac = (_np.arange(num, dtype=float) / (div if div > 0 else 1)).reshape((-1,) + (1,) * nd)
    frac = like(frac, getval(start if array_module(start) is not _np else stop))
    step = (stop - start) / (div if div > 0 else 1)
    out = start + (stop - start) * frac
    if axis != 0:
        out = moveaxis(out, 0, axis)
    if dtype is not None:
        out = _astype(out, dtype)
    return (out, step) if retstep else out


@composite
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate matrices from coordinate vectors (traced vectors welcome)."""
    broadcast_to, ravel, reshape = cnp.broadcast_to, cnp.ravel, cnp.reshape
    n = len(xi)
    xi = [ravel(x) for x in xi]  # NumPy flattens N-D inputs
    shapes = [shape(x)[0] for x in xi]
    outs = []
    for i, x in enumerate(xi):
        s = [1] * n
        s[i] = shapes[i]
        if indexing == "xy" and n > 1 and i < 2:
            s[0], s[1] = s[1], s[0]
        outs.append(reshape(x, tuple(s)))
    if sparse:
        return outs
    full_shape = list(shapes)
    if indexing == "xy" and n > 1:
        full_shape[0], full_shape[1] = full_shape[1], full_shape[0]
    return [broadcast_to(o, tuple(full_shape)) for o in outs]
