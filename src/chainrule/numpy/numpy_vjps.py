"""autograd's ``autograd.numpy.numpy_vjps``, for code written for autograd: a thin module
over :mod:`chainrule.autograd_compat.numpy_vjps`,
where the code and its documentation are."""

from ..autograd_compat import numpy_vjps as _impl
from ..autograd_compat.numpy_vjps import *  # noqa: F401,F403

__all__ = _impl.__all__


def __getattr__(name):  # the compatibility module's other names too
    return getattr(_impl, name)
