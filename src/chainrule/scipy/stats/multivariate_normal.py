"""The multivariate normal distribution: differentiable in x, mean and cov.

As in SciPy, the last axis of ``x`` holds the components, ``cov`` may be a
matrix, a vector (a diagonal) or a scalar, and only the lower triangle of a
covariance matrix is read. The log density comes from a Cholesky factor
(``chainrule.scipy.linalg``), so its derivatives are exact to every order.

>>> from chainrule.scipy.stats import multivariate_normal as mvn
>>> import chainrule.numpy as np
>>> round(float(mvn.logpdf(np.zeros(2), np.zeros(2), np.eye(2))), 6)
-1.837877
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, plain
from ..linalg import cholesky, solve_triangular

__all__ = ["pdf", "logpdf", "entropy"]

_LOG_2PI = float(_np.log(2.0 * _np.pi))  # a Python float: keeps float32 float32


def _dim(mean, cov):
    if mean is not None:
        return plain(mean).shape[-1] if plain(mean).ndim else 1
    c = plain(cov)
    return 1 if c.ndim == 0 else c.shape[0]


def _quantiles(x, dim):
    # SciPy's convention: a 1-D x is one point, unless the dimension is 1.
    nd = cnp.ndim(x)
    if nd == 0:
        return cnp.reshape(x, (1,))
    if nd == 1:
        return cnp.reshape(x, (-1, 1) if dim == 1 else (1, -1))
    return x


def _squeeze(out):
    return cnp.squeeze(out)


def _logdet_and_maha(dev, cov, dim, allow_singular):
    """(log pseudo-determinant, Mahalanobis terms, rank, support mask) of cov."""
    c = plain(cov)
    if c.ndim == 0:
        # ones in cov's float dtype: float64 ones would make a float32 cov float64
        cov = cov * cnp.ones(dim, dtype=c.dtype if c.dtype.kind == "f" else None)
        c = plain(cov)
    if c.ndim == 1:
        if _np.any(c <= 0) and not (allow_singular and _np.all(c >= 0)):
            raise _np.linalg.LinAlgError("singular matrix")
        if _np.any(c <= 0):
            return _singular(dev, cnp.diag(cov))
        return (cnp.sum(cnp.log(cov)), cnp.sum(dev * dev / cov, axis=-1), dim, None)
    try:
        L = cholesky(cov, lower=True)
    except _np.linalg.LinAlgError:
        if not allow_singular:
            raise
        return _singular(dev, cov)
    flat = cnp.reshape(dev, (-1, dim))
    z = solve_triangular(L, cnp.swapaxes(flat, 0, 1), lower=True)
    maha = cnp.reshape(cnp.sum(z * z, axis=0), cnp.shape(dev)[:-1])
    return 2.0 * cnp.sum(cnp.log(cnp.diagonal(L))), maha, dim, None


def _singular(dev, cov):
    # SciPy's pseudo-inverse path: eigenvalues below a cutoff do not count.
    try:
        from ...numpy.linalg import eigh
    except ImportError:
        eigh = None
    if eigh is None:
        raise ImportError(
            "multivariate_normal with a singular cov needs chainrule.numpy.linalg.eigh")
    lower = cnp.tril(cov) + cnp.swapaxes(cnp.tril(cov, -1), 0, 1)  # reads the lower triangle
    s, u = eigh(lower)
    sv = plain(s)
    eps = 1e6 * _np.finfo(float).eps * _np.max(_np.abs(sv))
    keep = sv > eps
    if _np.any(sv < -eps):
        raise ValueError("the input matrix must be positive semidefinite")
    uk = u[:, keep] / cnp.sqrt(s[keep])
    proj = dev @ uk
    maha = cnp.sum(proj * proj, axis=-1)
    null = plain(u)[:, ~keep]
    support = _np.linalg.norm(plain(dev) @ null, axis=-1) < eps
    return cnp.sum(cnp.log(s[keep])), maha, int(keep.sum()), support


@composite("scipy.stats.multivariate_normal.logpdf")
def logpdf(x, mean=None, cov=1, allow_singular=False):
    """Log density of N(mean, cov) at the points ``x`` (last axis: components).

    >>> round(float(logpdf(cnp.array([1.0, 1.0]), cov=cnp.array([1.0, 1.0]))), 6)
    -2.837877
    """
    dim = _dim(mean, cov)
    x = _quantiles(x, dim)
    dev = x if mean is None else x - mean
    logdet, maha, rank, support = _logdet_and_maha(dev, cov, dim, allow_singular)
    out = -0.5 * (rank * _LOG_2PI + logdet + maha)
    if support is not None and not support.all():
        out = cnp.where(support, out, -_np.inf)
    return _squeeze(out)


@composite("scipy.stats.multivariate_normal.pdf")
def pdf(x, mean=None, cov=1, allow_singular=False):
    """Density of N(mean, cov) at the points ``x``.

    >>> round(float(pdf(cnp.zeros(2), cov=cnp.eye(2))), 6)
    0.159155
    """
    return cnp.exp(logpdf(x, mean, cov, allow_singular))


@composite("scipy.stats.multivariate_normal.entropy")
def entropy(mean=None, cov=1):
    """Differential entropy ½ log det(2πe cov); differentiable in cov.

    >>> round(float(entropy(cnp.zeros(2), cnp.eye(2))), 6)
    2.837877
    """
    dim = _dim(mean, cov)
    logdet, _, rank, _ = _logdet_and_maha(cnp.zeros((dim,)), cov, dim, False)
    return 0.5 * (rank * (_LOG_2PI + 1.0) + logdet)
