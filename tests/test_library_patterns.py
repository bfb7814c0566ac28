"""Patterns from libraries built on autograd (lifelines, reliability) that chainrule
must take as autograd does, each reproduced here without the library."""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import elementwise_grad, grad


class Labelled:
    """A container in the manner of a pandas ``DataFrame``: its own ``__array_ufunc__``
    (ufuncs return a ``Labelled``), ``__array__``, no ``__array_function__``."""

    def __init__(self, values, labels):
        self.values = onp.asarray(values, dtype=float)
        self.labels = list(labels)

    @property
    def shape(self):
        return self.values.shape

    @property
    def ndim(self):
        return self.values.ndim

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raw = [i.values if isinstance(i, Labelled) else i for i in inputs]
        out = getattr(ufunc, method)(*raw, **kwargs)
        # as pandas does: the result keeps this container's labels, whatever its length
        if len(out) != len(self.labels):
            raise ValueError(f"Length of values ({len(out)}) does not match length of "
                             f"index ({len(self.labels)})")
        return Labelled(out, self.labels)


def test_dot_of_a_container_is_an_ndarray_as_numpy_dot():
    # np.dot converts its operands with asarray (np.matmul, a ufunc, would hand the
    # call to the container); autograd's dot wraps np.dot.
    X = Labelled([[1.0, 2.0]], ["row0"])
    w = onp.array([0.5, 0.25])
    assert type(onp.dot(X, w)) is onp.ndarray
    assert type(np.dot(X, w)) is onp.ndarray
    onp.testing.assert_array_equal(np.dot(X, w), onp.dot(X, w))


def test_dot_of_a_container_plus_a_traced_column():
    # lifelines' stratified Cox models (_cumulative_hazard_with_strata) at prediction
    # time: dot(one-row frame, beta) + phi * log(T) with T traced, a column of 4 times.
    X = Labelled([[1.0, 2.0]], ["row0"])
    w = onp.array([0.5, 0.25])
    T = onp.arange(1.0, 5.0).reshape(4, 1)

    def H(T):
        return np.exp(np.dot(X, w) + 2.0 * np.log(T))

    # d/dT exp(1 + 2 log T) = 2 e T
    onp.testing.assert_allclose(elementwise_grad(H)(T), 2 * onp.e * T, rtol=1e-12)


def test_dot_of_a_container_and_a_traced_vector():
    X = Labelled([[1.0, 2.0], [3.0, 4.0]], ["a", "b"])
    g = grad(lambda w: np.sum(np.dot(X, w) ** 2))(onp.array([0.5, 0.25]))
    A = X.values
    onp.testing.assert_allclose(g, 2 * A.T @ (A @ onp.array([0.5, 0.25])), rtol=1e-12)


def test_dot_of_a_pandas_frame_plus_a_traced_column():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame([[1.0, 2.0]], index=pd.Index([0], name="strata"))
    w = onp.array([0.5, 0.25])
    T = onp.arange(1.0, 50.0).reshape(49, 1)
    H = lambda T: np.exp(np.dot(X, w) + 2.0 * np.log(T))  # noqa: E731
    assert type(np.dot(X, w)) is onp.ndarray
    onp.testing.assert_allclose(elementwise_grad(H)(T), 2 * onp.e * T, rtol=1e-12)
