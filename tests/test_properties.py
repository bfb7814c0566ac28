"""Property tests (hypothesis) of the broadcasting binary functions and the
reductions, over random shapes, axes and keepdims:

* the value equals NumPy's;
* the gradient has the input's shape (and dtype) and equals finite differences;
* the Jacobian by forward mode equals the Jacobian by reverse mode.

Plus the conventions chosen at non-smooth points, each tested explicitly.
"""

import numpy as onp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule.numpy as np
from chainrule import grad, jacfwd, jacrev, jvp, vjp
from chainrule.test_util import numerical_grad

SETTINGS = settings(deadline=None, max_examples=30, derandomize=True)
TOL = dict(rtol=1e-5, atol=1e-6)


def _values(shape, seed, kind="normal"):
    """Well-separated values (no ties, away from kinks and domain edges)."""
    rng = onp.random.default_rng(seed)
    size = int(onp.prod(shape, dtype=int))
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size).reshape(shape)
    # A random permutation of spaced values plus a little noise: distinct entries.
    base = (rng.permutation(size) - size / 2.0) * 0.3 + rng.uniform(-0.05, 0.05, size)
    return (base + 0.1).reshape(shape)


def _weights(shape, seed):
    return onp.random.default_rng(seed + 1).standard_normal(shape)


def _check_grad_and_jacobians(f, x):
    """Gradient of sum(w * f(x)): shape, dtype, finite differences; jacfwd == jacrev."""
    y = onp.asarray(f(x))
    w = _weights(y.shape, 0)

    def s(z):
        return np.sum(f(z) * w)
    g = grad(s)(x)
    assert onp.shape(g) == onp.shape(x)
    assert onp.result_type(g) == onp.result_type(x)
    onp.testing.assert_allclose(g, numerical_grad(lambda z: onp.sum(f(z) * w))(x), **TOL)
    jf, jr = jacfwd(f)(x), jacrev(f)(x)
    assert onp.shape(jf) == y.shape + onp.shape(x)
    onp.testing.assert_allclose(jf, jr, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------
# Broadcasting binary functions
# ----------------------------------------------------------------------------

_BINARY = {
    "add": (np.add, onp.add, "normal", "normal"),
    "subtract": (np.subtract, onp.subtract, "normal", "normal"),
    "multiply": (np.multiply, onp.multiply, "normal", "normal"),
    "divide": (np.divide, onp.divide, "normal", "positive"),
    "power": (np.power, onp.power, "positive", "normal"),
    "maximum": (np.maximum, onp.maximum, "normal", "normal"),
    "minimum": (np.minimum, onp.minimum, "normal", "normal"),
    "arctan2": (np.arctan2, onp.arctan2, "positive", "normal"),
    "hypot": (np.hypot, onp.hypot, "positive", "normal"),
    "logaddexp": (np.logaddexp, onp.logaddexp, "normal", "normal"),
    "where": (lambda x, y: np.where(_cond(x, y), x, y),
              lambda x, y: onp.where(_cond(x, y), x, y), "normal", "normal"),
}


def _cond(x, y):
    shape = onp.broadcast_shapes(onp.shape(x), onp.shape(y))
    return onp.arange(int(onp.prod(shape, dtype=int))).reshape(shape) % 2 == 0


_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


@SETTINGS
@given(name=st.sampled_from(sorted(_BINARY)), shapes=_shapes, seed=st.integers(0, 2 ** 16))
def test_broadcasting_binary(name, shapes, seed):
    f, ref, kx, ky = _BINARY[name]
    sx, sy = shapes.input_shapes
    x, y = _values(sx, seed, kx), _values(sy, seed + 7, ky)
    if name in ("maximum", "minimum"):
        y = y + 0.01  # no ties with x
    out = f(x, y)
    onp.testing.assert_allclose(out, ref(x, y), rtol=1e-12)
    assert onp.shape(out) == shapes.result_shape
    _check_grad_and_jacobians(lambda a: f(a, y), x)
    _check_grad_and_jacobians(lambda b: f(x, b), y)


@SETTINGS
@given(shapes=_shapes, seed=st.integers(0, 2 ** 16))
def test_broadcasting_both_arguments_at_once(shapes, seed):
    """The same leaf feeds both operands; reverse and forward mode agree."""
    sx, sy = shapes.input_shapes
    x = _values(sx, seed)
    c = _values(sy, seed + 3, "positive")

    def f(a):
        return a * (a + c) / (c + a * a)
    _check_grad_and_jacobians(f, x)


@SETTINGS
@given(shapes=_shapes, seed=st.integers(0, 2 ** 16))
def test_vjp_is_transpose_of_jvp_with_broadcasting(shapes, seed):
    sx, sy = shapes.input_shapes
    x, y = _values(sx, seed), _values(sy, seed + 1, "positive")
    rng = onp.random.default_rng(seed)

    def f(a, b):
        return np.sin(a) * b + a / b
    v = (rng.standard_normal(sx), rng.standard_normal(sy))
    out, jv = jvp(f, (x, y), v)
    u = rng.standard_normal(onp.shape(out))
    _, pb = vjp(f, x, y)
    cx, cy = pb(u)
    lhs = onp.sum(cx * v[0]) + onp.sum(cy * v[1])
    onp.testing.assert_allclose(lhs, onp.sum(u * jv), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------

@st.composite
def _reduction_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-nd, nd - 1))
    else:
        axis = draw(hnp.valid_tuple_axes(nd, min_size=1))
    return shape, axis, draw(st.booleans()), draw(st.integers(0, 2 ** 16))


_REDUCTIONS = {
    "sum": (np.sum, onp.sum, "normal"),
    "prod": (np.prod, onp.prod, "normal"),
    "max": (np.max, onp.max, "normal"),
    "min": (np.min, onp.min, "normal"),
    "mean": (np.mean, onp.mean, "normal"),
    "var": (np.var, onp.var, "normal"),
    "std": (np.std, onp.std, "normal"),
    "ptp": (np.ptp, onp.ptp, "normal"),
    "nansum": (np.nansum, onp.nansum, "normal"),
    "nanmean": (np.nanmean, onp.nanmean, "normal"),
    "logsumexp-like": (lambda x, **k: np.log(np.sum(np.exp(x), **k)),
                       lambda x, **k: onp.log(onp.sum(onp.exp(x), **k)), "normal"),
}


def _count(shape, axis):
    if axis is None:
        return int(onp.prod(shape, dtype=int))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(onp.prod([shape[a] for a in axes], dtype=int))


@SETTINGS
@given(name=st.sampled_from(sorted(_REDUCTIONS)), args=_reduction_args())
def test_reductions(name, args):
    shape, axis, keepdims, seed = args
    f, ref, kind = _REDUCTIONS[name]
    if name == "std" and _count(shape, axis) < 2:
        axis = None  # the std of one number sits at the kink of sqrt
        if _count(shape, None) < 2:
            shape = shape + (2,)
    x = _values(shape, seed, kind)
    out = f(x, axis=axis, keepdims=keepdims)
    expected = ref(x, axis=axis, keepdims=keepdims)
    assert onp.shape(out) == onp.shape(expected)
    onp.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)
    _check_grad_and_jacobians(lambda a: f(a, axis=axis, keepdims=keepdims), x)


@SETTINGS
@given(args=_reduction_args(), zeros=st.integers(1, 3))
def test_prod_with_zeros_is_exact(args, zeros):
    """prod's gradient is the product of the others, exact where inputs are zero."""
    shape, axis, keepdims, seed = args
    x = _values(shape, seed)
    flat = x.reshape(-1)
    flat[onp.random.default_rng(seed).choice(flat.size, min(zeros, flat.size), False)] = 0.0
    onp.testing.assert_allclose(np.prod(x, axis=axis, keepdims=keepdims),
                                onp.prod(x, axis=axis, keepdims=keepdims))
    _check_grad_and_jacobians(lambda a: np.prod(a, axis=axis, keepdims=keepdims), x)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       data=st.data(), seed=st.integers(0, 2 ** 16))
def test_scans(shape, data, seed):
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    name = data.draw(st.sampled_from(["cumsum", "cumprod", "cumprod-zeros"]))
    x = _values(shape, seed)
    if name == "cumprod-zeros":
        x.reshape(-1)[seed % x.size] = 0.0
    f = getattr(np, name.split("-")[0])
    onp.testing.assert_allclose(f(x, axis=axis), getattr(onp, name.split("-")[0])(x, axis=axis))
    _check_grad_and_jacobians(lambda a: f(a, axis=axis), x)


@SETTINGS
@given(args=_reduction_args(), data=st.data())
def test_reductions_with_where(args, data):
    shape, axis, keepdims, seed = args
    x = _values(shape, seed)
    mask = onp.random.default_rng(seed).uniform(size=shape) < 0.7
    name = data.draw(st.sampled_from(["sum", "prod", "max", "mean"]))
    kw = dict(axis=axis, keepdims=keepdims, where=mask)
    if name == "max":
        kw["initial"] = -100.0
    if name == "mean" and not mask.any(axis=axis).all():
        mask[...] = True  # an empty slice has no mean
    f, ref = getattr(np, name), getattr(onp, name)
    onp.testing.assert_allclose(f(x, **kw), ref(x, **kw))
    _check_grad_and_jacobians(lambda a: f(a, **kw), x)


# ----------------------------------------------------------------------------
# Indexing: any mix of integers, slices, arrays, masks, None and ...
# ----------------------------------------------------------------------------

@st.composite
def _indexed(draw):
    """A shape and an index NumPy accepts for it (advanced and basic mixed)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    idx, ellipsis = [], False
    axis = 0
    while axis < len(shape):
        n = shape[axis]
        kind = draw(st.sampled_from(["int", "slice", "array", "mask", "none", "ellipsis"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            idx.append(slice(draw(st.one_of(st.none(), st.integers(-n, n))),
                             draw(st.one_of(st.none(), st.integers(-n, n))),
                             draw(st.sampled_from([None, 1, 2, -1, -2]))))
        elif kind == "array":
            idx.append(onp.array(draw(st.lists(st.integers(-n, n - 1), min_size=1,
                                               max_size=3))))
        elif kind == "mask":
            idx.append(onp.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif kind == "none":
            idx.append(None)
            continue
        elif not ellipsis:
            ellipsis = True
            idx.append(Ellipsis)
            axis += draw(st.integers(0, len(shape) - axis))
            continue
        else:
            idx.append(slice(None))
        axis += 1
    idx = tuple(idx)
    try:
        region = onp.empty(shape)[idx]
    except IndexError:  # index arrays that do not broadcast together
        region = None
    assume(region is not None and region.size > 0)
    return shape, idx


@SETTINGS
@given(case=_indexed(), seed=st.integers(0, 2 ** 16))
def test_getitem_and_index_update(case, seed):
    shape, idx = case
    x = _values(shape, seed)
    onp.testing.assert_array_equal(np.PRIMITIVES["numpy.getitem"](x, idx), x[idx])
    _check_grad_and_jacobians(lambda a: a[idx], x)
    v = _values(onp.empty(shape)[idx].shape, seed + 1)
    expected = x.copy()
    expected[idx] = v
    onp.testing.assert_array_equal(np._index_update(x, idx, v), expected)
    _check_grad_and_jacobians(lambda a: np._index_update(a, idx, v), x)
    _check_grad_and_jacobians(lambda b: np._index_update(x, idx, b), v)


# ----------------------------------------------------------------------------
# Conventions at non-smooth points (kept out of the rule table on purpose)
# ----------------------------------------------------------------------------

def test_abs_at_zero_has_zero_derivative():
    assert grad(np.abs)(0.0) == 0.0
    assert jvp(np.abs, (0.0,), (1.0,))[1] == 0.0
    assert grad(lambda z: np.real(np.abs(z)))(0j) == 0.0


def test_maximum_tie_splits_the_gradient():
    gx, gy = grad(lambda x, y: np.maximum(x, y), argnums=(0, 1))(1.0, 1.0)
    assert gx == gy == 0.5
    gx, gy = grad(lambda x, y: np.fmin(x, y), argnums=(0, 1))(2.0, 2.0)
    assert gx == gy == 0.5


def test_max_ties_share_the_gradient_equally():
    x = onp.array([1.0, 3.0, 3.0, 0.0, 3.0])
    onp.testing.assert_allclose(grad(np.max)(x), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    onp.testing.assert_allclose(jacfwd(np.max)(x), grad(np.max)(x))
    # max with an initial value that wins: no gradient reaches x.
    onp.testing.assert_allclose(grad(lambda a: np.max(a, initial=5.0))(x), onp.zeros(5))


def test_clip_boundaries_pass_the_gradient():
    x = onp.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    onp.testing.assert_allclose(grad(lambda a: np.sum(np.clip(a, -0.5, 0.5)))(x),
                                [0, 1, 1, 1, 0])


def test_powers_and_products_at_zero_are_exact():
    assert grad(lambda x: x ** 2)(0.0) == 0.0
    assert grad(grad(lambda x: x ** 2))(0.0) == 2.0
    assert grad(lambda x: x ** 1)(0.0) == 1.0
    assert grad(lambda y: 0.0 ** y)(2.0) == 0.0
    onp.testing.assert_allclose(grad(np.prod)(onp.array([0.0, 2.0, 3.0])), [6.0, 0.0, 0.0])
    onp.testing.assert_allclose(grad(np.prod)(onp.array([0.0, 0.0, 3.0])), [0.0, 0.0, 0.0])
    onp.testing.assert_allclose(grad(lambda x: np.cumprod(x)[-1])(onp.array([2.0, 0.0, 3.0])),
                                [0.0, 6.0, 0.0])


def test_sinc_derivatives_at_zero():
    assert grad(np.sinc)(0.0) == 0.0
    onp.testing.assert_allclose(grad(grad(np.sinc))(0.0), -onp.pi ** 2 / 3)


@pytest.mark.parametrize("f", [np.nansum, np.nanmean, np.nanmax, np.nanvar, np.nanprod])
def test_nan_entries_get_zero_gradient(f):
    x = onp.array([[1.0, onp.nan, 2.0], [0.5, -1.5, onp.nan]])
    g = grad(f)(x)
    assert onp.all(onp.isfinite(g))
    assert g[0, 1] == 0.0 and g[1, 2] == 0.0


# ----------------------------------------------------------------------------
# float32 stays float32 (no float64 constant sneaks into a derivative)
# ----------------------------------------------------------------------------

_F32 = {
    "exp2": np.exp2, "log2": np.log2, "log10": np.log10, "sinc": np.sinc,
    "maximum": lambda x: np.maximum(x, x[::-1]), "fmin": lambda x: np.fmin(x, 1.0),
    "max": lambda x: np.max(x, axis=0), "ptp": np.ptp, "nanmin": np.nanmin,
    "cumprod-zeros": lambda x: np.cumprod(x * onp.array([1, 0, 1], onp.float32)),
    "prod-zeros": lambda x: np.prod(x * onp.array([1, 0, 1], onp.float32)),
    "ldexp": lambda x: np.ldexp(x, onp.array([1, 2, 3])),
    "power-base": lambda x: 2.0 ** x, "power": lambda x: x ** 3,
    "arctan2": lambda x: np.arctan2(x, 2.0), "clip": lambda x: np.clip(x, 0.5, 1.0),
    "sort": np.sort, "pad": lambda x: np.pad(x, 1, mode="reflect", reflect_type="odd"),
    "mean": np.mean, "std": np.std, "einsum": lambda x: np.einsum("i,i->", x, x),
}


@pytest.mark.parametrize("name", sorted(_F32))
def test_float32_derivatives_stay_float32(name):
    f = _F32[name]
    x = onp.array([0.7, 1.3, 0.9], dtype=onp.float32)
    out, t = jvp(f, (x,), (onp.ones_like(x),))
    assert onp.result_type(out) == onp.float32
    assert onp.result_type(t) == onp.float32, name
    out, pb = vjp(f, x)
    (g,) = pb(onp.ones_like(out))
    assert onp.result_type(g) == onp.float32
