"""A traced value stored during a transform and used after it returned.

Each case must raise EscapedTraceError naming the function that let the
value escape; none may compute a silently wrong (box-free) result.
"""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import grad, jvp, value_and_grad
from chainrule.core.errors import ChainruleError, EscapedTraceError


def _leak_reverse():
    store = []

    def leaky_loss(x):
        store.append(x)
        return np.sum(np.sin(x))

    grad(leaky_loss)(np.ones(3))
    return store[-1]


USES = {
    "sin": lambda v: np.sin(v),
    "add": lambda v: v + 1.0,
    "compare": lambda v: v > 0,
    "bool": lambda v: bool(v[0] > 0),
    "float": lambda v: float(v[0]),
    "len": lambda v: len(v),
    "asarray": lambda v: onp.asarray(v),
    "raw_numpy_ufunc": lambda v: onp.sin(v),
    "setitem": lambda v: v.__setitem__(0, 1.0),
    "in_a_later_grad": lambda v: grad(lambda y: np.sum(y * v))(np.ones(3)),
    "returned_from_a_later_grad":
        lambda v: value_and_grad(lambda y: np.sum(y) + v[0])(np.ones(3)),
}


@pytest.mark.parametrize("use", sorted(USES))
def test_reverse_escape_is_loud(use):
    leaked = _leak_reverse()
    with pytest.raises(EscapedTraceError) as info:
        USES[use](leaked)
    msg = str(info.value)
    assert "leaky_loss" in msg and "test_escaped.py" in msg
    assert "escaped" in msg and "getval" in msg
    assert isinstance(info.value, ChainruleError)


def test_metadata_and_repr_still_work():
    leaked = _leak_reverse()
    assert leaked.shape == (3,)
    assert "escaped" in repr(leaked)


def test_forward_escape_is_loud():
    store = []

    def forward_leak(x):
        store.append(x)
        return x * 2

    jvp(forward_leak, (1.0,), (1.0,))
    with pytest.raises(EscapedTraceError, match="forward_leak"):
        np.cos(store[-1])


def test_inner_escape_into_outer_trace():
    def outer(x):
        inner = []

        def inner_leak(y):
            inner.append(y)
            return y * x

        d = grad(inner_leak)(x)
        return d * inner[0]

    with pytest.raises(EscapedTraceError, match="inner_leak"):
        grad(outer)(2.0)


def test_generator_built_inside_consumed_outside():
    holder = {}

    def gen_loss(x):
        holder["g"] = (x * i for i in range(3))
        return x * 1.0

    grad(gen_loss)(1.0)
    with pytest.raises(EscapedTraceError, match="gen_loss"):
        list(holder["g"])


def test_returned_values_are_not_escapes():
    # has_aux-style returns and nested use inside the call stay legal.
    def f(x):
        y = np.sin(x)
        return np.sum(y), y

    g, aux = grad(f, has_aux=True)(np.ones(2))
    assert onp.allclose(g, onp.cos(1.0))
    assert onp.allclose(aux, onp.sin(1.0))
    assert grad(lambda x: grad(lambda y: y * x)(x) * x)(3.0) == 6.0
