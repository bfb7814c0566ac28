"""Odds and ends of NumPy's namespace: NumPy 2's array-API aliases
(``acos``, ``pow``, ``conj``...), small conveniences (``asarray_chkfinite``,
``real_if_close``, ``divmod``, ``modf``, ``frexp``), ``block`` and the
Bessel function ``i0``.

The aliases are the very functions they name (``acos is arccos``),
registered under the alias too. Everything else is a composite: plain
arrays in, NumPy's own function out (exactly NumPy's results, at the cost
of one check); traced values go through the same computation written with
``chainrule.numpy`` functions, so derivatives of any order come from the
primitives' rules. Where the output depends on the input only through a
piecewise-constant choice (whether ``real_if_close`` drops the imaginary
part, the integral part of ``modf``, the exponent of ``frexp``), that choice
is made on the plain values and the differentiable part is recomputed on
the traced ones.

The larger families built the same way have modules of their own:
``convolution``, ``statistics``, ``order_statistics``, ``calculus``,
``interpolation``, ``polynomials`` and ``polynomial_fit``.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.frexp(x)[0])(8.0))
0.0625
"""

import importlib

import numpy as _np

from ..core.engine import getval
from ._composite_helpers import _asarray
from ._wrap import _unbox_all, array_module, dtype, leaf_module, ndim, shape
from ._wrap import asarray as _tasarray  # np.asarray, recorded by chainrule.jit
from .._jit._record import record_call as _record_call
from .elementwise import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                          conjugate, power)
from .convert import _contains_box
from .reductions import COMPOSITES, composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "conj",
           "asarray_chkfinite", "real_if_close", "divmod", "frexp", "modf", "block", "i0"]

# -- NumPy 2's array-API names for functions chainrule already has ----------------------
acos, acosh, asin, asinh = arccos, arccosh, arcsin, arcsinh
atan, atan2, atanh, pow = arctan, arctan2, arctanh, power  # noqa: A001
conj = conjugate
for _alias in ("acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "conj"):
    # Registered under the alias too, so the rule table must exercise the name.
    COMPOSITES["numpy." + _alias] = globals()[_alias]


# -- small conveniences -------------------------------------------------------------------

@composite
def asarray_chkfinite(a, dtype=None, order=None):
    """``asarray`` that refuses infinities and NaNs.

    >>> import chainrule.numpy as np
    >>> np.asarray_chkfinite([1.0, 2.0])
    array([1., 2.])
    """
    xp = array_module(a)
    if xp is _np and not _contains_box(a):
        return _record_call(_np.asarray_chkfinite, (a,), {"dtype": dtype, "order": order})
    plain = _tasarray(_unbox_all(a)) if xp is _np else _unbox_all(a)  # no host copy
    if not xp.isfinite(plain).all():
        raise ValueError("array must not contain infs or NaNs")
    asarray = cnp.asarray
    return asarray(a, dtype=dtype)


@composite
def real_if_close(a, tol=100):
    """The real part if every imaginary part is within ``tol`` machine
    epsilons of zero, else ``a`` unchanged.

    >>> import chainrule.numpy as np
    >>> np.real_if_close(np.array([1.0 + 1e-20j, 2.0]))
    array([1., 2.])
    """
    if not _contains_box(a):
        return _np.real_if_close(a, tol=tol)
    real = cnp.real
    a = _asarray(a)
    # The choice depends on the values only: make it on the plain ones.
    if _np.iscomplexobj(getval(a)) and not _np.iscomplexobj(_np.real_if_close(getval(a), tol)):
        return real(a)
    return a


@composite
def divmod(x1, x2, out=None, **kwargs):  # noqa: A001
    """``(floor_divide(x1, x2), remainder(x1, x2))``; the quotient is
    piecewise constant, the remainder differentiable.

    >>> import chainrule.numpy as np
    >>> np.divmod(np.array([7.5]), 2.0)
    (array([3.]), array([1.5]))
    """
    if not _contains_box(x1, x2):
        return _np.divmod(x1, x2, **({"out": out} if out is not None else {}), **kwargs)
    floor_divide, remainder = cnp.floor_divide, cnp.remainder
    return floor_divide(x1, x2), remainder(x1, x2)


@composite
def modf(x, out=None, **kwargs):
    """Fractional and integral parts; the fractional part has derivative one.

    >>> import chainrule.numpy as np
    >>> np.modf(np.array([2.5, -1.25]))
    (array([ 0.5 , -0.25]), array([ 2., -1.]))
    """
    if not _contains_box(x):
        return _np.modf(x, **({"out": out} if out is not None else {}), **kwargs)
    where = cnp.where
    frac, whole = _np.modf(getval(x))
    # x - trunc(x) is exact in floating point; infinities keep NumPy's 0 fraction.
    return where(_np.isfinite(getval(x)), x - whole, frac), whole


@composite
def frexp(x, out=None, **kwargs):
    """Mantissa and exponent, ``x = m * 2**e``; the mantissa is differentiable
    (derivative ``2**-e``), the exponent an integer constant.

    >>> import chainrule.numpy as np
    >>> np.frexp(np.array([8.0]))
    (array([0.5]), array([4], dtype=int32))
    """
    if not _contains_box(x):
        return _np.frexp(x, **({"out": out} if out is not None else {}), **kwargs)
    ldexp = cnp.ldexp
    e = _np.frexp(getval(x))[1]
    return ldexp(x, -e), e


# -- block ------------------------------------------------------------------------------------

@composite
def block(arrays):
    """Assemble an array from nested lists of blocks.

    >>> import chainrule.numpy as np
    >>> np.block([[np.eye(2), np.zeros((2, 1))]]).shape
    (2, 3)
    """
    if not _contains_box(arrays):
        return _np.block(arrays)
    concatenate, reshape = cnp.concatenate, cnp.reshape

    # Let NumPy validate the nesting and shapes on cheap stand-ins.
    def stand_in(x):
        if isinstance(x, list):
            return [stand_in(y) for y in x]
        if isinstance(x, tuple):
            return x  # NumPy's error for tuples
        return _np.empty(shape(x), dtype=bool)
    _np.block(stand_in(arrays))

    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) else 0

    def max_ndim(x):
        return max(max_ndim(y) for y in x) if isinstance(x, list) else ndim(x)

    list_ndim = depth(arrays)
    result_ndim = max(list_ndim, max_ndim(arrays))
    xp = leaf_module(arrays)

    def build(x, level):
        if level == list_ndim:
            if xp is not _np and ndim(x) == 0 and array_module(x) is _np:
                x = xp.asarray(x)  # a scalar block joins the other blocks' module
            s = tuple(shape(x))
            return reshape(x, (1,) * (result_ndim - len(s)) + s) if len(s) < result_ndim \
                else x
        parts = [build(y, level + 1) for y in x]
        return parts[0] if len(parts) == 1 else \
            concatenate(parts, axis=-(list_ndim - level))
    return build(arrays, 0)


# -- special function -----------------------------------------------------------------------

# Cephes' Chebyshev coefficients of exp(-x) i0(x), as NumPy uses them.
_I0A = [
    -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
    1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
    -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11, 9.675809035373237e-11,
    -5.189795601635263e-10, 2.6598237246823866e-09, -1.300025009986248e-08,
    6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
    -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05,
    0.00018850288509584165, -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576,
    0.010546460394594998, -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
    0.17162090152220877, -0.3046826723431984, 0.6767952744094761,
]
_I0B = [
    -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
    -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15,
    3.8116806693526224e-15, -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14,
    3.8527783827421426e-13, 7.180124451383666e-13, -1.7941785315068062e-12,
    -1.3215811840447713e-11, -3.1499165279632416e-11, 1.1889147107846439e-11,
    4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
    2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943, 0.8044904110141088,
]


def _chbevl(x, vals):
    # Clenshaw recurrence for a Chebyshev series (NumPy's coefficients).
    b0, b1, b2 = vals[0], 0.0, 0.0
    for c in vals[1:]:
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


@composite
def i0(x):
    """Modified Bessel function of the first kind, order 0 (NumPy's Chebyshev
    approximation, differentiated term by term: ``i0' ≈ i1``).

    >>> import chainrule.numpy as np
    >>> float(np.i0(0.0))
    1.0
    """
    if not _contains_box(x):
        return _np.i0(x)
    absolute, exp, sqrt, where = cnp.absolute, cnp.exp, cnp.sqrt, cnp.where
    x = _asarray(x)
    if dtype(x).kind == "c":
        raise TypeError("i0 not supported for complex values")
    ax = absolute(x)
    small = getval(ax) <= 8.0
    # Each branch gets a safe argument so the other's derivative stays finite.
    xs = where(small, ax, 0.0)
    xl = where(small, 9.0, ax)
    y_small = exp(xs) * _chbevl(xs / 2.0 - 2, _I0A)
    y_large = exp(xl) * _chbevl(32.0 / xl - 2.0, _I0B) / sqrt(xl)
    return where(small, y_small, y_large)


# ``chainrule.numpy`` starts with ``from numpy import *``, which binds NumPy's
# own ``fft`` and ``random`` modules under those names; ``from . import fft``
# in the package then finds the attribute and never loads our submodules.
# Importing them explicitly here (before that line runs) rebinds the names.
for _sub in ("fft", "random"):
    importlib.import_module(f"{__package__}.{_sub}")
