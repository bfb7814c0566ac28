"""Rule-table entries for the core NumPy families: elementwise functions,
reductions and scans, shape functions, indexing, products and conversions.

Shapes are small on purpose: every entry is checked in forward and reverse
mode up to order 2 and with batched Jacobians and Hessians.
"""

import numpy as onp

import chainrule.numpy as np

from . import C, Case, Const, Fixed, P, R, U

nan = onp.nan

# Argument lists shared by the broadcasting binary functions: equal shapes,
# (3,) against (2, 3), (2, 1) against (1, 3), and a scalar against an array.


def _bin(gx=R, gy=R):
    return [[gx(3), gy(3)], [gx(2, 3), gy(3)], [gx(3), gy(2, 3)], [gx(2, 1), gy(1, 3)],
            [gx(), gy(2, 3)], [gx(2, 3), gy()]]


def _bin_const(gx=R, gy=R):
    # One argument a plain Python number or a constant array.
    return [[gx(2, 3), Const(1.5)], [Const(0.7), gy(2, 3)],
            [gx(2, 3), Const(onp.array([0.5, 1.5, 2.5]))]]


def _cat(outs):
    """Several outputs as one vector, so every check applies."""
    return np.concatenate([np.ravel(o) for o in outs])


def _neg(*shape):
    return U(-2.0, -0.5, *shape)


CASES = []


def add(*cases):
    CASES.extend(cases)


# ============================================================================
# Elementwise, unary
# ============================================================================

_UNARY = [
    ("sin", R), ("cos", R), ("tan", lambda *s: U(-1.2, 1.2, *s)), ("arcsin", lambda *s:
                                                                    U(-0.9, 0.9, *s)),
    ("arccos", lambda *s: U(-0.9, 0.9, *s)), ("arctan", R),
    ("sinh", R), ("cosh", R), ("tanh", R), ("arcsinh", R),
    ("arccosh", lambda *s: U(1.1, 3.0, *s)), ("arctanh", lambda *s: U(-0.9, 0.9, *s)),
    ("exp", R), ("exp2", R), ("expm1", R), ("log", P), ("log2", P), ("log10", P),
    ("log1p", lambda *s: U(-0.5, 2.0, *s)), ("sqrt", P), ("square", R), ("reciprocal", P),
    ("deg2rad", R), ("radians", R), ("rad2deg", R), ("degrees", R), ("sinc", R),
    ("negative", R), ("positive", R), ("fabs", R), ("absolute", R),
]

for _name, _g in _UNARY:
    add(Case("numpy." + _name, getattr(np, _name), [[_g(3)], [_g(2, 3)], [_g()]]))

add(
    Case("numpy.cbrt", np.cbrt, [[P(3)], [_neg(2, 3)]]),
    Case("numpy.reciprocal", np.reciprocal, [[_neg(2, 2)]], id="reciprocal-neg"),
    Case(("numpy.abs", "numpy.absolute"), np.abs, [[_neg(3)], [C(3)], [C(2, 2)]], id="abs"),
    Case("numpy.sinc", np.sinc, [[Fixed([0.0, 0.5, -1.5])]], id="sinc-at-0"),
    # Complex inputs of holomorphic functions.
    Case("numpy.exp", np.exp, [[C(3)], [C(2, 2)]], id="exp-complex"),
    Case("numpy.sin", np.sin, [[C(3)]], id="sin-complex"),
    Case("numpy.log", np.log, [[C(3)]], id="log-complex"),
    Case("numpy.sqrt", np.sqrt, [[C(3)]], id="sqrt-complex"),
    Case("numpy.square", np.square, [[C(3)]], id="square-complex"),
    Case("numpy.reciprocal", np.reciprocal, [[C(3)]], id="reciprocal-complex"),
    Case("numpy.tanh", np.tanh, [[C(3)]], id="tanh-complex"),
    Case(("numpy.conjugate", "numpy.conjugate"), np.conjugate, [[R(3)], [C(3)], [C(2, 2)]]),
    Case("numpy.conjugate", np.conj, [[C(3)]], id="conj"),
    Case("numpy.real", np.real, [[R(3)], [C(3)], [C(2, 2)]]),
    Case("numpy.imag", np.imag, [[C(3)], [C(2, 2)]]),
    Case("numpy.imag", lambda x: np.imag(x) + x, [[R(3)]], id="imag-real-input"),
    Case("numpy.angle", np.angle, [[C(3)], [C(2, 2)]]),
    Case("numpy.angle", lambda z: np.angle(z, deg=True), [[C(3)]], id="angle-deg"),
    Case("numpy.angle", lambda x: np.angle(x) + x, [[R(3)]], id="angle-real-input"),
    Case("numpy.nan_to_num", np.nan_to_num, [[R(3)], [R(2, 3)]]),
    Case("numpy.nan_to_num", np.nan_to_num, [[Fixed([1.0, onp.inf, -onp.inf, nan, -2.0])]],
         id="nan_to_num-nonfinite"),
)

# ============================================================================
# Elementwise, binary (broadcasting)
# ============================================================================

_POS_Y = {"divide", "fmod", "remainder"}
for _name in ["add", "subtract", "multiply", "divide", "arctan2", "hypot", "logaddexp",
              "logaddexp2", "maximum", "minimum", "fmax", "fmin"]:
    _gy = P if _name in _POS_Y else R
    add(Case("numpy." + _name, getattr(np, _name), _bin(R, _gy) + _bin_const(R, _gy)))

add(
    Case(("numpy.divide", "numpy.true_divide"), np.true_divide, [[R(2, 3), _neg(3)]],
         id="true_divide"),
    Case("numpy.multiply", np.multiply, [[C(3), C(3)], [R(2, 3), C(3)], [C(2, 1), R(1, 3)],
                                         [C(2, 3), Const(2.0 - 1.0j)]], id="multiply-complex"),
    Case("numpy.add", np.add, [[C(3), R(2, 3)], [C(2, 3), C(3)]], id="add-complex"),
    Case("numpy.divide", np.divide, [[C(3), C(3)], [R(3), C(2, 3)]], id="divide-complex"),
    Case("numpy.subtract", np.subtract, [[R(3), C(2, 3)]], id="subtract-complex"),
    Case("numpy.power", np.power, _bin(P, R)),
    Case("numpy.power", np.power, [[R(2, 3), Const(2)], [R(2, 3), Const(3.0)],
                                   [P(3), Const(-1.5)], [R(3), Const(onp.array([1, 2, 3]))],
                                   [Const(2.0), R(3)]], id="power-const"),
    Case("numpy.power", np.power, [[C(3), Const(2)], [C(3), Const(3)]], id="power-complex"),
    Case("numpy.float_power", np.float_power, _bin(P, R) + [[R(3), Const(2.0)]]),
    Case("numpy.fmod", np.fmod, [[U(0.1, 0.9, 3), U(1.1, 2.0, 3)],
                                 [U(2.2, 2.8, 2, 3), U(1.1, 1.3, 3)],
                                 [U(-2.8, -2.2, 3), U(1.1, 1.3, 3)]]),
    Case(("numpy.remainder", "numpy.mod"), np.mod, [[U(0.1, 0.9, 3), U(1.1, 2.0, 3)],
                                                    [U(2.2, 2.8, 2, 3), U(1.1, 1.3, 3)],
                                                    [U(-2.8, -2.2, 3), U(1.1, 1.3, 3)]]),
    Case("numpy.copysign", np.copysign, [[R(3), Const(onp.array([1.0, -1.0, 2.0]))],
                                         [R(2, 3), Const(-1.0)],
                                         [R(3), Const(onp.array([-0.0, 0.0, -2.0]))]]),
    # Traced y: derivative 0 (finite differences away from y == 0, where the sign flips).
    Case("numpy.copysign", np.copysign, [[R(3), Fixed([1.0, -1.0, 2.0])],
                                         [Fixed([[0.5], [-2.0]]), Fixed([-0.7, 0.4, 1.5])],
                                         [Const(2.0), Fixed([-0.3, 0.3])]],
         id="copysign-traced-y"),
    # A traced exponent at exactly y == 0 (second order: d/dy of the x-derivative is 1/x
    # there), with x = 0 only where the exponent is a constant >= 1.
    Case("numpy.power", np.power, [[Fixed([0.7, 1.3, 2.0]), Fixed([0.0, 0.0, 1.0])],
                                   [Fixed([0.7, 1.6]), Fixed(0.0)]], id="power-y0"),
    Case("numpy.float_power", np.float_power, [[Fixed([0.7, 1.3]), Fixed([0.0, 2.0])]],
         id="float_power-y0"),
    Case("numpy.power", np.power, [[Fixed([0.0, 1.5]), Const(onp.array([2.0, 3.0]))],
                                   [Fixed([0.0, 0.4]), Const(1.0)]], id="power-x0"),
    Case("numpy.ldexp", np.ldexp, [[R(3), Const(onp.array([0, 1, -2]))], [R(2, 3), Const(3)]]),
    Case("numpy.clip", lambda x: np.clip(x, -0.5, 0.5), [[Fixed([-1.0, -0.2, 0.3, 0.9])],
                                                         [R(2, 3)]]),
    Case("numpy.clip", lambda x: np.clip(x, None, 0.5), [[Fixed([-1.0, 0.3, 0.9])]],
         id="clip-max-only"),
    Case("numpy.clip", lambda x: np.clip(x, onp.array([-1.0, 0.0, 0.5]), 1.0), [[R(2, 3)]],
         id="clip-array-bounds"),
    Case("numpy.clip", lambda x: np.clip(x, min=-0.5), [[Fixed([-1.0, 0.3])]], id="clip-min-kw"),
    # Traced bounds (inputs kept away from the bounds and from each other).
    Case("numpy.clip", np.clip, [[Fixed([-1.0, -0.2, 0.3, 0.9]), Fixed(-0.5), Fixed(0.5)],
                                 [Fixed([[-1.0, 0.2, 2.0]]), Fixed([[-0.5], [0.6]]),
                                  Fixed([1.0, 1.0, 0.4])],
                                 [Fixed([-1.0, 0.3, 0.9]), Fixed(0.6), Fixed(0.4)]],
         id="clip-traced-bounds"),
    Case("numpy.clip", lambda x, hi: np.clip(x, None, hi), [[Fixed([-1.0, 0.9]), Fixed(0.5)]],
         id="clip-traced-max"),
    Case("numpy.clip", lambda x: np.clip(x, max=onp.array([[0.0], [0.5]])), [[R(3)]],
         id="clip-broadcast-bound"),
    Case("numpy.where", lambda x, y: np.where(onp.array([True, False, True]), x, y), _bin()),
    Case("numpy.where", lambda x, y: np.where(onp.array([[True], [False]]), x, y),
         [[R(3), R(2, 3)], [R(2, 3), R()], [R(1, 3), R(2, 1)]], id="where-cond-broadcast"),
    Case("numpy.where", lambda x: np.where(x > 0, x, 2.0 * x), [[R(2, 3)]], id="where-traced-cond"),
    Case("numpy.where", lambda x: np.where(onp.array([True, False]), x, 1.0j), [[C(2)]],
         id="where-complex"),
)

# ============================================================================
# Reductions and scans
# ============================================================================

_AXES = [dict(), dict(axis=0), dict(axis=1), dict(axis=-1), dict(axis=(0, 2)),
         dict(axis=None, keepdims=True), dict(axis=1, keepdims=True),
         dict(axis=(0, 2), keepdims=True)]


def _red(name, fun, gen=R, axes=_AXES, **kw):
    # One entry per axis/keepdims variant, on a (2, 3, 2) array (and a (3,) vector).
    for i, a in enumerate(axes):
        shapes = [[gen(2, 3, 2)]] + ([[gen(3)]] if a.get("axis") in (None, 0, -1) and
                                     not isinstance(a.get("axis"), tuple) else [])
        add(Case(name, lambda x, a=a: fun(x, **a), shapes, id=f"{name}-ax{i}", **kw))


_red("numpy.sum", np.sum)
_red("numpy.prod", np.prod, gen=P)
_red(("numpy.max", "numpy.amax"), np.max)
_red(("numpy.min", "numpy.amin"), np.min)
_red("numpy.amax", np.amax, axes=_AXES[:2])
_red("numpy.amin", np.amin, axes=_AXES[:2])
_red("numpy.mean", np.mean)
_red("numpy.var", np.var)
_red("numpy.std", np.std)
_red("numpy.ptp", np.ptp)

_ZEROS1 = Fixed([[1.5, 0.0, 2.0], [0.5, -1.0, 3.0]])  # one zero in a row
_ZEROS2 = Fixed([[0.0, 0.0, 2.0], [0.5, 0.0, 3.0]])  # two zeros in a row and a column
_NANS = Fixed([[1.5, nan, 2.0], [0.5, -1.0, nan], [0.3, 0.7, -0.4]])


_W = onp.array([[True, False, True], [True, True, False]])

add(
    Case("numpy.sum", lambda x: np.sum(x, axis=0), [[C(2, 3)]], id="sum-complex"),
    Case("numpy.sum", lambda x: np.sum(x, axis=1, where=_W, initial=1.0), [[R(2, 3)]],
         id="sum-where"),
    Case("numpy.prod", lambda x: np.prod(x, axis=1, where=_W, initial=2.0), [[R(2, 3)],
                                                                             [_ZEROS1]],
         id="prod-where"),
    Case("numpy.prod", lambda x: np.prod(x, initial=-1.5), [[_ZEROS1], [R(3)]],
         id="prod-initial"),
    Case("numpy.max", lambda x: np.max(x, axis=1, where=_W, initial=-5.0), [[R(2, 3)]],
         id="max-where"),
    Case("numpy.max", lambda x: np.max(x, axis=0, initial=0.0), [[Fixed([[-1.0, 0.5, 2.0],
                                                                         [-0.5, 1.5, -3.0]])]],
         id="max-initial"),
    Case("numpy.min", lambda x: np.min(x, where=_W, initial=5.0), [[R(2, 3)]], id="min-where"),
    Case("numpy.mean", lambda x: np.mean(x, axis=1, where=_W), [[R(2, 3)]], id="mean-where"),
    Case("numpy.var", lambda x: np.var(x, axis=0, where=_W, keepdims=True),
         [[R(2, 3)]], id="var-where"),
    Case("numpy.var", lambda x: np.var(x, axis=1, correction=1), [[R(2, 3)]],
         id="var-correction"),
    Case("numpy.std", lambda x: np.std(x, where=_W), [[R(2, 3)]], id="std-where"),
    Case("numpy.nansum", lambda x: np.nansum(x, axis=1, where=_W), [[R(2, 3)]],
         id="nansum-where"),
    Case("numpy.nanmean", lambda x: np.nanmean(x, where=_W),
         [[Fixed([[1.5, nan, 2.0], [0.5, nan, 0.1]])]], id="nanmean-where"),
    Case("numpy.nanvar", lambda x: np.nanvar(x, axis=0, ddof=1), [[C(3, 2)]],
         id="nanvar-complex"),
    Case("numpy.sum", lambda x: np.sum(x, dtype=onp.float64), [[R(3)]], id="sum-dtype"),
    Case("numpy.prod", np.prod, [[R(4)], [_ZEROS1], [_ZEROS2]], id="prod-zeros"),
    Case("numpy.prod", lambda x: np.prod(x, axis=1), [[_ZEROS1], [_ZEROS2]],
         id="prod-zeros-axis1"),
    Case("numpy.prod", lambda x: np.prod(x, axis=0, keepdims=True), [[_ZEROS2]],
         id="prod-zeros-axis0-keep"),
    Case("numpy.prod", lambda x: np.prod(x, axis=(0, 1)), [[_ZEROS1]], id="prod-zeros-all"),
    Case("numpy.prod", lambda x: np.prod(x, axis=1), [[C(2, 3)]], id="prod-complex"),
    Case("numpy.var", lambda x: np.var(x, axis=1, ddof=1), [[R(2, 3)]], id="var-ddof"),
    Case("numpy.var", lambda x: np.var(x, axis=0), [[C(3, 2)]], id="var-complex"),
    Case("numpy.std", lambda x: np.std(x, axis=0, ddof=1, keepdims=True), [[R(3, 2)]],
         id="std-ddof"),
    Case("numpy.mean", lambda x: np.mean(x, axis=1), [[C(2, 3)]], id="mean-complex"),
)

for _name in ["cumsum", "cumprod", "cumulative_sum", "cumulative_prod", "nancumsum",
              "nancumprod"]:
    _f = getattr(np, _name)
    _axes = [dict(axis=0), dict(axis=1), dict(axis=-1)]
    if not _name.startswith("cumulative"):
        _axes.append(dict())
    for _i, _a in enumerate(_axes):
        _gen = P if "prod" in _name else R
        add(Case("numpy." + _name, lambda x, f=_f, a=_a: f(x, **a),
                 [[_gen(2, 3)]] + ([[_gen(4)]] if _a.get("axis") != 1 else []),
                 id=f"{_name}-ax{_i}"))

add(
    Case("numpy.cumprod", lambda x: np.cumprod(x, axis=1), [[_ZEROS1], [_ZEROS2]],
         id="cumprod-zeros"),
    Case("numpy.cumprod", lambda x: np.cumprod(x, axis=0), [[_ZEROS2]], id="cumprod-zeros0"),
    Case("numpy.cumprod", np.cumprod, [[Fixed([2.0, 0.0, 3.0, 0.0, 1.5])], [_ZEROS2]],
         id="cumprod-zeros-flat"),
    Case("numpy.cumsum", lambda x: np.cumsum(x, axis=1), [[C(2, 3)]], id="cumsum-complex"),
)

for _name in ["nansum", "nanmean", "nanvar", "nanstd", "nanprod", "nanmax", "nanmin"]:
    _f = getattr(np, _name)
    for _i, _a in enumerate([dict(), dict(axis=0), dict(axis=1, keepdims=True)]):
        add(Case("numpy." + _name, lambda x, f=_f, a=_a: f(x, **a), [[_NANS], [R(2, 3)]],
                 id=f"{_name}-ax{_i}"))
add(
    Case("numpy.nanvar", lambda x: np.nanvar(x, axis=1, ddof=1), [[_NANS]], id="nanvar-ddof"),
    Case("numpy.nancumsum", lambda x: np.nancumsum(x, axis=1), [[_NANS]], id="nancumsum-nan"),
    Case("numpy.nancumprod", lambda x: np.nancumprod(x, axis=0), [[_NANS]],
         id="nancumprod-nan"),
    Case("numpy.average", np.average, [[R(3)], [R(2, 3)]]),
    Case("numpy.average", lambda x: np.average(x, axis=1), [[R(2, 3)]], id="average-axis"),
    Case("numpy.average", lambda x, w: np.average(x, axis=1, weights=w),
         [[R(2, 3), P(3)], [R(2, 3), P(2, 3)]], id="average-weights"),
    Case("numpy.average", lambda x, w: np.average(x, weights=w), [[R(2, 3), P(2, 3)]],
         id="average-weights-all"),
    Case("numpy.average", lambda x, w: _cat(np.average(x, axis=0, weights=w, returned=True)),
         [[R(2, 3), P(2)]], id="average-returned"),
)

# ============================================================================
# Shape functions
# ============================================================================

add(
    Case("numpy.reshape", lambda x: np.reshape(x, (3, 2)), [[R(2, 3)], [R(6)]]),
    Case("numpy.reshape", lambda x: np.reshape(x, (-1,)), [[R(2, 3)]], id="reshape-minus1"),
    Case("numpy.reshape", lambda x: np.reshape(x, (2, -1), order="F"), [[R(3, 2)], [R(2, 1, 3)]],
         id="reshape-F"),
    Case("numpy.reshape", lambda x: np.reshape(x, ()), [[R(1)]], id="reshape-scalar"),
    Case("numpy.reshape", lambda x: np.reshape(x, 4), [[R(2, 2)]], id="reshape-int"),
    Case("numpy.reshape", lambda x: np.reshape(x, shape=(1, 3)), [[R(3)]], id="reshape-kw"),
    Case("numpy.transpose", np.transpose, [[R(2, 3)], [R(2, 3, 2)], [R(3)]]),
    Case(("numpy.transpose", "numpy.permute_dims"), lambda x: np.permute_dims(x, (1, 2, 0)),
         [[R(2, 3, 2)]], id="permute_dims"),
    Case("numpy.transpose", lambda x: np.transpose(x, (-1, 0, 1)), [[R(2, 3, 2)]],
         id="transpose-neg"),
    Case("numpy.broadcast_to", lambda x: np.broadcast_to(x, (2, 3)), [[R(3)], [R(2, 1)], [R()],
                                                                      [R(1, 3)]]),
    Case("numpy.broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 2)), [[R(3, 1)]],
         id="broadcast_to-3d"),
    Case("numpy.broadcast_arrays", lambda x, y: _cat(np.broadcast_arrays(x, y)),
         [[R(3), R(2, 1)], [R(2, 3), R()]]),
    Case(("numpy.concatenate", "numpy.concat"), lambda x, y: np.concatenate([x, y]),
         [[R(2), R(3)], [R(1, 3), R(2, 3)]]),
    Case("numpy.concatenate", lambda x, y: np.concatenate([x, y, x], axis=-1),
         [[R(2, 1), R(2, 3)]], id="concatenate-axis-1-repeat"),
    Case("numpy.concatenate", lambda x, y: np.concatenate([x, onp.ones((2, 1)), y], axis=1),
         [[R(2, 2), R(2, 3)]], id="concatenate-const"),
    Case("numpy.concatenate", lambda x, y: np.concatenate((x, y), axis=None),
         [[R(2, 2), R(3)]], id="concatenate-none"),
    Case("numpy.concat", lambda x, y: np.concat([x, y], axis=1), [[R(2, 1), R(2, 2)]],
         id="concat"),
    Case("numpy.concatenate", lambda z: np.concatenate([np.abs(z), z]) ** 2, [[C(2)]],
         id="concatenate-real-complex"),
    Case("numpy.stack", lambda z: np.stack([np.abs(z), z]) ** 2, [[C(2)]],
         id="stack-real-complex"),
    Case("numpy.stack", lambda x, y: np.stack([x, y]), [[R(3), R(3)], [R(2, 3), R(2, 3)]]),
    Case("numpy.stack", lambda x, y: np.stack([x, y], axis=-1), [[R(2, 3), R(2, 3)]],
         id="stack-last"),
    Case("numpy.stack", lambda x, y: np.stack([x, y, x], axis=1), [[R(2, 3), R(2, 3)]],
         id="stack-mid"),
    Case("numpy.hstack", lambda x, y: np.hstack([x, y]), [[R(2), R(3)], [R(2, 1), R(2, 2)],
                                                          [R(), R()]]),
    Case(("numpy.vstack", "numpy.row_stack"), lambda x, y: np.vstack([x, y]),
         [[R(3), R(3)], [R(1, 3), R(2, 3)]]),
    Case("numpy.row_stack", lambda x, y: np.row_stack([x, y]), [[R(3), R(2, 3)]],
         id="row_stack"),
    Case("numpy.dstack", lambda x, y: np.dstack([x, y]), [[R(3), R(3)], [R(2, 2), R(2, 2)],
                                                          [R(2, 2, 1), R(2, 2, 2)]]),
    Case("numpy.column_stack", lambda x, y: np.column_stack([x, y]),
         [[R(3), R(3)], [R(3), R(3, 2)]]),
    Case("numpy.append", np.append, [[R(3), R(2)], [R(2, 2), R(3)]]),
    Case("numpy.append", lambda x, y: np.append(x, y, axis=0), [[R(2, 3), R(1, 3)]],
         id="append-axis"),
    Case("numpy.ravel", np.ravel, [[R(2, 3)], [R()]]),
    Case("numpy.ravel", lambda x: np.ravel(x, order="F"), [[R(2, 3)]], id="ravel-F"),
    Case("numpy.expand_dims", lambda x: np.expand_dims(x, 0), [[R(3)], [R(2, 3)]]),
    Case("numpy.expand_dims", lambda x: np.expand_dims(x, (0, -1)), [[R(2, 3)]],
         id="expand_dims-tuple"),
    Case("numpy.expand_dims", lambda x: np.expand_dims(x, -2), [[R(2, 3)]], id="expand_dims-neg"),
    Case("numpy.squeeze", np.squeeze, [[R(1, 3, 1)], [R(2, 1)]]),
    Case("numpy.squeeze", lambda x: np.squeeze(x, axis=-1), [[R(1, 3, 1)]], id="squeeze-axis"),
    Case("numpy.atleast_1d", np.atleast_1d, [[R()], [R(3)], [R(2, 2)]]),
    Case("numpy.atleast_1d", lambda x, y: _cat(np.atleast_1d(x, y)), [[R(), R(2)]],
         id="atleast_1d-many"),
    Case("numpy.atleast_2d", np.atleast_2d, [[R()], [R(3)], [R(2, 2)]]),
    Case("numpy.atleast_2d", lambda x, y: _cat(np.atleast_2d(x, y)), [[R(), R(2)]],
         id="atleast_2d-many"),
    Case("numpy.atleast_3d", np.atleast_3d, [[R()], [R(3)], [R(2, 2)], [R(1, 2, 2)]]),
    Case("numpy.atleast_3d", lambda x, y: _cat(np.atleast_3d(x, y)), [[R(3), R(2, 2)]],
         id="atleast_3d-many"),
    Case("numpy.swapaxes", lambda x: np.swapaxes(x, 0, 2), [[R(2, 3, 2)]]),
    Case("numpy.swapaxes", lambda x: np.swapaxes(x, -1, -2), [[R(2, 3)]], id="swapaxes-neg"),
    Case("numpy.moveaxis", lambda x: np.moveaxis(x, 0, -1), [[R(2, 3, 2)]]),
    Case("numpy.moveaxis", lambda x: np.moveaxis(x, (0, 1), (2, 0)), [[R(2, 3, 4)]],
         id="moveaxis-multi"),
    Case("numpy.rollaxis", lambda x: np.rollaxis(x, 2), [[R(2, 3, 2)]]),
    Case("numpy.rollaxis", lambda x: np.rollaxis(x, 0, 3), [[R(2, 3, 4)]], id="rollaxis-start"),
    Case("numpy.rollaxis", lambda x: np.rollaxis(x, 1, -1), [[R(2, 3, 4)]],
         id="rollaxis-neg-start"),
    Case("numpy.matrix_transpose", np.matrix_transpose, [[R(2, 3)], [R(2, 3, 2)]]),
)

# ============================================================================
# Indexing
# ============================================================================

_INDEXES = [
    ("int", 1), ("neg-int", -1), ("slice", slice(1, None)), ("step", slice(None, None, 2)),
    ("neg-step", slice(None, None, -1)), ("tuple", (1, 1)), ("mixed", (slice(None), 1)),
    ("ellipsis", (Ellipsis, 0)), ("ellipsis-mid", (0, Ellipsis, 1)),
    ("newaxis", (None, slice(None), None)), ("newaxis-mid", (0, None, slice(None, 2))),
    ("bool", onp.array([True, False])), ("bool-2d", onp.array([[True, False, True, False]] * 2
                                                                + [[False] * 4])),
    ("int-array", onp.array([0, 2, 0])), ("int-list", [1, 1, 0]),
    ("int-2d", onp.array([[0, 1], [1, 0]])), ("arrays-slice-int", ([0, 2], slice(None), 1)),
    ("slice-arrays", (slice(None), [0, 1], [1, 2])), ("arrays-separated", ([0, 1], 1, [1, 3])),
    ("arrays-broadcast", (onp.array([[0], [2]]), slice(None), onp.array([1, 3, 1]))),
    ("ellipsis-array", (Ellipsis, [3, 0, 3])),
    ("empty-ellipsis-separates", (slice(None), [0, 3], Ellipsis, [1, 0])),
    ("bool-scalar", (0, onp.array([True, False, True]))),
]


def _idx_shape(name):
    if name in {"arrays-slice-int", "arrays-broadcast"}:
        return (3, 3, 4)
    if name == "empty-ellipsis-separates":
        return (3, 4, 2)
    return (2, 3, 4) if name in {"slice-arrays", "arrays-separated", "ellipsis-mid",
                                 "ellipsis-array", "newaxis-mid"} else (3, 2, 4)


for _n, _i in _INDEXES:
    _shp = _idx_shape(_n)
    if _n == "bool-2d":
        _shp = (3, 4, 2)
    if _n == "bool":
        _shp = (2, 3)
    if _n == "bool-scalar":
        _shp = (2, 3, 2)
        _i = (0, onp.array([True, False, True]))
    add(Case("numpy.getitem", lambda x, i=_i: x[i], [[R(*_shp)]], id=f"getitem-{_n}"))

add(
    Case("numpy.getitem", lambda x: x[1], [[C(3, 2)]], id="getitem-complex"),
    Case("numpy.getitem", lambda x: x[()], [[R()], [R(2)]], id="getitem-empty-tuple"),
    Case("numpy.getitem", lambda x: x[x > 0], [[R(2, 3)]], id="getitem-traced-mask"),
    Case("numpy.getitem", lambda x: x[onp.array([True, False, True]), 1:], [[R(3, 3)]],
         id="getitem-bool-slice"),
    Case("numpy.getitem", lambda x: x[[0, 0, 1]][::-1] * x[1:][0], [[R(2, 3)]],
         id="getitem-chain"),
)


_untake = np.PRIMITIVES["numpy.untake"]

add(
    Case("numpy.untake", lambda v: _untake(v, (onp.array([0, 2, 0]),), (4, 3)), [[R(3, 3)]]),
    Case("numpy.untake", lambda v: _untake(v, (slice(1, 3), 1), (4, 3)), [[R(2)]],
         id="untake-slice"),
    Case("numpy.untake", lambda v: _untake(v, (onp.array([True, False, True]),), (3, 2)),
         [[R(2, 2)]], id="untake-bool"),
)


def _upd(idx):
    return lambda x, v: np._index_update(x, idx, v)


add(
    Case("numpy.index_update", _upd(1), [[R(3, 2), R(2)], [R(3, 2), R()], [R(3, 2), R(1)]]),
    Case("numpy.index_update", _upd((slice(None), 0)), [[R(3, 2), R(3)], [R(3, 2), R()]],
         id="index_update-col"),
    Case("numpy.index_update", _upd(slice(None, None, -2)), [[R(4, 2), R(2, 2)]],
         id="index_update-negstep"),
    Case("numpy.index_update", _upd(onp.array([True, False, True])), [[R(3, 2), R(2, 2)],
                                                                      [R(3, 2), R(2)]],
         id="index_update-bool"),
    Case("numpy.index_update", _upd(onp.array([[True, False], [False, True]])),
         [[R(2, 2), R(2)]], id="index_update-bool2d"),
    Case("numpy.index_update", _upd(([0, 2], 1)), [[R(3, 2), R(2)]], id="index_update-arrays"),
    Case("numpy.index_update", _upd((Ellipsis, [1, 0])), [[R(2, 2, 2), R(2, 2, 2)]],
         id="index_update-ellipsis"),
    Case("numpy.index_update", _upd(onp.array([0, 2, 0])), [[R(3, 2), R(3, 2)]],
         id="index_update-repeats"),
    Case("numpy.index_update", _upd((None, 1)), [[R(3, 2), R(1, 2)]], id="index_update-newaxis"),
    Case("numpy.index_update", _upd(0), [[R(3, 2), R(1, 2)], [R(3, 2), R(1, 1, 1)]],
         id="index_update-v-leading-ones"),
    Case("numpy.index_update", lambda x, v: np._index_update(x, 0, v), [[C(2, 2), C(2)],
                                                                        [C(2, 2), R(2)]],
         id="index_update-complex"),
)


def _setitem_fn(x):
    # x[idx] = v through the ndarray interface, on a traced copy.
    y = x * 1.0
    y[0] = np.sin(x[1])
    y[:, 1] += x[:, 0] ** 2
    y[onp.array([2, 2])] = x[0, 0]
    return y


add(Case("numpy.index_update", _setitem_fn, [[R(3, 2)]], id="index_update-setitem"))

add(
    Case("numpy.take", lambda x: np.take(x, [0, 2, 2]), [[R(2, 3)]]),
    Case("numpy.take", lambda x: np.take(x, onp.array([[0, 1], [1, 1]]), axis=1), [[R(2, 3)]],
         id="take-axis"),
    Case("numpy.take", lambda x: np.take(x, 1, axis=-1), [[R(2, 3)]], id="take-int"),
    Case("numpy.take", lambda x: np.take(x, [4, -5, 1], axis=1, mode="wrap"), [[R(2, 3)]],
         id="take-wrap"),
    Case("numpy.take", lambda x: np.take(x, [7, -1], mode="clip"), [[R(2, 3)]],
         id="take-clip"),
    Case("numpy.take_along_axis", lambda x: np.take_along_axis(
        x, onp.array([[2, 0, 0], [1, 1, 0]]), axis=1), [[R(2, 3)]]),
    Case("numpy.take_along_axis", lambda x: np.take_along_axis(
        x, onp.array([[1, 0, 1]]), axis=0), [[R(2, 3)]], id="take_along_axis-0"),
    Case("numpy.take_along_axis", lambda x: np.take_along_axis(
        x, onp.array([[[0], [2]]]), axis=1), [[R(2, 3, 2)]], id="take_along_axis-bcast"),
    Case("numpy.take_along_axis", lambda x: np.take_along_axis(x, onp.array([3, 0]), None),
         [[R(2, 3)]], id="take_along_axis-none"),
    Case("numpy.choose", lambda x, y: np.choose(onp.array([0, 1, 1]), [x, y]),
         [[R(3), R(3)], [R(2, 3), R(3)]]),
    Case("numpy.choose", lambda x, y: np.choose(onp.array([[0, 1, 1], [1, 0, 0]]), [x, y]),
         [[R(3), R()]], id="choose-2d"),
    Case("numpy.select", lambda x, y: np.select([onp.array([True, False, False]),
                                                 onp.array([False, True, False])], [x, y], 0.5),
         [[R(3), R(3)], [R(2, 3), R(3)]]),
    Case("numpy.select", lambda x, d: np.select([onp.array([True, False])], [x], d),
         [[R(2), R()]], id="select-default"),
    Case("numpy.compress", lambda x: np.compress([True, False, True], x, axis=1), [[R(2, 3)]]),
    Case("numpy.compress", lambda x: np.compress([False, True], x), [[R(2, 3)]],
         id="compress-flat"),
    Case("numpy.extract", lambda x: np.extract(onp.array([[1, 0, 1], [0, 0, 1]]), x),
         [[R(2, 3)]]),
    Case("numpy.flip", np.flip, [[R(3)], [R(2, 3)]]),
    Case("numpy.flip", lambda x: np.flip(x, 1), [[R(2, 3)]], id="flip-axis"),
    Case("numpy.flip", lambda x: np.flip(x, (0, 2)), [[R(2, 3, 2)]], id="flip-axes"),
    Case("numpy.fliplr", np.fliplr, [[R(2, 3)]]),
    Case("numpy.flipud", np.flipud, [[R(2, 3)], [R(3)]]),
    Case("numpy.rot90", np.rot90, [[R(2, 3)], [R(2, 3, 2)]]),
    Case("numpy.rot90", lambda x: _cat([np.rot90(x, k) for k in (0, 2, 3, -1, 5)]),
         [[R(2, 3)]], id="rot90-k"),
    Case("numpy.rot90", lambda x: np.rot90(x, 1, axes=(1, 2)), [[R(2, 3, 2)]], id="rot90-axes"),
    Case("numpy.roll", lambda x: np.roll(x, 1), [[R(2, 3)]]),
    Case("numpy.roll", lambda x: np.roll(x, -1, axis=1), [[R(2, 3)]], id="roll-axis"),
    Case("numpy.roll", lambda x: np.roll(x, (1, 2), axis=(0, 1)), [[R(2, 3)]], id="roll-axes"),
    Case("numpy.roll", lambda x: np.roll(x, (1, 3), axis=-1), [[R(2, 3)]], id="roll-bcast"),
    Case("numpy.roll", lambda x: np.roll(x, 1, axis=(0, 1)), [[R(2, 3)]], id="roll-one-shift"),
    Case("numpy.repeat", lambda x: np.repeat(x, 2), [[R(2, 3)]]),
    Case("numpy.repeat", lambda x: np.repeat(x, [1, 0, 2], axis=1), [[R(2, 3)]],
         id="repeat-axis"),
    Case("numpy.tile", lambda x: np.tile(x, 2), [[R(3)], [R(2, 2)]]),
    Case("numpy.tile", lambda x: np.tile(x, (2, 1, 2)), [[R(2, 2)]], id="tile-tuple"),
    Case("numpy.split", lambda x: _cat(np.split(x, 2, axis=1)), [[R(2, 4)]]),
    Case("numpy.split", lambda x: _cat(np.split(x, [1, 3])), [[R(5)]], id="split-indices"),
    Case("numpy.array_split", lambda x: _cat([s * (i + 1) for i, s in
                                              enumerate(np.array_split(x, 3))]), [[R(5)]]),
    Case("numpy.array_split", lambda x: _cat(np.array_split(x, 2, axis=1)), [[R(2, 3)]],
         id="array_split-axis"),
    Case("numpy.hsplit", lambda x: _cat(np.hsplit(x, 2)), [[R(2, 4)], [R(4)]]),
    Case("numpy.vsplit", lambda x: np.vsplit(x, 2)[1] * 2.0, [[R(4, 2)]]),
    Case("numpy.dsplit", lambda x: np.dsplit(x, [1])[1], [[R(2, 2, 3)]]),
    Case("numpy.unstack", lambda x: np.unstack(x)[1] - np.unstack(x, axis=1)[0][0], [[R(2, 3)]]),
    Case("numpy.diagonal", np.diagonal, [[R(3, 3)], [R(2, 3)], [R(3, 2, 2)]]),
    Case("numpy.diagonal", lambda x: np.diagonal(x, 1), [[R(3, 3)]], id="diagonal-offset"),
    Case("numpy.diagonal", lambda x: np.diagonal(x, -1, 1, 2), [[R(2, 3, 3)]],
         id="diagonal-axes"),
    Case("numpy.trace", np.trace, [[R(3, 3)], [R(2, 3)]]),
    Case("numpy.trace", lambda x: np.trace(x, 1, axis1=1, axis2=2), [[R(2, 3, 3)]],
         id="trace-offset"),
    Case("numpy.diag", np.diag, [[R(3)], [R(3, 3)], [R(2, 3)]]),
    Case("numpy.diag", lambda x: np.diag(x, 1), [[R(2)], [R(3, 3)]], id="diag-k"),
    Case("numpy.diag", lambda x: np.diag(x, -2), [[R(2)]], id="diag-negk"),
    Case("numpy.diagflat", np.diagflat, [[R(2, 2)], [R(3)]]),
    Case("numpy.diagflat", lambda x: np.diagflat(x, -1), [[R(2)]], id="diagflat-k"),
    Case("numpy.triu", np.triu, [[R(3, 3)], [R(2, 3, 3)]]),
    Case("numpy.triu", lambda x: np.triu(x, 1), [[R(3, 2)]], id="triu-k"),
    Case("numpy.tril", np.tril, [[R(3, 3)], [R(2, 3, 3)]]),
    Case("numpy.tril", lambda x: np.tril(x, -1), [[R(2, 3)]], id="tril-k"),
    Case("numpy.sort", np.sort, [[R(4)], [R(2, 3)]]),
    Case("numpy.sort", lambda x: np.sort(x, axis=0), [[R(3, 2)]], id="sort-axis0"),
    Case("numpy.sort", lambda x: np.sort(x, axis=None), [[R(2, 3)]], id="sort-none"),
    Case("numpy.sort_complex", np.sort_complex, [[C(4)]]),
    Case("numpy.sort_complex", lambda x: np.real(np.sort_complex(x)), [[R(4)]],
         id="sort_complex-real"),
    Case("numpy.partition", lambda x: np.partition(x, 2), [[R(5)], [R(2, 4)]]),
    Case("numpy.partition", lambda x: np.partition(x, 1, axis=0), [[R(3, 2)]],
         id="partition-axis0"),
    Case("numpy.partition", lambda x: np.partition(x, (0, 2), axis=None), [[R(2, 2)]],
         id="partition-none"),
    Case("numpy.diff", np.diff, [[R(4)], [R(2, 3)]]),
    Case("numpy.diff", lambda x: np.diff(x, n=2, axis=0), [[R(4, 2)]], id="diff-n2"),
    Case("numpy.diff", lambda x, p: np.diff(x, prepend=p), [[R(3), R()], [R(2, 3), R(2, 1)]],
         id="diff-prepend"),
    Case("numpy.diff", lambda x, a: np.diff(x, append=a, axis=0), [[R(2, 3), R(1, 3)]],
         id="diff-append"),
    Case("numpy.ediff1d", np.ediff1d, [[R(4)], [R(2, 2)]]),
    Case("numpy.ediff1d", lambda x, b, e: np.ediff1d(x, to_end=e, to_begin=b),
         [[R(3), R(2), R()]], id="ediff1d-ends"),
    Case("numpy.delete", lambda x: np.delete(x, 1), [[R(4)], [R(2, 2)]]),
    Case("numpy.delete", lambda x: np.delete(x, [0, 2], axis=1), [[R(2, 3)]],
         id="delete-axis"),
    # Multiplying by a constant mask keeps exact zeros under perturbation.
    Case("numpy.trim_zeros", lambda x: np.trim_zeros(x * onp.array([0, 1, 0, 1, 0.0])),
         [[R(5)], [Fixed([0.0, 1.5, 0.0, -2.0, 0.0])]]),
    Case("numpy.trim_zeros", lambda x: np.trim_zeros(x * onp.array([0, 1, 1.0]), "f"),
         [[R(3)]], id="trim_zeros-f"),
    Case("numpy.trim_zeros", lambda x: np.trim_zeros(x * onp.array([0, 1, 0.0]), "b"),
         [[R(3)]], id="trim_zeros-b"),
    Case("numpy.resize", lambda x: np.resize(x, (3, 3)), [[R(2, 2)]]),
    Case("numpy.resize", lambda x: np.resize(x, 3), [[R(5)]], id="resize-int"),
)

_PAD_MODES = ["constant", "edge", "reflect", "symmetric", "wrap"]
for _m in _PAD_MODES:
    add(Case("numpy.pad", lambda x, m=_m: np.pad(x, 2, mode=m), [[R(3)], [R(2, 3)]],
             id=f"pad-{_m}"))
    add(Case("numpy.pad", lambda x, m=_m: np.pad(x, ((1, 0), (0, 2)), mode=m), [[R(2, 3)]],
             id=f"pad-{_m}-widths"))
add(
    Case("numpy.pad", lambda x, c: np.pad(x, 1, constant_values=c), [[R(3), R()],
                                                                     [R(2, 2), Const(1.5)]],
         id="pad-constant-values"),
    Case("numpy.pad", lambda x: np.pad(x, (1, 2), mode="reflect", reflect_type="odd"),
         [[R(3)], [R(2, 3)]], id="pad-reflect-odd"),
    Case("numpy.pad", lambda x: np.pad(x, 4, mode="symmetric", reflect_type="odd"),
         [[R(3)]], id="pad-symmetric-odd-wide"),
    Case("numpy.pad", lambda x: np.pad(x, 5, mode="reflect"), [[R(3)]], id="pad-reflect-wide"),
    Case("numpy.pad", lambda x: np.pad(x, ((1, 2), (2, 1)), mode="linear_ramp",
                                       end_values=((1.0, -1.0), (0.5, 2.0))),
         [[R(2, 3)]], id="pad-linear_ramp"),
    Case("numpy.pad", lambda x: np.pad(x, 2, mode="mean"), [[R(3)], [R(2, 3)]], id="pad-mean"),
    Case("numpy.pad", lambda x: np.pad(x, ((1, 2), (2, 1)), mode="mean",
                                       stat_length=((1, 2), (2, 1))),
         [[R(2, 3)]], id="pad-mean-stat_length"),
    Case("numpy.pad", lambda x: np.pad(x, 1, constant_values=((1.0, 2.0), (3.0, 4.0))),
         [[R(2, 3)]], id="pad-constant-pairs"),
)

# ============================================================================
# Products
# ============================================================================

add(
    Case("numpy.matmul", np.matmul, [[R(2, 3), R(3, 2)], [R(3), R(3, 2)], [R(2, 3), R(3)],
                                     [R(3), R(3)], [R(2, 2, 3), R(3, 2)], [R(3), R(2, 3, 2)],
                                     [R(2, 1, 2, 3), R(3, 3, 2)], [R(2, 2, 3), R(3)]]),
    Case("numpy.matmul", lambda a, b: a @ b, [[R(2, 3), R(3, 2)], [R(3), R(3)]],
         id="matmul-operator"),
    Case("numpy.matmul", lambda a: onp.ones((2, 3)) @ a, [[R(3, 2)]], id="matmul-rmatmul"),
    # b a transposed view (x @ W.T), whose cotangent the rule computes transposed
    Case("numpy.matmul", lambda a, b: a @ b.T, [[R(2, 3), R(4, 3)]], id="matmul-transposed-b"),
    Case("numpy.matmul.matrix_vector", lambda A, x: A @ x,
         [[R(2, 3), R(3)], [R(4, 3), R(3)], [C(2, 3), C(3)], [R(2, 3), C(3)]]),
    Case("numpy.matmul", np.matmul, [[C(2, 3), C(3, 2)], [R(2, 3), C(3)]],
         id="matmul-complex"),
)

_EINSUM = [
    ("matmul", "ij,jk->ik", [(2, 3), (3, 2)]),
    ("implicit", "ij,jk", [(2, 3), (3, 2)]),
    ("implicit-transpose", "ji", [(2, 3)]),
    ("trace", "ii", [(3, 3)]),
    ("diag", "ii->i", [(3, 3)]),
    ("diag-3", "iij->ji", [(2, 2, 3)]),
    ("outer", "i,j->ij", [(2,), (3,)]),
    ("inner", "i,i->", [(3,), (3,)]),
    ("sum", "ij->", [(2, 3)]),
    ("sum-axis", "ij->j", [(2, 3)]),
    ("hadamard", "ij,ij->ij", [(2, 3), (2, 3)]),
    ("batch", "...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
    ("batch-implicit", "...ij,...jk", [(2, 2, 3), (2, 3, 2)]),
    ("ellipsis-bcast", "...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("ellipsis-size1", "...i,...i->...", [(2, 1, 3), (1, 2, 3)]),
    ("ellipsis-none", "...,...->...", [(2, 3), (3,)]),
    ("three", "ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("three-shared", "ij,ij,j->i", [(2, 3), (2, 3), (3,)]),
    ("repeat-across", "ii,i->i", [(3, 3), (3,)]),
    ("bilinear", "i,ij,j", [(2,), (2, 3), (3,)]),
    ("scalar", ",ij->ij", [(), (2, 3)]),
    ("broadcast-out", "ij->ji", [(2, 3)]),
    ("ellipsis-mid", "i...j,j->i...", [(2, 2, 3), (3,)]),
]
for _n, _spec, _shapes in _EINSUM:
    add(Case("numpy.einsum", lambda *ops, s=_spec: np.einsum(s, *ops),
             [[R(*s) for s in _shapes]], id=f"einsum-{_n}"))
add(
    Case("numpy.einsum", lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]),
         [[R(2, 3), R(3, 2)]], id="einsum-sublist"),
    Case("numpy.einsum", lambda a, b: np.einsum(a, [Ellipsis, 1], b, [1]),
         [[R(2, 3), R(3)]], id="einsum-sublist-ellipsis"),
    Case("numpy.einsum", lambda a, b: np.einsum("ij,jk->ik", a, b, optimize=True),
         [[C(2, 3), C(3, 2)], [R(2, 3), C(3, 2)]], id="einsum-complex"),
    Case("numpy.einsum", lambda a: np.einsum("ij,jk->ik", a, onp.ones((3, 2))),
         [[R(2, 3)]], id="einsum-const"),
    Case("numpy.einsum", lambda a: np.einsum("ij,jk->ik", a, a.T),
         [[R(2, 3)]], id="einsum-same"),
    # A real intermediate (|z|) meeting a complex operand: its cotangent must stay real.
    Case("numpy.einsum", lambda z: np.einsum("i,ij->j", np.abs(z), onp.array([[1j, 2.0]] * 2)),
         [[C(2)]], id="einsum-real-complex"),
)

add(
    Case("numpy.dot", np.dot, [[R(3), R(3)], [R(2, 3), R(3)], [R(3), R(3, 2)],
                               [R(2, 3), R(3, 2)], [R(), R(2, 3)], [R(2, 3), R()],
                               [R(2, 3), R(2, 3, 2)], [R(2, 2, 3), R(3, 2)]]),
    Case("numpy.dot", np.dot, [[C(3), C(3)]], id="dot-complex"),
    Case("numpy.tensordot", np.tensordot, [[R(2, 3, 2), R(3, 2, 2)]]),
    Case("numpy.tensordot", lambda a, b: np.tensordot(a, b, 1), [[R(2, 3), R(3, 2)]],
         id="tensordot-1"),
    Case("numpy.tensordot", lambda a, b: np.tensordot(a, b, 0), [[R(2), R(3)]],
         id="tensordot-0"),
    Case("numpy.tensordot", lambda a, b: np.tensordot(a, b, ([0, 2], [2, 0])),
         [[R(2, 3, 2), R(2, 2, 2)]], id="tensordot-pairs"),
    Case("numpy.tensordot", lambda a, b: np.tensordot(a, b, (1, 0)), [[R(2, 3), R(3, 2)]],
         id="tensordot-int-pairs"),
    Case("numpy.inner", np.inner, [[R(3), R(3)], [R(2, 3), R(3)], [R(2, 3), R(2, 3)],
                                   [R(), R(2)]]),
    Case("numpy.outer", np.outer, [[R(3), R(2)], [R(2, 2), R(3)]]),
    Case("numpy.kron", np.kron, [[R(2), R(3)], [R(2, 2), R(2, 3)], [R(2), R(2, 2)]]),
    Case("numpy.cross", np.cross, [[R(3), R(3)], [R(2, 3), R(3)], [R(2), R(2)], [R(2), R(3)],
                                   [R(3), R(2)]]),
    Case("numpy.cross", lambda a, b: np.cross(a, b, axisa=0, axisb=0), [[R(3, 2), R(3, 2)]],
         id="cross-axis"),
    Case("numpy.cross", lambda a, b: np.cross(a, b, axis=0), [[R(3, 2), R(3, 2)]],
         id="cross-axis-kw"),
    Case("numpy.vdot", np.vdot, [[R(3), R(3)], [R(2, 2), R(4)], [C(3), C(3)], [C(2), R(2)]]),
    Case("numpy.vecdot", np.vecdot, [[R(3), R(3)], [R(2, 3), R(3)], [C(3), C(3)]]),
    Case("numpy.vecdot", lambda a, b: np.vecdot(a, b, axis=0), [[R(3, 2), R(3, 1)]],
         id="vecdot-axis"),
    Case("numpy.matvec", np.matvec, [[R(2, 3), R(3)], [R(2, 2, 3), R(3)], [R(2, 3), R(2, 3)]]),
    Case("numpy.vecmat", np.vecmat, [[R(2), R(2, 3)], [R(2, 2), R(2, 3)], [C(2), C(2, 2)]]),
)

# ============================================================================
# Conversions and constructors
# ============================================================================

add(
    Case("numpy.astype", lambda x: np.astype(x, onp.complex128) * (1.0 + 2.0j), [[R(3)]]),
    Case("numpy.astype", lambda x: np.astype(x, onp.float64), [[R(3)]], id="astype-same"),
    Case("numpy.astype", lambda x: x.astype(complex) ** 2, [[R(2, 2)]], id="astype-method"),
    Case("numpy.array", lambda x, y: np.array([x, y]), [[R(), R()], [R(3), R(3)]]),
    Case("numpy.array", lambda x, y: np.array([[x[0], y], [y, x[1] * x[0]]]), [[R(2), R()]],
         id="array-nested"),
    Case("numpy.array", lambda x: np.array(x, ndmin=2), [[R(3)]], id="array-ndmin"),
    Case("numpy.array", lambda x: np.array(x, dtype=complex) * 1j, [[R(3)]], id="array-dtype"),
    Case("numpy.array", lambda x: np.array((x, 2.0 * x)), [[R(2)]], id="array-tuple"),
    Case("numpy.asarray", np.asarray, [[R(3)]]),
    Case("numpy.asarray", lambda x: np.asarray([x, x * x]), [[R()]], id="asarray-list"),
    Case("numpy.asanyarray", np.asanyarray, [[R(3)]]),
    Case("numpy.ascontiguousarray", np.ascontiguousarray, [[R(2, 3)]]),
    Case("numpy.asfortranarray", np.asfortranarray, [[R(2, 3)]]),
    Case("numpy.copy", np.copy, [[R(3)], [C(2)]]),
    Case("numpy.full", lambda c: np.full((2, 3), c), [[R()], [R(3)]]),
    Case("numpy.full_like", lambda c: np.full_like(onp.zeros((2, 2)), c), [[R()]]),
    Case("numpy.linspace", lambda a, b: np.linspace(a, b, 4), [[R(), R()]]),
    Case("numpy.linspace", lambda a, b: np.linspace(a, b, 3, endpoint=False), [[R(), R()]],
         id="linspace-open"),
    Case("numpy.linspace", lambda a, b: _cat(np.linspace(a, b, 5, retstep=True)),
         [[R(), R()]], id="linspace-retstep"),
    Case("numpy.linspace", lambda a, b: np.linspace(a, b, 3, axis=-1), [[R(2), R(2)],
                                                                        [R(), R(2, 2)]],
         id="linspace-arrays"),
    Case("numpy.full", lambda c: np.full(3, c, dtype=complex), [[R()]], id="full-dtype"),
    Case("numpy.meshgrid", lambda x, y: _cat(np.meshgrid(x, y)), [[R(2), R(3)]]),
    Case("numpy.meshgrid", lambda x, y: _cat(np.meshgrid(x, y, indexing="ij")), [[R(2), R(3)]],
         id="meshgrid-ij"),
    Case("numpy.meshgrid", lambda x, y, z: _cat(np.meshgrid(x, y, z, sparse=True)),
         [[R(2), R(3), R(2)]], id="meshgrid-sparse"),
    Case("numpy.meshgrid", lambda x, y, z: _cat(np.meshgrid(x, y, z)),
         [[R(2), R(2, 2), R()]], id="meshgrid-nd"),
)
