"""Complex Jacobians are the same in every mode (jacfwd, jacrev, jacobian, hessian).

* Real inputs, complex outputs: every mode gives the complex Jacobian ∂y/∂x,
  what finite differences give.
* Complex inputs: a complex Jacobian exists only for holomorphic functions,
  so (as in JAX) a complex input raises ``TypeError`` unless
  ``holomorphic=True``; then every mode gives f'(z).

The rule table (tests/test_rule_table.py) checks the same on every entry;
these are the cases of the review that found the inconsistency, and the
edges of the decision.
"""

import warnings

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import (
    hessian, holomorphic_grad, jacfwd, jacobian, jacrev, tensor_jacobian_product, vjp,
)
from chainrule.test_util import numerical_jacobian

MODES = [jacfwd, jacrev, jacobian]
rng = onp.random.default_rng(0)
X = rng.standard_normal(5)
Z = rng.standard_normal(3) + 1j * rng.standard_normal(3)


def _ids(fs):
    return [f.__name__ for f in fs]


# -- the review's reproducers ------------------------------------------------------------

@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_fft_slice_jacobian_is_complex(jac):
    # 2 complex outputs of 5 real inputs: jacobian picks reverse mode, which
    # used to return Re J only (float64) while jacfwd returned J.
    f = lambda x: np.fft.fft(x)[:2]
    J = jac(f)(X)
    want = onp.exp(-2j * onp.pi * onp.outer(onp.arange(2), onp.arange(5)) / 5)
    assert J.dtype == onp.complex128
    onp.testing.assert_allclose(J, want, atol=1e-12)
    onp.testing.assert_allclose(J, numerical_jacobian(f, X), atol=1e-6)


@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_real_times_complex_constant(jac):
    # jacrev used to give -0.35 (the real part only).
    c = -0.35 + 0.28j
    J = jac(lambda x: x * c)(0.5)
    assert complex(J) == c
    onp.testing.assert_allclose(J, numerical_jacobian(lambda x: x * c, 0.5), atol=1e-9)


def test_vjp_convention_behind_jacrev():
    # For real x and y = c·x the pullback of g is Re(g·c): 1 gives Re c and
    # -1j gives Im c, which is how jacrev assembles J = Re J + i·Im J.
    c = 2.0 - 3.0j
    _, pb = vjp(lambda x: x * c, 0.5)
    assert pb(1.0) == (c.real,)
    assert pb(-1j) == (c.imag,)


@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_complex_output_with_real_tangent_is_complex(jac):
    # c + x: the tangent is real, the Jacobian of the complex output is not.
    J = jac(lambda x: x + (1.0 + 2.0j))(X[:3])
    assert J.dtype == onp.complex128
    onp.testing.assert_array_equal(J, onp.eye(3))


# -- complex inputs ------------------------------------------------------------------------

ALL = [jacfwd, jacrev, jacobian, hessian]


@pytest.mark.parametrize("jac", ALL, ids=_ids(ALL))
@pytest.mark.parametrize("z", [Z, 1.0 + 2.0j, (X, Z)], ids=["array", "python", "container"])
def test_complex_input_needs_holomorphic(jac, z):
    f = lambda z: np.sum(np.abs(z[1] if isinstance(z, tuple) else z) ** 2)
    with pytest.raises(TypeError) as e:
        jac(f)(z)
    msg = str(e.value)
    assert jac.__name__ in msg and "complex input" in msg
    for what in ("holomorphic=True", "jvp", "vjp", "real and imaginary parts"):
        assert what in msg, what


HOLOMORPHIC = {
    "square": (lambda z: z ** 2, lambda z: onp.diag(2 * z)),
    "exp": (lambda z: np.exp(z), lambda z: onp.diag(onp.exp(z))),
    "matvec": (lambda z: np.array([[1.0, 2j, 0.5], [0.0, -1.0, 1 + 1j]]) @ z,
               lambda z: onp.array([[1.0, 2j, 0.5], [0.0, -1.0, 1 + 1j]])),
    "sum-cube": (lambda z: np.sum(z ** 3), lambda z: 3 * z ** 2),
}


@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_holomorphic_every_mode_gives_the_derivative(name):
    f, df = HOLOMORPHIC[name]
    for jac in MODES:
        J = jac(f, holomorphic=True)(Z)
        onp.testing.assert_allclose(J, df(Z), rtol=1e-12, err_msg=jac.__name__)


def test_holomorphic_scalar_agrees_with_holomorphic_grad():
    f = lambda z: np.sin(z) * z
    z = 0.3 - 1.2j
    want = holomorphic_grad(f)(z)
    for jac in MODES:
        assert onp.allclose(jac(f, holomorphic=True)(z), want), jac.__name__


def test_holomorphic_hessian():
    H = hessian(lambda z: np.sum(z ** 3), holomorphic=True)(Z)
    onp.testing.assert_allclose(H, onp.diag(6 * Z), rtol=1e-12)


@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_holomorphic_mixed_real_and_complex_inputs(jac):
    # A real leaf next to a complex one: ∂y/∂x for the real leaf, f'(z) for
    # the complex one, with no ComplexWarning from casting seeds.
    x = X[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jx, jz = jac(lambda a: a[0] * a[1] ** 2, holomorphic=True)((x, Z))
    onp.testing.assert_allclose(jx, onp.diag(Z ** 2), rtol=1e-12)
    onp.testing.assert_allclose(jz, onp.diag(2 * x * Z), rtol=1e-12)


# -- real inputs, complex outputs -------------------------------------------------------------

def test_hessian_of_complex_output():
    H = hessian(lambda x: np.sum(np.exp(1j * x)))(X)
    onp.testing.assert_allclose(H, onp.diag(-onp.exp(1j * X)), atol=1e-12)
    onp.testing.assert_allclose(H, jacfwd(jacfwd(lambda x: np.sum(np.exp(1j * x))))(X),
                                atol=1e-12)


@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_real_and_complex_output_leaves(jac):
    f = lambda x: {"spectrum": np.fft.rfft(x), "real": np.sin(x[:2]), "scalar": x[0] * 1j}
    J = jac(f)(X)
    assert J["real"].dtype == onp.float64 and J["spectrum"].dtype == onp.complex128
    for key in J:
        onp.testing.assert_allclose(J[key], numerical_jacobian(lambda x: f(x)[key], X),
                                    atol=1e-6, err_msg=key)


@pytest.mark.parametrize("jac", MODES, ids=_ids(MODES))
def test_complex64(jac):
    x = X.astype(onp.float32)
    J = jac(lambda x: np.astype(x, onp.complex64) * onp.complex64(1 - 2j))(x)
    assert J.dtype == onp.complex64
    onp.testing.assert_allclose(J, (1 - 2j) * onp.eye(5), rtol=1e-6)


def test_jacobian_counts_complex_outputs_twice_when_choosing_the_mode():
    # 3 real inputs, 2 complex outputs: reverse mode would pull back 4
    # cotangents, forward mode pushes 3 tangents, so forward mode wins (the
    # function runs on the tape, then once more in forward mode).
    calls = []

    def f(x):
        calls.append(type(x))
        return np.fft.fft(x)[:2]
    J = jacobian(f)(X[:3])
    assert len(calls) == 2
    onp.testing.assert_allclose(J, jacfwd(f)(X[:3]), atol=1e-12)


def test_real_outputs_stay_real():
    f = lambda x: np.tanh(np.array([[1.0, 2.0, 0.5, 0.0, 1.0]]) @ x)
    for jac in MODES:
        J = jac(f)(X)
        assert J.dtype == onp.float64, jac.__name__
        onp.testing.assert_allclose(J, numerical_jacobian(f, X), atol=1e-7)


def test_tensor_jacobian_product_of_complex_input_still_works():
    # V covers the output's leading axis only, so this goes through jacobian.
    A = onp.array([[1.0, 2j], [0.5, -1.0], [1j, 1.0]])
    f = lambda z: np.outer(A @ z, onp.ones(2))
    V = onp.array([1.0, -2.0, 0.5])
    want = onp.einsum("i,ij->j", V, A)[None, :].repeat(2, 0)
    onp.testing.assert_allclose(tensor_jacobian_product(f)(Z[:2], V), want, atol=1e-12)
