"""Reductions and scans: sum, prod, max/min, cumsum, cumprod (primitives);
mean, var, std, nan-functions, average, ptp (built from them).

Cotangents of a reduction are broadcast back over the reduced axes; any
leading batch axes of the cotangent (jacrev) sit in front and are kept.
"""

import math as _math

import numpy as _np

from ..core.engine import Box, getval
from ._wrap import (ARRAY_TYPES, accept_sequences, array_module, asarray, defprim, is_lazy, like,
                    ndim, normalize_axis, setitem, shape)
from ._wrap import dtype as _dtype_of

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "cumsum", "cumprod", "mean",
           "var", "std", "nansum", "nanmean", "nanvar", "nanstd", "nanprod", "nanmax",
           "nanmin", "nancumsum", "nancumprod", "average", "ptp", "cumulative_sum",
           "cumulative_prod"]

COMPOSITES = {}  # name -> function built from primitives (tested in the rule table too)


def composite(f):
    """Register a function built from primitives as ``numpy.<name>``; it takes
    lists holding traced values wherever it takes arrays (:func:`accept_sequences`)."""
    f = accept_sequences(f)
    COMPOSITES["numpy." + f.__name__] = f
    return f


def composite_raw(f):
    """:func:`composite` for the functions that build arrays from lists themselves."""
    COMPOSITES["numpy." + f.__name__] = f
    return f


def _expand(g, xshape, axis, keepdims, nb, chunks=None):
    """Broadcast a cotangent of a reduction back to ``batch + xshape`` (with the
    reduced argument's ``chunks``, when it has them and there is no batch)."""
    xshape = tuple(xshape)
    gs = shape(g)
    target = gs[:nb] + xshape
    kept = None
    if not keepdims and gs and len(gs) != len(target):  # put the reduced axes back, size one
        axes = normalize_axis(axis, len(xshape))
        kept = gs[:nb] + tuple(1 if i in axes else n for i, n in enumerate(xshape))
    if chunks is not None and nb == 0 and type(g) is not Box:
        out = _chunked_broadcast(g if kept is None else cnp.reshape(g, kept), target, chunks)
        if out is not None:
            return out
    if type(g) is Box:
        broadcast_to, reshape = cnp.broadcast_to, cnp.reshape
        return broadcast_to(g if kept is None else reshape(g, kept), target)
    if kept is not None:
        g = _np.reshape(g, kept)
    if _math.prod(target) <= 65536 and (
            type(g) in ARRAY_TYPES or isinstance(g, (_np.generic, float, int, complex))):
        # First order, small, NumPy's (not CuPy's): a copy is cheaper than
        # np.broadcast_to's Python machinery.
        out = _np.empty(target, dtype=g.dtype if hasattr(g, "dtype") else _np.result_type(g))
        return setitem(out, Ellipsis, g)
    return _np.broadcast_to(g, target)  # large: a view, no memory


def _chunked_broadcast(g, target, chunks):
    """``g`` broadcast to ``target`` in the given chunks (Dask's ``broadcast_to`` puts a
    new axis in one chunk: the next operation with the argument, chunked otherwise, would
    rechunk, moving data between workers); None where Dask refuses those chunks."""
    import dask.array as da
    try:
        return da.broadcast_to(g, target, chunks=chunks)
    except ValueError:
        return None


def _chunks(x):
    """The chunks of an argument (or of its tape record), None for unchunked arrays."""
    return getattr(x, "chunks", None) if type(x) is not _np.ndarray else None


def _shift(axis, nd, nb):
    """Axes of the unbatched value, moved past ``nb`` leading batch axes."""
    return tuple(a + nb for a in normalize_axis(axis, nd))


# -- sum ------------------------------------------------------------------------

def _sum(x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if not kw and out is None and type(x) in ARRAY_TYPES:
        # np.add.reduce skips np.sum's dispatch layers (a few µs per call).
        return _np.add.reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)
    return _np.sum(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)


def _where_mask(x, kw):
    """The ``where=`` argument of a reduction, broadcast to ``x``; None if absent."""
    w = kw.get("where", True)
    if w is True:
        return None
    w = getval(w)
    xp = array_module(w)
    if xp is _np:  # a NumPy or Python mask: on x's module
        return like(_np.broadcast_to(asarray(w, dtype=bool), shape(x)), getval(x))
    return xp.broadcast_to(xp.asarray(w, dtype=bool), shape(x))


def _sum_vjp(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    r = _expand(g, shape(x), axis, keepdims, ndim(g) - _out_ndim(x, axis, keepdims),
                _chunks(x))
    m = _where_mask(x, kw)
    return r if m is None else r * m


def _sum_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    m = _where_mask(x, kw)
    if m is not None:
        t = t * m
    axes = _shift(axis, ndim(x), ndim(t) - ndim(x))
    if type(t) in ARRAY_TYPES:  # first order: NumPy's reduction, no primitive call
        return _np.add.reduce(t, axis=axes, dtype=dtype, keepdims=keepdims)
    return sum(t, axis=axes, dtype=dtype, keepdims=keepdims)


sum = defprim(_sum, "numpy.sum", needs_ans=False, needs_args=False)  # noqa: A001
sum.defvjp(_sum_vjp).defjvp(_sum_jvp)


def _out_ndim(x, axis, keepdims):
    nd = ndim(x)
    return nd if keepdims else nd - len(normalize_axis(axis, nd))


# -- prod -------------------------------------------------------------------------

def _prod(x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return _np.prod(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)


def _prod_partials(ansk, x, axis, kw):
    """∂prod/∂x_i = product of the others; exact even where x has zeros.

    ``ansk`` is the product with the reduced axes kept (size one). Entries
    left out by ``where=`` count as ones and get a zero partial.
    """
    where = cnp.where
    m = _where_mask(x, kw)
    if m is not None:
        p = _prod_partials(ansk, where(m, x, 1.0), axis, {"initial": kw.get("initial")})
        return p * m
    xv = getval(x)
    if not is_lazy(xv) and _np.all(xv != 0):  # Dask: the exact form, no peeking
        return ansk / x
    p = _prod_partials_exact(x, axis)
    return p if kw.get("initial") is None else p * kw["initial"]


def _prod_partials_exact(x, axis):
    """The products of all other entries, without dividing (x has zeros)."""
    concatenate, moveaxis, reshape = cnp.concatenate, cnp.moveaxis, cnp.reshape
    xv = getval(x)
    # Products of all others via exclusive cumulative products from both ends.
    nd = ndim(x)
    axes = normalize_axis(axis, nd)
    last = tuple(range(nd - len(axes), nd))
    moved = moveaxis(x, axes, last)
    mshape = shape(moved)
    # the length written out, not -1: -1 is ambiguous when the array is empty
    flat = reshape(moved, mshape[: nd - len(axes)] + (_prod(mshape[nd - len(axes):]),))
    ones = like(_np.ones(shape(flat)[:-1] + (1,), dtype=xv.dtype), xv)
    left = cumprod(concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = cumprod(concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return moveaxis(reshape(left * right, mshape), last, axes)


def _prod_vjp(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    nb = ndim(g) - _out_ndim(x, axis, keepdims)
    ansk = _expand(ans, shape(x), axis, keepdims, 0) if not keepdims else ans
    partial = _prod_partials(ansk, x, axis, kw)
    return _expand(g, shape(x), axis, keepdims, nb) * partial


def _prod_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    ansk = _expand(ans, shape(x), axis, keepdims, 0) if not keepdims else ans
    partial = _prod_partials(ansk, x, axis, kw)
    nb = ndim(t) - ndim(x)
    return sum(t * partial, axis=_shift(axis, ndim(x), nb), keepdims=keepdims)


prod = defprim(_prod, "numpy.prod")
prod.defvjp(_prod_vjp).defjvp(_prod_jvp)


# -- max / min ------------------------------------------------------------------------

def _make_extreme(npfun, name):
    def f(x, axis=None, out=None, keepdims=False, **kw):
        return npfun(x, axis=axis, out=out, keepdims=keepdims, **kw)

    def mask(ans, x, axis, keepdims, kw):
        # Ties share the gradient equally, so the rule is symmetric. Entries
        # left out by where= get none, nor does any when initial= wins.
        a = getval(ans)
        if not keepdims:
            a = _np.expand_dims(a, normalize_axis(axis, _np.ndim(getval(x))))
        m = getval(x) == a
        w = _where_mask(x, kw)
        if w is not None:
            m = m & w
        share = m / _np.maximum(_np.sum(m, axis=axis, keepdims=True), 1)
        if _np.result_type(getval(x)).kind in "fc":
            # A NaN is the max (NumPy propagates it) but equals nothing: its entry
            # gets a NaN derivative, as in JAX, not a silent zero for the slice.
            nan = _np.isnan(getval(x)) & _np.isnan(a)
            if type(nan) is not _np.ndarray or nan.any():  # no data-dependent step on Dask
                share = _np.where(nan, _np.nan, share)
        return share.astype(_np.result_type(getval(x)), copy=False)

    def vjp(g, ans, x, axis=None, out=None, keepdims=False, **kw):
        nb = ndim(g) - _out_ndim(x, axis, keepdims)
        return (_expand(g, shape(x), axis, keepdims, nb, _chunks(x))
                * mask(ans, x, axis, keepdims, kw))

    def jvp(t, ans, x, axis=None, out=None, keepdims=False, **kw):
        nb = ndim(t) - ndim(x)
        return sum(t * mask(ans, x, axis, keepdims, kw), axis=_shift(axis, ndim(x), nb),
                   keepdims=keepdims)

    p = defprim(f, "numpy." + name)
    return p.defvjp(vjp).defjvp(jvp)


max = _make_extreme(_np.max, "max")  # noqa: A001
min = _make_extreme(_np.min, "min")  # noqa: A001
amax = max
amin = min


def _prod(dims):
    """The number of elements of a shape (1 for ``()``)."""
    n = 1
    for d in dims:
        n *= int(d)
    return n


# -- scans ----------------------------------------------------------------------------

def _cumsum(x, axis=None, dtype=None, **kw):
    return _np.cumsum(x, axis=axis, dtype=dtype, **kw)


def _cumsum_vjp(g, ans, x, axis=None, dtype=None, **kw):
    flip, reshape = cnp.flip, cnp.reshape
    nb = ndim(g) - (1 if axis is None else ndim(x))  # ans is not kept (needs_ans=False)
    if axis is None:
        return reshape(flip(cumsum(flip(g, -1), axis=-1), -1), shape(g)[:nb] + shape(x))
    ax = normalize_axis(axis, ndim(x))[0] + nb
    return flip(cumsum(flip(g, ax), axis=ax), ax)


def _cumsum_jvp(t, ans, x, axis=None, dtype=None, **kw):
    reshape = cnp.reshape
    nb = ndim(t) - ndim(x)
    if axis is None:
        # the length written out, not -1: -1 is ambiguous for an empty batch (jacfwd of
        # a size-0 input pushes a batch of 0 tangents)
        return cumsum(reshape(t, shape(t)[:nb] + (_prod(shape(x)),)), axis=-1)
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
    einsum = cnp.einsum
    expand_dims = cnp.expand_dims
    flip = cnp.flip
    moveaxis = cnp.moveaxis
    where = cnp.where
    nb = ndim(v) - ndim(x)
    if not is_lazy(x) and _np.all(getval(x) != 0):
        if transpose:  # x̄_i = sum_{j>=i} ḡ_j c_j / x_i
            return flip(cumsum(flip(v * ans, ax + nb), axis=ax + nb), ax + nb) / x
        return ans * cumsum(v / x, axis=ax + nb)  # ċ_j = c_j sum_{i<=j} ṫ_i / x_i
    n = shape(x)[ax]
    xm = moveaxis(x, ax, -1)
    # M[..., i, k] = x_k with x_i replaced by one; its cumprod over k is J[k, i].
    xv = getval(x)
    M = where(like(_np.eye(n, dtype=bool), xv), 1.0, expand_dims(xm, -2))
    P = cumprod(M, axis=-1) * like(_np.triu(_np.ones((n, n), dtype=bool)), xv)  # j < i: 0
    vm = moveaxis(v, ax + nb, -1)
    r = einsum("...ij,...j->...i" if transpose else "...ij,...i->...j", P, vm)
    return moveaxis(r, -1, ax + nb)


def _cumprod_vjp(g, ans, x, axis=None, dtype=None, **kw):
    reshape = cnp.reshape
    if axis is None:
        nb = ndim(g) - 1
        r = _cumprod_jac_apply(g, ans, reshape(x, (-1,)), 0, True)
        return reshape(r, shape(g)[:nb] + shape(x))
    return _cumprod_jac_apply(g, ans, x, normalize_axis(axis, ndim(x))[0], True)


def _cumprod_jvp(t, ans, x, axis=None, dtype=None, **kw):
    reshape = cnp.reshape
    if axis is None:
        nb = ndim(t) - ndim(x)
        return _cumprod_jac_apply(reshape(t, shape(t)[:nb] + (_prod(shape(x)),)), ans,
                                  reshape(x, (-1,)), 0, False)
    return _cumprod_jac_apply(t, ans, x, normalize_axis(axis, ndim(x))[0], False)


cumprod = defprim(_cumprod, "numpy.cumprod")
cumprod.defvjp(_cumprod_vjp).defjvp(_cumprod_jvp)
cumulative_sum = cumsum
cumulative_prod = cumprod


# -- built from the primitives ---------------------------------------------------------

def _count(x, axis, where=True, keepdims=False):
    """How many entries a reduction over ``axis`` takes (an array under ``where=``)."""
    xs = shape(x)
    if where is not True:
        m = _np.broadcast_to(_bool_array(where), xs)
        return _np.sum(m, axis=axis, keepdims=keepdims, dtype=_real_dtype(x))
    return _math.prod(xs[a] for a in normalize_axis(axis, len(xs)))


def _bool_array(w):
    """A ``where=`` mask as a boolean array of its own module (a CuPy or array API
    mask stays there; ``numpy.asarray`` would refuse or copy it)."""
    w = getval(w)
    xp = array_module(w)
    # NumPy's through the jit-aware asarray: a recording sees the conversion
    return asarray(w, dtype=bool) if xp is _np else xp.asarray(w, dtype=bool)


def _where_kw(where):
    return {} if where is True else {"where": where}


# -- mean: one primitive (one tape entry, where sum then divide would take two) -----------

def _mean(x, axis=None, dtype=None, keepdims=False):
    if dtype is None and type(x) in ARRAY_TYPES and x.dtype.kind in "fc" and x.itemsize >= 4:
        return _np.add.reduce(x, axis=axis, keepdims=keepdims) / _count(x, axis)
    return _np.mean(x, axis=axis, dtype=dtype, keepdims=keepdims)


def _mean_vjp(g, ans, x, axis=None, dtype=None, keepdims=False):
    return _expand(g / _count(x, axis), shape(x), axis, keepdims,
                   ndim(g) - _out_ndim(x, axis, keepdims), _chunks(x))


def _mean_jvp(t, ans, x, axis=None, dtype=None, keepdims=False):
    return sum(t, axis=_shift(axis, ndim(x), ndim(t) - ndim(x)), dtype=dtype,
               keepdims=keepdims) / _count(x, axis)


mean_p = defprim(_mean, "numpy.mean", needs_ans=False, needs_args=False)
mean_p.defvjp(_mean_vjp).defjvp(_mean_jvp)


@composite
def mean(x, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Arithmetic mean (sum / count)."""
    if where is True:
        return mean_p(x, axis=axis, dtype=dtype, keepdims=keepdims)
    return sum(x, axis=axis, dtype=dtype, keepdims=keepdims, **_where_kw(where)) / \
        _count(x, axis, where, keepdims)


@composite
def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
        correction=None):
    """Variance: mean squared deviation, with ``ddof`` (or ``correction``) as NumPy."""
    real = cnp.real
    if correction is not None:
        ddof = correction
    m = _mean_fn(x, axis=axis, keepdims=True, where=where) if mean is None else mean
    d = x - m
    sq = real(d * d.conj()) if _np.iscomplexobj(getval(x)) else d * d
    return sum(sq, axis=axis, dtype=dtype, keepdims=keepdims, **_where_kw(where)) / \
        (_count(x, axis, where, keepdims) - ddof)


_mean_fn = mean


@composite
def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
        correction=None):
    """Standard deviation: the square root of :func:`var`.

    Where the variance is zero (a single element, or equal ones) the derivative
    is taken as zero, the symmetric difference quotient's value there (the square
    root's own derivative would make it 0 * inf = NaN)."""
    sqrt, where_ = cnp.sqrt, cnp.where
    v = var(x, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
            mean=mean, correction=correction)
    if type(v) is not Box:
        return sqrt(v)
    zero = getval(v) == 0
    # A Dask graph keeps both branches' work lazy (where is cheap) rather than computing
    # to decide; chainrule.jit guards the replay on this branch (a data-dependent bool).
    if not is_lazy(zero) and not _np.any(zero):
        return sqrt(v)
    return where_(zero, 0.0, sqrt(where_(zero, 1.0, v)))


def _nan_zero(x, fill=0.0):
    where = cnp.where
    return where(_np.isnan(getval(x)), fill, x)


@composite
def nansum(x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """Sum ignoring NaNs (their gradient is zero)."""
    return sum(_nan_zero(x), axis=axis, dtype=dtype, keepdims=keepdims, **kw)


@composite
def nanprod(x, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """Product ignoring NaNs."""
    return prod(_nan_zero(x, 1.0), axis=axis, dtype=dtype, keepdims=keepdims, **kw)


def _nan_count(x, axis, keepdims, where):
    valid = ~_np.isnan(getval(x))
    if where is not True:
        valid = valid & _bool_array(where)
    return _np.sum(valid, axis=axis, keepdims=keepdims, dtype=_real_dtype(x))


def _real_dtype(x):
    """The float type of ``x``'s entries (counts in it keep float32 float32)."""
    dt = _dtype_of(x)
    return _np.finfo(dt).dtype if dt.kind in "fc" else _np.dtype(float)


@composite
def nanmean(x, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Mean ignoring NaNs."""
    return nansum(x, axis=axis, dtype=dtype, keepdims=keepdims, **_where_kw(where)) / \
        _nan_count(x, axis, keepdims, where)


@composite
def nanvar(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=None):
    """Variance ignoring NaNs."""
    if correction is not None:
        ddof = correction
    m = nanmean(x, axis=axis, keepdims=True, where=where) if mean is None else mean
    d = _nan_zero(x - m)
    if _np.iscomplexobj(getval(x)):
        real = cnp.real
        sq = real(d * d.conj())
    else:
        sq = d * d
    return sum(sq, axis=axis, dtype=dtype, keepdims=keepdims, **_where_kw(where)) / \
        (_nan_count(x, axis, keepdims, where) - ddof)


@composite
def nanstd(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=None):
    """Standard deviation ignoring NaNs."""
    sqrt = cnp.sqrt
    return sqrt(nanvar(x, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                       mean=mean, correction=correction))


@composite
def nanmax(x, axis=None, out=None, keepdims=False, **kw):
    """Maximum ignoring NaNs."""
    return max(_nan_zero(x, -_np.inf), axis=axis, keepdims=keepdims, **kw)


@composite
def nanmin(x, axis=None, out=None, keepdims=False, **kw):
    """Minimum ignoring NaNs."""
    return min(_nan_zero(x, _np.inf), axis=axis, keepdims=keepdims, **kw)


@composite
def nancumsum(x, axis=None, dtype=None, out=None):
    """Cumulative sum treating NaNs as zero."""
    return cumsum(_nan_zero(x), axis=axis, dtype=dtype)


@composite
def nancumprod(x, axis=None, dtype=None, out=None):
    """Cumulative product treating NaNs as one."""
    return cumprod(_nan_zero(x, 1.0), axis=axis, dtype=dtype)


@composite
def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted average; differentiable in ``a`` and ``weights``."""
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = _np.full(shape(avg), _count(a, axis), dtype=_dtype_of(avg))
    else:
        broadcast_to = cnp.broadcast_to
        w = weights
        if ndim(w) != ndim(a):
            reshape = cnp.reshape
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
