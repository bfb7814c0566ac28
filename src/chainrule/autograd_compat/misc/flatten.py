"""Flatten nested containers of arrays into one vector, and back.

Mainly for optimizers and examples: ``flat, unflatten = flatten(params)``.
Both directions are differentiable (``unflatten`` is the VJP of the flattening,
as in autograd).
"""

from ... import numpy as np
from ...core.engine import Box, getval
from ...core.tree import has_empty_container, tree_flatten, tree_unflatten

__all__ = ["flatten", "flatten_func"]


def _flatten(value):
    # autograd's order: dict keys sorted (tree_flatten's sort_keys)
    leaves, spec = tree_flatten(value, sort_keys=True)
    if spec is None:  # a bare leaf: raveled, not concatenated (as autograd)
        return np.ravel(value)
    parts = [np.ravel(v) for v in leaves]
    if not parts or has_empty_container(value):
        # autograd flattens an empty container to np.array([]), a float64 that
        # takes part in the concatenation's dtype promotion (ints and float32
        # then come out as float64): keep that.
        parts.append(np.array([]))
    return np.concatenate(parts)


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
        leaves, spec = tree_flatten(self.value, sort_keys=True)
        pos, out = 0, []
        for v in leaves:
            shape = np.shape(getval(v))
            n = int(np.prod(shape, dtype=int))
            piece = vec[pos:pos + n]
            pos += n
            if not shape and not hasattr(getval(v), "shape"):
                out.append(piece[0])
            else:
                out.append(np.reshape(piece, shape))
        return tree_unflatten(spec, out)


def flatten_func(func, example):
    """``(flat_func, unflatten, flat_example)``: ``func`` of a container as a
    function of a flat vector, returning a flat vector."""
    _ex, unflatten = flatten(example)

    def _func(_x, *args):
        return flatten(func(unflatten(_x), *args))[0]
    return _func, unflatten, _ex
