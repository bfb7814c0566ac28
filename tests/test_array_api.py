"""Strict array API arrays (array_api_strict): refused loudly, never converted.

NumPy's functions would convert such arrays to NumPy arrays through
``__array__`` (a silent host round trip: on a non-CPU device it raises deep
inside instead). Until the rules run on them, the transforms refuse them
with an ArrayLibraryError naming the library (README, "Other array
libraries").
"""

import pytest

xps = pytest.importorskip("array_api_strict", reason="needs array-api-strict (the dev extra)")

import chainrule  # noqa: E402
import chainrule.numpy as np  # noqa: E402
from chainrule.core.errors import ArrayLibraryError  # noqa: E402
from chainrule.numpy._wrap import kind  # noqa: E402


@pytest.mark.parametrize("transform", [
    lambda f, x: chainrule.grad(f)(x),
    lambda f, x: chainrule.vjp(f, x),
    lambda f, x: chainrule.jvp(f, (x,), (x,)),
    lambda f, x: chainrule.value_and_grad(f)(x),
])
def test_refused_with_the_library_named(transform):
    x = xps.asarray([1.0, 2.0])
    with pytest.raises(ArrayLibraryError, match="array_api_strict.*not supported yet"):
        transform(lambda x: np.sum(np.sin(x)), x)


def test_dtype_kind_of_array_api_dtypes():
    assert kind(xps.float64) == "f" and kind(xps.complex64) == "c"
    assert kind(xps.int32) == "i" and kind(xps.bool) == "b"
