"""``chainrule.scipy``: SciPy functions with derivatives, laid out like SciPy.

* :mod:`~chainrule.scipy.special`: logsumexp, softmax, expit, xlogy... (plain
  NumPy, no SciPy needed) and gamma, erf, Bessel... functions (SciPy);
* :mod:`~chainrule.scipy.stats`: norm, t, gamma, chi2, beta, poisson,
  dirichlet, multivariate_normal densities and distribution functions;
* :mod:`~chainrule.scipy.linalg`: cholesky, cho_factor/cho_solve,
  solve_triangular, solve_sylvester, sqrtm, expm;
* :mod:`~chainrule.scipy.signal`: N-dimensional convolve (no SciPy needed);
* :mod:`~chainrule.scipy.integrate`: odeint, by the adjoint method.

SciPy is an optional dependency (``pip install 'chainrule[scipy]'``): every
module imports without it, and a function that needs it says so when called.

>>> import chainrule.scipy.special as sp
>>> round(float(sp.logsumexp([0.0, 0.0])), 6)
0.693147
"""

from . import integrate, linalg, signal, special, stats  # noqa: F401

__all__ = ["integrate", "linalg", "signal", "special", "stats"]
