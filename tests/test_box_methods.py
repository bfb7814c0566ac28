"""Traced values behave like ndarrays: methods, attributes, operators, in-place
writes and raw NumPy calls on them are differentiated like the functions they
stand for, and what cannot be traced fails with a clear error."""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import grad, jacfwd, jacrev, jvp
from chainrule.core.errors import TracedWriteError
from chainrule.test_util import check_grads

X = onp.array([[1.0, -2.0, 3.0], [0.5, 2.5, -1.5]])
Y = onp.array([[0.3, -0.7], [1.2, 0.4], [-0.9, 2.0]])
Z = onp.array([1.0 + 2.0j, -0.5 + 0.3j, 2.0 - 1.0j])


def _check(f, *args, joint=False):
    """Finite differences in both modes up to order 2, and jacfwd == jacrev
    for real arguments (complex outputs included: both give the complex
    Jacobian). A complex argument has no Jacobian unless the function is
    holomorphic, which these methods (conj, real, abs...) are not in general:
    finite differences alone check it.

    Each argument is differentiated on its own (the others plain), or with
    ``joint`` all of them together (when ``f`` writes one into another, the
    target must be traced too: a plain array cannot hold a traced value).
    """
    if joint:
        def g(xs, f=f):
            return f(*xs)
        f, args = g, (tuple(args),)
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)
    for i, a in enumerate(args):
        if any(onp.iscomplexobj(v) for v in (a if joint else [a])):
            with pytest.raises(TypeError, match="holomorphic=True"):
                jacfwd(f)(*args) if joint else jacfwd(f, i)(*args)
            continue

        def fi(x, i=i):
            b = list(args)
            b[i] = x
            return f(*b)
        jf, jr = jacfwd(fi)(a), jacrev(fi)(a)
        for u, v in zip(jf if joint else [jf], jr if joint else [jr], strict=True):
            onp.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


METHODS = {
    "dot": (lambda x: x.dot(Y), (X,)),
    "dot-self": (lambda y: y.dot(y.T), (Y,)),
    "sum-axis": (lambda x: x.sum(axis=0), (X,)),
    "sum-keepdims": (lambda x: x.sum(1, keepdims=True), (X,)),
    "T": (lambda x: x.T, (X,)),
    "mT": (lambda x: x[None].mT, (X,)),
    "transpose-args": (lambda x: x.transpose(1, 0), (X,)),
    "transpose-tuple": (lambda x: x[None].transpose((2, 0, 1)), (X,)),
    "reshape-args": (lambda x: x.reshape(3, 2), (X,)),
    "reshape-tuple": (lambda x: x.reshape((-1,)), (X,)),
    "reshape-F": (lambda x: x.reshape(3, 2, order="F"), (X,)),
    "mean": (lambda x: x.mean(), (X,)),
    "mean-axis": (lambda x: x.mean(axis=1), (X,)),
    "var": (lambda x: x.var(), (X,)),
    "var-ddof": (lambda x: x.var(axis=0, ddof=1), (X,)),
    "std": (lambda x: x.std(axis=1), (X,)),
    "max": (lambda x: x.max(), (X,)),
    "min-axis": (lambda x: x.min(axis=0), (X,)),
    "prod": (lambda x: x.prod(axis=1), (X,)),
    "cumsum": (lambda x: x.cumsum(axis=1), (X,)),
    "cumprod": (lambda x: x.cumprod(), (X,)),
    "clip": (lambda x: x.clip(-1.0, 1.0), (X * 1.1,)),
    "clip-kw": (lambda x: x.clip(min=0.0), (X,)),
    "conj-real": (lambda x: x.conj(), (X,)),
    "conj": (lambda z: z.conj(), (Z,)),
    "conjugate": (lambda z: z.conjugate() * z, (Z,)),
    "real": (lambda z: z.real, (Z,)),
    "imag": (lambda z: z.imag, (Z,)),
    "real-of-real": (lambda x: x.real + x.imag, (X,)),
    "ravel": (lambda x: x.ravel(), (X,)),
    "flatten": (lambda x: x.flatten(), (X,)),
    "flat": (lambda x: x.flat[2:4], (X,)),
    "squeeze": (lambda x: x[:, None].squeeze(), (X,)),
    "swapaxes": (lambda x: x.swapaxes(0, 1), (X,)),
    "take": (lambda x: x.take([0, 4, 4]), (X,)),
    "repeat": (lambda x: x.repeat(2, axis=0), (X,)),
    "diagonal": (lambda x: x.diagonal(), (X,)),
    "trace": (lambda x: x.trace(offset=1), (X,)),
    "copy": (lambda x: x.copy() * x, (X,)),
    "astype-complex": (lambda x: x.astype(complex) * (1 + 1j), (X,)),
    "matmul-operator": (lambda x, y: x @ y, (X, Y)),
    "rmatmul": (lambda y: onp.ones((2, 3)) @ y, (Y,)),
    "operators": (lambda x: (-x + 2.0) * x / (x * x + 1.0) - x ** 2 + 3.0 ** x + abs(x), (X,)),
    "rpow-rsub-rdiv": (lambda x: 2.0 - 1.0 / (x * x + 1.0) + (x * x) ** 0.5, (X,)),
    "getitem": (lambda x: x[1, ::-1] * x[0][[2, 2, 0]], (X,)),
    "iter": (lambda x: np.stack([row * (i + 1) for i, row in enumerate(x)]), (X,)),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method(name):
    f, args = METHODS[name]
    _check(f, *args)


def test_attributes_are_plain():
    def f(x):
        assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
        assert x.dtype == onp.float64
        assert x.T.shape == (3, 2)
        return x.sum()
    grad(f)(X)


def test_sort_and_partition_methods_work_in_place():
    def f(x):
        y = x * 1.0
        assert y.sort() is None  # like ndarray.sort
        return y * onp.arange(1.0, 4.0)

    x = onp.array([3.0, 1.0, 2.0])
    onp.testing.assert_allclose(f(x), onp.sort(x) * onp.arange(1.0, 4.0))
    expected = onp.array([[0, 1, 0], [0, 0, 2], [3, 0, 0]], dtype=float)
    onp.testing.assert_allclose(jacrev(f)(x), expected)
    onp.testing.assert_allclose(jacfwd(f)(x), expected)

    def g(x):
        y = x * 1.0
        y.partition(0)
        return y[0]
    onp.testing.assert_allclose(grad(g)(x), [0.0, 1.0, 0.0])


# ----------------------------------------------------------------------------
# Writes: x[idx] = v and x += v on traced arrays
# ----------------------------------------------------------------------------

def _writes(x, v):
    y = x * 1.0
    y[0] = v[0]                       # a row from another traced value
    y[1, 1:] = np.sin(x[0, :2])       # a slice from the array itself
    y[:, 0] = 0.0                     # a constant
    y[y > 10.0] = 1.0                 # a (traced) boolean mask
    y[[1, 1], [2, 2]] = v[1, :2]      # repeated indices: the last write wins
    return y


def test_setitem_on_traced_array():
    v = onp.array([[0.2, 0.4, -0.6], [1.5, -2.5, 0.7]])
    expected = X.copy()
    expected[0] = v[0]
    expected[1, 1:] = onp.sin(X[0, :2])
    expected[:, 0] = 0.0
    expected[[1, 1], [2, 2]] = v[1, :2]
    onp.testing.assert_allclose(_writes(X, v), expected)
    _check(_writes, X, v, joint=True)
    # The overwritten v[1, 0] gets no gradient; the winner v[1, 1] does.
    _, gv = grad(lambda x, v: np.sum(_writes(x, v)), argnums=(0, 1))(X, v)
    onp.testing.assert_allclose(gv, [[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]])


def _inplace(x, v):
    y = x * 1.0
    y += v
    y *= x
    y -= 1.0
    y /= 2.0
    y[0] += v[1]
    y[:, 1] **= 2
    y @= onp.eye(3)
    return y


def test_inplace_operators_on_traced_arrays():
    v = onp.array([[0.2, 0.4, -0.6], [1.5, -2.5, 0.7]])
    expected = (X + v) * X - 1.0
    expected /= 2.0
    expected[0] += v[1]
    expected[:, 1] **= 2
    onp.testing.assert_allclose(_inplace(X, v), expected)
    _check(_inplace, X, v, joint=True)


def test_inplace_on_plain_array_with_traced_value_rebinds():
    # a = plain array; a += traced gives a traced result (a new value).
    def f(x):
        a = onp.ones(3)
        a = a + x
        a += x * x
        return a
    _check(f, X[0])


def test_setitem_into_traced_zeros():
    # The documented pattern: build a traced array, then assign into it.
    def f(x):
        a = np.zeros(3) + 0.0 * x[0]
        for i in range(3):
            a[i] = x[i] ** (i + 1)
        return a
    onp.testing.assert_allclose(jacrev(f)(X[1]), onp.diag([1.0, 2 * 2.5, 3 * 1.5 ** 2]))
    _check(f, X[1])


# ----------------------------------------------------------------------------
# Raw NumPy on traced values
# ----------------------------------------------------------------------------

RAW = {
    "ufunc-sin": lambda x: onp.sin(x),
    "ufunc-binary": lambda x: onp.multiply(x, onp.arange(3.0)) + onp.add(1.0, x),
    "ufunc-power": lambda x: onp.power(x, 2) + onp.exp(x),
    "ndarray*box": lambda x: onp.arange(3.0) * x,
    "ndarray+box": lambda x: onp.ones((2, 3)) + x - onp.ones(3) / (x * x + 1.0),
    "ndarray@box": lambda x: onp.ones((2, 2)) @ x,
    "box@ndarray": lambda x: x @ onp.ones((3, 2)),
    "function-sum": lambda x: onp.sum(x * x, axis=0),
    "function-mean": lambda x: onp.mean(onp.tanh(x)),
    "function-concatenate": lambda x: onp.concatenate([x, 2.0 * x], axis=1),
    "function-where": lambda x: onp.where(x > 0, x, 0.1 * x),
    "function-dot": lambda x: onp.dot(x, x.T),
    "function-reshape": lambda x: onp.reshape(x, (3, 2)),
    "function-transpose": lambda x: onp.transpose(x),
    "function-einsum": lambda x: onp.einsum("ij,ij->i", x, x),
    "function-clip": lambda x: onp.clip(x, -1.0, 1.0),
}


@pytest.mark.parametrize("name", sorted(RAW))
def test_raw_numpy_dispatches_to_chainrule(name):
    f = RAW[name]
    x = X * 1.1  # away from the clip boundaries
    y = f(x)
    assert type(y) is onp.ndarray or onp.isscalar(y)
    _check(f, x)


def test_raw_ufunc_returns_traced_value():
    seen = []

    def f(x):
        y = onp.sin(x)
        seen.append(type(y).__name__)
        return y
    jvp(f, (X,), (onp.ones_like(X),))
    assert seen == ["Box"]


def test_raw_ufunc_with_out_is_rejected():
    def f(x):
        out = onp.empty(3)
        return onp.sin(x, out=out)
    with pytest.raises(TracedWriteError, match="chainrule.numpy"):
        grad(lambda x: np.sum(f(x)))(X[0])


# ----------------------------------------------------------------------------
# dtypes
# ----------------------------------------------------------------------------

def test_float32_in_float32_gradient_out():
    x = X.astype(onp.float32)
    g = grad(lambda x: np.sum(np.sin(x) * x))(x)
    assert g.dtype == onp.float32
    onp.testing.assert_allclose(g, onp.cos(x) * x + onp.sin(x), rtol=1e-5)
    j = jacfwd(lambda x: x * x)(x[0])
    assert j.dtype == onp.float32
    assert jacrev(lambda x: x * x)(x[0]).dtype == onp.float32


def test_astype_float32_of_float64_input():
    g = grad(lambda x: np.sum(x.astype(onp.float32) ** 2))(X)
    assert g.dtype == onp.float64
    onp.testing.assert_allclose(g, 2 * X, rtol=1e-6)


def test_astype_to_integer_is_a_constant():
    g = grad(lambda x: np.sum(x.astype(int) * x))(X)
    onp.testing.assert_allclose(g, X.astype(int))


# ----------------------------------------------------------------------------
# Clear errors
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("conv", [float, complex, lambda b: b.item(), lambda b: b.tolist()])
def test_scalar_conversion_raises(conv):
    with pytest.raises(TracedWriteError, match="derivative"):
        grad(lambda x: conv(np.sum(x)))(X)


def test_float_conversion_message_says_what_to_do():
    with pytest.raises(TracedWriteError) as e:
        grad(lambda x: float(x[0, 0]))(X)
    msg = str(e.value)
    assert "float()" in msg and "chainrule.numpy" in msg


def _traced_error_in_chain(exc):
    while exc is not None:
        if isinstance(exc, TracedWriteError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


@pytest.mark.parametrize("write", [
    lambda a, x: a.__setitem__(slice(None), x),           # a[:] = x
    lambda a, x: a.__setitem__(0, x[0]),                  # a[0] = row
    lambda a, x: a.__setitem__((0, 0), x[0, 0]),          # a[0, 0] = scalar
    lambda a, x: onp.copyto(a, x),
    lambda a, x: onp.add(a, x, out=a),
])
def test_writing_traced_value_into_plain_array_raises(write):
    def f(x):
        a = onp.zeros((2, 3))
        write(a, x)
        return np.sum(a)
    with pytest.raises((TracedWriteError, ValueError)) as e:
        grad(f)(X)
    # NumPy reports a scalar write as "setting an array element with a
    # sequence", caused by chainrule's error, which says what to do instead.
    err = _traced_error_in_chain(e.value)
    assert err is not None
    msg = str(err)
    assert "np.stack" in msg and "traced array" in msg


def test_asarray_of_traced_value_raises():
    with pytest.raises(TracedWriteError, match="plain NumPy array"):
        grad(lambda x: onp.asarray(x).sum())(X)


def test_chainrule_array_builds_from_traced_scalars():
    # What the error messages recommend instead.
    def f(x):
        return np.array([x[0, 0] * 2.0, x[1, 2], 1.0])
    onp.testing.assert_allclose(jacrev(f)(X)[0, 0, 0], 2.0)
    _check(f, X)


def test_traced_clip_bound_as_keyword_raises():
    # A keyword argument is not traced by a primitive: say so instead of
    # silently dropping the bound's derivative; positional bounds work.
    x = onp.array([-1.0, 0.5, 2.0])
    with pytest.raises(TypeError, match="positionally"):
        grad(lambda lo: np.sum(np.clip(x * lo, min=lo)))(0.3)
    assert grad(lambda lo: np.sum(np.clip(x * lo, lo)))(0.3) == 4.0


def test_augmented_assignment_on_a_plain_array_rebinds_to_the_traced_result():
    # Python rebinds v to what v *= x returns: the traced product, as for a traced v.
    K = onp.ones(3)

    def f(x):
        v = K * 1.0
        v *= x
        v += x
        v **= 2.0
        return np.sum(v)
    assert grad(f)(2.0) == pytest.approx(3 * 2 * (2 * 2.0) * 2)  # d/dx 3 (2x)^2 = 24x
    assert onp.array_equal(K, onp.ones(3))  # K itself is untouched
