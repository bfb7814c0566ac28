"""Rule table for chainrule.scipy: special functions, stats, linalg, signal, integrate."""

import numpy as onp

import chainrule.numpy as np
from chainrule.scipy import integrate, linalg, signal, special as sp
from chainrule.scipy.stats import (beta, chi2, dirichlet, gamma, multivariate_normal as mvn,
                                   norm, poisson, t)

from . import SPD, C, Case, Const, Fixed, P, R, U


def Shifted(*shape, by=3.0):
    """Standard normal square matrices plus ``by`` times the identity (well conditioned)."""
    def gen(rng):
        return rng.standard_normal(shape) + by * onp.eye(shape[-1])
    return gen


def Tri(*shape, lower=True):
    """Triangular matrices with a diagonal away from zero; the other triangle is
    random too (it must not be read)."""
    def gen(rng):
        a = rng.standard_normal(shape)
        return a + 3.0 * onp.eye(shape[-1]) * onp.sign(onp.diagonal(a, 0, -2, -1))[..., None]
    return gen


def Banded(l, u, n):
    """Band storage (l + u + 1, n) of a diagonally dominant banded matrix."""
    def gen(rng):
        ab = rng.standard_normal((l + u + 1, n))
        ab[u] += 4.0
        return ab
    return gen


def Counts(*shape):
    return Const(onp.random.default_rng(5).poisson(3.0, size=shape).astype(float))


def _ode_rhs(y, tt, a1, a2):
    return -np.sqrt(tt) - y + a1 - np.mean((y + a2) ** 2)


_TOL = dict(rtol=1e-11, atol=1e-11)

CASES = [
    # -- special: no SciPy needed ------------------------------------------------
    Case("scipy.special.logsumexp", lambda x: sp.logsumexp(x), [[R(4)], [R(3, 4)]]),
    Case("scipy.special.logsumexp", lambda x: sp.logsumexp(x, axis=1, keepdims=True),
         [[R(3, 4)], [R(1, 5)]], id="logsumexp-axis-keepdims"),
    Case("scipy.special.logsumexp", lambda x: sp.logsumexp(x, axis=(0, 2)), [[R(2, 3, 4)]],
         id="logsumexp-axes"),
    Case("scipy.special.logsumexp", lambda x, b: sp.logsumexp(x, axis=1, b=b),
         [[R(3, 4), P(3, 4)], [R(3, 4), P(4)], [R(1, 4), P(3, 4)]], id="logsumexp-b"),
    Case("scipy.special.logsumexp",
         lambda x, b: sp.logsumexp(x, b=b, return_sign=True)[0],
         [[Fixed([0.1, 0.2, -0.3]), Fixed([1.0, -3.0, 0.5])]], id="logsumexp-negative-b"),
    Case("scipy.special.softmax", lambda x: sp.softmax(x, axis=1), [[R(3, 4)]]),
    Case("scipy.special.softmax", lambda x: sp.softmax(x), [[R(4)]], id="softmax-all"),
    Case("scipy.special.log_softmax", lambda x: sp.log_softmax(x, axis=0), [[R(3, 4)]]),
    Case("scipy.special.expit", sp.expit, [[R(5)], [R(2, 3)]]),
    Case("scipy.special.logit", sp.logit, [[U(0.1, 0.9, 5)]]),
    Case("scipy.special.log_expit", sp.log_expit, [[R(5)]]),
    Case("scipy.special.softplus", sp.softplus, [[R(5)]]),
    Case("scipy.special.xlogy", sp.xlogy,
         [[R(3), P(3)], [R(2, 3), P(3)], [R(3), P(2, 1)], [Fixed([0.0, 1.0, 2.0]), P(3)]]),
    Case("scipy.special.xlog1py", sp.xlog1py,
         [[R(3), U(-0.5, 2.0, 3)], [R(2, 1), U(-0.5, 2.0, 3)], [Fixed([0.0, 1.5]), P(2)]]),
    Case("scipy.special.entr", sp.entr, [[P(5)]]),
    # -- special: gamma family -----------------------------------------------------
    Case("scipy.special.gamma", sp.gamma, [[U(0.5, 3.0, 5)], [U(-0.9, -0.1, 2, 2)]]),
    Case("scipy.special.gammaln", sp.gammaln, [[U(0.5, 5.0, 5)]]),
    Case("scipy.special.digamma", sp.digamma, [[U(0.5, 5.0, 5)]]),
    Case("scipy.special.polygamma", sp.polygamma,
         [[Const(1), P(4)], [Const(onp.array([0, 1, 2])), U(0.5, 3.0, 2, 3)]]),
    Case("scipy.special.rgamma", sp.rgamma, [[U(0.5, 3.0, 5)]]),
    Case("scipy.special.multigammaln", sp.multigammaln,
         [[U(4.0, 5.0, 2, 3), Const(3)], [U(4.0, 5.0), Const(1)]]),
    Case("scipy.special.beta", sp.beta, [[P(3), P(3)], [P(2, 1), P(3)]]),
    Case("scipy.special.betaln", sp.betaln, [[P(3), P(3)], [P(2, 1), P(3)]]),
    # Incomplete beta and gamma: the derivative in a and b has no closed form (no rule).
    Case("scipy.special.betainc", sp.betainc,
         [[Const(onp.array([0.7, 1.5, 3.0])), Const(2.0), U(0.1, 0.9, 2, 3)]]),
    Case("scipy.special.betaincc", sp.betaincc,
         [[Const(onp.array([0.7, 1.5, 3.0])), Const(2.0), U(0.1, 0.9, 3)]]),
    Case("scipy.special.gammainc", sp.gammainc,
         [[Const(onp.array([0.7, 1.5, 3.0])), P(2, 3)], [Const(2.0), P(3)]]),
    Case("scipy.special.gammaincc", sp.gammaincc, [[Const(onp.array([0.7, 1.5, 3.0])), P(3)]]),
    # In a: gammainc_da (a series for x < a + 1, a quadrature of Q's integral beyond), whose
    # own a-derivative has no rule: first order in a, second order in x (gammainc_da's entry).
    Case("scipy.special.gammainc", sp.gammainc, [[P(3), P(3)], [U(0.5, 2.0, 2, 3), U(3.5, 8.0, 3)]],
         order=1, hessian=False, id="gammainc-a"),
    Case("scipy.special.gammaincc", sp.gammaincc, [[U(0.5, 2.0, 3), U(0.2, 8.0, 3)]], order=1,
         hessian=False, id="gammaincc-a"),
    Case("scipy.special.gammainc_da", sp.gammainc_da,
         [[Const(onp.array([0.7, 1.5, 3.0])), U(0.3, 6.0, 2, 3)]]),
    # -- special: error function and the normal distribution ---------------------------
    Case("scipy.special.erf", sp.erf, [[R(5)], [C(3)]]),
    Case("scipy.special.erfc", sp.erfc, [[R(5)], [C(3)]]),
    Case("scipy.special.erfcx", sp.erfcx, [[R(5)]]),
    Case("scipy.special.erfinv", sp.erfinv, [[U(-0.9, 0.9, 5)]]),
    Case("scipy.special.erfcinv", sp.erfcinv, [[U(0.1, 1.9, 5)]]),
    Case("scipy.special.ndtr", sp.ndtr, [[R(5)]]),
    Case("scipy.special.log_ndtr", sp.log_ndtr, [[R(5)], [U(-30.0, -10.0, 3)]]),
    Case("scipy.special.ndtri", sp.ndtri, [[U(0.05, 0.95, 5)]]),
    Case("scipy.special.stdtr", sp.stdtr,
         [[Const(onp.array([1.0, 3.5, 10.0])), R(2, 3)], [Const(2.5), R(4)]]),
    # -- special: Bessel functions (the order carries no derivative) ----------------------
    Case("scipy.special.i0", sp.i0, [[R(5)]]),
    Case("scipy.special.i1", sp.i1, [[R(5)]]),
    Case("scipy.special.i0e", sp.i0e, [[R(5)]]),
    Case("scipy.special.i1e", sp.i1e, [[R(5)]]),
    Case("scipy.special.iv", sp.iv, [[Const(onp.array([0.0, 1.5, 3.0])), U(0.2, 5.0, 2, 3)]]),
    # Negative x only with integer orders (otherwise the value is complex: nan).
    Case("scipy.special.ive", sp.ive, [[Const(onp.array([0.0, 1.5, 3.0])), U(0.2, 5.0, 2, 3)],
                                       [Const(onp.array([0.0, 1.0, 3.0])), R(2, 3)]]),
    Case("scipy.special.j0", sp.j0, [[U(0.2, 20.0, 5)]]),
    Case("scipy.special.j1", sp.j1, [[U(0.2, 20.0, 5)]]),
    Case("scipy.special.y0", sp.y0, [[U(0.2, 20.0, 5)]]),
    Case("scipy.special.y1", sp.y1, [[U(0.2, 20.0, 5)]]),
    Case("scipy.special.jv", sp.jv, [[Const(onp.array([0.5, 1.0, 2.5])), U(0.2, 10.0, 2, 3)]]),
    Case("scipy.special.yv", sp.yv, [[Const(onp.array([0.5, 1.0, 2.5])), U(0.5, 10.0, 2, 3)]]),
    Case("scipy.special.jn", sp.jn, [[Const(2), U(0.2, 10.0, 4)]]),
    Case("scipy.special.yn", sp.yn, [[Const(onp.array([0, 1, 2])), U(0.5, 10.0, 3)]]),
    Case("scipy.special.k0", sp.k0, [[U(0.2, 5.0, 5)]]),
    Case("scipy.special.k1", sp.k1, [[U(0.2, 5.0, 5)]]),
    Case("scipy.special.kv", sp.kv, [[Const(onp.array([0.0, 1.5, 3.0])), U(0.2, 5.0, 3)]]),
    # -- stats ----------------------------------------------------------------------------
    *[Case(f"scipy.stats.norm.{f}", getattr(norm, f),
           [[R(4)], [R(4, 3), R(1, 3), P(4, 1)]]) for f in
      ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]],
    *[Case(f"scipy.stats.norm.{f}", getattr(norm, f),
           [[U(0.05, 0.95, 4)], [U(0.05, 0.95, 4, 3), R(1, 3), P(4, 1)]])
      for f in ["ppf", "isf"]],
    *[Case(f"scipy.stats.t.{f}", getattr(t, f),
           [[R(4), U(2.0, 5.0, 4)], [R(4, 3), U(2.0, 5.0, 1, 3), R(4, 3), P(4, 1)]])
      for f in ["pdf", "logpdf"]],
    # The t cdf has no closed-form derivative in df.
    *[Case(f"scipy.stats.t.{f}", getattr(t, f),
           [[R(4, 3), Const(onp.array([[2.5, 4.0, 9.0]])), R(1, 3), P(4, 1)]])
      for f in ["cdf", "logcdf"]],
    *[Case(f"scipy.stats.gamma.{f}", getattr(gamma, f),
           [[U(0.5, 3.0, 4), U(1.0, 3.0, 4)],
            [U(1.0, 3.0, 4, 3), U(1.0, 3.0, 1, 3), U(-0.5, 0.2, 4, 1), P(1, 3)]])
      for f in ["pdf", "logpdf"]],
    Case("scipy.stats.gamma.cdf", gamma.cdf,
         [[U(1.0, 3.0, 4, 3), Const(onp.array([0.7, 1.5, 3.0])), U(-0.5, 0.2, 4, 1), P(1, 3)]]),
    *[Case(f"scipy.stats.chi2.{f}", getattr(chi2, f),
           [[U(0.5, 3.0, 4), U(2.0, 6.0, 4)], [U(1.0, 3.0, 2, 3), U(2.0, 6.0, 3)]])
      for f in ["pdf", "logpdf"]],
    Case("scipy.stats.chi2.cdf", chi2.cdf,
         [[U(0.5, 3.0, 2, 3), Const(onp.array([1.0, 3.0, 5.0]))]]),
    *[Case(f"scipy.stats.beta.{f}", getattr(beta, f),
           [[U(0.1, 0.9, 4, 3), U(1.0, 3.0, 1, 3), U(1.0, 3.0, 4, 1)]])
      for f in ["pdf", "logpdf"]],
    Case("scipy.stats.beta.cdf", beta.cdf,
         [[U(0.1, 0.9, 4, 3), Const(onp.array([0.7, 1.5, 3.0])), Const(2.0)]]),
    *[Case(f"scipy.stats.poisson.{f}", getattr(poisson, f),
           [[Counts(4, 3), U(1.0, 4.0, 4, 1)], [Counts(3), U(1.0, 4.0, 3)]])
      for f in ["pmf", "logpmf", "cdf"]],
    *[Case(f"scipy.stats.multivariate_normal.{f}", getattr(mvn, f),
           [[R(4, 3), R(3), SPD(3)], [R(2), R(2), SPD(2)], [R(4, 3), R(3), P(3)],
            [R(2), R(2), P()]])
      for f in ["pdf", "logpdf"]],
    Case("scipy.stats.multivariate_normal.entropy", lambda cov: mvn.entropy(None, cov),
         [[SPD(3)], [P(3)]]),
    # x is normalized inside: the density lives on the simplex.
    *[Case(f"scipy.stats.dirichlet.{f}",
           lambda x, a, f=f: getattr(dirichlet, f)(x / np.sum(x, axis=0), a),
           [[P(4), U(1.0, 3.0, 4)], [P(4, 3), U(0.5, 3.0, 4)]]) for f in ["pdf", "logpdf"]],
    # -- linalg ---------------------------------------------------------------------
    Case("scipy.linalg.cholesky", lambda a: linalg.cholesky(a, lower=True),
         [[SPD(3)], [SPD(3, batch=(2,))]]),
    Case("scipy.linalg.cholesky", linalg.cholesky, [[SPD(3)]], id="cholesky-upper"),
    Case("scipy.linalg.cho_factor", lambda a: linalg.cho_factor(a, lower=True)[0], [[SPD(3)]]),
    Case("scipy.linalg.cho_solve", lambda a, b: linalg.cho_solve(linalg.cho_factor(a), b),
         [[SPD(3), R(3)], [SPD(3), R(3, 2)]]),
    Case("scipy.linalg.cho_solve", lambda c, b: linalg.cho_solve((c, True), b),
         [[Tri(3, 3), R(3, 2)]], id="cho_solve-factor"),
    Case("scipy.linalg.solve_triangular",
         lambda a, b: linalg.solve_triangular(a, b, lower=True),
         [[Tri(3, 3), R(3)], [Tri(3, 3), R(3, 2)], [Tri(3, 3), R(2, 3, 2)],
          [Tri(2, 3, 3), R(2, 3, 2)]]),
    *[Case("scipy.linalg.solve_triangular",
           lambda a, b, tr=tr, low=low, unit=unit: linalg.solve_triangular(
               a, b, trans=tr, lower=low, unit_diagonal=unit),
           [[Tri(3, 3), R(3, 2)]], id=f"solve_triangular-{tr}-{low}-{unit}")
      for tr in (0, "T", 2) for low in (True, False) for unit in (False, True)],
    *[Case("scipy.linalg.solve_banded",
           lambda ab, b, lu=lu: linalg.solve_banded(lu, ab, b),
           [[Banded(*lu, 5), R(5)], [Banded(*lu, 5), R(5, 2)], [Banded(*lu, 5), R(2, 5, 2)]],
           id=f"solve_banded-{lu}") for lu in [(1, 1), (0, 2), (2, 0)]],
    Case("scipy.linalg.solve_sylvester", linalg.solve_sylvester,
         [[Shifted(3, 3), Shifted(2, 2), R(3, 2)], [Shifted(3, 3), Shifted(2, 2), R(2, 3, 2)]]),
    Case("scipy.linalg.sqrtm", linalg.sqrtm, [[SPD(3)], [Shifted(3, 3, by=4.0)]]),
    Case("scipy.linalg.expm", linalg.expm, [[R(3, 3)], [R(2, 2, 2)]]),
    # -- signal ----------------------------------------------------------------------
    *[Case("scipy.signal.convolve", lambda a, b, m=m: signal.convolve(a, b, mode=m),
           [[R(5), R(3)], [R(3), R(5)], [R(4, 3), R(2, 2)], [R(4, 3), R(4, 1)]],
           id=f"convolve-{m}") for m in ("full", "valid", "same")],
    Case("scipy.signal.convolve",
         lambda a, b: signal.convolve(a, b, axes=([1], [1]), dot_axes=([0], [2])),
         [[R(3, 3, 2), R(3, 2, 3)]], id="convolve-dot"),
    Case("scipy.signal.convolve",
         lambda a, b: signal.convolve(a, b, axes=([2, 3], [2, 3]), dot_axes=([1], [0]),
                                      mode="valid"),
         [[R(2, 3, 5, 5), R(3, 2, 2, 3)]], id="convolve-conv-layer"),
    # -- integrate -----------------------------------------------------------------------
    # Derivatives of the adjoint solve are not implemented: order 1. The batched
    # Jacobians are checked (one augmented solve carries every basis vector).
    Case("scipy.integrate.odeint",
         lambda y0, tt, a1, a2: integrate.odeint(_ode_rhs, y0, tt, (a1, a2), **_TOL),
         [[R(3), Fixed(onp.linspace(0.1, 0.2, 4)), R(3), R(3)]], order=1, hessian=False),
]
