"""Doctests print NumPy scalars as plain numbers (``8.0``, not ``np.float64(8.0)``)."""

import numpy
import pytest


@pytest.fixture(autouse=True)
def _plain_scalar_repr(doctest_namespace):
    numpy.set_printoptions(legacy="1.25")
    yield
    numpy.set_printoptions(legacy=False)
