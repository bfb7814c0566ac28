"""More of NumPy's namespace built from the primitives: signal processing,
order statistics, polynomials, numerical calculus and a few odds and ends.

Every function here is a composite: plain arrays in, NumPy's own function
out (exactly NumPy's results, at the cost of one check); traced values go
through the same computation written with ``chainrule.numpy`` functions, so
derivatives of any order come from the primitives' rules. Where the output
depends on the input only through a piecewise-constant choice (which element
is the median, which branch of ``piecewise``, the number of phase wraps of
``unwrap``), that choice is made on the plain values and the differentiable
part is recomputed on the traced ones.

``roots`` is the one primitive: its rules come from the implicit function
theorem (a simple root ``r`` of ``p`` moves by ``-δp(r) / p'(r)``).

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.median(x))(np.array([3.0, 1.0, 2.0]))[2])
1.0
"""

import importlib
import warnings

import numpy as _np

from ..core.errors import MissingRuleError
from ..core.trace import Box, getval
from ._wrap import _unbox_all, defprim, dtype, match_real, ndim, normalize_axis, shape
from .elementwise import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                          conjugate, power)
from .convert import _contains_box
from .reductions import COMPOSITES, composite

__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "conj",
           "asarray_chkfinite", "block", "convolve", "correlate", "cov", "corrcoef", "divmod",
           "frexp", "modf", "gradient", "i0", "insert", "interp", "median", "nanmedian",
           "quantile", "nanquantile", "percentile", "nanpercentile", "piecewise", "poly",
           "polyadd", "polysub", "polymul", "polyder", "polyint", "polyval", "polydiv",
           "polyfit", "roots", "real_if_close", "trapezoid", "unwrap", "vander"]

# -- NumPy 2's array-API names for functions chainrule already has ----------------------
acos, acosh, asin, asinh = arccos, arccosh, arcsin, arcsinh
atan, atan2, atanh, pow = arctan, arctan2, arctanh, power  # noqa: A001
conj = conjugate
for _alias in ("acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "conj"):
    # Registered under the alias too, so the rule table must exercise the name.
    COMPOSITES["numpy." + _alias] = globals()[_alias]


def _asarray(a):
    from . import asarray
    return asarray(a)


def _slice_along(axis, s):
    return (slice(None),) * axis + (s,)


def _take(a, idx):
    from .indexing import _getitem
    return _getitem(a, idx)


# -- small conveniences -------------------------------------------------------------------

@composite
def asarray_chkfinite(a, dtype=None, order=None):
    """``asarray`` that refuses infinities and NaNs.

    >>> import chainrule.numpy as np
    >>> np.asarray_chkfinite([1.0, 2.0])
    array([1., 2.])
    """
    if not _contains_box(a):
        return _np.asarray_chkfinite(a, dtype=dtype, order=order)
    if not _np.isfinite(_np.asarray(_unbox_all(a))).all():
        raise ValueError("array must not contain infs or NaNs")
    from . import asarray
    return asarray(a, dtype=dtype)


@composite
def real_if_close(a, tol=100):
    """The real part if every imaginary part is within ``tol`` machine
    epsilons of zero, else ``a`` unchanged.

    >>> import chainrule.numpy as np
    >>> np.real_if_close(np.array([1.0 + 1e-20j, 2.0]))
    array([1., 2.])
    """
    if not _contains_box(a):
        return _np.real_if_close(a, tol=tol)
    from . import real
    a = _asarray(a)
    # The choice depends on the values only: make it on the plain ones.
    if _np.iscomplexobj(getval(a)) and not _np.iscomplexobj(_np.real_if_close(getval(a), tol)):
        return real(a)
    return a


@composite
def divmod(x1, x2, out=None, **kwargs):  # noqa: A001
    """``(floor_divide(x1, x2), remainder(x1, x2))``; the quotient is
    piecewise constant, the remainder differentiable.

    >>> import chainrule.numpy as np
    >>> np.divmod(np.array([7.5]), 2.0)
    (array([3.]), array([1.5]))
    """
    if not _contains_box(x1, x2):
        return _np.divmod(x1, x2, **({"out": out} if out is not None else {}), **kwargs)
    from . import floor_divide, remainder
    return floor_divide(x1, x2), remainder(x1, x2)


@composite
def modf(x, out=None, **kwargs):
    """Fractional and integral parts; the fractional part has derivative one.

    >>> import chainrule.numpy as np
    >>> np.modf(np.array([2.5, -1.25]))
    (array([ 0.5 , -0.25]), array([ 2., -1.]))
    """
    if not _contains_box(x):
        return _np.modf(x, **({"out": out} if out is not None else {}), **kwargs)
    from . import where
    frac, whole = _np.modf(getval(x))
    # x - trunc(x) is exact in floating point; infinities keep NumPy's 0 fraction.
    return where(_np.isfinite(getval(x)), x - whole, frac), whole


@composite
def frexp(x, out=None, **kwargs):
    """Mantissa and exponent, ``x = m * 2**e``; the mantissa is differentiable
    (derivative ``2**-e``), the exponent an integer constant.

    >>> import chainrule.numpy as np
    >>> np.frexp(np.array([8.0]))
    (array([0.5]), array([4], dtype=int32))
    """
    if not _contains_box(x):
        return _np.frexp(x, **({"out": out} if out is not None else {}), **kwargs)
    from . import ldexp
    e = _np.frexp(getval(x))[1]
    return ldexp(x, -e), e


# -- block ------------------------------------------------------------------------------------

@composite
def block(arrays):
    """Assemble an array from nested lists of blocks.

    >>> import chainrule.numpy as np
    >>> np.block([[np.eye(2), np.zeros((2, 1))]]).shape
    (2, 3)
    """
    if not _contains_box(arrays):
        return _np.block(arrays)
    from . import concatenate, reshape

    # Let NumPy validate the nesting and shapes on cheap stand-ins.
    def stand_in(x):
        if isinstance(x, list):
            return [stand_in(y) for y in x]
        if isinstance(x, tuple):
            return x  # NumPy's error for tuples
        return _np.empty(shape(x), dtype=bool)
    _np.block(stand_in(arrays))

    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) else 0

    def max_ndim(x):
        return max(max_ndim(y) for y in x) if isinstance(x, list) else ndim(x)

    list_ndim = depth(arrays)
    result_ndim = max(list_ndim, max_ndim(arrays))

    def build(x, level):
        if level == list_ndim:
            s = tuple(shape(x))
            return reshape(x, (1,) * (result_ndim - len(s)) + s) if len(s) < result_ndim \
                else x
        parts = [build(y, level + 1) for y in x]
        return parts[0] if len(parts) == 1 else \
            concatenate(parts, axis=-(list_ndim - level))
    return build(arrays, 0)


# -- convolution ----------------------------------------------------------------------------

def _convolve_traced(a, v, mode):
    """Direct 1-D convolution as a gather and a matrix-vector product."""
    from . import concatenate, flip, matmul, ravel
    a, v = ravel(_asarray(a)), ravel(_asarray(v))
    n, m = shape(a)[0], shape(v)[0]
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty" if m == 0 else "a cannot be empty")
    if m > n:  # convolution commutes: keep the shorter one as the kernel
        a, v, n, m = v, a, m, n
    if mode == "full":
        ks = _np.arange(n + m - 1)
    elif mode == "same":
        ks = _np.arange(n) + (m - 1) // 2
    elif mode == "valid":
        ks = _np.arange(n - m + 1) + m - 1
    else:
        raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")
    zeros = _np.zeros(m - 1, dtype=dtype(a))
    padded = concatenate([zeros, a, zeros]) if m > 1 else a
    # out[k] = sum_j padded[k + j] * v[m - 1 - j]
    windows = _take(padded, ks[:, None] + _np.arange(m)[None, :])
    return matmul(windows, flip(v))


@composite
def convolve(a, v, mode="full"):
    """Discrete linear convolution of two 1-D sequences; differentiable in both.

    >>> import chainrule.numpy as np
    >>> np.convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    if not _contains_box(a, v):
        return _np.convolve(a, v, mode)
    return _convolve_traced(a, v, mode)


@composite
def correlate(a, v, mode="valid"):
    """Cross-correlation ``z[k] = sum_n a[n + k] conj(v[n])`` of 1-D sequences.

    >>> import chainrule.numpy as np
    >>> np.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([3.5])
    """
    if not _contains_box(a, v):
        return _np.correlate(a, v, mode)
    from . import conj, flip, ravel
    a, v = ravel(_asarray(a)), ravel(_asarray(v))
    if shape(v)[0] > shape(a)[0] and mode != "full":
        # NumPy swaps the operands; the result is the conjugate, reversed.
        return conj(flip(_convolve_traced(v, flip(conj(a)), mode)))
    return _convolve_traced(a, flip(conj(v)), mode)


# -- statistics --------------------------------------------------------------------------

@composite
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """Covariance matrix of the rows (variables) of ``m``, as NumPy computes
    it; differentiable in ``m``, ``y`` and ``aweights``.

    >>> import chainrule.numpy as np
    >>> np.cov(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    if not _contains_box(m, y, aweights):
        return _np.cov(m, y, rowvar, bias, ddof, fweights, aweights, dtype=dtype)
    from . import average, concatenate, dot, reshape, sum as _sum, transpose, conj
    from .convert import _astype
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = _asarray(m)
    if ndim(m) > 2:
        raise ValueError("m has more than 2 dimensions")
    if y is not None:
        y = _asarray(y)
        if ndim(y) > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = _np.result_type(getval(m), _np.float64) if y is None else \
            _np.result_type(getval(m), getval(y), _np.float64)

    def as2d(x):
        x = _astype(x, dtype)
        return reshape(x, (1,) * (2 - ndim(x)) + tuple(shape(x))) if ndim(x) < 2 else x
    X = as2d(m)
    if not rowvar and ndim(m) != 1:
        X = transpose(X)
    if shape(X)[0] == 0:
        return _np.array([]).reshape(0, 0)
    if y is not None:
        Y = as2d(y)
        if not rowvar and shape(Y)[0] != 1:
            Y = transpose(Y)
        X = concatenate((X, Y), axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    # Frequency weights are counts (constants); analytic weights may be traced.
    w = None
    if fweights is not None:
        fweights = _np.asarray(_unbox_all(fweights), dtype=float)
        if not _np.all(fweights == _np.around(fweights)):
            raise TypeError("fweights must be integer")
        if fweights.ndim > 1:
            raise RuntimeError("cannot handle multidimensional fweights")
        if fweights.shape[0] != shape(X)[1]:
            raise RuntimeError("incompatible numbers of samples and fweights")
        if _np.any(fweights < 0):
            raise ValueError("fweights cannot be negative")
        w = fweights
    if aweights is not None:
        aweights = _astype(_asarray(aweights), float)
        if ndim(aweights) > 1:
            raise RuntimeError("cannot handle multidimensional aweights")
        if shape(aweights)[0] != shape(X)[1]:
            raise RuntimeError("incompatible numbers of samples and aweights")
        if _np.any(getval(aweights) < 0):
            raise ValueError("aweights cannot be negative")
        w = aweights if w is None else w * aweights
    avg = average(X, axis=1, weights=w)
    w_sum = shape(X)[1] if w is None else _sum(w)
    if w is None:
        fact = shape(X)[1] - ddof
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * _sum(w * aweights) / w_sum
    if getval(fact) <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0.0
    X = X - reshape(avg, (-1, 1))
    X_T = transpose(X) if w is None else transpose(X * w)
    c = dot(X, conj(X_T)) * (_np.true_divide(1, fact) if type(fact) is not Box else 1.0 / fact)
    from . import squeeze
    return squeeze(c)


@composite
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients (the normalized :func:`cov`).

    >>> import chainrule.numpy as np
    >>> np.corrcoef(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]])).round(3)
    array([[ 1.   , -0.982],
           [-0.982,  1.   ]])
    """
    if not _contains_box(x, y):
        return _np.corrcoef(x, y, rowvar, dtype=dtype)
    from . import clip, diag, imag, real, reshape, sqrt
    c = cov(x, y, rowvar, dtype=dtype)
    if ndim(c) == 0:
        return c / c
    stddev = sqrt(real(diag(c)))
    c = c / reshape(stddev, (-1, 1)) / reshape(stddev, (1, -1))
    # Clip to [-1, 1] as NumPy does, against rounding.
    if _np.iscomplexobj(getval(c)):
        return clip(real(c), -1, 1) + 1j * clip(imag(c), -1, 1)
    return clip(c, -1, 1)


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
    from . import moveaxis, reshape
    nd = ndim(a)
    axes = normalize_axis(axis, nd)
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape(a)))
    last = tuple(range(nd - len(axes), nd))
    moved = moveaxis(a, axes, last) if axes != last else a
    rest = shape(moved)[:nd - len(axes)]
    return reshape(moved, tuple(rest) + (-1,)), kept


def _finish(res, qshape, a_shape_rest, kept, keepdims):
    """``rest + (k,)`` -> ``qshape + rest`` (or ``qshape + kept`` with keepdims)."""
    from . import moveaxis, reshape
    res = moveaxis(res, -1, 0)
    return reshape(res, tuple(qshape) + (tuple(kept) if keepdims else tuple(a_shape_rest)))


def _quantile_traced(a, q, axis, method, keepdims, weights, nan):
    from . import sort, where, reshape
    a = _asarray(a)
    if _np.iscomplexobj(getval(a)):
        raise TypeError("a must be an array of real numbers")
    qv = _np.asanyarray(getval(q))
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
        count = _np.asarray(n)[None]
    last = _np.maximum(count - 1, 0)

    if weights is not None:
        # Weighted inverted CDF (NumPy's rule): the first element whose
        # cumulative weight reaches q. Weights only choose: no derivative.
        w = _np.asarray(_unbox_all(weights), dtype=float)
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
        vi = _np.asarray(vi, dtype=float)
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
    from . import sort, where
    a = _asarray(a)
    arr, kept = _reduce_to_last(a, axis)
    rest = shape(arr)[:-1]
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
    from . import diff, reshape, sum as _sum
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
    from . import concatenate, diff, reshape
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
    from . import concatenate
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
    from . import concatenate, remainder, where
    from .convert import _astype
    x, xp, fp = _asarray(x), _asarray(xp), _asarray(fp)
    cplx = _np.iscomplexobj(getval(fp))
    if dtype(x).kind not in "f":
        x = _astype(x, _np.float64)
    if dtype(xp).kind not in "f":
        xp = _astype(xp, _np.float64)
    if dtype(fp).kind not in "fc":
        fp = _astype(fp, _np.float64)
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
    from . import ravel, reshape, where
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
        out = where(lab.ravel() >= 0, from_arr, from_val)
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
    if _np.isscalar(condlist) or (not isinstance(condlist[0], (list, _np.ndarray))
                                  and _np.ndim(xv) != 0):
        condlist = [condlist]
    condlist = _np.asarray([_np.asarray(getval(c)) for c in condlist], dtype=bool)
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


# -- special function -----------------------------------------------------------------------

# Cephes' Chebyshev coefficients of exp(-x) i0(x), as NumPy uses them.
_I0A = [
    -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
    1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
    -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11, 9.675809035373237e-11,
    -5.189795601635263e-10, 2.6598237246823866e-09, -1.300025009986248e-08,
    6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
    -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05,
    0.00018850288509584165, -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576,
    0.010546460394594998, -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
    0.17162090152220877, -0.3046826723431984, 0.6767952744094761,
]
_I0B = [
    -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
    -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15,
    3.8116806693526224e-15, -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14,
    3.8527783827421426e-13, 7.180124451383666e-13, -1.7941785315068062e-12,
    -1.3215811840447713e-11, -3.1499165279632416e-11, 1.1889147107846439e-11,
    4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
    2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943, 0.8044904110141088,
]


def _chbevl(x, vals):
    # Clenshaw recurrence for a Chebyshev series (NumPy's coefficients).
    b0, b1, b2 = vals[0], 0.0, 0.0
    for c in vals[1:]:
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


@composite
def i0(x):
    """Modified Bessel function of the first kind, order 0 (NumPy's Chebyshev
    approximation, differentiated term by term: ``i0' ≈ i1``).

    >>> import chainrule.numpy as np
    >>> float(np.i0(0.0))
    1.0
    """
    if not _contains_box(x):
        return _np.i0(x)
    from . import absolute, exp, sqrt, where
    x = _asarray(x)
    if dtype(x).kind == "c":
        raise TypeError("i0 not supported for complex values")
    ax = absolute(x)
    small = getval(ax) <= 8.0
    # Each branch gets a safe argument so the other's derivative stays finite.
    xs = where(small, ax, 0.0)
    xl = where(small, 9.0, ax)
    y_small = exp(xs) * _chbevl(xs / 2.0 - 2, _I0A)
    y_large = exp(xl) * _chbevl(32.0 / xl - 2.0, _I0B) / sqrt(xl)
    return where(small, y_small, y_large)


# -- polynomials ------------------------------------------------------------------------------

def _is_poly1d(*ps):
    return any(isinstance(p, _np.poly1d) for p in ps)


def _atleast_1d(a):
    from . import atleast_1d
    return atleast_1d(_asarray(a))


@composite
def vander(x, N=None, increasing=False):
    """Vandermonde matrix: columns are powers of ``x`` (decreasing by default).

    >>> import chainrule.numpy as np
    >>> np.vander(np.array([2.0, 3.0]), 3)
    array([[4., 2., 1.],
           [9., 3., 1.]])
    """
    if not _contains_box(x):
        return _np.vander(x, N, increasing)
    from . import broadcast_to, concatenate, cumprod, flip, reshape
    x = _asarray(x)
    if ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = shape(x)[0]
    if N is None:
        N = n
    dt = _np.promote_types(dtype(x), int)
    if N == 0:
        return _np.empty((n, 0), dtype=dt)
    ones = _np.ones((n, 1), dtype=dt)
    if N == 1:
        return ones
    # NumPy's multiply.accumulate of repeated x: the same products, in order.
    powers = cumprod(broadcast_to(reshape(x, (n, 1)), (n, N - 1)), axis=1)
    v = concatenate([ones, powers], axis=1)
    return v if increasing else flip(v, 1)


@composite
def polyval(p, x):
    """Evaluate the polynomial with coefficients ``p`` (highest power first)
    at ``x`` by Horner's rule; differentiable in both.

    >>> import chainrule.numpy as np
    >>> float(np.polyval(np.array([1.0, 0.0, -1.0]), 3.0))
    8.0
    """
    if not _contains_box(p, x) or _is_poly1d(x):
        return _np.polyval(p, x)
    p = _asarray(p)
    x = _asarray(x)
    y = _np.zeros_like(getval(x))
    for i in range(shape(p)[0]):
        y = y * x + p[i]
    return y


def _pad_front(a, n):
    from . import concatenate
    return concatenate([_np.zeros(n, dtype=dtype(a)), a]) if n else a


@composite
def polyadd(a1, a2):
    """Sum of two polynomials (coefficients aligned at the constant term).

    >>> import chainrule.numpy as np
    >>> np.polyadd(np.array([1.0, 2.0]), np.array([1.0, 0.0, 0.0]))
    array([1., 1., 2.])
    """
    if not _contains_box(a1, a2) or _is_poly1d(a1, a2):
        return _np.polyadd(a1, a2)
    a1, a2 = _atleast_1d(a1), _atleast_1d(a2)
    diff = shape(a2)[0] - shape(a1)[0]
    return _pad_front(a1, max(diff, 0)) + _pad_front(a2, max(-diff, 0))


@composite
def polysub(a1, a2):
    """Difference of two polynomials.

    >>> import chainrule.numpy as np
    >>> np.polysub(np.array([1.0, 2.0]), np.array([1.0, 0.0, 0.0]))
    array([-1.,  1.,  2.])
    """
    if not _contains_box(a1, a2) or _is_poly1d(a1, a2):
        return _np.polysub(a1, a2)
    a1, a2 = _atleast_1d(a1), _atleast_1d(a2)
    diff = shape(a2)[0] - shape(a1)[0]
    return _pad_front(a1, max(diff, 0)) - _pad_front(a2, max(-diff, 0))


@composite
def polymul(a1, a2):
    """Product of two polynomials (the convolution of their coefficients).

    >>> import chainrule.numpy as np
    >>> np.polymul(np.array([1.0, 1.0]), np.array([1.0, -1.0]))
    array([ 1.,  0., -1.])
    """
    if not _contains_box(a1, a2) or _is_poly1d(a1, a2):
        return _np.polymul(a1, a2)
    return convolve(_atleast_1d(a1), _atleast_1d(a2))


@composite
def polyder(p, m=1):
    """The ``m``-th derivative of a polynomial.

    >>> import chainrule.numpy as np
    >>> np.polyder(np.array([1.0, 1.0, 1.0]))
    array([2., 1.])
    """
    if not _contains_box(p) or _is_poly1d(p):
        return _np.polyder(p, m)
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = _atleast_1d(p)
    for _ in range(m):
        n = shape(p)[0] - 1
        p = p[:-1] * _np.arange(n, 0, -1)
    return p


@composite
def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative, with integration constants ``k`` (zero by
    default); differentiable in ``p`` and ``k``.

    >>> import chainrule.numpy as np
    >>> np.polyint(np.array([3.0, 2.0, 1.0]))
    array([1., 1., 1., 0.])
    """
    if not _contains_box(p, k) or _is_poly1d(p):
        return _np.polyint(p, m, k)
    from . import concatenate, reshape
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = _np.zeros(m, float)
    k = _atleast_1d(k)
    if shape(k)[0] == 1 and m > 1:
        k = k[0] * _np.ones(m, float)
    if shape(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _atleast_1d(p)
    for i in range(m):
        p = concatenate([p / _np.arange(shape(p)[0], 0, -1), reshape(k[i], (1,))])
    return p


@composite
def polydiv(u, v):
    """Quotient and remainder of polynomial division (NumPy's long division).

    >>> import chainrule.numpy as np
    >>> np.polydiv(np.array([1.0, 0.0, -1.0]), np.array([1.0, 1.0]))
    (array([ 1., -1.]), array([0.]))
    """
    if not _contains_box(u, v) or _is_poly1d(u, v):
        return _np.polydiv(u, v)
    from . import stack
    from .indexing import _index_update
    u, v = _atleast_1d(u) + 0.0, _atleast_1d(v) + 0.0
    m, n = shape(u)[0] - 1, shape(v)[0] - 1
    scale = 1.0 / v[0]
    r = u
    q = []
    for k in range(m - n + 1):
        d = scale * r[k]
        q.append(d)
        r = _index_update(r, slice(k, k + n + 1), r[k:k + n + 1] - d * v)
    q = stack(q) if q else _np.zeros((1,), dtype=_np.result_type(dtype(u), dtype(v)))
    while _np.allclose(getval(r)[0], 0, rtol=1e-14) and shape(r)[-1] > 1:
        r = r[1:]
    return q, r


@composite
def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (or of a
    square matrix's characteristic polynomial).

    >>> import chainrule.numpy as np
    >>> np.poly(np.array([1.0, 2.0]))
    array([ 1., -3.,  2.])
    """
    if not _contains_box(seq_of_zeros):
        return _np.poly(seq_of_zeros)
    from . import concatenate, real
    z = _atleast_1d(seq_of_zeros)
    sh = shape(z)
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        eigvals = getattr(importlib.import_module(__package__ + ".linalg"), "eigvals", None)
        if eigvals is None:
            raise MissingRuleError("numpy.linalg.eigvals", 0, "rev")
        z = eigvals(z)
    elif len(sh) != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if sh[0] == 0:
        return 1.0
    zv = getval(z)
    if dtype(z).kind not in "fc":
        from .convert import _astype
        z = _astype(z, _np.float64)
    a = _np.ones((1,), dtype=dtype(z))
    for i in range(shape(z)[0]):
        # a * (x - z_i): shift and subtract, the convolution with [1, -z_i].
        a = concatenate([a, _np.zeros(1, dtype(a))]) - z[i] * concatenate(
            [_np.zeros(1, dtype(a)), a])
    if _np.iscomplexobj(zv):
        roots_ = _np.asarray(zv, complex)
        if _np.all(_np.sort(roots_) == _np.sort(roots_.conjugate())):
            a = real(a)
    return a


def _roots_core(p):
    return _np.roots(p)


def _roots_jac_parts(ans, p):
    # Implicit function theorem: for a simple root r of p,
    # dr = -sum_k dp_k r^(N-1-k) / p'(r).
    V = vander(ans, shape(p)[0])
    dp = polyval(polyder(p), ans)
    return V, dp


def _roots_jvp(t, ans, p):
    from . import einsum
    V, dp = _roots_jac_parts(ans, p)
    return -einsum("...k,ik->...i", t, V) / dp


def _roots_vjp(g, ans, p):
    from . import einsum
    V, dp = _roots_jac_parts(ans, p)
    return match_real(-einsum("...i,ik->...k", g / dp, V), p)


roots_p = defprim(_roots_core, "numpy.roots")
roots_p.defvjp(_roots_vjp).defjvp(_roots_jvp)


@composite
def roots(p):
    """Roots of the polynomial with coefficients ``p`` (highest power first).
    Differentiable in ``p`` at simple roots; the derivative treats leading
    and trailing zero coefficients as structural (they stay zero).

    >>> import chainrule.numpy as np
    >>> np.sort(np.roots(np.array([1.0, -3.0, 2.0])))
    array([1., 2.])
    """
    if not _contains_box(p):
        return _np.roots(p)
    from . import concatenate
    from .convert import _astype
    p = _atleast_1d(p)
    if ndim(p) != 1:
        raise ValueError("Input must be a rank-1 array.")
    nz = _np.nonzero(_np.ravel(getval(p)))[0]
    if len(nz) == 0:
        return _np.array([])
    trailing = shape(p)[0] - nz[-1] - 1
    p = p[int(nz[0]):int(nz[-1]) + 1]
    if dtype(p).kind not in "fc":
        p = _astype(p, float)
    r = roots_p(p) if shape(p)[0] > 1 else _np.array([], dtype=dtype(p))
    if trailing:
        r = concatenate([r, _np.zeros(trailing, dtype(r))])
    return r


def _mgs_solve(A, B):
    """Least-squares solution of ``A X = B`` (full column rank) by modified
    Gram-Schmidt QR, written with chainrule functions (A is tall and narrow)."""
    from . import conj, sqrt, stack, sum as _sum, real
    ncol = shape(A)[1]
    two_d = ndim(B) == 2
    qs, R = [], [[None] * ncol for _ in range(ncol)]
    for j in range(ncol):
        v = A[:, j]
        for i in range(j):
            R[i][j] = _sum(conj(qs[i]) * v)
            v = v - R[i][j] * qs[i]
        R[j][j] = sqrt(real(_sum(conj(v) * v)))
        qs.append(v / R[j][j])
    rhs = [(_sum(conj(q)[:, None] * B, axis=0) if two_d else _sum(conj(q) * B)) for q in qs]
    x = [None] * ncol
    for i in range(ncol - 1, -1, -1):
        acc = rhs[i]
        for j in range(i + 1, ncol):
            acc = acc - R[i][j] * x[j]
        x[i] = acc / R[i][i]
    return stack(x)


def _small_inv(M):
    """Inverse of a small matrix by Gauss-Jordan elimination with partial
    pivoting (pivots chosen on the plain values), with chainrule functions."""
    from . import stack
    n = shape(M)[0]
    rows = [M[i] for i in range(n)]
    eye = _np.eye(n)
    inv = [eye[i] for i in range(n)]
    for c in range(n):
        piv = c + int(_np.argmax(_np.abs([getval(rows[r])[c] for r in range(c, n)])))
        rows[c], rows[piv] = rows[piv], rows[c]
        inv[c], inv[piv] = inv[piv], inv[c]
        d = rows[c][c]
        rows[c], inv[c] = rows[c] / d, inv[c] / d
        for r in range(n):
            if r != c:
                f = rows[r][c]
                rows[r], inv[r] = rows[r] - f * rows[c], inv[r] - f * inv[c]
    return stack(inv)


@composite
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit, as NumPy; differentiable in ``x``, ``y``
    and ``w`` when the fit has full rank.

    The coefficients are NumPy's, plus one Newton step of the (linear) least
    squares problem computed on the traced values: the step is zero in value
    and carries the exact derivative of the solution. With ``full=True`` the
    singular values are returned as constants.

    >>> import chainrule.numpy as np
    >>> np.polyfit(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]), 1).round(6)
    array([2., 1.])
    """
    if not _contains_box(x, y, w):
        return _np.polyfit(x, y, deg, rcond, full, w, cov)
    from . import dot, outer, sqrt, sum as _sum, transpose, reshape
    order = int(deg) + 1
    x, y = _asarray(x) + 0.0, _asarray(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if ndim(x) != 1:
        raise TypeError("expected 1D vector for x")
    if shape(x)[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if ndim(y) < 1 or ndim(y) > 2:
        raise TypeError("expected 1D or 2D array for y")
    if shape(x)[0] != shape(y)[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = shape(x)[0] * _np.finfo(getval(x).dtype).eps
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w = _asarray(w) + 0.0
        if ndim(w) != 1:
            raise TypeError("expected a 1-d array for weights")
        if shape(w)[0] != shape(y)[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * reshape(w, (-1, 1))
        rhs = rhs * (reshape(w, (-1, 1)) if ndim(rhs) == 2 else w)
    scale = sqrt(_sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c0, resids, rank, s = _np.linalg.lstsq(getval(lhs), getval(rhs), rcond)
    if rank != order:
        raise ValueError(f"chainrule: polyfit is rank deficient (rank {rank} < {order}); its "
                         "derivative is not defined. Lower deg or rescale x.")
    # One Newton step from NumPy's solution: zero in value, exact in derivative.
    cs = c0 + _mgs_solve(lhs, rhs - dot(lhs, c0))
    c = cs / (reshape(scale, (-1, 1)) if ndim(cs) == 2 else scale)
    if full:
        if shape(x)[0] > order:
            res = rhs - dot(lhs, cs)
            resids = _sum(res * res, axis=0)
            resids = reshape(resids, (1,)) if ndim(resids) == 0 else resids
        return c, resids, rank, s, rcond
    if cov:
        Vbase = _small_inv(dot(transpose(lhs), lhs)) / outer(scale, scale)
        if cov == "unscaled":
            fac = 1
        else:
            if shape(x)[0] <= order:
                raise ValueError("the number of data points must exceed order "
                                 "to scale the covariance matrix")
            res = rhs - dot(lhs, cs)
            fac = _sum(res * res, axis=0) / (shape(x)[0] - order)
        if ndim(y) == 1:
            return c, Vbase * fac
        return c, reshape(Vbase, shape(Vbase) + (1,)) * fac
    return c


# ``chainrule.numpy`` starts with ``from numpy import *``, which binds NumPy's
# own ``fft`` and ``random`` modules under those names; ``from . import fft``
# in the package then finds the attribute and never loads our submodules.
# Importing them explicitly here (before that line runs) rebinds the names.
for _sub in ("fft", "random"):
    importlib.import_module(f"{__package__}.{_sub}")
