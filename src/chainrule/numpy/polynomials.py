"""Polynomials as coefficient arrays, highest power first: evaluation
(``polyval``, ``vander``), arithmetic (``polyadd``, ``polysub``,
``polymul``, ``polydiv``), calculus (``polyder``, ``polyint``) and the link
between coefficients and roots (``poly``, ``roots``). The fit is in
``polynomial_fit``.

Every function but ``roots`` is a composite: plain arrays (and NumPy's
``poly1d`` objects) in, NumPy's own function out (exactly NumPy's results,
at the cost of one check); traced values go through the same computation
written with ``chainrule.numpy`` functions, so derivatives of any order come
from the primitives' rules.

``roots`` is the one primitive: its rules come from the implicit function
theorem (a simple root ``r`` of ``p`` moves by ``-δp(r) / p'(r)``).

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.polyval(np.array([1.0, 0.0, -1.0]), x))(3.0))
6.0
"""

import importlib

import numpy as _np

from ..core.errors import MissingRuleError
from ..core.engine import getval
from ._composite_helpers import _asarray
from ._wrap import array_module, defprim, dtype, kind, like, match_real, ndim, shape
from ._wrap import asarray as _tasarray  # np.asarray, recorded by chainrule.jit
from .convert import _contains_box
from .convolution import convolve
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["poly", "polyadd", "polysub", "polymul", "polyder", "polyint", "polyval", "polydiv",
           "roots", "vander"]

# -- polynomials ------------------------------------------------------------------------------

def _is_poly1d(*ps):
    return any(isinstance(p, _np.poly1d) for p in ps)


def _atleast_1d(a):
    atleast_1d = cnp.atleast_1d
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
    x = _asarray(x)
    if ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    # NumPy's dtype: x's promoted with int (float32 gives float64). x itself is cast to it
    # first (a primitive cast: a float32 x gets a float32 cotangent), so that the powers are
    # the products NumPy forms, in that dtype, and no rule meets mixed precisions.
    dt = _np.promote_types(dtype(x), int)
    from .convert import _astype
    return _vander(_astype(x, dt) if dt.kind in "fc" else x, N, increasing, dt)


def _vander(x, N, increasing, dt):
    """:func:`vander` of a traced 1-D ``x``, with its constant column in dtype ``dt``."""
    broadcast_to = cnp.broadcast_to
    concatenate = cnp.concatenate
    cumprod = cnp.cumprod
    flip = cnp.flip
    reshape = cnp.reshape
    n = shape(x)[0]
    if N is None:
        N = n
    if N == 0:
        return like(_np.empty((n, 0), dtype=dt), x)
    ones = like(_np.ones((n, 1), dtype=dt), x)
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
    concatenate = cnp.concatenate
    return concatenate([like(_np.zeros(n, dtype=dtype(a)), a), a]) if n else a


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
        p = p[:-1] * like(_np.arange(n, 0, -1), p)
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
    concatenate, reshape = cnp.concatenate, cnp.reshape
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = like(_np.zeros(m, float), p)
    k = _atleast_1d(k)
    if shape(k)[0] == 1 and m > 1:
        k = k[0] * like(_np.ones(m, float), k)
    if shape(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _atleast_1d(p)
    for i in range(m):
        p = concatenate([p / like(_np.arange(shape(p)[0], 0, -1), p), reshape(k[i], (1,))])
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
    stack = cnp.stack
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
    concatenate, real = cnp.concatenate, cnp.real
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
    a = like(_np.ones((1,), dtype=dtype(z)), z)
    for i in range(shape(z)[0]):
        # a * (x - z_i): shift and subtract, the convolution with [1, -z_i].
        zero = like(_np.zeros(1, dtype(a)), z)
        a = concatenate([a, zero]) - z[i] * concatenate([zero, a])
    if _np.iscomplexobj(zv):
        xp = array_module(zv)
        roots_ = _tasarray(zv, complex) if xp is _np else zv.astype(complex)
        if xp.all(xp.sort(roots_) == xp.sort(roots_.conjugate())):
            a = real(a)
    return a


def _roots_core(p):
    return _np.roots(p)


def _roots_jac_parts(ans, p):
    # Implicit function theorem: for a simple root r of p,
    # dr = -sum_k dp_k r^(N-1-k) / p'(r).
    # Both in the roots' precision: vander and polyder promote float32 and complex64 to
    # double precision (NumPy's dtypes for them, with their integer powers and factors).
    n = shape(p)[0]
    V = _vander(ans, n, False, dtype(ans))
    rdt = dtype(p) if kind(dtype(p)) != "c" else _np.finfo(dtype(p)).dtype
    dp = polyval(p[:-1] * like(_np.arange(n - 1, 0, -1, dtype=rdt), p), ans)
    return V, dp


def _roots_jvp(t, ans, p):
    einsum = cnp.einsum
    V, dp = _roots_jac_parts(ans, p)
    return -einsum("...k,ik->...i", t, V) / dp


def _roots_vjp(g, ans, p):
    einsum = cnp.einsum
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
    concatenate = cnp.concatenate
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
