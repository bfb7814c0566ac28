"""The Dirichlet distribution: differentiable in x and alpha.

As in SciPy, the components of ``x`` run along its *first* axis (``x`` of
shape ``(k,)`` or ``(k, n)``), and ``x`` may omit the last component, which
is then ``1 - sum(x)``.

>>> from chainrule.scipy.stats import dirichlet
>>> import chainrule.numpy as np
>>> float(dirichlet.pdf(np.array([0.2, 0.8]), np.array([1.0, 1.0])))
1.0
"""

import numpy as _np

from ... import numpy as cnp
from ...numpy._wrap import nondiff
from .._common import composite, plain, require
from ..special import gammaln, xlogy

__all__ = ["pdf", "logpdf", "rvs"]


def _check(x, alpha):
    a = plain(alpha)
    if a.ndim != 1:
        raise ValueError("Parameter vector 'a' must be one dimensional, but "
                         f"a.shape = {a.shape}.")
    if _np.any(a <= 0):
        raise ValueError("All parameters must be greater than 0")
    k = a.shape[0]
    n = plain(x).shape[0]
    if n != k and n + 1 != k:
        raise ValueError("Vector 'x' must have either the same number of entries as, or one "
                         f"entry fewer than, parameter vector 'a', but alpha.shape = {a.shape} "
                         f"and x.shape = {plain(x).shape}.")
    if n + 1 == k:
        x = cnp.concatenate([x, 1.0 - cnp.sum(x, axis=0, keepdims=True)], axis=0)
    xv = plain(x)
    if xv.min() < 0:
        raise ValueError("Each entry in 'x' must be greater than or equal to zero.")
    if xv.max() > 1:
        raise ValueError("Each entry in 'x' must be smaller or equal one.")
    if _np.any((xv == 0) & (a.reshape((k,) + (1,) * (xv.ndim - 1)) < 1)):
        raise ValueError("Each entry in 'x' must be greater than zero if its alpha is less "
                         "than one.")
    # SciPy's tolerance, 1e-9, is below float32's resolution (1 ± 6e-8 are its neighbours
    # of 1): a float32 x normalized in float32 would fail it. In single (half) precision the
    # sum may be off by the rounding of its k terms.
    tol = 1e-9
    if xv.dtype.kind == "f" and xv.dtype.itemsize < 8:
        tol = max(tol, k * float(_np.finfo(xv.dtype).eps))
    if _np.any(_np.abs(xv.sum(0) - 1.0) > tol):
        raise ValueError("The input vector 'x' must lie within the normal simplex. but "
                         f"np.sum(x, 0) = {xv.sum(0)}.")
    return x


@composite("scipy.stats.dirichlet.logpdf")
def logpdf(x, alpha):
    """Log density Σ (alpha_i - 1) log x_i - log B(alpha).

    >>> round(float(logpdf(cnp.array([0.5, 0.5]), cnp.array([2.0, 2.0]))), 6)
    0.405465
    """
    x = _check(x, alpha)
    log_b = cnp.sum(gammaln(alpha)) - gammaln(cnp.sum(alpha))
    a1 = cnp.reshape(alpha - 1.0, (-1,) + (1,) * (cnp.ndim(x) - 1))
    return cnp.squeeze(cnp.sum(xlogy(a1, x), axis=0) - log_b)


@composite("scipy.stats.dirichlet.pdf")
def pdf(x, alpha):
    """Density.

    >>> float(pdf(cnp.array([0.5, 0.5]), cnp.array([2.0, 2.0])))
    1.5
    """
    return cnp.exp(logpdf(x, alpha))


def _rvs(alpha, size=None, random_state=None):
    return require("scipy.stats", "chainrule.scipy.stats.dirichlet.rvs").dirichlet.rvs(
        alpha, size=size, random_state=random_state)


_rvs.__name__ = _rvs.__qualname__ = "rvs"
#: Samples (SciPy's ``dirichlet.rvs``); a random draw carries no derivative.
rvs = nondiff(_rvs, "scipy.stats.dirichlet.rvs")
