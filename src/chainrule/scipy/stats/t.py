"""Student's t distribution: differentiable in x, df, loc and scale (the
distribution functions in x, loc and scale only: their derivative in df has
no closed form).

>>> from chainrule.scipy.stats import t
>>> float(t.cdf(0.0, 3.0))
0.5
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, log, mask_where, number, positive
from ..special import gammaln, stdtr

__all__ = ["pdf", "logpdf", "cdf", "logcdf"]


def _check(out, bad):
    return mask_where(out, bad, _np.nan)


@composite("scipy.stats.t.logpdf")
def logpdf(x, df, loc=0.0, scale=1.0):
    """Log density of the t distribution with ``df`` degrees of freedom.

    >>> round(float(logpdf(0.0, 1.0)), 6)
    -1.14473
    """
    (df, scale), bad = positive(df, scale)
    y = (x - loc) / scale
    # Terms of Python numbers alone stay Python floats: NumPy float64 scalars would make
    # a float32 density float64.
    c = number(gammaln(0.5 * (df + 1.0)) - gammaln(0.5 * df), df)
    out = (c - 0.5 * log(df * _np.pi) - log(scale)
           - 0.5 * (df + 1.0) * cnp.log1p(y * y / df))
    return _check(out, bad)


@composite("scipy.stats.t.pdf")
def pdf(x, df, loc=0.0, scale=1.0):
    """Density of the t distribution.

    >>> round(float(pdf(0.0, 1.0)), 6)
    0.31831
    """
    return cnp.exp(logpdf(x, df, loc, scale))


@composite("scipy.stats.t.cdf")
def cdf(x, df, loc=0.0, scale=1.0):
    """Distribution function (differentiable in x, loc and scale).

    >>> float(cdf(1.0, 2.0, 1.0))
    0.5
    """
    (df, scale), bad = positive(df, scale)
    return _check(stdtr(df, (x - loc) / scale), bad)


@composite("scipy.stats.t.logcdf")
def logcdf(x, df, loc=0.0, scale=1.0):
    """log of :func:`cdf` (differentiable in x, loc and scale).

    >>> round(float(logcdf(0.0, 2.0)), 6)
    -0.693147
    """
    return cnp.log(cdf(x, df, loc, scale))
