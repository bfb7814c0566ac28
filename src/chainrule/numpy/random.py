"""``chainrule.numpy.random``: NumPy's random module.

Random samples are constants to chainrule: they carry no derivative, so
these are NumPy's own classes (``default_rng``, ``Generator``,
``RandomState``...) and NumPy's functions of the global state (``randn``,
``seed``, ``normal``...). A traced value passed as a distribution parameter
(``normal(loc=x)``) raises a clear error rather than silently dropping the
derivative; to differentiate through a sample, reparameterize:
``x + scale * np.random.standard_normal(shape)``.

The functions of the global state and ``default_rng`` are NumPy's behind
one check: while :func:`chainrule.jit` records on this thread, each call is
recorded, so that every replay draws new numbers as an eager call would
(instead of replaying the recorded ones).

>>> import chainrule.numpy as np
>>> np.random.seed(0)
>>> np.random.randn(2).shape
(2,)
>>> np.random.default_rng(0).standard_normal(3).shape
(3,)
"""

import functools as _functools

import numpy.random as _npr
from numpy.random import *  # noqa: F401,F403

from .._jit._record import JitError as _JitError
from .._jit._record import current as _recording
from .._jit._record import record_random as _record_random

__all__ = list(_npr.__all__)

_CLASSES = {"Generator", "RandomState", "SeedSequence", "BitGenerator", "MT19937", "Philox",
            "PCG64", "PCG64DXSM", "SFC64"}
_STATE = {"get_state", "set_state"}


def _recorded(fn):
    @_functools.wraps(fn)
    def call(*args, **kwargs):
        if _recording() is None:
            return fn(*args, **kwargs)
        return _record_random(fn, args, kwargs)
    return call


def _unrecordable(fn):
    @_functools.wraps(fn)
    def call(*args, **kwargs):
        if _recording() is not None:
            raise _JitError(f"chainrule.jit: numpy.random.{fn.__name__} inside a jitted function "
                            "cannot be recorded; call it outside.")
        return fn(*args, **kwargs)
    return call


for _name in __all__:
    if _name not in _CLASSES:
        globals()[_name] = (_unrecordable if _name in _STATE else _recorded)(getattr(_npr, _name))
del _name


def __getattr__(name):
    # Anything else NumPy's random module has (bit_generator, mtrand...).
    return getattr(_npr, name)
