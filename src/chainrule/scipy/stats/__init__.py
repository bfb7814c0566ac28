"""``chainrule.scipy.stats``: densities, distribution functions and their
logarithms, differentiable in the point and in the distribution's float
parameters (where the derivative has a closed form).

Each distribution is a module, as in SciPy's and autograd's layout::

    from chainrule.scipy.stats import norm
    norm.logpdf(x, loc, scale)

Most functions are built from :mod:`chainrule.scipy.special` functions, so
they have derivatives of every order.
"""

from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t  # noqa: F401

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
