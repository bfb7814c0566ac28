"""The chi-squared distribution with ``df`` degrees of freedom (a gamma
distribution with shape df / 2 and scale 2): differentiable in x, df, loc and
scale (the cdf not in df).

>>> from chainrule.scipy.stats import chi2
>>> round(float(chi2.pdf(1.0, 2.0)), 6)
0.303265
"""

from .._common import composite
from . import gamma as _gamma

__all__ = ["pdf", "logpdf", "cdf"]


@composite("scipy.stats.chi2.logpdf")
def logpdf(x, df, loc=0.0, scale=1.0):
    """Log density.

    >>> round(float(logpdf(1.0, 2.0)), 6)
    -1.193147
    """
    return _gamma.logpdf(x, 0.5 * df, loc, 2.0 * scale)


@composite("scipy.stats.chi2.pdf")
def pdf(x, df, loc=0.0, scale=1.0):
    """Density.

    >>> round(float(pdf(2.0, 2.0)), 6)
    0.18394
    """
    return _gamma.pdf(x, 0.5 * df, loc, 2.0 * scale)


@composite("scipy.stats.chi2.cdf")
def cdf(x, df, loc=0.0, scale=1.0):
    """Distribution function (differentiable in x, loc and scale).

    >>> round(float(cdf(2.0, 2.0)), 6)
    0.632121
    """
    return _gamma.cdf(x, 0.5 * df, loc, 2.0 * scale)
