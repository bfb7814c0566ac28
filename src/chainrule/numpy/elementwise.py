"""Elementwise functions (ufuncs) and their derivatives, one line each.

Each entry gives the partial derivative of the output with respect to each
argument, as a function ``d(ans, *args)`` evaluated elementwise. From it come
both rules, side by side (see :func:`defelementwise`)::

    jvp:  ȧ = ṫ · d          (tangent aligned for broadcasting)
    vjp:  ā = unbroadcast(ḡ · d)

Hot operations (+, -, ×, negation) get hand-written rules that skip the
multiplication by one.
"""

import numpy as _np

from .convert import in_dtype
from ._wrap import (ARRAY_TYPES, align, array_module, asarray, broadcast_tangent, defprim, is_lazy,
                    like, match_real, ndim, shape, unbroadcast)

__all__ = []  # filled by _export


def _export(name, p):
    globals()[name] = p
    __all__.append(name)
    return p


def _out_ndim(args):
    return max(ndim(a) for a in args)


def _as_is(g, x):
    """Whether a cotangent is already right for ``x``: a real array of its shape,
    nothing broadcast (the usual case, decided without unbroadcast's checks)."""
    return type(g) in ARRAY_TYPES and g.shape == shape(x) and g.dtype.kind != "c"


def defelementwise(fun, *derivs, name=None, needs_ans=True, fullname=None, reciprocal=False):
    """Make a primitive from a ufunc and its elementwise partial derivatives.

    ``name`` is NumPy's (registered as ``numpy.<name>``); other namespaces
    (``chainrule.scipy``) pass ``fullname``. A ``None`` derivative leaves that
    argument without a rule: asking for it raises MissingRuleError.
    ``reciprocal=True`` (unary only): the function given is the reciprocal of
    the derivative (log: ``x`` for 1/x), and the rules divide by it, one
    division where ``g * (1 / x)`` would take a reciprocal and a product.
    """
    p = defprim(fun, name=fullname or (name and "numpy." + name), needs_ans=needs_ans)
    if len(derivs) == 1:
        d = derivs[0]
        # Unary: the output has the input's shape, no broadcasting to undo, and
        # a real input has a real output, hence a real cotangent. A real output
        # of a complex input (|z|) has a real tangent.
        if reciprocal:
            p.defvjp(lambda g, ans, x, **kw: g / d(ans, x))
            p.defjvp(lambda t, ans, x, **kw: match_real(t / d(ans, x), ans))
        else:
            p.defvjp(lambda g, ans, x, **kw: g * d(ans, x))
            p.defjvp(lambda t, ans, x, **kw: match_real(t * d(ans, x), ans))
        return p
    if reciprocal:
        raise ValueError("defelementwise: reciprocal=True is for one-argument functions")

    def make_vjp(i, d):
        def vjp(g, ans, *args, **kw):
            r = g * d(ans, *args)
            return r if _as_is(r, args[i]) else unbroadcast(r, args[i], _out_ndim(args))
        return vjp

    def make_jvp(i, d):
        def jvp(t, ans, *args, **kw):
            return align(t, args[i], _out_ndim(args)) * d(ans, *args)
        return jvp

    for i, d in enumerate(derivs):
        if d is not None:
            p.vjps[i] = make_vjp(i, d)
            p.jvps[i] = make_jvp(i, d)
    p.shape_tangent = broadcast_tangent
    return p


# The wrapped functions used inside derivatives below are looked up at call
# time from this module's globals, so the order of definitions does not matter.
def _ew(name, *derivs, needs_ans=True, reciprocal=False):
    return _export(name, defelementwise(getattr(_np, name), *derivs, name=name,
                                        needs_ans=needs_ans, reciprocal=reciprocal))


# -- arithmetic (hand-written: the hot path of every model) -----------------

def _reduce_to(g, x, other):
    """The cotangent ``g`` of a binary operation's output, summed back to the
    shape of its argument ``x`` (``other`` is the other argument)."""
    # _as_is inlined: this runs for every +, - and × of a backward pass.
    if type(g) in ARRAY_TYPES and g.dtype.kind != "c" and g.shape == shape(x):
        return g
    return unbroadcast(g, x, max(ndim(x), ndim(other)))


def _vjp_add0(g, ans, x, y, **kw):
    return _reduce_to(g, x, y)


def _vjp_add1(g, ans, x, y, **kw):
    return _reduce_to(g, y, x)


def _jvp_add0(t, ans, x, y, **kw):
    return align(t, x, max(ndim(x), ndim(y)))


def _jvp_add1(t, ans, x, y, **kw):
    return align(t, y, max(ndim(x), ndim(y)))


# The rules of +, -, negation, real, imag and conj read only the shapes and dtypes of
# their arguments: the tape keeps those instead of the arrays (needs_args=False).
add = _export("add", defprim(_np.add, needs_ans=False, needs_args=False))
add.defvjp(_vjp_add0, _vjp_add1).defjvp(_jvp_add0, _jvp_add1)
add.shape_tangent = broadcast_tangent

subtract = _export("subtract", defprim(_np.subtract, needs_ans=False, needs_args=False))
subtract.defvjp(_vjp_add0, lambda g, ans, x, y, **kw: -_vjp_add1(g, ans, x, y))
subtract.defjvp(_jvp_add0, lambda t, ans, x, y, **kw: -_jvp_add1(t, ans, x, y))
subtract.shape_tangent = broadcast_tangent

multiply = _export("multiply", defprim(_np.multiply, needs_ans=False))
multiply.defvjp(lambda g, ans, x, y, **kw: _reduce_to(g * y, x, y),
                lambda g, ans, x, y, **kw: _reduce_to(x * g, y, x))
multiply.defjvp(lambda t, ans, x, y, **kw: align(t, x, max(ndim(x), ndim(y))) * y,
                lambda t, ans, x, y, **kw: x * align(t, y, max(ndim(x), ndim(y))))
multiply.shape_tangent = broadcast_tangent

negative = _export("negative", defprim(_np.negative, needs_ans=False, needs_args=False))
negative.defvjp(lambda g, ans, x, **kw: -g).defjvp(lambda t, ans, x, **kw: -t)

positive = _export("positive", defprim(_np.positive, needs_ans=False, needs_args=False))
positive.defvjp(lambda g, ans, x, **kw: g).defjvp(lambda t, ans, x, **kw: t)

def _one_over(y):
    # A Python number divided in Python raises ZeroDivisionError where NumPy gives
    # inf with a RuntimeWarning (x / 0.0): divide as NumPy does.
    # Only at 0: elsewhere a Python result stays a weak scalar (float32 stays float32).
    t = type(y)
    return _np.divide(1.0, y) if (t is float or t is int or t is bool) and y == 0 else 1.0 / y


_ew("divide", lambda ans, x, y: _one_over(y), lambda ans, x, y: -ans / y)
true_divide = _export("true_divide", globals()["divide"])


def _make_pow_dx(pw):
    def dx(ans, x, y):
        # y * x**(y-1). A Python exponent is a constant: x ** 2 needs no array work on y.
        if isinstance(y, (int, float)):
            return y * pw(x, y - 1) if y != 0 else 0.0 * pw(x, 0)
        # A traced exponent: the formula as it stands wherever it is finite, so that its own
        # derivative in y (x**(y-1) (1 + y log x), x**-1 at y == 0) is right; guarding only
        # the exponent (x ** where(y == 0, 1, y - 1)) is right at first order and gives
        # d/dy = x instead of 1/x. Only at x == 0 with y == 0 is the formula 0 * inf: there
        # the derivative is 0 (x**0 == 1 for every x, 0**0 == 1 as NumPy has it; JAX gives
        # nan), and so are its own derivatives (the where's zero branch).
        at00 = (_getval(x) == 0) & (_getval(y) == 0)
        if not is_lazy(at00) and not _np.any(at00):
            return y * pw(x, y - 1)
        safe = where(at00, 1, x)
        return where(at00, 0, y * pw(safe, y - 1))
    return dx


def _pow_dy(ans, x, y):
    # ans * log(x), with 0 where x == 0 (JAX's convention, the limit of x**y log x for
    # y > 0); its derivatives there are 0 too.
    if isinstance(x, (int, float)):  # 2.0 ** y: a Python constant keeps y's dtype
        return ans * float(_np.log(x)) if x != 0 else 0.0 * ans
    safe = where(x == 0, 1, x)
    return where(x == 0, 0, ans * log(safe))


# 0 ** y in x (JAX's conventions but at y == 0): y * 0**(y-1), so 1 at y == 1, 0 for y > 1,
# inf for 0 < y < 1 (and nan or inf for y < 0, as the value); 0 at y == 0 (JAX: nan).
power = _ew("power", _make_pow_dx(lambda x, y: power(x, y)), _pow_dy)
# float_power computes in float64 (or complex128): its derivative too, so that a float32
# input's tangent has the float64 output's dtype.
float_power = _ew("float_power", _make_pow_dx(lambda x, y: float_power(x, y)), _pow_dy)


def _in_input_dtype(rule, i):
    """A VJP rule whose cotangent has the dtype of its input ``i``: a float32 base of a
    float64 power (float_power always; power with an int64 or float64 array exponent)
    gets a float32 cotangent, not the output's float64."""
    def vjp(g, ans, *args, **kw):
        return in_dtype(rule(g, ans, *args, **kw), _dtype_of(args[i]))
    vjp.__wrapped__ = rule
    return vjp


for _p in (power, float_power):
    for _i in list(_p.vjps):
        _p.vjps[_i] = _in_input_dtype(_p.vjps[_i], _i)
del _p, _i

# -- exponentials and logarithms ------------------------------------------------
# Python floats, not NumPy float64 scalars, so float32 derivatives stay float32.
_LN2 = float(_np.log(2.0))
_LN10 = float(_np.log(10.0))

exp = _ew("exp", lambda ans, x: ans)
exp2 = _ew("exp2", lambda ans, x: ans * _LN2)
_ew("expm1", lambda ans, x: ans + 1.0)
# Derivatives 1 / something are given as that something (reciprocal=True).
log = _ew("log", lambda ans, x: x, needs_ans=False, reciprocal=True)
_ew("log2", lambda ans, x: x * _LN2, needs_ans=False, reciprocal=True)
_ew("log10", lambda ans, x: x * _LN10, needs_ans=False, reciprocal=True)
_ew("log1p", lambda ans, x: 1.0 + x, needs_ans=False, reciprocal=True)
_ew("logaddexp", lambda ans, x, y: exp(x - ans), lambda ans, x, y: exp(y - ans))
_ew("logaddexp2", lambda ans, x, y: exp2(x - ans), lambda ans, x, y: exp2(y - ans))

# -- powers and roots ---------------------------------------------------------
sqrt = _ew("sqrt", lambda ans, x: 0.5 / ans)
_ew("cbrt", lambda ans, x: 1.0 / (3.0 * ans * ans))
_ew("square", lambda ans, x: 2.0 * x, needs_ans=False)
_ew("reciprocal", lambda ans, x: -(ans * ans))

# -- trigonometric -------------------------------------------------------------
sin = _ew("sin", lambda ans, x: cos(x), needs_ans=False)
cos = _ew("cos", lambda ans, x: -sin(x), needs_ans=False)
_ew("tan", lambda ans, x: 1.0 + ans * ans)
_ew("arcsin", lambda ans, x: sqrt(1.0 - x * x), needs_ans=False, reciprocal=True)
_ew("arccos", lambda ans, x: -1.0 / sqrt(1.0 - x * x), needs_ans=False)
_ew("arctan", lambda ans, x: 1.0 + x * x, needs_ans=False, reciprocal=True)
_ew("arctan2", lambda ans, y, x: x / (x * x + y * y), lambda ans, y, x: -y / (x * x + y * y),
    needs_ans=False)
def _over_hypot(v, ans):
    # v / hypot(x, y), and 0 at the origin (hypot(0, 0) == 0 would give 0/0 = nan): the
    # subgradient 0, as abs has it at 0 and JAX has it for hypot; its derivatives there are 0.
    zero = _getval(ans) == 0
    if not is_lazy(zero) and not _np.any(zero):
        return v / ans
    return where(zero, 0, v / where(zero, 1, ans))


_ew("hypot", lambda ans, x, y: _over_hypot(x, ans), lambda ans, x, y: _over_hypot(y, ans))
_ew("deg2rad", lambda ans, x: _np.pi / 180.0, needs_ans=False)
_ew("radians", lambda ans, x: _np.pi / 180.0, needs_ans=False)
_ew("rad2deg", lambda ans, x: 180.0 / _np.pi, needs_ans=False)
_ew("degrees", lambda ans, x: 180.0 / _np.pi, needs_ans=False)


def _sinc_d(ans, x):
    # d/dx sin(πx)/(πx) = (cos(πx) - sinc(x)) / x. Near 0 that difference
    # cancels, so use the Taylor series -π²x/3 + π⁴x³/30 (exact to double
    # precision for |x| < 1e-3, and right at 0 for higher derivatives too).
    small = _np.abs(_getval(x)) < 1e-3
    safe = where(small, 1.0, x)
    series = x * (-_np.pi ** 2 / 3.0 + (_np.pi ** 4 / 30.0) * (x * x))
    return where(small, series, (cos(_np.pi * x) - ans) / safe)


_ew("sinc", _sinc_d)

# -- hyperbolic ----------------------------------------------------------------
sinh = _ew("sinh", lambda ans, x: cosh(x), needs_ans=False)
cosh = _ew("cosh", lambda ans, x: sinh(x), needs_ans=False)
_ew("tanh", lambda ans, x: 1.0 - ans * ans)
_ew("arcsinh", lambda ans, x: sqrt(x * x + 1.0), needs_ans=False, reciprocal=True)
_ew("arccosh", lambda ans, x: sqrt(x * x - 1.0), needs_ans=False, reciprocal=True)
_ew("arctanh", lambda ans, x: 1.0 - x * x, needs_ans=False, reciprocal=True)


# -- absolute value, extrema, clipping ------------------------------------------

def _abs_d(ans, x):
    # Real: sign(x), so the subgradient at 0 is 0 (finite, as documented).
    # Complex (autograd's convention): conj(x) / |x|, 0 at x = 0.
    if _is_complex(x):
        safe = where(ans == 0, 1.0, ans)
        return where(ans == 0, 0.0, conj(x) / safe)
    return sign(x)


def _is_complex(x):
    from ._wrap import iscomplex
    return iscomplex(x)


_ew("absolute", _abs_d)
abs = _export("abs", globals()["absolute"])  # noqa: A001 - numpy's name
_ew("fabs", lambda ans, x: sign(x), needs_ans=False)


def _balanced(mine, other, ans):
    # Where both arguments tie for the max/min, each gets half the gradient.
    m, a = _getval(mine), _getval(ans)
    won = m == a
    tie = m == _getval(other)
    if is_lazy(m) or _np.any(tie):  # a Dask array: no peeking at the data
        return _np.where(tie & won, 0.5, won).astype(_dtype_of(a))
    return won  # boolean: multiplying a cotangent by it keeps the cotangent's dtype


_ew("maximum", lambda ans, x, y: _balanced(x, y, ans), lambda ans, x, y: _balanced(y, x, ans))
_ew("minimum", lambda ans, x, y: _balanced(x, y, ans), lambda ans, x, y: _balanced(y, x, ans))
_ew("fmax", lambda ans, x, y: _balanced(x, y, ans), lambda ans, x, y: _balanced(y, x, ans))
_ew("fmin", lambda ans, x, y: _balanced(x, y, ans), lambda ans, x, y: _balanced(y, x, ans))

# _np.divide, not /: two Python numbers (1.0 % x at x = 0.0) must divide as NumPy does.
_ew("fmod", lambda ans, x, y: 1.0,
    lambda ans, x, y: -_np.trunc(_np.divide(_getval(x), _getval(y))), needs_ans=False)
_ew("remainder", lambda ans, x, y: 1.0,
    lambda ans, x, y: -_np.floor(_np.divide(_getval(x), _getval(y))), needs_ans=False)
mod = _export("mod", globals()["remainder"])
# copysign(x, y) = |x| with y's sign bit: d/dx = sign(x) * (-1 if signbit(y) else 1), read
# off the output's sign, which is y's sign bit also for y = -0.0 (sign(y) would be 0 there);
# 0 at x == 0 as for abs. In y it is piecewise constant: derivative 0 (JAX's too).
_ew("copysign", lambda ans, x, y: _np.sign(_getval(x)) * _np.sign(_getval(ans)),
    lambda ans, x, y: _np.zeros((), _dtype_of(ans)))
_ew("ldexp", lambda ans, x, n: _np.ldexp(_np.ones((), _dtype_of(x)), _getval(n)), None,
    needs_ans=False)


def _getval(x):
    from ..core.engine import getval
    return getval(x)


def _clip_bounds(a_min, a_max, kw):
    """The bounds, given positionally or (NumPy 2) as ``min=``/``max=``."""
    if "min" in kw or "max" in kw:
        kw = dict(kw)
        a_min = kw.pop("min", a_min)
        a_max = kw.pop("max", a_max)
    return a_min, a_max, kw


def _clip(x, a_min=None, a_max=None, **kw):
    a_min, a_max, kw = _clip_bounds(a_min, a_max, kw)
    if _is_box(a_min) or _is_box(a_max):  # only keyword arguments get here traced
        raise TypeError("chainrule: pass traced bounds of clip positionally, "
                        "np.clip(x, lo, hi), not as min=/max=/a_min=/a_max= keywords")
    return _np.clip(x, a_min, a_max, **kw)


def _is_box(v):
    from ..core.engine import Box
    return type(v) is Box


def _clip_masks(x, a_min, a_max, kw):
    """Which of x, a_min, a_max each output entry comes from, as three boolean
    masks of the output's (broadcast) shape. clip = minimum(maximum(x, a_min),
    a_max): at x == a_min or x == a_max the gradient goes to x."""
    a_min, a_max, _ = _clip_bounds(a_min, a_max, kw)
    xv = _getval(x)
    lo = like(_np.zeros(_np.shape(xv), dtype=bool), xv)
    hi = lo
    if a_min is not None:
        lo = xv < _getval(a_min)
    if a_max is not None:
        hi = _np.maximum(xv, _getval(a_min)) > _getval(a_max) if a_min is not None \
            else xv > _getval(a_max)
    lo = lo & ~hi
    return ~(lo | hi), lo, hi


def _clip_vjp(i):
    # The cotangent has its argument's dtype, the tangent the output's: a float32 x
    # clipped to float64 array bounds has a float64 output (NumPy's promotion).
    def vjp(g, ans, x, a_min=None, a_max=None, **kw):
        mask = _clip_masks(x, a_min, a_max, kw)[i]
        arg = (x, a_min, a_max)[i]
        return in_dtype(unbroadcast(g * mask, arg, mask.ndim), _dtype_of(arg))
    return vjp


def _clip_jvp(i):
    def jvp(t, ans, x, a_min=None, a_max=None, **kw):
        mask = _clip_masks(x, a_min, a_max, kw)[i]
        a_min, a_max, _ = _clip_bounds(a_min, a_max, kw)
        dt = _dtype_of(ans) if ans is not None else _np.result_type(
            *[_getval(v) for v in (x, a_min, a_max) if v is not None])
        return in_dtype(align(t, (x, a_min, a_max)[i], mask.ndim) * mask, dt)
    return jvp


# Differentiable in the bounds too, when they are passed positionally.
clip = _export("clip", defprim(_clip, name="numpy.clip", needs_ans=False))
clip.defvjp(_clip_vjp(0), _clip_vjp(1), _clip_vjp(2))
clip.defjvp(_clip_jvp(0), _clip_jvp(1), _clip_jvp(2))
clip.shape_tangent = broadcast_tangent


def _nan_to_num_mask(x):
    return _np.isfinite(_getval(x))


_ew("nan_to_num", lambda ans, x: _nan_to_num_mask(x), needs_ans=False)


# -- complex parts -------------------------------------------------------------

conj = _export("conj", defprim(_np.conj, needs_ans=False, needs_args=False))
conj.defvjp(lambda g, ans, x, **kw: conj(g)).defjvp(lambda t, ans, x, **kw: conj(t))
conjugate = _export("conjugate", conj)

real = _export("real", defprim(_np.real, needs_ans=False, needs_args=False))
real.defvjp(lambda g, ans, x, **kw: _match_complex(real(g), x))
real.defjvp(lambda t, ans, x, **kw: real(t))

imag = _export("imag", defprim(_np.imag, needs_ans=False, needs_args=False))
imag.defvjp(lambda g, ans, x, **kw: _match_complex(-1j * g, x))
imag.defjvp(lambda t, ans, x, **kw: imag(t))


def _match_complex(g, x):
    return g if _is_complex(x) else real(g)


def _angle_d_vjp(g, ans, x, deg=False, **kw):
    # angle = atan2(imag, real); autograd's convention for real functions of z.
    scale = 180.0 / _np.pi if deg else 1.0
    if not _is_complex(x):
        return g * 0.0
    safe = where(x == 0, 1.0, x)
    # d angle = Im(dz / z) = Re(-i dz / z): the cotangent is g * (-i / z).
    return where(x == 0, 0.0, g * (-1j * scale) / safe)


def _angle_jvp(t, ans, x, deg=False, **kw):
    scale = 180.0 / _np.pi if deg else 1.0
    if not _is_complex(x):
        return real(t) * 0.0
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.0, scale * imag(t / safe))


angle = _export("angle", defprim(_np.angle, needs_ans=False))
angle.defvjp(_angle_d_vjp).defjvp(_angle_jvp)


# -- selection ------------------------------------------------------------------

def _where_vjp(i):
    def vjp(g, ans, c, x, y, **kw):
        arg = (x, y)[i]
        cond = _getval(c) if i == 0 else _not(c)
        sel = where(cond, g, zeros_like_g(g))
        return unbroadcast(sel, arg, max(ndim(c), ndim(x), ndim(y)))
    return vjp


def _not(c):
    c = _getval(c)
    xp = array_module(c)  # a condition on CuPy stays there
    return ~(asarray(c, dtype=bool) if xp is _np else xp.asarray(c, dtype=bool))


def zeros_like_g(g):
    return _np.zeros((), dtype=_dtype_of(g))


def _dtype_of(g):
    from ._wrap import dtype
    return dtype(g)


def _where_jvp(i):
    def jvp(t, ans, c, x, y, **kw):
        nd = max(ndim(c), ndim(x), ndim(y))
        arg = (x, y)[i]
        cond = _getval(c) if i == 0 else _not(c)
        return where(cond, align(t, arg, nd), _np.zeros((), dtype=_dtype_of(t)))
    return jvp


def _python(v):
    """Whether ``v`` is made of Python numbers and lists only (no array, no NumPy scalar)."""
    t = type(v)
    if t is list or t is tuple:
        return all(_python(e) for e in v)
    return t in (bool, int, float, complex)


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return _np.where(condition)
    out = _np.where(condition, x, y)
    if _python(condition) and _python(x) and _python(y):
        # Python numbers and lists in, Python out: np.where(True, 1, 2) is 1, an int
        # (autograd's where does this; code written for it may rely on it).
        return out.tolist()
    return out


where = _export("where", defprim(_where, name="numpy.where", needs_ans=False))
where.vjps[1] = _where_vjp(0)
where.vjps[2] = _where_vjp(1)
where.jvps[1] = _where_jvp(0)
where.jvps[2] = _where_jvp(1)
where.shape_tangent = broadcast_tangent

from ._wrap import nondiff as _nondiff  # noqa: E402

sign = _export("sign", _nondiff(_np.sign))
