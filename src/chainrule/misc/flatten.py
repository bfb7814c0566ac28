"""Flatten nested containers of arrays into one vector, and back.

Mainly for optimizers and examples: ``flat, unflatten = flatten(params)``.
Both directions are differentiable (``unflatten`` is the VJP of the flattening,
as in autograd).
"""

from .. import numpy as np
from ..core.trace import Box, getval
from ..core.tree import tree_flatten

__all__ = ["flatten", "flatten_func"]


def _flatten(value):
    t = type(value)
    if t in (list, tuple) or (isinstance(value, tuple) and hasattr(value, "_fields")):
        return _concatenate([_flatten(v) for v in value])
    if isinstance(value, dict):
        return _concatenate([_flatten(value[k]) for k in sorted(value)])
    return np.ravel(value)


def _concatenate(parts):
    return np.concatenate(parts) if parts else np.array([])


def flatten(value):
    """Flatten any nesting of tuples, lists and dicts of arrays and scalars
    into a 1-D array; return it with ``unflatten``, which rebuilds the
    container from such a vector. Dict keys are taken in sorted order; the
    vector has the common dtype of the leaves (ints become floats alongside
    floats).

    >>> import numpy
    >>> flat, unflatten = flatten((1.0, [numpy.zeros(2), {"x": 2.0}]))
    >>> flat
    array([1., 0., 0., 2.])
    >>> unflatten(flat + 1)
    (2.0, [array([1., 1.]), {'x': 3.0}])
    """
    from ..core import make_vjp
    leaves = tree_flatten(value)[0]
    plain = all(type(v) is not Box for v in leaves)
    if plain and leaves and all(np.result_type(getval(v)).kind in "fc" for v in leaves):
        # unflatten is the VJP of the flattening: record it once, replay on demand.
        unflatten, flat = make_vjp(_flatten, value)
        return flat, unflatten
    flat = _flatten(value)
    return flat, _Unflattener(value)


class _Unflattener:
    """``unflatten`` for values that are traced or not all floats: slice and
    reshape (differentiable through chainrule.numpy), casting back to each
    leaf's type."""

    def __init__(self, value):
        self.value = value

    def __call__(self, vec):
        pos = [0]

        def build(v):
            t = type(v)
            if t in (list, tuple):
                return t(build(c) for c in v)
            if isinstance(v, tuple) and hasattr(v, "_fields"):
                return t(*[build(c) for c in v])
            if isinstance(v, dict):
                out = {k: None for k in v}
                for k in sorted(v):
                    out[k] = build(v[k])
                return out
            shape = np.shape(getval(v))
            n = int(np.prod(shape, dtype=int))
            piece = vec[pos[0]:pos[0] + n]
            pos[0] += n
            if not shape and not hasattr(getval(v), "shape"):
                return piece[0]
            return np.reshape(piece, shape)
        return build(self.value)


def flatten_func(func, example):
    """``(flat_func, unflatten, flat_example)``: ``func`` of a container as a
    function of a flat vector, returning a flat vector."""
    _ex, unflatten = flatten(example)

    def _func(_x, *args):
        return flatten(func(unflatten(_x), *args))[0]
    return _func, unflatten, _ex
