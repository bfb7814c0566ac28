"""The first mistakes a new user makes get a clear answer, never a silent zero or a
message from deep inside NumPy. One test per mistake, asserting what the message says."""

import warnings

import numpy as onp
import pytest
import scipy.special

import chainrule
import chainrule.numpy as np
from chainrule import IndependentOutputWarning, grad, jacobian, value_and_grad
from chainrule.core.errors import TracedWriteError

X = onp.array([1.0, 2.0, 3.0])


def test_a_forgotten_return_warns_that_the_output_does_not_depend_on_the_argument():
    def f(v):
        np.sum(v ** 2)  # no return
    with pytest.warns(IndependentOutputWarning, match=r"does not depend on its argument 0.*"
                                                      r"returned None: a forgotten return"):
        g = grad(f)(X)
    assert onp.array_equal(g, onp.zeros(3))


@pytest.mark.parametrize("transform", [grad, value_and_grad, jacobian])
def test_a_constant_function_warns(transform):
    with pytest.warns(IndependentOutputWarning, match="does not depend on its argument 0"):
        transform(lambda v: 1.0)(X)


def test_the_warning_can_be_made_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error", IndependentOutputWarning)
        with pytest.raises(IndependentOutputWarning, match="simplefilter"):
            grad(lambda v: 1.0)(X)
    assert chainrule.IndependentOutputWarning is IndependentOutputWarning


def test_a_zero_that_depends_on_the_argument_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", IndependentOutputWarning)
        assert onp.array_equal(grad(lambda v: np.sum(v * 0.0))(X), onp.zeros(3))


def test_a_tuple_output_points_at_has_aux():
    with pytest.raises(TypeError, match=r"scalar output.*tuple of 2.*has_aux=True"):
        grad(lambda v: (np.sum(v ** 2), 1.0))(X)
    g, aux = grad(lambda v: (np.sum(v ** 2), 1.0), has_aux=True)(X)
    assert onp.allclose(g, 2 * X) and aux == 1.0


@pytest.mark.parametrize("kw", [{"argnum": 2}, {"argnums": (0, 5)}])
def test_an_argument_number_out_of_range_names_the_argument_count(kw):
    bad = 2 if "argnum" in kw else 5
    with pytest.raises(IndexError, match=rf"argument {bad} .*called with 2 positional "
                                         r"arguments \(numbered 0 to 1\)"):
        grad(lambda a, b: a * b, **kw)(1.0, 2.0)


def test_raw_scipy_special_points_at_chainrule_scipy_special():
    with pytest.raises(TracedWriteError, match=r"use chainrule\.scipy\.special\.gamma"):
        grad(lambda v: scipy.special.gamma(v))(1.5)


def test_a_string_argument_says_so():
    with pytest.raises(TypeError, match=r"is a str \('1\.0'\); pass a number, e\.g\. float"):
        grad(np.sin)("1.0")


def test_augmented_assignment_on_a_plain_array_rebinds():
    K = onp.ones(3)

    def f(x):
        v1 = K * 1.0
        v1 *= x
        return np.sum(v1)
    assert grad(f)(2.0) == pytest.approx(3.0)


def test_writing_a_traced_value_into_a_plain_array_is_a_type_error_first():
    def f(x):
        a = onp.zeros(3)
        a[1] = x
        return np.sum(a)
    with pytest.raises(TypeError) as e:
        grad(f)(1.0)
    assert isinstance(e.value, TracedWriteError)  # not NumPy's ValueError with ours as cause
    assert "np.stack" in str(e.value)
