"""The beta distribution: differentiable in x, a, b, loc and scale (the cdf
in x, loc and scale only).

>>> from chainrule.scipy.stats import beta
>>> float(beta.pdf(0.5, 1.0, 1.0))
1.0
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, log, mask_where, number, plain, positive, safe
from ..special import betainc, betaln, xlog1py, xlogy

__all__ = ["pdf", "logpdf", "cdf"]


def _check(out, bad):
    return mask_where(out, bad, _np.nan)


@composite("scipy.stats.beta.logpdf")
def logpdf(x, a, b, loc=0.0, scale=1.0):
    """Log density (a-1) log y + (b-1) log(1-y) - log B(a, b) - log scale.

    >>> round(float(logpdf(0.5, 2.0, 2.0)), 6)
    0.405465
    """
    (a, b, scale), bad = positive(a, b, scale)
    y = (x - loc) / scale
    yv = plain(y)
    out_ = (yv < 0) | (yv > 1)
    y = safe(y, out_, 0.5)
    # Terms of Python numbers alone stay Python floats (float64 scalars would promote)
    out = (xlogy(a - 1.0, y) + xlog1py(b - 1.0, -y) - number(betaln(a, b), a, b)
           - log(scale))
    return _check(mask_where(out, out_, -_np.inf), bad)


@composite("scipy.stats.beta.pdf")
def pdf(x, a, b, loc=0.0, scale=1.0):
    """Density.

    >>> float(pdf(0.5, 2.0, 2.0))
    1.5
    """
    return cnp.exp(logpdf(x, a, b, loc, scale))


@composite("scipy.stats.beta.cdf")
def cdf(x, a, b, loc=0.0, scale=1.0):
    """Distribution function I_y(a, b) (differentiable in x, loc and scale).

    >>> float(cdf(0.5, 1.0, 1.0))
    0.5
    """
    (a, b, scale), bad = positive(a, b, scale)
    y = (x - loc) / scale
    yv = plain(y)
    below, above = yv < 0, yv > 1
    y = safe(y, below | above, 0.5)
    out = mask_where(mask_where(betainc(a, b, y), below, 0.0), above, 1.0)
    return _check(out, bad)
