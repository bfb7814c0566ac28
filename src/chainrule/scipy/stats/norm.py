"""The normal distribution N(loc, scale²): differentiable in x, loc and scale.

>>> from chainrule.scipy.stats import norm
>>> round(float(norm.logpdf(0.0)), 6)
-0.918939
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, log, mask_where, positive
from ..special import log_ndtr, ndtr, ndtri

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]

_LOG_SQRT_2PI = float(0.5 * _np.log(2.0 * _np.pi))  # a Python float: keeps float32 float32


def _check(out, bad):
    # SciPy answers nan for a non-positive scale.
    return mask_where(out, bad, _np.nan)


@composite("scipy.stats.norm.logpdf")
def logpdf(x, loc=0.0, scale=1.0):
    """Log density of N(loc, scale²) at x.

    >>> round(float(logpdf(1.0, 1.0, 1.0)), 6)
    -0.918939
    """
    (scale,), bad = positive(scale)
    z = (x - loc) / scale
    # log of a Python scale a Python float: a float64 scalar would make float32 float64
    return _check(-0.5 * z * z - log(scale) - _LOG_SQRT_2PI, bad)


@composite("scipy.stats.norm.pdf")
def pdf(x, loc=0.0, scale=1.0):
    """Density of N(loc, scale²) at x.

    >>> round(float(pdf(0.0)), 6)
    0.398942
    """
    (scale,), bad = positive(scale)
    z = (x - loc) / scale
    return _check(cnp.exp(-0.5 * z * z - _LOG_SQRT_2PI) / scale, bad)


@composite("scipy.stats.norm.cdf")
def cdf(x, loc=0.0, scale=1.0):
    """Distribution function P(X <= x).

    >>> float(cdf(0.0))
    0.5
    """
    (scale,), bad = positive(scale)
    return _check(ndtr((x - loc) / scale), bad)


@composite("scipy.stats.norm.logcdf")
def logcdf(x, loc=0.0, scale=1.0):
    """log P(X <= x), accurate far in the left tail.

    >>> round(float(logcdf(0.0)), 6)
    -0.693147
    """
    (scale,), bad = positive(scale)
    return _check(log_ndtr((x - loc) / scale), bad)


@composite("scipy.stats.norm.sf")
def sf(x, loc=0.0, scale=1.0):
    """Survival function P(X > x).

    >>> float(sf(0.0))
    0.5
    """
    (scale,), bad = positive(scale)
    return _check(ndtr((loc - x) / scale), bad)


@composite("scipy.stats.norm.logsf")
def logsf(x, loc=0.0, scale=1.0):
    """log P(X > x), accurate far in the right tail.

    >>> round(float(logsf(0.0)), 6)
    -0.693147
    """
    (scale,), bad = positive(scale)
    return _check(log_ndtr((loc - x) / scale), bad)


@composite("scipy.stats.norm.ppf")
def ppf(q, loc=0.0, scale=1.0):
    """Quantile function, the inverse of :func:`cdf`.

    >>> float(ppf(0.5, 1.0))
    1.0
    """
    (scale,), bad = positive(scale)
    return _check(loc + scale * ndtri(q), bad)


@composite("scipy.stats.norm.isf")
def isf(q, loc=0.0, scale=1.0):
    """Inverse survival function, ppf(1 - q) (computed without the cancellation in 1 - q).

    >>> float(isf(0.5, 1.0))
    1.0
    """
    (scale,), bad = positive(scale)
    return _check(loc - scale * ndtri(q), bad)
