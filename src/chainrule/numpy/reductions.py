"""Reductions and scans: sum, prod, max/min, cumsum, cumprod (primitives);
mean, var, std, nan-functions, average, ptp (built from them).

Cotangents of a reduction are broadcast back over the reduced axes; any
leading batch axes of the cotangent (jacrev) sit in front and are kept.
"""

import numpy as _np

from ..core.trace import getval
from ._wrap import defprim, ndim, normalize_axis, shape

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "cumsum", "cumprod", "mean",
           "var", "std", "nansum", "nanmean", "nanvar", "nanstd", "nanprod", "nanmax",
           "nanmin", "nancumsum", "nancumprod", "average", "ptp", "cumulative_sum",
           "cumulative_prod"]

COMPOSITES = {}  # name -> function built from primitives (tested in the rule table too)


def composite(f):
    COMPOSITES["numpy." + f.__name__] = f
    return f


def _expand(g, xshape, axis, keepdims, nb):
    """Broadcast a cotangent of a reduction back to ``batch + xshape``."""
    from . import broadcast_to, reshape
    axes = normalize_axis(axis, len(xshape))
    gs = shape(g)
    if not keepdims:
        kept = [1 if i in axes else n for i, n in enumerate(xshape)]
        g = reshape(g, gs[:nb] + tuple(kept))
    return broadcast_to(g, tuple(shape(g)[:nb]) + tuple(xshape))


def _shift(axis, nd, nb):
    """Axes of the unbatched value, moved past ``nb`` leading batch axes."""
    return tuple(a + nb for a in normalize_axis(axis, nd))


# -- sum ------------------------------------------------------------------------

def _sum(x, axis=None, dtype=None, keepdims=False, **kw):
    return _np.sum(x, axis=axis, dtype=dtype, keepdims=keepdims, **kw)


sum = defprim(_sum, "numpy.sum", needs_ans=False)  # noqa: A001
sum.defvjp(lambda g, ans, x, axis=None, dtype=None, keepdims=False, **kw:
           _expand(g, shape(x), axis, keepdims, ndim(g) - _out_ndim(x, axis, keepdims)))
sum.defjvp(lambda t, ans, x, axis=None, dtype=None, keepdims=False, **kw:
           sum(t, axis=_shift(axis, ndim(x), ndim(t) - ndim(x)), keepdims=keepdims))


def _out_ndim(x, axis, keepdims):
    nd = ndim(x)
    return nd if keepdims else nd - len(normalize_axis(axis, nd))


# -- prod -------------------------------------------------------------------------

def _prod(x, axis=None, dtype=None, keepdims=False, **kw):
    return _np.prod(x, axis=axis, dtype=dtype, keepdims=keepdims, **kw)


def _prod_partials(ansk, x, axis):
    """∂prod/∂x_i = product of the others; exact even where x has zeros.

    ``ansk`` is the product with the reduced axes kept (size one).
    """
    from . import concatenate, moveaxis, reshape
    xv = getval(x)
    if _np.all(xv != 0):
        return ansk / x
    # Products of all others via exclusive cumulative products from both ends.
    nd = ndim(x)
    axes = normalize_axis(axis, nd)
    last = tuple(range(nd - len(axes), nd))
    moved = moveaxis(x, axes, last)
    mshape = shape(moved)
    flat = reshape(moved, mshape[: nd - len(axes)] + (-1,))
    ones = _np.ones(shape(flat)[:-1] + (1,), dtype=xv.dtype)
    left = cumprod(concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = cumprod(concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return moveaxis(reshape(left * right, mshape), last, axes)


def _prod_vjp(g, ans, x, axis=None, dtype=None, keepdims=False, **kw):
    nb = ndim(g) - _out_ndim(x, axis, keepdims)
    ansk = _expand(ans, shape(x), axis, keepdims, 0) if not keepdims else ans
    partial = _prod_partials(ansk, x, axis)
    return _expand(g, shape(x), axis, keepdims, nb) * partial


def _prod_jvp(t, ans, x, axis=None, dtype=None, keepdims=False, **kw):
    ansk = _expand(ans, shape(x), axis, keepdims, 0) if not keepdims else ans
    partial = _prod_partials(ansk, x, axis)
    nb = ndim(t) - ndim(x)
    return sum(t * partial, axis=_shift(axis, ndim(x), nb), keepdims=keepdims)


prod = defprim(_prod, "numpy.prod")
prod.defvjp(_prod_vjp).defjvp(_prod_jvp)


# -- max / min ------------------------------------------------------------------------

def _make_extreme(npfun, name):
    def f(x, axis=None, keepdims=False, **kw):
        return npfun(x, axis=axis, keepdims=keepdims, **kw)

    def mask(ans, x, axis, keepdims):
        # Ties share the gradient equally, so the rule is symmetric.
        a = getval(ans)
        if not keepdims:
            a = _np.expand_dims(a, normalize_axis(axis, _np.ndim(getval(x))))
        m = getval(x) == a
        return m / _np.sum(m, axis=axis, keepdims=True)

    def vjp(g, ans, x, axis=None, keepdims=False, **kw):
        nb = ndim(g) - _out_ndim(x, axis, keepdims)
        return _expand(g, shape(x), axis, keepdims, nb) * mask(ans, x, axis, keepdims)

    def jvp(t, ans, x, axis=None, keepdims=False, **kw):
        nb = ndim(t) - ndim(x)
        return sum(t * mask(ans, x, axis, keepdims), axis=_shift(axis, ndim(x), nb),
                   keepdims=keepdims)

    p = defprim(f, "numpy." + name)
    return p.defvjp(vjp).defjvp(jvp)


max = _make_extreme(_np.max, "max")  # noqa: A001
min = _make_extreme(_np.min, "min")  # noqa: A001
amax = max
amin = min


# -- scans ----------------------------------------------------------------------------

def _cumsum(x, axis=None, dtype=None, **kw):
    return _np.cumsum(x, axis=axis, dtype=dtype, **kw)


def _cumsum_vjp(g, ans, x, axis=None, dtype=None, **kw):
    from . import flip, reshape
    nb = ndim(g) - ndim(ans)
    if axis is None:
        return reshape(flip(cumsum(flip(g, -1), axis=-1), -1), shape(g)[:nb] + shape(x))
    ax = normalize_axis(axis, ndim(x))[0] + nb
    return flip(cumsum(flip(g, ax), axis=ax), ax)


def _cumsum_jvp(t, ans, x, axis=None, dtype=None, **kw):
    from . import reshape
    nb = ndim(t) - ndim(x)
    if axis is None:
        return cumsum(reshape(t, shape(t)[:nb] + (-1,)), axis=-1)
    return cumsum(t, axis=normalize_axis(axis, ndim(x))[0] + nb)


cumsum = defprim(_cumsum, "numpy.cumsum", needs_ans=False)
cumsum.defvjp(_cumsum_vjp).defjvp(_cumsum_jvp)


def _cumprod(x, axis=None, dtype=None, **kw):
    return _np.cumprod(x, axis=axis, dtype=dtype, **kw)


def _cumprod_jac_apply(v, ans, x, ax, transpose):
    """Apply the Jacobian of cumprod along axis ``ax`` (or its transpose) to ``v``.

    J[j, i] = ∂c_j/∂x_i = prod_{k<=j, k!=i} x_k for j >= i. Without zeros this is
    c_j / x_i and needs no n×n work; with zeros it is formed exactly.
    """
    from . import einsum, expand_dims, flip, moveaxis, where
    nb = ndim(v) - ndim(x)
    if _np.all(getval(x) != 0):
        if transpose:  # x̄_i = sum_{j>=i} ḡ_j c_j / x_i
            return flip(cumsum(flip(v * ans, ax + nb), axis=ax + nb), ax + nb) / x
        return ans * cumsum(v / x, axis=ax + nb)  # ċ_j = c_j sum_{i<=j} ṫ_i / x_i
    n = shape(x)[ax]
    xm = moveaxis(x, ax, -1)
    # M[..., i, k] = x_k with x_i replaced by one; its cumprod over k is J[k, i].
    M = where(_np.eye(n, dtype=bool), 1.0, expand_dims(xm, -2))
    P = cumprod(M, axis=-1) * _np.triu(_np.ones((n, n)))  # zero where j < i
    vm = moveaxis(v, ax + nb, -1)
    r = einsum("...ij,...j->...i" if transpose else "...ij,...i->...j", P, vm)
    return moveaxis(r, -1, ax + nb)


def _cumprod_vjp(g, ans, x, axis=None, dtype=None, **kw):
    from . import reshape
    if axis is None:
        nb = ndim(g) - 1
        r = _cumprod_jac_apply(g, ans, reshape(x, (-1,)), 0, True)
        return reshape(r, shape(g)[:nb] + shape(x))
    return _cumprod_jac_apply(g, ans, x, normalize_axis(axis, ndim(x))[0], True)


def _cumprod_jvp(t, ans, x, axis=None, dtype=None, **kw):
    from . import reshape
    if axis is None:
        nb = ndim(t) - ndim(x)
        return _cumprod_jac_apply(reshape(t, shape(t)[:nb] + (-1,)), ans,
                                  reshape(x, (-1,)), 0, False)
    return _cumprod_jac_apply(t, ans, x, normalize_axis(axis, ndim(x))[0], False)


cumprod = defprim(_cumprod, "numpy.cumprod")
cumprod.defvjp(_cumprod_vjp).defjvp(_cumprod_jvp)
cumulative_sum = cumsum
cumulative_prod = cumprod


# -- built from the primitives ---------------------------------------------------------

def _count(x, axis):
    xs = shape(x)
    return int(_np.prod([xs[a] for a in normalize_axis(axis, len(xs))], dtype=int))


@composite
def mean(x, axis=None, dtype=None, keepdims=False, **kw):
    """Arithmetic mean (sum / count)."""
    return sum(x, axis=axis, dtype=dtype, keepdims=keepdims) / _count(x, axis)


@composite
def var(x, axis=None, dtype=None, ddof=0, keepdims=False, **kw):
    """Variance: mean squared deviation, with ``ddof`` as NumPy."""
    from . import real
    d = x - mean(x, axis=axis, keepdims=True)
    sq = real(d * d.conj()) if _np.iscomplexobj(getval(x)) else d * d
    return sum(sq, axis=axis, dtype=dtype, keepdims=keepdims) / (_count(x, axis) - ddof)


@composite
def std(x, axis=None, dtype=None, ddof=0, keepdims=False, **kw):
    """Standard deviation: the square root of :func:`var`."""
    from . import sqrt
    return sqrt(var(x, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims))


def _nan_zero(x, fill=0.0):
    from . import where
    return where(_np.isnan(getval(x)), fill, x)


@composite
def nansum(x, axis=None, dtype=None, keepdims=False, **kw):
    """Sum ignoring NaNs (their gradient is zero)."""
    return sum(_nan_zero(x), axis=axis, dtype=dtype, keepdims=keepdims)


@composite
def nanprod(x, axis=None, dtype=None, keepdims=False, **kw):
    """Product ignoring NaNs."""
    return prod(_nan_zero(x, 1.0), axis=axis, dtype=dtype, keepdims=keepdims)


@composite
def nanmean(x, axis=None, dtype=None, keepdims=False, **kw):
    """Mean ignoring NaNs."""
    n = _np.sum(~_np.isnan(getval(x)), axis=axis, keepdims=keepdims)
    return nansum(x, axis=axis, dtype=dtype, keepdims=keepdims) / n


@composite
def nanvar(x, axis=None, dtype=None, ddof=0, keepdims=False, **kw):
    """Variance ignoring NaNs."""
    valid = ~_np.isnan(getval(x))
    n = _np.sum(valid, axis=axis, keepdims=keepdims)
    d = _nan_zero(x - nanmean(x, axis=axis, keepdims=True))
    return sum(d * d, axis=axis, dtype=dtype, keepdims=keepdims) / (n - ddof)


@composite
def nanstd(x, axis=None, dtype=None, ddof=0, keepdims=False, **kw):
    """Standard deviation ignoring NaNs."""
    from . import sqrt
    return sqrt(nanvar(x, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims))


@composite
def nanmax(x, axis=None, keepdims=False, **kw):
    """Maximum ignoring NaNs."""
    return max(_nan_zero(x, -_np.inf), axis=axis, keepdims=keepdims)


@composite
def nanmin(x, axis=None, keepdims=False, **kw):
    """Minimum ignoring NaNs."""
    return min(_nan_zero(x, _np.inf), axis=axis, keepdims=keepdims)


@composite
def nancumsum(x, axis=None, dtype=None, **kw):
    """Cumulative sum treating NaNs as zero."""
    return cumsum(_nan_zero(x), axis=axis, dtype=dtype)


@composite
def nancumprod(x, axis=None, dtype=None, **kw):
    """Cumulative product treating NaNs as one."""
    return cumprod(_nan_zero(x, 1.0), axis=axis, dtype=dtype)


@composite
def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted average; differentiable in ``a`` and ``weights``."""
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = _np.asarray(_count(a, axis), dtype=float)
    else:
        from . import broadcast_to
        w = weights
        if ndim(w) != ndim(a):
            from . import reshape
            ax = normalize_axis(axis, ndim(a))[0]
            w = reshape(w, tuple(shape(w)[0] if i == ax else 1 for i in range(ndim(a))))
        w = broadcast_to(w, shape(a))
        scl = sum(w, axis=axis, keepdims=keepdims)
        avg = sum(a * w, axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


@composite
def ptp(x, axis=None, keepdims=False):
    """Peak to peak: max - min."""
    return max(x, axis=axis, keepdims=keepdims) - min(x, axis=axis, keepdims=keepdims)
