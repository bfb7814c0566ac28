"""``chainrule.scipy.special``: SciPy's special functions with derivatives.

Use it as ``import chainrule.scipy.special as sp``. Three kinds of function:

* written in NumPy, so they work **without SciPy** (it is an optional
  extra): :func:`logsumexp`, :func:`softmax`, :func:`log_softmax`,
  :func:`expit`, :func:`logit`, :func:`log_expit`, :func:`softplus`,
  :func:`xlogy`, :func:`xlog1py`, :func:`entr`;
* elementwise SciPy functions (gamma, erf, Bessel...) wrapped as primitives
  whose derivative is again one of these functions, so every rule can be
  differentiated again (``gamma' = gamma · digamma``, ``digamma' =
  polygamma(1, ·)``, ``jv' = (jv(v-1) - jv(v+1)) / 2``...). SciPy is imported
  on the first call;
* built from the others (:func:`multigammaln`).

Where a derivative has no closed form in special functions (``betainc`` in
``a`` and ``b``, Bessel functions in the order), that argument has no rule:
asking for it raises MissingRuleError. ``gammainc`` and ``gammaincc`` in ``a``
use :func:`gammainc_da`, computed numerically (its own derivative in ``a`` has
no rule).
"""

import numpy as _np

from .. import numpy as cnp
from ..core.engine import Box, getval
from ..numpy._wrap import (ARRAY_TYPES, align, array_module, asarray, broadcast_tangent, defprim,
                           ndim, nondiff, normalize_axis)
from ..numpy._wrap import asarray as _tasarray
from ..numpy.convert import in_dtype
from ..numpy._wrap import dtype as _dtype
from ..numpy._wrap import is_lazy, opaque, shape, unbroadcast
from ._common import composite, defelementwise, expand_reduced, lazy, require

__all__ = [
    "logsumexp", "softmax", "log_softmax", "expit", "logit", "log_expit", "softplus", "xlogy",
    "xlog1py", "entr", "gamma", "gammaln", "digamma", "psi", "polygamma", "rgamma",
    "gammasgn", "multigammaln", "beta", "betaln", "betainc", "betaincc", "gammainc",
    "gammaincc", "gammainc_da",
    "erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "log_ndtr", "ndtri",
    "i0", "i1", "i0e", "i1e", "iv", "ive", "j0", "j1", "y0", "y1", "jn", "yn", "jv", "yv",
    "k0", "k1", "kv", "stdtr",
]

# Python floats, not NumPy float64 scalars: those would promote a float32 derivative
# (NumPy 2's promotion rules), and a tangent must have its output's dtype.
_SQRT_PI = float(_np.sqrt(_np.pi))
_SQRT_2PI = float(_np.sqrt(2.0 * _np.pi))
_LOG_2PI = float(_np.log(2.0 * _np.pi))


def _arr(x):
    """``x`` as an array: NumPy's for numbers and lists, another module's array
    (CuPy) left where it is."""
    return asarray(x) if array_module(x) is _np else x


def _arr_or_number(x):
    """:func:`_arr`, but a Python number stays one: as a float64 array it would make a
    float32 result float64 (NumPy 2 promotes Python numbers weakly, 0-d arrays not)."""
    return x if type(x) in (float, int) else _arr(x)


def _scalar(out):
    """0-d results as NumPy scalars, as SciPy returns them."""
    return out[()] if isinstance(out, _np.ndarray) and out.ndim == 0 else out


# ----------------------------------------------------------------------------
# Written in NumPy: no SciPy needed
# ----------------------------------------------------------------------------

def _expit(x):
    x = _arr(x)
    if is_lazy(x):  # Dask: the overflow-free form, no peeking at the data
        e = _np.exp(-_np.abs(x))
        return _np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if x.size == 0 or _np.minimum.reduce(x, axis=None) > -700.0 or _np.isnan(x).any():
        # exp(-x) cannot overflow: the plain formula, the cheapest there is.
        return _scalar(1.0 / (1.0 + _np.exp(-x)))
    # exp(-|x|) never overflows; each branch is accurate on its side of 0.
    e = _np.exp(-_np.abs(x))
    return _scalar(_np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def _logit(p):
    p = _arr(p)
    with _np.errstate(divide="ignore", invalid="ignore"):
        return _scalar(_np.log(p) - _np.log1p(-p))


def _log_expit(x):
    x = _arr(x)
    # log(1 / (1 + exp(-x))) = -log(1 + exp(-x)), stable on both sides.
    return _scalar(-_np.logaddexp(0.0, -x))


def _softplus(x, **kwargs):
    return _scalar(_np.logaddexp(0.0, _arr(x)))


def _xlogy(x, y):
    x, y = _arr_or_number(x), _arr_or_number(y)
    with _np.errstate(divide="ignore", invalid="ignore"):
        return _scalar(_np.where((x == 0) & ~_np.isnan(y), 0.0, x * _np.log(y)))


def _xlog1py(x, y):
    x, y = _arr_or_number(x), _arr_or_number(y)
    with _np.errstate(divide="ignore", invalid="ignore"):
        return _scalar(_np.where((x == 0) & ~_np.isnan(y), 0.0, x * _np.log1p(y)))


def _entr(x):
    x = _arr(x)
    with _np.errstate(divide="ignore", invalid="ignore"):
        pos = -x * _np.log(_np.where(x > 0, x, 1.0))
        # the fill values in pos's dtype: where() of two Python floats would be float64
        fill = _np.where(x == 0, pos.dtype.type(0.0), pos.dtype.type(-_np.inf))
        return _scalar(_np.where(x > 0, pos, fill))


def _safe_div(num, x):
    # num / x with 0 where x == 0 (x * log(y) has no y-dependence when x == 0).
    xv = getval(x)
    if not is_lazy(xv) and not _np.any(_arr(xv) == 0):
        return num
    return cnp.where(_arr(xv) == 0, 0.0, num)


expit = defelementwise(
    "scipy.special.expit", _expit,
    # σ'(x) = σ(x)(1 − σ(x)) from the kept output: no second sigmoid. (For
    # x > 37 it rounds to 0 where the true value is below 1e-16.)
    lambda ans, x: ans * (1.0 - ans),
    doc="""Logistic sigmoid 1 / (1 + exp(-x)), stable for large |x| (no SciPy needed).

    >>> float(expit(0.0))
    0.5
    """)

logit = defelementwise(
    "scipy.special.logit", _logit, lambda ans, p: 1.0 / (p * (1.0 - p)), needs_ans=False,
    doc="""Log-odds log(p / (1 - p)), the inverse of :func:`expit` (no SciPy needed).

    >>> float(logit(0.5))
    0.0
    """)

log_expit = defelementwise(
    "scipy.special.log_expit", _log_expit, lambda ans, x: expit(-x), needs_ans=False,
    doc="""log(expit(x)) without underflow (no SciPy needed).

    >>> round(float(log_expit(0.0)), 6)
    -0.693147
    """)

softplus = defelementwise(
    "scipy.special.softplus", _softplus, lambda ans, x: expit(x), needs_ans=False,
    doc="""log(1 + exp(x)) without overflow (no SciPy needed).

    >>> round(float(softplus(0.0)), 6)
    0.693147
    """)

xlogy = defelementwise(
    "scipy.special.xlogy", _xlogy,
    lambda ans, x, y: cnp.log(y),
    lambda ans, x, y: _safe_div(x / cnp.where(getval(x) == 0, 1.0, y), x),
    needs_ans=False,
    doc="""x * log(y), and 0 where x == 0 (no SciPy needed).

    The derivative in ``y`` is ``x / y``, taken as 0 where ``x == 0`` so that
    ``xlogy(0, 0)`` has a finite gradient.

    >>> float(xlogy(0.0, 0.0)), float(xlogy(2.0, 1.0))
    (0.0, 0.0)
    """)

xlog1py = defelementwise(
    "scipy.special.xlog1py", _xlog1py,
    lambda ans, x, y: cnp.log1p(y),
    lambda ans, x, y: _safe_div(x / cnp.where(getval(x) == 0, 1.0, 1.0 + y), x),
    needs_ans=False,
    doc="""x * log1p(y), and 0 where x == 0 (no SciPy needed).

    >>> float(xlog1py(0.0, -1.0))
    0.0
    """)

entr = defelementwise(
    "scipy.special.entr", _entr, lambda ans, x: -(cnp.log(x) + 1.0), needs_ans=False,
    doc="""Elementwise entropy -x log x (0 at 0, -inf for x < 0; no SciPy needed).

    >>> float(entr(1.0))
    -0.0
    """)


# -- logsumexp ---------------------------------------------------------------------

def _lse_raw(a, b=None, axis=None, keepdims=False):
    """log |sum(b * exp(a))| over ``axis``, shifted by the max for stability."""
    a = _arr(a)
    lazy = is_lazy(a) or is_lazy(b)  # Dask: the general form, no peeking at the data
    if b is None and a.size and not lazy:
        # Fast path: with a finite maximum, the shifted sum is >= 1 (no log(0),
        # no overflow), so no error-state juggling is needed.
        amax = _np.maximum.reduce(a, axis=axis, keepdims=True)
        if _np.isfinite(amax).all():
            out = _np.log(_np.add.reduce(_np.exp(a - amax), axis=axis, keepdims=True)) + amax
            if not keepdims:
                out = _np.squeeze(out, axis=normalize_axis(axis, a.ndim))
            return _scalar(out)
    if b is not None:
        a, b = _np.broadcast_arrays(a, _arr(b))
        zero = b == 0
        if lazy or zero.any():  # those terms do not count, even where a is +inf (as SciPy)
            a = _np.where(zero, -_np.inf, a)
    with _np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        amax = _np.max(a, axis=axis, keepdims=True) if a.size else _np.zeros(())
        amax = _np.where(_np.isfinite(amax), amax, 0.0)
        e = _np.exp(a - amax)
        if b is not None:
            e = e * b
        out = _np.log(_np.abs(_np.sum(e, axis=axis, keepdims=True))) + amax
    if not keepdims:
        out = _np.squeeze(out, axis=normalize_axis(axis, a.ndim))
    return _scalar(out)


def _lse_shapes(a, b, axis):
    full = _np.broadcast_shapes(shape(a), shape(b)) if b is not None else tuple(shape(a))
    return full, normalize_axis(axis, len(full))


def _lse_weights(ans, a, b, axis, keepdims, with_b):
    """d ans / d a (with_b) or d ans / d b: b^[with_b] exp(a - ans) / sign(sum)."""
    full, axes = _lse_shapes(a, b, axis)
    ansk = ans if keepdims else cnp.reshape(
        ans, tuple(1 if i in axes else n for i, n in enumerate(full)))
    w = cnp.exp(a - ansk)
    if b is not None:
        wb = w * b
        bv = _arr(getval(b))
        if is_lazy(bv) or _np.any(bv < 0):
            # ans = log|s|: its derivative carries sign(s) = sum of the weights.
            sgn = _np.sign(_np.sum(getval(wb), axis=axes, keepdims=True))
            sgn = _np.where(sgn == 0, 1.0, sgn)
            wb, w = wb / sgn, w / sgn
        if with_b:
            w = wb
    return w, full, axes


def _lse_vjp_plain(g, ans, a, axis, keepdims):
    """First order, no ``b``: the softmax exp(a - ans) times g, broadcast by
    NumPy itself (the batch axes of g, if any, lead)."""
    if not keepdims:
        axes = normalize_axis(axis, a.ndim)
        nb = _np.ndim(g) - _np.ndim(ans)
        ans = _np.expand_dims(ans, axes)
        g = _np.expand_dims(g, tuple(ax + nb for ax in axes))
    r = _np.exp(a - ans) * g
    return r.real if r.dtype.kind == "c" and a.dtype.kind != "c" else r


def _lse_vjp(i):
    def vjp(g, ans, a, b=None, axis=None, keepdims=False):
        if i == 0 and b is None and type(a) in ARRAY_TYPES and type(g) is not Box \
                and type(ans) is not Box:
            return _lse_vjp_plain(g, ans, a, axis, keepdims)
        w, full, axes = _lse_weights(ans, a, b, axis, keepdims, i == 0)
        nb = ndim(g) - ndim(ans)
        gk = expand_reduced(g, full, axis, keepdims, nb)
        return unbroadcast(gk * w, (a, b)[i], len(full))
    return vjp


def _lse_jvp(i):
    def jvp(t, ans, a, b=None, axis=None, keepdims=False):
        x = (a, b)[i]
        w, full, axes = _lse_weights(ans, a, b, axis, keepdims, i == 0)
        nb = ndim(t) - ndim(x)
        return cnp.sum(align(t, x, len(full)) * w, axis=tuple(ax + nb for ax in axes),
                       keepdims=keepdims)
    return jvp


_lse = defprim(_lse_raw, "scipy.special.logsumexp")
_lse.defvjp(_lse_vjp(0), _lse_vjp(1)).defjvp(_lse_jvp(0), _lse_jvp(1))
_lse.shape_tangent = broadcast_tangent


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over ``axis``, without overflow (no SciPy needed).

    Differentiable in ``a`` and ``b``; the gradient in ``a`` is the softmax.
    With ``return_sign`` returns ``(log|s|, sign(s))`` for sums that may be
    negative; otherwise a negative sum gives nan, as in SciPy.

    >>> round(float(logsumexp(cnp.array([0.0, 0.0]))), 6)
    0.693147
    >>> float(logsumexp(cnp.array([1.0, 2.0]), b=cnp.array([1.0, -2.0]), return_sign=True)[1])
    -1.0
    """
    out = _lse(a, b, axis=axis, keepdims=keepdims)
    if b is None:
        return (out, _scalar(_np.ones(shape(out)))) if return_sign else out
    av, bv = _arr(getval(a)), _arr(getval(b))
    with _np.errstate(over="ignore", invalid="ignore"):
        s = _np.sum(bv * _np.exp(av - _np.max(av)), axis=axis, keepdims=keepdims)
    sgn = _scalar(_np.sign(s))
    if return_sign:
        return out, sgn
    if is_lazy(sgn) or _np.any(sgn < 0):
        out = cnp.where(_arr(sgn) < 0, _np.nan, out)
    return out


@composite("scipy.special.softmax")
def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over ``axis`` (all axes if None; no SciPy needed).

    >>> softmax(cnp.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    return cnp.exp(x - logsumexp(x, axis=axis, keepdims=True))


@composite("scipy.special.log_softmax")
def log_softmax(x, axis=None):
    """x - logsumexp(x) over ``axis``, accurate where softmax underflows (no SciPy needed).

    >>> log_softmax(cnp.array([0.0, 0.0])).round(6)
    array([-0.693147, -0.693147])
    """
    return x - logsumexp(x, axis=axis, keepdims=True)


# ----------------------------------------------------------------------------
# Elementwise SciPy functions (SciPy imported on first call)
# ----------------------------------------------------------------------------

def _sp(name, *derivs, doc, needs_ans=True, attr=None, order_first=False):
    fun = lazy("scipy.special", attr or name, "chainrule.scipy.special." + name)
    if order_first:
        fun = _in_dtype_of_x(fun)
    return defelementwise("scipy.special." + name, fun, *derivs, doc=doc, needs_ans=needs_ans)


def _in_dtype_of_x(fun):
    """``fun(n, x)`` (an integer order first) in the floating dtype of ``x``: SciPy's
    ``polygamma`` and ``yn`` compute a float32 ``x`` in float64 (an integer ``n`` picks
    their double loop), and the derivative of ``digamma`` is ``polygamma(1, x)``, so a
    float32 tangent would become float64."""
    def f(n, x, **kwargs):
        out = fun(n, x, **kwargs)
        dt = _np.result_type(_dtype(x), _np.float16)  # integers compute in float64
        if getattr(out, "dtype", dt) != dt and _np.result_type(out, dt) == out.dtype \
                and dt.kind == out.dtype.kind:
            out = out.astype(dt)
        return out
    f.__name__ = f.__qualname__ = fun.__name__
    return f


def _sgn(x):
    return _np.sign(getval(x))


def _like_ans(r, ans):
    """The derivative ``r`` in the dtype of the primal output ``ans``. A SciPy ufunc whose
    first loop is the double one computes float32 arrays in float64 as soon as a Python
    number or an integer array comes with them (``betaln(a, 2.0)``, ``yv(n - 1.0, x)`` for
    an integer ``n``), so a derivative built from it can be float64 where the primal
    (``betainc``'s float loop comes first) is float32."""
    return in_dtype(r, _dtype(ans))


# -- gamma family -----------------------------------------------------------------

gamma = _sp("gamma", lambda ans, x: ans * digamma(x), doc="""Gamma function Γ(x).

    >>> float(gamma(5.0))
    24.0
    """)

gammaln = _sp("gammaln", lambda ans, x: digamma(x), needs_ans=False,
              doc="""log |Γ(x)|; its derivative is :func:`digamma`.

    >>> round(float(gammaln(10.0)), 6)
    12.801827
    """)

digamma = _sp("digamma", lambda ans, x: polygamma(1, x), needs_ans=False,
              doc="""Digamma ψ(x) = Γ'(x) / Γ(x); its derivative is ``polygamma(1, x)``.

    >>> round(float(digamma(1.0)), 6)
    -0.577216
    """)
psi = digamma

polygamma = _sp("polygamma", None, lambda ans, n, x: polygamma(n + 1, x), needs_ans=False,
                order_first=True,
                doc="""n-th derivative of the digamma function (differentiable in ``x``).

    >>> round(float(polygamma(1, 1.0)), 6)
    1.644934
    """)

rgamma = _sp("rgamma", lambda ans, x: -ans * digamma(x), doc="""Reciprocal gamma 1 / Γ(x).

    >>> float(rgamma(4.0)) == 1 / 6
    True
    """)

gammasgn = nondiff(lazy("scipy.special", "gammasgn", "chainrule.scipy.special.gammasgn"),
                   "scipy.special.gammasgn")
gammasgn.__doc__ = """Sign of Γ(x): piecewise constant, so it carries no derivative.

    >>> float(gammasgn(-0.5))
    -1.0
    """


@composite("scipy.special.multigammaln")
def multigammaln(a, d):
    """Log of the multivariate gamma function of dimension ``d``, differentiable in ``a``.

    log Γ_d(a) = d(d-1)/4 log π + Σ_{j<d} log Γ(a - j/2).

    >>> round(float(multigammaln(3.0, 2)), 6)
    1.550195
    """
    d = int(d)
    av = _tasarray(getval(a))
    if _np.any(av <= 0.5 * (d - 1)):
        raise ValueError(f"condition a ({av}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    # As SciPy computes it, so that the value is SciPy's in every precision: the terms
    # a - j/2 in a's dtype (stacked first, summed in that order), the constant in float64.
    half = _np.arange(d) / 2.0
    dt = _dtype(a)
    if isinstance(dt, _np.dtype) and dt.kind == "f" and dt.itemsize < 8:
        half = half.astype(dt)  # exact: a float64 j/2 would compute float32 terms in float64
    half = half.reshape((d,) + (1,) * ndim(a))
    s = cnp.sum(gammaln(a - half), axis=0)
    sdt = _dtype(s)
    if isinstance(sdt, _np.dtype) and sdt.kind == "f" and sdt.itemsize < 8:
        # SciPy's float64 constant makes the result float64: a cast, so that the
        # tangent is float64 too and the cotangent comes back in a's dtype.
        s = cnp.astype(s, _np.float64)
    return s + d * (d - 1) / 4.0 * _np.log(_np.pi)


beta = _sp("beta",
           lambda ans, a, b: ans * (digamma(a) - digamma(a + b)),
           lambda ans, a, b: ans * (digamma(b) - digamma(a + b)),
           doc="""Beta function B(a, b) = Γ(a)Γ(b) / Γ(a + b).

    >>> float(beta(2.0, 3.0)) == 1 / 12
    True
    """)

betaln = _sp("betaln",
             lambda ans, a, b: digamma(a) - digamma(a + b),
             lambda ans, a, b: digamma(b) - digamma(a + b),
             needs_ans=False, doc="""log |B(a, b)|.

    >>> round(float(betaln(2.0, 3.0)), 6)
    -2.484907
    """)


def _beta_density(a, b, x):
    # x^(a-1) (1-x)^(b-1) / B(a, b), in logs so large a, b do not overflow.
    return cnp.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b))


# The primal's dtype is SciPy's (its float32 loop first); the density's betaln(a, b) with a
# Python number takes SciPy's double loop: _like_ans casts it back (the output is kept).
betainc = _sp("betainc", None, None, lambda ans, a, b, x: _like_ans(_beta_density(a, b, x), ans),
              doc="""Regularized incomplete beta I_x(a, b).

    Differentiable in ``x`` only (the derivative in ``a``, ``b`` has no closed form).

    >>> float(betainc(1.0, 1.0, 0.25))
    0.25
    """)

betaincc = _sp("betaincc", None, None,
               lambda ans, a, b, x: _like_ans(-_beta_density(a, b, x), ans),
               doc="""Complemented incomplete beta 1 - I_x(a, b) (``x`` only).

    >>> float(betaincc(1.0, 1.0, 0.25))
    0.75
    """)


def _gamma_density(a, x):
    # x^(a-1) e^(-x) / Γ(a), in logs.
    return cnp.exp(xlogy(a - 1.0, x) - x - gammaln(a))


def _dP_da(a, x):
    """∂P(a, x)/∂a of the regularized lower incomplete gamma function, in NumPy.

    No closed form exists. For x < a + 1 the series P = x^a e^-x Σ x^n / Γ(a+n+1),
    differentiated term by term (each term times log x − ψ(a+n+1)), converges fast
    and its terms barely cancel. For x ≥ a + 1 it would cancel badly (P is near 1 and
    its derivative tiny), so the derivative is taken of Q = 1 − P instead, as the
    integral −∫_x^∞ (log t − ψ(a)) t^(a−1) e^−t dt / Γ(a), whose integrand is positive
    there (log t > log(a+1) > ψ(a)); SciPy's ``quad`` integrates it. Relative error
    about 1e-12 (``tests/test_scipy.py`` checks it against mpmath).
    """
    ssp = require("scipy.special", "chainrule.scipy.special.gammainc")
    quad = require("scipy.integrate", "chainrule.scipy.special.gammainc").quad
    a, x = _np.broadcast_arrays(_np.asarray(a, dtype=float), _np.asarray(x, dtype=float))
    out = _np.full(a.shape, _np.nan)
    ok = (a > 0) & (x >= 0)
    out[ok & (x == 0)] = 0.0
    ser = ok & (x > 0) & (x < a + 1)
    if ser.any():
        aa, xx = a[ser], x[ser]
        lx = _np.log(xx)
        total = _np.zeros_like(aa)
        n = 0
        while True:
            # term_n = x^(a+n) e^-x / Γ(a+n+1), in logs; its a-derivative adds log x − ψ.
            t = _np.exp((aa + n) * lx - xx - ssp.gammaln(aa + n + 1))
            total += t * (lx - ssp.digamma(aa + n + 1))
            n += 1
            # Past the largest term (n > x − a) the terms fall at least geometrically.
            if n > 5 and _np.all((t <= 1e-17 * _np.abs(total)) | (t == 0)):
                break
            if n > 100000:  # cannot happen for x < a + 1; a guard, not a result
                raise FloatingPointError("chainrule: the gammainc series did not converge")
        out[ser] = total
    for i in _np.argwhere(ok & (x >= a + 1)):
        i = tuple(i)
        ai, xi = float(a[i]), float(x[i])
        c = ssp.digamma(ai)
        lg = ssp.gammaln(ai)

        def integrand(t, ai=ai, c=c, lg=lg):
            return _np.exp((ai - 1.0) * _np.log(t) - t - lg) * (_np.log(t) - c)
        val, _ = quad(integrand, xi, _np.inf, epsabs=0.0, epsrel=1e-13, limit=200)
        out[i] = -val
    return out


def _dP_da_host(a, x):
    # Keep x's float dtype (float32 in, float32 out), as every rule of the table must.
    dt = _np.result_type(_dtype(x), _dtype(a), _np.float16)
    out = _dP_da(getval(a), getval(x))
    if out.ndim == 0:
        out = out[()]
    return out.astype(dt) if dt.kind == "f" and out.dtype != dt else out


_dP_da_host.__name__ = _dP_da_host.__qualname__ = "gammainc_da"
gammainc_da = defelementwise(
    "scipy.special.gammainc_da", opaque(_dP_da_host), None,
    # ∂/∂x ∂P/∂a = ∂/∂a [x^(a-1) e^-x / Γ(a)] = density · (log x − ψ(a)): closed form, so
    # second derivatives in x of the a-derivative work; in a again there is no rule.
    lambda ans, a, x: _gamma_density(a, x) * (cnp.log(x) - digamma(a)), needs_ans=False,
    doc="""∂P(a, x)/∂a, the derivative of :func:`gammainc` in ``a`` (not a SciPy function:
    chainrule's, by a series or a quadrature; differentiable in ``x``).

    >>> round(float(gammainc_da(2.0, 1.5)), 8)
    -0.31348864
    """)

gammainc = _sp("gammainc", lambda ans, a, x: gammainc_da(a, x),
               lambda ans, a, x: _gamma_density(a, x), needs_ans=False,
               doc="""Regularized lower incomplete gamma P(a, x), differentiable in ``a``
    (:func:`gammainc_da`) and ``x``.

    >>> round(float(gammainc(1.0, 1.0)), 6)
    0.632121
    """)

gammaincc = _sp("gammaincc", lambda ans, a, x: -gammainc_da(a, x),
                lambda ans, a, x: -_gamma_density(a, x), needs_ans=False,
                doc="""Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x),
    differentiable in ``a`` and ``x``.

    >>> round(float(gammaincc(1.0, 1.0)), 6)
    0.367879
    """)

# -- error function and normal distribution -----------------------------------------

erf = _sp("erf", lambda ans, x: (2.0 / _SQRT_PI) * cnp.exp(-x * x), needs_ans=False,
          doc="""Error function (real or complex).

    >>> float(erf(0.0))
    0.0
    """)

erfc = _sp("erfc", lambda ans, x: (-2.0 / _SQRT_PI) * cnp.exp(-x * x), needs_ans=False,
           doc="""Complementary error function 1 - erf(x).

    >>> float(erfc(0.0))
    1.0
    """)

erfcx = _sp("erfcx", lambda ans, x: 2.0 * x * ans - 2.0 / _SQRT_PI,
            doc="""Scaled complementary error function exp(x²) erfc(x).

    >>> float(erfcx(0.0))
    1.0
    """)

erfinv = _sp("erfinv", lambda ans, x: (_SQRT_PI / 2.0) * cnp.exp(ans * ans),
             doc="""Inverse of :func:`erf` on (-1, 1).

    >>> float(erfinv(0.0))
    0.0
    """)

erfcinv = _sp("erfcinv", lambda ans, x: (-_SQRT_PI / 2.0) * cnp.exp(ans * ans),
              doc="""Inverse of :func:`erfc` on (0, 2).

    >>> float(erfcinv(0.5)) == -float(erfcinv(1.5))
    True
    """)

ndtr = _sp("ndtr", lambda ans, x: cnp.exp(-0.5 * x * x) / _SQRT_2PI, needs_ans=False,
           doc="""Standard normal CDF Φ(x).

    >>> float(ndtr(0.0))
    0.5
    """)

log_ndtr = _sp("log_ndtr",
               # φ(x) / Φ(x) in logs: finite far into the left tail.
               lambda ans, x: cnp.exp(-0.5 * x * x - ans - 0.5 * _LOG_2PI),
               doc="""log Φ(x), accurate in both tails.

    >>> round(float(log_ndtr(0.0)), 6)
    -0.693147
    """)

ndtri = _sp("ndtri", lambda ans, p: _SQRT_2PI * cnp.exp(0.5 * ans * ans),
            doc="""Inverse of :func:`ndtr` (the standard normal quantile).

    >>> float(ndtri(0.5))
    0.0
    """)

stdtr = _sp("stdtr", None,
            # gammaln of a Python number df is a float64 scalar: back to the output's dtype.
            lambda ans, df, t: _like_ans(cnp.exp(gammaln((df + 1.0) / 2.0) - gammaln(df / 2.0)
                                                 - 0.5 * cnp.log(df * _np.pi)
                                                 - (df + 1.0) / 2.0 * cnp.log1p(t * t / df)),
                                         ans),
            doc="""Student t CDF with ``df`` degrees of freedom at ``t``.

    Differentiable in ``t`` (its derivative is the t density), not in ``df``.

    >>> float(stdtr(3.0, 0.0))
    0.5
    """)

# -- Bessel functions -----------------------------------------------------------------

i0 = _sp("i0", lambda ans, x: i1(x), needs_ans=False,
         doc="""Modified Bessel function of the first kind, order 0.

    >>> float(i0(0.0))
    1.0
    """)

i1 = _sp("i1", lambda ans, x: 0.5 * (i0(x) + iv(2.0, x)), needs_ans=False,
         doc="""Modified Bessel function of the first kind, order 1.

    >>> float(i1(0.0))
    0.0
    """)

i0e = _sp("i0e", lambda ans, x: i1e(x) - _sgn(x) * ans,
          doc="""Exponentially scaled i0: exp(-|x|) i0(x).

    >>> float(i0e(0.0))
    1.0
    """)

i1e = _sp("i1e", lambda ans, x: 0.5 * (i0e(x) + ive(2.0, x)) - _sgn(x) * ans,
          doc="""Exponentially scaled i1: exp(-|x|) i1(x).

    >>> float(i1e(0.0))
    0.0
    """)

iv = _sp("iv", None, lambda ans, v, x: 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x)),
         needs_ans=False, doc="""Modified Bessel function of the first kind of real order ``v``.

    Differentiable in ``x``.

    >>> float(iv(0.0, 0.0))
    1.0
    """)

ive = _sp("ive", None,
          lambda ans, v, x: 0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - _sgn(x) * ans,
          doc="""Exponentially scaled iv: exp(-|x|) iv(v, x), differentiable in ``x``.

    >>> float(ive(0.0, 0.0))
    1.0
    """)

j0 = _sp("j0", lambda ans, x: -j1(x), needs_ans=False,
         doc="""Bessel function of the first kind, order 0.

    >>> float(j0(0.0))
    1.0
    """)

j1 = _sp("j1", lambda ans, x: 0.5 * (j0(x) - jv(2.0, x)), needs_ans=False,
         doc="""Bessel function of the first kind, order 1.

    >>> float(j1(0.0))
    0.0
    """)

y0 = _sp("y0", lambda ans, x: -y1(x), needs_ans=False,
         doc="""Bessel function of the second kind, order 0.

    >>> round(float(y0(1.0)), 6)
    0.088257
    """)

y1 = _sp("y1", lambda ans, x: 0.5 * (y0(x) - yv(2.0, x)), needs_ans=False,
         doc="""Bessel function of the second kind, order 1.

    >>> round(float(y1(1.0)), 6)
    -0.781213
    """)

jv = _sp("jv", None, lambda ans, v, x: 0.5 * (jv(v - 1.0, x) - jv(v + 1.0, x)),
         needs_ans=False, doc="""Bessel function of the first kind of real order ``v``.

    Differentiable in ``x``.

    >>> float(jv(0.0, 0.0))
    1.0
    """)

yv = _sp("yv", None, lambda ans, v, x: 0.5 * (yv(v - 1.0, x) - yv(v + 1.0, x)),
         needs_ans=False, doc="""Bessel function of the second kind of real order ``v``.

    Differentiable in ``x``.

    >>> round(float(yv(0.0, 1.0)), 6)
    0.088257
    """)

jn = _sp("jn", None, lambda ans, n, x: 0.5 * (jv(n - 1.0, x) - jv(n + 1.0, x)),
         needs_ans=False, attr="jv",
         doc="""Bessel function of the first kind of integer order ``n`` (differentiable in ``x``).

    >>> float(jn(0, 0.0))
    1.0
    """)

yn = _sp("yn", None,
         # An integer n - 1.0 is a float64 array: yv computes in float64, cast back.
         lambda ans, n, x: _like_ans(0.5 * (yv(n - 1.0, x) - yv(n + 1.0, x)), ans),
         order_first=True,
         doc="""Bessel function of the second kind of integer order ``n``.

    >>> round(float(yn(0, 1.0)), 6)
    0.088257
    """)

k0 = _sp("k0", lambda ans, x: -k1(x), needs_ans=False,
         doc="""Modified Bessel function of the second kind, order 0.

    >>> round(float(k0(1.0)), 6)
    0.421024
    """)

k1 = _sp("k1", lambda ans, x: -0.5 * (k0(x) + kv(2.0, x)), needs_ans=False,
         doc="""Modified Bessel function of the second kind, order 1.

    >>> round(float(k1(1.0)), 6)
    0.601907
    """)

kv = _sp("kv", None, lambda ans, v, x: -0.5 * (kv(v - 1.0, x) + kv(v + 1.0, x)),
         needs_ans=False, doc="""Modified Bessel function of the second kind of real order ``v``.

    Differentiable in ``x``.

    >>> round(float(kv(0.0, 1.0)), 6)
    0.421024
    """)
