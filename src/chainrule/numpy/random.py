"""``chainrule.numpy.random``: NumPy's random module, unchanged.

Random samples are constants to chainrule: they carry no derivative, so
these are NumPy's own functions and classes (``randn``, ``seed``,
``default_rng``, ``Generator``, ``RandomState``...). A traced value passed
as a distribution parameter (``normal(loc=x)``) raises a clear error rather
than silently dropping the derivative; to differentiate through a sample,
reparameterize: ``x + scale * np.random.standard_normal(shape)``.

>>> import chainrule.numpy as np
>>> np.random.seed(0)
>>> np.random.randn(2).shape
(2,)
>>> np.random.default_rng(0).standard_normal(3).shape
(3,)
"""

import numpy.random as _npr
from numpy.random import *  # noqa: F401,F403

__all__ = list(_npr.__all__)


def __getattr__(name):
    # Anything else NumPy's random module has (bit_generator, mtrand...).
    return getattr(_npr, name)
