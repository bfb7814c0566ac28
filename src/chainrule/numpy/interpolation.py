"""Interpolation, insertion and piecewise definition: ``interp``,
``insert`` and ``piecewise``.

Every function here is a composite: plain arrays in, NumPy's own function
out (exactly NumPy's results, at the cost of one check); traced values go
through the same computation written with ``chainrule.numpy`` functions, so
derivatives of any order come from the primitives' rules. Where the output
depends on the input only through a piecewise-constant choice (the interval
of ``interp`` that holds a point, where ``insert`` puts each element, which
branch of ``piecewise`` applies), that choice is made on the plain values
and the differentiable part is recomputed on the traced ones.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> xp, fp = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 0.0])
>>> float(grad(lambda x: np.interp(x, xp, fp))(2.5))
-2.0
"""

import numpy as _np

from ..core.engine import Box, getval
from ._composite_helpers import _asarray, _take
from ._wrap import _unbox_all, array_module, dtype, like, ndim, shape
from ._wrap import asarray as _tasarray  # np.asarray, recorded by chainrule.jit
from .convert import _contains_box
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["insert", "interp", "piecewise"]

# -- interpolation, insertion, piecewise ------------------------------------------------------

@composite
def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation; differentiable in ``x``, ``xp``, ``fp``,
    ``left`` and ``right``.

    >>> import chainrule.numpy as np
    >>> float(np.interp(2.5, np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 0.0])))
    1.0
    """
    if not _contains_box(x, xp, fp, left, right):
        return _np.interp(x, xp, fp, left, right, period)
    concatenate, remainder, where = cnp.concatenate, cnp.remainder, cnp.where
    from .convert import _astype
    x, xp, fp = _asarray(x), _asarray(xp), _asarray(fp)
    cplx = _np.iscomplexobj(getval(fp))
    if dtype(x).kind not in "f":
        x = _astype(x, _np.float64)
    if dtype(xp).kind not in "f":
        xp = _astype(xp, _np.float64)
    if dtype(fp).kind not in "fc":
        fp = _astype(fp, _np.float64)
    def _array(b):
        return type(b) is Box or isinstance(b, _np.ndarray)

    # Mixed precisions (float32 values on float64 knots: a float64 result) meet here, by the
    # primitive cast, not in the rules below: float32 inputs get float32 cotangents.
    rdt = _np.finfo(_np.result_type(dtype(x), dtype(xp), dtype(fp),
                                    *[dtype(b) for b in (left, right) if _array(b)])).dtype
    x, xp = _astype(x, rdt), _astype(xp, rdt)
    fp = _astype(fp, _np.result_type(dtype(fp), rdt))
    left, right = (_astype(b, _np.result_type(dtype(b), rdt)) if _array(b) else b
                   for b in (left, right))
    if ndim(xp) != 1 or ndim(fp) != 1:
        raise ValueError("Data points must be 1-D sequences")
    if shape(xp)[0] != shape(fp)[0]:
        raise ValueError("fp and xp are not of the same length")
    if shape(xp)[0] == 0:
        raise ValueError("array of sample points is empty")
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
        x = remainder(x, period)
        xp = remainder(xp, period)
        order = _np.argsort(getval(xp))
        xp, fp = _take(xp, order), _take(fp, order)
        xp = concatenate([xp[-1:] - period, xp, xp[0:1] + period])
        fp = concatenate([fp[-1:], fp, fp[0:1]])
    xv, xpv = getval(x), getval(xp)
    m = shape(xp)[0]
    if m == 1:
        y = fp[0] + 0.0 * x
    else:
        j = _np.clip(_np.searchsorted(xpv, xv, side="right") - 1, 0, m - 2)
        x0, x1 = _take(xp, j), _take(xp, j + 1)
        f0, f1 = _take(fp, j), _take(fp, j + 1)
        slope = (f1 - f0) / (x1 - x0)
        y = slope * (x - x0) + f0
        y = where(xv == xpv[-1], fp[-1], y)  # the last knot exactly, as NumPy
    y = where(xv < xpv[0], fp[0] if left is None else left, y)
    y = where(xv > xpv[-1], fp[-1] if right is None else right, y)
    if cplx and dtype(y).kind != "c":
        y = _astype(y, _np.complex128)
    return y


@composite
def insert(arr, obj, values, axis=None):
    """Insert ``values`` before the indices ``obj``; differentiable in ``arr``
    and ``values``.

    >>> import chainrule.numpy as np
    >>> np.insert(np.array([1.0, 2.0]), 1, 9.0)
    array([1., 9., 2.])
    """
    if not _contains_box(arr, values):
        return _np.insert(arr, obj, values, axis)
    ravel, reshape, where = cnp.ravel, cnp.reshape, cnp.where
    arr, values = _asarray(arr), _asarray(values)
    # Let NumPy place labels (element numbers of arr >= 0, of values < 0)
    # and then gather the traced elements by label.
    ida = _np.arange(int(_np.size(getval(arr)))).reshape(shape(arr))
    idv = -1 - _np.arange(int(_np.size(getval(values)))).reshape(shape(values))
    lab = _np.insert(ida, _unbox_all(obj), idv, axis)
    from_arr = _take(ravel(arr), _np.maximum(lab, 0).ravel()) if ida.size else None
    from_val = _take(ravel(values), _np.maximum(-1 - lab, 0).ravel()) if idv.size else None
    if from_val is None:
        out = from_arr
    elif from_arr is None:
        out = from_val
    else:
        out = where(like(lab.ravel() >= 0, from_arr), from_arr, from_val)
    if dtype(out) != dtype(arr) and dtype(arr).kind in "fc":
        from .convert import _astype
        out = _astype(out, dtype(arr))
    return reshape(out, lab.shape)


@composite
def piecewise(x, condlist, funclist, *args, **kw):
    """Evaluate each function of ``funclist`` where its condition holds, as
    NumPy does (each function sees only its elements); differentiable through
    the functions.

    >>> import chainrule.numpy as np
    >>> x = np.array([-1.0, 2.0])
    >>> np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2])
    array([1., 4.])
    """
    # Always this implementation: a function may close over traced values even
    # when x is plain. On plain values it does what NumPy does.
    import collections.abc
    if isinstance(condlist, (list, tuple)):
        condlist = _unbox_all(condlist)
    x = _asarray(x)
    xv = getval(x)
    n2 = len(funclist)
    xp = array_module(xv)
    if _np.isscalar(condlist) or (not isinstance(condlist[0], (list, _np.ndarray))
                                  and not (xp is not _np and ndim(condlist[0]) > 0)
                                  and _np.ndim(xv) != 0):
        condlist = [condlist]
    if xp is _np:
        condlist = _tasarray([_tasarray(getval(c)) for c in condlist], dtype=bool)
    else:  # conditions on another array module, stacked there
        condlist = xp.stack([xp.asarray(getval(c), dtype=bool) for c in condlist])
    n = len(condlist)
    if n == n2 - 1:
        condelse = ~_np.any(condlist, axis=0, keepdims=True)
        condlist = _np.concatenate([condlist, condelse], axis=0)
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = _np.zeros_like(xv)
    for cond, func in zip(condlist, funclist, strict=True):
        if not isinstance(func, collections.abc.Callable):
            y = _set(y, cond, func)
        else:
            vals = x[cond]
            if _np.size(getval(vals)) > 0:
                y = _set(y, cond, func(vals, *args, **kw))
    return y


def _set(y, cond, v):
    """``y[cond] = v`` as a new array; a functional update if anything is traced."""
    if type(y) is Box or _contains_box(v):
        from .indexing import _index_update
        return _index_update(y, cond, v)
    y = y.copy()
    y[cond] = v
    return y
