"""Discrete linear convolution and cross-correlation of 1-D sequences
(``convolve``, ``correlate``), differentiable in both operands.

Both are composites: plain arrays in, NumPy's own function out (exactly
NumPy's results, at the cost of one check); traced values go through a
direct convolution written with ``chainrule.numpy`` functions (a gather of
sliding windows and a matrix-vector product), so derivatives of any order
come from the primitives' rules.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> grad(lambda v: np.convolve(np.array([1.0, 2.0]), v).sum())(np.array([0.0, 1.0]))
array([3., 3.])
"""

import numpy as _np

from ._composite_helpers import _asarray, _take
from ._wrap import dtype, like, shape
from .convert import _contains_box
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["convolve", "correlate"]

# -- convolution ----------------------------------------------------------------------------

def _convolve_traced(a, v, mode):
    """Direct 1-D convolution as a gather and a matrix-vector product."""
    concatenate, flip, matmul, ravel = cnp.concatenate, cnp.flip, cnp.matmul, cnp.ravel
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
    zeros = like(_np.zeros(m - 1, dtype=dtype(a)), a)
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
    conj, flip, ravel = cnp.conj, cnp.flip, cnp.ravel
    a, v = ravel(_asarray(a)), ravel(_asarray(v))
    if shape(v)[0] > shape(a)[0] and mode != "full":
        # NumPy swaps the operands; the result is the conjugate, reversed.
        return conj(flip(_convolve_traced(v, flip(conj(a)), mode)))
    return _convolve_traced(a, flip(conj(v)), mode)
