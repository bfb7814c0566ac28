"""Norms (``norm``, ``vector_norm``, ``matrix_norm``), ``cond`` and ``lstsq``.

The Euclidean/Frobenius norm is one primitive (``_norm2``) so that its
gradient at zero is 0, not NaN; the other norms are built from primitives.
"""

import operator

import numpy as _np

from ...core.engine import Box, getval
from .._wrap import (ARRAY_TYPES, array_module, asarray, defprim, dtype, is_lazy, kind, like, ndim,
                     normalize_axis, shape)
from ._helpers import _c, _composite, _conj, _iscx, _la, _traced
from ._pinv import pinv
from ._solve_det import inv
from ._svd import svdvals

# == norms ===================================================================================

def _norm2_raw(x, axis=None, keepdims=False):
    # NumPy's own arithmetic for these norms (norm, vector_norm, 'fro'), minus its dispatch.
    if type(x) not in ARRAY_TYPES:
        xp = array_module(x)
        if xp is not _np:  # another array module: its own sum and sqrt
            sq = (x.conj() * x).real if kind(x.dtype) == "c" else x * x
            return xp.sqrt(xp.sum(sq, axis=axis, keepdims=keepdims))
        x = asarray(x)
    if axis is None:
        xf = x.ravel(order="K")
        if xf.dtype.kind == "c":
            r = _np.sqrt(xf.real.dot(xf.real) + xf.imag.dot(xf.imag))
        else:
            r = _np.sqrt(xf.dot(xf))
        return r.reshape((1,) * x.ndim) if keepdims else r
    sq = (x.conj() * x).real if x.dtype.kind == "c" else x * x
    return _np.sqrt(_np.add.reduce(sq, axis=axis, keepdims=keepdims))


def _safe(ans):
    """The norm with its zeros replaced by one, so that x / norm is 0 at x = 0."""
    zero = getval(ans) == 0
    if is_lazy(zero):  # a Dask array: no peeking at the data
        return _c().where(zero, 1.0, ans)
    return _c().where(zero, 1.0, ans) if zero.any() else ans


def _norm2_vjp(g, ans, x, axis=None, keepdims=False):
    nb = ndim(g) - ndim(ans)
    s = g / _safe(ans)
    if not keepdims and (nb or axis is not None):
        # Size-one axes where x was reduced, so that s broadcasts against x.
        axes = normalize_axis(axis, ndim(x))
        kept = tuple(1 if i in axes else n for i, n in enumerate(shape(x)))
        s = _c().reshape(s, tuple(shape(s))[:nb] + kept)
    return s * _conj(x)


def _norm2_jvp(t, ans, x, axis=None, keepdims=False):
    c = _c()
    nb = ndim(t) - ndim(x)
    ax = None if axis is None else tuple(a % ndim(x) for a in axis)
    ax = tuple(range(nb, nb + ndim(x))) if ax is None else tuple(a + nb for a in ax)
    d = c.sum(_conj(x) * t, axis=ax, keepdims=keepdims)
    return (c.real(d) if _iscx(d) else d) / _safe(ans)


_norm2 = defprim(_norm2_raw, "numpy.linalg._norm2")
_norm2.defvjp(_norm2_vjp).defjvp(_norm2_jvp)


def _axes(axis, nd):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(operator.index(a) % nd for a in axis)
    return (operator.index(axis) % nd,)


def _vector_norm(x, ord, axis, keepdims):
    """A vector norm over ``axis`` (``None``: all axes, a tuple: those axes)."""
    c = _c()
    inf = _np.inf
    if ord is None or ord == 2:
        return _norm2(x, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord == inf:
        return c.max(c.abs(x), axis=axis, keepdims=keepdims)
    if ord == -inf:
        return c.min(c.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        # The number of nonzero entries: piecewise constant.
        xv = getval(x)
        rdt = _np.abs(_np.zeros((), dtype=_np.result_type(dtype(xv), 1.0))).dtype
        return _np.sum(xv != 0, axis=axis, keepdims=keepdims).astype(rdt)
    if ord == 1:
        return c.sum(c.abs(x), axis=axis, keepdims=keepdims)
    # (sum |x|^p)^(1/p), made 0 with a zero derivative at x = 0 (no 0 * inf).
    s = c.sum(c.abs(x) ** ord, axis=axis, keepdims=keepdims)
    zero = getval(s) == 0
    return c.where(zero, 0.0, c.where(zero, 1.0, s) ** (1.0 / ord))


def _matrix_norm(x, ord, axes, keepdims):
    c = _c()
    row, col = axes
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord in (None, "fro", "f"):
        return _norm2(x, axis=(row, col), keepdims=keepdims)
    if ord in (2, -2, "nuc"):
        sv = svdvals(c.moveaxis(x, (row, col), (-2, -1)))
        r = c.sum(sv, axis=-1) if ord == "nuc" else \
            c.max(sv, axis=-1) if ord == 2 else c.min(sv, axis=-1)
    elif ord in (1, -1):
        red = c.max if ord == 1 else c.min
        r = red(c.sum(c.abs(x), axis=row), axis=col - 1 if col > row else col)
    elif ord in (_np.inf, -_np.inf):
        red = c.max if ord > 0 else c.min
        r = red(c.sum(c.abs(x), axis=col), axis=row - 1 if row > col else row)
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        s = list(shape(x))
        s[row] = s[col] = 1
        r = c.reshape(r, tuple(s))
    return r


def _plain_float(x):
    """Plain input as a float (or complex) array, as NumPy's norms take it."""
    if type(x) is Box:
        return x
    if array_module(x) is _np:
        x = asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(float)


@_composite
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, with NumPy's ``ord``/``axis``/``keepdims``.

    Vectors: ``None``/2, 1, ``inf``, ``-inf``, 0 and any other ``p``;
    matrices: ``None``/``'fro'``, ``'nuc'``, 1, -1, 2, -2, ``inf``, ``-inf``.
    The gradient at zero is 0, not NaN.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(np.linalg.norm)(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    >>> grad(np.linalg.norm)(np.zeros(2))
    array([0., 0.])
    """
    x = _plain_float(x)
    nd = ndim(x)
    if axis is None:
        if ord is None:
            r = _norm2(x)
            return _c().reshape(r, (1,) * nd) if keepdims else r
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError("Improper number of dimensions to norm.")
    axes = _axes(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


@_composite
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Vector norm over ``axis`` (all axes by default, or a tuple of axes).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda x: np.linalg.vector_norm(x, ord=1))(np.array([-2.0, 0.0, 3.0]))
    array([-1.,  0.,  1.])
    """
    x = _plain_float(x)
    return _vector_norm(x, ord, _axes(axis, ndim(x)), keepdims)


@_composite
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Matrix norm over the last two axes.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.matrix_norm(a, ord="nuc"))(np.diag(np.array([2.0, -1.0])))
    array([[ 1.,  0.],
           [ 0., -1.]])
    """
    x = _plain_float(x)
    nd = ndim(x)
    return _matrix_norm(x, ord, (nd - 2, nd - 1), keepdims)


@_composite
def cond(x, p=None):
    """Condition number: ``s_max / s_min`` (``p`` None, 2) or
    ``norm(x, p) * norm(inv(x), p)``.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(np.linalg.cond)(np.diag(np.array([4.0, 2.0])))
    array([[ 0.5,  0. ],
           [ 0. , -1. ]])
    """
    if not _traced(x):
        return _la(x).cond(x, p)
    if p is None or p == 2 or p == -2:
        s = svdvals(x)
        hi, lo = s[..., 0], s[..., -1]
        return lo / hi if p == -2 else hi / lo
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


@_composite
def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b``: ``(x, residuals, rank, s)``.

    Differentiable in ``a`` (where the rank is constant) and ``b`` through
    ``x = pinv(a) @ b``; ``residuals`` and ``s`` are differentiable too.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.array([[1.0], [1.0]])
    >>> grad(lambda b: np.linalg.lstsq(a, b)[0][0])(np.array([1.0, 3.0]))
    array([0.5, 0.5])
    """
    if not _traced(a, b):
        return _la(a).lstsq(a, b, rcond=rcond)
    c = _c()
    m, n = shape(a)[-2:]
    if rcond is None:
        rcond = _np.finfo(_np.result_type(dtype(a), dtype(b), 1.0)).eps * max(m, n)
    s = svdvals(a)
    sv = getval(s)
    rank = int(_np.sum(sv > rcond * sv[0])) if sv.size else 0
    x = _c().matmul(pinv(a, rcond=rcond), b)
    if rank == n and m > n:
        r = b - c.matmul(a, x)
        resid = c.sum(c.real(r * _conj(r)) if _iscx(r) else r * r, axis=0)
        if ndim(b) == 1:
            resid = c.reshape(resid, (1,))
    else:
        resid = like(_np.empty((0,), dtype=_np.abs(_np.zeros((), dtype(x))).dtype), x)
    return x, resid, rank, s
