"""Matrix products and powers, the array-API aliases, and the non-differentiable ``matrix_rank``."""

import operator

import numpy as _np
import numpy.linalg as _la

from ...core.engine import getval
from .._wrap import like, ndim, nondiff, shape
from ._helpers import _c, _composite, _mm, _mT
from ._solve_det import inv, solve

# == products and powers =====================================================================

@_composite
def matrix_power(a, n):
    """``a`` to the integer power ``n`` (negative: of the inverse), by squaring.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> float(grad(lambda a: np.linalg.matrix_power(a, 3)[0, 0])(np.eye(2) * 2.0)[0, 0])
    12.0
    """
    n = operator.index(n)
    if n == 0:
        # The identity: constant.
        av = getval(a)
        return like(_np.broadcast_to(_np.eye(shape(av)[-1], dtype=av.dtype), shape(av)).copy(), av)
    if n < 0:
        a = inv(a)
        n = -n
    result = z = None
    while n > 0:
        z = a if z is None else _mm(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else _mm(result, z)
    return result


def _chain_order(dims):
    """Optimal parenthesization of a matrix chain (dims[i] x dims[i+1] matrices)."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                q = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, s
    return split


@_composite
def multi_dot(arrays, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first and
    last may be 1-D (a row and a column vector).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.ones((2, 3)); c = np.ones((3, 2))
    >>> grad(lambda b: np.sum(np.linalg.multi_dot([a, b, c])))(np.eye(3))[0]
    array([4., 4., 4.])
    """
    c = _c()
    arrays = list(arrays)
    k = len(arrays)
    if k < 2:
        raise ValueError("Expecting at least two arrays.")
    if k == 2:
        return c.dot(arrays[0], arrays[1])
    first_1d, last_1d = ndim(arrays[0]) == 1, ndim(arrays[-1]) == 1
    if first_1d:
        arrays[0] = c.reshape(arrays[0], (1, -1))
    if last_1d:
        arrays[-1] = c.reshape(arrays[-1], (-1, 1))
    for x in arrays:
        if ndim(x) != 2:
            raise _la.LinAlgError(f"{ndim(x)}-dimensional array given. Array must be "
                                  "two-dimensional")
    split = _chain_order([shape(arrays[0])[0]] + [shape(x)[1] for x in arrays])

    def prod(i, j):
        if i == j:
            return arrays[i]
        s = split[i][j]
        return _mm(prod(i, s), prod(s + 1, j))
    r = prod(0, k - 1)
    if first_1d and last_1d:
        return c.reshape(r, ())
    if first_1d:
        return c.reshape(r, shape(r)[1:])
    if last_1d:
        return c.reshape(r, shape(r)[:1])
    return r


@_composite
def tensorsolve(a, b, axes=None):
    """Solve the tensor equation ``tensordot(a, x, x.ndim) = b`` for ``x``.

    >>> import chainrule.numpy as np
    >>> np.linalg.tensorsolve(2.0 * np.eye(4).reshape(4, 2, 2), np.ones(4)).shape
    (2, 2)
    """
    c = _c()
    an = ndim(a)
    if axes is not None:
        allaxes = list(range(an))
        for k in axes:
            allaxes.remove(k)
            allaxes.insert(an, k)
        a = c.transpose(a, allaxes)
    oldshape = tuple(shape(a))[-(an - ndim(b)):]
    prod = int(_np.prod(oldshape, dtype=int))
    if int(_np.prod(shape(b), dtype=int)) != prod:
        raise _la.LinAlgError("Input arrays must satisfy the requirement "
                              "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    x = solve(c.reshape(a, (prod, prod)), c.reshape(b, (prod,)))
    return c.reshape(x, oldshape)


@_composite
def tensorinv(a, ind=2):
    """The inverse of ``a`` for :func:`tensordot` over ``ind`` axes.

    >>> import chainrule.numpy as np
    >>> np.linalg.tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape
    (2, 2, 4)
    """
    c = _c()
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    oldshape = tuple(shape(a))
    prod = int(_np.prod(oldshape[:ind], dtype=int))
    invshape = oldshape[ind:] + oldshape[:ind]
    return c.reshape(inv(c.reshape(a, (prod, -1))), invshape)


# == array-API aliases =======================================================================

@_composite
def matmul(x1, x2, /):
    """Matrix product (``x1 @ x2``)."""
    return _c().matmul(x1, x2)


@_composite
def matrix_transpose(x, /):
    """Swap the last two axes."""
    return _mT(x)


@_composite
def tensordot(x1, x2, /, *, axes=2):
    """Sum of products over ``axes`` (as :func:`numpy.tensordot`)."""
    return _c().tensordot(x1, x2, axes=axes)


@_composite
def outer(x1, x2, /):
    """Outer product of two 1-D arrays."""
    if ndim(x1) != 1 or ndim(x2) != 1:
        raise ValueError("Input arrays must be one-dimensional")
    return _c().outer(x1, x2)


@_composite
def vecdot(x1, x2, /, *, axis=-1):
    """Vector dot product along ``axis``, conjugating ``x1``."""
    return _c().vecdot(x1, x2, axis=axis)


@_composite
def cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-element vectors along ``axis``."""
    if shape(x1)[axis] != 3 or shape(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors")
    return _c().cross(x1, x2, axis=axis)


@_composite
def diagonal(x, /, *, offset=0):
    """Diagonals of the matrices in the last two axes."""
    return _c().diagonal(x, offset=offset, axis1=-2, axis2=-1)


@_composite
def trace(x, /, *, offset=0, dtype=None):
    """Traces of the matrices in the last two axes."""
    return _c().trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


# == non-differentiable ======================================================================

matrix_rank = nondiff(_la.matrix_rank, "numpy.linalg.matrix_rank")
