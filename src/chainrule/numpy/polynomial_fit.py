"""Least-squares polynomial fit (``polyfit``), as NumPy computes it.

A composite: plain arrays in, NumPy's own function out. With traced
values the coefficients are still NumPy's, plus one Newton step of the
(linear) least-squares problem written with ``chainrule.numpy`` functions
(a modified Gram-Schmidt QR): the step is zero in value and carries the
exact derivative of the solution, of any order, while the fit has full
rank.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> x = np.array([0.0, 1.0, 2.0])
>>> grad(lambda y: np.polyfit(x, y, 1)[0])(np.array([1.0, 3.0, 5.0])).round(6)
array([-0.5,  0. ,  0.5])
"""

import numpy as _np

from ..core.engine import getval
from ._composite_helpers import _asarray
from ._wrap import array_module, dtype, like, ndim, shape
from .convert import _astype, _contains_box
from .polynomials import vander
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["polyfit"]


def _mgs_solve(A, B):
    """Least-squares solution of ``A X = B`` (full column rank) by modified
    Gram-Schmidt QR, written with chainrule functions (A is tall and narrow)."""
    conj, sqrt, stack, _sum, real = cnp.conj, cnp.sqrt, cnp.stack, cnp.sum, cnp.real
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
    stack = cnp.stack
    n = shape(M)[0]
    rows = [M[i] for i in range(n)]
    eye = like(_np.eye(n), M)
    inv = [eye[i] for i in range(n)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(complex(getval(rows[r])[c])))  # first largest
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
    dot = cnp.dot
    outer = cnp.outer
    sqrt = cnp.sqrt
    _sum = cnp.sum
    transpose = cnp.transpose
    reshape = cnp.reshape
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
        lhs = lhs * reshape(_astype(w, _np.result_type(dtype(lhs), dtype(w))), (-1, 1))
        rhs = rhs * (reshape(w, (-1, 1)) if ndim(rhs) == 2 else w)
    # NumPy's operands meet in lstsq, in the common dtype (float64 for float32 data: the
    # Vandermonde matrix is float64). Cast there explicitly, by the primitive cast, so that
    # no rule below meets mixed precisions and float32 data get float32 cotangents.
    rhs = _astype(rhs, _np.result_type(dtype(lhs), dtype(rhs)))
    scale = sqrt(_sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    lv = getval(lhs)
    c0, resids, rank, s = array_module(lv).linalg.lstsq(lv, getval(rhs), rcond)
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
