"""The gamma distribution with shape ``a``: differentiable in x, a, loc and
scale (the cdf in x, loc and scale only).

>>> from chainrule.scipy.stats import gamma
>>> round(float(gamma.pdf(1.0, 1.0)), 6)
0.367879
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, log, mask_where, number, plain, positive, safe
from ..special import gammainc, gammaln, xlogy

__all__ = ["pdf", "logpdf", "cdf"]


def _standard(x, loc, scale):
    y = (x - loc) / scale
    neg = plain(y) < 0
    # Outside the support the value is fixed; a safe point keeps the rules finite.
    return safe(y, neg), neg


def _check(out, bad):
    return mask_where(out, bad, _np.nan)


@composite("scipy.stats.gamma.logpdf")
def logpdf(x, a, loc=0.0, scale=1.0):
    """Log density (a - 1) log y - y - log Γ(a) - log scale, y = (x - loc) / scale.

    >>> round(float(logpdf(1.0, 2.0)), 6)
    -1.0
    """
    (a, scale), bad = positive(a, scale)
    y, neg = _standard(x, loc, scale)
    # Terms of Python numbers alone stay Python floats (float64 scalars would promote)
    out = xlogy(a - 1.0, y) - y - number(gammaln(a), a) - log(scale)
    return _check(mask_where(out, neg, -_np.inf), bad)


@composite("scipy.stats.gamma.pdf")
def pdf(x, a, loc=0.0, scale=1.0):
    """Density.

    >>> round(float(pdf(1.0, 2.0)), 6)
    0.367879
    """
    return cnp.exp(logpdf(x, a, loc, scale))


@composite("scipy.stats.gamma.cdf")
def cdf(x, a, loc=0.0, scale=1.0):
    """Distribution function (differentiable in x, loc and scale, not in a).

    >>> round(float(cdf(1.0, 1.0)), 6)
    0.632121
    """
    (a, scale), bad = positive(a, scale)
    y, neg = _standard(x, loc, scale)
    return _check(mask_where(gammainc(a, y), neg, 0.0), bad)
