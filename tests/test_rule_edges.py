"""Focused checks next to the rule table (tests/rules/): points where a rule has a
convention or a special path (y == 0 in x ** y, singular matrices, empty arrays, in-place
writes at second order) that random table inputs do not reach."""

import warnings

import numpy as onp
import pytest

import chainrule as cr
import chainrule.numpy as np


# ----------------------------------------------------------------------------
# x ** y with a traced exponent at y == 0
# ----------------------------------------------------------------------------

def _pw(v):
    return v[0] ** v[1]


def test_power_second_order_at_zero_exponent():
    x0 = onp.array([0.7, 0.0])
    want = onp.array([[0.0, 1 / 0.7], [1 / 0.7, onp.log(0.7) ** 2]])
    onp.testing.assert_allclose(cr.hessian(_pw)(x0), want, rtol=1e-12)
    onp.testing.assert_allclose(cr.jacfwd(cr.jacfwd(_pw))(x0), want, rtol=1e-12)
    onp.testing.assert_allclose(cr.jacrev(cr.jacrev(_pw))(x0), want, rtol=1e-12)
    for k in range(2):
        e = onp.eye(2)[k]
        onp.testing.assert_allclose(cr.hvp(_pw)(x0, e), want[k], rtol=1e-12)
    # grad of grad, argument by argument
    gxy = cr.grad(lambda y: cr.grad(lambda x: x ** y)(0.7))(0.0)
    gyx = cr.grad(lambda x: cr.grad(lambda y: x ** y)(0.0))(0.7)
    assert gxy == pytest.approx(1 / 0.7, rel=1e-12)
    assert gyx == pytest.approx(1 / 0.7, rel=1e-12)


def test_power_conventions_at_zero_base():
    # d/dx 0**y = y * 0**(y-1): 1 at y == 1, 0 at y == 2, 0 at y == 0 (JAX: nan there);
    # d/dy 0**y = 0 (JAX's convention: log(0) replaced by 0).
    for y, dx in ((1.0, 1.0), (2.0, 0.0), (0.0, 0.0)):
        g = cr.grad(_pw)(onp.array([0.0, y]))
        onp.testing.assert_array_equal(g, [dx, 0.0])
    onp.testing.assert_array_equal(cr.hessian(_pw)(onp.array([0.0, 0.0])), onp.zeros((2, 2)))
    onp.testing.assert_array_equal(cr.hessian(_pw)(onp.array([0.0, 2.0])), [[2.0, 0.0],
                                                                           [0.0, 0.0]])


def test_copysign_derivatives():
    x = onp.array([2.0, -2.0, 0.0, 3.0, -3.0])
    y = onp.array([1.0, 1.0, -1.0, -0.0, -0.0])
    onp.testing.assert_array_equal(cr.grad(lambda x: np.sum(np.copysign(x, y)))(x),
                                   [1.0, -1.0, 0.0, -1.0, 1.0])
    onp.testing.assert_array_equal(cr.grad(lambda y: np.sum(np.copysign(x, y)))(y), 0.0 * y)
    _, t = cr.jvp(lambda y: np.copysign(x, y), (y,), (onp.ones(5),))
    onp.testing.assert_array_equal(t, onp.zeros(5))


# ----------------------------------------------------------------------------
# dtypes: float32 stays float32 (the table checks every entry; these are the reports)
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "ndtri",
                                  "log_ndtr", "digamma", "entr", "gamma", "gammaln", "rgamma"])
def test_special_float32_tangents(name):
    import chainrule.scipy.special as sp
    f = getattr(sp, name)
    x = onp.array([0.3, 0.6], onp.float32)
    y, t = cr.jvp(f, (x,), (onp.ones(2, onp.float32),))
    assert y.dtype == t.dtype == onp.float32
    assert cr.jacfwd(f)(x).dtype == onp.float32
    _, lin = cr.linearize(f, x)
    assert lin(onp.ones(2, onp.float32)).dtype == onp.float32
    assert cr.hvp(lambda z: np.sum(f(z)))(x, onp.ones(2, onp.float32)).dtype == onp.float32


def test_polygamma_keeps_float32():
    import chainrule.scipy.special as sp
    x = onp.array([0.3, 0.6], onp.float32)
    assert sp.polygamma(1, x).dtype == onp.float32
    assert cr.hvp(lambda z: np.sum(sp.polygamma(1, z)))(x, onp.ones(2, onp.float32)).dtype \
        == onp.float32


# ----------------------------------------------------------------------------
# det at singular matrices; slogdet there
# ----------------------------------------------------------------------------

def test_det_gradient_at_singular_matrix_is_the_adjugate():
    a = onp.array([[1.0, 2.0], [2.0, 4.0]])
    want = onp.array([[4.0, -2.0], [-2.0, 1.0]])
    onp.testing.assert_array_equal(cr.grad(np.linalg.det)(a), want)
    onp.testing.assert_array_equal(cr.jacfwd(np.linalg.det)(a), want)
    stack = onp.stack([a, 2.0 * onp.eye(2)])
    g = cr.grad(lambda b: np.sum(np.linalg.det(b)))(stack)
    onp.testing.assert_allclose(g, [want, 2.0 * onp.eye(2)], atol=1e-15)
    # second order: d²det/dA00 dA11 = 1 for 2x2, and for a rank-1 3x3 the cofactor of minors
    s = onp.arange(1.0, 10.0).reshape(3, 3)
    h = cr.hessian(np.linalg.det)(s).reshape(9, 9)
    onp.testing.assert_allclose(h[0], [0, 0, 0, 0, 9, -8, 0, -6, 5], atol=1e-12)


def test_slogdet_derivative_at_singular_matrix_is_a_loud_error():
    a = onp.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(onp.linalg.LinAlgError, match="unbounded"):
        cr.grad(lambda m: np.linalg.slogdet(m)[1])(a)
    # the sign alone is locally constant: derivative 0
    onp.testing.assert_array_equal(cr.grad(lambda m: np.linalg.slogdet(m)[0])(a), 0 * a)


# ----------------------------------------------------------------------------
# size-0 inputs: Jacobians of shape (..., 0) rather than a reshape error
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,f", [
    ("cumsum", np.cumsum), ("cumprod", np.cumprod), ("cumsum-axis", lambda x: np.cumsum(x, 0)),
    ("prod", np.prod), ("sum", np.sum), ("sort", np.sort), ("concatenate",
                                                           lambda x: np.concatenate([x, x]))])
@pytest.mark.parametrize("shp", [(0,), (0, 3), (3, 0)])
def test_jacobians_of_empty_inputs(name, f, shp):
    x = onp.zeros(shp)
    want = onp.shape(f(x)) + shp
    for t in (cr.jacfwd, cr.jacrev, cr.jacobian):
        assert onp.shape(t(f)(x)) == want
    if onp.ndim(f(x)) == 0:
        assert cr.hessian(f)(x).shape == shp + shp


# ----------------------------------------------------------------------------
# second order through in-place writes; writing a traced value into a plain array
# ----------------------------------------------------------------------------

def _written(x):
    y = x.copy()
    y[1] = x[0] ** 3
    y += x ** 2
    return np.sum(y * y)


def test_second_order_through_in_place_writes():
    from chainrule.test_util import numerical_jacobian
    x = onp.array([0.5, 1.2, -0.7])
    h = cr.hessian(_written)(x)
    hnum = numerical_jacobian(lambda z: onp.asarray(cr.grad(_written)(z)), x)
    onp.testing.assert_allclose(h, hnum, rtol=1e-6, atol=1e-7)
    onp.testing.assert_allclose(h, h.T, rtol=1e-12)
    v = onp.array([1.0, -2.0, 0.5])
    onp.testing.assert_allclose(cr.hvp(_written)(x, v), h @ v, rtol=1e-12)
    gg = cr.grad(lambda z: cr.grad(_written)(z)[0])(x)
    onp.testing.assert_allclose(gg, h[0], rtol=1e-12)


def test_traced_write_into_plain_array_is_traced_write_error():
    from chainrule.core.errors import TracedWriteError

    def f(x):
        buf = onp.zeros(3)
        buf[0] = x[0]
        return np.sum(buf)
    x = onp.array([0.5, 1.2, -0.7])
    with pytest.raises(TracedWriteError):
        cr.grad(f)(x)
    with pytest.raises(TracedWriteError):
        cr.grad(lambda z: cr.grad(f)(z)[0])(x)
    assert issubclass(TracedWriteError, TypeError)


def test_hypot_at_the_origin_has_the_subgradient_zero():
    # x / hypot(x, y) is 0/0 at the origin: the rule gives 0 there (as JAX does, and abs at
    # 0), not nan; elsewhere the formula, checked by the rule table.
    g = cr.grad(lambda a: np.sum(np.hypot(a, a) ** 2))(onp.array([0.0, 1.0]))
    onp.testing.assert_allclose(g, [0.0, 4.0])
    _, t = cr.jvp(lambda a: np.hypot(a, 2 * a), (onp.array([0.0, 1.0]),),
                  (onp.array([1.0, 1.0]),))
    onp.testing.assert_allclose(t, [0.0, onp.sqrt(5.0)])
    assert onp.all(onp.isfinite(cr.hessian(lambda a: np.hypot(a[0], a[1]))(onp.zeros(2))))


@pytest.mark.parametrize("name, f", [
    ("median", lambda x: np.median(x, axis=0)),
    ("median_all", lambda x: np.median(x)),
    ("median_keepdims", lambda x: np.median(x, axis=0, keepdims=True)),
    ("nanmedian", lambda x: np.nanmedian(x, axis=0)),
    ("nanquantile", lambda x: np.nanquantile(x, [0.2, 0.9], axis=0)),
    ("nanpercentile", lambda x: np.nanpercentile(x, 30, axis=0)),
    ("var", lambda x: np.var(x, axis=0)),
    ("std", lambda x: np.std(x, axis=0)),
])
def test_order_statistics_along_an_empty_axis_are_nan_with_empty_derivatives(name, f):
    # NumPy's value is NaN (with a warning); the derivative of a function of no
    # elements is the empty array, in both modes, not an IndexError.
    x = onp.zeros((0, 3))
    with pytest.warns(RuntimeWarning):
        g = cr.grad(lambda v: np.sum(f(v)))(x)
        out, tangent = cr.jvp(f, (x,), (onp.ones_like(x),))
    assert g.shape == x.shape
    assert onp.all(onp.isnan(out)) and onp.shape(out) == onp.shape(tangent)


def test_quantile_along_an_empty_axis_raises_like_numpy():
    x = onp.zeros((0, 3))
    with pytest.raises(IndexError, match="empty slice"):
        cr.grad(lambda v: np.sum(np.quantile(v, 0.5, axis=0)))(x)


def test_where_with_an_unsafe_hidden_branch_is_nan_in_reverse_mode_as_documented():
    # The README's example: reverse mode multiplies the hidden branch's zero cotangent by
    # sqrt's infinite (or NaN) derivative, as JAX and PyTorch do; the double where is safe.
    x = onp.array([4.0, -1.0, 0.0])
    with onp.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive = cr.grad(lambda v: np.sum(np.where(v > 0, np.sqrt(v), 0.0)))(x)
        forward = cr.jvp(lambda v: np.where(v > 0, np.sqrt(v), 0.0), (x,), (onp.ones(3),))[1]
        safe = cr.grad(lambda v: np.sum(np.where(v > 0, np.sqrt(np.where(v > 0, v, 1.0)),
                                                 0.0)))(x)
    assert naive[0] == 0.25 and onp.isnan(naive[1:]).all()
    assert onp.array_equal(forward, [0.25, 0.0, 0.0])
    assert onp.array_equal(safe, [0.25, 0.0, 0.0])


def test_det_second_order_near_a_singular_matrix():
    # A rank-one product rounds to a determinant of about 1e-18, not 0: det · A⁻ᵀ is right
    # to first order there, but its derivative loses every digit (the differential test's
    # seed 42900: an hvp of 0.2 where det is 0 on a whole neighbourhood). The minors are
    # exact; det(real(z) zᵀ) is identically 0, so its Hessian is 0.
    def f(p):
        z = np.reshape(p[:2] + 1j * p[2:], (2, 1))
        return np.real((0.7 - 0.2j) * np.linalg.det(np.real(z) @ z.T))

    p = onp.array([-0.4, 0.5, -0.3, 0.4])
    assert onp.abs(cr.hessian(f)(p)).max() < 1e-12
    assert onp.abs(cr.hvp(f)(p, onp.array([0.3, -1.0, 0.5, 0.2]))).max() < 1e-12
    # Well conditioned, the fast path: the Hessian of det of a 2x2 matrix is constant.
    h = cr.hessian(lambda q: np.linalg.det(np.reshape(q, (2, 2))))(onp.array([1., 2., 3., 5.]))
    assert onp.allclose(h, [[0, 0, 0, 1], [0, 0, -1, 0], [0, -1, 0, 0], [1, 0, 0, 0]])
