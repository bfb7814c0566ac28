"""The engine's classic traps: nesting, perturbation confusion, long chains,
higher derivatives, control flow, zero gradients, containers, dtypes, errors."""

import math

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import (
    checkpoint, deriv, elementwise_grad, grad, grad_and_aux, hessian, holomorphic_grad, hvp,
    jacfwd, jacobian, jacrev, jvp, linearize, make_hvp, make_jvp, make_vjp, value_and_grad, vjp,
)
from chainrule.core.errors import MissingRuleError, TracedWriteError
from chainrule.core.engine import Primitive


def fwd_d(f):
    """Scalar derivative by forward mode."""
    return lambda x: jvp(f, (x,), (1.0,))[1]


def rev_d(f):
    return grad(f)


MODES = [("rev", rev_d), ("fwd", fwd_d)]


# -- perturbation confusion (Siskind & Pearlmutter) ------------------------------------

@pytest.mark.parametrize("outer_name,outer", MODES)
@pytest.mark.parametrize("inner_name,inner", MODES)
def test_no_perturbation_confusion(outer_name, outer, inner_name, inner):
    # d/dx [ x * d/dy (x + y) ] = d/dx [x * 1] = 1 everywhere; confusion gives 2.
    def f(x):
        return x * inner(lambda y: x + y)(1.0)
    for x in [0.0, 1.0, -2.5]:
        assert float(outer(f)(x)) == 1.0


@pytest.mark.parametrize("outer_name,outer", MODES)
@pytest.mark.parametrize("inner_name,inner", MODES)
def test_nested_closure_derivative(outer_name, outer, inner_name, inner):
    # d/dx d/dy [sin(x*y)] at y = 1 is d/dx [x cos(x)] = cos(x) - x sin(x)
    def f(x):
        return inner(lambda y: np.sin(x * y))(1.0)
    x = 0.7
    assert math.isclose(float(outer(f)(x)), math.cos(x) - x * math.sin(x), rel_tol=1e-12)


# -- long chains: no recursion anywhere --------------------------------------------------

N_CHAIN = 100_000


def _chain(x):
    for _ in range(N_CHAIN):
        x = x * 1.0000001
    return x


def test_100k_chain_reverse():
    assert math.isclose(float(grad(_chain)(1.0)), 1.0000001 ** N_CHAIN, rel_tol=1e-9)


def test_100k_chain_forward():
    assert math.isclose(float(fwd_d(_chain)(1.0)), 1.0000001 ** N_CHAIN, rel_tol=1e-9)


# -- higher derivatives --------------------------------------------------------------------

@pytest.mark.parametrize("combo", ["rrrr", "ffff", "frfr", "rfrf", "ffrr"])
def test_fourth_derivative_of_sin(combo):
    f = np.sin
    for c in combo:
        f = (rev_d if c == "r" else fwd_d)(f)
    for x in [0.3, 1.2, -2.0]:
        assert math.isclose(float(f(x)), math.sin(x), rel_tol=1e-12, abs_tol=1e-14)


def test_hessian_and_hvp_agree():
    A = onp.random.default_rng(0).standard_normal((4, 4))

    def f(x):
        return np.sum(np.log1p(np.exp(A @ x))) + np.sum(x ** 3)
    x = onp.linspace(-1, 1, 4)
    v = onp.arange(4.0)
    H = hessian(f)(x)
    onp.testing.assert_allclose(H, H.T, atol=1e-12)
    onp.testing.assert_allclose(hvp(f)(x, v), H @ v, rtol=1e-12)
    hv_fn, _ = make_hvp(f)(x)
    onp.testing.assert_allclose(hv_fn(v), H @ v, rtol=1e-12)
    onp.testing.assert_allclose(jacfwd(jacrev(f))(x), jacrev(jacrev(f))(x), rtol=1e-12)


# -- control flow on values ---------------------------------------------------------------------

def test_grad_through_while_loop_and_recursion():
    def f(x):
        while x < 10.0:
            x = x * 2.0
        return x

    assert float(grad(f)(1.5)) == 8.0  # 1.5 -> 3 -> 6 -> 12

    def power(x, n):
        return 1.0 if n == 0 else x * power(x, n - 1)
    assert math.isclose(float(grad(power)(1.3, 5)), 5 * 1.3 ** 4, rel_tol=1e-12)

    def relu_if(x):
        return x if x > 0 else 0.0 * x
    assert float(grad(relu_if)(2.0)) == 1.0
    assert float(grad(relu_if)(-2.0)) == 0.0


# -- zeros: shape and dtype --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_zero_gradient_has_shape_and_dtype(dtype):
    x = onp.ones((2, 3), dtype=dtype)
    g = grad(lambda x: np.sum(x * 0.0))(x)
    assert g.shape == (2, 3) and g.dtype == dtype and not g.any()
    g2 = grad(lambda x: 3.0)(x)  # output does not depend on x
    assert g2.shape == (2, 3) and g2.dtype == dtype and not g2.any()


def test_float32_in_float32_out():
    x = onp.linspace(0, 1, 5, dtype=onp.float32)
    g = grad(lambda x: np.sum(np.tanh(x) * 2.0))(x)
    assert g.dtype == onp.float32
    _, t = jvp(np.tanh, (x,), (onp.ones(5, onp.float32),))
    assert t.dtype == onp.float32


# -- containers -------------------------------------------------------------------------------

def test_containers_in_and_out():
    params = {"W": onp.ones((2, 3)), "b": [onp.zeros(2), (onp.array(2.0),)]}

    def loss(p):
        return np.sum(p["W"] ** 2) + np.sum(p["b"][0]) * p["b"][1][0]
    g = grad(loss)(params)
    assert set(g) == {"W", "b"}
    onp.testing.assert_allclose(g["W"], 2 * onp.ones((2, 3)))
    onp.testing.assert_allclose(g["b"][0], 2 * onp.ones(2))
    assert g["b"][1][0] == 0.0

    out, t = jvp(lambda p: {"s": np.sum(p["W"]), "v": p["W"] * 2}, (params,),
                 ({"W": onp.ones((2, 3)), "b": [onp.zeros(2), (onp.array(0.0),)]},))
    assert float(t["s"]) == 6.0 and t["v"].shape == (2, 3)

    y, pb = vjp(lambda a, b: (a * b, a + b), onp.ones(3), onp.full(3, 2.0))
    ga, gb = pb((onp.ones(3), onp.ones(3)))
    onp.testing.assert_allclose(ga, 3.0)
    onp.testing.assert_allclose(gb, 2.0)

    J = jacfwd(lambda d: d["x"] * d["y"])({"x": onp.ones(2), "y": onp.full(2, 3.0)})
    onp.testing.assert_allclose(J["x"], 3 * onp.eye(2))
    J = jacrev(lambda d: d["x"] * d["y"])({"x": onp.ones(2), "y": onp.full(2, 3.0)})
    onp.testing.assert_allclose(J["y"], onp.eye(2))


def test_argnums_and_aux():
    f = lambda x, y: x * y ** 2  # noqa: E731
    assert grad(f, argnum=(0, 1))(2.0, 3.0) == (9.0, 12.0)
    assert grad(f, argnums=1)(2.0, 3.0) == 12.0
    assert value_and_grad(f)(2.0, 3.0) == (18.0, 9.0)
    g, aux = grad_and_aux(lambda x: (x ** 2, "aux"))(3.0)
    assert (g, aux) == (6.0, "aux")


# -- Jacobians --------------------------------------------------------------------------------

def test_jacobian_picks_mode_by_size():
    # A primitive with only a forward rule works with jacobian exactly when
    # jacobian picks forward mode (outputs >= inputs); one with only a reverse rule works
    # in both, forward mode deriving its rule from the reverse one.
    only_fwd = Primitive(lambda x: onp.concatenate([x, x]), name="only_fwd")
    only_fwd.defjvp(lambda t, ans, x: np.concatenate([t, t], axis=-1))
    only_rev = Primitive(lambda x: onp.sum(x), name="only_rev")
    only_rev.defvjp(lambda g, ans, x: g[..., None] * onp.ones(x.shape))
    x = onp.arange(3.0)
    assert jacobian(lambda x: only_fwd(x))(x).shape == (6, 3)
    onp.testing.assert_allclose(jacobian(lambda x: only_rev(x))(x), onp.ones(3))
    with pytest.raises(MissingRuleError):
        jacrev(lambda x: only_fwd(x))(x)
    onp.testing.assert_allclose(jacfwd(lambda x: only_rev(x))(x), onp.ones(3))


def test_elementwise_grad_deriv_linearize():
    x = onp.linspace(-1, 1, 5)
    onp.testing.assert_allclose(elementwise_grad(np.tanh)(x), 1 - onp.tanh(x) ** 2)
    assert math.isclose(float(deriv(np.sin)(0.4)), math.cos(0.4))
    y, f_jvp = linearize(np.sin, x)
    onp.testing.assert_allclose(f_jvp(onp.ones(5)), onp.cos(x))
    vjp_fn, ans = make_vjp(np.sin)(x)
    onp.testing.assert_allclose(vjp_fn(onp.ones(5)), onp.cos(x))
    ans2, t = make_jvp(np.sin)(x)(onp.ones(5))
    onp.testing.assert_allclose(t, onp.cos(x))


def test_checkpoint_matches_plain():
    def block(x, W):
        return np.tanh(W @ x)
    ck = checkpoint(block)
    W = onp.random.default_rng(1).standard_normal((3, 3))
    x = onp.ones(3)
    f_plain = lambda W: np.sum(block(block(x, W), W))  # noqa: E731
    f_ck = lambda W: np.sum(ck(ck(x, W), W))  # noqa: E731
    onp.testing.assert_allclose(grad(f_ck)(W), grad(f_plain)(W), rtol=1e-12)
    onp.testing.assert_allclose(jacfwd(f_ck)(W), jacfwd(f_plain)(W), rtol=1e-12)


# -- complex numbers (autograd's conventions) ---------------------------------------------------

def test_holomorphic_and_real_valued_complex():
    z = 1.0 + 2.0j
    assert holomorphic_grad(lambda z: z ** 2)(z) == 2 * z
    assert holomorphic_grad(np.exp)(z) == onp.exp(z)
    # real-valued f(z): grad = df/dx - i df/dy (autograd's convention)
    assert grad(lambda z: np.abs(z) ** 2)(z) == pytest.approx(2 * onp.conj(z))
    assert grad(lambda z: np.real(z * (1 - 1j)))(z) == pytest.approx(1 - 1j)  # f = x + y


# -- subgradients at kinks are finite -----------------------------------------------------------

def test_abs_and_norm_at_zero_are_finite():
    assert float(grad(np.abs)(0.0)) == 0.0
    assert float(grad(lambda x: np.sqrt(np.sum(x * x) + 1e-300) * 0 + np.sum(np.abs(x)))(
        onp.zeros(3)).sum()) == 0.0


# -- in-place writes ---------------------------------------------------------------------------

def test_setitem_and_iadd_on_traced_arrays():
    def f(x):
        a = x * 1.0
        a[1] = a[0] * 3.0
        a += 1.0
        return np.sum(a * a)
    x = onp.array([1.0, 2.0, 3.0])
    # a = [x0+1, 3x0+1, x2+1]
    expected = onp.array([2 * (x[0] + 1) + 6 * (3 * x[0] + 1), 0.0, 2 * (x[2] + 1)])
    onp.testing.assert_allclose(grad(f)(x), expected)
    onp.testing.assert_allclose(jacfwd(f)(x), expected)


# -- loud errors ---------------------------------------------------------------------------------

def test_error_messages():
    with pytest.raises(TypeError, match="scalar output"):
        grad(lambda x: x * 2.0)(onp.ones(3))
    # integers are differentiated as the real numbers they are (autograd does so too)
    assert grad(lambda x: x * 2.0)(onp.array(3)) == 2.0
    assert grad(lambda x: x ** 2.0)(3) == 6.0
    onp.testing.assert_array_equal(jacobian(lambda x: x * 2.0)(onp.arange(2)), 2 * onp.eye(2))
    with pytest.raises(TypeError, match="dtype bool"):
        grad(lambda x: np.sum(x))(onp.array([True, False]))

    nope = Primitive(onp.sinc, name="my_op")
    with pytest.raises(MissingRuleError, match=r"'my_op' has no reverse-mode .*defvjp"):
        grad(lambda x: nope(x))(1.0)
    with pytest.raises(MissingRuleError, match=r"'my_op' has no forward-mode .*defjvp"):
        jvp(lambda x: nope(x), (1.0,), (1.0,))

    def write_into_plain(x):
        out = onp.zeros((3, 2))
        out[0] = x
        return np.sum(out)
    with pytest.raises(TracedWriteError, match="np.stack"):
        grad(write_into_plain)(onp.ones(2))

    def write_scalar_into_plain(x):
        out = onp.zeros(3)
        out[0] = x
        return np.sum(out)
    # chainrule's error is what the user sees (a TypeError, as autograd raises), not
    # NumPy's "setting an array element with a sequence" with ours as its cause.
    with pytest.raises(TracedWriteError, match="np.stack") as info:
        grad(write_scalar_into_plain)(1.0)
    assert isinstance(info.value, TypeError) and info.value.__cause__ is None

    with pytest.raises(TracedWriteError, match="float"):
        grad(lambda x: float(x))(1.0)


def test_untraced_calls_are_plain_numpy():
    x = onp.arange(3.0)
    assert type(np.sin(x)) is onp.ndarray
    assert type(np.sum(x)) is onp.float64
    assert type(x @ onp.eye(3)) is onp.ndarray
