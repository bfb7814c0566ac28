"""Covariance and correlation coefficients (``cov``, ``corrcoef``), as
NumPy computes them.

Both are composites: plain arrays in, NumPy's own function out (exactly
NumPy's results, at the cost of one check); traced values go through the
same computation written with ``chainrule.numpy`` functions, so derivatives
of any order come from the primitives' rules. Frequency weights are counts
and stay constants; the data and the analytic weights carry derivatives.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.cov(x))(np.array([0.0, 1.0, 2.0]))[0])
-1.0
"""

import warnings

import numpy as _np

from ..core.engine import Box, getval
from ._composite_helpers import _asarray
from ._wrap import _unbox_all, ndim, shape
from .convert import _contains_box
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["cov", "corrcoef"]

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
    average = cnp.average
    concatenate = cnp.concatenate
    dot = cnp.dot
    reshape = cnp.reshape
    _sum = cnp.sum
    transpose = cnp.transpose
    conj = cnp.conj
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
    squeeze = cnp.squeeze
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
    clip = cnp.clip
    diag = cnp.diag
    imag = cnp.imag
    real = cnp.real
    reshape = cnp.reshape
    sqrt = cnp.sqrt
    c = cov(x, y, rowvar, dtype=dtype)
    if ndim(c) == 0:
        return c / c
    stddev = sqrt(real(diag(c)))
    c = c / reshape(stddev, (-1, 1)) / reshape(stddev, (1, -1))
    # Clip to [-1, 1] as NumPy does, against rounding.
    if _np.iscomplexobj(getval(c)):
        return clip(real(c), -1, 1) + 1j * clip(imag(c), -1, 1)
    return clip(c, -1, 1)
