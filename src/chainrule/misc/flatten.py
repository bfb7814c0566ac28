"""autograd's ``autograd.misc.flatten``, for code written for autograd: a thin module
over :mod:`chainrule.autograd_compat.misc.flatten`,
where the code and its documentation are."""

import importlib

from ..autograd_compat.misc.flatten import *  # noqa: F401,F403

# The module itself (the package's attribute of that name may be a function).
_impl = importlib.import_module("chainrule.autograd_compat.misc.flatten")
__all__ = _impl.__all__


def __getattr__(name):  # the compatibility module's other names too
    return getattr(_impl, name)
