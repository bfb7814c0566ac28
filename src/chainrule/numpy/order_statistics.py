"""Order statistics: ``median``, ``quantile`` and ``percentile`` (every
NumPy method), and their NaN-ignoring twins.

Every function here is a composite: plain arrays in, NumPy's own function
out (exactly NumPy's results, at the cost of one check); traced values go
through the same computation written with ``chainrule.numpy`` functions, so
derivatives of any order come from the primitives' rules. Which elements
are picked (which element is the median, the neighbours of a quantile's
virtual index, which slices hold NaNs) is a piecewise-constant choice: it
is made on the plain values, and the picked elements, with the
interpolation weight where it moves with ``q``, are recomputed on the
traced ones.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.median(x))(np.array([3.0, 1.0, 2.0]))[2])
1.0
"""

import warnings as _warnings

import numpy as _np

from ..core.engine import Box, getval
from ._composite_helpers import _asarray, _take
from ._wrap import _unbox_all, array_module, ndim, normalize_axis, shape
from ._wrap import asarray as _tasarray  # np.asarray, recorded by chainrule.jit
from .convert import _contains_box
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["median", "nanmedian", "quantile", "nanquantile", "percentile", "nanpercentile"]

# -- order statistics: median, quantile, percentile ------------------------------------------

_CONTINUOUS = {  # virtual index n*q + alpha + q*(1 - alpha - beta) - 1 (Hyndman & Fan)
    "interpolated_inverted_cdf": (0.0, 1.0),
    "hazen": (0.5, 0.5),
    "weibull": (0.0, 0.0),
    "median_unbiased": (1 / 3.0, 1 / 3.0),
    "normal_unbiased": (3 / 8.0, 3 / 8.0),
}
_METHODS = set(_CONTINUOUS) | {"linear", "inverted_cdf", "averaged_inverted_cdf",
                               "closest_observation", "lower", "higher", "midpoint", "nearest"}


def _virtual_index(method, n, q):
    """NumPy's virtual index of quantile ``q`` in a sorted sample of size ``n``;
    works on plain and traced ``q`` (only the continuous methods see traced q)."""
    if method == "linear":
        return (n - 1) * q
    alpha, beta = _CONTINUOUS[method]
    return n * q + (alpha + q * (1 - alpha - beta)) - 1


def _discrete_index(method, n, q):
    """Integer indices of the methods that pick one order statistic."""
    def boundaries(index, pick_previous):
        prev = _np.floor(index)
        res = _np.where(pick_previous(index - prev, index), prev, prev + 1).astype(_np.intp)
        return _np.maximum(res, 0)
    if method == "lower":
        return _np.floor((n - 1) * q).astype(_np.intp)
    if method == "higher":
        return _np.ceil((n - 1) * q).astype(_np.intp)
    if method == "nearest":
        return _np.around((n - 1) * q).astype(_np.intp)
    if method == "inverted_cdf":
        return boundaries(n * q - 1, lambda g, i: g == 0)
    # closest_observation: the nearest even order statistic (1-based) at g = 0
    return boundaries(n * q - 1 - 0.5, lambda g, i: (g == 0) & (_np.floor(i) % 2 == 1))


def _gather_last(s, idx):
    """``s[..., idx]`` per slice: ``s`` is ``rest + (n,)``, ``idx`` broadcasts
    to ``rest + (k,)``; the result is ``rest + (k,)``."""
    rest = shape(s)[:-1]
    idx = _np.broadcast_to(idx, tuple(rest) + _np.shape(idx)[-1:])
    grids = tuple(_np.arange(r).reshape((-1,) + (1,) * (len(rest) - i))
                  for i, r in enumerate(rest))
    return _take(s, grids + (idx,))


def _reduce_to_last(a, axis):
    """Move the reduced axes to the end, merged into one; also the kept shape."""
    moveaxis, reshape = cnp.moveaxis, cnp.reshape
    nd = ndim(a)
    axes = normalize_axis(axis, nd)
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape(a)))
    last = tuple(range(nd - len(axes), nd))
    moved = moveaxis(a, axes, last) if axes != last else a
    rest = shape(moved)[:nd - len(axes)]
    n = 1
    for i in axes:
        n *= int(shape(a)[i])
    return reshape(moved, tuple(rest) + (n,)), kept  # not -1: ambiguous when empty


def _finish(res, qshape, a_shape_rest, kept, keepdims):
    """``rest + (k,)`` -> ``qshape + rest`` (or ``qshape + kept`` with keepdims)."""
    moveaxis, reshape = cnp.moveaxis, cnp.reshape
    res = moveaxis(res, -1, 0)
    return reshape(res, tuple(qshape) + (tuple(kept) if keepdims else tuple(a_shape_rest)))


def _empty_slice_nan(arr, k):
    """NaN for each of ``k`` statistics of every empty slice (NumPy's value, with its
    warning), still a function of ``arr``: its derivative is the empty array of
    zeros, not an IndexError from picking an element that is not there."""
    _warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=4)
    nothing = cnp.sum(arr, axis=-1, keepdims=True) * _np.nan  # rest + (1,)
    return cnp.repeat(nothing, k, axis=-1) if k != 1 else nothing


def _quantile_traced(a, q, axis, method, keepdims, weights, nan):
    sort, where, reshape = cnp.sort, cnp.where, cnp.reshape
    a = _asarray(a)
    if _np.iscomplexobj(getval(a)):
        raise TypeError("a must be an array of real numbers")
    # The index arithmetic runs on a's array module: q and the counts live there too.
    xp = array_module(a)
    qv = _tasarray(getval(q)) if xp is _np else xp.asarray(getval(q))
    if qv.size and not (qv.min() >= 0 and qv.max() <= 1):
        raise ValueError("Quantiles must be in the range [0, 1]")
    if method not in _METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {sorted(_METHODS)}")
    if weights is not None and method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    arr, kept = _reduce_to_last(a, axis)
    rest = shape(arr)[:-1]
    n = shape(arr)[-1]
    qf = qv.reshape(-1)
    if n == 0:
        if not nan:  # NumPy's own answer for an empty slice, with a message that says so
            raise IndexError("quantile of an empty slice (the reduced axes hold no elements)"
                             "; NumPy raises here too")
        return _finish(_empty_slice_nan(arr, qf.size), qv.shape, rest, kept, keepdims)
    av = getval(arr)
    if weights is None:
        order = None
        s = sort(arr, axis=-1)  # NaNs sort to the end
    else:
        order = _np.argsort(av, axis=-1)
        s = _gather_last(arr, order)
    sv = getval(s)
    isnan = _np.isnan(sv)
    if nan:
        count = _np.sum(~isnan, axis=-1)[..., None]  # rest + (1,): each slice its own size
    else:
        count = xp.asarray(n)[None]
    last = _np.maximum(count - 1, 0)

    if weights is not None:
        # Weighted inverted CDF (NumPy's rule): the first element whose
        # cumulative weight reaches q. Weights only choose: no derivative.
        w = xp.asarray(_unbox_all(weights), dtype=float)
        if w.shape != _np.shape(getval(a)):
            w = _np.broadcast_to(w.reshape([-1 if i in normalize_axis(axis, ndim(a)) else 1
                                            for i in range(ndim(a))]), _np.shape(getval(a)))
        if _np.any(w < 0):
            raise ValueError("Weights must be non-negative.")
        wl = getval(_reduce_to_last(w, axis)[0])
        if nan:
            wl = _np.where(_np.isnan(av), 0.0, wl)
        cdf = _np.cumsum(_np.take_along_axis(wl, order, -1), axis=-1)
        cdf = cdf / cdf[..., -1:]
        if qf.dtype.kind == "f":
            cdf = cdf.astype(qf.dtype)
        cdf[cdf == 0] = -1
        idx = _np.minimum(_np.sum(cdf[..., :, None] < qf, axis=-2), last)
        res = _gather_last(s, idx)
    elif method in _CONTINUOUS or method in ("linear", "midpoint", "averaged_inverted_cdf"):
        if method == "midpoint":
            vi = 0.5 * (_np.floor((count - 1) * qf) + _np.ceil((count - 1) * qf))
        elif method == "averaged_inverted_cdf":
            vi = count * qf - 1.0
        else:
            vi = _virtual_index(method, count, qf)
        vi = _tasarray(vi, dtype=float) if xp is _np else vi.astype(float)
        prev = _np.floor(vi)
        # Outside [0, n - 1] both neighbours are the first or the last element.
        prev = _np.where(vi >= count - 1, count - 1, _np.where(vi < 0, 0, prev))
        nxt = _np.where((vi >= count - 1) | (vi < 0), prev, prev + 1)
        prev, nxt = _np.maximum(prev, 0).astype(_np.intp), _np.maximum(nxt, 0).astype(_np.intp)
        if method == "midpoint":
            gamma = _np.where(vi % 1 == 0, 0.0, 0.5)
        elif method == "averaged_inverted_cdf":
            gamma = _np.where(vi - _np.floor(vi) == 0, 0.5, 1.0)
        elif type(q) is Box:
            # The interpolation weight moves with q: keep it traced.
            gamma = _virtual_index(method, count, reshape(q, (-1,))) - prev
        else:
            gamma = vi - prev
        lo, hi = _gather_last(s, prev), _gather_last(s, nxt)
        d = hi - lo
        # NumPy's lerp, both halves, for identical values.
        big = _np.broadcast_to(getval(gamma) >= 0.5, _np.broadcast_shapes(
            _np.shape(getval(gamma)), shape(d)))
        res = where(big, hi - d * (1 - gamma), lo + d * gamma)
    else:
        idx = _np.minimum(_discrete_index(method, count, qf), last)
        res = _gather_last(s, idx)

    # Slices with NaNs (quantile) or only NaNs (nanquantile) give NaN.
    bad = isnan[..., -1] if not nan else (count[..., 0] == 0)
    if _np.any(bad):
        res = where(bad[..., None], _np.nan, res)
    return _finish(res, qv.shape, rest, kept, keepdims)


@composite
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """The ``q``-th quantiles along ``axis``, with every NumPy method;
    differentiable in ``a`` and (for the interpolating methods) in ``q``.

    >>> import chainrule.numpy as np
    >>> float(np.quantile(np.array([1.0, 2.0, 3.0, 4.0]), 0.5))
    2.5
    """
    if not _contains_box(a, q):
        return _np.quantile(a, q, axis, out, overwrite_input, method, keepdims,
                            weights=weights)
    return _quantile_traced(a, q, axis, method, keepdims, weights, False)


@composite
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None):
    """:func:`quantile` ignoring NaNs.

    >>> import chainrule.numpy as np
    >>> float(np.nanquantile(np.array([1.0, np.nan, 3.0]), 0.5))
    2.0
    """
    if not _contains_box(a, q):
        return _np.nanquantile(a, q, axis, out, overwrite_input, method, keepdims,
                               weights=weights)
    return _quantile_traced(a, q, axis, method, keepdims, weights, True)


@composite
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    """The ``q``-th percentiles (``quantile(a, q / 100)``).

    >>> import chainrule.numpy as np
    >>> float(np.percentile(np.array([1.0, 2.0, 3.0, 4.0]), 50))
    2.5
    """
    if not _contains_box(a, q):
        return _np.percentile(a, q, axis, out, overwrite_input, method, keepdims,
                              weights=weights)
    return _quantile_traced(a, _percent(q), axis, method, keepdims,
                            weights, False)


@composite
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None):
    """:func:`percentile` ignoring NaNs.

    >>> import chainrule.numpy as np
    >>> float(np.nanpercentile(np.array([1.0, np.nan, 3.0]), 50))
    2.0
    """
    if not _contains_box(a, q):
        return _np.nanpercentile(a, q, axis, out, overwrite_input, method, keepdims,
                                 weights=weights)
    return _quantile_traced(a, _percent(q), axis, method, keepdims,
                            weights, True)


def _percent(q):
    return q / 100 if type(q) is Box else _np.true_divide(q, 100)


def _median_traced(a, axis, keepdims, nan):
    sort, where = cnp.sort, cnp.where
    a = _asarray(a)
    arr, kept = _reduce_to_last(a, axis)
    rest = shape(arr)[:-1]
    if shape(arr)[-1] == 0:
        return _finish(_empty_slice_nan(arr, 1), (), rest, kept, keepdims)
    s = sort(arr, axis=-1)
    isnan = _np.isnan(getval(s))
    if nan:
        count = _np.sum(~isnan, axis=-1)[..., None]
    else:
        count = _np.asarray(shape(arr)[-1])[None]
    # The mean of the two middle elements (one element twice for odd sizes).
    lo = _np.maximum((count - 1) // 2, 0)
    hi = count // 2
    res = (_gather_last(s, lo) + _gather_last(s, hi)) / 2.0
    bad = isnan[..., -1] if not nan else (count[..., 0] == 0)
    if _np.any(bad):
        res = where(bad[..., None], _np.nan, res)
    return _finish(res, (), rest, kept, keepdims)


@composite
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis``; the gradient goes to the middle element(s).

    >>> import chainrule.numpy as np
    >>> float(np.median(np.array([3.0, 1.0, 2.0, 10.0])))
    2.5
    """
    if not _contains_box(a):
        return _np.median(a, axis, out, overwrite_input, keepdims)
    return _median_traced(a, axis, keepdims, False)


@composite
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median ignoring NaNs.

    >>> import chainrule.numpy as np
    >>> float(np.nanmedian(np.array([3.0, np.nan, 1.0])))
    2.0
    """
    if not _contains_box(a):
        return _np.nanmedian(a, axis, out, overwrite_input, keepdims)
    return _median_traced(a, axis, keepdims, True)
