"""A primitive with only reverse rules (autograd's extensions often define just
``defvjp``) works under every transform: forward mode derives its rule from the
reverse one (the transpose of the linear map g -> VJP(g), taken by reverse mode)."""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import hessian, hvp, jacfwd, jacobian, jvp
from chainrule.extend import defvjp, primitive
from chainrule.numpy.numpy_vjps import unbroadcast_f
from chainrule.test_util import check_grads


@primitive
def safe_exp(x):  # as a survival-analysis library defines it
    return onp.exp(onp.clip(x, -500.0, 500.0))


defvjp(safe_exp, lambda ans, x: lambda g: g * ans)


@primitive
def scaled(a, x):  # a broadcast scalar, autograd's unbroadcast_f
    return a * x


defvjp(scaled, lambda ans, a, x: unbroadcast_f(a, lambda g: g * x),
       lambda ans, a, x: unbroadcast_f(x, lambda g: g * a))

X = onp.array([0.1, -0.4, 0.7])


def test_hessian():
    f = lambda x: np.sum(safe_exp(x) * x)
    onp.testing.assert_allclose(hessian(f)(X), onp.diag(onp.exp(X) * (2 + X)), rtol=1e-12)


def test_jacfwd_and_jvp():
    onp.testing.assert_allclose(jacfwd(safe_exp)(X), onp.diag(onp.exp(X)), rtol=1e-12)
    y, t = jvp(safe_exp, (X,), (onp.ones(3),))
    onp.testing.assert_allclose(t, onp.exp(X), rtol=1e-12)


def test_hvp():
    f = lambda x: np.sum(safe_exp(2.0 * x))
    onp.testing.assert_allclose(hvp(f)(X, onp.ones(3)), 4 * onp.exp(2 * X), rtol=1e-12)


def test_two_arguments_broadcast():
    f = lambda a, x: np.sum(scaled(a, x) ** 2)
    H = hessian(f, argnums=(0, 1))(2.0, X)
    assert onp.shape(H[0][0]) == () and H[1][1].shape == (3, 3)
    onp.testing.assert_allclose(H[0][0], 2 * onp.sum(X ** 2), rtol=1e-12)
    onp.testing.assert_allclose(jacobian(lambda x: scaled(2.0, x))(X), 2 * onp.eye(3))


@pytest.mark.parametrize("order", [1, 2])
def test_every_mode_against_finite_differences(order):
    check_grads(lambda x: scaled(1.5, safe_exp(x)), modes=("fwd", "rev"), order=order)(X)
