"""autograd's ``autograd.numpy.numpy_wrapper``: every name of ``chainrule.numpy``
(autograd's module holds every name of ``autograd.numpy``), and autograd's own
helpers: :func:`make_diagonal`, :func:`wrap_namespace`, :func:`metadata`,
:func:`array_from_args`, :func:`concatenate_args`, :func:`wrap_intdtype`,
:func:`wrap_if_boxes_inside`, ``numpy_version`` and ``notrace_functions``.

>>> import chainrule.numpy as np
>>> make_diagonal(np.array([1.0, 2.0]), axis1=-1, axis2=-2)
array([[1., 0.],
       [0., 2.]])
"""

import numpy as _np

from .. import numpy as _cnp
from ..core.engine import getval as _getval
from ..extend import notrace_primitive as _notrace_primitive
from ..extend import primitive as _primitive
from .numpy_vjps import metadata  # noqa: F401 - autograd.numpy.numpy_wrapper.metadata

_OWN = ["array_from_args", "concatenate_args", "make_diagonal", "metadata", "notrace_functions",
        "numpy_version", "parse_einsum_input", "wrap_if_boxes_inside", "wrap_intdtype",
        "wrap_namespace"]
_NUMPY_NAMES = [n for n in dir(_cnp) if not n.startswith("_") and n not in _OWN]
globals().update({n: getattr(_cnp, n) for n in _NUMPY_NAMES})

__all__ = sorted(_NUMPY_NAMES + _OWN)

numpy_version = _np.__version__
notrace_functions = [_np.ndim, _np.shape, _np.iscomplexobj, _np.result_type]

try:
    from numpy._core.einsumfunc import _parse_einsum_input as parse_einsum_input
except ImportError:  # NumPy 1.x
    from numpy.core.einsumfunc import _parse_einsum_input as parse_einsum_input  # noqa: F401


def make_diagonal(D, offset=0, axis1=0, axis2=1):
    """Arrays with ``D``'s last axis on their diagonal: shape ``D.shape + (n,)``,
    the complement of ``np.diagonal`` (autograd's function; like autograd, only
    ``offset=0, axis1=-1, axis2=-2``). Differentiable in ``D``."""
    if not (offset == 0 and axis1 == -1 and axis2 == -2):
        raise NotImplementedError(
            "Currently make_diagonal only supports offset=0, axis1=-1, axis2=-2")
    n = _cnp.shape(D)[-1]
    return _cnp.expand_dims(D, -1) * _np.eye(n, dtype=_cnp.result_type(_getval(D)))


def array_from_args(array_args, array_kwargs, *args):
    """``np.array(args, *array_args, **array_kwargs)``."""
    return _cnp.array(args, *array_args, **array_kwargs)


def concatenate_args(axis, *args):
    """``np.concatenate(args, axis)``."""
    return _cnp.concatenate(args, axis)


def wrap_if_boxes_inside(raw_array, slow_op_name=None):
    """An object array holding traced values as one traced array; any other array as is."""
    if raw_array.dtype is _np.dtype("O"):
        return _cnp.array(list(raw_array.ravel())).reshape(raw_array.shape)
    return raw_array


def wrap_intdtype(cls):
    """An integer scalar type whose constructor looks through traced values."""
    class IntdtypeSubclass(cls):
        __new__ = _notrace_primitive(cls.__new__)
    return IntdtypeSubclass


def wrap_namespace(old, new):
    """autograd's: every function of the namespace ``old`` as a primitive (with
    no rules yet) in ``new``; integer types look through traced values; numbers,
    ``None`` and types are copied."""
    unchanged_types = {float, int, type(None), type}
    int_types = {_np.int8, _np.int16, _np.int32, _np.int64, _np.integer}
    wrapped_of = []
    for name, obj in old.items():
        for seen, wrapped in wrapped_of:
            if seen is obj:
                new[name] = wrapped
                break
        else:
            if obj in notrace_functions:
                wrapped = _notrace_primitive(obj)
            elif callable(obj) and type(obj) is not type:
                wrapped = _primitive(obj)
            elif type(obj) is type and obj in int_types:
                wrapped = wrap_intdtype(obj)
            elif type(obj) in unchanged_types:
                new[name] = obj
                continue
            else:
                continue
            new[name] = wrapped
            wrapped_of.append((obj, wrapped))
