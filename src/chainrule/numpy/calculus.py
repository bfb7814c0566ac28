"""Numerical calculus on sampled data: ``trapezoid`` (integration),
``gradient`` (finite differences) and ``unwrap`` (phase unwrapping).

Every function here is a composite: plain arrays in, NumPy's own function
out (exactly NumPy's results, at the cost of one check); traced values go
through the same computation written with ``chainrule.numpy`` functions, so
derivatives of any order come from the primitives' rules. The number of
phase wraps ``unwrap`` removes depends on the input only through a
piecewise-constant choice: it is computed on the plain values and added to
the traced ones.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda y: np.trapezoid(y))(np.array([1.0, 2.0, 3.0]))[0])
0.5
"""

import numpy as _np

from ..core.engine import getval
from ._composite_helpers import _asarray, _take
from ._wrap import dtype, ndim, shape
from .convert import _contains_box
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["gradient", "trapezoid", "unwrap"]


def _slice_along(axis, s):
    return (slice(None),) * axis + (s,)


# -- numerical calculus ----------------------------------------------------------------------

@composite
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral along ``axis`` by the trapezoidal rule; differentiable in
    ``y``, ``x`` and ``dx``.

    >>> import chainrule.numpy as np
    >>> float(np.trapezoid(np.array([1.0, 2.0, 3.0])))
    4.0
    """
    if not _contains_box(y, x, dx):
        return _np.trapezoid(y, x, dx, axis)
    diff, reshape, _sum = cnp.diff, cnp.reshape, cnp.sum
    y = _asarray(y)
    nd = ndim(y)
    if x is None:
        d = dx
    else:
        x = _asarray(x)
        if ndim(x) == 1:
            d = diff(x)
            s = [1] * nd
            s[axis] = shape(d)[0]
            d = reshape(d, tuple(s))
        else:
            d = diff(x, axis=axis)
    ax = axis % nd
    return _sum(d * (_take(y, _slice_along(ax, slice(1, None)))
                     + _take(y, _slice_along(ax, slice(None, -1)))) / 2.0, axis=ax)


@composite
def gradient(f, *varargs, axis=None, edge_order=1):
    """Second-order accurate central differences inside, one-sided at the
    edges, as NumPy; differentiable in ``f`` and in the spacings.

    >>> import chainrule.numpy as np
    >>> np.gradient(np.array([1.0, 4.0, 9.0, 16.0]))
    array([3., 4., 6., 7.])
    """
    if not _contains_box(f, varargs):
        return _np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    concatenate, diff, reshape = cnp.concatenate, cnp.diff, cnp.reshape
    from .convert import _astype
    f = _asarray(f)
    N = ndim(f)
    axes = tuple(range(N)) if axis is None else \
        tuple(a % N for a in ((axis,) if isinstance(axis, (int, _np.integer)) else axis))
    n = len(varargs)
    if n == 0:
        dx = [1.0] * len(axes)
    elif n == 1 and ndim(varargs[0]) == 0:
        dx = list(varargs) * len(axes)
    elif n == len(axes):
        dx = []
        for i, dist in enumerate(varargs):
            dist = _asarray(dist)
            if ndim(dist) == 0:
                dx.append(dist)
                continue
            if ndim(dist) != 1:
                raise ValueError("distances must be either scalars or 1d")
            if shape(dist)[0] != shape(f)[axes[i]]:
                raise ValueError("when 1d, distances must match the length of the "
                                 "corresponding dimension")
            if dtype(dist).kind in "iu":
                dist = _astype(dist, _np.float64)
            d = diff(dist)
            dv = getval(d)
            dx.append(d[0] if (dv == dv[0]).all() else d)  # uniform: a scalar, as NumPy
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if dtype(f).kind not in "fc":
        f = _astype(f, _np.float64)

    outvals = []
    for ax, h in zip(axes, dx, strict=True):
        if shape(f)[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")

        def sl(s, ax=ax):
            return _take(f, _slice_along(ax, s))

        def col(v, ax=ax):  # a 1-D spacing array along ``ax``
            s = [1] * N
            s[ax] = -1
            return reshape(v, tuple(s))

        def one(i):  # element i of the spacing, keeping f's axes
            return h[i] if ndim(h) else h
        uniform = ndim(h) == 0
        if uniform:
            inner = (sl(slice(2, None)) - sl(slice(None, -2))) / (2.0 * h)
        else:
            dx1, dx2 = h[0:-1], h[1:]
            a = -(dx2) / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            inner = col(a) * sl(slice(None, -2)) + col(b) * sl(slice(1, -1)) \
                + col(c) * sl(slice(2, None))
        if edge_order == 1:
            first = (sl(slice(1, 2)) - sl(slice(0, 1))) / one(0)
            last = (sl(slice(-1, None)) - sl(slice(-2, -1))) / one(-1)
        else:
            if uniform:
                a, b, c = -1.5 / h, 2.0 / h, -0.5 / h
            else:
                dx1, dx2 = h[0], h[1]
                a = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
                b = (dx1 + dx2) / (dx1 * dx2)
                c = -dx1 / (dx2 * (dx1 + dx2))
            first = a * sl(slice(0, 1)) + b * sl(slice(1, 2)) + c * sl(slice(2, 3))
            if uniform:
                a, b, c = 0.5 / h, -2.0 / h, 1.5 / h
            else:
                dx1, dx2 = h[-2], h[-1]
                a = dx2 / (dx1 * (dx1 + dx2))
                b = -(dx2 + dx1) / (dx1 * dx2)
                c = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
            last = a * sl(slice(-3, -2)) + b * sl(slice(-2, -1)) + c * sl(slice(-1, None))
        outvals.append(concatenate([first, inner, last], axis=ax))
    return outvals[0] if len(axes) == 1 else tuple(outvals)


@composite
def unwrap(p, discont=None, axis=-1, *, period=2 * _np.pi):
    """Remove jumps larger than ``discont`` by adding multiples of ``period``;
    the added multiples are piecewise constant, so the derivative is one.

    >>> import chainrule.numpy as np
    >>> np.unwrap(np.array([0.0, 3.0, 6.5])).round(3)
    array([0.   , 3.   , 0.217])
    """
    if not _contains_box(p):
        return _np.unwrap(p, discont, axis, period=period)
    concatenate = cnp.concatenate
    p = _asarray(p)
    pv = getval(p)
    nd = ndim(p)
    ax = axis % nd
    # NumPy's arithmetic on the plain values gives the correction ...
    dd = _np.diff(pv, axis=ax)
    if discont is None:
        discont = period / 2
    high = period / 2
    ddmod = _np.mod(dd + high, period) - high
    _np.copyto(ddmod, high, where=(ddmod == -high) & (dd > 0))
    correct = ddmod - dd
    _np.copyto(correct, 0, where=abs(dd) < discont)
    # ... added to the traced values exactly as NumPy adds it.
    head = _take(p, _slice_along(ax, slice(0, 1)))
    tail = _take(p, _slice_along(ax, slice(1, None))) + correct.cumsum(ax)
    return concatenate([head, tail], axis=ax)
