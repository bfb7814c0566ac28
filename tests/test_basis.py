"""The structured identity seed of jacfwd/jacrev (chainrule.numpy.basis).

Every operation on a ScaledBasis must give exactly what the same operation
gives on the dense array it stands for; the structured paths only save work.
"""

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
import chainrule.numpy as np
from chainrule.numpy.basis import ScaledBasis, identity_basis

rng = onp.random.default_rng(0)


def basis(vshape, n=None, offset=0, unit=False, dtype=float):
    s = int(onp.prod(vshape, dtype=int))
    d = onp.ones(s, dtype) if unit else rng.standard_normal(s).astype(dtype)
    return ScaledBasis(d, vshape, n, offset, unit=unit)


LAYOUTS = [dict(vshape=(4,)), dict(vshape=(4,), unit=True), dict(vshape=(2, 3)),
           dict(vshape=(3,), n=7, offset=2), dict(vshape=(3,), n=7, offset=4, unit=True),
           dict(vshape=())]


def test_dense_is_the_scaled_identity():
    b = basis((3,), n=5, offset=1)
    want = onp.zeros((5, 3))
    want[1:4] = onp.diag(b.d)
    onp.testing.assert_array_equal(onp.asarray(b), want)
    assert b.shape == (5, 3) and b.ndim == 2 and b.size == 15 and len(b) == 5


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("cshape", [(), "same", "last", "first1"])
def test_scaling_matches_dense(layout, cshape):
    b = basis(**layout)
    vs = b.vshape
    if cshape == "first1" and not vs:
        pytest.skip("a scalar value has no axis to broadcast along")
    shape = {(): (), "same": vs, "last": vs[-1:], "first1": (1,) + vs[1:]}[cshape]
    c = rng.standard_normal(shape) + 2.0
    dense = onp.asarray(b)
    for got, want in [(b * c, dense * c), (c * b, c * dense), (b / c, dense / c),
                      (-b, -dense), (b * 2.5, dense * 2.5), (onp.multiply(c, b), c * dense)]:
        assert type(got) is ScaledBasis  # stayed structured
        onp.testing.assert_allclose(onp.asarray(got), want)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_batched_constant_falls_back_to_dense(layout):
    b = basis(**layout)
    c = rng.standard_normal(b.shape)  # varies along the batch axis: not a diagonal any more
    onp.testing.assert_allclose(b * c, onp.asarray(b) * c)
    onp.testing.assert_allclose(c / b.dense().clip(1) + 0 * b, c / b.dense().clip(1))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sums_of_bases(layout):
    b = basis(**layout)
    b2 = b * 3.0
    for got, want in [(b + b2, b.dense() + b2.dense()), (b - b2, b.dense() - b2.dense())]:
        assert type(got) is ScaledBasis
        onp.testing.assert_allclose(onp.asarray(got), want)
    other = basis(b.vshape, n=b.n + 1) if b.vshape else None
    if other is not None:
        with pytest.raises(ValueError):  # shapes differ: NumPy's own error, from the dense arrays
            b + other
    d = rng.standard_normal(b.shape)
    onp.testing.assert_allclose(b + d, b.dense() + d)
    onp.testing.assert_allclose(d - b, d - b.dense())


@pytest.mark.parametrize("layout", [lo for lo in LAYOUTS if len(lo["vshape"]) == 1])
@pytest.mark.parametrize("bdim", [1, 2])
def test_matrix_products_match_dense(layout, bdim):
    b = basis(**layout)
    n, s = b.shape
    right = rng.standard_normal((s, 5) if bdim == 2 else (s,))
    left = rng.standard_normal((5, n) if bdim == 2 else (n,))
    onp.testing.assert_allclose(b @ right, b.dense() @ right)
    onp.testing.assert_allclose(left @ b, left @ b.dense())
    onp.testing.assert_allclose(onp.matmul(b, right), b.dense() @ right)
    onp.testing.assert_allclose(np.matmul(b, right), b.dense() @ right)


def test_unit_product_is_a_read_only_view_of_the_same_dtype():
    A = rng.standard_normal((4, 3))
    b = basis((4,), unit=True)
    r = b @ A
    assert onp.shares_memory(r, A) and not r.flags.writeable
    b32 = basis((4,), unit=True, dtype=onp.float32)
    r32 = b32 @ A  # float32 ones times float64: a float64 product, not a float32 view
    assert r32.dtype == onp.float64
    onp.testing.assert_allclose(r32, A)


def test_reshape_keeps_the_structure():
    b = basis((2, 3))
    r = b.reshape((b.n, 6))
    assert type(r) is ScaledBasis and r.shape == (6, 6)
    onp.testing.assert_array_equal(onp.asarray(r), b.dense().reshape(6, 6))
    assert type(onp.reshape(b, (6, 3, 2))) is ScaledBasis
    assert basis((2, 3), unit=True).reshape(6, 6).unit  # still the identity
    # a shape that does not keep the batch axis first: the dense array, reshaped
    onp.testing.assert_array_equal(b.reshape(3, 2, 6), b.dense().reshape(3, 2, 6))


def test_everything_else_sees_the_dense_array():
    b = basis((2, 3), n=8, offset=1)
    dense = b.dense()
    onp.testing.assert_array_equal(onp.sum(b, axis=1), dense.sum(axis=1))
    onp.testing.assert_array_equal(onp.add.reduce(b, axis=0), dense.sum(axis=0))
    onp.testing.assert_array_equal(b.T, dense.T)
    onp.testing.assert_array_equal(b[2:5, 0], dense[2:5, 0])
    onp.testing.assert_array_equal(onp.concatenate([b, b]), onp.concatenate([dense, dense]))
    onp.testing.assert_array_equal(onp.moveaxis(b, 0, -1), onp.moveaxis(dense, 0, -1))
    assert onp.shape(b) == (8, 2, 3) and onp.ndim(b) == 3


def test_identity_basis_splits_leaves():
    seeds, n = identity_basis([(2,), (), (2, 2)], onp.float32)
    assert n == 7
    dense = onp.concatenate([s.dense().reshape(n, -1) for s in seeds], axis=1)
    onp.testing.assert_array_equal(dense, onp.eye(7, dtype=onp.float32))
    assert all(s.dtype == onp.float32 for s in seeds)


# -- through the transforms -------------------------------------------------------------

@pytest.fixture
def no_densify(monkeypatch):
    def refuse(self):
        raise AssertionError("the identity seed was densified")
    monkeypatch.setattr(ScaledBasis, "dense", refuse)


@pytest.mark.parametrize("n,m", [(3, 7), (7, 3), (5, 5)])
def test_tanh_of_linear_map_never_forms_the_dense_identity(no_densify, n, m):
    A = rng.standard_normal((m, n))
    x = rng.standard_normal(n)
    y = onp.tanh(A @ x)
    want = (1 - y * y)[:, None] * A
    for jac in (chainrule.jacfwd, chainrule.jacrev, chainrule.jacobian):
        onp.testing.assert_allclose(jac(lambda x: np.tanh(A @ x))(x), want)


@pytest.mark.parametrize("jac", [chainrule.jacfwd, chainrule.jacrev])
def test_jacobian_of_linear_map_is_a_fresh_writable_array(jac):
    A = rng.standard_normal((3, 4))
    J = jac(lambda x: A @ x)(onp.ones(4))
    onp.testing.assert_array_equal(J, A)
    assert J.flags.writeable and not onp.shares_memory(J, A)
    J[0, 0] = 99.0
    assert A[0, 0] != 99.0


@pytest.mark.parametrize("jac", [chainrule.jacfwd, chainrule.jacrev])
def test_several_leaves_in_and_out(jac):
    A, B = rng.standard_normal((3, 2)), rng.standard_normal((3, 4))
    x, y = rng.standard_normal(2), rng.standard_normal(4)

    def f(x, y):
        z = A @ x + B @ y
        return np.tanh(z), np.sum(z * z)
    (jx, jy), (gx, gy) = jac(f, argnums=(0, 1))(x, y)
    z = A @ x + B @ y
    d = 1 - onp.tanh(z) ** 2
    onp.testing.assert_allclose(jx, d[:, None] * A)
    onp.testing.assert_allclose(jy, d[:, None] * B)
    onp.testing.assert_allclose(gx, 2 * z @ A)
    onp.testing.assert_allclose(gy, 2 * z @ B)


@pytest.mark.filterwarnings("ignore:divide by zero")
@pytest.mark.parametrize("jac", [chainrule.jacfwd, chainrule.jacrev, chainrule.jacobian])
def test_one_argument_in_a_tuple_gives_a_tuple(jac):
    x = onp.array([1.0, 2.0])
    (J,) = jac(lambda x: x ** 2, argnums=(0,))(x)
    onp.testing.assert_array_equal(J, onp.diag(2 * x))
    J = jac(lambda xs: xs[0] ** 2)((x,))  # a container input keeps its container
    assert isinstance(J, tuple) and len(J) == 1
    onp.testing.assert_array_equal(J[0], onp.diag(2 * x))


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_infinite_derivative_stays_on_the_diagonal():
    # The dense identity would multiply its zeros by inf (NaN off the diagonal);
    # the structured seed keeps the true zeros, and both modes agree.
    x = onp.array([0.0, 1.0])
    want = onp.array([[onp.inf, 0.0], [0.0, 0.5]])
    onp.testing.assert_array_equal(chainrule.jacfwd(np.sqrt)(x), want)
    onp.testing.assert_array_equal(chainrule.jacrev(np.sqrt)(x), want)


def test_empty_input_and_output():
    assert chainrule.jacfwd(lambda x: x * 2.0)(onp.zeros(0)).shape == (0, 0)
    assert chainrule.jacrev(lambda x: x * 2.0)(onp.zeros(0)).shape == (0, 0)
    assert chainrule.jacrev(lambda x: np.sum(x) * onp.ones(0))(onp.ones(3)).shape == (0, 3)


def test_hessian_through_the_seed():
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    H = chainrule.hessian(lambda x: np.sum(np.tanh(A @ x)))(x)
    t = onp.tanh(A @ x)
    want = A.T @ ((-2 * t * (1 - t * t))[:, None] * A)
    onp.testing.assert_allclose(H, want, rtol=1e-10, atol=1e-12)


# -- random layouts and constants (hypothesis) ----------------------------------------------


@st.composite
def _basis_and_constant(draw):
    vshape = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))
    s = int(onp.prod(vshape, dtype=int))
    extra = draw(st.integers(0, 3))
    offset = draw(st.integers(0, extra))
    unit = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    r = onp.random.default_rng(seed)
    d = onp.ones(s) if unit else r.standard_normal(s)
    b = ScaledBasis(d, vshape, s + extra, offset, unit=unit)
    # A constant whose shape broadcasts against the batch: sometimes within the value's
    # shape (stays structured), sometimes with the batch axis (falls back to dense).
    drop = draw(st.integers(0, len(vshape)))
    cshape = tuple(1 if draw(st.booleans()) else n for n in vshape[drop:])
    if draw(st.booleans()):  # varies along the batch axis too
        cshape = (b.n,) + (1,) * (len(vshape) - len(cshape)) + cshape
    c = r.standard_normal(cshape) + 3.0
    return b, c


@settings(deadline=None, max_examples=60, derandomize=True)
@given(_basis_and_constant())
def test_every_operation_equals_the_dense_one(bc):
    b, c = bc
    dense = b.dense()
    for got, want in [(b * c, dense * c), (c * b, c * dense), (b / c, dense / c),
                      (-b, -dense), (b + b * c, dense + dense * c), (b - c, dense - c)]:
        onp.testing.assert_allclose(onp.asarray(got), want, rtol=1e-13, atol=1e-13)
    if b.ndim == 2:
        m = onp.random.default_rng(1).standard_normal((b.shape[1], 2))
        onp.testing.assert_allclose(b @ m, dense @ m, rtol=1e-13, atol=1e-13)
        k = onp.random.default_rng(2).standard_normal((2, b.n))
        onp.testing.assert_allclose(k @ b, k @ dense, rtol=1e-13, atol=1e-13)
    flat = b.reshape(b.n, b.d.shape[0])
    assert type(flat) is ScaledBasis
    onp.testing.assert_array_equal(onp.asarray(flat), dense.reshape(b.n, -1))
