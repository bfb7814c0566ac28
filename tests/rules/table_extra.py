"""Rule table: chainrule/numpy/extra.py (NumPy 2's array-API aliases, small
conveniences, block, i0), convolution.py, statistics.py, order_statistics.py,
calculus.py, interpolation.py, polynomials.py and polynomial_fit.py.

Inputs keep away from the kinks of the piecewise functions (ties of a
median, knots of interp, the branch point of i0, integers for modf), where
finite differences are meaningless. Entries whose output is a tuple select
the differentiable part.
"""

import numpy as onp

import chainrule.numpy as np

from . import C, Case, Const, P, R, U


def _c(name, fun, arglists, id=None, **kw):
    return Case(f"numpy.{name}", fun, arglists, id=id or f"extra.{name}", **kw)


def Sorted(lo, hi, n):
    """Sorted uniform points (knots, coordinates), well apart."""
    def gen(rng):
        return onp.sort(rng.uniform(lo, hi, n)) + onp.arange(n) * (hi - lo) / n
    return gen


def WithNaN(*shape):
    """Standard normal with a NaN in every row (none of them all NaN)."""
    def gen(rng):
        x = rng.standard_normal(shape)
        x.reshape(-1, shape[-1])[:, 1] = onp.nan
        return x
    return gen


def Gen(f):
    return f


def Frac(n):
    """Reals away from the integers (the jumps of modf and divmod)."""
    return lambda rng: rng.uniform(0.1, 0.9, n) + rng.integers(-3, 3, n)


_x = onp.linspace(-1.0, 2.0, 8)
_knots = onp.array([0.0, 1.0, 2.5, 3.0, 4.5, 6.0])
_vals = onp.array([1.0, -0.5, 2.0, 0.3, 0.0, 1.5])

CASES = [
    # -- array-API aliases ------------------------------------------------------------------------
    _c("acos", np.acos, [[U(-0.9, 0.9, 3)]]),
    _c("acosh", np.acosh, [[U(1.2, 3.0, 3)]]),
    _c("asin", np.asin, [[U(-0.9, 0.9, 3)]]),
    _c("asinh", np.asinh, [[R(3)]]),
    _c("atan", np.atan, [[R(3)]]),
    _c("atan2", np.atan2, [[R(3), P(3)]]),
    _c("atanh", np.atanh, [[U(-0.9, 0.9, 3)]]),
    _c("pow", np.pow, [[P(3), R(3)]]),
    _c("conj", np.conj, [[C(3)], [R(2)]]),
    # -- small conveniences -----------------------------------------------------------------------
    _c("asarray_chkfinite", lambda x: np.asarray_chkfinite(x) ** 2, [[R(3)]]),
    _c("real_if_close", lambda x: np.real_if_close(x + 1e-20j) ** 2, [[R(3)]]),
    _c("real_if_close", lambda x: np.real_if_close(x + 0.5j), [[R(3)]],
       id="extra.real_if_close.complex"),
    _c("divmod", lambda x, y: np.divmod(x, y)[1], [[Frac(4), U(1.1, 1.9, 4)]]),
    _c("modf", lambda x: np.modf(x)[0] ** 2, [[Frac(4)]]),
    _c("frexp", lambda x: np.frexp(x)[0] ** 2, [[R(4)]]),
    _c("block", lambda a, b: np.block([[a, b], [b, a]]), [[R(2, 2), R(2, 2)]]),
    _c("block", lambda a, b: np.block([a, 1.0, b * b]), [[R(3), R(2)]], id="extra.block.1d"),
    # -- convolution ------------------------------------------------------------------------------
    _c("convolve", np.convolve, [[R(5), R(3)], [R(2), R(4)], [C(3), C(2)]]),
    _c("convolve", lambda a, v: np.convolve(a, v, "same") ** 2, [[R(5), R(2)], [R(3), R(4)]],
       id="extra.convolve.same"),
    _c("convolve", lambda a, v: np.convolve(a, v, "valid"), [[R(5), R(3)], [R(3), R(4)]],
       id="extra.convolve.valid"),
    _c("correlate", np.correlate, [[R(5), R(3)], [C(4), C(2)], [R(2), R(4)]]),
    _c("correlate", lambda a, v: np.correlate(a, v, "full") ** 2, [[R(4), R(3)], [R(2), R(3)]],
       id="extra.correlate.full"),
    _c("correlate", lambda a, v: np.correlate(a, v, "same"), [[R(3), R(4)], [C(4), C(3)]],
       id="extra.correlate.same"),
    # -- statistics -------------------------------------------------------------------------------
    _c("cov", np.cov, [[R(2, 5)], [R(5)]]),
    _c("cov", lambda m, y: np.cov(m, y, rowvar=False, bias=True), [[R(4, 2), R(4)]],
       id="extra.cov.y"),
    _c("cov", lambda m, w: np.cov(m, aweights=w, fweights=onp.array([1, 2, 1, 1, 3])),
       [[R(2, 5), P(5)]], id="extra.cov.weights"),
    _c("cov", lambda m: np.cov(m), [[C(2, 4)]], id="extra.cov.complex"),
    _c("corrcoef", np.corrcoef, [[R(3, 5)]]),
    _c("corrcoef", lambda x, y: np.corrcoef(x, y), [[R(5), R(5)]], id="extra.corrcoef.xy"),
    # -- order statistics -------------------------------------------------------------------------
    _c("median", np.median, [[R(5)], [R(6)]]),
    _c("median", lambda a: np.median(a, axis=1, keepdims=True), [[R(3, 4)], [R(2, 5)]],
       id="extra.median.axis"),
    _c("median", lambda a: np.median(a, axis=(0, 2)), [[R(2, 2, 3)]], id="extra.median.axes"),
    _c("nanmedian", lambda a: np.nanmedian(a, axis=-1), [[WithNaN(3, 4)], [WithNaN(2, 5)]]),
    _c("quantile", lambda a: np.quantile(a, [0.1, 0.45, 0.8]), [[R(6)]]),
    _c("quantile", lambda a, q: np.quantile(a, q, axis=0), [[R(5, 2), U(0.05, 0.95, 3)]],
       id="extra.quantile.q"),
    _c("quantile", lambda a, q: np.quantile(a, q, axis=1, method="hazen", keepdims=True),
       [[R(2, 6), U(0.05, 0.95, 2)]], id="extra.quantile.hazen"),
    _c("quantile", lambda a: np.quantile(a, 0.37, axis=0, method="midpoint"), [[R(5, 2)]],
       id="extra.quantile.midpoint"),
    _c("quantile", lambda a: np.quantile(a, [0.3, 0.9], axis=1, method="nearest"), [[R(2, 7)]],
       id="extra.quantile.nearest"),
    _c("quantile", lambda a: np.quantile(a, 0.55, method="inverted_cdf",
                                         weights=onp.array([1.0, 2.0, 0.5, 1.0, 3.0])),
       [[R(5)]], id="extra.quantile.weights"),
    _c("nanquantile", lambda a, q: np.nanquantile(a, q, axis=1), [[WithNaN(2, 5),
                                                                   U(0.05, 0.95, 2)]]),
    _c("percentile", lambda a, q: np.percentile(a, q, axis=0), [[R(4, 2), U(5.0, 95.0, 2)]]),
    _c("nanpercentile", lambda a: np.nanpercentile(a, [20.0, 70.0], method="weibull"),
       [[WithNaN(6)]]),
    # -- numerical calculus -----------------------------------------------------------------------
    _c("trapezoid", np.trapezoid, [[R(5)], [R(2, 4)]]),
    _c("trapezoid", lambda y, x: np.trapezoid(y * y, x), [[R(2, 4), Sorted(0, 3, 4)],
                                                          [R(3, 3), R(3, 3)]],
       id="extra.trapezoid.x"),
    _c("trapezoid", lambda y, d: np.trapezoid(y, dx=d, axis=0), [[R(3, 2), P()]],
       id="extra.trapezoid.dx"),
    _c("gradient", np.gradient, [[R(5)], [R(3, 4)]]),
    _c("gradient", lambda f, h: np.gradient(f * f, h, edge_order=2), [[R(5), P()]],
       id="extra.gradient.dx"),
    _c("gradient", lambda f, x: np.gradient(f, x, axis=1, edge_order=2),
       [[R(2, 5), Sorted(0, 4, 5)]], id="extra.gradient.coords2"),
    _c("gradient", lambda f, x: np.gradient(f ** 2, x), [[R(4), Sorted(0, 4, 4)]],
       id="extra.gradient.coords1"),
    _c("unwrap", np.unwrap, [[Gen(lambda rng: onp.cumsum(rng.uniform(-4, 4, (2, 6)), axis=1))]]),
    _c("unwrap", lambda p: np.unwrap(p, discont=2.0, axis=0, period=5.0) ** 2,
       [[Gen(lambda rng: onp.cumsum(rng.uniform(-4, 4, (6, 2)), axis=0))]],
       id="extra.unwrap.period"),
    # -- interpolation, insertion, piecewise ------------------------------------------------------
    _c("interp", lambda x, xp, fp: np.interp(x, xp, fp),
       [[U(0.2, 5.8, 5), Const(_knots), R(6)], [U(-1, 7, 6), Const(_knots), Const(_vals)],
        [Const(onp.array([0.3, 1.7, 3.6, 5.2])), Sorted(0, 6, 6), Const(_vals)]]),
    _c("interp", lambda x, fp, lo, hi: np.interp(x, _knots, fp, left=lo, right=hi) ** 2,
       [[Const(onp.array([-1.0, 2.2, 7.0])), R(6), R(), R()]], id="extra.interp.left-right"),
    _c("interp", lambda x, fp: np.interp(x, _knots, fp, period=5.0),
       [[U(-3, 8, 5), R(6)]], id="extra.interp.period"),
    _c("interp", lambda fp: np.interp(onp.array([0.5, 2.7]), _knots, fp), [[C(6)]],
       id="extra.interp.complex"),
    _c("insert", lambda a, v: np.insert(a, [1, 3], v), [[R(4), R(2)], [R(3), R()]]),
    _c("insert", lambda a, v: np.insert(a, 1, v, axis=1) ** 2, [[R(2, 3), R(2)]],
       id="extra.insert.axis"),
    _c("piecewise", lambda x: np.piecewise(x, [x < 0, x >= 0],
                                           [lambda v: v ** 3, lambda v: np.sin(v)]), [[R(6)]]),
    _c("piecewise", lambda x, c: np.piecewise(x, [x < -0.3], [lambda v: c * v, 0.5]),
       [[R(5), R()]], id="extra.piecewise.otherwise"),
    # -- special function -----------------------------------------------------------------------
    _c("i0", np.i0, [[U(0.3, 7.5, 4)], [U(8.5, 14.0, 3)], [U(-7.5, -0.3, 3)]]),
    # -- polynomials ----------------------------------------------------------------------------
    _c("vander", np.vander, [[R(3)]]),
    _c("vander", lambda x: np.vander(x, 4, increasing=True), [[R(3)]], id="extra.vander.inc"),
    _c("polyval", np.polyval, [[R(4), R(3)], [C(3), C(2)]]),
    _c("polyadd", np.polyadd, [[R(3), R(2)], [R(2), R(4)]]),
    _c("polysub", np.polysub, [[R(3), R(2)], [R(2), R(4)]]),
    _c("polymul", np.polymul, [[R(3), R(2)]]),
    _c("polyder", lambda p: np.polyder(p, 2), [[R(5)]]),
    _c("polyint", lambda p, k: np.polyint(p, 2, k), [[R(3), R(2)]]),
    _c("polydiv", lambda u, v: np.polydiv(u, v)[0], [[R(5), P(3)]]),
    _c("polydiv", lambda u, v: np.polydiv(u, v)[1], [[R(5), P(3)]], id="extra.polydiv.rem"),
    _c("poly", np.poly, [[R(3)], [C(2)]]),
    _c("roots", np.roots, [[Gen(lambda rng: onp.poly([1.0, -2.0, 0.5]) + 0.05 *
                                rng.standard_normal(4))],
                           [Gen(lambda rng: onp.array([1.0, 0.3, 2.0, -0.5]))],
                           [C(3)]]),
    _c("polyfit", lambda x, y: np.polyfit(x, y, 2), [[Const(_x), R(8)], [Sorted(-1, 2, 6),
                                                                          Const(_x[:6] ** 3)]]),
    _c("polyfit", lambda y, w: np.polyfit(_x, y, 1, w=w), [[R(8, 2), P(8)]],
       id="extra.polyfit.w"),
    _c("polyfit", lambda y: np.polyfit(_x, y, 2, cov=True)[1], [[R(8)]],
       id="extra.polyfit.cov"),
    _c("polyfit", lambda y: np.polyfit(_x, y, 1, full=True)[1], [[R(8)]],
       id="extra.polyfit.full"),
]
