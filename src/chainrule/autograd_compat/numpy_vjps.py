"""autograd's ``autograd.numpy.numpy_vjps``: the helpers that extensions written
for autograd import from it (``unbroadcast_f`` above all, and
``repeat_to_match_shape``, ``untake``, ``balanced_eq``, ``replace_zero``...).

chainrule's own rules live with their primitives in ``chainrule.numpy``; what
is here is autograd's helpers with autograd's signatures, written with
``chainrule.numpy`` so that rules built on them are differentiable again.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> from chainrule.extend import primitive, defvjp
>>> add = primitive(lambda x, y: x + y)
>>> defvjp(add, lambda ans, x, y: unbroadcast_f(x, lambda g: g),
...        lambda ans, x, y: unbroadcast_f(y, lambda g: g))
>>> grad(lambda y: np.sum(add(np.ones(3), y)))(2.0)
3.0
"""

import numpy as _onp

from .. import numpy as anp
from ..extend import defjvp, defvjp
from ..numpy.indexing import _plain_index, untake_p

__all__ = ["balanced_eq", "defjvp", "defvjp", "match_complex", "metadata", "repeat_to_match_shape",
           "replace_zero", "unbroadcast", "unbroadcast_einsum", "unbroadcast_f", "untake",
           "wrapped_reshape"]


def metadata(A):
    """``(shape, ndim, dtype, iscomplex)`` of ``A`` (autograd.numpy.metadata)."""
    return _onp.shape(A), _onp.ndim(A), _onp.result_type(A), _onp.iscomplexobj(A)


def _meta(A):
    from ..core.engine import getval
    return metadata(getval(A))


def match_complex(target, x):
    """``x`` made real or complex as ``target`` is."""
    target_iscomplex = anp.iscomplexobj(target)
    x_iscomplex = anp.iscomplexobj(x)
    if x_iscomplex and not target_iscomplex:
        return anp.real(x)
    if not x_iscomplex and target_iscomplex:
        return x + 0j
    return x


def unbroadcast(x, target_meta, broadcast_idx=0):
    """Sum ``x`` back to the shape in ``target_meta`` (a :func:`metadata` tuple)."""
    target_shape, target_ndim, _dtype, target_iscomplex = target_meta
    while anp.ndim(x) > target_ndim:
        x = anp.sum(x, axis=broadcast_idx)
    for axis, size in enumerate(target_shape):
        if size == 1:
            x = anp.sum(x, axis=axis, keepdims=True)
    if anp.iscomplexobj(x) and not target_iscomplex:
        x = anp.real(x)
    return x


def unbroadcast_f(target, f):
    """``lambda g: f(g)`` summed back to ``target``'s shape: the VJP of an
    argument that was broadcast."""
    target_meta = _meta(target)
    return lambda g: unbroadcast(f(g), target_meta)


def unbroadcast_einsum(x, target_meta, subscript):
    """:func:`unbroadcast` for an einsum operand whose subscript holds ``...``."""
    if Ellipsis not in subscript:
        return x
    if subscript[0] == Ellipsis:
        return unbroadcast(x, target_meta, 0)
    if subscript[-1] == Ellipsis:
        return unbroadcast(x, target_meta, -1)
    return unbroadcast(x, target_meta, subscript.index(Ellipsis))


def balanced_eq(x, z, y):
    """1 where ``x == z``, halved where also ``x == y`` (ties of max/min)."""
    return (x == z) / (1.0 + (x == y))


def replace_zero(x, val):
    """``x`` with its zeros replaced by ``val``."""
    return anp.where(x, x, val)


def repeat_to_match_shape(g, shape, dtype, axis, keepdims):
    """``g`` repeated along ``axis`` to ``shape``, and the number of repetitions."""
    if shape == ():
        return g, 1
    axis = list(axis) if isinstance(axis, tuple) else axis
    new_shape = _onp.array(shape)
    new_shape[axis] = 1
    num_reps = _onp.prod(_onp.array(shape)[axis])
    return anp.reshape(g, new_shape) + _onp.zeros(shape, dtype=dtype), num_reps


def untake(x, idx, vs):
    """The transpose of ``A[idx]``: ``x`` scattered into zeros of ``vs``'s shape
    (repeated indices summed)."""
    if isinstance(idx, list) and (len(idx) == 0 or not isinstance(idx[0], slice)):
        idx = _onp.array(idx, dtype="int64")
    shape = getattr(vs, "shape", None)
    if shape is None:
        shape = _onp.shape(vs)
    return untake_p(x, _plain_index(idx), tuple(shape))


def wrapped_reshape(x, *args, **kwargs):
    """``x.reshape((5, 4))`` and ``x.reshape(5, 4)`` alike."""
    if isinstance(args[0], int):
        return anp.reshape(x, args, **kwargs)
    return anp.reshape(x, *args, **kwargs)
