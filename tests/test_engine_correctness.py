"""Engine-level correctness: a real value's cotangent is real whatever path its rule
takes (the backward sweep projects), and Python numbers divide as NumPy does."""

import warnings

import numpy as onp
import pytest

import chainrule as cr
import chainrule.numpy as np

K = onp.array([1 + 2j, 3 - 1j, 0.5j, 2])
Z0 = onp.array([1 + 1j, 2 - 0.5j, -1 + 0.3j, 0.2 + 2j])
C = onp.array([[1 + 1j, 2], [0.5j, 1]])
ZM = onp.array([[1 + 1j, 2 - 1j], [0.3j, 1]])


@pytest.mark.parametrize("f, ref, z", [
    (lambda z: np.real(K @ np.imag(z)), lambda z: np.sum(np.real(K * np.imag(z))), Z0),
    (lambda z: np.real(z.dot(np.angle(z))), lambda z: np.real(np.sum(z * np.angle(z))), Z0),
    (lambda z: np.real(np.vdot(K, np.imag(z))),
     lambda z: np.sum(np.real(np.conj(K) * np.imag(z))), Z0),
    (lambda z: np.real(np.trace(C @ np.imag(z))), lambda z: np.real(np.sum(C.T * np.imag(z))),
     ZM),
    (lambda z: np.real(np.sum(C @ np.imag(z))),
     lambda z: np.real(np.sum(np.sum(C, 0)[:, None] * np.imag(z))), ZM),
    (lambda z: np.real(np.sum(K[:2] @ np.imag(z))),
     lambda z: np.real(np.sum(K[:2, None] * np.imag(z))), ZM),
])
def test_real_parent_gets_real_cotangent(f, ref, z):
    want = cr.grad(ref)(z)
    onp.testing.assert_allclose(cr.grad(f)(z), want, atol=1e-12)
    onp.testing.assert_allclose(cr.value_and_grad(f)(z)[1], want, atol=1e-12)
    onp.testing.assert_allclose(cr.vjp(f, z)[1](1.0)[0], want, atol=1e-12)
    onp.testing.assert_allclose(cr.grad(lambda d: f(d["z"]))({"z": z})["z"], want, atol=1e-12)


def test_reverse_jacobian_through_complex_constant():
    x0 = Z0.real
    f = lambda x: np.real(K[:, None] * (K @ np.sin(x)))  # noqa: E731
    onp.testing.assert_allclose(cr.jacrev(f)(x0), cr.jacfwd(f)(x0), atol=1e-12)


def test_real_trace_skips_projection_complex_trace_does_not():
    from chainrule.core.engine import ReverseTrace
    t = ReverseTrace()
    np.sum(np.sin(t.new_input(onp.ones(3))) * 2.0)
    assert not t.complex
    t = ReverseTrace()
    np.sum(np.sin(t.new_input(onp.ones(3))) * K[:3])
    assert t.complex


def test_explain_sees_projected_cotangents():
    from chainrule.explain.passes import adjoints  # noqa: F401 (the engine's own sweep)
    g = cr.grad(lambda z: np.real(K @ np.imag(z)))(Z0)
    onp.testing.assert_allclose(g, [-1j, -3j, 0, -2j])


@pytest.mark.parametrize("f, x", [
    (lambda x: x / 0.0, 1.0), (lambda x: x / 0, 1.0), (lambda x: np.divide(x, 0.0), 1.0),
    (lambda x: 1.0 / x, 0.0), (lambda x: x ** -1.0, 0.0), (lambda x: 1.0 % x, 0.0),
    (lambda x: np.fmod(1.0, x), 0.0), (np.reciprocal, 0.0), (np.log, 0.0), (np.log10, 0.0),
    (np.log1p, -1.0), (np.arctanh, 1.0),
])
def test_python_numbers_divide_as_numpy_does(f, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = cr.grad(f)(x)
        _, t = cr.jvp(f, (x,), (1.0,))
        (v,) = cr.vjp(f, x)[1](1.0)
    assert not onp.isfinite(g) and not onp.isfinite(t) and not onp.isfinite(v)


def test_division_by_zero_warns():
    with pytest.warns(RuntimeWarning):
        assert cr.grad(lambda x: x / 0.0)(1.0) == onp.inf


@pytest.mark.parametrize("f", [np.max, np.min, np.amax, np.amin,
                               lambda x: np.sum(np.max(np.stack([x, x + 1]), axis=1))])
def test_nan_in_max_min_propagates_to_the_gradient(f):
    x = onp.array([1.0, onp.nan, 2.0])
    g = cr.grad(f)(x)
    assert onp.isnan(g[1]) and g[0] == 0 and g[2] == 0
    assert onp.isnan(cr.jvp(f, (x,), (onp.ones(3),))[1])


def test_nanmax_ignores_nan():
    onp.testing.assert_array_equal(cr.grad(np.nanmax)(onp.array([1.0, onp.nan, 2.0])), [0, 0, 1])
