"""Fast paths give what the general rules give: forward mode's fused
value-and-tangent rules (Primitive.value_and_jvp), and the first-order NumPy
shortcuts of the matrix-product rules."""

import numpy as onp
import pytest

import chainrule
import chainrule.numpy as np
from chainrule.core.engine import ForwardTrace, getval
from chainrule.numpy.products import matvec_p

rng = onp.random.default_rng(0)


def _push(A, x, t, batch_shape):
    trace = ForwardTrace(batch_shape)
    out = matvec_p(A, trace.new_input(x, t))
    return out._value, out._ref


@pytest.mark.parametrize("batch_shape", [(), (1,), (3,), (2, 2)])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32, onp.complex128])
def test_matvec_fused_equals_rules(monkeypatch, batch_shape, dtype):
    A = rng.standard_normal((4, 5)).astype(dtype)
    x = rng.standard_normal(5).astype(dtype)
    t = rng.standard_normal(batch_shape + (5,)).astype(dtype)
    calls = []
    fused = matvec_p.value_and_jvp
    monkeypatch.setattr(matvec_p, "value_and_jvp", lambda *a: calls.append(1) or fused(*a))
    ans, tan = _push(A, x, t, batch_shape)
    assert calls, "the fused path was not taken"
    monkeypatch.setattr(matvec_p, "value_and_jvp", None)
    ans0, tan0 = _push(A, x, t, batch_shape)
    tol = 1e-5 if dtype == onp.float32 else 1e-12
    onp.testing.assert_allclose(ans, ans0, rtol=tol)
    onp.testing.assert_allclose(tan, tan0, rtol=tol, atol=tol)
    assert ans.dtype == ans0.dtype and tan.dtype == tan0.dtype
    assert tan.shape == batch_shape + (4,)


def test_matvec_fused_declines_what_it_cannot_fuse():
    A, x = rng.standard_normal((3, 2)), rng.standard_normal(2)
    assert matvec_p.value_and_jvp([(0, onp.ones((3, 2)))], A, x) is None  # A traced
    assert matvec_p.value_and_jvp([(1, onp.ones(2, onp.float32))], A, x) is None  # dtypes differ
    assert matvec_p.value_and_jvp([(0, A), (1, x)], A, x) is None  # both traced


def test_hvp_through_the_fused_product():
    A = rng.standard_normal((6, 6))
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    hv = chainrule.hvp(lambda x: np.sum(np.log(1.0 + np.exp(A @ x))))(x, v)
    s = 1 / (1 + onp.exp(-(A @ x)))
    onp.testing.assert_allclose(getval(hv), A.T @ (s * (1 - s) * (A @ v)), rtol=1e-12)


def test_gradient_of_a_transposed_weight_is_c_contiguous():
    # x @ W.T: W's cotangent is computed as (gᵀx)ᵀ so that it has W's layout.
    X, W = rng.standard_normal((5, 4)), rng.standard_normal((3, 4))
    gW = chainrule.grad(lambda W: np.sum(np.tanh(X @ W.T)))(W)
    onp.testing.assert_allclose(gW, ((1 - onp.tanh(X @ W.T) ** 2).T @ X), rtol=1e-12)
    assert gW.flags.c_contiguous
