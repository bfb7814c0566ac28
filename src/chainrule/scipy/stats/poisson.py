"""The Poisson distribution with mean ``mu``: differentiable in mu. The count
``k`` is discrete and carries no derivative (its plain value is used).

>>> from chainrule.scipy.stats import poisson
>>> round(float(poisson.pmf(0, 1.0)), 6)
0.367879
"""

import numpy as _np

from ... import numpy as cnp
from .._common import composite, mask_where, plain, safe
from ..special import gammaincc, gammaln, xlogy

__all__ = ["pmf", "logpmf", "cdf"]


def _check(out, bad):
    return mask_where(out, bad, _np.nan)


@composite("scipy.stats.poisson.logpmf")
def logpmf(k, mu, loc=0):
    """log P(K = k) = k log mu - log k! - mu (-inf unless k - loc is a count).

    >>> round(float(logpmf(1, 1.0)), 6)
    -1.0
    """
    bad_mu = plain(mu) < 0
    mu = safe(mu, bad_mu)
    k = plain(k) - plain(loc)
    bad = (k < 0) | (k != _np.floor(k))
    ks = _np.where(bad, 0.0, k)
    out = xlogy(ks, mu) - gammaln(ks + 1.0) - mu
    return _check(mask_where(out, bad, -_np.inf), bad_mu)


@composite("scipy.stats.poisson.pmf")
def pmf(k, mu, loc=0):
    """P(K = k).

    >>> round(float(pmf(1, 1.0)), 6)
    0.367879
    """
    return cnp.exp(logpmf(k, mu, loc))


@composite("scipy.stats.poisson.cdf")
def cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k) + 1, mu), the regularized upper incomplete gamma.

    >>> round(float(cdf(0, 1.0)), 6)
    0.367879
    """
    bad_mu = plain(mu) < 0
    mu = safe(mu, bad_mu)
    k = _np.floor(plain(k) - plain(loc))
    neg = k < 0
    out = gammaincc(_np.where(neg, 0.0, k) + 1.0, mu)
    return _check(mask_where(out, neg, 0.0), bad_mu)
